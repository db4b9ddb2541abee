//! Every HTTP behaviour of the standalone and multi-path servers, through a
//! real socket on 127.0.0.1 with a port the OS picked.

mod common;

use std::io::Write;
use std::time::Duration;

use common::*;
use xmlrpc_kit::{Dispatcher, Fault, Methods, Value};
use xmlrpc_kit::{DocumentLimits, decode_response};
use xmlrpc_kit::{MultiPathServer, Server};

fn result(response: &HttpResponse) -> Result<Value, Fault> {
    decode_response(&response.body, &DocumentLimits::default()).expect("an XML-RPC response")
}

#[test]
fn default_paths_answer_with_text_xml_and_exact_length() {
    let server = TestServer::start(Server::builder(methods()).log_requests(false));
    for path in ["/", "/RPC2"] {
        let r = exchange(server.addr, &add_request(path));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("text/xml"));
        assert_eq!(
            r.header("content-length").unwrap(),
            r.body.len().to_string()
        );
        assert_eq!(result(&r), Ok(Value::Int(5)));
    }
    let r = exchange(server.addr, &add_request("/other"));
    assert_eq!((r.status, r.text().as_str()), (404, "No such page\n"));
}

#[test]
fn rpc_paths_restrict_or_open_every_path() {
    let only = TestServer::start(
        Server::builder(methods())
            .rpc_paths(["/RPC2"])
            .log_requests(false),
    );
    assert_eq!(exchange(only.addr, &add_request("/RPC2")).status, 200);
    assert_eq!(exchange(only.addr, &add_request("/")).status, 404);
    let all = TestServer::start(
        Server::builder(methods())
            .rpc_paths(Vec::<String>::new())
            .log_requests(false),
    );
    assert_eq!(
        exchange(all.addr, &add_request("/any/path/at/all")).status,
        200
    );
}

