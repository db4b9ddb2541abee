//! One HTTP request → one HTTP response: path, method, length, gzip and
//! timeouts checked here, then the body handed to the path's dispatcher.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use xmlrpc_codec::{Fault, codes};
use xmlrpc_server::{Dispatcher, Documentation};

use crate::config::HttpConfig;
use xmlrpc_codec::gzip::{GunzipError, gunzip, gzip};

/// What answers one path: a dispatcher for POST, and the documentation
/// page for GET when the server documents itself.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) dispatcher: Dispatcher,
    pub(crate) page: Option<Page>,
}

/// The documentation page, rendered once, plain and gzipped.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    html: Bytes,
    gzipped: Bytes,
}

impl Endpoint {
    /// `dispatcher`, documented by `documentation` if given.
    pub(crate) fn new(dispatcher: Dispatcher, documentation: Option<&Documentation>) -> Self {
        let page = documentation.map(|doc| {
            let html = doc.render(dispatcher.methods()).into_bytes();
            Page {
                gzipped: Bytes::from(gzip(&html)),
                html: Bytes::from(html),
            }
        });
        Endpoint { dispatcher, page }
    }
}

/// Which endpoint answers which path.
#[derive(Debug, Clone)]
pub(crate) struct Routes {
    by_path: HashMap<String, Endpoint>,
    /// Answers every path (`rpc_paths` empty).
    any_path: Option<Endpoint>,
}

impl Routes {
    /// One endpoint on `paths`, or on every path when `paths` is empty.
    pub(crate) fn single(endpoint: Endpoint, paths: &[String]) -> Self {
        if paths.is_empty() {
            return Routes {
                by_path: HashMap::new(),
                any_path: Some(endpoint),
            };
        }
        Routes {
            by_path: paths
                .iter()
                .map(|p| (p.clone(), endpoint.clone()))
                .collect(),
            any_path: None,
        }
    }

    /// One endpoint per path.
    pub(crate) fn multi(endpoints: Vec<(String, Endpoint)>) -> Self {
        Routes {
            by_path: endpoints.into_iter().collect(),
            any_path: None,
        }
    }

    pub(crate) fn get(&self, path: &str) -> Option<&Endpoint> {
        self.by_path.get(path).or(self.any_path.as_ref())
    }

    /// Whether any endpoint serves a documentation page.
    pub(crate) fn documents(&self) -> bool {
        self.by_path
            .values()
            .chain(&self.any_path)
            .any(|e| e.page.is_some())
    }
}

/// What every connection of one server shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) routes: Routes,
    pub(crate) config: HttpConfig,
    /// Request bodies held at once, in KiB ([`Limits::max_buffered_body_bytes`]).
    body_budget: Arc<Semaphore>,
    /// Requests being processed ([`Limits::max_requests_in_flight`]).
    in_flight: Arc<Semaphore>,
}

impl Shared {
    pub(crate) fn new(routes: Routes, config: HttpConfig) -> Self {
        let kib = (config.limits.max_buffered_body_bytes / 1024).clamp(1, Semaphore::MAX_PERMITS);
        let in_flight = config
            .limits
            .max_requests_in_flight
            .clamp(1, Semaphore::MAX_PERMITS);
        Shared {
            routes,
            body_budget: Arc::new(Semaphore::new(kib)),
            in_flight: Arc::new(Semaphore::new(in_flight)),
            config,
        }
    }
}

/// The share of the body budget one request holds, grown as its body arrives.
struct Reservation {
    budget: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
}

impl Reservation {
    fn new(budget: &Arc<Semaphore>) -> Self {
        Reservation {
            budget: budget.clone(),
            held: None,
        }
    }

    /// Holds at least `bytes` of the budget, or refuses with 503.
    fn cover(&mut self, bytes: usize) -> Result<(), Refusal> {
        let want = bytes.div_ceil(1024);
        let have = self
            .held
            .as_ref()
            .map_or(0, OwnedSemaphorePermit::num_permits);
        if want <= have {
            return Ok(());
        }
        // Grow in steps of 64 KiB, so a streamed body does not ask per chunk.
        let more = (want - have).max(64).min(u32::MAX as usize) as u32;
        let permit = self
            .budget
            .clone()
            .try_acquire_many_owned(more)
            .map_err(|_| {
                Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server holds too many request bodies right now; try again later",
                )
            })?;
        match &mut self.held {
            Some(held) => held.merge(permit),
            None => self.held = Some(permit),
        }
        Ok(())
    }
}

