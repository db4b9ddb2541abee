//! What a call can fail with: a fault from the server, or a failure on the
//! way there and back, each its own variant.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use xmlrpc_kit_codec::{ConvertError, DecodeError, EncodeError, Fault};

/// A boxed error from the HTTP stack, kept as the source of a [`TransportError`].
pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// Why a call did not give a result.
///
/// A [`Fault`] is the server's answer (`faultCode`, `faultString`); every
/// other variant says what failed on the way: the HTTP exchange, reading
/// the response, writing the call, the URL, or converting the result.
///
/// ```no_run
/// # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
/// use xmlrpc_kit::Client;
/// use xmlrpc_kit::client::Error;
///
/// let client = Client::new("http://127.0.0.1:8000/RPC2")?;
/// match client.call::<i64>("div", (1, 0)).await {
///     Ok(q) => println!("{q}"),
///     Err(Error::Fault(fault)) => eprintln!("the server said {}: {}", fault.code, fault.string),
///     Err(Error::Transport(e)) if e.is_connect() => eprintln!("no server there: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a fault.
    #[error("{0}")]
    Fault(Fault),
    /// The HTTP exchange failed: connecting, a timeout, a status other than
    /// 200, a response too large, or a broken body.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The response is not a valid XML-RPC document (with line and column).
    #[error("the response is not valid XML-RPC: {0}")]
    Decode(#[from] DecodeError),
    /// The call's parameters cannot be written (a nil without `allow_none`,
    /// a NaN).
    #[error("the call cannot be encoded: {0}")]
    Encode(#[from] EncodeError),
    /// The URL given to the client is not an `http` or `https` URL.
    #[error(transparent)]
    InvalidUrl(#[from] InvalidUrl),
    /// The result does not have the type asked for (or a multicall result
    /// does not have multicall's shape).
    #[error("unexpected result: {0}")]
    Convert(#[from] ConvertError),
    /// A client setting is invalid (a header name or value, a certificate).
    #[error("invalid client setting: {0}")]
    Config(String),
    /// A [`Batch`](crate::Batch) sent as several `system.multicall`
    /// requests failed in one of them as a whole: which calls were
    /// answered, which failed, which were not sent, and why. (A batch sent
    /// in one request fails with that request's error as it is.)
    #[error(transparent)]
    Batch(Box<BatchError>),
}

impl Error {
    /// The fault, if the server answered with one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::Fault(fault) => Some(fault),
            _ => None,
        }
    }

    /// The transport error, if the HTTP exchange failed.
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

/// A [`Batch`](crate::Batch) split into several `system.multicall`
/// requests failed: one request failed as a whole (the transport, or a
/// fault for the whole multicall), so the batch stops there. Its message
/// says which calls were answered, which were in the failed request, and
/// which were not sent; [`answered`](Self::answered) keeps the results
/// that came before the failure.
///
/// Calls are numbered from 1 in the message and counted from 0 in
/// [`failed_calls`](Self::failed_calls), as Rust's ranges are.
///
/// ```no_run
/// # async fn run(client: xmlrpc_kit::Client) {
/// use xmlrpc_kit::client::Error;
///
/// let mut batch = client.batch();
/// for i in 0..2_500 {
///     batch.add("add", (i, 1));
/// }
/// match batch.send().await {
///     Ok(results) => println!("{} results", results.len()),
///     Err(Error::Batch(e)) => {
///         eprintln!("{e}"); // calls 1001–2000 of 2500 failed in one request: …
///         let first = e.answered(); // the results of calls 1–1000
///         let resend = e.failed_calls().start; // the first call to send again
///         # let _ = (first, resend);
///     }
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct BatchError {
    pub(crate) answered: Vec<Result<xmlrpc_kit_codec::Value, Fault>>,
    pub(crate) failed: std::ops::Range<usize>,
    pub(crate) sent: usize,
    pub(crate) total: usize,
    pub(crate) source: Error,
}

impl BatchError {
    /// The results of the calls answered before the failed request, in
    /// order: calls `0..answered().len()`.
    pub fn answered(&self) -> &[Result<xmlrpc_kit_codec::Value, Fault>] {
        &self.answered
    }

    /// The results of the calls answered before the failed request.
    pub fn into_answered(self) -> Vec<Result<xmlrpc_kit_codec::Value, Fault>> {
        self.answered
    }

    /// The calls (counted from 0, in the order added) of the request that
    /// failed: the server may or may not have run them.
    pub fn failed_calls(&self) -> std::ops::Range<usize> {
        self.failed.clone()
    }

    /// How many of the first calls were sent (answered, failed, or sent
    /// concurrently and not awaited): calls from this one on were not.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// The calls in the batch.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Why the request failed: its transport error, or the fault the
    /// server answered for the whole multicall.
    pub fn error(&self) -> &Error {
        &self.source
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = |from: usize, to: usize| {
            if from + 1 == to {
                format!("call {to}")
            } else {
                format!("calls {}–{to}", from + 1)
            }
        };
        write!(
            f,
            "{} of {} failed in one request: {}",
            calls(self.failed.start, self.failed.end),
            self.total,
            self.source
        )?;
        if !self.answered.is_empty() {
            write!(f, "; {} answered", calls(0, self.answered.len()))?;
        }
        if self.sent > self.failed.end {
            write!(
                f,
                "; {} sent, not awaited",
                calls(self.failed.end, self.sent)
            )?;
        }
        let unsent = self.sent.max(self.failed.end);
        if unsent < self.total {
            write!(f, "; {} not sent", calls(unsent, self.total))?;
        }
        Ok(())
    }
}

impl StdError for BatchError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

impl From<Fault> for Error {
    fn from(fault: Fault) -> Self {
        Error::Fault(fault)
    }
}

/// The URL given to a client cannot be used.
///
/// ```
/// let err = xmlrpc_kit::Client::new("ftp://example.com/").unwrap_err();
/// assert_eq!(err.to_string(), "invalid URL \"ftp://example.com/\": the scheme must be http, https, unix or scgi");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidUrl {
    /// The URL, with any password replaced by `***`.
    pub(crate) url: String,
    pub(crate) reason: String,
}

impl InvalidUrl {
    /// Why the URL was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for InvalidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid URL {:?}: {}", self.url, self.reason)
    }
}

