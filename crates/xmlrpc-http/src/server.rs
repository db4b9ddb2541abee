//! The standalone server (Python's `SimpleXMLRPCServer`) and the
//! multi-path server (`MultiPathXMLRPCServer`): build, bind, activate, serve.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use xmlrpc_codec::{Limits, OutputEncoding};
use xmlrpc_server::{DispatchOptions, Dispatcher, Documentation, Methods};

use crate::config::HttpConfig;
use crate::service::{Endpoint, Routes, RpcService, Shared, http1_builder};

/// What a server serves: one method table, one dispatcher, or one per path.
#[derive(Debug)]
enum Target {
    Methods(Methods),
    Dispatcher(Dispatcher),
    Paths(Vec<(String, Dispatcher)>),
}

/// Configures a server before it binds (Python's constructor arguments and
/// class attributes). Every setting has a default; see [`HttpConfig`] and
/// [`DispatchOptions`].
///
/// ```no_run
/// use xmlrpc_http::Server;
/// use xmlrpc_server::Methods;
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
pub struct ServerBuilder {
    target: Target,
    allow_none: bool,
    encoding: OutputEncoding,
    config: HttpConfig,
    documentation: Option<Documentation>,
}

impl ServerBuilder {
    /// Sets the paths that accept calls (Python's `rpc_paths`); an empty
    /// list accepts every path. Not used by a multi-path server.
    pub fn rpc_paths<I, S>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.rpc_paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Turns request logging on or off (Python's `logRequests`).
    pub fn log_requests(mut self, on: bool) -> Self {
        self.config.log_requests = on;
        self
    }

    /// Allows nil results (Python's `allow_none`). Not used when the server
    /// was given ready-made dispatchers, which carry their own options.
    pub fn allow_none(mut self, on: bool) -> Self {
        self.allow_none = on;
        self
    }

    /// Sets the response encoding (Python's `encoding`); see [`OutputEncoding`].
    pub fn encoding(mut self, encoding: OutputEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets every limit at once: sizes, counts and times (see [`Limits`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Sets the most calls one `system.multicall` may hold.
    pub fn max_multicall_calls(mut self, calls: usize) -> Self {
        self.config.limits.max_multicall_calls = calls;
        self
    }

    /// Sets `SO_REUSEADDR` (Python's `allow_reuse_address`; default on).
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.config.reuse_address = on;
        self
    }

    /// Sets the largest request body.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.config.limits.max_body_bytes = bytes;
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

    /// Sets the size above which responses are gzipped for clients that
    /// accept it; `None` never compresses.
    pub fn gzip_threshold(mut self, bytes: Option<usize>) -> Self {
        self.config.gzip_threshold = bytes;
        self
    }

    /// Sets the most connections served at once.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.config.limits.max_connections = connections;
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

    /// Adds `dispatcher` at `path` (Python's
    /// `MultiPathXMLRPCServer.add_dispatcher`); the server becomes a
    /// multi-path server if it was not one.
    pub fn add_dispatcher(mut self, path: impl Into<String>, dispatcher: Dispatcher) -> Self {
        let path = path.into();
        match &mut self.target {
            Target::Paths(paths) => {
                paths.retain(|(p, _)| *p != path);
                paths.push((path, dispatcher));
            }
            _ => self.target = Target::Paths(vec![(path, dispatcher)]),
        }
        self
    }

    fn into_shared(self) -> Shared {
        let doc = self.documentation.as_ref();
        let routes = match self.target {
            Target::Methods(methods) => Routes::single(
                Endpoint::new(
                    Dispatcher::with_options(
                        methods,
                        DispatchOptions::default()
                            .allow_none(self.allow_none)
                            .encoding(self.encoding)
                            .limits(self.config.limits.clone()),
                    ),
                    doc,
                ),
                &self.config.rpc_paths,
            ),
            Target::Dispatcher(dispatcher) => {
                Routes::single(Endpoint::new(dispatcher, doc), &self.config.rpc_paths)
            }
            Target::Paths(paths) => Routes::multi(
                paths
                    .into_iter()
                    .map(|(path, dispatcher)| (path, Endpoint::new(dispatcher, doc)))
                    .collect(),
            ),
        };
        Shared::new(routes, self.config)
    }

    /// The server as a hyper service, without a socket: see [`RpcService`].
    pub fn into_service(self) -> RpcService {
        RpcService {
            shared: Arc::new(self.into_shared()),
            peer: None,
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
        let reuse = self.config.reuse_address;
        let mut last_error = None;
        for addr in addr.to_socket_addrs()? {
            match bind_socket(addr, reuse) {
                Ok(socket) => return Ok(Server::new(socket, false, self.into_shared())),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no address to bind to")
        }))
    }

    /// Serves on a listener made elsewhere (systemd sockets, tests).
    pub fn from_listener(self, listener: std::net::TcpListener) -> io::Result<Server> {
        Ok(Server::new(
            Socket::from(listener),
            true,
            self.into_shared(),
        ))
    }
}

fn bind_socket(addr: SocketAddr, reuse_address: bool) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(reuse_address)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Stops a running server: it stops accepting, lets calls in flight
/// finish, and returns from `serve`. Cloneable; usable from any thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    signal: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    /// Asks the server to stop (Python's `shutdown()`).
    pub fn shutdown(&self) {
        self.signal.send_replace(true);
    }
}

/// A bound XML-RPC server (Python's `SimpleXMLRPCServer` after
/// construction, or `MultiPathXMLRPCServer`).
#[derive(Debug)]
pub struct Server {
    socket: Socket,
    activated: bool,
    shared: Arc<Shared>,
    signal: Arc<watch::Sender<bool>>,
}

/// How long a stopping server waits for calls in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

impl Server {
    /// Starts configuring a server for `methods`.
    pub fn builder(methods: Methods) -> ServerBuilder {
        ServerBuilder {
            target: Target::Methods(methods),
            allow_none: false,
            encoding: OutputEncoding::default(),
            config: HttpConfig::default(),
            documentation: None,
        }
    }

    /// Starts configuring a server for a ready-made `dispatcher`.
    pub fn builder_for(dispatcher: Dispatcher) -> ServerBuilder {
        ServerBuilder {
            target: Target::Dispatcher(dispatcher),
            allow_none: false,
            encoding: OutputEncoding::default(),
            config: HttpConfig::default(),
            documentation: None,
        }
    }

    fn new(socket: Socket, activated: bool, shared: Shared) -> Self {
        Server {
            socket,
            activated,
            shared: Arc::new(shared),
            signal: Arc::new(watch::channel(false).0),
        }
    }

    /// The address the server is bound to (with the port the OS picked for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("not an internet socket"))
    }

    /// Starts listening (Python's `server_activate()`); serving does it if needed.
    pub fn activate(&mut self) -> io::Result<()> {
        if !self.activated {
            let backlog = i32::try_from(self.shared.config.backlog).unwrap_or(i32::MAX);
            self.socket.listen(backlog)?;
            self.activated = true;
        }
        Ok(())
    }

    /// The dispatcher answering `path`, if any (Python's `get_dispatcher`).
    pub fn dispatcher(&self, path: &str) -> Option<&Dispatcher> {
        self.shared.routes.get(path).map(|e| &e.dispatcher)
    }

    /// A handle that stops this server.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            signal: self.signal.clone(),
        }
    }

    /// Serves until the [`ShutdownHandle`] is used, on a multi-threaded
    /// tokio runtime sized to the machine's cores (Python's `serve_forever`).
    pub fn serve_forever(self) -> io::Result<()> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(self.serve())
    }

    /// Serves on the current tokio runtime until the [`ShutdownHandle`] is
    /// used; then lets calls in flight finish (for up to 30 s) and returns.
    pub async fn serve(mut self) -> io::Result<()> {
        self.activate()?;
        self.socket.set_nonblocking(true)?;
        let listener = TcpListener::from_std(std::net::TcpListener::from(self.socket))?;
        let shared = self.shared;
        let mut stop = self.signal.subscribe();

        let http = http1_builder(&shared.config);
        let connections = Arc::new(Connections::new(shared.config.limits.max_connections));
        let mut tasks = tokio::task::JoinSet::new();

        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, keep serving.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                },
                () = stopped(&mut stop) => break,
            };
            while tasks.try_join_next().is_some() {}
            let _ = stream.set_nodelay(true);
            let Some((id, evict)) = connections.admit() else {
                tokio::spawn(refuse_busy(stream));
                continue;
            };
            let service = RpcService {
                shared: shared.clone(),
                peer: Some(peer),
            };
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let mut stopping = self.signal.subscribe();
            let connections = connections.clone();
            tasks.spawn(async move {
                let mut connection = std::pin::pin!(connection);
                // Evicted or stopping: finish the request in progress, then close.
                let result = tokio::select! {
                    result = connection.as_mut() => result,
                    _ = evict.notified() => {
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                    () = stopped(&mut stopping) => {
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(e) = result {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                connections.release(id);
            });
        }
        drop(listener);
        let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
            while tasks.join_next().await.is_some() {}
        });
        if drained.await.is_err() {
            tracing::warn!("calls still in flight after {DRAIN_TIMEOUT:?}; stopping anyway");
        }
        Ok(())
    }
}

