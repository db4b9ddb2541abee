//! XML-RPC method tables and dispatch, with no transport: the core every
//! server front end (HTTP, SCGI, CGI, tests) shares.
//!
//! ```
//! use xmlrpc_kit::{Dispatcher, Exports, Fault, Methods, Value};
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

mod answer;
mod builtins;
mod call_scope;
pub mod context;
mod dispatcher;
mod doc;
mod handler;
mod instance;
#[cfg(feature = "json-rpc")]
mod json_rpc;
pub mod long_work;
mod method;
mod methods;
pub mod middleware;
mod protocol;

pub use context::call_site::CallSite;
pub use dispatcher::{DispatchOptions, Dispatcher, MulticallSummary, Reply};
pub use doc::Documentation;
pub use handler::{CallFuture, Handler, Outcome, ReturnsFuture, ReturnsValue};
pub use instance::{Exports, Instance, IntoInstance};
pub use method::{Method, MethodRef};
pub use methods::Methods;
pub use protocol::{Protocol, ProtocolRefusal, Protocols};

/// What the code `#[xmlrpc_kit::methods]` writes refers to (not an API).
#[doc(hidden)]
pub mod __macro_support {
    pub use crate::context::Param;
    pub use crate::{Exports, Instance, IntoInstance, Methods};
}
