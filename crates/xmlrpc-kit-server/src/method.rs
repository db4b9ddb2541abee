//! One method's record: what answers it, its signatures and its help.
//! Registered functions and the built-in `system.*` methods are both
//! records; introspection and the documentation page read them.

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use xmlrpc_kit_codec::{Fault, Value};

use crate::context::call_site::CallSite;
use crate::context::{RequestContext, States};
use crate::handler::{Handler, Outcome};

/// A registered function, type-erased: converts its parameters, runs, and
/// converts its result.
pub(crate) type Call = dyn Fn(&CallSite<'_>, Vec<Value>) -> Outcome + Send + Sync;

/// What a built-in method can see of the dispatcher answering it.
pub(crate) trait DispatcherView: Send + Sync {
    /// Every method name answered, sorted (`system.listMethods`).
    fn list_methods(&self) -> Vec<String>;
    /// The help of `name`; `None` if unknown.
    fn method_help(&self, name: &str) -> Option<String>;
    /// The signatures of `name`; `None` if unknown, empty if undeclared.
    fn method_signatures(&self, name: &str) -> Option<Vec<Vec<String>>>;
    /// Whether `name` is registered (not counting the instance).
    fn has_method(&self, name: &str) -> bool;
    /// Whether nil may be answered (`allow_none`).
    fn allows_nil(&self) -> bool;
    /// The most calls one multicall may hold.
    fn max_multicall_calls(&self) -> usize;
    /// How many calls of one multicall may be in progress at once.
    fn multicall_concurrency(&self) -> usize;
    /// Starts `method` as the call at `position` (1-based) of a
    /// multicall: its result when it ended at once (every sync handler),
    /// else the future to await.
    fn start<'a>(
        &'a self,
        method: &'a str,
        params: Vec<Value>,
        position: usize,
    ) -> Outcome<BoxFuture<'a, Result<Value, Fault>>>;
}

/// A built-in that answers at once.
pub(crate) type Now = fn(&dyn DispatcherView, Vec<Value>) -> Result<Value, Fault>;

/// A built-in method's behaviour: answered at once (introspection), or
/// `system.multicall`, which runs other calls (and which the dispatcher
/// also answers straight from a request's document: see
/// `builtins::run_multicall`).
#[derive(Clone, Copy)]
pub(crate) enum Builtin {
    Now(Now),
    Multicall,
}

/// What answers a method.
#[derive(Clone)]
pub(crate) enum Answer {
    /// A function registered by the application.
    Function(Arc<Call>),
    /// One of the server's own `system.*` methods.
    Builtin(Builtin),
}

/// One method's record.
#[derive(Clone)]
pub struct Method {
    pub(crate) answer: Answer,
    signatures: Vec<Vec<String>>,
    help: String,
    param_names: Vec<String>,
    /// For each Rust parameter, whether it comes from the call.
    from_call: Vec<bool>,
}

impl Method {
    /// The record of `handler`, its signature from its Rust types, no help yet.
    pub(crate) fn function<M, H: Handler<M>>(handler: H) -> Self {
        let signature = H::signature().into_iter().map(String::from).collect();
        let call: Arc<Call> =
            Arc::new(move |site: &CallSite<'_>, params| handler.call(site, params));
        Method {
            answer: Answer::Function(call),
            signatures: vec![signature],
            help: String::new(),
            param_names: Vec::new(),
            from_call: H::from_call(),
        }
    }

    /// The record of a built-in.
    pub(crate) fn builtin(run: Builtin, signature: &[&str], help: &str) -> Self {
        Method {
            answer: Answer::Builtin(run),
            signatures: vec![signature.iter().map(|s| (*s).to_owned()).collect()],
            help: help.to_owned(),
            param_names: Vec::new(),
            from_call: Vec::new(),
        }
    }

    /// The method's signatures: each the result type, then the parameter types.
    pub fn signatures(&self) -> &[Vec<String>] {
        &self.signatures
    }

    /// The method's help text (empty when none was given).
    pub fn help(&self) -> &str {
        &self.help
    }

    /// The parameters' names, in order (empty when not recorded).
    pub fn param_names(&self) -> &[String] {
        &self.param_names
    }

    /// Runs a registered function's call in `request`, its parameters
    /// named as recorded.
    pub(crate) fn call_function(
        &self,
        call: &Call,
        name: &str,
        params: Vec<Value>,
        request: &RequestContext,
        states: &States,
    ) -> Outcome {
        let site = CallSite {
            method: name,
            param_names: &self.param_names,
            request,
            states,
        };
        call(&site, params)
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Method")
            .field("signatures", &self.signatures)
            .field("help", &self.help)
            .finish_non_exhaustive()
    }
}

/// A just-registered method, to add help text or replace its signature.
#[derive(Debug)]
pub struct MethodRef<'a> {
    pub(crate) method: &'a mut Method,
}

