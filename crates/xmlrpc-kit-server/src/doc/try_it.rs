//! The page's "Try it" forms: the methods' names and signatures as a JSON
//! block the page's script reads, the script itself
//! (`try_it.js`, which builds each form with DOM calls from that data and
//! writes the calls' documents and snippets), and their styles.
//!
//! The data is the only server text the script sees, and it reaches the
//! page inside `<script type="application/json">`, where HTML escaping does
//! not apply: so every `<`, `>` and `&` is written as a JSON `\u` escape
//! (as are U+2028 and U+2029), and no string can close the block or open
//! a comment. The script puts text on the page only through `textContent`
//! and form values.

use std::fmt::Write as _;

use crate::Methods;

/// The `id` of the data block.
pub(super) const DATA_ID: &str = "xmlrpc-kit-try-it";

/// The script that builds the forms (plain JavaScript, no libraries).
pub(super) const SCRIPT: &str = include_str!("try_it.js");

/// The forms' styles, added to the page's.
pub(super) const STYLE: &str = r#"
.try { margin-top: .6rem; }
.try-it > summary { cursor: pointer; color: var(--accent); font-weight: 600; }
.try form { display: grid; gap: .5rem; margin: .6rem 0; }
.try label { display: grid; gap: .15rem; font-size: .95rem; }
.try label > span { color: var(--muted); }
.try input, .try select, .try textarea, .try button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--rule); border-radius: .3rem; padding: .3rem .45rem; max-width: 100%; }
.try textarea { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; min-height: 4.5rem; }
.try button { cursor: pointer; justify-self: start; }
.try button.try-call { background: var(--accent); color: var(--bg); border-color: var(--accent); font-weight: 600; }
.try h4 { margin: .8rem 0 .2rem; font-size: .95rem; display: flex; gap: .6rem; align-items: center; }
.try h4 button { font-size: .8rem; padding: .05rem .4rem; }
.try pre { margin: 0; padding: .5rem .6rem; background: var(--bg); border: 1px solid var(--rule); border-radius: .3rem; overflow-x: auto; white-space: pre-wrap; }
.try .try-error { color: #c0392b; }
"#;

/// The data of every method the page lists, in the page's order: a JSON
/// array of `{"name", "signatures"}` (the signatures as
/// `system.methodSignature` gives them, result type first), safe to put
/// inside a `<script>` element.
///
/// Parameters' names are left out: the heading above the form shows them,
/// and a table whose functions are registered by hand would otherwise get
/// a page that differs from the same table made by `#[methods]`.
pub(super) fn data(methods: &Methods, names: &[String]) -> String {
    let mut out = String::from("[");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        json_string(&mut out, name);
        out.push_str(",\"signatures\":[");
        let signatures = methods.method_signatures(name).unwrap_or_default();
        for (j, signature) in signatures.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_strings(&mut out, signature);
        }
        out.push_str("]}");
    }
    out.push(']');
    out
}

fn json_strings(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, item);
    }
    out.push(']');
}

/// A JSON string literal that HTML cannot read as markup: `<`, `>` and `&`
/// (and the line separators JavaScript once could not hold in strings) as
/// `\u` escapes, beside JSON's own escapes.
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' | '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Documentation;

    fn string(text: &str) -> String {
        let mut out = String::new();
        json_string(&mut out, text);
        out
    }

    #[test]
    fn json_strings_escape_what_html_reads() {
        assert_eq!(string("add"), r#""add""#);
        assert_eq!(
            string("</script><!-- \"q\" \\ &amp;"),
            r#""\u003c/script\u003e\u003c!-- \"q\" \\ \u0026amp;""#
        );
        assert_eq!(
            string("a\nb\r\t\u{1}\u{7f}\u{2028}\u{2029}é😀"),
            r#""a\nb\r\t\u0001\u007f\u2028\u2029é😀""#
        );
    }

    #[test]
    fn the_data_block_holds_names_signatures_and_parameters() {
        let mut methods = Methods::new();
        methods.register_function("add", |x: i32, y: i32| x + y);
        methods
            .register_function("pow", |x: i64, y: i64| x + y)
            .signatures([["i8", "i8", "i8"], ["double", "i8", "i8"]]);
        let names = methods.list_methods();
        assert_eq!(
            data(&methods, &names),
            concat!(
                r#"[{"name":"add","signatures":[["int","int","int"]]},"#,
                r#"{"name":"pow","signatures":[["i8","i8","i8"],["double","i8","i8"]]}]"#
            )
        );
        assert_eq!(data(&Methods::new(), &[]), "[]");
    }

    #[test]
    fn a_hostile_name_cannot_leave_the_data_block() {
        let hostile = "</script><script>alert(1)</script><!--";
        let mut methods = Methods::new();
        methods.register_function(hostile, || 1).help(hostile);
        let page = Documentation::default().try_it(true).render(&methods);
        // Exactly our two script elements, and one end tag each.
        assert_eq!(page.matches("<script").count(), 2, "{page}");
        assert_eq!(page.matches("</script").count(), 2, "{page}");
        assert!(!page.contains("<!--"), "{page}");
        let open = format!(r#"<script type="application/json" id="{DATA_ID}">"#);
        let block = &page[page.find(&open).unwrap() + open.len()..];
        let block = &block[..block.find("</script>").unwrap()];
        assert_eq!(
            block,
            r#"[{"name":"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e\u003c!--","signatures":[["int"]]}]"#
        );
    }

    #[test]
    fn off_by_default_and_the_page_is_unchanged() {
        let mut methods = Methods::new();
        methods.register_introspection_functions();
        methods.register_function("add", |x: i32, y: i32| x + y);
        let off = Documentation::default().render(&methods);
        assert_eq!(off, Documentation::default().try_it(false).render(&methods));
        assert!(!off.contains("<script") && !off.contains("class=\"try\""));
        let on = Documentation::default().try_it(true).render(&methods);
        assert!(
            on.contains(r#"<div class="try" data-index="0"></div>"#),
            "{on}"
        );
        assert!(on.contains(STYLE) && on.contains(SCRIPT));
    }

    #[test]
    fn the_script_cannot_end_its_own_element() {
        let lower = SCRIPT.to_ascii_lowercase();
        assert!(!lower.contains("</script") && !lower.contains("<!--"));
        assert!(!lower.contains("<script"));
        // Nothing the script writes is parsed as HTML.
        for parser in [
            "innerhtml",
            "outerhtml",
            "insertadjacenthtml",
            "document.write",
            "eval(",
        ] {
            assert!(!lower.contains(parser), "the script uses {parser}");
        }
        assert!(!STYLE.contains('<'));
    }
}
