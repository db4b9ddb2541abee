//! The documentation page (Python's `DocXMLRPCServer` and
//! `DocCGIXMLRPCRequestHandler`): one self-contained HTML page listing every
//! method with its signatures and help, derived from the method table.
//!
//! Every string that reaches the page goes through maud's escaping; links
//! are built only from `http`, `https` and `ftp` URLs found in help text and
//! from the names of registered methods, so no text can become markup.
//!
//! With [`Documentation::try_it`] on, each method also gets a form that
//! calls it from the page (`try_it`: its data block, script and styles).

mod try_it;

use std::collections::HashSet;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::Methods;

/// The page's title, heading and introduction (Python's
/// `set_server_title`, `set_server_name`, `set_server_documentation`).
///
/// ```
/// use xmlrpc_kit::Documentation;
/// let doc = Documentation::default()
///     .server_title("Calculator")
///     .server_name("Calculator API")
///     .server_documentation("Integer arithmetic over XML-RPC.");
/// assert_eq!(doc.title, "Calculator");
/// assert_eq!(Documentation::default().title, "XML-RPC Server Documentation");
/// assert!(!doc.try_it);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Documentation {
    /// The HTML `<title>`. Default, as Python's: "XML-RPC Server Documentation".
    pub title: String,
    /// The `<h1>` at the top. Default, as Python's: "XML-RPC Server Documentation".
    pub name: String,
    /// The paragraph below the heading. Default, as Python's: "This server
    /// exports the following methods through the XML-RPC protocol."
    pub documentation: String,
    /// Whether each method gets a form that calls it from the page, and
    /// shows the request and response documents and the same call for
    /// Python's `xmlrpc.client`, curl and `xmlrpc-kit call`; see
    /// [`try_it`](Self::try_it). Default: off, as a production server's
    /// page should be a page and not a console.
    pub try_it: bool,
}

impl Default for Documentation {
    fn default() -> Self {
        Documentation {
            title: "XML-RPC Server Documentation".into(),
            name: "XML-RPC Server Documentation".into(),
            documentation:
                "This server exports the following methods through the XML-RPC protocol.".into(),
            try_it: false,
        }
    }
}

