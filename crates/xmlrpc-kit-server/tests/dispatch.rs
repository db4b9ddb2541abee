//! Behaviour of the dispatcher through its public API, socket-free.

use futures::executor::block_on;
use xmlrpc_kit::wire::multicall;
use xmlrpc_kit::{DispatchOptions, Dispatcher, Exports, Fault, Instance, Methods, Outcome, Value};
use xmlrpc_kit::{
    DocumentLimits, EncodeOptions, MethodCall, decode_call, decode_response, encode_call,
    encode_response,
};

fn int(i: i32) -> Value {
    Value::Int(i)
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

fn demo() -> Dispatcher {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    m.register_function("pow", |x: i64, y: u32| {
        x.checked_pow(y).ok_or(Fault::application("overflow"))
    })
    .help("x to the power y");
    m.register_function("add", |x: i32, y: i32| x + y);
    m.register_function("slow.add", |x: i32, y: i32| async move { x + y });
    m.register_function("boom", || -> i32 { panic!("kaboom") });
    m.register_function("async.boom", || async { panic!("async kaboom") as i32 });
    m.register_function("nothing", || ());
    m.register_function("ünïcødé.名前", || "ok");
    let mut funcs = Exports::new();
    funcs.register_function("div", |x: i64, y: i64| {
        if y == 0 {
            Err(Fault::application("division by zero"))
        } else {
            Ok(x / y)
        }
    });
    funcs.register_function("add", |_: i32, _: i32| "instance add must never be reached");
    m.register_instance(funcs);
    Dispatcher::new(m)
}

fn call(d: &Dispatcher, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
    block_on(d.call(method, params))
}

#[test]
fn typed_functions_sync_and_async() {
    let d = demo();
    assert_eq!(call(&d, "pow", vec![int(2), int(10)]), Ok(int(1024)));
    assert_eq!(call(&d, "slow.add", vec![int(2), int(3)]), Ok(int(5)));
    assert_eq!(call(&d, "ünïcødé.名前", vec![]), Ok(s("ok")));
}

#[test]
fn wrong_parameters_say_which_and_what() {
    let d = demo();
    let f = call(&d, "add", vec![int(1)]).unwrap_err();
    assert_eq!(
        f,
        Fault::new(-32602, "add takes 2 parameters (int, int), got 1")
    );
    let f = call(&d, "add", vec![int(1), s("x")]).unwrap_err();
    assert_eq!(
        f,
        Fault::new(-32602, "add: parameter 2: expected int, got string")
    );
    let f = call(&d, "pow", vec![int(2), int(-1)]).unwrap_err();
    assert_eq!(
        f,
        Fault::new(
            -32602,
            "pow: parameter 2: expected i8 in the range of u32, got -1"
        )
    );
}

#[test]
fn functions_take_precedence_over_the_instance() {
    assert_eq!(call(&demo(), "add", vec![int(2), int(3)]), Ok(int(5)));
    assert_eq!(call(&demo(), "div", vec![int(7), int(2)]), Ok(int(3)));
}

#[test]
fn panics_become_internal_errors_and_the_dispatcher_goes_on() {
    let d = demo();
    assert_eq!(
        call(&d, "boom", vec![]),
        Err(Fault::new(
            -32603,
            "internal error while running method \"boom\""
        ))
    );
    assert_eq!(
        call(&d, "async.boom", vec![]),
        Err(Fault::new(
            -32603,
            "internal error while running method \"async.boom\""
        ))
    );
    assert_eq!(call(&d, "add", vec![int(1), int(1)]), Ok(int(2)));
}

#[test]
fn unknown_and_unexported_names_are_not_found() {
    let d = demo();
    for name in [
        "nosuch",
        "div.__class__",
        "_dispatch",
        "__init__",
        "div.",
        ".div",
        "a..b",
        "system",
    ] {
        assert_eq!(
            call(&d, name, vec![]),
            Err(Fault::new(
                -32601,
                format!("method \"{name}\" is not supported")
            ))
        );
    }
}

#[test]
fn children_reach_only_what_they_export() {
    let mut inner = Exports::new();
    inner.register_function("hello", || "hi");
    let mut root = Exports::new();
    root.export_child("greeter", inner);
    let mut m = Methods::new();
    m.register_instance(root);
    m.register_introspection_functions();
    let d = Dispatcher::new(m);
    assert_eq!(call(&d, "greeter.hello", vec![]), Ok(s("hi")));
    for name in [
        "greeter",
        "greeter.",
        "greeter.hello.x",
        "greeter..hello",
        "hello",
        "greeter.__init__",
    ] {
        // The fault names the method the client called, whole.
        assert_eq!(
            call(&d, name, vec![]),
            Err(Fault::method_not_found(name)),
            "{name}"
        );
    }
    assert_eq!(
        call(&d, "system.methodSignature", vec![s("greeter.hello")]),
        Ok(Value::Array(vec![Value::Array(vec![s("string")])]))
    );
}

#[test]
fn custom_dispatch_hook_sees_every_unregistered_name() {
    struct Echoer;
    impl Instance for Echoer {
        fn dispatch(&self, method: &str, params: Vec<Value>) -> Outcome {
            Outcome::Ready(Ok(Value::Array(vec![s(method), Value::Array(params)])))
        }
        fn list_methods(&self) -> Vec<String> {
            vec!["anything".into()]
        }
        fn method_help(&self, method: &str) -> Option<String> {
            (method == "anything").then(|| "answers anything".into())
        }
    }
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_instance(Echoer);
    let d = Dispatcher::new(m);
    assert_eq!(
        call(&d, "x.y", vec![int(1)]),
        Ok(Value::Array(vec![s("x.y"), Value::Array(vec![int(1)])]))
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![s("anything")]),
        Ok(s("answers anything"))
    );
    assert_eq!(
        call(&d, "system.methodSignature", vec![s("anything")]),
        Ok(s("undef"))
    );
}

