//! The example server of Python's `xmlrpc.server` documentation, in Rust:
//! `pow`, `add` (registered from `adder_function`), an instance exporting
//! `mul`, introspection, on `/RPC2`.
//!
//! Run with `cargo run -p xmlrpc-kit --example python_docs_server`, then
//! `xmlrpc-kit call http://localhost:8000/RPC2 pow 2 3`.

use std::io::stderr;
use xmlrpc_kit::{Methods, Server};

/// x to the power y.
#[xmlrpc_kit::method]
pub fn pow(x: i64, y: u32) -> i64 {
    x.pow(y)
}

/// x + y.
#[xmlrpc_kit::method(name = "add")]
pub fn adder_function(x: i64, y: i64) -> i64 {
    x + y
}

/// The example's instance: its public methods are exported.
#[derive(Debug)]
pub struct MyFuncs;

#[xmlrpc_kit::methods]
impl MyFuncs {
    /// x times y.
    pub fn mul(&self, x: i64, y: i64) -> i64 {
        x * y
    }
}

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    pow::register(&mut methods);
    adder_function::register(&mut methods);
    methods.register_instance(MyFuncs);
    methods
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    Server::builder(methods())
        .rpc_paths(["/RPC2"])
        .bind(("localhost", 8000))?
        .serve_forever()
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn the_python_docs_calls_answer() {
        let server = TestServer::start(
            xmlrpc_kit::Server::builder(super::methods())
                .rpc_paths(["/RPC2"])
                .log_requests(false),
        );
        let s = xmlrpc_kit::blocking::Client::new(&server.url()).unwrap();
        assert_eq!(s.call::<i64>("pow", (2, 3)).unwrap(), 8);
        assert_eq!(s.call::<i64>("add", (2, 3)).unwrap(), 5);
        assert_eq!(s.call::<i64>("mul", (5, 2)).unwrap(), 10);
        assert_eq!(
            s.list_methods().unwrap(),
            [
                "add",
                "mul",
                "pow",
                "system.getCapabilities",
                "system.listMethods",
                "system.methodHelp",
                "system.methodSignature"
            ]
        );
    }
}
