//! Configuring a server before it binds (Python's constructor arguments and
//! class attributes): one builder for the HTTP settings, with the settings
//! of what it serves — one method table, or a dispatcher per path — only
//! where they apply. Binding is `binding`'s; the entry points
//! (`Server::builder`, `DocServer`, `MultiPathServer`) are `entry_points`'.

use std::time::Duration;

use xmlrpc_kit_codec::{DocumentLimits, OutputEncoding};
use xmlrpc_kit_server::{DispatchOptions, Dispatcher, Documentation, Methods};

use crate::config::HttpConfig;
use crate::limits::HttpLimits;
use crate::serves::{ByPath, OneTable, Target};

/// Configures a server before it binds. Every setting has a default; see
/// [`HttpConfig`], [`HttpLimits`] and [`DispatchOptions`].
///
/// ```no_run
/// use xmlrpc_kit::{Methods, Server};
///
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i64, y: i64| x + y);
/// methods.register_introspection_functions();
/// let server = Server::builder(methods)
///     .rpc_paths(["/RPC2"])
///     .allow_none(true)
///     .log_requests(false)
///     .bind("127.0.0.1:8000")?;
/// println!("serving on {}", server.local_addr()?);
/// server.serve_forever()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct ServerBuilder<T: Target = OneTable> {
    pub(crate) target: T,
    pub(crate) config: HttpConfig,
    pub(crate) documentation: Option<Documentation>,
}

impl ServerBuilder<OneTable> {
    pub(crate) fn one_table(methods: Methods, options: DispatchOptions) -> Self {
        ServerBuilder {
            target: OneTable {
                methods,
                options,
                rpc_paths: vec!["/".into(), "/RPC2".into()],
                json_rpc_paths: Vec::new(),
            },
            config: HttpConfig::default(),
            documentation: None,
        }
    }

    /// Sets the paths that accept calls (Python's `rpc_paths`; default `/`
    /// and `/RPC2`); an empty list accepts every path. Others answer 404.
    pub fn rpc_paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.target.rpc_paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Allows nil results (Python's `allow_none`).
    pub fn allow_none(mut self, on: bool) -> Self {
        self.target.options = self.target.options.allow_none(on);
        self
    }

    /// Sets the response encoding (Python's `encoding`); see [`OutputEncoding`].
    pub fn encoding(mut self, encoding: OutputEncoding) -> Self {
        self.target.options = self.target.options.encoding(encoding);
        self
    }

    /// Sets how responses spell extensions, doubles and dates; see
    /// [`Dialect`](xmlrpc_kit_codec::Dialect) and
    /// [`DispatchOptions::dialect`].
    pub fn dialect(mut self, dialect: xmlrpc_kit_codec::Dialect) -> Self {
        self.target.options = self.target.options.dialect(dialect);
        self
    }

    /// Sets the most calls one `system.multicall` may hold.
    pub fn max_multicall_calls(mut self, calls: usize) -> Self {
        self.target.options = self.target.options.max_multicall_calls(calls);
        self
    }

    /// Sets how many calls of one `system.multicall` may be in progress
    /// at once (default 1: in order, one after another); see
    /// [`DispatchOptions::multicall_concurrency`].
    pub fn multicall_concurrency(mut self, calls: usize) -> Self {
        self.target.options = self.target.options.multicall_concurrency(calls);
        self
    }

    /// Sets the limits on request documents (depth, items, sizes).
    pub fn document_limits(mut self, limits: DocumentLimits) -> Self {
        self.target.options = self.target.options.limits(limits);
        self
    }

    /// Adds per-call middleware around every call, inside the layers
    /// added before it; see [`DispatchOptions::layer`] and
    /// [`middleware`](xmlrpc_kit_server::middleware).
    pub fn layer(mut self, middleware: impl xmlrpc_kit_server::middleware::Middleware) -> Self {
        self.target.options = self.target.options.layer(middleware);
        self
    }

    /// Answers JSON-RPC 2.0 too, on the RPC paths, from the same methods
    /// (the `json-rpc` feature): a POST whose `Content-Type` is
    /// `application/json` is read and answered as JSON-RPC, any other as
    /// XML-RPC. See [`DispatchOptions::json_rpc`].
    ///
    /// ```no_run
    /// use xmlrpc_kit::{Methods, Server};
    ///
    /// let mut methods = Methods::new();
    /// methods.register_function("add", |x: i64, y: i64| x + y).param_names(["x", "y"]);
    /// let server = Server::builder(methods)
    ///     .json_rpc(true)
    ///     .json_rpc_path("/jsonrpc")
    ///     .bind("127.0.0.1:8000")?;
    /// // curl -H 'Content-Type: application/json' \
    /// //   -d '{"jsonrpc": "2.0", "method": "add", "params": {"x": 2, "y": 3}, "id": 1}' \
    /// //   http://127.0.0.1:8000/jsonrpc
    /// server.serve_forever()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "json-rpc")]
    pub fn json_rpc(mut self, on: bool) -> Self {
        self.target.options = self.target.options.json_rpc(on);
        self
    }

    /// Adds a path that answers JSON-RPC 2.0 alone (whatever the request's
    /// `Content-Type` but `text/xml`, which is refused with 415), as Odoo's
    /// `/jsonrpc` does; turns [`json_rpc`](Self::json_rpc) on.
    #[cfg(feature = "json-rpc")]
    pub fn json_rpc_path(mut self, path: impl Into<String>) -> Self {
        self.target.json_rpc_paths.push(path.into());
        self.json_rpc(true)
    }

    /// Replaces every dispatcher option at once.
    pub fn dispatch_options(mut self, options: DispatchOptions) -> Self {
        self.target.options = options;
        self
    }
}

impl ServerBuilder<ByPath> {
    /// Adds `dispatcher` at `path` (Python's
    /// `MultiPathXMLRPCServer.add_dispatcher`); a path added twice keeps
    /// the second.
    pub fn add_dispatcher(mut self, path: impl Into<String>, dispatcher: Dispatcher) -> Self {
        let path = path.into();
        self.target.paths.retain(|(p, _)| *p != path);
        self.target.paths.push((path, dispatcher));
        self
    }
}

impl<T: Target> ServerBuilder<T> {
    /// Turns request logging on or off (Python's `logRequests`): one
    /// [`AccessLog`](xmlrpc_kit_front::AccessLog) line per request
    /// through `tracing`, every value the peer sent escaped and cut short.
    pub fn log_requests(mut self, on: bool) -> Self {
        self.config.log_requests = on;
        self
    }

