//! The retry policy, through the public API: against scripted servers on
//! 127.0.0.1 that fail a given number of times (a status, a fault, a
//! closed connection, a port not listening yet) and then answer, counting
//! the requests they saw. Issue 26, item 2.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{AcceptLoop, ClosedPort};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use xmlrpc_kit::Client;
use xmlrpc_kit::client::{Error, RetryPolicy};

/// A response with `status`, the extra `headers` (each ending in CRLF)
/// and `body`, closing the connection.
fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// 200 with a `methodResponse` holding `value` (XML).
fn answer(value: &str) -> Vec<u8> {
    http(
        "200 OK",
        "",
        &format!(
            "<?xml version=\"1.0\"?><methodResponse><params><param><value>{value}</value></param></params></methodResponse>"
        ),
    )
}

/// 200 with a fault.
fn fault(code: i32, string: &str) -> Vec<u8> {
    http(
        "200 OK",
        "",
        &format!(
            "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>\
             <member><name>faultCode</name><value><int>{code}</int></value></member>\
             <member><name>faultString</name><value><string>{string}</string></value></member>\
             </struct></value></fault></methodResponse>"
        ),
    )
}

fn unavailable(retry_after: &str) -> Vec<u8> {
    http(
        "503 Service Unavailable",
        &format!("Retry-After: {retry_after}\r\n"),
        "busy\n",
    )
}

/// What a [`Scripted`] server does with its `n`th request (from 1).
enum Step {
    /// Sends these bytes and closes the connection.
    Send(Vec<u8>),
    /// Closes the connection without answering.
    Close,
    /// Never answers.
    Mute,
}

/// A server on 127.0.0.1 that answers each request as its script says
/// and counts them; stopped when dropped.
struct Scripted {
    accept: AcceptLoop,
    requests: Arc<AtomicUsize>,
}

impl Scripted {
    fn start(script: impl Fn(usize) -> Step + Send + Sync + 'static) -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let script = Arc::new(script);
        let accept =
            AcceptLoop::start(move |stream| serve(stream, counter.clone(), script.clone()));
        Scripted { accept, requests }
    }

