//! Command-line arguments → XML-RPC values: typed as people expect (`42`,
//! `4.2`, `true`, JSON), with xmlrpc-c's `TYPE/VALUE` prefixes where the
//! guess is wrong (`s/42`), and `name(arg, …)` for multicall.

use std::fmt;

use base64::Engine as _;
use xmlrpc_kit::{DateTime, Struct, Value};

/// The argument forms, shown by `xmlrpc-kit call --help`; written once here so
/// the help and the parser cannot drift apart.
pub(crate) const ARGUMENT_HELP: &str = "\
Arguments are typed as people expect:
  42  -7           int (i8 when it needs 64 bits)
  4.2  1e-3        double
  true  false      boolean
  '[1, \"a\"]'       array (JSON)
  '{\"a\": 1}'       struct (JSON; member order kept; null is nil)
  anything else    string

A prefix sets the type when the guess is wrong (xmlrpc-c's forms, plus dt/ and b64/):
  s/42             string \"42\" (s/ alone is the empty string)
  i/42             int (32-bit)
  I/42             i8 (64-bit)
  d/4.2            double
  b/true  b/t  b/false  b/f
                   boolean
  n/               nil
  h/cafe01         base64 of the bytes in hex (xmlrpc-c's form)
  b64/yv4B         base64 of the bytes in base64
  dt/20260125T09:30:00
                   dateTime.iso8601 (also 2026-01-25T09:30:00, with Z or an offset)

Inside JSON, an object whose one member's name starts with $ is a typed
value; --json prints these forms, so its output can be sent back as it is:
  {\"$dateTime\": \"20260125T09:30:00\"}   dateTime.iso8601 (either form above)
  {\"$base64\": \"aGVsbG8=\"}              base64
  {\"$i8\": 42}                          i8 (a bare number is an int if it fits 32 bits)
  {\"$nil\": null}                       nil (as null is)
  {\"$struct\": {\"$i8\": \"x\"}}           a struct whose members are taken as named:
                                       for a one-member struct whose name starts with $
A struct with several members is a struct, whatever their names.";

/// An argument that cannot become a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArgError {
    /// The argument as given.
    pub(crate) arg: String,
    /// What is wrong with it, and what to write instead.
    pub(crate) reason: String,
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "argument {:?}: {}", self.arg, self.reason)
    }
}

impl std::error::Error for ArgError {}

fn error(arg: &str, reason: impl Into<String>) -> ArgError {
    ArgError {
        arg: arg.to_owned(),
        reason: reason.into(),
    }
}

/// Reads one command-line argument as a value.
pub(crate) fn parse_arg(arg: &str) -> Result<Value, ArgError> {
    if let Some(value) = prefixed(arg)? {
        return Ok(value);
    }
    match arg {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if is_integer(arg) {
        return match arg.parse::<i64>() {
            Ok(i) => Ok(int(i)),
            Err(_) => Err(error(
                arg,
                "is beyond 64 bits, which XML-RPC cannot hold; write d/… for a double or s/… for a string",
            )),
        };
    }
    if is_decimal(arg) {
        return arg
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite())
            .map(Value::Double)
            .ok_or_else(|| error(arg, "is not a finite double"));
    }
    if arg.starts_with('[') || arg.starts_with('{') {
        return json(arg);
    }
    Ok(Value::String(arg.to_owned()))
}

/// `TYPE/VALUE`; `None` when `arg` has no known prefix.
fn prefixed(arg: &str) -> Result<Option<Value>, ArgError> {
    let Some((prefix, text)) = arg.split_once('/') else {
        return Ok(None);
    };
    let value = match prefix {
        "s" => Value::String(text.to_owned()),
        "i" => Value::Int(
            text.trim()
                .parse()
                .map_err(|_| error(arg, "i/ needs a 32-bit integer, such as i/42"))?,
        ),
        "I" => Value::I8(
            text.trim()
                .parse()
                .map_err(|_| error(arg, "I/ needs a 64-bit integer, such as I/42"))?,
        ),
        "d" => Value::Double(
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|d| d.is_finite())
                .ok_or_else(|| error(arg, "d/ needs a finite number, such as d/4.2"))?,
        ),
        "b" => Value::Bool(match text.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "1" => true,
            "f" | "false" | "0" => false,
            _ => return Err(error(arg, "b/ needs t, f, true or false")),
        }),
        "n" if text.is_empty() => Value::Nil,
        "n" => return Err(error(arg, "n/ (nil) takes no value")),
        "h" => Value::Base64(hex(text).ok_or_else(|| {
            error(
                arg,
                "h/ needs hexadecimal digits, two per byte, such as h/cafe01",
            )
        })?),
        "b64" => Value::Base64(
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| error(arg, format!("b64/ needs base64 text: {e}")))?,
        ),
        "dt" => Value::DateTime(text.parse::<DateTime>().map_err(|e| {
            error(
                arg,
                format!("dt/ needs a date-time such as dt/20260125T09:30:00: {e}"),
            )
        })?),
        _ => return Ok(None),
    };
    Ok(Some(value))
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `4.2`, `-.5`, `1e-3`, `2.`: digits with a point or an exponent.
fn is_decimal(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(whole)
        && fraction.is_none_or(all_digits)
        && (whole.len() + fraction.map_or(0, str::len)) > 0;
    let exponent_ok = exponent.is_none_or(is_integer);
    mantissa_ok && exponent_ok && (fraction.is_some() || exponent.is_some())
}

fn hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn int(i: i64) -> Value {
    i32::try_from(i).map_or(Value::I8(i), Value::Int)
}

fn json(arg: &str) -> Result<Value, ArgError> {
    let parsed: serde_json::Value = serde_json::from_str(arg).map_err(|e| {
        error(
            arg,
            format!("looks like JSON but is not ({e}); write s/… to send it as a string"),
        )
    })?;
    from_json(parsed).map_err(|reason| error(arg, reason))
}

/// A JSON value as an XML-RPC value: numbers as int, i8 or double, `null`
/// as nil, objects as structs in their order.
pub(crate) fn from_json(json: serde_json::Value) -> Result<Value, String> {
    Ok(match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => int(i),
            None if n.is_u64() => {
                return Err(format!(
                    "the number {n} is beyond 64 bits, which XML-RPC cannot hold"
                ));
            }
            None => Value::Double(n.as_f64().ok_or_else(|| format!("the number {n}"))?),
        },
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Array(items) => {
            Value::Array(items.into_iter().map(from_json).collect::<Result<_, _>>()?)
        }
        // `{"$dateTime": "…"}` and the rest: one member, named with a `$`.
        serde_json::Value::Object(members)
            if members.len() == 1 && members.keys().all(|name| name.starts_with('$')) =>
        {
            let (name, value) = members.into_iter().next().ok_or_else(String::new)?;
            typed(&name, value)?
        }
        serde_json::Value::Object(members) => from_json_members(members)?,
    })
}

