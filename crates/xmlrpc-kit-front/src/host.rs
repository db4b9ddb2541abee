//! The `Host` rule of RFC 9112 §3.2, for requests that come over HTTP.

use crate::access_log::field;
use crate::rejection::Rejection;

/// The `Host` rule (RFC 9112 §3.2): an HTTP/1.1 request carries exactly
/// one `Host` header, and any request at most one; its value is a host
/// and an optional port (or empty), as a URI's authority writes them
/// without user information. Otherwise 400, whatever the path (the RPC
/// paths, the documentation page and the health path alike).
/// `http_1_1` says the request is HTTP/1.1: HTTP/1.0 may go without
/// `Host`, and HTTP/2 carries the authority elsewhere. `hosts` are the
/// values of its `Host` lines.
///
/// ```
/// use xmlrpc_kit::front::check_host;
///
/// assert_eq!(check_host(true, [&b"example.com:8000"[..]]), Ok(()));
/// assert_eq!(check_host(false, []), Ok(()));
/// let missing = check_host(true, []).unwrap_err();
/// assert_eq!((missing.status(), missing.text()), (400, "an HTTP/1.1 request needs a Host header"));
/// let two = check_host(false, [&b"a"[..], &b"b"[..]]).unwrap_err();
/// assert_eq!(two.text(), "the request has 2 Host headers; one is allowed");
/// ```
pub fn check_host<'a>(
    http_1_1: bool,
    hosts: impl IntoIterator<Item = &'a [u8]>,
) -> Result<(), Rejection> {
    let mut hosts = hosts.into_iter();
    let (first, more) = (hosts.next(), hosts.count());
    match first {
        None if http_1_1 => Err(Rejection::bad_host(
            "an HTTP/1.1 request needs a Host header",
        )),
        None => Ok(()),
        Some(_) if more > 0 => Err(Rejection::bad_host(format!(
            "the request has {} Host headers; one is allowed",
            more + 1
        ))),
        Some(host) if !host.iter().all(|&b| is_authority_byte(b)) => {
            Err(Rejection::bad_host(format!(
                "Host \"{}\" is not a host name or address with an optional port",
                field(&String::from_utf8_lossy(host))
            )))
        }
        Some(_) => Ok(()),
    }
}

/// Whether `byte` may appear in `host [":" port]` (RFC 3986 §3.2.2: a
/// registered name's unreserved, percent-encoded and sub-delimiter
/// characters, an IP literal's brackets and colons).
fn is_authority_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:[]".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_follow_rfc_9112() {
        let check = |http_1_1: bool, hosts: &[&str]| {
            check_host(http_1_1, hosts.iter().map(|h| h.as_bytes()))
                .map_err(|r| (r.status(), r.text().to_owned()))
        };
        for good in [
            "localhost",
            "127.0.0.1:8000",
            "[::1]:8000",
            "[fe80::1%25eth0]",
            "xn--bcher-kva.example",
            "",
        ] {
            assert_eq!(check(true, &[good]), Ok(()), "{good:?}");
            assert_eq!(check(false, &[good]), Ok(()), "{good:?}");
        }
        assert_eq!(check(false, &[]), Ok(()));
        let missing = (400, "an HTTP/1.1 request needs a Host header".to_owned());
        assert_eq!(check(true, &[]), Err(missing));
        let two = (
            400,
            "the request has 2 Host headers; one is allowed".to_owned(),
        );
        assert_eq!(check(true, &["a", "a"]), Err(two.clone()));
        assert_eq!(check(false, &["a", "b"]), Err(two));
        assert_eq!(
            check(true, &["a", "b", "c"]).unwrap_err().1,
            "the request has 3 Host headers; one is allowed"
        );
        for bad in [
            "a b",
            "user@host",
            "host/path",
            "host?x",
            "h\u{e9}te",
            "a\tb",
        ] {
            assert_eq!(
                check(true, &[bad]),
                Err((
                    400,
                    format!("Host {bad:?} is not a host name or address with an optional port")
                )),
                "{bad:?}"
            );
        }
    }
}
