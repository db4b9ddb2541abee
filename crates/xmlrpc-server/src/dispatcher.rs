//! The dispatcher: a request body in, a response body out (Python's
//! `_marshaled_dispatch`). It knows nothing of sockets; every transport is
//! a thin adapter around [`Dispatcher::handle`].

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt as _;
use xmlrpc_codec::{
    EncodeOptions, Fault, Limits, OutputEncoding, Struct, Value, codes, decode_call,
    encode_response,
};

use crate::handler::Outcome;
use crate::methods::{Kind, Methods};

/// How a [`Dispatcher`] reads requests and writes responses.
///
/// ```
/// use xmlrpc_server::DispatchOptions;
/// let options = DispatchOptions::default().allow_none(true);
/// assert!(options.encode.allow_none);
/// assert_eq!(options.limits.max_multicall_calls, 1_000);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DispatchOptions {
    /// How responses are written: Python's `allow_none` (default off) and
    /// `encoding` (default UTF-8).
    pub encode: EncodeOptions,
    /// Limits on the request document (and the multicall size).
    pub limits: Limits,
}

impl DispatchOptions {
    /// Writes nil results as `<nil/>` (Python's `allow_none`).
    #[must_use]
    pub fn allow_none(mut self, allow: bool) -> Self {
        self.encode.allow_none = allow;
        self
    }
    /// Sets the responses' character encoding (Python's `encoding`).
    #[must_use]
    pub fn encoding(mut self, encoding: OutputEncoding) -> Self {
        self.encode.encoding = encoding;
        self
    }
    /// Sets [`limits`](Self::limits).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// What one request produced: the response body, plus what a request log
/// line needs.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The `<methodResponse>` document.
    pub body: Vec<u8>,
    /// The method called, if the request could be read.
    pub method: Option<String>,
    /// The fault code, if the answer is a fault.
    pub fault_code: Option<i32>,
}

/// Turns request bodies into response bodies for one method table.
///
/// Cheap to clone (an `Arc`), immutable while serving.
///
/// ```
/// use xmlrpc_server::{Dispatcher, Methods, Value};
///
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i64, y: i64| x + y);
/// let dispatcher = Dispatcher::new(methods);
///
/// // Socket-free calls, for tests:
/// let sum = futures::executor::block_on(dispatcher.call("add", vec![Value::Int(2), Value::Int(3)]));
/// assert_eq!(sum, Ok(Value::Int(5)));
///
/// // Bytes in, bytes out, for transports:
/// let body = b"<methodCall><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>";
/// let response = futures::executor::block_on(dispatcher.handle(body));
/// assert!(String::from_utf8(response).unwrap().contains("<int>5</int>"));
/// ```
#[derive(Debug, Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    methods: Methods,
    options: DispatchOptions,
}

impl Dispatcher {
    /// A dispatcher for `methods` with default options.
    pub fn new(methods: Methods) -> Self {
        Self::with_options(methods, DispatchOptions::default())
    }

    /// A dispatcher for `methods` with `options`.
    pub fn with_options(methods: Methods, options: DispatchOptions) -> Self {
        Dispatcher {
            inner: Arc::new(Inner { methods, options }),
        }
    }

    /// The method table.
    pub fn methods(&self) -> &Methods {
        &self.inner.methods
    }

    /// The options.
    pub fn options(&self) -> &DispatchOptions {
        &self.inner.options
    }

    /// Answers one request body with one response body. Never fails: every
    /// problem becomes a fault document.
    pub async fn handle(&self, body: &[u8]) -> Vec<u8> {
        self.handle_request(body).await.body
    }

    /// [`handle`](Self::handle), also telling which method was called and
    /// whether the answer is a fault.
    pub async fn handle_request(&self, body: &[u8]) -> Reply {
        let (method, result) = match decode_call(body, &self.inner.options.limits) {
            Ok(call) => {
                let result = self.call(&call.method, call.params).await;
                (Some(call.method), result)
            }
            Err(e) => (None, Err(e.to_fault())),
        };
        self.reply(method, result)
    }

    /// The reply a transport sends when it answers with `fault` itself (a
    /// call that ran out of time, say), encoded with this dispatcher's options.
    pub fn fault_reply(&self, method: Option<String>, fault: Fault) -> Reply {
        self.reply(method, Err(fault))
    }

    fn reply(&self, method: Option<String>, result: Result<Value, Fault>) -> Reply {
        let encoded = encode_response(&result, &self.inner.options.encode);
        let (body, fault_code) = match encoded {
            Ok(body) => (body, result.err().map(|f| f.code)),
            Err(e) => {
                let fault = Fault::internal(e.to_string());
                let body = encode_response(&Err(fault), &self.inner.options.encode)
                    .expect("a fault always encodes");
                (body, Some(codes::INTERNAL_ERROR))
            }
        };
        Reply {
            body,
            method,
            fault_code,
        }
    }

