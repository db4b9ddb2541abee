//! A running server's TLS configuration, replaced without a restart (the
//! `tls` feature): by a call on its handle, or on SIGHUP. Each new
//! connection takes the configuration of the moment; open ones keep the
//! one they were made with.

use std::sync::{Arc, PoisonError, RwLock};

use crate::TlsConfig;

/// Replaces the TLS configuration of a running server, for example when
/// its certificate is renewed: connections accepted afterwards get the
/// new certificate, open connections go on with theirs. Cloneable; usable
/// from any thread. From [`Server::tls_reload_handle`](crate::Server::tls_reload_handle).
///
/// ```no_run
/// use xmlrpc_kit::{Methods, Server, TlsConfig};
///
/// let (cert, key) = ("/etc/xmlrpc/cert.pem", "/etc/xmlrpc/key.pem");
/// let tls = TlsConfig::from_pem_files(cert, key)?;
/// let server = Server::builder(Methods::new()).tls(tls).listen(["https://0.0.0.0:8443"])?;
/// let reload = server.tls_reload_handle().expect("the server has a TlsConfig");
/// std::thread::spawn(move || server.serve_forever());
/// // Later, once the files are renewed:
/// reload.reload(TlsConfig::from_pem_files(cert, key)?);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct TlsReloadHandle {
    current: Arc<RwLock<TlsConfig>>,
}

impl std::fmt::Debug for TlsReloadHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsReloadHandle")
            .field("current", &*self.read())
            .finish()
    }
}

impl TlsReloadHandle {
    /// A handle serving `config` until it is replaced.
    pub(crate) fn new(config: TlsConfig) -> Self {
        TlsReloadHandle {
            current: Arc::new(RwLock::new(config)),
        }
    }

    /// The configuration now in force. (No code holds the lock across a
    /// panic, so a poisoned lock still holds a whole configuration.)
    fn read(&self) -> std::sync::RwLockReadGuard<'_, TlsConfig> {
        self.current.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The rustls configuration for a connection accepted now.
    pub(crate) fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.read().server_config()
    }

    /// Serves `config` to every connection accepted from now on; open
    /// connections keep the configuration they were made with.
    pub fn reload(&self, config: TlsConfig) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = config;
    }

    /// Registers a SIGHUP handler and returns the future that watches it,
    /// to spawn on the runtime the server runs on: on each SIGHUP, `load`
    /// builds the configuration afresh (from the renewed files, say) and
    /// it is [`reload`](Self::reload)ed, with an info line in the log. A
    /// `load` that fails leaves the configuration in force as it was and
    /// logs an error with `load`'s (say which file, and why). Spawn it
    /// before announcing the server: until the handler is in place,
    /// SIGHUP ends the process.
    ///
    /// ```no_run
    /// # async fn run(server: xmlrpc_kit::Server) -> std::io::Result<()> {
    /// use xmlrpc_kit::TlsConfig;
    ///
    /// if let Some(reload) = server.tls_reload_handle() {
    ///     tokio::spawn(reload.on_sighup(|| {
    ///         TlsConfig::from_pem_files("/etc/xmlrpc/cert.pem", "/etc/xmlrpc/key.pem")
    ///     })?);
    /// }
    /// tokio::spawn(server.shutdown_handle().on_signals()?);
    /// println!("serving on {:?}", server.addresses()?);
    /// server.serve().await
    /// # }
    /// ```
    #[cfg(unix)]
    pub fn on_sighup<F>(
        self,
        mut load: F,
    ) -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static>
    where
        F: FnMut() -> std::io::Result<TlsConfig> + Send + 'static,
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangup = signal(SignalKind::hangup())?;
        Ok(async move {
            while hangup.recv().await.is_some() {
                match load() {
                    Ok(config) => {
                        self.reload(config);
                        tracing::info!(
                            "SIGHUP: TLS configuration reloaded; new connections get it, \
                             open ones keep theirs"
                        );
                    }
                    Err(e) => tracing::error!(
                        "SIGHUP: TLS configuration not reloaded, the one in force still \
                         serves: {e}"
                    ),
                }
            }
        })
    }
}
