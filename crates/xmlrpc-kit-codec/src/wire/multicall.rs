//! `system.multicall` on the wire: the request is one array of
//! `{methodName, params}` structs; the response one array holding, in
//! order, a one-element array with each call's value or a
//! `{faultCode, faultString}` struct for each call that failed (Python's
//! shape). The client writes requests and reads responses with these; the
//! server reads requests and writes responses.
//!
//! ```
//! use xmlrpc_kit::wire::multicall;
//! use xmlrpc_kit::{Fault, Value};
//!
//! // The client's side: two calls in one request.
//! let params = multicall::request(vec![
//!     multicall::call("pow", vec![Value::Int(2), Value::Int(3)]),
//!     multicall::call("div", vec![Value::Int(1), Value::Int(0)]),
//! ]);
//! // The server's side: each call read, run, and its result written.
//! let calls = multicall::read_request(params).unwrap();
//! let answers: Vec<Value> = calls
//!     .into_iter()
//!     .enumerate()
//!     .map(|(i, call)| match multicall::read_call(call, i + 1).unwrap() {
//!         (method, _) if method == "pow" => multicall::result(Ok(Value::Int(8))),
//!         _ => multicall::result(Err(Fault::application("integer division by zero"))),
//!     })
//!     .collect();
//! // The client reads one result per call, in order.
//! let results = multicall::read_results(Value::Array(answers), 2).unwrap();
//! assert_eq!(results[0], Ok(Value::Int(8)));
//! assert_eq!(results[1].as_ref().unwrap_err().code, -32500);
//! ```

pub use crate::decode::{Batch, Request};
use crate::{
    ConvertError, DecodeError, DocumentLimits, EncodeError, EncodeOptions, Fault, Struct, Value,
    codes,
};

/// The `system.getCapabilities` entry in which a server says how many
/// calls one `system.multicall` may hold, so that a client can split a
/// larger batch: `{specUrl, specVersion: 1, maxCalls: n}`, the usual
/// `{specUrl, specVersion}` shape of a capability with one member more
/// ([`MAX_CALLS`]). Our server answers it (its
/// `DispatchOptions::max_multicall_calls`) whenever it serves
/// `system.multicall`; our client reads it ([`read_limit`]) before
/// sending a batch larger than its own default. Other clients, which
/// read only the entries they know, are not affected by it.
///
/// ```
/// use xmlrpc_kit::wire::multicall;
/// use xmlrpc_kit::{Struct, Value};
///
/// let mut capabilities = Struct::new();
/// capabilities.insert(multicall::LIMIT_CAPABILITY, multicall::limit_capability(1_000));
/// assert_eq!(multicall::read_limit(&Value::Struct(capabilities)), Some(1_000));
/// assert_eq!(multicall::read_limit(&Value::Struct(Struct::new())), None);
/// ```
pub const LIMIT_CAPABILITY: &str = "multicall_limit";

/// The member of the [`LIMIT_CAPABILITY`] entry that holds the most calls
/// one `system.multicall` may hold (an int).
pub const MAX_CALLS: &str = "maxCalls";

/// Where the [`LIMIT_CAPABILITY`] entry is described: its `specUrl`.
pub const LIMIT_SPEC_URL: &str =
    "https://docs.rs/xmlrpc-kit/latest/xmlrpc_kit/wire/multicall/constant.LIMIT_CAPABILITY.html";

/// The [`LIMIT_CAPABILITY`] entry for a limit of `max_calls` calls (an
/// int, so at most `i32::MAX`).
pub fn limit_capability(max_calls: usize) -> Value {
    let mut entry = Struct::with_capacity(3);
    entry.insert("specUrl", Value::String(LIMIT_SPEC_URL.to_owned()));
    entry.insert("specVersion", Value::Int(1));
    entry.insert(
        MAX_CALLS,
        Value::Int(i32::try_from(max_calls).unwrap_or(i32::MAX)),
    );
    Value::Struct(entry)
}

/// The most calls one `system.multicall` may hold, as a
/// `system.getCapabilities` answer says in its [`LIMIT_CAPABILITY`]
/// entry; `None` when it has no such entry or no positive figure in it.
pub fn read_limit(capabilities: &Value) -> Option<usize> {
    let Value::Struct(capabilities) = capabilities else {
        return None;
    };
    let Some(Value::Struct(entry)) = capabilities.get(LIMIT_CAPABILITY) else {
        return None;
    };
    match entry.get(MAX_CALLS)? {
        Value::Int(n) => usize::try_from(*n).ok(),
        Value::I8(n) => usize::try_from(*n).ok(),
        _ => None,
    }
    .filter(|n| *n > 0)
}

