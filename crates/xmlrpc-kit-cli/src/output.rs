//! Values → text: pretty for people (the default), JSON for scripts.
//!
//! Everything a server sent is shown so that it cannot act on the terminal
//! (issue 23, item 4): control characters, bidi controls and `\` are
//! escaped (`\r`, `\u{1b}`, `\u{202e}`, `\\`, [`Escaped`]'s rule, the one
//! the servers' access log follows), and the JSON output writes the same
//! characters as JSON escapes (`\u202e`).

use std::fmt::Write as _;

use base64::Engine as _;
use xmlrpc_kit::untrusted_text::{Escaped, is_display_control};
use xmlrpc_kit::{Fault, Value};

use crate::args::{TYPED_BASE64, TYPED_DATETIME, TYPED_I8, TYPED_STRUCT};

/// A result as people read it: a string, date-time or base64 at the top
/// as its bare text (a string's line feeds and tabs as they are, its other
/// control and bidi characters and `\` escaped); anything else indented,
/// with strings quoted and escaped and date-times and base64 in the
/// argument syntax (`dt/…`, `b64/…`).
pub(crate) fn human(value: &Value) -> String {
    match value {
        Value::String(s) => Escaped::new(s).keep_newlines().to_string(),
        other => human_line(other),
    }
}

/// The same, with a string at the top on one line (line feeds and tabs
/// escaped too): for lines that each say something, as multicall's.
pub(crate) fn human_line(value: &Value) -> String {
    match value {
        Value::String(s) => Escaped::new(s).to_string(),
        Value::DateTime(dt) => dt.to_string(),
        Value::Base64(bytes) => base64::engine::general_purpose::STANDARD.encode(bytes),
        other => {
            let mut out = String::new();
            write_nested(&mut out, other, 0);
            out
        }
    }
}

fn write_nested(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::I8(i) => out.push_str(&i.to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Double(d) => out.push_str(&format!("{d:?}")),
        Value::String(s) => out.push_str(&quoted(s)),
        Value::DateTime(dt) => out.push_str(&format!("dt/{dt}")),
        Value::Base64(bytes) => {
            out.push_str("b64/");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
        }
        Value::Nil => out.push_str("nil"),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, indent + 2);
                write_nested(out, item, indent + 2);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            push_indent(out, indent);
            out.push(']');
        }
        Value::Struct(members) if members.is_empty() => out.push_str("{}"),
        Value::Struct(members) => {
            out.push_str("{\n");
            for (i, (name, member)) in members.iter().enumerate() {
                push_indent(out, indent + 2);
                out.push_str(&quoted(name));
                out.push_str(": ");
                write_nested(out, member, indent + 2);
                out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
            }
            push_indent(out, indent);
            out.push('}');
        }
    }
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A string between double quotes, escaped: `"a\nb \"c\""`.
fn quoted(text: &str) -> String {
    format!("\"{}\"", Escaped::new(text).escape_quotes())
}

/// A line of compact JSON with every display control (DEL, the C1
/// controls, bidi controls, line separators; serde_json already escapes
/// the C0 controls) written as a `\uXXXX` escape: the same JSON once
/// parsed, and nothing in it acts on a terminal.
pub(crate) fn json_text(value: &serde_json::Value) -> String {
    escape_json(value.to_string(), false)
}

/// The same JSON indented by two spaces (serde_json's pretty form), for
/// a terminal; escaped as [`json_text`] escapes.
pub(crate) fn json_pretty(value: &serde_json::Value) -> String {
    let raw = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    escape_json(raw, true)
}

