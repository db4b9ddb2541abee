//! Decoding: bytes → [`MethodCall`] / [`Response`] / [`Value`], with limits
//! checked while reading.
//!
//! Two readers over the same (UTF-8) text. [`fast`] reads the common,
//! plainly written documents in one forward pass and gives up on
//! anything unusual; the exact reader here, a recursive descent over the
//! tokens of [`scan`] (a tokeniser made for XML-RPC's small grammar),
//! then reads the document from the start, so every error and its
//! message come from it. Positions are byte offsets into the text and
//! become line and column only when an error is reported; the value path
//! is added while an error unwinds, so a document that decodes pays for
//! neither.

mod batch;
mod fast;
mod scan;

use std::borrow::Cow;

use base64::Engine as _;

pub use self::batch::{Batch, Request};
use self::scan::{PlainValue, Scanner, Tag, Tok};
use crate::charset::to_utf8;
use crate::error::{DecodeError, DecodeErrorKind, Segment};
use crate::{DateTime, DocumentLimits, Fault, MemberName, MethodCall, Response, Struct, Value};

/// Decodes a `<methodCall>` document.
///
/// The document may be in any encoding its XML declaration or byte-order
/// mark names; whitespace between elements is ignored.
pub fn decode_call(body: &[u8], limits: &DocumentLimits) -> Result<MethodCall, DecodeError> {
    let text = to_utf8(body)?;
    if let Some(call) = fast::call(&text, limits) {
        return Ok(call);
    }
    exact_call(&text, limits)
}

/// [`decode_call`] by the exact reader alone, on text already UTF-8.
fn exact_call(text: &str, limits: &DocumentLimits) -> Result<MethodCall, DecodeError> {
    let mut p = Parser::new(text, limits)?;
    let method = p.method_name()?;
    let params = p.call_params()?;
    Ok(MethodCall { method, params })
}

/// Decodes a `<methodCall>` document as [`decode_call`] does, except that
/// a call of the method named `multicall` (`system.multicall`, from
/// [`wire::multicall::decode_request`](crate::wire::multicall::decode_request))
/// written in the usual shape comes back as its calls (a [`Batch`]); in
/// any other shape, it comes back as a call, exactly as [`decode_call`]
/// reads it.
pub(crate) fn decode_request(
    body: &[u8],
    limits: &DocumentLimits,
    multicall: &str,
) -> Result<Request, DecodeError> {
    let text = to_utf8(body)?;
    // The fast reader reads any other call; a multicall's calls are read
    // by the batch reader (`batch.rs`), whose shape rules decide between
    // a batch and a call.
    if let Some(mut f) = fast::Fast::new(&text, limits) {
        if let Some(method) = f.method_name().filter(|m| m != multicall) {
            if let Some(params) = f.call_params() {
                let method = method.into_owned();
                return Ok(Request::Call(MethodCall { method, params }));
            }
        }
    }
    exact_request(&text, limits, multicall)
}

/// [`decode_request`] by the exact reader alone, on text already UTF-8.
fn exact_request(
    text: &str,
    limits: &DocumentLimits,
    multicall: &str,
) -> Result<Request, DecodeError> {
    let mut p = Parser::new(text, limits)?;
    let method = p.method_name()?;
    if method == multicall {
        if let Some(batch) = p.try_batch() {
            return Ok(Request::Batch(batch));
        }
    }
    let params = p.call_params()?;
    Ok(Request::Call(MethodCall { method, params }))
}

/// Decodes a `<methodResponse>` document: its value, or its fault.
///
/// A response with an empty `<params>` (sent by some servers for a
/// procedure with no result) decodes as [`Value::Nil`].
pub fn decode_response(body: &[u8], limits: &DocumentLimits) -> Result<Response, DecodeError> {
    let text = to_utf8(body)?;
    if let Some(response) = fast::response(&text, limits) {
        return Ok(response);
    }
    exact_response(&text, limits)
}

