//! [`ClientBuilder`]: a client's settings, each with its default, set
//! before it is built.
//!
//! The builder only records them: each client makes itself from them, the
//! async one in `client.rs` ([`build`](ClientBuilder::build)) and the
//! blocking one in `blocking.rs`.

use std::sync::Arc;
use std::time::Duration;

use xmlrpc_kit_codec::Protocol;
use xmlrpc_kit_codec::{EncodeOptions, OutputEncoding};
use xmlrpc_kit_transport::TraceContext;

use crate::limits::ResponseLimits;
use crate::proxy::Proxy;
use crate::retry::RetryPolicy;

/// Configures a [`Client`](crate::Client) (or a [`blocking::Client`](crate::blocking::Client))
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
/// | [`http2`](Self::http2) offered to TLS servers | on | HTTP/1.1 only |
/// | answers decoded on a blocking thread when larger than [`off_runtime_above`](Self::off_runtime_above) | 1 MiB | (no runtime) |
/// | [`proxy`](Self::proxy) | the environment's (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, as curl reads them) | none (Python's `urllib` reads them, its `ServerProxy` does not) |
/// | [`max_multicall_calls`](Self::max_multicall_calls) per request of a [`Batch`](crate::Batch), for a server that does not advertise its limit | 1,000 (our server's default limit) | one request per `MultiCall` |
/// | [`retry`](Self::retry) of failed calls | none: each call sent once (but see [`Client`](crate::Client) on closed kept-alive connections) | none |
/// | [`trace_context`](Self::trace_context) sent (`traceparent`, `tracestate`) | the request being answered's, as a child ([`TraceContext::current`]) | none |
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
    pub(crate) url: String,
    pub(crate) encode: EncodeOptions,
    pub(crate) limits: ResponseLimits,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) basic_auth: Option<(String, String)>,
    pub(crate) roots: Vec<Vec<u8>>,
    pub(crate) trusted_roots: TrustedRoots,
    pub(crate) bad_certificate: Option<String>,
    /// The client's certificate chain and key (PEM), for mutual TLS.
    pub(crate) client_identity: Option<(Vec<u8>, Vec<u8>)>,
    pub(crate) inspector: Option<Inspector>,
    pub(crate) head_inspector: Option<HeadInspector>,
    pub(crate) trace_source: Option<TraceSource>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) settings: Settings,
}

/// Which certificate authorities an `https://` client trusts, besides any
/// added with [`add_root_certificates_pem`](ClientBuilder::add_root_certificates_pem).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustedRoots {
    /// The system's (as Python's `ServerProxy` does): its store on macOS
    /// and Windows, `/etc/ssl/certs` and the like elsewhere, or the file
    /// and folder `SSL_CERT_FILE` and `SSL_CERT_DIR` name. The default.
    #[default]
    System,
    /// Mozilla's roots, bundled with the client (`webpki-roots`): the same
    /// on every machine.
    Mozilla,
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
pub(crate) struct Inspector(pub(crate) Arc<InspectFn>);

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inspector(..)")
    }
}

/// The head of one HTTP message a client sent or received, as an
/// [`inspect_heads`](ClientBuilder::inspect_heads) callback is shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpHead {
    /// The request line (`POST /RPC2 HTTP/1.1`; through a proxy, the URL
    /// whole) or the status line (`HTTP/1.1 200 OK`, `HTTP/2.0 200 OK`).
    pub line: String,
    /// Each header in order, as sent or received; a value that is not
    /// UTF-8 is shown with U+FFFD for its bad bytes. A request's holds the
    /// `Host` and `Content-Length` the HTTP stack adds.
    pub headers: Vec<(String, String)>,
}

type HeadFn = dyn Fn(Direction, &HttpHead) + Send + Sync;

#[derive(Clone)]
pub(crate) struct HeadInspector(pub(crate) Arc<HeadFn>);

impl std::fmt::Debug for HeadInspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeadInspector(..)")
    }
}

type TraceFn = dyn Fn() -> Option<TraceContext> + Send + Sync;

/// Where a client's calls take the trace context they send.
#[derive(Clone)]
pub(crate) struct TraceSource(pub(crate) Arc<TraceFn>);

impl std::fmt::Debug for TraceSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TraceSource(..)")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) gzip_threshold: Option<usize>,
    pub(crate) accept_gzip: bool,
    pub(crate) cookies: bool,
    pub(crate) max_multicall_calls: usize,
    pub(crate) proxy: Proxy,
    pub(crate) http2: bool,
    pub(crate) off_runtime_above: Option<usize>,
    pub(crate) protocol: Protocol,
}

