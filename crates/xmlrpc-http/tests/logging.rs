//! Request logging (Python's `logRequests`): one line per request through
//! `tracing` when on, nothing when off.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use xmlrpc::Server;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serves on a current-thread runtime with a capturing subscriber, sends
/// `requests`, and returns what was logged.
fn log_of(log_requests: bool, requests: &[Vec<u8>]) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let server = Server::builder(methods())
        .log_requests(log_requests)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr().unwrap();
    let handle = server.shutdown_handle();
    let thread = std::thread::spawn(move || {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(server.serve())
        })
    });
    for request in requests {
        exchange(addr, request);
    }
    handle.shutdown();
    thread.join().unwrap().unwrap();
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn one_line_per_request_when_on() {
    let log = log_of(true, &[add_request("/RPC2"), add_request("/nowhere")]);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200"),
        "{log}"
    );
    assert!(lines[0].contains(" add "), "{log}");
    assert!(lines[1].contains("\"POST /nowhere HTTP/1.1\" 404"), "{log}");
}

#[test]
fn nothing_when_off() {
    assert_eq!(log_of(false, &[add_request("/RPC2")]), "");
}
