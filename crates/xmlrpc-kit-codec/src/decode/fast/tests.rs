//! The fast reader's unit tests (what it reads, where it gives up), and
//! the decoder against the exact reader alone over generated and mutated
//! documents under tight limits.

use super::super::oracle;
use super::*;
use crate::{decode_call, decode_response, decode_value};

fn limits() -> DocumentLimits {
    DocumentLimits::default()
}

fn fast_value(xml: &str) -> Option<Value> {
    value(xml, &limits())
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

/// A struct like the `struct` workload's: every type, nesting, entities.
const STRUCT_CALL: &str = "<?xml version=\"1.0\"?><methodCall><methodName>echo</methodName>\
<params><param><value><struct>\
<member><name>name</name><value><string>perf-lab</string></value></member>\
<member><name>text</name><value><string>escapes &amp; &lt;angle&gt; \"q\", héllo ✓</string></value></member>\
<member><name>id</name><value><int>123456789</int></value></member>\
<member><name>score</name><value><double>3.141592653589793</double></value></member>\
<member><name>active</name><value><boolean>1</boolean></value></member>\
<member><name>created</name><value><dateTime.iso8601>20240102T03:04:05</dateTime.iso8601></value></member>\
<member><name>blob</name><value><base64>4TsDLhEqMrV5CA8I</base64></value></member>\
<member><name>tags</name><value><array><data><value><string>a</string></value><value>b</value></data></array></value></member>\
<member><name>owner</name><value><struct><member><name>uid</name><value><i4>1000</i4></value></member></struct></value></member>\
</struct></value></param></params></methodCall>";

const MULTICALL: &str = "<?xml version=\"1.0\"?><methodCall><methodName>system.multicall</methodName>\
<params><param><value><array><data>\
<value><struct><member><name>methodName</name><value><string>add</string></value></member>\
<member><name>params</name><value><array><data><value><int>0</int></value><value><int>1</int></value></data></array></value></member></struct></value>\
<value><struct><member><name>methodName</name><value><string>add</string></value></member>\
<member><name>params</name><value><array><data><value><int>1</int></value><value><int>2</int></value></data></array></value></member></struct></value>\
</data></array></value></param></params></methodCall>";

const TINY: &str = "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
<param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>";

const INDENTED: &str = "<?xml version='1.0'?>\r\n<methodResponse>\r\n  <params>\r\n    <param>\r\n      \
<value>\r\n        <array>\r\n          <data>\r\n            <value><int>1</int></value>\r\n            \
<value>text</value>\r\n            <value/>\r\n          </data>\r\n        </array>\r\n      </value>\r\n    \
</param>\r\n  </params>\r\n</methodResponse>\r\n";

#[test]
fn the_workloads_shapes_do_not_give_up() {
    for doc in [STRUCT_CALL, MULTICALL, TINY] {
        let fast = call(doc, &limits()).unwrap_or_else(|| panic!("gave up on {doc}"));
        assert_eq!(Ok(fast), oracle::decode_call(doc.as_bytes(), &limits()));
    }
    let fast = response(INDENTED, &limits()).expect("an indented response");
    assert_eq!(
        Ok(fast),
        oracle::decode_response(INDENTED.as_bytes(), &limits())
    );
    let fault = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member>\
<member><name>faultString</name><value><string>Too many</string></value></member></struct></value></fault></methodResponse>";
    let fast = response(fault, &limits()).expect("a fault");
    assert_eq!(fast, Err(Fault::new(4, "Too many")));
    assert_eq!(
        Ok(fast),
        oracle::decode_response(fault.as_bytes(), &limits())
    );
}

#[test]
fn reads_the_lenient_spellings_as_the_exact_reader_does() {
    let cases: &[(&str, Value)] = &[
        ("<value>bare</value>", s("bare")),
        ("<value>  </value>", s("  ")),
        ("<value></value>", s("")),
        ("<value/>", s("")),
        ("<value> \n<int> +7 </int>\t</value>", Value::Int(7)),
        (
            "<value><i8>-9000000000</i8></value>",
            Value::I8(-9_000_000_000),
        ),
        ("<value><boolean>true</boolean></value>", Value::Bool(true)),
        (
            "<value><double> 1e3 </double></value>",
            Value::Double(1000.0),
        ),
        (
            "<value><string>a&#233;&#x41;&quot;&apos;</string></value>",
            s("aéA\"'"),
        ),
        ("<value>a&amp;b</value>", s("a&b")),
        (
            "<value><base64>aGVs\n bG8=</base64></value>",
            Value::Base64(b"hello".to_vec()),
        ),
        ("<value><nil/></value>", Value::Nil),
        ("<value><nil></nil></value>", Value::Nil),
        (
            "<value><array><data/></array></value>",
            Value::Array(vec![]),
        ),
        ("<value><array></array></value>", Value::Array(vec![])),
        (
            "<value><struct></struct></value>",
            Value::Struct(Struct::new()),
        ),
        ("<?xml version='1.0'?>\n<value>x</value>\n", s("x")),
    ];
    for (xml, want) in cases {
        assert_eq!(fast_value(xml).as_ref(), Some(want), "{xml}");
        assert_eq!(
            oracle::decode_value(xml.as_bytes(), &limits()).as_ref(),
            Ok(want),
            "{xml}"
        );
    }
}

#[test]
fn gives_up_on_what_it_does_not_read() {
    for xml in [
        "<value><!-- c --><int>1</int></value>",
        "<value><![CDATA[x]]></value>",
        "<value>a\r\nb</value>",
        "<value><ex:i8>1</ex:i8></value>",
        "<value><int >1</int></value>",
        "<value a='1'>x</value>",
        "<value><string/></value>",
        "<value>&#X41;</value>",
        "<value>&nbsp;</value>",
        "<value>&#0;</value>",
        "<value><int>x</int></value>",
        "<value><double>inf</double></value>",
        "<value><base64>!!</base64></value>",
        "<value><dateTime.iso8601>soon</dateTime.iso8601></value>",
        "<value>x<int>1</int></value>",
        "<value><int>1</int>x</value>",
        "<!DOCTYPE x><value/>",
        "<?pi?><value/>",
        "<value/><!-- after -->",
        "<value/>x",
        "<value><int>1</i4></value>",
        "<value>",
    ] {
        assert_eq!(fast_value(xml), None, "{xml}");
    }
}

#[test]
fn gives_up_where_a_limit_is_reached() {
    let deep =
        "<value><array><data><value><array><data></data></array></value></data></array></value>";
    assert!(value(deep, &limits().max_depth(2)).is_some());
    assert!(value(deep, &limits().max_depth(1)).is_none());
    let three =
        "<value><array><data><value/><value>a</value><value>b</value></data></array></value>";
    assert!(value(three, &limits().max_items(3)).is_some());
    assert!(value(three, &limits().max_items(2)).is_none());
    // Whitespace before a type counts as text read (found by the
    // differential test).
    let spaced = "<value>  <nil/></value>";
    assert!(value(spaced, &limits().max_string_bytes(2)).is_some());
    assert!(value(spaced, &limits().max_string_bytes(1)).is_none());
    let long = "<value>abcd</value>";
    assert!(value(long, &limits().max_string_bytes(4)).is_some());
    assert!(value(long, &limits().max_string_bytes(3)).is_none());
    let blob = "<value><base64>aGVsbG8h</base64></value>";
    assert!(value(blob, &limits().max_base64_bytes(6)).is_some());
    assert!(value(blob, &limits().max_base64_bytes(5)).is_none());
    assert!(call(TINY, &limits().max_params(2)).is_some());
    assert!(call(TINY, &limits().max_params(1)).is_none());
    assert!(call(TINY, &limits().max_method_name_bytes(3)).is_some());
    assert!(call(TINY, &limits().max_method_name_bytes(2)).is_none());
}

#[test]
fn character_references_are_resolved_or_left_to_the_exact_reader() {
    assert_eq!(reference(b"amp;x"), Some(('&', 4)));
    assert_eq!(reference(b"#65;"), Some(('A', 4)));
    assert_eq!(reference(b"#x1F600;"), Some(('😀', 8)));
    assert_eq!(reference(b"#00000065;"), Some(('A', 10)));
    assert_eq!(reference(b"#000000065;"), None);
    for refused in [
        &b"#;"[..],
        b"#x;",
        b"#1;",
        b"#xD800;",
        b"#+5;",
        b"amp",
        b"#12a;",
        b"#xFFFE;",
    ] {
        assert_eq!(
            reference(refused),
            None,
            "{}",
            String::from_utf8_lossy(refused)
        );
    }
}

#[test]
fn text_ends_at_the_first_markup_reference_or_carriage_return() {
    for len in 0..150 {
        for end in ['<', '&', '\r'] {
            // Bytes just above and below the three, and multi-byte ones.
            let body: String = "=;%'\u{e9}\u{3c}\u{3b}".chars().cycle().take(len).collect();
            let body = body.replace('<', "=");
            let text = format!("{body}{end}<&\r");
            assert_eq!(text_len(text.as_bytes()), Some(body.len()), "{len} {end:?}");
        }
        let plain = "x".repeat(len);
        assert_eq!(text_len(plain.as_bytes()), None);
    }
}

#[test]
fn trims_xml_whitespace_only() {
    assert_eq!(trim_space(" \t\n\r7\r\n "), "7");
    assert_eq!(trim_space("\u{a0}7 "), "\u{a0}7");
    assert_eq!(trim_space("   "), "");
    assert_eq!(trim_space(""), "");
}

/// The decoder against the exact reader alone: the same value, or the
/// same error message, for generated documents, their mutations, and
/// tight limits.
mod same_as_the_exact_reader {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    /// Text as documents write it: plain, escaped, or hostile.
    fn text() -> BoxedStrategy<String> {
        let piece = prop_oneof![
            6 => "[a-z0-9 ]{0,6}",
            1 => Just("&amp;".to_owned()),
            1 => Just("&lt;&gt;&quot;&apos;".to_owned()),
            1 => Just("&#233;&#x1F600;".to_owned()),
            1 => Just("é✓".to_owned()),
            1 => prop_oneof![
                Just("\r\n"), Just("\r"), Just("\t"), Just("&#0;"), Just("&#xD800;"),
                Just("&bogus;"), Just("&"), Just("<"), Just(">"), Just("]]>"), Just("&#X41;"),
                Just("<![CDATA[c]]>"), Just("<!--c-->"), Just("<?pi x?>"), Just(" + 1"),
            ].prop_map(str::to_owned),
        ];
        vec(piece, 0..4).prop_map(|pieces| pieces.concat()).boxed()
    }

    /// Whitespace between elements, usually none.
    fn ws() -> impl Strategy<Value = &'static str> {
        prop_oneof![6 => Just(""), 1 => Just(" "), 1 => Just("\n  "), 1 => Just("\r\n\t")]
    }

    fn scalar() -> BoxedStrategy<String> {
        let number = prop_oneof![
            any::<i32>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just(" +7 ".to_owned()),
            Just("1e3".to_owned()),
            Just("-0.5".to_owned()),
            Just("inf".to_owned()),
            Just("NaN".to_owned()),
            Just("".to_owned()),
            Just("0x10".to_owned()),
        ];
        let tag = prop_oneof![
            Just("int"),
            Just("i4"),
            Just("i8"),
            Just("double"),
            Just("boolean"),
            Just("ex:i8"),
            Just("i1"),
        ];
        prop_oneof![
            3 => text().prop_map(|t| format!("<string>{t}</string>")),
            2 => text(),
            3 => (tag, number).prop_map(|(tag, n)| format!("<{tag}>{n}</{tag}>")),
            1 => prop_oneof![Just("1"), Just("0"), Just("true"), Just(" false ")]
                .prop_map(|b| format!("<boolean>{b}</boolean>")),
            1 => prop_oneof![
                Just("20240102T03:04:05"), Just("2024-01-02T03:04:05Z"),
                Just("20240102T03:04:05.5+01:00"), Just("2024"), Just(" 20240102T03:04:05"),
            ].prop_map(|d| format!("<dateTime.iso8601>{d}</dateTime.iso8601>")),
            1 => prop_oneof![Just("aGVsbG8="), Just("aGVs\n bG8"), Just("!!"), Just(""), Just("aGVsbG8h")]
                .prop_map(|b| format!("<base64>{b}</base64>")),
            1 => prop_oneof![Just("<nil/>"), Just("<nil></nil>"), Just("<nil> </nil>"), Just("<ex:nil/>"), Just("<string/>")]
                .prop_map(str::to_owned),
        ]
        .boxed()
    }

    /// A `<value>` element, written in any of the ways documents write one.
    fn value_xml() -> BoxedStrategy<String> {
        let leaf = (ws(), scalar(), ws()).prop_map(|(a, body, b)| {
            if body.starts_with('<') {
                format!("<value>{a}{body}{b}</value>")
            } else {
                format!("<value>{body}</value>")
            }
        });
        let leaf = prop_oneof![8 => leaf, 1 => Just("<value/>".to_owned())];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let items = vec((ws(), inner.clone()), 0..6).prop_map(|items| {
                items
                    .into_iter()
                    .map(|(w, v)| format!("{w}{v}"))
                    .collect::<String>()
            });
            let members = vec((ws(), text(), ws(), inner, ws()), 0..6).prop_map(|members| {
                members
                    .into_iter()
                    .map(|(a, name, b, v, c)| {
                        format!("{a}<member>{b}<name>{name}</name>{v}{c}</member>")
                    })
                    .collect::<String>()
            });
            prop_oneof![
                (ws(), items, ws()).prop_map(|(a, items, b)| format!(
                    "<value><array>{a}<data>{items}{b}</data></array></value>"
                )),
                Just("<value><array><data/></array></value>".to_owned()),
                Just("<value><array></array></value>".to_owned()),
                (members, ws())
                    .prop_map(|(m, b)| format!("<value><struct>{m}{b}</struct></value>")),
            ]
        })
        .boxed()
    }

    fn prolog() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just(""),
            Just("<?xml version=\"1.0\"?>"),
            Just("<?xml version='1.0' encoding='UTF-8'?>\n"),
            Just("<?xml version='1.0' encoding='iso-8859-1'?>"),
            Just("  <?xml?>"),
            Just("<?xml-stylesheet x?>"),
            Just("<!-- c -->"),
            Just("\u{feff}"),
        ]
    }

    fn params() -> BoxedStrategy<String> {
        prop_oneof![
            8 => vec((ws(), value_xml(), ws()), 0..4).prop_map(|ps| {
                let ps: String = ps
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}<param>{v}{b}</param>"))
                    .collect();
                format!("<params>{ps}</params>")
            }),
            1 => Just("<params/>".to_owned()),
            1 => Just(String::new()),
        ]
        .boxed()
    }

    /// A `<methodCall>`, `<methodResponse>` or `<value>` document.
    fn document() -> BoxedStrategy<String> {
        let name = prop_oneof![
            Just("add".to_owned()),
            Just("system.multicall".to_owned()),
            text(),
        ];
        let call = (prolog(), ws(), name, params(), ws()).prop_map(|(p, w, n, ps, t)| {
            format!("{p}<methodCall>{w}<methodName>{n}</methodName>{w}{ps}</methodCall>{t}")
        });
        let fault = "<struct><member><name>faultCode</name><value><int>4</int></value></member>\
            <member><name>faultString</name><value>no</value></member></struct>";
        let response = (prolog(), ws(), params(), any::<bool>()).prop_map(move |(p, w, ps, f)| {
            let body = if f {
                format!("<fault>{w}<value>{fault}</value>{w}</fault>")
            } else {
                ps
            };
            format!("{p}<methodResponse>{w}{body}{w}</methodResponse>")
        });
        let value = (prolog(), value_xml(), ws()).prop_map(|(p, v, w)| format!("{p}{v}{w}"));
        prop_oneof![3 => call, 2 => response, 2 => value].boxed()
    }

    /// A multicall in the batch reader's shape, with variations.
    fn multicall() -> BoxedStrategy<String> {
        let call = (ws(), text(), vec(value_xml(), 0..3), any::<bool>()).prop_map(|(w, name, ps, extra)| {
            let ps: String = ps.concat();
            let extra = if extra { "<member><name>x</name><value>1</value></member>" } else { "" };
            format!("<value><struct>{w}<member><name>methodName</name><value><string>{name}</string></value></member>\
                <member><name>params</name><value><array><data>{ps}</data></array></value></member>{extra}</struct></value>")
        });
        vec(call, 0..4).prop_map(|calls| {
            format!("<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>{}</data></array></value></param></params></methodCall>", calls.concat())
        })
        .boxed()
    }

    /// Hostile edits: cut, insert markup, duplicate, flip a byte.
    fn mutated(doc: String, edits: Vec<(usize, usize, u8)>) -> Vec<u8> {
        let mut bytes = doc.into_bytes();
        const SNIPPETS: &[&[u8]] = &[
            b"<",
            b">",
            b"</value>",
            b"<value>",
            b"<int>",
            b"&",
            b"&#",
            b"\r",
            b" ",
            b"/",
            b"<!--",
            b"-->",
            b"<![CDATA[",
            b"]]>",
            b"\xff",
            b"\x01",
            b"<?xml?>",
            b"<data>",
            b"</member>",
            b"<nil/>",
            b"\xc3\xa9",
        ];
        for (at, len, how) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = at % bytes.len();
            match how % 4 {
                0 => {
                    let end = (at + len % 8 + 1).min(bytes.len());
                    bytes.drain(at..end);
                }
                1 => {
                    let snippet = SNIPPETS[len % SNIPPETS.len()];
                    bytes.splice(at..at, snippet.iter().copied());
                }
                2 => {
                    let end = (at + len % 16 + 1).min(bytes.len());
                    let copy = bytes[at..end].to_vec();
                    bytes.splice(at..at, copy);
                }
                _ => bytes[at] = bytes[at].wrapping_add(len as u8 | 1),
            }
        }
        bytes
    }

    fn limits() -> impl Strategy<Value = DocumentLimits> {
        prop_oneof![
            3 => Just(DocumentLimits::default()),
            2 => (0u32..4, 0usize..5, 0usize..24, 0usize..10, 0usize..12, 0usize..4).prop_map(
                |(depth, items, string, base64, name, params)| {
                    DocumentLimits::default()
                        .max_depth(depth)
                        .max_items(items)
                        .max_string_bytes(string)
                        .max_base64_bytes(base64)
                        .max_method_name_bytes(name)
                        .max_params(params)
                }
            ),
        ]
    }

    /// Every decoder on `body` against the exact reader alone.
    fn same(body: &[u8], limits: &DocumentLimits) -> Result<(), TestCaseError> {
        fn check<T: PartialEq + std::fmt::Debug>(
            what: &str,
            fast: Result<T, crate::DecodeError>,
            exact: Result<T, crate::DecodeError>,
        ) -> Result<(), TestCaseError> {
            match (fast, exact) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{}", what),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string(), "{}", what),
                (a, b) => prop_assert!(false, "{what}: decoder {a:?}, exact reader {b:?}"),
            }
            Ok(())
        }
        check(
            "call",
            decode_call(body, limits),
            oracle::decode_call(body, limits),
        )?;
        check(
            "response",
            decode_response(body, limits),
            oracle::decode_response(body, limits),
        )?;
        check(
            "value",
            decode_value(body, limits),
            oracle::decode_value(body, limits),
        )?;
        check(
            "request",
            crate::wire::multicall::decode_request(body, limits),
            oracle::decode_request(body, limits),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn on_generated_documents(doc in document(), limits in limits()) {
            same(doc.as_bytes(), &limits)?;
        }

        #[test]
        fn on_multicalls(doc in multicall(), limits in limits()) {
            same(doc.as_bytes(), &limits)?;
        }

        #[test]
        fn on_mutated_documents(
            doc in prop_oneof![document(), multicall()],
            edits in vec((any::<usize>(), any::<usize>(), any::<u8>()), 1..4),
            limits in limits(),
        ) {
            same(&mutated(doc, edits), &limits)?;
        }
    }

    /// Most generated documents that decode are read by the fast reader
    /// (a check that the comparison above compares something).
    #[test]
    fn most_plain_documents_are_read_fast() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let (mut decoded, mut fast) = (0, 0);
        for _ in 0..2000 {
            let doc = document().new_tree(&mut runner).unwrap().current();
            let limits = DocumentLimits::default();
            if decode_value(doc.as_bytes(), &limits).is_ok() {
                decoded += 1;
                fast += usize::from(value(&doc, &limits).is_some());
            }
            if decode_call(doc.as_bytes(), &limits).is_ok() {
                decoded += 1;
                fast += usize::from(call(&doc, &limits).is_some());
            }
            if decode_response(doc.as_bytes(), &limits).is_ok() {
                decoded += 1;
                fast += usize::from(response(&doc, &limits).is_some());
            }
        }
        assert!(decoded > 300, "{decoded}");
        assert!(fast * 4 > decoded, "{fast} of {decoded}");
    }
}
