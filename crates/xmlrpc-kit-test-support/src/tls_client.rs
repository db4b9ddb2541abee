//! A TLS connection for tests that says which certificate the server
//! presented, and carries raw HTTP requests for as long as it is kept.

use std::io::{self, BufReader, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::raw_http::{HttpResponse, connect, read_from};

/// One TLS connection to a server, as `localhost`, its handshake done.
#[derive(Debug)]
pub struct TlsConnection(rustls::StreamOwned<rustls::ClientConnection, TcpStream>);

/// The DER of the first certificate in `pem`.
pub fn der(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("a PEM certificate")
        .to_vec()
}

impl TlsConnection {
    /// Connects to `addr` trusting the CAs in `cas` (PEM) and completes
    /// the handshake; an error if the server's certificate is not trusted.
    pub fn open(addr: SocketAddr, cas: &[&str]) -> io::Result<TlsConnection> {
        let mut roots = rustls::RootCertStore::empty();
        for ca in cas {
            roots
                .add(CertificateDer::from_pem_slice(ca.as_bytes()).expect("a PEM CA"))
                .expect("a CA certificate");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from("localhost").expect("a server name");
        let connection =
            rustls::ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
        let mut stream = rustls::StreamOwned::new(connection, connect(addr));
        while stream.conn.is_handshaking() {
            stream.conn.complete_io(&mut stream.sock)?;
        }
        Ok(TlsConnection(stream))
    }

    /// The DER of the certificate the server presented (its chain's first).
    pub fn peer_certificate(&self) -> Vec<u8> {
        self.0
            .conn
            .peer_certificates()
            .and_then(|chain| chain.first())
            .expect("the server's certificate")
            .to_vec()
    }

    /// Sends `raw` on this connection and reads one response (and nothing
    /// past it), keeping the connection.
    pub fn exchange(&mut self, raw: &[u8]) -> io::Result<HttpResponse> {
        self.0.write_all(raw)?;
        self.0.flush()?;
        read_from(&mut BufReader::with_capacity(1, &mut self.0))
    }
}
