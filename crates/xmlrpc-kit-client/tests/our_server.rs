//! The client against our own server (xmlrpc-kit-http), in-process on
//! 127.0.0.1 with an OS-picked port; a proxy in between where the test
//! needs to see the wire (connections, headers, bytes).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{
    ClosedPort, FakeServer, Proxy, TlsFront, assert_echoes_every_type, every_type,
    our_listed_methods, our_server,
};
use xmlrpc_kit::client::{Error, ResponseLimits};
use xmlrpc_kit::{Binary, Client, DocumentLimits, Fault, OutputEncoding, Value, codes};

#[tokio::test]
async fn every_type_round_trips_through_echo() {
    let server = our_server();
    assert_echoes_every_type(&server.url(), |value| value).await;
    let client = Client::builder(&server.url())
        .allow_none(true)
        .build()
        .unwrap();
    // Large i8 and '\r' survive with our server (Python's cannot send them back).
    for value in [
        Value::I8(i64::MIN),
        Value::I8(1 << 40),
        Value::String("a\r\nb\r".into()),
    ] {
        assert_eq!(
            client
                .call_value("echo", vec![value.clone()])
                .await
                .unwrap(),
            value
        );
    }
    // Typed in, typed out.
    let n: i64 = client.call("echo", (1i64 << 40,)).await.unwrap();
    assert_eq!(n, 1 << 40);
    let list: Vec<String> = client.call("echo", (vec!["a", "b"],)).await.unwrap();
    assert_eq!(list, ["a", "b"]);
    let map: BTreeMap<String, f64> = client
        .call("echo", (BTreeMap::from([("pi".to_owned(), 3.25)]),))
        .await
        .unwrap();
    assert_eq!(map["pi"], 3.25);
    let bytes: Binary = client
        .call("echo", (Binary(vec![0, 1, 255]),))
        .await
        .unwrap();
    assert_eq!(bytes.0, [0, 1, 255]);
    let none: Option<i32> = client.call("nothing", ()).await.unwrap();
    assert_eq!(none, None);
}

#[tokio::test]
async fn requests_are_written_in_the_clients_dialect() {
    let server = our_server();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let requests = seen.clone();
    let client = Client::builder(&server.url())
        .allow_none(true)
        .dialect(xmlrpc_kit::Dialect::XMLRPC_C)
        .inspect(move |direction, body| {
            if direction == xmlrpc_kit::client::Direction::Request {
                requests
                    .lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(body).into_owned());
            }
        })
        .build()
        .unwrap();
    let big = Value::Double(1e300);
    assert_eq!(
        client.call_value("echo", vec![big.clone()]).await.unwrap(),
        big
    );
    let request = seen.lock().unwrap().pop().unwrap();
    assert!(
        request.contains(&format!("<double>1{}.0</double>", "0".repeat(300))),
        "{request}"
    );

    // strict cannot send a nil: the call fails before anything is sent.
    let strict = Client::builder(&server.url())
        .allow_none(true)
        .dialect(xmlrpc_kit::Dialect::STRICT)
        .build()
        .unwrap();
    let e = strict
        .call_value("echo", vec![Value::Nil])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Encode(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the call cannot be encoded: cannot marshal nil: the strict dialect has no nil"
    );
}

#[tokio::test]
async fn calls_with_rust_arguments_and_dotted_names() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    assert_eq!(client.call::<i64>("pow", (2, 3)).await.unwrap(), 8);
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    assert_eq!(client.call::<i64>("mul", (5, 2)).await.unwrap(), 10);
    let names: Vec<String> = client.call("system.listMethods", ()).await.unwrap();
    assert!(names.iter().any(|n| n == "system.multicall"));
    // The URL without a path posts to /RPC2, as Python's ServerProxy does.
    let bare = Client::new(&format!("http://{}", server.addr)).unwrap();
    assert_eq!(bare.call::<i64>("add", (1, 1)).await.unwrap(), 2);
}

