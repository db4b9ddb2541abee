//! [`Struct`]: the members of an XML-RPC `<struct>`, in order.
//!
//! Most structs on the wire have a handful of members (a fault has two, a
//! multicall entry two, a record a dozen). Those are kept as a vector of
//! (name, value) pairs and looked up by comparing names: no hashing, one
//! allocation. From [`Struct::INDEXED_ABOVE`] members on, the struct is
//! indexed (an [`indexmap::IndexMap`]), so a hostile document with a
//! million members still costs linear time. Either way a `Struct` is three
//! words, which keeps a [`Value`] at four. A member's name is a
//! [`MemberName`]: up to 24 bytes it is held in place, so the names of a
//! decoded document cost no allocation of their own.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;
use indexmap::IndexMap;

use crate::Value;

/// The name of a [`Struct`]'s member: a string that keeps up to 24 bytes
/// in place (no allocation; nearly every name on the wire) and longer
/// ones on the heap. It reads as a `&str` ([`Deref`]) and converts from
/// and to `String` and `&str`.
///
/// ```
/// use xmlrpc_kit::MemberName;
///
/// let name = MemberName::from("faultCode");
/// assert_eq!(name, "faultCode");
/// assert_eq!(name.len(), 9); // a `str`'s methods, through `Deref`
/// let owned: String = name.into();
/// assert_eq!(owned, "faultCode");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberName(CompactString);

impl MemberName {
    /// The name as a `&str`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The name as a `String` (allocates when it was held in place).
    pub fn into_string(self) -> String {
        self.0.into_string()
    }
}

impl Deref for MemberName {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for MemberName {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for MemberName {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for MemberName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}

impl fmt::Display for MemberName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl From<&str> for MemberName {
    fn from(name: &str) -> Self {
        MemberName(CompactString::new(name))
    }
}

impl From<&String> for MemberName {
    fn from(name: &String) -> Self {
        MemberName(CompactString::new(name))
    }
}

/// Takes the `String`'s buffer when the name is too long to hold in place.
impl From<String> for MemberName {
    fn from(name: String) -> Self {
        MemberName(CompactString::from(name))
    }
}

impl From<Box<str>> for MemberName {
    fn from(name: Box<str>) -> Self {
        MemberName(CompactString::from(name))
    }
}

impl From<Cow<'_, str>> for MemberName {
    fn from(name: Cow<'_, str>) -> Self {
        MemberName(CompactString::from(name))
    }
}

impl From<&MemberName> for MemberName {
    fn from(name: &MemberName) -> Self {
        name.clone()
    }
}

impl From<MemberName> for String {
    fn from(name: MemberName) -> Self {
        name.into_string()
    }
}

impl PartialEq<str> for MemberName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for MemberName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for MemberName {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<MemberName> for str {
    fn eq(&self, other: &MemberName) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<MemberName> for &str {
    fn eq(&self, other: &MemberName) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<MemberName> for String {
    fn eq(&self, other: &MemberName) -> bool {
        self.as_str() == other.as_str()
    }
}

/// The members of an XML-RPC `<struct>`, in the order they were written.
///
/// A name given twice keeps its first position and its last value, so a
/// hostile document with many duplicates costs linear time.
///
/// ```
/// use xmlrpc_kit::{Struct, Value};
///
/// let mut point = Struct::new();
/// point.insert("x".to_owned(), Value::Int(1));
/// point.insert("y".to_owned(), Value::Int(2));
/// point.insert("x".to_owned(), Value::Int(3));
/// assert_eq!(point.get("x"), Some(&Value::Int(3)));
/// let names: Vec<&str> = point.keys().collect();
/// assert_eq!(names, ["x", "y"]);
///
/// let same: Struct = [("y".to_owned(), Value::Int(2)), ("x".to_owned(), Value::Int(3))]
///     .into_iter()
///     .collect();
/// assert_eq!(point, same); // equality is by name, as for maps
/// ```
#[derive(Clone)]
pub struct Struct {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    /// Up to `INDEXED_ABOVE` members, names compared one by one.
    Few(Vec<(MemberName, Value)>),
    /// More: indexed by name.
    Many(Box<IndexMap<MemberName, Value>>),
}

impl Struct {
    /// Structs with more members than this are indexed by name; smaller
    /// ones are searched in order.
    pub const INDEXED_ABOVE: usize = 16;

    /// An empty struct (allocates nothing).
    pub fn new() -> Self {
        Struct {
            repr: Repr::Few(Vec::new()),
        }
    }

    /// An empty struct with room for `members` members.
    pub fn with_capacity(members: usize) -> Self {
        let repr = if members <= Self::INDEXED_ABOVE {
            Repr::Few(Vec::with_capacity(members))
        } else {
            Repr::Many(Box::new(IndexMap::with_capacity(members)))
        };
        Struct { repr }
    }

    /// How many members it has.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Few(members) => members.len(),
            Repr::Many(map) => map.len(),
        }
    }

