//! Conversions between [`Value`] and Rust types.
//!
//! Handler parameters convert with [`FromValue`], results with
//! [`IntoValue`]; both name the XML-RPC type, so method signatures can be
//! derived from a function's Rust types.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use crate::{DateTime, Struct, Value};

/// A value did not have the type a Rust parameter needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    /// The XML-RPC type that was expected.
    pub expected: &'static str,
    /// What was found instead (a type name, or a description such as "int 300").
    pub found: String,
}

impl ConvertError {
    /// A mismatch between `expected` and the type of `found`.
    pub fn mismatch(expected: &'static str, found: &Value) -> Self {
        ConvertError {
            expected,
            found: found.type_name().to_owned(),
        }
    }
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.found)
    }
}

impl std::error::Error for ConvertError {}

/// A Rust type that can be read from an XML-RPC value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an XML-RPC parameter",
    label = "this type does not implement `FromValue`",
    note = "parameters may be integers, f64, bool, String, DateTime (or chrono, time and jiff date-times), Binary, Vec<T>, maps with String keys, Option<T>, or Value"
)]
pub trait FromValue: Sized {
    /// The XML-RPC type name, as `system.methodSignature` shows it.
    fn type_name() -> &'static str;
    /// Reads the value.
    fn from_value(value: Value) -> Result<Self, ConvertError>;
}

/// A Rust type that can be written as an XML-RPC value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an XML-RPC result",
    label = "this type does not implement `IntoValue`",
    note = "results may be integers, f64, bool, String, &str, DateTime (or chrono, time and jiff date-times), Binary, Vec<T>, maps with String keys, Option<T>, (), or Value"
)]
pub trait IntoValue {
    /// The XML-RPC type name, as `system.methodSignature` shows it.
    fn type_name() -> &'static str
    where
        Self: Sized;
    /// Writes the value.
    fn into_value(self) -> Value;
}

impl FromValue for Value {
    fn type_name() -> &'static str {
        "any"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        Ok(value)
    }
}

impl IntoValue for Value {
    fn type_name() -> &'static str {
        "any"
    }
    fn into_value(self) -> Value {
        self
    }
}

macro_rules! integer {
    ($($t:ty => $name:literal),*) => {$(
        impl FromValue for $t {
            fn type_name() -> &'static str { $name }
            fn from_value(value: Value) -> Result<Self, ConvertError> {
                let wide = match value {
                    Value::Int(i) => i64::from(i),
                    Value::I8(i) => i,
                    ref other => return Err(ConvertError::mismatch($name, other)),
                };
                <$t>::try_from(wide).map_err(|_| ConvertError {
                    expected: concat!($name, " in the range of ", stringify!($t)),
                    found: wide.to_string(),
                })
            }
        }
        impl IntoValue for $t {
            fn type_name() -> &'static str { $name }
            #[allow(irrefutable_let_patterns, clippy::unnecessary_fallible_conversions)]
            fn into_value(self) -> Value {
                if let Ok(small) = i32::try_from(self) {
                    Value::Int(small)
                } else if let Ok(wide) = i64::try_from(self) {
                    Value::I8(wide)
                } else {
                    // u64 / usize beyond i64: XML-RPC has no wider integer.
                    Value::Double(self as f64)
                }
            }
        }
    )*};
}

integer!(i8 => "int", i16 => "int", i32 => "int", u8 => "int", u16 => "int",
         u32 => "i8", i64 => "i8", u64 => "i8", isize => "i8", usize => "i8");

impl FromValue for f64 {
    fn type_name() -> &'static str {
        "double"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Double(d) => Ok(d),
            Value::Int(i) => Ok(f64::from(i)),
            Value::I8(i) if i.unsigned_abs() <= 1 << 53 => Ok(i as f64),
            other => Err(ConvertError::mismatch("double", &other)),
        }
    }
}

impl IntoValue for f64 {
    fn type_name() -> &'static str {
        "double"
    }
    fn into_value(self) -> Value {
        Value::Double(self)
    }
}

impl FromValue for f32 {
    fn type_name() -> &'static str {
        "double"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        f64::from_value(value).map(|d| d as f32)
    }
}

