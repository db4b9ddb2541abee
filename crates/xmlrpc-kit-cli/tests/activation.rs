//! Sockets handed in from outside: `xmlrpc-kit demo --listen systemd` started
//! by Debian's `systemd-socket-activate` (which works without systemd
//! running), on a TCP socket (HTTP) and a Unix socket named `scgi`; and
//! SO_REUSEPORT. scripts/test.sh installs `systemd` when the tool is
//! missing; a missing tool fails this test.

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use xmlrpc_kit_test_support::ports::on_its_own_port;
use xmlrpc_kit_test_support::process::Running;
use xmlrpc_kit_test_support::raw_http::{exchange_on, post, scgi_request};

const POW: &str = "<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>7</int></value></param></params></methodCall>";

#[test]
fn systemd_socket_activation_hands_the_demo_its_sockets() {
    let dir = std::env::temp_dir().join(format!("xmlrpc-activate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sock = dir.join("scgi.sock");
    // The port is systemd-socket-activate's own once it listens there (a
    // parallel test may take a port found free first).
    let (mut server, port) = on_its_own_port(|port| {
        let _ = std::fs::remove_file(&sock);
        Running(
            Command::new("systemd-socket-activate")
                .arg("-l")
                .arg(format!("127.0.0.1:{port}"))
                .arg("-l")
                .arg(&sock)
                .arg("--fdname=http:scgi")
                .arg(env!("CARGO_BIN_EXE_xmlrpc-kit"))
                .args(["demo", "--listen", "systemd", "--quiet"])
                .stderr(Stdio::piped())
                .spawn()
                .expect(
                    "systemd-socket-activate is required (scripts/test.sh installs the systemd package)",
                ),
        )
    });
    let stderr = server.0.stderr.take().unwrap();
    // It says where it listens, then waits for a first connection to start us.
    let mut lines = BufReader::new(stderr).lines();
    for _ in 0..2 {
        let line = lines.next().unwrap().unwrap();
        assert!(line.starts_with("Listening on"), "{line}");
    }
    std::thread::spawn(move || for _ in lines {});

    let over_tcp = exchange_on(
        std::net::TcpStream::connect(("127.0.0.1", port)).unwrap(),
        &post("/RPC2", POW),
    );
    assert_eq!(over_tcp.status, 200, "{}", over_tcp.text());
    assert!(
        over_tcp.text().contains("<int>128</int>"),
        "{}",
        over_tcp.text()
    );
    let scgi = UnixStream::connect(&sock).unwrap();
    scgi.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let over_scgi = exchange_on(
        scgi,
        &scgi_request(&[("REQUEST_METHOD", "POST")], POW.as_bytes()),
    );
    assert_eq!(over_scgi.status, 200, "{}", over_scgi.text());
    assert!(over_scgi.text().contains("<int>128</int>"));

    // The activator exec'd the demo in its own process: SIGTERM stops it, exit 0.
    let pid = server.pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(server.0.wait().unwrap().success());
    // The handed-in socket's file is its owner's: left where it was.
    assert!(sock.exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_demo_without_handed_in_sockets_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"))
        .args(["demo", "--listen", "systemd"])
        .env_remove("LISTEN_FDS")
        .env_remove("LISTEN_PID")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no socket was handed in"), "{stderr}");
}
