//! Any bytes, written as one SCGI request to the demo server's service
//! (what its `scgi://` listeners run): the header netstring parser and
//! the body reading never panic, and once the client closes its side the
//! connection finishes without waiting for a timeout. The answer is
//! nothing (closed), one CGI-style response with a status the server
//! sends (never 500), or, for an HTTP request line, HTTP's 400.

#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::RpcService;
use xmlrpc_kit_fuzz::{demo_service, exchange_scgi};

fn service() -> &'static RpcService {
    static SERVICE: OnceLock<RpcService> = OnceLock::new();
    SERVICE.get_or_init(|| demo_service(64 * 1024))
}

const STATUSES: [u16; 10] = [200, 400, 404, 408, 411, 413, 415, 431, 501, 503];

fuzz_target!(|data: &[u8]| {
    let answer = exchange_scgi(service(), data);
    let text = String::from_utf8_lossy(&answer);
    if std::env::var_os("FUZZ_SHOW").is_some() {
        eprintln!("{text}");
    }
    if answer.is_empty() || text.starts_with("HTTP/1.1 400 Bad Request\r\n") {
        return;
    }
    let status: u16 = text
        .strip_prefix("Status: ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not a CGI-style response: {text:?}"));
    assert!(
        STATUSES.contains(&status),
        "status {status} for {:?}",
        String::from_utf8_lossy(data)
    );
    assert!(
        text.contains("\r\n\r\n"),
        "no end of the header block: {text:?}"
    );
});
