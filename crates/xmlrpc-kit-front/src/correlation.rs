//! Which trace and which request a request belongs to, for its span, its
//! access event and the calls its handlers make: its W3C trace context
//! (`traceparent`, `tracestate`) unless the server is set not to believe
//! it from this peer, and its request id (`X-Request-Id` from a trusted
//! proxy, else one made here). A malformed or oversized value is ignored,
//! counted and logged at debug level with the reason, never used as sent.

use std::net::IpAddr;
use std::sync::OnceLock;

use xmlrpc_kit_server::context::RequestContext;
use xmlrpc_kit_transport::TraceContext;

use crate::proxies::TrustedProxies;

/// The longest `X-Request-Id` taken as given.
pub const MAX_REQUEST_ID_CHARS: usize = 128;

/// Whose W3C trace context (`traceparent`, `tracestate`) a server takes.
///
/// A trace context claims no authority: a peer that names a trace only
/// joins its requests to it in the server's spans, access log and the
/// calls its handlers make. A server open to anyone whose traces should
/// start at its own edge takes it from its trusted proxies only.
///
/// ```
/// use xmlrpc_kit::trace::TrustTraceContext;
///
/// assert_eq!(TrustTraceContext::default(), TrustTraceContext::Always);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustTraceContext {
    /// From every peer. The default.
    #[default]
    Always,
    /// Only from a peer that is one of the server's trusted proxies
    /// ([`TrustedProxies`](crate::TrustedProxies)); others' is ignored.
    TrustedProxiesOnly,
    /// From no one: every request starts without one.
    Never,
}

/// A request header ignored because its value is malformed or too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredHeader {
    /// The header's name, in lower case.
    pub name: &'static str,
    /// Why it was ignored, e.g. `longer than 512 bytes`.
    pub reason: String,
}

/// The trace and request a request belongs to.
///
/// ```
/// use xmlrpc_kit::context::RequestContext;
/// use xmlrpc_kit::front::{Correlation, TrustedProxies};
/// use xmlrpc_kit::trace::TrustTraceContext;
///
/// let proxies: TrustedProxies = "10.0.0.1".parse().unwrap();
/// let (proxy, client) = (Some([10, 0, 0, 1].into()), Some([192, 0, 2, 7].into()));
/// let request = RequestContext::new()
///     .with_header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
///     .with_header("x-request-id", "req-42");
/// let trusted = Correlation::of(&request, proxy, &proxies, TrustTraceContext::Always);
/// assert_eq!(trusted.trace_id(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// assert_eq!(trusted.request_id(), "req-42");
/// // From a peer that is not a trusted proxy, the id is made here.
/// let untrusted = Correlation::of(&request, client, &proxies, TrustTraceContext::Always);
/// assert_eq!(untrusted.request_id().len(), 16);
/// assert_ne!(untrusted.request_id(), "req-42");
/// // A server set to take trace context from its proxies only.
/// let untrusted = Correlation::of(&request, client, &proxies, TrustTraceContext::TrustedProxiesOnly);
/// assert_eq!(untrusted.trace_id(), None);
/// assert!(untrusted.ignored.is_empty());
///
/// let forged = RequestContext::new().with_header("traceparent", "00-\u{1b}[2J");
/// let ignored = Correlation::of(&forged, client, &proxies, TrustTraceContext::Always);
/// assert_eq!(ignored.trace, None);
/// assert_eq!(ignored.ignored[0].name, "traceparent");
/// assert_eq!(ignored.ignored[0].reason, "holds a control character or one outside ASCII");
/// ```
#[derive(Debug, Clone)]
pub struct Correlation {
    /// The request's trace context, when it sent a valid `traceparent`
    /// that the server takes from it ([`TrustTraceContext`]), with its
    /// `tracestate` when that is valid too.
    pub trace: Option<TraceContext>,
    /// The headers ignored as malformed or too long (at most one each of
    /// `traceparent`, `tracestate` and `x-request-id`).
    pub ignored: Vec<IgnoredHeader>,
    /// `X-Request-Id` as a trusted proxy gave it, or the one made here
    /// once it is asked for.
    request_id: OnceLock<String>,
}

