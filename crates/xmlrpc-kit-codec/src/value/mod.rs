//! The XML-RPC data model: [`Value`], and in [`structs`] the members of
//! its `<struct>` (a part of the value, as the value is of its members).

pub mod structs;

use self::structs::Struct;
use crate::DateTime;

/// One XML-RPC value (32 bytes: four words).
#[derive(Debug, Clone, PartialEq)]
// The tag takes a whole word, so every payload starts at the second: a
// value moves as four aligned words (with a one-byte tag, the bytes
// after it were copied with unaligned loads that waited on the narrower
// stores that wrote them).
#[repr(u64)]
pub enum Value {
    /// `<int>` / `<i4>` (also `<i1>`, `<i2>` on input).
    Int(i32),
    /// `<i8>`, the common 64-bit extension (also `<ex:i8>` on input).
    I8(i64),
    /// `<boolean>`.
    Bool(bool),
    /// `<string>`, or bare text inside `<value>`.
    String(String),
    /// `<double>`; always finite.
    Double(f64),
    /// `<dateTime.iso8601>`.
    DateTime(DateTime),
    /// `<base64>`, decoded.
    Base64(Vec<u8>),
    /// `<array>`.
    Array(Vec<Value>),
    /// `<struct>`, member order kept.
    Struct(Struct),
    /// `<nil/>` (also `<ex:nil/>` on input); written only when `allow_none` is on.
    Nil,
}

impl Value {
    /// The XML-RPC type name of this value, as `system.methodSignature` spells it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::I8(_) => "i8",
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            Value::Double(_) => "double",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Base64(_) => "base64",
            Value::Array(_) => "array",
            Value::Struct(_) => "struct",
            Value::Nil => "nil",
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a 64-bit integer, if it is an `int` or `i8`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i64::from(i)),
            Value::I8(i) => Some(i),
            _ => None,
        }
    }

    /// The array's items, if it is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The struct's members, if it is a struct.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }
}
