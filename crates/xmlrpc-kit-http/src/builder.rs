//! Configuring a server before it binds (Python's constructor arguments and
//! class attributes): one builder for the HTTP settings, with the settings
//! of what it serves — one method table, or a dispatcher per path — only
//! where they apply.

use std::io;
use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::time::Duration;

use socket2::Socket;
use xmlrpc_kit_codec::{DocumentLimits, OutputEncoding};
use xmlrpc_kit_server::{DispatchOptions, Dispatcher, Documentation, Methods};

use crate::config::HttpConfig;
use crate::limits::HttpLimits;
use crate::listener::{Family, Listener, Protocol, Server};
use crate::service::{RpcService, Shared};
use crate::socket::{activated, bind_tcp, bind_unix};
use xmlrpc_kit_front::{Endpoint, Routes};
use xmlrpc_kit_transport::Address;

/// What a server serves: the type parameter of [`ServerBuilder`].
pub mod serves {
    use super::*;

    /// One method table on the `rpc_paths` (Python's `SimpleXMLRPCServer`):
    /// the builder also takes the dispatcher's options.
    #[derive(Debug)]
    pub struct OneTable {
        pub(crate) methods: Methods,
        pub(crate) options: DispatchOptions,
        pub(crate) rpc_paths: Vec<String>,
    }

    /// A dispatcher per path (Python's `MultiPathXMLRPCServer`): each
    /// dispatcher carries its own options.
    #[derive(Debug, Default)]
    pub struct ByPath {
        pub(crate) paths: Vec<(String, Dispatcher)>,
    }

    /// [`OneTable`] or [`ByPath`].
    pub trait Target: std::fmt::Debug + sealed::Sealed {}
    impl Target for OneTable {}
    impl Target for ByPath {}

    pub(crate) mod sealed {
        use super::*;

        // Sealed: nothing outside this crate can name or implement it, so
        // the crate-private `Routes` in its signature is never exposed.
        #[allow(private_interfaces)]
        pub trait Sealed {
            /// The routes, each path's endpoint documented by `documentation`.
            fn routes(self, documentation: Option<&Documentation>) -> Routes;
        }

        #[allow(private_interfaces)]
        impl Sealed for OneTable {
            fn routes(self, documentation: Option<&Documentation>) -> Routes {
                let dispatcher = Dispatcher::with_options(self.methods, self.options);
                Routes::single(Endpoint::new(dispatcher, documentation), &self.rpc_paths)
            }
        }

        #[allow(private_interfaces)]
        impl Sealed for ByPath {
            fn routes(self, documentation: Option<&Documentation>) -> Routes {
                Routes::multi(
                    self.paths
                        .into_iter()
                        .map(|(path, dispatcher)| (path, Endpoint::new(dispatcher, documentation)))
                        .collect(),
                )
            }
        }
    }
}

use serves::{ByPath, OneTable, Target};

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
    target: T,
    config: HttpConfig,
    documentation: Option<Documentation>,
}

