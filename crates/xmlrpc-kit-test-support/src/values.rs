//! Values for tests: one of each XML-RPC type, at its edges and nested,
//! and the exact comparisons round-trip checks need.

use xmlrpc_kit::{Struct, Value};

/// One of each XML-RPC type, nested too.
pub fn every_type() -> Vec<Value> {
    let mut inner = Struct::new();
    inner.insert("x", Value::Int(1));
    inner.insert("clé €", Value::String("日本".into()));
    let mut outer = Struct::new();
    outer.insert("z first", Value::Bool(false));
    outer.insert("a second", Value::Struct(inner));
    outer.insert(
        "list",
        Value::Array(vec![Value::Double(-0.25), Value::Array(vec![])]),
    );
    outer.insert("empty", Value::Struct(Struct::new()));
    vec![
        Value::Int(0),
        Value::Int(i32::MIN),
        Value::Int(i32::MAX),
        Value::I8(7),
        Value::Bool(true),
        Value::Bool(false),
        Value::String(String::new()),
        Value::String("plain".into()),
        Value::String("<&> \"quotes\" 'single' ]]> tab\there\nnewline".into()),
        Value::String("é € 日本 😀".into()),
        Value::Double(0.5),
        Value::Double(-1.0e300),
        Value::Double(3.0),
        Value::DateTime("20260125T09:30:00".parse().unwrap()),
        Value::Base64(vec![]),
        Value::Base64((0..=255).collect()),
        Value::Array(vec![]),
        Value::Array(vec![Value::Int(1), Value::String("two".into()), Value::Nil]),
        Value::Struct(Struct::new()),
        Value::Struct(outer),
        Value::Nil,
    ]
}

/// Whether two values are the same, doubles compared bit for bit (so
/// `-0.0` must come back as `-0.0`) and struct members in order.
pub fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| identical(x, y))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && identical(vx, vy))
        }
        _ => a == b,
    }
}

/// Whether `value` holds a nil anywhere.
pub fn holds_nil(value: &Value) -> bool {
    match value {
        Value::Nil => true,
        Value::Array(items) => items.iter().any(holds_nil),
        Value::Struct(members) => members.values().any(holds_nil),
        _ => false,
    }
}

/// Whether a string or member name in `value` holds a character XML 1.0
/// cannot carry (which the encoder refuses and the decoder never yields).
pub fn holds_non_xml_char(value: &Value) -> bool {
    let bad = |s: &str| xmlrpc_kit::xml_chars::first_forbidden(s).is_some();
    match value {
        Value::String(s) => bad(s),
        Value::Array(items) => items.iter().any(holds_non_xml_char),
        Value::Struct(members) => members
            .iter()
            .any(|(name, v)| bad(name) || holds_non_xml_char(v)),
        _ => false,
    }
}

/// What `value` is once it has been through JSON-RPC's JSON form: the
/// same, but an i8 within 32 bits comes back an int.
pub fn through_json(value: Value) -> Value {
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
