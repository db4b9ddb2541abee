//! SCGI, as rTorrent and nginx's `scgi_pass` speak it: one request per
//! connection, a netstring of NUL-separated header pairs (read with limits
//! on its length and count, each name at most once), then the one request
//! path of every front end (`CONTENT_LENGTH` and the `HTTP_*` variables
//! read as HTTP reads its headers), the body, and a response in CGI form
//! (`Status: 200 OK`, headers, body).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::watch;
use xmlrpc_kit_codec::{Fault, codes};
use xmlrpc_kit_front::{
    AccessLog, Admitted, Answered, Correlation, Field, Readiness, Rejection, RequestHead,
    TrustedProxies, admit, cgi_head, cgi_refusal, content_length, request_span,
};
use xmlrpc_kit_server::context::{Identity, RequestContext};
use xmlrpc_kit_transport::ContentCoding;

use crate::admission::{AnswersFull, Conn};
use crate::body;
use crate::body_budget::Reservation;
use crate::drain;
use crate::lifecycle::{Stop, reached, stop_settled};
use crate::limits::HttpLimits;
use crate::shared::{Shared, answers_full};

/// Why a request head could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// The connection closed, or the head did not arrive in time: nothing
    /// to answer.
    Gone,
    /// The first bytes are an HTTP request line: this port speaks SCGI.
    Http,
    /// Not a well-formed SCGI head: answered with this refusal.
    Bad(Rejection),
}

/// The header pairs of one SCGI request.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Head {
    pairs: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// What handlers may know of the request: its `HTTP_*` headers (as
    /// names with dashes), `REMOTE_ADDR`, the path, and `REMOTE_USER` when
    /// the front server authenticated it; behind `proxies`, the client
    /// they forward for.
    fn context(&self, path: &str, proxies: &TrustedProxies) -> RequestContext {
        let mut context = RequestContext::new().with_path(path);
        if let Some(peer) = self.get("REMOTE_ADDR").and_then(|a| a.parse().ok()) {
            context = context.with_peer(peer);
        }
        for (name, value) in &self.pairs {
            if let Some(header) = name.strip_prefix("HTTP_") {
                context = context.with_header(&header.replace('_', "-"), value);
            }
        }
        if let Some(user) = self.get("REMOTE_USER").filter(|u| !u.is_empty()) {
            context = context.with_identity(Identity::new(user));
        }
        proxies.resolve(context)
    }

    /// The path the request is for: `REQUEST_URI` without its query, else
    /// `SCRIPT_NAME` + `PATH_INFO`, else `/`.
    fn path(&self) -> String {
        if let Some(uri) = self.get("REQUEST_URI") {
            return uri.split('?').next().unwrap_or("/").to_owned();
        }
        match (self.get("SCRIPT_NAME"), self.get("PATH_INFO")) {
            (None, None) => "/".to_owned(),
            (script, info) => format!("{}{}", script.unwrap_or(""), info.unwrap_or("")),
        }
    }
}

/// An SCGI request's head as the one request path reads it.
struct ScgiRequest<'a> {
    head: &'a Head,
    method: &'a str,
    path: &'a str,
}

impl RequestHead for ScgiRequest<'_> {
    fn method(&self) -> &str {
        self.method
    }

    fn path(&self) -> &str {
        self.path
    }

    fn http_1_1(&self) -> Option<bool> {
        None
    }

    fn values(&self, field: Field) -> impl Iterator<Item = &[u8]> {
        let name = match field {
            Field::Host => Some("HTTP_HOST"),
            Field::ContentLength => Some("CONTENT_LENGTH"),
            Field::ContentEncoding => Some("HTTP_CONTENT_ENCODING"),
            Field::AcceptEncoding => Some("HTTP_ACCEPT_ENCODING"),
            Field::ContentType => Some("CONTENT_TYPE"),
            // The front server has read the chunks.
            Field::TransferEncoding => None,
        };
        name.and_then(|name| self.head.get(name))
            .map(str::as_bytes)
            .into_iter()
    }
}

/// Most header pairs in one request: the HTTP server's header count, plus
/// room for the CGI variables a front server adds.
fn max_pairs(limits: &HttpLimits) -> usize {
    limits.max_headers + 64
}

