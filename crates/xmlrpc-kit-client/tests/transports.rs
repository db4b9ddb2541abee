//! The client over every transport of the address syntax, against our own
//! server listening on all of them: HTTP on a Unix socket (connections
//! reused, as over TCP), SCGI on TCP and on a Unix socket; and clear errors
//! for a missing socket and a peer that does not speak SCGI.

mod common;

use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TestServer, methods, our_listed_methods};
use xmlrpc_kit::{Client, Server, Value};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmlrpc-kit-client-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Unix-socket proxy to `upstream` that counts the connections it accepts.
fn counting_proxy(at: &Path, upstream: &Path) -> Arc<AtomicUsize> {
    let listener = UnixListener::bind(at).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let upstream = upstream.to_owned();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            seen.fetch_add(1, Ordering::SeqCst);
            let server = UnixStream::connect(&upstream).unwrap();
            let (mut up_from, mut up_to) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || std::io::copy(&mut up_from, &mut up_to));
            let (mut down_from, mut down_to) = (server, client);
            std::thread::spawn(move || std::io::copy(&mut down_from, &mut down_to));
        }
    });
    count
}

async fn exercise(client: &Client) {
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    let echoed = client
        .call_value("echo", vec![Value::String("é <&> ".repeat(1000))])
        .await
        .unwrap();
    assert_eq!(echoed, Value::String("é <&> ".repeat(1000)));
    assert_eq!(client.list_methods().await.unwrap(), our_listed_methods());
    let mut batch = client.batch();
    batch.add("add", (1, 2)).add("add", (3, 4));
    assert_eq!(
        batch.send().await.unwrap(),
        vec![Ok(Value::Int(3)), Ok(Value::Int(7))]
    );
    let e = client.call::<i64>("nosuch", ()).await.unwrap_err();
    assert_eq!(e.fault().map(|f| f.code), Some(-32601), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_address_form_reaches_the_same_server() {
    let dir = scratch("forms");
    let http_sock = dir.join("http.sock");
    let scgi_sock = dir.join("scgi.sock");
    let server = Server::builder(methods())
        .log_requests(false)
        .listen([
            format!("unix://{}", http_sock.display()),
            "scgi://127.0.0.1:0".to_owned(),
            format!("scgi://{}", scgi_sock.display()),
        ])
        .unwrap();
    let scgi_tcp = server.addresses().unwrap()[1].to_string();
    let _server = TestServer::serve(server);
    for url in [
        format!("unix://{}", http_sock.display()),
        format!("http://unix:{}:/RPC2", http_sock.display()),
        scgi_tcp,
        format!("scgi://{}", scgi_sock.display()),
    ] {
        let client = Client::new(&url).unwrap();
        assert_eq!(client.url(), url);
        exercise(&client).await;
    }
    std::fs::remove_dir_all(dir).unwrap();
}

// On one thread, as the TCP keep-alive test: with several workers hyper
// may open a second connection before the first is back in its pool.
#[tokio::test]
async fn http_on_a_unix_socket_reuses_its_connection() {
    let dir = scratch("reuse");
    let sock = dir.join("server.sock");
    let front = dir.join("proxy.sock");
    let _server = TestServer::serve(
        Server::builder(methods())
            .log_requests(false)
            .listen([format!("unix://{}", sock.display())])
            .unwrap(),
    );
    let connections = counting_proxy(&front, &sock);
    let client = Client::new(&format!("unix://{}", front.display())).unwrap();
    for i in 0..20 {
        assert_eq!(client.call::<i64>("add", (i, 1)).await.unwrap(), i + 1);
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_missing_socket_and_a_peer_that_is_not_scgi_are_clear_errors() {
    let dir = scratch("errors");
    let missing = dir.join("nobody.sock");
    for url in [
        format!("unix://{}", missing.display()),
        format!("scgi://{}", missing.display()),
    ] {
        let e = Client::new(&url)
            .unwrap()
            .call::<i64>("add", (1, 2))
            .await
            .unwrap_err();
        assert!(e.transport().is_some_and(|t| t.is_connect()), "{e:?}");
        assert!(
            e.to_string().contains(&missing.display().to_string()),
            "{e}"
        );
    }
    // SCGI spoken to an HTTP server.
    let http = TestServer::start(Server::builder(methods()).log_requests(false));
    let e = Client::new(&format!("scgi://{}", http.addr))
        .unwrap()
        .call::<i64>("add", (1, 2))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("did not answer as an SCGI server (it answered HTTP)"),
        "{e}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
