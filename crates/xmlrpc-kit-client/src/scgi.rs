//! Calls over SCGI (rTorrent, or any server behind nginx's `scgi_pass`
//! reached directly): one connection per call, the request as a netstring
//! of header pairs and the body, the answer as CGI-style headers
//! (`Status: 200 OK`, …) and the body, read to the end of the stream.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use xmlrpc_kit_transport::{BodyLimits, ContentCoding, TraceContext};

use crate::endpoint::{Endpoint, Route};
use crate::error::{Error, TransportError};

/// What the server answered: the coding of the body, and the body.
pub(crate) type Answer = (ContentCoding, Vec<u8>);

/// One call as it is sent.
pub(crate) struct ScgiCall<'a> {
    /// The document, coded in `coding`.
    pub(crate) body: Vec<u8>,
    pub(crate) coding: ContentCoding,
    /// Whether to ask for a gzip answer.
    pub(crate) accept_gzip: bool,
    /// The trace context sent (`HTTP_TRACEPARENT`, `HTTP_TRACESTATE`).
    pub(crate) trace: Option<&'a TraceContext>,
    /// The body's media type (`CONTENT_TYPE`).
    pub(crate) content_type: &'static str,
}

/// Sends `call` and reads the answer.
pub(crate) async fn exchange(
    endpoint: &Endpoint,
    call: ScgiCall<'_>,
    limits: &BodyLimits,
    connect_timeout: Option<Duration>,
) -> Result<Answer, Error> {
    let target = &endpoint.target;
    let path = endpoint
        .uri
        .path_and_query()
        .map_or("/RPC2", |p| p.as_str());
    let request = request(path, &call);
    let connect_failed =
        |e: std::io::Error| Error::from(TransportError::connect(target, Box::new(e)));
    let within = |limit: Option<Duration>| limit.unwrap_or(Duration::MAX);
    match &endpoint.route {
        Route::ScgiTcp(host_port) => {
            let stream = tokio::time::timeout(
                within(connect_timeout),
                tokio::net::TcpStream::connect(host_port.as_str()),
            )
            .await
            .map_err(|_| TransportError::timeout(target, within(connect_timeout)))?
            .map_err(connect_failed)?;
            let _ = stream.set_nodelay(true);
            talk(stream, &request, target, limits).await
        }
        #[cfg(unix)]
        Route::ScgiUnix(path) => {
            let stream = tokio::net::UnixStream::connect(path)
                .await
                .map_err(connect_failed)?;
            talk(stream, &request, target, limits).await
        }
        _ => Err(Error::Config(format!("{target} is not an SCGI address"))),
    }
}

/// The netstring of header pairs (`CONTENT_LENGTH` first, as SCGI
/// requires), then the body.
fn request(path: &str, call: &ScgiCall<'_>) -> Vec<u8> {
    let length = call.body.len().to_string();
    let mut pairs = vec![
        ("CONTENT_LENGTH", length.as_str()),
        ("SCGI", "1"),
        ("REQUEST_METHOD", "POST"),
        ("REQUEST_URI", path),
        ("CONTENT_TYPE", call.content_type),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
    ];
    if let Some(coding) = call.coding.header_value() {
        pairs.push(("HTTP_CONTENT_ENCODING", coding));
    }
    if call.accept_gzip && ContentCoding::GZIP_BUILT_IN {
        pairs.push(("HTTP_ACCEPT_ENCODING", "gzip"));
    }
    if let Some(trace) = call.trace {
        pairs.push(("HTTP_TRACEPARENT", trace.traceparent()));
        if let Some(state) = trace.tracestate() {
            pairs.push(("HTTP_TRACESTATE", state));
        }
    }
    let mut out = scgi_head(&pairs);
    out.extend_from_slice(&call.body);
    out
}

/// The head of an SCGI request: the netstring of the header `pairs`,
/// exactly as given, each name and value ended by a NUL (SCGI wants
/// `CONTENT_LENGTH` first, then `SCGI: 1`). The body follows it.
///
/// ```
/// let head = xmlrpc_kit_client::scgi_head(&[("CONTENT_LENGTH", "0"), ("SCGI", "1")]);
/// assert_eq!(head, b"24:CONTENT_LENGTH\x000\x00SCGI\x001\x00,");
/// ```
pub fn scgi_head(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut block = Vec::new();
    for (name, value) in pairs {
        block.extend_from_slice(name.as_bytes());
        block.push(0);
        block.extend_from_slice(value.as_bytes());
        block.push(0);
    }
    let mut out = format!("{}:", block.len()).into_bytes();
    out.extend(block);
    out.push(b',');
    out
}

/// Most bytes of response headers read before the body.
const MAX_HEAD_BYTES: usize = 64 * 1024;

async fn talk<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &[u8],
    target: &str,
    limits: &BodyLimits,
) -> Result<Answer, Error> {
    let io_failed = |what: &str, e: std::io::Error| {
        Error::from(TransportError::body(
            target,
            what.to_owned(),
            Some(Box::new(e)),
        ))
    };
    stream
        .write_all(request)
        .await
        .map_err(|e| io_failed("the request could not be sent", e))?;
    let most = MAX_HEAD_BYTES + limits.max_body_bytes;
    let mut answer = Vec::new();
    (&mut stream)
        .take(most as u64 + 1)
        .read_to_end(&mut answer)
        .await
        .map_err(|e| io_failed("the answer could not be read", e))?;
    if answer.len() > most {
        return Err(TransportError::too_large(target, limits.max_body_bytes).into());
    }
    read_answer(answer, target, limits.max_body_bytes)
}

