//! The client through a real HTTP proxy (Debian's tinyproxy, started by
//! each test on 127.0.0.1): `http://` servers in absolute form, `https://`
//! ones through a `CONNECT` tunnel, the proxy's user and password, and
//! what a proxy's refusal reads like. (The environment's `HTTP_PROXY` and
//! `NO_PROXY` are tested through the command line, whose environment a
//! test sets: `crates/xmlrpc-kit-cli/tests/proxy.rs`.)

mod common;

use common::{TlsFront, our_server};
use xmlrpc_kit::Client;
use xmlrpc_kit::client::Proxy;
use xmlrpc_kit_test_support::tinyproxy::{Tinyproxy, TinyproxyConfig};

#[tokio::test]
async fn an_http_server_through_the_proxy() {
    let server = our_server();
    let proxy = Tinyproxy::start("http", &TinyproxyConfig::default());
    let client = Client::builder(&server.url())
        .proxy(Proxy::url(proxy.url()))
        .build()
        .unwrap();
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    assert_eq!(client.call::<i64>("pow", (2, 10)).await.unwrap(), 1024);
    // The proxy forwarded both, as absolute-form requests.
    let forwarded = format!("POST {}", server.url());
    assert_eq!(
        proxy.log().matches(&forwarded).count(),
        2,
        "{}",
        proxy.log()
    );
    // Listed in no_proxy: straight to the server.
    let direct = Client::builder(&server.url())
        .proxy(Proxy::url(proxy.url()).no_proxy("127.0.0.1"))
        .build()
        .unwrap();
    assert_eq!(direct.call::<i64>("add", (1, 1)).await.unwrap(), 2);
    assert_eq!(
        proxy.log().matches(&forwarded).count(),
        2,
        "{}",
        proxy.log()
    );
}

#[tokio::test]
async fn an_https_server_through_a_connect_tunnel() {
    let server = our_server();
    let front = TlsFront::start(server.addr);
    let proxy = Tinyproxy::start(
        "https",
        &TinyproxyConfig {
            connect_ports: vec![front.addr.port()],
            ..TinyproxyConfig::default()
        },
    );
    let client = Client::builder(&front.url())
        .add_root_certificate_der(front.certificate_der.clone())
        .proxy(Proxy::url(proxy.url()))
        .build()
        .unwrap();
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    // TLS runs end to end: the proxy saw a tunnel, not the call.
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT localhost:{} HTTP/1.1", front.addr.port())),
        "{log}"
    );
    assert!(!log.contains("POST"), "{log}");
}

#[tokio::test]
async fn a_refused_tunnel_says_whose_refusal_it_is() {
    let server = our_server();
    let front = TlsFront::start(server.addr);
    // Tunnels to no port of ours.
    let proxy = Tinyproxy::start("refusing", &TinyproxyConfig::default());
    let client = Client::builder(&front.url())
        .add_root_certificate_der(front.certificate_der.clone())
        .proxy(Proxy::url(proxy.url()))
        .build()
        .unwrap();
    let err = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    let transport = err.transport().expect("a transport error");
    assert!(transport.is_connect(), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot connect to localhost:{} through the proxy {}: tunnel error: unsuccessful",
            front.addr.port(),
            proxy.url()
        )
    );
}

#[tokio::test]
async fn the_proxy_s_user_and_password_come_from_its_url() {
    let server = our_server();
    let front = TlsFront::start(server.addr);
    let proxy = Tinyproxy::start(
        "auth",
        &TinyproxyConfig {
            connect_ports: vec![front.addr.port()],
            basic_auth: Some(("proxyuser".into(), "s3cret".into())),
        },
    );
    let with_user = |password: &str| {
        proxy
            .url()
            .replace("http://", &format!("http://proxyuser:{password}@"))
    };
    // http:// (Proxy-Authorization on each request) and https:// (on the
    // CONNECT), with the right password.
    for (url, root) in [
        (server.url(), None),
        (front.url(), Some(front.certificate_der.clone())),
    ] {
        let mut builder = Client::builder(&url).proxy(Proxy::url(with_user("s3cret")));
        if let Some(root) = root {
            builder = builder.add_root_certificate_der(root);
        }
        let client = builder.build().unwrap();
        assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5, "{url}");
    }
    // A wrong one: the proxy's refusal (tinyproxy answers 401, where
    // RFC 9110 has proxies answer 407), and the password not in the message.
    let client = Client::builder(&server.url())
        .proxy(Proxy::url(with_user("wrong")))
        .build()
        .unwrap();
    let err = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    assert_eq!(err.transport().and_then(|t| t.status()), Some(401), "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "127.0.0.1:{} through the proxy {} answered HTTP 401",
            server.addr.port(),
            proxy.url()
        )),
        "{message}"
    );
    assert!(!message.contains("wrong"), "{message}");
}

#[test]
fn a_socks_proxy_is_refused_when_the_client_is_built() {
    let err = Client::builder("http://127.0.0.1:1/RPC2")
        .proxy(Proxy::url("socks5://127.0.0.1:1080"))
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("proxy socks5://127.0.0.1:1080: only http:// proxies are supported"),
        "{err}"
    );
}
