//! CGI (Python's `CGIXMLRPCRequestHandler` and `DocCGIXMLRPCRequestHandler`):
//! the request from the CGI environment and stdin, through the one request
//! path ([`admit`]) as over HTTP and SCGI, the response in CGI form on
//! stdout. No async runtime: the dispatcher's future is driven by a
//! minimal executor.

use std::io::{self, Read, Write};
use std::time::Instant;

use bytes::Bytes;
use xmlrpc_kit_server::context::{Identity, RequestContext};
use xmlrpc_kit_server::{DispatchOptions, Dispatcher, Documentation, Methods};
use xmlrpc_kit_transport::{BodyLimits, ContentCoding, TraceContext};

use crate::access_log::{AccessLog, Answered};
use crate::body::BodyPlan;
use crate::cgi_response::{cgi_head, cgi_refusal};
use crate::correlation::{Correlation, TrustTraceContext};
use crate::proxies::TrustedProxies;
use crate::rejection::Rejection;
use crate::request::{Admitted, Field, RequestHead, Site, admit};
use crate::request_span::{OnRequestSpan, request_span};
use crate::routing::{Endpoint, Routes};

/// The CGI variables a handler reads (RFC 3875).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CgiEnv {
    /// `REQUEST_METHOD`.
    pub request_method: Option<String>,
    /// `CONTENT_LENGTH`: digits only; empty is the same as none (RFC 3875
    /// §4.1.2), which a POST answers with 411.
    pub content_length: Option<String>,
    /// `CONTENT_TYPE`.
    pub content_type: Option<String>,
    /// `SCRIPT_NAME` followed by `PATH_INFO`: the path requested, for the
    /// request log.
    pub path: Option<String>,
    /// `SERVER_PROTOCOL`, for the request log.
    pub protocol: Option<String>,
    /// `REMOTE_ADDR`, for the request log and handlers
    /// ([`Peer`](xmlrpc_kit_server::context::Peer)).
    pub remote_addr: Option<String>,
    /// `REMOTE_USER`: who the web server authenticated the request as
    /// ([`Caller`](xmlrpc_kit_server::context::Caller)).
    pub remote_user: Option<String>,
    /// The `HTTP_*` variables, as header names with dashes (`HTTP_X_TOKEN`
    /// is `x-token`), for handlers ([`Headers`](xmlrpc_kit_server::context::Headers)).
    /// `content-encoding` says how the body is coded (gzip is inflated).
    pub http_headers: Vec<(String, String)>,
}

impl CgiEnv {
    /// Reads the variables from the process environment.
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        CgiEnv {
            request_method: var("REQUEST_METHOD"),
            content_length: var("CONTENT_LENGTH"),
            content_type: var("CONTENT_TYPE"),
            path: match (var("SCRIPT_NAME"), var("PATH_INFO")) {
                (None, None) => None,
                (script, info) => Some(script.unwrap_or_default() + &info.unwrap_or_default()),
            },
            protocol: var("SERVER_PROTOCOL"),
            remote_addr: var("REMOTE_ADDR"),
            remote_user: var("REMOTE_USER"),
            http_headers: std::env::vars()
                .filter_map(|(name, value)| {
                    let header = name.strip_prefix("HTTP_")?;
                    Some((header.replace('_', "-").to_ascii_lowercase(), value))
                })
                .collect(),
        }
    }

    /// The values of the `HTTP_*` variables of header `name` (any case).
    fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.http_headers
            .iter()
            .filter(move |(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// What handlers may know of the request.
    fn context(&self) -> RequestContext {
        let mut context = RequestContext::new().with_path(self.path.as_deref().unwrap_or(""));
        if let Some(peer) = self.remote_addr.as_deref().and_then(|a| a.parse().ok()) {
            context = context.with_peer(peer);
        }
        for (name, value) in &self.http_headers {
            context = context.with_header(name, value);
        }
        if let Some(user) = &self.remote_user {
            context = context.with_identity(Identity::new(user.clone()));
        }
        context
    }
}

/// The CGI variables as the one request path reads them: a request with
/// no `REQUEST_METHOD` (a program run by hand) is a POST whose body is all
/// of stdin.
impl RequestHead for CgiEnv {
    fn method(&self) -> &str {
        self.request_method.as_deref().unwrap_or("POST")
    }

    fn path(&self) -> &str {
        self.path.as_deref().unwrap_or("/")
    }

    fn http_1_1(&self) -> Option<bool> {
        None
    }

    fn values(&self, field: Field) -> impl Iterator<Item = &[u8]> {
        let (variable, header) = match field {
            // Empty is none (RFC 3875 §4.1.2).
            Field::ContentLength => (
                self.content_length.as_deref().filter(|l| !l.is_empty()),
                None,
            ),
            Field::Host => (None, Some("host")),
            Field::ContentEncoding => (None, Some("content-encoding")),
            Field::AcceptEncoding => (None, Some("accept-encoding")),
            Field::ContentType => (self.content_type.as_deref(), None),
            // The web server has read the chunks.
            Field::TransferEncoding => (None, None),
        };
        let headers = header
            .into_iter()
            .flat_map(|name| self.header_values(name))
            .map(str::as_bytes);
        variable.map(str::as_bytes).into_iter().chain(headers)
    }

    fn body_runs_to_end(&self) -> bool {
        self.request_method.is_none()
    }
}

/// An XML-RPC request handler for CGI programs.
///
/// ```no_run
/// use xmlrpc_kit::{CgiHandler, Documentation, Methods};
///
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i64, y: i64| x + y);
/// methods.register_introspection_functions();
/// // Python's DocCGIXMLRPCRequestHandler: GET answers the documentation page.
/// CgiHandler::new(methods)
///     .documentation(Documentation::default().server_title("Adder"))
///     .handle_request(None)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CgiHandler {
    /// One endpoint, on every path (the web server chose this program).
    routes: Routes,
    dispatcher: Dispatcher,
    limits: BodyLimits,
    log_requests: bool,
    proxies: TrustedProxies,
    trace_context: TrustTraceContext,
    on_request_span: Option<OnRequestSpan>,
}

