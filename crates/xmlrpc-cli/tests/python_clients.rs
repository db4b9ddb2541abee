//! `xmlrpc demo` driven by Python's own `xmlrpc.client`, and compared side
//! by side with Python's own `SimpleXMLRPCServer` (tests/python/*.py).
//! python3 is required: a missing interpreter fails these tests.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A process stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python")
}

/// Starts `xmlrpc demo` on an OS-picked port; returns it and its port.
fn demo(extra: &[&str]) -> (Running, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xmlrpc"))
        .args(["demo", "--port", "0", "--quiet"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xmlrpc demo");
    let stderr = child.stderr.take().unwrap();
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).unwrap();
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (Running(child), port)
}

fn python(args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .output()
        .expect("python3 is required by these tests")
}

fn python_ok(args: &[&str]) -> String {
    let out = python(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python3 {args:?} failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn script(name: &str) -> String {
    scripts().join(name).to_string_lossy().into_owned()
}

#[test]
fn the_seeds_client_example_runs_verbatim() {
    let (_server, port) = demo(&[]);
    let seed = std::fs::read_to_string(scripts().join("seed_client.py")).unwrap();
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
    let dir = std::env::temp_dir().join(format!("xmlrpc-ref-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let _ = std::fs::remove_file(&port_file);
    let reference = Running(
        Command::new("python3")
            .arg(script("reference_server.py"))
            .arg(&port_file)
            .spawn()
            .expect("python3 is required by these tests"),
    );
    let started = Instant::now();
    let ref_port = loop {
        if let Ok(text) = std::fs::read_to_string(&port_file) {
            if let Ok(port) = text.trim().parse::<u16>() {
                break port;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "reference server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
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
    drop(reference);
    let _ = std::fs::remove_dir_all(dir);
}
