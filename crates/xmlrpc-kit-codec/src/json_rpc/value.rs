//! XML-RPC values in JSON, both ways: each type's JSON form (the table in
//! the module's parent), read with the document limits and with duplicate
//! member names refused.

use std::fmt;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::{DateTime, DocumentLimits, MemberName, Struct, Value};

/// The member naming a base64 value in its JSON form, `{"$base64": "…"}`.
pub const BASE64_TAG: &str = "$base64";
/// The member naming a date and time in its JSON form,
/// `{"$dateTime": "20261208T10:00:00"}`.
pub const DATE_TIME_TAG: &str = "$dateTime";

/// Reads one JSON value as a [`Value`], nested `depth` deep, within
/// `limits`.
#[derive(Clone, Copy)]
pub(crate) struct ValueSeed<'l> {
    pub(crate) limits: &'l DocumentLimits,
    pub(crate) depth: u32,
}

impl ValueSeed<'_> {
    fn deeper<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= self.limits.max_depth {
            return Err(E::custom(format_args!(
                "arrays and objects nest deeper than the limit of {}",
                self.limits.max_depth
            )));
        }
        Ok(ValueSeed {
            limits: self.limits,
            depth: self.depth + 1,
        })
    }

    fn string<E: de::Error>(self, text: &str) -> Result<String, E> {
        check_string(self.limits, text)?;
        Ok(text.to_owned())
    }
}

fn check_string<E: de::Error>(limits: &DocumentLimits, text: &str) -> Result<(), E> {
    if text.len() > limits.max_string_bytes {
        return Err(E::custom(format_args!(
            "a string of {} bytes is longer than the limit of {}",
            text.len(),
            limits.max_string_bytes
        )));
    }
    Ok(())
}

fn too_many<E: de::Error>(limits: &DocumentLimits) -> E {
    E::custom(format_args!(
        "an array or object has more items than the limit of {}",
        limits.max_items
    ))
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(i32::try_from(v).map_or(Value::I8(v), Value::Int))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        // Past i64, as JavaScript reads every number: a double.
        Ok(i64::try_from(v).map_or(Value::Double(v as f64), |v| {
            i32::try_from(v).map_or(Value::I8(v), Value::Int)
        }))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.string(v).map(Value::String)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        check_string(self.limits, &v)?;
        Ok(Value::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.deeper()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(inner)? {
            if items.len() == self.limits.max_items {
                return Err(too_many(self.limits));
            }
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        self.deeper()?.named(map)
    }
}

impl ValueSeed<'_> {
    /// The object being read: a struct whose members are read with this
    /// seed, or a tagged value.
    pub(crate) fn named<'de, A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self;
        let mut members = Struct::new();
        while let Some(name) = map.next_key_seed(NameSeed(self.limits.max_string_bytes))? {
            if members.is_empty() && (name == BASE64_TAG || name == DATE_TIME_TAG) {
                return tagged(&name, map, self.limits);
            }
            if members.len() == self.limits.max_items {
                return Err(too_many(self.limits));
            }
            let value = map.next_value_seed(inner)?;
            if members.contains_key(&name) {
                return Err(de::Error::custom(format_args!(
                    "the member name {:?} appears twice in one object",
                    name.as_str()
                )));
            }
            members.insert(name, value);
        }
        Ok(Value::Struct(members))
    }
}

/// A member's name, read straight into a [`MemberName`] (short names
/// inline, without an allocation of their own), of at most this many
/// bytes.
pub(crate) struct NameSeed(pub(crate) usize);

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = MemberName;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<MemberName, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = MemberName;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<MemberName, E> {
        if name.len() > self.0 {
            return Err(E::custom(format_args!(
                "a member name of {} bytes is longer than the limit of {}",
                name.len(),
                self.0
            )));
        }
        Ok(MemberName::from(name))
    }
}

/// The rest of a tagged object whose first member, `tag`, was just read:
/// its text, and no other member.
fn tagged<'de, A: MapAccess<'de>>(
    tag: &str,
    mut map: A,
    limits: &DocumentLimits,
) -> Result<Value, A::Error> {
    let text: std::borrow::Cow<'de, str> = map.next_value()?;
    if map.next_key::<de::IgnoredAny>()?.is_some() {
        return Err(de::Error::custom(format_args!(
            "an object whose first member is {tag:?} is a tagged value and has no other member"
        )));
    }
    if tag == BASE64_TAG {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| de::Error::custom(format_args!("{BASE64_TAG}: not base64 ({e})")))?;
        if bytes.len() > limits.max_base64_bytes {
            return Err(de::Error::custom(format_args!(
                "{BASE64_TAG}: {} bytes is more than the limit of {}",
                bytes.len(),
                limits.max_base64_bytes
            )));
        }
        return Ok(Value::Base64(bytes));
    }
    text.parse::<DateTime>()
        .map(Value::DateTime)
        .map_err(|e| de::Error::custom(format_args!("{DATE_TIME_TAG}: {text:?}: {e}")))
}

/// A [`Value`] written as JSON (see the module's table).
pub(crate) struct Json<'v>(pub(crate) &'v Value);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Int(i) => s.serialize_i32(*i),
            Value::I8(i) => s.serialize_i64(*i),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::String(text) => s.serialize_str(text),
            Value::Double(d) => s.serialize_f64(*d),
            Value::Nil => s.serialize_unit(),
            Value::DateTime(dt) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(DATE_TIME_TAG, &dt.to_string())?;
                map.end()
            }
            Value::Base64(bytes) => {
                let mut map = s.serialize_map(Some(1))?;
                let text = base64::engine::general_purpose::STANDARD.encode(bytes);
                map.serialize_entry(BASE64_TAG, &text)?;
                map.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Json(item))?;
                }
                seq.end()
            }
            Value::Struct(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (name, value) in members.iter() {
                    map.serialize_entry(name, &Json(value))?;
                }
                map.end()
            }
        }
    }
}

/// The JSON text of `value`.
///
/// ```
/// use xmlrpc_kit_codec::{Value, json_rpc};
///
/// let value = Value::Array(vec![Value::Int(1), Value::Base64(b"hi".to_vec()), Value::Nil]);
/// assert_eq!(json_rpc::to_json(&value), r#"[1,{"$base64":"aGk="},null]"#);
/// ```
pub fn to_json(value: &Value) -> String {
    serde_json::to_string(&Json(value)).expect("a value always writes as JSON")
}

/// The [`Value`] of a JSON text, within `limits`.
///
/// ```
/// use xmlrpc_kit_codec::{DocumentLimits, Value, json_rpc};
///
/// let value = json_rpc::from_json(br#"{"x": 2, "big": 5000000000, "d": 0.5}"#, &DocumentLimits::default()).unwrap();
/// let members = value.as_struct().unwrap();
/// assert_eq!(members.get("x"), Some(&Value::Int(2)));
/// assert_eq!(members.get("big"), Some(&Value::I8(5_000_000_000)));
/// assert_eq!(members.get("d"), Some(&Value::Double(0.5)));
/// assert!(json_rpc::from_json(br#"{"x": 1, "x": 2}"#, &DocumentLimits::default()).is_err());
/// ```
///
/// # Errors
/// A [`serde_json::Error`] saying what is wrong and where (line and
/// column): not JSON, or past a limit, or a member named twice.
pub fn from_json(text: &[u8], limits: &DocumentLimits) -> Result<Value, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_slice(text);
    let value = ValueSeed { limits, depth: 0 }.deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}
