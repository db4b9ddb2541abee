//! TLS for the standalone server: certificates made in the test (rcgen);
//! our client and Python's `xmlrpc.client` with an SSL context for that CA
//! succeed; plain HTTP on the TLS port gets a clear 400 and the server
//! goes on; with mutual TLS, a client without a certificate is refused.

mod common;

use common::{TestServer, methods};
use xmlrpc_kit::{Client, Server, TlsConfig};
use xmlrpc_kit_test_support::pki::pki;

fn https_server(tls: TlsConfig) -> (TestServer, String) {
    let server = Server::builder(methods())
        .log_requests(false)
        .tls(tls)
        .listen(["https://127.0.0.1:0"])
        .unwrap();
    let address = server.addresses().unwrap()[0].to_string();
    assert!(address.starts_with("https://127.0.0.1:"), "{address}");
    let port = address.rsplit(':').next().unwrap().to_owned();
    (
        TestServer::serve(server),
        format!("https://localhost:{port}/RPC2"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn our_client_and_python_call_over_tls() {
    let pki = pki();
    let tls = TlsConfig::from_pem(pki.server_cert.as_bytes(), pki.server_key.as_bytes()).unwrap();
    let (_server, url) = https_server(tls);
    let client = Client::builder(&url)
        .add_root_certificates_pem(pki.ca.as_bytes())
        .build()
        .unwrap();
    assert_eq!(client.call::<i32>("add", (2, 3)).await.unwrap(), 5);

    let dir = std::env::temp_dir().join(format!("xmlrpc-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca).unwrap();
    let program = format!(
        "import ssl, xmlrpc.client\n\
         context = ssl.create_default_context(cafile={ca:?})\n\
         p = xmlrpc.client.ServerProxy({url:?}, context=context)\n\
         print(p.add(2, 3), p.echo('über'))\n",
        ca = ca_file.display().to_string()
    );
    let out = tokio::task::spawn_blocking(move || {
        xmlrpc_kit_test_support::python::run_ok(&["-c", &program])
    })
    .await
    .unwrap();
    assert_eq!(out, "5 über\n");
    std::fs::remove_dir_all(dir).unwrap();

    // Plain HTTP on the TLS port: a clear 400, and the server goes on.
    let port: u16 = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let plain = common::exchange(([127, 0, 0, 1], port).into(), &common::add_request("/RPC2"));
    assert_eq!(
        (plain.status, plain.text().as_str()),
        (400, "this port speaks HTTPS: send the request over TLS\n")
    );
    assert_eq!(client.call::<i32>("add", (2, 3)).await.unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn mutual_tls_refuses_a_client_without_a_certificate() {
    let pki = pki();
    let tls = TlsConfig::from_pem(pki.server_cert.as_bytes(), pki.server_key.as_bytes())
        .unwrap()
        .require_client_certificates(pki.ca.as_bytes())
        .unwrap();
    let (_server, url) = https_server(tls);
    let with_certificate = Client::builder(&url)
        .add_root_certificates_pem(pki.ca.as_bytes())
        .client_certificate_pem(pki.client_cert.as_bytes(), pki.client_key.as_bytes())
        .build()
        .unwrap();
    assert_eq!(
        with_certificate.call::<i32>("add", (2, 3)).await.unwrap(),
        5
    );
    let without = Client::builder(&url)
        .add_root_certificates_pem(pki.ca.as_bytes())
        .build()
        .unwrap();
    // A transport error (its text depends on whether the alert, certificate
    // required, or the connection's reset arrives first).
    let e = without.call::<i32>("add", (2, 3)).await.unwrap_err();
    assert!(
        matches!(e, xmlrpc_kit::client::Error::Transport(_)),
        "{e:?}"
    );
    // The server goes on.
    assert_eq!(
        with_certificate.call::<i32>("add", (1, 1)).await.unwrap(),
        2
    );
}

#[test]
fn tls_settings_are_checked() {
    let pki = pki();
    let e = TlsConfig::from_pem(b"not pem", pki.server_key.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "server certificate: no PEM certificate found"
    );
    let e = TlsConfig::from_pem(pki.server_cert.as_bytes(), b"no key").unwrap_err();
    assert!(e.to_string().starts_with("server key:"), "{e}");
    let e = Server::builder(methods())
        .listen(["https://127.0.0.1:0"])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "https://127.0.0.1:0: an https:// listener needs a certificate: set .tls(TlsConfig)"
    );
}
