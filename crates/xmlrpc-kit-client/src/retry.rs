//! [`RetryPolicy`]: which failed calls a client sends again, how long it
//! waits between attempts, and when it gives up.
//!
//! The policy is a value set on the builder
//! ([`ClientBuilder::retry`](crate::ClientBuilder::retry)); the loop that
//! applies it ([`RetryPolicy::run`]) is the one place calls are retried,
//! for single calls, batches and [`send_raw`](crate::Client::send_raw).

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use xmlrpc_kit_codec::Fault;
use xmlrpc_kit_codec::wire::names;

use crate::error::{Error, TransportError};

type MethodPredicate = dyn Fn(&str) -> bool + Send + Sync;
type FaultPredicate = dyn Fn(&Fault) -> bool + Send + Sync;

/// When a client sends a failed call again: set with
/// [`ClientBuilder::retry`](crate::ClientBuilder::retry). Without one
/// (the default), each call is sent once.
///
/// # What is retried
///
/// | failure | retried for |
/// | --- | --- |
/// | connecting failed: refused, reset, unreachable, the connect timeout (not a bad certificate or an unknown host) | every method |
/// | a fault the [`retry_fault`](Self::retry_fault) predicate matches (a rate limit) | every method |
/// | the connection closed before any of the answer came | idempotent methods |
/// | HTTP 429, 502, 503, 504 | idempotent methods |
///
/// Nothing else is: not other statuses, faults, invalid responses, nor the
/// per-attempt [`timeout`](crate::ClientBuilder::timeout).
///
/// **Why only idempotent methods, by default.** An XML-RPC call is a POST
/// that may change the server's state (`wp.newPost`, `supervisor.startProcess`),
/// and nothing in the protocol says which calls are safe to repeat. Once a
/// request has left, a failure does not tell whether the server ran it: a
/// connection closed before the answer, a 502 or 504 from a proxy whose
/// backend went on working, even a 503 from a front that had passed it on.
/// Sending it again could run it twice. So these failures are retried only
/// for the methods the policy is told are idempotent: the introspection
/// methods (`system.listMethods`, `system.methodHelp`,
/// `system.methodSignature`, `system.getCapabilities`) and those named with
/// [`idempotent_methods`](Self::idempotent_methods) or matched by
/// [`idempotent_if`](Self::idempotent_if). A failure to connect proves the
/// request was never sent, so it is retried for any method; so is a fault
/// the user's predicate matches, which says the server refused the call
/// (match only faults that mean "not run", such as a rate limit).
///
/// A `system.multicall` ([`Batch::send`](crate::Batch::send)) counts as
/// idempotent when every call in it is (or when `system.multicall` itself
/// is marked so); a fault inside its results is one call's answer and is
/// never retried.
///
/// # How long it waits
///
/// Before attempt *n* + 1 it waits what the server's `Retry-After` header
/// asked for (seconds or an HTTP date), when it sent one with the status;
/// else an exponential backoff: [`initial_delay`](Self::initial_delay)
/// doubled after each attempt, at most [`max_delay`](Self::max_delay),
/// with jitter (a random time between half of it and all of it, so that
/// clients failing together do not come back together). A `Retry-After`
/// longer than `max_delay` ends the retries: the caller gets the failure
/// (and [`TransportError::retry_after`]) rather than a call sooner than
/// the server asked for.
///
/// # When it gives up
///
/// After [`max_attempts`](Self::max_attempts) (the first included), the
/// caller gets the last attempt's failure as it was, with
/// [`TransportError::attempts`] saying how many were made (a fault is the
/// server's answer and is returned as it is, without a count). The
/// [`deadline`](Self::deadline) bounds the whole call, attempts and waits
/// together: an attempt still running when it passes is stopped, and no
/// attempt is started that the wait before it would push past it; either
/// way the error is a [`TransportError`] whose
/// [`is_timeout`](TransportError::is_timeout) is true, whose message names
/// the deadline and the attempts, and whose source is the last attempt's
/// failure. The builder's [`timeout`](crate::ClientBuilder::timeout) still
/// bounds each attempt.
///
/// ```no_run
/// # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
/// use std::time::Duration;
/// use xmlrpc_kit::Client;
/// use xmlrpc_kit::client::RetryPolicy;
///
/// let policy = RetryPolicy::new()
///     .max_attempts(5)
///     .initial_delay(Duration::from_millis(200))
///     .max_delay(Duration::from_secs(5))
///     .deadline(Duration::from_secs(20))
///     .idempotent_methods(["search", "package_releases"])
///     // PyPI: -32500 "HTTPTooManyRequests: ... Limit may reset in 1 seconds."
///     .retry_fault(|fault| fault.code == -32500 && fault.string.contains("Limit may reset"));
/// let client = Client::builder("https://pypi.org/pypi").retry(policy).build()?;
/// let releases: Vec<String> = client.call("package_releases", ("roundup",)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    max_delay: Duration,
    deadline: Option<Duration>,
    idempotent: HashSet<String>,
    idempotent_if: Option<Arc<MethodPredicate>>,
    retry_fault: Option<Arc<FaultPredicate>>,
}

