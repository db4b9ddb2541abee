//! JSON-RPC 2.0 on the wire (the `json-rpc` feature): requests read into
//! the same calls of [`Value`]s an XML-RPC document gives, within the same
//! [`DocumentLimits`], and answers written from the same results and
//! [`Fault`]s, so that one method table serves both protocols.
//!
//! Each XML-RPC type has one JSON form, read and written the same way
//! (so a value goes through JSON and back unchanged, but for the integer
//! width noted):
//!
//! | XML-RPC | JSON |
//! | --- | --- |
//! | `int`, `i8` | a number without fraction or exponent: `int` when it fits 32 bits, `i8` when it fits 64, otherwise a double (as JavaScript reads every number) |
//! | `double` | a number with a fraction or exponent (a whole double is written `5.0`) |
//! | `boolean` | `true`, `false` |
//! | `string` | a string |
//! | `nil` | `null` |
//! | `array` | an array |
//! | `struct` | an object, its members in order; a name given twice is an error (-32600) |
//! | `base64` | `{"$base64": "aGk="}`: an object with that one member |
//! | `dateTime.iso8601` | `{"$dateTime": "20261208T10:00:00"}`: an object with that one member, the text as XML-RPC writes it |
//!
//! An `i8` within 32 bits comes back an `int`: typed parameters
//! (`i64`, …) take either. An object whose first member is `$base64` or
//! `$dateTime` is always read as the tagged value.
//!
//! Errors carry the codes the JSON-RPC 2.0 specification names (see
//! [`codes`]), which are those of the XML-RPC fault code
//! interoperability specification too; a handler's fault is an error
//! with the fault's code and string.

mod call;
mod request;
mod response;
mod value;

#[cfg(test)]
mod tests;

use std::fmt;

pub use call::{Reply, decode_replies, decode_reply, encode_batch, encode_call, read_batch};
pub use request::{Call, Incoming, Params, decode_request};
pub use response::{Answer, encode_answers, encode_error};
pub use value::{BASE64_TAG, DATE_TIME_TAG, from_json, to_json};

use crate::Fault;
#[cfg(doc)]
use crate::{DocumentLimits, Value};

/// The error codes the JSON-RPC 2.0 specification names (the same numbers
/// as XML-RPC's interoperability fault codes, [`crate::codes`]).
pub mod codes {
    /// The body is not JSON.
    pub const PARSE_ERROR: i32 = -32700;
    /// The JSON is not a valid request (or passes a limit).
    pub const INVALID_REQUEST: i32 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// The parameters do not fit the method.
    pub const INVALID_PARAMS: i32 = -32602;
    /// The server failed while answering.
    pub const INTERNAL_ERROR: i32 = -32603;
}

/// A request's id, kept as the JSON text it was sent as (a string, a
/// number or `null`), so that it is answered exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(String);

impl Id {
    /// The id as JSON text.
    pub fn as_json(&self) -> &str {
        &self.0
    }

    /// A numeric id.
    pub fn number(n: u64) -> Id {
        Id(n.to_string())
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A JSON-RPC error object, and the id of the request it answers (`None`:
/// written as `null`, as when the request's id could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorObject {
    /// Its code (see [`codes`], or a handler's fault code).
    pub code: i32,
    /// What went wrong.
    pub message: String,
    /// The id of the request it answers, if known.
    pub id: Option<Id>,
}

impl ErrorObject {
    /// An error with `code` and `message`, answering no known id.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            id: None,
        }
    }

    /// The same error answering `id`.
    #[must_use]
    pub fn with_id(mut self, id: Option<Id>) -> Self {
        self.id = id;
        self
    }

    /// The fault a client sees for it: the same code and message.
    pub fn to_fault(&self) -> Fault {
        Fault::new(self.code, self.message.clone())
    }
}

impl From<&Fault> for ErrorObject {
    fn from(fault: &Fault) -> Self {
        ErrorObject::new(fault.code, fault.string.clone())
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)
    }
}

impl std::error::Error for ErrorObject {}
