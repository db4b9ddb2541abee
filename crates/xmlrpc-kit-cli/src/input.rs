//! `-`, `@FILE` and `@-`: an argument's text read from standard input or a
//! file, then typed exactly as the same text given inline; `@@…` for a text
//! that really starts with `@`, so that an argument of any size the server
//! takes gets past the shell's "Argument list too long".

use std::borrow::Cow;
use std::io::Read;

use crate::args::ArgError;

/// The argument sources, shown by `xmlrpc-kit call --help` and
/// `xmlrpc-kit multicall --help`; written once here, beside the rule.
pub(crate) const INPUT_HELP: &str = "\
An argument's text may come from elsewhere, then is typed as above:
  -  or  @-        read from standard input (one argument a command)
  @FILE            read from FILE (any size the server takes)
  @@text           the text @text (a leading @@ stands for one @)
One final line feed of what is read is dropped, as $(cat FILE) drops it;
the text must be UTF-8. To send '-' itself, write s/-.";

/// Where `-`, `@-` and `@FILE` are read from: standard input, read at most
/// once, and the file system.
pub(crate) struct Inputs<'a> {
    stdin: Option<Box<dyn Read + 'a>>,
}

impl std::fmt::Debug for Inputs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("stdin_unread", &self.stdin.is_some())
            .finish()
    }
}

impl<'a> Inputs<'a> {
    /// Sources reading `-` and `@-` from `stdin`.
    pub(crate) fn new(stdin: impl Read + 'a) -> Inputs<'a> {
        Inputs {
            stdin: Some(Box::new(stdin)),
        }
    }

    /// The text `arg` stands for: what it names for `-`, `@-` and `@FILE`,
    /// `@rest` for `@@rest`, else `arg` itself.
    pub(crate) fn text<'s>(&mut self, arg: &'s str) -> Result<Cow<'s, str>, ArgError> {
        if let Some(literal) = arg.strip_prefix("@@") {
            return Ok(Cow::Owned(format!("@{literal}")));
        }
        let bytes = match arg.strip_prefix('@') {
            _ if arg == "-" || arg == "@-" => {
                let Some(mut stdin) = self.stdin.take() else {
                    return Err(error(
                        arg,
                        "standard input is read once: only one argument may be - or @-",
                    ));
                };
                let mut bytes = Vec::new();
                stdin
                    .read_to_end(&mut bytes)
                    .map_err(|e| error(arg, format!("cannot read standard input: {e}")))?;
                bytes
            }
            None => return Ok(Cow::Borrowed(arg)),
            Some("") => {
                return Err(error(
                    arg,
                    "write @FILE to read a file, @- for standard input, or @@… for a text starting with @",
                ));
            }
            Some(path) => {
                std::fs::read(path).map_err(|e| error(arg, format!("cannot read {path}: {e}")))?
            }
        };
        let mut text = String::from_utf8(bytes).map_err(|_| {
            error(
                arg,
                "is not UTF-8 text (for bytes, put b64/… or h/… in the file)",
            )
        })?;
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        Ok(Cow::Owned(text))
    }

    /// [`parse_arg`](crate::args::parse_arg) of the text `arg` stands for;
    /// an error names `arg` (`@big.json`), not the text read.
    pub(crate) fn value(&mut self, arg: &str) -> Result<xmlrpc_kit::Value, ArgError> {
        let text = self.text(arg)?;
        crate::args::parse_arg(&text).map_err(|e| error(arg, e.reason))
    }
}

fn error(arg: &str, reason: impl Into<String>) -> ArgError {
    ArgError {
        arg: arg.to_owned(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_kit::Value;

    #[test]
    fn documented_example() {
        let mut inputs = Inputs::new(&b"42\n"[..]);
        assert_eq!(inputs.value("-").unwrap(), Value::Int(42));
        assert_eq!(inputs.text("@@home").unwrap(), "@home");
        assert_eq!(inputs.text("plain").unwrap(), "plain");
    }

    #[test]
    fn standard_input_is_read_once_and_one_line_feed_dropped() {
        for (given, text) in [
            ("a\n", "a"),
            ("a\r\n", "a"),
            ("a\n\n", "a\n"),
            ("a", "a"),
            ("", ""),
        ] {
            let mut inputs = Inputs::new(given.as_bytes());
            assert_eq!(inputs.text("@-").unwrap(), text, "{given:?}");
            assert_eq!(
                inputs.text("-").unwrap_err().reason,
                "standard input is read once: only one argument may be - or @-"
            );
        }
    }

    #[test]
    fn files_are_read_and_typed_as_inline_text() {
        let dir = std::env::temp_dir().join(format!("xmlrpc-kit-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("args.json");
        std::fs::write(&file, "{\"a\": [1, \"x\"]}\n").unwrap();
        let arg = format!("@{}", file.display());
        let mut inputs = Inputs::new(std::io::empty());
        let Value::Struct(members) = inputs.value(&arg).unwrap() else {
            panic!("a struct")
        };
        assert_eq!(
            members["a"],
            Value::Array(vec![Value::Int(1), Value::String("x".into())])
        );
        std::fs::write(&file, "[1,").unwrap();
        let e = inputs.value(&arg).unwrap_err();
        assert_eq!(e.arg, arg);
        assert!(e.reason.starts_with("looks like JSON but is not"), "{e}");
        std::fs::write(&file, b"\xff\xfe").unwrap();
        assert_eq!(
            inputs.value(&arg).unwrap_err().reason,
            "is not UTF-8 text (for bytes, put b64/… or h/… in the file)"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            inputs
                .value(&arg)
                .unwrap_err()
                .reason
                .starts_with(&format!("cannot read {}: ", file.display()))
        );
        assert!(
            inputs
                .value("@")
                .unwrap_err()
                .reason
                .starts_with("write @FILE")
        );
    }
}