impl ClientBuilder {
    pub(crate) fn new(url: &str) -> Self {
        ClientBuilder {
            url: url.to_owned(),
            encode: EncodeOptions::default(),
            limits: ResponseLimits::default(),
            headers: Vec::new(),
            basic_auth: None,
            roots: Vec::new(),
            trusted_roots: TrustedRoots::System,
            bad_certificate: None,
            client_identity: None,
            inspector: None,
            head_inspector: None,
            trace_source: None,
            retry: None,
            settings: Settings {
                timeout: None,
                connect_timeout: Some(Duration::from_secs(10)),
                pool_idle_timeout: Duration::from_secs(90),
                gzip_threshold: None,
                accept_gzip: true,
                cookies: false,
                max_multicall_calls: 1_000,
                proxy: Proxy::from_env(),
                http2: true,
                off_runtime_above: Some(1 << 20),
                protocol: Protocol::XmlRpc,
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

    /// Sends failed calls again as `policy` says: which failures (for
    /// which methods), how long to wait, and when to give up. By default
    /// each call is sent once. See [`RetryPolicy`], and why calls of
    /// methods not marked idempotent are retried only when they cannot
    /// have reached the server.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use xmlrpc_kit::Client;
    /// use xmlrpc_kit::client::RetryPolicy;
    ///
    /// let client = Client::builder("http://127.0.0.1:9001/RPC2")
    ///     .retry(
    ///         RetryPolicy::new()
    ///             .max_attempts(4)
    ///             .deadline(Duration::from_secs(10))
    ///             .idempotent_if(|method| method.starts_with("supervisor.get")),
    ///     )
    ///     .build()?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets the HTTP proxy calls go through (default: the one the
    /// environment's `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY` name, read when the client is built; see [`Proxy`]).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.settings.proxy = proxy;
        self
    }

    /// The most calls a [`Batch`](crate::Batch) puts in one
    /// `system.multicall` request, for a server that does not advertise
    /// its limit in `system.getCapabilities` (one that does is believed,
    /// above or below this). Default 1,000, our server's default limit
    /// (Python's server has none; others may, unadvertised). A batch of
    /// at most this many calls is sent without asking the server for its
    /// limit. 0 counts as 1.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
    /// use xmlrpc_kit::Client;
    ///
    /// let client = Client::builder("http://127.0.0.1:8000/RPC2")
    ///     .max_multicall_calls(200)
    ///     .build()?;
    /// let mut batch = client.batch();
    /// for i in 0..1_000 {
    ///     batch.add("add", (i, 1));
    /// }
    /// // Five requests of 200 calls, unless the server advertises a limit.
    /// let sums = batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn max_multicall_calls(mut self, calls: usize) -> Self {
        self.settings.max_multicall_calls = calls.max(1);
        self
    }

    /// Speaks `protocol` (the `json-rpc` feature): XML-RPC (the default),
    /// or JSON-RPC 2.0, each call a request object numbered by the client
    /// and posted as `application/json`, each [`Batch`](crate::Batch) a
    /// JSON-RPC batch (split as the server's limit asks, as a multicall
    /// is). Values take the JSON forms
    /// [`json_rpc`](xmlrpc_kit_codec::json_rpc) describes; an error object
    /// is a [`Fault`](xmlrpc_kit_codec::Fault) with its code and message.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
    /// use xmlrpc_kit::{Client, Protocol};
    ///
    /// let client = Client::builder("http://127.0.0.1:8000/RPC2")
    ///     .protocol(Protocol::JsonRpc)
    ///     .build()?;
    /// let sum: i64 = client.call("add", (2, 3)).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "json-rpc")]
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.settings.protocol = protocol;
        self
    }

    /// Offers HTTP/2 to `https://` servers (by ALPN, in the TLS
    /// handshake), or HTTP/1.1 only: a server that picks HTTP/2 (as many
    /// behind CDNs and proxies do) takes every call of the client on one
    /// connection, each a stream of its own. Default: on (the `tls`
    /// feature; plain `http://` is always HTTP/1.1).
    pub fn http2(mut self, offer: bool) -> Self {
        self.settings.http2 = offer;
        self
    }