impl MethodRef<'_> {
    /// Sets the help text (`system.methodHelp`, the documentation page).
    pub fn help(self, text: impl Into<String>) -> Self {
        self.method.help = text.into();
        self
    }

    /// Names the parameters, in order: the documentation page shows
    /// `div(x: i8, y: i8)`, and a fault says `div: parameter y: expected
    /// i8, got string` (the `#[xmlrpc_kit::methods]` macro records them from
    /// the Rust code).
    pub fn param_names<I, S>(self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        // Names given for every Rust parameter keep those of the ones
        // taken from the call (the request's are not in the signature).
        let from_call = &self.method.from_call;
        self.method.param_names = if names.len() == from_call.len() {
            names
                .into_iter()
                .zip(from_call)
                .filter_map(|(name, &from_call)| from_call.then_some(name))
                .collect()
        } else {
            names
        };
        self
    }

    /// Replaces the signatures derived from the Rust types (useful for
    /// handlers taking [`Value`]).
    pub fn signatures<I, S>(self, signatures: impl IntoIterator<Item = I>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.method.signatures = signatures
            .into_iter()
            .map(|sig| sig.into_iter().map(Into::into).collect())
            .collect();
        self
    }
}

/// Methods by name: the table inside [`Methods`](crate::Methods) and
/// [`Exports`](crate::Exports). Registering a name twice replaces the
/// first, as in Python.
#[derive(Clone, Default)]
pub(crate) struct Table {
    by_name: std::collections::HashMap<String, Method>,
}

impl Table {
    /// Records `method` under `name`.
    pub(crate) fn insert(&mut self, name: String, method: Method) -> MethodRef<'_> {
        MethodRef {
            method: self.by_name.entry(name).insert_entry(method).into_mut(),
        }
    }

    /// Records `handler` under `name`.
    pub(crate) fn insert_function<M, H: Handler<M>>(
        &mut self,
        name: impl Into<String>,
        handler: H,
    ) -> MethodRef<'_> {
        self.insert(name.into(), Method::function(handler))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Method> {
        self.by_name.get(name)
    }

    /// The names, in no order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &String> {
        self.by_name.keys()
    }

    pub(crate) fn extend(&mut self, other: Table) {
        self.by_name.extend(other.by_name);
    }
}

/// `register_function`, written once for the two public tables of
/// functions, [`Methods`](crate::Methods) and [`Exports`](crate::Exports):
/// the method with the documentation given, recording into their
/// [`Table`] field `$table` (`Handler` and `MethodRef` in scope where it
/// is used).
macro_rules! register_function {
    ($table:ident, $(#[doc = $doc:expr])*) => {
        $(#[doc = $doc])*
        pub fn register_function<M, H: Handler<M>>(
            &mut self,
            name: impl Into<String>,
            handler: H,
        ) -> MethodRef<'_> {
            self.$table.insert_function(name, handler)
        }
    };
}

pub(crate) use register_function;
