//! The async client (Python's `ServerProxy`), its builder, and multicall batches.

use std::sync::Arc;
use std::time::Duration;

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use xmlrpc_kit_codec::wire::{multicall, names};
use xmlrpc_kit_codec::{
    EncodeOptions, Fault, FromValue, IntoParams, MethodCall, OutputEncoding, Value,
    decode_response, encode_call,
};

use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::limits::ResponseLimits;
use crate::transport::{Transport, TransportSettings};

/// Configures a [`Client`] (or a [`blocking::Client`](crate::blocking::Client))
/// before it is built. Every setting has a default:
///
/// | setting | default | Python's `ServerProxy` |
/// | --- | --- | --- |
/// | [`timeout`](Self::timeout) (whole call) | none | none |
/// | [`connect_timeout`](Self::connect_timeout) | 10 s | none |
/// | [`allow_none`](Self::allow_none) | off | `allow_none=False` |
/// | [`encoding`](Self::encoding) of requests | UTF-8 | `encoding=None` (UTF-8) |
/// | [`gzip_threshold`](Self::gzip_threshold) of requests | never | `Transport.encode_threshold = None` |
/// | [`accept_gzip`](Self::accept_gzip) responses | on | on |
/// | [`limits`](Self::limits) on responses: body 20 MiB as sent and inflated, the document limits | [`ResponseLimits::default()`] (the server's) | none |
/// | [`pool_idle_timeout`](Self::pool_idle_timeout) | 90 s | one connection, kept |
///
/// ```no_run
/// use std::time::Duration;
/// use xmlrpc_kit::Client;
///
/// let client = Client::builder("https://user:secret@example.com/RPC2")
///     .timeout(Duration::from_secs(5))
///     .allow_none(true)
///     .gzip_threshold(Some(1400))
///     .header("X-Request-Source", "docs")
///     .build()?;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    url: String,
    encode: EncodeOptions,
    limits: ResponseLimits,
    headers: Vec<(String, String)>,
    basic_auth: Option<(String, String)>,
    roots: Vec<Vec<u8>>,
    bad_certificate: Option<String>,
    /// The client's certificate chain and key (PEM), for mutual TLS.
    client_identity: Option<(Vec<u8>, Vec<u8>)>,
    inspector: Option<Inspector>,
    settings: Settings,
}

/// Which document an [`inspect`](ClientBuilder::inspect) callback is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The request, as encoded (before any gzip).
    Request,
    /// The response body, as received (after inflating gzip).
    Response,
}

type InspectFn = dyn Fn(Direction, &[u8]) + Send + Sync;

#[derive(Clone)]
struct Inspector(Arc<InspectFn>);

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inspector(..)")
    }
}

#[derive(Debug, Clone)]
struct Settings {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    pool_idle_timeout: Duration,
    gzip_threshold: Option<usize>,
    accept_gzip: bool,
    cookies: bool,
}

impl ClientBuilder {
    fn new(url: &str) -> Self {
        ClientBuilder {
            url: url.to_owned(),
            encode: EncodeOptions::default(),
            limits: ResponseLimits::default(),
            headers: Vec::new(),
            basic_auth: None,
            roots: Vec::new(),
            bad_certificate: None,
            client_identity: None,
            inspector: None,
            settings: Settings {
                timeout: None,
                connect_timeout: Some(Duration::from_secs(10)),
                pool_idle_timeout: Duration::from_secs(90),
                gzip_threshold: None,
                accept_gzip: true,
                cookies: false,
            },
        }
    }

