//! Per-call middleware through the public API, socket-free: the order of
//! layers, multicall's calls, refusals by identity, waiting layers,
//! panics, and answers the same bytes as without layers.

use std::sync::{Arc, Mutex};

use futures::executor::block_on;
use xmlrpc_kit::context::{Identity, RequestContext};
use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
use xmlrpc_kit::wire::multicall;
use xmlrpc_kit::{
    DispatchOptions, Dispatcher, Exports, Fault, MethodCall, Methods, Value, encode_call,
};

type Journal = Arc<Mutex<Vec<String>>>;

/// Writes `name>method` when a call enters and `name<method=result` when
/// its result passes back, and whether the result was there at once.
struct Trace {
    name: &'static str,
    journal: Journal,
}

impl Middleware for Trace {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        let position = call.position().map_or(String::new(), |p| format!("#{p}"));
        let label = format!("{}{position}", call.method());
        self.journal
            .lock()
            .unwrap()
            .push(format!("{}>{label}", self.name));
        let called = next.run(call);
        let at_once = if called.is_ready() { "" } else { " later" };
        let (name, journal) = (self.name, self.journal.clone());
        called.inspect(move |result| {
            let shown = match result {
                Ok(v) => format!("{v:?}"),
                Err(f) => format!("fault {}", f.code),
            };
            journal
                .lock()
                .unwrap()
                .push(format!("{name}<{label}={shown}{at_once}"));
        })
    }
}

fn methods() -> Methods {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    m.register_function("add", |x: i32, y: i32| x + y);
    m.register_function("slow.add", |x: i32, y: i32| async move { x + y });
    m.register_function("delete", |name: String| format!("deleted {name}"));
    let mut funcs = Exports::new();
    funcs.register_function("div", |x: i64, y: i64| {
        if y == 0 {
            Err(Fault::application("division by zero"))
        } else {
            Ok(x / y)
        }
    });
    m.register_instance(funcs);
    m
}

fn traced(journal: &Journal) -> Dispatcher {
    let options = DispatchOptions::default()
        .layer(Trace {
            name: "outer",
            journal: journal.clone(),
        })
        .layer(Trace {
            name: "inner",
            journal: journal.clone(),
        });
    Dispatcher::with_options(methods(), options)
}

fn body(method: &str, params: &[Value]) -> Vec<u8> {
    let call = MethodCall {
        method: method.into(),
        params: params.to_vec(),
    };
    encode_call(&call, &Default::default()).unwrap()
}

#[test]
fn the_first_layer_added_sees_the_call_first_and_its_result_last() {
    let journal = Journal::default();
    let d = traced(&journal);
    assert_eq!(
        block_on(d.call("add", vec![Value::Int(2), Value::Int(3)])),
        Ok(Value::Int(5))
    );
    assert_eq!(
        *journal.lock().unwrap(),
        [
            "outer>add",
            "inner>add",
            "inner<add=Int(5)",
            "outer<add=Int(5)"
        ]
    );
}

#[test]
fn an_async_handler_passes_back_through_the_layers_when_it_ends() {
    let journal = Journal::default();
    let d = traced(&journal);
    assert_eq!(
        block_on(d.call("slow.add", vec![Value::Int(2), Value::Int(3)])),
        Ok(Value::Int(5))
    );
    assert_eq!(
        *journal.lock().unwrap(),
        [
            "outer>slow.add",
            "inner>slow.add",
            "inner<slow.add=Int(5) later",
            "outer<slow.add=Int(5) later"
        ]
    );
}

