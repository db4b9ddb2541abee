//! The client's half of JSON-RPC 2.0: a call written as a request object,
//! and a response object read into its value or fault, within the
//! document limits.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::value::{Json, NameSeed, ValueSeed};
use crate::{DecodeError, DecodeErrorKind, DocumentLimits, Fault, Value};

/// The request object calling `method` with `params`, numbered `id`.
///
/// ```
/// use xmlrpc_kit_codec::{Value, json_rpc};
///
/// let body = json_rpc::encode_call("add", &[Value::Int(2), Value::Int(3)], 7);
/// assert_eq!(body, br#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":7}"#);
/// ```
pub fn encode_call(method: &str, params: &[Value], id: u64) -> Vec<u8> {
    serde_json::to_vec(&Request { method, params, id }).expect("a call always writes as JSON")
}

/// The batch of request objects calling each `(method, params)`, numbered
/// from `first_id` on.
///
/// ```
/// use xmlrpc_kit_codec::{Value, json_rpc};
///
/// let calls = [("a", vec![]), ("b", vec![Value::Bool(true)])];
/// let body = json_rpc::encode_batch(calls.iter().map(|(m, p)| (*m, p.as_slice())), 1);
/// assert_eq!(
///     body,
///     br#"[{"jsonrpc":"2.0","method":"a","params":[],"id":1},{"jsonrpc":"2.0","method":"b","params":[true],"id":2}]"#
/// );
/// ```
pub fn encode_batch<'a>(
    calls: impl IntoIterator<Item = (&'a str, &'a [Value])>,
    first_id: u64,
) -> Vec<u8> {
    let mut body = vec![b'['];
    for (n, (method, params)) in calls.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        let id = first_id + n as u64;
        serde_json::to_writer(&mut body, &Request { method, params, id })
            .expect("a call always writes as JSON");
    }
    body.push(b']');
    body
}

struct Request<'a> {
    method: &'a str,
    params: &'a [Value],
    id: u64,
}

impl Serialize for Request<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("jsonrpc", "2.0")?;
        map.serialize_entry("method", self.method)?;
        map.serialize_entry("params", &Params(self.params))?;
        map.serialize_entry("id", &self.id)?;
        map.end()
    }
}

/// Parameters written as a JSON array.
struct Params<'a>(&'a [Value]);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Json))
    }
}

/// One response object, read: its id and its result or fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The id it answers (`None` when it is `null`, or not a whole number).
    pub id: Option<u64>,
    /// The result, or the error as a fault (its `data`, if any, added to
    /// its string).
    pub result: Result<Value, Fault>,
}

/// Reads the response to a call (a response object) within `limits`.
///
/// ```
/// use xmlrpc_kit_codec::{DocumentLimits, Fault, Value, json_rpc};
///
/// let limits = DocumentLimits::default();
/// let reply = json_rpc::decode_reply(br#"{"jsonrpc": "2.0", "result": 5, "id": 7}"#, &limits).unwrap();
/// assert_eq!((reply.id, reply.result), (Some(7), Ok(Value::Int(5))));
/// let reply = json_rpc::decode_reply(
///     br#"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": 7}"#,
///     &limits,
/// )
/// .unwrap();
/// assert_eq!(reply.result, Err(Fault::new(-32601, "Method not found")));
/// ```
///
/// # Errors
/// A [`DecodeError`] (with line and column) when the body is not JSON,
/// not a response object, or passes a limit.
pub fn decode_reply(body: &[u8], limits: &DocumentLimits) -> Result<Reply, DecodeError> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let reply = ReplySeed { limits }
        .deserialize(&mut reader)
        .and_then(|reply| reader.end().map(|()| reply))
        .map_err(|e| json_error(&e))?;
    Ok(reply)
}

/// Reads the response to a batch (an array of response objects) within
/// `limits`, in the order the server sent them.
///
/// # Errors
/// As [`decode_reply`]; a lone response object (a server answers a whole
/// batch with one error) is returned as a batch of one.
pub fn decode_replies(body: &[u8], limits: &DocumentLimits) -> Result<Vec<Reply>, DecodeError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'[') {
        return decode_reply(body, limits).map(|reply| vec![reply]);
    }
    let mut reader = serde_json::Deserializer::from_slice(body);
    let replies = RepliesSeed { limits }
        .deserialize(&mut reader)
        .and_then(|replies| reader.end().map(|()| replies))
        .map_err(|e| json_error(&e))?;
    Ok(replies)
}

