//! `xmlrpc-kit demo` over TLS from its flags: `--tls-cert` and
//! `--tls-key` serve the https:// listeners (a Python client with the
//! test's CA calls it), `--tls-client-ca` requires client certificates,
//! an https:// listener without a certificate is refused with the flags
//! to use, and SIGHUP reads the files again (a bad one is logged, naming
//! it, and the certificate in force serves on).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use xmlrpc_kit_test_support::pki::{Pki, pki};
use xmlrpc_kit_test_support::process::{Demo, TempDir};
use xmlrpc_kit_test_support::raw_http::add_request;
use xmlrpc_kit_test_support::tls_client::{TlsConnection, der};

const BIN: &str = env!("CARGO_BIN_EXE_xmlrpc-kit");

/// The https:// address the demo announces after its first (http://) one.
fn https_address(demo: &Demo) -> String {
    let line = demo
        .stderr
        .recv_timeout(Duration::from_secs(10))
        .expect("the https:// address within 10 s");
    let (_, address) = line.split_once("serving on ").expect("an address line");
    address.split('/').take(3).collect::<Vec<_>>().join("/")
}

/// The demo on an http:// and an https:// listener, with the certificate
/// and key in `dir` and `more` flags.
fn https_demo(dir: &Path, more: &[&str]) -> Demo {
    let cert = dir.join("cert.pem").display().to_string();
    let key = dir.join("key.pem").display().to_string();
    let mut args = vec![
        "--quiet",
        "--listen",
        "http://127.0.0.1:0",
        "--listen",
        "https://127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ];
    args.extend_from_slice(more);
    Demo::start(Path::new(BIN), &args).unwrap()
}

#[test]
fn the_demo_serves_https_from_its_flags() {
    let dir = TempDir::new("cli-tls");
    let pki = pki();
    for (name, pem) in [
        ("cert.pem", &pki.server_cert),
        ("key.pem", &pki.server_key),
        ("ca.pem", &pki.ca),
        ("client.pem", &pki.client_cert),
        ("client-key.pem", &pki.client_key),
    ] {
        std::fs::write(dir.join(name), pem).unwrap();
    }
    let path = |name: &str| dir.join(name).display().to_string();
    let demo = https_demo(&dir, &[]);
    let url = https_address(&demo).replace("127.0.0.1", "localhost");
    assert!(url.starts_with("https://localhost:"), "{url}");
    let program = format!(
        "import ssl, xmlrpc.client\n\
         context = ssl.create_default_context(cafile={ca:?})\n\
         print(xmlrpc.client.ServerProxy({url:?} + '/RPC2', context=context).pow(2, 3))\n",
        ca = path("ca.pem")
    );
    assert_eq!(
        xmlrpc_kit_test_support::python::run_ok(&["-c", &program]),
        "8\n"
    );
    // Our client trusts the system's certificates, as Python's does: here
    // the file SSL_CERT_FILE names, which holds the test's CA.
    let call = |ca_file: Option<&str>| {
        let mut command = Command::new(BIN);
        command
            .args(["call", &format!("{url}/RPC2"), "pow", "2", "3"])
            .env_remove("SSL_CERT_DIR");
        match ca_file {
            Some(file) => command.env("SSL_CERT_FILE", file),
            None => command.env_remove("SSL_CERT_FILE"),
        };
        let out = command.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(call(Some(&path("ca.pem"))), (Some(0), "8\n".to_owned()));
    // The machine's own store does not hold the test's CA.
    let (code, stdout) = call(None);
    assert_ne!(code, Some(0));
    assert_eq!(stdout, "");
    drop(demo);

    // Mutual TLS: a client without a certificate is refused, one with
    // a certificate the CA signed is answered.
    let demo = https_demo(&dir, &["--tls-client-ca", &path("ca.pem")]);
    let url = https_address(&demo).replace("127.0.0.1", "localhost");
    let call = |with_certificate: bool| {
        let load = if with_certificate {
            format!(
                "context.load_cert_chain({:?}, {:?})\n",
                path("client.pem"),
                path("client-key.pem")
            )
        } else {
            String::new()
        };
        let program = format!(
            "import ssl, xmlrpc.client\n\
             context = ssl.create_default_context(cafile={ca:?})\n\
             {load}\
             try:\n    print(xmlrpc.client.ServerProxy({url:?} + '/RPC2', context=context).pow(2, 3))\n\
             except (ssl.SSLError, ConnectionError, OSError) as e:\n    print('refused')\n",
            ca = path("ca.pem")
        );
        xmlrpc_kit_test_support::python::run_ok(&["-c", &program])
    };
    assert_eq!(call(false), "refused\n");
    assert_eq!(call(true), "8\n");
}

#[test]
fn an_https_listener_without_a_certificate_is_refused_with_the_flags() {
    let out = Command::new(BIN)
        .args(["demo", "--listen", "https://127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "xmlrpc-kit demo: an https:// listener needs --tls-cert FILE and --tls-key FILE\n"
    );
    let out = Command::new(BIN)
        .args([
            "demo",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "xmlrpc-kit demo: --tls-cert/--tls-key: /nonexistent/cert.pem: No such file or directory (os error 2)\n"
    );
}

/// Writes `pki`'s server certificate and key as `cert.pem` and `key.pem`.
fn write_server_files(dir: &Path, pki: &Pki) {
    std::fs::write(dir.join("cert.pem"), &pki.server_cert).unwrap();
    std::fs::write(dir.join("key.pem"), &pki.server_key).unwrap();
}

/// Sends SIGHUP to the demo and returns the line it logs about it.
fn hang_up(demo: &Demo) -> String {
    let status = Command::new("kill")
        .args(["-HUP", &demo.process.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    loop {
        let line = demo
            .stderr
            .recv_timeout(Duration::from_secs(10))
            .expect("a log line about SIGHUP within 10 s");
        if line.contains("SIGHUP") {
            return line;
        }
    }
}

#[test]
fn sighup_reads_the_certificate_files_again_and_a_bad_one_changes_nothing() {
    let dir = TempDir::new("cli-tls-reload");
    let path = |name: &str| dir.join(name).display().to_string();
    let (a, b) = (pki(), pki());
    write_server_files(&dir, &a);
    let demo = https_demo(&dir, &[]);
    let addr: SocketAddr = https_address(&demo)
        .trim_start_matches("https://")
        .parse()
        .unwrap();
    let both = [a.ca.as_str(), b.ca.as_str()];
    let certificate = || TlsConnection::open(addr, &both).unwrap().peer_certificate();
    let mut kept = TlsConnection::open(addr, &both).unwrap();
    assert!(kept.peer_certificate() == der(&a.server_cert), "not A's");

    // Renewed: new connections get B's certificate, the open one goes on.
    write_server_files(&dir, &b);
    let line = hang_up(&demo);
    assert!(line.contains(" INFO "), "{line}");
    assert!(
        line.ends_with(
            "SIGHUP: TLS configuration reloaded; new connections get it, open ones keep theirs"
        ),
        "{line}"
    );
    assert!(certificate() == der(&b.server_cert), "not B's");
    let answer = kept.exchange(&add_request("/RPC2")).unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.text().contains("<int>5</int>"), "{}", answer.text());

    // A bad file, then a missing one: each logged as an error naming it,
    // and B's certificate serves on.
    std::fs::write(dir.join("cert.pem"), "not a certificate").unwrap();
    let missing_key = format!(
        "{}: No such file or directory (os error 2)",
        path("key.pem")
    );
    for (change, reason) in [
        (
            None,
            format!("{}: no PEM certificate found", path("cert.pem")),
        ),
        (Some(&b), missing_key),
    ] {
        if let Some(pki) = change {
            write_server_files(&dir, pki);
            std::fs::remove_file(dir.join("key.pem")).unwrap();
        }
        let line = hang_up(&demo);
        assert!(line.contains(" ERROR "), "{line}");
        assert!(
            line.ends_with(&format!(
                "SIGHUP: TLS configuration not reloaded, the one in force still serves: \
                 --tls-cert/--tls-key: {reason}"
            )),
            "{line}"
        );
        assert!(certificate() == der(&b.server_cert), "not B's");
    }
}
