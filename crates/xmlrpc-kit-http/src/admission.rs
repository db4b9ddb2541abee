//! Admission: how many connections, requests, request bodies and answers a
//! server takes on at once, and what happens past each limit: connections
//! wait in the backlog, requests past their budget get 503, bodies wait in
//! line for theirs (see [`body_budget`](crate::body_budget)) and then get
//! 503, answers past theirs become a fault.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use xmlrpc_kit_front::Rejection;

use crate::body_budget::{BodyBudget, Reservation};
use crate::limits::HttpLimits;

/// A clock read by the connections' hot paths without a system call:
/// milliseconds since the server started, moved on by [`Clock::advance`]
/// (each tick of the sweeper, and the accept loop under pressure).
#[derive(Debug)]
pub(crate) struct Clock {
    epoch: Instant,
    now_ms: AtomicU64,
    /// How far the kept reading may lag: the sweeper's tick, once it runs.
    lag_ms: AtomicU64,
}

impl Clock {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Clock {
            epoch: Instant::now(),
            now_ms: AtomicU64::new(0),
            lag_ms: AtomicU64::new(0),
        })
    }

    /// Reads the system clock and keeps its reading.
    pub(crate) fn advance(&self) -> u64 {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.now_ms.fetch_max(now, Ordering::Relaxed);
        now
    }

    /// The last reading kept (never behind by more than a sweeper tick
    /// while the server runs).
    pub(crate) fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::Relaxed)
    }
}

/// The connections being served, and how they are closed when idle: a
/// sweeper closes those idle for longer than the header read timeout;
/// at the limit, the accept loop stops accepting (newcomers wait in the
/// listen backlog) and closes connections idle for longer than the
/// pressure idle timeout, oldest first. A connection with a request in
/// progress is never asked to close.
#[derive(Debug)]
pub(crate) struct Connections {
    max: usize,
    clock: Arc<Clock>,
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
    /// When it last finished a request, wrote to its client, or opened,
    /// by `clock`.
    idle_since_ms: AtomicU64,
    clock: Arc<Clock>,
}

impl Conn {
    /// A connection's state, idle since now by `clock`.
    pub(crate) fn new(clock: Arc<Clock>) -> Arc<Self> {
        Arc::new(Conn {
            close: Notify::new(),
            asked_to_close: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(clock.advance()),
            clock,
        })
    }

    /// Whether a request is in progress (its head read, its answer not yet
    /// made).
    pub(crate) fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst) > 0
    }

    /// Marks a request in progress until the returned guard is dropped.
    pub(crate) fn start_request(self: &Arc<Self>) -> RequestInProgress {
        self.busy.fetch_add(1, Ordering::SeqCst);
        RequestInProgress(self.clone())
    }

    /// Counts the connection as idle from now: its answer went out (a
    /// client slowly reading a long answer is not idle).
    pub(crate) fn touch(&self) {
        self.idle_since_ms
            .store(self.clock.now_ms(), Ordering::Relaxed);
    }

    /// How long it has been idle, by the clock's last reading.
    fn idle_for_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.idle_since_ms.load(Ordering::Relaxed))
    }
}

/// A request in progress on a connection (see [`Conn::start_request`]).
#[derive(Debug)]
pub(crate) struct RequestInProgress(Arc<Conn>);

