//! What each call runs in: its `tracing` span, `xmlrpc.call` (each call
//! of a `system.multicall` has its own, inside the multicall's), so that
//! its handler's events say which call they belong to, under the request's
//! span ([`RequestContext::span`]); and its request's W3C trace context,
//! made current, so that a client called from the handler sends it on.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use tracing::{Id, Instrument as _, Span};
use xmlrpc_kit_codec::untrusted_text::Escaped;
use xmlrpc_kit_transport::{TraceContext, WithTraceContext};

use crate::context::RequestContext;

/// The span of a call of `method` in `request`, the call at `position`
/// (1-based) of a multicall when it is one: target `xmlrpc_kit::call`,
/// level debug (next to nothing unless a subscriber asks for it), with
/// the fields `method` (escaped and bounded as in the access log: a peer
/// names it) and `position`; a child of the request's span (a
/// multicall's call, of the multicall's), else of the current one.
pub(crate) fn call_span(request: &RequestContext, method: &str, position: Option<usize>) -> Span {
    tracing::debug_span!(
        target: "xmlrpc_kit::call",
        parent: parent(request, position),
        "xmlrpc.call",
        method = %Escaped::new(method).escape_quotes().truncate(Escaped::FIELD_CHARS),
        position = position.map(|p| p as u64),
    )
}

/// The span a call's span is a child of.
fn parent(request: &RequestContext, position: Option<usize>) -> Option<Id> {
    match position {
        None => request.span().id().or_else(|| Span::current().id()),
        Some(_) => Span::current().id(),
    }
}

/// Starts a call (`start`: a sync handler runs to its end in it) in its
/// span and in `trace`, if there is one.
pub(crate) fn start_in<T>(
    span: &Span,
    trace: Option<&TraceContext>,
    start: impl FnOnce() -> T,
) -> T {
    let start = || {
        if span.is_disabled() {
            start()
        } else {
            span.in_scope(start)
        }
    };
    match trace {
        Some(trace) => trace.clone().in_scope(start),
        None => start(),
    }
}

/// A call's future (an async handler's), run in its span and in `trace`.
pub(crate) fn run_in<F: Future>(
    future: F,
    span: Span,
    trace: Option<&TraceContext>,
) -> impl Future<Output = F::Output> + use<F> {
    WithTraceContext::new(trace.cloned(), future).instrument(span)
}

/// [`run_in`] for a boxed future: boxed once more only when there is a
/// span a subscriber wants or a trace context.
pub(crate) fn run_boxed_in<'a, T: 'a>(
    future: BoxFuture<'a, T>,
    span: Span,
    trace: Option<&TraceContext>,
) -> BoxFuture<'a, T> {
    if span.is_disabled() && trace.is_none() {
        future
    } else {
        run_in(future, span, trace).boxed()
    }
}
