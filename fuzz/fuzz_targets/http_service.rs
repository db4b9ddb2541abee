//! Any bytes, written as a raw HTTP/1.1 stream to one connection of the
//! demo server's service (`xmlrpc-kit demo`'s methods and documentation page):
//! the service never panics, and once the client closes its side the
//! connection finishes without waiting for a timeout. Whatever it answers
//! is a sequence of well-framed HTTP responses, none of them a 500.

#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::RpcService;
use xmlrpc_kit_fuzz::{demo_service, exchange, statuses};

fn service() -> &'static RpcService {
    static SERVICE: OnceLock<RpcService> = OnceLock::new();
    SERVICE.get_or_init(|| demo_service(64 * 1024))
}

fuzz_target!(|data: &[u8]| {
    let answer = exchange(service(), data);
    if std::env::var_os("FUZZ_SHOW").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&answer));
    }
    for status in statuses(&answer) {
        assert!(
            status != 500,
            "a 500 for {:?}",
            String::from_utf8_lossy(data)
        );
    }
});
