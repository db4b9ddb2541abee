//! Our client against the interoperability suite's peer servers
//! (`tests/interop/README.md`).
//!
//! `interop_client URL [--profile echo|supervisord|rtorrent] [--dialect NAME] [--json-rpc] [--trace]`
//! prints one `NAME<TAB>RESULT` line per check: `ok`, the difference
//! found, or `ERROR …` when the call failed. `--trace` prints each request
//! and response body on stderr.
//!
//! `--json-rpc` speaks JSON-RPC 2.0 instead (`Protocol::JsonRpc`): the
//! same checks, the values in their JSON forms (base64 and dateTime as
//! the tagged objects `{"$base64": …}`, `{"$dateTime": …}`), the fault as
//! an error object, introspection as ordinary methods, and the multicall
//! check as a JSON-RPC batch of the same three calls, its results turned
//! back into `system.multicall`'s form to be judged.

use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use xmlrpc_kit::client::{Direction, Error};
use xmlrpc_kit::{Dialect, Protocol, Value, blocking::Client};
use xmlrpc_kit_test_support::interop::{self, describe, difference};

struct Checks {
    client: Client,
    /// JSON-RPC 2.0: the multicall check is a batch.
    json_rpc: bool,
}

impl Checks {
    /// Prints the outcome of one check.
    fn report(&self, name: &str, outcome: Result<Option<String>, Error>) {
        let result = match outcome {
            Ok(None) => "ok".to_owned(),
            Ok(Some(difference)) => difference,
            Err(e) => format!("ERROR {}", one_line(&e.to_string())),
        };
        println!("{name}\t{result}");
    }

    /// Calls `method` with `params` and compares the result with `expected`.
    fn expect(&self, name: &str, method: &str, params: Vec<Value>, expected: &Value) {
        let outcome = self
            .client
            .call_value(method, params)
            .map(|got| difference(expected, &got));
        self.report(name, outcome);
    }

    /// Calls `method` and judges the result with `judge`.
    fn judge(
        &self,
        name: &str,
        method: &str,
        params: Vec<Value>,
        judge: impl FnOnce(&Value) -> Option<String>,
    ) {
        let outcome = self
            .client
            .call_value(method, params)
            .map(|got| judge(&got));
        self.report(name, outcome);
    }

    /// Calls `method`, expecting the fault `code` / `string`.
    fn expect_fault(&self, name: &str, method: &str, params: Vec<Value>, code: i32, string: &str) {
        let expected = Value::Array(vec![Value::Int(code), Value::String(string.into())]);
        let outcome = match self.client.call_value(method, params) {
            Ok(got) => Ok(Some(format!("expected a fault, got {}", describe(&got)))),
            Err(Error::Fault(fault)) => Ok(difference(
                &expected,
                &Value::Array(vec![Value::Int(fault.code), Value::String(fault.string)]),
            )),
            Err(e) => Err(e),
        };
        self.report(name, outcome);
    }

    /// Sends `calls` (`system.multicall`'s array of `{methodName,
    /// params}` structs) as one batch (a JSON-RPC batch, with
    /// `--json-rpc`), turns the results back into `system.multicall`'s
    /// answer (`[value]` for a result, a fault struct) and compares it
    /// with the expected one.
    fn batch(&self, name: &str, calls: &Value) {
        let mut batch = self.client.batch();
        for call in calls.as_array().unwrap_or_default() {
            let (Some(method), Some(Value::Array(params))) = (
                call.as_struct()
                    .and_then(|s| s.get("methodName"))
                    .and_then(Value::as_str),
                call.as_struct().and_then(|s| s.get("params")),
            ) else {
                continue;
            };
            batch.add(method, params.clone());
        }
        let outcome = batch.send().map(|results| {
            let got = Value::Array(
                results
                    .into_iter()
                    .map(|result| match result {
                        Ok(value) => Value::Array(vec![value]),
                        Err(fault) => Value::Struct(
                            [
                                ("faultCode".to_owned(), Value::Int(fault.code)),
                                ("faultString".to_owned(), Value::String(fault.string)),
                            ]
                            .into(),
                        ),
                    })
                    .collect(),
            );
            difference(&interop::expected_multicall(), &got)
        });
        self.report(name, outcome);
    }
}

/// The peer's `system.listMethods` holds every name in `wanted`.
fn lists(wanted: &'static [&'static str]) -> impl FnOnce(&Value) -> Option<String> {
    move |got| {
        let Value::Array(names) = got else {
            return Some(format!("expected an array of names, got {}", describe(got)));
        };
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|w| !names.iter().any(|n| n.as_str() == Some(w)))
            .collect();
        (!missing.is_empty()).then(|| format!("{missing:?} missing from the list"))
    }
}

/// A signature list: an array of arrays of type names.
fn is_signature_list(got: &Value) -> Option<String> {
    let well_formed = match got {
        Value::Array(signatures) => signatures.iter().all(|s| match s {
            Value::Array(types) => !types.is_empty() && types.iter().all(|t| t.as_str().is_some()),
            _ => false,
        }),
        _ => false,
    };
    (!well_formed).then(|| format!("expected an array of signatures, got {}", describe(got)))
}

fn is_string(got: &Value) -> Option<String> {
    got.as_str()
        .is_none()
        .then(|| format!("expected a string, got {}", describe(got)))
}

