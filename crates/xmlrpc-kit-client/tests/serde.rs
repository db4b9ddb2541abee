//! Your own serde types end to end: a handler taking and returning them
//! (`Serde<T>`), our client sending and reading them, and Python seeing
//! plain XML-RPC structs.

mod common;

use common::TestServer;
use serde::{Deserialize, Serialize};
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{Client, DateTime, Methods, Server};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Status {
    Open,
    Shipped { carrier: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    items: Vec<(String, u32)>,
    placed: DateTime,
    note: Option<String>,
    status: Status,
}

fn server() -> TestServer {
    let mut methods = Methods::new();
    methods.register_function("ship", |Serde(mut order): Serde<Order>, carrier: String| {
        order.status = Status::Shipped { carrier };
        Serde(order)
    });
    TestServer::start(
        Server::builder(methods)
            .allow_none(true)
            .log_requests(false),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn serde_types_travel_both_ways() {
    let server = server();
    let order = Order {
        id: 1 << 40,
        items: vec![("tea".into(), 2), ("cup".into(), 1)],
        placed: "20261130T12:00:00".parse().unwrap(),
        note: None,
        status: Status::Open,
    };
    let client = Client::builder(&server.url())
        .allow_none(true)
        .build()
        .unwrap();
    let Serde(shipped): Serde<Order> = client
        .call("ship", (Serde(order.clone()), "post"))
        .await
        .unwrap();
    assert_eq!(
        shipped,
        Order {
            status: Status::Shipped {
                carrier: "post".into()
            },
            ..order
        }
    );
    // A value that does not fit the type is a fault naming the parameter.
    let e = client
        .call::<Serde<Order>>("ship", (5, "post"))
        .await
        .unwrap_err();
    assert_eq!(e.fault().map(|f| f.code), Some(-32602), "{e}");
    assert!(e.to_string().contains("ship: parameter 1:"), "{e}");

    // Python sees plain structs, arrays and a dateTime.
    let out = common::python_prints(
        &server.url(),
        "",
        "o = {'id': 7, 'items': [['tea', 2]], 'placed': datetime.datetime(2026, 11, 30, 12), 'note': 'x', 'status': 'Open'}\n\
         r = p.ship(o, 'dhl')\n\
         print(r['status'], r['items'], r['placed'])\n",
    )
    .await;
    assert_eq!(
        out,
        "{'Shipped': {'carrier': 'dhl'}} [['tea', 2]] 20261130T12:00:00\n"
    );
}
