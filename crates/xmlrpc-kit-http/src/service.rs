//! One HTTP request → one HTTP response: the route, the method, the body
//! (see [`body`](crate::body)), then the path's dispatcher, within the
//! call's time limit; one access-log line per request, in the request's
//! span.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::FutureExt as _;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response};
use xmlrpc_kit_codec::{Fault, codes};
use xmlrpc_kit_front::{
    AccessLog, Admitted, Correlation, Field, Page, Readiness, Rejection, RequestHead, admit,
    request_span,
};
use xmlrpc_kit_server::context::RequestContext;
use xmlrpc_kit_transport::ContentCoding;

use crate::admission::{AnswerHold, AnswersFull, Conn, RequestInProgress};
use crate::body::{self, BodyRead, BoxError, Refused};
use crate::connection_io::{Sliced, Unvectored};
use crate::drain;
use crate::http1::{HeaderTimer, http1_builder};
use crate::lifecycle::Stop;
use crate::response::{self, HttpResponse};
use crate::shared::{Shared, answers_full};

/// The server as a hyper [`Service`](hyper::service::Service): every
/// check and behaviour of [`Server`](crate::Server), without its accept
/// loop. Mount it in an existing hyper or axum application, or serve any
/// byte stream with [`serve_connection`](Self::serve_connection).
///
/// ```
/// use xmlrpc_kit::{Methods, Server};
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
    /// The connection's admission state, when the server's own listener
    /// accepted it.
    pub(crate) conn: Option<Arc<Conn>>,
}

impl RpcService {
    /// The same service, logging `peer` as the client's address.
    #[must_use]
    pub fn with_peer(mut self, peer: SocketAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Answers one SCGI request on `io` (as the server's `scgi://`
    /// listeners do: the header netstring read with limits, the body by
    /// the HTTP body policy, a CGI-style response), then shuts `io` down.
    pub async fn serve_scgi_connection<I>(&self, io: I)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
    {
        // Nothing stops it but the end of the request: the sender is gone.
        let never = tokio::sync::watch::channel(Stop::No).1;
        let conn = Conn::new(crate::admission::Clock::new());
        crate::scgi::serve_connection(io, self.peer, &self.shared, &conn, never).await;
    }

    /// Serves HTTP/1.1 on `io` until the client closes it, with the
    /// server's timeouts (keep-alive, pipelining, header read timeout).
    pub async fn serve_connection<I>(&self, io: I) -> Result<(), hyper::Error>
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        http1_builder(&self.shared.config, HeaderTimer::Hyper)
            .serve_connection(
                hyper_util::rt::TokioIo::new(Unvectored::new(io)),
                SlicedAnswers(self.clone()),
            )
            .await
    }

    /// The answer to `request`, counted as in progress on its connection
    /// until it is made.
    fn respond_on_connection(
        self,
        request: Request<Incoming>,
    ) -> impl Future<Output = Answer> + Send + 'static {
        let in_progress = self.conn.as_ref().map(Conn::start_request);
        self.respond(request, in_progress)
    }

