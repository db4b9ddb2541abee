//! The encoder as it was before it wrote a block at a time (at 8f9e298),
//! kept as the oracle the property tests compare the encoder with: every
//! document, and every error, must be the same byte for byte.

#![allow(clippy::all, clippy::pedantic)]

use base64::Engine as _;

use super::{EncodeError, EncodeOptions};
use crate::dialect::{DateTimeForm, DoubleForm, Extension, write_decimal};
use crate::{Fault, MethodCall, Response, Value};

const MOST_FIRST_ROOM: usize = 4096;

/// The least: room for a small call or answer.
const LEAST_FIRST_ROOM: usize = 256;

/// The values [`first_room`] looks at, at most.
const ROOM_GUESS_NODES: usize = 64;

/// The room the buffer of a document holding `values` starts with: a
/// guess at its size from a look at up to [`ROOM_GUESS_NODES`] of its
/// values (a guess that stops there is the most room), between
/// [`LEAST_FIRST_ROOM`] and [`MOST_FIRST_ROOM`]. A 2.5 KB answer that
/// started in 256 bytes was copied four times as its buffer doubled; a
/// 100-byte one that started in a page paid for a page.
fn first_room<'a>(values: impl IntoIterator<Item = &'a Value>) -> usize {
    let mut nodes = ROOM_GUESS_NODES;
    let mut guess = LEAST_FIRST_ROOM / 2;
    for value in values {
        guess += guess_size(value, &mut nodes);
    }
    if nodes == 0 {
        return MOST_FIRST_ROOM;
    }
    // A quarter more: the guess counts the markup roughly.
    (guess + guess / 4).clamp(LEAST_FIRST_ROOM, MOST_FIRST_ROOM)
}

/// About the bytes `value` takes encoded, looking at no more than `nodes`
/// values (counted down; at zero the rest is not looked at).
fn guess_size(value: &Value, nodes: &mut usize) -> usize {
    if *nodes == 0 {
        return 0;
    }
    *nodes -= 1;
    // `<value><TYPE></TYPE></value>` and a short scalar.
    const MARKUP: usize = 48;
    MARKUP
        + match value {
            Value::String(text) => text.len(),
            Value::Base64(bytes) => bytes.len() / 3 * 4 + 4,
            Value::Array(items) => {
                let mut size = 0;
                for item in items {
                    if *nodes == 0 {
                        break;
                    }
                    size += guess_size(item, nodes);
                }
                size
            }
            Value::Struct(members) => {
                let mut size = 0;
                for (name, member) in members {
                    if *nodes == 0 {
                        break;
                    }
                    size += 32 + name.len() + guess_size(member, nodes);
                }
                size
            }
            _ => 0,
        }
}

/// Writes one `<value>…</value>` into `out`.
pub(super) fn encode_value(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
) -> Result<(), EncodeError> {
    write_value(out, value, opts, usize::MAX)
}