#[test]
fn non_post_is_501_like_python() {
    let server = TestServer::start(Server::builder(methods()).log_requests(false));
    for method in ["GET", "PUT", "DELETE"] {
        let r = exchange(
            server.addr,
            format!("{method} /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 501, "{method}");
        assert_eq!(r.text(), format!("Unsupported method ('{method}')\n"));
        assert_eq!(r.header("allow"), Some("POST"));
    }
}

#[test]
fn missing_and_oversized_bodies_get_the_fitting_4xx() {
    let server = TestServer::start(
        Server::builder(methods())
            .max_body_bytes(1000)
            .log_requests(false),
    );
    let r = exchange(server.addr, b"POST /RPC2 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(r.status, 411);
    let r = exchange(
        server.addr,
        b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000000\r\n\r\n",
    );
    assert_eq!(
        (r.status, r.text().as_str()),
        (
            413,
            "the request body is larger than the limit of 1000 bytes\n"
        )
    );
    // A chunked body is counted while it streams.
    let mut stream = connect(server.addr);
    stream
        .write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    for _ in 0..3 {
        stream
            .write_all(format!("190\r\n{}\r\n", "x".repeat(400)).as_bytes())
            .unwrap();
    }
    let r = read_response(&mut stream);
    assert_eq!(
        (r.status, r.text().as_str()),
        (
            413,
            "the request body is larger than the limit of 1000 bytes\n"
        )
    );
    // Within the limit, chunked is fine.
    let body = call_body(
        "add",
        "<param><value><int>1</int></value></param><param><value><int>1</int></value></param>",
    );
    let raw = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    assert_eq!(
        result(&exchange(server.addr, raw.as_bytes())),
        Ok(Value::Int(2))
    );
    // An empty body is a request, answered with a parse fault.
    let r = exchange(
        server.addr,
        b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(
        result(&r),
        Err(Fault::new(
            -32700,
            "line 1, column 1: the document ends early: expected <methodCall>"
        ))
    );
}

#[test]
fn keep_alive_serves_many_calls_on_one_connection_and_http10_closes() {
    let server = TestServer::start(Server::builder(methods()).log_requests(false));
    let mut stream = connect(server.addr);
    for _ in 0..5 {
        stream.write_all(&add_request("/RPC2")).unwrap();
        let r = read_response(&mut stream);
        assert_eq!(result(&r), Ok(Value::Int(5)));
        assert_ne!(r.header("connection"), Some("close"));
    }
    // Pipelined: three requests written at once, three answers in order.
    let mut three = Vec::new();
    for n in 1..=3 {
        three.extend(post(
            "/RPC2",
            &call_body(
                "echo",
                &format!("<param><value><int>{n}</int></value></param>"),
            ),
        ));
    }
    stream.write_all(&three).unwrap();
    for n in 1..=3 {
        assert_eq!(result(&read_response(&mut stream)), Ok(Value::Int(n)));
    }
    // HTTP/1.0 without keep-alive: one answer, then the server closes.
    let body = call_body(
        "add",
        "<param><value><int>2</int></value></param><param><value><int>2</int></value></param>",
    );
    let raw = format!(
        "POST /RPC2 HTTP/1.0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = connect(server.addr);
    stream.write_all(raw.as_bytes()).unwrap();
    let r = read_response(&mut stream);
    assert_eq!(result(&r), Ok(Value::Int(4)));
    let mut rest = Vec::new();
    assert_eq!(
        std::io::Read::read_to_end(&mut stream, &mut rest).unwrap(),
        0
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(data), &mut out).unwrap();
    out
}

#[test]
fn gzip_both_ways_with_pythons_threshold() {
    let server = TestServer::start(
        Server::builder(methods())
            .max_body_bytes(100_000)
            .log_requests(false),
    );
    let big = "é".repeat(2000);
    let body = call_body("echo", &format!("<param><value>{big}</value></param>"));
    let compressed = gzip(body.as_bytes());
    let mut raw = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nAccept-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        compressed.len()
    )
    .into_bytes();
    raw.extend(&compressed);
    let r = exchange(server.addr, &raw);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let plain = gunzip(&r.body);
    assert_eq!(
        decode_response(&plain, &DocumentLimits::default()).unwrap(),
        Ok(Value::String(big))
    );
    // Small responses are not compressed, nor for clients that did not ask.
    let small = add_request("/RPC2");
    let mut asking = String::from_utf8(small).unwrap();
    asking = asking.replace("Host: test\r\n", "Host: test\r\nAccept-Encoding: gzip\r\n");
    let r = exchange(server.addr, asking.as_bytes());
    assert_eq!(
        (r.header("content-encoding"), result(&r)),
        (None, Ok(Value::Int(5)))
    );
    let r = exchange(server.addr, &post("/RPC2", &body));
    assert_eq!(r.header("content-encoding"), None);
    assert!(r.body.len() > 1400);
    // Corrupt gzip, a gzip bomb, and unknown encodings are refused.
    let mut corrupt = b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\nnot gzip".to_vec();
    let r = exchange(server.addr, &corrupt);
    assert_eq!(
        (r.status, r.text().as_str()),
        (400, "the gzip body is corrupt: unexpected end of file\n")
    );
    let bomb = gzip(&vec![b' '; 50_000_000]);
    corrupt = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        bomb.len()
    )
    .into_bytes();
    corrupt.extend(&bomb);
    let r = exchange(server.addr, &corrupt);
    assert_eq!(
        (r.status, r.text().as_str()),
        (
            400,
            "the gzip body inflates to more than the limit of 20971520 bytes\n"
        )
    );
    let r = exchange(
        server.addr,
        b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Encoding: br\r\nContent-Length: 1\r\n\r\nx",
    );
    assert_eq!(
        (r.status, r.text().as_str()),
        (
            415,
            "Content-Encoding \"br\" is not supported (gzip and identity are)\n"
        )
    );
    // The server is still fine.
    assert_eq!(
        result(&exchange(server.addr, &add_request("/"))),
        Ok(Value::Int(5))
    );
}

#[test]
fn a_panicking_handler_is_a_fault_and_the_server_goes_on() {
    let server = TestServer::start(Server::builder(methods()).log_requests(false));
    let r = exchange(server.addr, &post("/", &call_body("panic", "")));
    assert_eq!(
        result(&r),
        Err(Fault::new(
            -32603,
            "internal error while running method \"panic\""
        ))
    );
    assert_eq!(
        result(&exchange(server.addr, &add_request("/"))),
        Ok(Value::Int(5))
    );
}

#[test]
fn allow_none_and_encoding_reach_the_responses() {
    let plain = TestServer::start(Server::builder(methods()).log_requests(false));
    let r = exchange(plain.addr, &post("/", &call_body("nothing", "")));
    assert_eq!(
        result(&r),
        Err(Fault::new(
            -32603,
            "cannot marshal nil unless allow_none is enabled"
        ))
    );
    let latin = TestServer::start(
        Server::builder(methods())
            .allow_none(true)
            .encoding(xmlrpc_kit::OutputEncoding::new("iso-8859-1").unwrap())
            .log_requests(false),
    );
    assert_eq!(
        result(&exchange(latin.addr, &post("/", &call_body("nothing", "")))),
        Ok(Value::Nil)
    );
    let r = exchange(
        latin.addr,
        &post("/", &call_body("echo", "<param><value>é€</value></param>")),
    );
    // é in Latin-1, € (which it has not) as a character reference.
    assert_eq!(
        r.body,
        b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n\
          <methodResponse><params><param><value><string>\xe9&#8364;</string></value></param></params></methodResponse>"
    );
}

#[test]
fn the_dialect_reaches_the_responses_and_strict_refuses_with_a_fault() {
    let i8_call = call_body("echo", "<param><value><i8>4294967296</i8></value></param>");
    let nil_call = call_body("nothing", "");
    let apache = TestServer::start(
        Server::builder(methods())
            .allow_none(true)
            .dialect(xmlrpc_kit::Dialect::APACHE)
            .log_requests(false),
    );
    let r = exchange(apache.addr, &post("/", &i8_call));
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <methodResponse xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">\
         <params><param><value><ex:i8>4294967296</ex:i8></value></param></params></methodResponse>"
    );
    assert_eq!(result(&r), Ok(Value::I8(1 << 32)));
    let r = exchange(apache.addr, &post("/", &nil_call));
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <methodResponse xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">\
         <params><param><value><ex:nil/></value></param></params></methodResponse>"
    );
    assert_eq!(result(&r), Ok(Value::Nil));

    let strict = TestServer::start(
        Server::builder(methods())
            .allow_none(true)
            .dialect(xmlrpc_kit::Dialect::STRICT)
            .log_requests(false),
    );
    let fault = result(&exchange(strict.addr, &post("/", &nil_call))).unwrap_err();
    assert_eq!(
        (fault.code, fault.string.as_str()),
        (-32603, "cannot marshal nil: the strict dialect has no nil")
    );
    let fault = result(&exchange(strict.addr, &post("/", &i8_call))).unwrap_err();
    assert_eq!(
        fault,
        Fault::new(
            -32603,
            "cannot marshal 4294967296: it does not fit an <int> and the strict dialect has no <i8>"
        )
    );
    // An i8 that fits is sent as an int; the server keeps serving.
    let r = exchange(
        strict.addr,
        &post(
            "/",
            &call_body("echo", "<param><value><i8>7</i8></value></param>"),
        ),
    );
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>"
    );
    assert_eq!(result(&r), Ok(Value::Int(7)));
}

