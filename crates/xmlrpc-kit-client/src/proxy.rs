//! [`Proxy`]: which HTTP proxy a client's calls go through (the
//! environment's `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` by default, as
//! curl and Python's `urllib` read them), and the connector that reaches
//! an `http://` server through one (the request in absolute form, as
//! proxies expect it; `https://` goes through a `CONNECT` tunnel).

use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper::header::HeaderValue;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;

use crate::error::Error;

/// Which HTTP proxy a client's calls go through, set with
/// [`ClientBuilder::proxy`](crate::ClientBuilder::proxy).
///
/// By default, the environment's, read when the client is built, as curl
/// reads it: `HTTPS_PROXY` for `https://` servers, `HTTP_PROXY` for
/// `http://` ones, `ALL_PROXY` for both when those are not set (each in
/// lower case too), and `NO_PROXY`, a comma-separated list of hosts,
/// domains (`.example.com` or `example.com`, with its subdomains), IP
/// addresses and networks (`10.0.0.0/8`) reached directly, or `*` for all.
/// `HTTP_PROXY` is not read when `REQUEST_METHOD` is set (a CGI program,
/// whose `HTTP_PROXY` a client's `Proxy:` header can set: "httpoxy").
///
/// An `http://` server is called through the proxy with the request in
/// absolute form (`POST http://server/RPC2`), an `https://` one through a
/// `CONNECT` tunnel, TLS running end to end through it (the `tls`
/// feature). A user and password in the proxy's URL
/// (`http://user:secret@proxy:3128`) are sent as `Proxy-Authorization`.
/// The proxy itself is spoken to in plain HTTP (`http://` proxies; a
/// `socks5://` or `https://` proxy is an error when the client is built).
/// Unix-socket and SCGI URLs never use a proxy.
///
/// ```no_run
/// use xmlrpc_kit::Client;
/// use xmlrpc_kit::client::Proxy;
///
/// let through_squid = Client::builder("https://pypi.org/pypi")
///     .proxy(Proxy::url("http://127.0.0.1:3128").no_proxy("localhost,.internal"))
///     .build()?;
/// let direct = Client::builder("http://10.0.0.7:8000/RPC2")
///     .proxy(Proxy::none())
///     .build()?;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Proxy {
    choice: Choice,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Choice {
    /// The environment's variables, read when the client is built.
    #[default]
    Environment,
    /// No proxy.
    None,
    /// This proxy for every server but those `no_proxy` lists.
    Url { url: String, no_proxy: String },
}

impl Proxy {
    /// The proxy the environment names (the default; see [`Proxy`]).
    pub fn from_env() -> Self {
        Proxy {
            choice: Choice::Environment,
        }
    }

    /// No proxy, whatever the environment says.
    pub fn none() -> Self {
        Proxy {
            choice: Choice::None,
        }
    }

    /// The proxy at `url` (`http://host:port`, with `user:password@` if it
    /// asks for them) for `http://` and `https://` servers alike.
    pub fn url(url: impl Into<String>) -> Self {
        Proxy {
            choice: Choice::Url {
                url: url.into(),
                no_proxy: String::new(),
            },
        }
    }

    /// The servers reached directly, as `NO_PROXY` lists them
    /// (`localhost,.internal,10.0.0.0/8`), for a proxy given by
    /// [`url`](Self::url); for the others, nothing changes.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        if let Choice::Url { no_proxy, .. } = &mut self.choice {
            *no_proxy = hosts.into();
        }
        self
    }

    /// The proxy to reach `server` through, if any.
    pub(crate) fn route(&self, server: &Uri) -> Result<Option<Via>, Error> {
        let (matcher, no_proxy) = match &self.choice {
            Choice::None => return Ok(None),
            Choice::Environment => (
                Matcher::from_env(),
                ["NO_PROXY", "no_proxy"]
                    .into_iter()
                    .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
                    .unwrap_or_default(),
            ),
            Choice::Url { url, no_proxy } => (
                Matcher::builder()
                    .all(url.clone())
                    .no(no_proxy.clone())
                    .build(),
                no_proxy.clone(),
            ),
        };
        // `*` is every server, IP addresses too, as curl has it (the
        // matcher's `*` matches host names only).
        if no_proxy.split(',').any(|entry| entry.trim() == "*") {
            return Ok(None);
        }
        let Some(intercept) = matcher.intercept(server) else {
            return Ok(None);
        };
        let proxy = intercept.uri().clone();
        match proxy.scheme_str() {
            Some("http") => {}
            other => {
                return Err(Error::Config(format!(
                    "proxy {}: only http:// proxies are supported, not {}://",
                    without_user(&proxy),
                    other.unwrap_or("")
                )));
            }
        }
        Ok(Some(Via {
            authorization: intercept.basic_auth().cloned(),
            proxy,
        }))
    }
}