impl Documentation {
    /// Sets the `<title>` (Python's `set_server_title`).
    #[must_use]
    pub fn server_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
    /// Sets the `<h1>` (Python's `set_server_name`).
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Sets the introduction (Python's `set_server_documentation`).
    #[must_use]
    pub fn server_documentation(mut self, text: impl Into<String>) -> Self {
        self.documentation = text.into();
        self
    }
    /// Gives each method a form that calls it from the page (default off).
    ///
    /// The form's inputs are typed from the method's first signature (a
    /// choice of signature when it has several): numbers, a true/false
    /// choice, text for strings, base64 and dates, and JSON for arrays,
    /// structs and untyped parameters (a method without signatures gets
    /// one JSON array of parameters). Pressing the button POSTs the call
    /// with `fetch()` to the page's own address, and shows the request and
    /// response documents and the result or fault. Beside the form, the
    /// same call as a Python `xmlrpc.client` snippet, a curl command and an
    /// `xmlrpc-kit call` command line, ready to copy.
    ///
    /// The page stays self-contained: one inline script builds the forms
    /// with DOM calls (never HTML from strings) from a JSON data block
    /// whose `<`, `>` and `&` are written as `\u003c`, `\u003e` and
    /// `\u0026`, so no method name or help text can end the block.
    ///
    /// ```
    /// use xmlrpc_kit::{Documentation, Methods};
    /// let mut methods = Methods::new();
    /// methods.register_function("add", |x: i32, y: i32| x + y);
    /// let page = Documentation::default().try_it(true).render(&methods);
    /// assert!(page.contains(r#"<script type="application/json" id="xmlrpc-kit-try-it">"#));
    /// assert!(!Documentation::default().render(&methods).contains("<script"));
    /// ```
    #[must_use]
    pub fn try_it(mut self, on: bool) -> Self {
        self.try_it = on;
        self
    }

    /// Renders the page for `methods`: every method `system.listMethods`
    /// would name, in that order, with its signatures and help.
    ///
    /// ```
    /// use xmlrpc_kit::{Documentation, Methods};
    /// let mut methods = Methods::new();
    /// methods.register_function("add", |x: i32, y: i32| x + y).help("Adds; see <https://example.com/add>.");
    /// let page = Documentation::default().server_title("<b>Adder</b>").render(&methods);
    /// assert!(page.contains("<title>&lt;b&gt;Adder&lt;/b&gt;</title>"));
    /// assert!(page.contains(r#"<a href="https://example.com/add" rel="nofollow noopener">https://example.com/add</a>"#));
    /// ```
    pub fn render(&self, methods: &Methods) -> String {
        let names = methods.list_methods();
        let known: HashSet<&str> = names.iter().map(String::as_str).collect();
        let page = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light dark";
                    title { (self.title) }
                    style { (PreEscaped(STYLE)) @if self.try_it { (PreEscaped(try_it::STYLE)) } }
                }
                body {
                    header {
                        h1 { (self.name) }
                        @for paragraph in paragraphs(&self.documentation) {
                            p.intro { (marked_up(paragraph, &known, None)) }
                        }
                    }
                    nav aria-label="Methods" {
                        h2 { "Methods" }
                        ol.toc {
                            @for name in &names {
                                li { a href={ "#" (anchor(name)) } { code { (name) } } }
                            }
                        }
                    }
                    main {
                        @for (index, name) in names.iter().enumerate() {
                            section.method id=(anchor(name)) {
                                h3 {
                                    @let signatures = methods.method_signatures(name).unwrap_or_default();
                                    @let param_names = methods.method_param_names(name).unwrap_or_default();
                                    @if signatures.is_empty() {
                                        code.sig { span.name { (name) } "(…)" }
                                    }
                                    @for sig in &signatures {
                                        code.sig {
                                            span.name { (name) }
                                            "(" (parameters(sig.get(1..).unwrap_or_default(), &param_names)) ")"
                                            @if let Some(result) = sig.first() {
                                                " → " span.type { (result) }
                                            }
                                        }
                                    }
                                    a.permalink href={ "#" (anchor(name)) } aria-label={ "Link to " (name) } { "¶" }
                                }
                                @let help = methods.method_help(name).unwrap_or_default();
                                @if help.trim().is_empty() {
                                    p.help.none { "No help text." }
                                }
                                @for paragraph in paragraphs(&help) {
                                    p.help { (marked_up(paragraph, &known, Some(name))) }
                                }
                                @if self.try_it {
                                    div.try data-index=(index) {}
                                }
                            }
                        }
                    }
                    footer {
                        "XML-RPC endpoint: POST a " code { "methodCall" } " to this address. "
                        "Served by xmlrpc-kit."
                    }
                    @if self.try_it {
                        script type="application/json" id=(try_it::DATA_ID) {
                            (PreEscaped(try_it::data(methods, &names)))
                        }
                        script { (PreEscaped(try_it::SCRIPT)) }
                    }
                }
            }
        };
        page.into_string()
    }
}

/// A signature's parameters as the page shows them: `x: i8, y: i8` when
/// their names are known (as many as the types), else the types alone.
fn parameters(types: &[String], names: &[String]) -> String {
    if names.len() != types.len() {
        return types.join(", ");
    }
    names
        .iter()
        .zip(types)
        .map(|(n, t)| format!("{n}: {t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `id` of a method's section: its name with whitespace replaced.
fn anchor(name: &str) -> String {
    let mut id = String::with_capacity(name.len() + 7);
    id.push_str("method-");
    id.extend(
        name.chars()
            .map(|c| if c.is_whitespace() { '_' } else { c }),
    );
    id
}

/// Paragraphs separated by blank lines, trimmed; none for empty text.
fn paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (head, tail) = split_at_blank_line(rest);
        if !head.trim().is_empty() {
            out.push(head.trim());
        }
        rest = tail.trim_start();
    }
    out
}

fn split_at_blank_line(text: &str) -> (&str, &str) {
    let mut line_start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            let line = &text[line_start..i];
            if line.trim().is_empty() && line_start > 0 {
                return (&text[..line_start], &text[i..]);
            }
            line_start = i + 1;
        }
    }
    (text, "")
}

