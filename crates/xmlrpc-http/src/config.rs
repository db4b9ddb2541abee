//! The HTTP server's settings, each with its default.

use xmlrpc_codec::Limits;

/// HTTP-level settings of a server; every limit is in [`Limits`].
///
/// ```
/// use xmlrpc_http::HttpConfig;
/// let config = HttpConfig::default();
/// assert_eq!(config.rpc_paths, ["/", "/RPC2"]);
/// assert!(config.log_requests);
/// assert!(config.reuse_address);
/// assert_eq!(config.gzip_threshold, Some(1400));
/// assert_eq!(config.backlog, 1024);
/// assert_eq!(config.limits, xmlrpc_codec::Limits::default());
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
    /// Gzip responses larger than this when the client accepts gzip
    /// (Python's `encode_threshold`); `None` never compresses. Default: 1,400 bytes.
    pub gzip_threshold: Option<usize>,
    /// The listen backlog (Python's `request_queue_size`). Default: 1,024.
    pub backlog: u32,
    /// Sizes, counts and times: body and header sizes, timeouts,
    /// connections, requests in flight, and the document limits of
    /// dispatchers the server builds itself.
    pub limits: Limits,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            rpc_paths: vec!["/".into(), "/RPC2".into()],
            log_requests: true,
            reuse_address: true,
            gzip_threshold: Some(1400),
            backlog: 1024,
            limits: Limits::default(),
        }
    }
}