/// An object's members as a struct's, in their order.
fn from_json_members(members: serde_json::Map<String, serde_json::Value>) -> Result<Value, String> {
    Ok(Value::Struct(
        members
            .into_iter()
            .map(|(k, v)| from_json(v).map(|v| (k, v)))
            .collect::<Result<Struct, _>>()?,
    ))
}

/// The names of the typed values inside JSON, as [`typed`] reads them and
/// `output::to_json` writes them.
pub(crate) const TYPED_DATETIME: &str = "$dateTime";
/// See [`TYPED_DATETIME`].
pub(crate) const TYPED_BASE64: &str = "$base64";
/// See [`TYPED_DATETIME`].
pub(crate) const TYPED_I8: &str = "$i8";
/// See [`TYPED_DATETIME`].
pub(crate) const TYPED_NIL: &str = "$nil";
/// See [`TYPED_DATETIME`].
pub(crate) const TYPED_STRUCT: &str = "$struct";

/// A typed value, `{"$dateTime": "…"}` and the rest: `name` is the one
/// member's name, `value` its value.
fn typed(name: &str, value: serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    Ok(match (name, value) {
        (TYPED_DATETIME, J::String(text)) => {
            Value::DateTime(text.parse::<DateTime>().map_err(|e| {
                format!("{{\"$dateTime\": {text:?}}} is not a date-time such as \"20260125T09:30:00\": {e}")
            })?)
        }
        (TYPED_DATETIME, _) => {
            return Err("$dateTime takes a string, such as {\"$dateTime\": \"20260125T09:30:00\"}".into());
        }
        (TYPED_BASE64, J::String(text)) => Value::Base64(
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|e| format!("{{\"$base64\": …}} is not base64 text: {e}"))?,
        ),
        (TYPED_BASE64, _) => {
            return Err("$base64 takes a string of base64, such as {\"$base64\": \"aGVsbG8=\"}".into());
        }
        (TYPED_I8, J::Number(n)) if n.is_i64() => Value::I8(n.as_i64().unwrap_or_default()),
        (TYPED_I8, J::String(text)) if text.trim().parse::<i64>().is_ok() => {
            Value::I8(text.trim().parse().unwrap_or_default())
        }
        (TYPED_I8, _) => {
            return Err("$i8 takes a 64-bit integer, such as {\"$i8\": 42}".into());
        }
        (TYPED_NIL, J::Null) => Value::Nil,
        (TYPED_NIL, _) => return Err("$nil takes null: {\"$nil\": null}".into()),
        (TYPED_STRUCT, J::Object(members)) => from_json_members(members)?,
        (TYPED_STRUCT, _) => {
            return Err("$struct takes an object, such as {\"$struct\": {\"$i8\": \"x\"}}".into());
        }
        (other, _) => {
            return Err(format!(
                "{{{other:?}: …}} is no typed value (they are $dateTime, $base64, $i8, $nil and $struct); \
                 for a struct whose one member is named {other:?}, write {{\"$struct\": {{{other:?}: …}}}}"
            ));
        }
    })
}

