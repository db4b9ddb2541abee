//! What every connection of one server shares: its routes, settings and
//! budgets, where it is in its life, and running a call within its time
//! limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::sync::watch;
use xmlrpc_kit_codec::{Fault, codes};
use xmlrpc_kit_front::{Readiness, Routes, Site};
use xmlrpc_kit_server::context::RequestContext;
use xmlrpc_kit_server::{Dispatcher, Protocol, Reply};

use crate::admission::Budgets;
use crate::config::HttpConfig;
use crate::lifecycle::Stop;
use crate::limits::HttpLimits;
use crate::time_limit::within;

/// What every connection of one server shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) routes: Routes,
    pub(crate) config: HttpConfig,
    pub(crate) budgets: Budgets,
    /// Where the server is in its life; once it is stopping, responses
    /// close their connection and the health path answers 503.
    pub(crate) signal: Arc<watch::Sender<Stop>>,
    /// The TLS configuration of new connections on `https://`
    /// listeners: [`HttpConfig::tls`] until it is replaced.
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<crate::TlsReloadHandle>,
    /// When the server was made, which `shed_at` counts from.
    born: Instant,
    /// When a request was last refused for want of capacity, in
    /// milliseconds from `born`; [`NEVER`] until one is.
    shed_at: AtomicU64,
}

/// `shed_at` before any request was refused for want of capacity.
const NEVER: u64 = u64::MAX;

impl Shared {
    /// Whether a stop was asked (the server may still be draining).
    pub(crate) fn is_stopping(&self) -> bool {
        *self.signal.borrow() != Stop::No
    }

    /// What the one request path needs to know of this server.
    pub(crate) fn site(&self) -> Site<'_> {
        Site {
            routes: &self.routes,
            health_path: self.config.health_path.as_deref(),
            liveness_path: self.config.liveness_path.as_deref(),
            metrics_path: self.metrics_path(),
            rate_limit: self.config.rate_limit.as_deref(),
            authenticator: self.config.authenticator.as_ref(),
            limits: &self.config.limits.body,
        }
    }

    fn metrics_path(&self) -> Option<&str> {
        #[cfg(feature = "metrics")]
        return self.config.metrics.as_ref().map(|(path, _)| path.as_str());
        #[cfg(not(feature = "metrics"))]
        return None;
    }

    /// The metrics' media type and text for a scraper that sent `accept`,
    /// when the server has metrics.
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn metrics_text(&self, accept: Option<&str>) -> Option<(&'static str, String)> {
        #[cfg(feature = "metrics")]
        return self
            .config
            .metrics
            .as_ref()
            .map(|(_, m)| m.exposition(accept));
        #[cfg(not(feature = "metrics"))]
        return None;
    }

    /// Whether the health path says the server is ready: not while it
    /// stops, nor for [`unready_after_shedding`](HttpConfig::unready_after_shedding)
    /// after it last refused a request for want of capacity.
    pub(crate) fn readiness(&self) -> Readiness {
        if self.is_stopping() {
            return Readiness::Stopping;
        }
        let shed = self.shed_at.load(Ordering::Relaxed);
        let now = self.born.elapsed().as_millis() as u64;
        let window = self.config.unready_after_shedding.as_millis() as u64;
        if shed != NEVER && now.saturating_sub(shed) < window {
            return Readiness::Shedding;
        }
        Readiness::Ready
    }

    /// What follows one answered request: it is counted in the server's
    /// metrics, if it has them (the status, the document's bytes when a
    /// body was read, the answer's, whether it was refused before any
    /// call), and a 503 refusal marks the server as shedding load.
    #[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
    pub(crate) fn after_answer(
        &self,
        status: u16,
        bytes_in: Option<usize>,
        bytes_out: usize,
        refused: bool,
    ) {
        if refused && status == 503 {
            let now = self.born.elapsed().as_millis() as u64;
            self.shed_at.store(now, Ordering::Relaxed);
        }
        #[cfg(feature = "metrics")]
        if let Some((_, metrics)) = &self.config.metrics {
            metrics.record_request(status, bytes_in, bytes_out, refused);
        }
    }

    /// Counts a connection open in the server's metrics, if it has them,
    /// until the returned value is dropped.
    #[cfg(feature = "metrics")]
    pub(crate) fn count_connection(&self) -> impl Send + 'static {
        self.config
            .metrics
            .as_ref()
            .map(|(_, m)| m.connection_opened())
    }

    /// Without metrics, nothing counts connections.
    #[cfg(not(feature = "metrics"))]
    pub(crate) fn count_connection(&self) -> impl Send + 'static {}

    pub(crate) fn new(routes: Routes, config: HttpConfig) -> Self {
        Shared {
            routes,
            budgets: Budgets::new(&config.limits),
            #[cfg(feature = "tls")]
            tls: config.tls.clone().map(crate::TlsReloadHandle::new),
            config,
            signal: Arc::new(watch::channel(Stop::No).0),
            born: Instant::now(),
            shed_at: AtomicU64::new(NEVER),
        }
    }

    /// Runs the call within its time limit, within `request`.
    /// `body` is dropped once decoded (see
    /// [`Dispatcher::handle_request_in`]).
    pub(crate) async fn dispatch<B>(
        &self,
        dispatcher: &Dispatcher,
        protocol: Protocol,
        body: B,
        request: &RequestContext,
    ) -> Reply
    where
        B: AsRef<[u8]> + Send,
    {
        // Counted from the call's first wait: most calls end on their first
        // poll (every sync handler's does) and need no timer.
        let limit = self.config.limits.call_timeout;
        match within(limit, dispatcher.answer_in(protocol, body, request)).await {
            Some(reply) => reply,
            None => dispatcher.fault_reply_in(
                protocol,
                None,
                Fault::new(
                    codes::INTERNAL_ERROR,
                    format!(
                        "the call took longer than the limit of {:?}",
                        limit.unwrap_or_default()
                    ),
                ),
            ),
        }
    }
}
/// The middleware counting the calls of a server with `config`, if it
/// has metrics.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn calls_counted(
    config: &HttpConfig,
) -> Option<Arc<dyn xmlrpc_kit_server::middleware::Middleware>> {
    #[cfg(feature = "metrics")]
    return config.metrics.as_ref().map(|(_, m)| m.call_layer());
    #[cfg(not(feature = "metrics"))]
    return None;
}

/// The fault text for a call whose answer of `length` bytes did not fit
/// the answer budget.
pub(crate) fn answers_full(length: usize, limits: &HttpLimits) -> String {
    format!(
        "the call ran, but its answer of {length} bytes could not be kept: the server \
         already holds {} MiB of answers that their clients have not read (its limit); \
         try again later",
        limits.max_buffered_answer_bytes >> 20
    )
}
