//! Encoding: values, calls and responses → bytes, in one buffer.

use base64::Engine as _;

use crate::dialect::{DateTimeForm, Dialect, DoubleForm, Extension, write_decimal};
use crate::{Fault, MethodCall, OutputEncoding, Response, Value};

/// How documents are written.
///
/// ```
/// use xmlrpc_kit::{EncodeOptions, OutputEncoding};
/// let opts = EncodeOptions::default().allow_none(true).encoding(OutputEncoding::new("iso-8859-1").unwrap());
/// assert!(opts.allow_none);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// Write [`Value::Nil`] as `<nil/>`; when off (the default, as in
    /// Python), a nil is an [`EncodeError::NilNotAllowed`].
    pub allow_none: bool,
    /// The character encoding of the document. Default: UTF-8.
    pub encoding: OutputEncoding,
    /// How extensions, doubles and dates are spelled. Default:
    /// [`Dialect::PYTHON`].
    pub dialect: Dialect,
}

impl EncodeOptions {
    /// Sets [`allow_none`](Self::allow_none).
    #[must_use]
    pub fn allow_none(mut self, allow: bool) -> Self {
        self.allow_none = allow;
        self
    }
    /// Sets [`encoding`](Self::encoding).
    #[must_use]
    pub fn encoding(mut self, encoding: OutputEncoding) -> Self {
        self.encoding = encoding;
        self
    }
    /// Sets [`dialect`](Self::dialect).
    #[must_use]
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }
}

/// Why a value could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A [`Value::Nil`] while `allow_none` is off.
    #[error("cannot marshal nil unless allow_none is enabled")]
    NilNotAllowed,
    /// A NaN or infinite double, which XML-RPC cannot express.
    #[error("cannot marshal the non-finite double {0}")]
    NonFiniteDouble(String),
    /// A string or name holding a character XML 1.0 cannot carry (a
    /// control character other than tab, line feed and carriage return,
    /// U+FFFE, U+FFFF): no XML reader would take it.
    #[error("cannot marshal U+{:04X}: XML 1.0 cannot carry it (send such bytes as base64)", u32::from(*.0))]
    NotXmlCharacter(char),
    /// A nil, which the dialect does not send
    /// ([`Extension::Refused`](crate::dialect::Extension::Refused)).
    #[error("cannot marshal nil: the {0} dialect has no nil")]
    NilNotInDialect(Dialect),
    /// A 64-bit integer beyond 32 bits, which the dialect does not send
    /// ([`Extension::Refused`](crate::dialect::Extension::Refused)).
    #[error("cannot marshal {1}: it does not fit an <int> and the {0} dialect has no <i8>")]
    I8NotInDialect(Dialect, i64),
    /// The document grew past the most bytes it may take (see
    /// [`encode_response_within`]); writing stopped there.
    #[error("the answer is larger than the limit of {0} bytes")]
    TooLarge(usize),
}

