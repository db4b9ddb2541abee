//! The HTTP server's settings, each with its default.

use std::time::Duration;

use xmlrpc_kit_front::{AccessSink, OnRequestSpan, TrustTraceContext, TrustedProxies};

use crate::limits::HttpLimits;

/// HTTP-level settings of a server (Python's constructor arguments and
/// class attributes); every limit is in [`HttpLimits`].
///
/// ```
/// use xmlrpc_kit::{HttpConfig, HttpLimits};
/// let config = HttpConfig::default();
/// assert!(config.log_requests);
/// assert!(config.reuse_address);
/// assert!(!config.reuse_port);
/// # #[cfg(feature = "gzip")]
/// assert_eq!(config.gzip_threshold, Some(1400));
/// assert_eq!(config.backlog, 1024);
/// assert!(config.stop_on_signals);
/// assert_eq!(config.unix_socket_mode, None);
/// assert_eq!(config.shutdown_grace, std::time::Duration::from_secs(30));
/// assert_eq!(config.drain, std::time::Duration::ZERO);
/// assert_eq!(config.health_path, None);
/// assert_eq!(config.liveness_path, None);
/// assert_eq!(config.unready_after_shedding, std::time::Duration::from_secs(5));
/// assert_eq!(config.trace_context, xmlrpc_kit::trace::TrustTraceContext::Always);
/// assert!(config.on_request_span.is_none());
/// assert!(config.access_sink.is_none());
/// assert_eq!(config.limits, HttpLimits::default());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Log one line per request through `tracing` (Python's `logRequests`).
    /// Default: on.
    pub log_requests: bool,
    /// Where the access events go instead of through `tracing`, while
    /// [`log_requests`](Self::log_requests) is on (see [`AccessSink`]).
    /// Default: `None` (through `tracing`).
    pub access_sink: Option<AccessSink>,
    /// Set `SO_REUSEADDR` before binding (Python's `allow_reuse_address`).
    /// Default: on.
    pub reuse_address: bool,
    /// Set `SO_REUSEPORT` before binding, so several processes can serve
    /// one port. Default: off.
    pub reuse_port: bool,
    /// Gzip responses larger than this when the client accepts gzip
    /// (Python's `encode_threshold`); `None` never compresses. Default:
    /// 1,400 bytes. (The `gzip` feature; without it nothing is compressed.)
    #[cfg(feature = "gzip")]
    pub gzip_threshold: Option<usize>,
    /// The listen backlog (Python's `request_queue_size`): where newcomers
    /// wait while the server is at its connection limit. Default: 1,024.
    pub backlog: u32,
    /// Whether [`serve_forever`](crate::Server::serve_forever) stops on
    /// SIGTERM and SIGINT: the first stops accepting and lets calls in
    /// flight finish within [`shutdown_grace`](Self::shutdown_grace), then
    /// returns (so the process can exit 0, as systemd and Kubernetes
    /// expect); a second stops at once. This registers process-wide signal
    /// handlers; the async [`serve`](crate::Server::serve) never does (use
    /// a [`ShutdownHandle`](crate::ShutdownHandle)). Default: on.
    pub stop_on_signals: bool,
    /// How long a stopping server lets calls in flight finish before it
    /// returns anyway. Default: 30 s.
    pub shutdown_grace: Duration,
    /// How long a stopping server goes on accepting and answering before it
    /// stops accepting, so that a load balancer moves traffic away first:
    /// meanwhile every response says `Connection: close` (keep-alive
    /// connections end after their next answer) and the
    /// [`health_path`](Self::health_path) answers 503. Then the server
    /// stops as without it (a Unix socket's file is removed first, and
    /// connections already queued on it are still answered). Default: zero
    /// (stop accepting at once). `DEPLOYMENT.md` shows it with HAProxy
    /// and nginx.
    pub drain: Duration,
    /// A path where `GET` answers `200 ok` while the server serves and
    /// `503 stopping` once it is stopping, for load balancers' health
    /// checks (no authentication, before any other route). Default:
    /// `None` (no such path).
    pub health_path: Option<String>,
    /// A path where `GET` answers `200 ok` for as long as the server
    /// answers at all, draining included, for liveness checks (a process
    /// that stops answering it is to be restarted; one that fails the
    /// [`health_path`](Self::health_path) only taken out of rotation).
    /// Default: `None` (no such path).
    pub liveness_path: Option<String>,
    /// How long the [`health_path`](Self::health_path) answers `503
    /// shedding load` after the server last refused a request for want of
    /// capacity (503: too many requests in flight or bodies held), so a
    /// load balancer sends it fewer. Zero never does. Default: 5 s.
    pub unready_after_shedding: Duration,
    /// The file mode of Unix sockets the server makes, e.g. `0o660`;
    /// `None` leaves it as the process's umask makes it. Default: `None`.
    pub unix_socket_mode: Option<u32>,
    /// How requests authenticate before dispatch; `None` lets every
    /// request through. Default: `None`.
    pub authenticator: Option<xmlrpc_kit_front::Authenticator>,
    /// A rate limit per client address or per user: a caller over it is
    /// answered 429 with `Retry-After` (see
    /// [`RateLimit`](xmlrpc_kit_front::RateLimit)). The health and
    /// liveness paths are never limited. Default: `None`.
    pub rate_limit: Option<std::sync::Arc<xmlrpc_kit_front::RateLimit>>,
    /// The reverse proxies whose forwarding header (`X-Forwarded-For`, or
    /// `Forwarded` if they are set to write that one) is believed, so
    /// handlers' `Peer` and the access log name the real client (see
    /// [`TrustedProxies`]). Default: none.
    pub trusted_proxies: TrustedProxies,
    /// Whose W3C trace context (`traceparent`, `tracestate`) is taken,
    /// for the request's span and access event and the calls its
    /// handlers make with the client: see [`TrustTraceContext`].
    /// Default: every peer's.
    pub trace_context: TrustTraceContext,
    /// Called with each request's span and trace context (see
    /// [`OnRequestSpan`]). Default: `None`.
    pub on_request_span: Option<OnRequestSpan>,
    /// Where `GET` answers the server's [`Metrics`](xmlrpc_kit_front::Metrics)
    /// in the OpenMetrics text Prometheus scrapes, and the metrics
    /// themselves (the `metrics` feature). The path is checked after
    /// authentication: a server that authenticates asks its scraper to
    /// authenticate too. Default: `None`.
    #[cfg(feature = "metrics")]
    pub metrics: Option<(String, std::sync::Arc<xmlrpc_kit_front::Metrics>)>,
    /// TLS for `https://` listeners (the `tls` feature): the configuration
    /// the server starts with, which its
    /// [`TlsReloadHandle`](crate::TlsReloadHandle) replaces while it
    /// serves. Default: `None`.
    #[cfg(feature = "tls")]
    pub tls: Option<crate::TlsConfig>,
    /// Sizes, counts and times. Default: [`HttpLimits::default()`].
    pub limits: HttpLimits,
}

impl HttpConfig {
    /// The size above which responses are gzipped, if ever.
    pub(crate) fn response_gzip_threshold(&self) -> Option<usize> {
        #[cfg(feature = "gzip")]
        return self.gzip_threshold;
        #[cfg(not(feature = "gzip"))]
        return None;
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            log_requests: true,
            access_sink: None,
            reuse_address: true,
            reuse_port: false,
            #[cfg(feature = "gzip")]
            gzip_threshold: Some(1400),
            backlog: 1024,
            stop_on_signals: true,
            shutdown_grace: Duration::from_secs(30),
            drain: Duration::ZERO,
            health_path: None,
            liveness_path: None,
            unready_after_shedding: Duration::from_secs(5),
            unix_socket_mode: None,
            authenticator: None,
            rate_limit: None,
            trusted_proxies: TrustedProxies::none(),
            trace_context: TrustTraceContext::Always,
            on_request_span: None,
            #[cfg(feature = "metrics")]
            metrics: None,
            #[cfg(feature = "tls")]
            tls: None,
            limits: HttpLimits::default(),
        }
    }
}