    /// The most time one call may take, from connecting to the last byte of
    /// the response; `None` waits as long as the server takes.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.timeout = timeout.into();
        self
    }

    /// The most time connecting (TCP, then TLS) may take.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.connect_timeout = timeout.into();
        self
    }

    /// How long an unused connection stays open for the next call.
    pub fn pool_idle_timeout(mut self, idle: Duration) -> Self {
        self.settings.pool_idle_timeout = idle;
        self
    }

    /// Allows [`Value::Nil`] (and `None`) in parameters, written `<nil/>`
    /// (Python's `allow_none`). Responses may hold nil either way.
    pub fn allow_none(mut self, allow: bool) -> Self {
        self.encode.allow_none = allow;
        self
    }

    /// How requests spell extensions, doubles and dates; see
    /// [`Dialect`](xmlrpc_kit_codec::Dialect) (default Python's). A parameter
    /// the dialect cannot send is an [`Error::Encode`] before anything is
    /// sent.
    pub fn dialect(mut self, dialect: xmlrpc_kit_codec::Dialect) -> Self {
        self.encode.dialect = dialect;
        self
    }

    /// The character encoding of requests (Python's `encoding`).
    pub fn encoding(mut self, encoding: OutputEncoding) -> Self {
        self.encode.encoding = encoding;
        self
    }

    /// Sets the size above which request bodies are gzipped (Python's
    /// `Transport.encode_threshold`; Python's server and ours accept
    /// them), as the server's setting of the same name does for responses;
    /// `None` never compresses. (The `gzip` feature.)
    #[cfg(feature = "gzip")]
    pub fn gzip_threshold(mut self, bytes: Option<usize>) -> Self {
        self.settings.gzip_threshold = bytes;
        self
    }

    /// Sends `Accept-Encoding: gzip`, so a server may gzip large responses.
    /// (The `gzip` feature; without it no gzip is asked for.)
    #[cfg(feature = "gzip")]
    pub fn accept_gzip(mut self, accept: bool) -> Self {
        self.settings.accept_gzip = accept;
        self
    }

    /// The largest response body accepted, as sent and once inflated (sets
    /// both of [`ResponseLimits::body`]).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.limits.body.max_body_bytes = bytes;
        self.limits.body.max_inflated_bytes = bytes;
        self
    }

    /// Limits on responses: the body as sent and inflated, and the
    /// document (nesting depth, items, string sizes); see [`ResponseLimits`].
    pub fn limits(mut self, limits: ResponseLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Keeps the cookies the server sets and sends them back with every
    /// later call (of this client and its clones), for APIs that keep a
    /// session in a cookie after a login call. Off by default. The jar is
    /// the client's own (it talks to one server): `Domain`, `Path` and
    /// expiry dates are not consulted; a cookie is replaced by a new one of
    /// the same name and removed by `Max-Age=0`.
    pub fn cookies(mut self, keep: bool) -> Self {
        self.settings.cookies = keep;
        self
    }

    /// Adds a header to every request; it replaces one the client would send.
    /// An invalid name or value is reported by [`build`](Self::build).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends basic-auth credentials (instead of those in the URL's user info).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// Trusts a certificate authority (DER) besides the Mozilla roots
    /// bundled with the client.
    #[cfg(feature = "tls")]
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots.push(der.into());
        self
    }

    /// Trusts every certificate in a PEM file's text besides the bundled
    /// roots; a text with none is reported by [`build`](Self::build).
    #[cfg(feature = "tls")]
    pub fn add_root_certificates_pem(mut self, pem: &[u8]) -> Self {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject as _;
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            match cert {
                Ok(cert) => {
                    self.roots.push(cert.to_vec());
                    found += 1;
                }
                Err(e) => {
                    self.bad_certificate = Some(format!("PEM certificate: {e}"));
                    return self;
                }
            }
        }
        if found == 0 {
            self.bad_certificate = Some("no PEM certificate found".into());
        }
        self
    }

    /// Presents a client certificate (mutual TLS, as build systems such as
    /// Koji require): `certificate_chain` holds the certificate and any
    /// intermediates, `private_key` its key (PKCS#8, PKCS#1 or SEC1), both
    /// PEM. A text that holds neither is reported by [`build`](Self::build).
    #[cfg(feature = "tls")]
    pub fn client_certificate_pem(mut self, certificate_chain: &[u8], private_key: &[u8]) -> Self {
        self.client_identity = Some((certificate_chain.to_vec(), private_key.to_vec()));
        self
    }

    /// Shows `callback` every request document before it is sent and every
    /// response body once received: for logging, or a tool that prints the
    /// exact XML (as `xmlrpc-kit call --xml` does).
    ///
    /// ```
    /// use xmlrpc_kit::Client;
    /// use xmlrpc_kit::client::Direction;
    /// let client = Client::builder("http://127.0.0.1:8000/RPC2")
    ///     .inspect(|direction, body| {
    ///         let arrow = if direction == Direction::Request { ">" } else { "<" };
    ///         eprintln!("{arrow} {}", String::from_utf8_lossy(body));
    ///     })
    ///     .build()?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn inspect(mut self, callback: impl Fn(Direction, &[u8]) + Send + Sync + 'static) -> Self {
        self.inspector = Some(Inspector(Arc::new(callback)));
        self
    }

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
                client_identity: self.client_identity,
            },
        )?;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                encode: self.encode,
                limits: self.limits,
                url: crate::endpoint::redact(self.url.trim()),
                inspector: self.inspector,
            }),
        })
    }
}