/// The server as a hyper [`Service`](hyper::service::Service): every
/// check and behaviour of [`Server`](crate::Server), without its accept
/// loop. Mount it in an existing hyper or axum application, or serve any
/// byte stream with [`serve_connection`](Self::serve_connection).
///
/// ```
/// use xmlrpc_http::Server;
/// use xmlrpc_server::Methods;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i32, y: i32| x + y);
/// let service = Server::builder(methods).log_requests(false).into_service();
///
/// let (client, server) = tokio::io::duplex(4096);
/// tokio::spawn(async move { service.serve_connection(server).await });
/// # let _ = client;
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RpcService {
    pub(crate) shared: Arc<Shared>,
    pub(crate) peer: Option<SocketAddr>,
}

impl RpcService {
    /// The same service, logging `peer` as the client's address.
    #[must_use]
    pub fn with_peer(mut self, peer: SocketAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Serves HTTP/1.1 on `io` until the client closes it, with the
    /// server's timeouts (keep-alive, pipelining, header read timeout).
    pub async fn serve_connection<I>(&self, io: I) -> Result<(), hyper::Error>
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        http1_builder(&self.shared.config)
            .serve_connection(hyper_util::rt::TokioIo::new(io), self.clone())
            .await
    }
}

/// The HTTP/1 settings every connection of a server gets.
pub(crate) fn http1_builder(config: &HttpConfig) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(config.limits.header_read_timeout)
        .max_headers(config.limits.max_headers)
        .max_buf_size(config.limits.max_header_bytes.max(8192))
        .keep_alive(true)
        .pipeline_flush(false)
        // A client may shut down its writing side once its request is sent
        // (as `nc -N` does); it still gets its answer, as from Python's
        // server. Without this, hyper drops the response on reading that EOF.
        .half_close(true);
    http
}

type Reply = Response<Full<Bytes>>;

impl hyper::service::Service<Request<Incoming>> for RpcService {
    type Response = Reply;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Reply, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move { Ok(service.respond(request).await) })
    }
}

/// A refusal at the HTTP level: its status and a one-line explanation.
struct Refusal(StatusCode, String);

impl Refusal {
    fn new(status: StatusCode, text: impl Into<String>) -> Self {
        Refusal(status, text.into())
    }
}

impl RpcService {
    async fn respond(&self, request: Request<Incoming>) -> Reply {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let version = request.version();
        let (response, rpc_method) = match self.answer(request).await {
            Ok((response, rpc_method)) => (response, rpc_method),
            Err(Refusal(status, text)) => (plain(status, text), None),
        };
        if self.shared.config.log_requests {
            let length = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info!(
                target: "xmlrpc_http::access",
                "{} \"{} {} {:?}\" {} {} {} {:.3}ms",
                self.peer.map_or_else(|| "-".to_owned(), |p| p.ip().to_string()),
                method,
                path,
                version,
                response.status().as_u16(),
                length,
                rpc_method.as_deref().unwrap_or("-"),
                started.elapsed().as_secs_f64() * 1e3,
            );
        }
        response
    }

    async fn answer(&self, request: Request<Incoming>) -> Result<(Reply, Option<String>), Refusal> {
        let config = &self.shared.config;
        let routes = &self.shared.routes;
        let endpoint = routes.get(request.uri().path());
        let is_get = matches!(*request.method(), Method::GET | Method::HEAD);
        let dispatcher = match endpoint {
            Some(endpoint) if request.method() == Method::POST => &endpoint.dispatcher,
            Some(Endpoint {
                page: Some(page), ..
            }) if is_get => {
                return Ok((self.page(page, accepts_gzip(request.headers())), None));
            }
            None if request.method() == Method::POST || (is_get && routes.documents()) => {
                return Err(Refusal::new(StatusCode::NOT_FOUND, "No such page"));
            }
            _ => {
                return Err(Refusal::new(
                    StatusCode::NOT_IMPLEMENTED,
                    format!("Unsupported method ('{}')", request.method()),
                ));
            }
        };
        let limits = &config.limits;
        let headers = request.headers();
        let gzipped = content_is_gzipped(headers)?;
        let declared = check_length(headers, limits.max_body_bytes)?;
        let accepts_gzip = accepts_gzip(headers);
        let _in_flight = self
            .shared
            .in_flight
            .clone()
            .try_acquire_owned()
            .map_err(|_| {
                Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is processing too many requests; try again later",
                )
            })?;
        let mut reservation = Reservation::new(&self.shared.body_budget);
        reservation.cover(declared.unwrap_or(0))?;