/// [`decode_response`] by the exact reader alone, on text already UTF-8.
fn exact_response(text: &str, limits: &DocumentLimits) -> Result<Response, DecodeError> {
    let mut p = Parser::new(text, limits)?;
    p.root(Tag::MethodResponse)?;
    let response = match p.next_structural()? {
        Tok::Open(Tag::Params, true, _) => Ok(Value::Nil),
        Tok::Open(Tag::Params, false, _) => {
            let mut params = p.params()?;
            if params.len() > 1 {
                return Err(p.error_here(DecodeErrorKind::Structure(format!(
                    "a response holds one value, this one {}",
                    params.len()
                ))));
            }
            Ok(params.pop().unwrap_or(Value::Nil))
        }
        Tok::Open(Tag::Fault, false, at) => {
            p.expect_open(Tag::Value)?;
            let value = p.value_body(0)?;
            p.expect_close(Tag::Fault)?;
            match Fault::from_value(&value) {
                Some(fault) => Err(fault),
                None => {
                    return Err(p.error_at(
                        DecodeErrorKind::Structure(
                            "a <fault> holds a struct with an int faultCode and a string faultString"
                                .into(),
                        ),
                        at,
                    ));
                }
            }
        }
        other => return Err(p.unexpected(other, "<params> or <fault>")),
    };
    p.expect_close(Tag::MethodResponse)?;
    p.end()?;
    Ok(response)
}

/// Decodes a document whose root is a single `<value>`.
///
/// ```
/// use xmlrpc_kit::{decode_value, DocumentLimits, Value};
/// let v = decode_value(b"<value><array><data><value>a</value><value><i8>5</i8></value></data></array></value>", &DocumentLimits::default()).unwrap();
/// assert_eq!(v, Value::Array(vec![Value::String("a".into()), Value::I8(5)]));
/// ```
pub fn decode_value(body: &[u8], limits: &DocumentLimits) -> Result<Value, DecodeError> {
    let text = to_utf8(body)?;
    if let Some(value) = fast::value(&text, limits) {
        return Ok(value);
    }
    exact_value(&text, limits)
}

/// [`decode_value`] by the exact reader alone, on text already UTF-8.
fn exact_value(text: &str, limits: &DocumentLimits) -> Result<Value, DecodeError> {
    let mut p = Parser::new(text, limits)?;
    let (tag, empty, at) = p.open_or_err("<value>")?;
    let value = match tag {
        Tag::Value if empty => Value::String(String::new()),
        Tag::Value => p.value_body(0)?,
        other => return Err(p.unexpected_open(&other, "<value>", at)),
    };
    p.end()?;
    Ok(value)
}

/// The exact reader alone, without the fast one in front: the oracle the
/// differential tests and the `decode_differential` fuzz target compare
/// the decoder with. Hidden, and compiled only for the crate's tests and
/// with the `decoder-oracle` feature (off by default); not part of the
/// API.
#[cfg(any(test, feature = "decoder-oracle"))]
#[cfg_attr(not(feature = "decoder-oracle"), allow(unreachable_pub))]
#[doc(hidden)]
pub mod oracle {
    use super::{Request, to_utf8};
    use crate::{DecodeError, DocumentLimits, MethodCall, Response, Value};

    /// [`decode_call`](crate::decode_call) by the exact reader alone.
    pub fn decode_call(body: &[u8], limits: &DocumentLimits) -> Result<MethodCall, DecodeError> {
        super::exact_call(&to_utf8(body)?, limits)
    }

    /// [`decode_response`](crate::decode_response) by the exact reader alone.
    pub fn decode_response(body: &[u8], limits: &DocumentLimits) -> Result<Response, DecodeError> {
        super::exact_response(&to_utf8(body)?, limits)
    }

    /// [`decode_value`](crate::decode_value) by the exact reader alone.
    pub fn decode_value(body: &[u8], limits: &DocumentLimits) -> Result<Value, DecodeError> {
        super::exact_value(&to_utf8(body)?, limits)
    }

    /// [`wire::multicall::decode_request`](crate::wire::multicall::decode_request)
    /// by the exact reader alone.
    pub fn decode_request(body: &[u8], limits: &DocumentLimits) -> Result<Request, DecodeError> {
        let multicall = crate::wire::names::MULTICALL;
        super::exact_request(&to_utf8(body)?, limits, multicall)
    }
}

/// Text gathered from one or more text, CDATA and reference tokens;
/// borrowed when it came in one piece.
enum TextAcc<'a> {
    Borrowed(&'a str),
    Owned(String),
}

impl<'a> TextAcc<'a> {
    fn push(&mut self, piece: &str) {
        match self {
            TextAcc::Borrowed("") => *self = TextAcc::Owned(piece.to_owned()),
            TextAcc::Borrowed(s) => {
                let mut owned = String::with_capacity(s.len() + piece.len());
                owned.push_str(s);
                owned.push_str(piece);
                *self = TextAcc::Owned(owned);
            }
            TextAcc::Owned(s) => s.push_str(piece),
        }
    }
    fn push_borrowed(&mut self, piece: &'a str) {
        match self {
            TextAcc::Borrowed("") => *self = TextAcc::Borrowed(piece),
            _ => self.push(piece),
        }
    }
    fn as_str(&self) -> &str {
        match self {
            TextAcc::Borrowed(s) => s,
            TextAcc::Owned(s) => s,
        }
    }
    fn len(&self) -> usize {
        self.as_str().len()
    }
    fn into_string(self) -> String {
        match self {
            TextAcc::Borrowed(s) => s.to_owned(),
            TextAcc::Owned(s) => s,
        }
    }
}

