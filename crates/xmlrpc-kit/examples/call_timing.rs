//! Per-call middleware that times every call (each call of a
//! `system.multicall` too) and logs its method, position, duration and
//! fault code as a `tracing` event.
//!
//! Run with `cargo run -p xmlrpc-kit --example call_timing`, then call
//! `add`, `slow` or `system.multicall` on http://127.0.0.1:8000/.

use std::io::stderr;
use std::time::{Duration, Instant};

use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
use xmlrpc_kit::{Methods, Server, ServerBuilder};

/// Logs how long each call took, once it has its result.
#[derive(Debug)]
pub struct CallTiming;

impl Middleware for CallTiming {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        let started = Instant::now();
        // Only listed names are logged as they are: any other is a string
        // a peer chose.
        let method = if call.is_listed() {
            call.method()
        } else {
            "(unlisted)"
        };
        let position = call.position();
        next.run(call).inspect(move |result| {
            tracing::info!(
                target: "call_timing",
                method,
                position,
                elapsed_us = started.elapsed().as_micros() as u64,
                fault_code = result.as_ref().err().map(|f| f.code),
                "call finished"
            );
        })
    }
}

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_multicall_functions();
    methods.register_function("add", |x: i64, y: i64| x + y);
    methods.register_function("slow", |ms: u64| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    });
    methods
}

fn server() -> ServerBuilder {
    Server::builder(methods()).layer(CallTiming)
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init();
    server().bind(("127.0.0.1", 8000))?.serve_forever()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use xmlrpc_kit::Value;
    use xmlrpc_kit_test_support::captured::Captured;
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn every_call_is_timed_and_logged_with_its_fault() {
        let lines = Captured::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_writer(move || writer.clone())
                .with_filter(
                    tracing_subscriber::filter::Targets::new()
                        .with_target("call_timing", tracing::Level::INFO),
                ),
        );
        // Global: the server's calls run on its own threads. (This test
        // binary has this one test.)
        tracing::subscriber::set_global_default(subscriber).unwrap();
        let server = TestServer::start(server().log_requests(false));
        let client =
            xmlrpc_kit::blocking::Client::new(&format!("http://{}/", server.addr)).unwrap();
        let mut batch = client.batch();
        batch.add("add", (1, 2)).add("slow", (30,)).add("nope", ());
        let results = batch.send().unwrap();
        assert_eq!(results[0], Ok(Value::Int(3)));
        assert_eq!(results[1], Ok(Value::Int(30)));
        drop(server);
        let text = lines.text();
        let events: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let seen: Vec<(String, Option<i64>, Option<i64>)> = events
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_owned(),
                    e["position"].as_i64(),
                    e["fault_code"].as_i64(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("add".to_owned(), Some(1), None),
                ("slow".to_owned(), Some(2), None),
                ("(unlisted)".to_owned(), Some(3), Some(-32601)),
                ("system.multicall".to_owned(), None, None),
            ]
        );
        let slow_us = events[1]["elapsed_us"].as_u64().unwrap();
        assert!(slow_us >= 30_000, "slow(30) took {slow_us} µs");
    }
}