#[test]
fn bind_without_activate_then_activate() {
    let mut server = Server::builder(methods())
        .reuse_address(true)
        .log_requests(false)
        .bind_without_activate("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr().unwrap();
    assert_ne!(addr.port(), 0);
    // Bound but not listening: connections are refused.
    assert_eq!(
        std::net::TcpStream::connect(addr).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
    server.activate().unwrap();
    let server = TestServer::serve(server);
    assert_eq!(
        result(&exchange(addr, &add_request("/"))),
        Ok(Value::Int(5))
    );
    drop(server);
}

#[test]
fn from_an_existing_listener_and_rebinding_with_reuse_address() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .from_listener(listener)
            .unwrap(),
    );
    // Leave a connection the server closed (TIME_WAIT on the server side).
    let body = call_body(
        "add",
        "<param><value><int>1</int></value></param><param><value><int>1</int></value></param>",
    );
    let r = exchange(
        addr,
        format!(
            "POST / HTTP/1.0\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 200);
    server.stop().unwrap();
    // With address reuse (the default, as Python's) the same port binds again at once.
    let again = Server::builder(methods())
        .log_requests(false)
        .bind(addr)
        .expect("rebind with SO_REUSEADDR");
    assert_eq!(again.local_addr().unwrap(), addr);
}

#[test]
fn shutdown_lets_calls_in_flight_finish() {
    let server = TestServer::start(Server::builder(methods()).log_requests(false));
    let addr = server.addr;
    let call = std::thread::spawn(move || {
        exchange(
            addr,
            &post(
                "/",
                &call_body("sleep", "<param><value><int>400</int></value></param>"),
            ),
        )
    });
    std::thread::sleep(Duration::from_millis(150));
    let started = std::time::Instant::now();
    server.stop().unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "serve returned before the call finished"
    );
    let r = call.join().unwrap();
    assert_eq!(result(&r), Ok(Value::Int(400)));
    assert_eq!(
        std::net::TcpStream::connect(addr).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused,
        "still accepting after shutdown"
    );
}

#[test]
fn multipath_serves_one_dispatcher_per_path() {
    let mut math = Methods::new();
    math.register_function("add", |x: i32, y: i32| x + y);
    let mut text = Methods::new();
    text.register_function("add", |x: String, y: String| x + &y);
    let server = MultiPathServer::builder()
        .add_dispatcher("/math", Dispatcher::new(math))
        .add_dispatcher("/text", Dispatcher::new(text))
        .log_requests(false)
        .bind("127.0.0.1:0")
        .unwrap();
    assert!(server.dispatcher("/math").is_some() && server.dispatcher("/RPC2").is_none());
    let server = TestServer::serve(server);
    assert_eq!(
        result(&exchange(server.addr, &add_request("/math"))),
        Ok(Value::Int(5))
    );
    let r = exchange(
        server.addr,
        &post(
            "/text",
            &call_body(
                "add",
                "<param><value>a</value></param><param><value>b</value></param>",
            ),
        ),
    );
    assert_eq!(result(&r), Ok(Value::String("ab".into())));
    assert_eq!(exchange(server.addr, &add_request("/")).status, 404);
}

#[test]
fn past_max_connections_the_oldest_idle_one_is_closed_for_the_newcomer() {
    let server = TestServer::start(
        Server::builder(methods())
            .max_connections(2)
            .log_requests(false),
    );
    let mut oldest = connect(server.addr);
    let _second = connect(server.addr);
    std::thread::sleep(Duration::from_millis(100));
    // A third client is served, and the oldest idle connection is closed.
    assert_eq!(
        result(&exchange(server.addr, &add_request("/"))),
        Ok(Value::Int(5))
    );
    let mut rest = Vec::new();
    assert_eq!(
        std::io::Read::read_to_end(&mut oldest, &mut rest).unwrap(),
        0
    );
}

#[test]
fn past_max_connections_busy_ones_are_never_evicted_and_newcomers_wait() {
    let server = TestServer::start(
        Server::builder(methods())
            .max_connections(2)
            .log_requests(false),
    );
    // Two connections in the middle of a request (a body still arriving).
    let mut busy: Vec<_> = (0..2)
        .map(|_| {
            let mut s = connect(server.addr);
            s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n<")
                .unwrap();
            std::thread::sleep(Duration::from_millis(50));
            s
        })
        .collect();
    // A newcomer waits in the backlog: no answer, no refusal.
    let addr = server.addr;
    let newcomer = std::thread::spawn(move || exchange(addr, &add_request("/")));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        !newcomer.is_finished(),
        "the newcomer was answered while both slots were busy"
    );
    // The busy connections were not evicted: each finishes its request.
    for s in &mut busy {
        s.write_all(b"whatever").unwrap();
        assert_eq!(read_response(s).status, 200);
    }
    // Once one closes, the newcomer is served.
    drop(busy);
    assert_eq!(result(&newcomer.join().unwrap()), Ok(Value::Int(5)));
}