#[test]
fn every_call_of_a_multicall_runs_through_the_layers_with_its_position() {
    let journal = Journal::default();
    let d = traced(&journal);
    let calls = Value::Array(vec![
        multicall::call("add", vec![Value::Int(1), Value::Int(1)]),
        multicall::call("div", vec![Value::Int(1), Value::Int(0)]),
        multicall::call("nope", vec![]),
    ]);
    let document = body("system.multicall", &[calls]);
    let reply = block_on(d.handle_request(&document));
    assert_eq!(reply.method.as_deref(), Some("system.multicall"));
    let journal = journal.lock().unwrap();
    let outer: Vec<&str> = journal
        .iter()
        .filter(|line| line.starts_with("outer"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        outer,
        [
            "outer>system.multicall",
            "outer>add#1",
            "outer<add#1=Int(2)",
            "outer>div#2",
            "outer<div#2=fault -32500",
            "outer>nope#3",
            "outer<nope#3=fault -32601",
            "outer<system.multicall=Array([Array([Int(2)]), Struct({\"faultCode\": Int(-32500), \"faultString\": String(\"division by zero\")}), Struct({\"faultCode\": Int(-32601), \"faultString\": String(\"method \\\"nope\\\" is not supported\")})]) later",
        ]
    );
}

/// Records each call's method, parameter count and multicall size; does
/// not read a multicall's own parameters.
struct Sizes(Journal);

impl Middleware for Sizes {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        let line = format!(
            "{} params={} size={:?}",
            call.method(),
            call.params().len(),
            call.multicall_size()
        );
        self.0.lock().unwrap().push(line);
        next.run(call)
    }

    fn reads_multicall_params(&self) -> bool {
        false
    }
}

#[test]
fn a_layer_that_does_not_read_a_multicalls_params_gets_its_size() {
    for reads in [false, true] {
        let journal = Journal::default();
        let options = if reads {
            DispatchOptions::default()
                .layer(Sizes(journal.clone()))
                .layer(Listed(Journal::default()))
        } else {
            DispatchOptions::default().layer(Sizes(journal.clone()))
        };
        let d = Dispatcher::with_options(methods(), options);
        let calls = Value::Array(vec![
            multicall::call("add", vec![Value::Int(1), Value::Int(1)]),
            multicall::call("nope", vec![]),
        ]);
        let reply = block_on(d.handle_request(&body("system.multicall", &[calls])));
        assert_eq!(reply.multicall.unwrap().calls, 2);
        // Run from the document (no layer reads the parameters), the
        // multicall's own call has none; else its one array.
        let params = if reads { 1 } else { 0 };
        assert_eq!(
            *journal.lock().unwrap(),
            [
                format!("system.multicall params={params} size=Some(2)"),
                "add params=2 size=None".to_owned(),
                "nope params=0 size=None".to_owned(),
            ]
        );
    }
}

#[test]
fn layers_that_only_look_change_no_byte_of_any_answer() {
    let journal = Journal::default();
    let plain = Dispatcher::new(methods());
    let traced = traced(&journal);
    let sized = Dispatcher::with_options(
        methods(),
        DispatchOptions::default().layer(Sizes(Journal::default())),
    );
    let nested = Value::Array(vec![multicall::call(
        "system.multicall",
        vec![Value::Array(vec![])],
    )]);
    let bodies = [
        body("add", &[Value::Int(2), Value::Int(3)]),
        body("div", &[Value::Int(1), Value::Int(0)]),
        body("system.listMethods", &[]),
        body(
            "system.multicall",
            &[Value::Array(vec![
                multicall::call("add", vec![Value::Int(1), Value::Int(1)]),
                multicall::call("add", vec![Value::String("x".into())]),
                Value::Int(7),
            ])],
        ),
        body("system.multicall", &[nested]),
        body("system.multicall", &[Value::Int(1)]),
        b"<methodCall><methodName>add</methodName>".to_vec(),
    ];
    for body in &bodies {
        let expected = block_on(plain.handle(body));
        for through in [&traced, &sized] {
            let got = block_on(through.handle(body));
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected)
            );
        }
    }
}

/// Refuses `delete` to everyone but `admin`.
struct OnlyAdminDeletes;

impl Middleware for OnlyAdminDeletes {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        let user = call.request().identity().map(Identity::name);
        if call.method() == "delete" && user != Some("admin") {
            let who = user.unwrap_or("an anonymous caller");
            return Called::ready(Err(Fault::new(403, format!("{who} may not call delete"))));
        }
        next.run(call)
    }
}

