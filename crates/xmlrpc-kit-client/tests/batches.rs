//! Issue 26, item 4: batches of any size. A [`Batch`] is split into
//! requests the server takes (its limit from `system.getCapabilities`,
//! else the builder's `max_multicall_calls`), and its results come back
//! in call order. Each test's server counts the `system.multicall` and
//! `system.getCapabilities` requests it is sent, through a middleware.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::methods;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::middleware::{Call, Called, Middleware, Next};
use xmlrpc_kit::wire::{multicall, names};
use xmlrpc_kit::{Client, Fault, Methods, Server, Value, codes};
use xmlrpc_kit_test_support::server::TestServer;

/// What a server was sent: each `system.multicall`'s size (the refused
/// ones too), and how many `system.getCapabilities` calls.
#[derive(Debug, Default, Clone)]
struct Requests(Arc<Mutex<(Vec<usize>, usize)>>);

impl Requests {
    fn multicalls(&self) -> Vec<usize> {
        self.0.lock().unwrap().0.clone()
    }
    fn capabilities(&self) -> usize {
        self.0.lock().unwrap().1
    }
}

impl Middleware for Requests {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        if call.position().is_none() {
            let mut seen = self.0.lock().unwrap();
            match call.method() {
                names::MULTICALL => seen.0.push(call.multicall_size().unwrap_or(0)),
                names::GET_CAPABILITIES => seen.1 += 1,
                _ => {}
            }
        }
        next.run(call)
    }

    fn reads_multicall_params(&self) -> bool {
        false
    }
}

/// Our server serving `methods` with a multicall limit of `limit`
/// (`None`: the default, 1,000), counting what it is sent.
fn start(methods: Methods, limit: Option<usize>) -> (TestServer, Requests) {
    let requests = Requests::default();
    let mut builder = Server::builder(methods)
        .allow_none(true)
        .log_requests(false)
        .layer(requests.clone());
    if let Some(limit) = limit {
        builder = builder.max_multicall_calls(limit);
    }
    (TestServer::start(builder), requests)
}

/// `add(i, 1)` for `i` in `0..n`.
fn additions(client: &Client, n: i64) -> xmlrpc_kit::client::Batch<'_> {
    let mut batch = client.batch();
    for i in 0..n {
        batch.add("add", (i, 1));
    }
    batch
}

fn sums(n: i64) -> Vec<Result<Value, Fault>> {
    (1..=n).map(|i| Ok(Value::Int(i as i32))).collect()
}

#[tokio::test]
async fn a_batch_larger_than_the_servers_limit_is_split_and_answered_in_order() {
    let (server, requests) = start(methods(), None);
    let client = Client::new(&server.url()).unwrap();
    // What a single request of 2,000 calls gets: refused as a whole.
    let too_many = vec![Value::Array(vec![
        multicall::call(
            "add",
            vec![Value::Int(1), Value::Int(2)]
        );
        2_000
    ])];
    let refused = client
        .call_value(names::MULTICALL, too_many)
        .await
        .unwrap_err();
    assert_eq!(
        refused.fault().map(|f| f.code),
        Some(codes::INVALID_REQUEST)
    );

    let mut batch = additions(&client, 2_500);
    batch.add("div", (1, 0)); // one fault among them keeps its place
    let results = batch.send().await.unwrap();
    assert_eq!(results.len(), 2_501);
    assert_eq!(results[..2_500], sums(2_500));
    assert_eq!(results[2_500].as_ref().unwrap_err().code, -32500);
    // Asked once, then three requests of at most the advertised 1,000.
    assert_eq!(requests.capabilities(), 1);
    assert_eq!(requests.multicalls(), [2_000, 1_000, 1_000, 501]);

    // The limit is kept per client (and its clones): not asked again.
    let clone = client.clone();
    assert_eq!(
        additions(&clone, 1_500)
            .concurrency(2)
            .send()
            .await
            .unwrap(),
        sums(1_500)
    );
    assert_eq!(requests.capabilities(), 1);
    let mut sizes = requests.multicalls()[4..].to_vec();
    sizes.sort_unstable(); // two at a time: either may come first
    assert_eq!(sizes, [500, 1_000]);

    // A batch within the client's default is sent as it is, unasked.
    let fresh = Client::new(&server.url()).unwrap();
    assert_eq!(additions(&fresh, 1_000).send().await.unwrap(), sums(1_000));
    assert_eq!(requests.capabilities(), 1);
    assert_eq!(requests.multicalls()[6..], [1_000]);
}

