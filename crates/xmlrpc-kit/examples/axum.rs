//! The XML-RPC endpoint inside an axum application: mounted at `/RPC2`
//! beside the application's own routes, wrapped in tower-http layers (a
//! request timeout and request tracing), and a second dispatcher nested
//! under `/admin`.
//!
//! Run with `cargo run -p xmlrpc-kit --example axum`, then
//! `xmlrpc-kit call http://127.0.0.1:3000/RPC2 add 2 3`.

use std::io::stderr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use xmlrpc_kit::{Methods, Server};

/// The application: its own page at `/`, XML-RPC at `/RPC2` and at `/admin`.
fn app() -> Router {
    let mut api = Methods::new();
    api.register_function("add", |x: i64, y: i64| x + y);
    api.register_introspection_functions();
    let rpc = Server::builder(api).rpc_paths(["/RPC2"]).into_service();

    let mut admin = Methods::new();
    admin.register_function("version", || env!("CARGO_PKG_VERSION"));
    // Nested: axum strips the prefix, so the dispatcher sees `/`.
    let admin = Server::builder(admin).rpc_paths(["/"]).into_service();

    Router::new()
        .route("/", get(|| async { "the application's own page\n" }))
        .route_service("/RPC2", rpc)
        .nest_service("/admin", admin)
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("serving on http://{}/RPC2", listener.local_addr()?);
    axum::serve(listener, app()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn xml_rpc_beside_other_routes() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app()).await });

        let client = xmlrpc_kit::Client::new(&format!("http://{addr}/RPC2")).unwrap();
        assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
        assert_eq!(
            client.method_signature("add").await.unwrap(),
            Some(vec![vec!["i8".to_owned(); 3]])
        );
        let admin = xmlrpc_kit::Client::new(&format!("http://{addr}/admin")).unwrap();
        assert_eq!(
            admin.call::<String>("version", ()).await.unwrap(),
            env!("CARGO_PKG_VERSION")
        );
        // The application's own route, and the endpoint's own checks (GET on
        // an endpoint without a documentation page is 501, as Python's).
        let http = |path: &str| {
            let url = format!("http://{addr}{path}");
            async move {
                let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                let (mut sender, connection) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                        .await
                        .unwrap();
                tokio::spawn(connection);
                // hyper's connection-level client sends only the headers
                // given, and HTTP/1.1 needs a Host.
                let request = hyper::Request::get(url)
                    .header(hyper::header::HOST, addr.to_string())
                    .body(http_body_util::Empty::<bytes::Bytes>::new())
                    .unwrap();
                sender
                    .send_request(request)
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(http("/").await, 200);
        assert_eq!(http("/RPC2").await, 501);
        server.abort();
    }
}