#[tokio::test]
async fn faults_are_errors_with_code_and_string() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    let fault = |e: Error| match e {
        Error::Fault(f) => (f.code, f.string),
        other => panic!("not a fault: {other:?}"),
    };
    assert_eq!(
        fault(client.call::<i64>("div", (1, 0)).await.unwrap_err()),
        (
            codes::APPLICATION_ERROR,
            "integer division or modulo by zero".into()
        )
    );
    let (code, string) = fault(client.call::<Value>("nope", ()).await.unwrap_err());
    assert_eq!(code, codes::METHOD_NOT_FOUND);
    assert!(string.contains("nope"), "{string}");
    let (code, _) = fault(client.call::<i64>("add", ("x", 1)).await.unwrap_err());
    assert_eq!(code, codes::INVALID_PARAMS);
    let e = client.call::<i64>("div", (1, 0)).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "fault -32500: integer division or modulo by zero"
    );
    assert_eq!(
        e.fault(),
        Some(&Fault::new(
            codes::APPLICATION_ERROR,
            "integer division or modulo by zero"
        ))
    );
    assert!(e.transport().is_none());
}

#[tokio::test]
async fn a_result_of_the_wrong_type_is_a_conversion_error() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    let e = client.call::<String>("add", (1, 2)).await.unwrap_err();
    assert!(matches!(e, Error::Convert(_)), "{e:?}");
    assert_eq!(e.to_string(), "unexpected result: expected string, got int");
}

#[tokio::test]
async fn multicall_gives_one_result_or_fault_per_call_in_order() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    let mut batch = client.batch();
    batch
        .add("pow", (2, 3))
        .add("add", (1, 2))
        .add("div", (1, 0))
        .add("nope", ())
        .add("mul", (5, 2));
    assert_eq!(batch.len(), 5);
    assert_eq!(
        batch.send().await.unwrap(),
        [
            Ok(Value::Int(8)),
            Ok(Value::Int(3)),
            Err(Fault::new(
                codes::APPLICATION_ERROR,
                "integer division or modulo by zero"
            )),
            Err(Fault::new(
                codes::METHOD_NOT_FOUND,
                "method \"nope\" is not supported"
            )),
            Ok(Value::Int(10)),
        ]
    );
    assert_eq!(client.batch().send().await.unwrap(), []);
}

#[tokio::test]
async fn introspection_helpers() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    assert_eq!(client.list_methods().await.unwrap(), our_listed_methods());
    assert_eq!(
        client.method_help("pow").await.unwrap(),
        "pow(x, y): x raised to the power y."
    );
    assert_eq!(
        client.method_signature("add").await.unwrap(),
        Some(vec![vec![
            "i8".to_owned(),
            "i8".to_owned(),
            "i8".to_owned()
        ]])
    );
    let e = client.method_help("nope").await.unwrap_err();
    assert_eq!(
        e.fault(),
        Some(&Fault::new(
            codes::METHOD_NOT_FOUND,
            "method \"nope\" is not supported"
        ))
    );
}

#[tokio::test]
async fn keep_alive_reuses_one_connection_for_many_calls() {
    let server = our_server();
    let proxy = Proxy::start(server.addr);
    let client = Client::new(&proxy.url()).unwrap();
    for i in 0..50 {
        assert_eq!(client.call::<i64>("add", (i, 1)).await.unwrap(), i + 1);
    }
    // Clones share the pool.
    let clone = client.clone();
    assert_eq!(clone.call::<i64>("add", (1, 1)).await.unwrap(), 2);
    let mut batch = clone.batch();
    batch.add("add", (1, 2));
    batch.send().await.unwrap();
    assert_eq!(proxy.connections(), 1, "one connection for 52 calls");
}

#[tokio::test]
async fn concurrent_calls_use_a_connection_each_then_reuse_them() {
    let server = our_server();
    let proxy = Proxy::start(server.addr);
    let client = Client::new(&proxy.url()).unwrap();
    for _round in 0..3 {
        let calls = (0..4).map(|i| {
            let client = client.clone();
            async move { client.call::<u32>("sleep", (20 + i,)).await.unwrap() }
        });
        let results = futures_join_all(calls).await;
        assert_eq!(results, [20, 21, 22, 23]);
        // Let the connections go back to the pool before the next round.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        proxy.connections() <= 4,
        "{} connections for 3 rounds of 4 concurrent calls",
        proxy.connections()
    );
}

