//! `xmlrpc-kit demo` driven by Python's own `xmlrpc.client`, and compared side
//! by side with Python's own `SimpleXMLRPCServer` (tests/python/*.py).
//! python3 is required: a missing interpreter fails these tests.

use std::path::Path;

use xmlrpc_kit_test_support::process::Demo;
use xmlrpc_kit_test_support::python::{PythonServer, run_ok as python_ok, script, scripts};

/// Starts `xmlrpc-kit demo --port 0 --quiet EXTRA…`; returns it and its port.
/// (The default flags, request logging on, are tests/newcomer.rs's.)
fn demo(extra: &[&str]) -> (Demo, u16) {
    let args: Vec<&str> = ["--quiet"].iter().chain(extra).copied().collect();
    let demo = Demo::start(Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")), &args)
        .expect("start xmlrpc-kit demo");
    let port = demo.port();
    (demo, port)
}

#[test]
fn the_python_docs_client_example_runs_verbatim() {
    let (_server, port) = demo(&[]);
    let seed = std::fs::read_to_string(scripts().join("python_docs_client.py")).unwrap();
    // The one change: the port, since tests use the port the OS picked.
    let program = seed.replace("localhost:8000", &format!("localhost:{port}"));
    assert_ne!(program, seed);
    let stdout = python_ok(&["-c", &program]);
    assert_eq!(
        stdout,
        "8\n5\n10\n['add', 'div', 'echo', 'mul', 'pow', 'system.getCapabilities', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']\n"
    );
}

#[test]
fn every_type_round_trips_through_echo() {
    let (_server, port) = demo(&[]);
    let stdout = python_ok(&[
        &script("echo_roundtrip.py"),
        &format!("http://127.0.0.1:{port}/RPC2"),
    ]);
    assert_eq!(stdout.trim(), "ok 67 cases");
}

#[test]
fn every_type_round_trips_with_a_latin1_response_encoding() {
    let (_server, port) = demo(&["--encoding", "iso-8859-1"]);
    let url = format!("http://127.0.0.1:{port}/");
    let stdout = python_ok(&[&script("echo_roundtrip.py"), &url]);
    assert_eq!(stdout.trim(), "ok 67 cases");
    // And the responses really are ISO-8859-1, with references for the rest.
    let raw = python_ok(&[
        "-c",
        &format!(
            "import urllib.request as u\nr = u.urlopen(u.Request({url:?}, data=b\"<methodCall><methodName>echo</methodName><params><param><value>\\xc3\\xa9\\xe2\\x82\\xac</value></param></params></methodCall>\", headers={{'Content-Type': 'text/xml'}}))\nprint(r.read())"
        ),
    ]);
    assert!(raw.contains("encoding=\"iso-8859-1\""), "{raw}");
    assert!(raw.contains(r"<string>\xe9&#8364;</string>"), "{raw}");
}

#[test]
fn the_instance_reaches_only_what_it_exports() {
    let (_server, port) = demo(&[]);
    let stdout = python_ok(&[
        &script("instance_escape.py"),
        &format!("http://127.0.0.1:{port}/"),
    ]);
    assert_eq!(stdout.trim(), "ok 15 names refused");
}

#[test]
fn introspection_and_multicall_match_pythons_server() {
    let (_server, port) = demo(&[]);
    let reference = PythonServer::start(&[]);
    let ref_port = reference.port;
    let stdout = python_ok(&[
        &script("compare_introspection.py"),
        &format!("http://127.0.0.1:{port}/"),
        &format!("http://127.0.0.1:{ref_port}/"),
    ]);
    assert!(stdout.starts_with("ok 10 methods, same list"), "{stdout}");
    assert!(
        stdout.contains("MultiCall [8, 5, 3, 'fault', 'fault', 10]"),
        "{stdout}"
    );
    assert!(stdout.contains("raw multicall shape ok"), "{stdout}");
}

#[test]
fn a_client_over_the_rate_limit_reads_429_with_retry_after() {
    // Two requests at once, then one every 100 s.
    let (_server, port) = demo(&["--rate-limit", "0.01", "--rate-burst", "2"]);
    let program = format!(
        r#"
import xmlrpc.client
proxy = xmlrpc.client.ServerProxy("http://127.0.0.1:{port}/RPC2")
print(proxy.add(1, 2), proxy.pow(2, 3))
try:
    proxy.add(1, 2)
except xmlrpc.client.ProtocolError as e:
    print(e.errcode, e.errmsg, e.headers["retry-after"])
"#
    );
    assert_eq!(
        python_ok(&["-c", &program]),
        "3 8\n429 Too Many Requests 100\n"
    );
}