    /// Calls `method` with `params` as if a request had named it.
    pub async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
        match self.inner.methods.get(method).map(|m| m.kind.clone()) {
            Some(Kind::Function(call)) => {
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| call(method, params)));
                finish_guarded(method, outcome).await
            }
            Some(Kind::Multicall) => self.multicall(params).await,
            Some(builtin) => self.introspect(&builtin, params),
            None => match self.inner.methods.instance() {
                Some(instance) => {
                    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        instance.dispatch(method, params)
                    }));
                    finish_guarded(method, outcome).await
                }
                None => Err(Fault::method_not_found(method)),
            },
        }
    }

    fn introspect(&self, kind: &Kind, params: Vec<Value>) -> Result<Value, Fault> {
        let methods = &self.inner.methods;
        let name_param = |what: &str| match params.as_slice() {
            [Value::String(name)] => Ok(name.clone()),
            _ => Err(Fault::invalid_params(format!(
                "{what} takes one string parameter: a method name"
            ))),
        };
        match kind {
            Kind::ListMethods => {
                if !params.is_empty() {
                    return Err(Fault::invalid_params(
                        "system.listMethods takes no parameters",
                    ));
                }
                Ok(Value::Array(
                    methods
                        .list_methods()
                        .into_iter()
                        .map(Value::String)
                        .collect(),
                ))
            }
            Kind::MethodHelp => {
                let name = name_param("system.methodHelp")?;
                methods
                    .method_help(&name)
                    .map(Value::String)
                    .ok_or_else(|| Fault::method_not_found(&name))
            }
            Kind::MethodSignature => {
                let name = name_param("system.methodSignature")?;
                match methods.method_signatures(&name) {
                    None => Err(Fault::method_not_found(&name)),
                    // The introspection specification's answer for "not declared".
                    Some(sigs) if sigs.is_empty() => Ok(Value::String("undef".into())),
                    Some(sigs) => Ok(Value::Array(
                        sigs.into_iter()
                            .map(|sig| Value::Array(sig.into_iter().map(Value::String).collect()))
                            .collect(),
                    )),
                }
            }
            Kind::Capabilities => {
                if !params.is_empty() {
                    return Err(Fault::invalid_params(
                        "system.getCapabilities takes no parameters",
                    ));
                }
                Ok(self.capabilities())
            }
            Kind::Function(_) | Kind::Multicall => unreachable!("handled by call"),
        }
    }

    fn capabilities(&self) -> Value {
        let spec = |url: &str, version: i32| {
            let mut s = Struct::new();
            s.insert("specUrl".into(), Value::String(url.into()));
            s.insert("specVersion".into(), Value::Int(version));
            Value::Struct(s)
        };
        let mut caps = Struct::new();
        caps.insert("xmlrpc".into(), spec("http://www.xmlrpc.com/spec", 1));
        caps.insert(
            "faults_interop".into(),
            spec(
                "http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php",
                20010516,
            ),
        );
        caps.insert(
            "introspect".into(),
            spec("http://xmlrpc-c.sourceforge.net/introspection.html", 1),
        );
        if self.inner.methods.contains("system.multicall") {
            caps.insert(
                "system.multicall".into(),
                spec("https://web.archive.org/web/20060624230303/http://www.xmlrpc.com/discuss/msgReader$1208?mode=topic", 1),
            );
        }
        if self.inner.options.encode.allow_none {
            caps.insert(
                "nil".into(),
                spec("http://ontosys.com/xml-rpc/extensions.php", 1),
            );
        }
        Value::Struct(caps)
    }

    async fn multicall(&self, params: Vec<Value>) -> Result<Value, Fault> {
        let calls = match <[Value; 1]>::try_from(params) {
            Ok([Value::Array(calls)]) => calls,
            _ => {
                return Err(Fault::invalid_params(
                    "system.multicall takes one parameter: an array of {methodName, params} structs",
                ));
            }
        };
        let max = self.inner.options.limits.max_multicall_calls;
        if calls.len() > max {
            return Err(Fault::new(
                codes::INVALID_REQUEST,
                format!(
                    "system.multicall holds {} calls, more than the limit of {max}",
                    calls.len()
                ),
            ));
        }
        let mut results = Vec::with_capacity(calls.len());
        for (index, call) in calls.into_iter().enumerate() {
            let result = match read_subcall(call, index + 1) {
                Ok((method, _)) if method == "system.multicall" => Err(Fault::new(
                    codes::INVALID_REQUEST,
                    format!("call {}: system.multicall cannot be nested", index + 1),
                )),
                Ok((method, params)) => Box::pin(self.call(&method, params)).await,
                Err(fault) => Err(fault),
            };
            results.push(match result {
                Ok(value) => Value::Array(vec![value]),
                Err(fault) => fault.to_value(),
            });
        }
        Ok(Value::Array(results))
    }
}

/// One `{methodName, params}` struct of a multicall.
fn read_subcall(call: Value, index: usize) -> Result<(String, Vec<Value>), Fault> {
    let bad = |what: &str| Fault::new(codes::INVALID_REQUEST, format!("call {index}: {what}"));
    let Value::Struct(mut members) = call else {
        return Err(bad("each call must be a struct {methodName, params}"));
    };
    let method = match members.swap_remove("methodName") {
        Some(Value::String(name)) => name,
        Some(_) => return Err(bad("methodName must be a string")),
        None => return Err(bad("the struct has no methodName")),
    };
    let params = match members.swap_remove("params") {
        Some(Value::Array(params)) => params,
        None => Vec::new(),
        Some(_) => return Err(bad("params must be an array")),
    };
    Ok((method, params))
}

/// Finishes a call whose start may have panicked, catching a panic of its
/// future too: a panicking handler answers -32603 and the server goes on.
async fn finish_guarded(
    method: &str,
    started: std::thread::Result<Outcome>,
) -> Result<Value, Fault> {
    let finished = match started {
        Ok(Outcome::Ready(result)) => Ok(result),
        Ok(Outcome::Pending(future)) => AssertUnwindSafe(future).catch_unwind().await,
        Err(panic) => Err(panic),
    };
    finished.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        tracing::error!(method, panic = %message, "handler panicked");
        Err(Fault::internal(format!(
            "internal error while running method \"{method}\""
        )))
    })
}
