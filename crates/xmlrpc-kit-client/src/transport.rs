//! One POST, one response body: hyper's pooled HTTP/1.1 client (keep-alive,
//! connection reuse), TLS through rustls (the `tls` feature), gzip both
//! ways (the `gzip` feature), the size limit checked on `Content-Length`,
//! while streaming and while inflating.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use xmlrpc_kit_codec::Protocol;
use xmlrpc_kit_transport::{BodyLimits, ContentCoding, InflateError, TraceContext};

use crate::builder::{Direction, HeadInspector, HttpHead, TraceSource, TrustedRoots};
use crate::cookies::Jar;
use crate::endpoint::{Endpoint, Route};
use crate::error::{Error, TransportError};
use crate::proxy::{Proxy, ToProxy};
#[cfg(feature = "tls")]
use hyper_util::client::legacy::connect::proxy::Tunnel;

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;

/// How a client's calls travel: pooled HTTP over TCP (and TLS), pooled
/// HTTP over a Unix socket, or SCGI (a connection per call).
#[derive(Debug)]
enum Carrier {
    Tcp(PooledClient<Connector, Full<Bytes>>),
    /// To an `http://` server through a proxy, the request in absolute form.
    Proxied(PooledClient<ToProxy, Full<Bytes>>),
    /// To an `https://` server through a proxy's `CONNECT` tunnel.
    #[cfg(feature = "tls")]
    Tunneled(PooledClient<hyper_rustls::HttpsConnector<Tunnel<HttpConnector>>, Full<Bytes>>),
    #[cfg(unix)]
    Unix(PooledClient<UnixConnector, Full<Bytes>>),
    Scgi,
}

/// Connects to one Unix socket whatever the URI says (`http://localhost/…`).
#[cfg(unix)]
#[derive(Debug, Clone)]
struct UnixConnector(std::sync::Arc<std::path::Path>);

#[cfg(unix)]
impl tower_service::Service<hyper::Uri> for UnixConnector {
    type Response = hyper_util::rt::TokioIo<tokio::net::UnixStream>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = std::io::Result<Self::Response>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let path = self.0.clone();
        Box::pin(async move {
            let stream = tokio::net::UnixStream::connect(&*path).await?;
            Ok(hyper_util::rt::TokioIo::new(stream))
        })
    }
}

/// The HTTP side of a client, shared by its clones.
#[derive(Debug)]
pub(crate) struct Transport {
    carrier: Carrier,
    connect_timeout: Option<Duration>,
    pub(crate) endpoint: Endpoint,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    /// The limits on response bodies.
    pub(crate) limits: BodyLimits,
    pub(crate) gzip_threshold: Option<usize>,
    pub(crate) accept_gzip: bool,
    /// The cookie jar, when the client keeps cookies.
    cookies: Option<Jar>,
    /// Where calls take the trace context they send, if not from the
    /// request being answered.
    trace_source: Option<TraceSource>,
    /// Gzipped answers larger than this are inflated on a blocking thread.
    inflate_off_runtime_above: Option<usize>,
    /// Shown each HTTP head sent and received.
    head_inspector: Option<HeadInspector>,
    /// The requests' `Content-Type`: their protocol's.
    content_type: &'static str,
}

/// What [`Transport::new`] needs beyond the endpoint and headers.
#[derive(Debug)]
pub(crate) struct TransportSettings {
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) limits: BodyLimits,
    pub(crate) gzip_threshold: Option<usize>,
    pub(crate) accept_gzip: bool,
    pub(crate) cookies: bool,
    pub(crate) extra_roots: Vec<Vec<u8>>,
    pub(crate) trusted_roots: TrustedRoots,
    /// The client's certificate chain and key (PEM), for mutual TLS.
    pub(crate) client_identity: Option<(Vec<u8>, Vec<u8>)>,
    pub(crate) trace_source: Option<TraceSource>,
    pub(crate) proxy: Proxy,
    /// Whether HTTP/2 is offered to TLS servers.
    pub(crate) http2: bool,
    /// Answers larger than this are inflated and decoded on a blocking
    /// thread.
    pub(crate) off_runtime_above: Option<usize>,
    pub(crate) head_inspector: Option<HeadInspector>,
    /// The protocol the calls speak.
    pub(crate) protocol: Protocol,
}

/// The connector: plain TCP, and TLS when the `tls` feature is on.
/// The certificate authorities `trusted` names.
#[cfg(feature = "tls")]
fn trusted(trusted: TrustedRoots) -> Result<rustls::RootCertStore, Error> {
    let mut roots = rustls::RootCertStore::empty();
    match trusted {
        TrustedRoots::Mozilla => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        TrustedRoots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
                return Err(Error::Config(format!(
                    "the system's trusted certificates: none found{}; \
                     use .trusted_roots(TrustedRoots::Mozilla) for the bundled ones",
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", why.join("; "))
                    }
                )));
            }
        }
    }
    Ok(roots)
}

