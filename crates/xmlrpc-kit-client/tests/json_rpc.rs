//! The client speaking JSON-RPC 2.0 to our server (in-process on
//! 127.0.0.1, an OS-picked port), over HTTP and SCGI: calls, typed calls,
//! faults, every type through its JSON form, and batches (split as the
//! server's limit asks), with the same API as over XML-RPC.

mod common;

use common::{every_type, methods};
use xmlrpc_kit::wire::Address;
use xmlrpc_kit::{Binary, Client, DateTime, Fault, Protocol, Server, Value};
use xmlrpc_kit_test_support::server::TestServer;
use xmlrpc_kit_test_support::values::through_json;

/// Our server answering both protocols, on HTTP and SCGI, with batches
/// of at most `max_batch` calls; the server and its two URLs.
fn serve(max_batch: usize) -> (TestServer, String, String) {
    let server = Server::builder(methods())
        .allow_none(true)
        .json_rpc(true)
        .max_multicall_calls(max_batch)
        .log_requests(false)
        .listen(["http://127.0.0.1:0", "scgi://127.0.0.1:0"])
        .unwrap();
    let addresses = server.addresses().unwrap();
    let Address::ScgiTcp { host, port } = &addresses[1] else {
        panic!("not SCGI: {addresses:?}")
    };
    let scgi = format!("scgi://{host}:{port}");
    let server = TestServer::serve(server);
    let http = server.url();
    (server, http, scgi)
}

fn json_client(url: &str) -> Client {
    Client::builder(url)
        .protocol(Protocol::JsonRpc)
        .allow_none(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn calls_faults_and_every_type_over_http_and_scgi() {
    let (_server, http, scgi) = serve(1000);
    for url in [&http, &scgi] {
        let client = json_client(url);
        assert_eq!(client.protocol(), Protocol::JsonRpc);
        let sum: i64 = client.call("add", (2, 3)).await.unwrap();
        assert_eq!(sum, 5, "{url}");
        let fault = client.call::<i64>("div", (1, 0)).await.unwrap_err();
        assert_eq!(
            fault.fault(),
            Some(&Fault::new(-32500, "integer division or modulo by zero")),
            "{url}"
        );
        let missing = client.call_value("nope", vec![]).await.unwrap_err();
        assert_eq!(missing.fault().map(|f| f.code), Some(-32601));
        for value in every_type() {
            let echoed = client
                .call_value("echo", vec![value.clone()])
                .await
                .unwrap();
            assert_eq!(echoed, through_json(value), "{url}");
        }
        // Typed values JSON lacks: bytes and dates through their tagged forms.
        let bytes: Binary = client
            .call("echo", (Binary(vec![0, 1, 255]),))
            .await
            .unwrap();
        assert_eq!(bytes.0, [0, 1, 255]);
        let when: DateTime = "20261208T10:00:00Z".parse().unwrap();
        let back: DateTime = client.call("echo", (when,)).await.unwrap();
        assert_eq!(back, when);
        // Introspection answers over JSON-RPC too.
        let listed = client.list_methods().await.unwrap();
        assert!(listed.contains(&"echo".to_owned()), "{listed:?}");
    }
}

#[tokio::test]
async fn batches_are_json_rpc_batches_split_as_the_server_asks() {
    let (_server, http, scgi) = serve(3);
    for url in [&http, &scgi] {
        let client = json_client(url);
        let mut batch = client.batch();
        for i in 0..10 {
            batch.add("add", (i, 1));
        }
        batch.add("div", (1, 0));
        let results = batch.concurrency(2).send().await.unwrap();
        assert_eq!(results.len(), 11);
        for (i, result) in results[..10].iter().enumerate() {
            assert_eq!(result, &Ok(Value::Int(i as i32 + 1)), "{url}");
        }
        assert_eq!(results[10].as_ref().unwrap_err().code, -32500);
        // Within the limit: one request.
        let mut small = client.batch();
        small.add("add", (1, 1)).add("nope", ());
        let results = small.send().await.unwrap();
        assert_eq!(results[0], Ok(Value::Int(2)));
        assert_eq!(results[1].as_ref().unwrap_err().code, -32601);
    }
}

#[test]
fn the_blocking_client_speaks_it_too() {
    let (_server, http, _) = serve(1000);
    let client = xmlrpc_kit::blocking::Client::builder(&http)
        .protocol(Protocol::JsonRpc)
        .build_blocking()
        .unwrap();
    let product: i64 = client.call("mul", (6, 7)).unwrap();
    assert_eq!(product, 42);
}
