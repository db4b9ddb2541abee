//! The decoder's tokeniser accepts only well-formed XML: whatever
//! `decode_value`, `decode_call` or `decode_response` accepts, quick-xml
//! (a general XML reader, end names checked) reads to its end without an
//! error and with every element closed. The decoders stopped using
//! quick-xml for speed (issue 12); this keeps them honest against it.

#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use xmlrpc_kit::{DocumentLimits, decode_call, decode_response, decode_value};

fuzz_target!(|data: &[u8]| {
    // UTF-8 without a byte-order mark: the text quick-xml reads is then
    // byte for byte the text the decoder reads.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.starts_with('\u{feff}') || text.trim_start().starts_with("<?xml") {
        // A declaration may name another encoding, which the decoder
        // honours and quick-xml's `from_str` does not.
        return;
    }
    let limits = DocumentLimits::default();
    let accepted = [
        decode_value(data, &limits).is_ok(),
        decode_call(data, &limits).is_ok(),
        decode_response(data, &limits).is_ok(),
    ];
    if !accepted.contains(&true) {
        return;
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(e) => panic!("decoded ({accepted:?}) but not well-formed to quick-xml: {e}"),
        }
    }
    assert_eq!(depth, 0, "decoded ({accepted:?}) with an element left open");
});
