//! Per-call middleware: code that wraps every call a dispatcher makes
//! (each call of a `system.multicall` too), seeing its method, parameters
//! and request before it runs and its result or fault after; layered like
//! tower's layers.
//!
//! A [`Middleware`] gets the [`Call`] and the [`Next`] layer; it may answer
//! the call itself (refusing it, say), change it, or pass it on with
//! [`Next::run`] and look at what comes back ([`Called::inspect`],
//! [`Called::map`]). Layers are added with
//! [`DispatchOptions::layer`](crate::DispatchOptions::layer); the first
//! added is the outermost, as in tower's `ServiceBuilder`.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
//! use xmlrpc_kit::{DispatchOptions, Dispatcher, Fault, Methods, Value};
//!
//! /// Refuses `shutdown` to everyone.
//! struct NoShutdown;
//! impl Middleware for NoShutdown {
//!     fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
//!         if call.method() == "shutdown" {
//!             return Called::ready(Err(Fault::new(403, "shutdown is not allowed")));
//!         }
//!         next.run(call)
//!     }
//! }
//!
//! /// Records each call's method and whether it failed.
//! #[derive(Default)]
//! struct Record(Arc<Mutex<Vec<(String, bool)>>>);
//! impl Middleware for Record {
//!     fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
//!         let method = call.method().to_owned();
//!         let seen = self.0.clone();
//!         next.run(call).inspect(move |result| seen.lock().unwrap().push((method, result.is_err())))
//!     }
//! }
//!
//! let mut methods = Methods::new();
//! methods.register_function("add", |x: i64, y: i64| x + y);
//! methods.register_function("shutdown", || true);
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let options = DispatchOptions::default().layer(Record(seen.clone())).layer(NoShutdown);
//! let dispatcher = Dispatcher::with_options(methods, options);
//!
//! let call = |m: &str, p| futures::executor::block_on(dispatcher.call(m, p));
//! assert_eq!(call("add", vec![Value::Int(2), Value::Int(3)]), Ok(Value::Int(5)));
//! assert_eq!(call("shutdown", vec![]).unwrap_err().code, 403);
//! assert_eq!(*seen.lock().unwrap(), [("add".to_owned(), false), ("shutdown".to_owned(), true)]);
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::sync::Arc;

use futures::FutureExt as _;
use futures::future::{BoxFuture, Either, Ready, ready};
use xmlrpc_kit_codec::{Fault, Value};

use crate::context::RequestContext;
use crate::handler::Outcome;
use crate::methods::Methods;

/// Code that wraps every call: see the [module](self).
///
/// `call` runs when the call starts. It returns what the call gives: the
/// next layer's [`Called`] (perhaps inspected or mapped), or an answer of
/// its own ([`Called::ready`], or [`Called::pending`] for one it must wait
/// for, such as a rate limiter's permit). A sync handler's call stays
/// free of allocation and waiting through layers that only inspect it.
///
/// A layer that panics is answered as a handler that panics: fault
/// -32603, and the server goes on.
pub trait Middleware: Send + Sync + 'static {
    /// Runs `call`, passing it to `next` or answering it.
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a>;

    /// Whether this layer reads (or changes) the parameters of a
    /// `system.multicall` itself. Default: yes. A layer that does not
    /// (each call of a multicall still passes through it on its own, with
    /// its parameters) says no: when every layer says no, a multicall is
    /// run straight from its document, which is faster, and its own
    /// [`Call`] has no parameters, only its
    /// [`multicall_size`](Call::multicall_size).
    fn reads_multicall_params(&self) -> bool {
        true
    }
}

/// One call, as middleware sees it: the method's name, its parameters, the
/// request it came in, and where it stands in a multicall.
pub struct Call<'a> {
    method: &'a str,
    params: Vec<Value>,
    request: &'a RequestContext,
    position: Option<usize>,
    methods: &'a Methods,
    multicall_size: Option<usize>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        method: &'a str,
        params: Vec<Value>,
        request: &'a RequestContext,
        position: Option<usize>,
        methods: &'a Methods,
    ) -> Self {
        Call {
            method,
            params,
            request,
            position,
            methods,
            multicall_size: None,
        }
    }

    /// This call, a `system.multicall` of `calls` calls.
    pub(crate) fn with_multicall_size(mut self, calls: usize) -> Self {
        self.multicall_size = Some(calls);
        self
    }

    /// For a `system.multicall` whose parameters are one array: how many
    /// calls it holds (also when it runs straight from its document, its
    /// parameters not built: see
    /// [`Middleware::reads_multicall_params`]). `None` for other calls.
    pub fn multicall_size(&self) -> Option<usize> {
        self.multicall_size
    }

    /// The method's name, as the request spelled it (any string a peer
    /// sent: escape it before logging it, and see
    /// [`is_listed`](Self::is_listed) before using it as a metric label).
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The parameters (none for a `system.multicall` run straight from its
    /// document: see [`Middleware::reads_multicall_params`]).
    pub fn params(&self) -> &[Value] {
        &self.params
    }

    /// The parameters, to change before the call runs.
    pub fn params_mut(&mut self) -> &mut Vec<Value> {
        &mut self.params
    }

    /// The request the call came in: headers, client, path, identity.
    pub fn request(&self) -> &'a RequestContext {
        self.request
    }

    /// Which call of a `system.multicall` this is (1 for the first), or
    /// `None` for a call a request made directly (the multicall itself
    /// among them).
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// Whether the method table lists the method (`system.listMethods`),
    /// so that its name is one of a known few, not anything a peer sent.
    /// Looks the name up each time it is asked.
    pub fn is_listed(&self) -> bool {
        self.methods.contains(self.method)
            || self
                .methods
                .instance()
                .is_some_and(|i| i.list_methods().iter().any(|m| m == self.method))
    }

    pub(crate) fn into_parts(self) -> (&'a str, Vec<Value>, Option<usize>) {
        (self.method, self.params, self.position)
    }
}