/// The most room a document's buffer starts with when its size is not
/// known: a page. Larger documents double their buffer from there.
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
pub fn encode_value(
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
pub fn encode_call(call: &MethodCall, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
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
pub fn encode_response(response: &Response, opts: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
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
pub fn encode_response_sized(
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
pub fn encode_response_within(
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
pub(crate) fn encode_multicall_response(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DocumentLimits, Struct, decode_response};

    fn written(value: &Value) -> String {
        let mut out = Vec::new();
        encode_value(&mut out, value, &EncodeOptions::default().allow_none(true)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_buffer_starts_as_large_as_its_document_looks() {
        let opts = EncodeOptions::default();
        // Small: the least room, which it fits.
        let small = encode_response(&Ok(Value::Int(5)), &opts).unwrap();
        assert_eq!(small.capacity(), LEAST_FIRST_ROOM);
        // A 2.5 KB struct of every type: room for all of it at once.
        let mut members = Struct::new();
        for i in 0..12 {
            members.insert(
                format!("member{i}"),
                Value::String("some text & <more>".repeat(i % 4)),
            );
            members.insert(format!("n{i}"), Value::Double(f64::from(i as u8) / 7.0));
        }
        members.insert("blob", Value::Base64(vec![7; 96]));
        let value = Value::Array(vec![Value::Struct(members)]);
        let room = first_room([&value]);
        let body = encode_response(&Ok(value), &opts).unwrap();
        assert!((2000..4096).contains(&body.len()), "{}", body.len());
        assert!(
            room >= body.len() && room <= MOST_FIRST_ROOM,
            "{room} for {}",
            body.len()
        );
        assert_eq!(body.capacity(), room, "the buffer grew");
        // Large: the guess stops at ROOM_GUESS_NODES values, at a page.
        let large = Value::Array(vec![Value::Int(1); 10_000]);
        assert_eq!(first_room([&large]), MOST_FIRST_ROOM);
    }

    #[test]
    fn characters_xml_cannot_carry_are_refused_and_faults_still_encode() {
        let opts = EncodeOptions::default();
        for (text, c) in [
            ("a\u{1}b", '\u{1}'),
            ("\0", '\0'),
            ("x\u{ffff}", '\u{ffff}'),
            ("\u{f8ff}\u{fffe}", '\u{fffe}'),
            ("tab\tok, then \u{1f}", '\u{1f}'),
        ] {
            let mut out = Vec::new();
            let e = encode_value(&mut out, &Value::String(text.into()), &opts).unwrap_err();
            assert_eq!(e, EncodeError::NotXmlCharacter(c));
            let name = Value::Struct([(text.to_owned(), Value::Int(1))].into());
            assert_eq!(
                encode_value(&mut out, &name, &opts),
                Err(EncodeError::NotXmlCharacter(c))
            );
        }
        assert_eq!(
            EncodeError::NotXmlCharacter('\u{1b}').to_string(),
            "cannot marshal U+001B: XML 1.0 cannot carry it (send such bytes as base64)"
        );
        let call = MethodCall::new("bad\u{7}name", vec![]);
        assert_eq!(
            encode_call(&call, &opts),
            Err(EncodeError::NotXmlCharacter('\u{7}'))
        );
        // A fault's string is a message: its unsendable characters become U+FFFD.
        let body = encode_response(&Err(Fault::new(1, "bell \u{7} here")), &opts).unwrap();
        let back = decode_response(&body, &DocumentLimits::default()).unwrap();
        assert_eq!(back, Err(Fault::new(1, "bell \u{fffd} here")));
    }

    #[test]
    fn text_is_escaped_in_one_pass_keeping_what_xml_carries() {
        assert_eq!(
            written(&Value::String(
                "a&b<c>d\re\tf\ng \u{f000}\u{f8ff}\u{fffd} é 🦀 &&".into()
            )),
            "<value><string>a&amp;b&lt;c&gt;d&#13;e\tf\ng \u{f000}\u{f8ff}\u{fffd} é 🦀 &amp;&amp;</string></value>"
        );
        assert_eq!(
            written(&Value::String(String::new())),
            "<value><string></string></value>"
        );
    }

    #[test]
    fn scalars_are_written_canonically() {
        assert_eq!(written(&Value::Int(-5)), "<value><int>-5</int></value>");
        assert_eq!(
            written(&Value::I8(1 << 40)),
            "<value><i8>1099511627776</i8></value>"
        );
        assert_eq!(
            written(&Value::Bool(true)),
            "<value><boolean>1</boolean></value>"
        );
        assert_eq!(
            written(&Value::Double(0.5)),
            "<value><double>0.5</double></value>"
        );
        assert_eq!(
            written(&Value::Double(3.0)),
            "<value><double>3.0</double></value>"
        );
        assert_eq!(
            written(&Value::Base64(b"hi!".to_vec())),
            "<value><base64>aGkh</base64></value>"
        );
        assert_eq!(written(&Value::Nil), "<value><nil/></value>");
        assert_eq!(
            written(&Value::String("a<b & c>\r\n\t".into())),
            "<value><string>a&lt;b &amp; c&gt;&#13;\n\t</string></value>"
        );
    }

    #[test]
    fn nil_needs_allow_none_and_nan_is_refused() {
        let mut out = Vec::new();
        assert_eq!(
            encode_value(&mut out, &Value::Nil, &EncodeOptions::default()),
            Err(EncodeError::NilNotAllowed)
        );
        assert!(matches!(
            encode_value(
                &mut out,
                &Value::Double(f64::NAN),
                &EncodeOptions::default()
            ),
            Err(EncodeError::NonFiniteDouble(_))
        ));
    }

    #[test]
    fn faults_round_trip() {
        let body = encode_response(
            &Err(Fault::new(-32601, "no <such> method")),
            &EncodeOptions::default(),
        )
        .unwrap();
        assert_eq!(
            decode_response(&body, &DocumentLimits::default()).unwrap(),
            Err(Fault::new(-32601, "no <such> method"))
        );
    }

    #[test]
    fn latin1_response_declares_its_encoding_and_round_trips() {
        let opts = EncodeOptions::default().encoding(OutputEncoding::new("iso-8859-1").unwrap());
        let mut s = Struct::new();
        s.insert("clé", Value::String("é € 日本".into()));
        let body = encode_response(&Ok(Value::Struct(s.clone())), &opts).unwrap();
        assert!(body.starts_with(b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"));
        assert!(body.windows(7).any(|w| w == b"&#8364;"));
        assert_eq!(
            decode_response(&body, &DocumentLimits::default()).unwrap(),
            Ok(Value::Struct(s))
        );
    }
}
