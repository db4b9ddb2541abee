//! Reading a request body: the length policy before reading, the limit and
//! the body budget while it streams, its time limit, and its content coding.

use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use xmlrpc_codec::wire::ContentCoding;
use xmlrpc_server::http_rules::{Rejection, check_streamed, content_length};

use crate::admission::Reservation;
use crate::limits::HttpLimits;

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
        let coding = ContentCoding::from_header(
            headers
                .get(header::CONTENT_ENCODING)
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
    pub(crate) async fn read(
        self,
        body: Incoming,
        limits: &HttpLimits,
        reservation: &mut Reservation,
    ) -> Result<Vec<u8>, Rejection> {
        reservation.cover(self.declared.unwrap_or(0))?;
        let read = read_within_limit(body, self.declared, limits, reservation);
        let body = tokio::time::timeout(limits.body_read_timeout, read)
            .await
            .map_err(|_| Rejection::body_timeout(limits.body_read_timeout))??;
        if self.coding == ContentCoding::Identity {
            return Ok(body);
        }
        let sent = body.len();
        let decoded = self
            .coding
            .decode(body, limits.body.max_inflated_bytes)
            .map_err(|e| Rejection::bad_coding(&e))?;
        reservation.cover(sent + decoded.len())?;
        Ok(decoded)
    }
}

async fn read_within_limit(
    mut body: Incoming,
    declared: Option<usize>,
    limits: &HttpLimits,
    reservation: &mut Reservation,
) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(limits.body.max_body_bytes));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(Rejection::unreadable_body)?;
        if let Ok(data) = frame.into_data() {
            check_streamed(out.len() + data.len(), &limits.body)?;
            reservation.cover(out.len() + data.len())?;
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}