impl Drop for RequestInProgress {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Connections {
    pub(crate) fn new(max: usize) -> Self {
        Connections {
            max: max.max(1),
            clock: Clock::new(),
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
        let conn = Conn::new(self.clock.clone());
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

    /// Asks every connection idle (no request in progress) for at least
    /// `min_idle` to close; returns how many it asked. Under pressure the
    /// accept loop calls it with the pressure idle timeout; the sweeper,
    /// each tick, with the header read timeout.
    pub(crate) fn make_room(&self, min_idle: Duration) -> usize {
        // A connection's idle time is stamped with the kept reading, which
        // may lag by up to a tick: wait that much more, so that none is
        // closed before its time.
        let min_idle_ms = u64::try_from(min_idle.as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(self.clock.lag_ms.load(Ordering::Relaxed));
        let now_ms = self.clock.advance();
        let mut asked = 0;
        for conn in self.open().values() {
            if !conn.is_busy()
                && conn.idle_for_ms(now_ms) >= min_idle_ms
                && !conn.asked_to_close.swap(true, Ordering::SeqCst)
            {
                conn.close.notify_one();
                asked += 1;
            }
        }
        asked
    }

    /// Closes connections idle for longer than `timeout` (the header read
    /// timeout: no request head arrived in time, or none began), checking
    /// every eighth of the shorter of `timeout` and
    /// `pressure_idle_timeout` (at least every second, at most every
    /// 10 ms), so one is closed within two ticks after its time. One
    /// sweep over the connections per tick, instead of a timer per
    /// request. Runs until dropped.
    pub(crate) async fn sweep(&self, timeout: Duration, pressure_idle_timeout: Duration) {
        let tick = (timeout.min(pressure_idle_timeout) / 8)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        let tick_ms = u64::try_from(tick.as_millis()).unwrap_or(u64::MAX);
        self.clock.lag_ms.fetch_max(tick_ms, Ordering::Relaxed);
        let mut ticks = tokio::time::interval(tick);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            self.make_room(timeout);
        }
    }

    /// Resolves when a connection ends (or at once if one ended since the
    /// last call).
    pub(crate) async fn one_freed(&self) {
        self.freed.notified().await;
    }
}

/// The requests in flight, the request bodies and the answers held, over
/// all connections of one server.
#[derive(Debug)]
pub(crate) struct Budgets {
    /// Request bodies held at once, and the line of those waiting for
    /// room. Shared with the answers, which take over their requests'
    /// shares (see [`hold_answer`](Self::hold_answer)).
    bodies: Arc<BodyBudget>,
    /// Requests being processed ([`HttpLimits::max_requests_in_flight`]).
    requests: Budget,
    /// Answers made and not yet handed to their connection's write buffer,
    /// beyond their requests' shares of `bodies`, in KiB
    /// ([`HttpLimits::max_buffered_answer_bytes`]). Shared with the
    /// answers' bodies, which outlive the request.
    answers: Arc<Budget>,
}

/// Answers this long or shorter are not counted: such an answer is one
/// slice (`connection_io` hands bodies to hyper in slices of this size),
/// which hyper copies into its connection's write buffer at once, and the
/// connection limit already bounds those buffers.
pub(crate) const UNCOUNTED_ANSWER: usize = 64 * 1024;

impl Budgets {
    pub(crate) fn new(limits: &HttpLimits) -> Self {
        Budgets {
            bodies: Arc::new(BodyBudget::new(limits)),
            requests: Budget::new(limits.max_requests_in_flight.max(1)),
            answers: Arc::new(Budget::new(
                (limits.max_buffered_answer_bytes / 1024).max(1),
            )),
        }
    }

    /// What an answer of `bytes` holds until its last byte is handed to
    /// the connection (or the connection ends): its request's share of
    /// the body budget, `request`, up to the answer's size (the rest of
    /// that share is given back), and a share of the answer budget for
    /// what that does not cover. So an answer a client is slow to read
    /// holds back the bodies waiting in line for the body budget (no more
    /// work is let in than answers are read), and the answer budget holds
    /// what answers add beyond their requests. `None` for an answer short
    /// enough not to be counted ([`UNCOUNTED_ANSWER`]); `Err` when the
    /// answer budget cannot hold its part now.
    pub(crate) fn hold_answer(
        &self,
        bytes: usize,
        request: Reservation<'_>,
    ) -> Result<Option<AnswerHold>, AnswersFull> {
        if bytes <= UNCOUNTED_ANSWER {
            return Ok(None);
        }
        let units = bytes.div_ceil(1024);
        let taken_over = request.hand_on(units);
        let beyond = units - taken_over;
        if !self.answers.try_take(beyond) {
            self.bodies.give_back(taken_over);
            return Err(AnswersFull);
        }
        Ok(Some(AnswerHold {
            budget: self.answers.clone(),
            units: beyond,
            bodies: self.bodies.clone(),
            taken_over,
        }))
    }

    /// A place for one more request in flight, or 503.
    pub(crate) fn admit_request(&self) -> Result<Held<'_>, Rejection> {
        self.requests.take(1).ok_or_else(Rejection::busy_requests)
    }

    /// An empty share of the body budget for a body of `declared` bytes
    /// (`None`: chunked), grown as it arrives.
    pub(crate) fn reservation(&self, declared: Option<usize>) -> Reservation<'_> {
        self.bodies.reservation(declared)
    }
}

/// Units of something the server holds a bounded number of, requests in
/// flight or answers held: taken without waiting (past the budget the
/// answer is 503 or a fault, not a queue), so a counter is all it needs. What takes units borrows it (the server's
/// shared state outlives every request): no reference count to change,
/// on a cache line every core's requests would share.
#[derive(Debug)]
pub(crate) struct Budget {
    available: AtomicUsize,
}

impl Budget {
    fn new(units: usize) -> Self {
        Budget {
            available: AtomicUsize::new(units),
        }
    }

    /// Takes `units`, if that many are left.
    fn try_take(&self, units: usize) -> bool {
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(units)
            })
            .is_ok()
    }

    fn give_back(&self, units: usize) {
        self.available.fetch_add(units, Ordering::AcqRel);
    }

    /// `units` held until the guard is dropped, if that many are left.
    fn take(&self, units: usize) -> Option<Held<'_>> {
        // `then`, not `then_some`: a guard made and dropped on refusal
        // would give back units never taken.
        self.try_take(units).then(|| Held {
            budget: self,
            units,
        })
    }
}

