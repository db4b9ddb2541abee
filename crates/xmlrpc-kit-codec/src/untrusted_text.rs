//! Showing text a peer sent, in a log line or on a terminal, so that it
//! reads as text and cannot act. A method name, a path, a fault string or
//! an HTTP error body may hold a line feed that forges a line of its own,
//! an escape sequence that retitles or clears the terminal (ESC, or
//! U+009B, the one-character CSI), or a bidi control that shows text in
//! another order than it is stored (U+202E). [`Escaped`] writes such text
//! with those characters as escapes in Rust's string syntax (`\n`, `\r`,
//! `\t`, `\u{1b}`, `\u{202e}`), and the backslash itself as `\\`, so a
//! reader can undo it; everything else, accented and CJK letters
//! included, is written as it is.
//!
//! The servers' access-log line and the `xmlrpc-kit` command's output use it.

use std::fmt;

/// Whether `c` changes how text is displayed instead of showing as a
/// character: the C0 controls (line feed, carriage return and tab
/// included), DEL, the C1 controls (U+0080–U+009F, U+009B being a
/// one-character CSI), the bidi controls (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators
/// (U+2028, U+2029). [`Escaped`] writes these as escapes.
///
/// ```
/// use xmlrpc_kit::untrusted_text::is_display_control;
/// assert!(is_display_control('\u{1b}') && is_display_control('\n'));
/// assert!(is_display_control('\u{9b}') && is_display_control('\u{202e}'));
/// assert!(!is_display_control('é') && !is_display_control('日') && !is_display_control(' '));
/// ```
#[inline]
pub fn is_display_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Text from a peer, displayed with its [display
/// controls](is_display_control) and backslashes escaped: one line, safe
/// to print on a terminal or write in a log. Options say what else to do:
/// escape `"` (for text shown between quotes), keep line feeds and tabs
/// (for multi-line text shown on its own), and stop after a number of
/// characters. Text that needs no escape is written in one piece.
///
/// ```
/// use xmlrpc_kit::untrusted_text::Escaped;
///
/// let hostile = "bad\r\nxmlrpc: fake line \u{1b}]0;PWNED\u{7} \u{202e}txt";
/// assert_eq!(
///     Escaped::new(hostile).to_string(),
///     r"bad\r\nxmlrpc: fake line \u{1b}]0;PWNED\u{7} \u{202e}txt"
/// );
/// assert_eq!(Escaped::new(r#"say "C:\x""#).escape_quotes().to_string(), r#"say \"C:\\x\""#);
/// assert_eq!(Escaped::new("two\n\tlines\r").keep_newlines().to_string(), "two\n\tlines\\r");
/// assert_eq!(Escaped::new("日本語のテキスト").truncate(3).to_string(), "日本語…");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a> {
    text: &'a str,
    quotes: bool,
    newlines: bool,
    max_chars: usize,
}

impl<'a> Escaped<'a> {
    /// `text`, to be displayed on one line: every display control (line
    /// feed included) and `\` escaped; `"` as it is.
    pub fn new(text: &'a str) -> Self {
        Escaped {
            text,
            quotes: false,
            newlines: false,
            max_chars: usize::MAX,
        }
    }

    /// Escapes `"` as `\"` too, for text shown between double quotes.
    #[must_use]
    pub fn escape_quotes(mut self) -> Self {
        self.quotes = true;
        self
    }

    /// Writes line feeds and tabs as they are, for multi-line text shown
    /// on its own (carriage returns are still escaped: one rewinds the
    /// line to write over it).
    #[must_use]
    pub fn keep_newlines(mut self) -> Self {
        self.newlines = true;
        self
    }

    /// How many characters of a peer's text one field of a log line or
    /// message shows (the access log's fields, a method name in a log
    /// event): enough to recognise it, bounded whatever was sent.
    pub const FIELD_CHARS: usize = 60;

    /// Writes at most the first `max_chars` characters of the text (each
    /// escaped as needed), then `…` if there were more.
    #[must_use]
    pub fn truncate(mut self, max_chars: usize) -> Self {
        self.max_chars = max_chars;
        self
    }

