//! `wire::multicall::decode_request`, the server's fast path for
//! `system.multicall`, against the general path (`decode_call`, then
//! `read_request` and `read_call`): on every document, the same calls,
//! the same call, or the same error at the same place. Documents in the
//! usual shape must take the fast path (else these tests would prove
//! nothing); every other shape, and every prefix of the usual one, the
//! general path's answer.

use xmlrpc_kit::wire::multicall::{self, Request};
use xmlrpc_kit::{DocumentLimits, Fault, Value, decode_call};

const HEAD: &str = "<?xml version=\"1.0\"?><methodCall><methodName>system.multicall</methodName>";

/// What Python's `xmlrpc.client.MultiCall` sends for `add(2, 3)` and
/// `pow(2, 10)`.
const PYTHON_MULTICALL: &str = "<?xml version='1.0'?>
<methodCall>
<methodName>system.multicall</methodName>
<params>
<param>
<value><array><data>
<value><struct>
<member>
<name>methodName</name>
<value><string>add</string></value>
</member>
<member>
<name>params</name>
<value><array><data>
<value><int>2</int></value>
<value><int>3</int></value>
</data></array></value>
</member>
</struct></value>
<value><struct>
<member>
<name>methodName</name>
<value><string>pow</string></value>
</member>
<member>
<name>params</name>
<value><array><data>
<value><int>2</int></value>
<value><int>10</int></value>
</data></array></value>
</member>
</struct></value>
</data></array></value>
</param>
</params>
</methodCall>
";

/// A multicall document holding `calls` (each a `<value>…</value>`)
/// in the usual envelope.
fn document(calls: &[String]) -> String {
    format!(
        "{HEAD}<params><param><value><array><data>{}</data></array></value></param></params></methodCall>",
        calls.concat()
    )
}

/// The usual form of one call.
fn usual(method: &str, params: &str) -> String {
    format!(
        "<value><struct><member><name>methodName</name><value><string>{method}</string></value></member>\
         <member><name>params</name><value><array><data>{params}</data></array></value></member></struct></value>"
    )
}

/// What the general path makes of `body`: the call's method and each
/// call read as the built-in reads it, or the decoding error's text.
type General = Result<
    (
        String,
        Result<Vec<Result<(String, Vec<Value>), Fault>>, Fault>,
    ),
    String,
>;

fn general(body: &str, limits: &DocumentLimits) -> General {
    let call = decode_call(body.as_bytes(), limits).map_err(|e| e.to_string())?;
    let calls = multicall::read_request(call.params).map(|calls| {
        calls
            .into_iter()
            .enumerate()
            .map(|(i, c)| multicall::read_call(c, i + 1))
            .collect()
    });
    Ok((call.method, calls))
}

/// Checks that the fast path agrees with the general one on `body`;
/// returns whether it read `body` as a batch.
fn agrees(body: &str, limits: &DocumentLimits) -> bool {
    let expected = general(body, limits);
    match multicall::decode_request(body.as_bytes(), limits) {
        Ok(Request::Batch(mut batch)) => {
            let read: Vec<_> = batch
                .drain()
                .map(|(method, params)| Ok((method.to_owned(), params)))
                .collect();
            assert_eq!(
                expected,
                Ok(("system.multicall".to_owned(), Ok(read))),
                "{body}"
            );
            true
        }
        Ok(Request::Call(call)) => {
            let again = decode_call(body.as_bytes(), limits).map_err(|e| e.to_string());
            assert_eq!(again, Ok(call), "{body}");
            false
        }
        Err(e) => {
            assert_eq!(expected, Err(e.to_string()), "{body}");
            false
        }
    }
}

#[test]
fn the_usual_shape_is_read_as_a_batch_with_the_same_calls() {
    let limits = DocumentLimits::default();
    let bodies = [
        document(&[]),
        document(&[usual(
            "pow",
            "<value><int>2</int></value><value><i4>3</i4></value>",
        )]),
        document(&[
            usual("add", "<value>1</value><value><double>2.5</double></value>"),
            usual("system.listMethods", ""),
            usual(
                "ünïcødé.名前",
                "<value><struct><member><name>x</name><value><array><data><value><nil/></value></data></array></value></member></struct></value>",
            ),
            usual(
                "echo",
                "<value><base64>aGk=</base64></value><value><dateTime.iso8601>20261201T10:00:00</dateTime.iso8601></value>",
            ),
        ]),
        // Whitespace between the tags, the members swapped, the name as
        // bare text, no params.
        format!(
            "{HEAD}\n <params>\n  <param>\n   <value><array><data>\n    <value><struct>\n     <member><name>params</name><value><array><data><value><int>1</int></value></data></array></value></member>\n     <member><name>methodName</name><value>neg</value></member>\n    </struct></value>\n    <value><struct><member><name>methodName</name><value>system.listMethods</value></member></struct></value>\n   </data></array></value>\n  </param>\n </params>\n</methodCall>\n"
        ),
        // Python's `xmlrpc.client.MultiCall`, as it writes it.
        PYTHON_MULTICALL.to_owned(),
        // The whole request repeated (50 calls, as the benchmark sends).
        document(&vec![
            usual(
                "add",
                "<value><int>1</int></value><value><int>2</int></value>"
            );
            50
        ]),
    ];
    for body in &bodies {
        assert!(agrees(body, &limits), "not read as a batch: {body}");
    }
}

