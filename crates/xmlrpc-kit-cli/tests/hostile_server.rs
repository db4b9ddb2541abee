//! The `xmlrpc-kit` command against a hostile server: what
//! the server sent (an HTTP error body, an SCGI status reason, a fault
//! string, a string value, a document quoted by a decode error) reaches
//! stdout and stderr escaped, never as a raw control or bidi character, and
//! `--json` still parses to the exact string.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use xmlrpc_kit::untrusted_text::is_display_control;

/// A server on 127.0.0.1 that answers every connection with the same
/// bytes, once the request has arrived; stopped when dropped.
struct FixedAnswer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FixedAnswer {
    fn start(answer: impl Into<Vec<u8>>) -> Self {
        let answer = answer.into();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                // Over HTTP and SCGI alike the request ends with its body.
                let mut got = Vec::new();
                let mut buf = [0u8; 8192];
                while !got.windows(13).any(|w| w == b"</methodCall>") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(&answer);
            }
        });
        FixedAnswer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    /// Answers HTTP 200 with `body` as `text/xml`.
    fn xml(body: &str) -> Self {
        Self::start(format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ))
    }

    fn url(&self) -> String {
        format!("http://{}/RPC2", self.addr)
    }
}

impl Drop for FixedAnswer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs `xmlrpc-kit ARGS…`: exit code, stdout, stderr; checks that neither
/// holds a raw control or bidi character other than line ends (and tabs
/// on stdout, where a string result keeps them).
fn xmlrpc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"))
        .args(args)
        .output()
        .expect("run xmlrpc");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    for (name, text, allowed) in [("stdout", &stdout, "\n\t"), ("stderr", &stderr, "\n")] {
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| is_display_control(c) && !allowed.contains(c))
            .collect();
        assert!(raw.is_empty(), "raw {raw:?} on {name}: {text:?}");
    }
    (out.status.code().expect("exited"), stdout, stderr)
}

fn response(value: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodResponse><params><param><value>{value}</value></param></params></methodResponse>"
    )
}

fn fault(code: i32, string: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>\
         <member><name>faultCode</name><value><int>{code}</int></value></member>\
         <member><name>faultString</name><value><string>{string}</string></value></member>\
         </struct></value></fault></methodResponse>"
    )
}

