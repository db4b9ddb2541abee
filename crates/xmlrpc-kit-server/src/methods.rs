//! The method table: every method's record, and the instance that answers
//! the names no record has. Introspection and the documentation page
//! derive from it.

use std::fmt;
use std::sync::Arc;

use crate::builtins;
use crate::context::States;
use crate::handler::Handler;
use crate::instance::{Instance, IntoInstance};
use crate::method::{Method, MethodRef, Table, register_function};

/// A table of XML-RPC methods (Python's `SimpleXMLRPCDispatcher` registry).
///
/// Cheap to clone; build it before serving, then hand it to a
/// [`Dispatcher`](crate::Dispatcher) or a server. Registering a name twice
/// replaces the first registration, as in Python.
///
/// ```
/// use xmlrpc_kit::{Methods, Value};
///
/// let mut methods = Methods::new();
/// methods.register_function("pow", |x: i64, y: u32| x.pow(y)).help("x to the power y");
/// methods.register_function("add", |x: i64, y: i64| x + y);
/// methods.register_function("echo", |x: Value| x);
/// methods.register_introspection_functions();
/// methods.register_multicall_functions();
/// assert_eq!(methods.get("pow").unwrap().signatures(), [["i8", "i8", "i8"]]);
/// ```
#[derive(Clone, Default)]
pub struct Methods {
    table: Table,
    instance: Option<Arc<dyn Instance>>,
    states: States,
}

impl fmt::Debug for Methods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.table.names().collect();
        names.sort();
        f.debug_struct("Methods")
            .field("names", &names)
            .field("instance", &self.instance.is_some())
            .finish()
    }
}

impl Methods {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    register_function!(
        table,
        /// Registers `handler` under `name`: any Unicode string, dots included.
        ///
        /// `handler` is a sync or `async` function or closure; see [`Handler`].
        /// Its signature comes from its Rust types.
    );

    /// Adds application state that handlers receive as a
    /// [`State<T>`](crate::context::State) parameter (a clone of `value`;
    /// share mutable state through an `Arc`). One value per type: adding a
    /// second of the same type replaces the first.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use xmlrpc_kit::Methods;
    /// use xmlrpc_kit::context::State;
    ///
    /// let mut methods = Methods::new();
    /// methods.add_state(Arc::new(AtomicU64::new(0)));
    /// methods.register_function("hits", |State(hits): State<Arc<AtomicU64>>| {
    ///     hits.fetch_add(1, Ordering::SeqCst) + 1
    /// });
    /// let dispatcher = xmlrpc_kit::Dispatcher::new(methods);
    /// let hits = futures::executor::block_on(dispatcher.call("hits", vec![]));
    /// assert_eq!(hits, Ok(xmlrpc_kit::Value::Int(1)));
    /// ```
    pub fn add_state<T: Clone + Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        self.states.insert(value);
        self
    }

    pub(crate) fn states(&self) -> &States {
        &self.states
    }

    /// Registers `instance` to answer the names no registered function has
    /// (Python's `register_instance`). A second call replaces the first.
    pub fn register_instance(&mut self, instance: impl IntoInstance) {
        self.instance = Some(instance.into_instance());
    }

    /// Registers `system.listMethods`, `system.methodHelp`,
    /// `system.methodSignature` and `system.getCapabilities`.
    pub fn register_introspection_functions(&mut self) {
        for entry in &builtins::INTROSPECTION {
            self.table.insert(entry.name.into(), entry.method());
        }
    }

    /// Registers `system.multicall`: many calls in one request, answered in
    /// order, each result wrapped in a one-element array and each failure a
    /// fault struct (Python's shape).
    pub fn register_multicall_functions(&mut self) {
        let entry = &builtins::MULTICALL;
        self.table.insert(entry.name.into(), entry.method());
    }

    /// Adds every method of `other`, replacing those of the same name; its
    /// instance, if any, replaces this table's, and its states those of
    /// the same types.
    pub fn merge(&mut self, other: Methods) {
        self.states.extend(&other.states);
        self.table.extend(other.table);
        if other.instance.is_some() {
            self.instance = other.instance;
        }
    }

    /// The record of the registered function or built-in `name`.
    pub fn get(&self, name: &str) -> Option<&Method> {
        self.table.get(name)
    }

    /// Whether `name` is registered (not counting the instance).
    pub fn contains(&self, name: &str) -> bool {
        self.table.get(name).is_some()
    }

    /// The registered instance, if any.
    pub fn instance(&self) -> Option<&Arc<dyn Instance>> {
        self.instance.as_ref()
    }

    /// Every method name the table answers — registered functions, built-ins
    /// and the instance's — sorted and without duplicates
    /// (`system.listMethods`).
    pub fn list_methods(&self) -> Vec<String> {
        let mut names: Vec<String> = self.table.names().cloned().collect();
        if let Some(instance) = &self.instance {
            names.extend(instance.list_methods());
        }
        names.sort();
        names.dedup();
        names
    }

    /// The help text of `name`, from the table or the instance; `None` if
    /// no such method is known (`system.methodHelp`).
    pub fn method_help(&self, name: &str) -> Option<String> {
        match self.table.get(name) {
            Some(method) => Some(method.help().to_owned()),
            None => self.instance.as_ref()?.method_help(name),
        }
    }

    /// The parameters' names of `name`, from the table or the instance;
    /// `None` if unknown, empty if not recorded.
    pub fn method_param_names(&self, name: &str) -> Option<Vec<String>> {
        match self.table.get(name) {
            Some(method) => Some(method.param_names().to_vec()),
            None => self.instance.as_ref()?.method_param_names(name),
        }
    }

    /// The signatures of `name`; `None` if unknown, empty if not declared
    /// (`system.methodSignature`).
    pub fn method_signatures(&self, name: &str) -> Option<Vec<Vec<String>>> {
        match self.table.get(name) {
            Some(method) => Some(method.signatures().to_vec()),
            None => {
                let instance = self.instance.as_ref()?;
                if !instance.list_methods().iter().any(|n| n == name) {
                    return None;
                }
                Some(instance.method_signatures(name).unwrap_or_default())
            }
        }
    }
}
