//! Issue 26: every example of `xmlrpc-kit demo --help` runs as a user
//! would copy it and does what it says. Only what cannot be copied as it
//! is changes: the ports become ports the OS picks, the Unix socket and
//! the certificate files are in a temporary folder (the certificate made
//! by the test), and the Python client calls the demo the examples
//! started.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use xmlrpc_kit_test_support::pki::pki;
use xmlrpc_kit_test_support::process::{Running, TempDir, help_examples, shell_words};
use xmlrpc_kit_test_support::raw_http::exchange;

const BIN: &str = env!("CARGO_BIN_EXE_xmlrpc-kit");

/// A server an example started, and the addresses it said it serves on
/// (`http://127.0.0.1:PORT`, `unix:///PATH`, `scgi://127.0.0.1:PORT`…).
struct Started {
    process: Running,
    addresses: Vec<String>,
    stderr: mpsc::Receiver<String>,
}

/// Starts `words` (an `xmlrpc-kit demo …` line) and waits for each of its
/// addresses.
fn start(words: &[String]) -> Started {
    assert_eq!(words[..2], ["xmlrpc-kit", "demo"], "{words:?}");
    let listeners = words.iter().filter(|w| *w == "--listen").count().max(1);
    let mut child = Command::new(BIN)
        .args(&words[1..])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let process = Running(child);
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let addresses = (0..listeners)
        .map(|_| {
            let line = lines
                .recv_timeout(Duration::from_secs(20))
                .expect("an address within 20 s");
            let (_, address) = line.split_once("serving on ").expect(&line);
            let address = address.split(" and ").next().unwrap();
            address.trim_end_matches('/').to_owned()
        })
        .collect();
    Started {
        process,
        addresses,
        stderr: lines,
    }
}

/// `xmlrpc-kit ARGS…`: its exit code and stdout.
fn xmlrpc_kit(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `pow(2, 3)` through the CLI at `url`.
fn pow(url: &str, env: &[(&str, &str)]) -> (i32, String) {
    xmlrpc_kit(&["call", url, "pow", "2", "3"], env)
}

#[test]
fn every_example_in_the_demos_help_runs() {
    let examples = help_examples(Path::new(BIN), "demo");
    assert_eq!(examples.len(), 6, "{examples:#?}");
    let dir = TempDir::new("demo-help");
    let socket = dir.join("demo.sock").display().to_string();
    let pki = pki();
    std::fs::write(dir.join("cert.pem"), &pki.server_cert).unwrap();
    std::fs::write(dir.join("key.pem"), &pki.server_key).unwrap();
    std::fs::write(dir.join("ca.pem"), &pki.ca).unwrap();
    let in_dir = |name: &str| dir.join(name).display().to_string();
    // The ports the examples name, each one the OS picks instead.
    let own_ports = |line: &str| {
        let mut line = line
            .replace("127.0.0.1:8000", "127.0.0.1:0")
            .replace("127.0.0.1:5000", "127.0.0.1:0")
            .replace("127.0.0.1:8443", "127.0.0.1:0")
            .replace("--port 9000", "--port 0")
            .replace("unix:///tmp/demo.sock", &format!("unix://{socket}"))
            .replace(" cert.pem", &format!(" {}", in_dir("cert.pem")))
            .replace(" key.pem", &format!(" {}", in_dir("key.pem")));
        if line.starts_with("xmlrpc-kit demo")
            && !line.contains("--port")
            && !line.contains("--listen")
        {
            line.push_str(" --port 0");
        }
        shell_words(&line)
    };

    // xmlrpc-kit demo: the page on GET, the methods on POST, a line a
    // request on stderr.
    let demo = start(&own_ports(&examples[0]));
    let url = demo.addresses[0].clone();
    let addr = url.trim_start_matches("http://").parse().unwrap();
    let page = exchange(addr, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_eq!(page.status, 200);
    let page = String::from_utf8_lossy(&page.body);
    assert!(
        page.contains("<h1>The example server of Python's xmlrpc.server documentation</h1>"),
        "{page}"
    );
    assert_eq!(pow(&url, &[]), (0, "8\n".to_owned()));
    let logged = demo.stderr.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(logged.contains("\"GET / HTTP/1.1\" 200"), "{logged}");

    // python3 -c "…ServerProxy('http://127.0.0.1:8000').pow(2, 3)": against
    // that demo.
    let python = shell_words(&examples[3].replace("http://127.0.0.1:8000", &url));
    assert_eq!(python[0], "python3");
    let args: Vec<&str> = python[1..].iter().map(String::as_str).collect();
    assert_eq!(xmlrpc_kit_test_support::python::run_ok(&args), "8\n");
    drop(demo);

    // --port 9000 --quiet: serves, and logs no request.
    let quiet = start(&own_ports(&examples[1]));
    assert_eq!(pow(&quiet.addresses[0], &[]), (0, "8\n".to_owned()));
    assert!(
        quiet
            .stderr
            .recv_timeout(Duration::from_millis(500))
            .is_err(),
        "--quiet logged a request"
    );
    drop(quiet);

    // Three listeners: HTTP, HTTP on a Unix socket, SCGI.
    let three = start(&own_ports(&examples[2]));
    assert_eq!(three.addresses.len(), 3, "{:?}", three.addresses);
    assert_eq!(three.addresses[1], format!("unix://{socket}"));
    assert!(
        three.addresses[2].starts_with("scgi://127.0.0.1:"),
        "{:?}",
        three.addresses
    );
    for url in &three.addresses {
        assert_eq!(pow(url, &[]), (0, "8\n".to_owned()), "{url}");
    }
    drop(three);

    // HTTPS from the certificate files, read again on SIGHUP.
    let tls = start(&own_ports(&examples[4]));
    let url = tls.addresses[0].replace("127.0.0.1", "localhost");
    assert!(url.starts_with("https://localhost:"), "{url}");
    let trusted = [("SSL_CERT_FILE", in_dir("ca.pem"))];
    let trusted: Vec<(&str, &str)> = trusted.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(pow(&url, &trusted), (0, "8\n".to_owned()));
    let hup = Command::new("kill")
        .args(["-HUP", &tls.process.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let reloaded = std::iter::from_fn(|| tls.stderr.recv_timeout(Duration::from_secs(10)).ok())
        .find(|line| line.contains("SIGHUP"))
        .expect("a line about SIGHUP within 10 s of the last");
    assert!(
        reloaded.ends_with(
            "SIGHUP: TLS configuration reloaded; new connections get it, open ones keep theirs"
        ),
        "{reloaded}"
    );
    assert_eq!(pow(&url, &trusted), (0, "8\n".to_owned()));
    drop(tls);

    // --cgi: one request from the CGI environment and stdin.
    let words = shell_words(&examples[5]);
    let body = b"<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>";
    let mut cgi = Command::new(BIN)
        .args(&words[1..])
        .env("REQUEST_METHOD", "POST")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    cgi.stdin.take().unwrap().write_all(body).unwrap();
    let out = cgi.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.starts_with("Content-Type: text/xml\r\n"), "{out}");
    assert!(out.contains("<int>8</int>"), "{out}");
}
