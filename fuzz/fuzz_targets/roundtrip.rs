//! Any value → encode → decode gives the same value back, exactly
//! (doubles bit for bit, member order kept), for values, calls, responses
//! and faults, with and without `allow_none`, in every output encoding
//! that can hold the text or write character references for it.
//!
//! What the codec promises, and what this checks:
//! - a nil encodes only with `allow_none`; otherwise it is `NilNotAllowed`;
//! - `\r`, `&`, `<`, `>` and control characters are written as references,
//!   so no line-end normalisation or markup can change a string;
//! - U+0000 cannot be written in XML at all: such values are known not to
//!   round-trip (the decoder refuses `&#0;`), and that is checked exactly.

#![no_main]
#![forbid(unsafe_code)]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::{
    DocumentLimits, EncodeError, EncodeOptions, Fault, MethodCall, OutputEncoding, decode_call,
    decode_response, decode_value, encode_call, encode_response, encode_value,
};
use xmlrpc_kit_fuzz::{
    MAX_DEPTH, MAX_NODES, arb_string, arb_value, expect_refused_to_encode, holds_nil,
    holds_non_xml_char, identical, tiny_limits,
};

/// Output encodings whose round trip is lossless: every character they
/// can hold decodes back to itself, and the others become references.
/// (Not Shift_JIS or EUC-JP: the WHATWG encoders write U+00A5 as 0x5C,
/// which reads back as a backslash; not GB18030 or GBK: private-use U+E82C
/// is written as bytes that read back as U+9FB7.)
const ENCODINGS: &[&str] = &[
    "utf-8",
    "iso-8859-1",
    "us-ascii",
    "utf-16",
    "windows-1252",
    "koi8-r",
    "big5",
    "euc-kr",
];

fn check(u: &mut Unstructured<'_>) -> Result<()> {
    let allow_none: bool = u.arbitrary()?;
    let encoding = *u.choose(ENCODINGS)?;
    let opts = EncodeOptions::default()
        .allow_none(allow_none)
        .encoding(OutputEncoding::new(encoding).expect("a known encoding"));
    let mut budget = MAX_NODES;
    let value = arb_value(u, MAX_DEPTH, &mut budget, true)?;
    let limits = DocumentLimits::default().max_method_name_bytes(usize::MAX);

    // A response holding the value.
    let encoded = encode_response(&Ok(value.clone()), &opts);
    if holds_non_xml_char(&value) {
        // Refused for whichever the encoder meets first: that character, or
        // a nil it may not write.
        if !(holds_nil(&value) && !allow_none && encoded == Err(EncodeError::NilNotAllowed)) {
            expect_refused_to_encode(encoded);
        }
        return Ok(());
    }
    if holds_nil(&value) && !allow_none {
        assert_eq!(encoded, Err(EncodeError::NilNotAllowed));
        return Ok(());
    }
    let body = encoded.expect("a finite value encodes");
    let _ = decode_response(&body, &tiny_limits());
    let decoded = decode_response(&body, &limits);
    match decoded {
        Ok(Ok(back)) => assert!(
            identical(&back, &value),
            "{encoding}: {value:?} came back as {back:?} from {:?}",
            String::from_utf8_lossy(&body)
        ),
        other => panic!(
            "{encoding}: {value:?} came back as {other:?} from {:?}",
            String::from_utf8_lossy(&body)
        ),
    }

    // The bare value, in UTF-8 (decode_value reads no declaration).
    let mut out = Vec::new();
    encode_value(&mut out, &value, &EncodeOptions::default().allow_none(true))
        .expect("the value encodes");
    let back = decode_value(&out, &limits).expect("a bare value decodes");
    assert!(identical(&back, &value), "{value:?} != {back:?}");

    // A call with it as one of its parameters.
    let method = arb_string(u)?;
    let mut params = vec![value];
    while params.len() < 4 && u.arbitrary()? {
        params.push(arb_value(u, 1, &mut 8, allow_none)?);
    }
    let call = MethodCall::new(method, params);
    let encoded = encode_call(&call, &opts);
    if xmlrpc_kit::xml_chars::first_forbidden(&call.method).is_some()
        || call.params.iter().any(holds_non_xml_char)
    {
        expect_refused_to_encode(encoded);
    } else {
        let body = encoded.expect("the call encodes");
        let decoded = decode_call(&body, &limits);
        let back = decoded.unwrap_or_else(|e| panic!("{encoding}: {call:?} does not decode: {e}"));
        assert_eq!(back.method, call.method, "{encoding}");
        assert_eq!(back.params.len(), call.params.len());
        for (a, b) in back.params.iter().zip(&call.params) {
            assert!(identical(a, b), "{encoding}: {b:?} came back as {a:?}");
        }
    }

    // A fault: always encodes, what XML cannot carry of its string
    // replaced by U+FFFD.
    let fault = Fault::new(u.arbitrary()?, arb_string(u)?);
    let body = encode_response(&Err(fault.clone()), &opts).expect("a fault encodes");
    let decoded = decode_response(&body, &limits);
    let readable: String = fault
        .string
        .chars()
        .map(|c| {
            if xmlrpc_kit::xml_chars::is_xml_char(c) {
                c
            } else {
                '\u{fffd}'
            }
        })
        .collect();
    assert_eq!(
        decoded,
        Ok(Err(Fault::new(fault.code, readable))),
        "{encoding}"
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = check(&mut Unstructured::new(data));
});