impl IntoValue for f32 {
    fn type_name() -> &'static str {
        "double"
    }
    fn into_value(self) -> Value {
        Value::Double(f64::from(self))
    }
}

macro_rules! simple {
    ($t:ty, $name:literal, $variant:ident) => {
        impl FromValue for $t {
            fn type_name() -> &'static str {
                $name
            }
            fn from_value(value: Value) -> Result<Self, ConvertError> {
                match value {
                    Value::$variant(v) => Ok(v),
                    other => Err(ConvertError::mismatch($name, &other)),
                }
            }
        }
        impl IntoValue for $t {
            fn type_name() -> &'static str {
                $name
            }
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
    };
}

simple!(bool, "boolean", Bool);
simple!(String, "string", String);
simple!(DateTime, "dateTime.iso8601", DateTime);
simple!(Struct, "struct", Struct);

impl IntoValue for &str {
    fn type_name() -> &'static str {
        "string"
    }
    fn into_value(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoValue for () {
    fn type_name() -> &'static str {
        "nil"
    }
    fn into_value(self) -> Value {
        Value::Nil
    }
}

/// What a handler may return: any [`IntoValue`], or a `Result` of one
/// whose error converts into a [`Fault`](crate::Fault).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from an XML-RPC handler",
    note = "return a type that implements `IntoValue`, or `Result<T, E>` where `T: IntoValue` and `E: Into<Fault>`"
)]
pub trait IntoResponse {
    /// The XML-RPC type name of the result, as `system.methodSignature` shows it.
    fn type_name() -> &'static str;
    /// The result value, or the fault to answer with.
    fn into_response(self) -> Result<Value, crate::Fault>;
}

impl<T: IntoValue> IntoResponse for T {
    fn type_name() -> &'static str {
        <T as IntoValue>::type_name()
    }
    fn into_response(self) -> Result<Value, crate::Fault> {
        Ok(self.into_value())
    }
}

impl<T: IntoValue, E: Into<crate::Fault>> IntoResponse for Result<T, E> {
    fn type_name() -> &'static str {
        <T as IntoValue>::type_name()
    }
    fn into_response(self) -> Result<Value, crate::Fault> {
        self.map(T::into_value).map_err(Into::into)
    }
}

/// Bytes that travel as `<base64>` (a plain `Vec<u8>` is an array of ints).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl FromValue for Binary {
    fn type_name() -> &'static str {
        "base64"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Base64(b) => Ok(Binary(b)),
            other => Err(ConvertError::mismatch("base64", &other)),
        }
    }
}

impl IntoValue for Binary {
    fn type_name() -> &'static str {
        "base64"
    }
    fn into_value(self) -> Value {
        Value::Base64(self.0)
    }
}

impl IntoValue for &[u8] {
    fn type_name() -> &'static str {
        "base64"
    }
    fn into_value(self) -> Value {
        Value::Base64(self.to_vec())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn into_value(self) -> Value {
        self.map_or(Value::Nil, T::into_value)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn type_name() -> &'static str {
        "array"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    T::from_value(item).map_err(|e| ConvertError {
                        expected: e.expected,
                        found: format!("{} at array item {}", e.found, i + 1),
                    })
                })
                .collect(),
            other => Err(ConvertError::mismatch("array", &other)),
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn type_name() -> &'static str {
        "array"
    }
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(T::into_value).collect())
    }
}

fn members<T: FromValue>(value: Value) -> impl Iterator<Item = Result<(String, T), ConvertError>> {
    let members = match value {
        Value::Struct(m) => Ok(m),
        other => Err(ConvertError::mismatch("struct", &other)),
    };
    let (ok, err) = match members {
        Ok(m) => (Some(m.into_iter()), None),
        Err(e) => (None, Some(Err(e))),
    };
    err.into_iter().chain(
        ok.into_iter()
            .flatten()
            .map(|(name, v)| match T::from_value(v) {
                Ok(t) => Ok((name.into_string(), t)),
                Err(e) => Err(ConvertError {
                    expected: e.expected,
                    found: format!("{} at struct member \"{name}\"", e.found),
                }),
            }),
    )
}

