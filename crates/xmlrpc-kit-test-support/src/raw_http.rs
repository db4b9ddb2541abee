//! A raw HTTP/1.1 client for tests: exactly the bytes given go over the
//! wire, and the response comes back as it arrived.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// An SCGI request head exactly as given: the netstring of the `pairs`,
/// each name and value ended by a NUL (the client's, which sends it).
pub use xmlrpc_kit_client::scgi_head;

/// One HTTP response as it arrived.
#[derive(Debug)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The header fields, in order.
    pub headers: Vec<(String, String)>,
    /// The body (by Content-Length, or to the end of the stream).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header field called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The body as text (lossily).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A connection with a 10 s read timeout, so a silent server fails the test.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads one response from a buffered stream: the status line and
/// headers, then a Content-Length body (none for 204 and 304; without a
/// length, the rest of the stream).
pub fn read_from(reader: &mut impl BufRead) -> io::Result<HttpResponse> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if reader.read_until(b'\n', &mut head)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "connection closed before the headers ended: {:?}",
                    String::from_utf8_lossy(&head)
                ),
            ));
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no status line in {head:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    // 204 and 304 have no body, whatever their headers say (RFC 9112 §6.3).
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .or(matches!(status, 204 | 304).then_some(0));
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        }
        None => {
            reader.read_to_end(&mut body)?;
        }
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Reads one response from `stream` and nothing past it (a pipelined
/// response after it stays in the stream); fails the test if there is none.
pub fn read_response(stream: &mut TcpStream) -> HttpResponse {
    read_from(&mut BufReader::with_capacity(1, stream)).expect("an HTTP response")
}

/// Sends `raw` on a new connection and reads one response.
pub fn exchange(addr: SocketAddr, raw: &[u8]) -> HttpResponse {
    let mut stream = connect(addr);
    stream.write_all(raw).unwrap();
    read_response(&mut stream)
}

/// A `methodCall` document.
pub fn call_body(method: &str, params_xml: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>{method}</methodName><params>{params_xml}</params></methodCall>"
    )
}

/// A POST of `body` to `path`.
pub fn post(path: &str, body: &str) -> Vec<u8> {
    post_bytes(path, body.as_bytes())
}

/// A POST of `body` (any bytes) to `path`.
pub fn post_bytes(path: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// A POST of `add(2, 3)` to `path`.
pub fn add_request(path: &str) -> Vec<u8> {
    post(
        path,
        &call_body(
            "add",
            "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
        ),
    )
}

/// An SCGI request: the netstring of `headers` (`CONTENT_LENGTH` first,
/// as SCGI requires, then `SCGI: 1`, then the rest), then `body`.
pub fn scgi_request(headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let length = body.len().to_string();
    let mut pairs = vec![("CONTENT_LENGTH", length.as_str()), ("SCGI", "1")];
    pairs.extend_from_slice(headers);
    let mut raw = scgi_head(&pairs);
    raw.extend_from_slice(body);
    raw
}

/// Sends `raw` on a new connection (TCP or Unix socket) and reads the
/// response to the end of the stream: SCGI answers `Status: 200 OK`,
/// headers and the body, then closes.
pub fn exchange_on<S: io::Read + Write>(mut stream: S, raw: &[u8]) -> HttpResponse {
    stream.write_all(raw).expect("send the request");
    read_from(&mut BufReader::new(stream)).expect("a response")
}