        let read = read_body(
            request.into_body(),
            declared,
            limits.max_body_bytes,
            &mut reservation,
        );
        let body = match tokio::time::timeout(limits.body_read_timeout, read).await {
            Ok(body) => body?,
            Err(_) => {
                return Err(Refusal::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "the request body did not arrive in time",
                ));
            }
        };
        let body = if gzipped {
            let inflated = gunzip(&body, limits.max_inflated_bytes)
                .map_err(|e: GunzipError| Refusal::new(StatusCode::BAD_REQUEST, e.to_string()))?;
            reservation.cover(body.len() + inflated.len())?;
            inflated
        } else {
            body
        };

        let reply = match limits.call_timeout {
            None => dispatcher.handle_request(&body).await,
            Some(limit) => {
                match tokio::time::timeout(limit, dispatcher.handle_request(&body)).await {
                    Ok(reply) => reply,
                    Err(_) => dispatcher.fault_reply(
                        None,
                        Fault::new(
                            codes::INTERNAL_ERROR,
                            format!("the call took longer than the limit of {limit:?}"),
                        ),
                    ),
                }
            }
        };
        drop(body);
        drop(reservation);
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/xml");
        let payload = match config.gzip_threshold {
            Some(threshold) if accepts_gzip && reply.body.len() > threshold => {
                response = response.header(header::CONTENT_ENCODING, "gzip");
                gzip(&reply.body)
            }
            _ => reply.body,
        };
        let response = response
            .header(header::CONTENT_LENGTH, payload.len())
            .body(Full::new(Bytes::from(payload)))
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response"));
        Ok((response, reply.method))
    }
}

impl RpcService {
    fn page(&self, page: &Page, accepts_gzip: bool) -> Reply {
        let gzipped = accepts_gzip
            && self
                .shared
                .config
                .gzip_threshold
                .is_some_and(|threshold| page.html.len() > threshold);
        let body = if gzipped { &page.gzipped } else { &page.html };
        let mut response = Response::new(Full::new(body.clone()));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        if gzipped {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    }
}

fn too_large(limit: usize) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than the limit of {limit} bytes"),
    )
}

/// Reads the whole body, refusing it past `limit` bytes and holding
/// budget for what it has read.
async fn read_body(
    mut body: Incoming,
    declared: Option<usize>,
    limit: usize,
    reservation: &mut Reservation,
) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("the request body could not be read: {e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > limit {
                return Err(too_large(limit));
            }
            reservation.cover(out.len() + data.len())?;
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// A length must be given (or the body chunked), and must fit the limit;
/// returns the declared length.
fn check_length(headers: &HeaderMap, limit: usize) -> Result<Option<usize>, Refusal> {
    // With Transfer-Encoding, hyper frames the body by it and drops any
    // Content-Length (RFC 9112 §6.3), so the two cannot disagree here.
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return Ok(None);
    }
    let Some(length) = headers.get(header::CONTENT_LENGTH) else {
        return Err(Refusal::new(
            StatusCode::LENGTH_REQUIRED,
            "a POST needs a Content-Length or a chunked body",
        ));
    };
    // hyper has already refused lengths that are not plain decimal numbers.
    let length: u64 = length
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    if length > limit as u64 {
        return Err(too_large(limit));
    }
    Ok(Some(length as usize))
}

fn content_is_gzipped(headers: &HeaderMap) -> Result<bool, Refusal> {
    let Some(encoding) = headers.get(header::CONTENT_ENCODING) else {
        return Ok(false);
    };
    match encoding
        .to_str()
        .map(|e| e.trim().to_ascii_lowercase())
        .as_deref()
    {
        Ok("gzip" | "x-gzip") => Ok(true),
        Ok("identity" | "") => Ok(false),
        _ => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Encoding {encoding:?} is not supported (gzip and identity are)"),
        )),
    }
}

/// Whether `Accept-Encoding` lists gzip with a non-zero quality.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let zero = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !zero
        })
}

fn plain(status: StatusCode, text: impl Into<String>) -> Reply {
    let mut body = text.into();
    body.push('\n');
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if status == StatusCode::NOT_IMPLEMENTED {
        headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn accept_encoding_is_parsed() {
        assert!(accepts_gzip(&headers(&[("accept-encoding", "gzip")])));
        assert!(accepts_gzip(&headers(&[(
            "accept-encoding",
            "deflate, GZIP;q=0.5"
        )])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "gzip;q=0")])));
        assert!(!accepts_gzip(&headers(&[("accept-encoding", "br")])));
        assert!(!accepts_gzip(&headers(&[])));
    }

    #[test]
    fn lengths_are_checked_before_reading() {
        assert!(check_length(&headers(&[("content-length", "10")]), 10).is_ok());
        assert_eq!(
            check_length(&headers(&[("content-length", "11")]), 10)
                .unwrap_err()
                .0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            check_length(&headers(&[]), 10).unwrap_err().0,
            StatusCode::LENGTH_REQUIRED
        );
        assert!(check_length(&headers(&[("transfer-encoding", "chunked")]), 10).is_ok());
    }

    #[test]
    fn routes_pick_by_path() {
        let e = Endpoint::new(Dispatcher::new(xmlrpc_server::Methods::new()), None);
        let r = Routes::single(e.clone(), &["/RPC2".into()]);
        assert!(r.get("/RPC2").is_some() && r.get("/").is_none());
        assert!(!r.documents());
        assert!(Routes::single(e, &[]).get("/anything").is_some());
    }
}
