//! Any bytes → the decoders (their fast reader first, the exact one when
//! it gives up) and the exact reader alone (`decoder_oracle`, behind the
//! codec's hidden `decoder-oracle` feature) agree: the same value, call,
//! response or multicall batch, or the same error message (line, column
//! and value path included); under the default limits, tiny ones, and
//! limits drawn from the input's first bytes.

#![no_main]
#![forbid(unsafe_code)]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::wire::multicall;
use xmlrpc_kit::{DecodeError, DocumentLimits, decode_call, decode_response, decode_value};
use xmlrpc_kit_codec::decoder_oracle as oracle;
use xmlrpc_kit_fuzz::tiny_limits;

fuzz_target!(|data: &[u8]| {
    // Limits from the first two bytes: each one small, near what
    // generated documents reach, so that each limit is met at its edge.
    let drawn = match data {
        [a, b, ..] => DocumentLimits::default()
            .max_depth(u32::from(a & 7))
            .max_items(usize::from(a >> 3 & 7))
            .max_string_bytes(usize::from(b & 31))
            .max_base64_bytes(usize::from(b >> 5) * 3)
            .max_method_name_bytes(usize::from(b & 15))
            .max_params(usize::from(a >> 6)),
        _ => tiny_limits(),
    };
    for limits in [DocumentLimits::default(), tiny_limits(), drawn] {
        same(
            "call",
            decode_call(data, &limits),
            oracle::decode_call(data, &limits),
        );
        same(
            "response",
            decode_response(data, &limits),
            oracle::decode_response(data, &limits),
        );
        same(
            "value",
            decode_value(data, &limits),
            oracle::decode_value(data, &limits),
        );
        same(
            "request",
            multicall::decode_request(data, &limits),
            oracle::decode_request(data, &limits),
        );
    }
});

/// The decoder's result against the exact reader's: equal values, or
/// errors that say the same thing.
fn same<T: PartialEq + Debug>(
    what: &str,
    decoded: Result<T, DecodeError>,
    exact: Result<T, DecodeError>,
) {
    match (decoded, exact) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: the decoder and the exact reader differ"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
        (a, b) => panic!("{what}: the decoder read {a:?}, the exact reader {b:?}"),
    }
}
