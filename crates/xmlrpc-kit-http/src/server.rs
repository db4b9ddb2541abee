//! A bound server: its sockets, its addresses, and serving until stopped
//! (the accept loops started, the drain, the grace period for calls in
//! flight).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use xmlrpc_kit_server::Dispatcher;
use xmlrpc_kit_transport::Address;

use crate::admission::Connections;
use crate::lifecycle::{ShutdownHandle, Stop, advance, reached};
use crate::listener::{Family, Listener, accept_loop};
use crate::service_manager;
use crate::shared::Shared;
use crate::socket::Accepting;

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
        ShutdownHandle::new(self.signal.clone())
    }

    /// A handle that replaces this server's TLS configuration while it
    /// serves (a renewed certificate, say); `None` without one (the `tls`
    /// feature; see [`TlsReloadHandle`](crate::TlsReloadHandle)).
    #[cfg(feature = "tls")]
    pub fn tls_reload_handle(&self) -> Option<crate::TlsReloadHandle> {
        self.shared.tls.clone()
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
        service_manager::ready();
        let watchdog = service_manager::watchdog_interval()
            .map(|interval| tokio::spawn(service_manager::keep_alive(interval)));
        let mut stop = self.signal.subscribe();
        reached(&mut stop, Stop::Draining).await;
        service_manager::stopping();
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
        let open = connections.count();
        tracing::info!("no longer accepting; {open} open connections finish their calls");
        let grace = shared.config.shutdown_grace;
        let drained = tokio::time::timeout(grace, async {
            tokio::select! {
                () = connections.all_closed() => true,
                () = reached(&mut stop, Stop::Now) => false,
            }
        })
        .await;
        match drained {
            Ok(true) => tracing::info!("stopped: every call in flight was answered"),
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
        if let Some(watchdog) = watchdog {
            watchdog.abort();
        }
        Ok(())
    }
}