    /// Whether it has no member.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The struct of `members`, in order, taking the vector as it is when
    /// it is short and its names differ (what a decoder reads almost
    /// always); otherwise as [`insert`](Self::insert) one by one would
    /// make it.
    pub(crate) fn from_members(members: Vec<(MemberName, Value)>) -> Self {
        // Each name as its length and its first and last eight bytes,
        // which tell two names of up to 16 bytes apart exactly and almost
        // any two longer ones: compared pairwise as numbers, the names
        // themselves only when those agree. The keys' array is sized for
        // the struct (a small one, the common case, clears less of it).
        fn distinct<const N: usize>(members: &[(MemberName, Value)]) -> bool {
            let mut keys = [(0usize, 0u64, 0u64); N];
            for ((name, _), key) in members.iter().zip(keys.iter_mut()) {
                *key = name_key(name.as_bytes());
            }
            let keys = &keys[..members.len()];
            keys.iter().enumerate().all(|(i, key)| {
                keys[..i]
                    .iter()
                    .zip(members)
                    .all(|(other, (other_name, _))| other != key || *other_name != members[i].0)
            })
        }
        let distinct = || match members.len() {
            0 | 1 => true,
            2..=4 => distinct::<4>(&members),
            _ => distinct::<{ Self::INDEXED_ABOVE }>(&members),
        };
        if members.len() <= Self::INDEXED_ABOVE && distinct() {
            return Struct {
                repr: Repr::Few(members),
            };
        }
        let mut built = Struct::with_capacity(members.len());
        built.extend(members);
        built
    }

    /// Sets member `name` to `value`: a new name goes last, a known one
    /// keeps its place. Returns the value it replaced.
    pub fn insert(&mut self, name: impl Into<MemberName>, value: Value) -> Option<Value> {
        let name = name.into();
        match &mut self.repr {
            Repr::Many(map) => map.insert(name, value),
            Repr::Few(members) => {
                if let Some((_, old)) = members.iter_mut().find(|(n, _)| *n == name) {
                    return Some(std::mem::replace(old, value));
                }
                if members.len() < Self::INDEXED_ABOVE {
                    members.push((name, value));
                    return None;
                }
                let mut map = IndexMap::with_capacity(members.len() * 2);
                map.extend(members.drain(..));
                map.insert(name, value);
                self.repr = Repr::Many(Box::new(map));
                None
            }
        }
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match &self.repr {
            Repr::Few(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            Repr::Many(map) => map.get(name),
        }
    }

    /// The value of member `name`, to change it.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match &mut self.repr {
            Repr::Few(members) => members.iter_mut().find(|(n, _)| n == name).map(|(_, v)| v),
            Repr::Many(map) => map.get_mut(name),
        }
    }

    /// Whether it has a member `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The member at `index` (0 is the first written).
    pub fn get_index(&self, index: usize) -> Option<(&str, &Value)> {
        match &self.repr {
            Repr::Few(members) => members.get(index).map(|(n, v)| (n.as_str(), v)),
            Repr::Many(map) => map.get_index(index).map(|(n, v)| (n.as_str(), v)),
        }
    }

