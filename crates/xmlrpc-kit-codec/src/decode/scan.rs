//! The tokeniser: XML as XML-RPC documents use it, read straight from the
//! text, one token at a time.
//!
//! It knows the markup XML-RPC needs and checks it as a well-formed XML
//! reader does: start tags (their attributes checked for form and
//! skipped), empty-element tags, end tags (each checked against the start
//! tag it closes), character data with the five predefined entities and
//! character references resolved and line ends normalised, CDATA sections;
//! comments and processing instructions are skipped, an XML declaration is
//! allowed only at the start, and a DOCTYPE is refused (no entity can be
//! declared, so none can expand). Element names become a [`Tag`] as they
//! are read, so the parser above compares small enums, not strings.
//!
//! Specialised to this one job, it builds values about as fast as a
//! generic XML reader only tokenises (BENCHMARKS.md, "The codec alone").
//! Positions are byte offsets into the text; they become line and column
//! only when an error is reported.

use memchr::{memchr, memchr_iter, memchr3};

use crate::error::{DecodeError, DecodeErrorKind};

/// The elements XML-RPC knows, and any other (whose name is read back
/// from the text when an error names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    MethodCall,
    MethodResponse,
    MethodName,
    Params,
    Param,
    Fault,
    Value,
    Int,
    /// `<i4>`, read as `<int>`; its own tag so that errors name it.
    I4,
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
    Other,
}

impl Tag {
    /// The tag named `name`. By length first, then bytes: the few
    /// candidates of each length are compared whole, without a call.
    #[inline]
    pub(super) fn from_name(name: &str) -> Tag {
        let known = match name.as_bytes() {
            b"i4" => Some(Tag::I4),
            [_, _, _] => match name {
                "int" => Some(Tag::Int),
                _ => None,
            },
            [_, _, _, _] => match name {
                "name" => Some(Tag::Name),
                "data" => Some(Tag::Data),
                _ => None,
            },
            [_, _, _, _, _] => match name {
                "value" => Some(Tag::Value),
                "array" => Some(Tag::Array),
                "param" => Some(Tag::Param),
                "fault" => Some(Tag::Fault),
                _ => None,
            },
            [_, _, _, _, _, _] => match name {
                "member" => Some(Tag::Member),
                "string" => Some(Tag::String),
                "struct" => Some(Tag::Struct),
                "params" => Some(Tag::Params),
                "double" => Some(Tag::Double),
                "base64" => Some(Tag::Base64),
                _ => None,
            },
            b"boolean" => Some(Tag::Boolean),
            b"methodCall" => Some(Tag::MethodCall),
            b"methodName" => Some(Tag::MethodName),
            b"methodResponse" => Some(Tag::MethodResponse),
            b"dateTime.iso8601" => Some(Tag::DateTime),
            _ => None,
        };
        known.unwrap_or_else(|| Self::extension(name))
    }

    /// Extension types are accepted with any namespace prefix (`ex:nil`,
    /// `ex:i8`); only names not known otherwise pay for it.
    #[cold]
    fn extension(name: &str) -> Tag {
        match name.rsplit_once(':').map_or(name, |(_, local)| local) {
            "i8" => Tag::I8,
            "i1" | "i2" => Tag::Int,
            "nil" => Tag::Nil,
            _ => Tag::Other,
        }
    }

    /// Whether the element is a type the decoder's fast path reads from
    /// plain text (see [`Scanner::peek_plain_value`]): numbers,
    /// booleans, strings and date-times. Base64 and nil, rarer, take the
    /// general path.
    #[inline]
    pub(super) fn is_plain_scalar(self) -> bool {
        matches!(
            self,
            Tag::Int | Tag::I4 | Tag::I8 | Tag::Boolean | Tag::String | Tag::Double | Tag::DateTime
        )
    }

    /// The element's name; `None` for [`Tag::Other`].
    pub(super) fn name(self) -> Option<&'static str> {
        Some(match self {
            Tag::MethodCall => "methodCall",
            Tag::MethodResponse => "methodResponse",
            Tag::MethodName => "methodName",
            Tag::Params => "params",
            Tag::Param => "param",
            Tag::Fault => "fault",
            Tag::Value => "value",
            Tag::Int => "int",
            Tag::I4 => "i4",
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
            Tag::Other => return None,
        })
    }
}