/// Reads the netstring `LEN:HEADERS,` and its NUL-separated pairs.
pub(crate) async fn read_head(
    stream: &mut (impl AsyncRead + Unpin),
    limits: &HttpLimits,
) -> Result<Head, HeadError> {
    let bad = |text: String| HeadError::Bad(Rejection::bad_scgi_head(text));
    let mut length: usize = 0;
    let mut digits = 0;
    loop {
        let byte = stream.read_u8().await.map_err(|_| HeadError::Gone)?;
        match byte {
            b'0'..=b'9' => {
                digits += 1;
                length = length * 10 + usize::from(byte - b'0');
                if length > limits.max_header_bytes {
                    return Err(HeadError::Bad(Rejection::head_too_large(
                        limits.max_header_bytes,
                    )));
                }
            }
            b':' if digits > 0 => break,
            b'A'..=b'Z' if digits == 0 => return Err(HeadError::Http),
            _ => {
                return Err(bad(
                    "the request does not start with a netstring length".into()
                ));
            }
        }
    }
    let mut block = vec![0; length + 1];
    stream
        .read_exact(&mut block)
        .await
        .map_err(|_| HeadError::Gone)?;
    if block.pop() != Some(b',') {
        return Err(bad("the header netstring does not end with ','".into()));
    }
    let text = String::from_utf8(block).map_err(|_| bad("the header is not UTF-8".into()))?;
    // NUL-terminated strings, names and values in turn.
    let Some(strings) = text.strip_suffix('\0') else {
        return if text.is_empty() {
            Ok(Head::default())
        } else {
            Err(bad("the last header string is not NUL-terminated".into()))
        };
    };
    let strings: Vec<&str> = strings.split('\0').collect();
    if strings.len() % 2 != 0 {
        let name = strings.last().copied().unwrap_or_default();
        return Err(bad(format!("header {name:?} has no value")));
    }
    if strings.len() / 2 > max_pairs(limits) {
        return Err(HeadError::Bad(Rejection::too_many_headers(max_pairs(
            limits,
        ))));
    }
    let mut head = Head::default();
    let mut names = std::collections::HashMap::with_capacity(strings.len() / 2);
    for pair in strings.chunks(2) {
        let (name, value) = (pair[0], pair[1]);
        if name.is_empty() {
            return Err(bad("a header has an empty name".into()));
        }
        match names.get(name) {
            None => {
                names.insert(name, head.pairs.len());
                head.pairs.push((name.to_owned(), value.to_owned()));
            }
            // A header the client repeated, as nginx passes it (two
            // `HTTP_X_A` for two `X-A` lines): one list, as HTTP reads
            // repeated lines (RFC 9110 §5.3).
            Some(&at) if name.starts_with("HTTP_") && name != "HTTP_HOST" => {
                let joined = &mut head.pairs[at].1;
                joined.push_str(", ");
                joined.push_str(value);
            }
            // The SCGI specification: "Duplicate names are not allowed."
            // Taking the first (or the last) of two lengths, methods or
            // paths would read the request differently from a front server
            // that took the other; two Hosts are refused as HTTP refuses them.
            Some(_) => return Err(HeadError::Bad(Rejection::duplicate_scgi_header(name))),
        }
    }
    Ok(head)
}