impl fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("params", &self.params.len())
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

/// What finishes a call once every layer has let it through: the
/// dispatcher's own running of it.
pub(crate) trait Endpoint: Send + Sync {
    fn run<'a>(&'a self, call: Call<'a>) -> Called<'a>;
}

/// The layers after this one, then the method: what a [`Middleware`]
/// passes its call to.
pub struct Next<'a> {
    rest: &'a [Arc<dyn Middleware>],
    end: &'a dyn Endpoint,
}

impl<'a> Next<'a> {
    pub(crate) fn new(layers: &'a [Arc<dyn Middleware>], end: &'a dyn Endpoint) -> Self {
        Next { rest: layers, end }
    }

    /// Runs `call` through the remaining layers and the method.
    pub fn run(self, call: Call<'a>) -> Called<'a> {
        match self.rest.split_first() {
            Some((layer, rest)) => layer.call(
                call,
                Next {
                    rest,
                    end: self.end,
                },
            ),
            None => self.end.run(call),
        }
    }
}

impl fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field("layers", &self.rest.len())
            .finish_non_exhaustive()
    }
}

/// What a call gives: its result at once, or a future of it. Await it
/// (it is [`IntoFuture`]), or look at the result without waiting here
/// with [`inspect`](Self::inspect) and [`map`](Self::map).
pub struct Called<'a>(Outcome<BoxFuture<'a, Result<Value, Fault>>>);

impl<'a> Called<'a> {
    /// A call answered at once with `result`.
    pub fn ready(result: Result<Value, Fault>) -> Self {
        Called(Outcome::Ready(result))
    }

    /// A call answered when `future` ends.
    pub fn pending(future: impl Future<Output = Result<Value, Fault>> + Send + 'a) -> Self {
        Called(Outcome::Pending(future.boxed()))
    }

    /// Runs `look` on the result when there is one (at once for a call
    /// that ended at once), and gives the result on unchanged.
    pub fn inspect(self, look: impl FnOnce(&Result<Value, Fault>) + Send + 'a) -> Self {
        self.map(|result| {
            look(&result);
            result
        })
    }

    /// Replaces the result with `change(result)` when there is one.
    pub fn map(
        self,
        change: impl FnOnce(Result<Value, Fault>) -> Result<Value, Fault> + Send + 'a,
    ) -> Self {
        match self.0 {
            Outcome::Ready(result) => Called::ready(change(result)),
            Outcome::Pending(future) => Called::pending(future.map(change)),
        }
    }

    /// Whether the result is there already (no waiting needed).
    pub fn is_ready(&self) -> bool {
        matches!(self.0, Outcome::Ready(_))
    }

    pub(crate) fn into_outcome(self) -> Outcome<BoxFuture<'a, Result<Value, Fault>>> {
        self.0
    }
}

impl<'a> From<Outcome<BoxFuture<'a, Result<Value, Fault>>>> for Called<'a> {
    fn from(outcome: Outcome<BoxFuture<'a, Result<Value, Fault>>>) -> Self {
        Called(outcome)
    }
}

impl<'a> IntoFuture for Called<'a> {
    type Output = Result<Value, Fault>;
    type IntoFuture = Either<Ready<Result<Value, Fault>>, BoxFuture<'a, Result<Value, Fault>>>;

    fn into_future(self) -> Self::IntoFuture {
        match self.0 {
            Outcome::Ready(result) => Either::Left(ready(result)),
            Outcome::Pending(future) => Either::Right(future),
        }
    }
}

impl fmt::Debug for Called<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Outcome::Ready(result) => f.debug_tuple("Called::Ready").field(result).finish(),
            Outcome::Pending(_) => f.write_str("Called::Pending"),
        }
    }
}

/// The layers of a dispatcher, outermost first.
#[derive(Clone, Default)]
pub(crate) struct Layers(pub(crate) Vec<Arc<dyn Middleware>>);

impl fmt::Debug for Layers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} layers", self.0.len())
    }
}
