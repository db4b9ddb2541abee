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
                   dateTime.iso8601 (also 2026-01-25T09:30:00, with Z or an offset)";

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
        serde_json::Value::Object(members) => Value::Struct(
            members
                .into_iter()
                .map(|(k, v)| from_json(v).map(|v| (k, v)))
                .collect::<Result<Struct, _>>()?,
        ),
    })
}

/// One call of a multicall: `name(arg, arg, …)` or a bare `name`.
///
/// Arguments are separated by commas outside brackets, braces and quotes,
/// and read as [`parse_arg`] reads them; a quoted JSON string (`"a, b"`) is
/// a string.
pub(crate) fn parse_call(spec: &str) -> Result<(String, Vec<Value>), ArgError> {
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
                parse_arg(piece).map_err(|e| error(spec, e.to_string()))?
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
            parse_call("pow(2, 3)").unwrap(),
            ("pow".to_owned(), vec![Value::Int(2), Value::Int(3)])
        );
        assert_eq!(
            parse_call("system.listMethods").unwrap(),
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
                parse_call(spec),
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
            assert_eq!(parse_call(spec).unwrap_err().reason, *reason, "{spec:?}");
        }
    }
}
