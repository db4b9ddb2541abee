//! Properties of the codec over generated inputs (proptest): what is
//! encoded decodes to the same value; no input makes a decoder panic;
//! date-times print and parse back. The fuzz targets in `fuzz/` check the
//! same things for longer; these run in every `cargo test`.

use proptest::collection::vec;
use proptest::prelude::*;
use xmlrpc_kit::dialect::{DateTimeForm, DoubleForm};
use xmlrpc_kit::xml_chars::is_xml_char;
use xmlrpc_kit::{
    DateTime, Dialect, DocumentLimits, EncodeError, EncodeOptions, Fault, MethodCall,
    OutputEncoding, Struct, Value, codes, decode_call, decode_response, decode_value, encode_call,
    encode_response, encode_value,
};
use xmlrpc_kit_test_support::values::{holds_nil, holds_non_xml_char, identical};

/// Characters that exercise escaping, line ends, the controls XML allows,
/// non-ASCII (in and out of ISO-8859-1) and astral planes.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('\r'),
        Just('\n'),
        Just('\t'),
        Just(' '),
        Just('&'),
        Just('<'),
        Just('>'),
        Just(']'),
        Just('"'),
        Just('\''),
        Just('\u{7f}'),
        Just('\u{85}'),
        Just('\u{a0}'),
        Just('é'),
        Just('ÿ'),
        Just('€'),
        Just('\u{2028}'),
        Just('\u{feff}'),
        Just('\u{fffd}'),
        Just('😀'),
    ]
}

/// Any string XML 1.0 can carry (see `characters_xml_cannot_carry_are_refused_both_ways`).
fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        3 => any::<char>().prop_filter("a character XML carries", |&c| is_xml_char(c)),
        2 => tricky_char(),
        3 => proptest::char::range('a', 'z'),
    ];
    vec(ch, 0..24).prop_map(|chars| chars.into_iter().collect())
}

fn finite_double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |d| d.is_finite()),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(0.1),
    ]
}

/// A valid date-time, with a fraction of 1 to 9 digits and a zone sometimes.
fn datetime() -> impl Strategy<Value = DateTime> {
    let fraction = proptest::option::of((1usize..=9, 0u32..1_000_000_000));
    let zone = prop_oneof![
        Just(String::new()),
        Just("Z".to_owned()),
        (any::<bool>(), 0u8..24, 0u8..60)
            .prop_map(|(east, h, m)| format!("{}{h:02}:{m:02}", if east { '+' } else { '-' })),
    ];
    (
        (0u16..=9999, 1u8..=12, 1u8..=31),
        (0u8..24, 0u8..60, 0u8..60),
        fraction,
        zone,
    )
        .prop_filter_map(
            "no such day",
            |((year, month, day), (hour, minute, second), fraction, zone)| {
                let mut text =
                    format!("{year:04}{month:02}{day:02}T{hour:02}:{minute:02}:{second:02}");
                if let Some((digits, nanos)) = fraction {
                    text.push('.');
                    text.push_str(&format!("{nanos:09}")[..digits]);
                }
                text.push_str(&zone);
                text.parse().ok()
            },
        )
}

/// Any value: bounded depth and size, doubles finite, nil only if `nil`.
fn value(nil: bool) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        text().prop_map(Value::String),
        finite_double().prop_map(Value::Double),
        datetime().prop_map(Value::DateTime),
        vec(any::<u8>(), 0..32).prop_map(Value::Base64),
        Just(if nil {
            Value::Nil
        } else {
            Value::String(String::new())
        }),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((text(), inner), 0..6)
                .prop_map(|members| Value::Struct(members.into_iter().collect::<Struct>())),
        ]
    })
}

fn options(allow_none: bool, encoding: &str) -> EncodeOptions {
    EncodeOptions::default()
        .allow_none(allow_none)
        .encoding(OutputEncoding::new(encoding).unwrap())
}

