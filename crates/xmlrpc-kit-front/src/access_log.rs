//! The access log: one event per request, the same from every front end,
//! with fields for structured subscribers (JSON) and one human line as its
//! message, the peer's text escaped and bounded in both.

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::Duration;

use xmlrpc_kit_codec::untrusted_text::Escaped;
use xmlrpc_kit_server::MulticallSummary;

use crate::correlation::Correlation;

/// One request as the access log records it (Python's `logRequests`,
/// in the Common Log Format's spirit, plus the fault code of an answer
/// that is a fault). Every front end (HTTP, SCGI, CGI) fills one in and
/// [emits](Self::emit) it: one `tracing` event whose message is the human
/// line and whose [fields](Self::FIELD_NAMES) are each value on its own,
/// for a JSON subscriber.
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
/// use xmlrpc_kit::front::AccessLog;
///
/// let line = AccessLog {
///     peer: Some([127, 0, 0, 1].into()),
///     method: "POST",
///     path: "/RPC2\" 200",
///     protocol: "HTTP/1.1",
///     status: 200,
///     bytes_in: Some(212),
///     length: Some(131),
///     rpc_method: Some("pow\n127.0.0.1 \"GET / HTTP/1.1\" 200"),
///     fault_code: None,
///     multicall: None,
///     user: None,
///     user_agent: Some("Python-xmlrpc/3.11"),
///     request_id: Some("7f3a".into()),
///     trace_id: None,
///     ignored_headers: 0,
///     elapsed: Duration::from_micros(49),
/// };
/// assert_eq!(
///     line.to_string(),
///     r#"127.0.0.1 "POST /RPC2\" 200 HTTP/1.1" 200 131 pow\n127.0.0.1 \"GET / HTTP/1.1\" 200 0.049ms"#
/// );
/// let fault = AccessLog { path: "/RPC2", rpc_method: Some("div"), fault_code: Some(-32500), ..line };
/// assert_eq!(
///     fault.to_string(),
///     r#"127.0.0.1 "POST /RPC2 HTTP/1.1" 200 131 div fault=-32500 0.049ms"#
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
    /// The request's document length, after gzip, when a body was read
    /// (not in the human line).
    pub bytes_in: Option<usize>,
    /// The response body's length, if known.
    pub length: Option<usize>,
    /// The XML-RPC method called, if the request could be read.
    pub rpc_method: Option<&'a str>,
    /// The fault code, when the answer is a fault.
    pub fault_code: Option<i32>,
    /// For a `system.multicall`: how many calls it held and the first
    /// ones' methods and faults (not in the human line).
    pub multicall: Option<&'a MulticallSummary>,
    /// Who the request authenticated as, if it did.
    pub user: Option<&'a str>,
    /// The client's `User-Agent`, if it sent one (not in the human line).
    pub user_agent: Option<&'a str>,
    /// The request's id ([`Correlation`]; not in the human line).
    pub request_id: Option<RequestId<'a>>,
    /// The trace it belongs to, from its `traceparent` (not in the human
    /// line).
    pub trace_id: Option<&'a str>,
    /// How many of its trace and id headers were ignored as malformed or
    /// too long ([`Correlation::ignored`](crate::Correlation::ignored); not
    /// in the human line, and a field only when not 0).
    pub ignored_headers: usize,
    /// How long answering took.
    pub elapsed: Duration,
}

impl<'a> AccessLog<'a> {
    /// The line of a request of which only the head is known: answered
    /// `status`, with no body read, no call, no id and no time taken (a
    /// head the HTTP parser refused, for one).
    pub fn of_head(
        peer: Option<std::net::IpAddr>,
        method: &'a str,
        path: &'a str,
        protocol: &'a str,
        status: u16,
    ) -> Self {
        AccessLog {
            peer,
            method,
            path,
            protocol,
            status,
            bytes_in: None,
            length: None,
            rpc_method: None,
            fault_code: None,
            multicall: None,
            user: None,
            user_agent: None,
            request_id: None,
            trace_id: None,
            ignored_headers: 0,
            elapsed: Duration::ZERO,
        }
    }

    /// The line of a request answered as `answered` says (status, bytes,
    /// the call, its fault and user).
    pub fn of_answer(
        peer: Option<std::net::IpAddr>,
        method: &'a str,
        path: &'a str,
        protocol: &'a str,
        answered: &'a Answered,
    ) -> Self {
        AccessLog {
            bytes_in: answered.bytes_in,
            length: answered.length,
            rpc_method: answered.rpc_method.as_deref(),
            fault_code: answered.fault_code,
            multicall: answered.multicall.as_ref(),
            user: answered.user.as_deref(),
            ..Self::of_head(peer, method, path, protocol, answered.status)
        }
    }

