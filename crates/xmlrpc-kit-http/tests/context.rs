//! Request context, state and authentication through the HTTP server:
//! handlers read the client's address, headers, path and identity, and
//! shared state; basic and bearer authentication answer 401 before any
//! handler runs, and a multicall runs under the request's identity.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TestServer, add_request, call_body, exchange, post};
use xmlrpc_kit::context::{Caller, Headers, Peer, RequestPath, State};
use xmlrpc_kit::front::{ForwardedHeader, TrustedProxies};
use xmlrpc_kit::{Authenticator, Client, Fault, Methods, Server, Value, codes};

/// Methods that answer what they see of the request.
fn methods(calls: Arc<AtomicUsize>) -> Methods {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    m.add_state(calls);
    m.register_function("add", |x: i32, y: i32| x + y);
    m.register_function("whoami", |Caller(who): Caller| {
        who.map_or_else(|| "nobody".to_owned(), |id| id.name().to_owned())
    });
    m.register_function(
        "where",
        |Peer(peer): Peer, RequestPath(path): RequestPath| {
            format!(
                "{} {path}",
                peer.map_or_else(|| "-".into(), |p| p.to_string())
            )
        },
    );
    m.register_function("header", |Headers(headers): Headers, name: String| {
        headers
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .unwrap_or_default()
    })
    .param_names(["headers", "name"]);
    m.register_function("count", |State(calls): State<Arc<AtomicUsize>>| {
        calls.fetch_add(1, Ordering::SeqCst) as i64 + 1
    });
    m
}

#[tokio::test(flavor = "multi_thread")]
async fn handlers_read_the_request_and_shared_state() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = TestServer::start(Server::builder(methods(calls.clone())).log_requests(false));
    let client = Client::builder(&server.url())
        .header("X-Team", "blue")
        .build()
        .unwrap();
    assert_eq!(
        client.call::<String>("where", ()).await.unwrap(),
        "127.0.0.1 /RPC2"
    );
    assert_eq!(
        client.call::<String>("header", ("x-team",)).await.unwrap(),
        "blue"
    );
    assert_eq!(client.call::<String>("whoami", ()).await.unwrap(), "nobody");
    // The request's parameters are not in the signature.
    assert_eq!(
        client.method_signature("header").await.unwrap(),
        Some(vec![vec!["string".to_owned(), "string".to_owned()]])
    );
    assert_eq!(client.call::<i64>("count", ()).await.unwrap(), 1);
    assert_eq!(client.call::<i64>("count", ()).await.unwrap(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // A missing parameter still names it, among the call's own only.
    let e = client.call::<String>("header", ()).await.unwrap_err();
    assert_eq!(
        e.fault(),
        Some(&Fault::new(
            codes::INVALID_PARAMS,
            "header takes 1 parameter (name: string), got 0"
        ))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_authentication_guards_every_call_once_per_request() {
    let server = TestServer::start(
        Server::builder(methods(Arc::default()))
            .authenticate(Authenticator::basic("test", [("ann", "s3cret")]))
            .log_requests(false),
    );
    // No credentials, or wrong ones: 401 with a challenge, no handler runs.
    let refused = exchange(server.addr, &add_request("/RPC2"));
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Basic realm=\"test\", charset=\"UTF-8\"")
    );
    let wrong = Client::new(&format!("http://ann:nope@{}/RPC2", server.addr)).unwrap();
    let e = wrong.call::<i32>("add", (1, 2)).await.unwrap_err();
    assert_eq!(e.transport().and_then(|t| t.status()), Some(401), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "{} answered HTTP 401 Unauthorized: authentication required",
            server.addr
        )
    );
    // Right ones: the handler sees who, and so does every call of a multicall.
    let ann = Client::new(&format!("http://ann:s3cret@{}/RPC2", server.addr)).unwrap();
    assert_eq!(ann.call::<String>("whoami", ()).await.unwrap(), "ann");
    let mut batch = ann.batch();
    batch.add("whoami", ()).add("add", (1, 2)).add("whoami", ());
    assert_eq!(
        batch.send().await.unwrap(),
        vec![
            Ok(Value::String("ann".into())),
            Ok(Value::Int(3)),
            Ok(Value::String("ann".into()))
        ]
    );
    // Python's client, credentials in the URL.
    let url = format!("http://ann:s3cret@{}/RPC2", server.addr);
    let out = tokio::task::spawn_blocking(move || {
        xmlrpc_kit_test_support::python::run_ok(&[
            "-c",
            &format!("import xmlrpc.client\nprint(xmlrpc.client.ServerProxy({url:?}).whoami())"),
        ])
    })
    .await
    .unwrap();
    assert_eq!(out, "ann\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_tokens_name_their_identity() {
    let server = TestServer::start(
        Server::builder(methods(Arc::default()))
            .authenticate(Authenticator::bearer("api", [("t0ken", "ci-bot")]))
            .log_requests(false),
    );
    let bot = Client::builder(&server.url())
        .header("Authorization", "Bearer t0ken")
        .build()
        .unwrap();
    assert_eq!(bot.call::<String>("whoami", ()).await.unwrap(), "ci-bot");
    let raw = post("/RPC2", &call_body("whoami", ""));
    let refused = exchange(server.addr, &raw);
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer realm=\"api\"")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_peer_behind_a_trusted_proxy_is_the_client_it_forwards_for() {
    let calls = Arc::new(AtomicUsize::new(0));
    let proxies: TrustedProxies = "127.0.0.1".parse().unwrap();
    let behind = TestServer::start(
        Server::builder(methods(calls.clone()))
            .log_requests(false)
            .trusted_proxies(proxies.clone()),
    );
    let behind_rfc7239 = TestServer::start(
        Server::builder(methods(calls.clone()))
            .log_requests(false)
            .trusted_proxies(proxies.header(ForwardedHeader::Forwarded)),
    );
    let direct = TestServer::start(Server::builder(methods(calls)).log_requests(false));
    // 6.6.6.6 is what the client claimed; 203.0.113.9 is what the proxy
    // saw. The client also forged a Forwarded header, which a proxy
    // appending to X-Forwarded-For passes on untouched.
    let forwarded = |url: &str| {
        Client::builder(url)
            .header("Forwarded", "for=198.51.100.7")
            .header("X-Forwarded-For", "6.6.6.6, 203.0.113.9")
            .build()
            .unwrap()
    };
    assert_eq!(
        forwarded(&behind.url())
            .call::<String>("where", ())
            .await
            .unwrap(),
        "203.0.113.9 /RPC2"
    );
    // Behind proxies that write Forwarded, X-Forwarded-For is the forgery.
    let rfc7239 = Client::builder(&behind_rfc7239.url())
        .header("X-Forwarded-For", "198.51.100.8")
        .header("Forwarded", "for=\"[2001:db8::1]:5000\"")
        .build()
        .unwrap();
    assert_eq!(
        rfc7239.call::<String>("where", ()).await.unwrap(),
        "2001:db8::1 /RPC2"
    );
    // Without trust, the header is just a header.
    assert_eq!(
        forwarded(&direct.url())
            .call::<String>("where", ())
            .await
            .unwrap(),
        "127.0.0.1 /RPC2"
    );
}
