//! Any bytes → `decode_response` (and `decode_value`) return, never
//! panic; with the default limits and with tiny ones. A response that
//! decodes encodes again, and that document decodes to the same response.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::{DocumentLimits, EncodeOptions, decode_response, decode_value, encode_response};
use xmlrpc_kit_fuzz::{holds_non_xml_char, identical, tiny_limits};

fuzz_target!(|data: &[u8]| {
    for limits in [DocumentLimits::default(), tiny_limits()] {
        if let Err(e) = decode_value(data, &limits) {
            let _ = e.to_string();
        }
        let response = match decode_response(data, &limits) {
            Ok(response) => response,
            Err(e) => {
                let _ = e.to_string();
                let code = e.fault_code();
                assert!((-32702..=-32600).contains(&code), "{e}: {code}");
                continue;
            }
        };
        // The decoder yields only characters XML can carry.
        let bad = match &response {
            Ok(v) => holds_non_xml_char(v),
            Err(f) => xmlrpc_kit::xml_chars::first_forbidden(&f.string).is_some(),
        };
        assert!(!bad, "{response:?}");
        let body = encode_response(&response, &EncodeOptions::default().allow_none(true))
            .expect("a decoded response encodes");
        let again = decode_response(&body, &DocumentLimits::default());
        let again = again.unwrap_or_else(|e| panic!("a re-encoded response does not decode: {e}"));
        match (&again, &response) {
            (Ok(a), Ok(b)) => assert!(identical(a, b), "{a:?} != {b:?}"),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("{again:?} != {response:?}"),
        }
    }
});