    /// Removes member `name`, keeping the others in order; returns its
    /// value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        match &mut self.repr {
            Repr::Few(members) => {
                let at = members.iter().position(|(n, _)| n == name)?;
                Some(members.remove(at).1)
            }
            Repr::Many(map) => map.shift_remove(name),
        }
    }

    /// The members in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.repr {
            Repr::Few(members) => IterRepr::Few(members.iter()),
            Repr::Many(map) => IterRepr::Many(map.iter()),
        })
    }

    /// The members in order, their values mutable.
    pub fn iter_mut(&mut self) -> IterMut<'_> {
        IterMut(match &mut self.repr {
            Repr::Few(members) => IterMutRepr::Few(members.iter_mut()),
            Repr::Many(map) => IterMutRepr::Many(map.iter_mut()),
        })
    }

    /// The member names in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(name, _)| name)
    }

    /// The member values in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.iter().map(|(_, value)| value)
    }

    /// The member values in order, mutable.
    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.iter_mut().map(|(_, value)| value)
    }
}

impl Default for Struct {
    fn default() -> Self {
        Self::new()
    }
}

/// Equal when they have the same names with equal values, in any order
/// (as for maps).
impl PartialEq for Struct {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .all(|(name, value)| other.get(name) == Some(value))
    }
}

impl fmt::Debug for Struct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<N: Into<MemberName>> FromIterator<(N, Value)> for Struct {
    fn from_iter<I: IntoIterator<Item = (N, Value)>>(members: I) -> Self {
        let mut result = Struct::new();
        result.extend(members);
        result
    }
}

impl<N: Into<MemberName>> Extend<(N, Value)> for Struct {
    fn extend<I: IntoIterator<Item = (N, Value)>>(&mut self, members: I) {
        let members = members.into_iter();
        let (at_least, _) = members.size_hint();
        if let Repr::Few(few) = &mut self.repr {
            if few.is_empty() && at_least > Self::INDEXED_ABOVE {
                self.repr = Repr::Many(Box::new(IndexMap::with_capacity(at_least)));
            } else {
                few.reserve(at_least.min(Self::INDEXED_ABOVE.saturating_sub(few.len())));
            }
        }
        for (name, value) in members {
            self.insert(name, value);
        }
    }
}