impl Correlation {
    /// The trace and request of `request`, which came from `peer` (the
    /// address that connected, or the front server's `REMOTE_ADDR`;
    /// `None` for a Unix socket): the `X-Request-Id` of one of `proxies`
    /// is believed, and `trust` says whose trace context is. Each header
    /// ignored as malformed or too long is logged at debug level (target
    /// `xmlrpc_kit::request`), with the reason.
    pub fn of(
        request: &RequestContext,
        peer: Option<IpAddr>,
        proxies: &TrustedProxies,
        trust: TrustTraceContext,
    ) -> Self {
        let mut correlation = Correlation {
            trace: None,
            ignored: Vec::new(),
            request_id: OnceLock::new(),
        };
        let from_proxy = || proxies.trusts_anyone() && proxies.trusts_peer(peer);
        let takes_trace = match trust {
            TrustTraceContext::Always => true,
            TrustTraceContext::TrustedProxiesOnly => from_proxy(),
            TrustTraceContext::Never => false,
        };
        if takes_trace {
            correlation.read_trace(request);
        }
        if let Some(id) = from_proxy()
            .then(|| request.header("x-request-id"))
            .flatten()
        {
            match request_id(id) {
                Ok(id) => {
                    let _ = correlation.request_id.set(id.to_owned());
                }
                Err(reason) => correlation.ignore("x-request-id", reason.into()),
            }
        }
        for ignored in &correlation.ignored {
            tracing::debug!(
                target: "xmlrpc_kit::request",
                peer = request.peer().map(tracing::field::display),
                header = ignored.name,
                reason = %ignored.reason,
                "ignored a request header"
            );
        }
        correlation
    }

    /// The trace id (32 lower-case hex digits) of the request's trace
    /// context, if it has one.
    pub fn trace_id(&self) -> Option<&str> {
        self.trace.as_ref().map(TraceContext::trace_id)
    }

    /// `X-Request-Id` as a trusted proxy gave it (printable ASCII, at
    /// most [`MAX_REQUEST_ID_CHARS`]), else 16 hex digits made here (the
    /// first time it is asked for).
    pub fn request_id(&self) -> &str {
        self.request_id.get_or_init(made_id)
    }

    fn read_trace(&mut self, request: &RequestContext) {
        let Some(traceparent) = request.header("traceparent") else {
            return;
        };
        let mut trace = match TraceContext::parse(traceparent) {
            Ok(trace) => trace,
            Err(e) => return self.ignore("traceparent", e.to_string()),
        };
        if let Some(tracestate) = request.header("tracestate") {
            if let Err(e) = trace.set_tracestate(tracestate) {
                self.ignore("tracestate", e.to_string());
            }
        }
        self.trace = Some(trace);
    }

    fn ignore(&mut self, name: &'static str, reason: String) {
        self.ignored.push(IgnoredHeader { name, reason });
    }
}

/// An `X-Request-Id` value as it may be used: not empty, printable ASCII
/// without spaces, at most [`MAX_REQUEST_ID_CHARS`].
fn request_id(id: &str) -> Result<&str, &'static str> {
    if id.is_empty() {
        Err("empty")
    } else if id.len() > MAX_REQUEST_ID_CHARS {
        Err("longer than 128 bytes")
    } else if !id.bytes().all(|b| b.is_ascii_graphic()) {
        Err("holds a space, a control character or one outside ASCII")
    } else {
        Ok(id)
    }
}

/// The trace id of a W3C `traceparent` value (version `00`: `00-` 32 hex
/// digits `-` 16 hex digits `-` 2 hex digits; a later version's first
/// four fields read the same way), or `None` when it is not one: a wrong
/// length or digit, version `ff`, or an all-zero trace or parent id.
///
/// ```
/// use xmlrpc_kit::front::trace_id;
///
/// let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
/// assert_eq!(trace_id(valid), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// assert_eq!(trace_id(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// assert_eq!(trace_id("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"), None);
/// ```
pub fn trace_id(traceparent: &str) -> Option<&str> {
    // The version is two digits: the trace id follows it and a dash.
    TraceContext::parse(traceparent)
        .ok()
        .map(|_| &traceparent.trim_matches([' ', '\t'])[3..35])
}