/// The elements whose start tags are most often written plainly
/// (`<value>`, no attribute, no space), each with its name and `>`. Such
/// a tag is recognised by comparing a few bytes of constant length, and
/// its end tag likewise; anything else takes the general path.
macro_rules! plain_tags {
    ($($first:literal => [$($text:literal => $tag:ident),+ $(,)?]),+ $(,)?) => {
        /// The plain start tag (`name>`) that `rest` starts with, and its
        /// name's length.
        // One arm per first byte, then its candidates in turn: generated,
        // so clippy's suggestion to fold the `if`s into guards does not fit.
        #[allow(clippy::collapsible_match)]
        #[inline(always)]
        fn plain_start(rest: &[u8]) -> Option<(Tag, usize)> {
            match rest.first()? {
                $($first => {
                    $(if rest.starts_with($text) {
                        return Some((Tag::$tag, $text.len() - 1));
                    })+
                })+
                _ => {}
            }
            None
        }

        /// Whether `rest` starts with `name>` for the plainly written
        /// element `tag`: the length of that, or `None`.
        #[inline(always)]
        fn plain_end(tag: Tag, rest: &[u8]) -> Option<usize> {
            match tag {
                $($(Tag::$tag => rest.starts_with($text).then_some($text.len()),)+)+
                _ => None,
            }
        }
    };
}

plain_tags! {
    b'v' => [b"value>" => Value],
    b'm' => [
        b"member>" => Member,
        b"methodName>" => MethodName,
        b"methodCall>" => MethodCall,
        b"methodResponse>" => MethodResponse,
    ],
    b'n' => [b"name>" => Name],
    b's' => [b"string>" => String, b"struct>" => Struct],
    b'i' => [b"int>" => Int, b"i4>" => I4, b"i8>" => I8],
    b'a' => [b"array>" => Array],
    b'd' => [b"data>" => Data, b"double>" => Double, b"dateTime.iso8601>" => DateTime],
    b'b' => [b"boolean>" => Boolean, b"base64>" => Base64],
    b'p' => [b"params>" => Params, b"param>" => Param],
    b'f' => [b"fault>" => Fault],
}

/// What a plainly opened `<value>` holds, when its type is written
/// plainly too: the decoder's fast path.
pub(super) enum PlainValue<'a> {
    /// `<TYPE>text</TYPE></value>` or bare `text</value>`, the text free
    /// of references, carriage returns and CDATA: the type's tag (`None`
    /// for bare text), the text, and where the `</value>` ends. Read
    /// with [`Scanner::commit_plain_value`] once the text has been read
    /// as its type.
    Scalar(Option<Tag>, &'a str, usize),
    /// `<array>` or `<struct>`: its tag and where its start tag ends.
    /// Read with [`Scanner::open_plain_container`].
    Container(Tag, usize),
}

/// The length of `</value>`.
const CLOSE_VALUE_LEN: usize = b"</value>".len();

/// The bytes that end a name: whitespace and the markup around names.
const ENDS_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let ends = b" \t\r\n/><=\"'&";
    while i < ends.len() {
        table[ends[i] as usize] = true;
        i += 1;
    }
    table
};

/// The bytes that end a run of character data: markup, a reference, a
/// carriage return.
const ENDS_TEXT: [bool; 256] = {
    let mut table = [false; 256];
    table[b'<' as usize] = true;
    table[b'&' as usize] = true;
    table[b'\r' as usize] = true;
    table
};

/// How many bytes of a run of text are looked at one at a time
/// before `memchr3` takes over: most texts of an
/// XML-RPC document (numbers, names, short strings) end within it, where
/// a byte loop costs less than setting up the vector search.
const SHORT_TEXT: usize = 16;

/// The length of the character data that `bytes` starts with: the offset
/// of its first `<`, `&` or `\r`, or `None` if it has none.
#[inline(always)]
fn text_end(bytes: &[u8]) -> Option<usize> {
    let head = bytes.len().min(SHORT_TEXT);
    if let Some(at) = bytes[..head]
        .iter()
        .position(|&b| ENDS_TEXT[usize::from(b)])
    {
        return Some(at);
    }
    memchr3(b'<', b'&', b'\r', &bytes[head..]).map(|at| head + at)
}

/// Where a piece of text is: a range of the document's bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    from: u32,
    to: u32,
}

