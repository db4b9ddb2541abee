//! A callback server beside a client, on the client's runtime, started
//! with one call: a service that calls its clients back (a Python one
//! that does what HomeMatic's CCU does: `init(url, id)`, then events as a
//! `system.multicall` and `listDevices`) reaches it at the URL handed over.

use std::sync::{Arc, Mutex};

use xmlrpc_kit::{Client, Methods, Server, Value};
use xmlrpc_kit_test_support::python::PythonServer;

#[tokio::test(flavor = "current_thread")]
async fn a_service_calls_back_the_server_spawned_beside_its_client() {
    let service = PythonServer::start_script("callback_service.py", &[]);
    let events = Arc::new(Mutex::new(Vec::<(String, String, String, Value)>::new()));
    let mut callbacks = Methods::new();
    let seen = events.clone();
    callbacks.register_function(
        "event",
        move |id: String, address: String, key: String, value: Value| {
            seen.lock().unwrap().push((id, address, key, value));
            // An answer without nil, which the service does not take.
            ""
        },
    );
    callbacks.register_function("listDevices", |_id: String| {
        vec![Value::String("LEQ0000001".into())]
    });
    callbacks.register_multicall_functions();
    // One call: bound on a port the OS picks, serving on this runtime.
    let spawned = Server::builder(callbacks)
        .log_requests(false)
        .spawn("127.0.0.1:0")
        .unwrap();
    let port = spawned.addresses()[0].to_string();
    assert_eq!(spawned.url(), format!("{port}/"));

    let client = Client::new(&service.url()).unwrap();
    let registered: String = client
        .call("init", (spawned.url(), "rust-1"))
        .await
        .unwrap();
    assert_eq!(registered, "");
    // The service waits for its calls back to be answered, which they
    // are on this same one-thread runtime while the client waits.
    let sent: i64 = client.call("events_sent", ("rust-1",)).await.unwrap();
    assert_eq!(sent, 4);
    let events = events.lock().unwrap().clone();
    let key = |n: usize| {
        (
            events[n].0.as_str(),
            events[n].1.as_str(),
            events[n].2.as_str(),
        )
    };
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(key(0), ("rust-1", "LEQ0000001:1", "STATE"));
    assert_eq!(
        events.iter().map(|e| e.3.clone()).collect::<Vec<_>>(),
        [
            Value::Bool(true),
            Value::Bool(false),
            Value::Bool(true),
            Value::Int(1)
        ]
    );
    // Stopped: the port refuses.
    let addr = spawned.addresses()[0].to_string();
    spawned.stop().await.unwrap();
    let after = Client::new(&addr)
        .unwrap()
        .call::<Vec<String>>("system.listMethods", ())
        .await;
    assert!(
        after
            .as_ref()
            .unwrap_err()
            .transport()
            .is_some_and(|t| t.is_connect()),
        "{after:?}"
    );
}

#[test]
fn spawning_outside_a_runtime_says_so() {
    let err = Server::builder(Methods::new())
        .spawn("127.0.0.1:0")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Server::spawn: called outside a tokio runtime (use serve_forever)"
    );
}
