//! What the fuzz targets share: bounded arbitrary values, an exact value
//! comparison, and a driver that plays raw bytes to the HTTP service.
//!
//! The targets are in `fuzz_targets/`; `run.sh` runs them all.

#![forbid(unsafe_code)]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::{Arbitrary, Result, Unstructured};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use xmlrpc_kit::{DateTime, DocumentLimits, HttpLimits, RpcService, Server, Struct, Value};

pub use xmlrpc_kit_test_support::demo;
pub use xmlrpc_kit_test_support::values::{holds_nil, holds_non_xml_char, identical};

/// How deep generated arrays and structs nest (the decoder's default limit is 64).
pub const MAX_DEPTH: u32 = 6;
/// How many values one generated value holds at most, all levels together.
pub const MAX_NODES: usize = 256;

/// An arbitrary [`Value`]: bounded in depth and size, doubles finite,
/// date-times valid (fractions and zones included), nil only when `NIL`.
#[derive(Debug, Clone)]
pub struct ArbValue<const NIL: bool>(pub Value);

impl<'a, const NIL: bool> Arbitrary<'a> for ArbValue<NIL> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut budget = MAX_NODES;
        arb_value(u, MAX_DEPTH, &mut budget, NIL).map(ArbValue)
    }
}

/// One value, at most `depth` levels of arrays and structs deep, taking
/// from `budget` one unit per value.
pub fn arb_value(
    u: &mut Unstructured<'_>,
    depth: u32,
    budget: &mut usize,
    nil: bool,
) -> Result<Value> {
    *budget = budget.saturating_sub(1);
    let containers = depth > 0 && *budget > 0;
    let kinds = if containers { 11 } else { 9 };
    Ok(match u.int_in_range(0..=kinds - 1)? {
        0 => Value::Int(u.arbitrary()?),
        1 => Value::I8(u.arbitrary()?),
        2 => Value::Bool(u.arbitrary()?),
        3 | 4 => Value::String(arb_string(u)?),
        5 => Value::Double(arb_double(u)?),
        6 => Value::DateTime(arb_datetime(u)?),
        7 => Value::Base64(u.arbitrary()?),
        8 if nil => Value::Nil,
        8 => Value::String(String::new()),
        9 => {
            let mut items = Vec::new();
            while *budget > 0 && u.arbitrary()? {
                items.push(arb_value(u, depth - 1, budget, nil)?);
            }
            Value::Array(items)
        }
        _ => {
            let mut members = Struct::new();
            while *budget > 0 && u.arbitrary()? {
                let name = arb_string(u)?;
                members.insert(name, arb_value(u, depth - 1, budget, nil)?);
            }
            Value::Struct(members)
        }
    })
}

/// A string: arbitrary UTF-8, or (a quarter of the time) arbitrary
/// characters, so that control characters, U+FFFE and astral planes come
/// up often.
pub fn arb_string(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 4)? {
        let chars: Vec<char> = u.arbitrary()?;
        Ok(chars.into_iter().collect())
    } else {
        u.arbitrary()
    }
}

/// A finite double: any bit pattern that is finite, or a few edge values.
pub fn arb_double(u: &mut Unstructured<'_>) -> Result<f64> {
    let d = f64::from_bits(u.arbitrary()?);
    Ok(if d.is_finite() {
        d
    } else {
        *u.choose(&[
            0.0,
            -0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            0.1,
            1e21,
        ])?
    })
}

/// A valid date-time, with a fraction of 1 to 9 digits and a zone
/// (none, `Z` or an offset within ±23:59) sometimes.
pub fn arb_datetime(u: &mut Unstructured<'_>) -> Result<DateTime> {
    let year: u16 = u.int_in_range(0..=9999)?;
    let month: u8 = u.int_in_range(1..=12)?;
    let day: u8 = u.int_in_range(1..=31)?;
    let hour: u8 = u.int_in_range(0..=23)?;
    let minute: u8 = u.int_in_range(0..=59)?;
    let second: u8 = u.int_in_range(0..=59)?;
    let mut text = format!("{year:04}{month:02}{day:02}T{hour:02}:{minute:02}:{second:02}");
    if u.arbitrary()? {
        let digits: usize = u.int_in_range(1..=9)?;
        let nanos: u32 = u.int_in_range(0..=999_999_999)?;
        text.push('.');
        text.push_str(&format!("{nanos:09}")[..digits]);
    }
    match u.int_in_range(0..=2)? {
        0 => {}
        1 => text.push('Z'),
        _ => {
            let sign = if u.arbitrary()? { '+' } else { '-' };
            let hours: u8 = u.int_in_range(0..=23)?;
            let minutes: u8 = u.int_in_range(0..=59)?;
            text.push_str(&format!("{sign}{hours:02}:{minutes:02}"));
        }
    }
    // An impossible day (30 February) falls back to the 28th, always valid.
    Ok(match text.parse() {
        Ok(dt) => dt,
        Err(_) => {
            let fixed = format!("{}28{}", &text[..6], &text[8..]);
            fixed
                .parse()
                .expect("the 28th of any month is a valid date")
        }
    })
}

/// A current-thread runtime with its clock paused: time advances only
/// while every task waits, so a timer costs nothing and a connection that
/// waits for one shows up as a hang at once.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime")
    })
}

