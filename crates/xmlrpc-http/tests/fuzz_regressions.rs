//! Regressions found by the fuzz targets in `fuzz/`, one test each, named
//! after the target that found it.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use xmlrpc::Methods;
use xmlrpc::Server;

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

    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
    assert!(
        answer.ends_with("<value><int>5</int></value></param></params></methodResponse>"),
        "{answer:?}"
    );
    connection.await.unwrap().unwrap();
}
