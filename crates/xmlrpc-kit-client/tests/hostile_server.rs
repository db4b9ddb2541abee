//! A hostile server: the client refuses what exceeds its limits — a gzip
//! bomb, an oversized body, a too-deep document, a malformed fault — with
//! a clear error, and goes on working.

mod common;

use common::*;
use xmlrpc_kit::Client;
use xmlrpc_kit::client::Error;

fn gzip(data: &[u8]) -> Vec<u8> {
    xmlrpc_kit::wire::gzip::gzip(data)
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
async fn gzip_responses_are_read_as_the_server_reads_requests() {
    let five = "<methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>";
    // Two gzip members: inflated as one body.
    let (first, second) = five.split_at(40);
    let members = [gzip(first.as_bytes()), gzip(second.as_bytes())].concat();
    let fake = FakeServer::start(response("Content-Encoding: gzip\r\n", &members));
    let client = Client::new(&fake.url()).unwrap();
    assert_eq!(client.call::<i64>("x", ()).await.unwrap(), 5);
    // gzip on two lines reads as `gzip, gzip` on one: stacked, refused both ways.
    let twice = gzip(&gzip(five.as_bytes()));
    for headers in [
        "Content-Encoding: gzip\r\nContent-Encoding: gzip\r\n",
        "Content-Encoding: gzip, gzip\r\n",
    ] {
        let fake = FakeServer::start(response(headers, &twice));
        let e = error_from(&fake).await.to_string();
        assert!(
            e.starts_with("Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most (gzip or identity) (from "),
            "{headers:?}: {e}"
        );
    }
    // Bytes after the gzip data: refused, saying so.
    let trailed = [gzip(five.as_bytes()), b"junk".to_vec()].concat();
    let fake = FakeServer::start(response("Content-Encoding: gzip\r\n", &trailed));
    let e = error_from(&fake).await.to_string();
    assert!(
        e.starts_with("the gzip body has 4 bytes after the end of its gzip data (from "),
        "{e}"
    );
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

/// Reads one request (head and Content-Length body) from `stream`; false
/// when the client closed it first.
async fn read_request(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt as _;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return true;
            }
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn a_server_that_closes_a_kept_alive_connection_unannounced_is_called_again() {
    // As Perl's Frontier::Daemon does: it answers without `Connection:
    // close`, then reads the next request on the connection and closes it
    // without an answer.
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncWriteExt as _;
    let connections = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let server = AcceptLoop::start(move |mut stream| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            if read_request(&mut stream).await {
                let body = "<?xml version=\"1.0\"?><methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                read_request(&mut stream).await;
            }
        }
    });
    let client = Client::new(&format!("http://{}/RPC2", server.addr)).unwrap();
    for _ in 0..3 {
        assert_eq!(client.call::<i32>("add", (2, 3)).await.unwrap(), 5);
    }
    // The first call on a new connection each time; the calls after it
    // failed once on the connection kept alive, then went on a new one.
    assert_eq!(connections.load(Ordering::SeqCst), 3);

    // A server that never answers is called twice, not more, and the
    // error says what happened.
    let attempts = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    let mute = AcceptLoop::start(move |mut stream| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            read_request(&mut stream).await;
        }
    });
    let e = Client::new(&format!("http://{}/RPC2", mute.addr))
        .unwrap()
        .call_value("add", vec![])
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the HTTP exchange with {} failed: connection closed before message completed",
            mute.addr
        )
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    still_works().await;
}
