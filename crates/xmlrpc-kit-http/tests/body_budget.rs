//! Request bodies past the body budget, over real sockets: many clients
//! sending large bodies at once each read an answer, their echo or a 503
//! with `Retry-After`, never a reset connection; bodies wait in line for
//! room before they are refused; answers clients do not read hold back
//! the bodies in line; a body the server stops reading has its connection
//! closed, not held. Over HTTP and SCGI.
//! See: issue 25, item 5.

mod common;

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use xmlrpc_kit::{DocumentLimits, HttpLimits, Value, decode_response};

/// The budget the tests share: 8 MiB, against bodies of 2 MiB.
const BUDGET: usize = 8 << 20;
const TEXT: usize = 2 << 20;

/// Bodies buffered within [`BUDGET`], one waiting at most `queue` for its
/// share.
fn budget(queue: Duration) -> HttpLimits {
    HttpLimits::default()
        .max_buffered_body_bytes(BUDGET)
        .body_queue_timeout(queue)
}

/// What one client came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Echoed,
    Refused,
}

/// An `echo` of a string of `TEXT` bytes, and that string.
fn large_echo() -> (String, String) {
    let text = "t".repeat(TEXT);
    let body = call_body(
        "echo",
        &format!("<param><value><string>{text}</string></value></param>"),
    );
    (body, text)
}

/// Checks `r` is the echo of `text` or a 503 saying to try again.
fn outcome(r: &HttpResponse, text: &str) -> Outcome {
    match r.status {
        200 => {
            let answer = decode_response(&r.body, &DocumentLimits::default()).unwrap();
            assert_eq!(answer, Ok(Value::String(text.to_owned())));
            Outcome::Echoed
        }
        503 => {
            assert_eq!(r.header("retry-after"), Some("1"));
            assert_eq!(
                r.text(),
                "the server holds too many request bodies right now; try again later\n"
            );
            Outcome::Refused
        }
        other => panic!("{other}: {}", r.text()),
    }
}

