//! A documenting CGI program (Python's `DocCGIXMLRPCRequestHandler`): POST
//! answers calls, GET the documentation page of every method.
//!
//! Build with `cargo build -p xmlrpc-kit --example doc_cgi`.

use std::io::stderr;
use xmlrpc_kit::{CgiHandler, Documentation, Methods};

fn handler() -> CgiHandler {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods
        .register_function("echo", |x: xmlrpc_kit::Value| x)
        .help("Returns its parameter.");
    CgiHandler::new(methods).documentation(
        Documentation::default()
            .server_title("Echo service")
            .server_name("The echo service")
            .server_documentation("Everything it is sent comes back. See echo."),
    )
}

fn main() -> std::io::Result<()> {
    // One line a request on stderr, which the web server keeps; stdout is
    // the answer.
    tracing_subscriber::fmt().with_writer(stderr).init();
    handler().log_requests(true).handle_request(None)
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit::CgiEnv;

    #[test]
    fn get_answers_the_page() {
        let env = CgiEnv {
            request_method: Some("GET".into()),
            ..CgiEnv::default()
        };
        let mut out = Vec::new();
        super::handler()
            .respond(&env, &mut &b""[..], &mut out)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let (head, page) = out.split_once("\r\n\r\n").unwrap();
        assert_eq!(
            head,
            "Content-Type: text/html; charset=utf-8\r\nContent-Length: 4648"
        );
        // What the page shows (its rendering is checked in xmlrpc-kit-server).
        assert!(page.contains("<title>Echo service</title>"));
        assert!(page.contains("Returns its parameter."));
    }
}