#[test]
fn under_pressure_idle_and_slow_header_connections_are_closed_for_newcomers() {
    let server = TestServer::start(
        Server::builder(methods())
            .max_connections(50)
            .log_requests(false),
    );
    // 50 connections that never send a request, and 50 that send half a
    // header block: twice the limit, none of them busy.
    let mut flood: Vec<_> = (0..50).map(|_| connect(server.addr)).collect();
    for _ in 0..50 {
        let mut s = connect(server.addr);
        s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\n").unwrap();
        flood.push(s);
    }
    std::thread::sleep(Duration::from_millis(200));
    // The idle timeout shortens to one second under pressure: a newcomer
    // is served soon after, not after the 30 s header timeout.
    let started = std::time::Instant::now();
    assert_eq!(
        result(&exchange(server.addr, &add_request("/"))),
        Ok(Value::Int(5))
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    drop(flood);
}

#[test]
fn reuse_port_lets_two_servers_share_one_port() {
    let first = TestServer::start(
        Server::builder(methods())
            .reuse_port(true)
            .log_requests(false),
    );
    let port = first.addr.port();
    let second = TestServer::serve(
        Server::builder(methods())
            .reuse_port(true)
            .log_requests(false)
            .bind(("127.0.0.1", port))
            .expect("a second server on the same port"),
    );
    assert_eq!(second.addr, first.addr);
    for _ in 0..10 {
        assert_eq!(
            result(&exchange(first.addr, &add_request("/"))),
            Ok(Value::Int(5))
        );
    }
    // Without it, the port is taken.
    let e = Server::builder(methods())
        .bind(("127.0.0.1", port))
        .unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
}