impl<T: FromValue, S: BuildHasher + Default> FromValue for HashMap<String, T, S> {
    fn type_name() -> &'static str {
        "struct"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        members(value).collect()
    }
}

impl<T: IntoValue, S> IntoValue for HashMap<String, T, S> {
    fn type_name() -> &'static str {
        "struct"
    }
    fn into_value(self) -> Value {
        Value::Struct(self.into_iter().map(|(k, v)| (k, v.into_value())).collect())
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn type_name() -> &'static str {
        "struct"
    }
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        members(value).collect()
    }
}

impl<T: IntoValue> IntoValue for BTreeMap<String, T> {
    fn type_name() -> &'static str {
        "struct"
    }
    fn into_value(self) -> Value {
        Value::Struct(self.into_iter().map(|(k, v)| (k, v.into_value())).collect())
    }
}

/// A list of call parameters built from Rust values: tuples of up to 12
/// [`IntoValue`] items, `()`, or a `Vec<Value>`.
///
/// ```
/// use xmlrpc_kit::{IntoParams, Value};
/// assert_eq!((2, "x").into_params(), vec![Value::Int(2), Value::String("x".into())]);
/// ```
pub trait IntoParams {
    /// The parameters, in order.
    fn into_params(self) -> Vec<Value>;
}

impl IntoParams for Vec<Value> {
    fn into_params(self) -> Vec<Value> {
        self
    }
}

impl IntoParams for () {
    fn into_params(self) -> Vec<Value> {
        Vec::new()
    }
}

macro_rules! tuple_params {
    ($($t:ident),+) => {
        impl<$($t: IntoValue),+> IntoParams for ($($t,)+) {
            #[allow(non_snake_case)]
            fn into_params(self) -> Vec<Value> {
                let ($($t,)+) = self;
                vec![$($t.into_value()),+]
            }
        }
    };
}

/// Invokes `$m!(A1)`, `$m!(A1, A2)`, … up to twelve: the arities of
/// parameter tuples and of handlers, written once.
#[doc(hidden)]
#[macro_export]
macro_rules! __for_each_arity {
    ($m:ident) => {
        $m!(A1);
        $m!(A1, A2);
        $m!(A1, A2, A3);
        $m!(A1, A2, A3, A4);
        $m!(A1, A2, A3, A4, A5);
        $m!(A1, A2, A3, A4, A5, A6);
        $m!(A1, A2, A3, A4, A5, A6, A7);
        $m!(A1, A2, A3, A4, A5, A6, A7, A8);
        $m!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
        $m!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
        $m!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
        $m!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
    };
}

__for_each_arity!(tuple_params);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_check_their_range() {
        assert_eq!(u8::from_value(Value::Int(255)), Ok(255));
        assert_eq!(
            u8::from_value(Value::Int(256)).unwrap_err().to_string(),
            "expected int in the range of u8, got 256"
        );
        assert_eq!(i64::from_value(Value::I8(1 << 40)), Ok(1 << 40));
        assert_eq!((1i64 << 40).into_value(), Value::I8(1 << 40));
        assert_eq!(7i64.into_value(), Value::Int(7));
        assert_eq!(
            i32::from_value(Value::String("7".into()))
                .unwrap_err()
                .to_string(),
            "expected int, got string"
        );
    }

    #[test]
    fn containers_say_where_an_item_failed() {
        let v = Value::Array(vec![Value::Int(1), Value::Bool(true)]);
        assert_eq!(
            Vec::<i32>::from_value(v).unwrap_err().to_string(),
            "expected int, got boolean at array item 2"
        );
        let mut s = Struct::new();
        s.insert("a", Value::Int(1));
        let map: BTreeMap<String, i32> = FromValue::from_value(Value::Struct(s)).unwrap();
        assert_eq!(map["a"], 1);
    }

    #[test]
    fn option_is_nil_and_binary_is_base64() {
        assert_eq!(Option::<i32>::from_value(Value::Nil), Ok(None));
        assert_eq!(None::<i32>.into_value(), Value::Nil);
        assert_eq!(Binary(vec![1]).into_value(), Value::Base64(vec![1]));
        assert_eq!(vec![1u8].into_value(), Value::Array(vec![Value::Int(1)]));
    }
}
