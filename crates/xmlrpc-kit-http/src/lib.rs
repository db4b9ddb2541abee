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
//! Each request: the path is checked against `rpc_paths` (404), the method
//! must be POST (501), the body must have a length within the limit (411,
//! 413) and arrive in time (408); a gzip body is inflated with the same
//! limit (400); the body goes to the path's dispatcher; the response is
//! `text/xml`, gzipped when the client accepts it and it is over the
//! threshold. The statuses and texts are the CGI handler's too
//! (`xmlrpc_kit::http_rules`).
//!
//! The modules, one job each: `builder` (settings), `listener` (bind,
//! accept, stop), `admission` (connections, requests and bodies at once),
//! `routing` (path → endpoint), `body` (reading a request body), `service`
//! (one request → one response), `response` (writing responses).

mod admission;
mod auth;
mod body;
mod builder;
mod config;
mod connection_io;
mod limits;
mod listener;
mod response;
mod routing;
mod scgi;
mod service;
mod socket;
mod time_limit;
#[cfg(feature = "tls")]
mod tls;

pub use auth::Authenticator;
pub use builder::{DocServer, MultiPathServer, ServerBuilder, serves};
pub use config::HttpConfig;
pub use limits::HttpLimits;
pub use listener::{Server, ShutdownHandle};
pub use service::RpcService;
#[cfg(feature = "tls")]
pub use tls::TlsConfig;