/// One SCGI connection: its request, its response, then close.
pub(crate) async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    peer: Option<SocketAddr>,
    shared: &Shared,
    conn: &Arc<Conn>,
    mut stopping: watch::Receiver<Stop>,
) {
    let limits = &shared.config.limits;
    let started = Instant::now();
    // Until the head is read the connection is idle: closed under pressure.
    let head = tokio::select! {
        head = tokio::time::timeout(limits.header_read_timeout, read_head(&mut stream, limits)) => head,
        () = conn.close.notified() => return,
        () = stop_settled(&mut stopping) => return,
    };
    let head = match head {
        Ok(Ok(head)) => head,
        Ok(Err(HeadError::Bad(rejection))) => {
            let _ = write_rejection(&mut stream, &rejection).await;
            return;
        }
        Ok(Err(HeadError::Http)) => {
            let refusal = Rejection::wrong_protocol(
                "this port speaks SCGI (as rTorrent and nginx's scgi_pass do), not HTTP",
            );
            let _ = stream
                .write_all(&crate::response::refusal_bytes(&refusal))
                .await;
            let _ = stream.shutdown().await;
            return;
        }
        Ok(Err(HeadError::Gone)) | Err(_) => return,
    };
    let _in_progress = conn.start_request();
    let method = head.get("REQUEST_METHOD").unwrap_or("POST").to_owned();
    let path = head.path();
    let proxies = &shared.config.trusted_proxies;
    let context = head.context(&path, proxies);
    let front_peer = head.get("REMOTE_ADDR").and_then(|a| a.parse().ok());
    let correlation = Correlation::of(&context, front_peer, proxies, shared.config.trace_context);
    let client = context.peer().or(peer.map(|p| p.ip()));
    let span = request_span(
        &correlation,
        client,
        &method,
        &path,
        shared.config.on_request_span.as_ref(),
    );
    let request = ScgiRequest {
        head: &head,
        method: &method,
        path: &path,
    };
    let context = context.with_trace(correlation.trace.clone(), span.clone());
    let answered = tokio::select! {
        answered = answer(&mut stream, &request, context, shared) => answered,
        () = reached(&mut stopping, Stop::Now) => return,
    };
    let (answered, refused) = match answered {
        Ok(done) => (done, false),
        Err(rejection) => {
            let length = write_rejection(&mut stream, &rejection).await.ok();
            (Answered::plain(rejection.status(), length), true)
        }
    };
    let bytes_out = answered.length.unwrap_or_default();
    shared.after_answer(answered.status, answered.bytes_in, bytes_out, refused);
    if shared.config.log_requests {
        let log = AccessLog {
            user_agent: head.get("HTTP_USER_AGENT"),
            elapsed: started.elapsed(),
            ..AccessLog::of_answer(client, &method, &path, "SCGI", &answered)
                .correlated(&correlation)
        };
        log.deliver(shared.config.access_sink.as_ref(), &span);
    }
}

/// Reads and lets go the body of a request refused before it was read,
/// so that the front end, which sends the whole request before reading,
/// reads the refusal (see [`drain`]): only a body declared within the
/// body limit.
async fn discard_unread<S: AsyncRead + Unpin>(stream: &mut S, head: &Head, limits: &HttpLimits) {
    let Ok(Some(declared)) = content_length(head.get("CONTENT_LENGTH"), false, &limits.body) else {
        return;
    };
    drain::stream(stream, declared as u64, limits).await;
}

