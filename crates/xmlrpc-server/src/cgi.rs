//! CGI (Python's `CGIXMLRPCRequestHandler` and `DocCGIXMLRPCRequestHandler`):
//! the request from the CGI environment and stdin, the response with CGI
//! headers on stdout. No async runtime: the dispatcher's future is driven
//! by a minimal executor.

use std::io::{self, Read, Write};

use xmlrpc_codec::Limits;

use crate::{DispatchOptions, Dispatcher, Documentation, Methods};

/// The CGI variables a handler reads (RFC 3875).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CgiEnv {
    /// `REQUEST_METHOD`.
    pub request_method: Option<String>,
    /// `CONTENT_LENGTH`.
    pub content_length: Option<String>,
    /// `CONTENT_TYPE`.
    pub content_type: Option<String>,
}

impl CgiEnv {
    /// Reads the variables from the process environment.
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        CgiEnv {
            request_method: var("REQUEST_METHOD"),
            content_length: var("CONTENT_LENGTH"),
            content_type: var("CONTENT_TYPE"),
        }
    }
}

/// An XML-RPC request handler for CGI programs.
///
/// ```no_run
/// use xmlrpc_server::{CgiHandler, Documentation, Methods};
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
    limits: Limits,
}

/// A finished CGI response.
struct CgiResponse {
    status: Option<&'static str>,
    content_type: &'static str,
    extra: Option<(&'static str, &'static str)>,
    body: Vec<u8>,
}

impl CgiResponse {
    fn error(status: &'static str, message: impl Into<String>) -> Self {
        let mut body = message.into().into_bytes();
        body.push(b'\n');
        CgiResponse {
            status: Some(status),
            content_type: "text/plain; charset=utf-8",
            extra: None,
            body,
        }
    }

    fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut head = String::new();
        if let Some(status) = self.status {
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
            limits: dispatcher.options().limits.clone(),
            dispatcher,
            documentation: None,
        }
    }

    /// Answers GET with the documentation page (Python's
    /// `DocCGIXMLRPCRequestHandler`); without it GET answers 400, as Python does.
    #[must_use]
    pub fn documentation(mut self, documentation: Documentation) -> Self {
        self.documentation = Some(documentation);
        self
    }

    /// Sets the largest request body ([`Limits::max_body_bytes`], default
    /// 20 MiB); larger ones get 413 before they are read.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// Sets the transport limits the handler applies (the body size); the
    /// document limits are the dispatcher's.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
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
            Some(text) => self.respond_to_body(text).write_to(&mut out),
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
        self.response(env, stdin).write_to(stdout)
    }

    fn response(&self, env: &CgiEnv, stdin: &mut dyn Read) -> CgiResponse {
        match env.request_method.as_deref() {
            Some("GET" | "HEAD") => self.get(),
            Some("POST") => match self.read_body(env, stdin) {
                Ok(body) => self.respond_to_body(&body),
                Err(refusal) => refusal,
            },
            // Run by hand, outside a web server: the request is all of stdin.
            None => match read_limited(stdin, self.limits.max_body_bytes) {
                Ok(body) => self.respond_to_body(&body),
                Err(refusal) => refusal,
            },
            Some(other) => CgiResponse {
                extra: Some((
                    "Allow",
                    if self.documentation.is_some() {
                        "POST, GET, HEAD"
                    } else {
                        "POST"
                    },
                )),
                ..CgiResponse::error(
                    "501 Not Implemented",
                    format!("Unsupported method ('{}')", crate::codec_truncate(other)),
                )
            },
        }
    }

    fn read_body(&self, env: &CgiEnv, stdin: &mut dyn Read) -> Result<Vec<u8>, CgiResponse> {
        let Some(length) = env.content_length.as_deref() else {
            return Err(CgiResponse::error(
                "411 Length Required",
                "a POST needs CONTENT_LENGTH",
            ));
        };
        let length: u64 = length.trim().parse().map_err(|_| {
            CgiResponse::error(
                "400 Bad Request",
                format!(
                    "CONTENT_LENGTH {:?} is not a byte count",
                    crate::codec_truncate(length)
                ),
            )
        })?;
        if length > self.limits.max_body_bytes as u64 {
            return Err(too_large(self.limits.max_body_bytes));
        }
        let mut body = Vec::with_capacity(length as usize);
        stdin.take(length).read_to_end(&mut body).map_err(|e| {
            CgiResponse::error("400 Bad Request", format!("reading the body failed: {e}"))
        })?;
        if (body.len() as u64) < length {
            return Err(CgiResponse::error(
                "400 Bad Request",
                format!(
                    "the body ended after {} of the {length} bytes CONTENT_LENGTH announced",
                    body.len()
                ),
            ));
        }
        Ok(body)
    }

    fn respond_to_body(&self, body: &[u8]) -> CgiResponse {
        let body = futures::executor::block_on(self.dispatcher.handle(body));
        CgiResponse {
            status: None,
            content_type: "text/xml",
            extra: None,
            body,
        }
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
                status: Some("400 Bad Request"),
                content_type: "text/html; charset=utf-8",
                extra: None,
                body: b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error response</title></head><body><h1>Error response</h1><p>Error code: 400.</p><p>Message: Bad Request.</p><p>This is an XML-RPC endpoint: send it a POST with a methodCall document.</p></body></html>\n".to_vec(),
            },
        }
    }
}

fn too_large(limit: usize) -> CgiResponse {
    CgiResponse::error(
        "413 Content Too Large",
        format!("the request body is larger than the limit of {limit} bytes"),
    )
}

fn read_limited(stdin: &mut dyn Read, limit: usize) -> Result<Vec<u8>, CgiResponse> {
    let mut body = Vec::new();
    stdin
        .take(limit as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            CgiResponse::error("400 Bad Request", format!("reading the body failed: {e}"))
        })?;
    if body.len() > limit {
        return Err(too_large(limit));
    }
    Ok(body)
}
