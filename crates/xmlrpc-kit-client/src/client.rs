//! The async client (Python's `ServerProxy`): [`Client`], and its
//! builder's [`build`](ClientBuilder::build) that makes one.

use std::sync::Arc;
#[cfg(feature = "json-rpc")]
use std::sync::atomic::{AtomicU64, Ordering};

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use xmlrpc_kit_codec::wire::{multicall, names};
use xmlrpc_kit_codec::{
    EncodeOptions, FromValue, IntoParams, MethodCall, Protocol, Value, decode_response, encode_call,
};

use crate::builder::{ClientBuilder, Direction, Inspector};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::limits::ResponseLimits;
use crate::retry::RetryPolicy;
use crate::transport::{Transport, TransportSettings};

/// An XML-RPC client for one server URL (Python's `ServerProxy`), async.
///
/// Cheap to clone: clones share one pool of kept-alive connections, so
/// concurrent calls each use their own connection and later calls reuse
/// them. Needs a tokio runtime; programs without one use the blocking
/// client (the `blocking` feature). As Python's `ServerProxy` does, a
/// call whose connection the server closes (or resets) before any of the
/// answer came, as servers that drop a kept-alive connection without
/// saying `Connection: close` do, is sent once more on a new connection;
/// any other failure is returned as it is, unless the builder was given a
/// [`RetryPolicy`] (see there for which failures it retries and why only
/// for idempotent methods).
///
/// ```no_run
/// # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
/// use xmlrpc_kit::{Client, Value};
///
/// let client = Client::new("http://127.0.0.1:8000/RPC2")?;
/// let eight: i64 = client.call("pow", (2, 3)).await?;
/// let methods = client.list_methods().await?;
/// let echoed = client.call_value("echo", vec![Value::Array(vec![Value::Int(1), Value::Int(2)])]).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    encode: EncodeOptions,
    limits: ResponseLimits,
    url: String,
    inspector: Option<Inspector>,
    retry: Option<RetryPolicy>,
    /// Answers larger than this are decoded on a blocking thread.
    off_runtime_above: Option<usize>,
    /// Calls per multicall request when the server does not say.
    max_multicall_calls: usize,
    /// The server's multicall limit from `system.getCapabilities`, once
    /// asked: `None` inside when it did not say.
    multicall_limit: tokio::sync::OnceCell<Option<usize>>,
    /// The protocol calls speak.
    protocol: Protocol,
    /// The id of the next JSON-RPC request (its calls are numbered 1, 2, …).
    #[cfg(feature = "json-rpc")]
    next_id: AtomicU64,
}

impl Client {
    /// A client for `url` with every default (see [`ClientBuilder`]).
    ///
    /// The URL is read as Python reads it: `http` or `https`; user info
    /// (`http://user:pass@host/`) becomes basic auth; no path means `/RPC2`.
    pub fn new(url: &str) -> Result<Client, Error> {
        ClientBuilder::new(url).build()
    }

    /// Starts configuring a client for `url`.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// The server's URL as given (any password shown as `***`).
    pub fn url(&self) -> &str {
        &self.inner.url
    }