    /// The same line with the request's id, trace and ignored headers
    /// from `correlation`.
    pub fn correlated(self, correlation: &'a Correlation) -> Self {
        AccessLog {
            request_id: Some(RequestId::Of(correlation)),
            trace_id: correlation.trace_id(),
            ignored_headers: correlation.ignored.len(),
            ..self
        }
    }
}

impl AccessLog<'_> {
    /// How many characters of each text field the line shows.
    pub const FIELD_CHARS: usize = Escaped::FIELD_CHARS;

    /// How many characters the `multicall` field shows (then `…`): each
    /// of the first calls' method as a text field, with `=CODE` when it
    /// failed, and `+N` for the calls not shown.
    pub const MULTICALL_CHARS: usize = 512;

    /// The names of the event's fields besides its message, in order:
    /// what a JSON subscriber writes, and what a human formatter that shows
    /// only the message leaves out.
    pub const FIELD_NAMES: [&'static str; 17] = [
        "peer",
        "http_method",
        "path",
        "protocol",
        "status",
        "bytes_in",
        "bytes_out",
        "rpc_method",
        "fault_code",
        "multicall_calls",
        "multicall",
        "user",
        "user_agent",
        "request_id",
        "trace_id",
        "ignored_headers",
        "elapsed_us",
    ];

    /// Writes the event through `tracing` (target `xmlrpc_kit::access`,
    /// level info): the human line as its message,
    /// `127.0.0.1 "POST /RPC2 HTTP/1.1" 200 131 pow 0.049ms`, and each
    /// value as a field of [`FIELD_NAMES`](Self::FIELD_NAMES) (text
    /// escaped and bounded as in the line; a value not known is left out).
    pub fn emit(&self) {
        tracing::info!(
            target: "xmlrpc_kit::access",
            peer = self.peer.map(tracing::field::display),
            http_method = %field(self.method),
            path = %field(self.path),
            protocol = %field(self.protocol),
            status = self.status,
            bytes_in = self.bytes_in.map(|n| n as u64),
            bytes_out = self.length.map(|n| n as u64),
            rpc_method = self.rpc_method.map(|m| tracing::field::display(field(m))),
            fault_code = self.fault_code,
            multicall_calls = self.multicall.map(|m| m.calls as u64),
            multicall = self.multicall.map(|m| tracing::field::display(CallList(m))),
            user = self.user.map(|u| tracing::field::display(field(u))),
            user_agent = self.user_agent.map(|a| tracing::field::display(field(a))),
            request_id = self.request_id.map(tracing::field::display),
            trace_id = self.trace_id,
            ignored_headers = (self.ignored_headers > 0).then_some(self.ignored_headers as u64),
            elapsed_us = u64::try_from(self.elapsed.as_micros()).unwrap_or(u64::MAX),
            "{}",
            Message(self)
        );
    }
}

/// Where a server sends its access events instead of through `tracing`:
/// a function given each [`AccessLog`], on the thread that answered, once
/// the answer is made. For a writer of lines that needs none of tracing's
/// machinery (the event, its fields recorded one by one, the layers it
/// crosses): `xmlrpc-kit demo`'s human log writes each line with
/// [`AccessLog::push_line`] into its own buffer, at half the cost of the
/// same line through `tracing`. It is called only while logging is on
/// (`log_requests`), and should be quick: a request waits for it.
///
/// ```
/// use std::io::Write as _;
/// use xmlrpc_kit::front::AccessSink;
///
/// let sink = AccessSink::new(|event| {
///     let mut line = String::new();
///     event.push_line(&mut line);
///     line.push('\n');
///     let _ = std::io::stderr().write_all(line.as_bytes());
/// });
/// # drop(sink);
/// ```
#[derive(Clone)]
pub struct AccessSink(Arc<SinkFn>);

type SinkFn = dyn Fn(&AccessLog<'_>) + Send + Sync;

impl AccessSink {
    /// Calls `sink` with each request's access event.
    pub fn new(sink: impl Fn(&AccessLog<'_>) + Send + Sync + 'static) -> Self {
        AccessSink(Arc::new(sink))
    }
}

impl fmt::Debug for AccessSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessSink(..)")
    }
}

impl AccessLog<'_> {
    /// Hands the event to `sink` when there is one, else
    /// [emits](Self::emit) it through `tracing` in `span` (the request's).
    pub fn deliver(&self, sink: Option<&AccessSink>, span: &tracing::Span) {
        match sink {
            Some(AccessSink(sink)) => sink(self),
            None => span.in_scope(|| self.emit()),
        }
    }
}