fn escape_json(raw: String, indented: bool) -> String {
    // Indented JSON's line feeds are between tokens: serde_json writes
    // one inside a string as `\n`.
    let escaped = |c: char| is_display_control(c) && !(indented && c == '\n');
    if !raw.chars().any(escaped) {
        return raw;
    }
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        if escaped(c) {
            // Outside strings JSON is ASCII without controls (but the
            // indentation's line feeds), so `c` is inside a string;
            // every display control is below U+10000, so four digits
            // hold it.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// A value as JSON that an argument reads back as the same value
/// (`args::from_json`): numbers as numbers, nil as `null`, structs as
/// objects in their order, and what JSON has no type for as the typed
/// values of the arguments: `{"$dateTime": "20260125T09:30:00"}`,
/// `{"$base64": "aGkh"}`, `{"$i8": 42}` for an i8 that a bare number
/// would make an int (within 32 bits), and `{"$struct": {…}}` for a
/// one-member struct whose name starts with `$`.
pub(crate) fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    let typed =
        |name: &str, value: J| J::Object(serde_json::Map::from_iter([(name.into(), value)]));
    match value {
        Value::Int(i) => J::from(*i),
        Value::I8(i) if i32::try_from(*i).is_ok() => typed(TYPED_I8, J::from(*i)),
        Value::I8(i) => J::from(*i),
        Value::Bool(b) => J::Bool(*b),
        Value::Double(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
        Value::String(s) => J::String(s.clone()),
        Value::DateTime(dt) => typed(TYPED_DATETIME, J::String(dt.to_string())),
        Value::Base64(bytes) => typed(
            TYPED_BASE64,
            J::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
        ),
        Value::Nil => J::Null,
        Value::Array(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Struct(members) => {
            let object = J::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.to_owned(), to_json(v)))
                    .collect(),
            );
            if members.len() == 1 && members.keys().all(|name| name.starts_with('$')) {
                typed(TYPED_STRUCT, object)
            } else {
                object
            }
        }
    }
}

/// A fault as JSON: `{"faultCode": …, "faultString": …}`.
pub(crate) fn fault_json(fault: &Fault) -> serde_json::Value {
    serde_json::json!({ "faultCode": fault.code, "faultString": fault.string })
}

