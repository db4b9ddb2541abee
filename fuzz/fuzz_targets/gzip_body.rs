//! Any bytes as the body of a `Content-Encoding: gzip` POST to the demo
//! server, whose body limit is 16 KiB: the answer is one 200 (the inflated
//! body was dispatched; a fault is a 200), 400 (corrupt, or it inflates
//! past the limit) or 413 (the body itself is past the limit), and never
//! a panic or a hang.

#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::RpcService;
use xmlrpc_kit_fuzz::{demo_service, exchange, statuses};

const LIMIT: usize = 16 * 1024;

fn service() -> &'static RpcService {
    static SERVICE: OnceLock<RpcService> = OnceLock::new();
    SERVICE.get_or_init(|| demo_service(LIMIT))
}

fuzz_target!(|data: &[u8]| {
    let mut request = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: fuzz\r\nContent-Type: text/xml\r\n\
         Content-Encoding: gzip\r\nAccept-Encoding: gzip\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        data.len()
    )
    .into_bytes();
    request.extend_from_slice(data);
    let answer = exchange(service(), &request);
    let got = statuses(&answer);
    assert_eq!(got.len(), 1, "one response, not {got:?}");
    let want: &[u16] = if data.len() > LIMIT {
        &[413]
    } else {
        &[200, 400]
    };
    assert!(
        want.contains(&got[0]),
        "status {} for a body of {} bytes",
        got[0],
        data.len()
    );
});
