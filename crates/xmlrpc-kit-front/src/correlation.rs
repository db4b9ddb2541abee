//! Which trace and which request a request belongs to, for its access
//! event: the trace id of its W3C trace context (`traceparent`), and its
//! request id (`X-Request-Id` from a trusted proxy, else one made here).
//! A malformed or oversized value is ignored, never logged as sent.

use std::hash::BuildHasher as _;

use xmlrpc_kit_server::context::RequestContext;

/// The longest `X-Request-Id` taken as given.
pub const MAX_REQUEST_ID_CHARS: usize = 128;

/// The trace and request a request belongs to.
///
/// ```
/// use xmlrpc_kit::context::RequestContext;
/// use xmlrpc_kit::front::Correlation;
///
/// let request = RequestContext::new()
///     .with_header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
///     .with_header("x-request-id", "req-42");
/// let trusted = Correlation::of(&request, true);
/// assert_eq!(trusted.trace_id.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// assert_eq!(trusted.request_id, "req-42");
/// // From a peer that is not a trusted proxy, the id is made here.
/// let untrusted = Correlation::of(&request, false);
/// assert_eq!(untrusted.request_id.len(), 16);
/// assert_ne!(untrusted.request_id, "req-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correlation {
    /// The trace id (32 lower-case hex digits) of a valid `traceparent`.
    pub trace_id: Option<String>,
    /// `X-Request-Id` as a trusted proxy gave it (printable ASCII, at most
    /// [`MAX_REQUEST_ID_CHARS`]), else 16 hex digits made here.
    pub request_id: String,
}

impl Correlation {
    /// The trace and request of `request`; `trusted` says its peer is a
    /// trusted proxy, whose `X-Request-Id` is believed.
    pub fn of(request: &RequestContext, trusted: bool) -> Self {
        let given = request
            .header("x-request-id")
            .filter(|_| trusted)
            .filter(|id| {
                !id.is_empty()
                    && id.len() <= MAX_REQUEST_ID_CHARS
                    && id.bytes().all(|b| b.is_ascii_graphic())
            });
        Correlation {
            trace_id: request
                .header("traceparent")
                .and_then(trace_id)
                .map(str::to_owned),
            request_id: match given {
                Some(id) => id.to_owned(),
                None => made_id(),
            },
        }
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
/// for bad in [
///     "",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
///     "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
///     "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
///     "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n",
/// ] {
///     assert_eq!(trace_id(bad), None, "{bad:?}");
/// }
/// ```
pub fn trace_id(traceparent: &str) -> Option<&str> {
    let mut fields = traceparent.trim_matches([' ', '\t']).splitn(5, '-');
    let (version, trace, parent, flags) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let hex = |text: &str, digits: usize| {
        text.len() == digits && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let zero = |text: &str| text.bytes().all(|b| b == b'0');
    let valid = hex(version, 2)
        && version != "ff"
        && (version != "00" || fields.next().is_none())
        && hex(trace, 32)
        && !zero(trace)
        && hex(parent, 16)
        && !zero(parent)
        && hex(flags, 2);
    valid.then_some(trace)
}

/// A request id made here: 16 hex digits, different for each request.
fn made_id() -> String {
    // Each `RandomState` is keyed afresh, so what it hashes differs each time.
    format!("{:016x}", std::hash::RandomState::new().hash_one(0u8))
}