impl ServerBuilder<OneTable> {
    pub(crate) fn one_table(methods: Methods, options: DispatchOptions) -> Self {
        ServerBuilder {
            target: OneTable {
                methods,
                options,
                rpc_paths: vec!["/".into(), "/RPC2".into()],
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

    fn into_shared(self) -> Shared {
        let routes = self.target.routes(self.documentation.as_ref());
        Shared::new(routes, self.config)
    }

    /// The server as a hyper service, without a socket: see [`RpcService`].
    pub fn into_service(self) -> RpcService {
        RpcService {
            shared: Arc::new(self.into_shared()),
            peer: None,
            conn: None,
        }
    }

    /// Binds to `addr` and starts listening (Python's default
    /// `bind_and_activate=True`). The server accepts nothing until served.
    pub fn bind(self, addr: impl ToSocketAddrs) -> io::Result<Server> {
        let mut server = self.bind_without_activate(addr)?;
        server.activate()?;
        Ok(server)
    }

    /// Binds to `addr` without listening yet (Python's
    /// `bind_and_activate=False` followed by `server_bind()`); call
    /// [`Server::activate`], or just serve.
    pub fn bind_without_activate(self, addr: impl ToSocketAddrs) -> io::Result<Server> {
        let listener = self.bind_tcp(addr, Protocol::Http)?;
        Ok(Server::new(vec![listener], self.into_shared()))
    }

    fn bind_tcp(&self, addr: impl ToSocketAddrs, protocol: Protocol) -> io::Result<Listener> {
        let mut last_error = None;
        for addr in addr.to_socket_addrs()? {
            match bind_tcp(addr, self.config.reuse_address, self.config.reuse_port) {
                Ok(socket) => {
                    return Ok(Listener {
                        socket,
                        family: Family::Tcp,
                        protocol,
                        listening: false,
                    });
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no address to bind to")
        }))
    }

    /// Binds every address and starts listening on each, in the address
    /// syntax ([`Address`]): `http://HOST:PORT`, `unix:///abs/path.sock`
    /// (HTTP on a Unix socket), `scgi://HOST:PORT`, `scgi:///abs/path.sock`.
    /// `systemd` stands for the sockets a service manager handed in (see
    /// [`listen_activated`](Self::listen_activated)). All serve the same
    /// dispatchers with the same limits and logging.
    /// The paths served are `rpc_paths` (SCGI requests are routed by their
    /// `REQUEST_URI`), so an address names none.
    ///
    /// ```no_run
    /// use xmlrpc_kit::{Methods, Server};
    ///
    /// let mut methods = Methods::new();
    /// methods.register_function("add", |x: i64, y: i64| x + y);
    /// let server = Server::builder(methods)
    ///     .unix_socket_mode(0o660)
    ///     .listen(["http://127.0.0.1:8000", "unix:///run/adder.sock", "scgi://127.0.0.1:5000"])?;
    /// for address in server.addresses()? {
    ///     println!("serving on {address}");
    /// }
    /// server.serve_forever()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn listen<I, S>(self, addresses: I) -> io::Result<Server>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut listeners = Vec::new();
        for text in addresses {
            if text.as_ref() == "systemd" {
                listeners.extend(activated_listeners()?);
                continue;
            }
            let address: Address = text
                .as_ref()
                .parse()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            listeners.push(self.bind_address(&address)?);
        }
        if listeners.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no address to listen on",
            ));
        }
        let mut server = Server::new(listeners, self.into_shared());
        server.activate()?;
        Ok(server)
    }

    fn bind_address(&self, address: &Address) -> io::Result<Listener> {
        let no_path = |path: &Option<String>| match path {
            Some(path) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{address}: a listen address names no path ({path}); set rpc_paths instead"
                ),
            )),
            None => Ok(()),
        };
        let unix = |path: &std::path::Path, protocol| {
            let (socket, file) = bind_unix(path, self.config.unix_socket_mode)?;
            Ok(Listener {
                socket,
                family: Family::Unix {
                    path: path.to_owned(),
                    made: Some(file),
                },
                protocol,
                listening: false,
            })
        };
        match address {
            #[cfg(feature = "tls")]
            Address::Http {
                tls: true,
                host,
                port,
                path,
            } => {
                no_path(path)?;
                if self.config.tls.is_none() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!(
                            "{address}: an https:// listener needs a certificate: set .tls(TlsConfig)"
                        ),
                    ));
                }
                self.bind_tcp((host.as_str(), *port), Protocol::Https)
            }
            #[cfg(not(feature = "tls"))]
            Address::Http { tls: true, .. } => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{address}: https:// listeners need the `tls` feature"),
            )),
            Address::Http {
                host, port, path, ..
            } => {
                no_path(path)?;
                self.bind_tcp((host.as_str(), *port), Protocol::Http)
            }
            Address::HttpUnix { socket, path } => {
                no_path(path)?;
                unix(socket, Protocol::Http)
            }
            Address::ScgiTcp { host, port } => {
                self.bind_tcp((host.as_str(), *port), Protocol::Scgi)
            }
            Address::ScgiUnix { socket } => unix(socket, Protocol::Scgi),
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{address}: not an address this server can listen on"),
            )),
        }
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

    /// Sets the file mode of Unix sockets the server makes (default: as
    /// the process's umask leaves it).
    pub fn unix_socket_mode(mut self, mode: u32) -> Self {
        self.config.unix_socket_mode = Some(mode);
        self
    }

    /// Serves on a listener made elsewhere (systemd sockets, tests); it is
    /// used as it is, so [`reuse_address`](Self::reuse_address) and the
    /// backlog, which apply when the server binds, do not apply to it.
    pub fn from_listener(self, listener: std::net::TcpListener) -> io::Result<Server> {
        let listener = Listener {
            socket: Socket::from(listener),
            family: Family::Tcp,
            protocol: Protocol::Http,
            listening: true,
        };
        Ok(Server::new(vec![listener], self.into_shared()))
    }

    /// Serves on the sockets a service manager handed in: systemd socket
    /// activation (`LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES`; also
    /// `systemd-socket-activate` and catflap), TCP or Unix. A socket named
    /// `scgi` (`FileDescriptorName=scgi`) speaks SCGI; the others HTTP.
    /// Fails when no socket was handed in.
    pub fn listen_activated(self) -> io::Result<Server> {
        let listeners = activated_listeners()?;
        Ok(Server::new(listeners, self.into_shared()))
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
}

