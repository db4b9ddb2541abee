//! Several dispatchers on one port, one per path (Python's
//! `MultiPathXMLRPCServer`), each with its own options.
//!
//! Run with `cargo run -p xmlrpc-kit --example multi_path`.

use std::io::stderr;
use xmlrpc_kit::{DispatchOptions, Dispatcher, Methods, MultiPathServer};

fn server() -> xmlrpc_kit::ServerBuilder<xmlrpc_kit::serves::ByPath> {
    let mut math = Methods::new();
    math.register_function("add", |x: i64, y: i64| x + y);
    let mut text = Methods::new();
    text.register_function("upper", |s: String| s.to_uppercase());
    text.register_function("nothing", || ());
    MultiPathServer::builder()
        .add_dispatcher("/math", Dispatcher::new(math))
        .add_dispatcher(
            "/text",
            Dispatcher::with_options(text, DispatchOptions::default().allow_none(true)),
        )
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    let server = server().bind(("127.0.0.1", 8000))?;
    let address = server.local_addr()?;
    println!("math on http://{address}/math, text on http://{address}/text");
    server.serve_forever()
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn each_path_has_its_methods() {
        let server = TestServer::start(super::server().log_requests(false));
        let math =
            xmlrpc_kit::blocking::Client::new(&format!("http://{}/math", server.addr)).unwrap();
        let text =
            xmlrpc_kit::blocking::Client::new(&format!("http://{}/text", server.addr)).unwrap();
        assert_eq!(math.call::<i64>("add", (2, 3)).unwrap(), 5);
        assert_eq!(text.call::<String>("upper", ("abc",)).unwrap(), "ABC");
        assert_eq!(
            text.call_value("nothing", vec![]).unwrap(),
            xmlrpc_kit::Value::Nil
        );
        // Each path has only its own methods.
        let e = math.call::<String>("upper", ("abc",)).unwrap_err();
        assert_eq!(
            e.fault(),
            Some(&xmlrpc_kit::Fault::new(
                -32601,
                "method \"upper\" is not supported"
            ))
        );
    }
}
