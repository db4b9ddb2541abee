//! The listener: the bound sockets (Python's `server_bind` and
//! `server_activate`), one accept loop per socket with the admission of
//! connections, and stopping.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use socket2::Socket;
use tokio::sync::watch;
use xmlrpc_kit_server::Dispatcher;
use xmlrpc_kit_transport::Address;

use crate::admission::{Conn, Connections};
use crate::connection_io::Unvectored;
use crate::scgi;
use crate::service::{HeaderTimer, RpcService, Shared, SlicedAnswers, http1_builder};
use crate::socket::{Accepting, SocketFile, Stream};

/// How a listener's connections are spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// HTTP/1.1 (and 1.0), keep-alive.
    Http,
    /// SCGI: one request per connection.
    Scgi,
    /// HTTP over TLS.
    #[cfg(feature = "tls")]
    Https,
}

/// One bound socket, and what it speaks.
#[derive(Debug)]
pub(crate) struct Listener {
    pub(crate) socket: Socket,
    pub(crate) family: Family,
    pub(crate) protocol: Protocol,
    /// Whether `listen` was called on it.
    pub(crate) listening: bool,
}

/// TCP, or a Unix socket (whose file the server removes when it made it).
#[derive(Debug)]
pub(crate) enum Family {
    Tcp,
    Unix {
        path: std::path::PathBuf,
        made: Option<SocketFile>,
    },
}

impl Listener {
    /// The address it serves on, in the address syntax (with the port the
    /// OS picked).
    fn address(&self) -> io::Result<Address> {
        if let Family::Unix { path, .. } = &self.family {
            let socket = path.clone();
            return Ok(match self.protocol {
                Protocol::Scgi => Address::ScgiUnix { socket },
                _ => Address::HttpUnix { socket, path: None },
            });
        }
        let addr = self.tcp_addr()?;
        let host = addr.ip().to_string();
        Ok(match self.protocol {
            Protocol::Http => Address::Http {
                tls: false,
                host,
                port: addr.port(),
                path: None,
            },
            #[cfg(feature = "tls")]
            Protocol::Https => Address::Http {
                tls: true,
                host,
                port: addr.port(),
                path: None,
            },
            Protocol::Scgi => Address::ScgiTcp {
                host,
                port: addr.port(),
            },
        })
    }

    fn tcp_addr(&self) -> io::Result<SocketAddr> {
        self.socket
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("not an internet socket"))
    }
}

/// Where a server is in its life, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stop {
    /// Serving.
    No,
    /// Stopping, but still accepting and answering for
    /// [`HttpConfig::drain`](crate::HttpConfig::drain): responses close
    /// their connections, the health path answers 503.
    Draining,
    /// Not accepting; calls in flight finish within the grace period.
    Graceful,
    /// Closing every connection now.
    Now,
}

/// Stops a running server: it stops accepting, lets calls in flight
/// finish, and returns from `serve`. Cloneable; usable from any thread.
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    signal: Arc<watch::Sender<Stop>>,
}

impl ShutdownHandle {
    /// Asks the server to stop (Python's `shutdown()`): it accepts nothing
    /// more and returns once calls in flight are answered (or the grace
    /// period is over).
    pub fn shutdown(&self) {
        advance(&self.signal, Stop::Draining);
    }

    /// Stops at once: connections are closed, calls in flight dropped.
    pub fn shutdown_now(&self) {
        self.signal.send_replace(Stop::Now);
    }

    /// Registers SIGTERM and SIGINT handlers (Ctrl-C elsewhere) and
    /// returns the future that watches them, to spawn on the runtime the
    /// server runs on: the first signal stops the server gracefully, the
    /// second at once. [`Server::serve_forever`] does this itself; with
    /// [`Server::serve`], spawn it before announcing the server, so that no
    /// signal can come before the handlers are in place.
    ///
    /// ```no_run
    /// # async fn run(server: xmlrpc_kit::Server) -> std::io::Result<()> {
    /// tokio::spawn(server.shutdown_handle().on_signals()?);
    /// println!("serving on {:?}", server.addresses()?);
    /// server.serve().await
    /// # }
    /// ```
    pub fn on_signals(self) -> io::Result<impl Future<Output = ()> + Send + 'static> {
        stop_on_signals(self)
    }
}

