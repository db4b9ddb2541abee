//! Handlers that see the request and shared state, as axum's extractors:
//! `State<T>` (added once with `Methods::add_state`), the client's
//! address, the request's headers and path.
//!
//! Run with `cargo run -p xmlrpc-kit --example state_and_context`.

use std::io::stderr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use xmlrpc_kit::context::{Headers, Peer, RequestPath, State};
use xmlrpc_kit::{Methods, Server};

/// What the application shares between calls.
#[derive(Debug, Default)]
pub struct Stats {
    calls: AtomicU64,
}

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.add_state(Arc::new(Stats::default()));
    methods.register_function(
        "hello",
        |State(stats): State<Arc<Stats>>, Peer(peer): Peer, name: String| {
            let n = stats.calls.fetch_add(1, Ordering::SeqCst) + 1;
            let from = peer.map_or_else(|| "somewhere".to_owned(), |p| p.to_string());
            format!("hello {name} from {from} (call {n})")
        },
    );
    methods.register_function(
        "trace",
        |Headers(headers): Headers, RequestPath(path): RequestPath| {
            let id = headers
                .into_iter()
                .find(|(n, _)| n == "x-request-id")
                .map(|(_, v)| v);
            format!("{path} {}", id.unwrap_or_default())
        },
    );
    methods
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    Server::builder(methods())
        .bind(("127.0.0.1", 8000))?
        .serve_forever()
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn handlers_see_state_client_headers_and_path() {
        let server =
            TestServer::start(xmlrpc_kit::Server::builder(super::methods()).log_requests(false));
        let c = xmlrpc_kit::blocking::Client::builder(&server.url())
            .header("X-Request-Id", "r-1")
            .build_blocking()
            .unwrap();
        assert_eq!(
            c.call::<String>("hello", ("ann",)).unwrap(),
            "hello ann from 127.0.0.1 (call 1)"
        );
        assert_eq!(
            c.call::<String>("hello", ("bob",)).unwrap(),
            "hello bob from 127.0.0.1 (call 2)"
        );
        assert_eq!(c.call::<String>("trace", ()).unwrap(), "/RPC2 r-1");
    }
}
