//! Authentication before dispatch: HTTP basic (constant-time comparison, `subtle`),
//! bearer tokens, or your own function of the request. A request that
//! fails answers 401 with `WWW-Authenticate` and never reaches a handler;
//! the identity reaches handlers through the request context
//! ([`Caller`](xmlrpc_kit_server::context::Caller)). Every call of a
//! `system.multicall` runs under the request's identity: it is
//! authenticated once, not per call, so a multicall cannot become a
//! password-guessing loop.

use std::fmt;
use std::sync::Arc;

use crate::rejection::Rejection;
use base64::Engine as _;
use subtle::ConstantTimeEq as _;
use xmlrpc_kit_server::context::{Identity, RequestContext};

type Check = dyn Fn(&RequestContext) -> Option<Identity> + Send + Sync;

/// How a server authenticates requests.
///
/// ```
/// use xmlrpc_kit::{Authenticator, Methods, Server};
///
/// let auth = Authenticator::basic("admin", [("ann", "correct horse"), ("bob", "battery staple")]);
/// let server = Server::builder(Methods::new()).authenticate(auth);
/// ```
#[derive(Clone)]
pub struct Authenticator {
    /// The `WWW-Authenticate` challenge of a refusal.
    challenge: String,
    check: Arc<Check>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// Equal, in time that depends on the lengths only (`subtle`'s
/// comparison: no early exit at the first byte that differs).
fn same(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

impl Authenticator {
    /// HTTP basic authentication against `users` (name, password); the
    /// identity is the user's name. Every entry is compared, in constant
    /// time, whatever matches.
    pub fn basic<U, P>(realm: &str, users: impl IntoIterator<Item = (U, P)>) -> Self
    where
        U: Into<String>,
        P: Into<String>,
    {
        let users: Vec<(String, String)> = users
            .into_iter()
            .map(|(u, p)| (u.into(), p.into()))
            .collect();
        Self::custom(
            &format!("Basic realm=\"{realm}\", charset=\"UTF-8\""),
            move |request| {
                let encoded = request.header("authorization")?.strip_prefix("Basic ")?;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .ok()?;
                let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
                let mut found = None;
                for (name, secret) in &users {
                    let matches = same(name.as_bytes(), user.as_bytes())
                        & same(secret.as_bytes(), password.as_bytes());
                    if matches && found.is_none() {
                        found = Some(Identity::new(name.clone()));
                    }
                }
                found
            },
        )
    }

    /// Bearer tokens (`Authorization: Bearer TOKEN`), each naming an
    /// identity; compared in constant time.
    pub fn bearer<T, N>(realm: &str, tokens: impl IntoIterator<Item = (T, N)>) -> Self
    where
        T: Into<String>,
        N: Into<String>,
    {
        let tokens: Vec<(String, String)> = tokens
            .into_iter()
            .map(|(t, n)| (t.into(), n.into()))
            .collect();
        Self::custom(&format!("Bearer realm=\"{realm}\""), move |request| {
            let given = request
                .header("authorization")?
                .strip_prefix("Bearer ")?
                .trim();
            let mut found = None;
            for (token, name) in &tokens {
                if same(token.as_bytes(), given.as_bytes()) && found.is_none() {
                    found = Some(Identity::new(name.clone()));
                }
            }
            found
        })
    }

    /// Your own check of the request (its headers, client and path): the
    /// identity, or `None` to refuse with `challenge` as `WWW-Authenticate`.
    pub fn custom(
        challenge: &str,
        check: impl Fn(&RequestContext) -> Option<Identity> + Send + Sync + 'static,
    ) -> Self {
        Authenticator {
            challenge: challenge.to_owned(),
            check: Arc::new(check),
        }
    }

    /// The identity `request` authenticates as, or the 401 to answer.
    pub fn check(&self, request: &RequestContext) -> Result<Identity, Rejection> {
        (self.check)(request).ok_or_else(|| Rejection::unauthorized(&self.challenge))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_equality_is_equality() {
        assert!(same(b"secret", b"secret"));
        assert!(!same(b"secret", b"secreT"));
        assert!(!same(b"secret", b"secret!"));
        assert!(same(b"", b""));
    }

    #[test]
    fn basic_and_bearer_name_their_identity() {
        let basic = Authenticator::basic("r", [("ann", "pw")]);
        let with = |value: &str| RequestContext::new().with_header("Authorization", value);
        assert_eq!(basic.check(&with("Basic YW5uOnB3")).unwrap().name(), "ann");
        let refused = basic.check(&with("Basic YW5uOnd4")).unwrap_err();
        assert_eq!(
            (refused.status(), refused.text(), refused.challenge()),
            (
                401,
                "authentication required",
                Some("Basic realm=\"r\", charset=\"UTF-8\"")
            )
        );
        // No credentials: refused alike.
        assert_eq!(basic.check(&RequestContext::new()).unwrap_err(), refused);
        let bearer = Authenticator::bearer("r", [("t0k", "ci")]);
        assert_eq!(bearer.check(&with("Bearer t0k")).unwrap().name(), "ci");
        let refused = bearer.check(&with("Bearer nope")).unwrap_err();
        assert_eq!(
            (refused.status(), refused.text(), refused.challenge()),
            (401, "authentication required", Some("Bearer realm=\"r\""))
        );
    }
}
