//! Hostile input over real sockets, one case per test: each gets the answer
//! it deserves, and afterwards a normal `add(2,3)` on a new connection is
//! answered within 1 s and the process's memory stays bounded.
//! (CGI edge cases: crates/xmlrpc-kit-server/tests/cgi.rs and the `xmlrpc-kit demo
//! --cgi` tests; the partial POST's CPU check: tests/partial_post.rs.)

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use xmlrpc_kit::Server;
use xmlrpc_kit::{DocumentLimits, decode_response};
use xmlrpc_kit::{Fault, Value};

/// Short timeouts so the timeout cases finish quickly; other limits default.
fn server() -> TestServer {
    TestServer::start(
        Server::builder(methods())
            .header_read_timeout(Duration::from_secs(1))
            .body_read_timeout(Duration::from_secs(1))
            .log_requests(false),
    )
}

/// After a hostile case: a new client is answered within 1 s, and memory is bounded.
fn still_serving(addr: SocketAddr) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    stream.write_all(&add_request("/RPC2")).unwrap();
    let r = read_response(&mut stream);
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let rss = rss_mib();
    assert!(rss < 1536, "the test process holds {rss} MiB");
}

fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}

fn status_of(addr: SocketAddr, raw: &[u8]) -> u16 {
    exchange(addr, raw).status
}

fn fault_of(addr: SocketAddr, body: &str) -> Fault {
    let r = exchange(addr, &post("/RPC2", body));
    assert_eq!(r.status, 200);
    decode_response(&r.body, &DocumentLimits::default())
        .unwrap()
        .unwrap_err()
}

fn value_of(addr: SocketAddr, body: &str) -> Value {
    let r = exchange(addr, &post("/RPC2", body));
    decode_response(&r.body, &DocumentLimits::default())
        .unwrap()
        .unwrap()
}

fn echo(value_xml: &str) -> String {
    call_body("echo", &format!("<param>{value_xml}</param>"))
}

fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // a 408 before closing is fine
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

macro_rules! hostile {
    ($($name:ident: |$addr:ident| $body:block)*) => {$(
        #[test]
        fn $name() {
            let server = server();
            let $addr = server.addr;
            $body
            still_serving($addr);
        }
    )*};
}