/// A proxy a client goes through: its address and the
/// `Proxy-Authorization` it is sent.
#[derive(Debug, Clone)]
pub(crate) struct Via {
    pub(crate) proxy: Uri,
    pub(crate) authorization: Option<HeaderValue>,
}

impl Via {
    /// The proxy's address for messages: its user and password left out.
    pub(crate) fn shown(&self) -> String {
        without_user(&self.proxy)
    }
}

/// `uri`'s scheme, host and port: no user information.
fn without_user(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    match (uri.host(), uri.port_u16()) {
        (Some(host), Some(port)) => format!("{scheme}://{host}:{port}"),
        (Some(host), None) => format!("{scheme}://{host}"),
        _ => "the proxy".into(),
    }
}

/// Connects to the proxy whatever server a request names, and says the
/// connection is a proxy's, so that requests go in absolute form.
#[derive(Debug, Clone)]
pub(crate) struct ToProxy {
    pub(crate) http: HttpConnector,
    pub(crate) proxy: Uri,
}

impl tower_service::Service<Uri> for ToProxy {
    type Response = Proxied<<HttpConnector as tower_service::Service<Uri>>::Response>;
    type Error = <HttpConnector as tower_service::Service<Uri>>::Error;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx)
    }

    fn call(&mut self, _server: Uri) -> Self::Future {
        let connecting = self.http.call(self.proxy.clone());
        Box::pin(async move { Ok(Proxied(connecting.await?)) })
    }
}

/// A connection to a proxy: the stream as it is, marked as a proxy's.
#[derive(Debug)]
pub(crate) struct Proxied<T>(T);

impl<T: Connection> Connection for Proxied<T> {
    fn connected(&self) -> Connected {
        self.0.connected().proxy(true)
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for Proxied<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for Proxied<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(proxy: &Proxy, server: &str) -> Option<String> {
        proxy
            .route(&server.parse().unwrap())
            .unwrap()
            .map(|via| format!("{} {:?}", via.proxy, via.authorization))
    }

    #[test]
    fn a_given_proxy_serves_both_schemes_but_the_hosts_listed() {
        let proxy = Proxy::url("http://u:p@127.0.0.1:3128").no_proxy("localhost,.internal");
        assert_eq!(
            route(&proxy, "http://example.com/RPC2").as_deref(),
            Some("http://127.0.0.1:3128/ Some(Sensitive)")
        );
        assert!(route(&proxy, "https://example.com/RPC2").is_some());
        assert_eq!(route(&proxy, "http://localhost:8000/"), None);
        assert_eq!(route(&proxy, "https://api.internal/RPC2"), None);
        assert_eq!(route(&Proxy::none(), "http://example.com/"), None);
        let none = Proxy::url("http://127.0.0.1:3128").no_proxy("a.example, *");
        assert_eq!(route(&none, "http://10.1.2.3:8000/RPC2"), None);
    }

    #[test]
    fn only_http_proxies_are_spoken_to() {
        let err = Proxy::url("socks5://u:p@127.0.0.1:1080")
            .route(&"http://example.com/".parse().unwrap())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client setting: proxy socks5://127.0.0.1:1080: only http:// proxies are supported, not socks5://"
        );
    }
}
