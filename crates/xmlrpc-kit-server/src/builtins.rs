//! The server's own methods, one record each: name, signature, help and
//! behaviour side by side. Adding a built-in is adding an entry here.

use futures::StreamExt as _;
use futures::stream::FuturesOrdered;
use xmlrpc_kit_codec::wire::{multicall, names};
use xmlrpc_kit_codec::{Fault, Struct, Value, codes};

use crate::method::{Builtin, DispatcherView, Method};

/// A built-in method, as registered.
pub(crate) struct Entry {
    pub(crate) name: &'static str,
    signature: &'static [&'static str],
    help: &'static str,
    run: Builtin,
}

impl Entry {
    pub(crate) fn method(&self) -> Method {
        Method::builtin(self.run, self.signature, self.help)
    }
}

/// Python's `register_introspection_functions`, plus `system.getCapabilities`.
pub(crate) const INTROSPECTION: [Entry; 4] = [
    Entry {
        name: names::LIST_METHODS,
        signature: &["array"],
        help: "Returns the names of every method the server answers, sorted.",
        run: Builtin::Now(list_methods),
    },
    Entry {
        name: names::METHOD_HELP,
        signature: &["string", "string"],
        help: "Returns the help text of the method named by its parameter.",
        run: Builtin::Now(method_help),
    },
    Entry {
        name: names::METHOD_SIGNATURE,
        signature: &["array", "string"],
        help: "Returns the signatures of the method named by its parameter: an array of arrays of type names, the result's first.",
        run: Builtin::Now(method_signature),
    },
    Entry {
        name: names::GET_CAPABILITIES,
        signature: &["struct"],
        help: "Returns the specifications this server follows (fault codes, introspection, multicall), with their URLs and versions.",
        run: Builtin::Now(capabilities),
    },
];

/// Python's `register_multicall_functions`.
pub(crate) const MULTICALL: Entry = Entry {
    name: names::MULTICALL,
    signature: &["array", "array"],
    help: "Runs several calls in one request. The parameter is an array of structs {methodName, params}; the result holds, in order, a one-element array with each call's value, or a struct {faultCode, faultString} for each call that failed.",
    run: Builtin::Multicall,
};

fn list_methods(server: &dyn DispatcherView, params: Vec<Value>) -> Result<Value, Fault> {
    no_params(names::LIST_METHODS, &params)?;
    let names = server.list_methods().into_iter().map(Value::String);
    Ok(Value::Array(names.collect()))
}

fn method_help(server: &dyn DispatcherView, params: Vec<Value>) -> Result<Value, Fault> {
    let name = name_param(names::METHOD_HELP, &params)?;
    server
        .method_help(name)
        .map(Value::String)
        .ok_or_else(|| Fault::method_not_found(name))
}

fn method_signature(server: &dyn DispatcherView, params: Vec<Value>) -> Result<Value, Fault> {
    let name = name_param(names::METHOD_SIGNATURE, &params)?;
    match server.method_signatures(name) {
        None => Err(Fault::method_not_found(name)),
        // The introspection specification's answer for "not declared".
        Some(sigs) if sigs.is_empty() => Ok(Value::String("undef".into())),
        Some(sigs) => Ok(Value::Array(
            sigs.into_iter()
                .map(|sig| Value::Array(sig.into_iter().map(Value::String).collect()))
                .collect(),
        )),
    }
}

fn no_params(method: &str, params: &[Value]) -> Result<(), Fault> {
    if params.is_empty() {
        Ok(())
    } else {
        Err(Fault::invalid_params(format!(
            "{method} takes no parameters"
        )))
    }
}

fn name_param<'a>(method: &str, params: &'a [Value]) -> Result<&'a str, Fault> {
    match params {
        [Value::String(name)] => Ok(name),
        _ => Err(Fault::invalid_params(format!(
            "{method} takes one string parameter: a method name"
        ))),
    }
}

