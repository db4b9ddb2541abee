//! A server on 127.0.0.1:0 in a background thread, stopped on drop, and a
//! raw HTTP client that shows exactly what went over the wire.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use xmlrpc_http::{Server, ServerBuilder, ShutdownHandle};
use xmlrpc_server::{Fault, Methods, Value};

pub struct TestServer {
    pub addr: SocketAddr,
    handle: ShutdownHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub fn start(builder: ServerBuilder) -> Self {
        Self::serve(builder.bind("127.0.0.1:0").expect("bind"))
    }

    pub fn serve(server: Server) -> Self {
        let addr = server.local_addr().unwrap();
        let handle = server.shutdown_handle();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?
                .block_on(server.serve())
        });
        TestServer {
            addr,
            handle,
            thread: Some(thread),
        }
    }

    /// Stops the server and waits for `serve` to return.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.handle.shutdown();
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The demo's methods plus a few for testing.
pub fn methods() -> Methods {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_multicall_functions();
    m.register_function("add", |x: i32, y: i32| x + y);
    m.register_function("echo", |x: Value| x);
    m.register_function("panic", || -> i32 { panic!("on purpose") });
    m.register_function("nothing", || ());
    m.register_function("sleep", |ms: u32| async move {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
        Ok::<_, Fault>(ms)
    });
    m
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads one response: headers, then a Content-Length body (or to EOF).
pub fn read_response(stream: &mut TcpStream) -> HttpResponse {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("read headers");
        assert!(
            n == 1,
            "connection closed before the headers ended: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            stream.read_exact(&mut body).unwrap();
        }
        None => {
            stream.read_to_end(&mut body).unwrap();
        }
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

/// Sends `raw` on a new connection and reads one response.
pub fn exchange(addr: SocketAddr, raw: &[u8]) -> HttpResponse {
    let mut stream = connect(addr);
    stream.write_all(raw).unwrap();
    read_response(&mut stream)
}

pub fn call_body(method: &str, params_xml: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>{method}</methodName><params>{params_xml}</params></methodCall>"
    )
}

pub fn post(path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn add_request(path: &str) -> Vec<u8> {
    post(
        path,
        &call_body(
            "add",
            "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
        ),
    )
}
