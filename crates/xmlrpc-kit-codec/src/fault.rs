//! Faults and the interoperability fault codes.

use std::fmt;

use crate::{Struct, Value};

/// The fault codes of the XML-RPC fault-code interoperability specification
/// (`specVersion` 20010516), used for the server's own faults.
pub mod codes {
    /// The request is not well-formed XML.
    pub const PARSE_ERROR: i32 = -32700;
    /// The request's character encoding is not supported.
    pub const UNSUPPORTED_ENCODING: i32 = -32701;
    /// The request holds a character that is not allowed.
    pub const INVALID_CHARACTER: i32 = -32702;
    /// Well-formed XML, but not a valid XML-RPC request.
    pub const INVALID_REQUEST: i32 = -32600;
    /// No method of that name.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Wrong number or types of parameters.
    pub const INVALID_PARAMS: i32 = -32602;
    /// The server failed while answering (a handler panicked, say).
    pub const INTERNAL_ERROR: i32 = -32603;
    /// An error raised by the application's own code.
    pub const APPLICATION_ERROR: i32 = -32500;
}

/// An XML-RPC fault: `faultCode` and `faultString`.
///
/// A handler returns `Err(Fault)` to answer with a fault; the server's own
/// failures (parse errors, unknown methods, bad parameters) are faults too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `faultCode`.
    pub code: i32,
    /// `faultString`.
    pub string: String,
}

impl Fault {
    /// A fault with the given code and string.
    pub fn new(code: i32, string: impl Into<String>) -> Self {
        Fault {
            code,
            string: string.into(),
        }
    }

    /// `-32601`: no method called `name`.
    pub fn method_not_found(name: &str) -> Self {
        let shown = truncate_for_message(name, 200);
        Fault::new(
            codes::METHOD_NOT_FOUND,
            format!("method \"{shown}\" is not supported"),
        )
    }

    /// `-32602`: the parameters do not fit the method.
    pub fn invalid_params(msg: impl Into<String>) -> Self {
        Fault::new(codes::INVALID_PARAMS, msg)
    }

    /// `-32603`: the server failed while answering.
    pub fn internal(msg: impl Into<String>) -> Self {
        Fault::new(codes::INTERNAL_ERROR, msg)
    }

    /// `-32500`: an error of the application.
    pub fn application(msg: impl Into<String>) -> Self {
        Fault::new(codes::APPLICATION_ERROR, msg)
    }

    /// The fault as the struct that goes on the wire (and into multicall results).
    pub fn to_value(&self) -> Value {
        let mut s = Struct::with_capacity(2);
        s.insert("faultCode", Value::Int(self.code));
        s.insert("faultString", Value::String(self.string.clone()));
        Value::Struct(s)
    }

    /// Reads a fault struct; `None` if `value` is not one.
    pub fn from_value(value: &Value) -> Option<Fault> {
        let s = value.as_struct()?;
        let code = s.get("faultCode")?.as_i64()?;
        let string = match s.get("faultString") {
            Some(Value::String(text)) => text.clone(),
            None => String::new(),
            Some(_) => return None,
        };
        Some(Fault::new(i32::try_from(code).ok()?, string))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.string)
    }
}

impl std::error::Error for Fault {}

/// Shortens untrusted text quoted in a message (method names can be huge).
pub(crate) fn truncate_for_message(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}
