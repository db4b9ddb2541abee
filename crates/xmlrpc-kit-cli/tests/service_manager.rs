//! `xmlrpc-kit demo` as a systemd `Type=notify` service sees it: on the
//! socket `NOTIFY_SOCKET` names, `READY=1` once it listens, `WATCHDOG=1`
//! at half the `WATCHDOG_USEC` interval, and `STOPPING=1` on SIGTERM.
#![cfg(unix)]

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xmlrpc_kit_test_support::process::{Running, TempDir};

/// The next message on `socket`, within 5 s.
fn next(socket: &UnixDatagram) -> String {
    let mut buffer = [0; 512];
    let n = socket
        .recv(&mut buffer)
        .expect("a message from the demo within 5 s");
    String::from_utf8(buffer[..n].to_vec()).unwrap()
}

#[test]
fn the_demo_tells_the_service_manager_ready_alive_and_stopping() {
    let dir = TempDir::new("notify");
    let path = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut demo = Running(
        Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"))
            .args(["demo", "--port", "0", "--quiet"])
            .env("NOTIFY_SOCKET", &path)
            .env("WATCHDOG_USEC", "200000")
            .env_remove("WATCHDOG_PID")
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert_eq!(next(&socket), "READY=1\n");
    // Every 100 ms: three within a second.
    let started = Instant::now();
    for _ in 0..3 {
        assert_eq!(next(&socket), "WATCHDOG=1\n");
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    let killed = Command::new("kill")
        .args(["-TERM", &demo.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopping = std::iter::repeat_with(|| next(&socket))
        .find(|message| message != "WATCHDOG=1\n")
        .unwrap();
    assert_eq!(stopping, "STOPPING=1\n");
    let status = demo.0.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
