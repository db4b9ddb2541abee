//! The HTTP rules every front end follows, written once: the HTTP server
//! and the CGI handler answer the same problems with the same status and
//! text, measure bodies by the same policy, and log requests in the same
//! line. Applications do not need this module; front ends do.

use std::fmt::{self, Write as _};
use std::time::Duration;

use xmlrpc_kit_codec::untrusted_text::Escaped;
use xmlrpc_kit_codec::wire::{BodyLimits, InflateError, UnsupportedCoding};

/// A request refused before it reached the dispatcher: an HTTP status and
/// a one-line explanation for the client. One constructor per case.
///
/// ```
/// use xmlrpc_kit::http_rules::Rejection;
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
}

impl Rejection {
    fn new(status: u16, text: impl Into<String>) -> Self {
        Rejection {
            status,
            text: text.into(),
            challenge: None,
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
    /// answer; the response carries `Allow`).
    pub fn unsupported_method(method: &str) -> Self {
        Self::new(501, format!("Unsupported method ('{}')", shown(method)))
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
    /// use xmlrpc_kit::http_rules::Rejection;
    ///
    /// assert_eq!(
    ///     Rejection::duplicate_scgi_header("CONTENT_LENGTH").text(),
    ///     "not an SCGI request: header \"CONTENT_LENGTH\" appears more than once"
    /// );
    /// ```
    pub fn duplicate_scgi_header(name: &str) -> Self {
        Self::bad_scgi_head(format!("header \"{}\" appears more than once", field(name)))
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
    /// a refusal that lasts only while the server is busy (503).
    ///
    /// ```
    /// use xmlrpc_kit::http_rules::Rejection;
    /// assert_eq!(Rejection::busy_bodies().retry_after(), Some(1));
    /// assert_eq!(Rejection::not_found().retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<u32> {
        (self.status == 503).then_some(1)
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
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The body-length policy: a POST's declared length, checked against the
/// limits before anything is read. `declared` is the `Content-Length` (or
/// CGI `CONTENT_LENGTH`) value, read by [`declared_length`]; `chunked`
/// says the body is framed by chunks instead (it is then measured while
/// it streams, with [`check_streamed`]). Returns the declared length, if
/// any.
///
/// ```
/// use xmlrpc_kit::http_rules::content_length;
/// use xmlrpc_kit::wire::BodyLimits;
///
/// let limits = BodyLimits::default().max_body_bytes(10);
/// assert_eq!(content_length(Some("10"), false, &limits), Ok(Some(10)));
/// assert_eq!(content_length(None, true, &limits), Ok(None));
/// assert_eq!(content_length(Some("11"), false, &limits).unwrap_err().status(), 413);
/// assert_eq!(content_length(None, false, &limits).unwrap_err().status(), 411);
/// assert_eq!(content_length(Some("-1"), false, &limits).unwrap_err().status(), 400);
/// assert_eq!(content_length(Some(" 10 "), false, &limits).unwrap_err().status(), 400);
/// ```
pub fn content_length(
    declared: Option<&str>,
    chunked: bool,
    limits: &BodyLimits,
) -> Result<Option<usize>, Rejection> {
    if chunked {
        return Ok(None);
    }
    let Some(text) = declared else {
        return Err(Rejection::length_required());
    };
    let length = declared_length(text)?;
    if length > limits.max_body_bytes as u64 {
        return Err(Rejection::too_large(limits.max_body_bytes));
    }
    Ok(Some(length as usize))
}

/// Reads a declared body length (HTTP `Content-Length`, CGI and SCGI
/// `CONTENT_LENGTH`) as HTTP defines it: one or more ASCII digits and
/// nothing else (RFC 9110 §8.6), so no sign, no spaces and not empty;
/// otherwise 400. Every front end reads lengths through here, so a length
/// one refuses no other takes.
///
/// ```
/// use xmlrpc_kit::http_rules::declared_length;
///
/// assert_eq!(declared_length("190"), Ok(190));
/// assert_eq!(declared_length("007"), Ok(7));
/// for bad in ["", "+190", " 190 ", "-1", "1e3", "0x10", "18446744073709551616"] {
///     assert_eq!(declared_length(bad).unwrap_err().status(), 400, "{bad:?}");
/// }
/// assert_eq!(
///     declared_length("+190").unwrap_err().text(),
///     "Content-Length \"+190\" is not a byte count"
/// );
/// ```
pub fn declared_length(text: &str) -> Result<u64, Rejection> {
    // `u64::from_str` alone would take a leading `+`.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::bad_length(text));
    }
    text.parse().map_err(|_| Rejection::bad_length(text))
}

/// The `Host` rule (RFC 9112 §3.2): an HTTP/1.1 request carries exactly
/// one `Host` header, and any request at most one; its value is a host
/// and an optional port (or empty), as a URI's authority writes them
/// without user information. Otherwise 400, whatever the path (the RPC
/// paths, the documentation page and the health path alike).
/// `http_1_1` says the request is HTTP/1.1: HTTP/1.0 may go without
/// `Host`, and HTTP/2 carries the authority elsewhere. `hosts` are the
/// values of its `Host` lines.
///
/// ```
/// use xmlrpc_kit::http_rules::check_host;
///
/// assert_eq!(check_host(true, [&b"example.com:8000"[..]]), Ok(()));
/// assert_eq!(check_host(false, []), Ok(()));
/// let missing = check_host(true, []).unwrap_err();
/// assert_eq!((missing.status(), missing.text()), (400, "an HTTP/1.1 request needs a Host header"));
/// let two = check_host(false, [&b"a"[..], &b"b"[..]]).unwrap_err();
/// assert_eq!(two.text(), "the request has 2 Host headers; one is allowed");
/// ```
pub fn check_host<'a>(
    http_1_1: bool,
    hosts: impl IntoIterator<Item = &'a [u8]>,
) -> Result<(), Rejection> {
    let mut hosts = hosts.into_iter();
    let (first, more) = (hosts.next(), hosts.count());
    match first {
        None if http_1_1 => Err(Rejection::bad_host(
            "an HTTP/1.1 request needs a Host header",
        )),
        None => Ok(()),
        Some(_) if more > 0 => Err(Rejection::bad_host(format!(
            "the request has {} Host headers; one is allowed",
            more + 1
        ))),
        Some(host) if !host.iter().all(|&b| is_authority_byte(b)) => {
            Err(Rejection::bad_host(format!(
                "Host \"{}\" is not a host name or address with an optional port",
                field(&String::from_utf8_lossy(host))
            )))
        }
        Some(_) => Ok(()),
    }
}

/// Whether `byte` may appear in `host [":" port]` (RFC 3986 §3.2.2: a
/// registered name's unreserved, percent-encoded and sub-delimiter
/// characters, an IP literal's brackets and colons).
fn is_authority_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:[]".contains(&byte)
}

#[cfg(test)]
mod host_rule_tests {
    use super::*;

    #[test]
    fn host_headers_follow_rfc_9112() {
        let check = |http_1_1: bool, hosts: &[&str]| {
            check_host(http_1_1, hosts.iter().map(|h| h.as_bytes()))
                .map_err(|r| (r.status(), r.text().to_owned()))
        };
        for good in [
            "localhost",
            "127.0.0.1:8000",
            "[::1]:8000",
            "[fe80::1%25eth0]",
            "xn--bcher-kva.example",
            "",
        ] {
            assert_eq!(check(true, &[good]), Ok(()), "{good:?}");
            assert_eq!(check(false, &[good]), Ok(()), "{good:?}");
        }
        assert_eq!(check(false, &[]), Ok(()));
        let missing = (400, "an HTTP/1.1 request needs a Host header".to_owned());
        assert_eq!(check(true, &[]), Err(missing));
        let two = (
            400,
            "the request has 2 Host headers; one is allowed".to_owned(),
        );
        assert_eq!(check(true, &["a", "a"]), Err(two.clone()));
        assert_eq!(check(false, &["a", "b"]), Err(two));
        assert_eq!(
            check(true, &["a", "b", "c"]).unwrap_err().1,
            "the request has 3 Host headers; one is allowed"
        );
        for bad in [
            "a b",
            "user@host",
            "host/path",
            "host?x",
            "h\u{e9}te",
            "a\tb",
        ] {
            assert_eq!(
                check(true, &[bad]),
                Err((
                    400,
                    format!("Host {bad:?} is not a host name or address with an optional port")
                )),
                "{bad:?}"
            );
        }
    }
}

/// The same policy while a body streams in: `so_far` bytes read must stay
/// within the limit.
pub fn check_streamed(so_far: usize, limits: &BodyLimits) -> Result<(), Rejection> {
    if so_far > limits.max_body_bytes {
        Err(Rejection::too_large(limits.max_body_bytes))
    } else {
        Ok(())
    }
}

/// One request as the access log records it (Python's `logRequests`,
/// in the Common Log Format's spirit). Every front end (HTTP, SCGI, CGI)
/// fills one in and [emits](Self::emit) it.
///
/// The text fields are the peer's, and the line shows them so that they
/// cannot break it: each is [escaped](xmlrpc_kit_codec::untrusted_text::Escaped)
/// (line feeds, carriage returns, `"`, `\`, control and bidi characters
/// become `\n`, `\r`, `\"`, `\\`, `\u{1b}`, `\u{202e}`) and cut after
/// [`FIELD_CHARS`](Self::FIELD_CHARS) characters (marked `…`), so a line
/// is one line of bounded length, whatever was sent.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_kit::http_rules::AccessLog;
///
/// let line = AccessLog {
///     peer: Some([127, 0, 0, 1].into()),
///     method: "POST",
///     path: "/RPC2\" 200",
///     protocol: "HTTP/1.1",
///     status: 200,
///     length: Some(131),
///     rpc_method: Some("pow\n127.0.0.1 \"GET / HTTP/1.1\" 200"),
///     elapsed: Duration::from_micros(49),
/// };
/// assert_eq!(
///     line.to_string(),
///     r#"127.0.0.1 "POST /RPC2\" 200 HTTP/1.1" 200 131 pow\n127.0.0.1 \"GET / HTTP/1.1\" 200 0.049ms"#
/// );
/// ```
#[derive(Debug, Clone)]
pub struct AccessLog<'a> {
    /// The client's address, if known.
    pub peer: Option<std::net::IpAddr>,
    /// The HTTP method.
    pub method: &'a str,
    /// The path requested.
    pub path: &'a str,
    /// The protocol, e.g. `HTTP/1.1` (CGI: `SERVER_PROTOCOL`).
    pub protocol: &'a str,
    /// The status answered.
    pub status: u16,
    /// The response body's length, if known.
    pub length: Option<usize>,
    /// The XML-RPC method called, if the request could be read.
    pub rpc_method: Option<&'a str>,
    /// How long answering took.
    pub elapsed: Duration,
}

impl AccessLog<'_> {
    /// How many characters of each text field the line shows.
    pub const FIELD_CHARS: usize = 60;

