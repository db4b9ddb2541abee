//! The demo's TLS from the files its flags name (`--tls-cert`,
//! `--tls-key`, `--tls-client-ca`), read at start and again on SIGHUP.

use std::io;
use std::path::PathBuf;

use xmlrpc_kit::TlsConfig;

use crate::DemoArgs;

/// The files the demo's https:// listeners take their TLS from.
#[derive(Debug, Clone)]
pub(crate) struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    client_ca: Option<PathBuf>,
}

impl TlsFiles {
    /// The files the flags name; `None` without `--tls-cert` and
    /// `--tls-key`.
    pub(crate) fn from_args(args: &DemoArgs) -> Option<TlsFiles> {
        let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
            return None;
        };
        Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
            client_ca: args.tls_client_ca.clone(),
        })
    }

    /// Reads the files: the certificate chain and its key, and the client
    /// CAs if any. An error names the flag, the file and what is wrong
    /// with it.
    pub(crate) fn load(&self) -> io::Result<TlsConfig> {
        let config = TlsConfig::from_pem_files(&self.cert, &self.key)
            .map_err(|e| io::Error::new(e.kind(), format!("--tls-cert/--tls-key: {e}")))?;
        let Some(ca) = &self.client_ca else {
            return Ok(config);
        };
        let in_ca = |e: io::Error| {
            io::Error::new(e.kind(), format!("--tls-client-ca: {}: {e}", ca.display()))
        };
        config
            .require_client_certificates(&std::fs::read(ca).map_err(in_ca)?)
            .map_err(in_ca)
    }
}
