//! `xmlrpc-kit call`, `list`, `help` and `multicall` end to end: the binary
//! against the demo's methods served in-process on 127.0.0.1 (an
//! OS-picked port), checking stdout, stderr and the exit code.

use std::net::TcpListener;
use std::process::Command;

use xmlrpc_kit::{OutputEncoding, Server};
use xmlrpc_kit_test_support::process::{TempDir, help_examples};
use xmlrpc_kit_test_support::server::TestServer;

/// The demo's dispatcher (what `xmlrpc-kit demo` serves), in-process.
fn demo() -> TestServer {
    TestServer::start(
        Server::builder_for(xmlrpc_kit_test_support::demo::dispatcher(
            OutputEncoding::default(),
            xmlrpc_kit::Dialect::default(),
        ))
        .log_requests(false),
    )
}

/// The variables the client commands read, removed from each test's
/// command so that a developer's own cannot change what it does.
const CLIENT_VARIABLES: [&str; 5] = [
    "XMLRPC_URL",
    "XMLRPC_USER",
    "XMLRPC_TIMEOUT",
    "XMLRPC_PASSWORD",
    "XMLRPC_RETRIES",
];

/// Runs `xmlrpc-kit ARGS…`: exit code, stdout, stderr.
fn xmlrpc(args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"));
    for name in CLIENT_VARIABLES {
        command.env_remove(name);
    }
    let out = command.args(args).output().expect("run xmlrpc");
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_success_prints_the_result_and_exits_0() {
    let demo = demo();
    let url = demo.url();
    assert_eq!(
        xmlrpc(&["call", &url, "pow", "2", "3"]),
        (0, "8\n".into(), String::new())
    );
    // No scheme, no path: http:// and /RPC2, as xmlrpc-c's tool and Python do.
    let bare = demo.addr.to_string();
    assert_eq!(
        xmlrpc(&["call", &bare, "add", "2", "3"]),
        (0, "5\n".into(), String::new())
    );
    assert_eq!(
        xmlrpc(&["call", &url, "add", "-2", "3"]),
        (0, "1\n".into(), String::new())
    );
    // A string at the top is printed as it is; nested values are indented.
    assert_eq!(
        xmlrpc(&["call", &url, "echo", "hello world"]),
        (0, "hello world\n".into(), String::new())
    );
    assert_eq!(
        xmlrpc(&["call", &url, "echo", r#"{"a": [1, "x", null], "b": {}}"#]),
        (
            0,
            "{\n  \"a\": [\n    1,\n    \"x\",\n    nil\n  ],\n  \"b\": {}\n}\n".into(),
            String::new()
        )
    );
}

#[test]
fn a_fault_exits_1_with_its_code_and_string_on_stderr() {
    let demo = demo();
    let url = demo.url();
    assert_eq!(
        xmlrpc(&["call", &url, "div", "1", "0"]),
        (
            1,
            String::new(),
            "xmlrpc-kit: fault -32500: integer division or modulo by zero\n".into()
        )
    );
    let (code, out, err) = xmlrpc(&["call", "--json", &url, "nope"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "{\"faultCode\":-32601,\"faultString\":\"method \\\"nope\\\" is not supported\"}\n"
    );
    assert_eq!(
        err,
        "xmlrpc-kit: fault -32601: method \"nope\" is not supported\n"
    );
}

#[test]
fn an_unreachable_server_exits_3() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, out, err) = xmlrpc(&[
        "call",
        &format!("http://127.0.0.1:{port}/"),
        "pow",
        "2",
        "3",
    ]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert!(
        err.starts_with(&format!("xmlrpc-kit: cannot connect to 127.0.0.1:{port}: ")),
        "{err}"
    );
}

#[test]
fn a_silent_server_times_out_and_exits_3() {
    // Accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let (code, out, err) = xmlrpc(&[
        "call",
        "--timeout",
        "0.3",
        &format!("http://{addr}/RPC2"),
        "pow",
        "2",
        "3",
    ]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            3,
            "",
            format!("xmlrpc-kit: no complete response from {addr} within 300ms\n").as_str()
        )
    );
    drop(silent);
}

