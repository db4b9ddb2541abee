//! Instances: objects that answer the names no registered function has
//! (Python's `register_instance`), with hierarchical dotted names that reach
//! only what was deliberately exported.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use xmlrpc_kit_codec::{Fault, Value};

use crate::context::call_site::CallSite;
use crate::handler::{Handler, Outcome};
use crate::method::{Answer, MethodRef, Table, register_function};

/// An object registered with [`Methods::register_instance`](crate::Methods::register_instance).
///
/// [`dispatch`](Self::dispatch) is Python's `_dispatch(method, params)`
/// hook: it receives every method name that no registered function has, and
/// answers [`Fault::method_not_found`] for names it does not serve. Nothing
/// is reachable that the implementation does not match explicitly — there
/// is no attribute lookup to escape through.
///
/// ```
/// use xmlrpc_kit::{Fault, Instance, Outcome, Value};
///
/// struct Greeter;
///
/// impl Instance for Greeter {
///     fn dispatch(&self, method: &str, params: Vec<Value>) -> Outcome {
///         match (method, params.as_slice()) {
///             ("greet", [Value::String(name)]) => Ok(Value::String(format!("hello, {name}"))),
///             ("greet", _) => Err(Fault::invalid_params("greet takes one string")),
///             _ => Err(Fault::method_not_found(method)),
///         }
///         .into()
///     }
///     fn list_methods(&self) -> Vec<String> {
///         vec!["greet".into()]
///     }
/// }
/// ```
pub trait Instance: Send + Sync + 'static {
    /// Answers `method` with `params`.
    fn dispatch(&self, method: &str, params: Vec<Value>) -> Outcome;

    /// Answers the call `site` names (its method, within the request it
    /// came in), for instances whose handlers read the request. Default:
    /// [`dispatch`](Self::dispatch) with the method's name.
    fn dispatch_at(&self, site: &CallSite<'_>, params: Vec<Value>) -> Outcome {
        self.dispatch(site.method, params)
    }

    /// The names this instance answers (`system.listMethods`). Default: none.
    fn list_methods(&self) -> Vec<String> {
        Vec::new()
    }

    /// The help text of `method`, if it is one of this instance's. Default: none.
    fn method_help(&self, method: &str) -> Option<String> {
        let _ = method;
        None
    }

    /// The signatures of `method`, if known. Default: none.
    fn method_signatures(&self, method: &str) -> Option<Vec<Vec<String>>> {
        let _ = method;
        None
    }

    /// The names of `method`'s parameters, if known (for the
    /// documentation page). Default: none.
    fn method_param_names(&self, method: &str) -> Option<Vec<String>> {
        let _ = method;
        None
    }
}

/// What [`Methods::register_instance`](crate::Methods::register_instance)
/// and [`Exports::export_child`] take: every [`Instance`], and the types
/// whose methods `#[xmlrpc_kit::methods]` exports.
pub trait IntoInstance {
    /// The instance, shared.
    fn into_instance(self) -> Arc<dyn Instance>;
}

impl<T: Instance> IntoInstance for T {
    fn into_instance(self) -> Arc<dyn Instance> {
        Arc::new(self)
    }
}

impl<T: Instance + ?Sized> Instance for Arc<T> {
    fn dispatch(&self, method: &str, params: Vec<Value>) -> Outcome {
        (**self).dispatch(method, params)
    }
    fn dispatch_at(&self, site: &CallSite<'_>, params: Vec<Value>) -> Outcome {
        (**self).dispatch_at(site, params)
    }
    fn list_methods(&self) -> Vec<String> {
        (**self).list_methods()
    }
    fn method_help(&self, method: &str) -> Option<String> {
        (**self).method_help(method)
    }
    fn method_signatures(&self, method: &str) -> Option<Vec<Vec<String>>> {
        (**self).method_signatures(method)
    }
    fn method_param_names(&self, method: &str) -> Option<Vec<String>> {
        (**self).method_param_names(method)
    }
}

