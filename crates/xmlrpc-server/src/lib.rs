//! XML-RPC method tables and dispatch, with no transport: the core every
//! server front end (HTTP, CGI, tests) shares.
//!
//! ```
//! use xmlrpc_server::{Dispatcher, Exports, Fault, Methods, Value};
//!
//! let mut methods = Methods::new();
//! methods.register_introspection_functions();
//! methods.register_multicall_functions();
//! methods.register_function("pow", |x: i64, y: u32| x.checked_pow(y).ok_or(Fault::application("overflow")));
//! methods.register_function("add", |x: i64, y: i64| x + y);
//!
//! let mut funcs = Exports::new();
//! funcs.register_function("div", |x: i64, y: i64| {
//!     if y == 0 { Err(Fault::application("integer division by zero")) } else { Ok(x.div_euclid(y)) }
//! });
//! methods.register_instance(funcs);
//!
//! let dispatcher = Dispatcher::new(methods);
//! let listed = futures::executor::block_on(dispatcher.call("system.listMethods", vec![])).unwrap();
//! assert_eq!(listed.as_array().unwrap().len(), 8);
//! ```

mod cgi;
mod dispatcher;
mod doc;
mod handler;
mod instance;
mod methods;

pub use cgi::{CgiEnv, CgiHandler};
pub use dispatcher::{DispatchOptions, Dispatcher, Reply};
pub use doc::Documentation;
pub use handler::{Async, CallFuture, Handler, Outcome, Sync};
pub use instance::{Exports, Instance};
pub use methods::{Method, MethodRef, Methods};
pub use xmlrpc_codec::{self as codec, Fault, Value};

/// Shortens untrusted text quoted in a message.
pub(crate) fn codec_truncate(text: &str) -> String {
    match text.char_indices().nth(60) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}
