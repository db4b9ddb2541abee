//! Decoding: bytes → [`MethodCall`] / [`Response`] / [`Value`], with limits
//! checked while reading.
//!
//! A recursive descent over quick-xml's events. Positions are byte offsets
//! into the (UTF-8) text and become line and column only when an error is
//! reported; the value path is added while an error unwinds, so a document
//! that decodes pays for neither.

use base64::Engine as _;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::charset::to_utf8;
use crate::error::{DecodeError, DecodeErrorKind, Segment};
use crate::{DateTime, DocumentLimits, Fault, MethodCall, Response, Struct, Value};

/// Decodes a `<methodCall>` document.
///
/// The document may be in any encoding its XML declaration or byte-order
/// mark names; whitespace between elements is ignored.
pub fn decode_call(body: &[u8], limits: &DocumentLimits) -> Result<MethodCall, DecodeError> {
    let text = to_utf8(body)?;
    let mut p = Parser::new(&text, limits);
    p.root(Tag::MethodCall)?;
    let (tag, empty, at) = p.open_or_err("<methodName>")?;
    if tag != Tag::MethodName {
        return Err(p.unexpected_open(&tag, "<methodName>", at));
    }
    let method = p.text_of(Tag::MethodName, empty)?.into_string();
    if method.len() > limits.max_method_name_bytes {
        return Err(p.error_at(
            DecodeErrorKind::Limit(format!(
                "method name of {} bytes is longer than the limit of {}",
                method.len(),
                limits.max_method_name_bytes
            )),
            at,
        ));
    }
    let params = match p.next_structural()? {
        Tok::Close(Tag::MethodCall) => Vec::new(),
        Tok::Open(Tag::Params, empty, _) => {
            let params = if empty { Vec::new() } else { p.params()? };
            p.expect_close(Tag::MethodCall)?;
            params
        }
        other => return Err(p.unexpected(other, "<params> or </methodCall>")),
    };
    p.end()?;
    Ok(MethodCall { method, params })
}

/// Decodes a `<methodResponse>` document: its value, or its fault.
///
/// A response with an empty `<params>` (sent by some servers for a
/// procedure with no result) decodes as [`Value::Nil`].
pub fn decode_response(body: &[u8], limits: &DocumentLimits) -> Result<Response, DecodeError> {
    let text = to_utf8(body)?;
    let mut p = Parser::new(&text, limits);
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
/// use xmlrpc::{decode_value, DocumentLimits, Value};
/// let v = decode_value(b"<value><array><data><value>a</value><value><i8>5</i8></value></data></array></value>", &DocumentLimits::default()).unwrap();
/// assert_eq!(v, Value::Array(vec![Value::String("a".into()), Value::I8(5)]));
/// ```
pub fn decode_value(body: &[u8], limits: &DocumentLimits) -> Result<Value, DecodeError> {
    let text = to_utf8(body)?;
    let mut p = Parser::new(&text, limits);
    let (tag, empty, at) = p.open_or_err("<value>")?;
    let value = match tag {
        Tag::Value if empty => Value::String(String::new()),
        Tag::Value => p.value_body(0)?,
        other => return Err(p.unexpected_open(&other, "<value>", at)),
    };
    p.end()?;
    Ok(value)
}

/// The elements XML-RPC knows, and any other.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tag {
    MethodCall,
    MethodResponse,
    MethodName,
    Params,
    Param,
    Fault,
    Value,
    Int,
    I8,
    Boolean,
    String,
    Double,
    DateTime,
    Base64,
    Nil,
    Array,
    Data,
    Struct,
    Member,
    Name,
    Other(String),
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "methodCall" => Tag::MethodCall,
            "methodResponse" => Tag::MethodResponse,
            "methodName" => Tag::MethodName,
            "params" => Tag::Params,
            "param" => Tag::Param,
            "fault" => Tag::Fault,
            "value" => Tag::Value,
            "int" | "i4" => Tag::Int,
            "boolean" => Tag::Boolean,
            "string" => Tag::String,
            "double" => Tag::Double,
            "dateTime.iso8601" => Tag::DateTime,
            "base64" => Tag::Base64,
            "array" => Tag::Array,
            "data" => Tag::Data,
            "struct" => Tag::Struct,
            "member" => Tag::Member,
            "name" => Tag::Name,
            // Extension types are accepted with any namespace prefix
            // (`ex:nil`, `ex:i8`); only names not matched above pay for it.
            other => match other.rsplit_once(':').map_or(other, |(_, local)| local) {
                "i8" => Tag::I8,
                "i1" | "i2" => Tag::Int,
                "nil" => Tag::Nil,
                _ => Tag::Other(other.to_owned()),
            },
        }
    }

    fn describe(&self) -> String {
        let name = match self {
            Tag::MethodCall => "methodCall",
            Tag::MethodResponse => "methodResponse",
            Tag::MethodName => "methodName",
            Tag::Params => "params",
            Tag::Param => "param",
            Tag::Fault => "fault",
            Tag::Value => "value",
            Tag::Int => "int",
            Tag::I8 => "i8",
            Tag::Boolean => "boolean",
            Tag::String => "string",
            Tag::Double => "double",
            Tag::DateTime => "dateTime.iso8601",
            Tag::Base64 => "base64",
            Tag::Nil => "nil",
            Tag::Array => "array",
            Tag::Data => "data",
            Tag::Struct => "struct",
            Tag::Member => "member",
            Tag::Name => "name",
            Tag::Other(name) => name,
        };
        format!("<{name}>")
    }
}

