//! Any CGI request to the demo as a CGI program (`xmlrpc-kit demo --cgi`):
//! the input's lines up to the first empty one are the environment
//! (`NAME=value`: `REQUEST_METHOD`, `CONTENT_LENGTH`, `HTTP_*`, …), the
//! rest is stdin. The handler never panics and always writes one
//! response in CGI form: an optional `Status:` line with a status the
//! front ends send (never 500), a header block, and a body as long as its
//! `Content-Length`.

#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::wire::BodyLimits;
use xmlrpc_kit::{CgiEnv, CgiHandler, Dialect, OutputEncoding};
use xmlrpc_kit_fuzz::demo;

fn handler() -> &'static CgiHandler {
    static HANDLER: OnceLock<CgiHandler> = OnceLock::new();
    HANDLER.get_or_init(|| {
        demo::cgi_handler(OutputEncoding::default(), Dialect::default()).body_limits(
            BodyLimits::default()
                .max_body_bytes(64 * 1024)
                .max_inflated_bytes(256 * 1024),
        )
    })
}

const STATUSES: [u16; 8] = [200, 400, 404, 411, 413, 415, 501, 503];

/// The environment the input's first lines give.
fn environment(lines: &str) -> CgiEnv {
    let mut env = CgiEnv::default();
    for line in lines.lines() {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = Some(value.to_owned()).filter(|v| !v.is_empty());
        match name {
            "REQUEST_METHOD" => env.request_method = value,
            "CONTENT_LENGTH" => env.content_length = value,
            "CONTENT_TYPE" => env.content_type = value,
            "PATH_INFO" => env.path = value,
            "SERVER_PROTOCOL" => env.protocol = value,
            "REMOTE_ADDR" => env.remote_addr = value,
            "REMOTE_USER" => env.remote_user = value,
            _ => {
                if let Some(header) = name.strip_prefix("HTTP_") {
                    let header = header.replace('_', "-").to_ascii_lowercase();
                    env.http_headers.push((header, value.unwrap_or_default()));
                }
            }
        }
    }
    env
}

fuzz_target!(|data: &[u8]| {
    let split = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or((data, &[][..]), |at| (&data[..at], &data[at + 2..]));
    let env = environment(&String::from_utf8_lossy(split.0));
    let mut out = Vec::new();
    handler()
        .respond(&env, &mut &split.1[..], &mut out)
        .expect("writing to a Vec cannot fail");
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no end of the header block: {:?}",
                String::from_utf8_lossy(&out)
            )
        });
    let head = String::from_utf8(out[..end].to_vec()).expect("a UTF-8 head");
    let status = head
        .strip_prefix("Status: ")
        .map_or(200, |rest| rest[..3].parse().expect("a status code"));
    assert!(STATUSES.contains(&status), "status {status}: {head:?}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .expect("a Content-Length")
        .parse()
        .expect("a length");
    assert_eq!(length, out.len() - end - 4, "{head:?}");
});