hostile! {
    slowloris_hundreds_of_slow_header_senders: |addr| {
        let mut slow: Vec<TcpStream> = (0..300).map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nX-Slow: a").unwrap();
            s
        }).collect();
        still_serving(addr);
        for s in slow.iter_mut().take(3) {
            assert!(closed_by_server(s, Duration::from_secs(3)), "a slow sender was not cut off");
        }
    }
    an_idle_kept_alive_connection_is_closed_after_the_header_timeout: |addr| {
        let mut s = connect(addr);
        s.write_all(&add_request("/RPC2")).unwrap();
        assert_eq!(read_response(&mut s).status, 200);
        // Still open half-way through the timeout (1 s here)...
        s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        let mut byte = [0u8; 1];
        let early = s.read(&mut byte);
        assert!(matches!(&early, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut), "{early:?}");
        // ...and closed soon after it.
        assert!(closed_by_server(&mut s, Duration::from_secs(3)), "an idle connection was kept");
    }
    a_client_reading_a_long_answer_slowly_is_not_cut_off: |addr| {
        // A 12 MB answer read through a small window over more than twice
        // the 1 s header timeout: the connection is busy writing, not idle.
        let text = "y".repeat(12 * 1024 * 1024);
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket.set_recv_buffer_size(8 * 1024).unwrap();
        socket.connect(&addr.into()).unwrap();
        let mut s: TcpStream = socket.into();
        s.write_all(&post("/RPC2", &echo(&format!("<value><string>{text}</string></value>")))).unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        while started.elapsed() < Duration::from_millis(2500) {
            match s.read(&mut chunk).unwrap() {
                0 => break,
                n => answer.extend_from_slice(&chunk[..n]),
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        s.read_to_end(&mut answer).unwrap_or_else(|e| panic!("after {} bytes: {e}", answer.len()));
        let body_at = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(
            decode_response(&answer[body_at..], &DocumentLimits::default()).unwrap(),
            Ok(Value::String(text))
        );
    }
    slow_body_gets_408: |addr| {
        let mut s = connect(addr);
        s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n<methodCall>").unwrap();
        let started = Instant::now();
        assert_eq!(read_response(&mut s).status, 408);
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    huge_content_length_without_body_is_413_at_once: |addr| {
        assert_eq!(status_of(addr, b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000000\r\n\r\n"), 413);
    }
    chunked_body_streamed_past_the_limit_is_413: |addr| {
        let mut s = connect(addr);
        s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
        let chunk = format!("100000\r\n{}\r\n", "x".repeat(0x100000));
        let mut status = None;
        for _ in 0..30 {
            if s.write_all(chunk.as_bytes()).is_err() { break; }
        }
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut head = [0u8; 12];
        if s.read_exact(&mut head).is_ok() { status = Some(String::from_utf8_lossy(&head[9..12]).into_owned()); }
        assert_eq!(status.as_deref(), Some("413"));
    }
    content_length_with_transfer_encoding_is_framed_by_the_chunks_only: |addr| {
        // A smuggling attempt: Content-Length says 4 bytes, the chunked body is
        // the whole call. It is framed by the chunks (RFC 9112 §6.3), answered,
        // and the connection is closed, so nothing after it can be smuggled.
        let body = add_body();
        let mut raw = format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n", body.len()).into_bytes();
        raw.extend(add_request("/RPC2"));
        let mut s = connect(addr);
        s.write_all(&raw).unwrap();
        let r = read_response(&mut s);
        assert_eq!(decode_response(&r.body, &DocumentLimits::default()).unwrap(), Ok(Value::Int(5)));
        assert!(closed_by_server(&mut s, Duration::from_secs(2)));
    }
    two_different_lengths_are_refused: |addr| {
        assert_eq!(status_of(addr, b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"), 400);
    }
    signed_content_length_is_refused: |addr| {
        assert_eq!(status_of(addr, b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: +10\r\n\r\n0123456789"), 400);
    }
    huge_chunk_size_is_refused: |addr| {
        assert_eq!(status_of(addr, b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nx\r\n0\r\n\r\n"), 400);
    }
    a_hundred_and_one_headers_are_431: |addr| {
        let mut raw = String::from("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n");
        for i in 0..101 { raw.push_str(&format!("X-H{i}: v\r\n")); }
        raw.push_str("\r\n");
        assert_eq!(status_of(addr, raw.as_bytes()), 431);
    }
    a_500_kib_header_is_431: |addr| {
        let raw = format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\nContent-Length: 0\r\n\r\n", "a".repeat(500 * 1024));
        let mut s = connect(addr);
        let _ = s.write_all(raw.as_bytes());
        let mut head = [0u8; 12];
        s.read_exact(&mut head).unwrap();
        assert_eq!(&head[9..12], b"431");
    }
    a_thousand_pipelined_calls_answered_in_order: |addr| {
        let mut s = connect(addr);
        let mut all = Vec::new();
        for n in 0..1000 {
            all.extend(post("/RPC2", &echo(&format!("<value><int>{n}</int></value>"))));
        }
        let writer = { let mut w = s.try_clone().unwrap(); std::thread::spawn(move || w.write_all(&all)) };
        for n in 0..1000 {
            let r = read_response(&mut s);
            assert_eq!(decode_response(&r.body, &DocumentLimits::default()).unwrap(), Ok(Value::Int(n)));
        }
        writer.join().unwrap().unwrap();
    }
    two_thousand_idle_connections_do_not_lock_clients_out: |addr| {
        let idle: Vec<TcpStream> = (0..2000).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(300));
        still_serving(addr);
        drop(idle);
    }
    empty_truncated_invalid_utf8_and_trailing_junk_bodies_are_faults: |addr| {
        assert_eq!(fault_of(addr, ""), Fault::new(-32700, "line 1, column 1: the document ends early: expected <methodCall>"));
        assert_eq!(
            fault_of(addr, "<methodCall><methodName>add</methodName><params><param><value><int>1"),
            Fault::new(-32700, "line 1, column 69: the document ends early: expected text (in param 1)")
        );
        let bad: &[u8] = b"<methodCall><methodName>\xff\xfe</methodName></methodCall>";
        let mut raw = format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n", bad.len()).into_bytes();
        raw.extend_from_slice(bad);
        let r = exchange(addr, &raw);
        assert_eq!(
            decode_response(&r.body, &DocumentLimits::default()).unwrap(),
            Err(Fault::new(-32702, "line 1, column 25: invalid UTF-8 byte sequence"))
        );
        let junk = format!("{}<junk/>", add_body());
        assert_eq!(fault_of(addr, &junk), Fault::new(-32600, "line 1, column 176: unexpected content after the end of the document"));
    }
    billion_laughs_is_refused_at_the_doctype: |addr| {
        let mut doc = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for i in 1..10 { doc.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", if i == 1 { String::new() } else { (i - 1).to_string() }).repeat(10))); }
        doc.push_str("]><methodCall><methodName>echo</methodName><params><param><value>&lol9;</value></param></params></methodCall>");
        assert_eq!(fault_of(addr, &doc), Fault::new(-32700, "line 1, column 22: DOCTYPE declarations are not allowed in XML-RPC"));
    }
    quadratic_blowup_is_refused: |addr| {
        let doc = format!("<!DOCTYPE m [<!ENTITY a \"{}\">]><methodCall><methodName>echo</methodName><params><param><value>{}</value></param></params></methodCall>", "x".repeat(50_000), "&a;".repeat(50_000));
        assert_eq!(fault_of(addr, &doc), Fault::new(-32700, "line 1, column 1: DOCTYPE declarations are not allowed in XML-RPC"));
    }
    xxe_to_a_file_reads_nothing: |addr| {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><methodCall><methodName>echo</methodName><params><param><value>&e;</value></param></params></methodCall>";
        // Refused at the DOCTYPE: nothing of the file is in the fault.
        assert_eq!(fault_of(addr, doc), Fault::new(-32700, "line 1, column 22: DOCTYPE declarations are not allowed in XML-RPC"));
    }
    xxe_to_a_local_listener_makes_no_connection: |addr| {
        let bait = TcpListener::bind("127.0.0.1:0").unwrap();
        bait.set_nonblocking(true).unwrap();
        let port = bait.local_addr().unwrap().port();
        let doc = format!("<!DOCTYPE x [<!ENTITY e SYSTEM \"http://127.0.0.1:{port}/xxe\">]><methodCall><methodName>echo</methodName><params><param><value>&e;</value></param></params></methodCall>");
        assert_eq!(fault_of(addr, &doc), Fault::new(-32700, "line 1, column 1: DOCTYPE declarations are not allowed in XML-RPC"));
        // An entity used without a DOCTYPE is refused too.
        assert_eq!(
            fault_of(addr, &echo("<value>&e;</value>")),
            Fault::new(-32700, "line 1, column 85: entity &e; is not allowed (only &amp; &lt; &gt; &apos; &quot; and character references) (in param 1)")
        );
        std::thread::sleep(Duration::from_millis(200));
        // Nobody waiting to be accepted.
        assert_eq!(bait.accept().unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "the server connected to the XXE target");
    }
    depth_64_accepted_65_refused_200000_refused_without_overflow: |addr| {
        let nested = |n: usize| format!("{}<value>1</value>{}", "<value><array><data>".repeat(n), "</data></array></value>".repeat(n));
        let sixty_four = (0..64).fold(Value::String("1".into()), |inner, _| Value::Array(vec![inner]));
        assert_eq!(value_of(addr, &echo(&nested(64))), sixty_four);
        // Refused at the 65th array, inside 64 others, however deep the rest goes.
        let too_deep = Fault::new(
            -32600,
            format!("line 1, column 1365: arrays and structs nested deeper than the limit of 64 (in param 1{})", " › array item 1".repeat(64)),
        );
        assert_eq!(fault_of(addr, &echo(&nested(65))), too_deep);
        assert_eq!(fault_of(addr, &echo(&nested(200_000))), too_deep);
    }
    eighty_thousand_attributes_are_cheap: |addr| {
        let attrs: String = (0..80_000).map(|i| format!(" a{i}=\"v\"")).collect();
        let body = format!("<methodCall{attrs}><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>");
        assert_eq!(value_of(addr, &body), Value::Int(5));
    }
    out_of_range_and_malformed_scalars_are_faults_naming_the_place: |addr| {
        for (value, why) in [
            ("<int>2147483648</int>", r#"<int> holds "2147483648", not a 32-bit integer"#),
            ("<i8>9223372036854775808</i8>", r#"<i8> holds "9223372036854775808", not a 64-bit integer"#),
            ("<boolean>yes</boolean>", r#"<boolean> holds "yes", not 0 or 1"#),
            ("<double>1e400</double>", r#"<double> holds "1e400", not a finite number"#),
            ("<double>nan</double>", r#"<double> holds "nan", not a finite number"#),
            ("<base64>!!!!</base64>", "<base64> holds invalid base64: Invalid symbol 33, offset 0."),
            ("<dateTime.iso8601>20261301T00:00:00</dateTime.iso8601>", r#"<dateTime.iso8601> holds "20261301T00:00:00": no such date or time"#),
        ] {
            let f = fault_of(addr, &echo(&format!("<value>{value}</value>")));
            assert_eq!(f, Fault::new(-32602, format!("line 1, column 85: {why} (in param 1)")), "{value}");
        }
    }
    a_hundred_thousand_duplicate_members_keep_one: |addr| {
        let members = "<member><name>k</name><value><int>1</int></value></member>".repeat(100_000);
        let v = value_of(addr, &echo(&format!("<value><struct>{members}</struct></value>")));
        assert_eq!(v, Value::Struct([("k", Value::Int(1))].into()));
    }
    java_serializable_is_an_unknown_type: |addr| {
        let f = fault_of(addr, &echo("<value><ex:serializable>rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==</ex:serializable></value>"));
        assert_eq!(f, Fault::new(-32600, "line 1, column 85: unknown value type <ex:serializable> (in param 1)"));
    }
    hostile_method_names_are_not_found_or_too_long: |addr| {
        for name in ["__class__.__init__", "_private", "a..b", "system.listMethods.__call__"] {
            assert_eq!(fault_of(addr, &call_body(name, "")), Fault::new(-32601, format!("method \"{name}\" is not supported")));
        }
        let f = fault_of(addr, &call_body(&"m".repeat(100 * 1024), ""));
        assert_eq!(f, Fault::new(-32600, "line 1, column 34: method name of 102400 bytes is longer than the limit of 256"));
    }
    a_hundred_thousand_call_multicall_is_refused_whole: |addr| {
        let call = "<value><struct><member><name>methodName</name><value>add</value></member></struct></value>";
        let body = call_body("system.multicall", &format!("<param><value><array><data>{}</data></array></value></param>", call.repeat(100_000)));
        let f = fault_of(addr, &body);
        assert_eq!(f, Fault::new(-32600, "system.multicall holds 100000 calls, more than the limit of 1000"));
    }
    a_nested_multicall_is_refused: |addr| {
        let inner = "<value><struct><member><name>methodName</name><value>system.multicall</value></member><member><name>params</name><value><array><data><value><array><data/></array></value></data></array></value></member></struct></value>";
        let v = value_of(addr, &call_body("system.multicall", &format!("<param><value><array><data>{inner}</data></array></value></param>")));
        assert_eq!(v, Value::Array(vec![Fault::new(-32600, "call 1: system.multicall cannot be nested").to_value()]));
    }
    a_gzip_bomb_is_refused: |addr| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        for _ in 0..1024 { e.write_all(&[b' '; 1 << 20]).unwrap(); }
        let bomb = e.finish().unwrap();
        assert!(bomb.len() < 2 << 20);
        let mut raw = format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", bomb.len()).into_bytes();
        raw.extend(bomb);
        let r = exchange(addr, &raw);
        assert_eq!((r.status, r.text().as_str()), (400, "the gzip body inflates to more than the limit of 20971520 bytes\n"));
    }
    content_encoding_lines_read_as_one_list_and_stacked_gzip_is_415: |addr| {
        // Two `gzip` lines read as `gzip, gzip`, as one such line does: refused alike.
        let twice = gzipped(&gzipped(add_body().as_bytes()));
        let stacked = "Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most (gzip or identity)\n";
        for codings in ["Content-Encoding: gzip\r\nContent-Encoding: gzip\r\n", "Content-Encoding: gzip, gzip\r\n"] {
            let r = exchange(addr, &gzip_post(codings, &twice));
            assert_eq!((r.status, r.text().as_str()), (415, stacked), "{codings:?}");
        }
        // identity beside gzip is no second coding.
        let once = gzipped(add_body().as_bytes());
        let r = exchange(addr, &gzip_post("Content-Encoding: identity\r\nContent-Encoding: gzip\r\n", &once));
        assert_eq!(decode_response(&r.body, &DocumentLimits::default()).unwrap(), Ok(Value::Int(5)));
    }
    a_gzip_body_of_several_members_is_inflated_whole: |addr| {
        let body = add_body();
        let (half, rest) = body.split_at(body.len() / 2);
        let members = [gzipped(half.as_bytes()), gzipped(rest.as_bytes())].concat();
        let r = exchange(addr, &gzip_post("Content-Encoding: gzip\r\n", &members));
        assert_eq!(decode_response(&r.body, &DocumentLimits::default()).unwrap(), Ok(Value::Int(5)));
        // The inflated-size limit is the members' total: 20 MiB twice over is past it.
        let half_bomb = gzipped(&vec![b' '; 12 << 20]);
        let r = exchange(addr, &gzip_post("Content-Encoding: gzip\r\n", &half_bomb.repeat(2)));
        assert_eq!((r.status, r.text().as_str()), (400, "the gzip body inflates to more than the limit of 20971520 bytes\n"));
    }
    bytes_after_the_gzip_data_are_400: |addr| {
        let trailed = [gzipped(add_body().as_bytes()), b"junk".to_vec()].concat();
        let r = exchange(addr, &gzip_post("Content-Encoding: gzip\r\n", &trailed));
        assert_eq!((r.status, r.text().as_str()), (400, "the gzip body has 4 bytes after the end of its gzip data\n"));
    }
    http_1_1_without_exactly_one_host_is_400: |addr| {
        let body = add_body();
        let with = |version: &str, hosts: &str| format!("POST /RPC2 {version}\r\n{hosts}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes();
        let r = exchange(addr, &with("HTTP/1.1", ""));
        assert_eq!((r.status, r.text().as_str()), (400, "an HTTP/1.1 request needs a Host header\n"));
        let r = exchange(addr, &with("HTTP/1.1", "Host: a\r\nHost: a\r\n"));
        assert_eq!((r.status, r.text().as_str()), (400, "the request has 2 Host headers; one is allowed\n"));
        let r = exchange(addr, &with("HTTP/1.0", "Host: a\r\nHost: b\r\n"));
        assert_eq!((r.status, r.text().as_str()), (400, "the request has 2 Host headers; one is allowed\n"));
        let r = exchange(addr, &with("HTTP/1.1", "Host: a b\r\n"));
        assert_eq!((r.status, r.text().as_str()), (400, "Host \"a b\" is not a host name or address with an optional port\n"));
        // HTTP/1.0 may go without.
        let r = exchange(addr, &with("HTTP/1.0", ""));
        assert_eq!(decode_response(&r.body, &DocumentLimits::default()).unwrap(), Ok(Value::Int(5)));
        // The rule is the request's, not the route's: the health path and
        // the documentation page follow it too.
        let server = TestServer::start(
            Server::builder(methods())
                .documentation(xmlrpc_kit::Documentation::default())
                .health_path("/health")
                .log_requests(false),
        );
        for path in ["/health", "/"] {
            let r = exchange(server.addr, format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes());
            assert_eq!((r.status, r.text().as_str()), (400, "an HTTP/1.1 request needs a Host header\n"), "{path}");
            let r = exchange(server.addr, format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
            assert_eq!(r.status, 200, "{path}");
            let r = exchange(server.addr, format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes());
            assert_eq!(r.status, 200, "{path}");
        }
        still_serving(server.addr);
    }
    a_panicking_handler_is_an_internal_error: |addr| {
        assert_eq!(fault_of(addr, &call_body("panic", "")), Fault::new(-32603, "internal error while running method \"panic\""));
    }
    a_call_past_the_time_limit_is_an_internal_error: |addr| {
        let server = TestServer::start(Server::builder(methods()).limits(xmlrpc_kit::HttpLimits::default().call_timeout(Some(Duration::from_millis(200)))).log_requests(false));
        let f = fault_of(server.addr, &call_body("sleep", "<param><value><int>5000</int></value></param>"));
        assert_eq!(f, Fault::new(-32603, "the call took longer than the limit of 200ms"));
        still_serving(server.addr);
        let _ = addr;
    }
}

fn gzipped(data: &[u8]) -> Vec<u8> {
    xmlrpc_kit::wire::gzip::gzip(data)
}

/// A POST of `body` to /RPC2 with these `Content-Encoding` lines.
fn gzip_post(codings: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\n{codings}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

fn add_body() -> String {
    call_body(
        "add",
        "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
    )
}

/// A gzip request whose answer is about 32 times what it sends: an `echo`
/// of `items` empty values (`<value/>`, answered as
/// `<value><string></string></value>`).
fn amplifying_gzip_request(items: usize) -> Vec<u8> {
    let body = echo(&format!(
        "<value><array><data>{}</data></array></value>",
        "<value/>".repeat(items)
    ));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(body.as_bytes()).unwrap();
    let gzipped = e.finish().unwrap();
    let mut raw = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        gzipped.len()
    )
    .into_bytes();
    raw.extend(gzipped);
    raw
}

/// A connection to `addr` whose receive buffer is small, so that an answer
/// it does not read stays with the server.
fn connect_reading_little(addr: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(8 * 1024).unwrap();
    socket.connect(&addr.into()).unwrap();
    socket.into()
}

/// Sends `raw` on a connection that then does not read.
fn send_unread(addr: SocketAddr, raw: &[u8]) -> TcpStream {
    let mut s = connect_reading_little(addr);
    s.write_all(raw).unwrap();
    s
}

/// The amplifying request as an SCGI request: its gzip body, with the
/// coding in `HTTP_CONTENT_ENCODING`.
fn amplifying_scgi_request(items: usize) -> Vec<u8> {
    let raw = amplifying_gzip_request(items);
    let body_at = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    scgi_request(
        &[
            ("REQUEST_METHOD", "POST"),
            ("HTTP_CONTENT_ENCODING", "gzip"),
        ],
        &raw[body_at..],
    )
}

/// Waits until the head of an answer is there to be read on each of
/// `unread` (looked at, not read: reading would let the server give back
/// an answer's share), for 60 s at most. Large requests take their turn
/// to be decoded and answered (one at a time on two cores), so how long
/// they all take depends on the machine.
fn until_answered(unread: &[TcpStream]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut head = [0; 1024];
    for s in unread {
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        while !matches!(s.peek(&mut head), Ok(n) if head[..n].windows(4).any(|w| w == b"\r\n\r\n"))
        {
            assert!(
                Instant::now() < deadline,
                "an answer did not come within 60 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads the answers to the amplifying request of 300,000 items on
/// `unread`: how many were the echo whole, and how many the fault saying
/// the answer budget (of `budget_mib`) could not keep it.
fn whole_and_refused(unread: Vec<TcpStream>, budget_mib: usize) -> (usize, usize) {
    let (mut whole, mut refused) = (0, 0);
    for s in unread {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let r = read_from(&mut std::io::BufReader::new(s)).unwrap();
        assert_eq!(r.status, 200);
        match decode_response(&r.body, &DocumentLimits::default()).unwrap() {
            Ok(Value::Array(items)) => {
                assert_eq!(items, vec![Value::String(String::new()); 300_000]);
                whole += 1;
            }
            Ok(other) => panic!("{other:?}"),
            Err(fault) => {
                assert_eq!(
                    fault,
                    Fault::new(
                        -32603,
                        format!(
                            "the call ran, but its answer of 9600147 bytes could not be kept: \
                             the server already holds {budget_mib} MiB of answers that their \
                             clients have not read (its limit); try again later"
                        )
                    )
                );
                refused += 1;
            }
        }
    }
    (whole, refused)
}

/// Round two: what a request costs, not only what it holds.
#[test]
fn answers_nobody_reads_are_held_within_the_answer_budget() {
    // Each answer is 9.6 MB (300,000 items of 32 bytes) from a ~10 KB
    // request (2.4 MB inflated, whose share of the body budget the answer
    // takes over: the answer budget holds the other 7.2 MB); the budget
    // holds one: the others are faults saying so, and a normal call is
    // answered meanwhile. (The kernel takes up to ~4 MB of an answer into
    // the socket's send buffer; the rest stays with us.)
    let server = TestServer::start(
        Server::builder(methods())
            .limits(xmlrpc_kit::HttpLimits::default().max_buffered_answer_bytes(12 << 20))
            .log_requests(false),
    );
    let request = amplifying_gzip_request(300_000);
    assert!(request.len() < 16 * 1024, "{}", request.len());
    let unread: Vec<TcpStream> = (0..6).map(|_| send_unread(server.addr, &request)).collect();
    // Every answer is made (or refused) before the normal call.
    until_answered(&unread);
    still_serving(server.addr);
    assert_eq!(whole_and_refused(unread, 12), (1, 5));
    // Read, the answer's share is given back: the same request is answered whole.
    let r = exchange(server.addr, &request);
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Array(vec![Value::String(String::new()); 300_000]))
    );
}

#[test]
fn header_only_requests_declaring_the_limit_hold_no_body_budget() {
    // 30 requests declaring 20 MiB (the body limit) and sending nothing:
    // with the default 512 MiB budget, reserving what they declare would
    // refuse everyone else until their bodies time out.
    let server = TestServer::start(
        Server::builder(methods())
            .body_read_timeout(Duration::from_secs(30))
            .log_requests(false),
    );
    let declared = 20 * 1024 * 1024;
    let waiting: Vec<TcpStream> = (0..30)
        .map(|_| {
            let mut s = connect(server.addr);
            let head =
                format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: {declared}\r\n\r\n");
            s.write_all(head.as_bytes()).unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    still_serving(server.addr);
    // A body that comes holds budget for what came: a large call still fits.
    let big = "z".repeat(4 << 20);
    assert_eq!(
        value_of(
            server.addr,
            &echo(&format!("<value><string>{big}</string></value>"))
        ),
        Value::String(big)
    );
    drop(waiting);
}

/// Sends `raw` whole (the client does not read until it has sent it all),
/// then reads the answer.
fn send_all_then_read(addr: SocketAddr, raw: &[u8]) -> HttpResponse {
    let mut s = connect(addr);
    s.write_all(raw)
        .unwrap_or_else(|e| panic!("sending the request: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    read_response(&mut s)
}

#[test]
fn a_client_refused_while_sending_reads_its_refusal() {
    // Bodies of 3 MiB against a 1 MiB budget: 503 once the budget runs
    // out, with Retry-After; the rest of the body is read and let go, so
    // the client, still sending, reads the answer instead of a reset.
    let server = TestServer::start(
        Server::builder(methods())
            .limits(xmlrpc_kit::HttpLimits::default().max_buffered_body_bytes(1 << 20))
            .log_requests(false),
    );
    let body = echo(&format!(
        "<value><string>{}</string></value>",
        "q".repeat(3 << 20)
    ));
    let r = send_all_then_read(server.addr, &post("/RPC2", &body));
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(
        r.text(),
        "the server holds too many request bodies right now; try again later\n"
    );
    // Refused before the body is read: the body is read and let go too.
    let r = send_all_then_read(server.addr, &post("/nowhere", &body));
    assert_eq!(r.status, 404);
    let put = String::from_utf8(post("/RPC2", &body))
        .unwrap()
        .replacen("POST", "PUT", 1);
    let r = send_all_then_read(server.addr, put.as_bytes());
    assert_eq!(r.status, 501);
    assert_eq!(r.header("allow"), Some("POST"));
    still_serving(server.addr);
}

#[test]
fn large_bodies_arriving_together_past_the_budget_finish_or_read_503() {
    // Eight 1.5 MiB bodies at once against a 6 MiB budget: those promised
    // their length (within half the budget) finish, the others are refused
    // with a 503 their clients read.
    let server = TestServer::start(
        Server::builder(methods())
            .limits(xmlrpc_kit::HttpLimits::default().max_buffered_body_bytes(6 << 20))
            .log_requests(false),
    );
    let text = "b".repeat(3 << 19);
    let request = post(
        "/RPC2",
        &echo(&format!("<value><string>{text}</string></value>")),
    );
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let request = request.clone();
            let addr = server.addr;
            std::thread::spawn(move || send_all_then_read(addr, &request))
        })
        .collect();
    let (mut echoed, mut refused) = (0, 0);
    for client in clients {
        let r = client.join().unwrap();
        match r.status {
            200 => {
                let answer = decode_response(&r.body, &DocumentLimits::default()).unwrap();
                assert_eq!(answer, Ok(Value::String(text.clone())));
                echoed += 1;
            }
            503 => {
                assert_eq!(r.header("retry-after"), Some("1"));
                refused += 1;
            }
            other => panic!("{other}: {}", r.text()),
        }
    }
    assert_eq!(echoed + refused, 8);
    assert!(echoed >= 1, "{echoed} echoed, {refused} refused");
    still_serving(server.addr);
}

/// Sends a whole SCGI request, then reads its answer.
fn scgi_exchange(addr: SocketAddr, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&scgi_request(headers, body))
        .unwrap_or_else(|e| panic!("sending the request: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    read_from(&mut std::io::BufReader::new(s)).unwrap()
}

#[test]
fn scgi_heads_declaring_the_limit_hold_nothing_and_refused_bodies_are_read() {
    let (_server, addr) =
        scgi_server(xmlrpc_kit::HttpLimits::default().max_buffered_body_bytes(1 << 20));
    let add = [("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2")];
    let five = |r: &HttpResponse| {
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            decode_response(&r.body, &DocumentLimits::default()).unwrap(),
            Ok(Value::Int(5))
        );
    };
    // 30 heads declaring 20 MiB against a 1 MiB budget, with no body.
    let heads: Vec<TcpStream> = (0..30)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            let block = "CONTENT_LENGTH\x0020971520\0SCGI\x001\0REQUEST_METHOD\0POST\0";
            s.write_all(format!("{}:{block},", block.len()).as_bytes())
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    five(&scgi_exchange(addr, &add, add_body().as_bytes()));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    drop(heads);
    // A 3 MiB body past the budget: 503 with Retry-After, read by a client
    // that sent it all first.
    let body = echo(&format!(
        "<value><string>{}</string></value>",
        "q".repeat(3 << 20)
    ));
    let r = scgi_exchange(addr, &add, body.as_bytes());
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    // Refused before the body is read (no such path): read and let go too.
    let r = scgi_exchange(addr, &[("REQUEST_URI", "/nowhere")], body.as_bytes());
    assert_eq!(r.status, 404);
    five(&scgi_exchange(addr, &add, add_body().as_bytes()));
}

#[test]
fn scgi_answers_nobody_reads_are_held_within_the_answer_budget() {
    // As over HTTP: 7.2 MB of each answer are the answer budget's.
    let (_server, addr) =
        scgi_server(xmlrpc_kit::HttpLimits::default().max_buffered_answer_bytes(12 << 20));
    let request = amplifying_scgi_request(300_000);
    let unread: Vec<TcpStream> = (0..4).map(|_| send_unread(addr, &request)).collect();
    until_answered(&unread);
    assert_eq!(whole_and_refused(unread, 12), (1, 3));
}

#[test]
fn an_scgi_answer_its_front_end_stops_reading_is_given_up_after_the_header_timeout() {
    let (_server, addr) = scgi_server(
        xmlrpc_kit::HttpLimits::default()
            .max_buffered_answer_bytes(16 << 20)
            .header_read_timeout(Duration::from_secs(1)),
    );
    let request = amplifying_scgi_request(300_000);
    let stalled = send_unread(addr, &request);
    // Past the timeout the stalled answer is dropped and its share given
    // back: the next 9.6 MB answer fits the 16 MiB budget.
    std::thread::sleep(Duration::from_millis(2500));
    let next = send_unread(addr, &request);
    assert_eq!(whole_and_refused(vec![next], 16), (1, 0));
    drop(stalled);
}

/// A JSON-RPC request with `content_type`.
fn json_post(content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Hostile JSON-RPC bodies: each gets the error the JSON-RPC 2.0
/// specification names for it (the whole body's, `id` null), at a cost
/// bounded by the limits, and the server goes on serving both protocols.
#[test]
fn hostile_json_rpc_bodies_get_their_errors_and_the_server_serves() {
    let server = TestServer::start(
        Server::builder(methods())
            .json_rpc(true)
            .max_multicall_calls(1000)
            .log_requests(false),
    );
    let addr = server.addr;
    let error_code = |body: &str| {
        let r = exchange(addr, &json_post("application/json", body));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let answer: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(answer["id"], serde_json::Value::Null, "{answer}");
        answer["error"]["code"].as_i64().unwrap()
    };
    let call = r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#;
    let notification = r#"{"jsonrpc":"2.0","method":"add","params":[2,3]}"#;
    let batch = |one: &str, n: usize| format!("[{}]", vec![one; n].join(","));
    let cases = [
        (
            "duplicate keys",
            r#"{"jsonrpc":"2.0","method":"add","params":[{"a":1,"a":2},3],"id":1}"#.to_owned(),
            -32600,
        ),
        (
            "a duplicate request member",
            r#"{"jsonrpc":"2.0","id":1,"method":"add","id":2}"#.to_owned(),
            -32600,
        ),
        (
            "deep nesting",
            format!(
                r#"{{"jsonrpc":"2.0","method":"echo","params":[{}{}],"id":1}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            -32600,
        ),
        (
            "nesting past the depth limit",
            format!(
                r#"{{"jsonrpc":"2.0","method":"echo","params":[{}{}],"id":1}}"#,
                "[".repeat(65),
                "]".repeat(65)
            ),
            -32600,
        ),
        (
            "a huge number",
            r#"{"jsonrpc":"2.0","method":"echo","params":[1e999999],"id":1}"#.to_owned(),
            -32700,
        ),
        (
            "a lone surrogate",
            r#"{"jsonrpc":"2.0","method":"echo","params":["\ud800"],"id":1}"#.to_owned(),
            -32700,
        ),
        ("a batch of 100,000", batch(call, 100_000), -32600),
        (
            "a batch of 100,000 notifications",
            batch(notification, 100_000),
            -32600,
        ),
        ("an empty batch", "[]".to_owned(), -32600),
        ("not JSON", "<methodCall/>".to_owned(), -32700),
    ];
    for (what, body, code) in &cases {
        assert_eq!(error_code(body), i64::from(*code), "{what}");
    }
    // A batch of notifications only: no answer at all.
    let r = exchange(
        addr,
        &json_post("application/json", &batch(notification, 1000)),
    );
    assert_eq!((r.status, r.body.len()), (204, 0));
    // A huge integer is a double, as JavaScript reads it.
    let r = exchange(
        addr,
        &json_post(
            "application/json",
            r#"{"jsonrpc":"2.0","method":"echo","params":[123456789012345678901234567890],"id":1}"#,
        ),
    );
    let answer: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(answer["result"].as_f64(), Some(1.2345678901234568e29));
    // A body that is both XML and JSON by its headers.
    let both = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{call}",
        call.len()
    );
    assert_eq!(status_of(addr, both.as_bytes()), 400);
    still_serving(addr);
}