/// `clients` clients at once each send the whole large echo, then read:
/// an I/O error (a reset, a broken pipe) fails the test. A client refused
/// then calls `add` on the same connection: a 503 whose body was read to
/// its end leaves the connection open, and says nothing of closing it.
fn many_large_echoes(addr: SocketAddr, clients: usize) -> Vec<Outcome> {
    let (body, text) = large_echo();
    let request = post("/RPC2", &body);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (request, text) = (request.clone(), text.clone());
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                s.write_all(&request)
                    .unwrap_or_else(|e| panic!("sending the request: {e}"));
                let r = read_from(&mut BufReader::with_capacity(1, &s))
                    .unwrap_or_else(|e| panic!("reading the answer: {e}"));
                let outcome = outcome(&r, &text);
                if outcome == Outcome::Refused {
                    // Answered on the same connection: added, or refused
                    // again while the budget is still full.
                    assert_eq!(r.header("connection"), None);
                    s.write_all(&add_request("/RPC2")).unwrap();
                    let r = read_response(&mut s);
                    if r.status != 503 {
                        assert_eq!(added(&r), Value::Int(5));
                    }
                }
                outcome
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// Two requests that hold the whole 8 MiB budget and stall: one promised
/// its declared 4 MiB (half the budget, all that may be held ahead) on
/// its first bytes, one that sent 4 MiB of its 5 MiB. Closing them gives
/// the budget back.
fn fill_budget(addr: SocketAddr, scgi: bool) -> Vec<TcpStream> {
    let stall = |declared: usize, sent: usize| {
        let mut s = TcpStream::connect(addr).unwrap();
        let head = if scgi {
            let length = declared.to_string();
            scgi_head(&[
                ("CONTENT_LENGTH", length.as_str()),
                ("SCGI", "1"),
                ("REQUEST_METHOD", "POST"),
                ("REQUEST_URI", "/RPC2"),
            ])
        } else {
            format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: {declared}\r\n\r\n")
                .into_bytes()
        };
        s.write_all(&head).unwrap();
        s.write_all(&vec![b' '; sent]).unwrap();
        s
    };
    let first = stall(4 << 20, 64 << 10);
    // Promised before the second comes.
    std::thread::sleep(Duration::from_millis(200));
    vec![first, stall(5 << 20, 4 << 20)]
}

/// Waits until the budget is full: a small call is refused (on a server
/// that does not wait in line).
fn until_full(addr: SocketAddr, scgi: bool) {
    let started = Instant::now();
    loop {
        let status = if scgi {
            let request = scgi_request(&[("REQUEST_URI", "/RPC2")], add_body().as_bytes());
            exchange_on(TcpStream::connect(addr).unwrap(), &request).status
        } else {
            exchange(addr, &add_request("/RPC2")).status
        };
        if status == 503 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "never full");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn add_body() -> String {
    call_body(
        "add",
        "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
    )
}

fn added(r: &HttpResponse) -> Value {
    assert_eq!(r.status, 200, "{}", r.text());
    decode_response(&r.body, &DocumentLimits::default())
        .unwrap()
        .unwrap()
}

/// A small call is answered (within a second: stalled requests just
/// closed give their budget back once the server sees them close).
fn still_serving(addr: SocketAddr) {
    let started = Instant::now();
    loop {
        let r = exchange(addr, &add_request("/RPC2"));
        if r.status != 503 || started.elapsed() > Duration::from_secs(1) {
            assert_eq!(added(&r), Value::Int(5));
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn counts(outcomes: &[Outcome]) -> (usize, usize) {
    let echoed = outcomes.iter().filter(|o| **o == Outcome::Echoed).count();
    (echoed, outcomes.len() - echoed)
}

#[test]
fn many_clients_past_the_budget_each_read_their_echo_or_a_503() {
    // No wait in line: 32 bodies of 2 MiB against 8 MiB, those refused
    // refused while still sending. Those first promised their length
    // always finish.
    let server = http_server(budget(Duration::ZERO));
    let (echoed, refused) = counts(&many_large_echoes(server.addr, 32));
    assert!(echoed >= 1, "{echoed} echoed, {refused} refused");
    still_serving(server.addr);
}

#[test]
fn clients_refused_at_once_read_their_503_and_keep_their_connection() {
    let server = http_server(budget(Duration::ZERO));
    let stalled = fill_budget(server.addr, false);
    until_full(server.addr, false);
    assert_eq!(counts(&many_large_echoes(server.addr, 16)), (0, 16));
    drop(stalled);
    still_serving(server.addr);
}

#[test]
fn bodies_wait_in_line_for_the_budget_and_are_all_answered() {
    // The budget is full for a second; 32 bodies wait in line meanwhile,
    // and are let in, in turn, once it is given back.
    let server =
        http_server(budget(Duration::from_secs(25)).body_read_timeout(Duration::from_secs(60)));
    let stalled = fill_budget(server.addr, false);
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        drop(stalled);
    });
    assert_eq!(counts(&many_large_echoes(server.addr, 32)), (32, 0));
    release.join().unwrap();
    still_serving(server.addr);
}

/// Sends an endless chunked body on `s` until the server stops taking it;
/// the error that stopped it.
fn send_endlessly(mut s: TcpStream) -> std::io::Error {
    let chunk = format!("10000\r\n{}\r\n", "c".repeat(0x10000));
    loop {
        if let Err(e) = s.write_all(chunk.as_bytes()) {
            return e;
        }
    }
}

#[test]
fn an_endless_body_past_the_drain_limit_has_its_connection_closed() {
    // Refused past the 1 MiB budget, then read and let go up to the 4 MiB
    // body limit: then the server stops reading and closes.
    let server = http_server(
        HttpLimits::default()
            .max_buffered_body_bytes(1 << 20)
            .max_body_bytes(4 << 20)
            .body_queue_timeout(Duration::ZERO),
    );
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let writer = s.try_clone().unwrap();
    let started = Instant::now();
    let sending = std::thread::spawn(move || send_endlessly(writer));
    // The answer may reach this client or be lost to the reset that
    // follows it; if it arrives, it says the connection closes.
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    if let Ok(r) = read_from(&mut BufReader::with_capacity(1, &s)) {
        assert_eq!(r.status, 503);
        assert_eq!(r.header("connection"), Some("close"));
    }
    let stopped = sending.join().unwrap();
    assert!(
        matches!(
            stopped.kind(),
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
        ),
        "{stopped}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    still_serving(server.addr);
}

#[test]
fn a_refused_body_that_stalls_is_left_after_the_body_read_timeout() {
    // 3 MiB declared, 1.5 MiB sent, then nothing: refused past the 1 MiB
    // budget, its rest awaited for the body read timeout, then the 503
    // says the connection closes, and it does.
    let server = http_server(
        HttpLimits::default()
            .max_buffered_body_bytes(1 << 20)
            .body_queue_timeout(Duration::ZERO)
            .body_read_timeout(Duration::from_secs(2)),
    );
    let mut s = connect(server.addr);
    let head = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        3 << 20
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&vec![b'x'; 3 << 19]).unwrap();
    let started = Instant::now();
    let r = read_response(&mut s);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("connection"), Some("close"));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(s.read(&mut [0; 16]).unwrap(), 0, "closed after the answer");
    still_serving(server.addr);
}

/// `clients` front ends at once each send a whole SCGI request (as nginx
/// does, before reading), then read its answer.
fn many_scgi_echoes(addr: SocketAddr, clients: usize) -> Vec<Outcome> {
    let (body, text) = large_echo();
    let request = scgi_request(
        &[("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2")],
        body.as_bytes(),
    );
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (request, text) = (request.clone(), text.clone());
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                s.write_all(&request)
                    .unwrap_or_else(|e| panic!("sending the request: {e}"));
                let r = read_from(&mut BufReader::new(s))
                    .unwrap_or_else(|e| panic!("reading the answer: {e}"));
                outcome(&r, &text)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn scgi_front_ends_read_their_answer_refused_or_after_waiting_in_line() {
    // The budget full: refused at once, every front end reads its 503.
    let refusing = budget(Duration::ZERO);
    let (server, addr) = scgi_server(refusing);
    let stalled = fill_budget(addr, true);
    until_full(addr, true);
    assert_eq!(counts(&many_scgi_echoes(addr, 16)), (0, 16));
    drop((stalled, server));
    // The budget full for a second, with time to wait: all answered.
    let waiting = budget(Duration::from_secs(25)).body_read_timeout(Duration::from_secs(60));
    let (_server, addr) = scgi_server(waiting);
    let stalled = fill_budget(addr, true);
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        drop(stalled);
    });
    assert_eq!(counts(&many_scgi_echoes(addr, 16)), (16, 0));
    release.join().unwrap();
}

/// Sends `raw` on a connection whose receive buffer is small and that
/// then does not read, so that its answer stays with the server (beyond
/// what the kernel's buffers take, up to ~4 MB).
fn send_unread(addr: SocketAddr, raw: &[u8]) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(8 * 1024).unwrap();
    socket.connect(&addr.into()).unwrap();
    let mut s: TcpStream = socket.into();
    s.write_all(raw).unwrap();
    s
}

#[test]
fn answers_clients_do_not_read_hold_back_the_bodies_in_line() {
    // Two 6 MiB echoes whose clients do not read: each answer keeps its
    // request's 6 MiB share of the 16 MiB body budget until it is handed
    // over, so a third does not fit (refused at once here: no wait).
    let server = http_server(
        HttpLimits::default()
            .max_buffered_body_bytes(16 << 20)
            .body_queue_timeout(Duration::ZERO),
    );
    let text = "u".repeat(6 << 20);
    let request = post(
        "/RPC2",
        &call_body(
            "echo",
            &format!("<param><value><string>{text}</string></value></param>"),
        ),
    );
    let unread: Vec<TcpStream> = (0..2).map(|_| send_unread(server.addr, &request)).collect();
    std::thread::sleep(Duration::from_millis(1500));
    let r = exchange(server.addr, &request);
    assert_eq!(outcome(&r, &text), Outcome::Refused);
    // Read, the answers give their shares back: the same call fits.
    for s in unread {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let r = read_from(&mut BufReader::new(s)).unwrap();
        assert_eq!(outcome(&r, &text), Outcome::Echoed);
    }
    let r = exchange(server.addr, &request);
    assert_eq!(outcome(&r, &text), Outcome::Echoed);
}
