//! A request refused before it reached the dispatcher, and what every
//! front end answers for it: the status, its reason phrase, one line of
//! text, and the headers that go with it.

use std::fmt;
use std::time::Duration;

use xmlrpc_kit_server::ProtocolRefusal;
use xmlrpc_kit_transport::{InflateError, UnsupportedCoding};

use crate::access_log::{field, shown};

/// A request refused before it reached the dispatcher: an HTTP status and
/// a one-line explanation for the client. One constructor per case.
///
/// ```
/// use xmlrpc_kit::front::Rejection;
///
/// let r = Rejection::too_large(1000);
/// assert_eq!(r.status(), 413);
/// assert_eq!(r.status_line(), "413 Content Too Large");
/// assert_eq!(r.text(), "the request body is larger than the limit of 1000 bytes");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    text: String,
    challenge: Option<String>,
    allow: Option<&'static str>,
    /// Seconds before trying again, when not the 503's one.
    retry: Option<u32>,
}

impl Rejection {
    fn new(status: u16, text: impl Into<String>) -> Self {
        Rejection {
            status,
            text: text.into(),
            challenge: None,
            allow: None,
            retry: None,
        }
    }

    /// 429: the caller sent more requests than its rate limit allows
    /// (`why` says whose limit and what it is); it may try again after
    /// `seconds`.
    ///
    /// ```
    /// use xmlrpc_kit::front::Rejection;
    ///
    /// let r = Rejection::rate_limited("client 192.0.2.7 sent too many", 3);
    /// assert_eq!(r.status_line(), "429 Too Many Requests");
    /// assert_eq!(r.text(), "client 192.0.2.7 sent too many; retry after 3 s");
    /// assert_eq!(r.headers().collect::<Vec<_>>(), [("Retry-After", "3".to_owned())]);
    /// ```
    pub fn rate_limited(why: impl fmt::Display, seconds: u32) -> Self {
        Rejection {
            retry: Some(seconds),
            ..Self::new(429, format!("{why}; retry after {seconds} s"))
        }
    }

    /// 401: the request did not authenticate; `challenge` is the
    /// `WWW-Authenticate` value.
    pub fn unauthorized(challenge: &str) -> Self {
        Rejection {
            challenge: Some(challenge.to_owned()),
            ..Self::new(401, "authentication required")
        }
    }

    /// The `WWW-Authenticate` challenge, for a 401.
    pub fn challenge(&self) -> Option<&str> {
        self.challenge.as_deref()
    }

    /// 404: no dispatcher answers this path.
    pub fn not_found() -> Self {
        Self::new(404, "No such page")
    }

    /// 501: an HTTP method other than those the endpoint allows (Python's
    /// answer); the response's `Allow` header lists `allow`.
    ///
    /// ```
    /// use xmlrpc_kit::front::Rejection;
    ///
    /// let r = Rejection::unsupported_method("PUT", "POST");
    /// assert_eq!((r.status(), r.text()), (501, "Unsupported method ('PUT')"));
    /// assert_eq!(r.headers().collect::<Vec<_>>(), [("Allow", "POST".to_owned())]);
    /// ```
    pub fn unsupported_method(method: &str, allow: &'static str) -> Self {
        Rejection {
            allow: Some(allow),
            ..Self::new(501, format!("Unsupported method ('{}')", shown(method)))
        }
    }

    /// 411: a POST with no length and no chunked framing.
    pub fn length_required() -> Self {
        Self::new(411, "a POST needs a Content-Length or a chunked body")
    }

    /// 400: a length that is not a byte count.
    pub fn bad_length(value: &str) -> Self {
        Self::new(
            400,
            format!("Content-Length \"{}\" is not a byte count", field(value)),
        )
    }

