//! Encoding: values, calls and responses → bytes, in one buffer.

mod escape;
#[cfg(test)]
mod oracle;
mod scalars;
#[cfg(test)]
mod tests;

use self::escape::write_text;
use crate::dialect::{DateTimeForm, Dialect, Extension};
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
    GUESS_MARKUP
        + match value {
            Value::Array(items) => {
                let mut size = 0;
                for item in items {
                    if *nodes == 0 {
                        break;
                    }
                    size += guess_item(item, nodes);
                }
                size
            }
            Value::Struct(members) => {
                let mut size = 0;
                for (name, member) in members {
                    if *nodes == 0 {
                        break;
                    }
                    size += 32 + name.len() + guess_item(member, nodes);
                }
                size
            }
            scalar => guess_scalar(scalar),
        }
}

/// `<value><TYPE></TYPE></value>` and a short scalar.
const GUESS_MARKUP: usize = 48;

/// [`guess_size`] of an item, `nodes` known not to be 0: a scalar's
/// without a call.
#[inline(always)]
fn guess_item(value: &Value, nodes: &mut usize) -> usize {
    match value {
        Value::Array(_) | Value::Struct(_) => guess_size(value, nodes),
        scalar => {
            *nodes -= 1;
            GUESS_MARKUP + guess_scalar(scalar)
        }
    }
}

/// The text of a scalar, beyond [`GUESS_MARKUP`].
#[inline(always)]
fn guess_scalar(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len(),
        Value::Base64(bytes) => bytes.len() / 3 * 4 + 4,
        _ => 0,
    }
}

/// Writes one `<value>…</value>` into `out`.
pub fn encode_value(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
) -> Result<(), EncodeError> {
    write_value::<false>(out, value, opts, usize::MAX)
        .map_err(|stop| stop.into_error(opts, usize::MAX))
}

/// Why writing stopped, in two words, so that every value's `Result`
/// comes back in registers; [`Stop::into_error`] says it in full once.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    NilNotAllowed,
    NonFiniteDouble(f64),
    NotXmlCharacter(char),
    NilNotInDialect,
    I8NotInDialect(i64),
    TooLarge,
}

impl Stop {
    #[cold]
    fn into_error(self, opts: &EncodeOptions, max_bytes: usize) -> EncodeError {
        match self {
            Stop::NilNotAllowed => EncodeError::NilNotAllowed,
            Stop::NonFiniteDouble(d) => EncodeError::NonFiniteDouble(d.to_string()),
            Stop::NotXmlCharacter(c) => EncodeError::NotXmlCharacter(c),
            Stop::NilNotInDialect => EncodeError::NilNotInDialect(opts.dialect),
            Stop::I8NotInDialect(i) => EncodeError::I8NotInDialect(opts.dialect, i),
            Stop::TooLarge => EncodeError::TooLarge(max_bytes),
        }
    }
}

/// A value's start tag and its type's, as one constant: after
/// `</name>` in a struct's member (`MEMBER`), or on its own.
macro_rules! open {
    ($member:ident, $tag:literal) => {
        if $member {
            concat!("</name><value>", $tag).as_bytes()
        } else {
            concat!("<value>", $tag).as_bytes()
        }
    };
}

/// The end tags to [`open!`]'s, with the member's.
macro_rules! close {
    ($member:ident, $tag:literal) => {
        if $member {
            concat!($tag, "</value></member>").as_bytes()
        } else {
            concat!($tag, "</value>").as_bytes()
        }
    };
}

/// A whole value, [`open!`] and [`close!`] in one.
macro_rules! whole {
    ($member:ident, $tag:literal) => {
        if $member {
            concat!("</name><value>", $tag, "</value></member>").as_bytes()
        } else {
            concat!("<value>", $tag, "</value>").as_bytes()
        }
    };
}

/// [`encode_value`], stopping with [`Stop::TooLarge`] once `out` holds
/// more than `max_bytes` (checked at the end of every value, so a
/// document never grows past the limit by more than one scalar). With
/// `MEMBER` it writes a struct member's value: `</name>` before it and
/// `</member>` after it (the limit checked before that `</member>`).
/// What an error leaves in `out` is what it always left: everything up to
/// the failing value's `<value>` (or into its text up to the last escape).
///
/// Containers recurse here; their scalar items are written in their loop
/// ([`write_item`]), without a call each.
fn write_value<const MEMBER: bool>(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
    max_bytes: usize,
) -> Result<(), Stop> {
    match value {
        Value::Struct(members) => {
            out.extend_from_slice(open!(MEMBER, "<struct>"));
            for (name, member) in members {
                out.extend_from_slice(b"<member><name>");
                write_text(out, name)?;
                write_item::<true>(out, member, opts, max_bytes)?;
            }
            out.extend_from_slice(close!(MEMBER, "</struct>"));
        }
        Value::Array(items) => {
            out.extend_from_slice(open!(MEMBER, "<array><data>"));
            for item in items {
                write_item::<false>(out, item, opts, max_bytes)?;
            }
            out.extend_from_slice(close!(MEMBER, "</data></array>"));
        }
        scalar => return write_root_scalar::<MEMBER>(out, scalar, opts, max_bytes),
    }
    check_limit::<MEMBER>(out, max_bytes)
}

/// [`write_scalar`] out of line, for a scalar that is the whole value: a
/// rare case whose copy would only crowd [`write_value`] (whose loops'
/// copies of it then stop being inlined well).
#[inline(never)]
fn write_root_scalar<const MEMBER: bool>(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
    max_bytes: usize,
) -> Result<(), Stop> {
    write_scalar::<MEMBER>(out, value, opts, max_bytes)
}

