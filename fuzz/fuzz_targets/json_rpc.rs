//! Any bytes → a JSON-RPC request: `json_rpc::decode_request` returns,
//! never panics, with the default limits and with tiny ones; every value
//! it read writes as JSON and reads back the same. Then the demo's
//! dispatcher (JSON-RPC on) answers the same bytes: an empty body (only
//! notifications) or one JSON document, a response object or an array of
//! them, each with "jsonrpc": "2.0" and either a result or an error.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::context::RequestContext;
use xmlrpc_kit::json_rpc::{self, Call, Incoming, Params};
use xmlrpc_kit::{DocumentLimits, Protocol, Value};
use xmlrpc_kit_fuzz::{identical, runtime, tiny_limits};
use xmlrpc_kit_test_support::demo;

fuzz_target!(|data: &[u8]| {
    for limits in [DocumentLimits::default(), tiny_limits()] {
        let calls = match json_rpc::decode_request(data, &limits, 8) {
            Ok(Incoming::Single(call)) => vec![call],
            Ok(Incoming::Batch(calls)) => {
                assert!(!calls.is_empty() && calls.len() <= 8);
                calls
            }
            Err(error) => {
                assert!(matches!(error.code, -32700 | -32600), "{error}");
                continue;
            }
        };
        for call in calls.iter().filter_map(|c| c.as_ref().ok()) {
            round_trips(call, &limits);
        }
    }
    let dispatcher = demo::dispatcher(
        xmlrpc_kit::OutputEncoding::default(),
        xmlrpc_kit::Dialect::default(),
    );
    let reply =
        runtime().block_on(dispatcher.answer_in(Protocol::JsonRpc, data, &RequestContext::new()));
    assert_eq!(reply.content_type(), "application/json");
    if reply.body.is_empty() {
        return;
    }
    let answer: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON");
    let answers = match answer {
        serde_json::Value::Array(answers) => answers,
        one => vec![one],
    };
    for answer in answers {
        assert_eq!(answer["jsonrpc"], "2.0", "{answer}");
        assert!(
            answer.get("result").is_some() != answer.get("error").is_some(),
            "{answer}"
        );
    }
});

/// Each parameter of `call` writes as JSON and reads back the same.
fn round_trips(call: &Call, limits: &DocumentLimits) {
    let values: Vec<&Value> = match &call.params {
        Params::None => Vec::new(),
        Params::Positional(values) => values.iter().collect(),
        Params::Named(members) => members.iter().map(|(_, v)| v).collect(),
    };
    for value in values {
        let json = json_rpc::to_json(value);
        let back = json_rpc::from_json(json.as_bytes(), limits)
            .unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
        assert!(identical(&back, value), "{back:?} != {value:?}");
    }
}
