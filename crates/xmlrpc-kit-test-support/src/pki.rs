//! Certificates for TLS tests, made afresh by each test (rcgen): a CA
//! (each its own name), a server certificate for localhost and 127.0.0.1,
//! and a client certificate, all PEM.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
};

/// A CA, a server certificate for 127.0.0.1 and localhost, and a client
/// certificate, all PEM.
#[derive(Debug)]
pub struct Pki {
    /// The CA certificate.
    pub ca: String,
    /// The server's certificate (localhost and 127.0.0.1).
    pub server_cert: String,
    /// The server's private key.
    pub server_key: String,
    /// A client certificate.
    pub client_cert: String,
    /// Its private key.
    pub client_key: String,
}

/// Parameters for `names` with `common_name` as the subject (each
/// certificate its own, so none looks self-signed to OpenSSL).
fn params(names: &[&str], common_name: &str) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params
}

/// A new CA and the certificates it signs.
pub fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    // Each CA its own name, so a client trusting two tells them apart.
    let raw = ca_key.public_key_raw();
    let id: String = raw[raw.len() - 6..]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut ca_params = params(&[], &format!("xmlrpc test CA {id}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_cert = params(&["localhost", "127.0.0.1"], "localhost")
        .signed_by(&server_key, &issuer)
        .unwrap()
        .pem();
    let client_key = KeyPair::generate().unwrap();
    let mut client_params = params(&["client"], "client");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = client_params.signed_by(&client_key, &issuer).unwrap().pem();
    Pki {
        ca,
        server_cert,
        server_key: server_key.serialize_pem(),
        client_cert,
        client_key: client_key.serialize_pem(),
    }
}
