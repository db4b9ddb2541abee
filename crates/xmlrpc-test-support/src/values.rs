//! Values for tests: one of each XML-RPC type, at its edges and nested.

use xmlrpc::{Struct, Value};

/// One of each XML-RPC type, nested too.
pub fn every_type() -> Vec<Value> {
    let mut inner = Struct::new();
    inner.insert("x".into(), Value::Int(1));
    inner.insert("clé €".into(), Value::String("日本".into()));
    let mut outer = Struct::new();
    outer.insert("z first".into(), Value::Bool(false));
    outer.insert("a second".into(), Value::Struct(inner));
    outer.insert(
        "list".into(),
        Value::Array(vec![Value::Double(-0.25), Value::Array(vec![])]),
    );
    outer.insert("empty".into(), Value::Struct(Struct::new()));
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
