//! The responses the server writes: XML-RPC answers, the documentation
//! page, and refusals.

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use xmlrpc_kit_front::{Readiness, Rejection};
use xmlrpc_kit_transport::ContentCoding;

/// Every response the server sends, its body whole (each way of serving
/// it wraps the body as it needs: `Full` for tower and hyper callers,
/// slices for the server's own connections).
pub(crate) type HttpResponse = Response<Bytes>;

/// A dispatcher's answer of `content_type` (`text/xml`, or
/// `application/json`), coded as given: 200, faults included, as the
/// specifications say; 204 with no body for JSON-RPC notifications.
pub(crate) fn answer(
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    coding: ContentCoding,
) -> HttpResponse {
    let mut response = with_body(Bytes::from(coding.encode(body)), content_type, coding);
    if status == 204 {
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        headers.remove(header::CONTENT_TYPE);
        headers.remove(header::CONTENT_LENGTH);
    }
    response
}

/// The documentation page in `coding`.
pub(crate) fn page(body: Bytes, coding: ContentCoding) -> HttpResponse {
    with_body(body, "text/html; charset=utf-8", coding)
}

fn with_body(body: Bytes, content_type: &'static str, coding: ContentCoding) -> HttpResponse {
    let length = body.len();
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(coding) = coding.header_value() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// The health path's answer (see [`Readiness`]), never cached.
pub(crate) fn health(readiness: Readiness) -> HttpResponse {
    let (status, text) = readiness.answer();
    let mut response = Response::new(Bytes::from_static(text.as_bytes()));
    *response.status_mut() = StatusCode::from_u16(status).expect("a valid status");
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The metrics' text, of `media_type`, never cached.
pub(crate) fn metrics(media_type: &'static str, text: String) -> HttpResponse {
    let length = text.len();
    let mut response = Response::new(Bytes::from(text));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A refusal: its status and its line of text.
pub(crate) fn rejected(rejection: &Rejection) -> HttpResponse {
    let body = rejection.body();
    let length = body.len();
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    for (name, value) in rejection.headers() {
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(name, value);
        }
    }
    response
}

/// A refusal written straight to a connection that hyper does not serve
/// (an HTTP request on an SCGI or HTTPS port), which is then closed.
pub(crate) fn refusal_bytes(rejection: &Rejection) -> Vec<u8> {
    let body = rejection.body();
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        rejection.status_line(),
        body.len()
    );
    for (name, value) in rejection.headers() {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    [head.into_bytes(), body.into_bytes()].concat()
}