/// `<name>` of a known element.
fn describe(tag: Tag) -> String {
    format!("<{}>", tag.name().unwrap_or("?"))
}

/// Adds a CDATA section's content to `text`, its line ends normalised.
fn push_cdata<'a>(text: &mut TextAcc<'a>, content: &'a str) {
    if content.contains('\r') {
        text.push(&content.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        text.push_borrowed(content);
    }
}

fn is_xml_space(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

struct Parser<'a> {
    scan: Scanner<'a>,
    limits: &'a DocumentLimits,
    /// The items of the arrays being read, innermost last.
    items: Vec<Value>,
    /// The members of the structs being read, innermost last.
    members: Vec<(MemberName, Value)>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, limits: &'a DocumentLimits) -> Result<Self, DecodeError> {
        if src.len() > scan::MAX_DOCUMENT_BYTES {
            return Err(DecodeError::at_line_column(
                DecodeErrorKind::Limit(format!(
                    "a document of {} bytes is longer than the {} bytes a decoder reads",
                    src.len(),
                    scan::MAX_DOCUMENT_BYTES
                )),
                1,
                1,
            ));
        }
        Ok(Parser {
            scan: Scanner::new(src),
            limits,
            items: Vec::new(),
            members: Vec::new(),
        })
    }

    /// The prolog, `<methodCall>` and its `<methodName>`: the name.
    fn method_name(&mut self) -> Result<String, DecodeError> {
        self.root(Tag::MethodCall)?;
        let (tag, empty, at) = self.open_or_err("<methodName>")?;
        if tag != Tag::MethodName {
            return Err(self.unexpected_open(&tag, "<methodName>", at));
        }
        let method = self.text_of(Tag::MethodName, empty)?.into_string();
        let longest = self.limits.max_method_name_bytes;
        if method.len() > longest {
            return Err(self.error_at(
                DecodeErrorKind::Limit(format!(
                    "method name of {} bytes is longer than the limit of {longest}",
                    method.len(),
                )),
                at,
            ));
        }
        Ok(method)
    }

    /// The rest of a `<methodCall>` after its name: its parameters, up to
    /// the end of the document.
    fn call_params(&mut self) -> Result<Vec<Value>, DecodeError> {
        let params = match self.next_structural()? {
            Tok::Close(Tag::MethodCall) => Vec::new(),
            Tok::Open(Tag::Params, empty, _) => {
                let params = if empty { Vec::new() } else { self.params()? };
                self.expect_close(Tag::MethodCall)?;
                params
            }
            other => return Err(self.unexpected(other, "<params> or </methodCall>")),
        };
        self.end()?;
        Ok(params)
    }

    fn error_at(&self, kind: DecodeErrorKind, offset: u32) -> DecodeError {
        DecodeError::at(kind, self.scan.src(), offset as usize)
    }

    fn error_here(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::at(kind, self.scan.src(), self.scan.tok_start)
    }

    #[inline]
    fn next(&mut self) -> Result<Tok, DecodeError> {
        self.scan.next()
    }

    /// The next token that is not ignorable whitespace.
    fn next_structural(&mut self) -> Result<Tok, DecodeError> {
        loop {
            self.scan.skip_space();
            match self.next()? {
                Tok::Text(t) if is_xml_space(self.scan.slice(t)) => continue,
                Tok::CData(t) if is_xml_space(self.scan.slice(t)) => continue,
                Tok::LineEnd => continue,
                Tok::Text(_) | Tok::CData(_) | Tok::Char(_) => {
                    return Err(self.error_here(DecodeErrorKind::Structure(
                        "unexpected text between elements".into(),
                    )));
                }
                tok => return Ok(tok),
            }
        }
    }

    /// The name of the element `tag` whose tag starts at `at`, as written.
    fn name(&self, tag: Tag, at: u32) -> &'a str {
        tag.name().unwrap_or_else(|| self.scan.name_at(at as usize))
    }

    /// `<name>` of the element `tag` whose tag starts at `at`.
    fn describe_at(&self, tag: Tag, at: u32) -> String {
        format!("<{}>", self.name(tag, at))
    }

    fn unexpected(&self, tok: Tok, wanted: &str) -> DecodeError {
        let found = match tok {
            Tok::Open(tag, _, at) => return self.unexpected_open(&tag, wanted, at),
            Tok::Close(tag) => format!("</{}>", self.name(tag, self.scan.tok_start as u32)),
            Tok::Text(_) | Tok::CData(_) | Tok::Char(_) | Tok::LineEnd => "text".into(),
            Tok::Eof => {
                return self.error_here(DecodeErrorKind::Syntax(format!(
                    "the document ends early: expected {wanted}"
                )));
            }
        };
        self.error_here(DecodeErrorKind::Structure(format!(
            "expected {wanted}, found {found}"
        )))
    }

    fn unexpected_open(&self, tag: &Tag, wanted: &str, at: u32) -> DecodeError {
        let kind = match tag {
            Tag::Other if wanted == "a value type" => {
                DecodeErrorKind::Structure(format!("unknown value type <{}>", self.name(*tag, at)))
            }
            _ => DecodeErrorKind::Structure(format!(
                "expected {wanted}, found <{}>",
                self.name(*tag, at)
            )),
        };
        self.error_at(kind, at)
    }

    fn open_or_err(&mut self, wanted: &str) -> Result<(Tag, bool, u32), DecodeError> {
        match self.next_structural()? {
            Tok::Open(tag, empty, at) => Ok((tag, empty, at)),
            other => Err(self.unexpected(other, wanted)),
        }
    }

    fn expect_open(&mut self, want: Tag) -> Result<(), DecodeError> {
        match self.next_structural()? {
            Tok::Open(tag, false, _) if tag == want => Ok(()),
            other => Err(self.unexpected(other, &describe(want))),
        }
    }

    fn expect_close(&mut self, want: Tag) -> Result<(), DecodeError> {
        self.scan.skip_space();
        if self.scan.eat_plain_close(want) {
            return Ok(());
        }
        match self.next_structural()? {
            Tok::Close(tag) if tag == want => Ok(()),
            other => Err(self.unexpected(other, &format!("</{}>", want.name().unwrap_or("?")))),
        }
    }

    /// The root element `want`, after the prolog.
    fn root(&mut self, want: Tag) -> Result<(), DecodeError> {
        match self.next_structural()? {
            Tok::Open(tag, false, _) if tag == want => Ok(()),
            other => Err(self.unexpected(other, &describe(want))),
        }
    }

    /// Only whitespace, comments and processing instructions may follow the root.
    fn end(&mut self) -> Result<(), DecodeError> {
        match self.next_structural()? {
            Tok::Eof => Ok(()),
            other => {
                let _ = other;
                Err(self.error_here(DecodeErrorKind::Structure(
                    "unexpected content after the end of the document".into(),
                )))
            }
        }
    }

    /// The text content of element `tag` (already opened), up to its end.
    fn text_of(&mut self, tag: Tag, empty: bool) -> Result<TextAcc<'a>, DecodeError> {
        let mut text = TextAcc::Borrowed("");
        if empty {
            return Ok(text);
        }
        if let Some(plain) = self.scan.eat_plain_text(tag, self.limits.max_string_bytes) {
            return Ok(TextAcc::Borrowed(plain));
        }
        match self.character_data(&mut text, "text")? {
            Tok::Open(inner, _, at) => Err(self.error_at(
                DecodeErrorKind::Structure(format!(
                    "{} cannot hold an element, found {}",
                    describe(tag),
                    self.describe_at(inner, at)
                )),
                at,
            )),
            Tok::Eof => Err(self.unexpected(Tok::Eof, "text")),
            // `Tok::Close`: the only other token character data ends with.
            _ => Ok(text),
        }
    }

    /// Character data (text, CDATA, character references and line ends)
    /// added to `text` up to the next tag or the end of the document: the
    /// token read there (an `Open`, a `Close` or `Eof`). Past
    /// `max_string_bytes`, an error saying the `what` is too long.
    #[inline]
    fn character_data(&mut self, text: &mut TextAcc<'a>, what: &str) -> Result<Tok, DecodeError> {
        loop {
            match self.next()? {
                Tok::Text(t) => text.push_borrowed(self.scan.slice(t)),
                Tok::CData(t) => push_cdata(text, self.scan.slice(t)),
                Tok::Char(c) => text.push(c.encode_utf8(&mut [0; 4])),
                Tok::LineEnd => text.push("\n"),
                other => return Ok(other),
            }
            if text.len() > self.limits.max_string_bytes {
                return Err(self.longer_than_limit(what));
            }
        }
    }

    /// Reads the start tag of `want` when it comes next (after
    /// whitespace), written plainly; otherwise reads nothing but the
    /// whitespace and returns `false` (see [`Scanner::eat_plain_open`]).
    #[inline(always)]
    fn plain_open(&mut self, want: Tag) -> bool {
        self.scan.skip_space();
        self.scan.eat_plain_open(want)
    }

    /// The next token, when it is not the plainly written start tag
    /// `likely` (then `None`, the tag read): the general path beside the
    /// common one.
    #[inline(always)]
    fn unless_plain_open(&mut self, likely: Tag) -> Result<Option<Tok>, DecodeError> {
        if self.plain_open(likely) {
            Ok(None)
        } else {
            self.next_structural().map(Some)
        }
    }

    /// The next token, when it is neither the plainly written start tag
    /// `likely` (then `None`, the tag read) nor the plainly written end
    /// tag of `closing`, the innermost element (then `Close(closing)`,
    /// read): a container's next item, or its end, without the general
    /// path.
    #[inline(always)]
    fn unless_plain_open_or_close(
        &mut self,
        likely: Tag,
        closing: Tag,
    ) -> Result<Option<Tok>, DecodeError> {
        if self.plain_open(likely) {
            Ok(None)
        } else if self.scan.eat_plain_close(closing) {
            Ok(Some(Tok::Close(closing)))
        } else {
            self.next_structural().map(Some)
        }
    }

    /// `<param><value>…</value></param>`… up to `</params>`.
    fn params(&mut self) -> Result<Vec<Value>, DecodeError> {
        let mut params = Vec::new();
        loop {
            match self.unless_plain_open(Tag::Param)? {
                Some(Tok::Close(Tag::Params)) => return Ok(params),
                None | Some(Tok::Open(Tag::Param, false, _)) => {
                    if params.len() == self.limits.max_params {
                        return Err(self.error_here(DecodeErrorKind::Limit(format!(
                            "more than {} parameters",
                            self.limits.max_params
                        ))));
                    }
                    let n = params.len() + 1;
                    let value = self
                        .param_value()
                        .map_err(|e| e.within(Segment::Param(n)))?;
                    params.push(value);
                }
                Some(other) => return Err(self.unexpected(other, "<param> or </params>")),
            }
        }
    }

    fn param_value(&mut self) -> Result<Value, DecodeError> {
        let value = match self.unless_plain_open(Tag::Value)? {
            Some(Tok::Open(Tag::Value, true, _)) => Value::String(String::new()),
            None | Some(Tok::Open(Tag::Value, false, _)) => self.value_body(0)?,
            Some(other) => return Err(self.unexpected(other, "<value>")),
        };
        self.expect_close(Tag::Param)?;
        Ok(value)
    }

    /// The content of a `<value>` (already opened) up to and including `</value>`.
    /// `depth` counts the arrays and structs around it.
    fn value_body(&mut self, depth: u32) -> Result<Value, DecodeError> {
        match self.scan.peek_plain_value(self.limits.max_string_bytes) {
            Some(PlainValue::Scalar(typed, text, end)) => {
                if let Some(value) = self.plain_scalar(typed, text, end) {
                    return Ok(value);
                }
            }
            Some(PlainValue::Container(tag, end)) => {
                let at = self.scan.open_plain_container(tag, end);
                return self.typed(tag, false, at, depth);
            }
            None => {}
        }
        let mut text = TextAcc::Borrowed("");
        match self.character_data(&mut text, "string")? {
            Tok::Open(tag, empty, at) => {
                if !is_xml_space(text.as_str()) {
                    return Err(self.error_at(
                        DecodeErrorKind::Structure(format!(
                            "text before {} inside <value>",
                            self.describe_at(tag, at)
                        )),
                        at,
                    ));
                }
                self.typed(tag, empty, at, depth)
            }
            Tok::Eof => Err(self.unexpected(Tok::Eof, "</value>")),
            // `Tok::Close`, as for `text_of`.
            _ => Ok(Value::String(self.string(text)?)),
        }
    }

    /// A scalar `<value>` written plainly (see [`PlainValue::Scalar`]),
    /// when its text reads as its type: read up to and including
    /// `</value>`. Otherwise `None`, nothing read: the general path then
    /// reads it, and says what is wrong if anything is.
    #[inline]
    fn plain_scalar(&mut self, typed: Option<Tag>, text: &str, end: usize) -> Option<Value> {
        let value = match typed {
            None | Some(Tag::String) => Value::String(text.to_owned()),
            Some(Tag::Int | Tag::I4) => Value::Int(text.parse().ok()?),
            Some(Tag::I8) => Value::I8(text.parse().ok()?),
            Some(Tag::Boolean) => Value::Bool(read_boolean(text)?),
            Some(Tag::Double) => Value::Double(read_double(text)?),
            Some(Tag::DateTime) => Value::DateTime(text.parse().ok()?),
            Some(_) => return None,
        };
        self.scan.commit_plain_value(end);
        Some(value)
    }

    fn string_limit(&self) -> DecodeError {
        self.longer_than_limit("string")
    }

    /// The error of a `what` (a string, a text) longer than `max_string_bytes`.
    fn longer_than_limit(&self, what: &str) -> DecodeError {
        self.error_here(DecodeErrorKind::Limit(format!(
            "{what} longer than the limit of {} bytes",
            self.limits.max_string_bytes
        )))
    }

    fn string(&self, text: TextAcc<'a>) -> Result<String, DecodeError> {
        if text.len() > self.limits.max_string_bytes {
            return Err(self.string_limit());
        }
        Ok(text.into_string())
    }

    /// A member's name: held in place up to 24 bytes (no allocation).
    fn member_name(&self, text: TextAcc<'a>) -> Result<MemberName, DecodeError> {
        if text.len() > self.limits.max_string_bytes {
            return Err(self.string_limit());
        }
        Ok(match text {
            TextAcc::Borrowed(name) => MemberName::from(name),
            TextAcc::Owned(name) => MemberName::from(name),
        })
    }

    /// A typed value whose element `tag` (at offset `at`) was just opened,
    /// up to and including the `</value>` after it.
    ///
    /// Each arm reads its payload, then `</value>`, and only then makes
    /// the `Value`, straight into the caller's slot: a `Value` made first
    /// and kept across that call was copied back out with wider loads than
    /// the stores that wrote it, stalling on each (store forwarding): 20%
    /// of the decoder's time on a multicall.
    fn typed(&mut self, tag: Tag, empty: bool, at: u32, depth: u32) -> Result<Value, DecodeError> {
        let scalar_error = |p: &Self, what: String| p.error_at(DecodeErrorKind::Scalar(what), at);
        match tag {
            Tag::Array | Tag::Struct if depth >= self.limits.max_depth => Err(self.error_at(
                DecodeErrorKind::Limit(format!(
                    "arrays and structs nested deeper than the limit of {}",
                    self.limits.max_depth
                )),
                at,
            )),
            Tag::Array => self.array(empty, depth + 1),
            Tag::Struct => self.structure(empty, depth + 1),
            Tag::String => {
                let text = self.text_of(Tag::String, empty)?;
                let text = self.string(text)?;
                self.close_value(Value::String, text)
            }
            Tag::Int | Tag::I4 => {
                let read = |t: &str| t.parse::<i32>().ok();
                self.number_or_boolean(tag, empty, at, read, "a 32-bit integer", Value::Int)
            }
            Tag::I8 => {
                let read = |t: &str| t.parse::<i64>().ok();
                self.number_or_boolean(tag, empty, at, read, "a 64-bit integer", Value::I8)
            }
            Tag::Boolean => {
                self.number_or_boolean(tag, empty, at, read_boolean, "0 or 1", Value::Bool)
            }
            Tag::Double => {
                let what = "a finite number";
                self.number_or_boolean(tag, empty, at, read_double, what, Value::Double)
            }
            Tag::DateTime => {
                let text = self.text_of(Tag::DateTime, empty)?;
                let when = text.as_str().parse::<DateTime>().map_err(|e| {
                    scalar_error(
                        self,
                        format!("<dateTime.iso8601> holds {}: {e}", quote(text.as_str())),
                    )
                })?;
                self.close_value(Value::DateTime, when)
            }
            Tag::Base64 => {
                let text = self.text_of(Tag::Base64, empty)?;
                let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
                // Copied without its whitespace only when it has some.
                let compact: Cow<'_, [u8]> = if text.as_str().bytes().any(|b| is_space(&b)) {
                    Cow::Owned(text.as_str().bytes().filter(|b| !is_space(b)).collect())
                } else {
                    Cow::Borrowed(text.as_str().as_bytes())
                };
                if compact.len() / 4 * 3 > self.limits.max_base64_bytes {
                    return Err(self.error_at(
                        DecodeErrorKind::Limit(format!(
                            "base64 value longer than the limit of {} bytes",
                            self.limits.max_base64_bytes
                        )),
                        at,
                    ));
                }
                let bytes = BASE64.decode(&compact).map_err(|e| {
                    scalar_error(self, format!("<base64> holds invalid base64: {e}"))
                })?;
                self.close_value(Value::Base64, bytes)
            }
            Tag::Nil => {
                let text = self.text_of(Tag::Nil, empty)?;
                if !is_xml_space(text.as_str()) {
                    return Err(scalar_error(self, "<nil> must be empty".into()));
                }
                self.close_value(|()| Value::Nil, ())
            }
            other => Err(self.unexpected_open(&other, "a value type", at)),
        }
    }

    /// A number or boolean whose element `tag` (at offset `at`) was just
    /// opened: its text, the XML whitespace around it ignored, read by
    /// `read`; then `</value>`, and only then the value `make` makes (see
    /// [`typed`](Self::typed)). A text `read` refuses is an error saying it
    /// is not `expected`.
    #[inline(always)]
    fn number_or_boolean<T>(
        &mut self,
        tag: Tag,
        empty: bool,
        at: u32,
        read: impl FnOnce(&str) -> Option<T>,
        expected: &str,
        make: impl FnOnce(T) -> Value,
    ) -> Result<Value, DecodeError> {
        let text = self.text_of(tag, empty)?;
        let t = text
            .as_str()
            .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
        let Some(payload) = read(t) else {
            let name = tag.name().unwrap_or("int");
            let what = format!("<{name}> holds {}, not {expected}", quote(t));
            return Err(self.error_at(DecodeErrorKind::Scalar(what), at));
        };
        self.close_value(make, payload)
    }

    /// Reads `</value>`, then makes the value of `payload` (see
    /// [`typed`](Self::typed)).
    #[inline(always)]
    fn close_value<T>(
        &mut self,
        make: impl FnOnce(T) -> Value,
        payload: T,
    ) -> Result<Value, DecodeError> {
        self.expect_close(Tag::Value)?;
        Ok(make(payload))
    }

    fn check_items(&self, count: usize) -> Result<(), DecodeError> {
        if count == self.limits.max_items {
            return Err(self.error_here(DecodeErrorKind::Limit(format!(
                "more than {} items in one array or struct",
                self.limits.max_items
            ))));
        }
        Ok(())
    }

    /// An array's content, its `<array>` just opened, up to and including
    /// the `</value>` after it (read here, the value made last: see
    /// [`typed`](Self::typed)).
    fn array(&mut self, empty: bool, depth: u32) -> Result<Value, DecodeError> {
        if empty {
            return self.close_value(Value::Array, Vec::new());
        }
        // Items gather on the shared stack and move once into a vector of
        // their exact size: no regrowing, no spare capacity kept.
        let start = stack_start(&mut self.items);
        match self.unless_plain_open(Tag::Data)? {
            Some(Tok::Close(Tag::Array)) => return self.close_value(Value::Array, Vec::new()),
            Some(Tok::Open(Tag::Data, true, _)) => {}
            None | Some(Tok::Open(Tag::Data, false, _)) => loop {
                let value = match self.unless_plain_open_or_close(Tag::Value, Tag::Data)? {
                    None => Some(false),
                    Some(Tok::Open(Tag::Value, empty, _)) => Some(empty),
                    Some(Tok::Close(Tag::Data)) => None,
                    Some(other) => return Err(self.unexpected(other, "<value> or </data>")),
                };
                match value {
                    None => break,
                    Some(empty) => {
                        let count = self.items.len() - start;
                        self.check_items(count)?;
                        let item = if empty {
                            Value::String(String::new())
                        } else {
                            self.value_body(depth)
                                .map_err(|e| e.within(Segment::Item(count + 1)))?
                        };
                        self.items.push(item);
                    }
                }
            },
            Some(other) => return Err(self.unexpected(other, "<data>")),
        }
        self.expect_close(Tag::Array)?;
        self.expect_close(Tag::Value)?;
        Ok(Value::Array(take_from(&mut self.items, start)))
    }

    /// A struct's content, its `<struct>` just opened, up to and
    /// including the `</value>` after it (as for [`array`](Self::array)).
    fn structure(&mut self, empty: bool, depth: u32) -> Result<Value, DecodeError> {
        if empty {
            return self.close_value(Value::Struct, Struct::new());
        }
        // As for arrays: members gather on the shared stack, then fill a
        // map sized for them once.
        let start = stack_start(&mut self.members);
        loop {
            // The common case first: `<member><name>…</name><value>` in
            // one step (the general path below checks the count limit
            // where it reports it).
            if self.members.len() - start < self.limits.max_items {
                let longest = self.limits.max_string_bytes;
                if let Some(name) = self.scan.eat_plain_member_start(longest) {
                    let name = MemberName::from(name);
                    let value = self
                        .value_body(depth)
                        .map_err(|e| e.within(Segment::Member(name.to_string())))?;
                    self.expect_close(Tag::Member)?;
                    self.members.push((name, value));
                    continue;
                }
            }
            match self.unless_plain_open_or_close(Tag::Member, Tag::Struct)? {
                Some(Tok::Close(Tag::Struct)) => break,
                None | Some(Tok::Open(Tag::Member, false, _)) => {
                    self.check_items(self.members.len() - start)?;
                    let name = match self.unless_plain_open(Tag::Name)? {
                        None => self.text_of(Tag::Name, false)?,
                        Some(Tok::Open(Tag::Name, empty, _)) => self.text_of(Tag::Name, empty)?,
                        Some(other) => return Err(self.unexpected(other, "<name>")),
                    };
                    let name = self.member_name(name)?;
                    let value = match self.unless_plain_open(Tag::Value)? {
                        Some(Tok::Open(Tag::Value, true, _)) => Value::String(String::new()),
                        None | Some(Tok::Open(Tag::Value, false, _)) => self
                            .value_body(depth)
                            .map_err(|e| e.within(Segment::Member(name.to_string())))?,
                        Some(other) => {
                            return Err(self
                                .unexpected(other, "<value>")
                                .within(Segment::Member(name.into_string())));
                        }
                    };
                    self.expect_close(Tag::Member)?;
                    self.members.push((name, value));
                }
                Some(other) => return Err(self.unexpected(other, "<member> or </struct>")),
            }
        }
        self.expect_close(Tag::Value)?;
        // A repeated name keeps its first position and takes the last value.
        Ok(Value::Struct(Struct::from_members(take_from(
            &mut self.members,
            start,
        ))))
    }
}