/// A response holding `value` decodes to `value`, or (nil without
/// `allow_none`) does not encode.
fn check_response_round_trip(value: &Value, allow_none: bool, encoding: &str) {
    let encoded = encode_response(&Ok(value.clone()), &options(allow_none, encoding));
    if !allow_none && holds_nil(value) {
        assert_eq!(encoded, Err(EncodeError::NilNotAllowed));
        return;
    }
    let body = encoded.unwrap();
    match decode_response(&body, &DocumentLimits::default()) {
        Ok(Ok(back)) => assert!(
            identical(&back, value),
            "{encoding}: {value:?} came back as {back:?}"
        ),
        other => panic!(
            "{encoding}: {value:?} came back as {other:?} from {}",
            String::from_utf8_lossy(&body)
        ),
    }
}

/// Changes to a byte string: delete, insert, overwrite, truncate, repeat.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, u8),
    Overwrite(usize, u8),
    Truncate(usize),
    Repeat(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        any::<u8>(),
        Just(b'<'),
        Just(b'>'),
        Just(b'/'),
        Just(b'&'),
        Just(b';'),
        Just(0xEF),
        Just(0xBB),
        Just(0xBF),
        Just(0xFE),
        Just(0xFF),
    ];
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Overwrite(i, b)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn apply(doc: &mut Vec<u8>, edit: &Edit) {
    let len = doc.len().max(1);
    match *edit {
        Edit::Delete(i) if !doc.is_empty() => {
            doc.remove(i % doc.len());
        }
        Edit::Delete(_) => {}
        Edit::Insert(i, b) => doc.insert(i % (doc.len() + 1), b),
        Edit::Overwrite(i, b) => {
            if let Some(slot) = doc.get_mut(i % len) {
                *slot = b;
            }
        }
        Edit::Truncate(i) => doc.truncate(i % len),
        Edit::Repeat(i, n) => {
            let start = i % len;
            let end = (start + n).min(doc.len());
            if start < end {
                let piece = doc[start..end].to_vec();
                doc.splice(end..end, piece);
            }
        }
    }
}

