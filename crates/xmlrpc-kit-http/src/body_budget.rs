//! The body budget: the bytes of request bodies a server holds at once,
//! over all connections, taken as they arrive; and the line a body waits
//! in, first come first served, when the budget cannot take its next
//! bytes, before it is refused.

use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout_at};
use xmlrpc_kit_front::Rejection;

use crate::limits::HttpLimits;

/// How much a share grows at once while its body arrives, in KiB, so that
/// a streamed body does not ask per chunk.
const STEP: usize = 64;

/// The bytes of request bodies held at once, in KiB
/// ([`HttpLimits::max_buffered_body_bytes`]), and the line of bodies
/// waiting for room ([`HttpLimits::body_queue_timeout`]).
///
/// Both counts below are fair semaphores: units given back go to the body
/// first in line (what it does not need goes on to the next one, then to
/// the pool), and a body that did not wait cannot take units that one in
/// line needs. So a large body first in line is not overtaken by smaller
/// ones for ever, and no body spins.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    /// KiB not held.
    free: Semaphore,
    capacity: usize,
    /// Of the budget, KiB that may be held for bytes still to come (see
    /// [`Reservation`]): half of it.
    ahead: Semaphore,
    ahead_capacity: usize,
    /// The longest a body waits in line, over its whole read.
    patience: Duration,
}

impl BodyBudget {
    pub(crate) fn new(limits: &HttpLimits) -> Self {
        let capacity = (limits.max_buffered_body_bytes / 1024).clamp(1, Semaphore::MAX_PERMITS);
        let ahead_capacity = capacity / 2;
        BodyBudget {
            free: Semaphore::new(capacity),
            capacity,
            ahead: Semaphore::new(ahead_capacity),
            ahead_capacity,
            patience: limits.body_queue_timeout,
        }
    }

    /// Gives back `units` handed on by a share (see
    /// [`Reservation::hand_on`]).
    pub(crate) fn give_back(&self, units: usize) {
        self.free.add_permits(units);
    }

    /// KiB not held now.
    #[cfg(test)]
    pub(crate) fn free_kib(&self) -> usize {
        self.free.available_permits()
    }

    /// An empty share for a body of `declared` bytes (`None`: chunked),
    /// grown as the body arrives.
    pub(crate) fn reservation(&self, declared: Option<usize>) -> Reservation<'_> {
        Reservation {
            budget: self,
            declared: declared.map(|bytes| bytes.div_ceil(1024)),
            held: 0,
            promised: 0,
            deadline: None,
        }
    }
}

/// Takes `units` of `semaphore` if that many are free now and no one in
/// line needs them.
fn try_take(semaphore: &Semaphore, units: usize) -> bool {
    let Ok(units) = u32::try_from(units) else {
        return false;
    };
    semaphore
        .try_acquire_many(units)
        .map(tokio::sync::SemaphorePermit::forget)
        .is_ok()
}

/// Takes `units` of `semaphore`, waiting in its line until `deadline`
/// (not at all once it has passed).
async fn take_by(semaphore: &Semaphore, units: usize, deadline: Instant) -> bool {
    if Instant::now() >= deadline {
        return try_take(semaphore, units);
    }
    let Ok(units) = u32::try_from(units) else {
        return false;
    };
    match timeout_at(deadline, semaphore.acquire_many(units)).await {
        Ok(Ok(permit)) => {
            permit.forget();
            true
        }
        Ok(Err(_)) | Err(_) => false,
    }
}

/// The share of the body budget one request holds, grown as its body
/// arrives, given back when dropped.
///
/// Held only for bytes that came, a share cannot be taken by a request
/// that declares a length and sends nothing. But many large bodies
/// arriving together would then each take part of the budget and most
/// would run out before their end: so a body whose first bytes have come
/// is promised its declared length at once ([`promise`](Self::promise)),
/// as long as what is held for bytes still to come stays within half the
/// budget. A body that was promised its length always finishes; one that
/// was not grows as it arrives.
///
/// When the budget cannot take a body's next bytes, the body waits in line
/// ([`cover`](Self::cover)), its bytes unread meanwhile: for the whole
/// rest of its declared length, promised as above (so that it is not
/// left short again), or, when that could never be promised (no declared
/// length, or more than half the budget), for its next step. Its waits
/// last the queue timeout at most in all; then it is refused (503).
#[derive(Debug)]
pub(crate) struct Reservation<'a> {
    budget: &'a BodyBudget,
    /// The declared length, in KiB.
    declared: Option<usize>,
    /// KiB held.
    held: usize,
    /// KiB of `ahead` held until the body has all come.
    promised: usize,
    /// When waiting in line ends for this body: set at its first wait.
    deadline: Option<Instant>,
}