impl StdError for InvalidUrl {}

/// The HTTP exchange failed. Opaque, as hyper's errors are: ask it with
/// [`is_connect`](Self::is_connect), [`is_timeout`](Self::is_timeout),
/// [`status`](Self::status) and [`is_too_large`](Self::is_too_large); its
/// message names the server and what went wrong. With a
/// [`RetryPolicy`](crate::RetryPolicy), it is the last attempt's failure
/// and says how many [`attempts`](Self::attempts) were made.
pub struct TransportError {
    kind: Kind,
    /// `host:port` of the server.
    target: String,
    source: Option<BoxError>,
    /// What the server's `Retry-After` asked for, with a status.
    retry_after: Option<Duration>,
    /// How many times the call was sent (the retry policy's attempts).
    attempts: u32,
}

#[derive(Debug)]
enum Kind {
    Connect,
    Timeout(Duration),
    Status {
        code: u16,
        reason: String,
        body: String,
    },
    TooLarge(usize),
    Body(String),
    /// The connection closed (or was reset) before any of the answer came.
    Closed,
    /// The retry policy's deadline for the whole call passed (the source
    /// is the last attempt's failure, if one failed before).
    Deadline(Duration),
    Other,
}

impl TransportError {
    pub(crate) fn connect(target: &str, source: BoxError) -> Self {
        Self::new(Kind::Connect, target, Some(source))
    }

    pub(crate) fn timeout(target: &str, after: Duration) -> Self {
        Self::new(Kind::Timeout(after), target, None)
    }

    pub(crate) fn bad_status(target: &str, code: u16, reason: &str, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let mut body: String = first_line.trim().chars().take(200).collect();
        if body.len() < first_line.trim().len() {
            body.push('…');
        }
        Self::new(
            Kind::Status {
                code,
                reason: reason.to_owned(),
                body,
            },
            target,
            None,
        )
    }

    pub(crate) fn too_large(target: &str, limit: usize) -> Self {
        Self::new(Kind::TooLarge(limit), target, None)
    }

    pub(crate) fn body(target: &str, what: impl Into<String>, source: Option<BoxError>) -> Self {
        Self::new(Kind::Body(what.into()), target, source)
    }

    pub(crate) fn other(target: &str, source: BoxError) -> Self {
        Self::new(Kind::Other, target, Some(source))
    }

    /// The connection closed before any of the answer came: the server
    /// may or may not have run the call.
    pub(crate) fn closed(target: &str, source: BoxError) -> Self {
        Self::new(Kind::Closed, target, Some(source))
    }

    /// The whole call's deadline passed after `attempts` attempts;
    /// `last` is the failure of the last attempt that ended before it.
    pub(crate) fn deadline(
        target: &str,
        deadline: Duration,
        attempts: u32,
        last: Option<Error>,
    ) -> Self {
        let source = last.map(|e| Box::new(e) as BoxError);
        let mut e = Self::new(Kind::Deadline(deadline), target, source);
        e.attempts = attempts;
        e
    }

