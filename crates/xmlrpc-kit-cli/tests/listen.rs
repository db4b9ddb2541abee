//! `xmlrpc-kit demo --listen ADDR…`: one process serving HTTP on TCP and on a
//! Unix socket and SCGI, each address printed; the socket file removed when
//! it stops. And whose address it logs behind a trusted proxy
//! (`--trusted-proxies`, `--proxy-header`).

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use xmlrpc_kit_test_support::process::Demo;
use xmlrpc_kit_test_support::raw_http::{HttpResponse, exchange, exchange_on, post, scgi_request};

const POW: &str = "<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>5</int></value></param></params></methodCall>";

/// The demo's answer to [`POW`]: 2⁵.
fn assert_answers_pow(response: &HttpResponse) {
    assert_eq!(response.status, 200, "{}", response.text());
    assert!(
        response.text().contains("<int>32</int>"),
        "{}",
        response.text()
    );
}

#[test]
fn the_demo_serves_every_address_it_is_given() {
    let dir = std::env::temp_dir().join(format!("xmlrpc-demo-listen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let http_sock = dir.join("demo.sock");
    let scgi_sock = dir.join("scgi.sock");
    let unix_address = format!("unix://{}", http_sock.display());
    let scgi_address = format!("scgi://{}", scgi_sock.display());
    let mut demo = Demo::start(
        Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")),
        &[
            "--quiet",
            "--listen",
            "http://127.0.0.1:0",
            "--listen",
            &unix_address,
            "--listen",
            &scgi_address,
        ],
    )
    .unwrap();
    // Each address is printed, in order.
    let printed: Vec<String> = (0..2)
        .map(|_| demo.stderr.recv_timeout(Duration::from_secs(5)).unwrap())
        .collect();
    assert_eq!(
        printed,
        [
            format!("xmlrpc-kit demo: serving on {unix_address}"),
            format!("xmlrpc-kit demo: serving on {scgi_address}"),
        ]
    );
    let connect = |path: &Path| {
        let s = UnixStream::connect(path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    };
    assert_answers_pow(&exchange_on(connect(&http_sock), &post("/RPC2", POW)));
    assert_answers_pow(&exchange_on(
        connect(&scgi_sock),
        &scgi_request(&[("REQUEST_METHOD", "POST")], POW.as_bytes()),
    ));
    assert_answers_pow(&exchange_on(
        std::net::TcpStream::connect(demo.addr).unwrap(),
        &post("/RPC2", POW),
    ));

    // Stopped by SIGTERM: exits 0 and removes its socket files.
    let status = std::process::Command::new("kill")
        .args(["-TERM", &demo.process.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = demo.process.0.wait().unwrap();
    assert!(exited.success());
    assert!(!http_sock.exists() && !scgi_sock.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// The client named by the access-log line of a call made from 127.0.0.1
/// (trusted as a proxy) with a forged `Forwarded` and an
/// `X-Forwarded-For` naming 203.0.113.9, to `xmlrpc-kit demo ARGS…`.
fn logged_client(args: &[&str]) -> String {
    let demo = Demo::start(Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")), args).unwrap();
    let raw = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\n\
         Forwarded: for=198.51.100.7\r\nX-Forwarded-For: 198.51.100.8, 203.0.113.9\r\n\
         Content-Length: {}\r\n\r\n{POW}",
        POW.len()
    );
    let answer = exchange(demo.addr, raw.as_bytes());
    assert_eq!(answer.status, 200, "{}", answer.text());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = demo
            .stderr
            .recv_timeout(left)
            .expect("an access-log line within 10 s");
        if let Some((_, after)) = line.split_once("xmlrpc_kit::access: ") {
            let (client, rest) = after.split_once(' ').unwrap();
            assert!(rest.starts_with("\"POST /RPC2 HTTP/1.1\" 200 "), "{line}");
            return client.to_owned();
        }
    }
}

#[test]
fn the_demo_logs_the_client_a_trusted_proxy_forwards_for_in_its_header_only() {
    let trusting: &[&str] = &["--trusted-proxies", "127.0.0.1"];
    let cases: [(&[&str], &[&str], &str); 4] = [
        // X-Forwarded-For by default: the forged Forwarded is ignored.
        (trusting, &[], "203.0.113.9"),
        (
            trusting,
            &["--proxy-header", "x-forwarded-for"],
            "203.0.113.9",
        ),
        // Behind proxies that write Forwarded, X-Forwarded-For is ignored.
        (trusting, &["--proxy-header", "Forwarded"], "198.51.100.7"),
        // Not trusting 127.0.0.1, neither header is believed.
        (&[], &["--proxy-header", "forwarded"], "127.0.0.1"),
    ];
    for (trust, header, client) in cases {
        let args = [trust, header].concat();
        assert_eq!(logged_client(&args), client, "{args:?}");
    }
}

#[test]
fn the_proxy_header_is_documented_and_checked() {
    let xmlrpc = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"))
            .args(args)
            .output()
            .unwrap()
    };
    let help = xmlrpc(&["demo", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("--proxy-header <HEADER>")
            && help.contains("x-forwarded-for (nginx's $proxy_add_x_forwarded_for")
            && help.contains("[default: x-forwarded-for]"),
        "{help}"
    );
    let wrong = xmlrpc(&["demo", "--proxy-header", "x-real-ip"]);
    assert_eq!(wrong.status.code(), Some(2));
    let said = String::from_utf8(wrong.stderr).unwrap();
    assert!(
        said.contains(
            "invalid value 'x-real-ip' for '--proxy-header <HEADER>': \"x-real-ip\" is not a forwarding header: x-forwarded-for or forwarded"
        ),
        "{said}"
    );
}
