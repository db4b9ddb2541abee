//! Where a server is in its life (serving, draining, stopping, stopped at
//! once), the handle that moves it on, and the signals that do: what
//! every connection watches to know when to close.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

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
    /// The handle that moves `signal` on.
    pub(crate) fn new(signal: Arc<watch::Sender<Stop>>) -> Self {
        ShutdownHandle { signal }
    }

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
    /// second at once. [`Server::serve_forever`](crate::Server::serve_forever) does this itself; with
    /// [`Server::serve`](crate::Server::serve), spawn it before announcing the server, so that no
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
pub(crate) fn advance(signal: &watch::Sender<Stop>, to: Stop) {
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