    /// Writes the line through `tracing` (target `xmlrpc_kit::access`, level info):
    /// `127.0.0.1 "POST /RPC2 HTTP/1.1" 200 131 pow 0.049ms`.
    pub fn emit(&self) {
        tracing::info!(target: "xmlrpc_kit::access", "{self}");
    }
}

impl fmt::Display for AccessLog<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.peer {
            Some(ip) => write!(f, "{ip}")?,
            None => f.write_str("-")?,
        }
        write!(
            f,
            " \"{} {} {}\" {} ",
            field(self.method),
            field(self.path),
            field(self.protocol),
            self.status
        )?;
        match self.length {
            Some(n) => write!(f, "{n}")?,
            None => f.write_str("-")?,
        }
        f.write_char(' ')?;
        match self.rpc_method {
            Some(name) => write!(f, "{}", field(name))?,
            None => f.write_str("-")?,
        }
        write!(f, " {:.3}ms", self.elapsed.as_secs_f64() * 1e3)
    }
}

/// Untrusted text as a field of the access line, or quoted in a message:
/// escaped (quotes included) and cut after [`AccessLog::FIELD_CHARS`].
fn field(text: &str) -> Escaped<'_> {
    Escaped::new(text)
        .escape_quotes()
        .truncate(AccessLog::FIELD_CHARS)
}