/// The results of a batch of `calls` calls numbered from `first_id`, read
/// from its answer: one per call, in the calls' order whatever the
/// server's, or the fault the server answered the whole batch with.
///
/// ```
/// use xmlrpc_kit_codec::{DocumentLimits, Fault, Value, json_rpc};
///
/// let answer = br#"[{"jsonrpc": "2.0", "error": {"code": 1, "message": "no"}, "id": 8},
///                   {"jsonrpc": "2.0", "result": true, "id": 7}]"#;
/// let results = json_rpc::read_batch(answer, &DocumentLimits::default(), 7, 2).unwrap().unwrap();
/// assert_eq!(results, [Ok(Value::Bool(true)), Err(Fault::new(1, "no"))]);
/// ```
///
/// # Errors
/// A [`DecodeError`] when the answer is not JSON-RPC, or does not answer
/// each call once.
pub fn read_batch(
    body: &[u8],
    limits: &DocumentLimits,
    first_id: u64,
    calls: usize,
) -> Result<Result<Vec<Result<Value, Fault>>, Fault>, DecodeError> {
    let mistake =
        |what: String| DecodeError::at_line_column(DecodeErrorKind::Structure(what), 1, 1);
    let mut results: Vec<Option<Result<Value, Fault>>> = vec![None; calls];
    for reply in decode_replies(body, limits)? {
        let slot = reply
            .id
            .and_then(|id| id.checked_sub(first_id))
            .and_then(|at| usize::try_from(at).ok())
            .and_then(|at| results.get_mut(at));
        match (slot, reply.result) {
            (Some(slot @ None), result) => *slot = Some(result),
            // An error for the whole batch, its id null.
            (None, Err(fault)) if reply.id.is_none() => return Ok(Err(fault)),
            (_, _) => {
                return Err(mistake(format!(
                    "the batch's answer has an id ({}) that no call of it had, or one twice",
                    reply.id.map_or("null".to_owned(), |id| id.to_string())
                )));
            }
        }
    }
    results
        .into_iter()
        .enumerate()
        .map(|(n, result)| {
            result.ok_or_else(|| {
                mistake(format!(
                    "the batch's answer has none for its call {}",
                    n + 1
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Ok)
}

fn json_error(e: &serde_json::Error) -> DecodeError {
    let kind = if e.is_data() {
        DecodeErrorKind::Structure(format!("not a JSON-RPC response: {e}"))
    } else {
        DecodeErrorKind::Syntax(format!("not JSON: {e}"))
    };
    DecodeError::at_line_column(kind, e.line(), e.column())
}

#[derive(Clone, Copy)]
struct ReplySeed<'l> {
    limits: &'l DocumentLimits,
}

impl<'de> DeserializeSeed<'de> for ReplySeed<'_> {
    type Value = Reply;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Reply, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ReplySeed<'_> {
    type Value = Reply;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Reply, A::Error> {
        let value = ValueSeed {
            limits: self.limits,
            depth: 0,
        };
        let (mut version, mut result, mut error, mut id) = (None, None, None, None);
        while let Some(name) = map.next_key_seed(NameSeed(usize::MAX))? {
            match name.as_str() {
                "jsonrpc" => version = Some(map.next_value_seed(value)?),
                "result" => result = Some(map.next_value_seed(value)?),
                "error" => error = Some(map.next_value_seed(value)?),
                "id" => id = Some(map.next_value_seed(value)?),
                other => {
                    return Err(de::Error::custom(format_args!(
                        "an unknown member {:?}",
                        crate::untrusted_text::Escaped::new(other).to_string()
                    )));
                }
            }
        }
        if !matches!(&version, Some(Value::String(v)) if v == "2.0") {
            return Err(de::Error::custom("\"jsonrpc\" is not \"2.0\""));
        }
        let id = match id {
            Some(Value::Int(n)) => u64::try_from(n).ok(),
            Some(Value::I8(n)) => u64::try_from(n).ok(),
            _ => None,
        };
        let result = match (result, error) {
            (Some(result), None) => Ok(result),
            (None, Some(error)) => Err(fault_of(error).map_err(de::Error::custom)?),
            _ => {
                return Err(de::Error::custom(
                    "a response has either \"result\" or \"error\"",
                ));
            }
        };
        Ok(Reply { id, result })
    }
}

/// The fault of an error object: its code and message, its data (if any)
/// written after them.
fn fault_of(error: Value) -> Result<Fault, String> {
    let Value::Struct(mut members) = error else {
        return Err("\"error\" is not an object".to_owned());
    };
    let code = match members.remove("code") {
        Some(Value::Int(code)) => code,
        _ => return Err("an error's \"code\" is not a 32-bit integer".to_owned()),
    };
    let mut message = match members.remove("message") {
        Some(Value::String(message)) => message,
        _ => return Err("an error's \"message\" is not a string".to_owned()),
    };
    if let Some(data) = members.remove("data") {
        message.push_str(" (data: ");
        message.push_str(&super::to_json(&data));
        message.push(')');
    }
    Ok(Fault::new(code, message))
}

struct RepliesSeed<'l> {
    limits: &'l DocumentLimits,
}

impl<'de> DeserializeSeed<'de> for RepliesSeed<'_> {
    type Value = Vec<Reply>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<Reply>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RepliesSeed<'_> {
    type Value = Vec<Reply>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of JSON-RPC response objects")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Reply>, A::Error> {
        let seed = ReplySeed {
            limits: self.limits,
        };
        let mut replies = Vec::new();
        while let Some(reply) = seq.next_element_seed(seed)? {
            if replies.len() == self.limits.max_items {
                return Err(de::Error::custom(format_args!(
                    "more responses than the limit of {} items",
                    self.limits.max_items
                )));
            }
            replies.push(reply);
        }
        Ok(replies)
    }
}
