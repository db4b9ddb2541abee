//! Each call runs in its request's trace context, socket-free: sync and
//! async handlers, a multicall's calls (one after another and several at
//! once, straight from the document and through middleware), and none
//! outside a request that has one.

use futures::executor::block_on;
use xmlrpc_kit::context::RequestContext;
use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
use xmlrpc_kit::trace::TraceContext;
use xmlrpc_kit::{DispatchOptions, Dispatcher, MethodCall, Methods, Value, encode_call};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// `now` and `later` (after a wait) answer the traceparent of the context
/// they run in, or "none".
fn methods() -> Methods {
    let current = || {
        TraceContext::current().map_or_else(|| "none".to_owned(), |t| t.traceparent().to_owned())
    };
    let mut methods = Methods::new();
    methods.register_multicall_functions();
    methods.register_function("now", current);
    methods.register_function("later", move || async move {
        futures::future::ready(()).await;
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                return std::task::Poll::Ready(());
            }
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await;
        Ok::<_, xmlrpc_kit::Fault>(current())
    });
    methods
}

/// Passes every call on.
struct PassOn;

impl Middleware for PassOn {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        next.run(call)
    }
}

/// What `now`, `later` and a multicall of both answer in `request`.
fn answers(dispatcher: &Dispatcher, request: &RequestContext) -> Vec<String> {
    let call = |method: &str| {
        let body = encode_call(&MethodCall::new(method, vec![]), &Default::default()).unwrap();
        let reply = block_on(dispatcher.handle_request_in(body, request));
        String::from_utf8(reply.body).unwrap()
    };
    let string = |xml: &str| {
        xml.split("<string>")
            .skip(1)
            .map(|s| s.split_once("</string>").unwrap().0.to_owned())
            .collect::<Vec<_>>()
    };
    let mut seen = string(&call("now"));
    seen.extend(string(&call("later")));
    let calls = ["now", "later", "now"].map(|m| {
        let mut call = xmlrpc_kit::Struct::new();
        call.insert("methodName", Value::String(m.into()));
        call.insert("params", Value::Array(vec![]));
        Value::Struct(call)
    });
    let multicall = MethodCall::new("system.multicall", vec![Value::Array(calls.to_vec())]);
    let body = encode_call(&multicall, &Default::default()).unwrap();
    let reply = block_on(dispatcher.handle_request_in(body, request));
    seen.extend(string(&String::from_utf8(reply.body).unwrap()));
    seen
}

#[test]
fn every_call_runs_in_its_requests_trace_context() {
    let trace = TraceContext::parse(TRACEPARENT).unwrap();
    let traced = RequestContext::new().with_trace(Some(trace), tracing::Span::none());
    let options = [
        DispatchOptions::default(),
        DispatchOptions::default().multicall_concurrency(2),
        DispatchOptions::default().layer(PassOn),
        DispatchOptions::default()
            .layer(PassOn)
            .multicall_concurrency(3),
    ];
    for options in options {
        let dispatcher = Dispatcher::with_options(methods(), options.clone());
        assert_eq!(
            answers(&dispatcher, &traced),
            [TRACEPARENT; 5],
            "{options:?}"
        );
        assert_eq!(
            answers(&dispatcher, &RequestContext::new()),
            ["none"; 5],
            "{options:?}"
        );
        assert_eq!(TraceContext::current(), None);
    }
}
