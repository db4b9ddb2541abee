//! JSON-RPC 2.0 from a method table: the examples of the JSON-RPC 2.0
//! specification (its section 7), each request answered as it says, and
//! what the same methods answer over JSON-RPC that they answer over
//! XML-RPC (introspection, multicall, faults, middleware).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::executor::block_on;
use serde_json::{Value as Json, json};
use xmlrpc_kit::context::RequestContext;
use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
use xmlrpc_kit::{DispatchOptions, Dispatcher, Fault, Methods, Protocol, Value};

/// The methods the specification's examples call.
fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_multicall_functions();
    methods
        .register_function("subtract", |minuend: i64, subtrahend: i64| {
            minuend - subtrahend
        })
        .param_names(["minuend", "subtrahend"])
        .help("subtract(minuend, subtrahend)");
    methods.register_function("sum", |a: i64, b: i64, c: i64| a + b + c);
    methods.register_function("update", |_: i32, _: i32, _: i32, _: i32, _: i32| true);
    methods.register_function("notify_hello", |_: i32| true);
    methods.register_function("notify_sum", |a: i64, b: i64, c: i64| a + b + c);
    methods.register_function("get_data", || {
        Value::Array(vec![Value::String("hello".into()), Value::Int(5)])
    });
    methods.register_function("fail", || -> Result<i32, Fault> {
        Err(Fault::new(42, "no"))
    });
    methods.register_function("echo", |x: Value| x);
    methods
}

fn dispatcher(options: DispatchOptions) -> Dispatcher {
    Dispatcher::with_options(methods(), options.json_rpc(true))
}

/// The answer to `body`: `None` for no answer (an empty body).
fn answer(dispatcher: &Dispatcher, body: &str) -> Option<Json> {
    let reply =
        block_on(dispatcher.answer_in(Protocol::JsonRpc, body.as_bytes(), &RequestContext::new()));
    assert_eq!(reply.content_type(), "application/json");
    if reply.body.is_empty() {
        assert_eq!(reply.status(), 204);
        return None;
    }
    assert_eq!(reply.status(), 200);
    Some(serde_json::from_slice(&reply.body).expect("JSON"))
}

/// An error answer's code and id (its message is the server's own).
fn error(code: i32, id: Json) -> Json {
    json!({"jsonrpc": "2.0", "error": {"code": code}, "id": id})
}

/// `got` with each error's message removed, to compare with [`error`].
fn without_messages(mut got: Json) -> Json {
    fn strip(answer: &mut Json) {
        if let Some(error) = answer.get_mut("error").and_then(Json::as_object_mut) {
            error.remove("message");
        }
    }
    match &mut got {
        Json::Array(answers) => answers.iter_mut().for_each(strip),
        answer => strip(answer),
    }
    got
}

#[test]
fn the_specifications_examples() {
    let d = dispatcher(DispatchOptions::default());
    let cases: Vec<(&str, Option<Json>)> = vec![
        // rpc call with positional parameters
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
            Some(json!({"jsonrpc": "2.0", "result": 19, "id": 1})),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
            Some(json!({"jsonrpc": "2.0", "result": -19, "id": 2})),
        ),
        // rpc call with named parameters
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
            Some(json!({"jsonrpc": "2.0", "result": 19, "id": 3})),
        ),
        (
            r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
            Some(json!({"jsonrpc": "2.0", "result": 19, "id": 4})),
        ),
        // a Notification
        (
            r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
            None,
        ),
        (r#"{"jsonrpc": "2.0", "method": "foobar"}"#, None),
        // rpc call of non-existent method
        (
            r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
            Some(error(-32601, json!("1"))),
        ),
        // rpc call with invalid JSON
        (
            r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
            Some(error(-32700, Json::Null)),
        ),
        // rpc call with invalid Request object
        (
            r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
            Some(error(-32600, Json::Null)),
        ),
        // rpc call Batch, invalid JSON
        (
            r#"[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]"#,
            Some(error(-32700, Json::Null)),
        ),
        // rpc call with an empty Array
        ("[]", Some(error(-32600, Json::Null))),
        // rpc call with an invalid Batch (but not empty)
        ("[1]", Some(json!([error(-32600, Json::Null)]))),
        // rpc call with invalid Batch
        (
            "[1,2,3]",
            Some(json!([
                error(-32600, Json::Null),
                error(-32600, Json::Null),
                error(-32600, Json::Null)
            ])),
        ),
        // rpc call Batch
        (
            r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]"#,
            Some(json!([
                {"jsonrpc": "2.0", "result": 7, "id": "1"},
                {"jsonrpc": "2.0", "result": 19, "id": "2"},
                error(-32600, Json::Null),
                error(-32601, json!("5")),
                {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
            ])),
        ),
        // rpc call Batch (all notifications)
        (
            r#"[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]"#,
            None,
        ),
    ];
    for (request, expected) in cases {
        let got = answer(&d, request).map(without_messages);
        assert_eq!(got, expected.map(without_messages), "{request}");
    }
}

