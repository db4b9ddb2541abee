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
//! | [`DateTime`] | `<dateTime.iso8601>` |
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

use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer as _, Visitor};
use serde::ser::{self, Serialize};

use crate::{ConvertError, DateTime, FromValue, IntoValue, MemberName, Struct, Value};

/// Why a value could not be serialized or deserialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The name under which [`DateTime`] passes through serde, so that this
/// module's serializer and deserializer keep it a `<dateTime.iso8601>`
/// (other formats see its text).
const DATETIME: &str = "$xmlrpc_kit::DateTime";

/// The name under which [`Value`] asks to be deserialized, so that this
/// module's deserializer can hand it a [`DateTime`] as one (other formats
/// see a plain newtype).
const VALUE: &str = "$xmlrpc_kit::Value";

/// `value` as an XML-RPC value.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(ValueSerializer)
}

/// A `T` read from `value`.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(value)
}

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

fn int_or_i8(i: i64) -> Value {
    i32::try_from(i).map_or(Value::I8(i), Value::Int)
}

/// Serializes into a [`Value`].
#[derive(Debug, Clone, Copy)]
struct ValueSerializer;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Array;
    type SerializeTuple = Array;
    type SerializeTupleStruct = Array;
    type SerializeTupleVariant = Variant<Array>;
    type SerializeMap = Members;
    type SerializeStruct = Members;
    type SerializeStructVariant = Variant<Members>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::Int(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(int_or_i8(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        i64::try_from(v)
            .map(int_or_i8)
            .map_err(|_| Error(format!("{v} does not fit in 64 bits")))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(int_or_i8(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        self.serialize_i128(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        i64::try_from(v)
            .map(int_or_i8)
            .map_err(|_| Error(format!("{v} does not fit in 64 bits")))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::Double(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::Double(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Base64(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, Error> {
        Ok(Value::Nil)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let inner = value.serialize(self)?;
        if name == DATETIME {
            if let Value::String(text) = &inner {
                return text
                    .parse()
                    .map(Value::DateTime)
                    .map_err(|e| Error(format!("{e}")));
            }
        }
        Ok(inner)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        let mut members = Struct::with_capacity(1);
        members.insert(variant.to_owned(), value.serialize(self)?);
        Ok(Value::Struct(members))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Array, Error> {
        Ok(Array(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Array, Error> {
        Ok(Array(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array, Error> {
        Ok(Array(Vec::with_capacity(len)))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Array>, Error> {
        Ok(Variant(variant, Array(Vec::with_capacity(len))))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Members, Error> {
        Ok(Members(Struct::with_capacity(len.unwrap_or(0)), None))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Members, Error> {
        Ok(Members(Struct::with_capacity(len), None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Members>, Error> {
        Ok(Variant(variant, Members(Struct::with_capacity(len), None)))
    }
}

/// An array being serialized.
struct Array(Vec<Value>);

impl Array {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
}

impl ser::SerializeSeq for Array {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Array(self.0))
    }
}

impl ser::SerializeTuple for Array {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Array(self.0))
    }
}

impl ser::SerializeTupleStruct for Array {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Array(self.0))
    }
}

/// A struct or map being serialized, with a map key waiting for its value.
struct Members(Struct, Option<String>);

/// Serializes a map key: strings only (XML-RPC member names).
struct KeySerializer;

impl Members {
    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Error> {
        self.0.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
}

impl ser::SerializeMap for Members {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        match key.serialize(ValueSerializer)? {
            Value::String(key) => {
                self.1 = Some(key);
                Ok(())
            }
            other => Err(Error(format!(
                "a struct member name must be a string, not {}",
                other.type_name()
            ))),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .1
            .take()
            .ok_or_else(|| Error("a map value without its key".into()))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        let _ = KeySerializer;
        Ok(Value::Struct(self.0))
    }
}

impl ser::SerializeStruct for Members {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.insert(key.to_owned(), value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Struct(self.0))
    }
}

/// An enum variant with fields: `{variant: fields}`.
struct Variant<T>(&'static str, T);

impl<T> Variant<T> {
    fn wrap(variant: &str, value: Value) -> Value {
        let mut members = Struct::with_capacity(1);
        members.insert(variant.to_owned(), value);
        Value::Struct(members)
    }
}

impl ser::SerializeTupleVariant for Variant<Array> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.1.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Self::wrap(self.0, Value::Array(self.1.0)))
    }
}

impl ser::SerializeStructVariant for Variant<Members> {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.1.insert(key.to_owned(), value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Self::wrap(self.0, Value::Struct(self.1.0)))
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Int(i) => visitor.visit_i32(i),
            Value::I8(i) => visitor.visit_i64(i),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Double(d) => visitor.visit_f64(d),
            Value::String(s) => visitor.visit_string(s),
            Value::DateTime(dt) => visitor.visit_string(dt.to_string()),
            Value::Base64(bytes) => visitor.visit_byte_buf(bytes),
            Value::Nil => visitor.visit_unit(),
            Value::Array(items) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(items.into_iter()))
            }
            Value::Struct(members) => {
                visitor.visit_map(de::value::MapDeserializer::new(members.into_iter()))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Nil => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == VALUE {
            return visitor.visit_newtype_struct(Raw(self));
        }
        if name == DATETIME {
            if let Value::DateTime(dt) = self {
                return visitor.visit_newtype_struct(dt.to_string().into_deserializer());
            }
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Struct(members) if members.len() == 1 => {
                let (variant, value) = members.into_iter().next().expect("one member");
                visitor.visit_enum(de::value::MapAccessDeserializer::new(
                    de::value::MapDeserializer::new(std::iter::once((variant, value))),
                ))
            }
            other => Err(Error(format!(
                "an enum is a string (a unit variant) or a one-member struct, not {}",
                other.type_name()
            ))),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Base64(bytes) => visitor.visit_byte_buf(bytes),
            Value::String(s) => visitor.visit_string(s),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// A value deserialized into a [`Value`]: a [`DateTime`] is handed over
/// as a one-member map under [`DATETIME`], which [`ValueVisitor`] turns
/// back into one.
struct Raw(Value);

impl<'de> de::Deserializer<'de> for Raw {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::DateTime(dt) => visitor.visit_map(de::value::MapDeserializer::new(
                std::iter::once((DATETIME, dt.to_string())),
            )),
            other => other.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de> de::IntoDeserializer<'de, Error> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

/// A struct member's name read as a map key, a field's name or an enum
/// variant: handed to the visitor as a `&str`, so a name held in place
/// is never copied into a `String`.
impl<'de> de::IntoDeserializer<'de, Error> for MemberName {
    type Deserializer = NameDeserializer;
    fn into_deserializer(self) -> NameDeserializer {
        NameDeserializer(self)
    }
}

/// The deserializer of a [`MemberName`] (a string).
#[derive(Debug)]
pub struct NameDeserializer(MemberName);

impl NameDeserializer {
    fn as_str(&self) -> de::value::StrDeserializer<'_, Error> {
        de::value::StrDeserializer::new(self.0.as_str())
    }
}

impl<'de> de::Deserializer<'de> for NameDeserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(self.0.as_str())
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.as_str().deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

impl Serialize for Value {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap as _, SerializeSeq as _};
        match self {
            Value::Int(i) => serializer.serialize_i32(*i),
            Value::I8(i) => serializer.serialize_i64(*i),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Double(d) => serializer.serialize_f64(*d),
            Value::String(s) => serializer.serialize_str(s),
            Value::DateTime(dt) => dt.serialize(serializer),
            Value::Base64(bytes) => serializer.serialize_bytes(bytes),
            Value::Nil => serializer.serialize_none(),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Struct(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_newtype_struct(VALUE, ValueVisitor)
    }
}

/// Builds a [`Value`] from any serde format.
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an XML-RPC value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i32<E>(self, v: i32) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(int_or_i8(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(int_or_i8)
            .map_err(|_| E::custom(format!("{v} does not fit in 64 bits")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Base64(v.to_vec()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Base64(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Struct::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Struct(members));
        };
        if first == DATETIME {
            let text: String = map.next_value()?;
            return text.parse().map(Value::DateTime).map_err(de::Error::custom);
        }
        members.insert(first, map.next_value()?);
        while let Some((name, value)) = map.next_entry::<String, Value>()? {
            members.insert(name, value);
        }
        Ok(Value::Struct(members))
    }
}

impl Serialize for DateTime {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(DATETIME, &self.to_string())
    }
}

impl<'de> de::Deserialize<'de> for DateTime {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an XML-RPC dateTime.iso8601 (20260125T09:30:00)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<DateTime, D::Error> {
                d.deserialize_str(self)
            }
        }
        deserializer.deserialize_newtype_struct(DATETIME, Text)
    }
}

/// A serde field of a date-time type of chrono, time or jiff (any
/// [`ForeignDateTime`](crate::ForeignDateTime)) as `<dateTime.iso8601>`,
/// where the type's own serde form would be a `<string>`:
/// `#[serde(with = "xmlrpc_kit::serde::date_time")]`. `Option`s of them take
/// [`date_time::option`].
///
/// ```
/// # #[cfg(feature = "chrono")] {
/// use xmlrpc_kit::serde::{from_value, to_value};
/// use xmlrpc_kit::Value;
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Entry {
///     #[serde(with = "xmlrpc_kit::serde::date_time")]
///     at: chrono::NaiveDateTime,
/// }
///
/// let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 25).unwrap().and_hms_opt(9, 30, 0).unwrap();
/// let value = to_value(&Entry { at }).unwrap();
/// let members = value.as_struct().unwrap();
/// assert_eq!(members["at"], Value::DateTime("20260125T09:30:00".parse().unwrap()));
/// assert_eq!(from_value::<Entry>(value).unwrap(), Entry { at });
/// # }
/// ```
pub mod date_time {
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser};

    use crate::{DateTime, ForeignDateTime};

    /// Writes `value` as a `<dateTime.iso8601>`.
    ///
    /// # Errors
    /// When XML-RPC cannot hold it (a year outside 0–9999, a leap second).
    pub fn serialize<T: ForeignDateTime, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value
            .to_xmlrpc()
            .map_err(ser::Error::custom)?
            .serialize(serializer)
    }

    /// Reads a `<dateTime.iso8601>` as `T`.
    ///
    /// # Errors
    /// When it is no date-time, or not one of `T` (an instant type given no zone).
    pub fn deserialize<'de, T: ForeignDateTime, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        T::from_xmlrpc(DateTime::deserialize(deserializer)?).map_err(de::Error::custom)
    }

    /// The same for `Option`s: `None` is `<nil/>`.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer, de, ser};

        use crate::{DateTime, ForeignDateTime};

        /// Writes `Some(value)` as a `<dateTime.iso8601>`, `None` as `<nil/>`.
        ///
        /// # Errors
        /// When XML-RPC cannot hold the date-time.
        pub fn serialize<T: ForeignDateTime, S: Serializer>(
            value: &Option<T>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => {
                    serializer.serialize_some(&value.to_xmlrpc().map_err(ser::Error::custom)?)
                }
                None => serializer.serialize_none(),
            }
        }

        /// Reads a `<dateTime.iso8601>` or `<nil/>`.
        ///
        /// # Errors
        /// When it is neither, or the date-time is not one of `T`.
        pub fn deserialize<'de, T: ForeignDateTime, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<T>, D::Error> {
            Option::<DateTime>::deserialize(deserializer)?
                .map(|dt| T::from_xmlrpc(dt).map_err(de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Dot,
        Circle(f64),
        Rect { w: i32, h: i32 },
        Pair(i32, i32),
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Order {
        id: u64,
        big: i64,
        name: String,
        tags: Vec<String>,
        when: DateTime,
        note: Option<String>,
        #[serde(with = "serde_bytes")]
        blob: Vec<u8>,
        shapes: Vec<Shape>,
        pair: (i32, bool),
    }

    fn order() -> Order {
        Order {
            id: 7,
            big: 1 << 40,
            name: "é <&>".into(),
            tags: vec!["a".into(), "b".into()],
            when: "20261130T14:00:00".parse().unwrap(),
            note: None,
            blob: vec![0, 255, 7],
            shapes: vec![
                Shape::Dot,
                Shape::Circle(0.5),
                Shape::Rect { w: 2, h: 3 },
                Shape::Pair(1, 2),
            ],
            pair: (9, true),
        }
    }

    #[test]
    fn types_map_to_the_xml_rpc_types_documented() {
        let value = to_value(&order()).unwrap();
        let members = value.as_struct().unwrap();
        assert_eq!(members["id"], Value::Int(7));
        assert_eq!(members["big"], Value::I8(1 << 40));
        assert_eq!(members["name"], Value::String("é <&>".into()));
        assert!(matches!(members["when"], Value::DateTime(_)));
        assert_eq!(members["note"], Value::Nil);
        assert_eq!(members["blob"], Value::Base64(vec![0, 255, 7]));
        let shapes = members["shapes"].as_array().unwrap();
        assert_eq!(shapes[0], Value::String("Dot".into()));
        assert_eq!(shapes[1].as_struct().unwrap()["Circle"], Value::Double(0.5));
        assert_eq!(
            members["pair"],
            Value::Array(vec![Value::Int(9), Value::Bool(true)])
        );
        assert_eq!(from_value::<Order>(value).unwrap(), order());
    }

    #[test]
    fn errors_say_what_does_not_fit() {
        assert!(
            to_value(&u128::MAX)
                .unwrap_err()
                .to_string()
                .contains("does not fit in 64 bits")
        );
        let mut map = std::collections::BTreeMap::new();
        map.insert(1, 2);
        assert!(
            to_value(&map)
                .unwrap_err()
                .to_string()
                .contains("member name must be a string")
        );
        let e = from_value::<Order>(Value::Int(3)).unwrap_err();
        assert!(e.to_string().contains("invalid type"), "{e}");
        let e = from_value::<u8>(Value::Int(300)).unwrap_err();
        assert!(e.to_string().contains("300"), "{e}");
    }

    #[test]
    fn member_names_of_any_length_are_keys_fields_and_variants() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Long {
            a_field_whose_name_is_longer_than_twenty_four_bytes: i32,
            short: i32,
        }
        let value = to_value(&Long {
            a_field_whose_name_is_longer_than_twenty_four_bytes: 1,
            short: 2,
        })
        .unwrap();
        let back: Long = from_value(value.clone()).unwrap();
        assert_eq!(back.a_field_whose_name_is_longer_than_twenty_four_bytes, 1);
        let map: std::collections::BTreeMap<String, i32> = from_value(value).unwrap();
        assert_eq!(
            map.keys().collect::<Vec<_>>(),
            [
                "a_field_whose_name_is_longer_than_twenty_four_bytes",
                "short"
            ]
        );
        let e =
            from_value::<Shape>(Value::Struct([("Hexagon", Value::Int(6))].into())).unwrap_err();
        assert!(e.to_string().contains("unknown variant `Hexagon`"), "{e}");
    }

    #[test]
    fn values_round_trip_through_serde() {
        let value = to_value(&order()).unwrap();
        assert_eq!(to_value(&value).unwrap(), value);
        assert_eq!(from_value::<Value>(value.clone()).unwrap(), value);
    }
}