/// A request id made here: 16 hex digits, different for each request.
fn made_id() -> String {
    use std::hash::BuildHasher as _;
    // Each `RandomState` is keyed afresh, so what it hashes differs each
    // time; its 16 hex digits put together here (it is made per request).
    let mut bits = std::hash::RandomState::new().hash_one(0u8);
    let mut id = [0u8; 16];
    for digit in id.iter_mut().rev() {
        *digit = b"0123456789abcdef"[(bits & 0xf) as usize];
        bits >>= 4;
    }
    String::from_utf8_lossy(&id).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /// The trusted proxy 10.0.0.1.
    fn proxies() -> TrustedProxies {
        "10.0.0.1".parse().unwrap()
    }

    /// The proxy, or a client that is not one.
    fn peer(trusted: bool) -> Option<IpAddr> {
        Some(
            if trusted {
                [10, 0, 0, 1]
            } else {
                [192, 0, 2, 7]
            }
            .into(),
        )
    }

    fn request(headers: &[(&str, &str)]) -> RequestContext {
        headers
            .iter()
            .fold(RequestContext::new(), |r, (name, value)| {
                r.with_header(name, value)
            })
    }

    /// Headers: (name, value), or ignored ones: (name, reason).
    type Headers<'a> = &'a [(&'a str, &'a str)];

    /// The reasons each ignored header is given, per case.
    fn ignored(headers: &[(&str, &str)], trusted: bool) -> Vec<(&'static str, String)> {
        Correlation::of(
            &request(headers),
            peer(trusted),
            &proxies(),
            TrustTraceContext::Always,
        )
        .ignored
        .into_iter()
        .map(|i| (i.name, i.reason))
        .collect()
    }

    /// Issue 25 (bad input): an oversized or malformed trace or id header
    /// is ignored, and counted with its reason.
    #[test]
    fn malformed_or_oversized_headers_are_ignored_with_their_reason() {
        let long = "a".repeat(10 * 1024);
        let long_traceparent = format!("{VALID}-{long}");
        #[rustfmt::skip]
        let cases: &[(Headers, bool, Headers)] = &[
            (&[("traceparent", VALID)], true, &[]),
            (&[("traceparent", &long_traceparent)], false, &[("traceparent", "longer than 512 bytes")]),
            (&[("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx: y")], false,
             &[("traceparent", "holds a control character or one outside ASCII")]),
            (&[("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")], false,
             &[("traceparent", "not a W3C traceparent (version-traceid-parentid-flags in lower-case hex)")]),
            (&[("traceparent", VALID), ("tracestate", &long)], false, &[("tracestate", "longer than 512 bytes")]),
            (&[("traceparent", VALID), ("tracestate", "a=\u{1b}[31m")], false,
             &[("tracestate", "holds a control character or one outside ASCII")]),
            // A tracestate without a traceparent is not read at all.
            (&[("tracestate", "a=\u{1b}[31m")], false, &[]),
            (&[("x-request-id", &long)], true, &[("x-request-id", "longer than 128 bytes")]),
            (&[("x-request-id", "a\u{7}b")], true,
             &[("x-request-id", "holds a space, a control character or one outside ASCII")]),
            (&[("x-request-id", "")], true, &[("x-request-id", "empty")]),
            // Not believed from a peer that is no trusted proxy: not read.
            (&[("x-request-id", &long)], false, &[]),
        ];
        for &(headers, trusted, expected) in cases {
            let expected: Vec<(&str, String)> = expected
                .iter()
                .map(|&(name, reason)| (name, reason.to_owned()))
                .collect();
            assert_eq!(ignored(headers, trusted), expected, "{headers:?}");
        }
    }

    #[test]
    fn an_ignored_header_leaves_the_rest() {
        let correlation = Correlation::of(
            &request(&[
                ("traceparent", VALID),
                ("tracestate", "a=\u{7}"),
                ("x-request-id", "\u{7}"),
            ]),
            peer(true),
            &proxies(),
            TrustTraceContext::Always,
        );
        let trace = correlation.trace.as_ref().unwrap();
        assert_eq!(trace.traceparent(), VALID);
        assert_eq!(trace.tracestate(), None);
        assert_eq!(correlation.request_id().len(), 16);
        assert_eq!(correlation.request_id(), correlation.request_id());
    }

    #[test]
    fn trust_says_whose_trace_context_is_taken() {
        let headers = request(&[("traceparent", VALID), ("tracestate", "congo=t61rcWkgMzE")]);
        let trace_id =
            |trusted, trust| Correlation::of(&headers, peer(trusted), &proxies(), trust).trace;
        let expected = Some(
            TraceContext::parse(VALID)
                .map(|mut t| {
                    t.set_tracestate("congo=t61rcWkgMzE").unwrap();
                    t
                })
                .unwrap(),
        );
        assert_eq!(trace_id(false, TrustTraceContext::Always), expected);
        assert_eq!(trace_id(true, TrustTraceContext::Always), expected);
        assert_eq!(trace_id(false, TrustTraceContext::TrustedProxiesOnly), None);
        assert_eq!(
            trace_id(true, TrustTraceContext::TrustedProxiesOnly),
            expected
        );
        assert_eq!(trace_id(true, TrustTraceContext::Never), None);
    }
}
