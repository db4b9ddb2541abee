//! The HTTP server's limits: every size, count and time a client can
//! influence, each with a safe default.

use std::time::Duration;

use xmlrpc_kit_transport::BodyLimits;

/// The limits a server puts on its clients. Exceeding one is answered with
/// the fitting HTTP status (408, 413, 431, 503) or, for `call_timeout`,
/// fault -32603; the server keeps serving everyone else. The limits on
/// the request document itself are the dispatcher's
/// ([`DispatchOptions`](xmlrpc_kit_server::DispatchOptions)).
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_kit::HttpLimits;
/// use xmlrpc_kit::wire::BodyLimits;
///
/// let limits = HttpLimits::default();
/// assert_eq!(limits.body, BodyLimits::default()); // 20 MiB as sent and inflated
/// assert_eq!(limits.max_buffered_body_bytes, 512 * 1024 * 1024);
/// assert_eq!(limits.max_buffered_answer_bytes, 256 * 1024 * 1024);
/// assert_eq!(limits.max_header_bytes, 64 * 1024);
/// assert_eq!(limits.max_headers, 100);
/// assert_eq!(limits.header_read_timeout, Duration::from_secs(30));
/// assert_eq!(limits.body_read_timeout, Duration::from_secs(30));
/// assert_eq!(limits.body_queue_timeout, Duration::from_secs(10));
/// assert_eq!(limits.call_timeout, Some(Duration::from_secs(60)));
/// assert_eq!(limits.max_connections, None); // derived from the open-file limit
/// assert_eq!(limits.pressure_idle_timeout, Duration::from_secs(1));
/// assert_eq!(limits.max_requests_in_flight, 1024);
///
/// let strict = HttpLimits::default().max_connections(64).max_body_bytes(1 << 20);
/// assert_eq!((strict.max_connections, strict.body.max_body_bytes), (Some(64), 1 << 20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpLimits {
    /// One request body: 20 MiB as sent (checked on `Content-Length`
    /// before reading, 413; while reading a chunked body, 413) and once
    /// inflated from gzip (400). Default: [`BodyLimits::default()`].
    pub body: BodyLimits,
    /// Bytes of request bodies the server holds at once, over all
    /// connections, so that many large bodies together cannot exhaust
    /// memory. Counted as bytes arrive: a declared length holds nothing
    /// until its bytes come; then, while what is held for bytes still to
    /// come stays within half this budget, the whole declared length is
    /// held at once, so that large bodies arriving together finish rather
    /// than each run out midway. A request's share is held until its
    /// answer is made, and then, up to the answer's size, until the
    /// answer's last byte is handed to the connection (see
    /// [`max_buffered_answer_bytes`](Self::max_buffered_answer_bytes)): so
    /// answers clients are slow to read hold back the bodies waiting in
    /// line, and no more work is let in than answers are read.
    ///
    /// A body the budget cannot take waits in line, its bytes unread
    /// (its client's sending stalls), for at most
    /// [`body_queue_timeout`](Self::body_queue_timeout); bodies are let in
    /// first come, first served, each for the rest of its length. One
    /// still waiting then is answered 503 with `Retry-After`, once the
    /// rest of its body is read and let go (at most the body limit, within
    /// [`body_read_timeout`](Self::body_read_timeout); nothing kept), so
    /// that a client still sending reads the answer rather than a reset
    /// connection. The connection then stays open for the client's next
    /// request; when the body could not be read to its end, the answer
    /// says `Connection: close` and the connection closes. Default: 512 MiB.
    pub max_buffered_body_bytes: usize,
    /// Bytes of answers the server holds at once for clients that have not
    /// read them yet, over all connections, beyond what their requests'
    /// shares of the body budget cover (an answer takes over its
    /// request's share, up to its own size: see
    /// [`max_buffered_body_bytes`](Self::max_buffered_body_bytes)): an
    /// answer longer than 64 KiB is counted from when it is made until its
    /// last byte is handed to the connection (a client that does not read
    /// holds its answer, and its connection gets no other answer
    /// meanwhile). The two budgets together bound what requests and their
    /// answers hold. A call whose answer
    /// does not fit is answered with fault -32603 saying so (it ran: its
    /// answer could not be kept). One answer's size is bounded by the
    /// dispatcher's [`max_answer_bytes`](xmlrpc_kit_server::DispatchOptions::max_answer_bytes).
    /// Counted on the server's own connections (its listeners and
    /// [`RpcService::serve_connection`](crate::RpcService::serve_connection));
    /// a service mounted in another server hands its answers to that
    /// server. Default: 256 MiB.
    pub max_buffered_answer_bytes: usize,
    /// Bytes of one request's header block (hyper's read buffer; at least
    /// 8 KiB); larger headers are answered 431. Default: 64 KiB.
    pub max_header_bytes: usize,
    /// Header fields in one request; more are answered 431. Default: 100.
    pub max_headers: usize,
    /// Time a client has to send a request's headers; also the longest a
    /// kept-alive connection may sit idle between requests, and the
    /// longest an answer may wait for its client to read more of it. The
    /// server checks it a few times per timeout (every eighth of it, or of
    /// `pressure_idle_timeout` when shorter, between 10 ms and 1 s), not
    /// with a timer per request. Default: 30 s.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body, counted from the first
    /// wait for it (time waiting in line for the body budget included);
    /// past it, 408. Also the longest the server reads a refused request's
    /// body to let it go (see
    /// [`max_buffered_body_bytes`](Self::max_buffered_body_bytes)).
    /// Default: 30 s.
    pub body_read_timeout: Duration,
    /// Longest a request body waits in line for room in the body budget
    /// ([`max_buffered_body_bytes`](Self::max_buffered_body_bytes)), over
    /// its whole read, before it is refused with 503; `Duration::ZERO`
    /// refuses at once. Counted within the body read timeout, so keep it
    /// shorter. Default: 10 s.
    pub body_queue_timeout: Duration,
    /// Time one call (or one multicall) may run, counted from its first
    /// wait (a handler that never waits cannot be cut short: it has ended
    /// by then); past it the server answers fault -32603. `None`: no
    /// limit. Default: 60 s.
    pub call_timeout: Option<Duration>,
    /// Connections the server serves at once. Past it the server stops
    /// accepting, so newcomers wait in the listen backlog (back-pressure,
    /// as nginx and HAProxy do) until a connection closes; busy connections
    /// are never evicted. `None`, the default: derived when serving starts
    /// from the process's open-file limit (whose soft value the server
    /// first raises to the hard one), less 64 for other files, between 16
    /// and 16,384.
    pub max_connections: Option<usize>,
    /// At the connection limit, connections idle (no request in progress)
    /// for longer than this are closed, oldest first, to make room: the
    /// idle timeout shortens under pressure, so idle floods and slow
    /// headers cannot keep clients out. Default: 1 s.
    pub pressure_idle_timeout: Duration,
    /// Requests processed at once; more are answered 503. Default: 1,024.
    pub max_requests_in_flight: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            body: BodyLimits::default(),
            max_buffered_body_bytes: 512 * 1024 * 1024,
            max_buffered_answer_bytes: 256 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            body_queue_timeout: Duration::from_secs(10),
            call_timeout: Some(Duration::from_secs(60)),
            max_connections: None,
            pressure_idle_timeout: Duration::from_secs(1),
            max_requests_in_flight: 1024,
        }
    }
}