#[test]
fn introspection_derives_from_the_table() {
    let d = demo();
    let listed = call(&d, "system.listMethods", vec![]).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(
        names,
        [
            "add",
            "async.boom",
            "boom",
            "div",
            "nothing",
            "pow",
            "slow.add",
            "system.getCapabilities",
            "system.listMethods",
            "system.methodHelp",
            "system.methodSignature",
            "system.multicall",
            "ünïcødé.名前",
        ]
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![s("pow")]),
        Ok(s("x to the power y"))
    );
    assert_eq!(
        call(&d, "system.methodSignature", vec![s("add")]),
        Ok(Value::Array(vec![Value::Array(vec![
            s("int"),
            s("int"),
            s("int")
        ])]))
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![s("nosuch")]),
        Err(Fault::new(-32601, "method \"nosuch\" is not supported"))
    );
    assert_eq!(
        call(&d, "system.methodHelp", vec![]),
        Err(Fault::new(
            -32602,
            "system.methodHelp takes one string parameter: a method name"
        ))
    );
    let spec = |url: &str, version: i32| {
        Value::Struct([("specUrl", s(url)), ("specVersion", int(version))].into())
    };
    assert_eq!(
        call(&d, "system.getCapabilities", vec![]),
        Ok(Value::Struct(
            [
                ("xmlrpc", spec("http://www.xmlrpc.com/spec", 1)),
                (
                    "faults_interop",
                    spec("http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php", 20010516)
                ),
                ("introspect", spec("http://xmlrpc-c.sourceforge.net/introspection.html", 1)),
                (
                    "system.multicall",
                    spec(
                        "https://web.archive.org/web/20060624230303/http://www.xmlrpc.com/discuss/msgReader$1208?mode=topic",
                        1
                    )
                ),
                (
                    "multicall_limit",
                    Value::Struct(
                        [
                            ("specUrl", s("https://docs.rs/xmlrpc-kit/latest/xmlrpc_kit/wire/multicall/constant.LIMIT_CAPABILITY.html")),
                            ("specVersion", int(1)),
                            ("maxCalls", int(1000)),
                        ]
                        .into()
                    )
                ),
            ]
            .into()
        ))
    );
}

#[test]
fn multicall_has_pythons_shape() {
    let d = demo();
    let calls = vec![
        multicall::call("pow", vec![int(2), int(3)]),
        multicall::call("div", vec![int(1), int(0)]),
        multicall::call("nosuch", vec![]),
        multicall::call("system.multicall", vec![Value::Array(vec![])]),
        int(7),
        multicall::call("add", vec![int(2), int(3)]),
    ];
    let result = call(&d, "system.multicall", vec![Value::Array(calls)]).unwrap();
    assert_eq!(
        result,
        Value::Array(vec![
            Value::Array(vec![int(8)]),
            Fault::application("division by zero").to_value(),
            Fault::new(-32601, "method \"nosuch\" is not supported").to_value(),
            Fault::new(-32600, "call 4: system.multicall cannot be nested").to_value(),
            Fault::new(
                -32600,
                "call 5: each call must be a struct {methodName, params}"
            )
            .to_value(),
            Value::Array(vec![int(5)]),
        ])
    );
}

