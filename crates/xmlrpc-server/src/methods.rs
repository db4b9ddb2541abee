//! The method table: every method's name, handler, signatures and help,
//! recorded once. Introspection and the documentation page derive from it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use xmlrpc_codec::Value;

use crate::handler::{Handler, Outcome};
use crate::instance::Instance;

type Call = dyn Fn(&str, Vec<Value>) -> Outcome + Send + Sync;

/// What answers a method: a registered function, or one of the server's own.
#[derive(Clone)]
pub(crate) enum Kind {
    Function(Arc<Call>),
    ListMethods,
    MethodHelp,
    MethodSignature,
    Multicall,
    Capabilities,
}

/// One method's record.
#[derive(Clone)]
pub struct Method {
    pub(crate) kind: Kind,
    signatures: Vec<Vec<String>>,
    help: String,
}

impl Method {
    /// The method's signatures: each the result type, then the parameter types.
    pub fn signatures(&self) -> &[Vec<String>] {
        &self.signatures
    }
    /// The method's help text (empty when none was given).
    pub fn help(&self) -> &str {
        &self.help
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
    method: &'a mut Method,
}

impl MethodRef<'_> {
    /// Sets the help text (`system.methodHelp`, the documentation page).
    pub fn help(self, text: impl Into<String>) -> Self {
        self.method.help = text.into();
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

/// A table of XML-RPC methods (Python's `SimpleXMLRPCDispatcher` registry).
///
/// Cheap to clone; build it before serving, then hand it to a
/// [`Dispatcher`](crate::Dispatcher). Registering a name twice replaces the
/// first registration, as in Python.
///
/// ```
/// use xmlrpc_server::{Methods, Value};
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
    table: HashMap<String, Method>,
    instance: Option<Arc<dyn Instance>>,
}

impl fmt::Debug for Methods {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<_> = self.table.keys().collect();
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

    /// Registers `handler` under `name`: any Unicode string, dots included.
    ///
    /// `handler` is a sync or `async` function or closure; see [`Handler`].
    /// Its signature comes from its Rust types.
    pub fn register_function<M, H: Handler<M>>(
        &mut self,
        name: impl Into<String>,
        handler: H,
    ) -> MethodRef<'_> {
        let signature = H::signature().into_iter().map(String::from).collect();
        let call: Arc<Call> = Arc::new(move |method: &str, params| handler.call(method, params));
        self.insert(
            name.into(),
            Kind::Function(call),
            vec![signature],
            String::new(),
        )
    }

    fn insert(
        &mut self,
        name: String,
        kind: Kind,
        signatures: Vec<Vec<String>>,
        help: String,
    ) -> MethodRef<'_> {
        let slot = self.table.entry(name).insert_entry(Method {
            kind,
            signatures,
            help,
        });
        MethodRef {
            method: slot.into_mut(),
        }
    }

    /// Registers `instance` to answer the names no registered function has
    /// (Python's `register_instance`). A second call replaces the first.
    pub fn register_instance(&mut self, instance: impl Instance) {
        self.instance = Some(Arc::new(instance));
    }

    /// Registers `system.listMethods`, `system.methodHelp`,
    /// `system.methodSignature` and `system.getCapabilities`.
    pub fn register_introspection_functions(&mut self) {
        let builtins = [
            (
                "system.listMethods",
                Kind::ListMethods,
                vec!["array"],
                "Returns the names of every method the server answers, sorted.",
            ),
            (
                "system.methodHelp",
                Kind::MethodHelp,
                vec!["string", "string"],
                "Returns the help text of the method named by its parameter.",
            ),
            (
                "system.methodSignature",
                Kind::MethodSignature,
                vec!["array", "string"],
                "Returns the signatures of the method named by its parameter: an array of arrays of type names, the result's first.",
            ),
            (
                "system.getCapabilities",
                Kind::Capabilities,
                vec!["struct"],
                "Returns the specifications this server follows (fault codes, introspection, multicall), with their URLs and versions.",
            ),
        ];
        for (name, kind, signature, help) in builtins {
            self.insert(
                name.into(),
                kind,
                vec![signature.into_iter().map(String::from).collect()],
                help.into(),
            );
        }
    }

    /// Registers `system.multicall`: many calls in one request, answered in
    /// order, each result wrapped in a one-element array and each failure a
    /// fault struct (Python's shape).
    pub fn register_multicall_functions(&mut self) {
        self.insert(
            "system.multicall".into(),
            Kind::Multicall,
            vec![vec!["array".into(), "array".into()]],
            "Runs several calls in one request. The parameter is an array of structs {methodName, params}; the result holds, in order, a one-element array with each call's value, or a struct {faultCode, faultString} for each call that failed.".into(),
        );
    }

    /// Adds every method of `other`, replacing those of the same name; its
    /// instance, if any, replaces this table's.
    pub fn merge(&mut self, other: Methods) {
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
        self.table.contains_key(name)
    }

    /// The registered instance, if any.
    pub fn instance(&self) -> Option<&Arc<dyn Instance>> {
        self.instance.as_ref()
    }

    /// Every method name the table answers — registered functions, built-ins
    /// and the instance's — sorted and without duplicates
    /// (`system.listMethods`).
    pub fn list_methods(&self) -> Vec<String> {
        let mut names: Vec<String> = self.table.keys().cloned().collect();
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
            Some(method) => Some(method.help.clone()),
            None => self.instance.as_ref()?.method_help(name),
        }
    }

    /// The signatures of `name`; `None` if unknown, empty if not declared
    /// (`system.methodSignature`).
    pub fn method_signatures(&self, name: &str) -> Option<Vec<Vec<String>>> {
        match self.table.get(name) {
            Some(method) => Some(method.signatures.clone()),
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
