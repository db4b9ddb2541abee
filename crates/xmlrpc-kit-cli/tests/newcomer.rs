//! The product as a newcomer runs it: `xmlrpc-kit demo` exactly as the README's
//! first command starts it (request logging on, nothing but the port
//! changed), its stderr read while it serves, called by the Python
//! client verbatim and by a plain GET of the documentation page. Every
//! other test may pass `--quiet`; this one must not.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use xmlrpc_kit_test_support::process::Demo;
use xmlrpc_kit_test_support::python::scripts;

/// Runs `program` with python3, failing the test if it takes over 30 s
/// (a server that answers nothing makes the client wait forever).
fn python_within_30s(program: &str) -> String {
    let mut child = Command::new("python3")
        .args(["-c", program])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is required by this test");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stdout = String::new();
            let mut stderr = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut stdout)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            assert!(status.success(), "python3 failed:\n{stdout}\n{stderr}");
            return stdout;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the documentation's client got no answer within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn get_page(port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("the documentation page arrives");
    response
}

/// Collects stderr lines until every one of `wanted` has matched a line,
/// or 10 s have passed.
fn log_lines_matching(lines: &mpsc::Receiver<String>, wanted: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while !wanted
        .iter()
        .all(|w| seen.iter().any(|l: &String| l.contains(w)))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    seen
}

#[test]
fn the_readme_demo_answers_with_request_logging_on() {
    // `xmlrpc-kit demo` with its default flags; only the port is the OS's pick.
    let demo = Demo::start(Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")), &[])
        .expect("start xmlrpc-kit demo");
    let (port, lines) = (demo.port(), &demo.stderr);

    let seed = std::fs::read_to_string(scripts().join("python_docs_client.py")).unwrap();
    let program = seed.replace("localhost:8000", &format!("localhost:{port}"));
    assert_ne!(
        program, seed,
        "the documentation's client names localhost:8000"
    );
    assert_eq!(
        python_within_30s(&program),
        "8\n5\n10\n['add', 'div', 'echo', 'mul', 'pow', 'system.getCapabilities', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']\n"
    );

    let page = get_page(port);
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page:.200}");
    assert!(
        page.contains("<title>xmlrpc-kit demo</title>"),
        "{page:.400}"
    );

    // One access-log line per request, in the order they were made.
    let wanted = [
        "\"POST /RPC2 HTTP/1.1\" 200 131 pow ",
        "\"POST /RPC2 HTTP/1.1\" 200 131 add ",
        "\"POST /RPC2 HTTP/1.1\" 200 132 mul ",
        "\"POST /RPC2 HTTP/1.1\" 200 578 system.listMethods ",
        "\"GET / HTTP/1.1\" 200 ",
    ];
    let seen = log_lines_matching(lines, &wanted);
    let access: Vec<&String> = seen.iter().filter(|l| l.contains("127.0.0.1 \"")).collect();
    assert_eq!(access.len(), wanted.len(), "access log lines: {seen:#?}");
    for (line, wanted) in access.iter().zip(wanted) {
        assert!(line.contains(wanted), "{line:?} should hold {wanted:?}");
        // stderr is a pipe here, not a terminal: no colour codes.
        assert!(!line.contains('\u{1b}'), "colour codes in {line:?}");
    }
}