/// Units of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub(crate) struct Held<'a> {
    budget: &'a Budget,
    units: usize,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.budget.give_back(self.units);
    }
}

/// The answer budget could not hold one more answer (see
/// [`Budgets::hold_answer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AnswersFull;

/// What an answer holds (see [`Budgets::hold_answer`]), given back when
/// dropped.
#[derive(Debug)]
pub(crate) struct AnswerHold {
    budget: Arc<Budget>,
    /// Of the answer budget.
    units: usize,
    bodies: Arc<BodyBudget>,
    /// Of the body budget: its request's share, taken over.
    taken_over: usize,
}

impl Drop for AnswerHold {
    fn drop(&mut self) {
        self.budget.give_back(self.units);
        self.bodies.give_back(self.taken_over);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUSY_REQUESTS: (u16, &str) = (
        503,
        "the server is processing too many requests; try again later",
    );

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

    #[test]
    fn places_in_flight_are_taken_without_waiting_and_given_back() {
        let limits = HttpLimits {
            max_requests_in_flight: 2,
            ..HttpLimits::default()
        };
        let budgets = Budgets::new(&limits);
        let first = budgets.admit_request().unwrap();
        let second = budgets.admit_request().unwrap();
        let e = budgets.admit_request().unwrap_err();
        assert_eq!((e.status(), e.text()), BUSY_REQUESTS);
        drop(first);
        let third = budgets.admit_request().unwrap();
        // A refusal gave nothing back: still two at most.
        let e = budgets.admit_request().unwrap_err();
        assert_eq!((e.status(), e.text()), BUSY_REQUESTS);
        drop((second, third));
    }

    #[tokio::test]
    async fn answers_are_held_until_dropped_and_short_ones_are_not_counted() {
        let limits = HttpLimits {
            max_buffered_answer_bytes: 300 * 1024,
            ..HttpLimits::default()
        };
        let budgets = Budgets::new(&limits);
        let hold = |bytes| budgets.hold_answer(bytes, budgets.reservation(None));
        // Short answers never count, however many.
        for _ in 0..1000 {
            assert!(hold(UNCOUNTED_ANSWER).unwrap().is_none());
        }
        let first = hold(200 * 1024).unwrap().unwrap();
        assert_eq!(first.units, 200);
        assert_eq!(hold(101 * 1024).unwrap_err(), AnswersFull);
        let second = hold(100 * 1024).unwrap().unwrap();
        assert_eq!(hold(UNCOUNTED_ANSWER + 1).unwrap_err(), AnswersFull);
        drop((first, second));
        assert_eq!(hold(300 * 1024).unwrap().unwrap().units, 300);
    }

    #[tokio::test]
    async fn an_answer_takes_over_its_requests_share_of_the_body_budget() {
        let limits = HttpLimits {
            max_buffered_body_bytes: 1000 * 1024,
            max_buffered_answer_bytes: 300 * 1024,
            ..HttpLimits::default()
        };
        let budgets = Budgets::new(&limits);
        let request = |bytes| {
            let mut share = budgets.reservation(None);
            share.cover_now(bytes).unwrap();
            share
        };
        // A 400 KiB answer to a 250 KiB request: 250 KiB of the body
        // budget stay held, 150 KiB of the answer budget are taken.
        let echo = budgets.hold_answer(400 * 1024, request(250 * 1024));
        let echo = echo.unwrap().unwrap();
        assert_eq!((echo.taken_over, echo.units), (250, 150));
        assert_eq!(budgets.bodies.free_kib(), 750);
        // A 100 KiB answer to a 700 KiB request: 100 KiB stay held, the
        // rest of the body's share is given back.
        let small = budgets.hold_answer(100 * 1024, request(700 * 1024));
        let small = small.unwrap().unwrap();
        assert_eq!((small.taken_over, small.units), (100, 0));
        assert_eq!(budgets.bodies.free_kib(), 650);
        // An answer whose part the answer budget cannot take gives its
        // request's share back.
        let e = budgets.hold_answer(400 * 1024, request(100 * 1024));
        assert_eq!(e.unwrap_err(), AnswersFull);
        assert_eq!(budgets.bodies.free_kib(), 650);
        // A short answer holds nothing: its request's share goes back too.
        assert!(
            budgets
                .hold_answer(UNCOUNTED_ANSWER, request(500 * 1024))
                .unwrap()
                .is_none()
        );
        drop((echo, small));
        assert_eq!(budgets.bodies.free_kib(), 1000);
    }
}