/// Runs futures as concurrent tasks and collects their outputs in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn gzip_both_ways() {
    let server = our_server();
    let proxy = Proxy::start(server.addr);
    let client = Client::builder(&proxy.url())
        .gzip_threshold(Some(1400))
        .build()
        .unwrap();
    // A large request goes gzipped, and the server reads it.
    let big = "xmlrpc ".repeat(20_000);
    let echoed: String = client.call("echo", (big.as_str(),)).await.unwrap();
    assert_eq!(echoed, big);
    let sent = proxy.upstream_text();
    assert!(
        sent.to_ascii_lowercase().contains("content-encoding: gzip"),
        "{}",
        &sent[..400.min(sent.len())]
    );
    assert!(sent.to_ascii_lowercase().contains("accept-encoding: gzip"));
    // Both bodies crossed the wire compressed: far less than 140 kB each way.
    assert!(
        proxy.upstream_bytes() < 10_000,
        "{}",
        proxy.upstream_bytes()
    );
    assert!(
        proxy.downstream_bytes() < 10_000,
        "{}",
        proxy.downstream_bytes()
    );

    // A small request is not gzipped.
    let before = proxy.upstream_text().len();
    assert_eq!(client.call::<i64>("add", (1, 2)).await.unwrap(), 3);
    let small = proxy.upstream_text()[before..].to_ascii_lowercase();
    assert!(!small.contains("content-encoding"), "{small}");

    // Without Accept-Encoding the response comes back plain.
    let plain_proxy = Proxy::start(server.addr);
    let plain = Client::builder(&plain_proxy.url())
        .accept_gzip(false)
        .build()
        .unwrap();
    let text: String = plain.call("repeat", ("abc", 10_000)).await.unwrap();
    assert_eq!(text, "abc".repeat(10_000));
    assert!(plain_proxy.downstream_bytes() > 30_000);
}