/// An item of a container: a scalar written here, a container by
/// [`write_value`].
#[inline(always)]
fn write_item<const MEMBER: bool>(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
    max_bytes: usize,
) -> Result<(), Stop> {
    match value {
        Value::Struct(_) | Value::Array(_) => write_value::<MEMBER>(out, value, opts, max_bytes),
        scalar => write_scalar::<MEMBER>(out, scalar, opts, max_bytes),
    }
}

/// The limit of [`write_value`], as it was checked before `</member>`.
#[inline(always)]
fn check_limit<const MEMBER: bool>(out: &[u8], max_bytes: usize) -> Result<(), Stop> {
    let trailer = if MEMBER { "</member>".len() } else { 0 };
    if out.len() - trailer > max_bytes {
        return Err(Stop::TooLarge);
    }
    Ok(())
}

/// [`write_value`] of a scalar (given a container, it writes nothing).
#[inline(always)]
fn write_scalar<const MEMBER: bool>(
    out: &mut Vec<u8>,
    value: &Value,
    opts: &EncodeOptions,
    max_bytes: usize,
) -> Result<(), Stop> {
    match value {
        Value::Int(i) => {
            out.extend_from_slice(open!(MEMBER, "<int>"));
            scalars::write_int(out, i64::from(*i));
            out.extend_from_slice(close!(MEMBER, "</int>"));
        }
        Value::String(s) => {
            out.extend_from_slice(open!(MEMBER, "<string>"));
            write_text(out, s)?;
            out.extend_from_slice(close!(MEMBER, "</string>"));
        }
        Value::Bool(true) => out.extend_from_slice(whole!(MEMBER, "<boolean>1</boolean>")),
        Value::Bool(false) => out.extend_from_slice(whole!(MEMBER, "<boolean>0</boolean>")),
        Value::Double(d) => {
            if !d.is_finite() {
                out.extend_from_slice(open!(MEMBER, ""));
                return Err(Stop::NonFiniteDouble(*d));
            }
            out.extend_from_slice(open!(MEMBER, "<double>"));
            scalars::write_double(out, *d, opts.dialect.doubles);
            out.extend_from_slice(close!(MEMBER, "</double>"));
        }
        Value::I8(i) => {
            let dialect = &opts.dialect;
            let (open, close): (&[u8], &[u8]) = match dialect.i8 {
                _ if dialect.i8_only_beyond_int && i32::try_from(*i).is_ok() => {
                    (open!(MEMBER, "<int>"), close!(MEMBER, "</int>"))
                }
                Extension::Plain => (open!(MEMBER, "<i8>"), close!(MEMBER, "</i8>")),
                Extension::Apache => (open!(MEMBER, "<ex:i8>"), close!(MEMBER, "</ex:i8>")),
                Extension::Refused => {
                    out.extend_from_slice(open!(MEMBER, ""));
                    return Err(Stop::I8NotInDialect(*i));
                }
            };
            out.extend_from_slice(open);
            scalars::write_int(out, *i);
            out.extend_from_slice(close);
        }
        Value::DateTime(dt) => {
            out.extend_from_slice(open!(MEMBER, "<dateTime.iso8601>"));
            let start = out.len();
            dt.write_to(out);
            if opts.dialect.dates == DateTimeForm::Extended {
                // 19980717T… → 1998-07-17T…
                out.insert(start + 6, b'-');
                out.insert(start + 4, b'-');
            }
            out.extend_from_slice(close!(MEMBER, "</dateTime.iso8601>"));
        }
        Value::Base64(bytes) => {
            out.extend_from_slice(open!(MEMBER, "<base64>"));
            scalars::write_base64(out, bytes);
            out.extend_from_slice(close!(MEMBER, "</base64>"));
        }
        Value::Nil => {
            let nil: &[u8] = match opts.dialect.nil {
                _ if !opts.allow_none => b"",
                Extension::Plain => open!(MEMBER, "<nil/>"),
                Extension::Apache => open!(MEMBER, "<ex:nil/>"),
                Extension::Refused => b"",
            };
            if nil.is_empty() {
                out.extend_from_slice(open!(MEMBER, ""));
                return Err(if opts.allow_none {
                    Stop::NilNotInDialect
                } else {
                    Stop::NilNotAllowed
                });
            }
            out.extend_from_slice(nil);
            out.extend_from_slice(close!(MEMBER, ""));
        }
        Value::Struct(_) | Value::Array(_) => return Ok(()),
    }
    check_limit::<MEMBER>(out, max_bytes)
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
    let written = (|| {
        write_text(&mut out, &call.method)?;
        out.extend_from_slice(b"</methodName><params>");
        for param in &call.params {
            out.extend_from_slice(b"<param>");
            write_value::<false>(&mut out, param, opts, usize::MAX)?;
            out.extend_from_slice(b"</param>");
        }
        out.extend_from_slice(b"</params></methodCall>");
        Ok(())
    })();
    written.map_err(|stop: Stop| stop.into_error(opts, usize::MAX))?;
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
            write_value::<false>(&mut out, value, opts, max_bytes)
                .map_err(|stop| stop.into_error(opts, max_bytes))?;
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
                write_value::<false>(&mut out, value, opts, max_bytes)
                    .map_err(|stop| stop.into_error(opts, max_bytes))?;
                out.extend_from_slice(b"</data></array></value>");
            }
            Err(fault) => write_value::<false>(&mut out, &fault.to_value(), opts, max_bytes)
                .map_err(|stop| stop.into_error(opts, max_bytes))?,
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
    let _ = write_text(out, opts.encoding.name());
    out.extend_from_slice(b"\"?>\n");
}

fn finish(out: Vec<u8>, opts: &EncodeOptions) -> Vec<u8> {
    if opts.encoding.is_utf8() {
        out
    } else {
        opts.encoding.encode(out)
    }
}
