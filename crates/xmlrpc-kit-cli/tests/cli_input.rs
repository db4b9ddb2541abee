//! The command line made comfortable: arguments from files and
//! stdin (`@FILE`, `-`, `@-`, `@@`), typed values inside JSON that
//! `--json` prints back, `--user` with `XMLRPC_PASSWORD`, the
//! `XMLRPC_URL`/`XMLRPC_TIMEOUT`/`XMLRPC_USER` defaults, `--json` and
//! `--xml` indented on a terminal, and `-v`. The binary against the demo's
//! methods served in-process on 127.0.0.1 (an OS-picked port).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use xmlrpc_kit::{OutputEncoding, Server};
use xmlrpc_kit_test_support::process::TempDir;
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

/// The variables the client commands read.
const VARIABLES: [&str; 5] = [
    "XMLRPC_URL",
    "XMLRPC_USER",
    "XMLRPC_TIMEOUT",
    "XMLRPC_PASSWORD",
    "XMLRPC_RETRIES",
];

/// `xmlrpc-kit ARGS…` with these variables only (the developer's own
/// `XMLRPC_*` removed) and this standard input.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Stdio) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"));
    for name in VARIABLES {
        command.env_remove(name);
    }
    let out = command
        .args(args)
        .envs(env.iter().copied())
        .stdin(stdin)
        .output()
        .expect("run xmlrpc-kit");
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn xmlrpc(args: &[&str]) -> (i32, String, String) {
    run(args, &[], Stdio::null())
}

/// `xmlrpc-kit ARGS…` with `input` on its standard input.
fn xmlrpc_with_stdin(args: &[&str], input: &str) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"));
    for name in VARIABLES {
        command.env_remove(name);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xmlrpc-kit");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A 10 MiB argument (half the demo's 20 MiB body limit, the
/// `HttpLimits` default, so the request fits), from a file and from
/// stdin, echoed back whole.
#[test]
fn a_ten_megabyte_argument_from_a_file_or_stdin() {
    let demo = demo();
    let url = demo.url();
    let folder = TempDir::new("cli-input-big");
    let text: String = "0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
        .repeat(10 << 20 >> 6)
        .chars()
        .take(10 << 20)
        .collect();
    assert_eq!(text.len(), 10 << 20);
    let file = folder.join("big.txt");
    // One final line feed is dropped: the file holds the text and one more.
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let at_file = format!("@{}", file.display());
    let want = format!("{text}\n");
    let (code, out, err) = xmlrpc(&["call", &url, "echo", &at_file]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out.len(), want.len());
    assert!(out == want, "the echo differs from the file");
    for dash in ["@-", "-"] {
        let (code, out, err) = run(
            &["call", &url, "echo", dash],
            &[],
            Stdio::from(std::fs::File::open(&file).unwrap()),
        );
        assert_eq!((code, err.as_str()), (0, ""), "{dash}");
        assert_eq!(out.len(), want.len(), "{dash}");
        assert!(out == want, "{dash}: the echo differs from standard input");
    }
}

/// Issue 26: `multicall` takes any number of calls, one a line from a
/// file (`--file`) or standard input (`--file -`), and sends them in as
/// many requests as the server takes: 2,000 calls against the demo,
/// whose limit is 1,000 a request.
#[test]
fn two_thousand_calls_from_a_file_go_in_requests_the_server_takes() {
    let demo = demo();
    let url = demo.url();
    let folder = TempDir::new("cli-input-calls");
    let file = folder.join("calls.txt");
    let mut calls = String::from("# one call a line; blank lines and comments skipped\n\n");
    let mut want = String::new();
    for i in 1..=2_000 {
        calls.push_str(&format!("add({i}, 1)\n"));
        want.push_str(&format!("add({i}, 1): {}\n", i + 1));
    }
    std::fs::write(&file, &calls).unwrap();
    let path = file.display().to_string();
    // With a CALL argument before the file's.
    let (code, out, err) = xmlrpc(&["multicall", &url, "pow(2, 3)", "--file", &path]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out == format!("pow(2, 3): 8\n{want}"),
        "{}",
        &out[..200.min(out.len())]
    );
    let (code, out, err) = xmlrpc_with_stdin(&["multicall", "-f", "-", &url], &calls);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out == want, "from standard input");
    // A line that is no call is a usage error, naming it.
    let (code, _, err) =
        xmlrpc_with_stdin(&["multicall", "--file", "-", &url], "add(1, 2)\nadd(1\n");
    assert_eq!(code, 2);
    assert!(err.contains("the call has no closing ')'"), "{err}");
}