fn string(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// A peer server with `echo`, `fault` and `add`.
fn echo_profile(checks: &Checks) {
    for case in interop::cases() {
        checks.expect(case.name, "echo", vec![case.value.clone()], &case.value);
    }
    checks.expect_fault(
        "fault",
        "fault",
        vec![
            Value::Int(interop::FAULT_CODE),
            string(interop::FAULT_STRING),
        ],
        interop::FAULT_CODE,
        interop::FAULT_STRING,
    );
    checks.judge(
        "introspection.list",
        "system.listMethods",
        vec![],
        lists(&["echo", "fault", "add"]),
    );
    checks.judge(
        "introspection.signature",
        "system.methodSignature",
        vec![string("add")],
        is_signature_list,
    );
    checks.judge(
        "introspection.help",
        "system.methodHelp",
        vec![string("add")],
        is_string,
    );
    if checks.json_rpc {
        checks.batch("multicall", &interop::multicall_calls("fault"));
    } else {
        checks.expect(
            "multicall",
            "system.multicall",
            vec![interop::multicall_calls("fault")],
            &interop::expected_multicall(),
        );
    }
}

/// supervisord's own API (it has no echo).
fn supervisord_profile(checks: &Checks) {
    checks.expect(
        "supervisor.getAPIVersion",
        "supervisor.getAPIVersion",
        vec![],
        &string("3.0"),
    );
    let running: Value = Value::Struct(
        [
            ("statecode".to_owned(), Value::Int(1)),
            ("statename".to_owned(), string("RUNNING")),
        ]
        .into(),
    );
    checks.expect(
        "supervisor.getState",
        "supervisor.getState",
        vec![],
        &running,
    );
    checks.expect_fault(
        "fault",
        "supervisor.getProcessInfo",
        vec![string("no-such-process")],
        10,
        "BAD_NAME: no-such-process",
    );
    checks.judge(
        "introspection.list",
        "system.listMethods",
        vec![],
        lists(&["supervisor.getState", "system.multicall"]),
    );
    checks.judge(
        "introspection.signature",
        "system.methodSignature",
        vec![string("supervisor.getState")],
        is_signature_list,
    );
    checks.judge(
        "introspection.help",
        "system.methodHelp",
        vec![string("supervisor.getState")],
        is_string,
    );
    let call = |name: &str, params: Vec<Value>| {
        Value::Struct(
            [
                ("methodName".to_owned(), string(name)),
                ("params".to_owned(), Value::Array(params)),
            ]
            .into(),
        )
    };
    let fault = Value::Struct(
        [
            ("faultCode".to_owned(), Value::Int(10)),
            ("faultString".to_owned(), string("BAD_NAME: nope")),
        ]
        .into(),
    );
    checks.expect(
        "multicall",
        "system.multicall",
        vec![Value::Array(vec![
            call("supervisor.getAPIVersion", vec![]),
            call("supervisor.getProcessInfo", vec![string("nope")]),
        ])],
        // supervisord answers each result bare, not in a one-item array.
        &Value::Array(vec![string("3.0"), fault]),
    );
}

/// rTorrent's command API (it has no echo; `cat` joins strings).
fn rtorrent_profile(checks: &Checks) {
    for name in [
        "string.ascii",
        "string.latin",
        "string.cjk",
        "string.emoji",
        "string.xml-specials",
        "string.whitespace",
        "string.long",
    ] {
        let value = interop::case(name).map(|c| c.value).unwrap_or(Value::Nil);
        checks.expect(name, "cat", vec![string(""), value.clone()], &value);
    }
    checks.judge(
        "system.client_version",
        "system.client_version",
        vec![],
        is_string,
    );
    checks.judge(
        "i8.rate",
        "throttle.global_down.max_rate",
        vec![],
        |got| match got {
            Value::I8(_) | Value::Int(_) => None,
            other => Some(format!("expected an integer, got {}", describe(other))),
        },
    );
    checks.judge(
        "introspection.list",
        "system.listMethods",
        vec![],
        lists(&["system.client_version", "system.multicall"]),
    );
    checks.expect_fault(
        "fault",
        "no.such.method",
        vec![],
        -506,
        "Method 'no.such.method' not defined",
    );
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut profile = "echo".to_owned();
    let mut dialect = Dialect::default();
    let mut trace = false;
    let mut json_rpc = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--profile" => profile = args.next().unwrap_or_default(),
            "--dialect" => match args.next().as_deref().map(Dialect::from_str) {
                Some(Ok(d)) => dialect = d,
                Some(Err(e)) => {
                    eprintln!("interop_client: {e}");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!("interop_client: --dialect takes a name");
                    return ExitCode::from(2);
                }
            },
            "--trace" => trace = true,
            "--json-rpc" => json_rpc = true,
            _ if url.is_none() && !arg.starts_with('-') => url = Some(arg),
            other => {
                eprintln!("interop_client: unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(url) = url else {
        eprintln!(
            "usage: interop_client URL [--profile echo|supervisord|rtorrent] [--dialect NAME] [--json-rpc] [--trace]"
        );
        return ExitCode::from(2);
    };
    let mut builder = Client::builder(&url)
        .allow_none(true)
        .dialect(dialect)
        .timeout(Duration::from_secs(30));
    if json_rpc {
        builder = builder.protocol(Protocol::JsonRpc);
    }
    if trace {
        builder = builder.inspect(|direction, body| {
            let label = match direction {
                Direction::Request => ">>> request",
                Direction::Response => "<<< response",
            };
            let text = String::from_utf8_lossy(&body[..body.len().min(4000)]);
            eprintln!("{label} ({} bytes)\n{text}", body.len());
        });
    }
    let client = match builder.build_blocking() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("interop_client: {e}");
            return ExitCode::from(2);
        }
    };
    let checks = Checks { client, json_rpc };
    match profile.as_str() {
        "echo" => echo_profile(&checks),
        "supervisord" => supervisord_profile(&checks),
        "rtorrent" => rtorrent_profile(&checks),
        other => {
            eprintln!("interop_client: no profile {other:?} (echo, supervisord, rtorrent)");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