/// [`encode_value`], stopping with [`EncodeError::TooLarge`] once `out`
/// holds more than `max_bytes` (checked at the end of every value, so a
/// document never grows past the limit by more than one scalar).
fn write_value(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
    max_bytes: usize,
) -> Result<(), EncodeError> {
    out.extend_from_slice(b"<value>");
    match value {
        Value::Int(i) => {
            out.extend_from_slice(b"<int>");
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
            out.extend_from_slice(b"</int>");
        }
        Value::I8(i) => {
            let dialect = &opts.dialect;
            let (open, close): (&[u8], &[u8]) = match dialect.i8 {
                _ if dialect.i8_only_beyond_int && i32::try_from(*i).is_ok() => {
                    (b"<int>", b"</int>")
                }
                Extension::Plain => (b"<i8>", b"</i8>"),
                Extension::Apache => (b"<ex:i8>", b"</ex:i8>"),
                Extension::Refused => return Err(EncodeError::I8NotInDialect(*dialect, *i)),
            };
            out.extend_from_slice(open);
            out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
            out.extend_from_slice(close);
        }
        Value::Bool(b) => {
            out.extend_from_slice(if *b {
                b"<boolean>1</boolean>"
            } else {
                b"<boolean>0</boolean>"
            });
        }
        Value::String(s) => {
            out.extend_from_slice(b"<string>");
            escape_into(out, s)?;
            out.extend_from_slice(b"</string>");
        }
        Value::Double(d) => {
            if !d.is_finite() {
                return Err(EncodeError::NonFiniteDouble(d.to_string()));
            }
            out.extend_from_slice(b"<double>");
            match opts.dialect.doubles {
                DoubleForm::Shortest => {
                    out.extend_from_slice(ryu::Buffer::new().format_finite(*d).as_bytes());
                }
                DoubleForm::Decimal => write_decimal(out, *d),
            }
            out.extend_from_slice(b"</double>");
        }
        Value::DateTime(dt) => {
            out.extend_from_slice(b"<dateTime.iso8601>");
            let start = out.len();
            dt.write_to(out);
            if opts.dialect.dates == DateTimeForm::Extended {
                // 19980717T… → 1998-07-17T…
                out.insert(start + 6, b'-');
                out.insert(start + 4, b'-');
            }
            out.extend_from_slice(b"</dateTime.iso8601>");
        }
        Value::Base64(bytes) => {
            out.extend_from_slice(b"<base64>");
            let start = out.len();
            out.resize(start + bytes.len().div_ceil(3) * 4, 0);
            let written = base64::engine::general_purpose::STANDARD
                .encode_slice(bytes, &mut out[start..])
                .unwrap_or(0);
            out.truncate(start + written);
            out.extend_from_slice(b"</base64>");
        }
        Value::Array(items) => {
            out.extend_from_slice(b"<array><data>");
            for item in items {
                write_value(out, item, opts, max_bytes)?;
            }
            out.extend_from_slice(b"</data></array>");
        }
        Value::Struct(members) => {
            out.extend_from_slice(b"<struct>");
            for (name, member) in members {
                out.extend_from_slice(b"<member><name>");
                escape_into(out, name)?;
                out.extend_from_slice(b"</name>");
                write_value(out, member, opts, max_bytes)?;
                out.extend_from_slice(b"</member>");
            }
            out.extend_from_slice(b"</struct>");
        }
        Value::Nil if !opts.allow_none => return Err(EncodeError::NilNotAllowed),
        Value::Nil => match opts.dialect.nil {
            Extension::Plain => out.extend_from_slice(b"<nil/>"),
            Extension::Apache => out.extend_from_slice(b"<ex:nil/>"),
            Extension::Refused => return Err(EncodeError::NilNotInDialect(opts.dialect)),
        },
    }
    out.extend_from_slice(b"</value>");
    if out.len() > max_bytes {
        return Err(EncodeError::TooLarge(max_bytes));
    }
    Ok(())
}

/// Writes a `<methodCall>` document.
///
/// ```
/// use xmlrpc_kit::{encode_call, EncodeOptions, MethodCall, Value};
/// let body = encode_call(&MethodCall::new("pow", vec![Value::Int(2), Value::Int(3)]), &EncodeOptions::default()).unwrap();
/// assert_eq!(std::str::from_utf8(&body).unwrap(),
///     "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>");
/// ```
pub(super) fn encode_call(call: &MethodCall, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(first_room(&call.params) + call.method.len());
    header(&mut out, opts);
    open_root(&mut out, b"methodCall", opts);
    out.extend_from_slice(b"<methodName>");
    escape_into(&mut out, &call.method)?;
    out.extend_from_slice(b"</methodName><params>");
    for param in &call.params {
        out.extend_from_slice(b"<param>");
        encode_value(&mut out, param, opts)?;
        out.extend_from_slice(b"</param>");
    }
    out.extend_from_slice(b"</params></methodCall>");
    Ok(finish(out, opts))
}

