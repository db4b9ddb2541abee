//! Text content escaped a block at a time: a vectorised look at 32 bytes,
//! then 8 at a time (SWAR), says where the next byte worth a closer look
//! is; the clean run before it is copied in one `extend_from_slice`.

use super::Stop;

/// What [`escape_into`] does with each byte: copy it (0), write an
/// escape (1–4: [`ESCAPES`]), refuse it (5: a control character XML
/// cannot carry), or look at its character (6: 0xEF, the lead byte of
/// U+FFFE and U+FFFF among others).
const BYTE_CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        class[b] = 5;
        b += 1;
    }
    class[b'\t' as usize] = 0;
    class[b'\n' as usize] = 0;
    class[b'&' as usize] = 1;
    class[b'<' as usize] = 2;
    class[b'>' as usize] = 3;
    class[b'\r' as usize] = 4;
    class[0xEF] = 6;
    class
};

/// The escapes of classes 1–4 of [`BYTE_CLASS`].
const ESCAPES: [&[u8]; 5] = [b"", b"&amp;", b"&lt;", b"&gt;", b"&#13;"];

/// [`ESCAPES`] as words and lengths, each written with one fixed-size
/// copy.
const ESCAPE_WORDS: [([u8; 8], usize); 5] = {
    let mut words = [([0u8; 8], 0); 5];
    let mut class = 0;
    while class < 5 {
        let escape = ESCAPES[class];
        let mut i = 0;
        while i < escape.len() {
            words[class].0[i] = escape[i];
            i += 1;
        }
        words[class].1 = escape.len();
        class += 1;
    }
    words
};

/// Appends `run` (clean text): up to 16 bytes as two overlapping
/// fixed-size copies (no call to `memcpy`), longer runs in one.
#[inline(always)]
fn copy_run(out: &mut Vec<u8>, run: &[u8]) {
    let n = run.len();
    let start = out.len();
    if (8..=16).contains(&n) {
        out.extend_from_slice(&run[..8]);
        out.truncate(start + n - 8);
        out.extend_from_slice(&run[n - 8..]);
    } else if (4..8).contains(&n) {
        out.extend_from_slice(&run[..4]);
        out.truncate(start + n - 4);
        out.extend_from_slice(&run[n - 4..]);
    } else if n < 4 {
        for &b in run {
            out.push(b);
        }
    } else {
        out.extend_from_slice(run);
    }
}

