//! Decoder tests: one line per case, as quick-xml's error tables are.

use super::*;

fn value(xml: &str) -> Result<Value, DecodeError> {
    decode_value(xml.as_bytes(), &DocumentLimits::default())
}

fn call(xml: &str) -> Result<MethodCall, DecodeError> {
    decode_call(xml.as_bytes(), &DocumentLimits::default())
}

/// `ok!(xml => value)` decodes; `err!(xml => code, "substring of the message")` fails.
macro_rules! ok {
    ($($name:ident: $xml:expr => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(value($xml).unwrap(), $want);
        }
    )*};
}

macro_rules! err {
    ($($name:ident: $xml:expr => $code:expr, $msg:expr;)*) => {$(
        #[test]
        fn $name() {
            let e = value($xml).unwrap_err();
            assert_eq!(e.fault_code(), $code, "{e}");
            assert!(e.to_string().contains($msg), "{e}");
        }
    )*};
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

ok! {
    int: "<value><int>42</int></value>" => Value::Int(42);
    i4_with_space_and_sign: "<value><i4> +7 </i4></value>" => Value::Int(7);
    i1_i2: "<value><i1>-3</i1></value>" => Value::Int(-3);
    i8: "<value><i8>-9223372036854775808</i8></value>" => Value::I8(i64::MIN);
    ex_i8: "<value><ex:i8>5</ex:i8></value>" => Value::I8(5);
    boolean: "<value><boolean>1</boolean></value>" => Value::Bool(true);
    double: "<value><double>-1.5e+300</double></value>" => Value::Double(-1.5e300);
    string_tag: "<value><string>a &amp; b &lt;c&gt; &#233;&#x263A;</string></value>" => s("a & b <c> é☺");
    bare_text: "<value>bare</value>" => s("bare");
    bare_empty: "<value></value>" => s("");
    self_closed_value: "<value/>" => s("");
    empty_string: "<value><string/></value>" => s("");
    whitespace_string_kept: "<value><string>  </string></value>" => s("  ");
    cdata: "<value><string><![CDATA[<x>]]></string></value>" => s("<x>");
    raw_line_ends_normalized_cr_reference_kept: "<value><string>a&#13;\r\nb\rc</string></value>" => s("a\r\nb\nc");
    nil: "<value><nil/></value>" => Value::Nil;
    ex_nil: "<value><ex:nil/></value>" => Value::Nil;
    base64_lines: "<value><base64>aGVs\nbG8=\n</base64></value>" => Value::Base64(b"hello".to_vec());
    base64_unpadded: "<value><base64>aGk</base64></value>" => Value::Base64(b"hi".to_vec());
    datetime: "<value><dateTime.iso8601>20260125T09:30:00</dateTime.iso8601></value>" => Value::DateTime("20260125T09:30:00".parse().unwrap());
    empty_array: "<value><array><data/></array></value>" => Value::Array(vec![]);
    pretty_array: "<value>\n <array>\n  <data>\n   <value><int>1</int></value>\n  </data>\n </array>\n</value>" => Value::Array(vec![Value::Int(1)]);
    comment_ignored: "<value><!-- hi --><int>1</int></value>" => Value::Int(1);
    attributes_skipped: "<value xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions' a = \"x>y\"><ex:nil /></value>" => Value::Nil;
    end_tag_with_space: "<value><int>1</int ></value >" => Value::Int(1);
    declaration_and_instructions: "<?xml version=\"1.0\"?>\n<?app data?><value><?app?>x</value><!-- after -->\n" => s("x");
    cdata_line_ends_normalized: "<value><![CDATA[a\r\nb\rc&amp;]]></value>" => s("a\nb\nc&amp;");
    cdata_beside_text_and_references: "<value>a<![CDATA[<b>]]>&#x63;\r\n</value>" => s("a<b>c\n");
    line_ends_comments_between_elements: "<value><array>\r\n<!-- c -->\r\n<data>\r<value>1</value>\r\n</data></array></value>" => Value::Array(vec![s("1")]);
    plain_start_then_spaced_end: "<value><string>x</string ></value\t>" => s("x");
    spaced_start_then_plain_end: "<value ><string\n>x</string></value>" => s("x");
    i4_and_i8_plain: "<value><array><data><value><i4>1</i4></value><value><i8>2</i8></value></data></array></value>" => Value::Array(vec![Value::Int(1), Value::I8(2)]);
    non_ascii_names_and_text: "<value><struct><member><name>clé ✓</name><value>été</value></member></struct></value>" => Value::Struct([("clé ✓".to_owned(), s("été"))].into_iter().collect());
}

err! {
    int_overflow: "<value><int>2147483648</int></value>" => -32602, "not a 32-bit integer";
    int_text: "<value><int>12a</int></value>" => -32602, "\"12a\"";
    int_empty: "<value><int/></value>" => -32602, "not a 32-bit integer";
    bad_boolean: "<value><boolean>2</boolean></value>" => -32602, "not 0 or 1";
    double_overflow: "<value><double>1e400</double></value>" => -32602, "not a finite number";
    double_nan: "<value><double>nan</double></value>" => -32602, "not a finite number";
    double_inf: "<value><double>inf</double></value>" => -32602, "not a finite number";
    bad_base64: "<value><base64>@@@</base64></value>" => -32602, "invalid base64";
    bad_date: "<value><dateTime.iso8601>20260230T00:00:00</dateTime.iso8601></value>" => -32602, "no such date";
    unknown_type: "<value><ex:serializable>rO0</ex:serializable></value>" => -32600, "unknown value type <ex:serializable>";
    text_and_element: "<value>x<int>1</int></value>" => -32600, "text before <int>";
    element_in_int: "<value><int><b/></int></value>" => -32600, "cannot hold an element";
    nil_with_text: "<value><nil>x</nil></value>" => -32602, "must be empty";
    custom_entity: "<value>&foo;</value>" => -32700, "entity &foo; is not allowed";
    zero_char_ref: "<value>&#0;</value>" => -32702, "&#0;: U+0000 cannot appear in an XML 1.0 document";
    doctype: "<!DOCTYPE x [<!ENTITY a \"b\">]><value>&a;</value>" => -32700, "DOCTYPE";
    unclosed: "<value><int>1</int>" => -32700, "";
    mismatched: "<value><int>1</value></int>" => -32700, "expected </int>, found </value>";
    close_without_open: "</value>" => -32700, "closes no open element";
    unquoted_attribute: "<value a=x>1</value>" => -32700, "must be quoted";
    attribute_without_value: "<value a>1</value>" => -32700, "needs '=' and a quoted value";
    lt_in_attribute: "<value a='<'>1</value>" => -32700, "'<' is not allowed";
    attribute_never_closed: "<value a='x>1</value>" => -32700, "never closed";
    no_space_before_attribute: "<value a='x'b='y'>1</value>" => -32700, "expected whitespace";
    start_tag_unclosed: "<value" => -32700, "never closed with '>'";
    name_starts_with_digit: "<value><1x/></value>" => -32700, "cannot start with '1'";
    empty_name: "<value>< x/></value>" => -32700, "has no name";
    end_tag_junk: "<value>1</value x>" => -32700, "must close with '>'";
    comment_unclosed: "<value><!-- x</value>" => -32700, "comment is never closed";
    cdata_unclosed: "<value><![CDATA[x</value>" => -32700, "CDATA section is never closed";
    other_declaration: "<!ELEMENT x ANY><value/>" => -32700, "'<!' starts only";
    instruction_unclosed: "<value><?pi x</value>" => -32700, "never closed with '?>'";
    declaration_late: "<value>1</value><?xml version='1.0'?>" => -32700, "only at the start";
    reference_unterminated: "<value>a & b</value>" => -32700, "never ends with ';'";
    reference_empty: "<value>&;</value>" => -32700, "empty reference";
    reference_signed_hex: "<value>&#x+41;</value>" => -32702, "not a valid character reference";
    reference_upper_x: "<value>&#X41;</value>" => -32702, "not a valid character reference";
    reference_surrogate: "<value>&#xD800;</value>" => -32702, "not a valid character reference";
    trailing_junk: "<value>1</value><x/>" => -32600, "after the end";
    longer_name_than_known: "<value><values>1</values></value>" => -32600, "unknown value type <values>";
    end_tag_longer_than_start: "<value><int>1</intx></value>" => -32700, "expected </int>, found </intx>";
    end_tag_prefix_of_start: "<value><string>1</str></value>" => -32700, "expected </string>, found </str>";
    plain_start_unknown_end: "<value><struct></structs></value>" => -32700, "expected </struct>, found </structs>";
    member_without_name: "<value><struct><member><value>1</value></member></struct></value>" => -32600, "expected <name>";
}

#[test]
fn struct_keeps_order_and_last_duplicate_wins_in_place() {
    let v = value("<value><struct><member><name>b</name><value>1</value></member><member><name>a</name><value>2</value></member><member><name>b</name><value>3</value></member></struct></value>").unwrap();
    let members: Vec<_> = v
        .as_struct()
        .unwrap()
        .iter()
        .map(|(k, v)| (k, v.clone()))
        .collect();
    assert_eq!(members, vec![("b", s("3")), ("a", s("2"))]);
}

#[test]
fn python_client_request_decodes() {
    let body = "<?xml version='1.0'?>\n<methodCall>\n<methodName>pow</methodName>\n<params>\n<param>\n<value><int>2</int></value>\n</param>\n<param>\n<value><int>3</int></value>\n</param>\n</params>\n</methodCall>\n";
    let c = call(body).unwrap();
    assert_eq!(
        c,
        MethodCall::new("pow", vec![Value::Int(2), Value::Int(3)])
    );
    assert_eq!(
        call("<methodCall><methodName>f</methodName></methodCall>")
            .unwrap()
            .params,
        vec![]
    );
    assert_eq!(
        call("<methodCall><methodName>système.ÿ</methodName><params/></methodCall>")
            .unwrap()
            .method,
        "système.ÿ"
    );
}

#[test]
fn errors_carry_line_column_and_value_path() {
    let body = "<methodCall><methodName>f</methodName><params>\n<param><value><int>1</int></value></param>\n<param><value><array><data><value><struct><member><name>x</name>\n<value><int>oops</int></value></member></struct></value></data></array></value></param></params></methodCall>";
    let e = call(body).unwrap_err();
    assert_eq!((e.line(), e.column()), (4, 8));
    assert_eq!(
        e.to_string(),
        "line 4, column 8: <int> holds \"oops\", not a 32-bit integer (in param 2 › array item 1 › struct member \"x\")"
    );
}

#[test]
fn depth_limit_is_exact_and_deep_input_does_not_overflow_the_stack() {
    let nested = |n: usize| {
        format!(
            "{}1{}",
            "<value><array><data>".repeat(n) + "<value>",
            "</value>".to_owned() + &"</data></array></value>".repeat(n)
        )
    };
    let deepest = (0..64).fold(Value::String("1".into()), |inner, _| {
        Value::Array(vec![inner])
    });
    assert_eq!(value(&nested(64)), Ok(deepest));
    let e = value(&nested(65)).unwrap_err();
    assert_eq!(e.fault_code(), -32600);
    assert!(e.to_string().contains("deeper than the limit of 64"), "{e}");
    let e = value(&nested(200_000)).unwrap_err();
    assert!(e.to_string().contains("deeper than the limit"), "{e}");
}

#[test]
fn size_limits_are_enforced() {
    let limits = DocumentLimits::default()
        .max_string_bytes(4)
        .max_items(2)
        .max_method_name_bytes(3)
        .max_params(1);
    let v = |x: &str| decode_value(x.as_bytes(), &limits);
    assert_eq!(v("<value>abcd</value>"), Ok(Value::String("abcd".into())));
    assert!(
        v("<value>abcde</value>")
            .unwrap_err()
            .to_string()
            .contains("limit of 4 bytes")
    );
    assert_eq!(
        v("<value><string>ab&amp;de</string></value>")
            .unwrap_err()
            .to_string(),
        "line 1, column 23: text longer than the limit of 4 bytes"
    );
    assert!(
        v("<value><array><data><value/><value/><value/></data></array></value>")
            .unwrap_err()
            .to_string()
            .contains("more than 2 items")
    );
    let c = |x: &str| decode_call(x.as_bytes(), &limits);
    assert!(
        c("<methodCall><methodName>abcd</methodName></methodCall>")
            .unwrap_err()
            .to_string()
            .contains("method name of 4 bytes")
    );
    assert!(c("<methodCall><methodName>a</methodName><params><param><value/></param><param><value/></param></params></methodCall>").unwrap_err().to_string().contains("more than 1 parameters"));
}

#[test]
fn responses_decode_values_and_faults() {
    let ok = decode_response(b"<methodResponse><params><param><value><int>8</int></value></param></params></methodResponse>", &DocumentLimits::default()).unwrap();
    assert_eq!(ok, Ok(Value::Int(8)));
    let fault = decode_response(b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value><string>Too many</string></value></member></struct></value></fault></methodResponse>", &DocumentLimits::default()).unwrap();
    assert_eq!(fault, Err(Fault::new(4, "Too many")));
    let bad = decode_response(
        b"<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
        &DocumentLimits::default(),
    )
    .unwrap_err();
    assert!(bad.to_string().contains("faultCode"));
}

#[test]
fn many_duplicate_members_stay_linear() {
    let body = format!(
        "<value><struct>{}</struct></value>",
        "<member><name>k</name><value>v</value></member>".repeat(100_000)
    );
    assert_eq!(
        value(&body),
        Ok(Value::Struct([("k", Value::String("v".into()))].into()))
    );
}

/// Found by fuzzing (`decode_response`): with two byte-order marks, every
/// position was off by three, so this call read as the method
/// "me>system.listMeth", and a multi-byte character panicked.
#[test]
fn fuzz_double_byte_order_mark_is_an_error_not_a_misread() {
    let e = call(
        "\u{feff}\u{feff}<methodCall><methodName>system.listMethods</methodName></methodCall>",
    )
    .unwrap_err();
    assert_eq!(e.fault_code(), -32700, "{e}");
    let e = decode_response(
        b"\xFE\xFF\xFE\xFF\x80\xFE\xFF\x00\x72\x00\x00\x80\xFE\xFF\x00\x72\x00\x00",
        &DocumentLimits::default(),
    )
    .unwrap_err();
    assert_eq!(e.fault_code(), -32700, "{e}");
}

#[test]
fn syntax_errors_point_at_the_markup() {
    let e = value("<value>\n  <array><data>\n    <value>1</valeu>\n</data></array></value>")
        .unwrap_err();
    assert_eq!((e.line(), e.column()), (3, 13), "{e}");
    assert_eq!(
        e.to_string(),
        "line 3, column 13: expected </value>, found </valeu> (in array item 1)"
    );
    let e = value("<value>\n\tx &nbsp; y</value>").unwrap_err();
    assert_eq!(
        (e.line(), e.column(), e.fault_code()),
        (2, 4, -32700),
        "{e}"
    );
}

#[test]
fn end_tags_must_repeat_the_alias_they_close() {
    let limits = crate::DocumentLimits::default();
    assert_eq!(
        crate::decode_value(b"<value><i4>5</i4></value>", &limits),
        Ok(crate::Value::Int(5))
    );
    let e = crate::decode_value(b"<value><i4>5</int></value>", &limits).unwrap_err();
    assert!(
        e.to_string().contains("expected </i4>, found </int>"),
        "{e}"
    );
    let e = crate::decode_value(b"<value><i4>big</i4></value>", &limits).unwrap_err();
    assert!(
        e.to_string()
            .contains("<i4> holds \"big\", not a 32-bit integer"),
        "{e}"
    );
    let e = crate::decode_value(b"<value><ex:i8>x</ex:i8></value>", &limits).unwrap_err();
    assert!(
        e.to_string()
            .contains("<i8> holds \"x\", not a 64-bit integer"),
        "{e}"
    );
}

#[test]
fn characters_xml_cannot_carry_are_refused_where_they_are() {
    let limits = crate::DocumentLimits::default();
    for (doc, message) in [
        (
            "<value><string>a\u{1}b</string></value>",
            "line 1, column 17: U+0001 cannot appear in an XML 1.0 document",
        ),
        (
            "<value>\n<string>\0</string></value>",
            "line 2, column 9: U+0000 cannot appear",
        ),
        (
            "<value><string>x\u{ffff}</string></value>",
            "line 1, column 17: U+FFFF cannot appear",
        ),
        (
            "<value><string>a&#1;b</string></value>",
            "&#1;: U+0001 cannot appear",
        ),
        (
            "<value><string>&#x1F;</string></value>",
            "&#x1F;: U+001F cannot appear",
        ),
    ] {
        let e = crate::decode_value(doc.as_bytes(), &limits).unwrap_err();
        assert!(e.to_string().contains(message), "{doc:?}: {e}");
        assert_eq!(e.fault_code(), crate::codes::INVALID_CHARACTER);
    }
    // Tab, line feed and carriage return (as a reference) are text.
    assert_eq!(
        crate::decode_value(b"<value><string>\t&#9;&#10;&#13;</string></value>", &limits),
        Ok(crate::Value::String("\t\t\n\r".into()))
    );
}

#[test]
fn us_ascii_is_ascii_not_windows_1252() {
    let limits = crate::DocumentLimits::default();
    let doc =
        "<?xml version=\"1.0\" encoding=\"us-ascii\"?><value><string>caf\u{e9}</string></value>";
    let e = crate::decode_value(doc.as_bytes(), &limits).unwrap_err();
    assert!(
        e.to_string()
            .contains("byte 0xC3 is not ASCII, the document's declared encoding"),
        "{e}"
    );
    let ascii =
        "<?xml version='1.0' encoding='US-ASCII'?><value><string>caf&#233;</string></value>";
    assert_eq!(
        crate::decode_value(ascii.as_bytes(), &limits),
        Ok(crate::Value::String("caf\u{e9}".into()))
    );
}

/// The scalar contents the decoder's fast paths may take (plain tags and
/// text) and those they must leave to the general path (whitespace,
/// references, CDATA, comments, bad values, other types).
const SCALAR_CONTENTS: &[&str] = &[
    "<int>42</int>",
    "<i4>-7</i4>",
    "<i4> 7 </i4>",
    "<int>+3</int>",
    "<int>2147483648</int>",
    "<int>x</int>",
    "<int></int>",
    "<i8>-9223372036854775808</i8>",
    "<i8>9223372036854775808</i8>",
    "<boolean>1</boolean>",
    "<boolean>false</boolean>",
    "<boolean>2</boolean>",
    "<boolean> 0 </boolean>",
    "<double>-1.5e+300</double>",
    "<double>inf</double>",
    "<double>NaN</double>",
    "<double>1e999</double>",
    "<double>0x10</double>",
    "<string>plain</string>",
    "<string></string>",
    "<string>a &amp; b</string>",
    "<string>a\r\nb</string>",
    "<string><![CDATA[<x>]]></string>",
    "<string>a<!-- c -->b</string>",
    "<string>x</string >",
    "<string>x</int>",
    "bare",
    "bare &lt; text",
    "",
    " <int>1</int> ",
    "<dateTime.iso8601>20260125T09:30:00</dateTime.iso8601>",
    "<dateTime.iso8601>2026-13-01</dateTime.iso8601>",
    "<base64>aGk=</base64>",
    "<nil/>",
    "<nil></nil>",
    "<array><data><value>1</value></data></array>",
    "<int>1</int><int>2</int>",
    "<int>1</int>trailing",
];

/// Decodes `inner` inside a plainly written `<value>` (which the fast
/// path may read) and inside `<value >` (which it leaves to the general
/// path), and checks that both say the same: the same value, or the same
/// error (its positions apart, one column further in the second).
fn assert_fast_path_agrees(plain: &str, general: &str) {
    match (value(plain), value(general)) {
        (Ok(fast), Ok(slow)) => assert_eq!(fast, slow, "{plain}"),
        (Err(fast), Err(slow)) => {
            assert_eq!(fast.kind(), slow.kind(), "{plain}");
            assert_eq!(fast.line(), slow.line(), "{plain}");
        }
        (fast, slow) => panic!("{plain}: fast path {fast:?}, general path {slow:?}"),
    }
}

#[test]
fn the_scalar_fast_path_reads_as_the_general_path_does() {
    for inner in SCALAR_CONTENTS {
        assert_fast_path_agrees(
            &format!("<value>{inner}</value>"),
            &format!("<value >{inner}</value>"),
        );
        assert_fast_path_agrees(
            &format!("<value><array><data><value>{inner}</value></data></array></value>"),
            &format!("<value><array><data><value >{inner}</value></data></array></value>"),
        );
    }
}

#[test]
fn the_member_fast_path_reads_as_the_general_path_does() {
    let names = ["n", "", "a &amp; b", "x\r\ny", "<![CDATA[c]]>"];
    let spaces = ["", " ", "\n  "];
    for name in names {
        for space in spaces {
            for inner in SCALAR_CONTENTS {
                let member = |open: &str| {
                    format!(
                        "<value><struct>{space}{open}{space}<name>{name}</name>{space}<value>{inner}</value>{space}</member>{space}</struct></value>"
                    )
                };
                assert_fast_path_agrees(&member("<member>"), &member("<member >"));
            }
        }
    }
}

#[test]
fn the_member_fast_path_keeps_the_count_limit_and_its_position() {
    let limits = DocumentLimits {
        max_items: 2,
        ..DocumentLimits::default()
    };
    let member = "<member><name>a</name><value>1</value></member>";
    let two = format!("<value><struct>{member}{member}</struct></value>");
    assert_eq!(
        decode_value(two.as_bytes(), &limits),
        Ok(Value::Struct([("a", Value::String("1".into()))].into()))
    );
    let three = format!("<value><struct>{member}{member}{member}</struct></value>");
    let e = decode_value(three.as_bytes(), &limits).unwrap_err();
    assert!(e.to_string().contains("more than 2 items"), "{e}");
    // At the third `<member>`.
    assert_eq!(e.column(), 1 + "<value><struct>".len() + 2 * member.len());
}

#[test]
fn a_large_outermost_array_keeps_no_spare_room() {
    let items = "<value><int>1</int></value>".repeat(1000);
    let xml = format!("<value><array><data>{items}</data></array></value>");
    let Value::Array(items) = value(&xml).unwrap() else {
        panic!("not an array")
    };
    assert_eq!(items, vec![Value::Int(1); 1000]);
    assert_eq!(items.capacity(), 1000);
}