/// Answers one request; returns what the access log records of it.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    request: &ScgiRequest<'_>,
    context: RequestContext,
    shared: &Shared,
) -> Result<Answered, Rejection> {
    let limits = &shared.config.limits;
    let patience = limits.header_read_timeout;
    let accepts = request.accepts_gzip();
    let threshold = shared.config.response_gzip_threshold();
    let (dispatcher, context, plan, protocol) = match admit(shared.site(), request, &context) {
        Ok(Admitted::Call(call)) => call.into_parts(context),
        Ok(health_check @ (Admitted::Health | Admitted::Alive)) => {
            let readiness = match health_check {
                Admitted::Alive => Readiness::Ready,
                _ => shared.readiness(),
            };
            let (status, text) = readiness.answer();
            let head = cgi_head(
                Some(status),
                "text/plain; charset=utf-8",
                text.len(),
                ContentCoding::Identity,
                [("Cache-Control", "no-store".to_owned())],
            );
            write_response(stream, head, text.as_bytes(), patience).await;
            return Ok(Answered::plain(status, Some(text.len())));
        }
        Ok(Admitted::Page(page)) => {
            let coding = ContentCoding::choose(page.len(), threshold, accepts);
            let body = page.body(coding);
            let head = cgi_head(
                Some(200),
                "text/html; charset=utf-8",
                body.len(),
                coding,
                [],
            );
            write_response(stream, head, body, patience).await;
            return Ok(Answered::plain(200, Some(body.len())));
        }
        Ok(Admitted::Metrics) => {
            let accept = request.head.get("HTTP_ACCEPT");
            let (media_type, text) = shared
                .metrics_text(accept)
                .ok_or_else(Rejection::not_found)?;
            let head = cgi_head(
                Some(200),
                media_type,
                text.len(),
                ContentCoding::Identity,
                [("Cache-Control", "no-store".to_owned())],
            );
            write_response(stream, head, text.as_bytes(), patience).await;
            return Ok(Answered::plain(200, Some(text.len())));
        }
        Err(rejection) => {
            discard_unread(stream, request.head, limits).await;
            return Err(rejection);
        }
    };
    // Who it authenticated as, for the access log only.
    let user = shared
        .config
        .log_requests
        .then(|| context.identity().map(|i| i.name().to_owned()))
        .flatten();
    let declared = plan.declared().unwrap_or_default();
    let mut reservation = shared.budgets.reservation(Some(declared));
    let mut limited = (&mut *stream).take(declared as u64);
    let read = read_body(&mut limited, declared, &mut reservation);
    let body = match tokio::time::timeout(limits.body_read_timeout, read).await {
        Err(_) => return Err(Rejection::body_timeout(limits.body_read_timeout)),
        Ok(Ok(body)) => body,
        Ok(Err(refused)) => {
            // What came was let go: so is its budget, while the rest is
            // read and let go as well (see `drain`).
            reservation.let_go();
            let left = limited.limit();
            drain::stream(&mut limited, left, limits).await;
            return Err(refused);
        }
    };
    plan.check_streamed(body.len(), &limits.body)?;
    let sent = body.len();
    let off_runtime_above = dispatcher.options().off_runtime_above;
    let long = body::inflates_long(plan.coding(), sent, off_runtime_above);
    let inflate = || plan.finish(Bytes::from(body), &limits.body);
    let body = dispatcher.long_work().run_if(long, inflate).await?;
    let bytes_in = Some(body.len());
    if plan.coding() != ContentCoding::Identity {
        reservation.cover_now(sent + body.len())?;
    }
    let _in_flight = shared.budgets.admit_request()?;
    let reply = shared.dispatch(dispatcher, protocol, body, &context).await;
    let (status, content_type) = (reply.status(), reply.content_type());
    let coding = ContentCoding::choose(reply.body.len(), threshold, accepts);
    let long = body::compresses_long(coding, reply.body.len(), off_runtime_above);
    let compress = || coding.encode(reply.body);
    let payload = dispatcher.long_work().run_if(long, compress).await;
    // Held until written, with the body's share of the budget: a front end
    // that does not read holds its answer.
    let held = shared.budgets.hold_answer(payload.len(), reservation);
    let (payload, coding, fault_code, _hold) = match held {
        Ok(hold) => (payload, coding, reply.fault_code, hold),
        Err(AnswersFull) => {
            let text = answers_full(payload.len(), limits);
            drop(payload);
            let fault = dispatcher.fault_reply_in(
                protocol,
                reply.method.clone(),
                Fault::new(codes::INTERNAL_ERROR, text),
            );
            (fault.body, ContentCoding::Identity, fault.fault_code, None)
        }
    };
    let head = cgi_head(Some(status), content_type, payload.len(), coding, []);
    write_response(stream, head, &payload, patience).await;
    Ok(Answered {
        status,
        length: Some(payload.len()),
        rpc_method: reply.method,
        fault_code,
        multicall: reply.multicall,
        user,
        bytes_in,
    })
}

/// Reads the `declared` bytes of a body from `limited` (which ends there),
/// holding budget for them as they arrive (a declared length alone holds
/// nothing; once bytes come, it may be promised, or wait in line for
/// room: see [`Reservation`]). A body refused for want of budget is left
/// where it stopped (the caller reads the rest and lets it go).
async fn read_body<S: AsyncRead + Unpin>(
    limited: &mut tokio::io::Take<S>,
    declared: usize,
    reservation: &mut Reservation<'_>,
) -> Result<Vec<u8>, Rejection> {
    // Room not written to costs address space, not memory.
    let mut body = Vec::with_capacity(declared);
    loop {
        let before = body.len();
        let read = (&mut *limited)
            .take(64 * 1024)
            .read_to_end(&mut body)
            .await
            .map_err(Rejection::unreadable_body)?;
        if read == 0 {
            break;
        }
        if before == 0 {
            reservation.promise();
        }
        reservation.cover(body.len()).await?;
        debug_assert!(body.len() > before);
    }
    reservation.settle();
    Ok(body)
}

/// Writes a response in CGI form, `head` then `body`, then shuts the
/// connection down.
async fn write_response(
    stream: &mut (impl AsyncWrite + Unpin),
    head: String,
    body: &[u8],
    patience: Duration,
) {
    // A small answer goes out in one write, head and body together.
    let first = body.len().min(SCGI_WRITE.saturating_sub(head.len()));
    let mut piece = head.into_bytes();
    piece.extend_from_slice(&body[..first]);
    let pieces = std::iter::once(&piece[..]).chain(body[first..].chunks(SCGI_WRITE));
    for piece in pieces {
        // The front end must take each piece within the patience: one that
        // stops reading does not hold its answer (and its budget) for ever.
        match tokio::time::timeout(patience, stream.write_all(piece)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return,
        }
    }
    let _ = tokio::time::timeout(patience, stream.shutdown()).await;
}

