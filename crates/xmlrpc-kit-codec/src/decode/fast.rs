//! The optimistic decoder: reads the common, plainly written shapes of a
//! document in one forward pass, and gives up (`None`) on anything else
//! so that the exact decoder ([`Parser`](super::Parser)) reads it from
//! the start.
//!
//! It runs on text that [`to_utf8`](crate::charset::to_utf8) has already
//! made UTF-8 and checked for characters XML cannot carry, so it checks
//! neither again. It knows only tags written plainly (`<value>`, no
//! attribute, no space inside), whitespace between elements, text with
//! the five predefined entities and decimal or hexadecimal character
//! references, and an XML declaration at the start; a comment, a CDATA
//! section, another processing instruction, a DOCTYPE, a carriage return
//! inside text, an extension type (`ex:i8`, `i1`), an attribute, a limit
//! reached, or any error makes it give up. Every value it makes is made
//! by the same functions as the exact decoder's (number, boolean, double,
//! date-time and base64 readers, [`Struct::from_members`]), so where it
//! does not give up its result is the exact decoder's; where it gives up,
//! the exact decoder's result and error messages (line, column, value
//! path) are what the caller gets. The differential tests
//! (`fast/tests.rs`) and the `decode_differential` fuzz target hold it to
//! that.

use std::borrow::Cow;

use memchr::memchr;

use super::scan::find_closing;
use super::{BASE64, read_boolean, read_double, stack_start, take_from};
use crate::{DateTime, DocumentLimits, Fault, MemberName, MethodCall, Response, Struct, Value};

/// Gives up unless `$cond` holds.
macro_rules! ensure {
    ($cond:expr) => {
        if !$cond {
            return None;
        }
    };
}

/// The optimistic reader of one document (see the module's docs).
pub(super) struct Fast<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    limits: &'a DocumentLimits,
    /// The items of the arrays being read, innermost last.
    items: Vec<Value>,
    /// The members of the structs being read, innermost last.
    members: Vec<(MemberName, Value)>,
}

/// A `<methodCall>`, or `None` to read it exactly.
pub(super) fn call(src: &str, limits: &DocumentLimits) -> Option<MethodCall> {
    let mut f = Fast::new(src, limits)?;
    let method = f.method_name()?.into_owned();
    let params = f.call_params()?;
    Some(MethodCall { method, params })
}

/// A `<methodResponse>`, or `None` to read it exactly.
pub(super) fn response(src: &str, limits: &DocumentLimits) -> Option<Response> {
    let mut f = Fast::new(src, limits)?;
    f.prolog();
    ensure!(f.eat(b"<methodResponse>"));
    f.skip_space();
    let response = if f.eat(b"<params>") {
        let mut params = f.params()?;
        ensure!(params.len() <= 1);
        Ok(params.pop().unwrap_or(Value::Nil))
    } else if f.eat(b"<params/>") {
        Ok(Value::Nil)
    } else {
        ensure!(f.eat(b"<fault>"));
        f.skip_space();
        ensure!(f.eat(b"<value>"));
        let value = f.value_body(0)?;
        f.close(b"</fault>")?;
        Err(Fault::from_value(&value)?)
    };
    f.close(b"</methodResponse>")?;
    f.end()?;
    Some(response)
}

/// A document whose root is a `<value>`, or `None` to read it exactly.
pub(super) fn value(src: &str, limits: &DocumentLimits) -> Option<Value> {
    let mut f = Fast::new(src, limits)?;
    f.prolog();
    let value = if f.eat(b"<value>") {
        f.value_body(0)?
    } else {
        ensure!(f.eat(b"<value/>"));
        Value::String(String::new())
    };
    f.end()?;
    Some(value)
}

/// Whether `b` is XML whitespace.
#[inline(always)]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `0x01` in each byte of a word.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in each byte of a word.
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The bytes of `word` equal to `byte`, as their high bit (and, above
/// the first, possibly others: only the lowest is exact, which is all
/// [`text_len`] uses).
#[inline(always)]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// How many bytes of a text are read eight at a time before `memchr3`
/// takes over (most texts in XML-RPC are numbers and short names).
const SHORT_TEXT: usize = 64;

/// The length of the text `bytes` starts with: the offset of its first
/// `<`, `&` or `\r`, or `None` if it has none. Eight bytes at a time,
/// each word tested for the three at once.
#[inline(always)]
fn text_len(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let found = bytes_equal(word, b'<') | bytes_equal(word, b'&') | bytes_equal(word, b'\r');
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
        if at >= SHORT_TEXT {
            return memchr::memchr3(b'<', b'&', b'\r', &bytes[at..]).map(|n| at + n);
        }
    }
    bytes[at..]
        .iter()
        .position(|&b| matches!(b, b'<' | b'&' | b'\r'))
        .map(|n| at + n)
}