fn capabilities(server: &dyn DispatcherView, params: Vec<Value>) -> Result<Value, Fault> {
    no_params(names::GET_CAPABILITIES, &params)?;
    let spec = |url: &str, version: i32| {
        let mut s = Struct::new();
        s.insert("specUrl", Value::String(url.into()));
        s.insert("specVersion", Value::Int(version));
        Value::Struct(s)
    };
    let mut caps = Struct::new();
    caps.insert("xmlrpc", spec("http://www.xmlrpc.com/spec", 1));
    caps.insert(
        "faults_interop",
        spec(
            "http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php",
            20010516,
        ),
    );
    caps.insert(
        "introspect",
        spec("http://xmlrpc-c.sourceforge.net/introspection.html", 1),
    );
    if server.has_method(names::MULTICALL) {
        caps.insert(
            names::MULTICALL,
            spec("https://web.archive.org/web/20060624230303/http://www.xmlrpc.com/discuss/msgReader$1208?mode=topic", 1),
        );
        // Our own entry, so that a client can split a larger batch.
        caps.insert(
            multicall::LIMIT_CAPABILITY,
            multicall::limit_capability(server.max_multicall_calls()),
        );
    }
    if server.allows_nil() {
        caps.insert("nil", spec("http://ontosys.com/xml-rpc/extensions.php", 1));
    }
    Ok(Value::Struct(caps))
}

/// `system.multicall` over its decoded parameters.
pub(crate) async fn multicall(
    server: &dyn DispatcherView,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    let calls = multicall::read_request(params)?;
    let calls = calls
        .into_iter()
        .enumerate()
        .map(|(index, call)| multicall::read_call(call, index + 1))
        .collect();
    let results = run_multicall(server, calls).await?;
    Ok(Value::Array(
        results.into_iter().map(multicall::result).collect(),
    ))
}

/// Runs the calls of a multicall (each its method and parameters, or the
/// fault saying it is not well formed) and gives their results in order;
/// a fault for the whole request if they are more than the limit. Calls
/// run one after the other, or up to
/// [`multicall_concurrency`](crate::DispatchOptions::multicall_concurrency)
/// at once. (Loops rather than iterator adapters: a closure held across
/// an `.await` makes the future's `Send` unprovable to the compiler when
/// the method names are borrowed.)
pub(crate) async fn run_multicall<M: AsRef<str>>(
    server: &dyn DispatcherView,
    calls: Vec<Result<(M, Vec<Value>), Fault>>,
) -> Result<Vec<Result<Value, Fault>>, Fault> {
    let max = server.max_multicall_calls();
    if calls.len() > max {
        return Err(Fault::new(
            codes::INVALID_REQUEST,
            format!(
                "{} holds {} calls, more than the limit of {max}",
                names::MULTICALL,
                calls.len()
            ),
        ));
    }
    let concurrency = server.multicall_concurrency();
    let mut results = Vec::with_capacity(calls.len());
    if concurrency <= 1 {
        for (index, call) in calls.into_iter().enumerate() {
            results.push(multicall_one(server, index + 1, call).await);
        }
        return Ok(results);
    }
    let mut running = FuturesOrdered::new();
    for (index, call) in calls.into_iter().enumerate() {
        if running.len() == concurrency {
            results.extend(running.next().await);
        }
        running.push_back(multicall_one(server, index + 1, call));
    }
    while let Some(result) = running.next().await {
        results.push(result);
    }
    Ok(results)
}

/// Call `number` (1-based) of a multicall.
async fn multicall_one<M: AsRef<str>>(
    server: &dyn DispatcherView,
    number: usize,
    call: Result<(M, Vec<Value>), Fault>,
) -> Result<Value, Fault> {
    let (method, params) = call?;
    let method = method.as_ref();
    if method == names::MULTICALL {
        return Err(Fault::new(
            codes::INVALID_REQUEST,
            format!("call {number}: {} cannot be nested", names::MULTICALL),
        ));
    }
    server.start(method, params, number).finish().await
}
