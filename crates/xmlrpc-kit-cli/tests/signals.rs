//! Graceful operations: `xmlrpc-kit demo` stops on SIGTERM and SIGINT, lets a
//! call in flight finish, and exits 0; a second signal stops it at once.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use xmlrpc_kit_test_support::process::Demo;
use xmlrpc_kit_test_support::raw_http::{connect, read_response};

fn demo() -> Demo {
    Demo::start(Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")), &[]).expect("start xmlrpc-kit demo")
}

fn signal(demo: &Demo, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &demo.process.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

/// Waits up to `limit` for the process to exit.
fn exit_within(demo: &mut Demo, limit: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = demo.process.0.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < limit,
            "still running {limit:?} after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

const POW: &[u8] = b"<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>10</int></value></param></params></methodCall>";

/// A connection whose request is half sent: headers and part of the body.
fn half_sent(demo: &Demo) -> TcpStream {
    let mut stream = connect(demo.addr);
    let head = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        POW.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&POW[..20]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    stream
}

#[test]
fn sigterm_lets_the_call_in_flight_finish_then_exits_0() {
    let mut demo = demo();
    let mut in_flight = half_sent(&demo);
    signal(&demo, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    // No longer accepting...
    assert_eq!(
        TcpStream::connect(demo.addr).map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::ConnectionRefused),
        "a stopping server still accepts connections"
    );
    // ...but the call in flight is answered.
    in_flight.write_all(&POW[20..]).unwrap();
    let response = read_response(&mut in_flight);
    assert_eq!(response.status, 200);
    assert!(
        response.text().contains("<int>1024</int>"),
        "{}",
        response.text()
    );
    drop(in_flight);
    assert!(exit_within(&mut demo, Duration::from_secs(10)).success());
    // The stop is logged, step by step.
    let log: Vec<String> = demo.stderr.try_iter().collect();
    let stop: Vec<&str> = log
        .iter()
        .filter_map(|l| l.split_once(" INFO ").map(|(_, event)| event))
        .filter(|event| !event.starts_with("xmlrpc_kit::access"))
        .collect();
    assert_eq!(
        stop,
        [
            "xmlrpc_kit_http::lifecycle: SIGTERM: stopping; calls in flight may finish (a second signal stops at once)",
            "xmlrpc_kit_http::server: no longer accepting; 1 open connections finish their calls",
            "xmlrpc_kit_http::server: stopped: every call in flight was answered",
        ],
        "{log:#?}"
    );
}

#[test]
fn sigint_on_an_idle_server_exits_0_at_once() {
    let mut demo = demo();
    signal(&demo, "INT");
    assert!(exit_within(&mut demo, Duration::from_secs(5)).success());
}

#[test]
fn a_second_signal_stops_at_once() {
    let mut demo = demo();
    let _in_flight = half_sent(&demo);
    signal(&demo, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        demo.process.0.try_wait().unwrap().is_none(),
        "it should wait for the call in flight"
    );
    signal(&demo, "TERM");
    // Well within the 30 s grace period.
    assert!(exit_within(&mut demo, Duration::from_secs(5)).success());
}

#[test]
fn with_drain_and_a_health_path_sigterm_fails_the_check_first_then_stops() {
    let mut demo = Demo::start(
        Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")),
        &["--quiet", "--health-path", "/health", "--drain", "3"],
    )
    .expect("start xmlrpc-kit demo");
    let health = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n";
    let r = xmlrpc_kit_test_support::raw_http::exchange(demo.addr, health);
    assert_eq!((r.status, r.text().as_str()), (200, "ok\n"));
    signal(&demo, "TERM");
    std::thread::sleep(Duration::from_millis(300));
    // Draining: still accepting and answering, the health check failing.
    let r = xmlrpc_kit_test_support::raw_http::exchange(demo.addr, health);
    assert_eq!((r.status, r.text().as_str()), (503, "stopping\n"));
    let mut call = connect(demo.addr);
    let head = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        POW.len()
    );
    call.write_all(head.as_bytes()).unwrap();
    call.write_all(POW).unwrap();
    let response = read_response(&mut call);
    assert!(response.text().contains("<int>1024</int>"));
    assert_eq!(response.header("connection"), Some("close"));
    assert!(exit_within(&mut demo, Duration::from_secs(15)).success());
}
