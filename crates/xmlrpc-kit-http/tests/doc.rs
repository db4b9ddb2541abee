//! The self-documenting server (Python's `DocXMLRPCServer`) over a real socket.

mod common;

use std::io::Read;

use common::*;
use xmlrpc_kit::{Dispatcher, Documentation, Value};
use xmlrpc_kit::{DocServer, MultiPathServer, Server};
use xmlrpc_kit::{DocumentLimits, decode_response};

fn get(path: &str, extra: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n").into_bytes()
}

/// The documented server's methods: the test methods and `pow`.
fn documented_methods() -> xmlrpc_kit::Methods {
    let mut m = methods();
    m.register_function("pow", |x: i64, y: u32| x.pow(y))
        .help("x to the power y; compare add.");
    m
}

/// The page the documented server serves: its methods rendered with its
/// title, name and introduction.
fn documented_page() -> String {
    Documentation::default()
        .server_title("Calculator <docs>")
        .server_name("The calculator")
        .server_documentation("Arithmetic & echo. See https://example.com/calc.")
        .render(&documented_methods())
}

fn documented() -> TestServer {
    let m = documented_methods();
    TestServer::start(
        DocServer::builder(m)
            .server_title("Calculator <docs>")
            .server_name("The calculator")
            .server_documentation("Arithmetic & echo. See https://example.com/calc.")
            .log_requests(false),
    )
}

#[test]
fn get_on_an_rpc_path_answers_the_page() {
    let server = documented();
    for path in ["/", "/RPC2"] {
        let r = exchange(server.addr, &get(path, ""));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        let page = r.text();
        assert_eq!(page, documented_page());
        // What the page shows (the rendering itself is checked in
        // xmlrpc-kit-server's doc.rs).
        assert!(page.contains("<title>Calculator &lt;docs&gt;</title>"));
        assert!(page.contains("<h1>The calculator</h1>"));
        assert!(page.contains(r##"Arithmetic &amp; <a href="#method-echo"><code>echo</code></a>. See <a href="https://example.com/calc" rel="nofollow noopener">https://example.com/calc</a>."##), "{page}");
        assert!(page.contains(r##"compare <a href="#method-add"><code>add</code></a>."##));
    }
    assert_eq!(exchange(server.addr, &get("/elsewhere", "")).status, 404);
}

#[test]
fn post_works_as_on_the_plain_server() {
    let server = documented();
    let r = exchange(server.addr, &add_request("/RPC2"));
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
}

#[test]
fn head_gives_headers_and_gzip_is_used_when_accepted() {
    let server = documented();
    let plain = exchange(server.addr, &get("/", ""));
    let mut stream = connect(server.addr);
    std::io::Write::write_all(
        &mut stream,
        b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut head = String::new();
    stream.read_to_string(&mut head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(
        head.to_lowercase()
            .contains(&format!("content-length: {}", plain.body.len())),
        "{head}"
    );
    assert!(head.ends_with("\r\n\r\n"), "HEAD must have no body: {head}");

    let zipped = exchange(server.addr, &get("/", "Accept-Encoding: gzip\r\n"));
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.body);
}

#[test]
fn the_page_is_rendered_once_at_bind_time() {
    // Registrations are frozen when the server binds: the page reflects them.
    let with_late = || {
        let mut m = methods();
        m.register_function("late", || 1);
        m
    };
    let m = with_late();
    let server = TestServer::start(
        Server::builder(m)
            .documentation(Documentation::default())
            .log_requests(false),
    );
    let page = exchange(server.addr, &get("/", "")).text();
    assert_eq!(page, Documentation::default().render(&with_late()));
    assert!(page.contains(r#"id="method-late""#));
}

#[test]
fn multipath_documents_each_path_with_its_own_methods() {
    let one = |name: &str, value: i32| {
        let mut m = xmlrpc_kit::Methods::new();
        m.register_function(name, move || value);
        m
    };
    let (a, b) = (one("alpha", 1), one("beta", 2));
    let server = TestServer::start(
        MultiPathServer::builder()
            .add_dispatcher("/a", Dispatcher::new(a))
            .add_dispatcher("/b", Dispatcher::new(b))
            .server_name("Two paths")
            .log_requests(false),
    );
    let page_a = exchange(server.addr, &get("/a", "")).text();
    let page_b = exchange(server.addr, &get("/b", "")).text();
    let documentation = Documentation::default().server_name("Two paths");
    assert_eq!(page_a, documentation.render(&one("alpha", 1)));
    assert_eq!(page_b, documentation.render(&one("beta", 2)));
    assert!(page_a.contains("method-alpha") && !page_a.contains("method-beta"));
    assert!(page_b.contains("method-beta") && !page_b.contains("method-alpha"));
}
