//! What hyper is handed for each connection it serves: the stream with
//! its writes never gathered, and each response body in slices.
//!
//! hyper writes a response one of two ways. To a stream that gathers
//! writes (`is_write_vectored`, as TCP, Unix and TLS streams do) it queues
//! the body's buffers as they are; but hyper 1.12 then mis-frames a
//! pipelined connection: a request head that fails to parse while an
//! answer is still queued gets its `400` head written *before* the queued
//! bytes (a debug assertion in hyper, `can_write_head`, which the
//! `http_service` fuzz target hit). To any other stream it copies head and
//! body into one buffer, in order, and keeps that buffer's capacity for
//! the connection's life. So every stream is handed over as not gathering
//! ([`Unvectored`]), and every body in slices of [`SLICE`] bytes
//! ([`Sliced`]): hyper's buffer then holds at most its limit plus one
//! slice (a connection that had sent a 1.7 MB answer kept 1.7 MB), and
//! the bytes go out in order.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::admission::{AnswerHold, Conn};

/// The largest piece of a response body handed to hyper at once: the
/// longest answer the answer budget does not count, so that a counted
/// answer always outlives its first slice.
pub(crate) const SLICE: usize = crate::admission::UNCOUNTED_ANSWER;

/// A stream whose writes are never gathered (see the module's text), and
/// whose connection, when the server watches it, counts as idle from its
/// last write (a client slowly reading a long answer is not idle).
#[derive(Debug)]
pub(crate) struct Unvectored<I> {
    io: I,
    watched: Option<Arc<Conn>>,
}

impl<I> Unvectored<I> {
    /// `io`, not watched.
    pub(crate) fn new(io: I) -> Self {
        Unvectored { io, watched: None }
    }

    /// `io`, its writes keeping `conn` from counting as idle.
    pub(crate) fn watched(io: I, conn: Arc<Conn>) -> Self {
        Unvectored {
            io,
            watched: Some(conn),
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Unvectored<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Unvectored<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.io).poll_write(cx, buf);
        if let (Poll::Ready(Ok(1..)), Some(conn)) = (&written, &self.watched) {
            conn.touch();
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// A response body handed over [`SLICE`] bytes at a time, its exact
/// length known (so hyper frames it by `Content-Length`), holding its
/// share of the answer budget until its last slice is handed over (hyper
/// asks for the next slice only once its write buffer has room, so an
/// answer its client does not read stays held) or it is dropped.
#[derive(Debug)]
pub(crate) struct Sliced {
    rest: Bytes,
    hold: Option<AnswerHold>,
}

impl Sliced {
    /// `body`, holding `hold` until it is all handed over.
    pub(crate) fn new(body: Bytes, hold: Option<AnswerHold>) -> Self {
        Sliced { rest: body, hold }
    }
}

impl Body for Sliced {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.rest.is_empty() {
            self.hold = None;
            return Poll::Ready(None);
        }
        let n = self.rest.len().min(SLICE);
        let slice = self.rest.split_to(n);
        if self.rest.is_empty() {
            // The last slice: hyper copies it into its buffer at once.
            self.hold = None;
        }
        Poll::Ready(Some(Ok(Frame::data(slice))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.rest.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    #[tokio::test]
    async fn a_body_goes_in_slices_of_known_length_and_in_order() {
        let body: Bytes = (0..SLICE * 2 + 10).map(|i| (i % 251) as u8).collect();
        let mut sliced = Sliced::new(body.clone(), None);
        assert_eq!(sliced.size_hint().exact(), Some(body.len() as u64));
        let mut pieces = Vec::new();
        while let Some(frame) = sliced.frame().await {
            pieces.push(frame.unwrap().into_data().unwrap());
        }
        assert_eq!(
            pieces.iter().map(Bytes::len).collect::<Vec<_>>(),
            [SLICE, SLICE, 10]
        );
        assert_eq!(pieces.concat(), body);
        assert!(sliced.is_end_stream());
        assert!(Sliced::new(Bytes::new(), None).is_end_stream());
    }

    #[tokio::test]
    async fn the_stream_never_gathers_writes_and_passes_bytes_through() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let (a, b) = tokio::io::duplex(1024);
        assert!(a.is_write_vectored());
        let (mut a, mut b) = (Unvectored::new(a), Unvectored::new(b));
        assert!(!a.is_write_vectored());
        a.write_all(b"ping").await.unwrap();
        a.shutdown().await.unwrap();
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"ping");
    }
}