/// One call of a multicall: `name(arg, arg, …)` or a bare `name`.
///
/// Arguments are separated by commas outside brackets, braces and quotes,
/// and read by `arg` (as [`parse_arg`] reads them, or
/// `Inputs::value`, which reads `@FILE` first); a quoted JSON string
/// (`"a, b"`) is a string.
pub(crate) fn parse_call(
    spec: &str,
    arg: &mut dyn FnMut(&str) -> Result<Value, ArgError>,
) -> Result<(String, Vec<Value>), ArgError> {
    let spec_trimmed = spec.trim();
    let Some(open) = spec_trimmed.find('(') else {
        if spec_trimmed.is_empty() || spec_trimmed.contains(char::is_whitespace) {
            return Err(error(
                spec,
                "write a call as name(arg, …), e.g. 'pow(2, 3)'",
            ));
        }
        return Ok((spec_trimmed.to_owned(), Vec::new()));
    };
    let name = spec_trimmed[..open].trim();
    let Some(inside) = spec_trimmed[open + 1..].strip_suffix(')') else {
        return Err(error(spec, "the call has no closing ')'"));
    };
    if name.is_empty() {
        return Err(error(spec, "the call has no method name before '('"));
    }
    let mut params = Vec::new();
    if !inside.trim().is_empty() {
        for piece in split_top_level(inside).map_err(|reason| error(spec, reason))? {
            let piece = piece.trim();
            if piece.is_empty() {
                return Err(error(spec, "an argument is empty (two commas in a row?)"));
            }
            let value = if piece.starts_with('"') {
                serde_json::from_str::<String>(piece)
                    .map(Value::String)
                    .map_err(|e| error(spec, format!("{piece} is not a JSON string: {e}")))?
            } else {
                arg(piece).map_err(|e| error(spec, e.to_string()))?
            };
            params.push(value);
        }
    }
    Ok((name.to_owned(), params))
}

