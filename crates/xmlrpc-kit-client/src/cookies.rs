//! An opt-in cookie jar for session-based APIs: what the server sets with
//! `Set-Cookie` is sent back with `Cookie` on every later call of the same
//! client (and its clones).
//!
//! A client talks to one server, so the jar is the client's own: `Domain`
//! and `Path` are not consulted, and a cookie lives until the server
//! replaces it or removes it (`Max-Age=0`, or an `Expires` in the past
//! written as the epoch, which servers use to delete); other expiry dates
//! are not tracked.

use std::sync::Mutex;

use hyper::header::{HeaderMap, HeaderValue, SET_COOKIE};

/// The cookies a server has set, in the order it first set them.
#[derive(Debug, Default)]
pub(crate) struct Jar {
    cookies: Mutex<Vec<(String, String)>>,
}

impl Jar {
    fn cookies(&self) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        self.cookies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps what `headers` set (and forgets what they delete).
    pub(crate) fn store(&self, headers: &HeaderMap) {
        let mut cookies = self.cookies();
        for value in headers.get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim().trim_matches('"'));
            if name.is_empty() {
                continue;
            }
            let deleted = parts.any(|attribute| {
                let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
                let (key, val) = (key.trim(), val.trim());
                (key.eq_ignore_ascii_case("max-age") && val.parse::<i64>().is_ok_and(|s| s <= 0))
                    || (key.eq_ignore_ascii_case("expires") && val.contains("1970"))
            });
            cookies.retain(|(n, _)| n != name);
            if !deleted {
                cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    /// The `Cookie` header to send, if any cookie is kept.
    pub(crate) fn header(&self) -> Option<HeaderValue> {
        let cookies = self.cookies();
        if cookies.is_empty() {
            return None;
        }
        let line = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        HeaderValue::try_from(line).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(jar: &Jar, values: &[&'static str]) {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(SET_COOKIE, HeaderValue::from_static(v));
        }
        jar.store(&headers);
    }

    #[test]
    fn cookies_are_kept_replaced_and_deleted() {
        let jar = Jar::default();
        assert_eq!(jar.header(), None);
        set(&jar, &["session=abc; Path=/; HttpOnly", "lang=\"en\""]);
        assert_eq!(jar.header().unwrap(), "session=abc; lang=en");
        set(&jar, &["session=def"]);
        assert_eq!(jar.header().unwrap(), "lang=en; session=def");
        set(
            &jar,
            &[
                "lang=; Max-Age=0",
                "session=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ],
        );
        assert_eq!(jar.header(), None);
        set(&jar, &["=nameless", "no-equals-sign"]);
        assert_eq!(jar.header(), None);
    }
}