    /// Records the `Retry-After` the server sent with its status.
    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    /// Records how many attempts the call took.
    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.attempts = attempts;
    }

    fn new(kind: Kind, target: &str, source: Option<BoxError>) -> Self {
        TransportError {
            kind,
            target: target.to_owned(),
            source,
            retry_after: None,
            attempts: 1,
        }
    }

    /// The connection could not be made: refused, no such host, a TLS
    /// handshake that failed, or the connect timeout.
    pub fn is_connect(&self) -> bool {
        matches!(self.kind, Kind::Connect)
    }

    /// A timeout passed: the call's [`timeout`](crate::ClientBuilder::timeout),
    /// the [`connect_timeout`](crate::ClientBuilder::connect_timeout), or
    /// the [`RetryPolicy::deadline`](crate::RetryPolicy::deadline) for the
    /// whole call (its message says which).
    pub fn is_timeout(&self) -> bool {
        match self.kind {
            Kind::Timeout(_) | Kind::Deadline(_) => true,
            Kind::Connect => self.io_kind() == Some(std::io::ErrorKind::TimedOut),
            _ => false,
        }
    }

    /// The HTTP status, when the server answered with one other than 200.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            Kind::Status { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The response was larger than the client's
    /// [`max_response_bytes`](crate::ClientBuilder::max_response_bytes)
    /// (as sent, or once inflated).
    pub fn is_too_large(&self) -> bool {
        matches!(self.kind, Kind::TooLarge(_))
    }

    /// The connection closed (or was reset) before any of the answer
    /// came, even on a new connection: the server may have run the call.
    pub fn is_closed_before_answer(&self) -> bool {
        matches!(self.kind, Kind::Closed)
    }

    /// What the server's `Retry-After` header asked for (seconds, or an
    /// HTTP date from now), when it sent one with its
    /// [`status`](Self::status).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// How many times the call was sent: 1, or more when a
    /// [`RetryPolicy`](crate::RetryPolicy) retried it (this is the last
    /// attempt's failure). The single resend on a new connection when a
    /// kept-alive one was closed (see [`Client`](crate::Client)) is part
    /// of one attempt.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The I/O error kind of a failure to connect, if there is one.
    pub(crate) fn connect_io_kind(&self) -> Option<std::io::ErrorKind> {
        match self.kind {
            Kind::Connect => self.io_kind(),
            _ => None,
        }
    }

    /// The innermost I/O error kind among the sources, if any.
    fn io_kind(&self) -> Option<std::io::ErrorKind> {
        let mut next: Option<&(dyn StdError + 'static)> = self
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static));
        let mut found = None;
        while let Some(e) = next {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                found = Some(io.kind());
            }
            next = e.source();
        }
        found
    }

    /// The message of the innermost source: the one that names the cause.
    fn root_cause(&self) -> Option<String> {
        let mut e: &(dyn StdError + 'static) = self.source.as_deref()?;
        while let Some(inner) = e.source() {
            e = inner;
        }
        Some(e.to_string())
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("target", &self.target)
            .field("source", &self.source)
            .field("retry_after", &self.retry_after)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = &self.target;
        let cause = self.root_cause().unwrap_or_default();
        match &self.kind {
            Kind::Connect => write!(f, "cannot connect to {target}: {cause}"),
            Kind::Timeout(after) => write!(
                f,
                "no complete response from {target} within {}",
                seconds(*after)
            ),
            Kind::Status { code, reason, body } => {
                write!(f, "{target} answered HTTP {code}")?;
                if !reason.is_empty() {
                    write!(f, " {reason}")?;
                }
                if !body.is_empty() {
                    write!(f, ": {body}")?;
                }
                Ok(())
            }
            Kind::TooLarge(limit) => write!(
                f,
                "the response from {target} is larger than the limit of {limit} bytes"
            ),
            Kind::Body(what) if cause.is_empty() => write!(f, "{what} (from {target})"),
            Kind::Body(what) => write!(f, "{what} (from {target}): {cause}"),
            Kind::Closed | Kind::Other => {
                write!(f, "the HTTP exchange with {target} failed: {cause}")
            }
            Kind::Deadline(deadline) => {
                let attempts = self.attempts;
                let plural = if attempts == 1 { "" } else { "s" };
                write!(
                    f,
                    "no answer from {target} within the call's deadline of {} \
                     ({attempts} attempt{plural}",
                    seconds(*deadline)
                )?;
                // The last failure's own message, not its innermost cause.
                match &self.source {
                    Some(last) => write!(f, "; the last failed: {last})"),
                    None => f.write_str(")"),
                }
            }
        }?;
        if self.attempts > 1 && !matches!(self.kind, Kind::Deadline(_)) {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// `1.5s`, `30s`, `250ms`.
fn seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_server_and_the_cause() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = TransportError::connect("127.0.0.1:1", Box::new(refused));
        assert!(e.is_connect() && !e.is_timeout());
        assert_eq!(e.to_string(), "cannot connect to 127.0.0.1:1: refused");

        let timed_out = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
        let e = TransportError::connect("h:1", Box::new(timed_out));
        assert!(e.is_connect() && e.is_timeout());

        let e = TransportError::timeout("h:1", Duration::from_millis(250));
        assert_eq!(e.to_string(), "no complete response from h:1 within 250ms");
        assert!(e.is_timeout() && !e.is_connect());

        let e = TransportError::bad_status("h:1", 404, "Not Found", b"\nNo such page\nmore");
        assert_eq!(e.status(), Some(404));
        assert_eq!(
            e.to_string(),
            "h:1 answered HTTP 404 Not Found: No such page"
        );

        let e = TransportError::too_large("h:1", 10);
        assert!(e.is_too_large());
        assert_eq!(
            e.to_string(),
            "the response from h:1 is larger than the limit of 10 bytes"
        );
    }
}