#[tokio::test]
async fn basic_auth_from_the_url_and_custom_headers_are_sent() {
    let server = our_server();
    let proxy = Proxy::start(server.addr);
    let client = Client::builder(&format!("http://us%40er:p%3Ass@{}/RPC2", proxy.addr))
        .header("X-Trace", "abc123")
        .build()
        .unwrap();
    assert_eq!(
        client.url(),
        format!("http://us%40er:***@{}/RPC2", proxy.addr)
    );
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    let sent = proxy.upstream_text().to_ascii_lowercase();
    // base64("us@er:p:ss"), as Python's ServerProxy sends it.
    assert!(
        sent.contains("authorization: basic dxnazxi6cdpzcw=="),
        "{sent}"
    );
    assert!(sent.contains("x-trace: abc123"), "{sent}");
    assert!(sent.contains("content-type: text/xml"), "{sent}");
    assert!(sent.starts_with("post /rpc2 http/1.1\r\n"), "{sent}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_connect_error() {
    let closed = ClosedPort::new();
    let client = Client::new(&format!("http://127.0.0.1:{}/", closed.port())).unwrap();
    let e = client.call::<i64>("add", (1, 2)).await.unwrap_err();
    let t = e.transport().expect("a transport error");
    assert!(
        t.is_connect() && !t.is_timeout() && t.status().is_none(),
        "{t:?}"
    );
    assert!(
        e.to_string().starts_with("cannot connect to 127.0.0.1:"),
        "{e}"
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = our_server();
    let client = Client::builder(&server.url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let e = client.call::<u32>("sleep", (3000,)).await.unwrap_err();
    let t = e.transport().expect("a transport error");
    assert!(t.is_timeout() && !t.is_connect(), "{t:?}");
    assert_eq!(
        e.to_string(),
        format!("no complete response from {} within 200ms", server.addr)
    );
    // The client goes on working after a timeout.
    assert_eq!(client.call::<u32>("sleep", (1,)).await.unwrap(), 1);
}

#[tokio::test]
async fn an_http_error_status_is_reported_with_the_servers_words() {
    let server = our_server();
    let client = Client::new(&format!("http://{}/nowhere", server.addr)).unwrap();
    let e = client.call::<i64>("add", (1, 2)).await.unwrap_err();
    assert_eq!(e.transport().and_then(|t| t.status()), Some(404));
    assert_eq!(
        e.to_string(),
        format!("{} answered HTTP 404 Not Found: No such page", server.addr)
    );
}

#[tokio::test]
async fn bad_xml_is_a_decode_error_with_line_and_column() {
    let fake = FakeServer::xml(
        "<?xml version=\"1.0\"?>\n<methodResponse>\n<params><param><value><int>x</int></value></param></params></methodResponse>",
    );
    let client = Client::new(&fake.url()).unwrap();
    let e = client.call::<i64>("add", (1, 2)).await.unwrap_err();
    let Error::Decode(d) = &e else {
        panic!("not a decode error: {e:?}")
    };
    assert_eq!((d.line(), d.column()), (3, 23));
    assert!(
        e.to_string()
            .starts_with("the response is not valid XML-RPC: line 3, column 23: <int> holds \"x\", not a 32-bit integer"),
        "{e}"
    );

    let fake = FakeServer::xml("<methodResponse><params>");
    let e = Client::new(&fake.url())
        .unwrap()
        .call::<i64>("add", (1, 2))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
}

#[tokio::test]
async fn responses_over_the_limits_are_refused() {
    let server = our_server();
    // Over the size limit, as sent...
    let small = Client::builder(&server.url())
        .max_response_bytes(1000)
        .accept_gzip(false)
        .build()
        .unwrap();
    let e = small
        .call::<String>("repeat", ("a", 5000))
        .await
        .unwrap_err();
    assert!(e.transport().is_some_and(|t| t.is_too_large()), "{e:?}");
    // ... and once inflated (a gzip response of a few hundred bytes).
    let small = Client::builder(&server.url())
        .max_response_bytes(10_000)
        .build()
        .unwrap();
    let e = small
        .call::<String>("repeat", ("a", 1_000_000))
        .await
        .unwrap_err();
    assert!(e.transport().is_some_and(|t| t.is_too_large()), "{e:?}");
    assert_eq!(
        small.call::<String>("repeat", ("a", 10)).await.unwrap(),
        "aaaaaaaaaa"
    );

    // Too deep for the client's limits.
    let shallow = Client::builder(&server.url())
        .limits(ResponseLimits::default().document(DocumentLimits::default().max_depth(3)))
        .build()
        .unwrap();
    let mut deep = Value::Int(1);
    for _ in 0..6 {
        deep = Value::Array(vec![deep]);
    }
    let e = shallow.call_value("echo", vec![deep]).await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
}

#[tokio::test]
async fn nil_needs_allow_none_and_requests_take_the_chosen_encoding() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    let e = client
        .call_value("echo", vec![Value::Nil])
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Encode(_)), "{e:?}");

    let proxy = Proxy::start(server.addr);
    let latin1 = Client::builder(&proxy.url())
        .encoding(OutputEncoding::new("iso-8859-1").unwrap())
        .build()
        .unwrap();
    let text = "é € 日本";
    assert_eq!(latin1.call::<String>("echo", (text,)).await.unwrap(), text);
    let sent = proxy.seen.upstream.lock().unwrap().clone();
    assert!(
        String::from_utf8_lossy(&sent).contains("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>"),
        "{}",
        String::from_utf8_lossy(&sent)
    );
    assert!(
        sent.windows(8).any(|w| w == b"\xe9 &#8364"),
        "é as one byte, € as a reference"
    );
}