#[tokio::test]
async fn a_lower_advertised_limit_is_learned() {
    let (server, requests) = start(methods(), Some(10));
    // Larger than the client's default: asked first, then split by 10.
    let client = Client::builder(&server.url())
        .max_multicall_calls(20)
        .build()
        .unwrap();
    assert_eq!(additions(&client, 45).send().await.unwrap(), sums(45));
    assert_eq!(requests.capabilities(), 1);
    assert_eq!(requests.multicalls(), [10, 10, 10, 10, 5]);

    // Within the client's default: sent whole, refused as too many (no
    // call run), then the limit is asked for and the batch split.
    let (other, requests) = start(methods(), Some(10));
    let client = Client::new(&other.url()).unwrap();
    assert_eq!(
        additions(&client, 25).concurrency(3).send().await.unwrap(),
        sums(25)
    );
    assert_eq!(requests.capabilities(), 1);
    let mut sizes = requests.multicalls();
    assert_eq!(sizes.remove(0), 25);
    sizes.sort_unstable();
    assert_eq!(sizes, [5, 10, 10]);
    // Learned: the next batch goes straight to requests of 10.
    assert_eq!(additions(&client, 12).send().await.unwrap(), sums(12));
    assert_eq!(requests.multicalls()[4..], [10, 2]);
    assert_eq!(requests.capabilities(), 1);
}

#[tokio::test]
async fn without_get_capabilities_the_configured_size_is_used() {
    let mut bare = Methods::new();
    bare.register_multicall_functions();
    bare.register_function("add", |x: i64, y: i64| x + y);
    let (server, requests) = start(bare, None);
    let client = Client::builder(&server.url())
        .max_multicall_calls(7)
        .build()
        .unwrap();
    assert_eq!(additions(&client, 20).send().await.unwrap(), sums(20));
    assert_eq!(requests.multicalls(), [7, 7, 6]);
    // The absence is kept too: asked once (a fault), not again.
    assert_eq!(additions(&client, 8).send().await.unwrap(), sums(8));
    assert_eq!(requests.multicalls()[3..], [7, 1]);
    let client_asked = client.call_value(names::GET_CAPABILITIES, vec![]).await;
    assert_eq!(
        client_asked.unwrap_err().fault().map(|f| f.code),
        Some(codes::METHOD_NOT_FOUND)
    );
}

#[tokio::test]
async fn a_request_that_fails_as_a_whole_fails_the_batch_saying_which_calls_were_sent() {
    let (server, requests) = start(methods(), Some(10));
    let client = Client::builder(&server.url())
        .max_multicall_calls(10)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut batch = additions(&client, 14);
    batch.add("sleep", (1_500,)); // call 15: the second request times out
    for i in 15..25 {
        batch.add("add", (i, 1));
    }
    let Err(Error::Batch(error)) = batch.send().await else {
        panic!("the batch should fail");
    };
    assert_eq!(error.answered(), sums(10));
    assert_eq!(error.failed_calls(), 10..20);
    assert_eq!((error.sent(), error.total()), (20, 25));
    assert!(
        error.error().transport().is_some_and(|e| e.is_timeout()),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("calls 11–20 of 25 failed in one request: "),
        "{message}"
    );
    assert!(
        message.ends_with("; calls 1–10 answered; calls 21–25 not sent"),
        "{message}"
    );
    assert_eq!(requests.multicalls(), [10, 10]);
}

#[test]
fn the_blocking_client_splits_batches_too() {
    let (server, requests) = start(methods(), Some(10));
    let client = xmlrpc_kit::blocking::Client::builder(&server.url())
        .max_multicall_calls(10)
        .build_blocking()
        .unwrap();
    let mut batch = client.batch();
    for i in 0..35 {
        batch.add("add", (i, 1));
    }
    assert_eq!(batch.concurrency(2).send().unwrap(), sums(35));
    let mut sizes = requests.multicalls();
    sizes.sort_unstable();
    assert_eq!(sizes, [5, 10, 10, 10]);
    // 35 > 10: the limit was asked for (and is 10).
    assert_eq!(requests.capabilities(), 1);
}