    /// Hands each access event to `sink` instead of emitting it through
    /// `tracing`, while [`log_requests`](Self::log_requests) is on: for a
    /// writer of its own that needs none of tracing's machinery (see
    /// [`AccessSink`](xmlrpc_kit_front::AccessSink)). Default: through
    /// `tracing`.
    pub fn access_sink(
        mut self,
        sink: impl Fn(&xmlrpc_kit_front::AccessLog<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.config.access_sink = Some(xmlrpc_kit_front::AccessSink::new(sink));
        self
    }

    /// Sets `SO_REUSEADDR` (Python's `allow_reuse_address`; default on).
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.config.reuse_address = on;
        self
    }

    /// Sets the size above which responses are gzipped for clients that
    /// accept it; `None` never compresses. (The `gzip` feature.)
    #[cfg(feature = "gzip")]
    pub fn gzip_threshold(mut self, bytes: Option<usize>) -> Self {
        self.config.gzip_threshold = bytes;
        self
    }

    /// Sets every HTTP limit at once: sizes, counts and times (see [`HttpLimits`]).
    pub fn limits(mut self, limits: HttpLimits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Sets the largest request body.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.limits.body.max_body_bytes = bytes;
        self
    }

    /// Sets the time allowed for a request's headers.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.limits.header_read_timeout = timeout;
        self
    }