#[tokio::test]
async fn https_through_rustls() {
    let server = our_server();
    let front = TlsFront::start(server.addr);
    // Trusted by DER, or by PEM.
    let client = Client::builder(&front.url())
        .add_root_certificate_der(front.certificate_der.clone())
        .build()
        .unwrap();
    assert_eq!(client.call::<i64>("pow", (2, 10)).await.unwrap(), 1024);
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    let client = Client::builder(&front.url())
        .add_root_certificates_pem(front.certificate_pem.as_bytes())
        .build()
        .unwrap();
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    // Not trusted: the handshake fails, and says why.
    let untrusting = Client::new(&front.url()).unwrap();
    let e = untrusting.call::<i64>("add", (2, 3)).await.unwrap_err();
    assert!(e.transport().is_some_and(|t| t.is_connect()), "{e:?}");
    assert!(e.to_string().contains("certificate"), "{e}");
    // Plain HTTP to the TLS port is not an XML-RPC answer.
    let confused = Client::builder(&format!("http://127.0.0.1:{}/RPC2", front.addr.port()))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    // A transport error (its text depends on whether the TLS alert or the
    // connection's reset arrives first).
    let e = confused.call::<i64>("add", (2, 3)).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    let bad = Client::builder(&front.url())
        .add_root_certificates_pem(b"not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(bad, Error::Config(_)), "{bad:?}");
}

#[test]
fn the_blocking_client_has_the_same_api() {
    let server = our_server();
    let proxy = Proxy::start(server.addr);
    let client = xmlrpc_kit::blocking::Client::builder(&proxy.url())
        .allow_none(true)
        .build_blocking()
        .unwrap();
    assert_eq!(client.call::<i64>("pow", (2, 3)).unwrap(), 8);
    for value in every_type() {
        assert_eq!(
            client.call_value("echo", vec![value.clone()]).unwrap(),
            value
        );
    }
    let e = client.call::<i64>("div", (1, 0)).unwrap_err();
    assert_eq!(e.fault().map(|f| f.code), Some(codes::APPLICATION_ERROR));
    let mut batch = client.batch();
    batch.add("pow", (2, 3)).add("div", (1, 0));
    let results = batch.send().unwrap();
    assert_eq!(results[0], Ok(Value::Int(8)));
    assert_eq!(
        results[1],
        Err(Fault::new(
            codes::APPLICATION_ERROR,
            "integer division or modulo by zero"
        ))
    );
    assert_eq!(client.list_methods().unwrap(), our_listed_methods());
    assert_eq!(
        client.method_help("pow").unwrap(),
        "pow(x, y): x raised to the power y."
    );
    assert_eq!(
        client.method_signature("pow").unwrap(),
        Some(vec![vec!["i8".to_owned(); 3]])
    );
    // Kept alive between blocking calls too.
    assert_eq!(proxy.connections(), 1);

    let closed = ClosedPort::new();
    let unreachable =
        xmlrpc_kit::blocking::Client::new(&format!("http://127.0.0.1:{}/", closed.port())).unwrap();
    let e = unreachable.call::<i64>("add", (1, 2)).unwrap_err();
    assert!(e.transport().is_some_and(|t| t.is_connect()));
}

#[test]
fn invalid_urls_and_settings_are_refused_up_front() {
    for url in ["localhost:8000", "ftp://h/", "http://", "http://:1/"] {
        assert!(
            matches!(Client::new(url), Err(Error::InvalidUrl(_))),
            "{url}"
        );
    }
    let e = Client::builder("http://h/")
        .header("bad name", "v")
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid client setting: invalid header name \"bad name\""
    );
}

#[tokio::test]
async fn mutual_tls_presents_a_client_certificate() {
    let server = our_server();
    let identity = common::ClientIdentity::new();
    let front = TlsFront::start_mutual(server.addr, &identity.ca_der);
    let client = Client::builder(&front.url())
        .add_root_certificate_der(front.certificate_der.clone())
        .client_certificate_pem(
            identity.certificate_pem.as_bytes(),
            identity.key_pem.as_bytes(),
        )
        .build()
        .unwrap();
    assert_eq!(client.call::<i64>("pow", (2, 10)).await.unwrap(), 1024);
    // Without a certificate the server refuses the connection.
    let anonymous = Client::builder(&front.url())
        .add_root_certificate_der(front.certificate_der.clone())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    // A transport error (its text depends on whether the alert, certificate
    // required, or the connection's reset arrives first).
    let e = anonymous.call::<i64>("pow", (2, 10)).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // A key that is not PEM is reported when the client is built.
    let e = Client::builder(&front.url())
        .client_certificate_pem(identity.certificate_pem.as_bytes(), b"not a key")
        .build()
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid client setting: client key:"),
        "{e}"
    );
}
