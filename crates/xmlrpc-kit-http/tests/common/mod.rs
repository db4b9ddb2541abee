//! The HTTP tests' method table; the server on 127.0.0.1:0 (stopped on
//! drop) and the raw HTTP client come from xmlrpc-kit-test-support.

#![allow(dead_code, unreachable_pub, unused_imports)]

use std::time::Duration;

use xmlrpc_kit::{Fault, Methods, Value};
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