/// One call of a multicall request: `{methodName, params}`.
pub fn call(method: &str, params: Vec<Value>) -> Value {
    let mut call = Struct::with_capacity(2);
    call.insert("methodName", Value::String(method.to_owned()));
    call.insert("params", Value::Array(params));
    Value::Struct(call)
}

/// The parameters of a `system.multicall` request holding `calls` (each
/// made by [`call`]).
pub fn request(calls: Vec<Value>) -> Vec<Value> {
    vec![Value::Array(calls)]
}

/// Reads the parameters of a `system.multicall` request: its calls, each
/// still to be read with [`read_call`]. A fault -32602 if they are not one
/// array.
pub fn read_request(params: Vec<Value>) -> Result<Vec<Value>, Fault> {
    match <[Value; 1]>::try_from(params) {
        Ok([Value::Array(calls)]) => Ok(calls),
        _ => Err(Fault::invalid_params(format!(
            "{} takes one parameter: an array of {{methodName, params}} structs",
            super::names::MULTICALL
        ))),
    }
}

/// Reads call number `index` (from 1, for messages) of a request: its
/// method name and parameters, or a fault -32600 saying what is wrong.
pub fn read_call(call: Value, index: usize) -> Result<(String, Vec<Value>), Fault> {
    let bad = |what: &str| Fault::new(codes::INVALID_REQUEST, format!("call {index}: {what}"));
    let Value::Struct(members) = call else {
        return Err(bad("each call must be a struct {methodName, params}"));
    };
    // One pass, taking the two members out by value; others are ignored.
    let (mut method, mut params) = (None, None);
    for (name, value) in members {
        match name.as_str() {
            "methodName" => method = Some(value),
            "params" => params = Some(value),
            _ => {}
        }
    }
    let method = match method {
        Some(Value::String(name)) => name,
        Some(_) => return Err(bad("methodName must be a string")),
        None => return Err(bad("the struct has no methodName")),
    };
    let params = match params {
        Some(Value::Array(params)) => params,
        None => Vec::new(),
        Some(_) => return Err(bad("params must be an array")),
    };
    Ok((method, params))
}

/// One call's entry in the response: `[value]`, or the fault struct.
pub fn result(result: Result<Value, Fault>) -> Value {
    match result {
        Ok(value) => Value::Array(vec![value]),
        Err(fault) => fault.to_value(),
    }
}

/// Reads a `system.multicall` response made for `expected` calls: one
/// result or fault per call, in order. Each entry is a one-element array
/// holding the result, or a fault struct; an entry that is neither is
/// taken as a bare result, as supervisord sends them (its multicall does
/// not wrap results).
pub fn read_results(
    value: Value,
    expected: usize,
) -> Result<Vec<Result<Value, Fault>>, ConvertError> {
    let shape = "an array with one result or fault per call";
    let items = match value {
        Value::Array(items) if items.len() == expected => items,
        Value::Array(items) => {
            return Err(ConvertError {
                expected: shape,
                found: format!("{} entries for {expected} calls", items.len()),
            });
        }
        other => return Err(ConvertError::mismatch(shape, &other)),
    };
    Ok(items
        .into_iter()
        .map(|item| match item {
            Value::Array(mut one) if one.len() == 1 => Ok(one.remove(0)),
            other => match Fault::from_value(&other) {
                Some(fault) => Err(fault),
                None => Ok(other),
            },
        })
        .collect())
}

/// Decodes a `<methodCall>` document as [`decode_call`](crate::decode_call)
/// does, except that a `system.multicall` in the usual shape (one array
/// of `{methodName, params}` structs, a string name and an array of
/// parameters in each, every tag written plainly) comes back as a
/// [`Batch`] of its calls. In any other shape it comes back as a call,
/// read exactly as `decode_call` reads it, errors included.
///
/// ```
/// use xmlrpc_kit::wire::multicall::{self, Request};
/// use xmlrpc_kit::{DocumentLimits, Value};
///
/// let body = b"<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>\
///     <value><struct><member><name>methodName</name><value><string>pow</string></value></member>\
///     <member><name>params</name><value><array><data><value><int>2</int></value></data></array></value></member>\
///     </struct></value></data></array></value></param></params></methodCall>";
/// let Ok(Request::Batch(mut batch)) = multicall::decode_request(body, &DocumentLimits::default()) else {
///     panic!("not read as a batch");
/// };
/// let calls: Vec<_> = batch.drain().collect();
/// assert_eq!(calls, [("pow", vec![Value::Int(2)])]);
/// ```
pub fn decode_request(body: &[u8], limits: &DocumentLimits) -> Result<Request, DecodeError> {
    crate::decode::decode_request(body, limits, super::names::MULTICALL)
}