/// One token of the document; comments and processing instructions are
/// not tokens. Small and `Copy` (texts are [`Span`]s, offsets `u32`): a
/// token, or a `Result` of one, is passed back in registers.
#[derive(Debug, Clone, Copy)]
pub(super) enum Tok {
    /// An element opens: its tag, whether it is empty (`<x/>`), the offset
    /// of its `<`.
    Open(Tag, bool, u32),
    /// An element closes (its name matched the start tag's).
    Close(Tag),
    /// Character data as written: no reference and no carriage return
    /// inside (those are tokens of their own).
    Text(Span),
    /// A CDATA section's content as written (line ends not yet normalised).
    CData(Span),
    /// A character reference or one of the five predefined entities.
    Char(char),
    /// A line end written as `\r\n` or a lone `\r`: it reads as `\n`.
    LineEnd,
    /// The end of the text.
    Eof,
}

/// Reads tokens from `src`, checking that end tags match.
#[derive(Clone)]
pub(super) struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Offset where the last token began: where its errors point.
    pub(super) tok_start: usize,
    /// Each element open around `pos`: its name (a range of `src`), its
    /// tag, and whether its start tag was plain (see [`plain_tags`]).
    open: Vec<(usize, usize, Tag, bool)>,
    /// Whether markup other than character data came yet (an XML
    /// declaration must come first).
    seen_markup: bool,
}

/// The room the stack of open elements starts with: a multicall's calls
/// sit 13 elements deep, and growing from nothing to that took three
/// reallocations a request.
const OPEN_ROOM: usize = 16;

/// The longest document read: offsets are `u32`.
pub(super) const MAX_DOCUMENT_BYTES: usize = u32::MAX as usize;

impl<'a> Scanner<'a> {
    /// A scanner of `src`, which is at most [`MAX_DOCUMENT_BYTES`] long.
    pub(super) fn new(src: &'a str) -> Self {
        debug_assert!(src.len() <= MAX_DOCUMENT_BYTES);
        Scanner {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            tok_start: 0,
            open: Vec::with_capacity(OPEN_ROOM),
            seen_markup: false,
        }
    }