/// The request id an access event shows: one known already, or that of
/// a request's [`Correlation`], made only when the event is written with
/// its fields (the human line does not show it, and a request that sent
/// no `X-Request-Id` then never needs one made).
#[derive(Debug, Clone, Copy)]
pub enum RequestId<'a> {
    /// This id, as given.
    Known(&'a str),
    /// The request's id, [`Correlation::request_id`], asked for when it
    /// is shown.
    Of(&'a Correlation),
}

impl<'a> From<&'a str> for RequestId<'a> {
    fn from(id: &'a str) -> Self {
        RequestId::Known(id)
    }
}

/// Escaped and bounded as every text field of the line.
impl fmt::Display for RequestId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = match self {
            RequestId::Known(id) => id,
            RequestId::Of(correlation) => correlation.request_id(),
        };
        fmt::Display::fmt(&field(id), f)
    }
}

/// What a front end knows of its answer once it is made, for the access
/// log: the status, the body's length, and for a call its method, fault
/// code and the user it ran as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answered {
    /// The status answered.
    pub status: u16,
    /// The request's document length, after gzip, when a body was read.
    pub bytes_in: Option<usize>,
    /// The response body's length, if known.
    pub length: Option<usize>,
    /// The XML-RPC method called, if one was.
    pub rpc_method: Option<String>,
    /// The fault code, when the answer is a fault.
    pub fault_code: Option<i32>,
    /// For a `system.multicall` whose calls ran, what it held.
    pub multicall: Option<MulticallSummary>,
    /// Who the request authenticated as, if it did.
    pub user: Option<String>,
}

impl Answered {
    /// An answer that called no method: a refusal, the page, the health
    /// path.
    pub fn plain(status: u16, length: Option<usize>) -> Self {
        Answered {
            status,
            length,
            ..Answered::default()
        }
    }
}

impl fmt::Display for AccessLog<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_line(f)
    }
}

impl AccessLog<'_> {
    /// Pushes the human line, as [`Display`](fmt::Display) shows it, onto
    /// `line`, with no formatter in between.
    ///
    /// ```
    /// # use xmlrpc_kit::front::AccessLog;
    /// let mut line = String::from("access: ");
    /// AccessLog::of_head(None, "GET", "/a\nb", "HTTP/1.1", 404).push_line(&mut line);
    /// assert_eq!(line, r#"access: - "GET /a\nb HTTP/1.1" 404 - - 0.000ms"#);
    /// ```
    pub fn push_line(&self, line: &mut String) {
        // Writing to a `String` cannot fail.
        let _ = self.write_line(line);
    }

    /// Writes the human line, as [`Display`](fmt::Display) shows it, to
    /// any writer (into a `String`, each piece is pushed straight on).
    fn write_line(&self, f: &mut impl fmt::Write) -> fmt::Result {
        match self.peer {
            Some(ip) => write_ip(f, ip)?,
            None => f.write_str("-")?,
        }
        // Each piece written on its own, the numbers by itoa: the line is
        // made for every request, and std's formatting of numbers
        // (padding, flags) costs more than the rest of it.
        f.write_str(" \"")?;
        field(self.method).write_to(f)?;
        f.write_char(' ')?;
        field(self.path).write_to(f)?;
        f.write_char(' ')?;
        field(self.protocol).write_to(f)?;
        f.write_str("\" ")?;
        write_decimal(f, u64::from(self.status), 1)?;
        f.write_char(' ')?;
        match self.length {
            Some(n) => write_decimal(f, n as u64, 1)?,
            None => f.write_str("-")?,
        }
        f.write_char(' ')?;
        match self.rpc_method {
            Some(name) => field(name).write_to(f)?,
            None => f.write_str("-")?,
        }
        if let Some(code) = self.fault_code {
            write!(f, " fault={code}")?;
        }
        // Milliseconds to three places, rounded as `{:.3}` would.
        let micros = u64::try_from((self.elapsed.as_nanos() + 500) / 1000).unwrap_or(u64::MAX);
        f.write_char(' ')?;
        write_decimal(f, micros / 1000, 1)?;
        f.write_char('.')?;
        write_decimal(f, micros % 1000, 3)?;
        f.write_str("ms")
    }
}

/// The human line of an access event as its message: made in a buffer
/// kept by the thread, then written in one piece (the formatting machinery
/// between the event and its writer is crossed once, not for each piece).
struct Message<'a>(&'a AccessLog<'a>);

thread_local! {
    /// The last line made on this thread, its buffer kept for the next.
    static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => {
                line.clear();
                self.0.write_line(&mut *line)?;
                f.write_str(&line)
            }
            // Made while another is (a writer logging an access event of
            // its own): straight to the formatter.
            Err(_) => self.0.write_line(f),
        })
    }
}

