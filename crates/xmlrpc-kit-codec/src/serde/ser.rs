//! Serializing into a [`Value`]: any `Serialize` type becomes one
//! ([`to_value`]), and a [`Value`] serializes into any
//! serde format.

use serde::ser::{self, Serialize};

use super::{DATETIME, Error, int_or_i8, narrowest_int};
use crate::{Struct, Value};

/// `value` as an XML-RPC value.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(ValueSerializer)
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
    type SerializeTupleVariant = Array;
    type SerializeMap = Members;
    type SerializeStruct = Members;
    type SerializeStructVariant = Members;

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
        narrowest_int(v).map_err(Error)
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
        narrowest_int(v).map_err(Error)
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        narrowest_int(v).map_err(Error)
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
        Ok(one_member(variant, value.serialize(self)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Array, Error> {
        Ok(Array::new(None, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<Array, Error> {
        Ok(Array::new(None, len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Array, Error> {
        Ok(Array::new(None, len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Array, Error> {
        Ok(Array::new(Some(variant), len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Members, Error> {
        Ok(Members::new(None, len.unwrap_or(0)))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Members, Error> {
        Ok(Members::new(None, len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Members, Error> {
        Ok(Members::new(Some(variant), len))
    }
}

/// `{name: value}`: an enum variant with its fields.
fn one_member(name: &str, value: Value) -> Value {
    let mut members = Struct::with_capacity(1);
    members.insert(name.to_owned(), value);
    Value::Struct(members)
}

/// `value`, or `{variant: value}` for the fields of an enum variant.
fn in_variant(variant: Option<&'static str>, value: Value) -> Value {
    match variant {
        Some(name) => one_member(name, value),
        None => value,
    }
}

/// An array being serialized: a sequence, a tuple, or the fields of a
/// tuple variant (`variant`).
struct Array {
    items: Vec<Value>,
    variant: Option<&'static str>,
}

impl Array {
    fn new(variant: Option<&'static str>, len: usize) -> Self {
        Array {
            items: Vec::with_capacity(len),
            variant,
        }
    }
}

/// The four serde traits that write an array alike: each element
/// pushed, the array made at the end.
macro_rules! serialize_array {
    ($($serialize:ident :: $element:ident),*) => {$(
        impl ser::$serialize for Array {
            type Ok = Value;
            type Error = Error;
            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.items.push(value.serialize(ValueSerializer)?);
                Ok(())
            }
            fn end(self) -> Result<Value, Error> {
                Ok(in_variant(self.variant, Value::Array(self.items)))
            }
        }
    )*};
}

serialize_array!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A struct being serialized: a map (with a key waiting for its value),
/// a struct, or the fields of a struct variant (`variant`).
struct Members {
    members: Struct,
    key: Option<String>,
    variant: Option<&'static str>,
}

impl Members {
    fn new(variant: Option<&'static str>, len: usize) -> Self {
        Members {
            members: Struct::with_capacity(len),
            key: None,
            variant,
        }
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), Error> {
        self.members.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }

    fn into_value(self) -> Value {
        in_variant(self.variant, Value::Struct(self.members))
    }
}

impl ser::SerializeMap for Members {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        match key.serialize(ValueSerializer)? {
            Value::String(key) => {
                self.key = Some(key);
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
            .key
            .take()
            .ok_or_else(|| Error("a map value without its key".into()))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        Ok(self.into_value())
    }
}

/// The two serde traits that write a struct's fields alike: each field
/// inserted, the struct made at the end.
macro_rules! serialize_fields {
    ($($serialize:ident),*) => {$(
        impl ser::$serialize for Members {
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
                Ok(self.into_value())
            }
        }
    )*};
}

serialize_fields!(SerializeStruct, SerializeStructVariant);

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
