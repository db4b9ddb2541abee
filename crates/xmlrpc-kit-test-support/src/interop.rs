//! The interoperability suite's one table of cases, and the judge that
//! compares what came back from a peer with what was sent.
//!
//! Both directions use it: `examples/interop_server.rs` hands each case to
//! a peer client (`interop.case`) and judges what the client sends back
//! (`interop.check`); `examples/interop_client.rs` sends each case through a
//! peer server's `echo` and judges the answer. `tests/interop/run.py`
//! drives both and writes `INTEROP.md`.

use xmlrpc_kit::{DateTime, Struct, Value};

/// One value the suite sends both ways.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name, `group.detail` (`int.max`, `string.emoji`, …).
    pub name: &'static str,
    /// The value itself.
    pub value: Value,
}

/// The fault every peer is asked to carry: its code.
pub const FAULT_CODE: i32 = 4;
/// The fault every peer is asked to carry: its string (XML specials,
/// quotes and a non-ASCII letter).
pub const FAULT_STRING: &str = "Too many parameters: <&> 'quoted' \"double\" é";
/// The fault raised inside the multicall check.
pub const MULTICALL_FAULT_STRING: &str = "in a multicall";

/// Every value case, in the order the suite runs them.
///
/// ```
/// let cases = xmlrpc_kit_test_support::interop::cases();
/// assert!(cases.iter().any(|c| c.name == "i8.max"));
/// let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
/// names.sort();
/// names.dedup();
/// assert_eq!(names.len(), cases.len(), "names are unique");
/// ```
pub fn cases() -> Vec<Case> {
    let case = |name, value| Case { name, value };
    let s = |text: &str| Value::String(text.to_owned());
    let members = |pairs: Vec<(&str, Value)>| {
        Value::Struct(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    vec![
        case("int.zero", Value::Int(0)),
        case("int.negative", Value::Int(-1)),
        case("int.max", Value::Int(i32::MAX)),
        case("int.min", Value::Int(i32::MIN)),
        case("i8.above-int", Value::I8(i64::from(i32::MAX) + 1)),
        case("i8.below-int", Value::I8(i64::from(i32::MIN) - 1)),
        case("i8.max", Value::I8(i64::MAX)),
        case("i8.min", Value::I8(i64::MIN)),
        case("boolean.true", Value::Bool(true)),
        case("boolean.false", Value::Bool(false)),
        case("string.empty", s("")),
        case("string.ascii", s("Hello, world")),
        case("string.latin", s("déjà vu, naïve façade, Ærøskøbing")),
        case("string.cjk", s("日本語の文字列, 中文, 한국어")),
        case("string.emoji", s("🦀 crab, 👍🏽 thumbs, 𝄞 clef")),
        case(
            "string.xml-specials",
            s("<tag attr=\"v\"> & 'apos' ]]> &amp; &#65;"),
        ),
        case("string.line-ends", s("cr\rcrlf\r\nlf\nend")),
        case("string.whitespace", s("  leading, trailing and\ttab  ")),
        case("string.long", s(&"The quick brown fox. ".repeat(5_000))),
        case("double.zero", Value::Double(0.0)),
        case("double.negative-zero", Value::Double(-0.0)),
        case("double.integral", Value::Double(2.0)),
        case("double.fraction", Value::Double(-1.5)),
        case("double.tenth", Value::Double(0.1)),
        case("double.pi", Value::Double(std::f64::consts::PI)),
        case("double.large", Value::Double(1e300)),
        case("double.max", Value::Double(f64::MAX)),
        case("double.smallest-normal", Value::Double(f64::MIN_POSITIVE)),
        case("double.smallest-subnormal", Value::Double(5e-324)),
        case("datetime.spec-example", date(1998, 7, 17, 14, 8, 55)),
        case("datetime.leap-day", date(2000, 2, 29, 23, 59, 59)),
        case("base64.empty", Value::Base64(Vec::new())),
        case("base64.every-byte", Value::Base64((0..=255).collect())),
        case(
            "base64.one-megabyte",
            Value::Base64(pseudo_random_bytes(1 << 20)),
        ),
        case("array.empty", Value::Array(Vec::new())),
        // Each kind of item apart, so that a peer's trouble with one
        // (dates, base64) does not hide how it reads the others.
        case(
            "array.mixed-scalars",
            Value::Array(vec![
                Value::Int(1),
                s("two"),
                Value::Double(3.5),
                Value::Bool(true),
            ]),
        ),
        case(
            "array.with-datetime",
            Value::Array(vec![Value::Int(1), date(2026, 11, 30, 12, 0, 0)]),
        ),
        case(
            "array.with-base64",
            Value::Array(vec![Value::Int(1), Value::Base64(b"bytes".to_vec())]),
        ),
        case(
            "array.nested",
            Value::Array(vec![
                Value::Array(Vec::new()),
                Value::Array(vec![
                    Value::Int(1),
                    Value::Array(vec![
                        Value::Int(2),
                        Value::Array(vec![Value::Int(3), Value::Array(Vec::new())]),
                    ]),
                ]),
            ]),
        ),
        case("struct.empty", Value::Struct(Struct::new())),
        case(
            "struct.simple",
            members(vec![
                ("name", s("Ada")),
                ("age", Value::Int(36)),
                ("ok", Value::Bool(true)),
            ]),
        ),
        case(
            "struct.nested",
            members(vec![(
                "outer",
                members(vec![(
                    "inner",
                    Value::Array(vec![
                        Value::Int(1),
                        members(vec![("deep", Value::Bool(false))]),
                    ]),
                )]),
            )]),
        ),
        case(
            "struct.unicode-names",
            members(vec![
                ("ключ", Value::Int(1)),
                ("名前", s("value")),
                ("crab 🦀", Value::Bool(true)),
            ]),
        ),
        case(
            "struct.escaped-name",
            members(vec![("a<b>&c", Value::Int(1))]),
        ),
        case("struct.empty-name", members(vec![("", Value::Int(2))])),
        case(
            "struct.array-of-structs",
            Value::Array(
                (0..3)
                    .map(|i| {
                        members(vec![
                            ("id", Value::Int(i)),
                            ("label", s(&format!("item {i}"))),
                        ])
                    })
                    .collect(),
            ),
        ),
        case("nil.alone", Value::Nil),
        case(
            "nil.in-array",
            Value::Array(vec![Value::Int(1), Value::Nil, s("x")]),
        ),
        case(
            "nil.in-struct",
            members(vec![("a", Value::Nil), ("b", Value::Int(2))]),
        ),
    ]
}

/// The case named `name`.
pub fn case(name: &str) -> Option<Case> {
    cases().into_iter().find(|c| c.name == name)
}

/// What the `fault` check expects back: `[code, string]`.
pub fn expected_fault() -> Value {
    Value::Array(vec![
        Value::Int(FAULT_CODE),
        Value::String(FAULT_STRING.to_owned()),
    ])
}

/// The calls of the `multicall` check, as `system.multicall` takes them:
/// `add(2, 3)`, `interop.fault(4, "in a multicall")` (`fault` on a peer
/// server) and `echo("x")`.
pub fn multicall_calls(fault_method: &str) -> Value {
    let call = |name: &str, params: Vec<Value>| {
        let mut call = Struct::new();
        call.insert("methodName", Value::String(name.into()));
        call.insert("params", Value::Array(params));
        Value::Struct(call)
    };
    Value::Array(vec![
        call("add", vec![Value::Int(2), Value::Int(3)]),
        call(
            fault_method,
            vec![
                Value::Int(FAULT_CODE),
                Value::String(MULTICALL_FAULT_STRING.into()),
            ],
        ),
        call("echo", vec![Value::String("x".into())]),
    ])
}

/// What `system.multicall` answers to [`multicall_calls`].
pub fn expected_multicall() -> Value {
    let mut fault = Struct::new();
    fault.insert("faultCode", Value::Int(FAULT_CODE));
    fault.insert("faultString", Value::String(MULTICALL_FAULT_STRING.into()));
    Value::Array(vec![
        Value::Array(vec![Value::Int(5)]),
        Value::Struct(fault),
        Value::Array(vec![Value::String("x".into())]),
    ])
}

/// `None` when `got` is `expected` exactly (same types, same bits of
/// every double, same member order ignored), else a one-line description
/// of the first difference and where it is.
///
/// ```
/// use xmlrpc_kit::Value;
/// use xmlrpc_kit_test_support::interop::difference;
/// assert_eq!(difference(&Value::Int(1), &Value::Int(1)), None);
/// assert_eq!(
///     difference(&Value::Double(-0.0), &Value::Double(0.0)).unwrap(),
///     "expected double -0.0, got double 0.0"
/// );
/// assert_eq!(
///     difference(&Value::Array(vec![Value::I8(5)]), &Value::Array(vec![Value::Int(5)])).unwrap(),
///     "at [0]: expected i8 5, got int 5"
/// );
/// ```
pub fn difference(expected: &Value, got: &Value) -> Option<String> {
    let mut path = String::new();
    let found = first_difference(expected, got, &mut path)?;
    Some(if path.is_empty() {
        found
    } else {
        format!("at {path}: {found}")
    })
}

fn first_difference(expected: &Value, got: &Value, path: &mut String) -> Option<String> {
    let mismatch = || {
        Some(format!(
            "expected {}, got {}",
            describe(expected),
            describe(got)
        ))
    };
    match (expected, got) {
        (Value::Double(a), Value::Double(b)) if a.to_bits() != b.to_bits() => mismatch(),
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return mismatch();
            }
            for (i, (a, b)) in a.iter().zip(b).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                if let Some(found) = first_difference(a, b, path) {
                    return Some(found);
                }
                path.truncate(len);
            }
            None
        }
        (Value::Struct(a), Value::Struct(b)) => {
            for (name, a) in a {
                let len = path.len();
                path.push_str(&format!(".{name:?}"));
                let Some(b) = b.get(name) else {
                    return Some(format!("member missing from {}", describe(got)));
                };
                if let Some(found) = first_difference(a, b, path) {
                    return Some(found);
                }
                path.truncate(len);
            }
            let extra: Vec<&str> = b
                .iter()
                .filter(|(name, _)| !a.contains_key(name))
                .map(|(name, _)| name)
                .collect();
            (!extra.is_empty()).then(|| format!("unexpected members {extra:?}"))
        }
        (a, b) if std::mem::discriminant(a) != std::mem::discriminant(b) || a != b => mismatch(),
        _ => None,
    }
}

