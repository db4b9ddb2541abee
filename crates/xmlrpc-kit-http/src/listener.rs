//! The listener: the bound sockets (Python's `server_bind` and
//! `server_activate`), and one accept loop per socket with the admission
//! of connections, each served on its own task by its protocol.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use socket2::Socket;
use tokio::sync::watch;
use xmlrpc_kit_transport::Address;

use crate::admission::Connections;
use crate::connection;
use crate::lifecycle::{Stop, reached};
use crate::scgi;
use crate::shared::Shared;
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
    pub(crate) fn address(&self) -> io::Result<Address> {
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

    pub(crate) fn tcp_addr(&self) -> io::Result<SocketAddr> {
        self.socket
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::other("not an internet socket"))
    }
}

/// Accepts on one socket until the server stops: at the limit it accepts
/// nothing (newcomers wait in the backlog) and closes idle connections to
/// make room. When it stops, a Unix socket's file goes first, then the
/// connections already queued on it are taken and answered, so none is
/// reset (a TCP socket's queue is reset by the kernel, or handed to
/// another process sharing the port where `net.ipv4.tcp_migrate_req` is
/// on).
pub(crate) async fn accept_loop(
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
    let counted = shared.count_connection();
    tokio::spawn(async move {
        let _counted = counted;
        match protocol {
            Protocol::Http => connection::serve_http(stream, peer, shared, conn, stopping).await,
            #[cfg(feature = "tls")]
            Protocol::Https => connection::serve_https(stream, peer, shared, conn, stopping).await,
            Protocol::Scgi => {
                scgi::serve_connection(stream, peer, &shared, &conn, stopping).await;
            }
        }
        connections.release(id);
    });
}