#[test]
fn a_wrong_path_exits_3_with_the_http_status() {
    let demo = demo();
    let (code, _, err) = xmlrpc(&["list", &format!("http://{}/nowhere", demo.addr)]);
    assert_eq!(code, 3);
    assert_eq!(
        err,
        format!(
            "xmlrpc-kit: {} answered HTTP 404 Not Found: No such page\n",
            demo.addr
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    let demo = demo();
    let url = demo.url();
    #[rustfmt::skip]
    let cases: &[(&[&str], &str)] = &[
        (&["call", &url, "add", "i/x", "1"], "xmlrpc-kit call: argument \"i/x\": i/ needs a 32-bit integer, such as i/42\n"),
        (&["call", &url, "echo", "[1,"], "xmlrpc-kit call: argument \"[1,\": looks like JSON but is not (EOF while parsing a value at line 1 column 3); write s/… to send it as a string\n"),
        (&["call", "ftp://h/", "pow"], "xmlrpc-kit call: invalid URL \"ftp://h/\": the scheme must be http, https, unix or scgi\n"),
        (&["call", "-H", "no colon", &url, "pow"], "xmlrpc-kit call: --header \"no colon\": write it as 'Name: value'\n"),
        (&["call", "--timeout=-1", &url, "pow"], "xmlrpc-kit call: --timeout: -1 is not a number of seconds\n"),
        (&["call", "--encoding", "klingon", &url, "pow"], "xmlrpc-kit call: --encoding: unknown encoding \"klingon\"\n"),
        (&["multicall", &url, "pow(2,3"], "xmlrpc-kit multicall: argument \"pow(2,3\": the call has no closing ')'\n"),
    ];
    for (args, stderr) in cases {
        assert_eq!(
            xmlrpc(args),
            (2, String::new(), (*stderr).to_owned()),
            "{args:?}"
        );
    }
    // clap's own usage errors exit 2 too.
    for args in [
        &["call"][..],
        &["call", &url],
        &["list"],
        &["multicall", &url],
        &["frobnicate"],
        &["call", "--json", "--xml", &url, "pow"],
    ] {
        let (code, out, err) = xmlrpc(args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.contains("Usage:"), "{args:?}: {err}");
    }
}

/// The value element each argument form puts into the request.
#[test]
fn each_argument_form_sends_the_type_it_says() {
    let demo = demo();
    let url = demo.url();
    #[rustfmt::skip]
    let cases: &[(&str, &str)] = &[
        ("42", "<int>42</int>"),
        ("-7", "<int>-7</int>"),
        ("9000000000", "<i8>9000000000</i8>"),
        ("4.2", "<double>4.2</double>"),
        ("1e-3", "<double>0.001</double>"),
        ("true", "<boolean>1</boolean>"),
        ("false", "<boolean>0</boolean>"),
        ("hello", "<string>hello</string>"),
        ("", "<string></string>"),
        ("a<b", "<string>a&lt;b</string>"),
        ("[1,2]", "<array><data><value><int>1</int></value><value><int>2</int></value></data></array>"),
        (r#"{"a":1}"#, "<struct><member><name>a</name><value><int>1</int></value></member></struct>"),
        ("[null]", "<array><data><value><nil/></value></data></array>"),
        ("i/42", "<int>42</int>"),
        ("I/42", "<i8>42</i8>"),
        ("s/42", "<string>42</string>"),
        ("s/true", "<string>true</string>"),
        ("d/4", "<double>4.0</double>"),
        ("b/true", "<boolean>1</boolean>"),
        ("b/f", "<boolean>0</boolean>"),
        ("n/", "<nil/>"),
        ("h/cafe01", "<base64>yv4B</base64>"),
        ("b64/aGkh", "<base64>aGkh</base64>"),
        ("dt/20260125T09:30:00", "<dateTime.iso8601>20260125T09:30:00</dateTime.iso8601>"),
        ("dt/2026-01-25T09:30:00Z", "<dateTime.iso8601>20260125T09:30:00Z</dateTime.iso8601>"),
    ];
    for (arg, element) in cases {
        let (code, out, err) = xmlrpc(&["call", "--xml", &url, "echo", arg]);
        assert_eq!((code, err.as_str()), (0, ""), "{arg:?}");
        let value = format!("<value>{element}</value>");
        let (request, response) = out.split_once("\n\n").unwrap();
        assert!(
            request.ends_with(&format!(
                "<params><param>{value}</param></params></methodCall>"
            )),
            "{arg:?}: {request}"
        );
        // The server sends the same value back.
        assert!(response.contains(&value), "{arg:?}: {response}");
    }
}

#[test]
fn json_and_xml_output() {
    let demo = demo();
    let url = demo.url();
    assert_eq!(
        xmlrpc(&[
            "call",
            "--json",
            &url,
            "echo",
            r#"{"z":[1,2.5,"x",null,true]}"#
        ]),
        (0, "{\"z\":[1,2.5,\"x\",null,true]}\n".into(), String::new())
    );
    // Issue 26: as --help says, a date-time as the typed value an argument
    // reads back.
    assert_eq!(
        xmlrpc(&["call", "--json", &url, "echo", "dt/20260125T09:30:00"]),
        (
            0,
            "{\"$dateTime\":\"20260125T09:30:00\"}\n".into(),
            String::new()
        )
    );
    let (code, out, _) = xmlrpc(&["call", "--xml", &url, "div", "7", "2"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodCall><methodName>div</methodName><params><param><value><int>7</int></value></param><param><value><int>2</int></value></param></params></methodCall>\n\n\
         <?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodResponse><params><param><value><int>3</int></value></param></params></methodResponse>\n\n"
    );
    // A fault with --xml: the documents, then the fault on stderr.
    let (code, out, err) = xmlrpc(&["call", "--xml", &url, "div", "1", "0"]);
    assert_eq!(code, 1);
    assert!(out.contains("<fault>"), "{out}");
    assert_eq!(
        err,
        "xmlrpc-kit: fault -32500: integer division or modulo by zero\n"
    );
}

#[test]
fn list_help_and_multicall() {
    let demo = demo();
    let url = demo.url();
    assert_eq!(
        xmlrpc(&["list", &url]),
        (
            0,
            "add\ndiv\necho\nmul\npow\nsystem.getCapabilities\nsystem.listMethods\nsystem.methodHelp\nsystem.methodSignature\nsystem.multicall\n".into(),
            String::new()
        )
    );
    let (code, out, _) = xmlrpc(&["list", "--json", &url]);
    assert_eq!(code, 0);
    assert!(out.starts_with("[\"add\",\"div\",\"echo\","), "{out}");

    assert_eq!(
        xmlrpc(&["help", &url, "pow"]),
        (
            0,
            "pow(x, y): x raised to the power y. A negative y gives a double, as Python's pow does.\n\nSignatures:\n  pow(i8, i8) -> i8\n  pow(i8, i8) -> double\n".into(),
            String::new()
        )
    );
    assert_eq!(
        xmlrpc(&["help", "--json", &url, "mul"]),
        (
            0,
            "{\"method\":\"mul\",\"help\":\"mul(x, y): x times y.\",\"signatures\":[[\"i8\",\"i8\",\"i8\"]]}\n".into(),
            String::new()
        )
    );
    let (code, _, err) = xmlrpc(&["help", &url, "nope"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("xmlrpc-kit: fault -32601"), "{err}");

    assert_eq!(
        xmlrpc(&[
            "multicall",
            &url,
            "pow(2, 3)",
            "add(1,2)",
            "echo([1, \"a, b\"])",
            "system.listMethods"
        ])
        .0,
        0
    );
    assert_eq!(
        xmlrpc(&["multicall", &url, "pow(2, 3)", "add(1,2)", "div(1, 0)", "mul(5,2)"]),
        (
            1,
            "pow(2, 3): 8\nadd(1,2): 3\ndiv(1, 0): fault -32500: integer division or modulo by zero\nmul(5,2): 10\n".into(),
            String::new()
        )
    );
    assert_eq!(
        xmlrpc(&["multicall", "--json", &url, "pow(2,3)", "echo([\"x\", null])", "div(1,0)"]),
        (
            1,
            "[8,[\"x\",null],{\"faultCode\":-32500,\"faultString\":\"integer division or modulo by zero\"}]\n".into(),
            String::new()
        )
    );
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for command in [
        "call",
        "list",
        "help",
        "multicall",
        "demo",
        "completions",
        "man",
    ] {
        let (code, out, _) = xmlrpc(&[command, "--help"]);
        assert_eq!(code, 0, "{command}");
        assert!(out.contains("Examples:"), "{command}: {out}");
        assert!(
            out.contains(&format!("xmlrpc-kit {command}")),
            "{command}: {out}"
        );
    }
    let (_, out, _) = xmlrpc(&["call", "--help"]);
    for form in [
        "i/42",
        "I/42",
        "s/42",
        "d/4.2",
        "b/true",
        "n/",
        "h/cafe01",
        "b64/",
        "dt/",
        "Exit status",
    ] {
        assert!(out.contains(form), "{form} missing from call --help");
    }
    let (code, out, _) = xmlrpc(&["--help"]);
    assert_eq!(code, 0);
    for command in ["demo", "call", "list", "help", "multicall"] {
        assert!(out.contains(command), "{command}");
    }
}

#[test]
fn every_command_takes_unix_and_scgi_addresses() {
    let dir = std::env::temp_dir().join(format!("xmlrpc-kit-cli-addr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let unix = format!("unix://{}", dir.join("http.sock").display());
    let scgi = format!("scgi://{}", dir.join("scgi.sock").display());
    let _server = TestServer::serve(
        Server::builder_for(xmlrpc_kit_test_support::demo::dispatcher(
            OutputEncoding::default(),
            xmlrpc_kit::Dialect::default(),
        ))
        .log_requests(false)
        .listen([&unix, &scgi])
        .unwrap(),
    );
    for url in [&unix, &scgi] {
        assert_eq!(
            xmlrpc(&["call", url, "pow", "2", "3"]),
            (0, "8\n".into(), String::new()),
            "{url}"
        );
        let (code, listed, _) = xmlrpc(&["list", url]);
        assert_eq!(code, 0);
        assert!(listed.lines().any(|l| l == "system.multicall"), "{listed}");
        assert_eq!(
            xmlrpc(&["multicall", url, "pow(2, 3)", "add(1, 2)"]),
            (0, "pow(2, 3): 8\nadd(1, 2): 3\n".into(), String::new()),
            "{url}"
        );
        let (code, help, _) = xmlrpc(&["help", url, "pow"]);
        assert_eq!(code, 0);
        assert!(help.contains("pow(i8, i8) -> i8"), "{help}");
    }
    // A socket that is not there: a transport error, exit 3, saying where.
    let missing = format!("unix://{}", dir.join("nobody.sock").display());
    let (code, _, stderr) = xmlrpc(&["call", &missing, "pow", "2", "3"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("nobody.sock"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn dialects_for_requests_and_for_the_demos_responses() {
    // The client's dialect shapes the request (seen with --xml).
    let demo = demo();
    let url = demo.url();
    let (code, out, _) = xmlrpc(&[
        "call",
        "--xml",
        "--dialect",
        "apache",
        &url,
        "echo",
        "I/9000000000",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("<methodCall xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">"),
        "{out}"
    );
    assert!(out.contains("<ex:i8>9000000000</ex:i8>"), "{out}");
    let (code, _, err) = xmlrpc(&["call", "--dialect", "strict", &url, "echo", "n/"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the strict dialect has no nil"), "{err}");
    let (code, _, err) = xmlrpc(&["call", "--dialect", "koji", &url, "echo", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no dialect named \"koji\" (known: python, apache, xmlrpc-c, strict)"),
        "{err}"
    );

    // `xmlrpc-kit demo --dialect strict`: a nil result becomes a fault saying why.
    let strict = xmlrpc_kit_test_support::process::Demo::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")),
        &["--quiet", "--dialect", "strict"],
    )
    .unwrap();
    let url = format!("http://{}/RPC2", strict.addr);
    let (code, _, err) = xmlrpc(&["call", &url, "echo", "n/"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "xmlrpc-kit: fault -32603: cannot marshal nil: the strict dialect has no nil\n"
    );
    let (code, out, _) = xmlrpc(&["call", "--xml", &url, "echo", "1e300"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("<double>1{}.0</double>", "0".repeat(300))),
        "{out}"
    );
}

/// Issue 26: every example of the client commands' `--help` runs against
/// the demo (its address put for 127.0.0.1:8000 and localhost:8000) as a
/// user would paste it into a shell (`sh -c`, `xmlrpc-kit` on the PATH, in
/// an empty folder: pipes, `NAME=value` prefixes and the files the
/// examples write work as they would), and prints what it should.
#[test]
fn every_example_in_the_client_commands_help_runs_against_the_demo() {
    let demo = demo();
    let addr = demo.addr.to_string();
    let listed = "add\ndiv\necho\nmul\npow\nsystem.getCapabilities\nsystem.listMethods\nsystem.methodHelp\nsystem.methodSignature\nsystem.multicall";
    let listed_json = "[\"add\",\"div\",\"echo\",\"mul\",\"pow\",\"system.getCapabilities\",\"system.listMethods\",\"system.methodHelp\",\"system.methodSignature\",\"system.multicall\"]";
    let listed_pretty = format!(
        "[\n{}\n]\n",
        listed
            .lines()
            .map(|name| format!("  \"{name}\""))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let expected: Vec<(i32, String)> = vec![
        // call
        (0, "8\n".into()),
        (0, "3.5\n".into()),
        (0, "[\n  1,\n  \"two\",\n  {\n    \"three\": 3\n  }\n]\n".into()),
        (0, "42\n".into()),
        (0, "9000000000\n".into()),
        (0, "20260125T09:30:00\n".into()),
        // The typed values come back as they were written.
        (
            0,
            "{\"at\":{\"$dateTime\":\"20260125T09:30:00\"},\"data\":{\"$base64\":\"aGVsbG8=\"}}\n".into(),
        ),
        (
            0,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodCall><methodName>div</methodName><params><param><value><int>7</int></value></param><param><value><int>2</int></value></param></params></methodCall>\n\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodResponse><params><param><value><int>3</int></value></param></params></methodResponse>\n\n".into(),
        ),
        (0, "hello\n".into()),
        (0, "[\n  1,\n  2\n]\n".into()),
        (0, "@home\n".into()),
        (0, format!("{listed_json}\n")),
        (0, "8\n".into()),
        (0, "8\n".into()),
        (0, listed_pretty.clone()),
        (0, "8\n".into()),
        // list
        (0, format!("{listed}\n")),
        (0, format!("{listed_json}\n")),
        (0, format!("{listed}\n")),
        (0, format!("{listed}\n")),
        // help
        (
            0,
            "pow(x, y): x raised to the power y. A negative y gives a double, as Python's pow does.\n\nSignatures:\n  pow(i8, i8) -> i8\n  pow(i8, i8) -> double\n".into(),
        ),
        (
            0,
            "{\"method\":\"system.multicall\",\"help\":\"Runs several calls in one request. The parameter is an array of structs {methodName, params}; the result holds, in order, a one-element array with each call's value, or a struct {faultCode, faultString} for each call that failed.\",\"signatures\":[[\"array\",\"array\"]]}\n".into(),
        ),
        (0, "mul(x, y): x times y.\n\nSignatures:\n  mul(i8, i8) -> i8\n".into()),
        // multicall. The first example shows a fault on purpose: exit status 1.
        (
            1,
            "pow(2, 3): 8\nadd(1, 2): 3\ndiv(1, 0): fault -32500: integer division or modulo by zero\n".into(),
        ),
        (0, format!("[[1,2],\"a, b\",\"42\",{listed_json}]\n")),
        (0, "pow(2, 10): 1024\nadd(1, -): 3\n".into()),
        (0, "mul(6, 7): 42\n".into()),
        (0, "add(2000, 1): 2001\n".into()),
        (0, "pow(2, 3): 8\nmul(6, 7): 42\n".into()),
    ];
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit"));
    let mut examples = Vec::new();
    for command in ["call", "list", "help", "multicall"] {
        examples.extend(help_examples(bin, command).into_iter().map(|l| {
            l.replace("127.0.0.1:8000", &addr)
                .replace("localhost:8000", &addr)
        }));
    }
    assert_eq!(examples.len(), expected.len(), "{examples:#?}");
    let folder = TempDir::new("cli-help-examples");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (example, (code, stdout)) in examples.iter().zip(&expected) {
        assert!(example.contains("xmlrpc-kit "), "{example}");
        let mut shell = Command::new("sh");
        for name in CLIENT_VARIABLES {
            shell.env_remove(name);
        }
        let out = shell
            .args(["-c", example])
            .current_dir(&*folder)
            .env("PATH", &path)
            .output()
            .expect("run sh");
        assert_eq!(
            (
                out.status.code().expect("exited"),
                String::from_utf8_lossy(&out.stdout).as_ref()
            ),
            (*code, stdout.as_str()),
            "{example}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `demo --help` names every field of the JSON access event.
#[test]
fn the_demos_help_names_every_access_field() {
    let (code, help, _) = xmlrpc(&["demo", "--help"]);
    assert_eq!(code, 0);
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for field in xmlrpc_kit::front::AccessLog::FIELD_NAMES {
        assert!(
            flat.contains(&format!(" {field},")) || flat.contains(&format!(" {field})")),
            "{field} missing from demo --help"
        );
    }
}

/// `--json-rpc`: the same commands over JSON-RPC 2.0 against the demo,
/// which answers both protocols on the same paths.
#[test]
fn json_rpc_calls_the_same_methods() {
    let demo = demo();
    let url = demo.url();
    assert_eq!(
        xmlrpc(&["call", "--json-rpc", &url, "add", "2", "3"]),
        (0, "5\n".into(), String::new())
    );
    assert_eq!(
        xmlrpc(&[
            "call",
            "--json-rpc",
            "--json",
            &url,
            "echo",
            r#"{"a": [1, "x", null]}"#
        ]),
        (0, "{\"a\":[1,\"x\",null]}\n".into(), String::new())
    );
    let (code, _, err) = xmlrpc(&["call", "--json-rpc", &url, "div", "1", "0"]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "xmlrpc-kit: fault -32500: integer division or modulo by zero\n"
        )
    );
    // A multicall becomes a JSON-RPC batch: the same output.
    assert_eq!(
        xmlrpc(&["multicall", "--json-rpc", &url, "pow(2, 3)", "div(1, 0)", "mul(5,2)"]),
        (
            1,
            "pow(2, 3): 8\ndiv(1, 0): fault -32500: integer division or modulo by zero\nmul(5,2): 10\n".into(),
            String::new()
        )
    );
    let (code, out, _) = xmlrpc(&["list", "--json-rpc", &url]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l == "mul"), "{out}");
    // --xml shows XML documents: not with JSON-RPC.
    assert_eq!(
        xmlrpc(&["call", "--json-rpc", "--xml", &url, "add", "1", "2"]).0,
        2
    );
}

/// README.md's JSON-RPC example, run as it is written (the demo's
/// address for `localhost:8000`, the built binary for `xmlrpc-kit`): each
/// command prints what the `# ` line after it says.
#[test]
fn the_readme_json_rpc_example_runs() {
    let demo = demo();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let marker = "<!-- json-rpc example: run by crates/xmlrpc-kit-cli/tests/cli.rs -->\n```sh\n";
    let start = readme.find(marker).expect("the example's marker") + marker.len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines.len(), 4, "{block}");
    let binary = env!("CARGO_BIN_EXE_xmlrpc-kit");
    for pair in lines.chunks(2) {
        let command = pair[0]
            .replace("localhost:8000", &demo.addr.to_string())
            .replacen("xmlrpc-kit ", &format!("{binary} "), 1);
        let out = Command::new("sh").args(["-c", &command]).output().unwrap();
        assert!(out.status.success(), "{command}: {out:?}");
        let expected = pair[1].strip_prefix("# ").expect("an expected output line");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim_end(),
            expected,
            "{command}"
        );
    }
}