/// A signature as people read it: `pow(i8, i8) -> i8`.
pub(crate) fn signature(method: &str, types: &[String]) -> String {
    match types.split_first() {
        Some((result, params)) => format!("{method}({}) -> {result}", params.join(", ")),
        None => format!("{method}(?)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_1() {
        assert_eq!(human(&Value::String("hi there".into())), "hi there");
        assert_eq!(
            human(&Value::Array(vec![
                Value::Int(1),
                Value::String("a".into())
            ])),
            "[\n  1,\n  \"a\"\n]"
        );
    }

    #[test]
    fn documented_example_2() {
        assert_eq!(
            to_json(&Value::Array(vec![Value::Int(1), Value::Nil])).to_string(),
            "[1,null]"
        );
    }

    #[test]
    fn documented_example_3() {
        assert_eq!(
            signature("pow", &["i8".into(), "i8".into(), "i8".into()]),
            "pow(i8, i8) -> i8"
        );
    }
    use xmlrpc_kit::Struct;

    #[test]
    fn people_read_nested_values_indented() {
        let mut inner = Struct::new();
        inner.insert(
            "when",
            Value::DateTime("20260125T09:30:00".parse().unwrap()),
        );
        inner.insert("bytes", Value::Base64(b"hi!".to_vec()));
        inner.insert("none", Value::Nil);
        inner.insert("empty", Value::Array(vec![]));
        let mut outer = Struct::new();
        outer.insert("n", Value::I8(1 << 40));
        outer.insert("x \"q\"", Value::Double(3.0));
        outer.insert("inner", Value::Struct(inner));
        outer.insert(
            "list",
            Value::Array(vec![Value::Bool(true), Value::String("a\nb".into())]),
        );
        assert_eq!(
            human(&Value::Struct(outer)),
            r#"{
  "n": 1099511627776,
  "x \"q\"": 3.0,
  "inner": {
    "when": dt/20260125T09:30:00,
    "bytes": b64/aGkh,
    "none": nil,
    "empty": []
  },
  "list": [
    true,
    "a\nb"
  ]
}"#
        );
    }

    #[test]
    fn scalars_at_the_top_are_bare() {
        #[rustfmt::skip]
        let cases: &[(Value, &str)] = &[
            (Value::Int(8), "8"),
            (Value::I8(-1), "-1"),
            (Value::Double(0.5), "0.5"),
            (Value::Double(1e300), "1e300"),
            (Value::Bool(false), "false"),
            (Value::Nil, "nil"),
            (Value::String("a \"b\"\nc".into()), "a \"b\"\nc"),
            (Value::DateTime("20260125T09:30:00".parse().unwrap()), "20260125T09:30:00"),
            (Value::Base64(vec![0xca, 0xfe]), "yv4="),
            (Value::Struct(Struct::new()), "{}"),
        ];
        for (value, text) in cases {
            assert_eq!(human(value), *text, "{value:?}");
        }
    }

    /// Issue 23, item 4: a server's string cannot act on the terminal in
    /// any output format, and JSON still parses to the exact string.
    #[test]
    fn server_text_is_escaped_in_every_format() {
        let hostile =
            "a\u{1b}]0;PWNED\u{7}\r\nb\t\u{9b}2J\u{202e}\u{2066}\u{7f}\u{85} \"é\" 日本 \\";
        let value = Value::String(hostile.into());
        assert_eq!(
            human(&value),
            "a\\u{1b}]0;PWNED\\u{7}\\r\nb\t\\u{9b}2J\\u{202e}\\u{2066}\\u{7f}\\u{85} \"é\" 日本 \\\\"
        );
        assert_eq!(
            human_line(&value),
            r#"a\u{1b}]0;PWNED\u{7}\r\nb\t\u{9b}2J\u{202e}\u{2066}\u{7f}\u{85} "é" 日本 \\"#
        );
        let mut s = Struct::new();
        s.insert(hostile, Value::Array(vec![value.clone()]));
        let quoted =
            r#""a\u{1b}]0;PWNED\u{7}\r\nb\t\u{9b}2J\u{202e}\u{2066}\u{7f}\u{85} \"é\" 日本 \\""#;
        assert_eq!(
            human(&Value::Struct(s.clone())),
            format!("{{\n  {quoted}: [\n    {quoted}\n  ]\n}}")
        );
        let json = json_text(&to_json(&Value::Struct(s)));
        let string =
            r#""a\u001b]0;PWNED\u0007\r\nb\t\u009b2J\u202e\u2066\u007f\u0085 \"é\" 日本 \\""#;
        assert_eq!(json, format!("{{{string}:[{string}]}}"));
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed[hostile][0], hostile);
        for text in [human(&value), human_line(&value), json] {
            assert!(
                !text
                    .chars()
                    .any(|c| is_display_control(c) && c != '\n' && c != '\t'),
                "{text:?}"
            );
        }
    }

    /// Issue 26: `--json`'s output, read as a JSON argument, is the value
    /// printed.
    #[test]
    fn json_reads_back_as_the_same_value() {
        let mut dollar = Struct::new();
        dollar.insert("$dateTime", Value::Int(1));
        let mut two = dollar.clone();
        two.insert("$base64", Value::Nil);
        let values = Value::Array(vec![
            Value::Int(1),
            Value::I8(1),
            Value::I8(-(1 << 40)),
            Value::Double(0.5),
            Value::Bool(true),
            Value::String("$i8".into()),
            Value::DateTime("20260125T09:30:00+01:00".parse().unwrap()),
            Value::Base64(vec![0, 255]),
            Value::Nil,
            Value::Struct(dollar),
            Value::Struct(two),
            Value::Struct(Struct::new()),
            Value::Array(vec![]),
        ]);
        let json = json_text(&to_json(&values));
        assert_eq!(crate::args::parse_arg(&json), Ok(values.clone()), "{json}");
        let pretty = json_pretty(&to_json(&values));
        assert!(
            pretty.contains("\n  1,\n  {\n    \"$i8\": 1\n  },"),
            "{pretty}"
        );
        assert_eq!(crate::args::parse_arg(&pretty), Ok(values), "{pretty}");
    }

    #[test]
    fn indented_json_escapes_as_one_line_json_does() {
        let hostile = Value::Array(vec![Value::String("a\u{1b}[2J\u{202e}\nb".into())]);
        assert_eq!(
            json_pretty(&to_json(&hostile)),
            "[\n  \"a\\u001b[2J\\u202e\\nb\"\n]"
        );
    }

    #[test]
    fn json_for_scripts() {
        let mut s = Struct::new();
        s.insert("z", Value::Int(1));
        s.insert("a", Value::Base64(b"hi!".to_vec()));
        s.insert("d", Value::DateTime("20260125T09:30:00".parse().unwrap()));
        let v = Value::Array(vec![
            Value::Struct(s),
            Value::Double(0.5),
            Value::Nil,
            Value::Bool(true),
        ]);
        assert_eq!(
            to_json(&v).to_string(),
            r#"[{"z":1,"a":{"$base64":"aGkh"},"d":{"$dateTime":"20260125T09:30:00"}},0.5,null,true]"#
        );
        assert_eq!(
            fault_json(&Fault::new(1, "no")).to_string(),
            r#"{"faultCode":1,"faultString":"no"}"#
        );
    }
}