impl<N: Into<MemberName>, const M: usize> From<[(N, Value); M]> for Struct {
    fn from(members: [(N, Value); M]) -> Self {
        members.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Struct {
    type Output = Value;

    /// The value of member `name`; panics if there is none (use
    /// [`get`](Struct::get) to ask).
    fn index(&self, name: &str) -> &Value {
        self.get(name)
            .unwrap_or_else(|| panic!("the struct has no member {name:?}"))
    }
}

/// The members of a [`Struct`] in order ([`Struct::iter`]).
#[derive(Debug, Clone)]
pub struct Iter<'a>(IterRepr<'a>);

#[derive(Debug, Clone)]
enum IterRepr<'a> {
    Few(std::slice::Iter<'a, (MemberName, Value)>),
    Many(indexmap::map::Iter<'a, MemberName, Value>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Few(it) => it.next().map(|(n, v)| (n.as_str(), v)),
            IterRepr::Many(it) => it.next().map(|(n, v)| (n.as_str(), v)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Few(it) => it.size_hint(),
            IterRepr::Many(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Few(it) => it.next_back().map(|(n, v)| (n.as_str(), v)),
            IterRepr::Many(it) => it.next_back().map(|(n, v)| (n.as_str(), v)),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The members of a [`Struct`] in order, values mutable
/// ([`Struct::iter_mut`]).
#[derive(Debug)]
pub struct IterMut<'a>(IterMutRepr<'a>);

#[derive(Debug)]
enum IterMutRepr<'a> {
    Few(std::slice::IterMut<'a, (MemberName, Value)>),
    Many(indexmap::map::IterMut<'a, MemberName, Value>),
}

impl<'a> Iterator for IterMut<'a> {
    type Item = (&'a str, &'a mut Value);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterMutRepr::Few(it) => it.next().map(|(n, v)| (n.as_str(), v)),
            IterMutRepr::Many(it) => it.next().map(|(n, v)| (n.as_str(), v)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterMutRepr::Few(it) => it.size_hint(),
            IterMutRepr::Many(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for IterMut<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterMutRepr::Few(it) => it.next_back().map(|(n, v)| (n.as_str(), v)),
            IterMutRepr::Many(it) => it.next_back().map(|(n, v)| (n.as_str(), v)),
        }
    }
}

impl ExactSizeIterator for IterMut<'_> {}

/// The members of a [`Struct`] in order, owned (`for (name, value) in s`).
#[derive(Debug)]
pub struct IntoIter(IntoIterRepr);

#[derive(Debug)]
enum IntoIterRepr {
    Few(std::vec::IntoIter<(MemberName, Value)>),
    Many(indexmap::map::IntoIter<MemberName, Value>),
}

impl Iterator for IntoIter {
    type Item = (MemberName, Value);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::Few(it) => it.next(),
            IntoIterRepr::Many(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IntoIterRepr::Few(it) => it.size_hint(),
            IntoIterRepr::Many(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::Few(it) => it.next_back(),
            IntoIterRepr::Many(it) => it.next_back(),
        }
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Struct {
    type Item = (MemberName, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter(match self.repr {
            Repr::Few(members) => IntoIterRepr::Few(members.into_iter()),
            Repr::Many(map) => IntoIterRepr::Many(map.into_iter()),
        })
    }
}

impl<'a> IntoIterator for &'a Struct {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Struct {
    type Item = (&'a str, &'a mut Value);
    type IntoIter = IterMut<'a>;

    fn into_iter(self) -> IterMut<'a> {
        self.iter_mut()
    }
}

/// A name's length and its first and last (up to) eight bytes, read as
/// numbers: equal for equal names; for names of up to 16 bytes, equal
/// only for equal names.
#[inline]
fn name_key(name: &[u8]) -> (usize, u64, u64) {
    if let (Some(first), Some(last)) = (name.first_chunk::<8>(), name.last_chunk::<8>()) {
        return (
            name.len(),
            u64::from_ne_bytes(*first),
            u64::from_ne_bytes(*last),
        );
    }
    // Shorter than eight bytes: the name at the start of one word and at
    // the end of the other, zeros around it (byte by byte: a copy of a
    // length not known was a call to `memcpy`, twice per name).
    let mut first = [0; 8];
    let mut last = [0; 8];
    let skip = 8 - name.len();
    for (i, &b) in name.iter().enumerate() {
        first[i] = b;
        last[skip + i] = b;
    }
    (
        name.len(),
        u64::from_ne_bytes(first),
        u64::from_ne_bytes(last),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(i: usize) -> String {
        format!("m{i}")
    }

    #[test]
    fn name_keys_are_the_first_and_last_eight_bytes_zero_padded() {
        let before = |name: &[u8]| {
            let (mut first, mut last) = ([0; 8], [0; 8]);
            let n = name.len().min(8);
            first[..n].copy_from_slice(&name[..n]);
            last[8 - n..].copy_from_slice(&name[name.len() - n..]);
            (
                name.len(),
                u64::from_ne_bytes(first),
                u64::from_ne_bytes(last),
            )
        };
        let text = b"abcdefghijklmnopqrstu";
        for len in 0..=text.len() {
            assert_eq!(name_key(&text[..len]), before(&text[..len]), "{len}");
        }
    }

    #[test]
    fn from_members_tells_names_apart_that_share_their_ends() {
        let member = |n: &str, v: i32| (MemberName::from(n), Value::Int(v));
        // 17 bytes, the same length and first and last eight bytes.
        let (a, b) = ("aaaaaaaaXbbbbbbbb", "aaaaaaaaYbbbbbbbb");
        let s = Struct::from_members(vec![member(a, 1), member(b, 2), member("", 3)]);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s.get(a), s.get(b), s.get("")),
            (
                Some(&Value::Int(1)),
                Some(&Value::Int(2)),
                Some(&Value::Int(3))
            )
        );
        // A repeated name, short or long: its first place, its last value.
        for name in ["id", a, ""] {
            let s =
                Struct::from_members(vec![member(name, 1), member("other", 2), member(name, 3)]);
            let got: Vec<_> = s.iter().map(|(n, v)| (n.to_string(), v.clone())).collect();
            assert_eq!(
                got,
                [
                    (name.to_string(), Value::Int(3)),
                    ("other".to_string(), Value::Int(2))
                ]
            );
        }
    }

    #[test]
    fn grows_from_few_to_indexed_keeping_order_and_last_values() {
        let mut s = Struct::new();
        for i in 0..20 {
            assert_eq!(s.insert(name(i), Value::Int(i as i32)), None);
            // A repeated name keeps its place and takes the new value.
            assert_eq!(
                s.insert(name(0), Value::Int(100 + i as i32)),
                Some(Value::Int(if i == 0 { 0 } else { 100 + i as i32 - 1 }))
            );
            assert_eq!(s.len(), i + 1);
            assert!(matches!(
                (&s.repr, i < Struct::INDEXED_ABOVE),
                (Repr::Few(_), true) | (Repr::Many(_), false)
            ));
        }
        let names: Vec<&str> = s.keys().collect();
        assert_eq!(names, (0..20).map(name).collect::<Vec<_>>());
        assert_eq!(s.get("m0"), Some(&Value::Int(119)));
        assert_eq!(s["m19"], Value::Int(19));
        assert_eq!(s.get_index(1), Some(("m1", &Value::Int(1))));
        assert_eq!(s.remove("m1"), Some(Value::Int(1)));
        assert_eq!(s.get_index(1).map(|(n, _)| n), Some("m2"));
        assert!(!s.contains_key("m1"));
    }

    #[test]
    fn equality_is_by_name_whatever_the_order_or_the_form() {
        let few: Struct = (0..3).map(|i| (name(i), Value::Int(i as i32))).collect();
        let reversed: Struct = (0..3)
            .rev()
            .map(|i| (name(i), Value::Int(i as i32)))
            .collect();
        assert_eq!(few, reversed);
        let mut many = Struct::with_capacity(20);
        many.extend((0..3).map(|i| (name(i), Value::Int(i as i32))));
        assert!(matches!(many.repr, Repr::Many(_)));
        assert_eq!(few, many);
        many.insert(name(2), Value::Int(9));
        assert_ne!(few, many);
        assert_eq!(
            format!("{few:?}"),
            r#"{"m0": Int(0), "m1": Int(1), "m2": Int(2)}"#
        );
    }

    #[test]
    fn iterators_go_both_ways_and_own_or_borrow() {
        for n in [3, 12] {
            let mut s: Struct = (0..n).map(|i| (name(i), Value::Int(i as i32))).collect();
            for (_, v) in &mut s {
                if let Value::Int(i) = v {
                    *i *= 2;
                }
            }
            let back: Vec<i32> = s
                .values()
                .rev()
                .filter_map(Value::as_i64)
                .map(|i| i as i32)
                .collect();
            assert_eq!(back, (0..n as i32).rev().map(|i| i * 2).collect::<Vec<_>>());
            assert_eq!(s.iter().len(), n);
            let owned: Vec<(MemberName, Value)> = s.into_iter().collect();
            assert_eq!(owned[1], (MemberName::from(name(1)), Value::Int(2)));
        }
    }

    #[test]
    fn names_short_and_long_read_the_same() {
        let long = "a_member_name_longer_than_twenty_four_bytes".repeat(3);
        let mut s = Struct::new();
        s.insert("id", Value::Int(1));
        s.insert(long.clone(), Value::Int(2));
        s.insert(&long, Value::Int(3));
        assert_eq!(s.len(), 2);
        assert_eq!(s.get(&long), Some(&Value::Int(3)));
        assert_eq!(s.keys().collect::<Vec<_>>(), ["id", long.as_str()]);
        let owned: Vec<String> = s.into_iter().map(|(n, _)| n.into()).collect();
        assert_eq!(owned, ["id".to_owned(), long.clone()]);
        let (short, heap) = (MemberName::from("id"), MemberName::from(long.clone()));
        assert_eq!(short, "id");
        assert_eq!(heap, long);
        assert_eq!(format!("{short} {short:?}"), "id \"id\"");
        let mut sorted = [MemberName::from("b"), MemberName::from("a")];
        sorted.sort();
        assert_eq!(sorted, ["a", "b"]);
    }

    #[test]
    fn a_value_is_four_words() {
        assert_eq!(std::mem::size_of::<MemberName>(), 24);
        assert_eq!(std::mem::size_of::<Struct>(), 24);
        assert_eq!(std::mem::size_of::<Value>(), 32);
    }
}
