//! Any bytes → `decode_call` returns, never panics; with the default
//! limits and with tiny ones. A call that decodes encodes again, and that
//! document decodes to the same call.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use xmlrpc::{DocumentLimits, EncodeOptions, decode_call, encode_call};
use xmlrpc_fuzz::{holds_non_xml_char, identical, tiny_limits};

fuzz_target!(|data: &[u8]| {
    for limits in [DocumentLimits::default(), tiny_limits()] {
        let call = match decode_call(data, &limits) {
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
        assert!(xmlrpc::xml_chars::first_forbidden(&call.method).is_none());
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
