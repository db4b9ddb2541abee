//! JSON-RPC 2.0 requests read: one request object or a batch of them, each
//! a call, a notification or an invalid request answered on its own; the
//! whole body refused only when it is not JSON or passes a limit.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::value::{NameSeed, ValueSeed};
use super::{ErrorObject, Id, codes};
use crate::{DocumentLimits, Struct, Value};

/// The parameters of a call: none, by position, or by name.
#[derive(Debug, Clone, PartialEq)]
pub enum Params {
    /// No `params` member.
    None,
    /// An array: the values in order.
    Positional(Vec<Value>),
    /// An object: the values by the handler's parameter names.
    Named(Struct),
}

/// One request object of a body, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The id to answer with; `None` for a notification, which gets no
    /// answer.
    pub id: Option<Id>,
    /// The method's name.
    pub method: String,
    /// Its parameters.
    pub params: Params,
}

/// What a request body held.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// One request object (or something that should have been one).
    Single(Result<Call, ErrorObject>),
    /// A batch: each element a call or the error its element gets.
    Batch(Vec<Result<Call, ErrorObject>>),
}

/// Reads a JSON-RPC request body within `limits`, with at most `max_batch`
/// requests in a batch.
///
/// ```
/// use xmlrpc_kit_codec::json_rpc::{self, Incoming, Params};
/// use xmlrpc_kit_codec::{DocumentLimits, Value};
///
/// let body = br#"{"jsonrpc": "2.0", "method": "add", "params": [2, 3], "id": 1}"#;
/// let Incoming::Single(Ok(call)) = json_rpc::decode_request(body, &DocumentLimits::default(), 100).unwrap() else {
///     panic!("one call");
/// };
/// assert_eq!(call.method, "add");
/// assert_eq!(call.params, Params::Positional(vec![Value::Int(2), Value::Int(3)]));
/// assert_eq!(call.id.unwrap().as_json(), "1");
/// ```
///
/// # Errors
/// The one error object the whole body is answered with: -32700 when it
/// is not JSON, -32600 when it passes a limit or is an empty batch.
pub fn decode_request(
    body: &[u8],
    limits: &DocumentLimits,
    max_batch: usize,
) -> Result<Incoming, ErrorObject> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let incoming = BodySeed { limits, max_batch }
        .deserialize(&mut reader)
        .and_then(|incoming| reader.end().map(|()| incoming))
        .map_err(|e| {
            if e.is_data() {
                ErrorObject::new(codes::INVALID_REQUEST, format!("Invalid Request: {e}"))
            } else {
                ErrorObject::new(codes::PARSE_ERROR, format!("Parse error: {e}"))
            }
        })?;
    if matches!(&incoming, Incoming::Batch(calls) if calls.is_empty()) {
        return Err(ErrorObject::new(
            codes::INVALID_REQUEST,
            "Invalid Request: an empty batch (a batch holds at least one request)",
        ));
    }
    Ok(incoming)
}

struct BodySeed<'l> {
    limits: &'l DocumentLimits,
    max_batch: usize,
}

impl<'de> DeserializeSeed<'de> for BodySeed<'_> {
    type Value = Incoming;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Incoming, D::Error> {
        d.deserialize_any(self)
    }
}

/// Each scalar JSON value is answered by `$call` of what it is ("a
/// number", …).
macro_rules! scalars_are {
    ($call:ident) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.$call("null"))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(self.$call("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(self.$call("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(self.$call("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(self.$call("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(self.$call("a string"))
        }
    };
}

impl BodySeed<'_> {
    fn not_a_request(&self, what: &'static str) -> Incoming {
        Incoming::Single(Err(not_an_object(what)))
    }
}

fn not_an_object(what: &str) -> ErrorObject {
    ErrorObject::new(
        codes::INVALID_REQUEST,
        format!("a request is a JSON object, not {what}"),
    )
}

impl<'de> Visitor<'de> for BodySeed<'_> {
    type Value = Incoming;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC request object or a batch of them")
    }

    scalars_are!(not_a_request);

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Incoming, A::Error> {
        RequestSeed {
            limits: self.limits,
        }
        .visit_map(map)
        .map(Incoming::Single)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Incoming, A::Error> {
        let seed = RequestSeed {
            limits: self.limits,
        };
        let mut calls = Vec::new();
        while let Some(call) = seq.next_element_seed(seed)? {
            if calls.len() == self.max_batch {
                return Err(de::Error::custom(format_args!(
                    "a batch of more than {} requests (the limit)",
                    self.max_batch
                )));
            }
            calls.push(call);
        }
        Ok(Incoming::Batch(calls))
    }
}

/// One element of a body: a request object, or what its error says it is.
#[derive(Clone, Copy)]
struct RequestSeed<'l> {
    limits: &'l DocumentLimits,
}