/// A bound XML-RPC server (Python's `SimpleXMLRPCServer` after
/// construction, or `MultiPathXMLRPCServer`): one or more listening
/// sockets, HTTP or SCGI, TCP or Unix, all with the same dispatchers,
/// limits and logging.
#[derive(Debug)]
pub struct Server {
    listeners: Vec<Listener>,
    shared: Arc<Shared>,
    signal: Arc<watch::Sender<Stop>>,
}

impl Server {
    pub(crate) fn new(listeners: Vec<Listener>, shared: Shared) -> Self {
        Server {
            listeners,
            signal: shared.signal.clone(),
            shared: Arc::new(shared),
        }
    }

    /// The address of the first TCP socket the server is bound to (with
    /// the port the OS picked for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listeners
            .iter()
            .find(|l| matches!(l.family, Family::Tcp))
            .ok_or_else(|| io::Error::other("the server has no TCP socket"))?
            .tcp_addr()
    }

    /// Every address the server serves on, in the order given (ports as
    /// the OS picked them), in the address syntax: `http://127.0.0.1:8000`,
    /// `unix:///run/x.sock`, `scgi://…`.
    pub fn addresses(&self) -> io::Result<Vec<Address>> {
        self.listeners.iter().map(Listener::address).collect()
    }

    /// Starts listening (Python's `server_activate()`); serving does it if needed.
    pub fn activate(&mut self) -> io::Result<()> {
        let backlog = i32::try_from(self.shared.config.backlog).unwrap_or(i32::MAX);
        for listener in &mut self.listeners {
            if !listener.listening {
                listener.socket.listen(backlog)?;
                listener.listening = true;
            }
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

    /// Serves until stopped, on a multi-threaded tokio runtime sized to the
    /// machine's cores (Python's `serve_forever`). It stops when the
    /// [`ShutdownHandle`] is used and, unless
    /// [`HttpConfig::stop_on_signals`](crate::HttpConfig::stop_on_signals)
    /// is off, on SIGTERM or SIGINT: calls in flight finish within the
    /// grace period and it returns `Ok`; a second signal stops at once.
    pub fn serve_forever(self) -> io::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let on_signals = self.shared.config.stop_on_signals;
        let handle = self.shutdown_handle();
        runtime.block_on(async move {
            if on_signals {
                tokio::spawn(handle.on_signals()?);
            }
            self.serve().await
        })
    }

    /// Serves on the current tokio runtime until the [`ShutdownHandle`] is
    /// used; then stops accepting (Unix socket files are removed), lets
    /// calls in flight finish (within
    /// [`HttpConfig::shutdown_grace`](crate::HttpConfig::shutdown_grace))
    /// and returns. Installs no signal handler.
    pub async fn serve(mut self) -> io::Result<()> {
        self.activate()?;
        let shared = self.shared;
        let limits = &shared.config.limits;
        let connections = Arc::new(Connections::new(limits.resolved_max_connections()));
        let mut accepting = tokio::task::JoinSet::new();
        let sweeping = {
            let connections = connections.clone();
            let (timeout, pressure) = (limits.header_read_timeout, limits.pressure_idle_timeout);
            tokio::spawn(async move { connections.sweep(timeout, pressure).await })
        };
        for listener in self.listeners {
            let made = match listener.family {
                Family::Tcp => None,
                Family::Unix { made, .. } => Some(made),
            };
            let socket = Accepting::new(listener.socket, made)?;
            accepting.spawn(accept_loop(
                socket,
                listener.protocol,
                shared.clone(),
                connections.clone(),
                self.signal.clone(),
            ));
        }
        let mut stop = self.signal.subscribe();
        reached(&mut stop, Stop::Draining).await;
        let drain = shared.config.drain;
        if !drain.is_zero() {
            tracing::info!("draining for {drain:?} before the server stops accepting");
            tokio::select! {
                () = tokio::time::sleep(drain) => {}
                () = reached(&mut stop, Stop::Graceful) => {}
            }
        }
        advance(&self.signal, Stop::Graceful);
        // The accept loops end, dropping their sockets (and socket files).
        while accepting.join_next().await.is_some() {}
        let grace = shared.config.shutdown_grace;
        let drained = tokio::time::timeout(grace, async {
            tokio::select! {
                () = connections.all_closed() => true,
                () = reached(&mut stop, Stop::Now) => false,
            }
        })
        .await;
        match drained {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                connections = connections.count(),
                "stopped at once; calls in flight dropped"
            ),
            Err(_) => {
                tracing::warn!(
                    connections = connections.count(),
                    "calls still in flight after {grace:?}; stopping anyway"
                );
                self.signal.send_replace(Stop::Now);
            }
        }
        sweeping.abort();
        Ok(())
    }
}

