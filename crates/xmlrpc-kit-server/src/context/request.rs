//! The request a call came in, as handlers may know it: headers, the
//! client's address, the path, who it authenticated as, and values shared
//! by its calls.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};

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
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    headers: HeaderList,
    peer: Option<IpAddr>,
    path: String,
    identity: Option<Identity>,
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
    locals: OnceLock::new(),
    outside: true,
};

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

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
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
