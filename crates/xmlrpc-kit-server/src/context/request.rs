//! The request a call came in, as handlers may know it: headers, the
//! client's address, the path, who it authenticated as, the trace it
//! belongs to, and values shared by its calls.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};

use xmlrpc_kit_transport::TraceContext;

/// The request a call came in: headers, the client's address, the path,
/// and who it authenticated as. Front ends fill it (HTTP from the request,
/// CGI from `REMOTE_ADDR`, `REMOTE_USER` and the `HTTP_*` variables).
///
/// ```
/// use xmlrpc_kit::context::{Identity, RequestContext};
///
/// let request = RequestContext::new()
///     .with_header("X-Request-Id", "42")
///     .with_peer("127.0.0.1".parse().unwrap())
///     .with_path("/RPC2")
///     .with_identity(Identity::new("ann"));
/// assert_eq!(request.header("x-request-id"), Some("42"));
/// assert_eq!(request.identity().unwrap().name(), "ann");
/// ```
#[derive(Debug, Clone)]
pub struct RequestContext {
    headers: HeaderList,
    peer: Option<IpAddr>,
    path: String,
    identity: Option<Identity>,
    /// The trace it belongs to, when it has a trace context or a span a
    /// subscriber wants (boxed: most requests have neither).
    trace: Option<Box<Trace>>,
    /// Values shared by the calls of this request ([`PerRequest`]).
    locals: OnceLock<Locals>,
    /// Whether this is a real request (the static one stands for none).
    outside: bool,
}

type Locals = Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>;

/// A request's headers, one after another in one buffer (names in lower
/// case): two allocations for all of them, not two per header.
#[derive(Debug, Clone, Default)]
struct HeaderList {
    text: String,
    /// Where each header's name and value end in `text`; a name starts
    /// where the header before it ends.
    ends: Vec<(usize, usize)>,
}

impl HeaderList {
    fn reserve(&mut self, headers: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(headers);
    }

    fn push(&mut self, name: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        self.text[start..].make_ascii_lowercase();
        let name_end = self.text.len();
        self.text.push_str(value);
        self.ends.push((name_end, self.text.len()));
    }

    /// The value of the first header called `name` (any case): the
    /// lengths compared first, so that most headers are passed over at
    /// once.
    fn get(&self, name: &str) -> Option<&str> {
        let mut start = 0;
        for &(name_end, end) in &self.ends {
            if name_end - start == name.len()
                && self.text.as_bytes()[start..name_end].eq_ignore_ascii_case(name.as_bytes())
            {
                return self.text.get(name_end..end);
            }
            start = end;
        }
        None
    }

    fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + Clone + '_ {
        self.ends.iter().enumerate().map(|(i, &(name_end, end))| {
            let start = i.checked_sub(1).map_or(0, |before| self.ends[before].1);
            (&self.text[start..name_end], &self.text[name_end..end])
        })
    }
}

/// No request: what calls outside one see.
pub(crate) static NO_REQUEST: RequestContext = RequestContext {
    headers: HeaderList {
        text: String::new(),
        ends: Vec::new(),
    },
    peer: None,
    path: String::new(),
    identity: None,
    trace: None,
    locals: OnceLock::new(),
    outside: true,
};

/// The span of a request without one.
static NO_SPAN: tracing::Span = tracing::Span::none();

/// The trace a request belongs to.
#[derive(Debug, Clone)]
struct Trace {
    context: Option<TraceContext>,
    span: tracing::Span,
}

impl Default for RequestContext {
    fn default() -> Self {
        RequestContext {
            headers: HeaderList::default(),
            peer: None,
            path: String::new(),
            identity: None,
            trace: None,
            locals: OnceLock::new(),
            outside: false,
        }
    }
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header (names are case-insensitive).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(name, value);
        self
    }

    /// Makes room for `headers` more headers of `bytes` bytes in all
    /// (names and values), so that adding them allocates nothing more:
    /// what a front end calls before adding a request's headers.
    ///
    /// ```
    /// use xmlrpc_kit::context::RequestContext;
    ///
    /// let headers = [("Host", "example.org"), ("X-Id", "7")];
    /// let bytes = headers.iter().map(|(n, v)| n.len() + v.len()).sum();
    /// let request = headers
    ///     .iter()
    ///     .fold(RequestContext::new().with_header_room(2, bytes), |r, (n, v)| r.with_header(n, v));
    /// assert_eq!(request.header("host"), Some("example.org"));
    /// assert_eq!(request.headers().collect::<Vec<_>>(), [("host", "example.org"), ("x-id", "7")]);
    /// ```
    #[must_use]
    pub fn with_header_room(mut self, headers: usize, bytes: usize) -> Self {
        self.headers.reserve(headers, bytes);
        self
    }

    /// Sets the client's address.
    #[must_use]
    pub fn with_peer(mut self, peer: IpAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Sets the path requested.
    #[must_use]
    pub fn with_path(mut self, path: &str) -> Self {
        self.path = path.to_owned();
        self
    }

    /// Sets who the request authenticated as.
    #[must_use]
    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Sets the trace the request belongs to: the W3C trace context its
    /// calls run in (what a front end took from its `traceparent` and
    /// `tracestate`; the dispatcher makes it [current](TraceContext::current)
    /// while each call runs, so that the client sends it on from a
    /// handler), and its `tracing` span (a front end's `xmlrpc.request`),
    /// the parent of its calls' spans.
    #[must_use]
    #[inline]
    pub fn with_trace(self, context: Option<TraceContext>, span: tracing::Span) -> Self {
        // Most requests have neither: left as they are, without a call.
        if context.is_none() && span.is_disabled() {
            return self;
        }
        self.with_trace_boxed(Trace { context, span })
    }

    fn with_trace_boxed(mut self, trace: Trace) -> Self {
        self.trace = Some(Box::new(trace));
        self
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The request's `tracing` span (disabled when it has none, or no
    /// subscriber wants it).
    pub fn span(&self) -> &tracing::Span {
        self.trace.as_ref().map_or(&NO_SPAN, |trace| &trace.span)
    }

    /// The W3C trace context the request's calls run in, if it has one.
    #[inline]
    pub fn trace_context(&self) -> Option<&TraceContext> {
        self.trace.as_ref()?.context.as_ref()
    }

    /// Every header as (name, value), names in lower case, in the order
    /// received.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + Clone + '_ {
        self.headers.iter()
    }

    /// The client's address, when known.
    pub fn peer(&self) -> Option<IpAddr> {
        self.peer
    }

    /// The path requested (empty when unknown).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Who the request authenticated as, if it did.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// The `T` of this request, made on first use and shared by every call
    /// in it (a multicall's calls share one); outside a request, a fresh
    /// one each time.
    pub fn local<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        if self.outside {
            return Arc::new(T::default());
        }
        let locals = self.locals.get_or_init(Default::default);
        let mut locals = locals.lock().unwrap_or_else(|e| e.into_inner());
        let value = locals
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        value
            .clone()
            .downcast::<T>()
            .unwrap_or_else(|_| Arc::new(T::default()))
    }
}

/// Who a request authenticated as: the user of HTTP basic auth, the
/// subject a bearer token or an authentication hook names, or CGI's
/// `REMOTE_USER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    name: String,
}

impl Identity {
    /// The identity called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Identity { name: name.into() }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