    /// The answer to `request`; `in_progress` (the connection's count of
    /// requests in progress) is let go once it is made.
    async fn respond<B>(self, request: Request<B>, in_progress: Option<RequestInProgress>) -> Answer
    where
        B: hyper::body::Body + Send,
        B::Error: Into<BoxError>,
    {
        // What the access log line needs, taken only when there is one.
        // The URI and header value share the request's bytes: nothing is
        // copied.
        let logged = self.shared.config.log_requests.then(|| {
            (
                Instant::now(),
                request.method().clone(),
                request.uri().clone(),
                request.version(),
                request.headers().get(header::USER_AGENT).cloned(),
            )
        });
        let context = self.request_context(&request);
        let client = context.peer();
        let config = &self.shared.config;
        let correlation = Correlation::of(
            &context,
            self.peer.map(|p| p.ip()),
            &config.trusted_proxies,
            config.trace_context,
        );
        let span = request_span(
            &correlation,
            client,
            request.method().as_str(),
            request.uri().path(),
            config.on_request_span.as_ref(),
        );
        let context = context.with_trace(correlation.trace.clone(), span.clone());
        let (mut answer, refused) = match self.answer(request, context).await {
            Ok(answered) => (answered, false),
            Err(refused) => {
                let mut answer = Answer::plain(response::rejected(&refused.rejection));
                if refused.body_unread {
                    // hyper closes a connection whose request it did not
                    // read to its end: the answer says so.
                    answer
                        .response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                (answer, true)
            }
        };
        self.shared.after_answer(
            answer.response.status().as_u16(),
            answer.bytes_in,
            answer.response.body().len(),
            refused,
        );
        if self.shared.is_stopping() {
            // Draining: keep-alive connections end after this answer.
            answer
                .response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some((started, method, uri, version, user_agent)) = logged {
            let response = &answer.response;
            let (protocol, status) = (protocol_name(version), response.status().as_u16());
            let log = AccessLog {
                bytes_in: answer.bytes_in,
                length: response
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok()?.parse().ok()),
                rpc_method: answer.method.as_deref(),
                fault_code: answer.fault_code,
                multicall: answer.multicall.as_ref(),
                user: answer.user.as_deref(),
                user_agent: user_agent.as_ref().and_then(|v| v.to_str().ok()),
                elapsed: started.elapsed(),
                ..AccessLog::of_head(client, method.as_str(), uri.path(), protocol, status)
                    .correlated(&correlation)
            };
            log.deliver(config.access_sink.as_ref(), &span);
        }
        drop(in_progress);
        answer
    }

    /// The response, and the XML-RPC method called if one was. A request
    /// refused before its body was read has that body read to its end
    /// first (see [`drain`]).
    async fn answer<B>(
        &self,
        request: Request<B>,
        context: RequestContext,
    ) -> Result<Answer, Refused>
    where
        B: hyper::body::Body + Send,
        B::Error: Into<BoxError>,
    {
        let limits = &self.shared.config.limits;
        let (head, body) = request.into_parts();
        let mut body = std::pin::pin!(body);
        let http_head = HttpHead(&head);
        let accepts_gzip = http_head.accepts_gzip();
        let (dispatcher, context, plan, protocol) =
            match admit(self.shared.site(), &http_head, &context) {
                Ok(Admitted::Call(call)) => call.into_parts(context),
                Ok(Admitted::Health) => {
                    return Ok(Answer::plain(response::health(self.shared.readiness())));
                }
                Ok(Admitted::Alive) => {
                    return Ok(Answer::plain(response::health(Readiness::Ready)));
                }
                Ok(Admitted::Page(page)) => {
                    return Ok(Answer::plain(self.page(page, accepts_gzip)));
                }
                Ok(Admitted::Metrics) => {
                    let accept = head
                        .headers
                        .get(header::ACCEPT)
                        .and_then(|v| v.to_str().ok());
                    let (media_type, text) = self
                        .shared
                        .metrics_text(accept)
                        .ok_or_else(Rejection::not_found)?;
                    return Ok(Answer::plain(response::metrics(media_type, text)));
                }
                Err(rejection) => {
                    let drained = drain::worth_reading(&head.headers, limits)
                        && drain::body(body.as_mut(), 0, limits).await;
                    return Err(Refused {
                        rejection,
                        body_unread: !drained && !body.is_end_stream(),
                    });
                }
            };
        // Who it authenticated as, for the access log only.
        let user = self
            .shared
            .config
            .log_requests
            .then(|| context.identity().map(|i| i.name().to_owned()))
            .flatten();
        let mut reservation = self.shared.budgets.reservation(plan.declared());
        let off_runtime_above = dispatcher.options().off_runtime_above;
        let body = BodyRead {
            plan,
            limits,
            reservation: &mut reservation,
            off_runtime_above,
            long_work: dispatcher.long_work(),
        }
        .read(body)
        .await?;
        let bytes_in = Some(body.len());
        let _in_flight = self.shared.budgets.admit_request()?;
        let reply = self
            .shared
            .dispatch(dispatcher, protocol, body, &context)
            .await;
        let coding = ContentCoding::choose(
            reply.body.len(),
            self.shared.config.response_gzip_threshold(),
            accepts_gzip,
        );
        let long = body::compresses_long(coding, reply.body.len(), off_runtime_above);
        let (status, content_type) = (reply.status(), reply.content_type());
        let compress = || response::answer(status, content_type, reply.body, coding);
        let http_response = dispatcher.long_work().run_if(long, compress).await;
        // The body's share of the budget goes on to its answer.
        let length = http_response.body().len();
        match self.shared.budgets.hold_answer(length, reservation) {
            Ok(hold) => Ok(Answer {
                response: http_response,
                hold,
                method: reply.method,
                fault_code: reply.fault_code,
                multicall: reply.multicall,
                user,
                bytes_in,
            }),
            Err(AnswersFull) => {
                drop(http_response);
                let fault = dispatcher.fault_reply_in(
                    protocol,
                    reply.method.clone(),
                    Fault::new(codes::INTERNAL_ERROR, answers_full(length, limits)),
                );
                let response =
                    response::answer(200, content_type, fault.body, ContentCoding::Identity);
                Ok(Answer {
                    response,
                    hold: None,
                    method: reply.method,
                    fault_code: fault.fault_code,
                    multicall: None,
                    user,
                    bytes_in,
                })
            }
        }
    }

    /// What handlers may know of `request`: its headers, client (behind
    /// trusted proxies, the one they forward for) and path.
    fn request_context<B>(&self, request: &Request<B>) -> RequestContext {
        let headers = request.headers();
        let bytes = headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        let mut context = RequestContext::new()
            .with_path(request.uri().path())
            .with_header_room(headers.len(), bytes);
        for (name, value) in headers {
            if let Ok(value) = value.to_str() {
                context = context.with_header(name.as_str(), value);
            }
        }
        if let Some(peer) = self.peer {
            context = context.with_peer(peer.ip());
        }
        self.shared.config.trusted_proxies.resolve(context)
    }

    /// The documentation page, gzipped when the client accepts it and it
    /// is over the threshold.
    fn page(&self, page: &Page, accepts_gzip: bool) -> HttpResponse {
        let coding = ContentCoding::choose(
            page.len(),
            self.shared.config.response_gzip_threshold(),
            accepts_gzip,
        );
        response::page(page.body(coding).clone(), coding)
    }
}

impl hyper::service::Service<Request<Incoming>> for RpcService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        Box::pin(
            self.clone()
                .respond_on_connection(request)
                .map(|answer| Ok(answer.response.map(Full::new))),
        )
    }
}