/// An [`Instance`] made of typed functions and named children: the safe form
/// of Python's `allow_dotted_names`.
///
/// A dotted name `a.b.c` is answered by a function registered as `a.b.c`,
/// or else by child `a` answering `b.c`. Nothing else is reachable: not a
/// function's attributes, not anything the instance holds but did not export.
///
/// ```
/// use std::sync::Arc;
/// use xmlrpc_kit::{Exports, Fault, Methods};
///
/// struct Calculator { scale: i64 }
///
/// let calc = Arc::new(Calculator { scale: 10 });
/// let mut math = Exports::new();
/// let c = calc.clone();
/// math.register_function("scale", move |x: i64| x * c.scale);
///
/// let mut root = Exports::new();
/// root.register_function("div", |x: i64, y: i64| {
///     if y == 0 { Err(Fault::application("division by zero")) } else { Ok(x.div_euclid(y)) }
/// });
/// root.export_child("math", math);
///
/// let mut methods = Methods::new();
/// methods.register_instance(root);
/// assert_eq!(methods.list_methods(), ["div", "math.scale"]);
/// ```
#[derive(Default)]
pub struct Exports {
    functions: Table,
    children: IndexMap<String, Arc<dyn Instance>>,
}

impl fmt::Debug for Exports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exports")
            .field("methods", &self.list_methods())
            .finish()
    }
}

impl Exports {
    /// Nothing exported yet.
    pub fn new() -> Self {
        Self::default()
    }

    register_function!(
        functions,
        /// Exports `handler` under `name`; see
        /// [`Methods::register_function`](crate::Methods::register_function).
    );

    /// Exports `child` under the prefix `name.` (`name` itself holds no dot).
    ///
    /// # Panics
    /// If `name` is empty or contains a dot: a programming error.
    pub fn export_child(&mut self, name: impl Into<String>, child: impl IntoInstance) {
        let name = name.into();
        assert!(
            !name.is_empty() && !name.contains('.'),
            "child name {name:?} must be non-empty and hold no dot"
        );
        self.children.insert(name, child.into_instance());
    }

    fn child_for<'m>(&self, method: &'m str) -> Option<(&Arc<dyn Instance>, &'m str)> {
        let (head, rest) = method.split_once('.')?;
        Some((self.children.get(head)?, rest))
    }
}

impl Instance for Exports {
    fn dispatch(&self, method: &str, params: Vec<Value>) -> Outcome {
        self.dispatch_at(&CallSite::new(method), params)
    }

    fn dispatch_at(&self, site: &CallSite<'_>, params: Vec<Value>) -> Outcome {
        let method = site.method;
        if let Some(record) = self.functions.get(method) {
            if let Answer::Function(call) = &record.answer {
                return record.call_function(
                    call.as_ref(),
                    method,
                    params,
                    site.request,
                    site.states,
                );
            }
        }
        let Some((child, rest)) = self.child_for(method).filter(|(_, rest)| !rest.is_empty())
        else {
            return Outcome::Ready(Err(Fault::method_not_found(method)));
        };
        let site = CallSite {
            method: rest,
            ..*site
        };
        match child.dispatch_at(&site, params) {
            // The child names what it was asked (`rest`); the client asked
            // for `method`, so its fault names that, as the root's does.
            Outcome::Ready(Err(fault)) if fault == Fault::method_not_found(rest) => {
                Outcome::Ready(Err(Fault::method_not_found(method)))
            }
            outcome => outcome,
        }
    }

    fn list_methods(&self) -> Vec<String> {
        let mut names: Vec<String> = self.functions.names().cloned().collect();
        names.sort();
        for (prefix, child) in self.children.iter() {
            names.extend(
                child
                    .list_methods()
                    .into_iter()
                    .map(|n| format!("{prefix}.{n}")),
            );
        }
        names
    }

    fn method_help(&self, method: &str) -> Option<String> {
        match self.functions.get(method) {
            Some(m) => Some(m.help().to_owned()),
            None => {
                let (child, rest) = self.child_for(method)?;
                child.method_help(rest)
            }
        }
    }

    fn method_signatures(&self, method: &str) -> Option<Vec<Vec<String>>> {
        match self.functions.get(method) {
            Some(m) => Some(m.signatures().to_vec()),
            None => {
                let (child, rest) = self.child_for(method)?;
                child.method_signatures(rest)
            }
        }
    }

    fn method_param_names(&self, method: &str) -> Option<Vec<String>> {
        match self.functions.get(method) {
            Some(m) => Some(m.param_names().to_vec()),
            None => {
                let (child, rest) = self.child_for(method)?;
                child.method_param_names(rest)
            }
        }
    }
}