/// A `system.multicall` request document with `params`.
fn multicall_body(params: Vec<Value>) -> Vec<u8> {
    let call = MethodCall::new("system.multicall", params);
    encode_call(&call, &EncodeOptions::default()).unwrap()
}

/// What the built-in `system.multicall` answers to `body`, encoded as the
/// dispatcher encodes answers (a result that cannot be encoded becomes
/// fault -32603).
fn builtin_answer(d: &Dispatcher, body: &[u8]) -> Vec<u8> {
    let call = decode_call(body, &DocumentLimits::default()).unwrap();
    let result = block_on(d.call(&call.method, call.params));
    let options = EncodeOptions::default();
    encode_response(&result, &options).unwrap_or_else(|e| {
        encode_response(&Err(Fault::internal(e.to_string())), &options).unwrap()
    })
}

/// A multicall request is answered straight from its document (no struct
/// per call, no one-element array per result): the answer must be, byte
/// for byte, the built-in's, for results, faults, panics, async calls,
/// results that cannot be encoded, and the limit on calls.
#[test]
fn multicall_documents_are_answered_as_the_builtin_answers() {
    let d = demo();
    let many: Vec<Value> = (0..60)
        .map(|i| multicall::call("add", vec![int(i), int(i)]))
        .collect();
    let requests = [
        vec![
            multicall::call("pow", vec![int(2), int(3)]),
            multicall::call("div", vec![int(1), int(0)]),
            multicall::call("nosuch", vec![]),
            multicall::call("system.multicall", vec![Value::Array(vec![])]),
            multicall::call("add", vec![int(2), s("x")]),
            multicall::call("slow.add", vec![int(2), int(3)]),
            multicall::call("boom", vec![]),
            multicall::call("async.boom", vec![]),
            multicall::call("system.listMethods", vec![]),
            multicall::call("ünïcødé.名前", vec![]),
        ],
        vec![multicall::call("nothing", vec![])],
        vec![],
        many,
    ];
    for calls in requests {
        let body = multicall_body(vec![Value::Array(calls)]);
        assert_eq!(
            String::from_utf8(block_on(d.handle(&body))).unwrap(),
            String::from_utf8(builtin_answer(&d, &body)).unwrap(),
        );
    }
    let answer = String::from_utf8(builtin_answer(
        &d,
        &multicall_body(vec![Value::Array(vec![multicall::call("nothing", vec![])])]),
    ))
    .unwrap();
    assert_eq!(
        answer,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodResponse><fault><value><struct>\
         <member><name>faultCode</name><value><int>-32603</int></value></member>\
         <member><name>faultString</name><value><string>cannot marshal nil unless allow_none is enabled</string></value></member>\
         </struct></value></fault></methodResponse>"
    );

    let mut m = Methods::new();
    m.register_multicall_functions();
    let limited = Dispatcher::with_options(m, DispatchOptions::default().max_multicall_calls(3));
    let body = multicall_body(vec![Value::Array(vec![multicall::call("x", vec![]); 4])]);
    let answer = block_on(limited.handle(&body));
    assert_eq!(answer, builtin_answer(&limited, &body));
    let fault = decode_response(&answer, &DocumentLimits::default())
        .unwrap()
        .unwrap_err();
    assert_eq!(
        fault,
        Fault::new(
            -32600,
            "system.multicall holds 4 calls, more than the limit of 3"
        )
    );
}

/// Where `system.multicall` is the application's own function, requests
/// for it reach that function.
#[test]
fn a_registered_system_multicall_replaces_the_builtin() {
    let mut m = Methods::new();
    m.register_multicall_functions();
    m.register_function("system.multicall", |calls: Vec<Value>| calls.len() as i32);
    let d = Dispatcher::new(m);
    let body = multicall_body(vec![Value::Array(vec![multicall::call("x", vec![]); 4])]);
    let answer = decode_response(&block_on(d.handle(&body)), &DocumentLimits::default()).unwrap();
    assert_eq!(answer, Ok(int(4)));
}