    /// Answers larger than `bytes` are decoded (and, gzipped, inflated)
    /// on one of tokio's blocking threads (`spawn_blocking`), not on the
    /// runtime's: a 100 MB answer takes a core for a second or so, and the
    /// runtime's other tasks, small calls among them, go on meanwhile.
    /// `None` decodes every answer on the calling task. Default: 1 MiB (a
    /// blocking thread costs some 10 µs; a 1 MiB answer decodes in a few
    /// milliseconds).
    pub fn off_runtime_above(mut self, bytes: Option<usize>) -> Self {
        self.settings.off_runtime_above = bytes;
        self
    }

    /// How long an unused connection stays open for the next call.
    pub fn pool_idle_timeout(mut self, idle: Duration) -> Self {
        self.settings.pool_idle_timeout = idle;
        self
    }

    /// Allows [`Value::Nil`](xmlrpc_kit_codec::Value::Nil) (and `None`) in parameters, written `<nil/>`
    /// (Python's `allow_none`). Responses may hold nil either way.
    pub fn allow_none(mut self, allow: bool) -> Self {
        self.encode.allow_none = allow;
        self
    }

    /// How requests spell extensions, doubles and dates; see
    /// [`Dialect`](xmlrpc_kit_codec::Dialect) (default Python's). A parameter
    /// the dialect cannot send is an [`Error::Encode`](crate::Error::Encode) before anything is
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

    /// Which certificate authorities an `https://` client trusts: the
    /// system's (the default) or Mozilla's bundled roots.
    #[cfg(feature = "tls")]
    pub fn trusted_roots(mut self, roots: TrustedRoots) -> Self {
        self.trusted_roots = roots;
        self
    }

    /// Trusts a certificate authority (DER) besides the
    /// [`trusted_roots`](Self::trusted_roots).
    #[cfg(feature = "tls")]
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.roots.push(der.into());
        self
    }

    /// Trusts every certificate in a PEM file's text besides the
    /// [`trusted_roots`](Self::trusted_roots); a text with none is
    /// reported by [`build`](Self::build).
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

    /// Calls `callback` with the head of each HTTP request as it is sent
    /// (each attempt) and of each response as it arrives, whatever its
    /// status: what `curl -v` shows (`xmlrpc-kit -v` shows them). SCGI
    /// calls have no HTTP head and are not shown.
    ///
    /// ```
    /// use xmlrpc_kit::Client;
    /// use xmlrpc_kit::client::Direction;
    /// let client = Client::builder("http://127.0.0.1:8000/RPC2")
    ///     .inspect_heads(|direction, head| {
    ///         let arrow = if direction == Direction::Request { ">" } else { "<" };
    ///         eprintln!("{arrow} {}", head.line);
    ///         for (name, value) in &head.headers {
    ///             eprintln!("{arrow} {name}: {value}");
    ///         }
    ///     })
    ///     .build()?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn inspect_heads(
        mut self,
        callback: impl Fn(Direction, &HttpHead) + Send + Sync + 'static,
    ) -> Self {
        self.head_inspector = Some(HeadInspector(Arc::new(callback)));
        self
    }

    /// Where each call takes the W3C trace context it sends
    /// (`traceparent`, and `tracestate` when there is one): `source`'s
    /// answer at the time of the call, sent as it is; `None` sends none.
    ///
    /// Without it, a call made while a server answers a request that
    /// carries a trace context (from a handler, say) sends that trace on
    /// with a new parent id ([`TraceContext::current`],
    /// [`TraceContext::child`]); any other call sends none. With
    /// OpenTelemetry, `source` gives the current span's context
    /// (`examples/opentelemetry.rs`), so that the server's spans are
    /// children of the caller's. A header of the same name set with
    /// [`header`](Self::header) replaces it.
    ///
    /// ```
    /// use xmlrpc_kit::Client;
    /// use xmlrpc_kit::trace::TraceContext;
    ///
    /// // Every call in one trace of the program's own.
    /// let trace = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// let client = Client::builder("http://127.0.0.1:8000/RPC2")
    ///     .trace_context(move || Some(trace.child()))
    ///     .build()?;
    /// // Or none at all, even from within a traced request.
    /// let untraced = Client::builder("http://127.0.0.1:8000/RPC2").trace_context(|| None).build()?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn trace_context(
        mut self,
        source: impl Fn() -> Option<TraceContext> + Send + Sync + 'static,
    ) -> Self {
        self.trace_source = Some(TraceSource(Arc::new(source)));
        self
    }
}
