//! Your own types on the wire through serde: structs, enums, options,
//! dates, as parameters and results (`Serde<T>`), on server and client.
//!
//! Run with `cargo run -p xmlrpc-kit --example serde_structs --features serde`.

use serde::{Deserialize, Serialize};
use std::io::stderr;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{DateTime, Methods, Server};

/// An order, as clients send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    lines: Vec<Line>,
    placed: DateTime,
    note: Option<String>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Line {
    item: String,
    quantity: u32,
}

/// The receipt the server answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Receipt {
    order: u64,
    items: u32,
}

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_function("place", |Serde(order): Serde<Order>| {
        Serde(Receipt {
            order: order.id,
            items: order.lines.iter().map(|l| l.quantity).sum(),
        })
    });
    methods
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    Server::builder(methods())
        .allow_none(true)
        .bind(("127.0.0.1", 8000))?
        .serve_forever()
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn orders_become_receipts() {
        let server = TestServer::start(
            Server::builder(methods())
                .allow_none(true)
                .log_requests(false),
        );
        let c = xmlrpc_kit::blocking::Client::builder(&server.url())
            .allow_none(true)
            .build_blocking()
            .unwrap();
        let order = Order {
            id: 42,
            lines: vec![
                Line {
                    item: "tea".into(),
                    quantity: 3,
                },
                Line {
                    item: "cup".into(),
                    quantity: 2,
                },
            ],
            placed: "20261130T10:00:00".parse().unwrap(),
            note: None,
        };
        let Serde(receipt): Serde<Receipt> = c.call("place", (Serde(order),)).unwrap();
        assert_eq!(
            receipt,
            Receipt {
                order: 42,
                items: 5
            }
        );
    }
}
