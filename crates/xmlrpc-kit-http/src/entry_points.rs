//! The entry points, as Python names its servers: `Server::builder`
//! (`SimpleXMLRPCServer`), `DocServer` (`DocXMLRPCServer`) and
//! `MultiPathServer` (`MultiPathXMLRPCServer`).

use xmlrpc_kit_server::{DispatchOptions, Dispatcher, Documentation, Methods};

use crate::builder::ServerBuilder;
use crate::config::HttpConfig;
use crate::server::Server;
use crate::serves::ByPath;

impl Server {
    /// Starts configuring a server for `methods`, with default
    /// [`DispatchOptions`](xmlrpc_kit_server::DispatchOptions).
    pub fn builder(methods: Methods) -> ServerBuilder {
        ServerBuilder::one_table(methods, DispatchOptions::default())
    }

    /// Starts configuring a server for a ready-made `dispatcher`: its
    /// method table and options, which the builder's setters may still change.
    pub fn builder_for(dispatcher: Dispatcher) -> ServerBuilder {
        ServerBuilder::one_table(dispatcher.methods().clone(), dispatcher.options().clone())
    }
}

/// The self-documenting server (Python's `DocXMLRPCServer`): the standalone
/// server whose GET on an RPC path answers an HTML page of every method.
///
/// ```no_run
/// use xmlrpc_kit::{DocServer, Methods};
///
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i64, y: i64| x + y).help("Adds two integers.");
/// methods.register_introspection_functions();
/// DocServer::builder(methods)
///     .server_title("Adder")
///     .server_name("The adding server")
///     .server_documentation("It adds. See add.")
///     .bind("127.0.0.1:8000")?
///     .serve_forever()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct DocServer;

impl DocServer {
    /// Starts configuring a documenting server for `methods`, with
    /// Python's default title, name and documentation.
    pub fn builder(methods: Methods) -> ServerBuilder {
        Server::builder(methods).documentation(Documentation::default())
    }
}

/// Several dispatchers on one port, one per path (Python's
/// `MultiPathXMLRPCServer`).
///
/// ```no_run
/// use xmlrpc_kit::{Dispatcher, Methods, MultiPathServer};
///
/// let mut math = Methods::new();
/// math.register_function("add", |x: i64, y: i64| x + y);
/// let mut text = Methods::new();
/// text.register_function("upper", |s: String| s.to_uppercase());
/// let server = MultiPathServer::builder()
///     .add_dispatcher("/math", Dispatcher::new(math))
///     .add_dispatcher("/text", Dispatcher::new(text))
///     .bind("127.0.0.1:0")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct MultiPathServer;

impl MultiPathServer {
    /// Starts configuring a server with no paths yet; add them with
    /// [`ServerBuilder::add_dispatcher`].
    pub fn builder() -> ServerBuilder<ByPath> {
        ServerBuilder {
            target: ByPath::default(),
            config: HttpConfig::default(),
            documentation: None,
        }
    }
}
