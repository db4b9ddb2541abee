//! `xmlrpc-kit demo --cgi` behind a real CGI web server: Debian's lighttpd with
//! mod_cgi, configured in a temporary folder and started on 127.0.0.1, called
//! by Python's `xmlrpc.client`. scripts/test.sh installs lighttpd; a missing
//! lighttpd fails this test.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use xmlrpc_kit_test_support::ports::on_its_own_port;
use xmlrpc_kit_test_support::process::Running;

fn lighttpd() -> PathBuf {
    [
        "/usr/sbin/lighttpd",
        "/usr/bin/lighttpd",
        "/usr/local/sbin/lighttpd",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect(
        "lighttpd is required by this test (scripts/test.sh installs it: apt-get install lighttpd)",
    )
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(path, perms).unwrap();
}

/// lighttpd serving `xmlrpc-kit demo --cgi` at /cgi-bin/rpc.cgi; returns it, its URL and its folder.
fn start() -> (Running, String, PathBuf) {
    // Named by a count, not a port: two parallel tests may be handed the
    // same free port one after the other.
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "xmlrpc-cgi-{}-{}",
        std::process::id(),
        STARTED.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::create_dir_all(dir.join("cgi-bin")).unwrap();
    write_executable(
        &dir.join("cgi-bin/rpc.cgi"),
        &format!(
            "#!/bin/sh\nexec '{}' demo --cgi\n",
            env!("CARGO_BIN_EXE_xmlrpc-kit")
        ),
    );
    // This test's own lighttpd must be the one on the port: a port free
    // when picked may be taken by a parallel test's server before this one
    // binds it.
    let (running, port) = on_its_own_port(|port| start_on(&dir, port));
    (
        running,
        format!("http://127.0.0.1:{port}/cgi-bin/rpc.cgi"),
        dir,
    )
}

/// lighttpd with `dir`'s configuration on `port`, started.
fn start_on(dir: &Path, port: u16) -> Running {
    let conf = dir.join("lighttpd.conf");
    std::fs::write(
        &conf,
        format!(
            r#"server.modules = ( "mod_alias", "mod_cgi" )
server.document-root = "{dir}/www"
server.bind = "127.0.0.1"
server.port = {port}
server.errorlog = "{dir}/error.log"
server.breakagelog = "{dir}/cgi-stderr.log"
alias.url = ( "/cgi-bin/" => "{dir}/cgi-bin/" )
$HTTP["url"] =~ "^/cgi-bin/" {{ cgi.assign = ( ".cgi" => "" ) }}
"#,
            dir = dir.display()
        ),
    )
    .unwrap();
    let child = Command::new(lighttpd())
        .args(["-D", "-f"])
        .arg(&conf)
        .stdout(Stdio::null())
        .spawn()
        .expect("start lighttpd");
    Running(child)
}

#[test]
fn python_calls_the_demo_through_lighttpd_cgi() {
    let (_lighttpd, url, dir) = start();
    let script = format!(
        r#"
import xmlrpc.client
s = xmlrpc.client.ServerProxy({url:?}, allow_none=True)
print(s.pow(2, 3), s.add(2, 3), s.div(7, 2), s.mul(5, 2))
print(s.system.listMethods())
print(s.system.methodSignature("add")[0])
res = s.system.multicall([{{"methodName": "pow", "params": [2, 10]}}, {{"methodName": "div", "params": [1, 0]}}, {{"methodName": "echo", "params": [None]}}])
print(res)
"#
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("python3 is required");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "8 5 3 10\n\
         ['add', 'div', 'echo', 'mul', 'pow', 'system.getCapabilities', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']\n\
         ['int', 'int', 'int']\n\
         [[1024], {'faultCode': -32500, 'faultString': 'integer division or modulo by zero'}, [None]]\n"
    );
    // Request logging is on by default: each CGI run logs its line on
    // stderr, which lighttpd keeps in its breakage log.
    let request = "127.0.0.1 \"POST /cgi-bin/rpc.cgi HTTP/1.1\" 200 ";
    let wanted = [
        "pow",
        "add",
        "div",
        "mul",
        "system.listMethods",
        "system.methodSignature",
        "system.multicall",
    ];
    let started = Instant::now();
    let log = loop {
        let log = std::fs::read_to_string(dir.join("cgi-stderr.log")).unwrap_or_default();
        let access: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("/cgi-bin/rpc.cgi"))
            .collect();
        if access.len() >= wanted.len() || started.elapsed() > Duration::from_secs(5) {
            break access.join("\n");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), wanted.len(), "{log}");
    for (line, method) in lines.iter().zip(wanted) {
        assert!(
            line.contains(request) && line.contains(&format!(" {method} ")),
            "{line:?} should hold {request:?} and {method:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn raw(url: &str, request: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, _) = rest.split_once('/').unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    // The web server may reset the connection after its answer (it closes
    // while bytes are in flight); what arrived before the reset is kept.
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn get_through_lighttpd_returns_the_page_and_edge_cases_get_a_status() {
    let (_lighttpd, url, dir) = start();
    let page = raw(&url, "GET /cgi-bin/rpc.cgi HTTP/1.0\r\n\r\n");
    assert!(page.starts_with("HTTP/1.0 200"), "{page}");
    assert!(
        page.contains("Content-Type: text/html; charset=utf-8"),
        "{page}"
    );
    assert!(page.contains("<title>xmlrpc-kit demo</title>") && page.contains(r#"id="method-div""#));
    // An unknown method is refused.
    let put = raw(
        &url,
        "PUT /cgi-bin/rpc.cgi HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi",
    );
    assert!(put.starts_with("HTTP/1.0 501"), "{put}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs `xmlrpc-kit demo --cgi` directly with a CGI environment and stdin.
fn cgi(env: &[(&str, &str)], stdin: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"))
        .args(["demo", "--cgi"])
        .env_remove("REQUEST_METHOD")
        .env_remove("CONTENT_LENGTH")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A stdin that stays open: a handler that waited for more would hang here.
    input.write_all(stdin).unwrap();
    let started = Instant::now();
    let out = loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break child.wait_with_output().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the CGI program hung"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(input);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_cgi_program_answers_edge_cases_with_a_status_and_never_hangs() {
    let first = |out: String| out.lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        first(cgi(&[("REQUEST_METHOD", "POST")], b"")),
        "Status: 411 Length Required"
    );
    assert_eq!(
        first(cgi(
            &[("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "-1")],
            b""
        )),
        "Status: 400 Bad Request"
    );
    assert_eq!(
        first(cgi(
            &[("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "50000000")],
            b""
        )),
        "Status: 413 Content Too Large"
    );
    assert_eq!(
        first(cgi(&[("REQUEST_METHOD", "BREW")], b"")),
        "Status: 501 Not Implemented"
    );
    let body = b"<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>5</int></value></param></params></methodCall>";
    let out = cgi(
        &[
            ("REQUEST_METHOD", "POST"),
            ("CONTENT_LENGTH", &body.len().to_string()),
        ],
        body,
    );
    assert!(out.starts_with("Content-Type: text/xml\r\n"), "{out}");
    assert!(out.contains("<int>32</int>"), "{out}");
}