/// The HTTP statuses retried (for idempotent methods).
const RETRIED_STATUSES: [u16; 4] = [429, 502, 503, 504];

impl RetryPolicy {
    /// A policy of 3 attempts, waiting 200 ms then 400 ms (with jitter; at
    /// most 10 s each), no deadline, the introspection methods idempotent
    /// and no fault retried.
    pub fn new() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            deadline: None,
            idempotent: [
                names::LIST_METHODS,
                names::METHOD_HELP,
                names::METHOD_SIGNATURE,
                names::GET_CAPABILITIES,
            ]
            .into_iter()
            .map(str::to_owned)
            .collect(),
            idempotent_if: None,
            retry_fault: None,
        }
    }

    /// How many times a call may be sent, the first included (default 3;
    /// 1 never retries, 0 counts as 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the second attempt, doubled before each later one
    /// (default 200 ms), when the server sent no `Retry-After`.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// The longest wait between two attempts (default 10 s), for the
    /// backoff and for the server's `Retry-After` alike (one longer ends
    /// the retries).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The most time a whole call may take, every attempt and wait
    /// included; `None` (the default) bounds it only by the attempts.
    pub fn deadline(mut self, deadline: impl Into<Option<Duration>>) -> Self {
        self.deadline = deadline.into();
        self
    }

    /// Marks methods idempotent (safe to send twice), besides the
    /// introspection methods and any marked before: failures after the
    /// request may have reached the server are retried for them.
    pub fn idempotent_methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.idempotent.extend(methods.into_iter().map(Into::into));
        self
    }

    /// Marks the methods `predicate` accepts idempotent, besides those
    /// already marked (`|name| name.starts_with("get")`, or `|_| true` for a
    /// server whose every method only reads).
    pub fn idempotent_if(
        mut self,
        predicate: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.idempotent_if = Some(match self.idempotent_if.take() {
            None => Arc::new(predicate),
            Some(before) => Arc::new(move |method: &str| before(method) || predicate(method)),
        });
        self
    }

    /// Retries a call the server answered with a fault `predicate`
    /// accepts, whatever the method: for faults that say the call was
    /// refused without running, such as a rate limit. Replaces an earlier
    /// predicate; by default no fault is retried.
    pub fn retry_fault(
        mut self,
        predicate: impl Fn(&Fault) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.retry_fault = Some(Arc::new(predicate));
        self
    }

    /// Whether the policy counts `method` as idempotent.
    pub fn is_idempotent(&self, method: &str) -> bool {
        self.idempotent.contains(method) || self.idempotent_if.as_ref().is_some_and(|p| p(method))
    }

    /// Whether `error` may be retried, for a call of an idempotent method
    /// or not; and, if the server said, after how long.
    fn verdict(&self, error: &Error, idempotent: bool) -> Verdict {
        match error {
            Error::Fault(fault) if self.retry_fault.as_ref().is_some_and(|p| p(fault)) => {
                Verdict::Retry(None)
            }
            Error::Transport(e) if e.connect_io_kind().is_some_and(transient) => {
                Verdict::Retry(None)
            }
            Error::Transport(e) if idempotent && e.is_closed_before_answer() => {
                Verdict::Retry(None)
            }
            Error::Transport(e)
                if idempotent && e.status().is_some_and(|s| RETRIED_STATUSES.contains(&s)) =>
            {
                Verdict::Retry(e.retry_after())
            }
            _ => Verdict::GiveUp,
        }
    }

    /// The backoff before attempt `attempt + 1`, jittered.
    fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        let delay = self
            .initial_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay);
        delay.mul_f64(0.5 + 0.5 * random_fraction())
    }

    /// Runs `attempt` until it succeeds or the policy gives up, for a call
    /// to `target` (`host:port`, for messages) that is `idempotent` or not.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        target: &str,
        idempotent: bool,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let ends = self.deadline.map(|d| (d, Instant::now() + d));
        let mut attempts = 0;
        let mut last: Option<Error> = None;
        loop {
            attempts += 1;
            let outcome = match ends {
                None => attempt().await,
                Some((deadline, at)) => match tokio::time::timeout_at(at, attempt()).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        return Err(
                            TransportError::deadline(target, deadline, attempts, last).into()
                        );
                    }
                },
            };
            let mut error = match outcome {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let wait = match self.verdict(&error, idempotent) {
                _ if attempts >= self.max_attempts => None,
                Verdict::GiveUp => None,
                Verdict::Retry(Some(asked)) if asked > self.max_delay => None,
                Verdict::Retry(Some(asked)) => Some(asked),
                Verdict::Retry(None) => Some(self.backoff(attempts)),
            };
            let Some(wait) = wait else {
                if let Error::Transport(e) = &mut error {
                    e.set_attempts(attempts);
                }
                return Err(error);
            };
            if let Some((deadline, at)) = ends {
                if Instant::now() + wait >= at {
                    return Err(
                        TransportError::deadline(target, deadline, attempts, Some(error)).into(),
                    );
                }
            }
            last = Some(error);
            tokio::time::sleep(wait).await;
        }
    }
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::new`].
    fn default() -> Self {
        RetryPolicy::new()
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut idempotent: Vec<&String> = self.idempotent.iter().collect();
        idempotent.sort();
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_delay", &self.initial_delay)
            .field("max_delay", &self.max_delay)
            .field("deadline", &self.deadline)
            .field("idempotent", &idempotent)
            .field("idempotent_if", &self.idempotent_if.as_ref().map(|_| ".."))
            .field("retry_fault", &self.retry_fault.as_ref().map(|_| ".."))
            .finish()
    }
}

/// What to do after a failed attempt.
enum Verdict {
    GiveUp,
    /// Retry, after what the server asked for if it did.
    Retry(Option<Duration>),
}

/// Whether a failure to connect may pass: the server is restarting or
/// busy, or the network hiccuped. A certificate refused, an unknown host
/// or a bad address would fail the same way again.
fn transient(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        kind,
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | TimedOut
            | NotConnected
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
            | AddrNotAvailable
            // A Unix socket missing while its server restarts.
            | NotFound
    )
}

/// A number in [0, 1) that differs from call to call: std's `RandomState`
/// is seeded randomly per thread and changes with each one made; the
/// clock adds to it. Plenty for jitter, without a dependency.
fn random_fraction() -> f64 {
    use std::hash::BuildHasher as _;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let bits = std::collections::hash_map::RandomState::new().hash_one(now);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Reads a `Retry-After` value: seconds (`120`), or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, the IMF-fixdate form), as the time
/// from `now` (zero if past); `None` if it is neither.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(http_date_seconds(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The Unix time of an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date_seconds(text: &str) -> Option<u64> {
    let mut parts = text.split_ascii_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: u64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    let mut field = |max: u64| clock.next()?.parse::<u64>().ok().filter(|n| *n <= max);
    let (hour, minute, second) = (field(23)?, field(59)?, field(60)?);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    if !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
    // days_from_civil), the year counted from March.
    let y = if month <= 2 { year - 1 } else { year };
    let (era, year_of_era) = (y / 400, y % 400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = (era * 146_097 + day_of_era).checked_sub(719_468)?;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // 1994-11-06 08:49:37
        let t = |v| parse_retry_after(v, now);
        assert_eq!(t("0"), Some(Duration::ZERO));
        assert_eq!(t(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(t("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(
            t("Sun, 06 Nov 1994 08:50:07 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            t("Mon, 07 Nov 1994 08:49:37 GMT"),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(t("Sat, 05 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(t(bad), None, "{bad:?}");
        }
        assert_eq!(http_date_seconds("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date_seconds("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(1_445_412_480)
        );
        assert_eq!(
            http_date_seconds("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let policy = RetryPolicy::new()
            .initial_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for (attempt, full) in [(1, 100), (2, 200), (3, 350), (4, 350), (40, 350)] {
            let full = Duration::from_millis(full);
            for _ in 0..20 {
                let d = policy.backoff(attempt);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
    }

    #[test]
    fn introspection_is_idempotent_by_default() {
        let policy = RetryPolicy::new();
        assert!(policy.is_idempotent("system.listMethods"));
        assert!(policy.is_idempotent("system.getCapabilities"));
        assert!(!policy.is_idempotent("system.multicall"));
        assert!(!policy.is_idempotent("wp.newPost"));
        let policy = policy
            .idempotent_methods(["search"])
            .idempotent_if(|m| m.starts_with("get"))
            .idempotent_if(|m| m.ends_with(".read"));
        assert!(policy.is_idempotent("search") && policy.is_idempotent("getInfo"));
        assert!(policy.is_idempotent("model.read") && policy.is_idempotent("system.methodHelp"));
        assert!(!policy.is_idempotent("model.write"));
    }
}