/// Resolves once the shutdown signal is given.
async fn stopped(signal: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: nothing can stop us later either.
    if signal.wait_for(|stopped| *stopped).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The connections being served. Past `max`, the oldest is asked to close
/// once its request in progress is answered (so a flood of idle
/// connections cannot lock out new clients); past twice `max`, new
/// connections are refused.
#[derive(Debug)]
struct Connections {
    max: usize,
    state: std::sync::Mutex<ConnectionState>,
}

#[derive(Debug, Default)]
struct ConnectionState {
    next_id: u64,
    /// Connections not yet asked to close, oldest first.
    open: std::collections::BTreeMap<u64, Arc<Notify>>,
    /// Every connection still running, asked to close or not.
    alive: usize,
}

impl Connections {
    fn new(max: usize) -> Self {
        Connections {
            max: max.max(1),
            state: std::sync::Mutex::default(),
        }
    }

    /// Admits a new connection, asking the oldest to close if needed;
    /// `None` when even that leaves too many.
    fn admit(&self) -> Option<(u64, Arc<Notify>)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.alive >= self.max.saturating_mul(2) {
            return None;
        }
        if state.open.len() >= self.max {
            if let Some((_, oldest)) = state.open.pop_first() {
                oldest.notify_one();
            }
        }
        let id = state.next_id;
        state.next_id += 1;
        let notify = Arc::new(Notify::new());
        state.open.insert(id, notify.clone());
        state.alive += 1;
        Some((id, notify))
    }

    fn release(&self, id: u64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open.remove(&id);
        state.alive -= 1;
    }
}

/// Answers a connection over the limit with 503 and closes it.
async fn refuse_busy(mut stream: TcpStream) {
    let body = "the server is serving too many connections; try again later\n";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        stream.write_all(response.as_bytes()),
    )
    .await;
}

/// The self-documenting server (Python's `DocXMLRPCServer`): the standalone
/// server whose GET on an RPC path answers an HTML page of every method.
///
/// ```no_run
/// use xmlrpc_http::DocServer;
/// use xmlrpc_server::Methods;
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
/// use xmlrpc_http::MultiPathServer;
/// use xmlrpc_server::{Dispatcher, Methods};
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
    pub fn builder() -> ServerBuilder {
        ServerBuilder {
            target: Target::Paths(Vec::new()),
            allow_none: false,
            encoding: OutputEncoding::default(),
            config: HttpConfig::default(),
            documentation: None,
        }
    }
}
