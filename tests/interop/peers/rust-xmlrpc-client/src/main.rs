//! The `xmlrpc` crate (0.15) as an interop peer client:
//! `xmlrpc_crate_client_peer URL` makes the calls of
//! tests/interop/README.md ("A peer client program") and prints
//! `NAME<TAB>RESULT` per check. Values stay `xmlrpc::Value`s both ways; the
//! multicall check is the crate's own `Request::new_multicall`, whose
//! answer is the raw array.

use xmlrpc::{Error, Request, Value};

const FAULT_STRING: &str = "Too many parameters: <&> 'quoted' \"double\" é";

fn one_line(error: &Error) -> String {
    format!("ERROR {}", error.to_string().replace(['\n', '\r'], " "))
}

/// `interop.check(name, value)`'s answer, or `ERROR …`.
fn check(url: &str, name: &str, value: Result<Value, Error>) -> String {
    let value = match value {
        Ok(value) => value,
        Err(error) => return one_line(&error),
    };
    match Request::new("interop.check").arg(name).arg(value).call_url(url) {
        Ok(Value::String(answer)) => answer,
        Ok(other) => format!("ERROR interop.check answered {other:?}"),
        Err(error) => one_line(&error),
    }
}

fn main() {
    let url = std::env::args().nth(1).expect("usage: xmlrpc_crate_client_peer URL");
    let url = url.as_str();

    let names = match Request::new("interop.cases").call_url(url) {
        Ok(Value::Array(names)) => names,
        Ok(other) => return println!("cases\tERROR interop.cases answered {other:?}"),
        Err(error) => return println!("cases\t{}", one_line(&error)),
    };
    for name in names.iter().filter_map(Value::as_str) {
        let value = Request::new("interop.case").arg(name).call_url(url);
        println!("{name}\t{}", check(url, name, value));
    }

    let fault = match Request::new("interop.fault").arg(4).arg(FAULT_STRING).call_url(url) {
        Err(error) => match error.fault() {
            Some(fault) => Ok(Value::Array(vec![
                Value::Int(fault.fault_code),
                Value::String(fault.fault_string.clone()),
            ])),
            None => Err(error),
        },
        Ok(value) => Ok(value),
    };
    println!("fault\t{}", check(url, "fault", fault));

    let list = Request::new("system.listMethods").call_url(url);
    println!("introspection.list\t{}", check(url, "introspection.list", list));
    let signature = Request::new("system.methodSignature").arg("add").call_url(url);
    println!("introspection.signature\t{}", check(url, "introspection.signature", signature));
    let help = Request::new("system.methodHelp").arg("add").call_url(url);
    println!("introspection.help\t{}", check(url, "introspection.help", help));

    let calls = [
        Request::new("add").arg(2).arg(3),
        Request::new("interop.fault").arg(4).arg("in a multicall"),
        Request::new("echo").arg("x"),
    ];
    let multicall = Request::new_multicall(&calls).call_url(url);
    println!("multicall\t{}", check(url, "multicall", multicall));
}
