//! `--xml` on a terminal: an XML-RPC document indented, an element a line,
//! each element that holds only text kept whole on its line.
//!
//! XML-RPC has no mixed content: the text between tags is either a
//! value's (`<string> a </string>`, a bare `<value> a </value>`), which is
//! kept byte for byte, or blanks between elements, which parsers ignore
//! and which give way to the indentation. Bytes, not characters: `<`
//! and `>` are the same byte in every encoding XML-RPC documents use
//! (UTF-8, ISO-8859-1, windows-1252), so a document in any of them is
//! indented without being decoded.

/// `document` indented by two spaces a level, ending with a line feed.
/// What is not well-formed enough to follow (an unclosed tag, a stray `>`)
/// is passed on as it is from there.
pub(crate) fn indent(document: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(document.len() + document.len() / 2);
    let mut depth = 0usize;
    let mut at = 0;
    while at < document.len() {
        let rest = &document[at..];
        if rest[0] != b'<' {
            // Blanks between elements (text in an element is taken with
            // its tags below).
            let end = rest.iter().position(|&b| b == b'<').unwrap_or(rest.len());
            let text = &rest[..end];
            if !text.iter().all(u8::is_ascii_whitespace) {
                line(&mut out, depth, text);
            }
            at += end;
            continue;
        }
        let Some(len) = markup_len(rest) else {
            line(&mut out, depth, rest);
            break;
        };
        let tag = &rest[..len];
        if tag.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            line(&mut out, depth, tag);
        } else if is_open(tag) {
            // `<name>text</name>`: one line, the text as it is.
            if let Some(whole) = text_element(rest, len) {
                line(&mut out, depth, &rest[..whole]);
                at += whole;
                continue;
            }
            line(&mut out, depth, tag);
            depth += 1;
        } else {
            // `<x/>`, `<?xml …?>`, `<!-- … -->`, `<![CDATA[…]]>`.
            line(&mut out, depth, tag);
        }
        at += len;
    }
    out
}

fn line(out: &mut Vec<u8>, depth: usize, bytes: &[u8]) {
    out.extend(std::iter::repeat_n(b' ', depth * 2));
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

/// An opening tag: `<name …>`, not `</…`, `<…/>`, `<?…`, `<!…`.
fn is_open(tag: &[u8]) -> bool {
    !tag.starts_with(b"</")
        && !tag.starts_with(b"<?")
        && !tag.starts_with(b"<!")
        && !tag.ends_with(b"/>")
}

/// The length of the markup `rest` starts with (`rest[0]` is `<`): to its
/// `>`, outside quoted attribute values; a comment to `-->`, CDATA to
/// `]]>`, a processing instruction to `?>`.
fn markup_len(rest: &[u8]) -> Option<usize> {
    for (open, close) in [
        (&b"<!--"[..], &b"-->"[..]),
        (b"<![CDATA[", b"]]>"),
        (b"<?", b"?>"),
    ] {
        if rest.starts_with(open) {
            return find(&rest[open.len()..], close).map(|i| open.len() + i + close.len());
        }
    }
    let mut quote = None;
    for (i, &b) in rest.iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            (None, _) => {}
        }
    }
    None
}

/// With `rest` starting with an opening tag `len` bytes long: the length
/// of the whole element when it holds text only (or nothing) up to its
/// closing tag.
fn text_element(rest: &[u8], len: usize) -> Option<usize> {
    let after = &rest[len..];
    let end = after.iter().position(|&b| b == b'<')?;
    if !after[end..].starts_with(b"</") {
        return None;
    }
    let close = markup_len(&after[end..])?;
    Some(len + end + close)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indented(document: &str) -> String {
        String::from_utf8(indent(document.as_bytes())).unwrap()
    }

    #[test]
    fn documented_example() {
        assert_eq!(
            indented(
                "<?xml version=\"1.0\"?>\n<methodResponse><params><param><value><string> a  b </string></value></param></params></methodResponse>"
            ),
            "<?xml version=\"1.0\"?>\n<methodResponse>\n  <params>\n    <param>\n      <value>\n        <string> a  b </string>\n      </value>\n    </param>\n  </params>\n</methodResponse>\n"
        );
    }

    #[test]
    fn text_is_kept_and_blanks_between_elements_dropped() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("<value>  </value>", "<value>  </value>\n"),
            ("<value></value>", "<value></value>\n"),
            ("<value><nil/></value>", "<value>\n  <nil/>\n</value>\n"),
            ("<a>\n  <b>1</b>\n</a>\n", "<a>\n  <b>1</b>\n</a>\n"),
            ("<a x='>'><b>c</b></a>", "<a x='>'>\n  <b>c</b>\n</a>\n"),
            ("<a><!-- <b> --><![CDATA[<c>]]></a>", "<a>\n  <!-- <b> -->\n  <![CDATA[<c>]]>\n</a>\n"),
            ("<a><b>1", "<a>\n  <b>\n    1\n"),
            ("<a", "<a\n"),
        ];
        for (document, want) in cases {
            assert_eq!(indented(document), *want, "{document:?}");
        }
    }

    #[test]
    fn any_encoding_is_indented_as_bytes() {
        let latin1 = b"<value><string>caf\xe9</string></value>";
        assert_eq!(
            indent(latin1),
            b"<value>\n  <string>caf\xe9</string>\n</value>\n"
        );
    }
}