impl Reservation<'_> {
    /// Holds the whole declared length of a body whose first bytes have
    /// come, if what is held ahead and the budget allow now (see the
    /// type's text); else holds nothing more. Once the body has all come,
    /// [`settle`](Self::settle).
    pub(crate) fn promise(&mut self) {
        let Some(want) = self.declared else {
            return;
        };
        if want <= self.held || self.promised > 0 {
            return;
        }
        let more = want - self.held;
        let budget = self.budget;
        if !try_take(&budget.ahead, more) {
            return;
        }
        if !try_take(&budget.free, more) {
            budget.ahead.add_permits(more);
            return;
        }
        self.held += more;
        self.promised = more;
    }

    /// The body has all come: its promise no longer counts against what
    /// is held ahead (what it holds stays held).
    pub(crate) fn settle(&mut self) {
        if self.promised > 0 {
            self.budget.ahead.add_permits(self.promised);
            self.promised = 0;
        }
    }

    /// Hands on up to `units` of what it holds (to its request's answer:
    /// see `Budgets::hold_answer`), given back with
    /// [`BodyBudget::give_back`]; gives back the rest. How many it handed on.
    pub(crate) fn hand_on(mut self, units: usize) -> usize {
        self.settle();
        let handed = self.held.min(units);
        self.held -= handed;
        handed
    }

    /// Gives back all it holds: the body was refused, and what came of
    /// it let go.
    pub(crate) fn let_go(&mut self) {
        self.settle();
        self.budget.free.add_permits(std::mem::take(&mut self.held));
    }

    /// Holds at least `bytes` of a body still arriving, waiting in line
    /// when the budget cannot take them now (see the type's text); 503
    /// once the wait passes the queue timeout, or at once when the budget
    /// could never take them.
    pub(crate) async fn cover(&mut self, bytes: usize) -> Result<(), Rejection> {
        let want = bytes.div_ceil(1024);
        if self.grow_now(want) {
            return Ok(());
        }
        // Boxed: the wait's state is large, and a request that never waits
        // (nearly all) should not carry it.
        Box::pin(self.wait_in_line(want)).await
    }

    /// Holds at least `bytes` already in memory (an inflated body),
    /// without waiting: 503 when the budget cannot take them now, for
    /// bytes that wait uncounted would put memory past the budget.
    pub(crate) fn cover_now(&mut self, bytes: usize) -> Result<(), Rejection> {
        if self.grow_now(bytes.div_ceil(1024)) {
            Ok(())
        } else {
            Err(Rejection::busy_bodies())
        }
    }

    /// Holds `want` KiB, growing by a step at least, or by just what it
    /// needs when the budget cannot take a step, if it can take that now.
    fn grow_now(&mut self, want: usize) -> bool {
        if want <= self.held {
            return true;
        }
        let need = want - self.held;
        let took = if need < STEP && try_take(&self.budget.free, STEP) {
            STEP
        } else if try_take(&self.budget.free, need) {
            need
        } else {
            return false;
        };
        self.held += took;
        true
    }

    /// Waits in line for `want` KiB (see the type's text).
    async fn wait_in_line(&mut self, want: usize) -> Result<(), Rejection> {
        let budget = self.budget;
        let deadline = *self
            .deadline
            .get_or_insert_with(|| Instant::now() + budget.patience);
        // `want` is more than is held (else no wait).
        let rest = self.declared.map(|declared| declared.max(want) - self.held);
        let promisable = rest.filter(|&rest| {
            self.promised == 0
                && rest <= budget.ahead_capacity
                && self.held + rest <= budget.capacity
        });
        if let Some(rest) = promisable {
            // Room first, then its place among what is held ahead: every
            // waiter takes them in this order, and what holds the second
            // (a body promised its length) never waits, so no two bodies
            // wait on each other.
            if !take_by(&budget.free, rest, deadline).await {
                return Err(Rejection::busy_bodies());
            }
            if !take_by(&budget.ahead, rest, deadline).await {
                budget.free.add_permits(rest);
                return Err(Rejection::busy_bodies());
            }
            self.held += rest;
            self.promised = rest;
            return Ok(());
        }
        if want > budget.capacity {
            return Err(Rejection::busy_bodies());
        }
        let more = (want - self.held)
            .max(STEP)
            .min(budget.capacity - self.held);
        if !take_by(&budget.free, more, deadline).await {
            return Err(Rejection::busy_bodies());
        }
        self.held += more;
        Ok(())
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.let_go();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt as _;

    const BUSY_BODIES: (u16, &str) = (
        503,
        "the server holds too many request bodies right now; try again later",
    );

    fn budget(kib: usize, queue: Duration) -> BodyBudget {
        BodyBudget::new(&HttpLimits {
            max_buffered_body_bytes: kib * 1024,
            body_queue_timeout: queue,
            ..HttpLimits::default()
        })
    }

    /// What `cover` comes to if it does not wait.
    fn cover_at_once(
        share: &mut Reservation<'_>,
        bytes: usize,
    ) -> Option<Result<(), (u16, String)>> {
        let busy = |e: Rejection| (e.status(), e.text().to_owned());
        share.cover(bytes).now_or_never().map(|r| r.map_err(busy))
    }

    /// Polls `future` once: `None` while it waits.
    fn poll_once<F: Future + Unpin>(future: &mut F) -> Option<F::Output> {
        future.now_or_never()
    }

    fn busy() -> Option<Result<(), (u16, String)>> {
        Some(Err((BUSY_BODIES.0, BUSY_BODIES.1.to_owned())))
    }

    #[tokio::test]
    async fn shares_grow_in_steps_and_are_given_back() {
        // No wait: past the budget, 503 at once.
        let budget = budget(100, Duration::ZERO);
        let mut one = budget.reservation(None);
        assert_eq!(cover_at_once(&mut one, 1), Some(Ok(())));
        assert_eq!(one.held, 64);
        assert_eq!(cover_at_once(&mut one, 64 * 1024), Some(Ok(())));
        assert_eq!(one.held, 64);
        let mut two = budget.reservation(None);
        assert_eq!(cover_at_once(&mut two, 40 * 1024), busy());
        drop(one);
        assert_eq!(cover_at_once(&mut two, 100 * 1024), Some(Ok(())));
        let mut three = budget.reservation(None);
        assert_eq!(cover_at_once(&mut three, 1), busy());
        assert_eq!(budget.free.available_permits(), 0);
        drop((two, three));
        assert_eq!(budget.free.available_permits(), 100);
    }

    #[tokio::test]
    async fn a_share_takes_just_what_it_needs_when_a_step_does_not_fit() {
        let budget = budget(100, Duration::ZERO);
        let mut one = budget.reservation(None);
        assert_eq!(cover_at_once(&mut one, 97 * 1024), Some(Ok(())));
        assert_eq!(one.held, 97);
        // 3 KiB left: a step of 64 does not fit, the 2 KiB needed do.
        assert_eq!(cover_at_once(&mut one, 99 * 1024), Some(Ok(())));
        assert_eq!(one.held, 99);
        assert_eq!(cover_at_once(&mut one, 100 * 1024), Some(Ok(())));
        assert_eq!(cover_at_once(&mut one, 100 * 1024 + 1), busy());
    }

    #[tokio::test]
    async fn declared_lengths_are_promised_within_half_the_budget() {
        let budget = budget(1000, Duration::ZERO);
        // Up to 500 KiB held ahead.
        let mut a = budget.reservation(Some(300 * 1024));
        a.promise();
        assert_eq!((a.held, a.promised), (300, 300));
        assert_eq!(cover_at_once(&mut a, 300 * 1024), Some(Ok(()))); // already held
        assert_eq!(a.held, 300);
        let mut b = budget.reservation(Some(800 * 1024));
        b.promise(); // 1100 KiB would be held ahead: not now
        assert_eq!((b.held, b.promised), (0, 0));
        // Without a promise a body grows as it arrives, within what is left.
        assert_eq!(cover_at_once(&mut b, 600 * 1024), Some(Ok(())));
        assert_eq!(cover_at_once(&mut b, 700 * 1024 + 1), busy());
        // Once a body has all come, its promise is settled: another may be made.
        a.settle();
        let mut c = budget.reservation(Some(100 * 1024));
        c.promise();
        assert_eq!((c.held, c.promised), (100, 100));
        drop((a, b, c));
        // All given back: the whole budget again.
        assert_eq!(budget.free.available_permits(), 1000);
        assert_eq!(budget.ahead.available_permits(), 500);
        // Bytes already in memory never wait.
        let mut d = budget.reservation(None);
        d.cover_now(1000 * 1024).unwrap();
        let e = budget.reservation(None).cover_now(1).unwrap_err();
        assert_eq!((e.status(), e.text()), BUSY_BODIES);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_short_of_room_waits_for_the_rest_of_its_length() {
        let budget = budget(1000, Duration::from_secs(10));
        let mut full = budget.reservation(None);
        full.cover(936 * 1024).await.unwrap();
        // 200 KiB declared, 60 KiB come: its promise did not fit, it grew
        // by a step, the last 64 KiB; 100 KiB do not fit: it waits for
        // its rest.
        let mut body = budget.reservation(Some(200 * 1024));
        body.promise();
        body.cover(60 * 1024).await.unwrap();
        assert_eq!((body.held, body.promised), (64, 0));
        let started = Instant::now();
        let mut wait = Box::pin(body.cover(100 * 1024));
        assert!(poll_once(&mut wait).is_none());
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(poll_once(&mut wait).is_none());
        drop(full);
        assert!(matches!(poll_once(&mut wait), Some(Ok(()))));
        drop(wait);
        assert_eq!(started.elapsed(), Duration::from_secs(3));
        // Its whole rest, promised: the body never waits again.
        assert_eq!((body.held, body.promised), (200, 136));
        assert_eq!(cover_at_once(&mut body, 200 * 1024), Some(Ok(())));
        body.settle();
        assert_eq!(budget.ahead.available_permits(), 500);
    }

    #[tokio::test(start_paused = true)]
    async fn the_line_is_first_come_first_served() {
        let budget = budget(1000, Duration::from_secs(10));
        let mut small_holder = budget.reservation(None);
        small_holder.cover(300 * 1024).await.unwrap();
        let mut large_holder = budget.reservation(None);
        large_holder.cover(700 * 1024).await.unwrap();
        // First in line wants 400 KiB, second 100 KiB.
        let mut first = budget.reservation(Some(400 * 1024));
        let mut second = budget.reservation(Some(100 * 1024));
        let mut first_wait = Box::pin(first.cover(1));
        let mut second_wait = Box::pin(second.cover(1));
        assert!(poll_once(&mut first_wait).is_none());
        assert!(poll_once(&mut second_wait).is_none());
        // 300 KiB come back: enough for the second, but the first is
        // first; a newcomer cannot take them either.
        drop(small_holder);
        assert!(poll_once(&mut first_wait).is_none());
        assert!(poll_once(&mut second_wait).is_none());
        let mut newcomer = budget.reservation(Some(10 * 1024));
        newcomer.promise();
        assert_eq!(newcomer.held, 0);
        assert_eq!(cover_at_once(&mut newcomer, 1), None);
        // 700 more: both are let in, in turn.
        drop(large_holder);
        assert!(matches!(poll_once(&mut first_wait), Some(Ok(()))));
        assert!(matches!(poll_once(&mut second_wait), Some(Ok(()))));
        drop((first_wait, second_wait));
        assert_eq!((first.held, second.held), (400, 100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_waits_the_queue_timeout_at_most_in_all() {
        let budget = budget(1000, Duration::from_secs(10));
        let mut full = budget.reservation(None);
        full.cover(1000 * 1024).await.unwrap();
        let mut body = budget.reservation(None);
        let started = Instant::now();
        let e = body.cover(1).await.unwrap_err();
        assert_eq!((e.status(), e.text()), BUSY_BODIES);
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        // Its wait is spent: refused at once from now on.
        assert_eq!(cover_at_once(&mut body, 1), busy());
        // What it waited for was given back to whoever came after.
        drop(full);
        assert_eq!(budget.free.available_permits(), 1000);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_the_budget_could_never_take_is_refused_at_once() {
        let budget = budget(1000, Duration::from_secs(10));
        let mut body = budget.reservation(Some(1500 * 1024));
        body.promise();
        assert_eq!(cover_at_once(&mut body, 999 * 1024), Some(Ok(())));
        // More than the whole budget: no wait can help.
        assert_eq!(cover_at_once(&mut body, 1001 * 1024), busy());
    }
}
