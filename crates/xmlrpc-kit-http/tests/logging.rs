//! Request logging (Python's `logRequests`): one line per request through
//! `tracing` when on, nothing when off; in every front end (HTTP, SCGI,
//! CGI) a line that the peer's values cannot break.

mod common;

use common::*;
use xmlrpc_kit::wire::Address;
use xmlrpc_kit::{CgiEnv, CgiHandler, Methods, Server};
use xmlrpc_kit_test_support::captured::Captured;

/// A subscriber writing plain lines (no colour) into `captured`: the
/// request log and the handlers' events, not the server's stop.
fn subscriber(captured: &Captured) -> impl tracing::Subscriber + Send + Sync + 'static {
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_env_filter("info,xmlrpc_kit_http::server=off")
        .finish()
}

/// Serves on a current-thread runtime with a capturing subscriber, sends
/// `requests`, and returns what was logged.
fn log_of(log_requests: bool, requests: &[Vec<u8>]) -> String {
    let server = Server::builder(methods())
        .log_requests(log_requests)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr().unwrap();
    log_while_serving(server, || {
        for request in requests {
            exchange(addr, request);
        }
    })
}

/// Serves `server` on a current-thread runtime with a capturing
/// subscriber while `client` runs, and returns what was logged.
fn log_while_serving(server: Server, client: impl FnOnce()) -> String {
    let captured = Captured::default();
    let subscriber = subscriber(&captured);
    serve_while(subscriber, vec![server], client);
    captured.text()
}

