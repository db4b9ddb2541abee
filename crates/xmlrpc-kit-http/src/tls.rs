//! TLS for the standalone server (the `tls` feature), through rustls: a
//! certificate chain and key from PEM, optionally the verification of
//! client certificates (mutual TLS, as build systems such as Koji use), or
//! a rustls configuration of the user's own.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How a server speaks TLS on its `https://` listeners: a certificate
/// chain and key from PEM (with client certificates required or not), or
/// a [`rustls::ServerConfig`] of your own.
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
///
/// A server replaces its configuration without a restart through its
/// [`TlsReloadHandle`](crate::TlsReloadHandle): new connections get the
/// new certificate, open ones keep theirs.
#[derive(Clone)]
pub struct TlsConfig {
    /// What the configuration was built from.
    source: Source,
    /// rustls's configuration.
    built: Arc<rustls::ServerConfig>,
}

/// What a [`TlsConfig`] was built from.
#[derive(Clone)]
enum Source {
    /// A chain and key from PEM, and the client CAs, if any.
    Pem {
        chain: Vec<CertificateDer<'static>>,
        key: Arc<PrivateKeyDer<'static>>,
        client_roots: Option<Arc<rustls::RootCertStore>>,
    },
    /// The user's own rustls configuration.
    Rustls,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("TlsConfig");
        match &self.source {
            Source::Pem {
                chain,
                client_roots,
                ..
            } => debug
                .field("certificates", &chain.len())
                .field("client_certificates_required", &client_roots.is_some()),
            Source::Rustls => debug.field("source", &"rustls::ServerConfig"),
        };
        debug.finish_non_exhaustive()
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

/// What errors call the certificate chain, the key, and the two together.
struct Names {
    chain: String,
    key: String,
    pair: String,
}

impl TlsConfig {
    /// The server's certificate chain (its certificate first, then any
    /// intermediates) and its private key (PKCS#8, PKCS#1 or SEC1), PEM.
    /// A key that is not the certificate's is refused.
    pub fn from_pem(certificate_chain: &[u8], private_key: &[u8]) -> io::Result<Self> {
        let names = Names {
            chain: "server certificate".to_owned(),
            key: "server key".to_owned(),
            pair: "server certificate and key".to_owned(),
        };
        Self::from_pem_named(certificate_chain, private_key, &names)
    }

    /// [`from_pem`](Self::from_pem), read from two files; an error names
    /// the file it is about.
    pub fn from_pem_files(
        certificate_chain: impl AsRef<Path>,
        private_key: impl AsRef<Path>,
    ) -> io::Result<Self> {
        let (chain, key) = (certificate_chain.as_ref(), private_key.as_ref());
        let read = |path: &Path| {
            std::fs::read(path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        };
        let names = Names {
            chain: chain.display().to_string(),
            key: key.display().to_string(),
            pair: format!("{} and {}", chain.display(), key.display()),
        };
        Self::from_pem_named(&read(chain)?, &read(key)?, &names)
    }

    fn from_pem_named(
        certificate_chain: &[u8],
        private_key: &[u8],
        names: &Names,
    ) -> io::Result<Self> {
        let chain = certificates(certificate_chain, &names.chain)?;
        let key = PrivateKeyDer::from_pem_slice(private_key)
            .map_err(|e| invalid(format!("{}: {e}", names.key)))?;
        let key = Arc::new(key);
        let built = build(&chain, &key, None, &names.pair)?;
        Ok(TlsConfig {
            source: Source::Pem {
                chain,
                key,
                client_roots: None,
            },
            built,
        })
    }

    /// A rustls configuration of your own, used as it is: its
    /// certificates or certificate resolver, client verification,
    /// protocol versions and crypto provider. Its ALPN protocols must not
    /// offer `h2` (the server speaks HTTP/1.1 only); offer `http/1.1`, as
    /// the PEM constructors do, or nothing.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use xmlrpc_kit::{Methods, Server, TlsConfig, rustls};
    /// use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject as _};
    ///
    /// let chain = CertificateDer::pem_file_iter("/etc/xmlrpc/cert.pem")
    ///     .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
    ///     .map_err(std::io::Error::other)?;
    /// let key = PrivateKeyDer::from_pem_file("/etc/xmlrpc/key.pem").map_err(std::io::Error::other)?;
    /// let provider = Arc::new(rustls::crypto::ring::default_provider());
    /// let mut config = rustls::ServerConfig::builder_with_provider(provider)
    ///     // TLS 1.3 only.
    ///     .with_protocol_versions(&[&rustls::version::TLS13])
    ///     .map_err(std::io::Error::other)?
    ///     .with_no_client_auth()
    ///     .with_single_cert(chain, key)
    ///     .map_err(std::io::Error::other)?;
    /// config.alpn_protocols = vec![b"http/1.1".to_vec()];
    ///
    /// let tls = TlsConfig::from_server_config(Arc::new(config))?;
    /// let server = Server::builder(Methods::new()).tls(tls).listen(["https://0.0.0.0:8443"])?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_server_config(config: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        if config.alpn_protocols.iter().any(|p| p == b"h2") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "rustls::ServerConfig: its ALPN protocols offer h2, but this server speaks \
                 HTTP/1.1 only: offer http/1.1 (or nothing)",
            ));
        }
        Ok(TlsConfig {
            source: Source::Rustls,
            built: config,
        })
    }

    /// Requires every client to present a certificate signed by one of
    /// the CAs in `ca_pem` (mutual TLS); a client without one is refused
    /// during the handshake. For a configuration from PEM; a
    /// [`rustls::ServerConfig`] of your own sets its client verifier
    /// itself.
    pub fn require_client_certificates(self, ca_pem: &[u8]) -> io::Result<Self> {
        let Source::Pem { chain, key, .. } = self.source else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "require_client_certificates: this TlsConfig is a rustls::ServerConfig of \
                 your own: set its client certificate verifier there",
            ));
        };
        let mut roots = rustls::RootCertStore::empty();
        for certificate in certificates(ca_pem, "client CA")? {
            roots
                .add(certificate)
                .map_err(|e| invalid(format!("client CA: {e}")))?;
        }
        let roots = Arc::new(roots);
        let built = build(&chain, &key, Some(&roots), "server certificate and key")?;
        Ok(TlsConfig {
            source: Source::Pem {
                chain,
                key,
                client_roots: Some(roots),
            },
            built,
        })
    }

    /// The rustls configuration.
    pub(crate) fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.built.clone()
    }
}

/// rustls's server configuration for a chain and key (`pair` in errors),
/// verifying client certificates against `client_roots` when given.
fn build(
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
    client_roots: Option<&Arc<rustls::RootCertStore>>,
    pair: &str,
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
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                invalid(format!("{pair}: the key is not the certificate's"))
            }
            e => invalid(format!("{pair}: {e}")),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
