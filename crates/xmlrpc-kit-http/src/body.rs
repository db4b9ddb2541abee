//! Reading a request body: the length policy before reading, the limit and
//! the body budget while it streams (counted as bytes arrive, never for a
//! length only declared), its time limit, and its content coding; and
//! reading a refused request's body to its end, so that its client reads
//! the refusal.

use bytes::{Buf as _, Bytes};
use http_body_util::BodyExt as _;
use hyper::body::Body;
use hyper::header::{self, HeaderMap};
use xmlrpc_kit_front::{BodyPlan, Rejection};
use xmlrpc_kit_transport::ContentCoding;

use crate::admission::Reservation;
use crate::limits::HttpLimits;
use crate::time_limit::within;

/// One body to read: how (the plan from the request path), within which
/// limits, holding budget from which reservation.
pub(crate) struct BodyRead<'r, 'b> {
    pub(crate) plan: BodyPlan,
    pub(crate) limits: &'r HttpLimits,
    pub(crate) reservation: &'r mut Reservation<'b>,
}

impl BodyRead<'_, '_> {
    /// Reads the whole body as the plan says, within the time limit,
    /// holding budget for what it holds as it arrives, and decodes it
    /// ([`BodyPlan::finish`]). A body refused for want of budget is read
    /// to its end and let go first (see [`discard`]).
    pub(crate) async fn read<B: Body<Error: Into<BoxError>>>(
        mut self,
        body: B,
    ) -> Result<Bytes, Rejection> {
        let (plan, limits) = (self.plan, self.limits);
        let gathered = within(Some(limits.body_read_timeout), self.gather(body))
            .await
            .ok_or_else(|| Rejection::body_timeout(limits.body_read_timeout))??;
        let sent = gathered.len();
        let decoded = plan.finish(gathered, &limits.body)?;
        if plan.coding() != ContentCoding::Identity {
            self.reservation.cover(sent + decoded.len())?;
        }
        Ok(decoded)
    }

    /// The body's bytes. A body that arrives in one frame (a request that
    /// fits hyper's read buffer) is that frame, shared, not copied; a longer
    /// one is gathered into a buffer sized by its declared length.
    async fn gather<B: Body<Error: Into<BoxError>>>(
        &mut self,
        body: B,
    ) -> Result<Bytes, Rejection> {
        let (plan, limits) = (self.plan, self.limits);
        let reservation = &mut *self.reservation;
        let declared = plan.declared();
        let mut first: Option<Bytes> = None;
        let mut gathered: Vec<u8> = Vec::new();
        let mut total = 0;
        let mut refused = None;
        let mut body = std::pin::pin!(body);
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Rejection::unreadable_body(e.into()))?;
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            let len = data.remaining();
            if total == 0 && len > 0 {
                if let Some(declared) = declared {
                    reservation.promise(declared);
                }
            }
            total += len;
            plan.check_streamed(total, &limits.body)?;
            if let Err(busy) = reservation.cover(total) {
                refused = Some(busy);
                break;
            }
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
        if let Some(busy) = refused {
            drop((first, gathered));
            discard(body, total, limits).await;
            return Err(busy);
        }
        reservation.settle();
        Ok(match first {
            Some(only) => only,
            None => Bytes::from(gathered),
        })
    }
}

/// Reads what is left of a refused request's body and lets it go, so that
/// a client still sending reads its refusal rather than a reset
/// connection (closing a socket with unread bytes resets it): at most the
/// body limit in all (`already` bytes counted as read), within the body
/// read timeout. Past either, it stops, and the connection closes after
/// the refusal. Nothing is kept, so it costs no memory.
pub(crate) async fn discard<B>(body: B, already: usize, limits: &HttpLimits)
where
    B: hyper::body::Body,
{
    let most = limits.body.max_body_bytes;
    let read_all = async {
        let mut body = std::pin::pin!(body);
        let mut total = already;
        loop {
            // Matched apart from the loop, so that no error is held
            // across the next wait (a body's error need not be `Send`).
            let frame = match body.frame().await {
                Some(Ok(frame)) => frame,
                _ => return,
            };
            if let Ok(data) = frame.into_data() {
                total += data.remaining();
                if total > most {
                    return;
                }
            }
        }
    };
    let _ = within(Some(limits.body_read_timeout), read_all).await;
}

/// Whether the body of a request refused before it was read is worth
/// reading to its end (see [`discard`]): one declared within the body
/// limit, or chunked; not when the client waits for `100 Continue` before
/// sending it (it reads the refusal instead).
pub(crate) fn worth_discarding(headers: &HeaderMap, limits: &HttpLimits) -> bool {
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

/// An error from a request body, boxed.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