#[test]
fn multicall_size_is_limited() {
    let options = DispatchOptions::default().max_multicall_calls(3);
    let mut m = Methods::new();
    m.register_multicall_functions();
    let d = Dispatcher::with_options(m, options);
    let calls = Value::Array(vec![multicall::call("x", vec![]); 4]);
    let f = call(&d, "system.multicall", vec![calls]).unwrap_err();
    assert_eq!(
        f,
        Fault::new(
            -32600,
            "system.multicall holds 4 calls, more than the limit of 3"
        )
    );
}

/// Issue 26: `system.getCapabilities` says how many calls one multicall
/// may hold, so that a client can split a larger batch; a server
/// without `system.multicall` says nothing of it.
#[test]
fn the_multicall_limit_is_advertised() {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    let d = Dispatcher::with_options(m, DispatchOptions::default().max_multicall_calls(3));
    let caps = call(&d, "system.getCapabilities", vec![]).unwrap();
    assert_eq!(multicall::read_limit(&caps), Some(3));
    let mut m = Methods::new();
    m.register_introspection_functions();
    let caps = call(&Dispatcher::new(m), "system.getCapabilities", vec![]).unwrap();
    assert_eq!(multicall::read_limit(&caps), None);
}

fn handle(d: &Dispatcher, body: &str) -> Result<Value, Fault> {
    let out = block_on(d.handle(body.as_bytes()));
    decode_response(&out, &DocumentLimits::default()).unwrap()
}

#[test]
fn bodies_in_bodies_out() {
    let d = demo();
    let ok = handle(
        &d,
        "<methodCall><methodName>add</methodName><params><param><value><i4>2</i4></value></param><param><value><int>3</int></value></param></params></methodCall>",
    );
    assert_eq!(ok, Ok(int(5)));
    let bad = handle(
        &d,
        "<methodCall><methodName>add</methodName><params><param><value><int>2</int></value>",
    )
    .unwrap_err();
    assert_eq!(
        bad,
        Fault::new(
            -32700,
            "line 1, column 83: the document ends early: expected </param> (in param 1)"
        )
    );
}

#[test]
fn nil_needs_allow_none() {
    let body = "<methodCall><methodName>nothing</methodName></methodCall>";
    let f = handle(&demo(), body).unwrap_err();
    assert_eq!(
        f,
        Fault::new(-32603, "cannot marshal nil unless allow_none is enabled")
    );
    let mut m = Methods::new();
    m.register_function("nothing", || ());
    let options = DispatchOptions::default().allow_none(true);
    assert_eq!(
        handle(&Dispatcher::with_options(m, options), body),
        Ok(Value::Nil)
    );
}

/// A future that is pending once (waking itself), as an async handler
/// waiting on I/O is.
struct YieldOnce(bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// Runs a multicall of seven async calls and one sync call with
/// `concurrency`; returns the results and the most calls seen in progress
/// at once.
fn multicall_in_flight(concurrency: usize, through_document: bool) -> (Vec<Value>, usize) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut m = Methods::new();
    m.register_multicall_functions();
    let (now, peak) = (in_flight.clone(), most.clone());
    m.register_function("wait.double", move |x: i32| {
        let (now, peak) = (now.clone(), peak.clone());
        async move {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(n, Ordering::SeqCst);
            YieldOnce(false).await;
            now.fetch_sub(1, Ordering::SeqCst);
            x * 2
        }
    });
    m.register_function("negate", |x: i32| -x);
    let d = Dispatcher::with_options(
        m,
        DispatchOptions::default().multicall_concurrency(concurrency),
    );
    let mut calls: Vec<Value> = (1..=7)
        .map(|i| multicall::call("wait.double", vec![int(i)]))
        .collect();
    calls.insert(3, multicall::call("negate", vec![int(9)]));
    let params = vec![Value::Array(calls)];
    let results = if through_document {
        let body = multicall_body(params);
        decode_response(&block_on(d.handle(&body)), &DocumentLimits::default()).unwrap()
    } else {
        call(&d, "system.multicall", params)
    }
    .unwrap();
    let Value::Array(results) = results else {
        panic!("{results:?}")
    };
    (results, most.load(Ordering::SeqCst))
}

#[test]
fn multicall_runs_calls_one_at_a_time_by_default_and_concurrently_when_asked() {
    let wrapped = |v: i32| Value::Array(vec![int(v)]);
    let expected: Vec<Value> = [2, 4, 6, -9, 8, 10, 12, 14].map(wrapped).to_vec();
    for through_document in [false, true] {
        let (results, most) = multicall_in_flight(1, through_document);
        assert_eq!((results.as_slice(), most), (expected.as_slice(), 1));
        let (results, most) = multicall_in_flight(3, through_document);
        assert_eq!((results.as_slice(), most), (expected.as_slice(), 3));
        let (results, most) = multicall_in_flight(100, through_document);
        assert_eq!((results.as_slice(), most), (expected.as_slice(), 7));
    }
    assert_eq!(
        DispatchOptions::default()
            .multicall_concurrency(0)
            .multicall_concurrency,
        1
    );
}

