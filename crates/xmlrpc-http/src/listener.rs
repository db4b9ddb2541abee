//! The listener: a bound socket (Python's `server_bind` and
//! `server_activate`), the accept loop with its admission of connections,
//! and stopping.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio::sync::watch;
use xmlrpc_server::Dispatcher;

use crate::admission::{Connections, refuse_busy};
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
    pub(crate) fn new(socket: Socket, activated: bool, shared: Shared) -> Self {
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