/// Writes the `<methodResponse>` of a multicall whose calls gave
/// `results`, in order, into a buffer that starts `capacity` bytes long
/// and may grow to `max_bytes` (past it, [`EncodeError::TooLarge`]):
/// byte for byte what [`encode_response_within`](crate::encode_response_within)
/// writes for the array of [`result`]s, without making that array.
///
/// ```
/// use xmlrpc_kit::wire::multicall;
/// use xmlrpc_kit::{EncodeOptions, Fault, Value, encode_response};
///
/// let results = vec![Ok(Value::Int(8)), Err(Fault::application("no"))];
/// let direct = multicall::encode_response(&results, &EncodeOptions::default(), 256, usize::MAX).unwrap();
/// let wrapped = Value::Array(results.into_iter().map(multicall::result).collect());
/// assert_eq!(direct, encode_response(&Ok(wrapped), &EncodeOptions::default()).unwrap());
/// ```
pub fn encode_response(
    results: &[Result<Value, Fault>],
    opts: &EncodeOptions,
    capacity: usize,
    max_bytes: usize,
) -> Result<Vec<u8>, EncodeError> {
    crate::encode::encode_multicall_response(results, opts, capacity, max_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_responses_round_trip() {
        let sent = vec![
            ("pow", vec![Value::Int(2), Value::Int(3)]),
            ("system.listMethods", vec![]),
        ];
        let params = request(sent.iter().map(|(m, p)| call(m, p.clone())).collect());
        let read: Vec<_> = read_request(params)
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(i, c)| read_call(c, i + 1).unwrap())
            .collect();
        let expected: Vec<_> = sent.into_iter().map(|(m, p)| (m.to_owned(), p)).collect();
        assert_eq!(read, expected);

        let answers = vec![Ok(Value::Int(8)), Err(Fault::new(1, "no"))];
        let response = Value::Array(answers.iter().cloned().map(result).collect());
        assert_eq!(read_results(response, 2).unwrap(), answers);
    }

    #[test]
    fn malformed_shapes_say_what_is_wrong() {
        assert_eq!(
            read_request(vec![]).unwrap_err().code,
            codes::INVALID_PARAMS
        );
        let cases = [
            (
                Value::Int(1),
                "call 3: each call must be a struct {methodName, params}",
            ),
            (
                Value::Struct(Struct::new()),
                "call 3: the struct has no methodName",
            ),
            (
                Value::Struct([("methodName", Value::Int(1))].into()),
                "call 3: methodName must be a string",
            ),
            (
                Value::Struct(
                    [
                        ("methodName", Value::String("f".into())),
                        ("params", Value::Int(1)),
                    ]
                    .into(),
                ),
                "call 3: params must be an array",
            ),
        ];
        for (call, message) in cases {
            let fault = read_call(call, 3).unwrap_err();
            assert_eq!(
                (fault.code, fault.string.as_str()),
                (codes::INVALID_REQUEST, message)
            );
        }
        let no_params = call("f", vec![]);
        assert_eq!(read_call(no_params, 1).unwrap(), ("f".to_owned(), vec![]));
        // Members in any order; others ignored.
        let reordered = Value::Struct(
            [
                ("params", Value::Array(vec![Value::Int(2)])),
                ("note", Value::Nil),
                ("methodName", Value::String("g".into())),
            ]
            .into(),
        );
        assert_eq!(
            read_call(reordered, 1).unwrap(),
            ("g".to_owned(), vec![Value::Int(2)])
        );
        assert_eq!(
            read_results(Value::Array(vec![Value::Int(1)]), 2)
                .unwrap_err()
                .to_string(),
            "expected an array with one result or fault per call, got 1 entries for 2 calls"
        );
        // supervisord's dialect: bare results beside standard faults.
        let fault = Fault::new(10, "BAD_NAME: nosuch");
        assert_eq!(
            read_results(Value::Array(vec![Value::Int(7), fault.to_value()]), 2).unwrap(),
            vec![Ok(Value::Int(7)), Err(fault)]
        );
    }
}