/// A dispatcher whose `repeat(n)` answers a string of `n` bytes, and
/// `echo` its parameter.
fn answering(options: DispatchOptions) -> Dispatcher {
    let mut m = Methods::new();
    m.register_multicall_functions();
    m.register_function("repeat", |n: u32| "r".repeat(n as usize));
    m.register_function("repeat_padded", |_: String, n: u32| "r".repeat(n as usize));
    m.register_function("echo", |v: Value| v);
    Dispatcher::with_options(m, options)
}

fn answer_to(d: &Dispatcher, method: &str, params: Vec<Value>) -> (usize, Result<Value, Fault>) {
    let body = encode_call(&MethodCall::new(method, params), &EncodeOptions::default()).unwrap();
    let answer = block_on(d.handle(&body));
    let read = decode_response(&answer, &DocumentLimits::default()).unwrap();
    (answer.len(), read)
}

#[test]
fn an_answer_past_the_answer_limit_is_a_fault_and_one_at_it_is_sent() {
    let d = answering(DispatchOptions::default().max_answer_bytes(10_000));
    let (length, fine) = answer_to(&d, "repeat", vec![int(9_000)]);
    assert_eq!(fine, Ok(s(&"r".repeat(9_000))));
    assert!(length <= 10_000, "{length}");
    let (_, refused) = answer_to(&d, "repeat", vec![int(10_000)]);
    assert_eq!(
        refused,
        Err(Fault::new(
            -32603,
            "the answer is larger than the limit of 10000 bytes"
        ))
    );
    // Array items are counted as they are written: a million of them stop early.
    let (_, refused) = answer_to(&d, "echo", vec![Value::Array(vec![int(1); 1_000_000])]);
    assert_eq!(
        refused,
        Err(Fault::new(
            -32603,
            "the answer is larger than the limit of 10000 bytes"
        ))
    );
    // A multicall's answer counts as one.
    let call = |n: i32| {
        let mut member = xmlrpc_kit::Struct::new();
        member.insert("methodName", s("repeat"));
        member.insert("params", Value::Array(vec![int(n)]));
        Value::Struct(member)
    };
    let (_, refused) = answer_to(
        &d,
        "system.multicall",
        vec![Value::Array(vec![call(4_000), call(4_000), call(4_000)])],
    );
    assert_eq!(
        refused,
        Err(Fault::new(
            -32603,
            "the answer is larger than the limit of 10000 bytes"
        ))
    );
    let (_, fine) = answer_to(
        &d,
        "system.multicall",
        vec![Value::Array(vec![call(4_000), call(4_000)])],
    );
    let four_thousand = Value::Array(vec![s(&"r".repeat(4_000))]);
    assert_eq!(fine, Ok(Value::Array(vec![four_thousand; 2])));
}

#[test]
fn an_answer_ratio_bounds_what_a_small_request_makes_the_server_write() {
    let d = answering(DispatchOptions::default().max_answer_ratio(100));
    // Up to 64 KiB is always allowed, whatever the request.
    let (_, fine) = answer_to(&d, "repeat", vec![int(60_000)]);
    assert_eq!(fine.unwrap(), s(&"r".repeat(60_000)));
    // A ~150-byte request may not make a 100 KB answer...
    let (_, refused) = answer_to(&d, "repeat", vec![int(100_000)]);
    assert_eq!(
        refused,
        Err(Fault::new(
            -32603,
            "the answer is larger than the limit of 65536 bytes"
        ))
    );
    // ...but a 2 KB request may have one a hundred times its size.
    let padding = s(&"p".repeat(2_000));
    let (_, fine) = answer_to(&d, "repeat_padded", vec![padding.clone(), int(150_000)]);
    assert_eq!(fine.unwrap(), s(&"r".repeat(150_000)));
    let (_, refused) = answer_to(&d, "repeat_padded", vec![padding, int(250_000)]);
    // A hundred times its ~2.2 KB request.
    assert_eq!(
        refused,
        Err(Fault::new(
            -32603,
            "the answer is larger than the limit of 221300 bytes"
        ))
    );
}
