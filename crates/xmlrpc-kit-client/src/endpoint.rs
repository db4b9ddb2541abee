//! The server's URL, read as Python's `ServerProxy` reads it: `http` or
//! `https`, user info turned into basic auth, an empty path meaning `/RPC2`;
//! and the other forms of the address syntax (`unix:///…`, `scgi://…`).

use base64::Engine as _;
use hyper::Uri;
use hyper::header::HeaderValue;

use xmlrpc_kit_transport::{Address, InvalidAddress};

use crate::error::InvalidUrl;

/// How calls travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// HTTP (or HTTPS) over TCP to the URI's host.
    Tcp,
    /// HTTP over a Unix socket (the URI's host is `localhost`, as
    /// supervisorctl sends it).
    Unix(std::path::PathBuf),
    /// SCGI over TCP (`host:port`).
    ScgiTcp(String),
    /// SCGI over a Unix socket.
    ScgiUnix(std::path::PathBuf),
}

/// Where calls go, and the credentials taken from the URL.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// How calls travel.
    pub(crate) route: Route,
    /// The URL without user info or fragment (for HTTP over a Unix socket
    /// or SCGI: `http://localhost` and the path).
    pub(crate) uri: Uri,
    /// `Basic …` from the URL's user info, as Python sends it.
    pub(crate) authorization: Option<HeaderValue>,
    /// `host:port`, for messages.
    pub(crate) target: String,
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Endpoint, InvalidUrl> {
        let invalid = |reason: &str| InvalidUrl {
            url: redact(url),
            reason: reason.to_owned(),
        };
        let trimmed = url.trim();
        let Some((scheme, rest)) = trimmed.split_once("://") else {
            return Err(invalid(
                "it has no scheme (write http://host:port/path or https://…)",
            ));
        };
        let scheme = scheme.to_ascii_lowercase();
        let is_unix_http = scheme == "http" && rest.starts_with("unix:");
        if matches!(scheme.as_str(), "unix" | "scgi") || is_unix_http {
            return Self::from_address(trimmed).map_err(|e| InvalidUrl {
                url: redact(url),
                reason: e.reason.to_owned(),
            });
        }
        if scheme != "http" && scheme != "https" {
            return Err(invalid("the scheme must be http, https, unix or scgi"));
        }
        let rest = rest.split('#').next().unwrap_or("");
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(authority_end);
        let (user_info, host_port) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        if host_port.is_empty() || host_port.starts_with(':') {
            return Err(invalid("it has no host"));
        }
        // Python's ServerProxy posts to /RPC2 when the URL has no path.
        let path_and_query = if path_and_query.is_empty() || path_and_query.starts_with('?') {
            format!("/RPC2{path_and_query}")
        } else {
            path_and_query.to_owned()
        };
        let uri = Uri::builder()
            .scheme(scheme.as_str())
            .authority(host_port)
            .path_and_query(path_and_query)
            .build()
            .map_err(|e| invalid(&e.to_string()))?;
        let authorization = match user_info {
            None => None,
            Some(info) => {
                // As Python: percent-decode the user info, then base64 all of it.
                let decoded = percent_decode(info);
                let token = base64::engine::general_purpose::STANDARD.encode(decoded);
                let value = HeaderValue::try_from(format!("Basic {token}"))
                    .map_err(|e| invalid(&e.to_string()))?;
                Some(value)
            }
        };
        let target = match uri.port_u16() {
            Some(_) => host_port.to_owned(),
            None if scheme == "https" => format!("{host_port}:443"),
            None => format!("{host_port}:80"),
        };
        Ok(Endpoint {
            route: Route::Tcp,
            uri,
            authorization,
            target,
        })
    }

    /// An endpoint for HTTP over a Unix socket or for SCGI.
    fn from_address(text: &str) -> Result<Endpoint, InvalidAddress> {
        let address: Address = text.parse()?;
        let local = |path: Option<&str>| {
            Uri::builder()
                .scheme("http")
                .authority("localhost")
                .path_and_query(path.unwrap_or("/RPC2"))
                .build()
                .map_err(|_| InvalidAddress {
                    address: text.to_owned(),
                    reason: "the path is not a valid URI path",
                })
        };
        let (route, uri) = match address {
            Address::HttpUnix { socket, path } => (Route::Unix(socket), local(path.as_deref())?),
            Address::ScgiTcp { host, port } => {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host
                };
                (Route::ScgiTcp(format!("{host}:{port}")), local(None)?)
            }
            Address::ScgiUnix { socket } => (Route::ScgiUnix(socket), local(None)?),
            _ => unreachable!("http and https URLs are read by Endpoint::parse"),
        };
        Ok(Endpoint {
            target: address_target(&route),
            route,
            uri,
            authorization: None,
        })
    }
}

