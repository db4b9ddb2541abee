//! Limits: every size, count and time an untrusted peer can influence, each
//! with a safe default. One value configures the decoder, the dispatcher,
//! the HTTP server, the CGI handler and the client alike.

use std::time::Duration;

/// The limits on what a peer may send, and how long it may take.
///
/// The document limits are enforced while decoding (exceeding one is a
/// [`DecodeError`](crate::DecodeError) of kind
/// [`Limit`](crate::DecodeErrorKind::Limit), answered with fault -32600);
/// the transport limits by the HTTP server, the CGI handler and the client
/// (exceeding one is the fitting HTTP status or client error).
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_codec::Limits;
///
/// let limits = Limits::default();
/// // The document.
/// assert_eq!(limits.max_depth, 64);
/// assert_eq!(limits.max_items, 1_000_000);
/// assert_eq!(limits.max_string_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_base64_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_method_name_bytes, 256);
/// assert_eq!(limits.max_params, 10_000);
/// assert_eq!(limits.max_multicall_calls, 1_000);
/// // The transport.
/// assert_eq!(limits.max_body_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_inflated_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_buffered_body_bytes, 512 * 1024 * 1024);
/// assert_eq!(limits.max_header_bytes, 64 * 1024);
/// assert_eq!(limits.max_headers, 100);
/// assert_eq!(limits.header_read_timeout, Duration::from_secs(30));
/// assert_eq!(limits.body_read_timeout, Duration::from_secs(30));
/// assert_eq!(limits.call_timeout, Some(Duration::from_secs(60)));
/// assert_eq!(limits.max_connections, 1024);
/// assert_eq!(limits.max_requests_in_flight, 1024);
///
/// let strict = Limits::default().max_depth(16).max_body_bytes(1 << 20);
/// assert_eq!((strict.max_depth, strict.max_body_bytes), (16, 1 << 20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How deep arrays and structs may nest (a scalar parameter is depth 0,
    /// an array of scalars depth 1). Default: 64.
    pub max_depth: u32,
    /// Items in one array, or members in one struct. Default: 1,000,000.
    pub max_items: usize,
    /// Bytes of one string or struct member name, after decoding. Default: 20 MiB.
    pub max_string_bytes: usize,
    /// Bytes of one base64 value, after decoding. Default: 20 MiB.
    pub max_base64_bytes: usize,
    /// Bytes of the method name. Default: 256.
    pub max_method_name_bytes: usize,
    /// Parameters of one call. Default: 10,000.
    pub max_params: usize,
    /// Calls in one `system.multicall`. Default: 1,000.
    pub max_multicall_calls: usize,
    /// Bytes of one request body (server) or response body (client) as
    /// sent, checked on `Content-Length` before reading and while reading a
    /// chunked body. Default: 20 MiB.
    pub max_body_bytes: usize,
    /// Bytes a gzip body may inflate to; inflating stops there. Default: 20 MiB.
    pub max_inflated_bytes: usize,
    /// Bytes of request bodies a server holds at once, over all connections
    /// (so that many large bodies together cannot exhaust memory); a request
    /// that would pass it is answered 503. Default: 512 MiB.
    pub max_buffered_body_bytes: usize,
    /// Bytes of one request's header block (hyper's read buffer; at least
    /// 8 KiB); larger headers are answered 431. Default: 64 KiB.
    pub max_header_bytes: usize,
    /// Header fields in one request; more are answered 431. Default: 100.
    pub max_headers: usize,
    /// Time a client has to send a request's headers; also the longest a
    /// kept-alive connection may sit idle between requests. Default: 30 s.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body (server), or a server its
    /// response (client). Default: 30 s.
    pub body_read_timeout: Duration,
    /// Time one call (or one multicall) may run; past it the server answers
    /// fault -32603. `None`: no limit. Default: 60 s.
    pub call_timeout: Option<Duration>,
    /// Connections a server keeps open. A newcomer past it makes the server
    /// close its oldest connection as soon as that one's request in progress
    /// is answered (so a flood of idle connections cannot lock clients out);
    /// past twice it, newcomers are answered 503 and closed. Default: 1,024.
    pub max_connections: usize,
    /// Requests a server processes at once; more are answered 503. Default: 1,024.
    pub max_requests_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_items: 1_000_000,
            max_string_bytes: 20 * 1024 * 1024,
            max_base64_bytes: 20 * 1024 * 1024,
            max_method_name_bytes: 256,
            max_params: 10_000,
            max_multicall_calls: 1_000,
            max_body_bytes: 20 * 1024 * 1024,
            max_inflated_bytes: 20 * 1024 * 1024,
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

macro_rules! setters {
    ($($field:ident: $t:ty),* $(,)?) => {
        impl Limits {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                #[must_use]
                pub fn $field(mut self, value: $t) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

setters! {
    max_depth: u32,
    max_items: usize,
    max_string_bytes: usize,
    max_base64_bytes: usize,
    max_method_name_bytes: usize,
    max_params: usize,
    max_multicall_calls: usize,
    max_body_bytes: usize,
    max_inflated_bytes: usize,
    max_buffered_body_bytes: usize,
    max_header_bytes: usize,
    max_headers: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    call_timeout: Option<Duration>,
    max_connections: usize,
    max_requests_in_flight: usize,
}
