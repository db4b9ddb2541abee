//! W3C trace context (`traceparent`, `tracestate`): read from a request's
//! headers and written into a call's, and the context of the request
//! being answered, which a client calling out from within it passes on.
//!
//! The context in force is kept per thread while a future made by
//! [`WithTraceContext`] (or a closure given to [`TraceContext::in_scope`])
//! runs, and only then, as `tracing` keeps its current span: a server's
//! dispatcher sets its request's for the time each call runs, and a
//! client called from a handler reads it ([`TraceContext::current`])
//! without being handed it. Nothing stays set between requests.

use std::cell::RefCell;
use std::future::Future;
use std::hash::BuildHasher as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The most bytes of a `traceparent` or `tracestate` value read; a longer
/// one is ignored (W3C asks that at least 512 bytes of `tracestate` be
/// passed on).
pub const MAX_TRACE_HEADER_BYTES: usize = 512;

thread_local! {
    /// The trace context of the request being answered on this thread,
    /// while its future is polled.
    static CURRENT: RefCell<Option<TraceContext>> = const { RefCell::new(None) };
}

/// A W3C trace context: the trace a request belongs to (`traceparent`:
/// its trace id, the id of the span that sent it, its flags) and the
/// tracing systems' own state (`tracestate`, passed on as it came).
///
/// A context claims no authority: a peer may name any trace, and at worst
/// joins its requests to it in one's traces and logs.
///
/// ```
/// use xmlrpc_kit::trace::TraceContext;
///
/// let mut trace =
///     TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
/// trace.set_tracestate("congo=t61rcWkgMzE").unwrap();
/// assert_eq!(trace.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(trace.parent_id(), "00f067aa0ba902b7");
/// assert!(trace.sampled());
///
/// // A call made on the request's behalf: the same trace, a new parent.
/// let outgoing = trace.child();
/// assert_eq!(outgoing.trace_id(), trace.trace_id());
/// assert_ne!(outgoing.parent_id(), trace.parent_id());
/// assert_eq!(outgoing.parent_id().len(), 16);
/// assert_eq!(outgoing.tracestate(), Some("congo=t61rcWkgMzE"));
/// ```
///
/// Cheap to clone: its text is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// `00-{trace id}-{parent id}-{flags}`, in lower-case hex.
    traceparent: Arc<str>,
    tracestate: Option<Arc<str>>,
}

/// Why a `traceparent` or `tracestate` value was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidTraceContext {
    /// Longer than [`MAX_TRACE_HEADER_BYTES`].
    #[error("longer than {most} bytes")]
    TooLong {
        /// The most bytes read.
        most: usize,
    },
    /// It holds a control character, or one outside ASCII.
    #[error("holds a control character or one outside ASCII")]
    NotPrintable,
    /// Not `version-traceid-parentid-flags` in lower-case hex, or version
    /// `ff`, or an all-zero id.
    #[error("not a W3C traceparent (version-traceid-parentid-flags in lower-case hex)")]
    Malformed,
}

impl TraceContext {
    /// Reads a `traceparent` value: version `00`, `00-` 32 hex digits `-`
    /// 16 hex digits `-` 2 hex digits, all lower case, neither id all
    /// zeros. A later version's first four fields read the same way (and
    /// are passed on as version `00`, as W3C asks).
    ///
    /// ```
    /// use xmlrpc_kit::trace::{InvalidTraceContext, TraceContext};
    ///
    /// let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    /// assert_eq!(TraceContext::parse(valid).unwrap().traceparent(), valid);
    /// let later = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes";
    /// assert_eq!(TraceContext::parse(later).unwrap().traceparent(), valid);
    /// for (bad, why) in [
    ///     ("", InvalidTraceContext::Malformed),
    ///     ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", InvalidTraceContext::Malformed),
    ///     ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", InvalidTraceContext::Malformed),
    ///     ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", InvalidTraceContext::Malformed),
    ///     ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", InvalidTraceContext::Malformed),
    ///     ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", InvalidTraceContext::Malformed),
    ///     ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n", InvalidTraceContext::NotPrintable),
    /// ] {
    ///     assert_eq!(TraceContext::parse(bad), Err(why), "{bad:?}");
    /// }
    /// let long = format!("{valid}-{}", "a".repeat(10_000));
    /// assert_eq!(TraceContext::parse(&long), Err(InvalidTraceContext::TooLong { most: 512 }));
    /// ```
    pub fn parse(traceparent: &str) -> Result<TraceContext, InvalidTraceContext> {
        let text = checked(traceparent)?;
        let mut fields = text.splitn(5, '-');
        let mut next = || fields.next().ok_or(InvalidTraceContext::Malformed);
        let (version, trace, parent, flags) = (next()?, next()?, next()?, next()?);
        let valid = hex(version, 2)
            && version != "ff"
            && (version != "00" || fields.next().is_none())
            && hex(trace, 32)
            && !zero(trace)
            && hex(parent, 16)
            && !zero(parent)
            && hex(flags, 2);
        if !valid {
            return Err(InvalidTraceContext::Malformed);
        }
        Ok(TraceContext {
            traceparent: format!("00-{trace}-{parent}-{flags}").into(),
            tracestate: None,
        })
    }

