//! Binding a configured server: to TCP addresses, to the address syntax's
//! listen addresses (HTTP, HTTPS, SCGI; TCP or Unix), to a listener made
//! elsewhere, or to the sockets systemd hands in; and the server as a
//! service without a socket.

use std::io;
use std::net::ToSocketAddrs;
use std::sync::Arc;

use socket2::Socket;
use xmlrpc_kit_transport::Address;

use crate::builder::ServerBuilder;
use crate::listener::{Family, Listener, Protocol};
use crate::server::Server;
use crate::serves::Target;
use crate::service::RpcService;
use crate::shared::Shared;
use crate::socket::{activated, bind_tcp, bind_unix};

impl<T: Target> ServerBuilder<T> {
    fn into_shared(self) -> Shared {
        let outer = crate::shared::calls_counted(&self.config);
        let routes = self
            .target
            .routes(self.documentation.as_ref(), outer.as_ref());
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