/// Writes a `<methodResponse>` document: the value, or the fault.
pub(super) fn encode_response(
    response: &Response,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, EncodeError> {
    let room = match response {
        Ok(value) => first_room([value]),
        Err(fault) => LEAST_FIRST_ROOM + fault.string.len(),
    };
    encode_response_sized(response, opts, room)
}

/// [`encode_response`] into a buffer that starts with room for
/// `capacity` bytes: a good guess (a server's is the request's size)
/// saves growing the buffer, and copying it, several times.
///
/// ```
/// use xmlrpc_kit::{encode_response, encode_response_sized, EncodeOptions, Value};
/// let answer = Ok(Value::Array(vec![Value::Int(1); 100]));
/// let opts = EncodeOptions::default();
/// let body = encode_response_sized(&answer, &opts, 4096).unwrap();
/// assert_eq!(body, encode_response(&answer, &opts).unwrap());
/// assert!(body.capacity() >= 4096);
/// ```
pub(super) fn encode_response_sized(
    response: &Response,
    opts: &EncodeOptions,
    capacity: usize,
) -> Result<Vec<u8>, EncodeError> {
    encode_response_within(response, opts, capacity, usize::MAX)
}

/// [`encode_response_sized`], refusing to grow the document past
/// `max_bytes`: a value whose answer would be larger is
/// [`EncodeError::TooLarge`], found as soon as the buffer passes the limit
/// rather than once the whole answer is written. (A fault always encodes.)
/// A server answers with this so that no call can make it hold more than
/// its limit for one answer.
///
/// ```
/// use xmlrpc_kit::{EncodeError, EncodeOptions, Value, encode_response_within};
/// let answer = Ok(Value::Array(vec![Value::String("x".repeat(100)); 1000]));
/// let opts = EncodeOptions::default();
/// let error = encode_response_within(&answer, &opts, 256, 10_000).unwrap_err();
/// assert_eq!(error, EncodeError::TooLarge(10_000));
/// assert_eq!(error.to_string(), "the answer is larger than the limit of 10000 bytes");
/// assert!(encode_response_within(&answer, &opts, 256, 1 << 20).is_ok());
/// ```
pub(super) fn encode_response_within(
    response: &Response,
    opts: &EncodeOptions,
    capacity: usize,
    max_bytes: usize,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = response_start(opts, capacity, max_bytes);
    match response {
        Ok(value) => {
            out.extend_from_slice(b"<params><param>");
            write_value(&mut out, value, opts, max_bytes)?;
            out.extend_from_slice(b"</param></params></methodResponse>");
        }
        Err(fault) => encode_fault_body(&mut out, fault),
    }
    Ok(finish(out, opts))
}

/// A response's buffer, `capacity` bytes long (no more than `max_bytes`),
/// holding the XML declaration and the `<methodResponse>` start tag.
fn response_start(opts: &EncodeOptions, capacity: usize, max_bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity.min(max_bytes));
    header(&mut out, opts);
    open_root(&mut out, b"methodResponse", opts);
    out
}

/// The response of a multicall whose calls gave `results` (see
/// [`wire::multicall::encode_response`](crate::wire::multicall::encode_response)).
pub(super) fn encode_multicall_response(
    results: &[Result<Value, Fault>],
    opts: &EncodeOptions,
    capacity: usize,
    max_bytes: usize,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = response_start(opts, capacity, max_bytes);
    out.extend_from_slice(b"<params><param><value><array><data>");
    for result in results {
        match result {
            Ok(value) => {
                out.extend_from_slice(b"<value><array><data>");
                write_value(&mut out, value, opts, max_bytes)?;
                out.extend_from_slice(b"</data></array></value>");
            }
            Err(fault) => write_value(&mut out, &fault.to_value(), opts, max_bytes)?,
        }
    }
    out.extend_from_slice(b"</data></array></value></param></params></methodResponse>");
    Ok(finish(out, opts))
}

