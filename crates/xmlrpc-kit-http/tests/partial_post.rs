//! CVE-2012-0845 (Python's partial-POST spin): a client announces 100 bytes,
//! sends 3 and closes. The server must neither hang nor spin. Alone in its
//! test binary so the CPU time it measures is the server's.

mod common;

use std::io::Write;
use std::net::Shutdown;
use std::time::Duration;

use common::*;
use xmlrpc_kit::Server;
use xmlrpc_kit::Value;
use xmlrpc_kit::{DocumentLimits, decode_response};

/// CPU time this process has used (user + system), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which is in parentheses).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[test]
fn a_partial_post_neither_hangs_nor_spins() {
    let server = TestServer::start(Server::builder(methods()).log_requests(false));
    let mut streams = Vec::new();
    for _ in 0..20 {
        let mut s = connect(server.addr);
        s.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
            .unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        streams.push(s);
    }
    // Each gets an answer (400: the body ended early), not silence.
    for s in &mut streams {
        assert_eq!(read_response(s).status, 400);
    }
    drop(streams);
    let before = cpu_seconds();
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_seconds() - before;
    assert!(
        spent < 0.2,
        "the process used {spent:.2} s of CPU while idle"
    );
    let r = exchange(server.addr, &add_request("/"));
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
}
