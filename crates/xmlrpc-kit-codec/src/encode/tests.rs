//! The encoder's unit tests, and its comparison with the oracle.

use super::*;
use crate::{DocumentLimits, Struct, decode_response};

fn written(value: &Value) -> String {
    let mut out = Vec::new();
    encode_value(&mut out, value, &EncodeOptions::default().allow_none(true)).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_buffer_starts_as_large_as_its_document_looks() {
    let opts = EncodeOptions::default();
    // Small: the least room, which it fits.
    let small = encode_response(&Ok(Value::Int(5)), &opts).unwrap();
    assert_eq!(small.capacity(), LEAST_FIRST_ROOM);
    // A 2.5 KB struct of every type: room for all of it at once.
    let mut members = Struct::new();
    for i in 0..12 {
        members.insert(
            format!("member{i}"),
            Value::String("some text & <more>".repeat(i % 4)),
        );
        members.insert(format!("n{i}"), Value::Double(f64::from(i as u8) / 7.0));
    }
    members.insert("blob", Value::Base64(vec![7; 96]));
    let value = Value::Array(vec![Value::Struct(members)]);
    let room = first_room([&value]);
    let body = encode_response(&Ok(value), &opts).unwrap();
    assert!((2000..4096).contains(&body.len()), "{}", body.len());
    assert!(
        room >= body.len() && room <= MOST_FIRST_ROOM,
        "{room} for {}",
        body.len()
    );
    assert_eq!(body.capacity(), room, "the buffer grew");
    // Large: the guess stops at ROOM_GUESS_NODES values, at a page.
    let large = Value::Array(vec![Value::Int(1); 10_000]);
    assert_eq!(first_room([&large]), MOST_FIRST_ROOM);
}

#[test]
fn characters_xml_cannot_carry_are_refused_and_faults_still_encode() {
    let opts = EncodeOptions::default();
    for (text, c) in [
        ("a\u{1}b", '\u{1}'),
        ("\0", '\0'),
        ("x\u{ffff}", '\u{ffff}'),
        ("\u{f8ff}\u{fffe}", '\u{fffe}'),
        ("tab\tok, then \u{1f}", '\u{1f}'),
    ] {
        let mut out = Vec::new();
        let e = encode_value(&mut out, &Value::String(text.into()), &opts).unwrap_err();
        assert_eq!(e, EncodeError::NotXmlCharacter(c));
        let name = Value::Struct([(text.to_owned(), Value::Int(1))].into());
        assert_eq!(
            encode_value(&mut out, &name, &opts),
            Err(EncodeError::NotXmlCharacter(c))
        );
    }
    assert_eq!(
        EncodeError::NotXmlCharacter('\u{1b}').to_string(),
        "cannot marshal U+001B: XML 1.0 cannot carry it (send such bytes as base64)"
    );
    let call = MethodCall::new("bad\u{7}name", vec![]);
    assert_eq!(
        encode_call(&call, &opts),
        Err(EncodeError::NotXmlCharacter('\u{7}'))
    );
    // A fault's string is a message: its unsendable characters become U+FFFD.
    let body = encode_response(&Err(Fault::new(1, "bell \u{7} here")), &opts).unwrap();
    let back = decode_response(&body, &DocumentLimits::default()).unwrap();
    assert_eq!(back, Err(Fault::new(1, "bell \u{fffd} here")));
}

#[test]
fn text_is_escaped_in_one_pass_keeping_what_xml_carries() {
    assert_eq!(
        written(&Value::String(
            "a&b<c>d\re\tf\ng \u{f000}\u{f8ff}\u{fffd} é 🦀 &&".into()
        )),
        "<value><string>a&amp;b&lt;c&gt;d&#13;e\tf\ng \u{f000}\u{f8ff}\u{fffd} é 🦀 &amp;&amp;</string></value>"
    );
    assert_eq!(
        written(&Value::String(String::new())),
        "<value><string></string></value>"
    );
}

#[test]
fn scalars_are_written_canonically() {
    assert_eq!(written(&Value::Int(-5)), "<value><int>-5</int></value>");
    assert_eq!(
        written(&Value::I8(1 << 40)),
        "<value><i8>1099511627776</i8></value>"
    );
    assert_eq!(
        written(&Value::Bool(true)),
        "<value><boolean>1</boolean></value>"
    );
    assert_eq!(
        written(&Value::Double(0.5)),
        "<value><double>0.5</double></value>"
    );
    assert_eq!(
        written(&Value::Double(3.0)),
        "<value><double>3.0</double></value>"
    );
    assert_eq!(
        written(&Value::Base64(b"hi!".to_vec())),
        "<value><base64>aGkh</base64></value>"
    );
    assert_eq!(written(&Value::Nil), "<value><nil/></value>");
    assert_eq!(
        written(&Value::String("a<b & c>\r\n\t".into())),
        "<value><string>a&lt;b &amp; c&gt;&#13;\n\t</string></value>"
    );
}

#[test]
fn nil_needs_allow_none_and_nan_is_refused() {
    let mut out = Vec::new();
    assert_eq!(
        encode_value(&mut out, &Value::Nil, &EncodeOptions::default()),
        Err(EncodeError::NilNotAllowed)
    );
    assert!(matches!(
        encode_value(
            &mut out,
            &Value::Double(f64::NAN),
            &EncodeOptions::default()
        ),
        Err(EncodeError::NonFiniteDouble(_))
    ));
}

#[test]
fn faults_round_trip() {
    let body = encode_response(
        &Err(Fault::new(-32601, "no <such> method")),
        &EncodeOptions::default(),
    )
    .unwrap();
    assert_eq!(
        decode_response(&body, &DocumentLimits::default()).unwrap(),
        Err(Fault::new(-32601, "no <such> method"))
    );
}

#[test]
fn latin1_response_declares_its_encoding_and_round_trips() {
    let opts = EncodeOptions::default().encoding(OutputEncoding::new("iso-8859-1").unwrap());
    let mut s = Struct::new();
    s.insert("clé", Value::String("é € 日本".into()));
    let body = encode_response(&Ok(Value::Struct(s.clone())), &opts).unwrap();
    assert!(body.starts_with(b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"));
    assert!(body.windows(7).any(|w| w == b"&#8364;"));
    assert_eq!(
        decode_response(&body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Struct(s))
    );
}

/// The encoder against the oracle (the encoder before it wrote a block at
/// a time): the same bytes, and the same error, for every value, option,
/// encoding, dialect and limit.
mod same_as_the_oracle {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::super::oracle;
    use super::*;
    use crate::dialect::{DateTimeForm, DoubleForm, Extension};
    use crate::{DateTime, Dialect};

    /// Text with every byte the escaper treats apart, those XML cannot
    /// carry included, in runs long enough for its 32-byte blocks.
    fn text() -> impl Strategy<Value = String> {
        let ch = prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => any::<char>(),
            2 => prop_oneof![
                Just('&'), Just('<'), Just('>'), Just('\r'), Just('\n'), Just('\t'),
                Just('\0'), Just('\u{1}'), Just('\u{1f}'), Just('\u{7f}'), Just('='),
                Just('\''), Just('"'), Just(' '), Just('é'), Just('€'), Just('\u{f000}'),
                Just('\u{fffd}'), Just('\u{fffe}'), Just('\u{ffff}'), Just('😀'),
            ],
        ];
        prop_oneof![
            vec(ch.clone(), 0..12),
            vec(ch.clone(), 12..40),
            (vec(proptest::char::range('a', 'z'), 0..100), vec(ch, 0..3)).prop_map(
                |(mut clean, rare)| {
                    let at = clean.len() / 2;
                    clean.splice(at..at, rare);
                    clean
                }
            ),
        ]
        .prop_map(|chars| chars.into_iter().collect())
    }

    fn double() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<u64>().prop_map(f64::from_bits),
            any::<i32>().prop_map(f64::from),
            any::<i64>().prop_map(|i| i as f64),
            (any::<i64>(), 0u32..20).prop_map(|(i, e)| i as f64 / 10f64.powi(e as i32)),
            prop_oneof![
                Just(0.0),
                Just(-0.0),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(9_007_199_254_740_992.0),
                Just(1e16),
                Just(-9_007_199_254_740_991.0),
                Just(5e-324),
                Just(f64::MAX),
            ],
        ]
    }

    fn datetime() -> impl Strategy<Value = DateTime> {
        let text = (0u16..=9999, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60)
            .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}{mo:02}{d:02}T{h:02}:{mi:02}:{s:02}"));
        let suffix = prop_oneof![
            Just(""),
            Just(".5"),
            Just(".000"),
            Just(".123456789"),
            Just("Z"),
            Just("+01:30"),
            Just(".25-08:00"),
        ];
        (text, suffix).prop_filter_map("a date-time", |(t, s)| format!("{t}{s}").parse().ok())
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            1 => any::<i32>().prop_map(Value::Int),
            1 => prop_oneof![any::<i64>(), any::<i32>().prop_map(i64::from)].prop_map(Value::I8),
            1 => any::<bool>().prop_map(Value::Bool),
            3 => text().prop_map(Value::String),
            1 => double().prop_map(Value::Double),
            1 => datetime().prop_map(Value::DateTime),
            1 => vec(any::<u8>(), 0..40).prop_map(Value::Base64),
            1 => Just(Value::Nil),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..8).prop_map(Value::Array),
                vec((text(), inner), 0..8)
                    .prop_map(|members| Value::Struct(members.into_iter().collect::<Struct>())),
            ]
        })
    }

    fn extension() -> impl Strategy<Value = Extension> {
        prop_oneof![
            Just(Extension::Plain),
            Just(Extension::Apache),
            Just(Extension::Refused)
        ]
    }

    fn options() -> impl Strategy<Value = EncodeOptions> {
        let encoding = prop_oneof![
            Just("utf-8"),
            Just("iso-8859-1"),
            Just("us-ascii"),
            Just("windows-1252"),
            Just("utf-16"),
            Just("shift_jis"),
        ];
        let dialect = (
            extension(),
            any::<bool>(),
            extension(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(i8, beyond, nil, decimal, extended)| {
                Dialect::PYTHON
                    .i8(i8)
                    .i8_only_beyond_int(beyond)
                    .nil(nil)
                    .doubles(if decimal {
                        DoubleForm::Decimal
                    } else {
                        DoubleForm::Shortest
                    })
                    .dates(if extended {
                        DateTimeForm::Extended
                    } else {
                        DateTimeForm::Compact
                    })
            });
        (any::<bool>(), encoding, dialect).prop_map(|(allow_none, encoding, dialect)| {
            EncodeOptions::default()
                .allow_none(allow_none)
                .encoding(OutputEncoding::new(encoding).unwrap())
                .dialect(dialect)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn values_calls_and_responses(value in value(), opts in options(), name in text()) {
            // What encode_value leaves in its buffer, even on an error.
            let (mut new, mut old) = (b"<x>".to_vec(), b"<x>".to_vec());
            let got = encode_value(&mut new, &value, &opts);
            let expected = oracle::encode_value(&mut old, &value, &opts);
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(&new, &old);

            let call = MethodCall::new(name.clone(), vec![value.clone(), Value::Int(1)]);
            prop_assert_eq!(encode_call(&call, &opts), oracle::encode_call(&call, &opts));
            let answer = Ok(value.clone());
            prop_assert_eq!(encode_response(&answer, &opts), oracle::encode_response(&answer, &opts));
            let fault = Err(Fault::new(7, name));
            prop_assert_eq!(encode_response(&fault, &opts), oracle::encode_response(&fault, &opts));
        }

        #[test]
        fn limits(value in value(), opts in options(), cut in 0usize..1200) {
            let answer = Ok(value.clone());
            for (capacity, max) in [(0, cut), (cut, cut), (64, cut * 3), (4096, usize::MAX)] {
                prop_assert_eq!(
                    encode_response_within(&answer, &opts, capacity, max),
                    oracle::encode_response_within(&answer, &opts, capacity, max)
                );
            }
            let results = [Ok(value.clone()), Err(Fault::new(-1, "no <such> method")), Ok(value)];
            for max in [cut, cut * 4, usize::MAX] {
                prop_assert_eq!(
                    encode_multicall_response(&results, &opts, 256, max),
                    oracle::encode_multicall_response(&results, &opts, 256, max)
                );
            }
        }
    }
}
