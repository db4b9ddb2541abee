//! A CGI program (Python's `CGIXMLRPCRequestHandler`): point a web
//! server's CGI configuration at the binary; each request runs it once,
//! the request from the CGI environment and stdin, the answer on stdout.
//!
//! Build with `cargo build -p xmlrpc-kit --example cgi` and install
//! `target/debug/examples/cgi` as, say, `/usr/lib/cgi-bin/rpc.cgi`.

use std::io::stderr;
use xmlrpc_kit::{CgiHandler, Methods};

fn handler() -> CgiHandler {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods
        .register_function("add", |x: i64, y: i64| x + y)
        .help("x + y.");
    CgiHandler::new(methods)
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // stdout is the answer
    handler().handle_request(None)
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit::CgiEnv;

    #[test]
    fn a_post_is_answered_on_stdout() {
        let body = b"<methodCall><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>";
        let env = CgiEnv {
            request_method: Some("POST".into()),
            content_length: Some(body.len().to_string()),
            ..CgiEnv::default()
        };
        let mut out = Vec::new();
        super::handler()
            .respond(&env, &mut &body[..], &mut out)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "Content-Type: text/xml\r\nContent-Length: 131\r\n\r\n\
             <?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>"
        );
    }
}
