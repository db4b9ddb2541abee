//! XML-RPC over HTTP/1.1: Python's `SimpleXMLRPCServer` and
//! `MultiPathXMLRPCServer`, on hyper and tokio.
//!
//! ```no_run
//! use xmlrpc_http::Server;
//! use xmlrpc_server::{Exports, Fault, Methods, Value};
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
//! limit (400); the body goes to the path's
//! [`Dispatcher`](xmlrpc_server::Dispatcher); the response is `text/xml`,
//! gzipped when the client accepts it and it is over the threshold.

mod config;
mod server;
mod service;

pub use config::HttpConfig;
pub use server::{DocServer, MultiPathServer, Server, ServerBuilder, ShutdownHandle};
pub use service::RpcService;
