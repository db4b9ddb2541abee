//! The client against Python's own `SimpleXMLRPCServer`
//! (tests/python/reference_server.py, started by each test). python3 is
//! required: a missing interpreter fails these tests.

mod common;

use std::collections::BTreeMap;

use common::{Proxy, PythonServer, assert_echoes_every_type, listed_with_builtins};
use xmlrpc_kit::client::Error;
use xmlrpc_kit::{Client, Value};

/// What Python sends back for `value`: it reads `<i8>` but writes every
/// integer as `<int>`.
fn as_python_returns(value: Value) -> Value {
    match value {
        Value::I8(i) => Value::Int(i32::try_from(i).expect("small i8")),
        Value::Array(items) => Value::Array(items.into_iter().map(as_python_returns).collect()),
        Value::Struct(members) => Value::Struct(
            members
                .into_iter()
                .map(|(k, v)| (k, as_python_returns(v)))
                .collect(),
        ),
        other => other,
    }
}

#[tokio::test]
async fn every_type_round_trips_through_pythons_echo() {
    let python = PythonServer::start(&["--headers"]);
    assert_echoes_every_type(&python.url(), as_python_returns).await;
    let client = Client::builder(&python.url())
        .allow_none(true)
        .build()
        .unwrap();
    let date = "2026-01-25T09:30:00"
        .parse::<xmlrpc_kit::DateTime>()
        .unwrap();
    assert_eq!(
        client
            .call::<xmlrpc_kit::DateTime>("echo", (date,))
            .await
            .unwrap(),
        date
    );
}

#[tokio::test]
async fn pythons_faults_are_errors_with_its_code_and_string() {
    let python = PythonServer::start(&["--headers"]);
    let client = Client::new(&python.url()).unwrap();
    let e = client.call::<i64>("div", (1, 0)).await.unwrap_err();
    let Error::Fault(fault) = e else {
        panic!("not a fault: {e:?}")
    };
    assert_eq!(fault.code, 1);
    assert_eq!(
        fault.string,
        "<class 'ZeroDivisionError'>:integer division or modulo by zero"
    );
    let fault = client.call::<i64>("nope", ()).await.unwrap_err();
    assert_eq!(
        fault.fault().map(|f| (f.code, f.string.as_str())),
        Some((1, "<class 'Exception'>:method \"nope\" is not supported"))
    );
}

#[tokio::test]
async fn calls_and_multicall_against_python() {
    let python = PythonServer::start(&["--headers"]);
    let client = Client::new(&format!("http://127.0.0.1:{}", python.port)).unwrap();
    assert_eq!(client.call::<i64>("pow", (2, 3)).await.unwrap(), 8);
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    assert_eq!(client.call::<i64>("mul", (5, 2)).await.unwrap(), 10);
    let mut batch = client.batch();
    batch
        .add("pow", (2, 3))
        .add("add", (2, 3))
        .add("div", (7, 2))
        .add("div", (1, 0))
        .add("nope", ())
        .add("mul", (5, 2));
    let results = batch.send().await.unwrap();
    assert_eq!(results[0], Ok(Value::Int(8)));
    assert_eq!(results[1], Ok(Value::Int(5)));
    assert_eq!(results[2], Ok(Value::Int(3)));
    assert_eq!(
        results[3].as_ref().unwrap_err().string,
        "<class 'ZeroDivisionError'>:integer division or modulo by zero"
    );
    assert_eq!(results[4].as_ref().unwrap_err().code, 1);
    assert_eq!(results[5], Ok(Value::Int(10)));
}

#[tokio::test]
async fn introspection_against_python() {
    let python = PythonServer::start(&["--headers"]);
    let client = Client::new(&python.url()).unwrap();
    let own = ["add", "div", "echo", "mul", "pow", "request_headers"];
    assert_eq!(
        client.list_methods().await.unwrap(),
        listed_with_builtins(&own)
    );
    assert_eq!(
        client.method_help("pow").await.unwrap(),
        "Return x raised to the power y."
    );
    // Python answers the string 'signatures not supported'.
    assert_eq!(client.method_signature("pow").await.unwrap(), None);
}

