//! Colour for results on a terminal: `--json` and the pretty-printed
//! values, their member names, strings, numbers, literals and typed
//! values each in a colour of its own (anstyle's ANSI styles); never when
//! stdout is not a terminal or `NO_COLOR` is set (no-color.org).

use std::io::IsTerminal as _;

use anstyle::{AnsiColor, Style};

/// Whether results are coloured: stdout is a terminal and `NO_COLOR` is
/// unset or empty.
pub(crate) fn wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

const NAME: Style = AnsiColor::Blue.on_default().bold();
const STRING: Style = AnsiColor::Green.on_default();
const NUMBER: Style = AnsiColor::Cyan.on_default();
const LITERAL: Style = AnsiColor::Yellow.on_default();
const TYPED: Style = AnsiColor::Magenta.on_default();

/// `text` (a result as `--json` or the pretty printer writes it: JSON's
/// tokens, plus `nil`, `dt/…` and `b64/…`) with each token coloured; the
/// text itself is unchanged, escapes only added around tokens.
pub(crate) fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let style = match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                // A member name is followed by `:`.
                let rest = text[i..].trim_start_matches(' ');
                if rest.starts_with(':') { NAME } else { STRING }
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                NUMBER
            }
            b'a'..=b'z' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'/') {
                    i += 1;
                }
                let word = &text[start..i];
                if word.starts_with("dt/") || word.starts_with("b64/") {
                    // The rest of the value: up to the end of the line or a comma.
                    while i < bytes.len() && !matches!(bytes[i], b',' | b'\n') {
                        i += 1;
                    }
                    TYPED
                } else if matches!(word, "true" | "false" | "null" | "nil") {
                    LITERAL
                } else {
                    out.push_str(word);
                    continue;
                }
            }
            _ => {
                // Punctuation and white space, up to the next token (a
                // whole character: the text may hold any).
                let c = text[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
                continue;
            }
        };
        out.push_str(&format!(
            "{}{}{}",
            style.render(),
            &text[start..i],
            style.render_reset()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_is_coloured_and_the_text_kept() {
        let text = "{\n  \"a\\\"b\": [1, -2.5e3, \"x y\", true, nil],\n  \"d\": dt/20260102T03:04:05,\n  \"é\": b64/aGk=\n}";
        let coloured = highlight(text);
        // Without its escapes, the text as it was.
        let plain = coloured
            .split('\u{1b}')
            .enumerate()
            .map(|(n, part)| {
                if n == 0 {
                    part
                } else {
                    &part[part.find('m').unwrap() + 1..]
                }
            })
            .collect::<String>();
        assert_eq!(plain, text);
        let paint = |style: Style, token: &str| {
            format!("{}{token}{}", style.render(), style.render_reset())
        };
        for (style, token) in [
            (NAME, "\"a\\\"b\""),
            (NUMBER, "1"),
            (NUMBER, "-2.5e3"),
            (STRING, "\"x y\""),
            (LITERAL, "true"),
            (LITERAL, "nil"),
            (TYPED, "dt/20260102T03:04:05"),
            (NAME, "\"é\""),
            (TYPED, "b64/aGk="),
        ] {
            assert!(
                coloured.contains(&paint(style, token)),
                "{token}: {coloured:?}"
            );
        }
    }
}