#[cfg(feature = "tls")]
fn connector<C>(
    http: C,
    https: bool,
    settings: &TransportSettings,
) -> Result<hyper_rustls::HttpsConnector<C>, Error> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    // A client for http:// only never verifies a certificate.
    let mut roots = if https {
        trusted(settings.trusted_roots)?
    } else {
        rustls::RootCertStore::empty()
    };
    for der in settings.extra_roots.iter().cloned() {
        roots
            .add(rustls::pki_types::CertificateDer::from(der))
            .map_err(|e| Error::Config(format!("root certificate: {e}")))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots);
    let tls = match settings.client_identity.clone() {
        None => tls.with_no_client_auth(),
        Some((chain, key)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&chain)
                .collect::<Result<_, _>>()
                .map_err(|e| Error::Config(format!("client certificate: {e}")))?;
            if chain.is_empty() {
                return Err(Error::Config(
                    "client certificate: no PEM certificate found".into(),
                ));
            }
            let key = PrivateKeyDer::from_pem_slice(&key)
                .map_err(|e| Error::Config(format!("client key: {e}")))?;
            tls.with_client_auth_cert(chain, key)
                .map_err(|e| Error::Config(format!("client certificate: {e}")))?
        }
    };
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1();
    // HTTP/2 offered by ALPN, taken when the server picks it.
    Ok(if settings.http2 {
        builder.enable_http2().wrap_connector(http)
    } else {
        builder.wrap_connector(http)
    })
}

#[cfg(not(feature = "tls"))]
fn connector(
    http: HttpConnector,
    _https: bool,
    settings: &TransportSettings,
) -> Result<Connector, Error> {
    debug_assert!(
        settings.extra_roots.is_empty()
            && settings.client_identity.is_none()
            && settings.trusted_roots == TrustedRoots::System,
        "roots and client certificates are only set with `tls`"
    );
    // Plain HTTP is HTTP/1.1: HTTP/2 is only offered in a TLS handshake.
    let _ = settings.http2;
    Ok(http)
}

impl Transport {
    pub(crate) fn new(
        mut endpoint: Endpoint,
        headers: HeaderMap,
        settings: TransportSettings,
    ) -> Result<Transport, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(settings.connect_timeout);

