//! Any bytes → `decode_call` returns, never panics; with the default
//! limits and with tiny ones. A call that decodes encodes again, and that
//! document decodes to the same call. The server's fast path for
//! `system.multicall` (`wire::multicall::decode_request`) reads the same
//! calls, the same call or the same error.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::wire::multicall::{self, Request};
use xmlrpc_kit::{
    DecodeError, DocumentLimits, EncodeOptions, MethodCall, decode_call, encode_call,
};
use xmlrpc_kit_fuzz::{holds_non_xml_char, identical, tiny_limits};

fuzz_target!(|data: &[u8]| {
    for limits in [DocumentLimits::default(), tiny_limits()] {
        let decoded = decode_call(data, &limits);
        batch_path_agrees(data, &limits, &decoded);
        let call = match decoded {
            Ok(call) => call,
            Err(e) => {
                // Every error renders, and maps to one of the server's fault codes.
                let _ = e.to_string();
                let code = e.fault_code();
                assert!((-32702..=-32600).contains(&code), "{e}: {code}");
                continue;
            }
        };
        // The decoder yields only characters XML can carry, so what it
        // read encodes again.
        assert!(xmlrpc_kit::xml_chars::first_forbidden(&call.method).is_none());
        assert!(!call.params.iter().any(holds_non_xml_char), "{call:?}");
        let body = encode_call(&call, &EncodeOptions::default().allow_none(true))
            .expect("a decoded call encodes");
        let again = decode_call(&body, &DocumentLimits::default());
        let again = again.unwrap_or_else(|e| panic!("a re-encoded call does not decode: {e}"));
        assert_eq!(again.method, call.method);
        assert_eq!(again.params.len(), call.params.len());
        for (a, b) in again.params.iter().zip(&call.params) {
            assert!(identical(a, b), "{a:?} != {b:?}");
        }
    }
});

/// `decode_request` on `data` against `general`, what `decode_call` read.
fn batch_path_agrees(
    data: &[u8],
    limits: &DocumentLimits,
    general: &Result<MethodCall, DecodeError>,
) {
    match (multicall::decode_request(data, limits), general) {
        (Ok(Request::Batch(mut batch)), Ok(call)) => {
            assert_eq!(call.method, "system.multicall");
            let calls = multicall::read_request(call.params.clone()).expect("one array of calls");
            assert_eq!(calls.len(), batch.len());
            for (i, ((method, params), call)) in batch.drain().zip(calls).enumerate() {
                let (general_method, general_params) =
                    multicall::read_call(call, i + 1).expect("a well-formed call");
                assert_eq!(method, general_method);
                assert_eq!(params.len(), general_params.len());
                for (a, b) in params.iter().zip(&general_params) {
                    assert!(identical(a, b), "{a:?} != {b:?}");
                }
            }
        }
        (Ok(Request::Call(fast)), Ok(call)) => {
            assert_eq!(fast.method, call.method);
            assert_eq!(fast.params.len(), call.params.len());
            for (a, b) in fast.params.iter().zip(&call.params) {
                assert!(identical(a, b), "{a:?} != {b:?}");
            }
        }
        (Err(fast), Err(e)) => assert_eq!(fast.to_string(), e.to_string()),
        (fast, general) => panic!("the fast path read {fast:?}, the general one {general:?}"),
    }
}
