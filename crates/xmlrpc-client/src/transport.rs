//! One POST, one response body: hyper's pooled HTTP/1.1 client (keep-alive,
//! connection reuse), TLS through rustls (the `tls` feature), gzip both
//! ways (the `gzip` feature), the size limit checked on `Content-Length`,
//! while streaming and while inflating.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use xmlrpc_codec::wire::{BodyLimits, ContentCoding, InflateError};

use crate::endpoint::Endpoint;
use crate::error::{Error, TransportError};

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;

/// The HTTP side of a client, shared by its clones.
#[derive(Debug)]
pub(crate) struct Transport {
    http: PooledClient<Connector, Full<Bytes>>,
    pub(crate) endpoint: Endpoint,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    /// The limits on response bodies.
    pub(crate) limits: BodyLimits,
    pub(crate) gzip_threshold: Option<usize>,
    pub(crate) accept_gzip: bool,
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
    pub(crate) extra_roots: Vec<Vec<u8>>,
}

/// The connector: plain TCP, and TLS when the `tls` feature is on.
#[cfg(feature = "tls")]
fn connector(http: HttpConnector, extra_roots: Vec<Vec<u8>>) -> Result<Connector, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for der in extra_roots {
        roots
            .add(rustls::pki_types::CertificateDer::from(der))
            .map_err(|e| Error::Config(format!("root certificate: {e}")))?;
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}

#[cfg(not(feature = "tls"))]
fn connector(http: HttpConnector, extra_roots: Vec<Vec<u8>>) -> Result<Connector, Error> {
    debug_assert!(extra_roots.is_empty(), "roots are only added with `tls`");
    Ok(http)
}

impl Transport {
    pub(crate) fn new(
        endpoint: Endpoint,
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
        let connector = connector(http, settings.extra_roots)?;
        let http = PooledClient::builder(TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Ok(Transport {
            http,
            endpoint,
            headers,
            timeout: settings.timeout,
            limits: settings.limits,
            gzip_threshold: settings.gzip_threshold,
            accept_gzip: settings.accept_gzip,
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

    async fn exchange(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        let target = &self.endpoint.target;
        let coding = ContentCoding::choose(body.len(), self.gzip_threshold, true);
        let body = coding.encode(body);

        let mut request = Request::post(self.endpoint.uri.clone())
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| TransportError::other(target, Box::new(e)))?;
        let headers = request.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
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
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }

        let response = self.http.request(request).await.map_err(|e| {
            if e.is_connect() {
                TransportError::connect(target, Box::new(e))
            } else {
                TransportError::other(target, Box::new(e))
            }
        })?;
        let status = response.status();
        let limit = self.limits.max_body_bytes;
        if status != StatusCode::OK {
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
        let coding = ContentCoding::from_header(
            response
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(HeaderValue::as_bytes),
        )
        .map_err(|e| TransportError::body(target, e.to_string(), None))?;
        let body = match Limited::new(response.into_body(), limit).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(TransportError::too_large(target, limit).into());
            }
            Err(e) => {
                return Err(TransportError::body(
                    target,
                    "the response body could not be read",
                    Some(e),
                )
                .into());
            }
        };
        coding
            .decode(body.into(), self.limits.max_inflated_bytes)
            .map_err(|e| match e {
                InflateError::TooLarge(limit) => TransportError::too_large(target, limit).into(),
                other => {
                    TransportError::body(target, "the gzip response is corrupt", Some(other.into()))
                        .into()
                }
            })
    }
}

const USER_AGENT: &str = concat!("xmlrpc-rs/", env!("CARGO_PKG_VERSION"));
