//! Server settings that change what a client sees, each shown over a
//! socket: the gzip threshold, the document limits, the requests in
//! flight, and the shutdown grace.

mod common;

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use common::*;
use xmlrpc_kit::{DocumentLimits, Fault, HttpConfig, HttpLimits, Server, Value, decode_response};

fn echo_request(text: &str, accept_gzip: bool) -> Vec<u8> {
    let body = call_body(
        "echo",
        &format!("<param><value><string>{text}</string></value></param>"),
    );
    let accept = if accept_gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    let mut raw = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\n{accept}Content-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body.as_bytes());
    raw
}

fn inflate(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn answers_past_the_gzip_threshold_are_gzipped_for_clients_that_accept_it() {
    let server = TestServer::start(
        Server::builder(methods())
            .gzip_threshold(Some(300))
            .log_requests(false),
    );
    let long = "z".repeat(400);
    // Past the threshold, accepted: gzip, and it inflates to the answer.
    let r = exchange(server.addr, &echo_request(&long, true));
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let answer = decode_response(&inflate(&r.body), &DocumentLimits::default()).unwrap();
    assert_eq!(answer, Ok(Value::String(long.clone())));
    // Past it, not accepted; or accepted, below it: as is.
    let r = exchange(server.addr, &echo_request(&long, false));
    assert_eq!(r.header("content-encoding"), None);
    let r = exchange(server.addr, &echo_request("short", true));
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::String("short".into()))
    );
    // No threshold: never.
    let never = TestServer::start(
        Server::builder(methods())
            .gzip_threshold(None)
            .log_requests(false),
    );
    let r = exchange(never.addr, &echo_request(&"z".repeat(100_000), true));
    assert_eq!(r.header("content-encoding"), None);
}

#[test]
fn the_document_limits_set_on_the_builder_bound_requests() {
    let server = TestServer::start(
        Server::builder(methods())
            .document_limits(DocumentLimits::default().max_depth(2).max_items(3))
            .log_requests(false),
    );
    let nested = |depth: usize| {
        format!(
            "{}<value><int>1</int></value>{}",
            "<value><array><data>".repeat(depth),
            "</data></array></value>".repeat(depth)
        )
    };
    let call = |param: &str| {
        let r = exchange(
            server.addr,
            &post(
                "/RPC2",
                &call_body("echo", &format!("<param>{param}</param>")),
            ),
        );
        decode_response(&r.body, &DocumentLimits::default()).unwrap()
    };
    assert_eq!(
        call(&nested(2)),
        Ok(Value::Array(vec![Value::Array(vec![Value::Int(1)])]))
    );
    assert_eq!(
        call(&nested(3)),
        Err(Fault::new(
            -32600,
            "line 1, column 125: arrays and structs nested deeper than the limit of 2 \
             (in param 1 › array item 1 › array item 1)"
        ))
    );
    let four = "<value><int>1</int></value>".repeat(4);
    assert_eq!(
        call(&format!(
            "<value><array><data>{four}</data></array></value>"
        )),
        Err(Fault::new(
            -32600,
            "line 1, column 179: more than 3 items in one array or struct (in param 1)"
        ))
    );
}

#[test]
fn a_request_past_the_requests_in_flight_is_answered_503_with_retry_after() {
    let server = TestServer::start(
        Server::builder(methods())
            .limits(HttpLimits::default().max_requests_in_flight(1))
            .log_requests(false),
    );
    let addr = server.addr;
    let slow = std::thread::spawn(move || {
        exchange(
            addr,
            &post(
                "/RPC2",
                &call_body("sleep", "<param><value><int>1500</int></value></param>"),
            ),
        )
    });
    std::thread::sleep(Duration::from_millis(400));
    let r = exchange(server.addr, &add_request("/RPC2"));
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(
        r.text(),
        "the server is processing too many requests; try again later\n"
    );
    let r = slow.join().unwrap();
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(1500))
    );
    // Its place given back, the next call is answered.
    let r = exchange(server.addr, &add_request("/RPC2"));
    assert_eq!(
        decode_response(&r.body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
}

#[test]
fn a_stopping_server_waits_for_calls_in_flight_only_as_long_as_the_grace() {
    let mut config = HttpConfig::default();
    config.shutdown_grace = Duration::from_millis(300);
    config.log_requests = false;
    config.stop_on_signals = false;
    let server = TestServer::start(Server::builder(methods()).http_config(config));
    let mut caller = connect(server.addr);
    caller
        .write_all(&post(
            "/RPC2",
            &call_body("sleep", "<param><value><int>20000</int></value></param>"),
        ))
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    server.stop().unwrap();
    // The call would take 20 s: the server returned after its grace, not then.
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");
    // The call in flight was dropped: its connection closed, no answer.
    caller
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut rest = Vec::new();
    let read = caller.read_to_end(&mut rest);
    assert!(
        read.is_err() || rest.is_empty(),
        "an answer came: {:?}",
        String::from_utf8_lossy(&rest)
    );
}
