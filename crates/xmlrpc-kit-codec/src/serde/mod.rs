//! serde, both ways (the `serde` feature): any `Serialize` type to a
//! [`Value`] and any `Deserialize` type from one, so your own types are
//! handler parameters and results and client arguments and results
//! through [`Serde`].
//!
//! | Rust (serde) | XML-RPC |
//! | --- | --- |
//! | `bool` | `<boolean>` |
//! | `i8`…`i32`, `u8`, `u16`, and `i64`, `u32`, `u64`, `i128`, `u128` that fit 32 bits | `<int>` |
//! | other 64-bit integers | `<i8>` (beyond 64 bits: an error) |
//! | `f32`, `f64` | `<double>` |
//! | `char`, `String`, `&str`, unit enum variants | `<string>` |
//! | bytes (`serde_bytes`) | `<base64>` |
//! | [`DateTime`](crate::DateTime) | `<dateTime.iso8601>` |
//! | chrono, time and jiff date-times, with `#[serde(with = "xmlrpc_kit::serde::date_time")]` | `<dateTime.iso8601>` (without it, their own serde form: a `<string>`) |
//! | `None`, `()`, unit structs | `<nil/>` (an encode error where nil is off) |
//! | `Some(x)`, newtype structs | `x` |
//! | sequences, tuples, tuple structs | `<array>` |
//! | structs, maps with string keys | `<struct>` (members in order) |
//! | other enum variants | a one-member `<struct>`: `{variant: value}` |
//!
//! ```
//! use xmlrpc_kit::serde::{Serde, from_value, to_value};
//! use xmlrpc_kit::Value;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Point { x: i32, y: i32, label: Option<String> }
//!
//! let value = to_value(&Point { x: 1, y: 2, label: None }).unwrap();
//! let back: Point = from_value(value).unwrap();
//! assert_eq!(back, Point { x: 1, y: 2, label: None });
//!
//! // As a handler's parameter and result.
//! let mut methods = xmlrpc_kit::Methods::new();
//! methods.register_function("mirror", |Serde(p): Serde<Point>| Serde(Point { x: p.y, y: p.x, ..p }));
//! ```

pub mod date_time;
mod de;
mod ser;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::de::DeserializeOwned;
use serde::ser::Serialize;

pub use self::de::{NameDeserializer, from_value};
pub use self::ser::to_value;
use crate::{ConvertError, FromValue, IntoValue, Value};

/// Why a value could not be serialized or deserialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The name under which [`DateTime`](crate::DateTime) passes through serde, so that this
/// module's serializer and deserializer keep it a `<dateTime.iso8601>`
/// (other formats see its text).
const DATETIME: &str = "$xmlrpc_kit::DateTime";

/// The name under which [`Value`] asks to be deserialized, so that this
/// module's deserializer can hand it a [`DateTime`](crate::DateTime) as one (other formats
/// see a plain newtype).
const VALUE: &str = "$xmlrpc_kit::Value";

/// Your own serde type as a handler's parameter or result, or a client's
/// argument or result: `|Serde(order): Serde<Order>| …`,
/// `client.call::<Serde<Receipt>>("buy", (Serde(order),))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Serde<T>(pub T);

impl<T: DeserializeOwned> FromValue for Serde<T> {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        from_value(value).map(Serde).map_err(|e| ConvertError {
            expected: std::any::type_name::<T>(),
            found: e.0,
        })
    }

    /// Serde types are named `struct` in signatures (override with
    /// `.signatures(…)` for other shapes).
    fn type_name() -> &'static str {
        "struct"
    }
}

impl<T: Serialize> IntoValue for Serde<T> {
    fn into_value(self) -> Value {
        // A value serde cannot represent (a map with non-string keys, an
        // integer past 64 bits) is a programming error; it is sent as a
        // string saying so rather than dropped.
        to_value(&self.0).unwrap_or_else(|e| Value::String(format!("unserializable value: {e}")))
    }

    fn type_name() -> &'static str {
        "struct"
    }
}

/// An integer as XML-RPC's narrowest type that holds it: `<int>` when it
/// fits 32 bits, `<i8>` otherwise.
fn int_or_i8(i: i64) -> Value {
    i32::try_from(i).map_or(Value::I8(i), Value::Int)
}

/// An integer of any width as [`int_or_i8`] has it; past 64 bits, the
/// message saying so.
fn narrowest_int<N: TryInto<i64> + fmt::Display + Copy>(n: N) -> Result<Value, String> {
    n.try_into()
        .map(int_or_i8)
        .map_err(|_| format!("{n} does not fit in 64 bits"))
}