/// The service as the server's own connections run it: each answer's
/// body handed to hyper in slices (see `connection_io`), holding its share
/// of the answer budget until it is all handed over.
#[derive(Clone)]
pub(crate) struct SlicedAnswers(pub(crate) RpcService);

impl hyper::service::Service<Request<Incoming>> for SlicedAnswers {
    type Response = Response<Sliced>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        // Mapped, not wrapped in an `async` block: a block awaiting a
        // future it holds stores it twice, and this one is boxed per request.
        Box::pin(self.0.clone().respond_on_connection(request).map(|answer| {
            let Answer { response, hold, .. } = answer;
            Ok(response.map(|body| Sliced::new(body, hold)))
        }))
    }
}

/// The server as a [`tower::Service`](tower_service::Service) for requests
/// with any body, so that tower and tower-http layers (tracing, timeouts,
/// concurrency limits, compression) wrap it and axum mounts it:
/// `Router::new().route_service("/RPC2", service)`. Every check and limit
/// of the standalone server applies; the paths it answers are its
/// `rpc_paths` (default `/` and `/RPC2`), seen as the request has them
/// (axum's `nest_service` strips the prefix first).
impl<B> tower_service::Service<Request<B>> for RpcService
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        Box::pin(
            self.clone()
                .respond(request, None)
                .map(|answer| Ok(answer.response.map(Full::new))),
        )
    }
}

/// A response, with what the access log and the answer budget need.
struct Answer {
    response: HttpResponse,
    /// The answer's share of the answer budget, for an answer long enough
    /// to be counted.
    hold: Option<AnswerHold>,
    /// The XML-RPC method called, if one was.
    method: Option<String>,
    /// The fault code, when the answer is a fault.
    fault_code: Option<i32>,
    /// For a multicall whose calls ran, what it held.
    multicall: Option<xmlrpc_kit_server::MulticallSummary>,
    /// Who the request authenticated as, when it did and requests are
    /// logged.
    user: Option<String>,
    /// The bytes of the request's document (after gzip), when it had one.
    bytes_in: Option<usize>,
}

impl Answer {
    /// A response that calls no method and is not counted.
    fn plain(response: HttpResponse) -> Self {
        Answer {
            response,
            hold: None,
            method: None,
            fault_code: None,
            multicall: None,
            user: None,
            bytes_in: None,
        }
    }
}

/// How the access log names `version`.
fn protocol_name(version: hyper::Version) -> &'static str {
    match version {
        hyper::Version::HTTP_09 => "HTTP/0.9",
        hyper::Version::HTTP_10 => "HTTP/1.0",
        hyper::Version::HTTP_11 => "HTTP/1.1",
        hyper::Version::HTTP_2 => "HTTP/2.0",
        hyper::Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP",
    }
}

/// An HTTP request's head as the one request path reads it.
struct HttpHead<'a>(&'a hyper::http::request::Parts);

impl RequestHead for HttpHead<'_> {
    fn method(&self) -> &str {
        self.0.method.as_str()
    }

    fn path(&self) -> &str {
        self.0.uri.path()
    }

    fn http_1_1(&self) -> Option<bool> {
        Some(self.0.version == hyper::Version::HTTP_11)
    }

    fn values(&self, field: Field) -> impl Iterator<Item = &[u8]> {
        let name = match field {
            Field::Host => header::HOST,
            Field::ContentLength => header::CONTENT_LENGTH,
            Field::TransferEncoding => header::TRANSFER_ENCODING,
            Field::ContentEncoding => header::CONTENT_ENCODING,
            Field::AcceptEncoding => header::ACCEPT_ENCODING,
            Field::ContentType => header::CONTENT_TYPE,
        };
        self.0
            .headers
            .get_all(name)
            .iter()
            .map(HeaderValue::as_bytes)
    }
}