/// Accepts on one socket until the server stops: at the limit it accepts
/// nothing (newcomers wait in the backlog) and closes idle connections to
/// make room. When it stops, a Unix socket's file goes first, then the
/// connections already queued on it are taken and answered, so none is
/// reset (a TCP socket's queue is reset by the kernel, or handed to
/// another process sharing the port where `net.ipv4.tcp_migrate_req` is
/// on).
async fn accept_loop(
    socket: Accepting,
    protocol: Protocol,
    shared: Arc<Shared>,
    connections: Arc<Connections>,
    signal: Arc<watch::Sender<Stop>>,
) {
    let limits = &shared.config.limits;
    let mut stop = signal.subscribe();
    loop {
        while connections.is_full() {
            connections.make_room(limits.pressure_idle_timeout);
            tokio::select! {
                () = connections.one_freed() => {}
                () = tokio::time::sleep(limits.pressure_idle_timeout.min(Duration::from_millis(100))) => {}
                () = reached(&mut stop, Stop::Graceful) => break,
            }
        }
        let (stream, peer) = tokio::select! {
            accepted = socket.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = reached(&mut stop, Stop::Graceful) => break,
        };
        spawn_connection(
            stream,
            peer,
            protocol,
            &shared,
            &connections,
            signal.subscribe(),
        );
    }
    for (stream, peer) in socket.close_and_take_queued().await {
        // Taken while stopping, it still gets its answer (which closes it,
        // as every answer does then): it sees the stop only if it is `Now`.
        let (only_now, stopping) = watch::channel(Stop::No);
        let mut stop = signal.subscribe();
        tokio::spawn(async move {
            tokio::select! {
                () = reached(&mut stop, Stop::Now) => {
                    only_now.send_replace(Stop::Now);
                }
                () = only_now.closed() => {}
            }
        });
        spawn_connection(stream, peer, protocol, &shared, &connections, stopping);
    }
}

/// Serves one accepted connection on its own task.
fn spawn_connection(
    stream: Stream,
    peer: Option<SocketAddr>,
    protocol: Protocol,
    shared: &Arc<Shared>,
    connections: &Arc<Connections>,
    stopping: watch::Receiver<Stop>,
) {
    let (id, conn) = connections.admit();
    let shared = shared.clone();
    let connections = connections.clone();
    tokio::spawn(async move {
        match protocol {
            Protocol::Http => serve_http(stream, peer, shared, conn, stopping).await,
            #[cfg(feature = "tls")]
            Protocol::Https => serve_https(stream, peer, shared, conn, stopping).await,
            Protocol::Scgi => {
                scgi::serve_connection(stream, peer, &shared, &conn, stopping).await;
            }
        }
        connections.release(id);
    });
}

/// One HTTP connection, until the client closes it, the server asks it to
/// close (idle under pressure), or the server stops.
async fn serve_http<S>(
    stream: S,
    peer: Option<SocketAddr>,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    mut stopping: watch::Receiver<Stop>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = SlicedAnswers(RpcService {
        shared: shared.clone(),
        peer,
        conn: Some(conn.clone()),
    });
    // No header read timer: the server's sweeper closes connections idle
    // for longer than the header read timeout (see `Connections::sweep`).
    let io = TokioIo::new(Unvectored::watched(stream, conn.clone()));
    let connection =
        http1_builder(&shared.config, HeaderTimer::Swept).serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = conn.close.notified() => {
            // Idle under pressure. hyper closes an idle connection at once
            // but waits out a half-sent request head; no call has started
            // on one, so it is closed here.
            connection.as_mut().graceful_shutdown();
            loop {
                tokio::select! {
                    result = connection.as_mut() => break result,
                    () = tokio::time::sleep(Duration::from_millis(100)) => {
                        if !conn.is_busy() {
                            break Ok(());
                        }
                    }
                }
            }
        }
        () = stop_settled(&mut stopping) => {
            // Stopping: finish the request in progress, then close; or
            // drop it when told to stop at once.
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                result = connection.as_mut() => result,
                () = reached(&mut stopping, Stop::Now) => Ok(()),
            }
        }
    };
    if let Err(e) = result {
        tracing::debug!(?peer, error = %e, "connection ended with an error");
    }
}