    /// Calls `method` with `params` (a tuple of Rust values, `()`, or a
    /// `Vec<Value>`) and converts the result to `R`.
    ///
    /// ```no_run
    /// # async fn run(client: xmlrpc_kit::Client) -> Result<(), xmlrpc_kit::client::Error> {
    /// let n: i64 = client.call("add", (2, 3)).await?;
    /// let names: Vec<String> = client.call("system.listMethods", ()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, Error> {
        let value = self.call_value(method, params.into_params()).await?;
        Ok(R::from_value(value)?)
    }

    /// Calls `method` with `params` and returns the result as a [`Value`].
    pub async fn call_value(&self, method: &str, params: Vec<Value>) -> Result<Value, Error> {
        let body = self.encode_call(method, params)?;
        let idempotent = self.is_idempotent(method);
        self.call_encoded(body, idempotent).await
    }

    /// Whether the retry policy, if any, counts `method` as idempotent.
    pub(crate) fn is_idempotent(&self, method: &str) -> bool {
        self.inner
            .retry
            .as_ref()
            .is_some_and(|policy| policy.is_idempotent(method))
    }

    /// The most calls to put in one `system.multicall` of a batch of
    /// `calls` calls: the server's limit when known, asked for when the
    /// batch is larger than the builder's `max_multicall_calls`, else
    /// that setting.
    pub(crate) async fn multicall_size(&self, calls: usize) -> Result<usize, Error> {
        let configured = self.inner.max_multicall_calls;
        let learned = match self.inner.multicall_limit.get() {
            Some(learned) => *learned,
            None if calls <= configured => None,
            None => self.learn_multicall_limit().await?,
        };
        Ok(learned.unwrap_or(configured))
    }

    /// Whether the server has been asked for its multicall limit.
    pub(crate) fn multicall_limit_known(&self) -> bool {
        self.inner.multicall_limit.initialized()
    }

    /// The server's multicall limit, asked for with
    /// `system.getCapabilities` the first time (once per client and its
    /// clones). An answer without one, a fault (no such method), an HTTP
    /// error status or an answer that is not XML-RPC mean "not said", and
    /// are kept as such; a failure to reach the server is returned, and
    /// the next batch asks again.
    pub(crate) async fn learn_multicall_limit(&self) -> Result<Option<usize>, Error> {
        let learned = self
            .inner
            .multicall_limit
            .get_or_try_init(|| async {
                match self.call_value(names::GET_CAPABILITIES, Vec::new()).await {
                    Ok(capabilities) => Ok(multicall::read_limit(&capabilities)),
                    Err(Error::Fault(_) | Error::Decode(_) | Error::Convert(_)) => Ok(None),
                    Err(Error::Transport(e)) if e.status().is_some() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(*learned)
    }

    /// Sends an encoded call and reads its answer, as the retry policy
    /// says for a call that is `idempotent` or not.
    pub(crate) async fn call_encoded(
        &self,
        body: Vec<u8>,
        idempotent: bool,
    ) -> Result<Value, Error> {
        let Some(policy) = &self.inner.retry else {
            let response = self.post(body).await?;
            return self.read_answer(response).await;
        };
        policy
            .run(
                &self.inner.transport.endpoint.target,
                idempotent,
                || async {
                    let response = self.post(body.clone()).await?;
                    self.read_answer(response).await
                },
            )
            .await
    }

    /// Sends an encoded request and returns the answer's body, as the
    /// retry policy says for a request that is `idempotent` or not.
    #[cfg(feature = "json-rpc")]
    pub(crate) async fn exchange_encoded(
        &self,
        body: Vec<u8>,
        idempotent: bool,
    ) -> Result<Vec<u8>, Error> {
        let Some(policy) = &self.inner.retry else {
            return self.post(body).await;
        };
        policy
            .run(&self.inner.transport.endpoint.target, idempotent, || {
                self.post(body.clone())
            })
            .await
    }

    /// The value of an answer: decoded on this task when small, on one of
    /// tokio's blocking threads when larger than the builder's
    /// [`off_runtime_above`](ClientBuilder::off_runtime_above), so that
    /// the runtime's other tasks go on meanwhile.
    async fn read_answer(&self, body: Vec<u8>) -> Result<Value, Error> {
        match self.inner.off_runtime_above {
            Some(above) if body.len() > above => {
                let inner = self.inner.clone();
                tokio::task::spawn_blocking(move || {
                    decode_answer(inner.protocol, &body, &inner.limits.document)
                })
                .await
                .map_err(|e| {
                    crate::transport::off_runtime_failed(&self.inner.transport.endpoint.target, e)
                })?
            }
            _ => self.decode_response(&body),
        }
    }

    /// Writes the request document for a call, with this client's
    /// `allow_none` and encoding: what [`call`](Self::call) sends.
    pub fn encode_call(&self, method: &str, params: Vec<Value>) -> Result<Vec<u8>, Error> {
        #[cfg(feature = "json-rpc")]
        if self.inner.protocol == Protocol::JsonRpc {
            let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
            return Ok(xmlrpc_kit_codec::json_rpc::encode_call(method, &params, id));
        }
        Ok(encode_call(
            &MethodCall::new(method, params),
            &self.inner.encode,
        )?)
    }

    /// Posts a request document as it is and returns the response body
    /// (inflated if it was gzipped). The building block under
    /// [`call`](Self::call), for tools that show the exact XML.
    ///
    /// Its method is not known, so a [`RetryPolicy`] retries only the
    /// failures that prove the request was not sent (connecting), and no
    /// fault (the body is not read).
    pub async fn send_raw(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        match &self.inner.retry {
            None => self.post(body).await,
            Some(policy) => {
                policy
                    .run(&self.inner.transport.endpoint.target, false, || {
                        self.post(body.clone())
                    })
                    .await
            }
        }
    }

    /// One attempt: posts `body`, showing it and the answer to the
    /// inspector.
    async fn post(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        let Some(Inspector(inspect)) = &self.inner.inspector else {
            return self.inner.transport.post(body).await;
        };
        inspect(Direction::Request, &body);
        let response = self.inner.transport.post(body).await?;
        inspect(Direction::Response, &response);
        Ok(response)
    }

    /// Reads a response document with this client's limits: its value, or
    /// [`Error::Fault`].
    pub fn decode_response(&self, body: &[u8]) -> Result<Value, Error> {
        decode_answer(self.inner.protocol, body, &self.inner.limits.document)
    }

    /// The protocol this client's calls speak.
    pub fn protocol(&self) -> Protocol {
        self.inner.protocol
    }

    /// Numbers `calls` JSON-RPC requests: the first id.
    #[cfg(feature = "json-rpc")]
    pub(crate) fn take_ids(&self, calls: usize) -> u64 {
        self.inner
            .next_id
            .fetch_add(calls as u64, Ordering::Relaxed)
    }

    /// The document limits answers are read within.
    #[cfg(feature = "json-rpc")]
    pub(crate) fn document_limits(&self) -> &xmlrpc_kit_codec::DocumentLimits {
        &self.inner.limits.document
    }

    /// `system.listMethods`: the names of the server's methods.
    pub async fn list_methods(&self) -> Result<Vec<String>, Error> {
        self.call(names::LIST_METHODS, ()).await
    }

    /// `system.methodHelp`: the help text of `method`.
    pub async fn method_help(&self, method: &str) -> Result<String, Error> {
        self.call(names::METHOD_HELP, (method,)).await
    }

    /// `system.methodSignature`: each signature of `method` as its result
    /// type followed by its parameter types; `None` when the server does not
    /// say (Python answers the string `signatures not supported`, others
    /// `undef`).
    pub async fn method_signature(&self, method: &str) -> Result<Option<Vec<Vec<String>>>, Error> {
        let value = self
            .call_value(
                names::METHOD_SIGNATURE,
                vec![Value::String(method.to_owned())],
            )
            .await?;
        read_signatures(value)
    }
}

impl ClientBuilder {
    /// Builds the async client. Fails on an invalid URL or setting; nothing
    /// is connected until the first call.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(problem) = self.bad_certificate {
            return Err(Error::Config(problem));
        }
        let mut endpoint = Endpoint::parse(&self.url)?;
        if let Some((user, password)) = &self.basic_auth {
            use base64::Engine as _;
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            endpoint.authorization = Some(
                HeaderValue::try_from(format!("Basic {token}"))
                    .map_err(|e| Error::Config(format!("basic auth: {e}")))?,
            );
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::try_from(name.as_str())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::try_from(value.as_str())
                .map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
            headers.insert(name, value);
        }
        let s = self.settings;
        let transport = Transport::new(
            endpoint,
            headers,
            TransportSettings {
                connect_timeout: s.connect_timeout,
                pool_idle_timeout: s.pool_idle_timeout,
                timeout: s.timeout,
                limits: self.limits.body.clone(),
                gzip_threshold: s.gzip_threshold,
                cookies: s.cookies,
                accept_gzip: s.accept_gzip,
                extra_roots: self.roots,
                trusted_roots: self.trusted_roots,
                client_identity: self.client_identity,
                trace_source: self.trace_source,
                proxy: s.proxy,
                http2: s.http2,
                off_runtime_above: s.off_runtime_above,
                head_inspector: self.head_inspector,
                protocol: s.protocol,
            },
        )?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                encode: self.encode,
                limits: self.limits,
                url: crate::endpoint::redact(self.url.trim()),
                inspector: self.inspector,
                retry: self.retry,
                off_runtime_above: s.off_runtime_above,
                max_multicall_calls: s.max_multicall_calls,
                multicall_limit: tokio::sync::OnceCell::new(),
                protocol: s.protocol,
                #[cfg(feature = "json-rpc")]
                next_id: AtomicU64::new(1),
            }),
        })
    }
}

/// The value of an answer in `protocol`, within `limits`, or its fault.
fn decode_answer(
    protocol: Protocol,
    body: &[u8],
    limits: &xmlrpc_kit_codec::DocumentLimits,
) -> Result<Value, Error> {
    match protocol {
        #[cfg(feature = "json-rpc")]
        Protocol::JsonRpc => Ok(xmlrpc_kit_codec::json_rpc::decode_reply(body, limits)?
            .result
            .map_err(Error::Fault)?),
        _ => Ok(decode_response(body, limits)??),
    }
}

/// Reads `system.methodSignature`'s answer: an array of signatures, or
/// anything else for "not declared".
fn read_signatures(value: Value) -> Result<Option<Vec<Vec<String>>>, Error> {
    match value {
        Value::Array(_) => Ok(Some(FromValue::from_value(value)?)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_read_or_absent() {
        let sig = Value::Array(vec![Value::Array(vec![
            Value::String("int".into()),
            Value::String("int".into()),
        ])]);
        assert_eq!(
            read_signatures(sig).unwrap(),
            Some(vec![vec!["int".to_owned(), "int".to_owned()]])
        );
        assert_eq!(
            read_signatures(Value::String("signatures not supported".into())).unwrap(),
            None
        );
    }
}