/// `text` without the XML whitespace around it.
#[inline(always)]
fn trim_space(text: &str) -> &str {
    let bytes = text.as_bytes();
    let (mut from, mut to) = (0, bytes.len());
    while from < to && is_space(bytes[from]) {
        from += 1;
    }
    while to > from && is_space(bytes[to - 1]) {
        to -= 1;
    }
    // Both ends are next to ASCII bytes or at the ends: boundaries.
    &text[from..to]
}

impl<'a> Fast<'a> {
    /// A reader of `src`, or `None` for a document too long for the
    /// exact decoder's offsets (it reports that).
    pub(super) fn new(src: &'a str, limits: &'a DocumentLimits) -> Option<Self> {
        ensure!(src.len() <= super::scan::MAX_DOCUMENT_BYTES);
        Some(Fast {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            limits,
            items: Vec::new(),
            members: Vec::new(),
        })
    }

    /// Skips XML whitespace.
    #[inline(always)]
    fn skip_space(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !is_space(b) {
                break;
            }
            self.pos += 1;
        }
    }

    /// Reads `lit` when it comes next.
    #[inline(always)]
    fn eat(&mut self, lit: &[u8]) -> bool {
        let found = self.bytes[self.pos..].starts_with(lit);
        if found {
            self.pos += lit.len();
        }
        found
    }

    /// Whitespace, then the end tag `lit`.
    #[inline(always)]
    fn close(&mut self, lit: &[u8]) -> Option<()> {
        self.skip_space();
        self.eat(lit).then_some(())
    }

    /// Leading whitespace, the XML declaration if there is one, and the
    /// whitespace after it.
    fn prolog(&mut self) {
        self.skip_space();
        let rest = &self.bytes[self.pos..];
        // `<?xml` then whitespace or `?`: a processing instruction whose
        // target is `xml`, first in the document, which the exact decoder
        // skips up to the first `?>` without reading it. (Without one,
        // the root's tag is then not found and the exact decoder runs.)
        if rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|&b| is_space(b) || b == b'?') {
            if let Some(len) = find_closing(&rest[2..], b"?>") {
                self.pos += 2 + len + 2;
            }
        }
        self.skip_space();
    }

    /// Whitespace, then the end of the document.
    fn end(&mut self) -> Option<()> {
        self.skip_space();
        (self.pos == self.bytes.len()).then_some(())
    }

    /// The prolog, `<methodCall>` and its `<methodName>`: the name.
    pub(super) fn method_name(&mut self) -> Option<Cow<'a, str>> {
        self.prolog();
        ensure!(self.eat(b"<methodCall>"));
        self.skip_space();
        ensure!(self.eat(b"<methodName>"));
        let name = self.text()?;
        ensure!(self.eat(b"</methodName>"));
        ensure!(name.len() <= self.limits.max_method_name_bytes);
        Some(name)
    }

    /// The rest of a `<methodCall>` after its name, to the end.
    pub(super) fn call_params(&mut self) -> Option<Vec<Value>> {
        self.skip_space();
        let params = if self.eat(b"<params>") {
            let params = self.params()?;
            self.close(b"</methodCall>")?;
            params
        } else if self.eat(b"<params/>") {
            self.close(b"</methodCall>")?;
            Vec::new()
        } else {
            ensure!(self.eat(b"</methodCall>"));
            Vec::new()
        };
        self.end()?;
        Some(params)
    }

    /// `<param><value>…</value></param>`… up to and including `</params>`.
    fn params(&mut self) -> Option<Vec<Value>> {
        let mut params = Vec::new();
        loop {
            self.skip_space();
            if self.eat(b"<param>") {
                ensure!(params.len() < self.limits.max_params);
                let value = self.item_value(0)?;
                self.close(b"</param>")?;
                params.push(value);
            } else {
                ensure!(self.eat(b"</params>"));
                return Some(params);
            }
        }
    }

    /// Whitespace, then `<value>…</value>` or `<value/>`.
    #[inline(always)]
    fn item_value(&mut self, depth: u32) -> Option<Value> {
        self.skip_space();
        if self.eat(b"<value>") {
            self.value_body(depth)
        } else {
            ensure!(self.eat(b"<value/>"));
            Some(Value::String(String::new()))
        }
    }

    /// A text up to the next `<`, its references resolved; `None` for
    /// one holding a carriage return or a reference this reader does not
    /// resolve, or longer (as written) than `max_string_bytes`.
    #[inline(always)]
    fn text(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos;
        let rest = &self.bytes[start..];
        let len = text_len(rest)?;
        if rest[len] == b'<' {
            ensure!(len <= self.limits.max_string_bytes);
            self.pos = start + len;
            // `start` and `start + len` are at ASCII bytes or the start
            // of a character: character boundaries.
            return Some(Cow::Borrowed(&self.src[start..start + len]));
        }
        self.text_with_references(start, len).map(Cow::Owned)
    }

    /// [`text`](Self::text) past its first `&` or `\r`, at `start + len`.
    #[cold]
    fn text_with_references(&mut self, start: usize, len: usize) -> Option<String> {
        let bytes = self.bytes;
        let end = start + memchr(b'<', &bytes[start..])?;
        ensure!(end - start <= self.limits.max_string_bytes);
        let mut out = String::with_capacity(end - start);
        let mut at = start + len;
        out.push_str(&self.src[start..at]);
        while at < end {
            match bytes[at] {
                b'&' => {
                    let (c, len) = reference(&bytes[at + 1..end])?;
                    out.push(c);
                    at += 1 + len;
                }
                b'\r' => return None,
                _ => {
                    let run = bytes[at..end]
                        .iter()
                        .position(|&b| b == b'&' || b == b'\r')
                        .map_or(end, |n| at + n);
                    out.push_str(&self.src[at..run]);
                    at = run;
                }
            }
        }
        self.pos = end;
        Some(out)
    }

    /// The content of a `<value>` (already opened) up to and including
    /// `</value>`; `depth` counts the arrays and structs around it.
    fn value_body(&mut self, depth: u32) -> Option<Value> {
        let start = self.pos;
        self.skip_space();
        if self.bytes.get(self.pos) == Some(&b'<')
            && (self.pos == start || !self.bytes[self.pos..].starts_with(b"</value>"))
        {
            // A type, after whitespace if any: text the exact reader
            // gathers first, within `max_string_bytes`.
            ensure!(self.pos - start <= self.limits.max_string_bytes);
            return self.typed(depth);
        }
        // Bare text (a string), whitespace included.
        self.pos = start;
        let text = self.text()?;
        ensure!(self.eat(b"</value>"));
        Some(Value::String(text.into_owned()))
    }

    /// A typed value at `<` inside a `<value>`, up to and including
    /// the `</value>` after it.
    fn typed(&mut self, depth: u32) -> Option<Value> {
        let rest = &self.bytes[self.pos..];
        // Sorted by how often each type comes. Each arm reads its end
        // tag, a constant (compared inline, not by a call).
        let value = if rest.starts_with(b"<string>") {
            self.pos += b"<string>".len();
            let text = self.text()?;
            ensure!(self.eat(b"</string>"));
            Value::String(text.into_owned())
        } else if rest.starts_with(b"<int>") {
            self.pos += b"<int>".len();
            let n = self.trimmed(|t| t.parse().ok())?;
            ensure!(self.eat(b"</int>"));
            Value::Int(n)
        } else if rest.starts_with(b"</value>") {
            self.pos += b"</value>".len();
            return Some(Value::String(String::new()));
        } else if rest.starts_with(b"<struct>") {
            ensure!(depth < self.limits.max_depth);
            self.pos += b"<struct>".len();
            return self.structure(depth + 1);
        } else if rest.starts_with(b"<array>") {
            ensure!(depth < self.limits.max_depth);
            self.pos += b"<array>".len();
            return self.array(depth + 1);
        } else {
            self.rarer_scalar()?
        };
        self.close(b"</value>")?;
        Some(value)
    }

    /// A scalar of a rarer type at `<` inside a `<value>`, up to and
    /// including its end tag.
    fn rarer_scalar(&mut self) -> Option<Value> {
        let rest = &self.bytes[self.pos..];
        Some(if rest.starts_with(b"<double>") {
            self.pos += b"<double>".len();
            let d = self.trimmed(read_double)?;
            ensure!(self.eat(b"</double>"));
            Value::Double(d)
        } else if rest.starts_with(b"<boolean>") {
            self.pos += b"<boolean>".len();
            let b = self.trimmed(read_boolean)?;
            ensure!(self.eat(b"</boolean>"));
            Value::Bool(b)
        } else if rest.starts_with(b"<i4>") {
            self.pos += b"<i4>".len();
            let n = self.trimmed(|t| t.parse().ok())?;
            ensure!(self.eat(b"</i4>"));
            Value::Int(n)
        } else if rest.starts_with(b"<i8>") {
            self.pos += b"<i8>".len();
            let n = self.trimmed(|t| t.parse().ok())?;
            ensure!(self.eat(b"</i8>"));
            Value::I8(n)
        } else if rest.starts_with(b"<dateTime.iso8601>") {
            self.pos += b"<dateTime.iso8601>".len();
            let when = self.text()?.parse::<DateTime>().ok()?;
            ensure!(self.eat(b"</dateTime.iso8601>"));
            Value::DateTime(when)
        } else if rest.starts_with(b"<base64>") {
            self.pos += b"<base64>".len();
            let bytes = self.base64()?;
            ensure!(self.eat(b"</base64>"));
            Value::Base64(bytes)
        } else if rest.starts_with(b"<nil/>") {
            self.pos += b"<nil/>".len();
            Value::Nil
        } else if rest.starts_with(b"<nil></nil>") {
            self.pos += b"<nil></nil>".len();
            Value::Nil
        } else {
            return None;
        })
    }

    /// A number's or boolean's text, the XML whitespace around it
    /// ignored, read by `read`.
    #[inline(always)]
    fn trimmed<T>(&mut self, read: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        let text = self.text()?;
        read(trim_space(&text))
    }

    /// A `<base64>`'s bytes (its whitespace ignored).
    fn base64(&mut self) -> Option<Vec<u8>> {
        let text = self.text()?;
        // Whitespace is the only text at or below a space here (no other
        // control character reaches the decoder, and a carriage return
        // made `text` give up): one test a byte, which vectorises.
        let spaced = text.bytes().fold(false, |acc, b| acc | (b <= b' '));
        let compact: Cow<'_, [u8]> = if spaced {
            Cow::Owned(text.bytes().filter(|&b| !is_space(b)).collect())
        } else {
            Cow::Borrowed(text.as_bytes())
        };
        ensure!(compact.len() / 4 * 3 <= self.limits.max_base64_bytes);
        use base64::Engine as _;
        BASE64.decode(&compact).ok()
    }

    /// An array's content, its `<array>` just opened, up to and including
    /// the `</value>` after it.
    fn array(&mut self, depth: u32) -> Option<Value> {
        self.skip_space();
        if self.eat(b"<data>") {
            let start = stack_start(&mut self.items);
            loop {
                self.skip_space();
                if self.eat(b"<value>") {
                    ensure!(self.items.len() - start < self.limits.max_items);
                    let item = self.value_body(depth)?;
                    self.items.push(item);
                } else if self.eat(b"</data>") {
                    break;
                } else {
                    ensure!(self.eat(b"<value/>"));
                    ensure!(self.items.len() - start < self.limits.max_items);
                    self.items.push(Value::String(String::new()));
                }
            }
            self.close(b"</array>")?;
            self.close(b"</value>")?;
            return Some(Value::Array(take_from(&mut self.items, start)));
        }
        if !self.eat(b"</array>") {
            ensure!(self.eat(b"<data/>"));
            self.close(b"</array>")?;
        }
        self.close(b"</value>")?;
        Some(Value::Array(Vec::new()))
    }

    /// A struct's content, its `<struct>` just opened, up to and
    /// including the `</value>` after it.
    fn structure(&mut self, depth: u32) -> Option<Value> {
        let start = stack_start(&mut self.members);
        loop {
            self.skip_space();
            if self.eat(b"<member>") {
                ensure!(self.members.len() - start < self.limits.max_items);
                self.skip_space();
                ensure!(self.eat(b"<name>"));
                let name = match self.text()? {
                    Cow::Borrowed(name) => MemberName::from(name),
                    Cow::Owned(name) => MemberName::from(name),
                };
                ensure!(self.eat(b"</name>"));
                let value = self.item_value(depth)?;
                self.close(b"</member>")?;
                self.members.push((name, value));
            } else {
                ensure!(self.eat(b"</struct>"));
                break;
            }
        }
        self.close(b"</value>")?;
        Some(Value::Struct(Struct::from_members(take_from(
            &mut self.members,
            start,
        ))))
    }
}

