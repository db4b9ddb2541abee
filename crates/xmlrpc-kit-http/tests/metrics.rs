//! The server's metrics through its own front ends: HTTP and SCGI count
//! alike, refusals by status, the metrics path behind authentication,
//! calls in flight while a call runs and after one is cut, connections
//! open and closed.

use std::io::Write as _;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use xmlrpc_kit::metrics::Metrics;
use xmlrpc_kit::{Authenticator, Methods, Server};
use xmlrpc_kit_test_support::raw_http::{
    add_request, call_body, connect, exchange, exchange_on, post, scgi_request,
};
use xmlrpc_kit_test_support::server::TestServer;

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_function("add", |x: i32, y: i32| x + y);
    methods.register_function("sleep", |ms: u64| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    });
    methods
}

/// The value of the sample called exactly `series` (name and labels as
/// written) in `metrics`' Prometheus text, 0 when absent.
fn sample(metrics: &Metrics, series: &str) -> f64 {
    metrics
        .encode_prometheus_text()
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

/// Waits up to 5 s for `series` to read `value` (the front end counts a
/// request once it has answered it, and a connection once it is closed).
fn eventually(metrics: &Metrics, series: &str, value: f64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while sample(metrics, series) != value {
        assert!(
            Instant::now() < deadline,
            "{series} is {}, not {value}:\n{}",
            sample(metrics, series),
            metrics.encode_prometheus_text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn http_and_scgi_count_calls_requests_and_refusals_alike() {
    let metrics = Arc::new(Metrics::new());
    let server = Server::builder(methods())
        .log_requests(false)
        .max_body_bytes(1_000)
        .metrics("/metrics", metrics.clone())
        .listen(["http://127.0.0.1:0", "scgi://127.0.0.1:0"])
        .unwrap();
    let scgi = server.addresses().unwrap()[1].to_string();
    let scgi = scgi.strip_prefix("scgi://").unwrap().to_owned();
    let server = TestServer::serve(server);

    assert_eq!(exchange(server.addr, &add_request("/RPC2")).status, 200);
    let scgi_add = scgi_request(
        &[("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/RPC2")],
        call_body(
            "add",
            "<param><value><int>1</int></value></param><param><value><int>1</int></value></param>",
        )
        .as_bytes(),
    );
    let answered = exchange_on(TcpStream::connect(&scgi).unwrap(), &scgi_add);
    assert!(
        answered.text().contains("<int>2</int>"),
        "{}",
        answered.text()
    );
    let too_big = post("/RPC2", &"x".repeat(2_000));
    assert_eq!(exchange(server.addr, &too_big).status, 413);
    assert_eq!(exchange(server.addr, &post("/nowhere", "")).status, 404);
    // A head hyper cannot read: refused by hyper itself, counted too.
    let malformed = exchange(server.addr, b"GET /a\x01b HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(malformed.status, 400);
    let scgi_get = scgi_request(
        &[
            ("REQUEST_METHOD", "GET"),
            ("REQUEST_URI", "/metrics"),
            ("HTTP_ACCEPT", "application/openmetrics-text"),
        ],
        b"",
    );
    let scraped = exchange_on(TcpStream::connect(&scgi).unwrap(), &scgi_get);
    assert_eq!(scraped.status, 200);
    assert!(scraped.text().ends_with("# EOF\n"), "{}", scraped.text());

    eventually(&metrics, r#"xmlrpc_calls_total{method="add"}"#, 2.0);
    eventually(&metrics, r#"xmlrpc_http_requests_total{status="200"}"#, 3.0);
    assert_eq!(
        sample(&metrics, r#"xmlrpc_requests_refused_total{status="413"}"#),
        1.0
    );
    assert_eq!(
        sample(&metrics, r#"xmlrpc_requests_refused_total{status="404"}"#),
        1.0
    );
    eventually(
        &metrics,
        r#"xmlrpc_requests_refused_total{status="400"}"#,
        1.0,
    );
    assert_eq!(
        sample(&metrics, r#"xmlrpc_http_requests_total{status="200"}"#),
        3.0
    );
    // Two documents read, of the two calls' lengths.
    let add_len = call_body(
        "add",
        "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
    )
    .len();
    let scgi_len = call_body(
        "add",
        "<param><value><int>1</int></value></param><param><value><int>1</int></value></param>",
    )
    .len();
    assert_eq!(
        sample(&metrics, "xmlrpc_request_bytes_total"),
        (add_len + scgi_len) as f64
    );
    eventually(&metrics, "xmlrpc_connections_total", 6.0);
    eventually(&metrics, "xmlrpc_connections_open", 0.0);
}

#[test]
fn the_metrics_path_asks_for_the_same_authentication_as_calls() {
    let metrics = Arc::new(Metrics::new());
    let server = TestServer::start(
        Server::builder(methods())
            .log_requests(false)
            .authenticate(Authenticator::bearer("metrics", [("s3cret", "prometheus")]))
            .metrics("/metrics", metrics.clone()),
    );
    let get = |token: &str| {
        exchange(
            server.addr,
            format!("GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n\r\n")
                .as_bytes(),
        )
    };
    assert_eq!(get("wrong").status, 401);
    let scraped = get("s3cret");
    assert_eq!(scraped.status, 200);
    assert_eq!(
        scraped.header("Content-Type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(
        scraped
            .text()
            .contains("xmlrpc_requests_refused_total{status=\"401\"} 1\n"),
        "{}",
        scraped.text()
    );
}

#[test]
fn a_call_is_in_flight_while_it_runs_and_not_once_it_is_cut() {
    let metrics = Arc::new(Metrics::new());
    let server = TestServer::start(
        Server::builder(methods())
            .log_requests(false)
            .limits(
                xmlrpc_kit::HttpLimits::default().call_timeout(Some(Duration::from_millis(300))),
            )
            .metrics("/metrics", metrics.clone()),
    );
    let sleep = |ms: u64| {
        post(
            "/RPC2",
            &call_body(
                "sleep",
                &format!("<param><value><int>{ms}</int></value></param>"),
            ),
        )
    };
    let mut running = connect(server.addr);
    running.write_all(&sleep(200)).unwrap();
    eventually(&metrics, "xmlrpc_calls_in_flight", 1.0);
    eventually(&metrics, "xmlrpc_calls_in_flight", 0.0);
    assert_eq!(
        sample(
            &metrics,
            r#"xmlrpc_call_duration_seconds_count{method="sleep"}"#
        ),
        1.0
    );
    // Cut by the time limit: dropped unanswered, no longer in flight.
    let cut = exchange(server.addr, &sleep(5_000));
    assert!(
        cut.text().contains("longer than the limit"),
        "{}",
        cut.text()
    );
    eventually(&metrics, "xmlrpc_calls_in_flight", 0.0);
    assert_eq!(
        sample(&metrics, r#"xmlrpc_calls_total{method="sleep"}"#),
        2.0
    );
}