#[test]
fn one_line_per_request_when_on() {
    let malformed = b"GET /a\x01b HTTP/1.1\r\nHost: t\r\n\r\n".to_vec();
    let log = log_of(
        true,
        &[add_request("/RPC2"), add_request("/nowhere"), malformed],
    );
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    // hyper refuses a control character in the path itself (400): still
    // one line, with what is known of the request.
    assert!(
        lines[2].contains("127.0.0.1 \"- - HTTP/1.1\" 400 - - 0.000ms"),
        "{log}"
    );
    assert!(
        lines[0].contains("127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200"),
        "{log}"
    );
    assert!(lines[0].contains(" add "), "{log}");
    assert!(lines[1].contains("\"POST /nowhere HTTP/1.1\" 404"), "{log}");
    // Each value is a field of the event too (a request id is made here:
    // the client is no trusted proxy).
    let fields = |line: &str| {
        let (_, fields) = line.split_once(" peer=").unwrap();
        let (fields, elapsed) = fields.rsplit_once(" elapsed_us=").unwrap();
        let (fields, id) = fields.rsplit_once(" request_id=").unwrap();
        assert!(
            id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(elapsed.parse::<u64>().is_ok(), "{line}");
        format!("peer={fields}")
    };
    assert_eq!(
        fields(lines[0]),
        format!(
            "peer=127.0.0.1 http_method=POST path=/RPC2 protocol=HTTP/1.1 status=200 bytes_in={} bytes_out=131 rpc_method=add",
            call_body(
                "add",
                "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>"
            )
            .len()
        )
    );
    assert_eq!(
        fields(lines[1]),
        "peer=127.0.0.1 http_method=POST path=/nowhere protocol=HTTP/1.1 status=404 bytes_out=13"
    );
}

/// With an access sink, every front end's events go to it (the parser's
/// refusals too), each line as `tracing` would show it, and none through
/// `tracing`; other events still do.
#[test]
fn an_access_sink_gets_each_event_instead_of_tracing() {
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sunk = lines.clone();
    let server = Server::builder(methods())
        .access_sink(move |event| {
            let mut line = String::new();
            event.push_line(&mut line);
            sunk.lock().unwrap().push(line);
        })
        .listen(["http://127.0.0.1:0", "scgi://127.0.0.1:0"])
        .unwrap();
    let addresses = server.addresses().unwrap();
    let (
        Address::Http { host, port, .. },
        Address::ScgiTcp {
            host: s_host,
            port: s_port,
        },
    ) = (&addresses[0], &addresses[1])
    else {
        panic!("not an HTTP and an SCGI address: {addresses:?}")
    };
    let http: std::net::SocketAddr = format!("{host}:{port}").parse().unwrap();
    let scgi = format!("{s_host}:{s_port}");
    let log = log_while_serving(server, || {
        exchange(http, &add_request("/RPC2"));
        exchange(http, b"GET /a\x01b HTTP/1.1\r\nHost: t\r\n\r\n");
        let request = scgi_request(
            &[("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2")],
            call_body("add", "").as_bytes(),
        );
        exchange_on(std::net::TcpStream::connect(&scgi).unwrap(), &request);
    });
    let lines = lines.lock().unwrap();
    let shown: Vec<&str> = lines
        .iter()
        .map(|line| line.rsplit_once(' ').unwrap().0)
        .collect();
    assert_eq!(
        shown,
        [
            r#"127.0.0.1 "POST /RPC2 HTTP/1.1" 200 131 add"#,
            r#"127.0.0.1 "- - HTTP/1.1" 400 - -"#,
            r#"127.0.0.1 "POST /RPC2 SCGI" 200 303 add fault=-32602"#,
        ],
        "{lines:?}"
    );
    assert!(!log.contains("xmlrpc_kit::access"), "{log}");
}

#[test]
fn nothing_when_off() {
    assert_eq!(log_of(false, &[add_request("/RPC2")]), "");
}

/// The method table plus `shout`, which panics with a message quoting its
/// argument.
fn shouting_methods() -> Methods {
    let mut m = methods();
    m.register_function("shout", |text: String| -> i32 {
        panic!("cannot say {text}")
    });
    m
}

/// The log's lines, checked to hold no control character (the fmt
/// subscriber's own line ends aside) and no bidi control.
fn clean_lines(log: &str) -> Vec<&str> {
    // An access event's line is its message; its fields follow it.
    let lines: Vec<&str> = log
        .lines()
        .map(|line| {
            line.split_once(" peer=")
                .map_or(line, |(message, _)| message)
        })
        .collect();
    for line in &lines {
        assert!(
            !line
                .chars()
                .any(xmlrpc_kit::untrusted_text::is_display_control),
            "a raw control or bidi character in {line:?}"
        );
    }
    lines
}

/// Issue 23, item 5: a method name holding a line feed (`&#10;`) and
/// U+202E, or a path holding `"`, stays in its field of one line.
#[test]
fn http_peer_values_cannot_forge_or_break_a_line() {
    let forged = "evil&#10;127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 1 add 0ms&#x202E;exe";
    let server = Server::builder(shouting_methods())
        .log_requests(true)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr().unwrap();
    let log = log_while_serving(server, || {
        let answer = exchange(addr, &post("/RPC2", &call_body(forged, "")));
        assert_eq!(answer.status, 200, "{}", answer.text());
        let answer = exchange(addr, &post("/RPC2\"x", &call_body("add", "")));
        assert_eq!(answer.status, 404, "{}", answer.text());
        let shout = call_body(
            "shout",
            "<param><value><string>a&#10;b&#x9B;2J</string></value></param>",
        );
        assert_eq!(exchange(addr, &post("/RPC2", &shout)).status, 200);
    });
    let lines = clean_lines(&log);
    assert_eq!(lines.len(), 4, "{log}");
    assert!(
        lines[0].contains(r#"127.0.0.1 "POST /RPC2 HTTP/1.1" 200 "#),
        "{log}"
    );
    assert!(
        lines[0].contains(r#" evil\n127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 1 add 0ms\u{202e}exe "#),
        "{log}"
    );
    assert!(
        lines[1].contains(r#"127.0.0.1 "POST /RPC2\"x HTTP/1.1" 404 "#),
        "{log}"
    );
    // The panic's log line, then the access line for its call.
    assert!(
        lines[2].contains(r"handler panicked method=shout panic=cannot say a\nb\u{9b}2J"),
        "{log}"
    );
    assert!(
        lines[3].contains("\" 200 ") && lines[3].contains(" shout "),
        "{log}"
    );
}

/// The same through SCGI: `REQUEST_URI` and `REQUEST_METHOD` are the front
/// server's variables, which may hold anything.
#[test]
fn scgi_peer_values_cannot_break_a_line() {
    let server = Server::builder(methods())
        .log_requests(true)
        .listen(["scgi://127.0.0.1:0"])
        .unwrap();
    let Address::ScgiTcp { host, port } = &server.addresses().unwrap()[0] else {
        panic!("not an SCGI address")
    };
    let addr = format!("{host}:{port}");
    let log = log_while_serving(server, || {
        let request = scgi_request(
            &[
                ("REQUEST_METHOD", "PO\"ST"),
                ("REQUEST_URI", "/RPC2\n127.0.0.1 \"GET /\u{202e}"),
            ],
            call_body("add", "").as_bytes(),
        );
        let answer = exchange_on(std::net::TcpStream::connect(&addr).unwrap(), &request);
        // Not POST, on a path without a page: 501, as over HTTP.
        assert_eq!(answer.status, 501, "{}", answer.text());
    });
    let lines = clean_lines(&log);
    assert_eq!(lines.len(), 1, "{log}");
    assert!(
        lines[0].contains(r#" "PO\"ST /RPC2\n127.0.0.1 \"GET /\u{202e} SCGI" 501 "#),
        "{log}"
    );
}

/// The same through CGI: `PATH_INFO` (which the web server has
/// percent-decoded: `%0a` is a line feed) and `SERVER_PROTOCOL`, cut short
/// when very long.
#[test]
fn cgi_peer_values_cannot_break_a_line_and_are_cut_short() {
    let handler = CgiHandler::new(methods()).log_requests(true);
    let body = call_body("echo", "<param><value><string>x</string></value></param>");
    let env = CgiEnv {
        request_method: Some("POST".into()),
        content_length: Some(body.len().to_string()),
        content_type: Some("text/xml".into()),
        path: Some("/cgi-bin/rpc/a\nb\u{9b}c".into()),
        protocol: Some(format!("HTTP/1.1{}", "\u{7}".repeat(100_000))),
        remote_addr: Some("192.0.2.7".into()),
        ..CgiEnv::default()
    };
    let captured = Captured::default();
    let mut out = Vec::new();
    tracing::subscriber::with_default(subscriber(&captured), || {
        handler
            .respond(&env, &mut body.as_bytes(), &mut out)
            .unwrap()
    });
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Content-Type: text/xml\r\nContent-Length: 137\r\n\r\n\
         <?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <methodResponse><params><param><value><string>x</string></value></param></params></methodResponse>"
    );
    let log = captured.text();
    let lines = clean_lines(&log);
    assert_eq!(lines.len(), 1, "{log}");
    let protocol = format!("HTTP/1.1{}…", r"\u{7}".repeat(52));
    assert!(
        lines[0].contains(&format!(
            "192.0.2.7 \"POST /cgi-bin/rpc/a\\nb\\u{{9b}}c {protocol}\" 200 "
        )),
        "{log}"
    );
    assert!(lines[0].len() < 1000, "{}", lines[0].len());
}