/// Writes `<fault>…</fault></methodResponse>`. A character XML cannot
/// carry in the fault's string becomes U+FFFD, so that a fault always
/// encodes.
fn encode_fault_body(out: &mut Vec<u8>, fault: &Fault) {
    let sanitized;
    let fault = if crate::xml_chars::first_forbidden(&fault.string).is_some() {
        let string: String = fault
            .string
            .chars()
            .map(|c| {
                if crate::xml_chars::is_xml_char(c) {
                    c
                } else {
                    '\u{fffd}'
                }
            })
            .collect();
        sanitized = Fault::new(fault.code, string);
        &sanitized
    } else {
        fault
    };
    out.extend_from_slice(b"<fault>");
    // A fault struct holds no nil or double, so it always encodes.
    let _ = encode_value(out, &fault.to_value(), &EncodeOptions::default());
    out.extend_from_slice(b"</fault></methodResponse>");
}

/// `<name>`, declaring the `ex` namespace when the dialect uses it.
fn open_root(out: &mut Vec<u8>, name: &[u8], opts: &EncodeOptions) {
    out.push(b'<');
    out.extend_from_slice(name);
    if opts.dialect.declares_apache_namespace() {
        out.extend_from_slice(b" xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\"");
    }
    out.push(b'>');
}

fn header(out: &mut Vec<u8>, opts: &EncodeOptions) {
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"");
    // An encoding's name is ASCII letters, digits and dashes.
    let _ = escape_into(out, opts.encoding.name());
    out.extend_from_slice(b"\"?>\n");
}

fn finish(out: Vec<u8>, opts: &EncodeOptions) -> Vec<u8> {
    if opts.encoding.is_utf8() {
        out
    } else {
        opts.encoding.encode(out)
    }
}

/// What [`escape_into`] does with each byte: copy it (0), write an
/// escape (1–4: [`ESCAPES`]), refuse it (5: a control character XML
/// cannot carry), or look at its character (6: 0xEF, the lead byte of
/// U+FFFE and U+FFFF among others).
const BYTE_CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        class[b] = 5;
        b += 1;
    }
    class[b'\t' as usize] = 0;
    class[b'\n' as usize] = 0;
    class[b'&' as usize] = 1;
    class[b'<' as usize] = 2;
    class[b'>' as usize] = 3;
    class[b'\r' as usize] = 4;
    class[0xEF] = 6;
    class
};

/// The escapes of classes 1–4 of [`BYTE_CLASS`].
const ESCAPES: [&[u8]; 5] = [b"", b"&amp;", b"&lt;", b"&gt;", b"&#13;"];

/// Escapes text content: `&`, `<`, `>`, and `\r` (which an XML reader
/// would otherwise normalise to `\n`). A character XML 1.0 cannot carry at
/// all (a control character, U+FFFE, U+FFFF) is an error: no reader would
/// take it, raw or as a reference. One pass over the text.
fn escape_into(out: &mut Vec<u8>, text: &str) -> Result<(), EncodeError> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut at = 0;
    while let Some(found) = bytes[at..]
        .iter()
        .position(|&b| BYTE_CLASS[usize::from(b)] != 0)
    {
        let i = at + found;
        at = i + 1;
        let class = BYTE_CLASS[usize::from(bytes[i])];
        match class {
            1..=4 => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(ESCAPES[usize::from(class)]);
                start = at;
            }
            5 => return Err(EncodeError::NotXmlCharacter(char::from(bytes[i]))),
            _ => {
                // 0xEF starts a character from U+F000 to U+FFFF.
                let c = text[i..].chars().next().unwrap_or_default();
                if !crate::xml_chars::is_xml_char(c) {
                    return Err(EncodeError::NotXmlCharacter(c));
                }
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
    Ok(())
}