/// Untrusted text quoted in a message (between single quotes).
fn shown(text: &str) -> Escaped<'_> {
    Escaped::new(text).truncate(AccessLog::FIELD_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_lines_are_one_format() {
        let line = AccessLog {
            peer: Some([127, 0, 0, 1].into()),
            method: "POST",
            path: "/RPC2",
            protocol: "HTTP/1.1",
            status: 200,
            length: Some(131),
            rpc_method: Some("pow"),
            elapsed: Duration::from_micros(49),
        };
        assert_eq!(
            line.to_string(),
            "127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 131 pow 0.049ms"
        );
        let unknown = AccessLog {
            peer: None,
            length: None,
            rpc_method: None,
            ..line
        };
        assert_eq!(
            unknown.to_string(),
            "- \"POST /RPC2 HTTP/1.1\" 200 - - 0.049ms"
        );
    }

    /// Issue 23, item 5: a peer's value cannot break the line or act on
    /// the terminal reading it, in any field.
    #[test]
    fn peer_values_stay_in_their_field_escaped_and_bounded() {
        let line = |method, path, protocol, rpc_method| {
            AccessLog {
                peer: None,
                method,
                path,
                protocol,
                status: 200,
                length: Some(1),
                rpc_method,
                elapsed: Duration::ZERO,
            }
            .to_string()
        };
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, Option<&str>, &str)] = &[
            ("POST", "/RPC2", "HTTP/1.1", Some("evil\n- \"POST / HTTP/1.1\" 200 1 forged 0.000ms"),
             r#"- "POST /RPC2 HTTP/1.1" 200 1 evil\n- \"POST / HTTP/1.1\" 200 1 forged 0.000ms 0.000ms"#),
            ("POST", "/a\"b\\c", "CGI", Some("\u{202e}txt.exe"),
             r#"- "POST /a\"b\\c CGI" 200 1 \u{202e}txt.exe 0.000ms"#),
            ("PO\rST", "/x\n\u{1b}]0;PWNED\u{7}", "HTTP/1.1\u{9b}2J", None,
             r#"- "PO\rST /x\n\u{1b}]0;PWNED\u{7} HTTP/1.1\u{9b}2J" 200 1 - 0.000ms"#),
            ("GET", "/caf\u{e9}/\u{65e5}\u{672c}", "HTTP/1.0", Some("\u{2066}a\u{7f}\0"),
             "- \"GET /café/日本 HTTP/1.0\" 200 1 \\u{2066}a\\u{7f}\\u{0} 0.000ms"),
        ];
        for &(method, path, protocol, rpc_method, expected) in cases {
            assert_eq!(line(method, path, protocol, rpc_method), expected);
        }
        // Every field is cut after 60 characters, so the line is bounded.
        let long = "\n".repeat(10_000);
        let bounded = line(&long, &long, &long, Some(&long));
        let field = format!("{}…", r"\n".repeat(60));
        assert_eq!(
            bounded,
            format!("- \"{field} {field} {field}\" 200 1 {field} 0.000ms")
        );
    }

    #[test]
    fn streamed_bodies_keep_to_the_limit() {
        let limits = BodyLimits::default().max_body_bytes(4);
        assert!(check_streamed(4, &limits).is_ok());
        assert_eq!(check_streamed(5, &limits).unwrap_err().status(), 413);
    }
}
