//! A hostile server: the client refuses what exceeds its limits — a gzip
//! bomb, an oversized body, a too-deep document, a malformed fault — with
//! a clear error, and goes on working.

mod common;

use common::*;
use xmlrpc::{Client, Error};

fn gzip(data: &[u8]) -> Vec<u8> {
    xmlrpc::wire::gzip::gzip(data)
}

fn response(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

async fn still_works() {
    let server = our_server();
    let client = Client::new(&server.url()).unwrap();
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
}

#[tokio::test]
async fn a_gzip_bomb_response_is_refused_while_inflating() {
    let bomb = gzip(&vec![b' '; 64 << 20]);
    assert!(bomb.len() < 1 << 20);
    let fake = FakeServer::start(response("Content-Encoding: gzip\r\n", &bomb));
    let e = error_from(&fake).await;
    assert!(e.transport().is_some_and(|t| t.is_too_large()), "{e:?}");
    assert!(e.to_string().contains("20971520"), "{e}");
    still_works().await;
}

#[tokio::test]
async fn an_oversized_response_is_refused_on_its_length() {
    let fake = FakeServer::start(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000000000000\r\n\r\n<methodResponse>".to_vec(),
    );
    let e = error_from(&fake).await;
    assert!(e.transport().is_some_and(|t| t.is_too_large()), "{e:?}");
    // And one streamed in chunks past the limit.
    let mut chunked =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..24 {
        chunked.extend(format!("100000\r\n{}\r\n", "x".repeat(0x100000)).as_bytes());
    }
    let fake = FakeServer::start(chunked);
    let e = error_from(&fake).await;
    assert!(e.transport().is_some_and(|t| t.is_too_large()), "{e:?}");
    still_works().await;
}

#[tokio::test]
async fn a_too_deep_response_is_a_decode_error() {
    let deep = format!(
        "<methodResponse><params><param>{}<value>1</value>{}</param></params></methodResponse>",
        "<value><array><data>".repeat(65),
        "</data></array></value>".repeat(65)
    );
    let fake = FakeServer::xml(&deep);
    let e = error_from(&fake).await;
    match &e {
        Error::Decode(d) => assert!(d.to_string().contains("deeper than the limit of 64"), "{d}"),
        other => panic!("{other:?}"),
    }
    still_works().await;
}

#[tokio::test]
async fn a_malformed_fault_is_a_decode_error_not_a_fault() {
    for fault in [
        "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value>x</value></member></struct></value></fault></methodResponse>",
        "<methodResponse><fault></fault></methodResponse>",
    ] {
        let fake = FakeServer::xml(fault);
        let e = Client::new(&fake.url())
            .unwrap()
            .call_value("x", vec![])
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{fault}: {e:?}");
        assert!(e.to_string().contains("line 1, column"), "{e}");
    }
    // A well-formed one is a fault.
    let fake = FakeServer::xml(
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>7</int></value></member><member><name>faultString</name><value>no</value></member></struct></value></fault></methodResponse>",
    );
    let e = error_from(&fake).await;
    assert!(
        matches!(e, Error::Fault(ref f) if f.code == 7 && f.string == "no"),
        "{e:?}"
    );
    still_works().await;
}

/// What a call to `fake` fails with.
async fn error_from(fake: &FakeServer) -> Error {
    Client::new(&fake.url())
        .unwrap()
        .call_value("x", vec![])
        .await
        .unwrap_err()
}
