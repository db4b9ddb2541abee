//! Rate limits per caller: a token bucket for each client address or
//! user, refilled at a steady rate; a request finding its bucket empty is
//! refused with 429 and `Retry-After`, saying which limit and whose.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use xmlrpc_kit_server::context::{Identity, RequestContext};

use crate::access_log::field;
use crate::rejection::Rejection;

/// Whose requests share a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateKey {
    /// The client's address (behind trusted proxies, the client they
    /// forward for); IPv6 clients by their /64 network, which one host
    /// commonly holds whole. Checked before authentication, so it also
    /// bounds password guessing.
    Peer,
    /// The user a request authenticated as; a request without one by its
    /// client's address, as [`Peer`](Self::Peer). Checked after
    /// authentication.
    User,
}

/// A rate limit: `burst` requests at once, refilled at `per_second`.
///
/// ```
/// use std::time::{Duration, Instant};
/// use xmlrpc_kit::front::RateLimit;
/// use xmlrpc_kit::context::RequestContext;
///
/// let limit = RateLimit::per_peer(2.0, 3);
/// let ann = RequestContext::new().with_peer("192.0.2.7".parse().unwrap());
/// let start = Instant::now();
/// for _ in 0..3 {
///     assert!(limit.check(&ann, start).is_ok());
/// }
/// let refused = limit.check(&ann, start).unwrap_err();
/// assert_eq!(refused.status(), 429);
/// assert_eq!(refused.retry_after(), Some(1));
/// assert_eq!(
///     refused.text(),
///     "client 192.0.2.7 sent more than its limit of 3 requests at once and 2 a second; retry after 1 s"
/// );
/// // Half a second later, one more token.
/// assert!(limit.check(&ann, start + Duration::from_millis(500)).is_ok());
/// ```
pub struct RateLimit {
    key: RateKey,
    per_second: f64,
    burst: f64,
    buckets: Mutex<Buckets>,
}

/// The buckets of the callers seen lately, bounded in number.
#[derive(Default)]
struct Buckets {
    by_caller: HashMap<Caller, Bucket>,
    /// The bucket shared by callers who came while the table was full of
    /// callers still limited.
    overflow: Option<Bucket>,
}

/// How many callers' buckets are kept; past it, buckets that have
/// refilled (as good as new) are dropped, and if none has, newcomers
/// share one bucket until some have.
const MAX_CALLERS: usize = 65_536;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Caller {
    Address(IpAddr),
    User(String),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimit {
    /// A limit per client address: see [`RateKey::Peer`].
    pub fn per_peer(per_second: f64, burst: u32) -> Self {
        Self::new(RateKey::Peer, per_second, burst)
    }

    /// A limit per user: see [`RateKey::User`].
    pub fn per_user(per_second: f64, burst: u32) -> Self {
        Self::new(RateKey::User, per_second, burst)
    }

    /// A limit keyed by `key`: `burst` requests at once (at least 1), then
    /// `per_second` (more than 0; a smaller rate counts as one request a
    /// day).
    pub fn new(key: RateKey, per_second: f64, burst: u32) -> Self {
        let per_second = if per_second > 0.0 && per_second.is_finite() {
            per_second
        } else {
            1.0 / 86_400.0
        };
        RateLimit {
            key,
            per_second,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::default(),
        }
    }

    /// Whose requests share a bucket.
    pub fn key(&self) -> RateKey {
        self.key
    }

    /// Takes a token from the bucket of `request`'s caller at `now`, or
    /// refuses the request with 429, `Retry-After` the whole seconds until
    /// its next token.
    ///
    /// # Errors
    /// The 429 refusal, saying whose limit it is and what it is.
    pub fn check(&self, request: &RequestContext, now: Instant) -> Result<(), Rejection> {
        self.check_caller(request.peer(), request.identity(), now)
    }

    /// [`check`](Self::check) for the client at `peer`, authenticated as
    /// `identity`, if it did.
    ///
    /// # Errors
    /// The 429 refusal.
    pub fn check_caller(
        &self,
        peer: Option<IpAddr>,
        identity: Option<&Identity>,
        now: Instant,
    ) -> Result<(), Rejection> {
        let caller = match (self.key, identity) {
            (RateKey::User, Some(identity)) => Caller::User(identity.name().to_owned()),
            _ => match peer {
                Some(peer) => Caller::Address(network(peer)),
                None => return Ok(()),
            },
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = self.bucket(&mut buckets, caller.clone(), now);
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now.max(bucket.at);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / self.per_second;
        let seconds = Duration::from_secs_f64(wait.min(86_400.0))
            .as_secs_f64()
            .ceil() as u32;
        Err(Rejection::rate_limited(
            format!(
                "{caller} sent more than its limit of {} requests at once and {} a second",
                self.burst, self.per_second
            ),
            seconds.max(1),
        ))
    }

    /// The bucket of `caller`, made full when new; when the table is full,
    /// buckets that have refilled are dropped first.
    fn bucket<'b>(&self, buckets: &'b mut Buckets, caller: Caller, now: Instant) -> &'b mut Bucket {
        let full = Bucket {
            tokens: self.burst,
            at: now,
        };
        if buckets.by_caller.len() >= MAX_CALLERS && !buckets.by_caller.contains_key(&caller) {
            let refilled = |b: &Bucket| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * self.per_second
                    >= self.burst
            };
            buckets.by_caller.retain(|_, b| !refilled(b));
            if buckets.by_caller.len() >= MAX_CALLERS {
                return buckets.overflow.get_or_insert(full);
            }
        }
        buckets.by_caller.entry(caller).or_insert(full)
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("key", &self.key)
            .field("per_second", &self.per_second)
            .field("burst", &self.burst)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caller::Address(IpAddr::V6(net)) => write!(f, "client network {net}/64"),
            Caller::Address(ip) => write!(f, "client {ip}"),
            Caller::User(name) => write!(f, "user \"{}\"", field(name)),
        }
    }
}

