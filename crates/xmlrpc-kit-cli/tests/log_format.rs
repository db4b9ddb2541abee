//! `xmlrpc-kit demo`'s access log in both formats: a call answered with a
//! fault shows its code in the human line, and `--log-format json` writes
//! one JSON object a line with every access field on its own, the trace id
//! of the request's `traceparent` among them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use xmlrpc_kit_test_support::process::Demo;
use xmlrpc_kit_test_support::raw_http::call_body;

/// The document of `div(1, 0)`.
fn div_body() -> String {
    call_body(
        "div",
        "<param><value><int>1</int></value></param><param><value><int>0</int></value></param>",
    )
}

/// `div(1, 0)` from a client that says who it is; the answer's status line.
fn divide_by_zero(addr: SocketAddr) -> String {
    let body = div_body();
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /RPC2 HTTP/1.1\r\nHost: test\r\nUser-Agent: log-test/1.0\r\n\
         traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\
         X-Request-Id: not-trusted\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// The first stderr line holding `wanted`, within 10 s.
fn line_with(lines: &mpsc::Receiver<String>, wanted: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no line with {wanted:?} within 10 s"));
        if line.contains(wanted) {
            return line;
        }
    }
}

fn demo(args: &[&str]) -> Demo {
    Demo::start(Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")), args).expect("start the demo")
}

#[test]
fn the_human_line_shows_a_fault_code() {
    let demo = demo(&[]);
    assert_eq!(divide_by_zero(demo.addr), "HTTP/1.1 200 OK");
    let line = line_with(&demo.stderr, "xmlrpc_kit::access");
    let (_, access) = line.split_once("xmlrpc_kit::access: ").unwrap();
    let (access, elapsed) = access.rsplit_once(' ').unwrap();
    assert_eq!(
        access,
        "127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 297 div fault=-32500"
    );
    assert!(elapsed.ends_with("ms"), "{line}");
}

#[test]
fn json_lines_carry_every_access_field() {
    let demo = demo(&["--log-format", "json"]);
    assert_eq!(divide_by_zero(demo.addr), "HTTP/1.1 200 OK");
    let line = line_with(&demo.stderr, "\"xmlrpc_kit::access\"");
    let mut event: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
    let object = event.as_object_mut().unwrap();
    // What varies from run to run: there, and of its type.
    assert!(object.remove("timestamp").unwrap().is_string(), "{line}");
    assert!(object.remove("elapsed_us").unwrap().is_u64(), "{line}");
    // The client is no trusted proxy: its X-Request-Id is not believed,
    // the id is made here.
    let request_id = object.remove("request_id").unwrap();
    let request_id = request_id.as_str().unwrap();
    assert!(
        request_id.len() == 16 && request_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{line}"
    );
    let message = object.remove("message").unwrap();
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1 \"POST /RPC2 HTTP/1.1\" 200 297 div fault=-32500 "),
        "{line}"
    );
    assert_eq!(
        event,
        serde_json::json!({
            "level": "INFO",
            "target": "xmlrpc_kit::access",
            "peer": "127.0.0.1",
            "http_method": "POST",
            "path": "/RPC2",
            "protocol": "HTTP/1.1",
            "status": 200,
            "bytes_in": div_body().len(),
            "bytes_out": 297,
            "rpc_method": "div",
            "fault_code": -32500,
            "user_agent": "log-test/1.0",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        })
    );
}

#[test]
fn a_multicall_event_holds_its_size_and_each_call_with_its_fault() {
    let demo = demo(&["--log-format", "json"]);
    let client = xmlrpc_kit::blocking::Client::new(&format!("http://{}/RPC2", demo.addr)).unwrap();
    let mut batch = client.batch();
    batch
        .add("add", (1, 2))
        .add("div", (1, 0))
        .add("no\nsuch", ())
        .add("pow", (2, 3));
    let results = batch.send().unwrap();
    assert_eq!(results.len(), 4);
    let line = line_with(&demo.stderr, "\"xmlrpc_kit::access\"");
    let event: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
    assert_eq!(event["rpc_method"], "system.multicall", "{line}");
    assert_eq!(event["multicall_calls"], 4, "{line}");
    assert_eq!(
        event["multicall"], r"add div=-32500 no\nsuch=-32601 pow",
        "{line}"
    );
}