    /// 413: the body is larger than `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            format!("the request body is larger than the limit of {limit} bytes"),
        )
    }

    /// 400: the body ended before the length announced.
    pub fn body_cut_short(got: usize, announced: u64) -> Self {
        Self::new(
            400,
            format!("the body ended after {got} of the {announced} bytes announced"),
        )
    }

    /// 400: reading the body failed.
    pub fn unreadable_body(error: impl fmt::Display) -> Self {
        Self::new(400, format!("the request body could not be read: {error}"))
    }

    /// 408: the body did not arrive within `limit`.
    pub fn body_timeout(limit: Duration) -> Self {
        Self::new(
            408,
            format!("the request body did not arrive within {limit:?}"),
        )
    }

    /// 415: a `Content-Encoding` this build cannot read.
    pub fn unsupported_coding(coding: &UnsupportedCoding) -> Self {
        Self::new(415, coding.to_string())
    }

    /// 400 when a request's `Content-Type` lines name both XML-RPC and
    /// JSON-RPC; 415 when the path does not answer the protocol they name.
    ///
    /// ```
    /// use xmlrpc_kit::front::Rejection;
    /// use xmlrpc_kit::{Protocol, ProtocolRefusal};
    ///
    /// let r = Rejection::protocol(&ProtocolRefusal::NotAnswered {
    ///     named: Protocol::JsonRpc,
    ///     answered: Protocol::XmlRpc,
    /// });
    /// assert_eq!(r.status(), 415);
    /// assert_eq!(r.text(), "this path answers XML-RPC (text/xml), not JSON-RPC (application/json)");
    /// assert_eq!(Rejection::protocol(&ProtocolRefusal::Conflicting).status(), 400);
    /// ```
    pub fn protocol(refusal: &ProtocolRefusal) -> Self {
        let status = match refusal {
            ProtocolRefusal::Conflicting => 400,
            ProtocolRefusal::NotAnswered { .. } => 415,
        };
        Self::new(status, refusal.to_string())
    }

    /// 400: a gzip body that is corrupt or inflates past the limit.
    pub fn bad_coding(error: &InflateError) -> Self {
        Self::new(400, error.to_string())
    }

    /// 503: too many requests are being processed.
    pub fn busy_requests() -> Self {
        Self::new(
            503,
            "the server is processing too many requests; try again later",
        )
    }

    /// 503: too many request bodies are held in memory.
    pub fn busy_bodies() -> Self {
        Self::new(
            503,
            "the server holds too many request bodies right now; try again later",
        )
    }

    /// 400: a `Host` header missing from an HTTP/1.1 request, repeated, or
    /// not a host (RFC 9112 §3.2); `what` says which.
    pub fn bad_host(what: impl fmt::Display) -> Self {
        Self::new(400, what.to_string())
    }

    /// 400: an SCGI request head that is not well formed.
    pub fn bad_scgi_head(what: impl fmt::Display) -> Self {
        Self::new(400, format!("not an SCGI request: {what}"))
    }

    /// 400: an SCGI header name that appears more than once (the SCGI
    /// specification allows each name once).
    ///
    /// ```
    /// use xmlrpc_kit::front::Rejection;
    ///
    /// assert_eq!(
    ///     Rejection::duplicate_scgi_header("CONTENT_LENGTH").text(),
    ///     "not an SCGI request: header \"CONTENT_LENGTH\" appears more than once"
    /// );
    /// ```
    pub fn duplicate_scgi_header(name: &str) -> Self {
        Self::bad_scgi_head(format!("header \"{}\" appears more than once", field(name)))
    }

    /// 400: a request in another protocol than the port speaks; `text`
    /// says which it speaks (an HTTP request on an SCGI or HTTPS port).
    pub fn wrong_protocol(text: &'static str) -> Self {
        Self::new(400, text)
    }

    /// 431: a request head larger than `limit` bytes.
    pub fn head_too_large(limit: usize) -> Self {
        Self::new(
            431,
            format!("the request head is larger than the limit of {limit} bytes"),
        )
    }

    /// 431: more header fields than `limit`.
    pub fn too_many_headers(limit: usize) -> Self {
        Self::new(
            431,
            format!("the request has more than {limit} header fields"),
        )
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Seconds after which the client may try again (`Retry-After`), for
    /// a refusal that lasts only while the server is busy (503) or the
    /// caller is over its rate limit (429).
    ///
    /// ```
    /// use xmlrpc_kit::front::Rejection;
    /// assert_eq!(Rejection::busy_bodies().retry_after(), Some(1));
    /// assert_eq!(Rejection::not_found().retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<u32> {
        self.retry.or((self.status == 503).then_some(1))
    }

    /// The headers a refusal carries besides its body's, as every front
    /// end writes them: `Allow` (501), `WWW-Authenticate` (401) and
    /// `Retry-After` (503, 429).
    ///
    /// ```
    /// use xmlrpc_kit::front::Rejection;
    ///
    /// let headers = |r: Rejection| r.headers().collect::<Vec<_>>();
    /// assert_eq!(headers(Rejection::busy_requests()), [("Retry-After", "1".to_owned())]);
    /// assert_eq!(
    ///     headers(Rejection::unauthorized("Bearer")),
    ///     [("WWW-Authenticate", "Bearer".to_owned())]
    /// );
    /// assert_eq!(headers(Rejection::not_found()), []);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        let allow = self.allow.map(|methods| ("Allow", methods.to_owned()));
        let challenge = self
            .challenge
            .as_ref()
            .map(|challenge| ("WWW-Authenticate", challenge.clone()));
        let retry = self
            .retry_after()
            .map(|seconds| ("Retry-After", seconds.to_string()));
        allow.into_iter().chain(challenge).chain(retry)
    }

    /// The status code and its reason phrase, as a CGI `Status:` header or
    /// an HTTP status line carries them.
    pub fn status_line(&self) -> String {
        format!("{} {}", self.status, reason(self.status))
    }

    /// The explanation, one line without its newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The response body: the explanation and a newline.
    pub fn body(&self) -> String {
        format!("{}\n", self.text)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status_line(), self.text)
    }
}

/// The reason phrase of the statuses front ends answer with (RFC 9110).
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}
