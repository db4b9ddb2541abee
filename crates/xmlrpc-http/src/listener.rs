//! The listener: a bound socket (Python's `server_bind` and
//! `server_activate`), the accept loop with its admission of connections,
//! and stopping.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio::sync::watch;
use xmlrpc_server::Dispatcher;

use crate::admission::Connections;
use crate::service::{RpcService, Shared, http1_builder};

pub(crate) fn bind_socket(addr: SocketAddr, reuse_address: bool) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(reuse_address)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// Where a server is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Serving.
    No,
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
        self.signal.send_if_modified(|stop| {
            let changed = *stop == Stop::No;
            if changed {
                *stop = Stop::Graceful;
            }
            changed
        });
    }

    /// Stops at once: connections are closed, calls in flight dropped.
    pub fn shutdown_now(&self) {
        self.signal.send_replace(Stop::Now);
    }
}

/// A bound XML-RPC server (Python's `SimpleXMLRPCServer` after
/// construction, or `MultiPathXMLRPCServer`).
#[derive(Debug)]
pub struct Server {
    socket: Socket,
    activated: bool,
    shared: Arc<Shared>,
    signal: Arc<watch::Sender<Stop>>,
}

impl Server {
    pub(crate) fn new(socket: Socket, activated: bool, shared: Shared) -> Self {
        Server {
            socket,
            activated,
            shared: Arc::new(shared),
            signal: Arc::new(watch::channel(Stop::No).0),
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
                tokio::spawn(stop_on_signals(handle)?);
            }
            self.serve().await
        })
    }

    /// Serves on the current tokio runtime until the [`ShutdownHandle`] is
    /// used; then lets calls in flight finish (within
    /// [`HttpConfig::shutdown_grace`](crate::HttpConfig::shutdown_grace))
    /// and returns. Installs no signal handler.
    pub async fn serve(mut self) -> io::Result<()> {
        self.activate()?;
        self.socket.set_nonblocking(true)?;
        let listener = TcpListener::from_std(std::net::TcpListener::from(self.socket))?;
        let shared = self.shared;
        let limits = &shared.config.limits;
        let mut stop = self.signal.subscribe();

        let http = http1_builder(&shared.config);
        let connections = Arc::new(Connections::new(limits.resolved_max_connections()));
        let mut tasks = tokio::task::JoinSet::new();

        'serve: loop {
            // At the limit, accept nothing (newcomers wait in the backlog)
            // until a connection ends; idle ones are closed to make room.
            while connections.is_full() {
                connections.make_room(limits.pressure_idle_timeout);
                tokio::select! {
                    () = connections.one_freed() => {}
                    () = tokio::time::sleep(limits.pressure_idle_timeout.min(Duration::from_millis(100))) => {}
                    () = reached(&mut stop, Stop::Graceful) => break 'serve,
                }
                while tasks.try_join_next().is_some() {}
            }
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
                () = reached(&mut stop, Stop::Graceful) => break,
            };
            while tasks.try_join_next().is_some() {}
            let _ = stream.set_nodelay(true);
            let (id, conn) = connections.admit();
            let service = RpcService {
                shared: shared.clone(),
                peer: Some(peer),
                conn: Some(conn.clone()),
            };
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let mut stopping = self.signal.subscribe();
            let connections = connections.clone();
            tasks.spawn(async move {
                let mut connection = std::pin::pin!(connection);
                // Asked to close (idle under pressure) or stopping: finish
                // the request in progress, then close.
                let result = tokio::select! {
                    result = connection.as_mut() => result,
                    () = conn.close.notified() => {
                        // Idle under pressure. hyper closes an idle
                        // connection at once but waits out a half-sent
                        // request head; no call has started on one, so it
                        // is closed here.
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
                    () = reached(&mut stopping, Stop::Graceful) => {
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
        let grace = shared.config.shutdown_grace;
        let drained = tokio::time::timeout(grace, async {
            tokio::select! {
                () = async { while tasks.join_next().await.is_some() {} } => true,
                () = reached(&mut stop, Stop::Now) => false,
            }
        })
        .await;
        match drained {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                connections = tasks.len(),
                "stopped at once; calls in flight dropped"
            ),
            Err(_) => tracing::warn!(
                connections = tasks.len(),
                "calls still in flight after {grace:?}; stopping anyway"
            ),
        }
        tasks.abort_all();
        Ok(())
    }
}

/// Resolves once the server is stopping at least as far as `at`
/// (`Graceful` also fires on `Now`).
async fn reached(signal: &mut watch::Receiver<Stop>, at: Stop) {
    let reached = |stop: &Stop| match at {
        Stop::No => true,
        Stop::Graceful => *stop != Stop::No,
        Stop::Now => *stop == Stop::Now,
    };
    // An error means the sender is gone: nothing can stop us later either.
    if signal.wait_for(reached).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Watches SIGTERM and SIGINT: the first stops `server` gracefully, the
/// second at once.
fn stop_on_signals(server: ShutdownHandle) -> io::Result<impl Future<Output = ()>> {
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