#[test]
fn the_same_methods_answer_alike() {
    let d = dispatcher(DispatchOptions::default());
    let call = |method: &str, params: Json| {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 7});
        answer(&d, &body.to_string()).unwrap()
    };
    // Introspection, over JSON-RPC.
    assert_eq!(
        call("system.methodHelp", json!(["subtract"]))["result"],
        json!("subtract(minuend, subtrahend)")
    );
    let listed = call("system.listMethods", json!([]));
    assert!(
        listed["result"]
            .as_array()
            .unwrap()
            .contains(&json!("get_data"))
    );
    // A multicall inside a JSON-RPC call.
    assert_eq!(
        call(
            "system.multicall",
            json!([[{"methodName": "subtract", "params": [5, 3]}, {"methodName": "fail", "params": []}]])
        )["result"],
        json!([[2], {"faultCode": 42, "faultString": "no"}])
    );
    // A handler's fault: its code and string.
    assert_eq!(
        call("fail", json!([])),
        json!({"jsonrpc": "2.0", "error": {"code": 42, "message": "no"}, "id": 7})
    );
    // Types JSON lacks, through their tagged forms.
    let tagged = json!([{"$base64": "aGk="}, {"$dateTime": "20261208T10:00:00"}, null, 5.0, 1099511627776i64]);
    assert_eq!(call("echo", json!([tagged.clone()]))["result"], tagged);
    // Wrong parameters, by position and by name.
    assert_eq!(call("subtract", json!([1]))["error"]["code"], json!(-32602));
    let unknown = call("subtract", json!({"minuend": 1, "divisor": 2}));
    assert_eq!(unknown["error"]["code"], json!(-32602));
    assert_eq!(
        unknown["error"]["message"],
        json!(
            "\"subtract\" has no parameter named \"divisor\" (its parameters: minuend, subtrahend)"
        )
    );
    let missing = call("subtract", json!({"subtrahend": 1}));
    assert_eq!(
        missing["error"]["message"],
        json!("\"subtract\": parameter minuend is missing")
    );
    let unnamed = call("sum", json!({"a": 1}));
    assert_eq!(
        unnamed["error"]["message"],
        json!("\"sum\" takes its parameters by position: their names are not known")
    );
}

/// Counts the calls it sees, by name.
#[derive(Default)]
struct Count(AtomicUsize);

impl Middleware for Count {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(call)
    }
}

#[test]
fn limits_and_middleware_apply() {
    let count = Arc::new(Count::default());
    let d = dispatcher(
        DispatchOptions::default()
            .max_multicall_calls(2)
            .max_answer_bytes(200)
            .layer_shared(count.clone()),
    );
    let one = r#"{"jsonrpc": "2.0", "method": "sum", "params": [1, 2, 3], "id": 1}"#;
    assert_eq!(
        answer(&d, &format!("[{one},{one}]")).unwrap(),
        json!([{"jsonrpc": "2.0", "result": 6, "id": 1}, {"jsonrpc": "2.0", "result": 6, "id": 1}])
    );
    assert_eq!(count.0.load(Ordering::SeqCst), 2);
    let three = answer(&d, &format!("[{one},{one},{one}]")).unwrap();
    assert_eq!(three["error"]["code"], json!(-32600));
    assert_eq!(
        count.0.load(Ordering::SeqCst),
        2,
        "no call of a refused batch runs"
    );
    let long = answer(
        &d,
        &json!({"jsonrpc": "2.0", "method": "echo", "params": ["x".repeat(300)], "id": 1})
            .to_string(),
    )
    .unwrap();
    assert_eq!(
        long,
        json!({"jsonrpc": "2.0", "error": {"code": -32603, "message": "the answer is larger than the limit of 200 bytes"}, "id": 1})
    );
    // Without the option, the dispatcher answers XML-RPC only.
    let xml_only = Dispatcher::new(methods());
    assert_eq!(xml_only.protocols(), xmlrpc_kit::Protocols::XmlRpc);
    assert_eq!(d.protocols(), xmlrpc_kit::Protocols::Both);
}
