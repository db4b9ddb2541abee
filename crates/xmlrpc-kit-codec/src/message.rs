//! What a document carries: a call ([`MethodCall`]) or a response
//! ([`Response`]: a value or a fault).

use crate::{Fault, Value};

/// A decoded `<methodCall>`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The method name, as sent (any Unicode, dots allowed).
    pub method: String,
    /// The parameters, in order.
    pub params: Vec<Value>,
}

impl MethodCall {
    /// A call of `method` with `params`.
    pub fn new(method: impl Into<String>, params: Vec<Value>) -> Self {
        MethodCall {
            method: method.into(),
            params,
        }
    }
}

/// A decoded `<methodResponse>`: the single result value, or a fault.
pub type Response = Result<Value, Fault>;