/// One piece of marked-up help text.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Url(&'a str),
    Method(&'a str),
}

/// Help text split into plain text, URLs and references to other methods
/// (what pydoc's `markup` links).
fn pieces<'a>(text: &'a str, known: &HashSet<&str>, this: Option<&str>) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    while i < text.len() {
        let rest = &text[i..];
        let prev = text[..i].chars().next_back();
        let at_boundary = prev.is_none_or(|p| !is_word(p) && p != '.' && p != '/');
        let found = if at_boundary && starts_with_url_scheme(rest) {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}']);
            let has_host = url.split_once("://").is_some_and(|(_, h)| !h.is_empty());
            has_host.then_some((Piece::Url(url), url.len()))
        } else if at_boundary && rest.starts_with(is_word) {
            let end = rest
                .find(|c: char| !(is_word(c) || c == '.'))
                .unwrap_or(rest.len());
            let word = rest[..end].trim_end_matches('.');
            (known.contains(word) && Some(word) != this)
                .then_some((Piece::Method(word), word.len()))
        } else {
            None
        };
        match found {
            Some((piece, len)) => {
                if plain_start < i {
                    out.push(Piece::Text(&text[plain_start..i]));
                }
                out.push(piece);
                i += len;
                plain_start = i;
            }
            None => {
                // Skip a whole word at once so its tail is never taken for a name.
                let step = if at_boundary && rest.starts_with(is_word) {
                    rest.find(|c: char| !is_word(c)).unwrap_or(rest.len())
                } else {
                    rest.chars().next().map_or(1, char::len_utf8)
                };
                i += step.max(1);
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    if plain_start < text.len() {
        out.push(Piece::Text(&text[plain_start..]));
    }
    out
}

fn starts_with_url_scheme(text: &str) -> bool {
    ["http://", "https://", "ftp://"].iter().any(|scheme| {
        text.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    })
}

fn marked_up(text: &str, known: &HashSet<&str>, this: Option<&str>) -> Markup {
    html! {
        @for piece in pieces(text, known, this) {
            @match piece {
                Piece::Text(t) => (t),
                Piece::Url(url) => a href=(url) rel="nofollow noopener" { (url) },
                Piece::Method(name) => a href={ "#" (anchor(name)) } { code { (name) } },
            }
        }
    }
}

/// Self-contained styles: system fonts, readable line length, light and
/// dark schemes following the system setting.
const STYLE: &str = r#"
:root { --bg: #fdfdfc; --fg: #1d1f21; --muted: #5c6166; --accent: #0b63c5; --card: #f3f4f6; --rule: #d9dce0; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15171a; --fg: #e6e6e3; --muted: #a0a6ad; --accent: #6cb3ff; --card: #1f2227; --rule: #33373d; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 56rem; padding: 1.5rem 1.25rem 3rem; background: var(--bg); color: var(--fg);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; position: relative; padding-right: 1.75rem; }
p { margin: .4rem 0; white-space: pre-line; }
.intro { color: var(--muted); font-size: 1.05rem; }
a { color: var(--accent); text-decoration-thickness: 1px; text-underline-offset: 2px; }
code { font: .95em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.toc { margin: 0; padding-left: 1.5rem; columns: 15rem auto; column-gap: 2rem; }
.toc li { break-inside: avoid; padding: .1rem 0; }
.method { background: var(--card); border: 1px solid var(--rule); border-radius: .5rem; padding: .9rem 1rem; margin: .9rem 0; scroll-margin-top: 1rem; }
.method:target { outline: 2px solid var(--accent); }
.sig { display: block; padding: .05rem 0; }
.sig .name { font-weight: 700; }
.sig .type { color: var(--muted); }
.permalink { position: absolute; top: 0; right: 0; color: var(--muted); text-decoration: none; font-weight: 400; }
.help.none { color: var(--muted); font-style: italic; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .9rem; }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn known<'a>(names: &[&'a str]) -> HashSet<&'a str> {
        names.iter().copied().collect()
    }

    /// A whole page: its `<title>` (as written), the page's style, and
    /// `body` (what follows the style, up to the footer).
    fn whole_page(title: &str, body: &str) -> String {
        [
            r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>"##,
            title,
            "</title><style>",
            STYLE,
            "</style></head><body>",
            body,
            r##"<footer>XML-RPC endpoint: POST a <code>methodCall</code> to this address. Served by xmlrpc-kit.</footer></body></html>"##,
        ]
        .concat()
    }

    fn render(text: &str, names: &[&str]) -> String {
        marked_up(text, &known(names), None).into_string()
    }

    #[test]
    fn hostile_strings_are_escaped_everywhere() {
        let hostile = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;"#;
        let mut methods = Methods::new();
        methods.register_function(hostile, || 1).help(hostile);
        let page = Documentation::default()
            .server_title(hostile)
            .server_name(hostile)
            .server_documentation(hostile)
            .render(&methods);
        // The hostile text as the page writes it, and as its anchors do.
        let h = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;";
        let anchor = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img_src=x_onerror=alert(2)&gt;&amp;amp;";
        assert_eq!(
            page,
            whole_page(
                h,
                &format!(
                    r##"<header><h1>{h}</h1><p class="intro">{h}</p></header><nav aria-label="Methods"><h2>Methods</h2><ol class="toc"><li><a href="#method-{anchor}"><code>{h}</code></a></li></ol></nav><main><section class="method" id="method-{anchor}"><h3><code class="sig"><span class="name">{h}</span>() → <span class="type">int</span></code><a class="permalink" href="#method-{anchor}" aria-label="Link to {h}">¶</a></h3><p class="help">{h}</p></section></main>"##
                ),
            )
        );
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        // The only <script> or event handler on the page would be ours: there is none.
        assert!(!page.contains("<script"));
    }

    #[test]
    fn only_web_urls_become_links_and_quotes_cannot_break_out() {
        assert_eq!(
            render("see https://example.com/a?b=1&c=2. ok", &[]),
            r#"see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">https://example.com/a?b=1&amp;c=2</a>. ok"#
        );
        assert_eq!(render("javascript:alert(1)", &[]), "javascript:alert(1)");
        assert_eq!(
            render("data:text/html,<b>", &[]),
            "data:text/html,&lt;b&gt;"
        );
        assert_eq!(
            render(r#"http://x.org/"onmouseover="alert(1)"#, &[]),
            r#"<a href="http://x.org/" rel="nofollow noopener">http://x.org/</a>&quot;onmouseover=&quot;alert(1)"#
        );
        assert_eq!(render("http:// nothing", &[]), "http:// nothing");
    }

    #[test]
    fn registered_method_names_link_to_their_entries() {
        assert_eq!(
            render(
                "Like add, but see system.listMethods.",
                &["add", "system.listMethods"]
            ),
            r##"Like <a href="#method-add"><code>add</code></a>, but see <a href="#method-system.listMethods"><code>system.listMethods</code></a>."##
        );
        // Parts of words and unknown names stay text.
        assert_eq!(render("adder readd add_x", &["add"]), "adder readd add_x");
        // A method does not link to itself.
        assert_eq!(
            marked_up("add adds", &known(&["add"]), Some("add")).into_string(),
            "add adds"
        );
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n  \nc\n"), vec!["a\nb", "c"]);
        assert_eq!(paragraphs("  "), Vec::<&str>::new());
    }

    #[test]
    fn page_lists_every_method_with_signature_and_anchor() {
        let mut methods = Methods::new();
        methods.register_introspection_functions();
        methods
            .register_function("pow", |x: i64, y: u32| x.pow(y))
            .help("Power; compare add.");
        methods.register_function("add", |x: i32, y: i32| x + y);
        methods.register_function("with space", || 0);
        let page = Documentation::default().render(&methods);
        assert_eq!(
            page,
            whole_page(
                "XML-RPC Server Documentation",
                concat!(
                    r##"<header><h1>XML-RPC Server Documentation</h1><p class="intro">This server exports the following methods through the XML-RPC protocol.</p></header>"##,
                    r##"<nav aria-label="Methods"><h2>Methods</h2><ol class="toc">"##,
                    r##"<li><a href="#method-add"><code>add</code></a></li>"##,
                    r##"<li><a href="#method-pow"><code>pow</code></a></li>"##,
                    r##"<li><a href="#method-system.getCapabilities"><code>system.getCapabilities</code></a></li>"##,
                    r##"<li><a href="#method-system.listMethods"><code>system.listMethods</code></a></li>"##,
                    r##"<li><a href="#method-system.methodHelp"><code>system.methodHelp</code></a></li>"##,
                    r##"<li><a href="#method-system.methodSignature"><code>system.methodSignature</code></a></li>"##,
                    r##"<li><a href="#method-with_space"><code>with space</code></a></li></ol></nav>"##,
                    r##"<main>"##,
                    r##"<section class="method" id="method-add"><h3><code class="sig"><span class="name">add</span>(int, int) → <span class="type">int</span></code><a class="permalink" href="#method-add" aria-label="Link to add">¶</a></h3><p class="help none">No help text.</p></section>"##,
                    r##"<section class="method" id="method-pow"><h3><code class="sig"><span class="name">pow</span>(i8, i8) → <span class="type">i8</span></code><a class="permalink" href="#method-pow" aria-label="Link to pow">¶</a></h3><p class="help">Power; compare <a href="#method-add"><code>add</code></a>.</p></section>"##,
                    r##"<section class="method" id="method-system.getCapabilities"><h3><code class="sig"><span class="name">system.getCapabilities</span>() → <span class="type">struct</span></code><a class="permalink" href="#method-system.getCapabilities" aria-label="Link to system.getCapabilities">¶</a></h3><p class="help">Returns the specifications this server follows (fault codes, introspection, multicall), with their URLs and versions.</p></section>"##,
                    r##"<section class="method" id="method-system.listMethods"><h3><code class="sig"><span class="name">system.listMethods</span>() → <span class="type">array</span></code><a class="permalink" href="#method-system.listMethods" aria-label="Link to system.listMethods">¶</a></h3><p class="help">Returns the names of every method the server answers, sorted.</p></section>"##,
                    r##"<section class="method" id="method-system.methodHelp"><h3><code class="sig"><span class="name">system.methodHelp</span>(string) → <span class="type">string</span></code><a class="permalink" href="#method-system.methodHelp" aria-label="Link to system.methodHelp">¶</a></h3><p class="help">Returns the help text of the method named by its parameter.</p></section>"##,
                    r##"<section class="method" id="method-system.methodSignature"><h3><code class="sig"><span class="name">system.methodSignature</span>(string) → <span class="type">array</span></code><a class="permalink" href="#method-system.methodSignature" aria-label="Link to system.methodSignature">¶</a></h3><p class="help">Returns the signatures of the method named by its parameter: an array of arrays of type names, the result's first.</p></section>"##,
                    r##"<section class="method" id="method-with_space"><h3><code class="sig"><span class="name">with space</span>() → <span class="type">int</span></code><a class="permalink" href="#method-with_space" aria-label="Link to with space">¶</a></h3><p class="help none">No help text.</p></section></main>"##,
                ),
            )
        );
    }
}