/// Decodes `doc` every way; a document that decodes encodes again to one
/// that decodes the same (except for U+0000, which cannot be written).
fn decode_every_way(doc: &[u8]) {
    let tiny = DocumentLimits::default()
        .max_depth(2)
        .max_items(3)
        .max_string_bytes(8)
        .max_base64_bytes(8)
        .max_method_name_bytes(4)
        .max_params(2);
    for limits in [DocumentLimits::default(), tiny] {
        if let Err(e) = decode_value(doc, &limits) {
            let _ = e.to_string();
        }
        match decode_call(doc, &limits) {
            Ok(call) => {
                if call.params.iter().any(holds_non_xml_char) {
                    continue;
                }
                let body = encode_call(&call, &options(true, "utf-8")).unwrap();
                let back = decode_call(&body, &DocumentLimits::default()).unwrap();
                assert_eq!(back.method, call.method);
                assert!(identical(
                    &Value::Array(back.params),
                    &Value::Array(call.params)
                ));
            }
            Err(e) => assert!((-32702..=-32600).contains(&e.fault_code()), "{e}"),
        }
        match decode_response(doc, &limits) {
            Ok(Ok(value)) => {
                assert!(!holds_non_xml_char(&value), "{value:?}");
                let body = encode_response(&Ok(value.clone()), &options(true, "utf-8")).unwrap();
                let back = decode_response(&body, &DocumentLimits::default())
                    .unwrap()
                    .unwrap();
                assert!(identical(&back, &value), "{value:?} != {back:?}");
            }
            Ok(_) => {}
            Err(e) => assert!((-32702..=-32600).contains(&e.fault_code()), "{e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn values_round_trip_in_utf8(v in value(true), allow_none in any::<bool>()) {
        check_response_round_trip(&v, allow_none, "utf-8");
    }

    #[test]
    fn values_round_trip_in_latin1(v in value(true), allow_none in any::<bool>()) {
        check_response_round_trip(&v, allow_none, "iso-8859-1");
    }

    #[test]
    fn bare_values_round_trip(v in value(true)) {
        let mut out = Vec::new();
        encode_value(&mut out, &v, &options(true, "utf-8")).unwrap();
        let back = decode_value(&out, &DocumentLimits::default()).unwrap();
        prop_assert!(identical(&back, &v), "{:?} != {:?}", v, back);
    }

    #[test]
    fn calls_round_trip(
        method in text(),
        params in vec(value(false), 0..4),
        latin1 in any::<bool>(),
    ) {
        let call = MethodCall::new(method, params);
        let encoding = if latin1 { "iso-8859-1" } else { "utf-8" };
        let body = encode_call(&call, &options(false, encoding)).unwrap();
        let back = decode_call(&body, &DocumentLimits::default().max_method_name_bytes(usize::MAX)).unwrap();
        prop_assert_eq!(&back.method, &call.method);
        prop_assert!(identical(&Value::Array(back.params), &Value::Array(call.params)));
    }

    #[test]
    fn faults_round_trip(code in any::<i32>(), string in text(), latin1 in any::<bool>()) {
        let fault = Fault::new(code, string);
        let encoding = if latin1 { "iso-8859-1" } else { "utf-8" };
        let body = encode_response(&Err(fault.clone()), &options(false, encoding)).unwrap();
        prop_assert_eq!(decode_response(&body, &DocumentLimits::default()), Ok(Err(fault)));
    }

    /// Every dialect writes what the decoder reads back unchanged (with
    /// an i8 narrowed to an int where the dialect says so), or refuses
    /// what it cannot send (strict: nil, and i8 beyond 32 bits).
    #[test]
    fn every_dialect_round_trips_or_refuses(
        v in value(true),
        preset in 0..Dialect::PRESETS.len(),
        extended_dates in any::<bool>(),
        narrow in any::<bool>(),
    ) {
        let (name, mut dialect) = Dialect::PRESETS[preset];
        if extended_dates {
            dialect = dialect.dates(DateTimeForm::Extended);
        }
        if narrow {
            dialect = dialect.i8_only_beyond_int(true);
        }
        let opts = options(true, "utf-8").dialect(dialect);
        let encoded = encode_response(&Ok(v.clone()), &opts);
        let expected = if dialect.i8_only_beyond_int { narrowed(&v) } else { v.clone() };
        if name == "strict" && (holds_nil(&v) || holds_i8(&expected)) {
            prop_assert!(matches!(
                encoded,
                Err(EncodeError::NilNotInDialect(_) | EncodeError::I8NotInDialect(..))
            ), "{:?}", encoded);
            return Ok(());
        }
        let body = encoded.unwrap();
        let text = String::from_utf8_lossy(&body);
        if dialect.doubles == DoubleForm::Decimal {
            for double in text.split("<double>").skip(1) {
                let digits = double.split("</double>").next().unwrap_or_default();
                prop_assert!(!digits.contains(['e', 'E']), "{}", digits);
            }
        }
        let back = decode_response(&body, &DocumentLimits::default()).unwrap().unwrap();
        prop_assert!(identical(&back, &expected), "{}: {:?} came back as {:?} from {}", name, expected, back, text);
    }

    #[test]
    fn datetimes_print_and_parse_back(dt in datetime()) {
        let printed = dt.to_string();
        prop_assert_eq!(printed.parse::<DateTime>(), Ok(dt));
        // The dashed ISO form reads as the same value.
        let dashed = format!("{}-{}-{}", &printed[..4], &printed[4..6], &printed[6..]);
        prop_assert_eq!(dashed.parse::<DateTime>(), Ok(dt));
    }

    #[test]
    fn new_datetimes_print_and_parse_back(
        year in 0u16..=9999, month in 1u8..=12, day in 1u8..=31,
        hour in 0u8..24, minute in 0u8..60, second in 0u8..60,
    ) {
        if let Some(dt) = DateTime::new(year, month, day, hour, minute, second) {
            prop_assert_eq!(dt.to_string().parse::<DateTime>(), Ok(dt));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decoders_never_panic_on_bytes(doc in vec(any::<u8>(), 0..256)) {
        decode_every_way(&doc);
    }

    #[test]
    fn decoders_never_panic_on_mutated_documents(
        v in value(true),
        method in text(),
        response in any::<bool>(),
        latin1 in any::<bool>(),
        edits in vec(edit(), 1..6),
    ) {
        let opts = options(true, if latin1 { "iso-8859-1" } else { "utf-8" });
        let mut doc = if response {
            encode_response(&Ok(v), &opts).unwrap()
        } else {
            encode_call(&MethodCall::new(method, vec![v]), &opts).unwrap()
        };
        for e in &edits {
            apply(&mut doc, e);
        }
        decode_every_way(&doc);
    }
}

proptest! {
    /// A character XML 1.0 cannot carry (a control other than tab, line
    /// feed and carriage return; U+FFFE; U+FFFF) is refused by the encoder
    /// in any string or name, and by the decoder raw or as a reference.
    #[test]
    fn characters_xml_cannot_carry_are_refused_both_ways(
        before in text(),
        after in text(),
        bad in prop_oneof![proptest::char::range('\0', '\u{1f}'), Just('\u{fffe}'), Just('\u{ffff}')]
            .prop_filter("not tab, line feed or carriage return", |&c| !is_xml_char(c)),
        as_name in any::<bool>(),
    ) {
        let text = format!("{before}{bad}{after}");
        let value = if as_name {
            Value::Struct([(text.clone(), Value::Int(1))].into())
        } else {
            Value::String(text.clone())
        };
        prop_assert_eq!(
            encode_response(&Ok(value), &EncodeOptions::default()),
            Err(EncodeError::NotXmlCharacter(bad))
        );
        let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('\r', "&#13;");
        for written in [bad.to_string(), format!("&#{};", u32::from(bad))] {
            let doc = format!("<value><string>{}{written}{}</string></value>", escape(&before), escape(&after));
            let e = decode_value(doc.as_bytes(), &DocumentLimits::default()).unwrap_err();
            prop_assert_eq!(e.fault_code(), codes::INVALID_CHARACTER, "{}", e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any value through serde and back is unchanged: serialized into a
    /// value, and deserialized from one (doubles bit for bit, `<i8>` that
    /// fits 32 bits read back as `<int>`, as documented).
    #[test]
    fn any_value_survives_serde(value in value(true)) {
        let through = xmlrpc_kit::serde::to_value(&value).unwrap();
        prop_assert!(identical(&through, &narrowed(&value)), "{through:?} vs {value:?}");
        let back: Value = xmlrpc_kit::serde::from_value(value.clone()).unwrap();
        prop_assert!(identical(&back, &narrowed(&value)), "{back:?} vs {value:?}");
    }
}

/// `value` with every `<i8>` that fits 32 bits as `<int>`: serde has one
/// integer path, and the serializer chooses `<int>` when it fits.
fn narrowed(value: &Value) -> Value {
    match value {
        Value::I8(i) => i32::try_from(*i).map_or(Value::I8(*i), Value::Int),
        Value::Array(items) => Value::Array(items.iter().map(narrowed).collect()),
        Value::Struct(members) => {
            Value::Struct(members.iter().map(|(k, v)| (k, narrowed(v))).collect())
        }
        other => other.clone(),
    }
}

fn holds_i8(value: &Value) -> bool {
    match value {
        Value::I8(_) => true,
        Value::Array(items) => items.iter().any(holds_i8),
        Value::Struct(members) => members.iter().any(|(_, v)| holds_i8(v)),
        _ => false,
    }
}
