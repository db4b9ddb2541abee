//! A `system.multicall` read straight into its calls ([`Batch`]): no
//! struct, method-name string or result wrapper per call.
//!
//! Only the usual shape is read here: one `<param>` holding an array of
//! structs, each with a string `methodName` and, at most once, an array
//! `params`, every tag written plainly. Anything else, including any
//! error, gives `None`: the caller puts the reader back where it was and
//! reads the document as any other call, so that what is reported (a
//! decoding error, or the fault of a call that is not well formed) and
//! where stays exactly what it was.

use super::Parser;
use super::scan::{PlainValue, Tag};
use crate::{MethodCall, Value};

/// A `<methodCall>` as [`decode_request`](crate::wire::multicall::decode_request) reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Any call, as [`decode_call`](crate::decode_call) reads it.
    Call(MethodCall),
    /// A `system.multicall` in the usual shape: its calls.
    Batch(Batch),
}

/// The calls of a `system.multicall`, read straight from its document by
/// [`decode_request`]: each one's method name and parameters, with no
/// struct or name string made per call (a server's fast path; the
/// general one is [`read_request`] and [`read_call`] over a decoded call).
///
/// [`decode_request`]: crate::wire::multicall::decode_request
/// [`read_request`]: crate::wire::multicall::read_request
/// [`read_call`]: crate::wire::multicall::read_call
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    /// Every method name, one after the other.
    names: String,
    /// Each call: where its name ends in `names`, and its parameters.
    calls: Vec<(usize, Vec<Value>)>,
}

impl Batch {
    /// An empty batch with room for 16 calls and 256 bytes of method
    /// names (growing one byte at a time from nothing took about nine
    /// reallocations for 50 calls).
    pub(crate) fn with_room() -> Self {
        Batch {
            names: String::with_capacity(256),
            calls: Vec::with_capacity(16),
        }
    }

    pub(crate) fn push(&mut self, method: &str, params: Vec<Value>) {
        self.names.push_str(method);
        self.calls.push((self.names.len(), params));
    }

    /// How many calls it holds.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether it holds no call.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// Takes the calls out, in order: each one's method name and
    /// parameters.
    pub fn drain(&mut self) -> impl ExactSizeIterator<Item = (&str, Vec<Value>)> {
        let names = &self.names;
        let mut from = 0;
        self.calls.drain(..).map(move |(to, params)| {
            let name = &names[from..to];
            from = to;
            (name, params)
        })
    }
}

/// How deep the structs of the calls sit (the array holding them is at
/// depth 0): a document must allow that much nesting for them to be read
/// here; the general path reports the limit otherwise.
const CALL_DEPTH: u32 = 1;

impl Parser<'_> {
    /// The calls of a `system.multicall` whose name was just read, when
    /// its parameters have the usual shape; otherwise `None`, with the
    /// reader where it was.
    pub(super) fn try_batch(&mut self) -> Option<Batch> {
        let saved = self.scan.clone();
        let batch = self.batch();
        if batch.is_none() {
            self.scan = saved;
            self.items.clear();
            self.members.clear();
        }
        batch
    }

    /// `<params><param><value><array><data>`, the calls, then the closing
    /// tags and the end of the document.
    fn batch(&mut self) -> Option<Batch> {
        if self.limits.max_params == 0 || self.limits.max_depth <= CALL_DEPTH {
            return None;
        }
        if !(self.plain_open(Tag::Params) && self.plain_open(Tag::Param)) {
            return None;
        }
        if !(self.plain_open(Tag::Value) && self.plain_container(Tag::Array)) {
            return None;
        }
        if !self.plain_open(Tag::Data) {
            return None;
        }
        let mut batch = Batch::with_room();
        while self.plain_open(Tag::Value) {
            if batch.len() == self.limits.max_items || !self.plain_container(Tag::Struct) {
                return None;
            }
            self.batch_call(&mut batch)?;
        }
        for tag in [Tag::Data, Tag::Array, Tag::Value, Tag::Param, Tag::Params] {
            self.expect_close(tag).ok()?;
        }
        self.expect_close(Tag::MethodCall).ok()?;
        self.end().ok()?;
        Some(batch)
    }

    /// Opens the plainly written `<array>` or `<struct>` (`tag`) that comes
    /// next in the `<value>` just opened.
    fn plain_container(&mut self, tag: Tag) -> bool {
        match self.scan.peek_plain_value(self.limits.max_string_bytes) {
            Some(PlainValue::Container(found, end)) if found == tag => {
                self.scan.open_plain_container(tag, end);
                true
            }
            _ => false,
        }
    }

    /// One call's members, its `<struct>` just opened, up to and
    /// including the `</value>` after it: added to `batch`.
    fn batch_call(&mut self, batch: &mut Batch) -> Option<()> {
        let longest = self.limits.max_string_bytes;
        let (mut method, mut params) = (None, None);
        let mut members = 0;
        loop {
            match self.scan.eat_plain_member_start(longest) {
                None => break,
                Some(_) if members == self.limits.max_items => return None,
                Some("methodName") if method.is_none() => {
                    match self.scan.peek_plain_value(longest)? {
                        PlainValue::Scalar(None | Some(Tag::String), name, end) => {
                            method = Some(name);
                            self.scan.commit_plain_value(end);
                        }
                        _ => return None,
                    }
                }
                Some("params") if params.is_none() => {
                    match self.value_body(CALL_DEPTH + 1).ok()? {
                        Value::Array(values) => params = Some(values),
                        _ => return None,
                    }
                }
                Some(_) => return None,
            }
            self.expect_close(Tag::Member).ok()?;
            members += 1;
        }
        self.expect_close(Tag::Struct).ok()?;
        self.expect_close(Tag::Value).ok()?;
        batch.push(method?, params.unwrap_or_default());
        Some(())
    }
}
