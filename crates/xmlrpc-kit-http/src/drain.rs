//! Reading a refused request's body to its end and letting it go, so that
//! a client still sending reads its refusal: a socket closed with bytes
//! unread is reset, and the reset can reach the client before it has read
//! the answer (or stop it sending, when it reads only once it has sent).
//!
//! A drain is bounded: at most the body limit
//! ([`BodyLimits::max_body_bytes`](xmlrpc_kit_transport::BodyLimits::max_body_bytes))
//! in all, counting what was read before the refusal, and at most the
//! body read timeout ([`HttpLimits::body_read_timeout`]) from the refusal.
//! Past either it stops, and the connection closes after the refusal
//! (HTTP says `Connection: close`). Each piece is let go as it arrives,
//! so a drain costs no memory.

use bytes::Buf as _;
use http_body_util::BodyExt as _;
use hyper::body::Body;
use hyper::header::{self, HeaderMap};
use tokio::io::{AsyncRead, AsyncReadExt as _};

use crate::limits::HttpLimits;
use crate::time_limit::within;

/// Reads what is left of a refused HTTP request's body and lets it go,
/// `already` bytes counted as read; whether it came to its end within the
/// bounds (see the module's text).
pub(crate) async fn body<B: Body>(
    mut body: std::pin::Pin<&mut B>,
    already: usize,
    limits: &HttpLimits,
) -> bool {
    let most = limits.body.max_body_bytes;
    let read_all = async {
        let mut total = already;
        loop {
            // Matched apart from the loop, so that no error is held
            // across the next wait (a body's error need not be `Send`).
            let frame = match body.frame().await {
                Some(Ok(frame)) => frame,
                Some(Err(_)) => return false,
                None => return true,
            };
            if let Ok(data) = frame.into_data() {
                total += data.remaining();
                if total > most {
                    return false;
                }
            }
        }
    };
    within(Some(limits.body_read_timeout), read_all)
        .await
        .unwrap_or(false)
}

/// Reads the `left` bytes of a refused SCGI request's body from `stream`
/// and lets them go; whether they all came within the body read timeout.
/// `left` is within the body limit: the declared length was checked.
pub(crate) async fn stream<S: AsyncRead + Unpin>(
    stream: &mut S,
    left: u64,
    limits: &HttpLimits,
) -> bool {
    let (mut rest, mut sink) = (stream.take(left), tokio::io::sink());
    let copy = tokio::io::copy(&mut rest, &mut sink);
    matches!(
        tokio::time::timeout(limits.body_read_timeout, copy).await,
        Ok(Ok(read)) if read == left
    )
}

/// Whether the body of an HTTP request refused before it was read is worth
/// reading to its end: one declared within the body limit, or chunked;
/// not when the client waits for `100 Continue` before sending it (it
/// reads the refusal instead).
pub(crate) fn worth_reading(headers: &HeaderMap, limits: &HttpLimits) -> bool {
    if headers.contains_key(header::EXPECT) {
        return false;
    }
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return true;
    }
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
        .is_some_and(|length| length > 0 && length <= limits.body.max_body_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::StreamBody;
    use hyper::body::Frame;

    fn limits(max_body_bytes: usize) -> HttpLimits {
        HttpLimits::default()
            .max_body_bytes(max_body_bytes)
            .body_read_timeout(Duration::from_secs(3))
    }

    /// A body of `pieces` frames of `size` bytes, endless when `None`.
    fn frames(
        size: usize,
        pieces: Option<usize>,
    ) -> impl Body<Data = Bytes, Error = std::convert::Infallible> {
        let piece = Bytes::from(vec![b'x'; size]);
        let stream = futures::stream::repeat_with(move || Ok(Frame::data(piece.clone())));
        StreamBody::new(futures::StreamExt::take(
            stream,
            pieces.unwrap_or(usize::MAX),
        ))
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_to_its_end() {
        let body = std::pin::pin!(frames(1000, Some(100)));
        // 100,000 bytes, 20,000 of them before the refusal: within 120,000.
        assert!(super::body(body, 20_000, &limits(120_000)).await);
    }

    #[tokio::test]
    async fn an_endless_body_is_read_up_to_the_body_limit_then_left() {
        let mut body = std::pin::pin!(frames(1000, None));
        assert!(!super::body(body.as_mut(), 0, &limits(1_000_000)).await);
        // It stopped just past the limit: the next frame is still there.
        assert!(body.frame().await.is_some());
        // What came before the refusal counts.
        let body = std::pin::pin!(frames(1000, Some(100)));
        assert!(!super::body(body, 950_000, &limits(1_000_000)).await);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_is_left_after_the_body_read_timeout() {
        let stalled = StreamBody::new(futures::stream::pending::<
            Result<Frame<Bytes>, std::convert::Infallible>,
        >());
        let started = tokio::time::Instant::now();
        assert!(!super::body(std::pin::pin!(stalled), 0, &limits(1_000_000)).await);
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn an_scgi_body_is_read_to_its_declared_end_or_left_after_the_timeout() {
        use tokio::io::AsyncWriteExt as _;
        let (mut client, mut server) = tokio::io::duplex(64 * 1024);
        client.write_all(&[b'x'; 5000]).await.unwrap();
        client.write_all(b"next").await.unwrap();
        assert!(stream(&mut server, 5000, &limits(1_000_000)).await);
        // Only the declared bytes were read.
        let mut next = [0; 4];
        server.read_exact(&mut next).await.unwrap();
        assert_eq!(&next, b"next");
        // A body that stops short is left after the body read timeout.
        client.write_all(&[b'x'; 100]).await.unwrap();
        let started = tokio::time::Instant::now();
        assert!(!stream(&mut server, 5000, &limits(1_000_000)).await);
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }

    #[test]
    fn a_body_is_worth_reading_when_declared_within_the_limit_or_chunked() {
        let limits = limits(1000);
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        let cases: [(&[(&str, &str)], bool); 6] = [
            (&[("content-length", "1000")], true),
            (&[("content-length", "1001")], false),
            (&[("content-length", "0")], false),
            (&[("transfer-encoding", "chunked")], true),
            (
                &[("content-length", "10"), ("expect", "100-continue")],
                false,
            ),
            (&[], false),
        ];
        for (pairs, worth) in cases {
            assert_eq!(worth_reading(&headers(pairs), &limits), worth, "{pairs:?}");
        }
    }
}
