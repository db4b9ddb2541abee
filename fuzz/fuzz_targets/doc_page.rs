//! Any strings as the page's title, heading and introduction, and as
//! method names and help texts (plain methods and an instance's exports):
//! `Documentation::render` never panics, and the page holds no markup but
//! its own. Every `<` opens or closes one of the page's own elements, with
//! only the page's own attributes, every attribute value quoted and free of
//! quotes and `<`; every `&` starts an entity; there is no `<script`.

#![no_main]
#![forbid(unsafe_code)]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::{Documentation, Exports, Methods};

#[derive(Debug)]
struct Input {
    title: String,
    name: String,
    documentation: String,
    methods: Vec<(String, String)>,
    exports: Vec<(String, String)>,
    introspection: bool,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let pairs = |u: &mut Unstructured<'a>| -> arbitrary::Result<Vec<(String, String)>> {
            let n = u.int_in_range(0..=8)?;
            (0..n)
                .map(|_| Ok((u.arbitrary()?, u.arbitrary()?)))
                .collect()
        };
        Ok(Input {
            title: u.arbitrary()?,
            name: u.arbitrary()?,
            documentation: u.arbitrary()?,
            methods: pairs(u)?,
            exports: pairs(u)?,
            introspection: u.arbitrary()?,
        })
    }
}

/// The page's own elements.
const TAGS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "nav", "ol",
    "li", "a", "code", "main", "section", "span", "footer",
];

/// The page's own attributes.
const ATTRIBUTES: &[&str] = &[
    "lang",
    "charset",
    "name",
    "content",
    "class",
    "aria-label",
    "href",
    "rel",
    "id",
];

/// Checks the markup of `page`; panics naming the first foreign piece.
fn check_markup(page: &str) {
    assert!(!page.to_ascii_lowercase().contains("<script"), "a <script");
    let doctype = "<!DOCTYPE html>";
    assert!(page.starts_with(doctype));
    let mut rest = &page[doctype.len()..];
    while let Some(at) = rest.find(['<', '&']) {
        let here = &rest[at..];
        let context = &here[..here.floor_char_boundary(60)];
        if let Some(after) = here.strip_prefix('&') {
            let entity = ["amp;", "lt;", "gt;", "quot;", "#"]
                .iter()
                .any(|e| after.starts_with(e));
            assert!(entity, "a raw & at {context:?}");
            rest = after;
            continue;
        }
        let tag = here[1..].strip_prefix('/').unwrap_or(&here[1..]);
        let name_end = tag
            .find(|c: char| !(c.is_ascii_alphanumeric()))
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        assert!(TAGS.contains(&name), "a foreign tag at {context:?}");
        // Attributes: ` name="value"` or ` name` up to `>`.
        let mut attrs = &tag[name_end..];
        loop {
            if let Some(after) = attrs.strip_prefix('>') {
                rest = after;
                break;
            }
            attrs = attrs
                .strip_prefix(' ')
                .unwrap_or_else(|| panic!("a malformed tag at {context:?}"));
            let attr_end = attrs
                .find(['=', ' ', '>'])
                .unwrap_or_else(|| panic!("an unclosed tag at {context:?}"));
            let attr = &attrs[..attr_end];
            assert!(
                ATTRIBUTES.contains(&attr),
                "a foreign attribute {attr:?} at {context:?}"
            );
            attrs = &attrs[attr_end..];
            if let Some(value) = attrs.strip_prefix("=\"") {
                let close = value
                    .find('"')
                    .unwrap_or_else(|| panic!("an unclosed attribute at {context:?}"));
                assert!(
                    !value[..close].contains('<'),
                    "a < in an attribute at {context:?}"
                );
                attrs = &value[close + 1..];
            }
        }
        // The style sheet is ours and holds no `<`: skip it whole.
        if name == "style" && !here.starts_with("</") {
            let end = rest.find("</style>").expect("the style element closes");
            rest = &rest[end..];
        }
    }
}

fuzz_target!(|input: Input| {
    let mut methods = Methods::new();
    if input.introspection {
        methods.register_introspection_functions();
        methods.register_multicall_functions();
    }
    for (name, help) in &input.methods {
        methods
            .register_function(name.as_str(), || 0)
            .help(help.as_str());
    }
    if !input.exports.is_empty() {
        let mut exports = Exports::new();
        for (name, help) in &input.exports {
            exports
                .register_function(name.as_str(), |x: i32| x)
                .help(help.as_str());
        }
        methods.register_instance(exports);
    }
    let page = Documentation::default()
        .server_title(input.title.as_str())
        .server_name(input.name.as_str())
        .server_documentation(input.documentation.as_str())
        .render(&methods);
    check_markup(&page);
    // Hostile text never reaches the page raw.
    for text in [&input.title, &input.name, &input.documentation]
        .into_iter()
        .chain(input.methods.iter().flat_map(|(n, h)| [n, h]))
        .chain(input.exports.iter().flat_map(|(n, h)| [n, h]))
    {
        if text.contains("<x") || text.contains("<script") {
            assert!(!page.contains(text.as_str()), "{text:?} is on the page raw");
        }
    }
});