    /// Whether `c` is written as an escape under these options.
    #[inline]
    fn escapes(&self, c: char) -> bool {
        match c {
            '\\' => true,
            '"' => self.quotes,
            '\n' | '\t' => !self.newlines,
            c => is_display_control(c),
        }
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl Escaped<'_> {
    /// Writes the text as [`Display`](fmt::Display) shows it, to any
    /// writer: into a `String`, without the formatting machinery between.
    ///
    /// ```
    /// use xmlrpc_kit_codec::untrusted_text::Escaped;
    ///
    /// let mut line = String::from("GET ");
    /// Escaped::new("/a\nb").write_to(&mut line).unwrap();
    /// assert_eq!(line, r"GET /a\nb");
    /// ```
    pub fn write_to(&self, f: &mut impl fmt::Write) -> fmt::Result {
        // Bytes are at least as many as characters: a short text is never cut.
        let (text, cut) = match self.text.len() > self.max_chars {
            false => (self.text, false),
            true => match self.text.char_indices().nth(self.max_chars) {
                Some((end, _)) => (&self.text[..end], true),
                None => (self.text, false),
            },
        };
        // The usual case (a method, a path, a method name): printable
        // ASCII with nothing to escape, written at once.
        if text
            .bytes()
            .all(|b| matches!(b, b' '..=b'~') && b != b'\\' && b != b'"')
        {
            f.write_str(text)?;
        } else {
            let mut plain = 0;
            for (i, c) in text.char_indices() {
                if !self.escapes(c) {
                    continue;
                }
                f.write_str(&text[plain..i])?;
                plain = i + c.len_utf8();
                match c {
                    '\n' => f.write_str("\\n")?,
                    '\r' => f.write_str("\\r")?,
                    '\t' => f.write_str("\\t")?,
                    '\\' => f.write_str("\\\\")?,
                    '"' => f.write_str("\\\"")?,
                    c => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                }
            }
            f.write_str(&text[plain..])?;
        }
        if cut {
            f.write_char('…')?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each class of character, as text shown on one line (`new`), between
    /// quotes (`escape_quotes`) and on its own (`keep_newlines`).
    #[test]
    fn every_dangerous_class_is_escaped_and_ordinary_text_is_not() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, &str)] = &[
            // text            one line            quoted               multi-line
            ("POST /RPC2",     "POST /RPC2",       "POST /RPC2",        "POST /RPC2"),
            ("",               "",                 "",                  ""),
            ("\u{1b}[2J",      r"\u{1b}[2J",       r"\u{1b}[2J",        r"\u{1b}[2J"),
            ("\u{7}",          r"\u{7}",           r"\u{7}",            r"\u{7}"),
            ("a\rb",           r"a\rb",            r"a\rb",             r"a\rb"),
            ("a\nb",           r"a\nb",            r"a\nb",             "a\nb"),
            ("a\tb",           r"a\tb",            r"a\tb",             "a\tb"),
            ("\0",             r"\u{0}",           r"\u{0}",            r"\u{0}"),
            ("\u{7f}",         r"\u{7f}",          r"\u{7f}",           r"\u{7f}"),
            ("\u{85}",         r"\u{85}",          r"\u{85}",           r"\u{85}"),
            ("\u{9b}2J",       r"\u{9b}2J",        r"\u{9b}2J",         r"\u{9b}2J"),
            ("\u{202e}gpj",    r"\u{202e}gpj",     r"\u{202e}gpj",      r"\u{202e}gpj"),
            ("\u{2066}x",      r"\u{2066}x",       r"\u{2066}x",        r"\u{2066}x"),
            ("\u{200f}\u{61c}", r"\u{200f}\u{61c}", r"\u{200f}\u{61c}", r"\u{200f}\u{61c}"),
            ("\u{2028}",       r"\u{2028}",        r"\u{2028}",         r"\u{2028}"),
            ("say \"hi\"",     "say \"hi\"",       r#"say \"hi\""#,     "say \"hi\""),
            (r"C:\x",          r"C:\\x",           r"C:\\x",            r"C:\\x"),
            (r"\u{1b}",        r"\\u{1b}",         r"\\u{1b}",          r"\\u{1b}"),
            ("café",           "café",             "café",              "café"),
            ("日本",            "日本",              "日本",               "日本"),
            ("🦀 a\u{200d}b",  "🦀 a\u{200d}b",    "🦀 a\u{200d}b",     "🦀 a\u{200d}b"),
            ("é\u{1b}日\n",     r"é\u{1b}日\n",      r"é\u{1b}日\n",       "é\\u{1b}日\n"),
        ];
        for &(text, line, quoted, lines) in cases {
            assert_eq!(Escaped::new(text).to_string(), line, "{text:?}");
            assert_eq!(
                Escaped::new(text).escape_quotes().to_string(),
                quoted,
                "{text:?}"
            );
            assert_eq!(
                Escaped::new(text).keep_newlines().to_string(),
                lines,
                "{text:?}"
            );
        }
    }

    #[test]
    fn truncation_counts_characters_of_the_text_and_marks_the_cut() {
        #[rustfmt::skip]
        let cases: &[(&str, usize, &str)] = &[
            ("abcdef", 6, "abcdef"),
            ("abcdef", 5, "abcde…"),
            ("abcdef", 0, "…"),
            ("", 0, ""),
            ("ééé", 3, "ééé"),
            ("éééé", 3, "ééé…"),
            ("\n\n\n\n", 2, r"\n\n…"),
            ("a\u{202e}bc", 2, r"a\u{202e}…"),
        ];
        for &(text, max, shown) in cases {
            assert_eq!(
                Escaped::new(text).truncate(max).to_string(),
                shown,
                "{text:?} {max}"
            );
        }
    }

    #[test]
    fn the_escaped_form_has_no_display_control_and_reads_back() {
        // Every character up to U+3000, and some beyond.
        let text: String = (0..0x3000u32)
            .chain([0xfeff, 0x1f980, 0x10ffff])
            .filter_map(char::from_u32)
            .collect();
        let shown = Escaped::new(&text).escape_quotes().to_string();
        assert!(!shown.chars().any(is_display_control));
        assert_eq!(unescape(&shown), text);
        let lines = Escaped::new(&text).keep_newlines().to_string();
        assert!(
            !lines
                .chars()
                .any(|c| is_display_control(c) && c != '\n' && c != '\t')
        );
        assert_eq!(unescape(&lines), text);
    }

    /// Reads the escapes back (a reader's side of the rule).
    fn unescape(shown: &str) -> String {
        let mut out = String::new();
        let mut chars = shown.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    assert_eq!(chars.next(), Some('{'));
                    let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                Some(other) => out.push(other),
                None => panic!("a lone backslash at the end of {shown:?}"),
            }
        }
        out
    }

    #[test]
    fn display_controls_are_the_listed_ones() {
        let controls: Vec<u32> = (0..=0x10ffffu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_display_control(c))
            .map(u32::from)
            .collect();
        let expected: Vec<u32> = (0..0x20)
            .chain(0x7f..0xa0)
            .chain([0x61c, 0x200e, 0x200f])
            .chain([0x2028, 0x2029])
            .chain(0x202a..=0x202e)
            .chain(0x2066..=0x2069)
            .collect();
        assert_eq!(controls, expected);
    }
}
