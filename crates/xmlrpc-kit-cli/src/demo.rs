//! The example server of Python's xmlrpc.server documentation, as `xmlrpc-kit demo` serves it: `pow`, `add`
//! (registered under a name other than its function's), an instance
//! exporting `div` and `mul`, and `echo`, with introspection and
//! multicall. The binary's own module, which the test-support crate
//! includes as it is, so that the binary, tests, fuzz targets and
//! benchmarks all serve exactly the same thing; no library exports it.

use xmlrpc_kit::{
    CgiHandler, Dialect, DispatchOptions, Dispatcher, Documentation, Fault, Methods,
    OutputEncoding, Value,
};

/// Python's `pow(x, y)` on integers: an int for `y >= 0`, a double for `y < 0`.
pub fn pow(x: i64, y: i64) -> Result<Value, Fault> {
    if y < 0 {
        if x == 0 {
            return Err(Fault::application("0 cannot be raised to a negative power"));
        }
        return Ok(Value::Double((x as f64).powf(y as f64)));
    }
    u32::try_from(y)
        .ok()
        .and_then(|y| x.checked_pow(y))
        .map(int)
        .ok_or_else(|| Fault::application(format!("pow({x}, {y}) does not fit in 64 bits")))
}

/// Python's `x + y` for the XML-RPC types it is defined on: numbers (an int
/// stays an int), strings and arrays (concatenated).
pub fn adder_function(x: Value, y: Value) -> Result<Value, Fault> {
    let as_f64 = |v: &Value| match *v {
        Value::Int(i) => Some(f64::from(i)),
        Value::I8(i) => Some(i as f64),
        Value::Double(d) => Some(d),
        _ => None,
    };
    match (x, y) {
        (Value::String(a), Value::String(b)) => Ok(Value::String(a + &b)),
        (Value::Array(mut a), Value::Array(b)) => {
            a.extend(b);
            Ok(Value::Array(a))
        }
        (a, b) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => a
                .checked_add(b)
                .map(int)
                .ok_or_else(|| Fault::application("the sum does not fit in 64 bits")),
            _ => match (as_f64(&a), as_f64(&b)) {
                (Some(a), Some(b)) => Ok(Value::Double(a + b)),
                _ => Err(Fault::invalid_params(format!(
                    "add: cannot add {} and {}",
                    a.type_name(),
                    b.type_name()
                ))),
            },
        },
    }
}

/// The `MyFuncs` class of Python's `xmlrpc.server` documentation: its `pub` methods are what the instance
/// exports, their help from their doc comments (`#[xmlrpc_kit::methods]`);
/// nothing else of it is reachable.
#[derive(Debug, Default)]
pub struct MyFuncs;

#[xmlrpc_kit::methods]
impl MyFuncs {
    /// div(x, y): x divided by y, rounded down (Python's x // y). Dividing by zero is a fault.
    pub fn div(&self, x: i64, y: i64) -> Result<i64, Fault> {
        if y == 0 {
            return Err(Fault::application("integer division or modulo by zero"));
        }
        let q = x
            .checked_div(y)
            .ok_or_else(|| Fault::application("the quotient does not fit in 64 bits"))?;
        Ok(if x % y != 0 && ((x < 0) != (y < 0)) {
            q - 1
        } else {
            q
        })
    }

    /// mul(x, y): x times y.
    pub fn mul(&self, x: i64, y: i64) -> Result<i64, Fault> {
        x.checked_mul(y)
            .ok_or_else(|| Fault::application("the product does not fit in 64 bits"))
    }
}

fn int(i: i64) -> Value {
    i32::try_from(i).map_or(Value::I8(i), Value::Int)
}

