//! The HTTP server's limits: every size, count and time a client can
//! influence, each with a safe default.

use std::time::Duration;

use xmlrpc_codec::wire::BodyLimits;

/// The limits a server puts on its clients. Exceeding one is answered with
/// the fitting HTTP status (408, 413, 431, 503) or, for `call_timeout`,
/// fault -32603; the server keeps serving everyone else. The limits on
/// the request document itself are the dispatcher's
/// ([`DispatchOptions`](xmlrpc_server::DispatchOptions)).
///
/// ```
/// use std::time::Duration;
/// use xmlrpc::HttpLimits;
/// use xmlrpc::wire::BodyLimits;
///
/// let limits = HttpLimits::default();
/// assert_eq!(limits.body, BodyLimits::default()); // 20 MiB as sent and inflated
/// assert_eq!(limits.max_buffered_body_bytes, 512 * 1024 * 1024);
/// assert_eq!(limits.max_header_bytes, 64 * 1024);
/// assert_eq!(limits.max_headers, 100);
/// assert_eq!(limits.header_read_timeout, Duration::from_secs(30));
/// assert_eq!(limits.body_read_timeout, Duration::from_secs(30));
/// assert_eq!(limits.call_timeout, Some(Duration::from_secs(60)));
/// assert_eq!(limits.max_connections, 1024);
/// assert_eq!(limits.max_requests_in_flight, 1024);
///
/// let strict = HttpLimits::default().max_connections(64).max_body_bytes(1 << 20);
/// assert_eq!((strict.max_connections, strict.body.max_body_bytes), (64, 1 << 20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpLimits {
    /// One request body: 20 MiB as sent (checked on `Content-Length`
    /// before reading, 413; while reading a chunked body, 413) and once
    /// inflated from gzip (400). Default: [`BodyLimits::default()`].
    pub body: BodyLimits,
    /// Bytes of request bodies the server holds at once, over all
    /// connections (so that many large bodies together cannot exhaust
    /// memory); a request that would pass it is answered 503. Default: 512 MiB.
    pub max_buffered_body_bytes: usize,
    /// Bytes of one request's header block (hyper's read buffer; at least
    /// 8 KiB); larger headers are answered 431. Default: 64 KiB.
    pub max_header_bytes: usize,
    /// Header fields in one request; more are answered 431. Default: 100.
    pub max_headers: usize,
    /// Time a client has to send a request's headers; also the longest a
    /// kept-alive connection may sit idle between requests. Default: 30 s.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body; past it, 408. Default: 30 s.
    pub body_read_timeout: Duration,
    /// Time one call (or one multicall) may run; past it the server answers
    /// fault -32603. `None`: no limit. Default: 60 s.
    pub call_timeout: Option<Duration>,
    /// Connections the server keeps open. A newcomer past it makes the
    /// server close its oldest connection as soon as that one's request in
    /// progress is answered (so a flood of idle connections cannot lock
    /// clients out); past twice it, newcomers are answered 503 and closed.
    /// Default: 1,024.
    pub max_connections: usize,
    /// Requests processed at once; more are answered 503. Default: 1,024.
    pub max_requests_in_flight: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            body: BodyLimits::default(),
            max_buffered_body_bytes: 512 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            call_timeout: Some(Duration::from_secs(60)),
            max_connections: 1024,
            max_requests_in_flight: 1024,
        }
    }
}

xmlrpc_codec::__limit_setters!(HttpLimits {
    body: BodyLimits,
    max_buffered_body_bytes: usize,
    max_header_bytes: usize,
    max_headers: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    call_timeout: Option<Duration>,
    max_connections: usize,
    max_requests_in_flight: usize,
});

impl HttpLimits {
    /// Sets the largest request body as sent ([`BodyLimits::max_body_bytes`]).
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.body.max_body_bytes = bytes;
        self
    }
}