/// An XML-RPC client for one server URL (Python's `ServerProxy`), async.
///
/// Cheap to clone: clones share one pool of kept-alive connections, so
/// concurrent calls each use their own connection and later calls reuse
/// them. Needs a tokio runtime; programs without one use the blocking
/// client (the `blocking` feature). As Python's `ServerProxy` does, a
/// call whose connection the server closes (or resets) before any of the
/// answer came, as servers that drop a kept-alive connection without
/// saying `Connection: close` do, is sent once more on a new connection;
/// any other failure is returned as it is.
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
        let response = self.send_raw(body).await?;
        self.decode_response(&response)
    }

    /// Writes the request document for a call, with this client's
    /// `allow_none` and encoding: what [`call`](Self::call) sends.
    pub fn encode_call(&self, method: &str, params: Vec<Value>) -> Result<Vec<u8>, Error> {
        Ok(encode_call(
            &MethodCall::new(method, params),
            &self.inner.encode,
        )?)
    }

    /// Posts a request document as it is and returns the response body
    /// (inflated if it was gzipped). The building block under
    /// [`call`](Self::call), for tools that show the exact XML.
    pub async fn send_raw(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
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
        Ok(decode_response(body, &self.inner.limits.document)??)
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

    /// Starts a `system.multicall` batch: queue calls, send them in one
    /// request, get one result or fault per call, in order.
    ///
    /// ```no_run
    /// # async fn run(client: xmlrpc_kit::Client) -> Result<(), xmlrpc_kit::client::Error> {
    /// let mut batch = client.batch();
    /// batch.add("pow", (2, 3)).add("add", (1, 2)).add("div", (1, 0));
    /// for result in batch.send().await? {
    ///     match result {
    ///         Ok(value) => println!("{value:?}"),
    ///         Err(fault) => println!("{fault}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch<'_> {
        Batch::new(self)
    }
}

/// Calls queued for one `system.multicall` request; see [`Client::batch`].
/// `C` is the client that sends them: [`Client`], or the blocking one.
#[derive(Debug)]
#[must_use = "a batch does nothing until sent"]
pub struct Batch<'a, C = Client> {
    pub(crate) client: &'a C,
    pub(crate) calls: Vec<Value>,
}

impl<'a, C> Batch<'a, C> {
    pub(crate) fn new(client: &'a C) -> Self {
        Batch {
            client,
            calls: Vec::new(),
        }
    }

    /// Queues a call of `method` with `params`.
    pub fn add(&mut self, method: &str, params: impl IntoParams) -> &mut Self {
        self.calls
            .push(multicall::call(method, params.into_params()));
        self
    }

    /// The number of calls queued.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call is queued.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

impl Batch<'_, Client> {
    /// Sends every queued call in one `system.multicall` and returns one
    /// result or fault per call, in order. An empty batch sends nothing.
    ///
    /// The outer `Result` fails when the request as a whole fails (the
    /// transport, or a server without `system.multicall`: a fault).
    pub async fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        if self.calls.is_empty() {
            return Ok(Vec::new());
        }
        let expected = self.calls.len();
        let value = self
            .client
            .call_value(names::MULTICALL, multicall::request(self.calls))
            .await?;
        Ok(multicall::read_results(value, expected)?)
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