/// Splits on commas that are outside `[]`, `{}` and `"…"`.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("unbalanced '{c}'"))?;
            }
            ',' if depth == 0 => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_string {
        return Err("a quoted string is not closed".into());
    }
    if depth != 0 {
        return Err("a '[' or '{' is not closed".into());
    }
    pieces.push(&text[start..]);
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_1() {
        assert_eq!(parse_arg("42").unwrap(), Value::Int(42));
        assert_eq!(parse_arg("s/42").unwrap(), Value::String("42".into()));
        assert_eq!(
            parse_arg("[1, true]").unwrap(),
            Value::Array(vec![Value::Int(1), Value::Bool(true)])
        );
    }

    #[test]
    fn documented_example_2() {
        assert_eq!(
            parse_call("pow(2, 3)", &mut parse_arg).unwrap(),
            ("pow".to_owned(), vec![Value::Int(2), Value::Int(3)])
        );
        assert_eq!(
            parse_call("system.listMethods", &mut parse_arg).unwrap(),
            ("system.listMethods".to_owned(), vec![])
        );
    }

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    #[test]
    fn arguments_are_typed_as_people_expect() {
        #[rustfmt::skip]
        let cases: &[(&str, Value)] = &[
            ("42", Value::Int(42)),
            ("-7", Value::Int(-7)),
            ("+5", Value::Int(5)),
            ("2147483648", Value::I8(2_147_483_648)),
            ("4.2", Value::Double(4.2)),
            ("-.5", Value::Double(-0.5)),
            ("1e-3", Value::Double(0.001)),
            ("2.", Value::Double(2.0)),
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("True", s("True")),
            ("hello world", s("hello world")),
            ("", s("")),
            ("inf", s("inf")),
            ("NaN", s("NaN")),
            ("0x10", s("0x10")),
            ("1.2.3", s("1.2.3")),
            ("e5", s("e5")),
            ("-", s("-")),
            ("http://example.com/a", s("http://example.com/a")),
            ("x/unknown prefix", s("x/unknown prefix")),
            ("[]", Value::Array(vec![])),
            ("[1, 2]", Value::Array(vec![Value::Int(1), Value::Int(2)])),
            ("[1.5, \"a\", null, false]", Value::Array(vec![Value::Double(1.5), s("a"), Value::Nil, Value::Bool(false)])),
            ("{}", Value::Struct(Struct::new())),
        ];
        for (arg, want) in cases {
            assert_eq!(parse_arg(arg).as_ref(), Ok(want), "{arg:?}");
        }
    }

    #[test]
    fn json_structs_keep_their_order() {
        let Value::Struct(members) = parse_arg(r#"{"z": 1, "a": {"n": [9000000000]}}"#).unwrap()
        else {
            panic!()
        };
        assert_eq!(members.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(
            members["a"],
            Value::Struct(Struct::from_iter([(
                "n".to_owned(),
                Value::Array(vec![Value::I8(9_000_000_000)])
            )]))
        );
    }

    #[test]
    fn typed_values_inside_json() {
        let when: DateTime = "20260125T09:30:00".parse().unwrap();
        let one =
            |name: &str, value: Value| Value::Struct(Struct::from_iter([(name.to_owned(), value)]));
        #[rustfmt::skip]
        let cases: &[(&str, Value)] = &[
            (r#"{"$dateTime": "20260125T09:30:00"}"#, Value::DateTime(when)),
            (r#"{"$base64": "aGkh"}"#, Value::Base64(b"hi!".to_vec())),
            (r#"{"$i8": 1}"#, Value::I8(1)),
            (r#"{"$i8": "-1"}"#, Value::I8(-1)),
            (r#"{"$nil": null}"#, Value::Nil),
            (r#"[{"$i8": 1}, {"a": {"$nil": null}}]"#, Value::Array(vec![Value::I8(1), one("a", Value::Nil)])),
            (r#"{"$struct": {"$i8": {"$i8": 2}}}"#, one("$i8", Value::I8(2))),
            (r#"{"$struct": {}}"#, Value::Struct(Struct::new())),
            (r#"{"$i8": 1, "b": 2}"#, Value::Struct(Struct::from_iter([("$i8".to_owned(), Value::Int(1)), ("b".to_owned(), Value::Int(2))]))),
            (r#"{"i8": 1}"#, one("i8", Value::Int(1))),
        ];
        for (arg, want) in cases {
            assert_eq!(parse_arg(arg).as_ref(), Ok(want), "{arg}");
        }
        for bad in [
            r#"{"$dateTime": "soon"}"#,
            r#"{"$base64": "!"}"#,
            r#"{"$i8": 18446744073709551615}"#,
            r#"{"$struct": []}"#,
            r#"{"$": 1}"#,
        ] {
            assert!(parse_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixes_set_the_type() {
        #[rustfmt::skip]
        let cases: &[(&str, Value)] = &[
            ("s/42", s("42")),
            ("s/", s("")),
            ("s/true", s("true")),
            ("s/[1,2]", s("[1,2]")),
            ("s/a/b", s("a/b")),
            ("i/42", Value::Int(42)),
            ("i/-1", Value::Int(-1)),
            ("I/42", Value::I8(42)),
            ("I/-9223372036854775808", Value::I8(i64::MIN)),
            ("d/4", Value::Double(4.0)),
            ("d/4.2", Value::Double(4.2)),
            ("b/true", Value::Bool(true)),
            ("b/t", Value::Bool(true)),
            ("b/false", Value::Bool(false)),
            ("b/f", Value::Bool(false)),
            ("b/1", Value::Bool(true)),
            ("n/", Value::Nil),
            ("h/cafe01", Value::Base64(vec![0xca, 0xfe, 0x01])),
            ("h/", Value::Base64(vec![])),
            ("b64/aGkh", Value::Base64(b"hi!".to_vec())),
            ("dt/20260125T09:30:00", Value::DateTime("20260125T09:30:00".parse().unwrap())),
            ("dt/2026-01-25T09:30:00Z", Value::DateTime("2026-01-25T09:30:00Z".parse().unwrap())),
        ];
        for (arg, want) in cases {
            assert_eq!(parse_arg(arg).as_ref(), Ok(want), "{arg:?}");
        }
    }

    #[test]
    fn wrong_forms_say_what_to_write() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("i/x", "i/ needs a 32-bit integer, such as i/42"),
            ("i/2147483648", "i/ needs a 32-bit integer, such as i/42"),
            ("I/1.5", "I/ needs a 64-bit integer, such as I/42"),
            ("d/nan", "d/ needs a finite number, such as d/4.2"),
            ("b/yes", "b/ needs t, f, true or false"),
            ("n/x", "n/ (nil) takes no value"),
            ("h/abc", "h/ needs hexadecimal digits, two per byte, such as h/cafe01"),
            ("99999999999999999999", "is beyond 64 bits, which XML-RPC cannot hold; write d/… for a double or s/… for a string"),
        ];
        for (arg, reason) in cases {
            assert_eq!(parse_arg(arg).unwrap_err().reason, *reason, "{arg:?}");
        }
        assert!(
            parse_arg("[1,")
                .unwrap_err()
                .reason
                .starts_with("looks like JSON but is not")
        );
        assert!(
            parse_arg("dt/yesterday")
                .unwrap_err()
                .reason
                .starts_with("dt/ needs a date-time")
        );
        assert!(
            parse_arg("b64/!!")
                .unwrap_err()
                .reason
                .starts_with("b64/ needs base64 text")
        );
    }

    #[test]
    fn multicall_calls_are_name_and_arguments() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, Vec<Value>)] = &[
            ("pow(2,3)", "pow", vec![Value::Int(2), Value::Int(3)]),
            (" add( 1 , 2.5 ) ", "add", vec![Value::Int(1), Value::Double(2.5)]),
            ("system.listMethods()", "system.listMethods", vec![]),
            ("system.listMethods", "system.listMethods", vec![]),
            ("echo([1,2], {\"a\": [3, 4]})", "echo", vec![
                Value::Array(vec![Value::Int(1), Value::Int(2)]),
                Value::Struct(Struct::from_iter([("a".to_owned(), Value::Array(vec![Value::Int(3), Value::Int(4)]))])),
            ]),
            ("echo(\"a, b\", s/42, hello)", "echo", vec![s("a, b"), s("42"), s("hello")]),
            ("echo(\"say \\\"hi\\\"\")", "echo", vec![s("say \"hi\"")]),
        ];
        for (spec, name, params) in cases {
            assert_eq!(
                parse_call(spec, &mut parse_arg),
                Ok(((*name).to_owned(), params.clone())),
                "{spec:?}"
            );
        }
        #[rustfmt::skip]
        let bad: &[(&str, &str)] = &[
            ("pow(2,3", "the call has no closing ')'"),
            ("(2,3)", "the call has no method name before '('"),
            ("pow(2,,3)", "an argument is empty (two commas in a row?)"),
            ("echo([1,2)", "a '[' or '{' is not closed"),
            ("echo(\"open)", "a quoted string is not closed"),
            ("", "write a call as name(arg, …), e.g. 'pow(2, 3)'"),
            ("pow 2 3", "write a call as name(arg, …), e.g. 'pow(2, 3)'"),
        ];
        for (spec, reason) in bad {
            assert_eq!(
                parse_call(spec, &mut parse_arg).unwrap_err().reason,
                *reason,
                "{spec:?}"
            );
        }
    }
}
