//! A large answer is decoded off the runtime's thread: on a runtime of one
//! thread, small calls go on while a 16 MB answer is decoded, and none
//! does when the client decodes on the calling task
//! (`off_runtime_above(None)`). Ordering, not timing: with the decode on
//! the calling task nothing else can run between the answer's arrival and
//! the call's end.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{FakeServer, our_server};
use xmlrpc_kit::client::Direction;
use xmlrpc_kit::{Client, Value};

/// An answer of `strings` strings of `bytes` bytes each.
fn large_answer(strings: usize, bytes: usize) -> String {
    let item = format!("<value><string>{}</string></value>", "x".repeat(bytes));
    format!(
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>{}</data></array></value></param></params></methodResponse>",
        item.repeat(strings)
    )
}

/// How many small calls finished while the large answer was being read,
/// with the client's `off_runtime_above` set to `threshold`.
async fn small_calls_while_decoding(threshold: Option<usize>) -> usize {
    let small_server = our_server();
    let large_server = FakeServer::xml(&large_answer(8, 2 << 20));
    let arrived = Arc::new(AtomicBool::new(false));
    let seen = arrived.clone();
    let large = Client::builder(&large_server.url())
        .max_response_bytes(64 << 20)
        .off_runtime_above(threshold)
        .inspect(move |direction, body| {
            if direction == Direction::Response && body.len() > 1 << 20 {
                seen.store(true, Ordering::SeqCst);
            }
        })
        .build()
        .unwrap();
    let small = Client::new(&small_server.url()).unwrap();
    let done = AtomicBool::new(false);
    let during = AtomicUsize::new(0);
    let large_call = async {
        let value = large.call_value("big", Vec::new()).await.unwrap();
        done.store(true, Ordering::SeqCst);
        value
    };
    let small_calls = async {
        while !done.load(Ordering::SeqCst) {
            assert_eq!(small.call::<i64>("add", (2, 3)).await.unwrap(), 5);
            if arrived.load(Ordering::SeqCst) && !done.load(Ordering::SeqCst) {
                during.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
    let (value, ()) = tokio::join!(large_call, small_calls);
    let Value::Array(items) = value else {
        panic!("not an array")
    };
    assert_eq!(items.len(), 8);
    assert!(
        items
            .iter()
            .all(|item| matches!(item, Value::String(s) if s.len() == 2 << 20))
    );
    during.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "current_thread")]
async fn small_calls_go_on_while_a_large_answer_is_decoded() {
    // The default: answers over 1 MiB are decoded on a blocking thread.
    let during = small_calls_while_decoding(Some(1 << 20)).await;
    assert!(during >= 1, "{during} small calls while decoding");
    // Decoded on the calling task: the runtime's one thread is taken.
    assert_eq!(small_calls_while_decoding(None).await, 0);
}
