//! The HTTP server's settings, each with its default.

use std::time::Duration;

/// HTTP-level settings and limits of a server.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_http::HttpConfig;
/// let config = HttpConfig::default();
/// assert_eq!(config.rpc_paths, ["/", "/RPC2"]);
/// assert!(config.log_requests);
/// assert!(config.reuse_address);
/// assert_eq!(config.max_body_bytes, 20 * 1024 * 1024);
/// assert_eq!(config.header_read_timeout, Duration::from_secs(30));
/// assert_eq!(config.body_read_timeout, Duration::from_secs(30));
/// assert_eq!(config.gzip_threshold, Some(1400));
/// assert_eq!(config.max_connections, 1024);
/// assert_eq!(config.backlog, 1024);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Paths that accept XML-RPC posts (Python's `rpc_paths`); empty means
    /// every path. Other paths answer 404. Default: `/` and `/RPC2`.
    pub rpc_paths: Vec<String>,
    /// Log one line per request through `tracing` (Python's `logRequests`).
    /// Default: on.
    pub log_requests: bool,
    /// Set `SO_REUSEADDR` before binding (Python's `allow_reuse_address`).
    /// Default: on.
    pub reuse_address: bool,
    /// Largest request body, checked on `Content-Length` before reading and
    /// while reading; also the most a gzip body may inflate to. Default: 20 MiB.
    pub max_body_bytes: usize,
    /// Time a client has to send a request's headers (also the idle time
    /// of a kept-alive connection). Default: 30 s.
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's body. Default: 30 s.
    pub body_read_timeout: Duration,
    /// Gzip responses larger than this when the client accepts gzip
    /// (Python's `encode_threshold`); `None` never compresses. Default: 1,400 bytes.
    pub gzip_threshold: Option<usize>,
    /// Connections served at once; more are answered 503 and closed. Default: 1,024.
    pub max_connections: usize,
    /// The listen backlog (Python's `request_queue_size`). Default: 1,024.
    pub backlog: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            rpc_paths: vec!["/".into(), "/RPC2".into()],
            log_requests: true,
            reuse_address: true,
            max_body_bytes: 20 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            gzip_threshold: Some(1400),
            max_connections: 1024,
            backlog: 1024,
        }
    }
}
