//! JSON-RPC's reading and writing: one line per case, and every value
//! through JSON and back.

use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::{DateTime, DocumentLimits, Fault, Struct, Value};

/// What a body reads as: `Ok(calls)` (a single request is a batch of one
/// here; each call as "method/params count/id" or its error's code), or the
/// whole body's error code.
fn read(body: &str, limits: &DocumentLimits, max_batch: usize) -> Result<Vec<String>, i32> {
    let show = |call: &Result<Call, ErrorObject>| match call {
        Ok(call) => {
            let params = match &call.params {
                Params::None => "-".to_owned(),
                Params::Positional(values) => values.len().to_string(),
                Params::Named(members) => format!("{{{}}}", members.len()),
            };
            let id = call.id.as_ref().map_or("notification", Id::as_json);
            format!("{}/{params}/{id}", call.method)
        }
        Err(error) => error.code.to_string(),
    };
    match decode_request(body.as_bytes(), limits, max_batch) {
        Ok(Incoming::Single(call)) => Ok(vec![show(&call)]),
        Ok(Incoming::Batch(calls)) => Ok(calls.iter().map(show).collect()),
        Err(error) => Err(error.code),
    }
}

#[test]
fn requests_read_as_the_specification_says() {
    let d = DocumentLimits::default();
    let cases: &[(&str, Result<&[&str], i32>)] = &[
        (
            r#"{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}"#,
            Ok(&["subtract/2/1"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":23,"minuend":42},"id":3}"#,
            Ok(&["subtract/{2}/3"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"update","params":[1,2,3,4,5]}"#,
            Ok(&["update/5/notification"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"foobar","id":"1"}"#,
            Ok(&["foobar/-/\"1\""]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"foobar","id":null}"#,
            Ok(&["foobar/-/null"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"f","id":-1.5e3}"#,
            Ok(&["f/-/-1.5e3"]),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
            Err(-32700),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
            Ok(&["-32600"]),
        ),
        (
            r#"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]"#,
            Err(-32700),
        ),
        ("[]", Err(-32600)),
        ("[1]", Ok(&["-32600"])),
        ("[1,2,3]", Ok(&["-32600", "-32600", "-32600"])),
        (
            r#"[{"foo":"boo"},{"jsonrpc":"2.0","method":"get_data","id":"9"}]"#,
            Ok(&["-32600", "get_data/-/\"9\""]),
        ),
        (
            r#"[[{"jsonrpc":"2.0","method":"a","id":1}]]"#,
            Ok(&["-32600"]),
        ),
        ("\"2.0\"", Ok(&["-32600"])),
        ("null", Ok(&["-32600"])),
        ("", Err(-32700)),
        (r#"{"jsonrpc":"2.0","method":"a","id":1} x"#, Err(-32700)),
        // Not 2.0, a bad id, params neither array nor object, an unknown member.
        (r#"{"jsonrpc":"1.0","method":"a","id":1}"#, Ok(&["-32600"])),
        (r#"{"method":"a","id":1}"#, Ok(&["-32600"])),
        (
            r#"{"jsonrpc":"2.0","method":"a","id":[1]}"#,
            Ok(&["-32600"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"a","id":true}"#,
            Ok(&["-32600"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"a","params":3,"id":1}"#,
            Ok(&["-32600"]),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"a","params":[],"id":1,"extra":0}"#,
            Ok(&["-32600"]),
        ),
        // Duplicate keys: in the request, and in a parameter.
        (
            r#"{"jsonrpc":"2.0","method":"a","method":"b","id":1}"#,
            Err(-32600),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"a","params":[{"x":1,"x":2}],"id":1}"#,
            Err(-32600),
        ),
        // Numbers past f64, lone surrogates: not JSON.
        (
            r#"{"jsonrpc":"2.0","method":"a","params":[1e400],"id":1}"#,
            Err(-32700),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"a","params":["\ud800"],"id":1}"#,
            Err(-32700),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"a","params":["\udc00x"],"id":1}"#,
            Err(-32700),
        ),
    ];
    for (body, expected) in cases {
        let got = read(body, &d, 1000);
        let expected = expected.map(|calls| calls.iter().map(|c| (*c).to_owned()).collect());
        assert_eq!(got, expected, "{body}");
    }
}

#[test]
fn limits_bound_what_a_body_costs() {
    let d = DocumentLimits::default();
    let call = r#"{"jsonrpc":"2.0","method":"a","id":1}"#;
    let batch = |n: usize| format!("[{}]", vec![call; n].join(","));
    assert_eq!(read(&batch(3), &d, 3).map(|c| c.len()), Ok(3));
    assert_eq!(read(&batch(4), &d, 3), Err(-32600));
    // A batch of 100,000 stops at the limit.
    assert_eq!(read(&batch(100_000), &d, 1000), Err(-32600));
    let deep = |n: usize| {
        format!(
            r#"{{"jsonrpc":"2.0","method":"a","params":[{}{}],"id":1}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let shallow = DocumentLimits::default().max_depth(4);
    assert_eq!(read(&deep(4), &shallow, 10), Ok(vec!["a/1/1".to_owned()]));
    assert_eq!(read(&deep(5), &shallow, 10), Err(-32600));
    // Deeper than serde_json's own limit (128) is refused too.
    assert!(read(&deep(10_000), &d, 10).is_err());
    let small = DocumentLimits::default()
        .max_string_bytes(4)
        .max_items(2)
        .max_params(2)
        .max_method_name_bytes(3);
    let with =
        |params: &str| format!(r#"{{"jsonrpc":"2.0","method":"a","params":{params},"id":1}}"#);
    assert_eq!(
        read(&with(r#"["abcd"]"#), &small, 10),
        Ok(vec!["a/1/1".to_owned()])
    );
    assert_eq!(read(&with(r#"["abcde"]"#), &small, 10), Err(-32600));
    assert_eq!(
        read(&with("[[1,2]]"), &small, 10),
        Ok(vec!["a/1/1".to_owned()])
    );
    assert_eq!(read(&with("[[1,2,3]]"), &small, 10), Err(-32600));
    let two_params = DocumentLimits::default().max_params(2);
    assert_eq!(
        read(&with("[1,2,3]"), &two_params, 10),
        Ok(vec!["-32600".to_owned()])
    );
    assert_eq!(
        read(r#"{"jsonrpc":"2.0","method":"abcd","id":1}"#, &small, 10),
        Ok(vec!["-32600".to_owned()])
    );
}

#[test]
fn whole_body_errors_say_where() {
    let error = decode_request(
        b"{\"jsonrpc\":\n  \"2.0\",,}",
        &DocumentLimits::default(),
        10,
    )
    .unwrap_err();
    assert_eq!(error.code, codes::PARSE_ERROR);
    assert!(error.message.contains("line 2 column"), "{}", error.message);
    let error = decode_request(
        br#"{"jsonrpc":"2.0","method":"a","params":[{"x":1,"x":2}],"id":1}"#,
        &DocumentLimits::default(),
        10,
    )
    .unwrap_err();
    assert_eq!(error.code, codes::INVALID_REQUEST);
    assert!(
        error.message.contains("\"x\" appears twice"),
        "{}",
        error.message
    );
}

#[test]
fn each_type_has_one_json_form() {
    let date: DateTime = "20261208T10:00:00".parse().unwrap();
    let mut point = Struct::new();
    point.insert("x", Value::Int(1));
    point.insert("when", Value::DateTime(date));
    let cases = [
        (Value::Int(-5), "-5"),
        (Value::I8(1 << 40), "1099511627776"),
        (Value::Double(5.0), "5.0"),
        (Value::Double(0.25), "0.25"),
        (Value::Bool(true), "true"),
        (Value::String("a\"\u{1}é".into()), r#""a\"\u0001é""#),
        (Value::Nil, "null"),
        (Value::Base64(b"hi".to_vec()), r#"{"$base64":"aGk="}"#),
        (
            Value::Struct(point),
            r#"{"x":1,"when":{"$dateTime":"20261208T10:00:00"}}"#,
        ),
    ];
    for (value, json) in cases {
        assert_eq!(to_json(&value), json);
        assert_eq!(
            from_json(json.as_bytes(), &DocumentLimits::default()).unwrap(),
            value
        );
    }
    // Past i64: a double, as JavaScript reads it.
    assert_eq!(
        from_json(b"18446744073709551615", &DocumentLimits::default()).unwrap(),
        Value::Double(18_446_744_073_709_551_615.0)
    );
    for bad in [
        r#"{"$base64":"a"}"#,
        r#"{"$base64":"aGk=","x":1}"#,
        r#"{"$dateTime":"yesterday"}"#,
        r#"{"$base64":3}"#,
    ] {
        assert!(
            from_json(bad.as_bytes(), &DocumentLimits::default()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn answers_are_written_with_their_ids() {
    let id = |text: &str| decode_id(text);
    let answers = [
        Answer::of(Some(id("\"1\"")), Ok(Value::Int(7))),
        Answer::of(
            Some(id("-1.5e3")),
            Err(Fault::new(-32601, "Method not found")),
        ),
        Answer::from(ErrorObject::new(codes::INVALID_REQUEST, "Invalid Request")),
    ];
    let body = String::from_utf8(encode_answers(&answers, true, 1 << 20).unwrap()).unwrap();
    assert_eq!(
        body,
        r#"[{"jsonrpc":"2.0","result":7,"id":"1"},{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":-1.5e3},{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}]"#
    );
    assert_eq!(encode_answers(&[], true, 1 << 20), Ok(Vec::new()));
    let long = Answer::of(Some(Id::number(1)), Ok(Value::String("x".repeat(100))));
    assert_eq!(
        encode_answers(std::slice::from_ref(&long), false, 100),
        Err(100)
    );
    assert!(encode_answers(&[long], false, 200).is_ok());
}

/// The id a request with `text` as its id is read with.
fn decode_id(text: &str) -> Id {
    let body = format!(r#"{{"jsonrpc":"2.0","method":"a","id":{text}}}"#);
    match decode_request(body.as_bytes(), &DocumentLimits::default(), 1).unwrap() {
        Incoming::Single(Ok(call)) => call.id.unwrap(),
        other => panic!("{other:?}"),
    }
}

/// What a value is once it has been through JSON: the same but for
/// integer widths (an i8 within 32 bits comes back an int). The test
/// support crate's `through_json`, for this crate's own `Value` (unit tests
/// see the codec as `crate`, the support crate as another crate).
fn through_json(value: Value) -> Value {
    match value {
        Value::I8(i) => i32::try_from(i).map_or(Value::I8(i), Value::Int),
        Value::Array(items) => Value::Array(items.into_iter().map(through_json).collect()),
        Value::Struct(members) => Value::Struct(
            members
                .into_iter()
                .map(|(name, value)| (name, through_json(value)))
                .collect(),
        ),
        other => other,
    }
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        any::<String>().prop_map(Value::String),
        any::<f64>()
            .prop_filter("finite", |d| d.is_finite())
            .prop_map(Value::Double),
        (0u16..=9999, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60).prop_map(
            |(y, mo, d, h, mi, s)| Value::DateTime(DateTime::new(y, mo, d, h, mi, s).unwrap())
        ),
        vec(any::<u8>(), 0..40).prop_map(Value::Base64),
        Just(Value::Nil),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            // Names starting with `$` could spell a tag; distinct names.
            proptest::collection::btree_map("[a-z]{0,6}", inner, 0..8)
                .prop_map(|members| { Value::Struct(members.into_iter().collect::<Struct>()) }),
        ]
    })
}

proptest! {
    #[test]
    fn every_value_goes_through_json_and_back(value in value()) {
        let json = to_json(&value);
        let back = from_json(json.as_bytes(), &DocumentLimits::default()).unwrap();
        prop_assert_eq!(back, through_json(value));
    }

    #[test]
    fn no_body_panics(body in vec(any::<u8>(), 0..200)) {
        let _ = decode_request(&body, &DocumentLimits::default(), 10);
    }
}