    fn url(&self) -> String {
        format!("http://{}/RPC2", self.accept.addr)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Reads one request from `stream`, then does what `script` says for it.
async fn serve<S>(mut stream: tokio::net::TcpStream, requests: Arc<AtomicUsize>, script: Arc<S>)
where
    S: Fn(usize) -> Step + Send + Sync + 'static,
{
    if !read_request(&mut stream).await {
        return;
    }
    let n = requests.fetch_add(1, Ordering::SeqCst) + 1;
    match script(n) {
        Step::Send(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Step::Close => {}
        Step::Mute => std::future::pending().await,
    }
}

/// Reads a request's head and its `Content-Length` of body; false if the
/// connection ended first.
async fn read_request(stream: &mut tokio::net::TcpStream) -> bool {
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

/// A policy quick enough for tests: up to 5 attempts, 10 to 50 ms apart.
fn quick() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(5)
        .initial_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
}

fn client(url: &str, policy: RetryPolicy) -> Client {
    Client::builder(url).retry(policy).build().unwrap()
}

#[tokio::test]
async fn a_server_that_fails_n_times_then_answers_is_called_n_plus_one_times() {
    // 503 with `Retry-After: 0`, then the backoff's statuses (no header), then 200.
    let server = Scripted::start(|n| match n {
        1 | 2 => Step::Send(unavailable("0")),
        3 => Step::Send(http("502 Bad Gateway", "", "")),
        4 => Step::Send(http("429 Too Many Requests", "", "")),
        _ => Step::Send(answer("<int>5</int>")),
    });
    let client = client(&server.url(), quick().idempotent_methods(["add"]));
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    assert_eq!(server.requests(), 5);
}

#[tokio::test]
async fn introspection_is_idempotent_by_default() {
    let server = Scripted::start(|n| match n {
        1 => Step::Send(http("504 Gateway Timeout", "", "")),
        _ => Step::Send(answer(
            "<array><data><value>add</value><value>system.listMethods</value></data></array>",
        )),
    });
    let client = client(&server.url(), quick());
    assert_eq!(
        client.list_methods().await.unwrap(),
        ["add", "system.listMethods"]
    );
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_retry_after_of_one_second_is_waited_for() {
    let server = Scripted::start(|n| match n {
        1 => Step::Send(unavailable("1")),
        _ => Step::Send(answer("<int>5</int>")),
    });
    let client = client(
        &server.url(),
        quick()
            .max_delay(Duration::from_secs(2))
            .idempotent_methods(["add"]),
    );
    let started = Instant::now();
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_ends_the_retries() {
    let server = Scripted::start(|_| Step::Send(unavailable("120")));
    let client = client(&server.url(), quick().idempotent_methods(["add"]));
    let e = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    let t = e.transport().unwrap();
    assert_eq!(t.status(), Some(503));
    assert_eq!(t.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(t.attempts(), 1);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_method_not_marked_idempotent_is_not_retried_after_a_503() {
    let server = Scripted::start(|n| match n {
        1 => Step::Send(unavailable("0")),
        _ => Step::Send(answer("<int>5</int>")),
    });
    let client = client(&server.url(), quick());
    let e = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    let t = e.transport().unwrap();
    assert_eq!(t.status(), Some(503));
    assert_eq!(t.attempts(), 1);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn without_a_policy_nothing_is_retried() {
    let server = Scripted::start(|n| match n {
        1 => Step::Send(unavailable("0")),
        _ => Step::Send(answer("<int>5</int>")),
    });
    let client = Client::new(&server.url()).unwrap();
    let e = client.list_methods().await.unwrap_err();
    assert_eq!(e.transport().unwrap().status(), Some(503));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn refused_connections_are_retried_for_any_method_until_attempts_run_out() {
    let closed = ClosedPort::new();
    let url = format!("http://127.0.0.1:{}/RPC2", closed.port());
    let client = client(&url, quick().max_attempts(3));
    let e = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    let t = e.transport().unwrap();
    assert!(t.is_connect(), "{e:?}");
    assert_eq!(t.attempts(), 3);
    assert!(e.to_string().ends_with("(after 3 attempts)"), "{e}");
}

#[tokio::test]
async fn a_call_made_while_the_server_restarts_reaches_it_once_it_listens() {
    // Bound but not listening: connections are refused until `listen`.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = format!("http://{}/RPC2", socket.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = socket.listen(16).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        let script = Arc::new(|_| Step::Send(answer("<int>5</int>")));
        serve(stream, seen, script).await;
    });
    // `add` is not idempotent: a refused connection proves it never ran.
    let policy = quick()
        .max_attempts(100)
        .max_delay(Duration::from_millis(20))
        .deadline(Duration::from_secs(10));
    let client = client(&url, policy);
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    server.await.unwrap();
}

#[tokio::test]
async fn a_fault_the_predicate_matches_is_retried() {
    // PyPI's rate limit, for a method not marked idempotent.
    let server = Scripted::start(|n| match n {
        1 => Step::Send(fault(
            -32500,
            "HTTPTooManyRequests: The action could not be performed because there were too many requests by the client. Limit may reset in 1 seconds.",
        )),
        _ => Step::Send(answer("<array><data></data></array>")),
    });
    let policy = quick().retry_fault(|f| f.code == -32500 && f.string.contains("Limit may reset"));
    let client = client(&server.url(), policy);
    let found: Vec<String> = client.call("search", ("roundup",)).await.unwrap();
    assert!(found.is_empty());
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn other_faults_are_not_retried() {
    let server = Scripted::start(|_| Step::Send(fault(-32500, "something else")));
    let policy = quick()
        .idempotent_methods(["search"])
        .retry_fault(|f| f.string.contains("Limit may reset"));
    let client = client(&server.url(), policy);
    match client.call::<Vec<String>>("search", ("x",)).await {
        Err(Error::Fault(f)) => assert_eq!(f.string, "something else"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_connection_closed_before_the_answer_is_retried_only_if_idempotent() {
    // Each attempt is two requests: the client sends it once more on a new
    // connection by itself (as Python's does) before the policy counts it.
    let script = |n| {
        if n <= 2 {
            Step::Close
        } else {
            Step::Send(answer("<int>5</int>"))
        }
    };
    let server = Scripted::start(script);
    let client = client(&server.url(), quick().idempotent_methods(["add"]));
    assert_eq!(client.call::<i64>("add", (2, 3)).await.unwrap(), 5);
    assert_eq!(server.requests(), 3);

    let server = Scripted::start(script);
    let client = self::client(&server.url(), quick());
    let e = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    assert!(e.transport().unwrap().is_closed_before_answer(), "{e:?}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn the_deadline_stops_the_retries() {
    // Every answer a 503 asking for a second: the second wait would pass
    // the deadline, so the call ends after the second attempt.
    let server = Scripted::start(|_| Step::Send(unavailable("1")));
    let policy = quick()
        .max_attempts(10)
        .max_delay(Duration::from_secs(5))
        .deadline(Duration::from_millis(1500))
        .idempotent_methods(["add"]);
    let client = client(&server.url(), policy);
    let started = Instant::now();
    let e = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500) + Duration::from_secs(3));
    let t = e.transport().unwrap();
    assert!(t.is_timeout(), "{e:?}");
    assert_eq!(t.attempts(), 2);
    let message = e.to_string();
    assert!(
        message.contains("deadline of 1.500s (2 attempts; the last failed:"),
        "{message}"
    );
    assert!(message.contains("503 Service Unavailable"), "{message}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn the_deadline_stops_an_attempt_that_takes_too_long() {
    let server = Scripted::start(|_| Step::Mute);
    let policy = quick().deadline(Duration::from_millis(300));
    let client = client(&server.url(), policy);
    let started = Instant::now();
    let e = client.call::<i64>("add", (2, 3)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(300) + Duration::from_secs(3));
    assert!(e.transport().is_some_and(|t| t.is_timeout()), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "no answer from {} within the call's deadline of 300ms (1 attempt)",
            server.accept.addr
        )
    );
}

#[tokio::test]
async fn a_batch_is_retried_when_every_call_in_it_is_idempotent() {
    let results = "<array><data>\
        <value><array><data><value><array><data></data></array></value></data></array></value>\
        <value><array><data><value>help</value></data></array></value>\
        </data></array>";
    let server = Scripted::start(move |n| match n {
        1 => Step::Send(unavailable("0")),
        _ => Step::Send(answer(results)),
    });
    let client = client(&server.url(), quick());
    let mut batch = client.batch();
    batch
        .add("system.listMethods", ())
        .add("system.methodHelp", ("add",));
    assert_eq!(batch.send().await.unwrap().len(), 2);
    assert_eq!(server.requests(), 2);

    // One call not marked idempotent makes the whole multicall so.
    let server = Scripted::start(move |n| match n {
        1 => Step::Send(unavailable("0")),
        _ => Step::Send(answer(results)),
    });
    let client = self::client(&server.url(), quick());
    let mut batch = client.batch();
    batch.add("system.listMethods", ()).add("add", (1, 2));
    let e = batch.send().await.unwrap_err();
    assert_eq!(e.transport().unwrap().status(), Some(503));
    assert_eq!(server.requests(), 1);
}

#[test]
fn the_blocking_client_retries_too() {
    let server = Scripted::start(|n| match n {
        1 => Step::Send(unavailable("0")),
        _ => Step::Send(answer("<int>5</int>")),
    });
    let client = xmlrpc_kit::blocking::Client::builder(&server.url())
        .retry(quick().idempotent_methods(["add"]))
        .build_blocking()
        .unwrap();
    assert_eq!(client.call::<i64>("add", (2, 3)).unwrap(), 5);
    assert_eq!(server.requests(), 2);
}
