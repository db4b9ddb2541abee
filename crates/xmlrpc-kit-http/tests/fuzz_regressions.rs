//! Regressions found by the fuzz targets in `fuzz/`, one test each, named
//! after the target that found it.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use xmlrpc_kit::Methods;
use xmlrpc_kit::Server;

/// Found by `http_service`: a client that shut down its writing side
/// right after a whole request (as `nc -N` does) got no response at all:
/// hyper read the EOF while the call was running and dropped the answer.
#[tokio::test(flavor = "current_thread")]
async fn http_service_a_client_that_half_closes_still_gets_its_answer() {
    let mut methods = Methods::new();
    methods.register_function("add", |x: i32, y: i32| x + y);
    let service = Server::builder(methods).log_requests(false).into_service();
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let connection = tokio::spawn(async move { service.serve_connection(server).await });

    let body = "<methodCall><methodName>add</methodName><params>\
        <param><value><int>2</int></value></param>\
        <param><value><int>3</int></value></param></params></methodCall>";
    let request = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    client.write_all(request.as_bytes()).await.unwrap();
    client.shutdown().await.unwrap();
    let mut answer = String::new();
    client.read_to_string(&mut answer).await.unwrap();

    // The head holds the date; the status line and the body are exact.
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert_eq!(head.lines().next(), Some("HTTP/1.1 200 OK"), "{answer:?}");
    assert_eq!(
        body,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>"
    );
    connection.await.unwrap().unwrap();
}

/// Found by `http_service` (the input is `data/http_service_pipelined_bad_head.bin`,
/// as the fuzzer saved it): pipelined requests to the demo service, its
/// documentation page among the answers, then a head that fails to parse
/// while an answer is still queued. hyper 1.12, handed a stream that
/// gathers writes, wrote the `400` head before the queued bytes (its debug
/// assertion `can_write_head` fired; a release build mis-framed the
/// stream). Every answer must come whole, one after another.
#[tokio::test(flavor = "current_thread")]
async fn http_service_a_bad_head_while_an_answer_is_queued_comes_after_it() {
    let input = include_bytes!("data/http_service_pipelined_bad_head.bin");
    let service = Server::builder_for(xmlrpc_kit_test_support::demo::dispatcher(
        xmlrpc_kit::OutputEncoding::default(),
        xmlrpc_kit::Dialect::default(),
    ))
    .documentation(xmlrpc_kit_test_support::demo::documentation())
    .log_requests(false)
    .into_service();
    let (client, server) = tokio::io::duplex(64 * 1024);
    let connection = tokio::spawn(async move { service.serve_connection(server).await });
    let (mut reader, mut writer) = tokio::io::split(client);
    let write = async move {
        let _ = writer.write_all(input).await;
        let _ = writer.shutdown().await;
    };
    let read = async move {
        let mut answer = Vec::new();
        reader.read_to_end(&mut answer).await.unwrap();
        answer
    };
    let ((), answer) = tokio::join!(write, read);
    assert!(connection.await.is_ok(), "the connection task panicked");

    // Each answer: a status line, a head, then exactly Content-Length
    // bytes; the last one the 400 for the head that did not parse.
    let mut statuses = Vec::new();
    let mut rest = &answer[..];
    while !rest.is_empty() {
        let text = String::from_utf8_lossy(&rest[..rest.len().min(60)]).into_owned();
        assert!(
            rest.starts_with(b"HTTP/1.1 "),
            "not a status line: {text:?}"
        );
        statuses.push(String::from_utf8_lossy(&rest[9..12]).into_owned());
        let head_end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a whole head")
            + 4;
        let head = String::from_utf8_lossy(&rest[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        rest = &rest[(head_end + length).min(rest.len())..];
    }
    // A POST and seven GETs without a Host header, a GET of the page with
    // one, then the head that does not parse.
    assert_eq!(
        statuses,
        [
            "400", "400", "400", "400", "400", "400", "400", "400", "200", "400"
        ]
    );
}