#[test]
fn files_and_stdin_are_typed_as_inline_arguments() {
    let demo = demo();
    let url = demo.url();
    let folder = TempDir::new("cli-input-forms");
    let json = folder.join("args.json");
    std::fs::write(&json, "{\"a\": [1, \"x\", {\"$i8\": 2}]}\r\n").unwrap();
    let at_json = format!("@{}", json.display());
    assert_eq!(
        xmlrpc(&["call", "--json", &url, "echo", &at_json]),
        (0, "{\"a\":[1,\"x\",{\"$i8\":2}]}\n".into(), String::new())
    );
    assert_eq!(
        xmlrpc_with_stdin(&["call", &url, "pow", "-", "10"], "2\n"),
        (0, "1024\n".into(), String::new())
    );
    assert_eq!(
        xmlrpc_with_stdin(&["call", &url, "pow", "2", "@-"], "i/3"),
        (0, "8\n".into(), String::new())
    );
    // `@@` stands for one `@`; `s/-` for a dash; `@` is not a file name.
    assert_eq!(
        xmlrpc(&["call", &url, "echo", "@@home"]),
        (0, "@home\n".into(), String::new())
    );
    assert_eq!(
        xmlrpc(&["call", &url, "echo", "s/-"]),
        (0, "-\n".into(), String::new())
    );
    // Multicall: a whole call, or an argument inside one.
    let call = folder.join("call.txt");
    std::fs::write(&call, "add(40, @-)\n").unwrap();
    assert_eq!(
        xmlrpc_with_stdin(
            &[
                "multicall",
                &url,
                &format!("@{}", call.display()),
                &format!("echo({at_json})")
            ],
            "2\n"
        ),
        (
            0,
            "add(40, @-): 42\necho(@".to_owned()
                + &json.display().to_string()
                + "): {\n  \"a\": [\n    1,\n    \"x\",\n    2\n  ]\n}\n",
            String::new()
        )
    );

    let missing = folder.join("missing.json");
    let broken = folder.join("broken.json");
    std::fs::write(&broken, "[1,").unwrap();
    let at_missing = format!("@{}", missing.display());
    let at_broken = format!("@{}", broken.display());
    #[rustfmt::skip]
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec!["call", &url, "add", "-", "@-"], "xmlrpc-kit call: argument \"@-\": standard input is read once: only one argument may be - or @-\n".into()),
        (vec!["call", &url, "echo", "@"], "xmlrpc-kit call: argument \"@\": write @FILE to read a file, @- for standard input, or @@… for a text starting with @\n".into()),
        (vec!["call", &url, "echo", &at_missing], format!("xmlrpc-kit call: argument \"{at_missing}\": cannot read {}: No such file or directory (os error 2)\n", missing.display())),
        // A parse error names the file, not the text read.
        (vec!["call", &url, "echo", &at_broken], format!("xmlrpc-kit call: argument \"{at_broken}\": looks like JSON but is not (EOF while parsing a value at line 1 column 3); write s/… to send it as a string\n")),
        (vec!["multicall", &url, &at_missing], format!("xmlrpc-kit multicall: argument \"{at_missing}\": cannot read {}: No such file or directory (os error 2)\n", missing.display())),
    ];
    for (args, stderr) in cases {
        assert_eq!(xmlrpc(&args), (2, String::new(), stderr), "{args:?}");
    }
}

