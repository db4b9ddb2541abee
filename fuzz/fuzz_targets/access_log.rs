//! Arbitrary request variables and method names, through each front end
//! that logs an access line: SCGI (`REQUEST_METHOD`, `REQUEST_URI` or
//! `SCRIPT_NAME` + `PATH_INFO`, `SERVER_PROTOCOL`, `REMOTE_ADDR` in the
//! netstring head), CGI (the same variables in a `CgiEnv`) and HTTP (the
//! request line), each with a call of the method name (as character
//! references, or raw). Every access line logged is one line holding no
//! control character at all and no bidi control, with exactly two
//! unescaped `"` (around the request), and no longer than its bound
//! (four fields of at most 60 characters, each escape at most 8 bytes);
//! every field of the access event and of the request's and calls' spans
//! is escaped and bounded as the line's are.

#![no_main]
#![forbid(unsafe_code)]

use std::fmt::{self, Write as _};
use std::sync::{Mutex, OnceLock};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::front::AccessLog;
use xmlrpc_kit::untrusted_text::is_display_control;
use xmlrpc_kit::{CgiEnv, CgiHandler, Dialect, OutputEncoding, RpcService};
use xmlrpc_kit_fuzz::{demo, demo_service_logging, exchange, exchange_scgi};
use xmlrpc_kit_test_support::raw_http::scgi_head;

/// The longest line: four text fields of 60 characters escaped to at most
/// 8 bytes each (`\u{202e}`) plus `…`, an IPv6 peer, the status, a length
/// and a time.
const MAX_LINE: usize = 4 * (AccessLog::FIELD_CHARS * 8 + 3) + 128;

/// The access lines logged since the last `take`.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A subscriber that keeps each `xmlrpc_kit::access` event's message as
/// rendered, before any formatting layer could escape it.
struct Capture;

struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
            return;
        }
        // Every other field (what a JSON subscriber writes) is escaped and
        // bounded as the line's fields are.
        let text = format!("{value:?}");
        assert!(
            !text
                .chars()
                .any(xmlrpc_kit::untrusted_text::is_display_control),
            "a raw control or bidi character in field {}: {text:?}",
            field.name()
        );
        // A multicall's list of calls is bounded as a whole.
        let most = if field.name() == "multicall" {
            AccessLog::MULTICALL_CHARS * 4 + 3
        } else {
            AccessLog::FIELD_CHARS * 8 + 3
        };
        assert!(
            text.len() <= most,
            "field {} is {} bytes long",
            field.name(),
            text.len()
        );
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        // The request's and calls' spans: their fields are escaped and
        // bounded as the access event's are.
        span.record(&mut Message(String::new()));
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == "xmlrpc_kit::access" {
            let mut message = Message(String::new());
            event.record(&mut message);
            LINES.lock().unwrap().push(message.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn take_lines() -> Vec<String> {
    std::mem::take(&mut *LINES.lock().unwrap())
}

struct Fronts {
    service: RpcService,
    cgi: CgiHandler,
}

fn fronts() -> &'static Fronts {
    static FRONTS: OnceLock<Fronts> = OnceLock::new();
    FRONTS.get_or_init(|| {
        tracing::subscriber::set_global_default(Capture).expect("the only subscriber");
        Fronts {
            service: demo_service_logging(64 * 1024, true),
            cgi: demo::cgi_handler(OutputEncoding::default(), Dialect::default())
                .log_requests(true),
        }
    })
}

/// What the peer controls.
#[derive(Debug)]
struct Request {
    method_name: String,
    as_references: bool,
    request_method: Option<String>,
    request_uri: Option<String>,
    script_name: Option<String>,
    path_info: Option<String>,
    protocol: Option<String>,
    remote_addr: Option<String>,
}

impl Request {
    fn arbitrary(u: &mut Unstructured<'_>) -> Result<Self> {
        Ok(Request {
            method_name: u.arbitrary()?,
            as_references: u.arbitrary()?,
            request_method: u.arbitrary()?,
            request_uri: u.arbitrary()?,
            script_name: u.arbitrary()?,
            path_info: u.arbitrary()?,
            protocol: u.arbitrary()?,
            remote_addr: u.arbitrary()?,
        })
    }

    /// A call of the method name with no parameters: each character not
    /// a letter or digit as a character reference (XML cannot carry some,
    /// and the call is then refused), or the name as it is.
    fn body(&self) -> Vec<u8> {
        let mut name = String::new();
        for c in self.method_name.chars() {
            if !self.as_references || c.is_ascii_alphanumeric() {
                name.push(c);
            } else {
                let _ = write!(name, "&#x{:x};", u32::from(c));
            }
        }
        format!("<?xml version=\"1.0\"?><methodCall><methodName>{name}</methodName><params></params></methodCall>")
            .into_bytes()
    }

    /// The SCGI request: the variables in the netstring head (without
    /// NULs, which end a name or a value there), then the body.
    fn scgi(&self) -> Vec<u8> {
        let body = self.body();
        let length = body.len().to_string();
        let mut pairs = vec![("CONTENT_LENGTH", length.as_str()), ("SCGI", "1")];
        for (name, value) in [
            ("REQUEST_METHOD", &self.request_method),
            ("REQUEST_URI", &self.request_uri),
            ("SCRIPT_NAME", &self.script_name),
            ("PATH_INFO", &self.path_info),
            ("SERVER_PROTOCOL", &self.protocol),
            ("REMOTE_ADDR", &self.remote_addr),
        ] {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        }
        // NULs end a name or a value in the head: none may be inside one.
        let pairs: Vec<(&str, String)> = pairs
            .into_iter()
            .map(|(name, value)| (name, value.replace('\0', "")))
            .collect();
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut raw = scgi_head(&pairs);
        raw.extend(body);
        raw
    }

    /// The CGI environment, as a web server sets it for this request.
    fn cgi_env(&self, body_length: usize) -> CgiEnv {
        CgiEnv {
            request_method: self.request_method.clone(),
            content_length: Some(body_length.to_string()),
            content_type: Some("text/xml".into()),
            path: match (&self.script_name, &self.path_info) {
                (None, None) => None,
                (script, info) => Some(format!(
                    "{}{}",
                    script.as_deref().unwrap_or(""),
                    info.as_deref().unwrap_or("")
                )),
            },
            protocol: self.protocol.clone(),
            remote_addr: self.remote_addr.clone(),
            ..CgiEnv::default()
        }
    }

    /// The HTTP request: the variables as its request line.
    fn http(&self) -> Vec<u8> {
        let body = self.body();
        let mut raw = format!(
            "{} {} {}\r\nHost: fuzz\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
            self.request_method.as_deref().unwrap_or("POST"),
            self.request_uri.as_deref().unwrap_or("/RPC2"),
            self.protocol.as_deref().unwrap_or("HTTP/1.1"),
            body.len()
        )
        .into_bytes();
        raw.extend(body);
        raw
    }
}

/// Checks one access line.
fn check(line: &str, request: &Request) {
    assert!(
        !line.chars().any(is_display_control),
        "a control or bidi character in {line:?} for {request:?}"
    );
    assert!(
        line.len() <= MAX_LINE,
        "{} bytes in {line:?} for {request:?}",
        line.len()
    );
    // `"` only around the request; inside a field it is `\"`.
    let mut quotes = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => quotes += 1,
            _ => {}
        }
    }
    assert_eq!(quotes, 2, "{line:?} for {request:?}");
}

fuzz_target!(|data: &[u8]| {
    let fronts = fronts();
    let mut u = Unstructured::new(data);
    let Ok(front) = u.int_in_range(0..=2u8) else {
        return;
    };
    let Ok(request) = Request::arbitrary(&mut u) else {
        return;
    };
    take_lines();
    let at_most_one = match front {
        0 => {
            exchange_scgi(&fronts.service, &request.scgi());
            true
        }
        1 => {
            let body = request.body();
            let mut out = Vec::new();
            fronts
                .cgi
                .respond(&request.cgi_env(body.len()), &mut body.as_slice(), &mut out)
                .expect("writing to a Vec");
            let lines = LINES.lock().unwrap().len();
            assert_eq!(lines, 1, "CGI logs every request: {request:?}");
            false
        }
        _ => {
            // The request line may hold a second request (its fields are
            // the fuzzer's): as many lines as requests, each checked.
            exchange(&fronts.service, &request.http());
            false
        }
    };
    let lines = take_lines();
    if at_most_one {
        assert!(lines.len() <= 1, "{lines:?} for one request {request:?}");
    }
    if std::env::var_os("FUZZ_SHOW").is_some() {
        for line in &lines {
            eprintln!("{line}");
        }
    }
    for line in &lines {
        check(line, &request);
    }
});
