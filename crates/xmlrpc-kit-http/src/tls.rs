//! TLS for the standalone server (the `tls` feature), through rustls: a
//! certificate chain and key from PEM, and optionally the verification of
//! client certificates (mutual TLS, as build systems such as Koji use).

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How a server speaks TLS on its `https://` listeners.
///
/// ```no_run
/// use xmlrpc_kit::{Methods, Server, TlsConfig};
///
/// let tls = TlsConfig::from_pem_files("/etc/xmlrpc/cert.pem", "/etc/xmlrpc/key.pem")?
///     // Mutual TLS: only clients with a certificate from this CA.
///     .require_client_certificates(&std::fs::read("/etc/xmlrpc/clients-ca.pem")?)?;
/// let server = Server::builder(Methods::new()).tls(tls).listen(["https://0.0.0.0:8443"])?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
    client_roots: Option<Arc<rustls::RootCertStore>>,
    /// rustls's configuration, built from the above.
    built: Arc<rustls::ServerConfig>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("certificates", &self.chain.len())
            .field("client_certificates_required", &self.client_roots.is_some())
            .finish_non_exhaustive()
    }
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// The certificates in a PEM text; an error when there are none.
fn certificates(pem: &[u8], what: &str) -> io::Result<Vec<CertificateDer<'static>>> {
    let chain: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(format!("{what}: {e}")))?;
    if chain.is_empty() {
        return Err(invalid(format!("{what}: no PEM certificate found")));
    }
    Ok(chain)
}

impl TlsConfig {
    /// The server's certificate chain (its certificate first, then any
    /// intermediates) and its private key (PKCS#8, PKCS#1 or SEC1), PEM.
    pub fn from_pem(certificate_chain: &[u8], private_key: &[u8]) -> io::Result<Self> {
        let chain = certificates(certificate_chain, "server certificate")?;
        let key = PrivateKeyDer::from_pem_slice(private_key)
            .map_err(|e| invalid(format!("server key: {e}")))?;
        let key = Arc::new(key);
        let built = build(&chain, &key, None)?;
        Ok(TlsConfig {
            chain,
            key,
            client_roots: None,
            built,
        })
    }

    /// [`from_pem`](Self::from_pem), read from two files.
    pub fn from_pem_files(
        certificate_chain: impl AsRef<Path>,
        private_key: impl AsRef<Path>,
    ) -> io::Result<Self> {
        let read = |path: &Path| {
            std::fs::read(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        };
        Self::from_pem(
            &read(certificate_chain.as_ref())?,
            &read(private_key.as_ref())?,
        )
    }

    /// Requires every client to present a certificate signed by one of
    /// the CAs in `ca_pem` (mutual TLS); a client without one is refused
    /// during the handshake.
    pub fn require_client_certificates(mut self, ca_pem: &[u8]) -> io::Result<Self> {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in certificates(ca_pem, "client CA")? {
            roots
                .add(certificate)
                .map_err(|e| invalid(format!("client CA: {e}")))?;
        }
        let roots = Arc::new(roots);
        self.built = build(&self.chain, &self.key, Some(&roots))?;
        self.client_roots = Some(roots);
        Ok(self)
    }

    /// The rustls configuration.
    pub(crate) fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.built.clone()
    }
}

/// rustls's server configuration for a chain and key, verifying client
/// certificates against `client_roots` when given.
fn build(
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
    client_roots: Option<&Arc<rustls::RootCertStore>>,
) -> io::Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS: {e}")))?;
    let builder = match client_roots {
        None => builder.with_no_client_auth(),
        Some(roots) => builder.with_client_cert_verifier(
            rustls::server::WebPkiClientVerifier::builder_with_provider(roots.clone(), provider)
                .build()
                .map_err(|e| invalid(format!("client CA: {e}")))?,
        ),
    };
    let mut config = builder
        .with_single_cert(chain.to_vec(), key.clone_key())
        .map_err(|e| invalid(format!("server certificate and key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