/// Splits a CGI-style answer into its headers and body, checking the
/// status and the length.
fn read_answer(mut answer: Vec<u8>, target: &str, limit: usize) -> Result<Answer, Error> {
    let not_scgi = |why: &str| {
        Error::from(TransportError::body(
            target,
            format!("the peer did not answer as an SCGI server ({why})"),
            None,
        ))
    };
    if answer.is_empty() {
        return Err(not_scgi("it closed the connection without an answer"));
    }
    if answer.starts_with(b"HTTP/") {
        return Err(not_scgi("it answered HTTP"));
    }
    let (head_end, body_start) = match find(&answer, b"\r\n\r\n") {
        Some(i) => (i, i + 4),
        None => match find(&answer, b"\n\n") {
            Some(i) => (i, i + 2),
            None => return Err(not_scgi("the answer has no header block")),
        },
    };
    let head = String::from_utf8_lossy(&answer[..head_end]).into_owned();
    let body = answer.split_off(body_start);
    let mut status = (200u16, "OK".to_owned());
    let mut codings: Vec<&str> = Vec::new();
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            return Err(not_scgi("a header line has no ':'"));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let (code, reason) = value.split_once(' ').unwrap_or((value, ""));
            let code = code
                .parse()
                .map_err(|_| not_scgi("its Status is not a number"))?;
            status = (code, reason.to_owned());
        } else if name.eq_ignore_ascii_case("content-encoding") {
            codings.push(value);
        } else if name.eq_ignore_ascii_case("content-length")
            && value.parse::<u64>().is_ok_and(|n| n > limit as u64)
        {
            return Err(TransportError::too_large(target, limit).into());
        }
    }
    if status.0 != 200 {
        return Err(TransportError::bad_status(target, status.0, &status.1, &body).into());
    }
    // Every Content-Encoding line, read as one list, as over HTTP.
    let coding = ContentCoding::from_headers(codings.iter().map(|c| c.as_bytes()))
        .map_err(|e| Error::from(TransportError::body(target, e.to_string(), None)))?;
    if body.len() > limit {
        return Err(TransportError::too_large(target, limit).into());
    }
    Ok((coding, body))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(trace: Option<&TraceContext>) -> ScgiCall<'_> {
        ScgiCall {
            body: b"<x/>".to_vec(),
            coding: ContentCoding::Identity,
            accept_gzip: false,
            trace,
            content_type: "text/xml",
        }
    }

    #[test]
    fn requests_are_netstrings_with_content_length_first() {
        let raw = request("/RPC2", &call(None));
        let text = String::from_utf8(raw).unwrap();
        assert!(
            text.starts_with("109:CONTENT_LENGTH\x004\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00"),
            "{text:?}"
        );
        assert!(text.ends_with("\0,<x/>"));
    }

    #[test]
    fn a_trace_context_travels_as_http_variables() {
        let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let mut trace = TraceContext::parse(traceparent).unwrap();
        let text = String::from_utf8(request("/RPC2", &call(Some(&trace)))).unwrap();
        assert!(
            text.ends_with(&format!("\0HTTP_TRACEPARENT\0{traceparent}\0,<x/>")),
            "{text:?}"
        );
        trace.set_tracestate("congo=t61rcWkgMzE").unwrap();
        let text = String::from_utf8(request("/RPC2", &call(Some(&trace)))).unwrap();
        assert!(
            text.ends_with(&format!(
                "\0HTTP_TRACEPARENT\0{traceparent}\0HTTP_TRACESTATE\0congo=t61rcWkgMzE\0,<x/>"
            )),
            "{text:?}"
        );
    }

    #[test]
    fn answers_are_read_or_refused_with_a_reason() {
        let ok = read_answer(
            b"Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4\r\n\r\n<ok>".to_vec(),
            "t",
            100,
        )
        .unwrap();
        assert_eq!(ok, (ContentCoding::Identity, b"<ok>".to_vec()));
        // No Status header means 200, as in CGI; bare newlines are accepted.
        assert_eq!(
            read_answer(b"Content-Type: text/xml\n\n<ok>".to_vec(), "t", 100)
                .unwrap()
                .1,
            b"<ok>"
        );
        let message = |answer: &[u8]| {
            read_answer(answer.to_vec(), "t", 100)
                .unwrap_err()
                .to_string()
        };
        assert!(message(b"").contains("closed the connection without an answer"));
        assert!(message(b"HTTP/1.1 400 Bad Request\r\n\r\n").contains("it answered HTTP"));
        assert!(message(b"garbage").contains("no header block"));
        let refused = read_answer(
            b"Status: 413 Content Too Large\r\n\r\ntoo big\n".to_vec(),
            "t",
            100,
        )
        .unwrap_err();
        assert_eq!(refused.transport().and_then(|t| t.status()), Some(413));
        let big = read_answer(b"Content-Length: 101\r\n\r\n".to_vec(), "t", 100).unwrap_err();
        assert!(big.transport().is_some_and(|t| t.is_too_large()));
    }

    #[test]
    fn content_encoding_lines_are_read_as_one_list() {
        let answer = |head: &str| read_answer(format!("{head}\r\n\r\n<ok>").into_bytes(), "t", 100);
        assert_eq!(
            answer("Content-Encoding: identity\r\nContent-Encoding: ")
                .unwrap()
                .0,
            ContentCoding::Identity
        );
        if !ContentCoding::GZIP_BUILT_IN {
            return;
        }
        assert_eq!(
            answer("Content-Encoding: identity\r\nContent-Encoding: gzip")
                .unwrap()
                .0,
            ContentCoding::Gzip
        );
        let stacked = answer("Content-Encoding: gzip\r\nContent-Encoding: gzip")
            .unwrap_err()
            .to_string();
        assert_eq!(
            stacked,
            "Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most (gzip or identity) (from t)"
        );
    }
}