impl CgiHandler {
    /// A handler for `methods` with default options (Python's
    /// `CGIXMLRPCRequestHandler()`).
    pub fn new(methods: Methods) -> Self {
        Self::with_options(methods, DispatchOptions::default())
    }

    /// A handler for `methods` with `options` (Python's `allow_none`, `encoding`).
    pub fn with_options(methods: Methods, options: DispatchOptions) -> Self {
        Self::with_dispatcher(Dispatcher::with_options(methods, options))
    }

    /// A handler around a ready-made dispatcher.
    pub fn with_dispatcher(dispatcher: Dispatcher) -> Self {
        CgiHandler {
            routes: Routes::single(Endpoint::new(dispatcher.clone(), None), &[]),
            dispatcher,
            limits: BodyLimits::default(),
            log_requests: false,
            proxies: TrustedProxies::none(),
            trace_context: TrustTraceContext::Always,
            on_request_span: None,
        }
    }

    /// Answers GET with the documentation page (Python's
    /// `DocCGIXMLRPCRequestHandler`); without it GET answers 501 with
    /// `Allow: POST`, as the HTTP server does.
    #[must_use]
    pub fn documentation(mut self, documentation: Documentation) -> Self {
        let endpoint = Endpoint::new(self.dispatcher.clone(), Some(&documentation));
        self.routes = Routes::single(endpoint, &[]);
        self
    }

    /// Sets the largest request body (default 20 MiB); larger ones get
    /// 413 before they are read.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// Sets the limits on the request body: its length, and what a gzip
    /// body (`HTTP_CONTENT_ENCODING: gzip`) may inflate to; see
    /// [`BodyLimits`]. The document limits are the dispatcher's
    /// ([`DispatchOptions`]).
    #[must_use]
    pub fn body_limits(mut self, limits: BodyLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Logs one line per request through `tracing`, to stderr where the
    /// web server keeps CGI programs' errors (the HTTP server's
    /// `log_requests` line). Default: off, as Python's CGI handler.
    #[must_use]
    pub fn log_requests(mut self, on: bool) -> Self {
        self.log_requests = on;
        self
    }

    /// Believes the forwarding header of requests whose `REMOTE_ADDR` is
    /// one of `proxies`, so handlers' [`Peer`](xmlrpc_kit_server::context::Peer) and
    /// the log name the real client: `HTTP_X_FORWARDED_FOR`, or
    /// `HTTP_FORWARDED` when `proxies` [read that one](TrustedProxies::header);
    /// the other is ignored. Default: no proxy is trusted.
    #[must_use]
    pub fn trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.proxies = proxies;
        self
    }

    /// Whose W3C trace context (`HTTP_TRACEPARENT`, `HTTP_TRACESTATE`)
    /// is taken, for the request's span and access event and the calls
    /// its handlers make: see [`TrustTraceContext`] (the trusted proxies
    /// are [`trusted_proxies`](Self::trusted_proxies)). Default: every
    /// peer's.
    #[must_use]
    pub fn trace_context(mut self, trust: TrustTraceContext) -> Self {
        self.trace_context = trust;
        self
    }

    /// Calls `hook` with each request's span and trace context: see
    /// [`OnRequestSpan`]. Default: none.
    #[must_use]
    pub fn on_request_span(
        mut self,
        hook: impl Fn(&tracing::Span, &TraceContext) + Send + Sync + 'static,
    ) -> Self {
        self.on_request_span = Some(OnRequestSpan::new(hook));
        self
    }