xmlrpc_kit_codec::__limit_setters!(HttpLimits {
    body: BodyLimits,
    max_buffered_body_bytes: usize,
    max_buffered_answer_bytes: usize,
    max_header_bytes: usize,
    max_headers: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    body_queue_timeout: Duration,
    call_timeout: Option<Duration>,
    pressure_idle_timeout: Duration,
    max_requests_in_flight: usize,
});

impl HttpLimits {
    /// Sets [`max_connections`](Self::max_connections) to `connections`.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = Some(connections);
        self
    }

    /// The connection limit to serve with: the one set, or one derived
    /// from the open-file limit (raising its soft value to the hard one).
    pub(crate) fn resolved_max_connections(&self) -> usize {
        self.max_connections.unwrap_or_else(|| {
            let files = raise_open_file_limit();
            usize::try_from(files.saturating_sub(64))
                .unwrap_or(usize::MAX)
                .clamp(16, 16_384)
        })
    }

    /// Sets the largest request body as sent ([`BodyLimits::max_body_bytes`]).
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.body.max_body_bytes = bytes;
        self
    }
}

/// Raises the soft open-file limit to the hard one; returns the soft limit
/// in force afterwards (1,024, the usual default, if it cannot be read).
#[cfg(unix)]
fn raise_open_file_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}

#[cfg(not(unix))]
fn raise_open_file_limit() -> u64 {
    1024
}