/// The room the item and member stacks start with, at their first array
/// or struct (growing from 4 cost three reallocations a request on a
/// 2.5 KB struct); both stay under 1 KiB, below the size at which glibc's
/// `malloc` first sweeps its fast bins.
const STACK_ROOM: usize = 16;

/// Where the items of an array or struct about to be read start on
/// `stack`, which gets its first room ([`STACK_ROOM`]) at the first one.
fn stack_start<T>(stack: &mut Vec<T>) -> usize {
    if stack.capacity() == 0 {
        stack.reserve(STACK_ROOM);
    }
    stack.len()
}

/// The items of `stack` from `start` on, in a vector of their exact
/// size: moved (one copy) into a new one, the stack keeping its buffer
/// for the next ones, or, for a large outermost array or struct, the
/// stack's own buffer.
fn take_from<T>(stack: &mut Vec<T>, start: usize) -> Vec<T> {
    if start == 0 && stack.len() > STACK_ROOM {
        // A large outermost array or struct: its items are the whole
        // stack, which it takes, trimmed in place (no copy of items that
        // may weigh megabytes, no fresh pages to fault in); the stack
        // starts again at its next array or struct.
        let mut taken = std::mem::take(stack);
        taken.shrink_to_fit();
        return taken;
    }
    if start > 0 {
        // Exact capacity, one copy.
        return stack.split_off(start);
    }
    // `split_off(0)` would hand over the stack's whole buffer, spare
    // capacity included, and give the stack a new one as large.
    let mut taken = Vec::with_capacity(stack.len());
    taken.append(stack);
    taken
}

/// A `<boolean>`'s text (trimmed): `1` or `true`, `0` or `false`.
#[inline]
fn read_boolean(text: &str) -> Option<bool> {
    match text {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// A `<double>`'s text (trimmed): a finite number in decimal or
/// exponent notation (not `inf` or `NaN`, which Rust would read).
#[inline]
fn read_double(text: &str) -> Option<f64> {
    let d = text.parse::<f64>().ok()?;
    let finite = d.is_finite()
        && !text
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E');
    finite.then_some(d)
}

/// Standard base64, padding optional (some writers drop it).
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn quote(text: &str) -> String {
    format!("\"{}\"", crate::fault::truncate_for_message(text, 40))
}

#[cfg(test)]
mod tests;