/// The address a client is limited by: itself (IPv4), or its /64.
fn network(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str) -> RequestContext {
        RequestContext::new().with_peer(peer.parse().unwrap())
    }

    #[test]
    fn each_caller_has_a_bucket_of_its_own_refilled_at_the_rate() {
        let limit = RateLimit::per_peer(10.0, 2);
        let t = Instant::now();
        let (a, b) = (from("192.0.2.1"), from("192.0.2.2"));
        assert!(limit.check(&a, t).is_ok());
        assert!(limit.check(&a, t).is_ok());
        assert_eq!(limit.check(&a, t).unwrap_err().retry_after(), Some(1));
        assert!(limit.check(&b, t).is_ok(), "another client is not limited");
        assert!(limit.check(&a, t + Duration::from_millis(100)).is_ok());
        assert!(limit.check(&a, t + Duration::from_millis(100)).is_err());
        // Refilled up to the burst, not beyond.
        let later = t + Duration::from_secs(60);
        assert!(limit.check(&a, later).is_ok());
        assert!(limit.check(&a, later).is_ok());
        assert!(limit.check(&a, later).is_err());
    }

    #[test]
    fn ipv6_clients_share_their_64_and_users_their_name() {
        let limit = RateLimit::per_peer(1.0, 1);
        let t = Instant::now();
        assert!(limit.check(&from("2001:db8::1"), t).is_ok());
        let refused = limit.check(&from("2001:db8::ffff:2"), t).unwrap_err();
        assert_eq!(
            refused.text(),
            "client network 2001:db8::/64 sent more than its limit of 1 requests at once and 1 a second; retry after 1 s"
        );
        assert!(limit.check(&from("2001:db8:0:1::1"), t).is_ok());

        let per_user = RateLimit::per_user(0.5, 1);
        let ann = from("192.0.2.1").with_identity(Identity::new("ann\n"));
        let ann_elsewhere = from("192.0.2.9").with_identity(Identity::new("ann\n"));
        assert!(per_user.check(&ann, t).is_ok());
        let refused = per_user.check(&ann_elsewhere, t).unwrap_err();
        assert_eq!(refused.retry_after(), Some(2));
        assert!(
            refused.text().starts_with("user \"ann\\n\" sent more"),
            "{}",
            refused.text()
        );
        // Without an identity, by address.
        assert!(per_user.check(&from("192.0.2.1"), t).is_ok());
    }

    #[test]
    fn a_full_table_drops_refilled_buckets_and_then_shares_one() {
        let limit = RateLimit::per_peer(1.0, 1);
        let t = Instant::now();
        for i in 0..MAX_CALLERS as u32 {
            let ip = IpAddr::V4((0x0a00_0000 + i).into());
            assert!(limit.check(&RequestContext::new().with_peer(ip), t).is_ok());
        }
        // Every bucket is empty: a newcomer gets the shared one.
        let newcomer = from("192.0.2.1");
        assert!(limit.check(&newcomer, t).is_ok());
        assert!(limit.check(&from("192.0.2.2"), t).is_err());
        // A second later every bucket has refilled and is dropped.
        let later = t + Duration::from_secs(1);
        assert!(limit.check(&from("192.0.2.2"), later).is_ok());
        let buckets = limit.buckets.lock().unwrap();
        assert_eq!(buckets.by_caller.len(), 1);
    }
}