/// The handed-in sockets as listeners.
fn activated_listeners() -> io::Result<Vec<Listener>> {
    Ok(activated()?
        .into_iter()
        .map(|(socket, name, unix)| Listener {
            socket,
            family: match unix {
                None => Family::Tcp,
                Some(path) => Family::Unix { path, made: None },
            },
            protocol: if name.eq_ignore_ascii_case("scgi") {
                Protocol::Scgi
            } else {
                Protocol::Http
            },
            listening: true,
        })
        .collect())
}

impl Server {
    /// Starts configuring a server for `methods`, with default
    /// [`DispatchOptions`](xmlrpc_kit_server::DispatchOptions).
    pub fn builder(methods: Methods) -> ServerBuilder {
        ServerBuilder::one_table(methods, DispatchOptions::default())
    }

    /// Starts configuring a server for a ready-made `dispatcher`: its
    /// method table and options, which the builder's setters may still change.
    pub fn builder_for(dispatcher: Dispatcher) -> ServerBuilder {
        ServerBuilder::one_table(dispatcher.methods().clone(), dispatcher.options().clone())
    }
}

/// The self-documenting server (Python's `DocXMLRPCServer`): the standalone
/// server whose GET on an RPC path answers an HTML page of every method.
///
/// ```no_run
/// use xmlrpc_kit::{DocServer, Methods};
///
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i64, y: i64| x + y).help("Adds two integers.");
/// methods.register_introspection_functions();
/// DocServer::builder(methods)
///     .server_title("Adder")
///     .server_name("The adding server")
///     .server_documentation("It adds. See add.")
///     .bind("127.0.0.1:8000")?
///     .serve_forever()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct DocServer;

impl DocServer {
    /// Starts configuring a documenting server for `methods`, with
    /// Python's default title, name and documentation.
    pub fn builder(methods: Methods) -> ServerBuilder {
        Server::builder(methods).documentation(Documentation::default())
    }
}

/// Several dispatchers on one port, one per path (Python's
/// `MultiPathXMLRPCServer`).
///
/// ```no_run
/// use xmlrpc_kit::{Dispatcher, Methods, MultiPathServer};
///
/// let mut math = Methods::new();
/// math.register_function("add", |x: i64, y: i64| x + y);
/// let mut text = Methods::new();
/// text.register_function("upper", |s: String| s.to_uppercase());
/// let server = MultiPathServer::builder()
///     .add_dispatcher("/math", Dispatcher::new(math))
///     .add_dispatcher("/text", Dispatcher::new(text))
///     .bind("127.0.0.1:0")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct MultiPathServer;

impl MultiPathServer {
    /// Starts configuring a server with no paths yet; add them with
    /// [`ServerBuilder::add_dispatcher`].
    pub fn builder() -> ServerBuilder<ByPath> {
        ServerBuilder {
            target: ByPath::default(),
            config: HttpConfig::default(),
            documentation: None,
        }
    }
}