/// A short description of a value: its type and, cut to a readable
/// length, what it holds.
pub fn describe(value: &Value) -> String {
    const SHOWN: usize = 60;
    match value {
        Value::Int(i) => format!("int {i}"),
        Value::I8(i) => format!("i8 {i}"),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Double(d) => format!("double {d:?}"),
        Value::String(s) if s.chars().count() > SHOWN => format!(
            "string of {} characters starting {:?}",
            s.chars().count(),
            s.chars().take(SHOWN).collect::<String>()
        ),
        Value::String(s) => format!("string {s:?}"),
        Value::DateTime(d) => format!("dateTime.iso8601 {d}"),
        Value::Base64(b) if b.len() > 16 => format!("base64 of {} bytes", b.len()),
        Value::Base64(b) => format!("base64 {b:?}"),
        Value::Array(a) => format!("array of {}", a.len()),
        Value::Struct(s) => format!(
            "struct {{{}}}",
            s.iter()
                .map(|(k, _)| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Nil => "nil".to_owned(),
    }
}

fn date(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Value {
    Value::DateTime(DateTime::new(year, month, day, hour, minute, second).expect("a valid date"))
}

/// `len` bytes of a fixed xorshift sequence: every byte value, no pattern
/// a codec could shortcut, the same on every run.
fn pseudo_random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_the_path_and_both_values() {
        let expected = case("struct.nested").unwrap().value;
        let mut got = expected.clone();
        if let Value::Struct(outer) = &mut got {
            if let Some(Value::Struct(inner)) = outer.get_mut("outer") {
                inner.insert("inner", Value::Array(vec![Value::Int(1)]));
            }
        }
        assert_eq!(
            difference(&expected, &got).unwrap(),
            "at .\"outer\".\"inner\": expected array of 2, got array of 1"
        );
        assert_eq!(difference(&expected, &expected.clone()), None);
    }

    #[test]
    fn members_are_compared_by_name_not_place() {
        let a = Value::Struct(
            [
                ("a".to_owned(), Value::Int(1)),
                ("b".to_owned(), Value::Int(2)),
            ]
            .into(),
        );
        let b = Value::Struct(
            [
                ("b".to_owned(), Value::Int(2)),
                ("a".to_owned(), Value::Int(1)),
            ]
            .into(),
        );
        assert_eq!(difference(&a, &b), None);
        let c = Value::Struct([("a".to_owned(), Value::Int(1))].into());
        assert_eq!(
            difference(&a, &c).unwrap(),
            "at .\"b\": member missing from struct {\"a\"}"
        );
        assert_eq!(difference(&c, &a).unwrap(), "unexpected members [\"b\"]");
    }

    #[test]
    fn a_changed_type_is_a_difference_even_when_the_number_is_the_same() {
        assert_eq!(
            difference(&Value::Double(2.0), &Value::Int(2)).unwrap(),
            "expected double 2.0, got int 2"
        );
        assert_eq!(
            difference(&Value::Nil, &Value::String(String::new())).unwrap(),
            "expected nil, got string \"\""
        );
    }

    #[test]
    fn the_megabyte_is_every_byte_and_the_same_each_time() {
        let bytes = pseudo_random_bytes(1 << 20);
        assert_eq!(bytes, pseudo_random_bytes(1 << 20));
        let mut seen = [false; 256];
        bytes.iter().for_each(|&b| seen[usize::from(b)] = true);
        assert!(seen.iter().all(|&s| s));
    }
}
