//! HTTPS with mutual TLS: the server's certificate and key from PEM
//! files, client certificates required from one CA; a client that
//! presents one.
//!
//! Run with `cargo run -p xmlrpc-kit --example tls --features tls -- CERT KEY CLIENT_CA`.

use std::io::stderr;
use xmlrpc_kit::{Methods, Server, TlsConfig};

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_function("add", |x: i64, y: i64| x + y);
    methods
}

fn server(tls: TlsConfig) -> xmlrpc_kit::ServerBuilder {
    Server::builder(methods()).tls(tls)
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cert, key, client_ca] = args.as_slice() else {
        eprintln!("usage: tls CERT.pem KEY.pem CLIENT_CA.pem");
        std::process::exit(2);
    };
    let tls = TlsConfig::from_pem_files(cert, key)?
        .require_client_certificates(&std::fs::read(client_ca)?)?;
    let server = server(tls).listen(["https://127.0.0.1:8443"])?;
    println!("serving on {:?}", server.addresses()?);
    server.serve_forever()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    };
    use xmlrpc_kit_test_support::server::TestServer;

    fn params(names: &[&str], common_name: &str) -> CertificateParams {
        let mut p =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        p.distinguished_name.push(DnType::CommonName, common_name);
        p
    }

    #[test]
    fn a_client_with_a_certificate_is_served() {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = params(&[], "example CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate().unwrap();
        let server_cert = params(&["localhost"], "localhost")
            .signed_by(&server_key, &issuer)
            .unwrap();
        let client_key = KeyPair::generate().unwrap();
        let mut client = params(&["client"], "client");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client.signed_by(&client_key, &issuer).unwrap();

        let tls = TlsConfig::from_pem(
            server_cert.pem().as_bytes(),
            server_key.serialize_pem().as_bytes(),
        )
        .unwrap()
        .require_client_certificates(ca_pem.as_bytes())
        .unwrap();
        let bound = server(tls)
            .log_requests(false)
            .listen(["https://127.0.0.1:0"])
            .unwrap();
        let port = bound.addresses().unwrap()[0]
            .to_string()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned();
        let _server = TestServer::serve(bound);
        let c = xmlrpc_kit::blocking::Client::builder(&format!("https://localhost:{port}/RPC2"))
            .add_root_certificates_pem(ca_pem.as_bytes())
            .client_certificate_pem(
                client_cert.pem().as_bytes(),
                client_key.serialize_pem().as_bytes(),
            )
            .build_blocking()
            .unwrap();
        assert_eq!(c.call::<i64>("add", (2, 3)).unwrap(), 5);
    }
}
