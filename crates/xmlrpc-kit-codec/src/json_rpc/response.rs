//! JSON-RPC 2.0 responses written: one response object, or a batch's array
//! of them, within a size limit found while writing.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::SerializeMap;

use super::value::Json;
use super::{ErrorObject, Id};
use crate::{Fault, Value};

/// One response: the id it answers and the result or error.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The request's id (`None` is written `null`).
    pub id: Option<Id>,
    /// The method's result, or the error.
    pub result: Result<Value, ErrorObject>,
}

impl Answer {
    /// The answer to the call with `id` that gave `result`.
    pub fn of(id: Option<Id>, result: Result<Value, Fault>) -> Self {
        Answer {
            result: result.map_err(|fault| ErrorObject::from(&fault)),
            id,
        }
    }
}

impl From<ErrorObject> for Answer {
    fn from(error: ErrorObject) -> Self {
        Answer {
            id: error.id.clone(),
            result: Err(error),
        }
    }
}

/// The id as JSON: its text, or `null`.
struct IdJson<'a>(Option<&'a Id>);

impl Serialize for IdJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => s.serialize_unit(),
            Some(id) => {
                // The id's own text, read as JSON again (it was JSON).
                let raw: &serde_json::value::RawValue =
                    serde_json::from_str(id.as_json()).map_err(serde::ser::Error::custom)?;
                raw.serialize(s)
            }
        }
    }
}

struct ErrorJson<'a>(&'a ErrorObject);

impl Serialize for ErrorJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("code", &self.0.code)?;
        map.serialize_entry("message", &self.0.message)?;
        map.end()
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("jsonrpc", "2.0")?;
        match &self.result {
            Ok(value) => map.serialize_entry("result", &Json(value))?,
            Err(error) => map.serialize_entry("error", &ErrorJson(error))?,
        }
        map.serialize_entry("id", &IdJson(self.id.as_ref()))?;
        map.end()
    }
}

/// A buffer that refuses to grow past `most` bytes.
struct Bounded {
    out: Vec<u8>,
    most: usize,
}

impl Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.out.len() + bytes.len() > self.most {
            return Err(io::Error::other("past the limit"));
        }
        self.out.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The body answering `answers`: one response object when `batch` is
/// false (there is then one answer), else their array; at most `most`
/// bytes. No answer (a notification, or a batch of notifications only) is
/// an empty body: the request is answered with nothing.
///
/// ```
/// use xmlrpc_kit_codec::json_rpc::{Answer, Id, encode_answers};
/// use xmlrpc_kit_codec::{Fault, Value};
///
/// let one = Answer::of(Some(Id::number(1)), Ok(Value::Int(5)));
/// let body = encode_answers(&[one], false, 1 << 20).unwrap();
/// assert_eq!(body, br#"{"jsonrpc":"2.0","result":5,"id":1}"#);
///
/// let fault = Answer::of(Some(Id::number(2)), Err(Fault::new(4, "Too many parameters.")));
/// let body = encode_answers(&[fault], true, 1 << 20).unwrap();
/// assert_eq!(body, br#"[{"jsonrpc":"2.0","error":{"code":4,"message":"Too many parameters."},"id":2}]"#);
/// ```
///
/// # Errors
/// The size the answer passed, `most`, when it would be longer.
pub fn encode_answers(answers: &[Answer], batch: bool, most: usize) -> Result<Vec<u8>, usize> {
    if answers.is_empty() {
        return Ok(Vec::new());
    }
    let room = most.min(256 + answers.len() * 64);
    let mut out = Bounded {
        out: Vec::with_capacity(room),
        most,
    };
    let written = if batch {
        serde_json::to_writer(&mut out, answers)
    } else {
        serde_json::to_writer(&mut out, &answers[0])
    };
    match written {
        Ok(()) => Ok(out.out),
        Err(_) => Err(most),
    }
}

/// The body answering the whole request with `error` alone (its id, or
/// `null`).
///
/// ```
/// use xmlrpc_kit_codec::json_rpc::{ErrorObject, codes, encode_error};
///
/// let body = encode_error(&ErrorObject::new(codes::PARSE_ERROR, "Parse error"));
/// assert_eq!(body, br#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}"#);
/// ```
pub fn encode_error(error: &ErrorObject) -> Vec<u8> {
    serde_json::to_vec(&Answer::from(error.clone())).expect("an error object always writes")
}