    pub(super) fn src(&self) -> &'a str {
        self.src
    }

    /// The text at `span`.
    #[inline]
    pub(super) fn slice(&self, span: Span) -> &'a str {
        &self.src[span.from as usize..span.to as usize]
    }

    fn span(from: usize, to: usize) -> Span {
        // Offsets fit: the document is at most MAX_DOCUMENT_BYTES long.
        Span {
            from: from as u32,
            to: to as u32,
        }
    }

    /// The name of the start or end tag at `at` (its `<`).
    pub(super) fn name_at(&self, at: usize) -> &'a str {
        let from = match self.bytes.get(at + 1) {
            Some(b'/') => at + 2,
            _ => at + 1,
        };
        &self.src[from.min(self.bytes.len())..self.name_end(from.min(self.bytes.len()))]
    }

    fn syntax(&self, message: impl Into<String>, offset: usize) -> DecodeError {
        DecodeError::at(DecodeErrorKind::Syntax(message.into()), self.src, offset)
    }

    /// Skips XML whitespace (what may stand between elements).
    #[inline]
    pub(super) fn skip_space(&mut self) {
        self.pos = self.space_end(self.pos);
    }

    /// The end of the XML whitespace that starts at `at`.
    #[inline]
    fn space_end(&self, mut at: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.bytes.get(at) {
            at += 1;
        }
        at
    }

    /// The next token.
    #[inline]
    pub(super) fn next(&mut self) -> Result<Tok, DecodeError> {
        loop {
            let start = self.pos;
            self.tok_start = start;
            let Some(&byte) = self.bytes.get(start) else {
                return Ok(Tok::Eof);
            };
            match byte {
                b'<' => {
                    if let Some(tok) = self.markup(start)? {
                        return Ok(tok);
                    }
                }
                b'&' => return self.reference(start).map(Tok::Char),
                b'\r' => {
                    self.pos += if self.bytes.get(start + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    return Ok(Tok::LineEnd);
                }
                _ => {
                    let end =
                        text_end(&self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
                    self.pos = end;
                    // `start` and `end` are at ASCII bytes or the ends:
                    // character boundaries.
                    return Ok(Tok::Text(Self::span(start, end)));
                }
            }
        }
    }

    /// Reads the end tag of the innermost element when it is `want`, was
    /// opened plainly and the end tag follows at once, written plainly
    /// too (`</value>`): the common case, in one comparison. Otherwise
    /// reads nothing and returns `false`; the general path then reads
    /// (and checks) whatever is there.
    #[inline]
    pub(super) fn eat_plain_close(&mut self, want: Tag) -> bool {
        self.plain_close_at(self.pos, want).is_some_and(|end| {
            self.tok_start = self.pos;
            self.pos = end;
            self.open.pop();
            true
        })
    }

    /// Reads the start tag of `want` when it follows at once, written
    /// plainly (`<member>`). Otherwise reads nothing and returns `false`.
    #[inline]
    pub(super) fn eat_plain_open(&mut self, want: Tag) -> bool {
        let at = self.pos;
        if self.bytes.get(at) != Some(&b'<') {
            return false;
        }
        let Some(len) = plain_end(want, &self.bytes[at + 1..]) else {
            return false;
        };
        self.tok_start = at;
        self.seen_markup = true;
        self.pos = at + 1 + len;
        self.open.push((at + 1, at + len, want, true));
        true
    }

    /// Where the plain end tag of the innermost element, when it is `want`
    /// and was opened plainly, ends if it starts at `at`.
    #[inline]
    fn plain_close_at(&self, at: usize, want: Tag) -> Option<usize> {
        match self.open.last() {
            Some(&(_, _, tag, true)) if tag == want => {}
            _ => return None,
        }
        match self.bytes.get(at..at + 2) {
            Some(b"</") => plain_end(want, &self.bytes[at + 2..]).map(|len| at + 2 + len),
            _ => None,
        }
    }

    /// Reads the text content of the innermost element `want` with its end
    /// tag, when both are plain: text without references, carriage
    /// returns or CDATA, at most `longest` bytes, then the end tag written
    /// plainly. Otherwise reads nothing and returns `None`.
    #[inline]
    pub(super) fn eat_plain_text(&mut self, want: Tag, longest: usize) -> Option<&'a str> {
        let start = self.pos;
        let len = text_end(&self.bytes[start..])?;
        if len > longest || self.bytes[start + len] != b'<' {
            return None;
        }
        let end = self.plain_close_at(start + len, want)?;
        self.tok_start = start + len;
        self.pos = end;
        self.open.pop();
        // `start` and `start + len` are at ASCII bytes: character boundaries.
        Some(&self.src[start..start + len])
    }

    /// The content of the innermost element, a plainly opened `<value>`,
    /// when it starts with a plainly written type, reading nothing (see
    /// [`PlainValue`]). Anything else (whitespace before the type, a
    /// comment, an empty `<value>`, a scalar whose text or end tags are
    /// not plain) is `None`, left to the general path.
    #[inline]
    pub(super) fn peek_plain_value(&self, longest: usize) -> Option<PlainValue<'a>> {
        match self.open.last() {
            Some(&(_, _, Tag::Value, true)) => {}
            _ => return None,
        }
        let bytes = self.bytes;
        let start = self.pos;
        let (typed, from) = if bytes.get(start) == Some(&b'<') {
            let (tag, len) = plain_start(&bytes[start + 1..])?;
            if matches!(tag, Tag::Array | Tag::Struct) {
                return Some(PlainValue::Container(tag, start + len + 2));
            }
            if !tag.is_plain_scalar() {
                return None;
            }
            (Some(tag), start + len + 2)
        } else {
            (None, start)
        };
        let len = text_end(&bytes[from..])?;
        let mut at = from + len;
        if len > longest || bytes[at] != b'<' {
            return None;
        }
        if let Some(tag) = typed {
            if bytes.get(at + 1) != Some(&b'/') {
                return None;
            }
            at += 2 + plain_end(tag, &bytes[at + 2..])?;
        }
        if !bytes[at..].starts_with(b"</value>") {
            return None;
        }
        // `from` and `from + len` are at ASCII bytes: character boundaries.
        Some(PlainValue::Scalar(
            typed,
            &self.src[from..from + len],
            at + CLOSE_VALUE_LEN,
        ))
    }

    /// Reads the start tag of the plainly written `<array>` or `<struct>`
    /// that [`peek_plain_value`](Self::peek_plain_value) found, which
    /// ends at `end`; returns the offset of its `<`.
    #[inline]
    pub(super) fn open_plain_container(&mut self, tag: Tag, end: usize) -> u32 {
        let at = self.pos;
        self.tok_start = at;
        self.pos = end;
        self.open.push((at + 1, end - 1, tag, true));
        at as u32
    }

    /// Reads up to `end`, the end of the `</value>` that
    /// [`peek_plain_value`](Self::peek_plain_value) found, closing that
    /// `<value>`.
    #[inline]
    pub(super) fn commit_plain_value(&mut self, end: usize) {
        self.tok_start = end - CLOSE_VALUE_LEN;
        self.pos = end;
        self.open.pop();
    }

    /// Reads `<member><name>NAME</name><value>` when it comes next, every
    /// tag written plainly, whitespace allowed before `<member>`,
    /// `<name>` and `<value>`, and the name plain text (no reference,
    /// carriage return or CDATA) of at most `longest` bytes: returns the
    /// name, the member and its value left open. Otherwise reads nothing
    /// and returns `None`.
    #[inline]
    pub(super) fn eat_plain_member_start(&mut self, longest: usize) -> Option<&'a str> {
        let bytes = self.bytes;
        let member = self.space_end(self.pos);
        if !bytes[member..].starts_with(b"<member>") {
            return None;
        }
        let name = self.space_end(member + b"<member>".len());
        if !bytes[name..].starts_with(b"<name>") {
            return None;
        }
        let from = name + b"<name>".len();
        let len = text_end(&bytes[from..])?;
        let to = from + len;
        if len > longest || !bytes[to..].starts_with(b"</name>") {
            return None;
        }
        let value = self.space_end(to + b"</name>".len());
        if !bytes[value..].starts_with(b"<value>") {
            return None;
        }
        self.tok_start = value;
        self.seen_markup = true;
        self.pos = value + b"<value>".len();
        self.open
            .push((member + 1, member + b"<member".len(), Tag::Member, true));
        self.open
            .push((value + 1, value + b"<value".len(), Tag::Value, true));
        // `from` and `to` are at ASCII bytes: character boundaries.
        Some(&self.src[from..to])
    }

    /// The markup at `start` (a `<`): a token, or `None` for a comment, a
    /// processing instruction or the XML declaration.
    fn markup(&mut self, start: usize) -> Result<Option<Tok>, DecodeError> {
        let first = !self.seen_markup;
        self.seen_markup = true;
        match self.bytes.get(start + 1) {
            Some(b'/') => self.end_tag(start).map(Some),
            Some(b'!') => self.declaration(start),
            Some(b'?') => self.instruction(start, first).map(|()| None),
            _ => self.start_tag(start).map(Some),
        }
    }

    /// The end of a name starting at `from`.
    #[inline]
    fn name_end(&self, from: usize) -> usize {
        self.bytes[from..]
            .iter()
            .position(|&b| ENDS_NAME[usize::from(b)])
            .map_or(self.bytes.len(), |i| from + i)
    }

    /// Checks that `src[from..to]` is a name; `what` says whose.
    #[inline]
    fn check_name(&self, from: usize, to: usize, what: &str) -> Result<(), DecodeError> {
        match self.bytes.get(from) {
            _ if from == to => Err(self.syntax(format!("{what} has no name"), from)),
            Some(b'0'..=b'9' | b'-' | b'.') => Err(self.syntax(
                format!(
                    "{what} has a name that cannot start with {:?}",
                    char::from(self.bytes[from])
                ),
                from,
            )),
            _ => Ok(()),
        }
    }

    fn start_tag(&mut self, start: usize) -> Result<Tok, DecodeError> {
        let name_start = start + 1;
        if let Some((tag, len)) = plain_start(&self.bytes[name_start..]) {
            self.pos = name_start + len + 1;
            self.open.push((name_start, name_start + len, tag, true));
            return Ok(Tok::Open(tag, false, start as u32));
        }
        let name_end = self.name_end(name_start);
        self.check_name(name_start, name_end, "a start tag")?;
        let mut at = name_end;
        let empty = loop {
            let before = at;
            at = self.space_end(at);
            match self.bytes.get(at) {
                Some(b'>') => {
                    self.pos = at + 1;
                    break false;
                }
                Some(b'/') if self.bytes.get(at + 1) == Some(&b'>') => {
                    self.pos = at + 2;
                    break true;
                }
                None => return Err(self.syntax("a start tag is never closed with '>'", start)),
                Some(_) if at == before => {
                    return Err(self.syntax(
                        "expected whitespace, '>' or '/>' after the element's name or attribute",
                        at,
                    ));
                }
                Some(_) => at = self.attribute(at)?,
            }
        };
        let tag = Tag::from_name(&self.src[name_start..name_end]);
        if !empty {
            self.open.push((name_start, name_end, tag, false));
        }
        Ok(Tok::Open(tag, empty, start as u32))
    }

    /// An attribute `name="value"` (or with single quotes) at `from`: checked
    /// for form, and skipped. Returns the offset after it.
    fn attribute(&self, from: usize) -> Result<usize, DecodeError> {
        let name_end = self.name_end(from);
        self.check_name(from, name_end, "an attribute")?;
        let mut at = self.space_end(name_end);
        if self.bytes.get(at) != Some(&b'=') {
            return Err(self.syntax("an attribute needs '=' and a quoted value", at));
        }
        at = self.space_end(at + 1);
        let quote = match self.bytes.get(at) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(self.syntax("an attribute's value must be quoted", at)),
        };
        let value_start = at + 1;
        let Some(len) = memchr(quote, &self.bytes[value_start..]) else {
            return Err(self.syntax("an attribute's value is never closed", at));
        };
        if let Some(lt) = memchr(b'<', &self.bytes[value_start..value_start + len]) {
            return Err(self.syntax(
                "'<' is not allowed in an attribute's value",
                value_start + lt,
            ));
        }
        Ok(value_start + len + 1)
    }

    fn end_tag(&mut self, start: usize) -> Result<Tok, DecodeError> {
        let name_start = start + 2;
        // The common case: `</name>` exactly as the open element's name.
        if let Some(&(from, to, tag, plain)) = self.open.last() {
            let end = name_start + (to - from);
            let matches = if plain {
                plain_end(tag, &self.bytes[name_start..]).is_some()
            } else {
                self.bytes.get(name_start..end) == Some(&self.bytes[from..to])
                    && self.bytes.get(end) == Some(&b'>')
            };
            if matches {
                self.open.pop();
                self.pos = end + 1;
                return Ok(Tok::Close(tag));
            }
        }
        let name_end = self.name_end(name_start);
        self.check_name(name_start, name_end, "an end tag")?;
        let at = self.space_end(name_end);
        if self.bytes.get(at) != Some(&b'>') {
            return Err(self.syntax("an end tag must close with '>'", at));
        }
        self.pos = at + 1;
        let name = &self.src[name_start..name_end];
        match self.open.pop() {
            Some((from, to, tag, _)) if &self.src[from..to] == name => Ok(Tok::Close(tag)),
            Some((from, to, _, _)) => Err(self.syntax(
                format!(
                    "expected </{}>, found </{}>",
                    &self.src[from..to],
                    crate::fault::truncate_for_message(name, 40)
                ),
                start,
            )),
            None => Err(self.syntax(
                format!(
                    "</{}> closes no open element",
                    crate::fault::truncate_for_message(name, 40)
                ),
                start,
            )),
        }
    }

    /// `<!` at `start`: a comment (skipped), a CDATA section, or a DOCTYPE
    /// (refused).
    fn declaration(&mut self, start: usize) -> Result<Option<Tok>, DecodeError> {
        let rest = &self.bytes[start..];
        if rest.starts_with(b"<!--") {
            let Some(len) = find_closing(&rest[4..], b"-->") else {
                return Err(self.syntax("a comment is never closed with '-->'", start));
            };
            self.pos = start + 4 + len + 3;
            return Ok(None);
        }
        if rest.starts_with(b"<![CDATA[") {
            let from = start + 9;
            let Some(len) = find_closing(&self.bytes[from..], b"]]>") else {
                return Err(self.syntax("a CDATA section is never closed with ']]>'", start));
            };
            self.pos = from + len + 3;
            return Ok(Some(Tok::CData(Self::span(from, from + len))));
        }
        if rest.starts_with(b"<!DOCTYPE") {
            return Err(DecodeError::at(
                DecodeErrorKind::Forbidden(
                    "DOCTYPE declarations are not allowed in XML-RPC".into(),
                ),
                self.src,
                start,
            ));
        }
        Err(self.syntax("'<!' starts only a comment or a CDATA section here", start))
    }

    /// `<?` at `start`: the XML declaration (only `first`) or a processing
    /// instruction, skipped.
    fn instruction(&mut self, start: usize, first: bool) -> Result<(), DecodeError> {
        let target_end = self.name_end(start + 2);
        let Some(len) = find_closing(&self.bytes[start + 2..], b"?>") else {
            return Err(self.syntax("a processing instruction is never closed with '?>'", start));
        };
        let target = &self.src[start + 2..target_end.min(start + 2 + len)];
        if target.is_empty() {
            return Err(self.syntax("a processing instruction has no target", start));
        }
        if target == "xml" && !first {
            return Err(self.syntax("an XML declaration is allowed only at the start", start));
        }
        self.pos = start + 2 + len + 2;
        Ok(())
    }

    /// The reference at `start` (an `&`) up to its `;`.
    fn reference(&mut self, start: usize) -> Result<char, DecodeError> {
        // Names longer than this are not resolved anyway; the bound keeps
        // a stray '&' in a long text from a long search.
        const LONGEST: usize = 64;
        let window = &self.bytes[start + 1..self.bytes.len().min(start + 1 + LONGEST)];
        let Some(len) = memchr(b';', window).filter(|&l| !window[..l].contains(&b'<')) else {
            return Err(self.syntax(
                "'&' starts a reference that never ends with ';' (write &amp; for '&')",
                start,
            ));
        };
        self.pos = start + 1 + len + 1;
        resolve(&self.src[start + 1..start + 1 + len])
            .map_err(|kind| DecodeError::at(kind, self.src, start))
    }
}