/// The demo's methods and documentation page, served as `xmlrpc-kit demo`
/// serves them, with bodies (as sent, and inflated) limited to `max_body_bytes`.
pub fn demo_service(max_body_bytes: usize) -> RpcService {
    demo_service_logging(max_body_bytes, false)
}

/// The same, logging one access line per request when `log_requests`.
pub fn demo_service_logging(max_body_bytes: usize, log_requests: bool) -> RpcService {
    let limits = HttpLimits::default()
        .body(
            xmlrpc_kit::wire::BodyLimits::default()
                .max_body_bytes(max_body_bytes)
                .max_inflated_bytes(max_body_bytes),
        )
        .header_read_timeout(SERVER_TIMEOUT)
        .body_read_timeout(SERVER_TIMEOUT);
    Server::builder_for(demo::dispatcher(
        xmlrpc_kit::OutputEncoding::default(),
        xmlrpc_kit::Dialect::default(),
    ))
    .documentation(demo::documentation())
    .log_requests(log_requests)
    .limits(limits)
    .into_service()
}

/// The server's header and body timeouts in the targets.
pub const SERVER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long (on the paused clock) one exchange may take; shorter than the
/// server's timeouts, so finishing never depends on them.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(1);

/// Writes `request` to a fresh connection of `service`, closes the
/// client's side, and reads everything the server answers until it closes
/// its side. Panics if that does not finish within [`EXCHANGE_TIMEOUT`]
/// (on the paused clock) or if the connection task panicked.
pub fn exchange(service: &RpcService, request: &[u8]) -> Vec<u8> {
    exchange_on(service, request, Wire::Http)
}

/// The same as [`exchange`], for one SCGI request.
pub fn exchange_scgi(service: &RpcService, request: &[u8]) -> Vec<u8> {
    exchange_on(service, request, Wire::Scgi)
}

/// How the service is spoken to.
#[derive(Debug, Clone, Copy)]
enum Wire {
    Http,
    Scgi,
}

fn exchange_on(service: &RpcService, request: &[u8], wire: Wire) -> Vec<u8> {
    let service = service.clone();
    let request = request.to_vec();
    runtime().block_on(async move {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let connection = tokio::spawn(async move {
            match wire {
                // A protocol error ends the connection; that is an answer too.
                Wire::Http => drop(service.serve_connection(server).await),
                Wire::Scgi => service.serve_scgi_connection(server).await,
            }
        });
        let (mut reader, mut writer) = tokio::io::split(client);
        let write = async move {
            // The server may close first (after a 400, say): stop writing then.
            let _ = writer.write_all(&request).await;
            let _ = writer.shutdown().await;
            writer
        };
        let read = async move {
            let mut answer = Vec::new();
            let _ = reader.read_to_end(&mut answer).await;
            answer
        };
        let both = async { tokio::join!(write, read, connection) };
        match tokio::time::timeout(EXCHANGE_TIMEOUT, both).await {
            Ok((_, answer, joined)) => {
                if let Err(e) = joined {
                    panic!("the connection task failed: {e}");
                }
                answer
            }
            Err(_) => panic!("the connection did not finish after the client closed its side"),
        }
    })
}

/// The status codes of every response in `answer` (a byte stream of
/// HTTP/1.x responses), checking that each starts where one should.
pub fn statuses(answer: &[u8]) -> Vec<u16> {
    let mut out = Vec::new();
    let mut rest = answer;
    while !rest.is_empty() {
        assert!(
            rest.starts_with(b"HTTP/1.1 ") || rest.starts_with(b"HTTP/1.0 "),
            "not a status line: {:?}",
            String::from_utf8_lossy(&rest[..rest.len().min(80)])
        );
        let status = std::str::from_utf8(&rest[9..12])
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("a three-digit status");
        out.push(status);
        let Some(head_end) = find(rest, b"\r\n\r\n") else {
            panic!("a response head without its end");
        };
        let head = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse::<usize>().expect("a numeric Content-Length"));
        let body_start = head_end + 4;
        match length {
            // The answer to a HEAD: a length, and no body.
            Some(_) if rest.len() == body_start || rest[body_start..].starts_with(b"HTTP/1.") => {
                rest = &rest[body_start..];
            }
            Some(n) => {
                assert!(
                    rest.len() >= body_start + n,
                    "a response shorter than its Content-Length"
                );
                rest = &rest[body_start + n..];
            }
            // Only the last response may run to the end of the stream.
            None => rest = &[],
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Small limits, so that every limit is reached by small inputs.
pub fn tiny_limits() -> DocumentLimits {
    DocumentLimits::default()
        .max_depth(2)
        .max_items(3)
        .max_string_bytes(16)
        .max_base64_bytes(16)
        .max_method_name_bytes(8)
        .max_params(2)
}

/// What encoding something that holds a character XML 1.0 cannot carry
/// gives: an error naming the character, nothing written.
pub fn expect_refused_to_encode<T: std::fmt::Debug>(
    encoded: std::result::Result<T, xmlrpc_kit::EncodeError>,
) {
    match encoded {
        Err(xmlrpc_kit::EncodeError::NotXmlCharacter(c)) => {
            assert!(!xmlrpc_kit::xml_chars::is_xml_char(c), "{c:?}");
        }
        other => panic!("a character XML cannot carry was encoded: {other:?}"),
    }
}
