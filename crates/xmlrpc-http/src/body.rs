//! Reading a request body: the length policy before reading, the limit and
//! the body budget while it streams, its time limit, and its content coding.

use bytes::{Buf as _, Bytes};
use http_body_util::BodyExt as _;
use hyper::header::{self, HeaderMap, HeaderValue};
use xmlrpc_codec::wire::ContentCoding;
use xmlrpc_server::http_rules::{Rejection, check_streamed, content_length};

use crate::admission::Reservation;
use crate::limits::HttpLimits;
use crate::time_limit::within;

/// What the headers say about the body to come.
#[derive(Debug)]
pub(crate) struct BodyHeaders {
    coding: ContentCoding,
    declared: Option<usize>,
}

impl BodyHeaders {
    /// Reads and checks the body's headers before anything is read: its
    /// coding (415) and its length (411, 413).
    pub(crate) fn check(headers: &HeaderMap, limits: &HttpLimits) -> Result<Self, Rejection> {
        let coding = ContentCoding::from_headers(
            headers
                .get_all(header::CONTENT_ENCODING)
                .iter()
                .map(HeaderValue::as_bytes),
        )
        .map_err(|e| Rejection::unsupported_coding(&e))?;
        // With Transfer-Encoding, hyper frames the body by it and drops any
        // Content-Length (RFC 9112 §6.3), so the two cannot disagree here.
        // hyper has already refused lengths that are not plain numbers.
        let declared = content_length(
            headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()),
            headers.contains_key(header::TRANSFER_ENCODING),
            &limits.body,
        )?;
        Ok(BodyHeaders { coding, declared })
    }

    /// Reads the whole body within the time limit, holding budget for what
    /// it holds, and decodes it.
    pub(crate) async fn read<B>(
        self,
        body: B,
        limits: &HttpLimits,
        reservation: &mut Reservation<'_>,
    ) -> Result<Bytes, Rejection>
    where
        B: hyper::body::Body,
        B::Error: Into<BoxError>,
    {
        reservation.cover(self.declared.unwrap_or(0))?;
        let read = read_within_limit(body, self.declared, limits, reservation);
        let body = within(Some(limits.body_read_timeout), read)
            .await
            .ok_or_else(|| Rejection::body_timeout(limits.body_read_timeout))??;
        if self.coding == ContentCoding::Identity {
            return Ok(body);
        }
        let sent = body.len();
        let decoded = self
            .coding
            .decode(body.to_vec(), limits.body.max_inflated_bytes)
            .map_err(|e| Rejection::bad_coding(&e))?;
        reservation.cover(sent + decoded.len())?;
        Ok(Bytes::from(decoded))
    }
}

/// The body's bytes. A body that arrives in one frame (a request that
/// fits hyper's read buffer) is that frame, shared, not copied; a longer
/// one is gathered into a buffer sized by its declared length.
async fn read_within_limit<B>(
    body: B,
    declared: Option<usize>,
    limits: &HttpLimits,
    reservation: &mut Reservation<'_>,
) -> Result<Bytes, Rejection>
where
    B: hyper::body::Body,
    B::Error: Into<BoxError>,
{
    let mut first: Option<Bytes> = None;
    let mut gathered: Vec<u8> = Vec::new();
    let mut total = 0;
    let mut body = std::pin::pin!(body);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Rejection::unreadable_body(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        let len = data.remaining();
        total += len;
        check_streamed(total, &limits.body)?;
        reservation.cover(total)?;
        if len == 0 {
            continue;
        }
        if first.is_none() && gathered.is_empty() {
            first = Some(data.copy_to_bytes(len));
            continue;
        }
        if let Some(earlier) = first.take() {
            gathered.reserve(
                declared
                    .unwrap_or(total)
                    .max(total)
                    .min(limits.body.max_body_bytes),
            );
            gathered.extend_from_slice(&earlier);
        }
        while data.has_remaining() {
            let chunk = data.chunk();
            gathered.extend_from_slice(chunk);
            let n = chunk.len();
            data.advance(n);
        }
    }
    Ok(match first {
        Some(only) => only,
        None => Bytes::from(gathered),
    })
}

/// An error from a request body, boxed.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