/// How an endpoint is named in messages.
fn address_target(route: &Route) -> String {
    match route {
        Route::Tcp => String::new(),
        Route::Unix(path) => format!("unix://{}", path.display()),
        Route::ScgiTcp(host_port) => format!("scgi://{host_port}"),
        Route::ScgiUnix(path) => format!("scgi://{}", path.display()),
    }
}

/// The URL with its password replaced, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => {
            let (info, host) = authority.split_at(at);
            match info.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***{host}{tail}"),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> (String, Option<String>, String) {
        let e = Endpoint::parse(url).unwrap();
        (
            e.uri.to_string(),
            e.authorization.map(|v| v.to_str().unwrap().to_owned()),
            e.target,
        )
    }

    #[test]
    fn urls_are_read_as_python_reads_them() {
        #[rustfmt::skip]
        let cases = [
            ("http://localhost:8000", "http://localhost:8000/RPC2", None, "localhost:8000"),
            ("http://localhost:8000/", "http://localhost:8000/", None, "localhost:8000"),
            ("HTTPS://example.com/x?y=1#frag", "https://example.com/x?y=1", None, "example.com:443"),
            ("http://h?q", "http://h/RPC2?q", None, "h:80"),
            ("http://user:pass@h:1/RPC2", "http://h:1/RPC2", Some("Basic dXNlcjpwYXNz"), "h:1"),
            ("http://us%40r:p%3Ass@h:1/", "http://h:1/", Some("Basic dXNAcjpwOnNz"), "h:1"),
            ("http://[::1]:8000/RPC2", "http://[::1]:8000/RPC2", None, "[::1]:8000"),
        ];
        for (url, uri, auth, target) in cases {
            assert_eq!(
                parsed(url),
                (uri.to_owned(), auth.map(str::to_owned), target.to_owned()),
                "{url}"
            );
        }
    }

    #[test]
    fn unix_and_scgi_addresses_name_their_route() {
        #[rustfmt::skip]
        let cases = [
            ("unix:///run/supervisor.sock", Route::Unix("/run/supervisor.sock".into()), "http://localhost/RPC2", "unix:///run/supervisor.sock"),
            ("http://unix:/tmp/s.sock:/other", Route::Unix("/tmp/s.sock".into()), "http://localhost/other", "unix:///tmp/s.sock"),
            ("scgi://127.0.0.1:5000", Route::ScgiTcp("127.0.0.1:5000".into()), "http://localhost/RPC2", "scgi://127.0.0.1:5000"),
            ("scgi:///tmp/rpc.sock", Route::ScgiUnix("/tmp/rpc.sock".into()), "http://localhost/RPC2", "scgi:///tmp/rpc.sock"),
        ];
        for (url, route, uri, target) in cases {
            let e = Endpoint::parse(url).unwrap();
            assert_eq!(
                (e.route, e.uri.to_string(), e.target),
                (route, uri.to_owned(), target.to_owned()),
                "{url}"
            );
        }
    }

    #[test]
    fn bad_urls_say_why_and_hide_the_password() {
        #[rustfmt::skip]
        let cases = [
            ("localhost:8000", "it has no scheme (write http://host:port/path or https://…)"),
            ("ftp://h/", "the scheme must be http, https, unix or scgi"),
            ("unix://relative.sock", "a socket path must be absolute: unix:///abs/path.sock"),
            ("scgi://h", "it has no port"),
            ("http:///RPC2", "it has no host"),
            ("http://:80/", "it has no host"),
        ];
        for (url, reason) in cases {
            assert_eq!(Endpoint::parse(url).unwrap_err().reason, reason, "{url}");
        }
        let err = Endpoint::parse("ftp://bob:secret@h/").unwrap_err();
        assert_eq!(err.url, "ftp://bob:***@h/");
    }
}
