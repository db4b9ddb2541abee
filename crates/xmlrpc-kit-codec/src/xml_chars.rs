//! Which characters an XML 1.0 document can carry (its `Char`
//! production): every one but the C0 controls other than tab, line feed
//! and carriage return, the surrogates (which `char` cannot hold) and
//! U+FFFE and U+FFFF. Neither raw nor as a character reference (`&#1;`)
//! can the others appear, so the decoder refuses them and the encoder will
//! not write them.

/// Whether XML 1.0 can carry `c`.
///
/// ```
/// use xmlrpc_kit::xml_chars::is_xml_char;
/// assert!(is_xml_char('\t') && is_xml_char('é') && is_xml_char('🦀'));
/// assert!(!is_xml_char('\u{1}') && !is_xml_char('\0') && !is_xml_char('\u{fffe}'));
/// ```
#[inline]
pub fn is_xml_char(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\0'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

/// The byte offset and the character of the first character in `text`
/// that XML 1.0 cannot carry. One pass that the compiler vectorises: a
/// chunk is looked at closely only if it holds a forbidden control byte or
/// 0xEF (the lead byte of U+FFFE and U+FFFF, and of the rest of
/// U+F000–U+FFFF), and looked at for those only if it holds any control
/// byte or 0xEF.
pub fn first_forbidden(text: &str) -> Option<(usize, char)> {
    const CHUNK: usize = 64;
    let bytes = text.as_bytes();
    let suspect = |b: u8| {
        let control = (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
        control as u8 | (b == 0xEF) as u8
    };
    // A coarser test first, in whole chunks (fewer operations a byte, and
    // no tail to handle): any control byte at all, or 0xEF. Only a chunk
    // it flags (one with a tab or a line end, say) takes the exact test.
    let coarse = |chunk: &[u8]| {
        chunk
            .iter()
            .fold(0u8, |acc, &b| acc | (b < 0x20) as u8 | (b == 0xEF) as u8)
    };
    let whole = bytes.len() / CHUNK * CHUNK;
    let flagged = bytes[..whole]
        .chunks_exact(CHUNK)
        .enumerate()
        .filter(|(_, chunk)| coarse(chunk) != 0)
        .chain(std::iter::once((whole / CHUNK, &bytes[whole..])));
    for (n, chunk) in flagged {
        if chunk.iter().fold(0u8, |acc, &b| acc | suspect(b)) == 0 {
            continue;
        }
        // Back to a character boundary (a chunk may start mid-character),
        // then character by character to the chunk's end.
        let mut start = n * CHUNK;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let end = (n * CHUNK + chunk.len()).min(bytes.len());
        for (i, c) in text[start..].char_indices() {
            if start + i >= end {
                break;
            }
            if !is_xml_char(c) {
                return Some((start + i, c));
            }
        }
    }
    None
}

/// What to say about `c`, which XML 1.0 cannot carry.
pub(crate) fn forbidden_message(c: char) -> String {
    format!(
        "U+{:04X} cannot appear in an XML 1.0 document, raw or as a character reference \
         (below U+0020 only tab, line feed and carriage return can, and neither U+FFFE nor U+FFFF)",
        u32::from(c)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_forbidden_character_wherever_it_is() {
        assert_eq!(first_forbidden("plain text\t\r\n, é, 🦀"), None);
        let long = "x".repeat(200);
        for at in [0, 1, 63, 64, 65, 127, 199] {
            let mut text = long.clone();
            text.replace_range(at..at + 1, "\u{1}");
            assert_eq!(first_forbidden(&text), Some((at, '\u{1}')), "at {at}");
        }
        // Indented text (line ends and tabs in every chunk), with and
        // without a forbidden character.
        let indented = "\t<value>\r\n".repeat(30);
        assert_eq!(first_forbidden(&indented), None);
        for at in [0, 70, 150] {
            let mut text = indented.clone();
            text.replace_range(at..at + 1, "\u{8}");
            assert_eq!(first_forbidden(&text), Some((at, '\u{8}')), "at {at}");
        }
        // A multi-byte character across a chunk's edge, then U+FFFF.
        let text = format!("{}é{}\u{ffff}", "a".repeat(63), "b".repeat(10));
        assert_eq!(first_forbidden(&text), Some((63 + 2 + 10, '\u{ffff}')));
        // U+FEFF and U+F8FF share the lead byte 0xEF and are allowed.
        assert_eq!(first_forbidden(&"\u{feff}\u{f8ff}".repeat(40)), None);
    }
}
