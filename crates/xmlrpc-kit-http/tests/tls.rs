//! TLS for the standalone server: certificates made in the test (rcgen);
//! our client and Python's `xmlrpc.client` with an SSL context for that CA
//! succeed; plain HTTP on the TLS port gets a clear 400 and the server
//! goes on; with mutual TLS, a client without a certificate is refused;
//! a reload serves new connections the new certificate while open ones
//! keep theirs; a rustls configuration of the user's own serves as it is;
//! errors about certificate files name the file.

mod common;

use std::sync::Arc;

use common::{TestServer, methods};
use xmlrpc_kit::{Client, Server, TlsConfig};
use xmlrpc_kit_test_support::pki::{Pki, pki};
use xmlrpc_kit_test_support::tls_client::{TlsConnection, der};

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
    let (_server, url) = https_server(from_pem(&pki));
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
    let tls = from_pem(&pki)
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

fn from_pem(pki: &Pki) -> TlsConfig {
    TlsConfig::from_pem(pki.server_cert.as_bytes(), pki.server_key.as_bytes()).unwrap()
}

/// The answer to `add(2, 3)` on `connection`: its status and result.
fn add_on(connection: &mut TlsConnection) -> (u16, bool) {
    let response = connection
        .exchange(&common::add_request("/RPC2"))
        .expect("an answer");
    (response.status, response.text().contains("<int>5</int>"))
}

#[test]
fn a_reload_serves_new_connections_the_new_certificate_and_open_ones_keep_theirs() {
    let (a, b) = (pki(), pki());
    let server = Server::builder(methods())
        .log_requests(false)
        .tls(from_pem(&a))
        .listen(["https://127.0.0.1:0"])
        .unwrap();
    let reload = server.tls_reload_handle().expect("a TLS server's handle");
    let server = TestServer::serve(server);
    let both = [a.ca.as_str(), b.ca.as_str()];

    let mut kept = TlsConnection::open(server.addr, &both).unwrap();
    assert!(kept.peer_certificate() == der(&a.server_cert), "not A's");
    assert_eq!(add_on(&mut kept), (200, true));

    reload.reload(from_pem(&b));
    let mut fresh = TlsConnection::open(server.addr, &both).unwrap();
    assert!(fresh.peer_certificate() == der(&b.server_cert), "not B's");
    assert_eq!(add_on(&mut fresh), (200, true));
    // A client that trusts only A's CA can no longer connect.
    let e = TlsConnection::open(server.addr, &[&a.ca]).unwrap_err();
    assert!(e.to_string().contains("UnknownIssuer"), "{e}");
    // The connection opened before the reload goes on with A's.
    assert!(kept.peer_certificate() == der(&a.server_cert), "not A's");
    assert_eq!(add_on(&mut kept), (200, true));
}

#[test]
fn a_rustls_configuration_of_ones_own_serves_as_it_is() {
    let pki = pki();
    let chain = vec![der(&pki.server_cert).into()];
    let key = {
        use xmlrpc_kit::rustls::pki_types::{PrivateKeyDer, pem::PemObject as _};
        PrivateKeyDer::from_pem_slice(pki.server_key.as_bytes()).unwrap()
    };
    let provider = Arc::new(xmlrpc_kit::rustls::crypto::ring::default_provider());
    let mut config = xmlrpc_kit::rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&xmlrpc_kit::rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();

    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let e = TlsConfig::from_server_config(Arc::new(config.clone())).unwrap_err();
    assert_eq!(
        e.to_string(),
        "rustls::ServerConfig: its ALPN protocols offer h2, but this server speaks \
         HTTP/1.1 only: offer http/1.1 (or nothing)"
    );

    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tls = TlsConfig::from_server_config(Arc::new(config)).unwrap();
    assert_eq!(
        format!("{tls:?}"),
        r#"TlsConfig { source: "rustls::ServerConfig", .. }"#
    );
    let e = tls
        .clone()
        .require_client_certificates(pki.ca.as_bytes())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "require_client_certificates: this TlsConfig is a rustls::ServerConfig of your \
         own: set its client certificate verifier there"
    );
    let server = Server::builder(methods())
        .log_requests(false)
        .tls(tls)
        .listen(["https://127.0.0.1:0"])
        .unwrap();
    let server = TestServer::serve(server);
    let mut connection = TlsConnection::open(server.addr, &[&pki.ca]).unwrap();
    assert!(connection.peer_certificate() == der(&pki.server_cert));
    assert_eq!(add_on(&mut connection), (200, true));
}

#[test]
fn certificate_files_errors_name_the_file() {
    let (a, b) = (pki(), pki());
    let dir = xmlrpc_kit_test_support::process::TempDir::new("tls-files");
    let path = |name: &str| dir.join(name).display().to_string();
    for (name, pem) in [
        ("cert.pem", a.server_cert.as_str()),
        ("key.pem", &a.server_key),
        ("other-key.pem", &b.server_key),
        ("empty.pem", ""),
    ] {
        std::fs::write(dir.join(name), pem).unwrap();
    }
    let error = |cert: &str, key: &str| {
        TlsConfig::from_pem_files(path(cert), path(key))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error("empty.pem", "key.pem"),
        format!("{}: no PEM certificate found", path("empty.pem"))
    );
    assert!(
        error("cert.pem", "empty.pem").starts_with(&format!("{}: ", path("empty.pem"))),
        "{}",
        error("cert.pem", "empty.pem")
    );
    assert_eq!(
        error("cert.pem", "other-key.pem"),
        format!(
            "{} and {}: the key is not the certificate's",
            path("cert.pem"),
            path("other-key.pem")
        )
    );
    assert_eq!(
        format!(
            "{:?}",
            TlsConfig::from_pem_files(path("cert.pem"), path("key.pem")).unwrap()
        ),
        "TlsConfig { certificates: 1, client_certificates_required: false, .. }"
    );
}