/// One token of the document, with comments and processing instructions dropped.
#[derive(Debug)]
enum Tok<'a> {
    /// An element opens: its tag, whether it is empty (`<x/>`), its offset.
    Open(Tag, bool, usize),
    Close(Tag),
    /// Raw text, or text whose line ends were normalised.
    Text(&'a str),
    Normalized(String),
    Char(char),
    Eof,
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

/// XML end-of-line handling: `\r\n` and a lone `\r` in raw text read as
/// `\n` (a `&#13;` reference stays a carriage return).
fn text_token(raw: &str) -> Tok<'_> {
    if !raw.contains('\r') {
        return Tok::Text(raw);
    }
    Tok::Normalized(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

fn is_xml_space(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

struct Parser<'a> {
    src: &'a str,
    reader: Reader<&'a [u8]>,
    limits: &'a DocumentLimits,
    /// Offset where the last token began.
    tok_start: usize,
    seen_markup: bool,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, limits: &'a DocumentLimits) -> Self {
        let mut reader = Reader::from_str(src);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Parser {
            src,
            reader,
            limits,
            tok_start: 0,
            seen_markup: false,
        }
    }

    fn error_at(&self, kind: DecodeErrorKind, offset: usize) -> DecodeError {
        DecodeError::at(kind, self.src, offset)
    }

    fn error_here(&self, kind: DecodeErrorKind) -> DecodeError {
        self.error_at(kind, self.tok_start)
    }

    fn next(&mut self) -> Result<Tok<'a>, DecodeError> {
        loop {
            self.tok_start = self.reader.buffer_position() as usize;
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = self.reader.error_position() as usize;
                    return Err(self.error_at(DecodeErrorKind::Syntax(e.to_string()), at));
                }
            };
            let end = self.reader.buffer_position() as usize;
            let first = !self.seen_markup;
            if !matches!(event, Event::Text(_)) {
                self.seen_markup = true;
            }
            return Ok(match event {
                Event::Start(e) => Tok::Open(self.tag(&e), false, self.tok_start),
                Event::Empty(e) => Tok::Open(self.tag(&e), true, self.tok_start),
                Event::End(e) => Tok::Close(Tag::from_name(e.name().as_ref())),
                Event::Text(_) => text_token(&self.src[self.tok_start..end]),
                Event::CData(_) => {
                    text_token(&self.src[self.tok_start + "<![CDATA[".len()..end - "]]>".len()])
                }
                Event::GeneralRef(r) => Tok::Char(self.resolve_reference(&r)?),
                Event::Comment(_) | Event::PI(_) => continue,
                Event::Decl(_) if first => continue,
                Event::Decl(_) => {
                    return Err(self.error_here(DecodeErrorKind::Syntax(
                        "an XML declaration is allowed only at the start".into(),
                    )));
                }
                Event::DocType(_) => {
                    return Err(self.error_here(DecodeErrorKind::Forbidden(
                        "DOCTYPE declarations are not allowed in XML-RPC".into(),
                    )));
                }
                Event::Eof => Tok::Eof,
            });
        }
    }

    fn tag(&self, e: &BytesStart<'_>) -> Tag {
        Tag::from_name(e.name().as_ref())
    }

    fn resolve_reference(&self, r: &str) -> Result<char, DecodeError> {
        if let Some(number) = r.strip_prefix('#') {
            let code = match number.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => number.parse::<u32>(),
            };
            return match code.ok().and_then(char::from_u32) {
                Some(c) if c != '\0' && !number.starts_with(['+', '-']) => Ok(c),
                _ => Err(self.error_here(DecodeErrorKind::InvalidCharacter(format!(
                    "&{r}; is not a valid character reference"
                )))),
            };
        }
        match r {
            "amp" => Ok('&'),
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "apos" => Ok('\''),
            "quot" => Ok('"'),
            _ => Err(self.error_here(DecodeErrorKind::Forbidden(format!(
                "entity &{}; is not allowed (only &amp; &lt; &gt; &apos; &quot; and character references)",
                crate::fault::truncate_for_message(r, 40)
            )))),
        }
    }

    /// The next token that is not ignorable whitespace.
    fn next_structural(&mut self) -> Result<Tok<'a>, DecodeError> {
        loop {
            match self.next()? {
                Tok::Text(t) if is_xml_space(t) => continue,
                Tok::Normalized(t) if is_xml_space(&t) => continue,
                Tok::Text(_) | Tok::Normalized(_) | Tok::Char(_) => {
                    return Err(self.error_here(DecodeErrorKind::Structure(
                        "unexpected text between elements".into(),
                    )));
                }
                tok => return Ok(tok),
            }
        }
    }

    fn unexpected(&self, tok: Tok<'_>, wanted: &str) -> DecodeError {
        let found = match tok {
            Tok::Open(tag, _, at) => return self.unexpected_open(&tag, wanted, at),
            Tok::Close(tag) => format!("</{}", &tag.describe()[1..]),
            Tok::Text(_) | Tok::Normalized(_) | Tok::Char(_) => "text".into(),
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

    fn unexpected_open(&self, tag: &Tag, wanted: &str, at: usize) -> DecodeError {
        let kind = match tag {
            Tag::Other(name) if wanted == "a value type" => {
                DecodeErrorKind::Structure(format!("unknown value type <{name}>"))
            }
            _ => DecodeErrorKind::Structure(format!("expected {wanted}, found {}", tag.describe())),
        };
        self.error_at(kind, at)
    }

    fn open_or_err(&mut self, wanted: &str) -> Result<(Tag, bool, usize), DecodeError> {
        match self.next_structural()? {
            Tok::Open(tag, empty, at) => Ok((tag, empty, at)),
            other => Err(self.unexpected(other, wanted)),
        }
    }

    fn expect_open(&mut self, want: Tag) -> Result<(), DecodeError> {
        match self.next_structural()? {
            Tok::Open(tag, false, _) if tag == want => Ok(()),
            other => Err(self.unexpected(other, &want.describe())),
        }
    }

    fn expect_close(&mut self, want: Tag) -> Result<(), DecodeError> {
        match self.next_structural()? {
            Tok::Close(tag) if tag == want => Ok(()),
            other => Err(self.unexpected(other, &format!("</{}", &want.describe()[1..]))),
        }
    }

    /// The root element `want`, after the prolog.
    fn root(&mut self, want: Tag) -> Result<(), DecodeError> {
        match self.next_structural()? {
            Tok::Open(tag, false, _) if tag == want => Ok(()),
            other => Err(self.unexpected(other, &want.describe())),
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
        loop {
            match self.next()? {
                Tok::Text(t) => text.push_borrowed(t),
                Tok::Normalized(t) => text.push(&t),
                Tok::Char(c) => text.push(c.encode_utf8(&mut [0; 4])),
                Tok::Close(_) => return Ok(text),
                Tok::Open(inner, _, at) => {
                    return Err(self.error_at(
                        DecodeErrorKind::Structure(format!(
                            "{} cannot hold an element, found {}",
                            tag.describe(),
                            inner.describe()
                        )),
                        at,
                    ));
                }
                Tok::Eof => return Err(self.unexpected(Tok::Eof, "text")),
            }
            if text.len() > self.limits.max_string_bytes {
                return Err(self.error_here(DecodeErrorKind::Limit(format!(
                    "text longer than the limit of {} bytes",
                    self.limits.max_string_bytes
                ))));
            }
        }
    }

    /// `<param><value>…</value></param>`… up to `</params>`.
    fn params(&mut self) -> Result<Vec<Value>, DecodeError> {
        let mut params = Vec::new();
        loop {
            match self.next_structural()? {
                Tok::Close(Tag::Params) => return Ok(params),
                Tok::Open(Tag::Param, false, _) => {
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
                other => return Err(self.unexpected(other, "<param> or </params>")),
            }
        }
    }

    fn param_value(&mut self) -> Result<Value, DecodeError> {
        let value = match self.next_structural()? {
            Tok::Open(Tag::Value, true, _) => Value::String(String::new()),
            Tok::Open(Tag::Value, false, _) => self.value_body(0)?,
            other => return Err(self.unexpected(other, "<value>")),
        };
        self.expect_close(Tag::Param)?;
        Ok(value)
    }

    /// The content of a `<value>` (already opened) up to and including `</value>`.
    /// `depth` counts the arrays and structs around it.
    fn value_body(&mut self, depth: u32) -> Result<Value, DecodeError> {
        let mut text = TextAcc::Borrowed("");
        loop {
            match self.next()? {
                Tok::Text(t) => text.push_borrowed(t),
                Tok::Normalized(t) => text.push(&t),
                Tok::Char(c) => text.push(c.encode_utf8(&mut [0; 4])),
                Tok::Close(_) => return Ok(Value::String(self.string(text)?)),
                Tok::Open(tag, empty, at) => {
                    if !is_xml_space(text.as_str()) {
                        return Err(self.error_at(
                            DecodeErrorKind::Structure(format!(
                                "text before {} inside <value>",
                                tag.describe()
                            )),
                            at,
                        ));
                    }
                    let value = self.typed(tag, empty, at, depth)?;
                    self.expect_close(Tag::Value)?;
                    return Ok(value);
                }
                Tok::Eof => return Err(self.unexpected(Tok::Eof, "</value>")),
            }
            if text.len() > self.limits.max_string_bytes {
                return Err(self.string_limit());
            }
        }
    }

    fn string_limit(&self) -> DecodeError {
        self.error_here(DecodeErrorKind::Limit(format!(
            "string longer than the limit of {} bytes",
            self.limits.max_string_bytes
        )))
    }

    fn string(&self, text: TextAcc<'a>) -> Result<String, DecodeError> {
        if text.len() > self.limits.max_string_bytes {
            return Err(self.string_limit());
        }
        Ok(text.into_string())
    }

    /// A typed value whose element `tag` (at offset `at`) was just opened.
    fn typed(
        &mut self,
        tag: Tag,
        empty: bool,
        at: usize,
        depth: u32,
    ) -> Result<Value, DecodeError> {
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
                Ok(Value::String(self.string(text)?))
            }
            Tag::Int => {
                let text = self.text_of(Tag::Int, empty)?;
                let t = text
                    .as_str()
                    .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
                t.parse::<i32>().map(Value::Int).map_err(|_| {
                    scalar_error(
                        self,
                        format!("<int> holds {}, not a 32-bit integer", quote(t)),
                    )
                })
            }
            Tag::I8 => {
                let text = self.text_of(Tag::I8, empty)?;
                let t = text
                    .as_str()
                    .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
                t.parse::<i64>().map(Value::I8).map_err(|_| {
                    scalar_error(
                        self,
                        format!("<i8> holds {}, not a 64-bit integer", quote(t)),
                    )
                })
            }
            Tag::Boolean => {
                let text = self.text_of(Tag::Boolean, empty)?;
                match text
                    .as_str()
                    .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
                {
                    "1" | "true" => Ok(Value::Bool(true)),
                    "0" | "false" => Ok(Value::Bool(false)),
                    t => Err(scalar_error(
                        self,
                        format!("<boolean> holds {}, not 0 or 1", quote(t)),
                    )),
                }
            }
            Tag::Double => {
                let text = self.text_of(Tag::Double, empty)?;
                let t = text
                    .as_str()
                    .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
                match t.parse::<f64>() {
                    Ok(d)
                        if d.is_finite()
                            && !t
                                .bytes()
                                .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') =>
                    {
                        Ok(Value::Double(d))
                    }
                    _ => Err(scalar_error(
                        self,
                        format!("<double> holds {}, not a finite number", quote(t)),
                    )),
                }
            }
            Tag::DateTime => {
                let text = self.text_of(Tag::DateTime, empty)?;
                text.as_str()
                    .parse::<DateTime>()
                    .map(Value::DateTime)
                    .map_err(|e| {
                        scalar_error(
                            self,
                            format!("<dateTime.iso8601> holds {}: {e}", quote(text.as_str())),
                        )
                    })
            }
            Tag::Base64 => {
                let text = self.text_of(Tag::Base64, empty)?;
                let compact: Vec<u8> = text
                    .as_str()
                    .bytes()
                    .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .collect();
                if compact.len() / 4 * 3 > self.limits.max_base64_bytes {
                    return Err(self.error_at(
                        DecodeErrorKind::Limit(format!(
                            "base64 value longer than the limit of {} bytes",
                            self.limits.max_base64_bytes
                        )),
                        at,
                    ));
                }
                BASE64
                    .decode(&compact)
                    .map(Value::Base64)
                    .map_err(|e| scalar_error(self, format!("<base64> holds invalid base64: {e}")))
            }
            Tag::Nil => {
                let text = self.text_of(Tag::Nil, empty)?;
                if is_xml_space(text.as_str()) {
                    Ok(Value::Nil)
                } else {
                    Err(scalar_error(self, "<nil> must be empty".into()))
                }
            }
            other => Err(self.unexpected_open(&other, "a value type", at)),
        }
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

    fn array(&mut self, empty: bool, depth: u32) -> Result<Value, DecodeError> {
        let mut items = Vec::new();
        if empty {
            return Ok(Value::Array(items));
        }
        match self.next_structural()? {
            Tok::Close(Tag::Array) => return Ok(Value::Array(items)),
            Tok::Open(Tag::Data, true, _) => {}
            Tok::Open(Tag::Data, false, _) => loop {
                match self.next_structural()? {
                    Tok::Close(Tag::Data) => break,
                    Tok::Open(Tag::Value, empty, _) => {
                        self.check_items(items.len())?;
                        let item = if empty {
                            Value::String(String::new())
                        } else {
                            let n = items.len() + 1;
                            self.value_body(depth)
                                .map_err(|e| e.within(Segment::Item(n)))?
                        };
                        items.push(item);
                    }
                    other => return Err(self.unexpected(other, "<value> or </data>")),
                }
            },
            other => return Err(self.unexpected(other, "<data>")),
        }
        self.expect_close(Tag::Array)?;
        Ok(Value::Array(items))
    }

    fn structure(&mut self, empty: bool, depth: u32) -> Result<Value, DecodeError> {
        let mut members = Struct::new();
        if empty {
            return Ok(Value::Struct(members));
        }
        loop {
            match self.next_structural()? {
                Tok::Close(Tag::Struct) => return Ok(Value::Struct(members)),
                Tok::Open(Tag::Member, false, _) => {
                    self.check_items(members.len())?;
                    let name = match self.next_structural()? {
                        Tok::Open(Tag::Name, empty, _) => {
                            let text = self.text_of(Tag::Name, empty)?;
                            self.string(text)?
                        }
                        other => return Err(self.unexpected(other, "<name>")),
                    };
                    let value = match self.next_structural()? {
                        Tok::Open(Tag::Value, true, _) => Value::String(String::new()),
                        Tok::Open(Tag::Value, false, _) => self
                            .value_body(depth)
                            .map_err(|e| e.within(Segment::Member(name.clone())))?,
                        other => {
                            return Err(self
                                .unexpected(other, "<value>")
                                .within(Segment::Member(name)));
                        }
                    };
                    self.expect_close(Tag::Member)?;
                    // A repeated name keeps its first position and takes the last value.
                    members.insert(name, value);
                }
                other => return Err(self.unexpected(other, "<member> or </struct>")),
            }
        }
    }
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
