//! XML-RPC over HTTP/1.1: Python's `SimpleXMLRPCServer`,
//! `DocXMLRPCServer` and `MultiPathXMLRPCServer`, on hyper and tokio. Use
//! it through the `xmlrpc-kit` crate (the `http` feature).
//!
//! ```no_run
//! use xmlrpc_kit::{Fault, Methods, Server};
//!
//! let mut methods = Methods::new();
//! methods.register_introspection_functions();
//! methods.register_function("pow", |x: i64, y: u32| x.checked_pow(y).ok_or(Fault::application("overflow")));
//! methods.register_function("add", |x: i64, y: i64| x + y);
//! Server::builder(methods).bind(("localhost", 8000))?.serve_forever()?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Each request runs the one request path of every front end
//! (`xmlrpc_kit::front::admit`: `Host`, the health path, authentication,
//! the route and method, the body's coding and length), then its body is
//! read within its limit, budget and time (`body`), inflated when gzip,
//! and dispatched; the response is `text/xml`, gzipped when the client
//! accepts it and it is over the threshold. SCGI runs the same path.

mod admission;
mod binding;
mod body;
mod body_budget;
mod builder;
mod config;
mod connection;
mod connection_io;
mod drain;
mod entry_points;
mod http1;
mod lifecycle;
mod limits;
mod listener;
mod response;
mod scgi;
mod server;
pub mod serves;
mod service;
mod service_manager;
mod shared;
mod socket;
mod spawned;
mod time_limit;
#[cfg(feature = "tls")]
mod tls;
#[cfg(feature = "tls")]
mod tls_reload;

pub use builder::ServerBuilder;
pub use config::HttpConfig;
pub use entry_points::{DocServer, MultiPathServer};
pub use lifecycle::ShutdownHandle;
pub use limits::HttpLimits;
/// rustls, whose [`ServerConfig`](rustls::ServerConfig)
/// [`TlsConfig::from_server_config`] takes (the `tls` feature).
#[cfg(feature = "tls")]
pub use rustls;
pub use server::Server;
pub use service::RpcService;
pub use spawned::Spawned;
#[cfg(feature = "tls")]
pub use tls::TlsConfig;
#[cfg(feature = "tls")]
pub use tls_reload::TlsReloadHandle;
