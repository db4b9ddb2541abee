//! Admission: how many connections, requests and request bodies a server
//! takes on at once, and what happens past each limit.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use xmlrpc_server::http_rules::Rejection;

use crate::limits::HttpLimits;

/// The connections being served. Past `max`, the oldest is asked to close
/// once its request in progress is answered (so a flood of idle
/// connections cannot lock out new clients); past twice `max`, new
/// connections are refused.
#[derive(Debug)]
pub(crate) struct Connections {
    max: usize,
    state: std::sync::Mutex<ConnectionState>,
}

#[derive(Debug, Default)]
struct ConnectionState {
    next_id: u64,
    /// Connections not yet asked to close, oldest first.
    open: std::collections::BTreeMap<u64, Arc<Notify>>,
    /// Every connection still running, asked to close or not.
    alive: usize,
}

impl Connections {
    pub(crate) fn new(max: usize) -> Self {
        Connections {
            max: max.max(1),
            state: std::sync::Mutex::default(),
        }
    }

    /// Admits a new connection, asking the oldest to close if needed;
    /// `None` when even that leaves too many.
    pub(crate) fn admit(&self) -> Option<(u64, Arc<Notify>)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.alive >= self.max.saturating_mul(2) {
            return None;
        }
        if state.open.len() >= self.max {
            if let Some((_, oldest)) = state.open.pop_first() {
                oldest.notify_one();
            }
        }
        let id = state.next_id;
        state.next_id += 1;
        let notify = Arc::new(Notify::new());
        state.open.insert(id, notify.clone());
        state.alive += 1;
        Some((id, notify))
    }

    pub(crate) fn release(&self, id: u64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open.remove(&id);
        state.alive -= 1;
    }
}

/// Answers a connection over the limit with 503 and closes it.
pub(crate) async fn refuse_busy(mut stream: TcpStream) {
    let rejection = Rejection::busy_connections();
    let body = rejection.body();
    let response = format!(
        "HTTP/1.1 {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        rejection.status_line(),
        body.len()
    );
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        stream.write_all(response.as_bytes()),
    )
    .await;
}

/// The requests in flight and the request bodies held, over all
/// connections of one server.
#[derive(Debug)]
pub(crate) struct Budgets {
    /// Request bodies held at once, in KiB ([`HttpLimits::max_buffered_body_bytes`]).
    bodies: Arc<Semaphore>,
    /// Requests being processed ([`HttpLimits::max_requests_in_flight`]).
    requests: Arc<Semaphore>,
}

impl Budgets {
    pub(crate) fn new(limits: &HttpLimits) -> Self {
        let kib = (limits.max_buffered_body_bytes / 1024).clamp(1, Semaphore::MAX_PERMITS);
        let requests = limits
            .max_requests_in_flight
            .clamp(1, Semaphore::MAX_PERMITS);
        Budgets {
            bodies: Arc::new(Semaphore::new(kib)),
            requests: Arc::new(Semaphore::new(requests)),
        }
    }

    /// A place for one more request in flight, or 503.
    pub(crate) fn admit_request(&self) -> Result<OwnedSemaphorePermit, Rejection> {
        self.requests
            .clone()
            .try_acquire_owned()
            .map_err(|_| Rejection::busy_requests())
    }

    /// An empty share of the body budget, grown as a body arrives.
    pub(crate) fn reservation(&self) -> Reservation {
        Reservation {
            budget: self.bodies.clone(),
            held: None,
        }
    }
}

/// The share of the body budget one request holds, grown as its body arrives.
#[derive(Debug)]
pub(crate) struct Reservation {
    budget: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
}

impl Reservation {
    /// Holds at least `bytes` of the budget, or refuses with 503.
    pub(crate) fn cover(&mut self, bytes: usize) -> Result<(), Rejection> {
        let want = bytes.div_ceil(1024);
        let have = self
            .held
            .as_ref()
            .map_or(0, OwnedSemaphorePermit::num_permits);
        if want <= have {
            return Ok(());
        }
        // Grow in steps of 64 KiB, so a streamed body does not ask per chunk.
        let more = (want - have).max(64).min(u32::MAX as usize) as u32;
        let permit = self
            .budget
            .clone()
            .try_acquire_many_owned(more)
            .map_err(|_| Rejection::busy_bodies())?;
        match &mut self.held {
            Some(held) => held.merge(permit),
            None => self.held = Some(permit),
        }
        Ok(())
    }
}