#[test]
fn a_layer_can_refuse_a_method_by_identity_in_a_multicall_too() {
    let d = Dispatcher::with_options(
        methods(),
        DispatchOptions::default().layer(OnlyAdminDeletes),
    );
    let call_as = |user: &str, method: &str, params: Vec<Value>| {
        let request = RequestContext::new().with_identity(Identity::new(user));
        block_on(d.call_in(method, params, &request))
    };
    let name = || vec![Value::String("x".into())];
    assert_eq!(
        call_as("admin", "delete", name()),
        Ok(Value::String("deleted x".into()))
    );
    let refused = call_as("ann", "delete", name()).unwrap_err();
    assert_eq!(
        (refused.code, refused.string.as_str()),
        (403, "ann may not call delete")
    );
    let batch = vec![Value::Array(vec![
        multicall::call("add", vec![Value::Int(1), Value::Int(2)]),
        multicall::call("delete", name()),
    ])];
    let Ok(Value::Array(results)) = call_as("ann", "system.multicall", batch) else {
        panic!("multicall failed")
    };
    assert_eq!(results[0], Value::Array(vec![Value::Int(3)]));
    let Value::Struct(fault) = &results[1] else {
        panic!("{:?}", results[1])
    };
    assert_eq!(fault.get("faultCode"), Some(&Value::Int(403)));
    let anonymous = block_on(d.call("delete", name())).unwrap_err();
    assert_eq!(anonymous.string, "an anonymous caller may not call delete");
}

/// Waits (yields once) before passing the call on, as a rate limiter
/// waiting for a permit would, and doubles an integer result.
struct WaitThenDouble;

impl Middleware for WaitThenDouble {
    fn call<'a>(&'a self, mut call: Call<'a>, next: Next<'a>) -> Called<'a> {
        call.params_mut().push(Value::Int(10));
        Called::pending(async move {
            let mut yielded = false;
            futures::future::poll_fn(|cx| {
                if std::mem::replace(&mut yielded, true) {
                    return std::task::Poll::Ready(());
                }
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            })
            .await;
            let result = next.run(call).await?;
            Ok(Value::Int(result.as_i64().unwrap_or(0) as i32 * 2))
        })
    }
}

#[test]
fn a_layer_may_wait_change_the_parameters_and_the_result() {
    let mut m = Methods::new();
    m.register_function("add", |x: i32, y: i32| x + y);
    let d = Dispatcher::with_options(m, DispatchOptions::default().layer(WaitThenDouble));
    assert_eq!(
        block_on(d.call("add", vec![Value::Int(1)])),
        Ok(Value::Int(22))
    );
}

struct Panics {
    later: bool,
}

impl Middleware for Panics {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        if call.method() != "add" {
            return next.run(call);
        }
        if self.later {
            return Called::pending(async { panic!("layer panicked while waiting") });
        }
        panic!("layer panicked")
    }
}

#[test]
fn a_layer_that_panics_answers_internal_error_and_the_dispatcher_goes_on() {
    for later in [false, true] {
        let d = Dispatcher::with_options(
            methods(),
            DispatchOptions::default().layer(Panics { later }),
        );
        let fault = block_on(d.call("add", vec![Value::Int(1), Value::Int(2)])).unwrap_err();
        assert_eq!(fault.code, -32603, "later: {later}");
        assert_eq!(fault.string, "internal error while running method \"add\"");
        assert_eq!(
            block_on(d.call("div", vec![Value::Int(6), Value::Int(3)])),
            Ok(Value::Int(2))
        );
    }
}

/// Records whether each call's method is listed.
struct Listed(Journal);

impl Middleware for Listed {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        let listed = call.is_listed();
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {listed}", call.method()));
        next.run(call)
    }
}

#[test]
fn a_layer_knows_which_names_the_table_lists() {
    let journal = Journal::default();
    let d = Dispatcher::with_options(
        methods(),
        DispatchOptions::default().layer(Listed(journal.clone())),
    );
    for method in ["add", "div", "system.listMethods", "no.such", "div\n"] {
        let _ = block_on(d.call(method, vec![]));
    }
    assert_eq!(
        *journal.lock().unwrap(),
        [
            "add true",
            "div true",
            "system.listMethods true",
            "no.such false",
            "div\n false"
        ]
    );
    assert_eq!(
        DispatchOptions::default()
            .layer(OnlyAdminDeletes)
            .layer_count(),
        1
    );
}