impl RequestSeed<'_> {
    fn not_a_request(&self, what: &'static str) -> Result<Call, ErrorObject> {
        Err(not_an_object(what))
    }
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_> {
    type Value = Result<Call, ErrorObject>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RequestSeed<'_> {
    type Value = Result<Call, ErrorObject>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC request object")
    }

    scalars_are!(not_a_request);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Read through (within the depth limit) and answered on its own.
        ValueSeed {
            limits: self.limits,
            depth: 0,
        }
        .visit_seq(&mut seq)?;
        Ok(Err(not_an_object("an array (a batch is not nested)")))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let limits = self.limits;
        let value = ValueSeed { limits, depth: 0 };
        let mut version = None;
        let mut method = None;
        let mut params = None;
        let mut id: Option<&'de RawValue> = None;
        let mut problem: Option<String> = None;
        let mut seen = [false; 4];
        while let Some(name) = map.next_key_seed(NameSeed(usize::MAX))? {
            let slot = match name.as_str() {
                "jsonrpc" => 0,
                "method" => 1,
                "params" => 2,
                "id" => 3,
                other => {
                    map.next_value::<de::IgnoredAny>()?;
                    let other = crate::untrusted_text::Escaped::new(other);
                    problem.get_or_insert_with(|| format!("an unknown member \"{other}\""));
                    continue;
                }
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(de::Error::custom(format_args!(
                    "the member name {:?} appears twice in one object",
                    name.as_str()
                )));
            }
            match slot {
                0 => version = Some(map.next_value_seed(value)?),
                1 => method = Some(map.next_value_seed(value)?),
                2 => params = Some(map.next_value_seed(ParamsSeed(value))?),
                _ => id = Some(map.next_value()?),
            }
        }
        let id = match id.map(Id::from_raw) {
            None => None,
            Some(Ok(id)) => Some(id),
            Some(Err(what)) => {
                problem.get_or_insert_with(|| {
                    format!("an id is a string, a number or null, not {what}")
                });
                None
            }
        };
        let method = match method {
            Some(Value::String(method)) if method.len() <= limits.max_method_name_bytes => {
                Some(method)
            }
            Some(Value::String(method)) => {
                problem.get_or_insert_with(|| {
                    format!(
                        "a method name of {} bytes is longer than the limit of {}",
                        method.len(),
                        limits.max_method_name_bytes
                    )
                });
                None
            }
            Some(other) => {
                problem.get_or_insert_with(|| {
                    format!("the method is a string, not {}", json_kind(&other))
                });
                None
            }
            None => {
                problem.get_or_insert_with(|| "no \"method\" member".to_owned());
                None
            }
        };
        match &version {
            Some(Value::String(v)) if v == "2.0" => {}
            _ => {
                problem.get_or_insert_with(|| "\"jsonrpc\" is not \"2.0\"".to_owned());
            }
        }
        let params = match params {
            None => Params::None,
            Some(Ok(params)) => params,
            Some(Err(what)) => {
                problem
                    .get_or_insert_with(|| format!("params are an array or an object, not {what}"));
                Params::None
            }
        };
        if let Params::Positional(values) = &params
            && values.len() > limits.max_params
        {
            problem.get_or_insert_with(|| {
                format!(
                    "{} parameters are more than the limit of {}",
                    values.len(),
                    limits.max_params
                )
            });
        }
        match (problem, method) {
            (None, Some(method)) => Ok(Ok(Call { id, method, params })),
            (problem, _) => Ok(Err(ErrorObject::new(
                codes::INVALID_REQUEST,
                format!(
                    "Invalid Request: {}",
                    problem.unwrap_or_else(|| "no method".to_owned())
                ),
            )
            .with_id(id))),
        }
    }
}

/// How JSON names the kind of `value` (read from JSON).
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Nil => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::I8(_) | Value::Double(_) => "a number",
        Value::Array(_) => "an array",
        Value::Struct(_) => "an object",
        _ => "a tagged value",
    }
}

/// `params`: an array or an object of values, each at depth 0 (as an
/// XML-RPC call's parameters), or what else it is.
struct ParamsSeed<'l>(ValueSeed<'l>);

impl ParamsSeed<'_> {
    fn not_params(&self, what: &'static str) -> Result<Params, &'static str> {
        Err(what)
    }
}

impl<'de> DeserializeSeed<'de> for ParamsSeed<'_> {
    type Value = Result<Params, &'static str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ParamsSeed<'_> {
    type Value = Result<Params, &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("parameters")
    }

    scalars_are!(not_params);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element_seed(self.0)? {
            if values.len() == self.0.limits.max_items {
                return Err(de::Error::custom(format_args!(
                    "more parameters than the limit of {} items",
                    self.0.limits.max_items
                )));
            }
            values.push(value);
        }
        Ok(Ok(Params::Positional(values)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        match self.0.named(map)? {
            Value::Struct(members) => Ok(Ok(Params::Named(members))),
            _ => Ok(Err("a tagged value")),
        }
    }
}

impl Id {
    /// The id of raw JSON `raw`, or what it is if it cannot be one.
    fn from_raw(raw: &RawValue) -> Result<Id, &'static str> {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"' | b'-' | b'0'..=b'9') => Ok(Id(text.to_owned())),
            Some(b'n') => Ok(Id(text.to_owned())),
            Some(b't' | b'f') => Err("a boolean"),
            Some(b'[') => Err("an array"),
            _ => Err("an object"),
        }
    }
}
