//! What a handler may know of the request besides its XML-RPC parameters,
//! the way axum's extractors work: a handler parameter of one of these
//! types is filled from the request, not from the call's parameters, and
//! does not count in its signature.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};

use xmlrpc_kit_codec::{Fault, FromValue, Value};

use crate::handler::CallSite;

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

/// Application state shared by every handler of a method table
/// ([`Methods::add_state`](crate::Methods::add_state)), one value per type.
#[derive(Clone, Default)]
pub(crate) struct States {
    by_type: Option<Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl std::fmt::Debug for States {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.by_type.as_ref().map_or(0, |m| m.len());
        f.debug_struct("States").field("count", &count).finish()
    }
}

/// No state.
pub(crate) static NO_STATES: States = States { by_type: None };

impl States {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let map = self.by_type.get_or_insert_with(Default::default);
        Arc::make_mut(map).insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// Adds `other`'s values, replacing those of the same types.
    pub(crate) fn extend(&mut self, other: &States) {
        let Some(theirs) = &other.by_type else { return };
        let map = self.by_type.get_or_insert_with(Default::default);
        Arc::make_mut(map).extend(theirs.iter().map(|(k, v)| (*k, v.clone())));
    }

    fn get<T: 'static>(&self) -> Option<&T> {
        self.by_type
            .as_ref()?
            .get(&TypeId::of::<T>())?
            .downcast_ref()
    }
}

/// A handler parameter: taken from the call's XML-RPC parameters (every
/// [`FromValue`] type), or from the request ([`State`], [`Peer`],
/// [`Headers`], [`RequestPath`], [`Caller`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of an XML-RPC method",
    label = "this type does not implement `FromValue` (or is not one of the request's: State, Peer, Headers, RequestPath, Caller, PerRequest)",
    note = "parameters may be integers, f64, bool, String, DateTime, Binary, Vec<T>, maps with String keys, Option<T>, or Value"
)]
pub trait Param: Sized {
    /// The XML-RPC type of a parameter taken from the call; `None` for
    /// one taken from the request (it is not in the signature).
    fn xml_rpc_type() -> Option<&'static str>;

    /// Takes the parameter.
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault>;
}

/// Where parameters are taken from: the call's values, in order, and the
/// request.
#[derive(Debug)]
pub struct Taking<'s, 'a> {
    pub(crate) site: &'s CallSite<'a>,
    pub(crate) values: std::vec::IntoIter<Value>,
    /// Values taken so far.
    pub(crate) taken: usize,
}

impl<T: FromValue> Param for T {
    fn xml_rpc_type() -> Option<&'static str> {
        Some(T::type_name())
    }

    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        from.taken += 1;
        let value = from.values.next().unwrap_or(Value::Nil);
        T::from_value(value).map_err(|e| {
            Fault::invalid_params(format!(
                "{}: parameter {}: {e}",
                from.site.method,
                from.site.param(from.taken)
            ))
        })
    }
}

/// Application state added with [`Methods::add_state`](crate::Methods::add_state):
/// a handler taking `State<Db>` gets a clone of the `Db` added.
#[derive(Debug, Clone)]
pub struct State<T>(pub T);

impl<T: Clone + Send + Sync + 'static> Param for State<T> {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }

    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        from.site
            .states
            .get::<T>()
            .cloned()
            .map(State)
            .ok_or_else(|| {
                Fault::internal(format!(
                    "{}: no state of type {} was added (Methods::add_state)",
                    from.site.method,
                    std::any::type_name::<T>()
                ))
            })
    }
}

/// The client's address, when known (behind a trusted proxy, the client's
/// own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub Option<IpAddr>);

impl Param for Peer {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(Peer(from.site.request.peer()))
    }
}

/// The request's headers, names in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Param for Headers {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        let headers = from.site.request.headers();
        Ok(Headers(
            headers
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        ))
    }
}

/// The path requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPath(pub String);

impl Param for RequestPath {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(RequestPath(from.site.request.path().to_owned()))
    }
}

/// A `T` shared by every call of one request ([`RequestContext::local`]):
/// what lets an application that takes credentials as parameters count
/// the failed logins of one request, multicall included.
#[derive(Debug, Clone)]
pub struct PerRequest<T>(pub Arc<T>);

impl<T: Default + Send + Sync + 'static> Param for PerRequest<T> {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(PerRequest(from.site.request.local::<T>()))
    }
}

/// Who the request authenticated as, if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Option<Identity>);

impl Param for Caller {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(Caller(from.site.request.identity().cloned()))
    }
}