#[test]
fn an_http_error_body_cannot_retitle_or_clear_the_terminal() {
    let body = "<html>\x1b]0;PWNED\x07\x1b[2J\u{9b}2J\u{202e}oops</html>\n";
    let server = FixedAnswer::start(format!(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    assert_eq!(
        xmlrpc(&["call", &server.url(), "pow", "2", "3"]),
        (
            3,
            String::new(),
            format!(
                "xmlrpc-kit: {} answered HTTP 500 Internal Server Error: {}\n",
                server.addr, r"<html>\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}2J\u{202e}oops</html>"
            )
        )
    );
}

#[test]
fn an_scgi_status_reason_is_escaped() {
    let server = FixedAnswer::start(
        "Status: 502 Bad\x1b]0;PWNED\x07 Gateway\r\nContent-Type: text/plain\r\n\r\nno\rway\n",
    );
    let url = format!("scgi://{}", server.addr);
    assert_eq!(
        xmlrpc(&["call", &url, "pow", "2", "3"]),
        (
            3,
            String::new(),
            format!(
                "xmlrpc-kit: {url} answered HTTP 502 {}: {}\n",
                r"Bad\u{1b}]0;PWNED\u{7} Gateway", r"no\rway"
            )
        )
    );
}

/// The probe's forged line: a fault string holding CR LF and text that
/// looks like the command's own message.
#[test]
fn a_fault_string_cannot_forge_a_line() {
    let server = FixedAnswer::xml(&fault(
        4,
        "bad&#13;&#10;xmlrpc: fake second line&#x202E;&#x9B;",
    ));
    let url = server.url();
    assert_eq!(
        xmlrpc(&["call", &url, "pow"]),
        (
            1,
            String::new(),
            "xmlrpc-kit: fault 4: bad\\r\\nxmlrpc: fake second line\\u{202e}\\u{9b}\n".into()
        )
    );
    // JSON for scripts: the exact string, its controls as JSON escapes.
    let (code, out, err) = xmlrpc(&["call", "--json", &url, "pow"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "{\"faultCode\":4,\"faultString\":\"bad\\r\\nxmlrpc: fake second line\\u202e\\u009b\"}\n"
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["faultString"],
        "bad\r\nxmlrpc: fake second line\u{202e}\u{9b}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // In a multicall, the fault's line is one line too.
    let batch = response(
        "<array><data><value><struct>\
         <member><name>faultCode</name><value><int>4</int></value></member>\
         <member><name>faultString</name><value><string>x&#10;pow(2, 3): 8</string></value></member>\
         </struct></value></data></array>",
    );
    let server = FixedAnswer::xml(&batch);
    assert_eq!(
        xmlrpc(&["multicall", &server.url(), "pow(1, 1)"]),
        (
            1,
            "pow(1, 1): fault 4: x\\npow(2, 3): 8\n".into(),
            String::new()
        )
    );
}

#[test]
fn a_string_value_with_csi_and_bidi_is_shown_escaped_and_exact_in_json() {
    let server = FixedAnswer::xml(&response(
        "<string>a&#x9B;2J&#x202E;b&#x2066;\tc&#10;d\\</string>",
    ));
    let url = server.url();
    // On its own: line feeds and tabs as they are, the rest escaped.
    assert_eq!(
        xmlrpc(&["call", &url, "echo"]),
        (
            0,
            "a\\u{9b}2J\\u{202e}b\\u{2066}\tc\nd\\\\\n".into(),
            String::new()
        )
    );
    let (code, out, _) = xmlrpc(&["call", "--json", &url, "echo"]);
    assert_eq!(code, 0);
    assert_eq!(out, "\"a\\u009b2J\\u202eb\\u2066\\tc\\nd\\\\\"\n");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json, "a\u{9b}2J\u{202e}b\u{2066}\tc\nd\\");
    // --xml is the exact document, as the server sent it.
    let (code, out, _) = xmlrpc(&["call", "--xml", &url, "echo"]);
    assert_eq!(code, 0);
    assert!(out.contains("a&#x9B;2J&#x202E;b"), "{out}");
    // Nested, quoted: every control escaped.
    let server = FixedAnswer::xml(&response(
        "<array><data><value><string>x&#10;\u{202e}\"</string></value></data></array>",
    ));
    assert_eq!(
        xmlrpc(&["call", &server.url(), "echo"]),
        (0, "[\n  \"x\\n\\u{202e}\\\"\"\n]\n".into(), String::new())
    );
    // In a multicall, a string result stays on its call's line.
    let server = FixedAnswer::xml(&response(
        "<array><data><value><array><data><value><string>x&#10;pow(2, 3): 8</string></value></data></array></value></data></array>",
    ));
    assert_eq!(
        xmlrpc(&["multicall", &server.url(), "echo(1)"]),
        (0, "echo(1): x\\npow(2, 3): 8\n".into(), String::new())
    );
}

#[test]
fn names_help_and_decode_errors_are_escaped() {
    let server = FixedAnswer::xml(&response(
        "<array><data><value>pow</value><value>evil&#10;\u{202e}fdp.exe</value></data></array>",
    ));
    assert_eq!(
        xmlrpc(&["list", &server.url()]),
        (0, "pow\nevil\\n\\u{202e}fdp.exe\n".into(), String::new())
    );
    // Help text keeps its lines; its other controls are escaped.
    let server = FixedAnswer::xml(&response(
        "<string>Line one.&#10;Line two&#x9B;2J is &#x202E;here.</string>",
    ));
    let (code, out, _) = xmlrpc(&["help", &server.url(), "pow"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Line one.\nLine two\\u{9b}2J is \\u{202e}here.\n\n"),
        "{out}"
    );
    // A decode error quotes the member's name from the document.
    let server = FixedAnswer::xml(&response(
        "<struct><member><name>n&#10;xmlrpc: fake&#x202E;</name><value><int>x</int></value></member></struct>",
    ));
    let (code, out, err) = xmlrpc(&["call", &server.url(), "echo"]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert!(
        err.starts_with("xmlrpc-kit: the response is not valid XML-RPC: line 1"),
        "{err}"
    );
    assert!(
        err.ends_with("(in param 1 › struct member \"n\\nxmlrpc: fake\\u{202e}\")\n"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A server on 127.0.0.1 that answers the first request with an endless
/// body, a byte every 50 ms, until the client goes (or 20 s pass).
fn endless_body() -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buf = [0u8; 8192];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        for _ in 0..400 {
            if stream.write_all(b"1\r\n<\r\n").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    (addr, thread)
}

/// Answers that are not XML-RPC, or not whole, or never end: each a clear
/// error saying what was wrong, with the exit code of a transport failure
/// (3, as `--help` documents), within the call's timeout.
#[test]
fn broken_answers_are_clear_errors_within_the_timeout() {
    let http = |head: &str, body: &str| {
        format!(
            "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let cases = [
        (
            http("200 OK\r\nContent-Type: text/xml", "\u{1}not XML at all"),
            "the response is not valid XML-RPC: line 1, column 1: U+0001 cannot appear in an XML 1.0 document",
        ),
        (
            // 500 bytes announced, 46 sent.
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 500\r\nConnection: close\r\n\r\n\
             <?xml version=\"1.0\"?><methodResponse><params>"
                .into(),
            "the response body could not be read (from 127.0.0.1:PORT): end of file before message length reached",
        ),
        (
            http(
                "200 OK\r\nContent-Type: text/html",
                "<html><body><h1>Site maintenance</h1></body></html>",
            ),
            "the response is not valid XML-RPC: line 1, column 1: expected <methodResponse>, found <html>",
        ),
        (
            // Redirects are not followed (nor are they by Python's client).
            http("302 Found\r\nLocation: /RPC2", ""),
            "127.0.0.1:PORT answered HTTP 302 Found",
        ),
        (
            http("200 OK\r\nContent-Type: text/xml", ""),
            "the response is not valid XML-RPC: line 1, column 1: the document ends early: expected <methodResponse>",
        ),
    ];
    for (answer, said) in cases {
        let server = FixedAnswer::start(answer);
        let (code, out, err) = xmlrpc(&["call", "--timeout", "3", &server.url(), "add", "2", "3"]);
        let said = said.replace("PORT", &server.addr.port().to_string());
        assert_eq!((code, out.as_str()), (3, ""), "{err}");
        assert!(err.starts_with(&format!("xmlrpc-kit: {said}")), "{err}");
    }
    // An endless body: cut at the call's timeout.
    let (addr, thread) = endless_body();
    let (code, out, err) = xmlrpc(&[
        "call",
        "--timeout",
        "1",
        &format!("http://{addr}/RPC2"),
        "add",
        "2",
        "3",
    ]);
    assert_eq!(
        (code, out.as_str(), err),
        (
            3,
            "",
            format!("xmlrpc-kit: no complete response from {addr} within 1s\n")
        )
    );
    thread.join().unwrap();
}