    /// Takes a `tracestate` value to pass on with this context: printable
    /// ASCII of at most [`MAX_TRACE_HEADER_BYTES`] (an empty one is none).
    /// A value that is not is refused and the context keeps the one it
    /// had.
    ///
    /// ```
    /// use xmlrpc_kit::trace::{InvalidTraceContext, TraceContext};
    ///
    /// let mut trace =
    ///     TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert_eq!(trace.set_tracestate(" rojo=00f067aa0ba902b7 "), Ok(()));
    /// assert_eq!(trace.tracestate(), Some("rojo=00f067aa0ba902b7"));
    /// assert_eq!(trace.set_tracestate("a=1\r\nX-Injected: 1"), Err(InvalidTraceContext::NotPrintable));
    /// assert_eq!(trace.tracestate(), Some("rojo=00f067aa0ba902b7"));
    /// ```
    pub fn set_tracestate(&mut self, tracestate: &str) -> Result<(), InvalidTraceContext> {
        let text = checked(tracestate)?;
        self.tracestate = (!text.is_empty()).then(|| text.into());
        Ok(())
    }

    /// The trace id: 32 lower-case hex digits.
    pub fn trace_id(&self) -> &str {
        &self.traceparent[3..35]
    }

    /// The id of the span this context came from (the caller's): 16
    /// lower-case hex digits.
    pub fn parent_id(&self) -> &str {
        &self.traceparent[36..52]
    }

    /// Whether the caller may have recorded its span (the `sampled` flag).
    pub fn sampled(&self) -> bool {
        u8::from_str_radix(&self.traceparent[53..55], 16).is_ok_and(|flags| flags & 1 == 1)
    }

    /// The `traceparent` header's value, version `00`.
    pub fn traceparent(&self) -> &str {
        &self.traceparent
    }

    /// The `tracestate` header's value, if there is one.
    pub fn tracestate(&self) -> Option<&str> {
        self.tracestate.as_deref()
    }

    /// The context of a call made on this one's behalf: the same trace,
    /// flags and `tracestate`, and a new parent id (16 hex digits made
    /// here) standing for the span that makes the call.
    pub fn child(&self) -> TraceContext {
        // Each `RandomState` is keyed afresh, so what it hashes differs
        // each time; an all-zero id is not valid.
        let id = std::hash::RandomState::new().hash_one(0u8).max(1);
        TraceContext {
            traceparent: format!(
                "{}{id:016x}{}",
                &self.traceparent[..36],
                &self.traceparent[52..]
            )
            .into(),
            tracestate: self.tracestate.clone(),
        }
    }

    /// The context of the request being answered on this thread, if it
    /// has one: what a server's front end sets while the request's calls
    /// run (see [`WithTraceContext`]), and what the client sends on from
    /// within a handler.
    ///
    /// ```
    /// use xmlrpc_kit::trace::TraceContext;
    ///
    /// let trace =
    ///     TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert_eq!(TraceContext::current(), None);
    /// let seen = trace.clone().in_scope(TraceContext::current);
    /// assert_eq!(seen, Some(trace));
    /// assert_eq!(TraceContext::current(), None);
    /// ```
    pub fn current() -> Option<TraceContext> {
        CURRENT.with_borrow(Clone::clone)
    }

    /// Runs `f` with this context as the [current](Self::current) one.
    pub fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        let mut slot = Some(self);
        let _entered = Entered::new(&mut slot);
        f()
    }

    /// `future`, with this context as the [current](Self::current) one
    /// whenever it runs: to carry a request's context into a task a
    /// handler spawns, say.
    pub fn scope<F: Future>(self, future: F) -> WithTraceContext<F> {
        WithTraceContext::new(Some(self), future)
    }
}

pin_project_lite::pin_project! {
    /// A future run with a trace context as the [current](TraceContext::current)
    /// one; with `None`, in whichever is current where it is polled (none,
    /// on a server's threads between calls).
    ///
    /// ```
    /// use xmlrpc_kit::trace::{TraceContext, WithTraceContext};
    ///
    /// let trace =
    ///     TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// let within = WithTraceContext::new(Some(trace.clone()), async { TraceContext::current() });
    /// assert_eq!(futures::executor::block_on(within), Some(trace.clone()));
    /// let around = trace.clone().in_scope(|| {
    ///     let inheriting = WithTraceContext::new(None, async { TraceContext::current() });
    ///     futures::executor::block_on(inheriting)
    /// });
    /// assert_eq!(around, Some(trace));
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct WithTraceContext<F> {
        #[pin]
        future: F,
        // The context while the future is not running; while it runs, the
        // one it replaced.
        context: Option<TraceContext>,
    }
}

