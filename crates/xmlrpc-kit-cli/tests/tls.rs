//! `xmlrpc-kit demo` over TLS from its flags: `--tls-cert` and
//! `--tls-key` serve the https:// listeners (a Python client with the
//! test's CA calls it), `--tls-client-ca` requires client certificates,
//! and an https:// listener without a certificate is refused with the
//! flags to use.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use xmlrpc_kit_test_support::pki::pki;
use xmlrpc_kit_test_support::process::{Demo, TempDir};

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
