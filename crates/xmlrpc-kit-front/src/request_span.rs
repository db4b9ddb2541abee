//! The `tracing` span of one request, the same from every front end
//! (HTTP, SCGI, CGI): `xmlrpc.request`, at debug level, open from the
//! request's head to its access event (written in it), the parent of its
//! calls' spans (each an `xmlrpc.call` span of the dispatcher's).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use tracing::Span;
use xmlrpc_kit_transport::TraceContext;

use crate::access_log::field;
use crate::correlation::Correlation;

/// What a server does with each request's span once it is made, before
/// anything runs in it, given the trace context the request carries:
/// called only when both are there (a subscriber wants the span, and the
/// request has a trace context the server takes). With
/// `tracing-opentelemetry`, it makes the span a child of the caller's
/// (`span.set_parent(..)`), so that the server's spans join the caller's
/// trace (`examples/opentelemetry.rs`).
///
/// ```
/// use xmlrpc_kit::trace::OnRequestSpan;
///
/// let log = OnRequestSpan::new(|span, trace| {
///     span.in_scope(|| tracing::debug!(parent = trace.parent_id(), "called from"));
/// });
/// # drop(log);
/// ```
#[derive(Clone)]
pub struct OnRequestSpan(Arc<SpanHook>);

type SpanHook = dyn Fn(&Span, &TraceContext) + Send + Sync;

impl OnRequestSpan {
    /// Calls `hook` with each request's span and trace context.
    pub fn new(hook: impl Fn(&Span, &TraceContext) + Send + Sync + 'static) -> Self {
        OnRequestSpan(Arc::new(hook))
    }
}

impl fmt::Debug for OnRequestSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OnRequestSpan(..)")
    }
}

/// The span of one request, `xmlrpc.request` (target
/// `xmlrpc_kit::request`, level debug, so that it costs next to nothing
/// unless a subscriber asks for it: `RUST_LOG=info,xmlrpc_kit=debug`),
/// with the fields `trace_id` (when the request has a trace context),
/// `request_id`, `peer`, `http_method` and `path` (the peer's text
/// escaped and bounded as in the access log); then `hook`, if any, is
/// called with it.
///
/// ```
/// use xmlrpc_kit::context::RequestContext;
/// use xmlrpc_kit::front::{Correlation, TrustedProxies, request_span};
/// use xmlrpc_kit::trace::TrustTraceContext;
///
/// let request = RequestContext::new();
/// let correlation = Correlation::of(&request, None, &TrustedProxies::none(), TrustTraceContext::Always);
/// let span = request_span(&correlation, None, "POST", "/RPC2", None);
/// // No subscriber wants it here.
/// assert!(span.is_disabled());
/// ```
pub fn request_span(
    correlation: &Correlation,
    peer: Option<IpAddr>,
    method: &str,
    path: &str,
    hook: Option<&OnRequestSpan>,
) -> Span {
    let span = tracing::debug_span!(
        target: "xmlrpc_kit::request",
        "xmlrpc.request",
        trace_id = correlation.trace_id(),
        request_id = %field(correlation.request_id()),
        peer = peer.map(tracing::field::display),
        http_method = %field(method),
        path = %field(path),
    );
    if let (Some(OnRequestSpan(hook)), Some(trace)) = (hook, &correlation.trace) {
        if !span.is_disabled() {
            hook(&span, trace);
        }
    }
    span
}