impl<F> WithTraceContext<F> {
    /// `future`, run with `context` as the current one.
    pub fn new(context: Option<TraceContext>, future: F) -> Self {
        WithTraceContext { future, context }
    }
}

impl<F: Future> Future for WithTraceContext<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.context.is_none() {
            return this.future.poll(cx);
        }
        let _entered = Entered::new(this.context);
        this.future.poll(cx)
    }
}

/// The context taken from a slot made the current one, until dropped
/// (even by a panic): the slot holds the one it replaced meanwhile, and
/// gets its own back.
struct Entered<'a> {
    slot: &'a mut Option<TraceContext>,
}

impl<'a> Entered<'a> {
    fn new(slot: &'a mut Option<TraceContext>) -> Self {
        *slot = CURRENT.replace(slot.take());
        Entered { slot }
    }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        *self.slot = CURRENT.replace(self.slot.take());
    }
}

/// A header value without the spaces and tabs around it, of printable
/// ASCII and at most [`MAX_TRACE_HEADER_BYTES`].
fn checked(value: &str) -> Result<&str, InvalidTraceContext> {
    if value.len() > MAX_TRACE_HEADER_BYTES {
        return Err(InvalidTraceContext::TooLong {
            most: MAX_TRACE_HEADER_BYTES,
        });
    }
    let text = value.trim_matches([' ', '\t']);
    if !text.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return Err(InvalidTraceContext::NotPrintable);
    }
    Ok(text)
}

/// Whether `text` is `digits` lower-case hex digits.
fn hex(text: &str, digits: usize) -> bool {
    text.len() == digits && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn zero(text: &str) -> bool {
    text.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn the_flags_say_whether_it_is_sampled() {
        let unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
        assert!(TraceContext::parse(VALID).unwrap().sampled());
        assert!(!TraceContext::parse(unsampled).unwrap().sampled());
        let child = TraceContext::parse(unsampled).unwrap().child();
        assert!(child.traceparent().ends_with("-00"), "{child:?}");
    }

    #[test]
    fn children_have_new_parent_ids_each() {
        let trace = TraceContext::parse(VALID).unwrap();
        let (a, b) = (trace.child(), trace.child());
        assert_ne!(a.parent_id(), b.parent_id());
        for child in [a, b] {
            assert_eq!(TraceContext::parse(child.traceparent()), Ok(child.clone()));
            assert_eq!(child.trace_id(), trace.trace_id());
        }
    }

    /// Nested scopes each see their own; leaving one brings back the one
    /// around it, also when the code inside panics.
    #[test]
    fn scopes_nest_and_unwind() {
        let outer = TraceContext::parse(VALID).unwrap();
        let inner = outer.child();
        outer.clone().in_scope(|| {
            assert_eq!(TraceContext::current().as_ref(), Some(&outer));
            inner.clone().in_scope(|| {
                assert_eq!(TraceContext::current().as_ref(), Some(&inner));
            });
            let panicked = std::panic::catch_unwind(|| {
                inner.clone().in_scope(|| panic!("in scope"));
            });
            assert!(panicked.is_err());
            assert_eq!(TraceContext::current().as_ref(), Some(&outer));
        });
        assert_eq!(TraceContext::current(), None);
    }

    /// A future polled several times is in its context each time, and
    /// only then.
    #[test]
    fn a_future_is_in_its_context_on_every_poll() {
        let trace = TraceContext::parse(VALID).unwrap();
        let mut yielded = false;
        let future = std::future::poll_fn(|cx| {
            assert_eq!(TraceContext::current().as_ref(), Some(&trace));
            if yielded {
                return Poll::Ready(());
            }
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        });
        let mut scoped = std::pin::pin!(trace.clone().scope(future));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(scoped.as_mut().poll(&mut cx).is_pending());
        assert_eq!(TraceContext::current(), None);
        assert!(scoped.as_mut().poll(&mut cx).is_ready());
        assert_eq!(TraceContext::current(), None);
    }

    #[test]
    fn tracestate_is_printable_and_bounded() {
        let mut trace = TraceContext::parse(VALID).unwrap();
        assert_eq!(
            trace.set_tracestate(&"a=1,".repeat(2_500)),
            Err(InvalidTraceContext::TooLong { most: 512 })
        );
        assert_eq!(
            trace.set_tracestate("a=\u{7}"),
            Err(InvalidTraceContext::NotPrintable)
        );
        assert_eq!(
            trace.set_tracestate("a=\u{e9}"),
            Err(InvalidTraceContext::NotPrintable)
        );
        assert_eq!(trace.tracestate(), None);
        assert_eq!(trace.set_tracestate(""), Ok(()));
        assert_eq!(trace.tracestate(), None);
    }
}
