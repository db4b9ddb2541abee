//! CGI (Python's `CGIXMLRPCRequestHandler` and `DocCGIXMLRPCRequestHandler`):
//! the request from the CGI environment and stdin, the response with CGI
//! headers on stdout. No async runtime: the dispatcher's future is driven
//! by a minimal executor. The body is framed and decoded as the HTTP
//! server does it: `CONTENT_LENGTH` digits only, read through
//! [`content_length`], and `HTTP_CONTENT_ENCODING` (gzip) read and
//! inflated by [`ContentCoding`].

use std::io::{self, Read, Write};
use std::time::Instant;

use xmlrpc_kit_codec::wire::{BodyLimits, ContentCoding};

use crate::context::{Identity, RequestContext, TrustedProxies};
use crate::http_rules::{AccessLog, Rejection, check_streamed, content_length};
use crate::{DispatchOptions, Dispatcher, Documentation, Methods};

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
    /// ([`Peer`](crate::context::Peer)).
    pub remote_addr: Option<String>,
    /// `REMOTE_USER`: who the web server authenticated the request as
    /// ([`Caller`](crate::context::Caller)).
    pub remote_user: Option<String>,
    /// The `HTTP_*` variables, as header names with dashes (`HTTP_X_TOKEN`
    /// is `x-token`), for handlers ([`Headers`](crate::context::Headers)).
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

    /// The body's coding: every `content-encoding` header read as one
    /// list, as the HTTP server reads them (415 when unsupported).
    fn content_coding(&self) -> Result<ContentCoding, Rejection> {
        ContentCoding::from_headers(
            self.http_headers
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case("content-encoding"))
                .map(|(_, value)| value.as_bytes()),
        )
        .map_err(|e| Rejection::unsupported_coding(&e))
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
    dispatcher: Dispatcher,
    documentation: Option<Documentation>,
    limits: BodyLimits,
    log_requests: bool,
    proxies: TrustedProxies,
}

/// A finished CGI response.
struct CgiResponse {
    status: Option<String>,
    content_type: &'static str,
    extra: Option<(&'static str, &'static str)>,
    body: Vec<u8>,
}

impl CgiResponse {
    fn rejected(rejection: &Rejection) -> Self {
        CgiResponse {
            status: Some(rejection.status_line()),
            content_type: "text/plain; charset=utf-8",
            extra: None,
            body: rejection.body().into_bytes(),
        }
    }

    /// The status code, for the request log.
    fn status_code(&self) -> u16 {
        self.status
            .as_deref()
            .and_then(|s| s.split(' ').next()?.parse().ok())
            .unwrap_or(200)
    }

    fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut head = String::new();
        if let Some(status) = &self.status {
            head.push_str("Status: ");
            head.push_str(status);
            head.push_str("\r\n");
        }
        head.push_str("Content-Type: ");
        head.push_str(self.content_type);
        head.push_str("\r\n");
        if let Some((name, value)) = self.extra {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("Content-Length: ");
        head.push_str(&self.body.len().to_string());
        head.push_str("\r\n\r\n");
        let mut all = head.into_bytes();
        all.extend_from_slice(&self.body);
        out.write_all(&all)?;
        out.flush()
    }
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
            dispatcher,
            documentation: None,
            limits: BodyLimits::default(),
            log_requests: false,
            proxies: TrustedProxies::none(),
        }
    }

    /// Answers GET with the documentation page (Python's
    /// `DocCGIXMLRPCRequestHandler`); without it GET answers 400, as Python does.
    #[must_use]
    pub fn documentation(mut self, documentation: Documentation) -> Self {
        self.documentation = Some(documentation);
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
    /// one of `proxies`, so handlers' [`Peer`](crate::context::Peer) and
    /// the log name the real client: `HTTP_X_FORWARDED_FOR`, or
    /// `HTTP_FORWARDED` when `proxies` [read that one](TrustedProxies::header);
    /// the other is ignored. Default: no proxy is trusted.
    #[must_use]
    pub fn trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.proxies = proxies;
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
            Some(text) => self
                .respond_to_body(
                    text,
                    &self.proxies.resolve(CgiEnv::from_process().context()),
                )
                .0
                .write_to(&mut out),
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
        let (response, rpc_method) = self.response(env, &context, stdin);
        if self.log_requests {
            AccessLog {
                peer,
                method: env.request_method.as_deref().unwrap_or("-"),
                path: env.path.as_deref().unwrap_or("-"),
                protocol: env.protocol.as_deref().unwrap_or("CGI"),
                status: response.status_code(),
                length: Some(response.body.len()),
                rpc_method: rpc_method.as_deref(),
                elapsed: started.elapsed(),
            }
            .emit();
        }
        response.write_to(stdout)
    }

    /// The response, and the XML-RPC method called if one was.
    fn response(
        &self,
        env: &CgiEnv,
        context: &RequestContext,
        stdin: &mut dyn Read,
    ) -> (CgiResponse, Option<String>) {
        let body = match env.request_method.as_deref() {
            Some("GET" | "HEAD") => return (self.get(), None),
            Some("POST") => env
                .content_coding()
                .and_then(|coding| self.decode(coding, self.read_body(env, stdin)?)),
            // Run by hand, outside a web server: the request is all of stdin.
            None => env
                .content_coding()
                .and_then(|coding| self.decode(coding, self.read_to_end(stdin)?)),
            Some(other) => {
                let response = CgiResponse {
                    extra: Some((
                        "Allow",
                        if self.documentation.is_some() {
                            "POST, GET, HEAD"
                        } else {
                            "POST"
                        },
                    )),
                    ..CgiResponse::rejected(&Rejection::unsupported_method(other))
                };
                return (response, None);
            }
        };
        match body {
            Ok(body) => self.respond_to_body(&body, context),
            Err(rejection) => (CgiResponse::rejected(&rejection), None),
        }
    }

    fn read_body(&self, env: &CgiEnv, stdin: &mut dyn Read) -> Result<Vec<u8>, Rejection> {
        // Empty is none (RFC 3875 §4.1.2), as `CgiEnv::from_process` reads it.
        let declared = env.content_length.as_deref().filter(|l| !l.is_empty());
        let length = content_length(declared, false, &self.limits)?.unwrap_or_default() as u64;
        let mut body = Vec::with_capacity(length as usize);
        stdin
            .take(length)
            .read_to_end(&mut body)
            .map_err(Rejection::unreadable_body)?;
        if (body.len() as u64) < length {
            return Err(Rejection::body_cut_short(body.len(), length));
        }
        Ok(body)
    }

    /// `body` decoded from `coding`, inflating to at most the limit.
    fn decode(&self, coding: ContentCoding, body: Vec<u8>) -> Result<Vec<u8>, Rejection> {
        coding
            .decode(body, self.limits.max_inflated_bytes)
            .map_err(|e| Rejection::bad_coding(&e))
    }

    fn read_to_end(&self, stdin: &mut dyn Read) -> Result<Vec<u8>, Rejection> {
        let mut body = Vec::new();
        stdin
            .take(self.limits.max_body_bytes as u64 + 1)
            .read_to_end(&mut body)
            .map_err(Rejection::unreadable_body)?;
        check_streamed(body.len(), &self.limits)?;
        Ok(body)
    }

    fn respond_to_body(
        &self,
        body: &[u8],
        request: &RequestContext,
    ) -> (CgiResponse, Option<String>) {
        let reply = futures::executor::block_on(self.dispatcher.handle_request_in(body, request));
        let response = CgiResponse {
            status: None,
            content_type: "text/xml",
            extra: None,
            body: reply.body,
        };
        (response, reply.method)
    }

    fn get(&self) -> CgiResponse {
        match &self.documentation {
            Some(doc) => CgiResponse {
                status: None,
                content_type: "text/html; charset=utf-8",
                extra: None,
                body: doc.render(self.dispatcher.methods()).into_bytes(),
            },
            // Python's CGIXMLRPCRequestHandler.handle_get.
            None => CgiResponse {
                status: Some("400 Bad Request".into()),
                content_type: "text/html; charset=utf-8",
                extra: None,
                body: b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error response</title></head><body><h1>Error response</h1><p>Error code: 400.</p><p>Message: Bad Request.</p><p>This is an XML-RPC endpoint: send it a POST with a methodCall document.</p></body></html>\n".to_vec(),
            },
        }
    }
}