    /// The dispatcher.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// Handles one request (Python's `handle_request([request_text])`):
    /// `Some(text)` is the POST body; `None` reads the CGI environment and
    /// stdin. The response goes to stdout.
    pub fn handle_request(&self, request_text: Option<&[u8]>) -> io::Result<()> {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        match request_text {
            Some(text) => {
                // The text is the body as the dispatcher reads it.
                let process = CgiEnv::from_process();
                let env = CgiEnv {
                    request_method: Some("POST".into()),
                    content_length: Some(text.len().to_string()),
                    http_headers: process
                        .http_headers
                        .into_iter()
                        .filter(|(name, _)| name != "content-encoding")
                        .collect(),
                    ..process
                };
                self.respond(&env, &mut &text[..], &mut out)
            }
            None => self.respond(&CgiEnv::from_process(), &mut io::stdin().lock(), &mut out),
        }
    }

    /// Handles one request from `env` and `stdin`, writing to `stdout`:
    /// the testable core of [`handle_request`](Self::handle_request).
    pub fn respond(
        &self,
        env: &CgiEnv,
        stdin: &mut dyn Read,
        stdout: &mut dyn Write,
    ) -> io::Result<()> {
        let started = Instant::now();
        let context = self.proxies.resolve(env.context());
        let peer = context.peer();
        let front_peer = env.remote_addr.as_deref().and_then(|a| a.parse().ok());
        let correlation = Correlation::of(&context, front_peer, &self.proxies, self.trace_context);
        let method = env.request_method.as_deref().unwrap_or("-");
        let path = env.path.as_deref().unwrap_or("-");
        let span = request_span(
            &correlation,
            peer,
            method,
            path,
            self.on_request_span.as_ref(),
        );
        let context = context.with_trace(correlation.trace.clone(), span.clone());
        let (response, answered) = match self.answer(env, context, stdin) {
            Ok(answered) => answered,
            Err(rejection) => {
                let response = cgi_refusal(&rejection);
                let length = rejection.body().len();
                (response, Answered::plain(rejection.status(), Some(length)))
            }
        };
        if self.log_requests {
            let user_agent = env.header_values("user-agent").next();
            let protocol = env.protocol.as_deref().unwrap_or("CGI");
            let log = AccessLog {
                user_agent,
                elapsed: started.elapsed(),
                ..AccessLog::of_answer(peer, method, path, protocol, &answered)
                    .correlated(&correlation)
            };
            span.in_scope(|| log.emit());
        }
        stdout.write_all(&response)?;
        stdout.flush()
    }

    /// The whole response, and what the access log records of it.
    fn answer(
        &self,
        env: &CgiEnv,
        context: RequestContext,
        stdin: &mut dyn Read,
    ) -> Result<(Vec<u8>, Answered), Rejection> {
        let site = Site {
            routes: &self.routes,
            health_path: None,
            liveness_path: None,
            metrics_path: None,
            rate_limit: None,
            authenticator: None,
            limits: &self.limits,
        };
        let (dispatcher, context, plan, protocol) = match admit(site, env, &context)? {
            Admitted::Call(call) => call.into_parts(context),
            Admitted::Page(page) => {
                let html = page.body(ContentCoding::Identity);
                let head = cgi_head(
                    None,
                    "text/html; charset=utf-8",
                    html.len(),
                    ContentCoding::Identity,
                    [],
                );
                let answered = Answered::plain(200, Some(html.len()));
                return Ok(([head.as_bytes(), html].concat(), answered));
            }
            Admitted::Health | Admitted::Alive | Admitted::Metrics => {
                unreachable!("a CGI handler has no health, liveness or metrics path")
            }
        };
        let body = self.read_body(&plan, stdin)?;
        let body = plan.finish(body, &self.limits)?;
        let bytes_in = Some(body.len());
        let reply = futures::executor::block_on(dispatcher.answer_in(protocol, body, &context));
        let status = reply.status();
        let head = cgi_head(
            (status != 200).then_some(status),
            reply.content_type(),
            reply.body.len(),
            ContentCoding::Identity,
            [],
        );
        let answered = Answered {
            status,
            length: Some(reply.body.len()),
            rpc_method: reply.method,
            fault_code: reply.fault_code,
            multicall: reply.multicall,
            user: context.identity().map(|i| i.name().to_owned()),
            bytes_in,
        };
        Ok(([head.into_bytes(), reply.body].concat(), answered))
    }

    /// The body's bytes as sent: the length declared, or (run by hand) all
    /// of stdin within the limit.
    fn read_body(&self, plan: &BodyPlan, stdin: &mut dyn Read) -> Result<Bytes, Rejection> {
        let most = match plan.declared() {
            Some(declared) => declared as u64,
            None => self.limits.max_body_bytes as u64 + 1,
        };
        let mut body = Vec::with_capacity(plan.declared().unwrap_or_default());
        stdin
            .take(most)
            .read_to_end(&mut body)
            .map_err(Rejection::unreadable_body)?;
        plan.check_streamed(body.len(), &self.limits)?;
        Ok(Bytes::from(body))
    }
}