/// The most of an answer written at once: each piece must be taken within
/// the header read timeout.
const SCGI_WRITE: usize = 64 * 1024;

/// Writes a refusal in CGI form; returns the body's length.
async fn write_rejection(
    stream: &mut (impl AsyncWrite + Unpin),
    rejection: &Rejection,
) -> std::io::Result<usize> {
    stream.write_all(&cgi_refusal(rejection)).await?;
    stream.shutdown().await?;
    Ok(rejection.body().len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Head, HeadError> {
        let limits = HttpLimits::default().max_header_bytes(100);
        block_on(read_head(&mut &bytes[..], &limits))
    }

    /// A minimal executor for these synchronous reads.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn heads_are_read_as_netstrings_of_pairs() {
        let head = read(b"25:CONTENT_LENGTH\x0027\x00SCGI\x001\x00,<body>").unwrap();
        assert_eq!(head.get("CONTENT_LENGTH"), Some("27"));
        assert_eq!(head.get("SCGI"), Some("1"));
        assert_eq!(head.path(), "/");
        let head = read(b"37:CONTENT_LENGTH\x000\x00REQUEST_URI\x00/RPC2?x\x00,").unwrap();
        assert_eq!(head.path(), "/RPC2");
    }

    #[test]
    fn bad_heads_are_refused_with_a_reason() {
        let refusal = |bytes: &[u8]| match read(bytes) {
            Err(HeadError::Bad(r)) => format!("{} {}", r.status(), r.text()),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refusal(b"x:"),
            "400 not an SCGI request: the request does not start with a netstring length"
        );
        assert_eq!(
            refusal(b":abc,"),
            "400 not an SCGI request: the request does not start with a netstring length"
        );
        assert_eq!(
            refusal(b"3:a\x00b;"),
            "400 not an SCGI request: the header netstring does not end with ','"
        );
        assert_eq!(
            refusal(b"5:a\x00b\x00c,"),
            "400 not an SCGI request: the last header string is not NUL-terminated"
        );
        assert_eq!(
            refusal(b"4:a\x00bc,"),
            "400 not an SCGI request: the last header string is not NUL-terminated"
        );
        assert_eq!(
            refusal(b"999:"),
            "431 the request head is larger than the limit of 100 bytes"
        );
        assert_eq!(read(b"POST /RPC2 HTTP/1.1\r\n"), Err(HeadError::Http));
        assert_eq!(read(b"12:CONTENT_LEN"), Err(HeadError::Gone));
    }

    #[test]
    fn a_header_the_client_repeated_is_one_list() {
        // As nginx passes two `X-A` lines and two Content-Encoding lines.
        let block = b"CONTENT_LENGTH\x000\x00SCGI\x001\x00HTTP_X_A\x00a\x00HTTP_CONTENT_ENCODING\x00gzip\x00HTTP_X_A\x00b\x00HTTP_CONTENT_ENCODING\x00gzip\x00";
        let raw = [format!("{}:", block.len()).as_bytes(), block, b","].concat();
        let head = read(&raw).unwrap();
        assert_eq!(head.get("HTTP_X_A"), Some("a, b"));
        assert_eq!(head.get("HTTP_CONTENT_ENCODING"), Some("gzip, gzip"));
        // Read as HTTP reads two lines: stacked codings, refused.
        assert_eq!(
            ContentCoding::from_header(head.get("HTTP_CONTENT_ENCODING").map(str::as_bytes))
                .unwrap_err()
                .to_string(),
            "Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most (gzip or identity)"
        );
    }

    #[test]
    fn a_name_given_twice_is_refused() {
        let block = b"CONTENT_LENGTH\x000\x00SCGI\x001\x00SCGI\x001\x00";
        let raw = [format!("{}:", block.len()).as_bytes(), block, b","].concat();
        match read(&raw) {
            Err(HeadError::Bad(r)) => assert_eq!(
                (r.status(), r.text()),
                (
                    400,
                    "not an SCGI request: header \"SCGI\" appears more than once"
                )
            ),
            other => panic!("{other:?}"),
        }
    }
}