/// Every method `xmlrpc-kit demo` serves.
pub fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_multicall_functions();
    methods
        .register_function("pow", pow)
        .param_names(["x", "y"])
        .signatures([["i8", "i8", "i8"], ["double", "i8", "i8"]])
        .help("pow(x, y): x raised to the power y. A negative y gives a double, as Python's pow does.");
    methods
        .register_function("add", adder_function)
        .param_names(["x", "y"])
        .signatures([
            ["int", "int", "int"],
            ["double", "double", "double"],
            ["string", "string", "string"],
            ["array", "array", "array"],
        ])
        .help("add(x, y): x + y for two numbers, two strings or two arrays. Registered from adder_function under the name add.");
    methods
        .register_function("echo", |x: Value| x)
        .param_names(["x"])
        .help("echo(x): returns x unchanged, whatever its type. See also system.multicall to echo many values at once.");
    methods.register_instance(MyFuncs);
    methods
}

/// The demo's documentation page: title, heading and introduction, and a
/// form on each method that calls it from the page
/// ([`Documentation::try_it`], off by default elsewhere).
pub fn documentation() -> Documentation {
    Documentation::default()
        .try_it(true)
        .server_title("xmlrpc-kit demo")
        .server_name("The example server of Python's xmlrpc.server documentation")
        .server_documentation(
            "This server exports the example methods of Python's xmlrpc.server documentation \
             (https://docs.python.org/3/library/xmlrpc.server.html) through the XML-RPC protocol: \
             pow, add, and an instance exporting div and mul, plus echo.\n\n\
             POST a methodCall to this address with any XML-RPC client; \
             system.listMethods, system.methodHelp and system.methodSignature describe every method, \
             and system.multicall runs many calls in one request.",
        )
}

/// The demo's dispatcher: its [`methods`], `allow_none` on, responses in
/// `encoding` and `dialect`; JSON-RPC 2.0 answered too (`Content-Type:
/// application/json`).
pub fn dispatcher(encoding: OutputEncoding, dialect: Dialect) -> Dispatcher {
    Dispatcher::with_options(
        methods(),
        DispatchOptions::default()
            .json_rpc(true)
            .allow_none(true)
            .encoding(encoding)
            .dialect(dialect),
    )
}

/// The demo as a CGI program (`xmlrpc-kit demo --cgi`): Python's
/// `DocCGIXMLRPCRequestHandler` with the demo's [`dispatcher`] and
/// [`documentation`].
pub fn cgi_handler(encoding: OutputEncoding, dialect: Dialect) -> CgiHandler {
    CgiHandler::with_dispatcher(dispatcher(encoding, dialect)).documentation(documentation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_serves_the_methods_of_the_example() {
        assert_eq!(
            methods().list_methods(),
            [
                "add",
                "div",
                "echo",
                "mul",
                "pow",
                "system.getCapabilities",
                "system.listMethods",
                "system.methodHelp",
                "system.methodSignature",
                "system.multicall",
            ]
        );
    }

    #[test]
    fn div_is_floor_division_like_python() {
        let f = MyFuncs;
        assert_eq!(f.div(7, 2), Ok(3));
        assert_eq!(f.div(-7, 2), Ok(-4));
        assert_eq!(f.div(7, -2), Ok(-4));
        assert_eq!(f.div(-7, -2), Ok(3));
        assert_eq!(f.div(6, -3), Ok(-2));
        assert_eq!(f.div(1, 0).unwrap_err().code, -32500);
        assert!(f.div(i64::MIN, -1).is_err());
    }

    #[test]
    fn pow_and_add_follow_python() {
        assert_eq!(pow(2, 3), Ok(Value::Int(8)));
        assert_eq!(pow(2, 40), Ok(Value::I8(1 << 40)));
        assert_eq!(pow(2, -1), Ok(Value::Double(0.5)));
        assert!(pow(10, 30).is_err());
        assert_eq!(
            adder_function(Value::Int(2), Value::Int(3)),
            Ok(Value::Int(5))
        );
        assert_eq!(
            adder_function(Value::Int(2), Value::Double(0.5)),
            Ok(Value::Double(2.5))
        );
        assert_eq!(
            adder_function(Value::String("a".into()), Value::String("b".into())),
            Ok(Value::String("ab".into()))
        );
        assert_eq!(
            adder_function(Value::Bool(true), Value::Nil)
                .unwrap_err()
                .code,
            -32602
        );
    }
}
