//! The self-documenting server (Python's `DocXMLRPCServer`): GET on the
//! server answers a page of every method, its signature and help.
//!
//! Run with `cargo run -p xmlrpc-kit --example doc_server` and open
//! http://127.0.0.1:8000/ in a browser.

use std::io::stderr;
use xmlrpc_kit::{DocServer, Methods};

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods
        .register_function("add", |x: i64, y: i64| x + y)
        .help("Adds two integers. See also https://docs.python.org/3/library/xmlrpc.server.html.")
        .param_names(["x", "y"]);
    methods
}

fn server() -> xmlrpc_kit::ServerBuilder {
    DocServer::builder(methods())
        .server_title("Adder")
        .server_name("The adding server")
        .server_documentation("It adds. See add.")
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    let server = server().bind(("127.0.0.1", 8000))?;
    println!("the documentation page: http://{}/", server.local_addr()?);
    server.serve_forever()
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::raw_http::exchange;
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn get_answers_the_page() {
        let server = TestServer::start(super::server().log_requests(false));
        let page = exchange(
            server.addr,
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(page.status, 200);
        let text = page.text();
        assert!(text.contains("<title>Adder</title>"));
        assert!(text.contains("add</span>(x: i8, y: i8)"), "{text}");
    }
}