#[tokio::test]
async fn gzip_both_ways_with_python() {
    let python = PythonServer::start(&["--headers"]);
    let proxy = Proxy::start(([127, 0, 0, 1], python.port).into());
    let client = Client::builder(&proxy.url())
        .gzip_threshold(Some(1400))
        .build()
        .unwrap();
    // A large request: Python sees it gzipped, and inflates it.
    let padding = "p".repeat(50_000);
    let headers: BTreeMap<String, String> = client
        .call("request_headers", (padding.as_str(),))
        .await
        .unwrap();
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(headers["accept-encoding"], "gzip");
    assert!(proxy.upstream_bytes() < 5_000, "{}", proxy.upstream_bytes());
    // A large response: Python gzips it (over its 1,400-byte threshold).
    let big = "xmlrpc ".repeat(20_000);
    let echoed: String = client.call("echo", (big.as_str(),)).await.unwrap();
    assert_eq!(echoed, big);
    assert!(
        proxy.downstream_bytes() < 10_000,
        "{}",
        proxy.downstream_bytes()
    );
    // A small request goes plain.
    let headers: BTreeMap<String, String> = client.call("request_headers", ()).await.unwrap();
    assert!(!headers.contains_key("content-encoding"), "{headers:?}");
}

#[tokio::test]
async fn python_sees_basic_auth_from_the_url() {
    let python = PythonServer::start(&["--headers"]);
    let client = Client::builder(&format!(
        "http://alice:s%3Acret@127.0.0.1:{}/RPC2",
        python.port
    ))
    .header("X-Trace", "abc123")
    .build()
    .unwrap();
    let headers: BTreeMap<String, String> = client.call("request_headers", ()).await.unwrap();
    // base64("alice:s:cret"): exactly what Python's own ServerProxy sends.
    assert_eq!(headers["authorization"], "Basic YWxpY2U6czpjcmV0");
    assert_eq!(headers["x-trace"], "abc123");
    assert_eq!(headers["content-type"], "text/xml");
    assert!(headers["user-agent"].starts_with("xmlrpc-kit/"));
}

#[test]
fn the_blocking_client_against_python() {
    let python = PythonServer::start(&["--headers"]);
    let client = xmlrpc_kit::blocking::Client::new(&python.url()).unwrap();
    assert_eq!(client.call::<i64>("pow", (2, 3)).unwrap(), 8);
    assert_eq!(
        client
            .call::<i64>("div", (1, 0))
            .unwrap_err()
            .fault()
            .map(|f| f.code),
        Some(1)
    );
    // Python's server is HTTP/1.0 and closes each connection: the next
    // call opens a new one.
    assert_eq!(client.call::<i64>("add", (2, 3)).unwrap(), 5);
    assert_eq!(client.call::<i64>("add", (2, 4)).unwrap(), 6);
}

#[tokio::test]
async fn an_opt_in_cookie_jar_keeps_a_session() {
    let python = PythonServer::start_script("session_server.py", &[]);
    // Without the jar, the session cookie is not sent back.
    let plain = Client::new(&python.url()).unwrap();
    assert!(
        plain
            .call::<bool>("login", ("ann", "secret"))
            .await
            .unwrap()
    );
    let e = plain.call::<String>("whoami", ()).await.unwrap_err();
    assert_eq!(e.fault().map(|f| f.code), Some(2), "{e}");
    // With it, the session holds, for clones too, until the server deletes it.
    let client = Client::builder(&python.url())
        .cookies(true)
        .build()
        .unwrap();
    client
        .call::<bool>("login", ("bob", "secret"))
        .await
        .unwrap();
    assert_eq!(client.call::<String>("whoami", ()).await.unwrap(), "bob");
    assert_eq!(
        client.clone().call::<String>("whoami", ()).await.unwrap(),
        "bob"
    );
    client.call::<bool>("logout", ()).await.unwrap();
    let e = client.call::<String>("whoami", ()).await.unwrap_err();
    assert_eq!(e.fault().map(|f| f.code), Some(2), "{e}");
}