/// How long a connection still reads after the server stops accepting, so
/// that a request already sent on it (a proxy's, on a connection it just
/// opened) is answered rather than reset.
const SETTLE: Duration = Duration::from_millis(50);

/// Resolves [`SETTLE`] after the server stops accepting: when a
/// connection that has not started a request may be closed.
pub(crate) async fn stop_settled(signal: &mut watch::Receiver<Stop>) {
    reached(signal, Stop::Graceful).await;
    tokio::time::sleep(SETTLE).await;
}

/// Moves the server on to `to`, unless it is already that far.
fn advance(signal: &watch::Sender<Stop>, to: Stop) {
    signal.send_if_modified(|stop| {
        let changed = *stop < to;
        if changed {
            *stop = to;
        }
        changed
    });
}

/// Resolves once the server is stopping at least as far as `at`
/// (`Graceful` also fires on `Now`).
pub(crate) async fn reached(signal: &mut watch::Receiver<Stop>, at: Stop) {
    let reached = |stop: &Stop| *stop >= at;
    // An error means the sender is gone: nothing can stop us later either.
    if signal.wait_for(reached).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Watches SIGTERM and SIGINT: the first stops `server` gracefully, the
/// second at once.
fn stop_on_signals(
    server: ShutdownHandle,
) -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            let mut seen = 0;
            loop {
                let name = tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                };
                seen += 1;
                if seen == 1 {
                    tracing::info!(
                        "{name}: stopping; calls in flight may finish (a second signal stops at once)"
                    );
                    server.shutdown();
                } else {
                    tracing::warn!("{name} again: stopping at once");
                    server.shutdown_now();
                    return;
                }
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async move {
            let _ = tokio::signal::ctrl_c().await;
            server.shutdown();
            let _ = tokio::signal::ctrl_c().await;
            server.shutdown_now();
        })
    }
}

/// One HTTPS connection: the TLS handshake within the header timeout, then
/// HTTP. A plain HTTP request on the TLS port is answered 400 in plain
/// text, saying so.
#[cfg(feature = "tls")]
async fn serve_https(
    mut stream: crate::socket::Stream,
    peer: Option<SocketAddr>,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    stopping: watch::Receiver<Stop>,
) {
    use tokio::io::AsyncWriteExt as _;
    let Some(tls) = &shared.config.tls else {
        return;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config());
    let timeout = shared.config.limits.header_read_timeout;
    if let crate::socket::Stream::Tcp(tcp) = &stream {
        let mut first = [0u8; 1];
        let peeked = tokio::time::timeout(timeout, tcp.peek(&mut first)).await;
        if matches!(peeked, Ok(Ok(1))) && first[0].is_ascii_uppercase() {
            let refusal = xmlrpc_kit_front::Rejection::wrong_protocol(
                "this port speaks HTTPS: send the request over TLS",
            );
            let _ = stream
                .write_all(&crate::response::refusal_bytes(&refusal))
                .await;
            let _ = stream.shutdown().await;
            return;
        }
    }
    let handshake = tokio::select! {
        done = tokio::time::timeout(timeout, acceptor.accept(stream)) => done,
        () = conn.close.notified() => return,
    };
    match handshake {
        Ok(Ok(tls_stream)) => serve_http(tls_stream, peer, shared, conn, stopping).await,
        Ok(Err(e)) => tracing::debug!(?peer, error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!(?peer, "TLS handshake timed out"),
    }
}