/// The reference in `rest` (after its `&`, up to the text's end) that
/// the fast path resolves: one of the five predefined entities, or a
/// character reference in plain decimal or lowercase-`x` hexadecimal to
/// a character XML can carry. The character and the reference's length
/// without its `&`; `None` for anything else.
fn reference(rest: &[u8]) -> Option<(char, usize)> {
    for (name, c) in [
        (&b"amp;"[..], '&'),
        (b"lt;", '<'),
        (b"gt;", '>'),
        (b"quot;", '"'),
        (b"apos;", '\''),
    ] {
        if rest.starts_with(name) {
            return Some((c, name.len()));
        }
    }
    let number = rest.strip_prefix(b"#")?;
    let (digits, radix, skip) = match number.strip_prefix(b"x") {
        Some(hex) => (hex, 16, 2),
        None => (number, 10, 1),
    };
    // At most 8 digits: enough for any character, short of overflow.
    let len = digits.iter().take(9).position(|&b| b == b';')?;
    ensure!(len > 0 && len <= 8);
    let mut code: u32 = 0;
    for &d in &digits[..len] {
        code = code * radix + char::from(d).to_digit(radix)?;
    }
    let c = char::from_u32(code)?;
    ensure!(crate::xml_chars::is_xml_char(c));
    Some((c, skip + len + 1))
}

#[cfg(test)]
mod tests;