/// Typed values inside JSON go over the wire as their types, and `--json`
/// prints each as the form `call --help` documents, which reads back as
/// the same value.
#[test]
fn typed_json_values_round_trip_through_json_output() {
    let demo = demo();
    let url = demo.url();
    #[rustfmt::skip]
    let cases: &[(&str, &str, &str)] = &[
        (r#"{"$dateTime": "20260125T09:30:00"}"#, "<dateTime.iso8601>20260125T09:30:00</dateTime.iso8601>", r#"{"$dateTime":"20260125T09:30:00"}"#),
        (r#"{"$dateTime": "2026-01-25T09:30:00Z"}"#, "<dateTime.iso8601>20260125T09:30:00Z</dateTime.iso8601>", r#"{"$dateTime":"20260125T09:30:00Z"}"#),
        (r#"{"$base64": "aGVsbG8="}"#, "<base64>aGVsbG8=</base64>", r#"{"$base64":"aGVsbG8="}"#),
        (r#"{"$i8": 42}"#, "<i8>42</i8>", r#"{"$i8":42}"#),
        (r#"{"$i8": "-7"}"#, "<i8>-7</i8>", r#"{"$i8":-7}"#),
        // An i8 beyond 32 bits reads back from a bare number.
        (r#"{"$i8": 9000000000}"#, "<i8>9000000000</i8>", "9000000000"),
        (r#"{"$nil": null}"#, "<nil/>", "null"),
        (r#"{"$struct": {"$i8": "x"}}"#, "<struct><member><name>$i8</name><value><string>x</string></value></member></struct>", r#"{"$struct":{"$i8":"x"}}"#),
        // Several members: a struct, whatever their names.
        (r#"{"$i8": 1, "$nil": 2}"#, "<struct><member><name>$i8</name><value><int>1</int></value></member><member><name>$nil</name><value><int>2</int></value></member></struct>", r#"{"$i8":1,"$nil":2}"#),
        (
            r#"[{"when": {"$dateTime": "20260125T09:30:00"}, "raw": [{"$base64": ""}]}]"#,
            "<array><data><value><struct><member><name>when</name><value><dateTime.iso8601>20260125T09:30:00</dateTime.iso8601></value></member><member><name>raw</name><value><array><data><value><base64></base64></value></data></array></value></member></struct></value></data></array>",
            r#"[{"when":{"$dateTime":"20260125T09:30:00"},"raw":[{"$base64":""}]}]"#,
        ),
    ];
    for (arg, element, json) in cases {
        let (code, out, err) = xmlrpc(&["call", "--xml", &url, "echo", arg]);
        assert_eq!((code, err.as_str()), (0, ""), "{arg}");
        let (request, response) = out.split_once("\n\n").unwrap();
        let value = format!("<value>{element}</value>");
        assert!(request.contains(&value), "{arg}: {request}");
        assert!(response.contains(&value), "{arg}: {response}");
        assert_eq!(
            xmlrpc(&["call", "--json", &url, "echo", arg]),
            (0, format!("{json}\n"), String::new()),
            "{arg}"
        );
        // Fed back inside a JSON argument, the output gives itself; a
        // typed value is a JSON argument of its own.
        assert_eq!(
            xmlrpc(&["call", "--json", &url, "echo", &format!("[{json}]")]),
            (0, format!("[{json}]\n"), String::new()),
            "{json}"
        );
        if json.starts_with(['{', '[']) {
            assert_eq!(
                xmlrpc(&["call", "--json", &url, "echo", json]),
                (0, format!("{json}\n"), String::new()),
                "{json}"
            );
        }
    }
    // The same values from the prefixes, and in a multicall.
    assert_eq!(
        xmlrpc(&[
            "multicall",
            "--json",
            &url,
            "echo(dt/20260125T09:30:00)",
            "echo(b64/aGkh)",
            "echo(I/5)",
            "echo(n/)"
        ]),
        (
            0,
            "[{\"$dateTime\":\"20260125T09:30:00\"},{\"$base64\":\"aGkh\"},{\"$i8\":5},null]\n"
                .into(),
            String::new()
        )
    );
    // What --help promises: these forms, for --json's output too.
    let (_, help, _) = xmlrpc(&["call", "--help"]);
    for form in [
        r#"{"$dateTime": "20260125T09:30:00"}"#,
        r#"{"$base64": "aGVsbG8="}"#,
        r#"{"$i8": 42}"#,
        r#"{"$nil": null}"#,
        r#"{"$struct": {"$i8": "x"}}"#,
        "--json writes JSON that reads back as the same value\ninside a JSON argument",
    ] {
        assert!(help.contains(form), "{form} missing from call --help");
    }

    #[rustfmt::skip]
    let bad: &[(&str, &str)] = &[
        (r#"{"$datetime": "x"}"#, r#"{"$datetime": …} is no typed value (they are $dateTime, $base64, $i8, $nil and $struct); for a struct whose one member is named "$datetime", write {"$struct": {"$datetime": …}}"#),
        (r#"[{"$dateTime": 5}]"#, r#"$dateTime takes a string, such as {"$dateTime": "20260125T09:30:00"}"#),
        (r#"{"$i8": 1.5}"#, r#"$i8 takes a 64-bit integer, such as {"$i8": 42}"#),
        (r#"{"$nil": 0}"#, r#"$nil takes null: {"$nil": null}"#),
    ];
    for (arg, reason) in bad {
        assert_eq!(
            xmlrpc(&["call", &url, "echo", arg]),
            (
                2,
                String::new(),
                format!("xmlrpc-kit call: argument {arg:?}: {reason}\n")
            ),
            "{arg}"
        );
    }
}

/// A server that answers one request with `8` and hands back the
/// request's head.
fn one_shot_server() -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/RPC2", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let answer = "<?xml version=\"1.0\"?><methodResponse><params><param><value><int>8</int></value></param></params></methodResponse>";
        write!(
            reader.get_mut(),
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
        head
    });
    (url, thread)
}

/// A server that answers its first `failures` requests with 503 and
/// `Retry-After: 0`, then `system.listMethods`' answer; it serves
/// `requests` requests, each on its own connection, and hands back the
/// methods asked for.
fn unavailable_then_answering(
    failures: usize,
    requests: usize,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/RPC2", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let mut methods = Vec::new();
        for n in 0..requests {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
                if line == "\r\n" || line.is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let body = String::from_utf8_lossy(&body);
            let method = body
                .split_once("<methodName>")
                .and_then(|(_, rest)| rest.split_once("</methodName>"))
                .map_or("", |(name, _)| name);
            methods.push(method.to_owned());
            let response = if n < failures {
                let text = "busy, try again";
                format!(
                    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                )
            } else {
                let answer = "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>\
                    <value><string>pow</string></value><value><string>system.listMethods</string></value>\
                    </data></array></value></param></params></methodResponse>";
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                )
            };
            reader.get_mut().write_all(response.as_bytes()).unwrap();
        }
        methods
    });
    (url, thread)
}

/// Issue 26: `--retries N` sends a call again after a 503 (here with
/// `Retry-After: 0`), as the library's retry policy says; without it the
/// 503 is the answer (exit 3). `XMLRPC_RETRIES` stands for it. Statuses
/// are retried for idempotent methods only: introspection, or any with
/// `--idempotent`.
#[test]
fn retries_send_a_call_again_after_a_503() {
    // What `call` prints of the answer (`list` would print a name a line).
    let listed = "[\n  \"pow\",\n  \"system.listMethods\"\n]\n";
    let (url, server) = unavailable_then_answering(2, 3);
    let (code, out, err) = xmlrpc(&["call", "--retries", "2", &url, "system.listMethods"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, listed, ""));
    assert_eq!(server.join().unwrap(), ["system.listMethods"; 3]);

    let (url, server) = unavailable_then_answering(2, 1);
    let (code, out, err) = xmlrpc(&["call", "--retries", "0", &url, "system.listMethods"]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert!(
        err.contains("503") && err.contains("busy, try again"),
        "{err}"
    );
    server.join().unwrap();

    // Too few retries: the last attempt's failure, saying how many were made.
    let (url, server) = unavailable_then_answering(2, 2);
    let (code, _, err) = run(&["list", &url], &[("XMLRPC_RETRIES", "1")], Stdio::null());
    assert_eq!(code, 3);
    assert!(err.contains("503") && err.contains("2 attempts"), "{err}");
    server.join().unwrap();

    // A method not known to be idempotent is sent once after a 503 ...
    let (url, server) = unavailable_then_answering(1, 1);
    let (code, _, err) = xmlrpc(&["call", "--retries", "2", &url, "pow", "2", "3"]);
    assert_eq!(code, 3);
    assert!(err.contains("503"), "{err}");
    assert_eq!(server.join().unwrap(), ["pow"]);
    // ... unless --idempotent says it may be run twice.
    let (url, server) = unavailable_then_answering(1, 2);
    let (code, out, err) = xmlrpc(&[
        "call",
        "--retries",
        "2",
        "--idempotent",
        &url,
        "pow",
        "2",
        "3",
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, listed, ""));
    assert_eq!(server.join().unwrap(), ["pow"; 2]);
    // A multicall too: every call in it counts as idempotent.
    let (url, server) = unavailable_then_answering(1, 2);
    let (code, _, err) = xmlrpc(&[
        "multicall",
        "--retries=1",
        "--idempotent",
        &url,
        "pow(2, 3)",
    ]);
    // (The answer is no multicall's: what matters is that it was sent twice.)
    assert_eq!(code, 3, "{err}");
    assert_eq!(server.join().unwrap(), ["system.multicall"; 2]);
}

#[test]
fn user_sends_basic_auth_with_the_password_from_the_environment() {
    let (url, server) = one_shot_server();
    let (code, out, err) = run(
        &["call", "-v", "--user", "alice", &url, "pow", "2", "3"],
        &[("XMLRPC_PASSWORD", "s3cret")],
        Stdio::null(),
    );
    assert_eq!((code, out.as_str()), (0, "8\n"), "{err}");
    let head = server.join().unwrap();
    // base64("alice:s3cret")
    assert!(
        head.contains("authorization: Basic YWxpY2U6czNjcmV0\r\n")
            || head.contains("Authorization: Basic YWxpY2U6czNjcmV0\r\n"),
        "{head}"
    );
    assert!(
        !err.contains("s3cret") && !err.contains("YWxpY2U6czNjcmV0"),
        "{err}"
    );
    assert!(
        err.contains("> authorization: Basic … (not shown)\n"),
        "{err}"
    );

    // XMLRPC_USER stands for --user.
    let (url, server) = one_shot_server();
    let (code, _, err) = run(
        &["call", &url, "pow", "2", "3"],
        &[("XMLRPC_USER", "bob"), ("XMLRPC_PASSWORD", "")],
        Stdio::null(),
    );
    assert_eq!(code, 0, "{err}");
    // base64("bob:")
    assert!(
        server.join().unwrap().to_ascii_lowercase().contains(
            "authorization: basic Ym9iOg=="
                .to_ascii_lowercase()
                .as_str()
        ),
    );

    // No password and no terminal to ask on: a usage error saying what to do.
    let demo = demo();
    assert_eq!(
        xmlrpc(&["call", "--user", "alice", &demo.url(), "pow", "2", "3"]),
        (
            2,
            String::new(),
            "xmlrpc-kit call: --user alice: no password: set XMLRPC_PASSWORD, or run on a terminal to be asked for it\n".into()
        )
    );
    assert_eq!(
        run(
            &["list", "--user", "a:b", &demo.url()],
            &[("XMLRPC_PASSWORD", "x")],
            Stdio::null()
        ),
        (
            2,
            String::new(),
            "xmlrpc-kit list: --user \"a:b\": basic authentication's user name cannot hold ':'\n"
                .into()
        )
    );
}

#[test]
fn environment_defaults_for_url_timeout_and_user() {
    let demo = demo();
    let url = demo.url();
    let env = [("XMLRPC_URL", url.as_str())];
    let with_url = |args: &[&str]| run(args, &env, Stdio::null());
    assert_eq!(
        with_url(&["call", "pow", "2", "3"]),
        (0, "8\n".into(), String::new())
    );
    assert_eq!(
        with_url(&["call", "add", "-2", "3"]),
        (0, "1\n".into(), String::new())
    );
    assert_eq!(
        with_url(&["multicall", "pow(2, 3)", "mul(2, 3)"]),
        (0, "pow(2, 3): 8\nmul(2, 3): 6\n".into(), String::new())
    );
    assert_eq!(
        with_url(&["help", "mul"]),
        (
            0,
            "mul(x, y): x times y.\n\nSignatures:\n  mul(i8, i8) -> i8\n".into(),
            String::new()
        )
    );
    let (code, out, _) = with_url(&["list"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("add\ndiv\necho\n"), "{out}");
    // A URL on the command line wins over XMLRPC_URL (here a port no one
    // listens on) and over --url.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}/RPC2", closed.local_addr().unwrap());
    drop(closed);
    let addr = demo.addr.to_string();
    for first in [url.as_str(), addr.as_str()] {
        assert_eq!(
            run(
                &["call", first, "pow", "2", "3"],
                &[("XMLRPC_URL", &nowhere)],
                Stdio::null()
            ),
            (0, "8\n".into(), String::new()),
            "{first}"
        );
        assert_eq!(
            xmlrpc(&["multicall", "--url", &nowhere, first, "pow(2, 3)"]),
            (0, "pow(2, 3): 8\n".into(), String::new()),
            "{first}"
        );
    }
    assert_eq!(xmlrpc(&["help", "--url", &nowhere, &url, "mul"]).0, 0);
    // XMLRPC_TIMEOUT stands for --timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let (code, _, err) = run(
        &["call", &format!("http://{silent_addr}/RPC2"), "pow"],
        &[("XMLRPC_TIMEOUT", "0.3")],
        Stdio::null(),
    );
    assert_eq!(
        (code, err),
        (
            3,
            format!("xmlrpc-kit: no complete response from {silent_addr} within 300ms\n")
        )
    );
    drop(silent);
    // Without a URL: a usage error naming where one can come from.
    for (args, message) in [
        (&["call"][..], None),
        (
            &["list"],
            Some(
                "xmlrpc-kit list: no URL: give it, or with --url or XMLRPC_URL\n\nUsage: xmlrpc-kit list [OPTIONS] [URL]\n",
            ),
        ),
        (
            &["help", "mul"],
            Some(
                "xmlrpc-kit help: no METHOD, or no URL: give the URL first, or with --url or XMLRPC_URL\n\nUsage: xmlrpc-kit help [OPTIONS] [URL] METHOD\n",
            ),
        ),
        (&["call", "--url", &url], None),
    ] {
        let (code, out, err) = xmlrpc(args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.contains("Usage:"), "{args:?}: {err}");
        if let Some(message) = message {
            assert!(err.starts_with(message), "{args:?}: {err}");
        }
    }
    // --help names the variables (clap's `[env: …]`).
    let (_, help, _) = xmlrpc(&["call", "--help"]);
    for name in [
        "[env: XMLRPC_URL=]",
        "[env: XMLRPC_USER=]",
        "[env: XMLRPC_TIMEOUT=]",
        "XMLRPC_PASSWORD",
    ] {
        assert!(help.contains(name), "{name} missing from call --help");
    }
}

#[test]
fn verbose_tells_the_exchange_on_stderr() {
    let demo = demo();
    let url = demo.url();
    let (code, out, err) = xmlrpc(&["call", "-v", "-H", "X-Trace: 7", &url, "pow", "2", "3"]);
    assert_eq!((code, out.as_str()), (0, "8\n"));
    // The URL called, the request's head as sent (with the Host and
    // Content-Length the HTTP stack adds) and its size, the response's
    // head as received and its size.
    let lines: Vec<&str> = err.lines().collect();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        lines[..10],
        [
            format!("* POST {url}").as_str(),
            "> POST /RPC2 HTTP/1.1",
            format!("> host: {}", demo.addr).as_str(),
            "> content-type: text/xml",
            format!("> user-agent: xmlrpc-kit/{version}").as_str(),
            "> accept-encoding: gzip",
            "> x-trace: 7",
            "> content-length: 193",
            "> 193 bytes of XML",
            "< HTTP/1.1 200 OK",
        ],
        "{err}"
    );
    assert!(lines.contains(&"< content-length: 131"), "{err}");
    let last = lines.last().unwrap();
    assert!(last.starts_with("< 131 bytes of XML after "), "{err}");
    assert!(last.ends_with(" ms"), "{err}");
    // A password in the URL is not shown; an HTTP error is said below
    // the request.
    let hidden = url.replacen("http://", "http://me:pw@", 1);
    let (code, _, err) = xmlrpc(&["list", "--verbose", &hidden.replace("/RPC2", "/nowhere")]);
    assert_eq!(code, 3);
    assert!(!err.contains("pw"), "{err}");
    assert!(
        err.starts_with(&format!("* POST http://me:***@{}/nowhere\n", demo.addr)),
        "{err}"
    );
    assert!(
        err.ends_with("answered HTTP 404 Not Found: No such page\n"),
        "{err}"
    );
}

/// On a terminal (a pseudo-terminal from `script`), `--json` and `--xml`
/// are indented; piped, they are one line and the documents as sent (the
/// other tests).
#[test]
fn json_and_xml_are_indented_on_a_terminal() {
    // `script` (Debian's essential bsdutils) makes the terminal.
    let demo = demo();
    let url = demo.url();
    let on_coloured_terminal = |args: &str, no_color: &str| {
        let line = format!("{} {args}", env!("CARGO_BIN_EXE_xmlrpc-kit"));
        let mut script = Command::new("script");
        for name in VARIABLES {
            script.env_remove(name);
        }
        let out = script
            .env("NO_COLOR", no_color)
            .args(["-qec", &line, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .expect("run script");
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
    };
    // NO_COLOR set: plain text.
    let on_terminal = |args: &str| on_coloured_terminal(args, "1");
    let json_echo =
        format!("call --json {url} echo '{{\"a\": [1, {{\"$i8\": 2}}], \"b\": \"x\"}}'");
    let plain_json =
        "{\n  \"a\": [\n    1,\n    {\n      \"$i8\": 2\n    }\n  ],\n  \"b\": \"x\"\n}\n";
    assert_eq!(on_terminal(&json_echo), plain_json);
    // NO_COLOR empty, as unset: coloured, the same text between the
    // escapes, member names bold blue, strings green, numbers cyan.
    let coloured = on_coloured_terminal(&json_echo, "");
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[34m\"a\"\u{1b}[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\u{1b}[32m\"x\"\u{1b}[0m"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\u{1b}[36m1\u{1b}[0m"), "{coloured:?}");
    let stripped: String = coloured
        .split('\u{1b}')
        .enumerate()
        .map(|(n, part)| {
            if n == 0 {
                part
            } else {
                &part[part.find('m').unwrap() + 1..]
            }
        })
        .collect();
    assert_eq!(stripped, plain_json);
    // A string result is bare text, never coloured; piped, nothing is
    // (every other test).
    assert_eq!(
        on_coloured_terminal(&format!("call {url} echo 42x"), ""),
        "42x\n"
    );
    assert_eq!(
        on_terminal(&format!("call --xml {url} echo 'a  b'")),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodCall>\n  <methodName>echo</methodName>\n  <params>\n    <param>\n      <value>\n        <string>a  b</string>\n      </value>\n    </param>\n  </params>\n</methodCall>\n\n\
         <?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodResponse>\n  <params>\n    <param>\n      <value>\n        <string>a  b</string>\n      </value>\n    </param>\n  </params>\n</methodResponse>\n\n"
    );
}
