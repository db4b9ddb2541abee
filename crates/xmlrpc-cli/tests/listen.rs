//! `xmlrpc demo --listen ADDR…`: one process serving HTTP on TCP and on a
//! Unix socket and SCGI, each address printed; the socket file removed when
//! it stops.

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use xmlrpc_test_support::process::Demo;
use xmlrpc_test_support::raw_http::{exchange_on, post, scgi_request};

const POW: &str = "<methodCall><methodName>pow</methodName><params><param><value><int>2</int></value></param><param><value><int>5</int></value></param></params></methodCall>";

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
        Path::new(env!("CARGO_BIN_EXE_xmlrpc")),
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
            format!("xmlrpc demo: serving on {unix_address}"),
            format!("xmlrpc demo: serving on {scgi_address}"),
        ]
    );
    let connect = |path: &Path| {
        let s = UnixStream::connect(path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    };
    let over_unix = exchange_on(connect(&http_sock), &post("/RPC2", POW));
    assert_eq!(over_unix.status, 200);
    assert!(
        over_unix.text().contains("<int>32</int>"),
        "{}",
        over_unix.text()
    );
    let over_scgi = exchange_on(
        connect(&scgi_sock),
        &scgi_request(&[("REQUEST_METHOD", "POST")], POW.as_bytes()),
    );
    assert_eq!(over_scgi.status, 200);
    assert!(
        over_scgi.text().contains("<int>32</int>"),
        "{}",
        over_scgi.text()
    );
    let over_tcp = exchange_on(
        std::net::TcpStream::connect(demo.addr).unwrap(),
        &post("/RPC2", POW),
    );
    assert_eq!(over_tcp.status, 200);

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