#[test]
fn other_shapes_are_read_as_the_general_path_reads_them() {
    let limits = DocumentLimits::default();
    let member = |name: &str, value: &str| {
        format!("<member><name>{name}</name><value>{value}</value></member>")
    };
    let name = member("methodName", "<string>f</string>");
    let params = member(
        "params",
        "<array><data><value><int>1</int></value></data></array>",
    );
    let one = |members: &[&str]| {
        document(&[format!(
            "<value><struct>{}</struct></value>",
            members.concat()
        )])
    };
    let bodies = [
        // Calls that are not well formed: the built-in's faults.
        one(&[&member("methodName", "<int>1</int>"), &params]),
        one(&[&name, &member("params", "<int>1</int>")]),
        one(&[&params]),
        one(&[]),
        one(&[&name, &params, &member("extra", "1")]),
        one(&[&name, &name, &params]),
        one(&[&name, &params, &params]),
        document(&["<value><int>7</int></value>".into()]),
        document(&["<value/>".into()]),
        document(&["<value><array><data/></array></value>".into()]),
        // Written otherwise than plainly: the general path reads them.
        one(&[&member("methodName", "<string>a&amp;b</string>"), &params]),
        one(&[&member("methodName", "<string><![CDATA[f]]></string>"), &params]),
        one(&[&member("methodName", " <string>f</string>"), &params]),
        one(&["<member ><name>methodName</name><value>f</value></member>", &params]),
        document(&[format!("<value><!-- c --><struct>{name}{params}</struct></value>")]),
        document(&[format!("<value> <struct>{name}{params}</struct></value>")]),
        format!("{HEAD}<params><param><value><array><data/></array></value></param></params></methodCall>"),
        format!("{HEAD}<params><param><value><array></array></value></param></params></methodCall>"),
        format!("{HEAD}<params/></methodCall>"),
        format!("{HEAD}</methodCall>"),
        format!("{HEAD}<params><param><value><int>1</int></value></param></params></methodCall>"),
        format!("{HEAD}<params><param><value><array><data></data></array></value></param><param><value>x</value></param></params></methodCall>"),
        // Broken documents: the general path's error.
        format!("{HEAD}<params><param><value><array><data>{}</data></array></value></param></params>", usual("f", "")),
        format!("{HEAD}<params><param><value><array><data>{}</data></array></value></param></params></methodCall>x", usual("f", "")),
        document(&[usual("f", "<value><int>x</int></value>")]),
        document(&[usual("f", "<value><int>1</int></valu>")]),
        // Other methods.
        "<methodCall><methodName>add</methodName><params><param><value><int>1</int></value></param></params></methodCall>".into(),
        "<methodCall><methodName>system.multicall</methodName></methodCall>".into(),
    ];
    for body in &bodies {
        assert!(!agrees(body, &limits), "read as a batch: {body}");
    }
}

#[test]
fn every_prefix_and_every_byte_changed_gives_what_the_general_path_gives() {
    let limits = DocumentLimits::default();
    let body = document(&[
        usual(
            "pow",
            "<value><int>2</int></value><value><int>3</int></value>",
        ),
        usual(
            "echo",
            "<value><struct><member><name>a</name><value>b</value></member></struct></value>",
        ),
    ]);
    for end in 0..body.len() {
        assert!(!agrees(&body[..end], &limits));
    }
    let bytes = body.as_bytes();
    for at in HEAD.len()..bytes.len() {
        for replacement in [b'<', b'/', b'x', b' '] {
            let mut changed = bytes.to_vec();
            changed[at] = replacement;
            if let Ok(text) = String::from_utf8(changed) {
                agrees(&text, &limits);
            }
        }
    }
}

#[test]
fn limits_are_those_of_the_general_path() {
    let body = document(&[
        usual(
            "pow",
            "<value><int>2</int></value><value><array><data><value><int>3</int></value></data></array></value>",
        ),
        usual("pow", ""),
        usual("pow", ""),
    ]);
    let with = |f: fn(&mut DocumentLimits)| {
        let mut limits = DocumentLimits::default();
        f(&mut limits);
        limits
    };
    // Within every limit: a batch.
    assert!(agrees(&body, &with(|l| l.max_items = 3)));
    let two = document(&[usual("pow", ""), usual("pow", "")]);
    assert!(agrees(&two, &with(|l| l.max_items = 2)));
    assert!(agrees(&body, &with(|l| l.max_depth = 4)));
    assert!(agrees(&body, &with(|l| l.max_string_bytes = 16)));
    // Past one: the general path's error, at its place.
    for (limits, error) in [
        (
            with(|l| l.max_items = 2),
            "line 1, column 579: more than 2 items in one array or struct (in param 1)",
        ),
        (
            with(|l| l.max_items = 1),
            "line 1, column 200: more than 1 items in one array or struct (in param 1 › array item 1)",
        ),
        (
            with(|l| l.max_depth = 3),
            "line 1, column 281: arrays and structs nested deeper than the limit of 3 \
             (in param 1 › array item 1 › struct member \"params\" › array item 2)",
        ),
        (
            with(|l| l.max_depth = 1),
            "line 1, column 117: arrays and structs nested deeper than the limit of 1 \
             (in param 1 › array item 1)",
        ),
        (
            with(|l| l.max_depth = 0),
            "line 1, column 97: arrays and structs nested deeper than the limit of 0 (in param 1)",
        ),
        (
            with(|l| l.max_string_bytes = 15),
            "line 1, column 46: text longer than the limit of 15 bytes",
        ),
        (
            with(|l| l.max_params = 0),
            "line 1, column 83: more than 0 parameters",
        ),
    ] {
        assert!(!agrees(&body, &limits), "{limits:?}");
        let e = decode_call(body.as_bytes(), &limits).unwrap_err();
        assert_eq!(e.to_string(), error, "{limits:?}");
    }
}