/// The character a reference (without `&` and `;`) stands for.
fn resolve(r: &str) -> Result<char, DecodeErrorKind> {
    if let Some(number) = r.strip_prefix('#') {
        let code = match number.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => number.parse::<u32>(),
        };
        return match code.ok().and_then(char::from_u32) {
            Some(c) if !number.starts_with(['+', '-']) && !number.starts_with("x+") => {
                if crate::xml_chars::is_xml_char(c) {
                    Ok(c)
                } else {
                    Err(DecodeErrorKind::InvalidCharacter(format!(
                        "&{r};: {}",
                        crate::xml_chars::forbidden_message(c)
                    )))
                }
            }
            _ => Err(DecodeErrorKind::InvalidCharacter(format!(
                "&{r}; is not a valid character reference"
            ))),
        };
    }
    match r {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        "" => Err(DecodeErrorKind::Syntax("'&;' is an empty reference".into())),
        _ => Err(DecodeErrorKind::Forbidden(format!(
            "entity &{}; is not allowed (only &amp; &lt; &gt; &apos; &quot; and character references)",
            crate::fault::truncate_for_message(r, 40)
        ))),
    }
}

/// Where `closing` (`?>`, `-->`, `]]>`: each ends with `>`) first starts
/// in `bytes`: each `>` is found with `memchr` and the bytes before it
/// compared. (`memmem::find` builds a searcher per call, which cost more
/// than the search in a small document's XML declaration.)
pub(super) fn find_closing(bytes: &[u8], closing: &[u8]) -> Option<usize> {
    debug_assert_eq!(closing.last(), Some(&b'>'));
    let before = closing.len() - 1;
    memchr_iter(b'>', bytes)
        .filter(|&end| end >= before)
        .map(|end| end - before)
        .find(|&start| bytes[start..].starts_with(closing))
}

#[cfg(test)]
mod tests {
    use super::find_closing;

    #[test]
    fn closings_are_found_where_they_first_start() {
        assert_eq!(find_closing(b"xml version='1.0'?><a/>", b"?>"), Some(17));
        assert_eq!(find_closing(b"a > b ?> c ?>", b"?>"), Some(6));
        assert_eq!(find_closing(b" x --->", b"-->"), Some(4));
        assert_eq!(find_closing(b"]>]]]>", b"]]>"), Some(3));
        assert_eq!(find_closing(b">", b"?>"), None);
        assert_eq!(find_closing(b"-- >", b"-->"), None);
    }
}