/// `n` in decimal, with leading zeros to at least `digits` digits (itoa's
/// digits: std's formatting of numbers, padding and flags, costs more
/// than the rest of the line).
fn write_decimal(f: &mut impl fmt::Write, n: u64, digits: usize) -> fmt::Result {
    let mut buffer = itoa::Buffer::new();
    let text = buffer.format(n);
    for _ in text.len()..digits {
        f.write_char('0')?;
    }
    f.write_str(text)
}

/// `ip` as its `Display` writes it; an IPv4 address's numbers by itoa
/// (std's formatting of the four numbers costs more than the rest of the
/// line).
fn write_ip(f: &mut impl fmt::Write, ip: std::net::IpAddr) -> fmt::Result {
    let std::net::IpAddr::V4(v4) = ip else {
        return write!(f, "{ip}");
    };
    let mut buffer = itoa::Buffer::new();
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            f.write_char('.')?;
        }
        f.write_str(buffer.format(octet))?;
    }
    Ok(())
}

/// A multicall's calls as the access event's `multicall` field shows
/// them: `add div=-32500 \u{1b}x=-32601 +3`, at most
/// [`AccessLog::MULTICALL_CHARS`] characters.
struct CallList<'a>(&'a MulticallSummary);

impl fmt::Display for CallList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        for (name, fault) in &self.0.first {
            if !text.is_empty() {
                text.push(' ');
            }
            let _ = write!(text, "{}", field(name));
            if let Some(code) = fault {
                let _ = write!(text, "={code}");
            }
        }
        let unshown = self.0.calls.saturating_sub(self.0.first.len());
        if unshown > 0 {
            let _ = write!(text, " +{unshown}");
        }
        match text.char_indices().nth(AccessLog::MULTICALL_CHARS) {
            Some((cut, _)) => write!(f, "{}…", &text[..cut]),
            None => f.write_str(&text),
        }
    }
}

/// Untrusted text as a field of the access line, or quoted in a message:
/// escaped (quotes included) and cut after [`AccessLog::FIELD_CHARS`].
pub(crate) fn field(text: &str) -> Escaped<'_> {
    Escaped::new(text)
        .escape_quotes()
        .truncate(AccessLog::FIELD_CHARS)
}

/// Untrusted text quoted in a message (between single quotes).
pub(crate) fn shown(text: &str) -> Escaped<'_> {
    Escaped::new(text).truncate(AccessLog::FIELD_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_std_writes_them() {
        struct Shown(u64, usize);
        impl fmt::Display for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_decimal(f, self.0, self.1)
            }
        }
        for n in [0u64, 7, 10, 200, 999, 1000, 65_535, u64::MAX] {
            assert_eq!(Shown(n, 1).to_string(), n.to_string());
            assert_eq!(Shown(n, 3).to_string(), format!("{n:03}"));
        }
        let line = |micros| {
            AccessLog {
                length: Some(0),
                elapsed: Duration::from_nanos(micros),
                ..AccessLog::of_head(None, "POST", "/", "HTTP/1.1", 200)
            }
            .to_string()
        };
        for nanos in [0, 499, 500, 49_000, 1_234_567, 12_345_678_901] {
            let ms = Duration::from_nanos(nanos).as_secs_f64() * 1e3;
            assert!(
                line(nanos).ends_with(&format!(" {ms:.3}ms")),
                "{nanos}: {}",
                line(nanos)
            );
        }
    }

    #[test]
    fn addresses_are_written_as_std_writes_them() {
        struct Shown(std::net::IpAddr);
        impl fmt::Display for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_ip(f, self.0)
            }
        }
        for ip in [
            "0.0.0.0",
            "127.0.0.1",
            "10.20.100.255",
            "255.255.255.255",
            "::1",
            "2001:db8::7",
        ] {
            let ip: std::net::IpAddr = ip.parse().unwrap();
            assert_eq!(Shown(ip).to_string(), ip.to_string());
        }
    }

    #[test]
    fn access_lines_are_one_format() {
        let answered = Answered {
            rpc_method: Some("pow".to_owned()),
            user: Some("ann".to_owned()),
            ..Answered::plain(200, Some(131))
        };
        let line = AccessLog {
            elapsed: Duration::from_micros(49),
            ..AccessLog::of_answer(
                Some([127, 0, 0, 1].into()),
                "POST",
                "/RPC2",
                "HTTP/1.1",
                &answered,
            )
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
                length: Some(1),
                rpc_method,
                ..AccessLog::of_head(None, method, path, protocol, 200)
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
}
