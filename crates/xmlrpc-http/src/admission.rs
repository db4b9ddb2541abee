//! Admission: how many connections, requests and request bodies a server
//! takes on at once, and what happens past each limit: connections wait in
//! the backlog, requests and bodies past their budget get 503.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use xmlrpc_server::http_rules::Rejection;

use crate::limits::HttpLimits;

/// The connections being served, and how the accept loop makes room when
/// they reach the limit: it stops accepting (newcomers wait in the listen
/// backlog) and closes connections idle for longer than the pressure idle
/// timeout, oldest first. A connection with a request in progress is never
/// asked to close.
#[derive(Debug)]
pub(crate) struct Connections {
    max: usize,
    epoch: Instant,
    next_id: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
    /// Signalled each time a connection ends.
    freed: Notify,
}

/// One connection's state, shared by its task and its service.
#[derive(Debug)]
pub(crate) struct Conn {
    /// Signalled to ask the connection to close once idle.
    pub(crate) close: Notify,
    asked_to_close: AtomicBool,
    /// Requests in progress on it.
    busy: AtomicUsize,
    /// When it last finished a request (or opened), in ms since `epoch`.
    idle_since_ms: AtomicU64,
    epoch: Instant,
}

impl Conn {
    /// A connection's state, idle since now; `epoch` is the clock's zero.
    pub(crate) fn new(epoch: Instant) -> Arc<Self> {
        let conn = Arc::new(Conn {
            close: Notify::new(),
            asked_to_close: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(0),
            epoch,
        });
        conn.idle_since_ms.store(conn.now_ms(), Ordering::SeqCst);
        conn
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether a request is in progress (its head read, its answer not yet
    /// sent).
    pub(crate) fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
    }

    /// Marks a request in progress until the returned guard is dropped.
    pub(crate) fn start_request(self: &Arc<Self>) -> RequestInProgress {
        self.busy.fetch_add(1, Ordering::SeqCst);
        RequestInProgress(self.clone())
    }
}

/// A request in progress on a connection (see [`Conn::start_request`]).
#[derive(Debug)]
pub(crate) struct RequestInProgress(Arc<Conn>);

impl Drop for RequestInProgress {
    fn drop(&mut self) {
        self.0
            .idle_since_ms
            .store(self.0.now_ms(), Ordering::SeqCst);
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Connections {
    pub(crate) fn new(max: usize) -> Self {
        Connections {
            max: max.max(1),
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::default(),
            freed: Notify::new(),
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Conn>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the limit is reached (the accept loop then waits).
    pub(crate) fn is_full(&self) -> bool {
        self.open().len() >= self.max
    }

    /// Registers a new connection.
    pub(crate) fn admit(&self) -> (u64, Arc<Conn>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let conn = Conn::new(self.epoch);
        self.open().insert(id, conn.clone());
        (id, conn)
    }

    /// Forgets a connection that ended, and wakes the accept loop.
    pub(crate) fn release(&self, id: u64) {
        self.open().remove(&id);
        self.freed.notify_one();
        self.freed.notify_waiters();
    }

    /// Connections open now.
    pub(crate) fn count(&self) -> usize {
        self.open().len()
    }

    /// Resolves once no connection is open.
    pub(crate) async fn all_closed(&self) {
        loop {
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            freed.await;
        }
    }

    /// Under pressure: asks every connection idle (no request in
    /// progress) for longer than `min_idle` to close; returns how many it
    /// asked.
    pub(crate) fn make_room(&self, min_idle: Duration) -> usize {
        let min_idle_ms = u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX);
        let mut asked = 0;
        for conn in self.open().values() {
            let idle_for = conn
                .now_ms()
                .saturating_sub(conn.idle_since_ms.load(Ordering::SeqCst));
            if !conn.is_busy()
                && idle_for >= min_idle_ms
                && !conn.asked_to_close.swap(true, Ordering::SeqCst)
            {
                conn.close.notify_one();
                asked += 1;
            }
        }
        asked
    }

    /// Resolves when a connection ends (or at once if one ended since the
    /// last call).
    pub(crate) async fn one_freed(&self) {
        self.freed.notified().await;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_made_only_from_connections_idle_long_enough() {
        let connections = Connections::new(2);
        let (_, first) = connections.admit();
        let (_, second) = connections.admit();
        assert!(connections.is_full());
        // The first is busy: never asked; the second is idle but only just.
        let request = first.start_request();
        assert_eq!(connections.make_room(Duration::from_millis(50)), 0);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(connections.make_room(Duration::from_millis(50)), 1);
        assert!(second.asked_to_close.load(Ordering::SeqCst));
        // Asked once is enough.
        assert_eq!(connections.make_room(Duration::ZERO), 0);
        // Once its request is answered, the first is idle too.
        drop(request);
        assert!(!first.asked_to_close.load(Ordering::SeqCst));
        assert_eq!(connections.make_room(Duration::ZERO), 1);
    }
}
