//! The HTTP tests' method table and an SCGI server of it; the server on
//! 127.0.0.1:0 (stopped on drop) and the raw HTTP client come from
//! xmlrpc-kit-test-support.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::net::SocketAddr;
use std::time::Duration;

use xmlrpc_kit::{Fault, HttpLimits, Methods, Server, Value};
pub use xmlrpc_kit_test_support::raw_http::*;
pub use xmlrpc_kit_test_support::server::TestServer;

/// A few methods for testing transports: add, echo, a panic, nothing, sleep.
pub fn methods() -> Methods {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    m.register_function("add", |x: i32, y: i32| x + y);
    m.register_function("echo", |x: Value| x);
    m.register_function("panic", || -> i32 { panic!("on purpose") });
    m.register_function("nothing", || ());
    m.register_function("sleep", |ms: u32| async move {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        Ok::<_, Fault>(ms)
    });
    m
}

/// A server of [`methods`] on 127.0.0.1 with `limits`, its log off.
pub fn http_server(limits: HttpLimits) -> TestServer {
    TestServer::start(
        Server::builder(methods())
            .limits(limits)
            .log_requests(false),
    )
}

/// A server of [`methods`] listening for SCGI on 127.0.0.1 with `limits`,
/// its log off; its address.
pub fn scgi_server(limits: HttpLimits) -> (TestServer, SocketAddr) {
    let server = Server::builder(methods())
        .log_requests(false)
        .limits(limits)
        .listen(["scgi://127.0.0.1:0"])
        .unwrap();
    let addresses = server.addresses().unwrap();
    let xmlrpc_kit::wire::Address::ScgiTcp { port, .. } = &addresses[0] else {
        panic!("{}", addresses[0])
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], *port));
    (TestServer::serve(server), addr)
}

/// Serves `servers` on one current-thread runtime, its thread's events
/// going to `subscriber`, while `client` runs; then stops them.
pub fn serve_while(
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
    servers: Vec<Server>,
    client: impl FnOnce(),
) {
    let handles: Vec<_> = servers.iter().map(Server::shutdown_handle).collect();
    let thread = std::thread::spawn(move || {
        tracing::subscriber::with_default(subscriber, || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(futures::future::join_all(
                    servers.into_iter().map(Server::serve),
                ))
        })
    });
    client();
    for handle in handles {
        handle.shutdown();
    }
    for served in thread.join().unwrap() {
        served.unwrap();
    }
}