    /// Sets the time allowed for a request's body.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.limits.body_read_timeout = timeout;
        self
    }

    /// Sets the most connections served at once.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.config.limits.max_connections = Some(connections);
        self
    }

    /// Serves Prometheus metrics on `path` (GET), counting every call,
    /// request and connection of this server; see
    /// [`Metrics`](xmlrpc_kit_front::Metrics) for the series. (The
    /// `metrics` feature.)
    ///
    /// ```no_run
    /// use xmlrpc_kit::{Methods, Server};
    ///
    /// let server = Server::builder(Methods::new()).metrics_path("/metrics").bind("127.0.0.1:8000")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "metrics")]
    pub fn metrics_path(self, path: impl Into<String>) -> Self {
        self.metrics(path, std::sync::Arc::new(xmlrpc_kit_front::Metrics::new()))
    }

    /// [`metrics_path`](Self::metrics_path) with metrics of your own: in a
    /// registry that also holds your application's series
    /// ([`Metrics::with_registry`](xmlrpc_kit_front::Metrics::with_registry)),
    /// or shared by several servers. (The `metrics` feature.)
    #[cfg(feature = "metrics")]
    pub fn metrics(
        mut self,
        path: impl Into<String>,
        metrics: std::sync::Arc<xmlrpc_kit_front::Metrics>,
    ) -> Self {
        self.config.metrics = Some((path.into(), metrics));
        self
    }

    /// Sets how long the health path answers `503 shedding load` after
    /// the server last refused a request for want of capacity; see
    /// [`HttpConfig::unready_after_shedding`] (default 5 s; zero never).
    pub fn unready_after_shedding(mut self, time: Duration) -> Self {
        self.config.unready_after_shedding = time;
        self
    }

    /// Limits each caller's requests: see
    /// [`RateLimit`](xmlrpc_kit_front::RateLimit) (per client address, or
    /// per user). A caller over its limit is answered 429 Too Many
    /// Requests with `Retry-After` and a line saying whose limit it is.
    ///
    /// ```no_run
    /// use xmlrpc_kit::front::RateLimit;
    /// use xmlrpc_kit::{Methods, Server};
    ///
    /// // 20 requests a second per client, 50 at once.
    /// let server = Server::builder(Methods::new())
    ///     .rate_limit(RateLimit::per_peer(20.0, 50))
    ///     .bind("127.0.0.1:8000")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn rate_limit(mut self, limit: xmlrpc_kit_front::RateLimit) -> Self {
        self.config.rate_limit = Some(std::sync::Arc::new(limit));
        self
    }

    /// Replaces every HTTP setting at once.
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.config = config;
        self
    }

    /// Serves a documentation page on GET (Python's `DocXMLRPCServer`),
    /// rendered once when the server binds.
    pub fn documentation(mut self, documentation: Documentation) -> Self {
        self.documentation = Some(documentation);
        self
    }

    /// Sets the page's `<title>` (Python's `set_server_title`); makes the
    /// server a documenting one.
    pub fn server_title(mut self, title: impl Into<String>) -> Self {
        self.documentation = Some(self.documentation.unwrap_or_default().server_title(title));
        self
    }

    /// Sets the page's `<h1>` (Python's `set_server_name`); makes the
    /// server a documenting one.
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.documentation = Some(self.documentation.unwrap_or_default().server_name(name));
        self
    }

    /// Sets the page's introduction (Python's `set_server_documentation`);
    /// makes the server a documenting one.
    pub fn server_documentation(mut self, text: impl Into<String>) -> Self {
        self.documentation = Some(
            self.documentation
                .unwrap_or_default()
                .server_documentation(text),
        );
        self
    }

    /// Gives each method on the page a form that calls it from the
    /// browser, with the same call for Python, curl and `xmlrpc-kit call`
    /// (see [`Documentation::try_it`]; default off). `true` makes the
    /// server a documenting one; `false` leaves a server without a page
    /// without one.
    pub fn try_it(mut self, on: bool) -> Self {
        if on || self.documentation.is_some() {
            self.documentation = Some(self.documentation.unwrap_or_default().try_it(on));
        }
        self
    }

    /// Serves TLS on the `https://` listeners (see [`TlsConfig`](crate::TlsConfig);
    /// the `tls` feature).
    #[cfg(feature = "tls")]
    pub fn tls(mut self, config: crate::TlsConfig) -> Self {
        self.config.tls = Some(config);
        self
    }

    /// Authenticates every request before dispatch (see
    /// [`Authenticator`](xmlrpc_kit_front::Authenticator)): a failure answers 401
    /// with `WWW-Authenticate`; handlers see the identity as a
    /// [`Caller`](xmlrpc_kit_server::context::Caller) parameter.
    pub fn authenticate(mut self, authenticator: xmlrpc_kit_front::Authenticator) -> Self {
        self.config.authenticator = Some(authenticator);
        self
    }

    /// Believes the forwarding header of requests that come from one of
    /// `proxies`: handlers' [`Peer`](xmlrpc_kit_server::context::Peer) and the
    /// access log then name the real client. The header is the one
    /// `proxies` names ([`TrustedProxies::header`]): `X-Forwarded-For`
    /// unless set to `Forwarded`; the other is ignored. Default: no proxy
    /// is trusted, and the peer is the address that connected.
    ///
    /// [`TrustedProxies::header`]: xmlrpc_kit_front::TrustedProxies::header
    ///
    /// ```
    /// use xmlrpc_kit_http::Server;
    /// use xmlrpc_kit_server::Methods;
    /// use xmlrpc_kit::front::{ForwardedHeader, TrustedProxies};
    ///
    /// // Behind nginx or HAProxy appending to X-Forwarded-For:
    /// let proxies = "127.0.0.1, 10.0.0.0/8".parse().expect("addresses and networks");
    /// let server = Server::builder(Methods::new()).trusted_proxies(proxies);
    /// # drop(server);
    ///
    /// // Behind proxies that write RFC 7239's `Forwarded` instead:
    /// let proxies = "10.0.0.0/8"
    ///     .parse::<TrustedProxies>()
    ///     .expect("a network")
    ///     .header(ForwardedHeader::Forwarded);
    /// let server = Server::builder(Methods::new()).trusted_proxies(proxies);
    /// # drop(server);
    /// ```
    pub fn trusted_proxies(mut self, proxies: xmlrpc_kit_front::TrustedProxies) -> Self {
        self.config.trusted_proxies = proxies;
        self
    }

    /// Whose W3C trace context (`traceparent`, `tracestate`) is taken,
    /// over HTTP and SCGI alike, for the request's span and access event
    /// and the calls its handlers make with the client: every peer's (the
    /// default), only the [trusted proxies'](Self::trusted_proxies), or
    /// no one's.
    ///
    /// ```
    /// use xmlrpc_kit::trace::TrustTraceContext;
    /// use xmlrpc_kit::{Methods, Server};
    ///
    /// // Traces start at this server unless its proxy says otherwise.
    /// let server = Server::builder(Methods::new())
    ///     .trusted_proxies("10.0.0.0/8".parse().expect("a network"))
    ///     .trace_context(TrustTraceContext::TrustedProxiesOnly);
    /// # drop(server);
    /// ```
    pub fn trace_context(mut self, trust: xmlrpc_kit_front::TrustTraceContext) -> Self {
        self.config.trace_context = trust;
        self
    }

    /// Calls `hook` with each request's span and trace context, when a
    /// subscriber wants the span and the request has a context: see
    /// [`OnRequestSpan`](xmlrpc_kit_front::OnRequestSpan) (with
    /// `tracing-opentelemetry`, `span.set_parent(..)` joins the caller's
    /// trace). Default: none.
    pub fn on_request_span(
        mut self,
        hook: impl Fn(&tracing::Span, &xmlrpc_kit_transport::TraceContext) + Send + Sync + 'static,
    ) -> Self {
        self.config.on_request_span = Some(xmlrpc_kit_front::OnRequestSpan::new(hook));
        self
    }

    /// Sets the file mode of Unix sockets the server makes (default: as
    /// the process's umask leaves it).
    pub fn unix_socket_mode(mut self, mode: u32) -> Self {
        self.config.unix_socket_mode = Some(mode);
        self
    }

    /// Sets `SO_REUSEPORT` on the TCP sockets the server binds, so that
    /// several processes can serve one port, the kernel spreading new
    /// connections among them (default off).
    pub fn reuse_port(mut self, on: bool) -> Self {
        self.config.reuse_port = on;
        self
    }

    /// Goes on accepting and answering for `drain` after a stop is asked,
    /// closing keep-alive connections after their next answer and failing
    /// the health check, before it stops accepting; see
    /// [`HttpConfig::drain`](crate::HttpConfig::drain).
    ///
    /// ```
    /// use std::time::Duration;
    /// use xmlrpc_kit::{Methods, Server};
    /// let server = Server::builder(Methods::new())
    ///     .health_path("/health")
    ///     .drain(Duration::from_secs(2));
    /// ```
    pub fn drain(mut self, drain: Duration) -> Self {
        self.config.drain = drain;
        self
    }

    /// Answers `GET path` with `200 ok` while serving and `503 stopping`
    /// once stopping, for load balancers' health checks; see
    /// [`HttpConfig::health_path`](crate::HttpConfig::health_path).
    pub fn health_path(mut self, path: impl Into<String>) -> Self {
        self.config.health_path = Some(path.into());
        self
    }

    /// Answers `GET path` with `200 ok` for as long as the server answers
    /// at all, draining included, for liveness checks; see
    /// [`HttpConfig::liveness_path`](crate::HttpConfig::liveness_path).
    pub fn liveness_path(mut self, path: impl Into<String>) -> Self {
        self.config.liveness_path = Some(path.into());
        self
    }
}