/// Whether `b` may need more than a copy: a control byte (tab and line
/// feed included, which [`BYTE_CLASS`] then copies), `&`, `<`, `>`, or
/// 0xEF. Written with comparisons only, so that a block's test vectorises.
#[inline(always)]
fn suspect(b: u8) -> bool {
    (b < 0x20) | (b == b'&') | (b == b'<') | (b == b'>') | (b == 0xEF)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The [`suspect`] bytes of eight (little-endian in `word`), as their
/// bytes' high bits. The lowest set bit is the first suspect byte; a bit
/// above a suspect byte may be set without cause (a borrow), which costs
/// only a look at [`BYTE_CLASS`], never a byte missed.
#[inline(always)]
fn suspects(word: u64) -> u64 {
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x;
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let amp = zero_bytes(word ^ (ONES * u64::from(b'&')));
    // `<` and `>` differ only in bit 1.
    let angle = zero_bytes((word | (ONES * 2)) ^ (ONES * u64::from(b'>')));
    let ef = zero_bytes(word ^ (ONES * 0xEF));
    (control | amp | angle | ef) & HIGHS
}

/// The first byte at or after `from` that may need more than a copy.
#[inline(always)]
fn next_suspect(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    if bytes.len() - at < 8 {
        return bytes[at..]
            .iter()
            .position(|&b| BYTE_CLASS[usize::from(b)] != 0)
            .map(|i| at + i);
    }
    // Long runs: whether any of 32 bytes is a suspect, vectorised.
    while let Some(block) = bytes.get(at..at + 32) {
        if block.iter().fold(false, |any, &b| any | suspect(b)) {
            break;
        }
        at += 32;
    }
    // Then where, 8 bytes at a time.
    while let Some(word) = bytes.get(at..at + 8) {
        let found = suspects(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    if at == bytes.len() {
        return None;
    }
    // The last 1–7 bytes: the last word, without the bytes before `at`
    // (already looked at).
    let last = bytes.len() - 8;
    let word = u64::from_le_bytes(bytes[last..].try_into().unwrap_or_default());
    let found = suspects(word) >> ((at - last) * 8);
    (found != 0).then(|| at + (found.trailing_zeros() / 8) as usize)
}

/// Writes `text` escaped, as [`escape_into`]. Text of up to 32 bytes with
/// nothing to escape (most names and many strings) is looked at as up to
/// four overlapping words and copied as them, each a fixed-size copy (no
/// call to `memcpy`), the buffer then cut back to the text's end; the
/// rest goes to [`escape_into`]. (Such a copy reaches at most 8 bytes
/// past the text, less than the end tag that always follows it, so the
/// buffer grows no sooner than it would have.)
#[inline(always)]
pub(super) fn write_text(out: &mut Vec<u8>, text: &str) -> Result<(), Stop> {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
    if (8..=16).contains(&n) {
        let (first, last) = (word(0), word(n - 8));
        if suspects(first) | suspects(last) == 0 {
            // The two words overlap where they hold the same bytes.
            let both = u128::from(first) | u128::from(last) << ((n - 8) * 8);
            let end = out.len() + n;
            out.extend_from_slice(&both.to_le_bytes());
            out.truncate(end);
            return Ok(());
        }
    } else if (17..=32).contains(&n) {
        let (first, second) = (word(0), word(8));
        let (third, last) = (word(n - 16), word(n - 8));
        if suspects(first) | suspects(second) | suspects(third) | suspects(last) == 0 {
            let start = out.len();
            out.extend_from_slice(&(u128::from(first) | u128::from(second) << 64).to_le_bytes());
            out.truncate(start + n - 16);
            out.extend_from_slice(&(u128::from(third) | u128::from(last) << 64).to_le_bytes());
            return Ok(());
        }
    } else if (4..8).contains(&n) {
        let (first, last) = (half(0), half(n - 4));
        if suspects(u64::from(first) | u64::from(last) << 32) == 0 {
            let both = u64::from(first) | u64::from(last) << ((n - 4) * 8);
            let end = out.len() + n;
            out.extend_from_slice(&both.to_le_bytes());
            out.truncate(end);
            return Ok(());
        }
    }
    escape_into(out, text)
}

/// Escapes text content: `&`, `<`, `>`, and `\r` (which an XML reader
/// would otherwise normalise to `\n`). A character XML 1.0 cannot carry at
/// all (a control character, U+FFFE, U+FFFF) is an error: no reader would
/// take it, raw or as a reference. One pass over the text; what comes
/// before an error (up to the last escape) is already in `out`.
#[inline(never)]
fn escape_into(out: &mut Vec<u8>, text: &str) -> Result<(), Stop> {
    let bytes = text.as_bytes();
    // The first byte not yet copied, and the first not yet looked at.
    let mut start = 0;
    let mut at = 0;
    while let Some(i) = next_suspect(bytes, at) {
        at = i + 1;
        let class = BYTE_CLASS[usize::from(bytes[i])];
        match class {
            // Tab, line feed, or a false alarm: copied with the run.
            0 => {}
            1..=4 => {
                copy_run(out, &bytes[start..i]);
                let (word, len) = ESCAPE_WORDS[usize::from(class)];
                let end = out.len() + len;
                out.extend_from_slice(&word);
                out.truncate(end);
                start = at;
            }
            5 => return Err(Stop::NotXmlCharacter(char::from(bytes[i]))),
            _ => {
                // 0xEF starts a character from U+F000 to U+FFFF.
                let c = text[i..].chars().next().unwrap_or_default();
                if !crate::xml_chars::is_xml_char(c) {
                    return Err(Stop::NotXmlCharacter(c));
                }
            }
        }
    }
    copy_run(out, &bytes[start..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time rule the block scan must agree with.
    fn escaped_bytewise(text: &str) -> Result<Vec<u8>, Stop> {
        let mut out = Vec::new();
        for (i, c) in text.char_indices() {
            let b = text.as_bytes()[i];
            match BYTE_CLASS[usize::from(b)] {
                class @ 1..=4 => out.extend_from_slice(ESCAPES[usize::from(class)]),
                5 => return Err(Stop::NotXmlCharacter(c)),
                _ if !crate::xml_chars::is_xml_char(c) => return Err(Stop::NotXmlCharacter(c)),
                _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        Ok(out)
    }

    #[test]
    fn every_suspect_byte_is_found_wherever_it_sits() {
        let specials = [
            "&", "<", ">", "\r", "\n", "\t", "\u{1}", "\u{1f}", "\u{fffe}", "\u{f000}", "'", "=",
            "?", "%", " ", "\u{7f}", "\u{a0}", "é",
        ];
        for len in 0..80 {
            for at in 0..len {
                for special in specials {
                    for second in [None, Some(at / 2), Some(len - 1)] {
                        let mut text = "x".repeat(len);
                        if let Some(j) = second {
                            text.replace_range(j..j + 1, "&");
                        }
                        text.replace_range(at..at + 1, special);
                        let expected = escaped_bytewise(&text);
                        let mut out = b"<".to_vec();
                        let got = escape_into(&mut out, &text).map(|()| out[1..].to_vec());
                        assert_eq!(got, expected, "{text:?}");
                        let mut out = b"<".to_vec();
                        let got = write_text(&mut out, &text).map(|()| out[1..].to_vec());
                        assert_eq!(got, expected, "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_word_flags_its_first_suspect_byte_exactly() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = b;
                let found = suspects(u64::from_le_bytes(word));
                if suspect(b) {
                    assert_eq!(found.trailing_zeros() / 8, at as u32, "{b:#x} at {at}");
                } else {
                    assert_eq!(found, 0, "{b:#x} at {at}");
                }
            }
        }
    }
}
