//! Several listeners on one server: HTTP on TCP and on a Unix socket, SCGI
//! on TCP and on a Unix socket, all serving the same methods; Unix socket
//! files (mode, stale and live files, removal); and the SCGI bad-input
//! table, each case followed by a good call.

mod common;

use std::io::Write as _;
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use xmlrpc_kit::{DocumentLimits, Server, Value, decode_response, wire::Address};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmlrpc-listeners-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn add_body() -> String {
    call_body(
        "add",
        "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
    )
}

fn five(response: &HttpResponse) {
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        decode_response(&response.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
}

fn unix(path: &Path) -> UnixStream {
    let stream = UnixStream::connect(path).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

fn tcp(address: &Address) -> TcpStream {
    let Address::ScgiTcp { host, port } = address else {
        panic!("{address}")
    };
    let stream = TcpStream::connect((host.as_str(), *port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

fn scgi_add() -> Vec<u8> {
    scgi_request(
        &[("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2")],
        add_body().as_bytes(),
    )
}

#[test]
fn one_server_answers_on_every_listener() {
    let dir = scratch("all");
    let http_sock = dir.join("http.sock");
    let scgi_sock = dir.join("scgi.sock");
    let server = Server::builder(methods())
        .log_requests(false)
        .unix_socket_mode(0o660)
        .listen([
            "http://127.0.0.1:0".to_owned(),
            format!("unix://{}", http_sock.display()),
            "scgi://127.0.0.1:0".to_owned(),
            format!("scgi://{}", scgi_sock.display()),
        ])
        .unwrap();
    let addresses = server.addresses().unwrap();
    assert_eq!(
        addresses[1].to_string(),
        format!("unix://{}", http_sock.display())
    );
    assert_eq!(
        addresses[3].to_string(),
        format!("scgi://{}", scgi_sock.display())
    );
    let server = TestServer::serve(server);

    five(&exchange(server.addr, &post("/RPC2", &add_body())));
    five(&exchange_on(unix(&http_sock), &post("/RPC2", &add_body())));
    five(&exchange_on(tcp(&addresses[2]), &scgi_add()));
    five(&exchange_on(unix(&scgi_sock), &scgi_add()));
    // HTTP on the Unix socket keeps the connection alive, as on TCP.
    let mut kept = unix(&http_sock);
    for _ in 0..3 {
        kept.write_all(&post("/RPC2", &add_body())).unwrap();
        five(&read_from(&mut std::io::BufReader::with_capacity(1, &mut kept)).unwrap());
    }

    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&http_sock).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o660);
    server.stop().unwrap();
    assert!(
        !http_sock.exists() && !scgi_sock.exists(),
        "socket files left behind"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn python_calls_over_a_unix_socket_as_supervisorctl_does() {
    let dir = scratch("python");
    let sock = dir.join("rpc.sock");
    let server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .listen([format!("unix://{}", sock.display())])
            .unwrap(),
    );
    let program = format!(
        r#"
import http.client, socket, xmlrpc.client
class UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect({sock:?})
class UnixTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        return UnixConnection("localhost")
s = xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport())
print(s.add(2, 3), s.echo("über"), len(s.system.listMethods()))
"#,
        sock = sock.display().to_string()
    );
    let out = xmlrpc_kit_test_support::python::run_ok(&["-c", &program]);
    assert_eq!(out, "5 über 10\n");
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn stale_socket_files_are_replaced_and_live_ones_refused() {
    let dir = scratch("stale");
    let sock = dir.join("s.sock");
    // A dead process's socket file: replaced.
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    assert!(sock.exists());
    let address = [format!("unix://{}", sock.display())];
    let server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .listen(&address)
            .unwrap(),
    );
    five(&exchange_on(unix(&sock), &post("/RPC2", &add_body())));
    // A live one: refused, with a clear error.
    let e = Server::builder(methods()).listen(&address).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
    assert_eq!(
        e.to_string(),
        format!("another server is listening on {}", sock.display())
    );
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn listen_addresses_are_checked() {
    let e = |addresses: &[&str]| {
        Server::builder(methods())
            .listen(addresses)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        e(&["localhost:8000"]),
        "\"localhost:8000\" is not an address (it has no scheme); write http://HOST:PORT, \
         https://HOST:PORT, unix:///PATH.sock, scgi://HOST:PORT or scgi:///PATH.sock"
    );
    assert_eq!(
        e(&["http://127.0.0.1:0/RPC2"]),
        "http://127.0.0.1:0/RPC2: a listen address names no path (/RPC2); set rpc_paths instead"
    );
    assert_eq!(
        e(&["https://127.0.0.1:0"]),
        "https://127.0.0.1:0: an https:// listener needs a certificate: set .tls(TlsConfig)"
    );
    assert_eq!(e(&[]), "no address to listen on");
}

#[test]
fn a_stopping_server_leaves_alone_a_socket_file_another_server_took() {
    let dir = scratch("taken");
    let sock = dir.join("s.sock");
    let server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .listen([format!("unix://{}", sock.display())])
            .unwrap(),
    );
    five(&exchange_on(unix(&sock), &post("/RPC2", &add_body())));
    // A temp cleaner removes the file while the server runs; another
    // server binds the path.
    std::fs::remove_file(&sock).unwrap();
    let other = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    server.stop().unwrap();
    assert!(
        sock.exists(),
        "the stopping server removed the other's socket file"
    );
    let mut client = unix(&sock);
    let (mut accepted, _) = other.accept().unwrap();
    accepted.write_all(b"other").unwrap();
    let mut got = [0u8; 5];
    std::io::Read::read_exact(&mut client, &mut got).unwrap();
    assert_eq!(&got, b"other");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_socket_file_that_cannot_be_tried_is_refused_and_left_alone() {
    let dir = scratch("untried");
    let sock = dir.join("dgram.sock");
    // Someone's live datagram socket: a stream cannot connect to it, and
    // the failure is not "refused", so nothing shows it is stale.
    let dgram = std::os::unix::net::UnixDatagram::bind(&sock).unwrap();
    let e = Server::builder(methods())
        .listen([format!("unix://{}", sock.display())])
        .unwrap_err();
    let why = UnixStream::connect(&sock).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} exists and cannot be tried ({why}), so it is left as it is; remove it if no server uses it",
            sock.display()
        )
    );
    std::os::unix::net::UnixDatagram::unbound()
        .unwrap()
        .send_to(b"still yours", &sock)
        .unwrap();
    let mut got = [0u8; 16];
    assert_eq!(dgram.recv(&mut got).unwrap(), 11);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The SCGI bad-input table: each case is answered or closed, and the
/// server then answers a good call.
#[test]
fn scgi_bad_input_is_answered_or_closed_and_the_server_goes_on() {
    let dir = scratch("scgi-bad");
    let sock = dir.join("scgi.sock");
    let server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .limits(
                xmlrpc_kit::HttpLimits::default()
                    .max_header_bytes(4096)
                    .body_read_timeout(Duration::from_secs(1)),
            )
            .listen([format!("scgi://{}", sock.display())])
            .unwrap(),
    );
    let status = |raw: &[u8]| {
        let mut stream = unix(&sock);
        stream.write_all(raw).unwrap();
        // A body shorter than announced: the client says it is done.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stream, &mut answer);
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or("(closed)")
            .to_owned()
    };
    let body = add_body();
    let with_length = |length: &str| {
        let block = format!("CONTENT_LENGTH\0{length}\0SCGI\0{}\0", 1);
        let mut raw = format!("{}:{block},", block.len()).into_bytes();
        raw.extend_from_slice(body.as_bytes());
        raw
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not a netstring",
            b"hello".to_vec(),
            "Status: 400 Bad Request",
        ),
        (
            "no comma after the head",
            b"4:a\0b\0;".to_vec(),
            "Status: 400 Bad Request",
        ),
        (
            "a name without a value",
            b"2:a\0,".to_vec(),
            "Status: 400 Bad Request",
        ),
        (
            "a head past the limit",
            b"99999:".to_vec(),
            "Status: 431 Request Header Fields Too Large",
        ),
        (
            "no CONTENT_LENGTH",
            b"7:SCGI\x001\x00,".to_vec(),
            "Status: 411 Length Required",
        ),
        (
            "a negative CONTENT_LENGTH",
            with_length("-5"),
            "Status: 400 Bad Request",
        ),
        (
            "a CONTENT_LENGTH past the body limit",
            with_length("999999999"),
            "Status: 413 Content Too Large",
        ),
        (
            "a body shorter than announced",
            with_length(&(body.len() + 10).to_string()),
            "Status: 400 Bad Request",
        ),
        (
            "HTTP sent to the SCGI port",
            post("/RPC2", &body),
            "HTTP/1.1 400 Bad Request",
        ),
        (
            "a GET without a page",
            scgi_request(&[("REQUEST_METHOD", "GET")], b""),
            "Status: 501 Not Implemented",
        ),
        (
            "an unknown path",
            scgi_request(&[("REQUEST_URI", "/nowhere")], body.as_bytes()),
            "Status: 404 Not Found",
        ),
        ("nothing at all", Vec::new(), "(closed)"),
    ];
    for (what, raw, want) in cases {
        assert_eq!(status(&raw), want, "{what}");
        five(&exchange_on(unix(&sock), &scgi_add()));
    }
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

/// An SCGI request with exactly these header pairs (no `CONTENT_LENGTH`
/// added), then `body`.
fn scgi_raw(pairs: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let block: String = pairs.iter().map(|(n, v)| format!("{n}\0{v}\0")).collect();
    let mut raw = format!("{}:{block},", block.len()).into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// SCGI framing as strict as HTTP's, and gzip read as HTTP reads it: each
/// refusal with its exact status and text, each followed by a good call.
#[test]
fn scgi_framing_is_strict_and_gzip_is_read_as_over_http() {
    let dir = scratch("scgi-strict");
    let sock = dir.join("scgi.sock");
    let server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .listen([format!("scgi://{}", sock.display())])
            .unwrap(),
    );
    let body = add_body();
    let len = body.len().to_string();
    let uri = ("REQUEST_URI", "/RPC2");
    let gzip = xmlrpc_kit::wire::gzip::gzip;
    let gzipped = |pairs: &[(&str, &str)], data: &[u8]| {
        let len = data.len().to_string();
        let mut all = vec![("CONTENT_LENGTH", len.as_str())];
        all.extend_from_slice(pairs);
        scgi_raw(&all, data)
    };
    let (half, rest) = body.split_at(body.len() / 2);
    let members = [gzip(half.as_bytes()), gzip(rest.as_bytes())].concat();
    let trailed = [gzip(body.as_bytes()), b"junk".to_vec()].concat();
    let bad_length = |l: &str| format!("Content-Length {l:?} is not a byte count\n");
    let cases: Vec<(&str, Vec<u8>, u16, String)> = vec![
        (
            "CONTENT_LENGTH twice",
            scgi_raw(&[("CONTENT_LENGTH", &len), ("CONTENT_LENGTH", "0"), uri], body.as_bytes()),
            400,
            "not an SCGI request: header \"CONTENT_LENGTH\" appears more than once\n".into(),
        ),
        (
            "another name twice",
            scgi_raw(&[("CONTENT_LENGTH", &len), uri, ("HTTP_HOST", "a"), ("HTTP_HOST", "b")], body.as_bytes()),
            400,
            "not an SCGI request: header \"HTTP_HOST\" appears more than once\n".into(),
        ),
        (
            "a signed CONTENT_LENGTH",
            scgi_raw(&[("CONTENT_LENGTH", &format!("+{len}")), uri], body.as_bytes()),
            400,
            bad_length(&format!("+{len}")),
        ),
        (
            "a CONTENT_LENGTH with spaces",
            scgi_raw(&[("CONTENT_LENGTH", &format!(" {len} ")), uri], body.as_bytes()),
            400,
            bad_length(&format!(" {len} ")),
        ),
        (
            "an empty CONTENT_LENGTH",
            scgi_raw(&[("CONTENT_LENGTH", ""), uri], b""),
            400,
            bad_length(""),
        ),
        (
            "gzip stacked in one header",
            gzipped(&[uri, ("HTTP_CONTENT_ENCODING", "gzip, gzip")], &gzip(&gzip(body.as_bytes()))),
            415,
            "Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most (gzip or identity)\n".into(),
        ),
        (
            "bytes after the gzip data",
            gzipped(&[uri, ("HTTP_CONTENT_ENCODING", "gzip")], &trailed),
            400,
            "the gzip body has 4 bytes after the end of its gzip data\n".into(),
        ),
    ];
    for (what, raw, status, text) in cases {
        let r = exchange_on(unix(&sock), &raw);
        assert_eq!((r.status, r.text()), (status, text), "{what}");
        five(&exchange_on(unix(&sock), &scgi_add()));
    }
    // Two gzip members: one body.
    five(&exchange_on(
        unix(&sock),
        &gzipped(&[uri, ("HTTP_CONTENT_ENCODING", "gzip")], &members),
    ));
    drop(server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_draining_server_answers_closes_keep_alive_and_fails_its_health_check_then_stops() {
    let dir = scratch("drain");
    let sock = dir.join("http.sock");
    let server = Server::builder(methods())
        .log_requests(false)
        .health_path("/health")
        // Long enough for the checks below on a loaded machine; the test
        // waits for the server to stop, not for the time to pass.
        .drain(Duration::from_secs(3))
        .listen([
            "http://127.0.0.1:0".to_owned(),
            format!("unix://{}", sock.display()),
        ])
        .unwrap();
    let server = TestServer::serve(server);
    let health = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    let r = exchange(server.addr, health);
    assert_eq!((r.status, r.text().as_str()), (200, "ok\n"));
    let mut kept = connect(server.addr);
    kept.write_all(&post("/RPC2", &add_body())).unwrap();
    let r = read_response(&mut kept);
    five(&r);
    assert_eq!(r.header("connection"), None);

    server.shutdown_handle().shutdown();
    // Draining: still answering, on new and kept connections alike, but
    // failing the health check and closing each connection after its answer.
    let r = exchange(server.addr, health);
    assert_eq!((r.status, r.text().as_str()), (503, "stopping\n"));
    kept.write_all(&post("/RPC2", &add_body())).unwrap();
    let r = read_response(&mut kept);
    five(&r);
    assert_eq!(r.header("connection"), Some("close"));
    let r = exchange_on(unix(&sock), &post("/RPC2", &add_body()));
    five(&r);
    assert_eq!(r.header("connection"), Some("close"));

    let addr = server.addr;
    server.stop().unwrap();
    assert_eq!(
        TcpStream::connect(addr).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused,
        "still accepting"
    );
    assert!(!sock.exists(), "socket file left behind");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn connections_queued_on_a_unix_socket_are_answered_when_the_server_stops() {
    let dir = scratch("queued");
    let sock = dir.join("http.sock");
    let limits = xmlrpc_kit::HttpLimits::default()
        .max_connections(1)
        .pressure_idle_timeout(Duration::from_secs(60));
    let server = Server::builder(methods())
        .log_requests(false)
        .limits(limits)
        .listen([format!("unix://{}", sock.display())])
        .unwrap();
    let server = TestServer::serve(server);
    // The one connection allowed, kept open and idle.
    let mut first = unix(&sock);
    first.write_all(&post("/RPC2", &add_body())).unwrap();
    five(&read_from(&mut std::io::BufReader::with_capacity(1, &mut first)).unwrap());
    // A second one waits in the socket's queue, its request sent.
    let mut queued = unix(&sock);
    queued.write_all(&post("/RPC2", &add_body())).unwrap();
    queued
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    let waiting = std::io::Read::read(&mut queued, &mut byte);
    assert!(
        matches!(&waiting, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "expected the second connection to wait in the queue, got {waiting:?}"
    );
    queued
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // Stopping removes the file, then answers what was queued.
    server.stop().unwrap();
    assert!(!sock.exists());
    let r = read_from(&mut std::io::BufReader::new(&mut queued)).unwrap();
    five(&r);
    std::fs::remove_dir_all(dir).unwrap();
}