        if endpoint.uri.scheme_str() == Some("https") && !cfg!(feature = "tls") {
            return Err(Error::Config(
                "https:// needs the client's `tls` feature".into(),
            ));
        }
        let mut pool = PooledClient::builder(TokioExecutor::new());
        pool.pool_idle_timeout(settings.pool_idle_timeout)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new());
        let https = endpoint.uri.scheme_str() == Some("https");
        let via = match endpoint.route {
            Route::Tcp => settings.proxy.route(&endpoint.uri)?,
            _ => None,
        };
        if let Some(via) = &via {
            // Messages name the proxy too: a refusal may be its.
            endpoint.target = format!("{} through the proxy {}", endpoint.target, via.shown());
        }
        let mut headers = headers;
        let carrier = match (&endpoint.route, via) {
            (Route::Tcp, None) => Carrier::Tcp(pool.build(connector(http, https, &settings)?)),
            (Route::Tcp, Some(via)) if !https => {
                if let Some(authorization) = via.authorization {
                    headers.insert(header::PROXY_AUTHORIZATION, authorization);
                }
                Carrier::Proxied(pool.build(ToProxy {
                    http,
                    proxy: via.proxy,
                }))
            }
            #[cfg(feature = "tls")]
            (Route::Tcp, Some(via)) => {
                let mut tunnel = Tunnel::new(via.proxy, http);
                if let Some(authorization) = via.authorization {
                    tunnel = tunnel.with_auth(authorization);
                }
                Carrier::Tunneled(pool.build(connector(tunnel, https, &settings)?))
            }
            #[cfg(not(feature = "tls"))]
            (Route::Tcp, Some(_)) => unreachable!("https:// was refused above without `tls`"),
            #[cfg(unix)]
            (Route::Unix(path), _) => {
                Carrier::Unix(pool.build(UnixConnector(path.as_path().into())))
            }
            #[cfg(not(unix))]
            (Route::Unix(_), _) => {
                return Err(Error::Config("Unix sockets need a Unix system".into()));
            }
            (Route::ScgiTcp(_) | Route::ScgiUnix(_), _) => Carrier::Scgi,
        };
        Ok(Transport {
            carrier,
            connect_timeout: settings.connect_timeout,
            endpoint,
            headers,
            timeout: settings.timeout,
            limits: settings.limits,
            gzip_threshold: settings.gzip_threshold,
            accept_gzip: settings.accept_gzip,
            cookies: settings.cookies.then(Jar::default),
            trace_source: settings.trace_source,
            // XML inflates ten to twenty times: a gzipped answer is
            // inflated off the runtime when it will likely be large.
            inflate_off_runtime_above: settings.off_runtime_above.map(|above| above / 16),
            head_inspector: settings.head_inspector,
            content_type: settings.protocol.content_type(),
        })
    }

    /// Posts `body` and returns the response body (inflated), within the
    /// call's timeout.
    pub(crate) async fn post(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        let exchange = self.exchange(body);
        match self.timeout {
            None => exchange.await,
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .map_err(|_| TransportError::timeout(&self.endpoint.target, limit))?,
        }
    }

    /// The trace context a call made now sends: its source's, or the
    /// request being answered's, as a child.
    fn trace_context(&self) -> Option<TraceContext> {
        match &self.trace_source {
            Some(TraceSource(source)) => source(),
            None => TraceContext::current().map(|trace| trace.child()),
        }
    }

    async fn exchange(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        let target = &self.endpoint.target;
        let trace = self.trace_context();
        let trace = trace.as_ref();
        let coding = ContentCoding::choose(body.len(), self.gzip_threshold, true);
        let body = Bytes::from(coding.encode(body));
        let (coding, body) = match &self.carrier {
            Carrier::Tcp(http) => self.post_over(http, body, coding, trace).await?,
            Carrier::Proxied(http) => self.post_over(http, body, coding, trace).await?,
            #[cfg(feature = "tls")]
            Carrier::Tunneled(http) => self.post_over(http, body, coding, trace).await?,
            #[cfg(unix)]
            Carrier::Unix(http) => self.post_over(http, body, coding, trace).await?,
            Carrier::Scgi => {
                let request = crate::scgi::ScgiCall {
                    body: body.into(),
                    coding,
                    accept_gzip: self.accept_gzip,
                    trace,
                    content_type: self.content_type,
                };
                crate::scgi::exchange(&self.endpoint, request, &self.limits, self.connect_timeout)
                    .await?
            }
        };
        let limit = self.limits.max_inflated_bytes;
        let inflated = match self.inflate_off_runtime_above {
            Some(above) if coding != ContentCoding::Identity && body.len() > above => {
                tokio::task::spawn_blocking(move || coding.decode(body, limit))
                    .await
                    .map_err(|e| off_runtime_failed(target, e))?
            }
            _ => coding.decode(body, limit),
        };
        inflated.map_err(|e| match e {
            InflateError::TooLarge(limit) => TransportError::too_large(target, limit).into(),
            InflateError::Corrupt(e) => {
                TransportError::body(target, "the gzip response is corrupt", Some(e.into())).into()
            }
            other => TransportError::body(target, other.to_string(), None).into(),
        })
    }

    /// Posts `body` through `http` and reads the answer, sending it once
    /// more on a new connection if a kept-alive one was closed before any
    /// of the answer came ([`closed_before_answering`]).
    async fn post_over<C>(
        &self,
        http: &PooledClient<C, Full<Bytes>>,
        body: Bytes,
        coding: ContentCoding,
        trace: Option<&TraceContext>,
    ) -> Result<(ContentCoding, Vec<u8>), Error>
    where
        C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
    {
        let mut response = http
            .request(self.shown(self.request(body.clone(), coding, trace)?))
            .await;
        if response.as_ref().is_err_and(closed_before_answering) {
            response = http
                .request(self.shown(self.request(body, coding, trace)?))
                .await;
        }
        if let (Some(HeadInspector(inspect)), Ok(response)) = (&self.head_inspector, &response) {
            let version = response.version();
            let status = response.status();
            let head = HttpHead {
                line: format!(
                    "{version:?} {} {}",
                    status.as_str(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_owned(),
                headers: header_list(response.headers()),
            };
            inspect(Direction::Response, &head);
        }
        self.read_response(response).await
    }

    /// `request`, shown to the head inspector if there is one: its line
    /// and headers with the `Host` and `Content-Length` hyper adds.
    fn shown(&self, request: Request<Full<Bytes>>) -> Request<Full<Bytes>> {
        let Some(HeadInspector(inspect)) = &self.head_inspector else {
            return request;
        };
        let uri = request.uri();
        // Through a proxy, hyper sends the URL whole (absolute form).
        let target = match (
            matches!(self.carrier, Carrier::Proxied(_)),
            uri.path_and_query(),
        ) {
            (true, _) => uri.to_string(),
            (false, Some(path)) => path.as_str().to_owned(),
            (false, None) => "/".to_owned(),
        };
        let mut headers = Vec::new();
        if !request.headers().contains_key(header::HOST) {
            if let Some(authority) = uri.authority() {
                headers.push(("host".to_owned(), authority.as_str().to_owned()));
            }
        }
        headers.extend(header_list(request.headers()));
        let length = hyper::body::Body::size_hint(request.body()).exact();
        if let Some(length) = length {
            headers.push(("content-length".to_owned(), length.to_string()));
        }
        let head = HttpHead {
            line: format!("{} {target} {:?}", request.method(), request.version()),
            headers,
        };
        inspect(Direction::Request, &head);
        request
    }

    /// The HTTP request for `body`, coded in `coding`, in `trace`.
    fn request(
        &self,
        body: Bytes,
        coding: ContentCoding,
        trace: Option<&TraceContext>,
    ) -> Result<Request<Full<Bytes>>, Error> {
        let target = &self.endpoint.target;
        let mut request = Request::post(self.endpoint.uri.clone())
            .body(Full::new(body))
            .map_err(|e| TransportError::other(target, Box::new(e)))?;
        let headers = request.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
        if self.accept_gzip && ContentCoding::GZIP_BUILT_IN {
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        }
        if let Some(coding) = coding.header_value() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        if let Some(auth) = &self.endpoint.authorization {
            headers.insert(header::AUTHORIZATION, auth.clone());
        }
        if let Some(cookie) = self.cookies.as_ref().and_then(Jar::header) {
            headers.insert(header::COOKIE, cookie);
        }
        if let Some(trace) = trace {
            // Printable ASCII, as `TraceContext` holds only that.
            let values = [
                ("traceparent", Some(trace.traceparent())),
                ("tracestate", trace.tracestate()),
            ];
            for (name, value) in values {
                if let Some(value) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
                    headers.insert(name, value);
                }
            }
        }
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        Ok(request)
    }

    /// The response's body and its coding, within the limits; a status
    /// other than 200 is an error that quotes the body's first line.
    async fn read_response(
        &self,
        response: Result<hyper::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error>,
    ) -> Result<(ContentCoding, Vec<u8>), Error> {
        let target = &self.endpoint.target;
        let response = response.map_err(|e| {
            if e.is_connect() {
                TransportError::connect(target, Box::new(e))
            } else if closed_before_answering(&e) {
                TransportError::closed(target, Box::new(e))
            } else {
                TransportError::other(target, Box::new(e))
            }
        })?;
        if let Some(jar) = &self.cookies {
            jar.store(response.headers());
        }
        let status = response.status();
        let limit = self.limits.max_body_bytes;
        if status != StatusCode::OK {
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| crate::retry::parse_retry_after(v, std::time::SystemTime::now()));
            // A little of the body says why (our server and Python's write a line).
            let snippet = Limited::new(response.into_body(), 4096)
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            return Err(TransportError::bad_status(
                target,
                status.as_u16(),
                status.canonical_reason().unwrap_or(""),
                &snippet,
            )
            .with_retry_after(retry_after)
            .into());
        }
        let length = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if length.is_some_and(|n| n > limit as u64) {
            return Err(TransportError::too_large(target, limit).into());
        }
        // Every Content-Encoding line, read as one list, as the server reads them.
        let coding = ContentCoding::from_headers(
            response
                .headers()
                .get_all(header::CONTENT_ENCODING)
                .iter()
                .map(HeaderValue::as_bytes),
        )
        .map_err(|e| TransportError::body(target, e.to_string(), None))?;
        // Frame by frame into a buffer of the declared length: a large
        // answer is copied a frame at a time, between which the runtime's
        // other tasks run, not in one piece at the end.
        let mut body = response.into_body();
        let mut bytes = Vec::with_capacity(length.map_or(0, |n| n as usize));
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                TransportError::body(
                    target,
                    "the response body could not be read",
                    Some(Box::new(e)),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > limit {
                    return Err(TransportError::too_large(target, limit).into());
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok((coding, bytes))
    }
}

const USER_AGENT: &str = concat!("xmlrpc-kit/", env!("CARGO_PKG_VERSION"));

/// Whether a request failed because its connection closed (or was reset)
/// before any of the answer came: what a server that closes a kept-alive
/// connection without saying so (`Connection: close`) does to the next
/// request on it. As Python's `xmlrpc.client` does, such a call is sent
/// once more, on a new connection; a connection refused, a timeout or an
/// answer cut short is not.
fn closed_before_answering(error: &hyper_util::client::legacy::Error) -> bool {
    if error.is_connect() {
        return false;
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
            if hyper.is_incomplete_message() {
                return true;
            }
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            );
        }
        source = cause.source();
    }
    false
}

/// The error of work given to a blocking thread that did not finish: a
/// panic goes on as one; a runtime shutting down is the call's failure.
pub(crate) fn off_runtime_failed(target: &str, failed: tokio::task::JoinError) -> Error {
    match failed.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(_) => TransportError::body(
            target,
            "the runtime stopped while the answer was being read",
            None,
        )
        .into(),
    }
}

/// `headers` as names and text values, in order.
fn header_list(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}
