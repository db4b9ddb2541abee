//! Reading a request body: the length policy before reading, the limit and
//! the body budget while it streams (counted as bytes arrive, never for a
//! length only declared; waiting in line when it is full), its time limit,
//! and its content coding. A body refused for want of budget is read to
//! its end and let go (see [`drain`](crate::drain)), so that its client
//! reads the refusal.

use std::pin::Pin;

use bytes::{Buf as _, Bytes};
use http_body_util::BodyExt as _;
use hyper::body::Body;
use xmlrpc_kit_front::{BodyPlan, Rejection};
use xmlrpc_kit_server::long_work::LongWork;
use xmlrpc_kit_transport::ContentCoding;

use crate::body_budget::Reservation;
use crate::drain;
use crate::limits::HttpLimits;
use crate::time_limit::within;

/// One body to read: how (the plan from the request path), within which
/// limits, holding budget from which reservation.
pub(crate) struct BodyRead<'r, 'b> {
    pub(crate) plan: BodyPlan,
    pub(crate) limits: &'r HttpLimits,
    pub(crate) reservation: &'r mut Reservation<'b>,
    /// The dispatcher's [`off_runtime_above`](xmlrpc_kit_server::DispatchOptions::off_runtime_above):
    /// a gzip body that may inflate to that much is inflated off the
    /// runtime, in its turn with the dispatcher's other long work.
    pub(crate) off_runtime_above: usize,
    pub(crate) long_work: &'r LongWork,
}

impl BodyRead<'_, '_> {
    /// Reads the whole body as the plan says, within the time limit,
    /// holding budget for what it holds as it arrives, and decodes it
    /// ([`BodyPlan::finish`]). A body refused for want of budget (after
    /// its wait in line) is read to its end and let go first (see
    /// [`drain`]).
    pub(crate) async fn read<B: Body<Error: Into<BoxError>>>(
        mut self,
        mut body: Pin<&mut B>,
    ) -> Result<Bytes, Refused> {
        let (plan, limits) = (self.plan, self.limits);
        let gathered = within(Some(limits.body_read_timeout), self.gather(body.as_mut()))
            .await
            .ok_or_else(|| Refused::unread(Rejection::body_timeout(limits.body_read_timeout)))?
            .map_err(Refused::unread)?;
        let gathered = match gathered {
            Gathered::Whole(bytes) => bytes,
            Gathered::Refused { rejection, read } => {
                // What came was let go: so is its budget, while the rest
                // is read and let go as well.
                self.reservation.let_go();
                let drained = drain::body(body, read, limits).await;
                return Err(Refused {
                    rejection,
                    body_unread: !drained,
                });
            }
        };
        let sent = gathered.len();
        let long = inflates_long(plan.coding(), sent, self.off_runtime_above);
        let inflate = || plan.finish(gathered, &limits.body);
        let decoded = self.long_work.run_if(long, inflate).await?;
        if plan.coding() != ContentCoding::Identity {
            self.reservation.cover_now(sent + decoded.len())?;
        }
        Ok(decoded)
    }

    /// The body's bytes. A body that arrives in one frame (a request that
    /// fits hyper's read buffer) is that frame, shared, not copied; a longer
    /// one is gathered into a buffer sized by its declared length.
    /// A body refused for want of budget is left where it stopped.
    async fn gather<B: Body<Error: Into<BoxError>>>(
        &mut self,
        mut body: Pin<&mut B>,
    ) -> Result<Gathered, Rejection> {
        let (plan, limits) = (self.plan, self.limits);
        let reservation = &mut *self.reservation;
        let declared = plan.declared();
        let mut first: Option<Bytes> = None;
        let mut gathered: Vec<u8> = Vec::new();
        let mut total = 0;
        loop {
            // Matched apart from the loop's head, so that no error is held
            // across the wait for budget (a body's error need not be `Send`).
            let frame = match body.frame().await {
                Some(frame) => frame.map_err(|e| Rejection::unreadable_body(e.into()))?,
                None => break,
            };
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            let len = data.remaining();
            if total == 0 && len > 0 {
                reservation.promise();
            }
            total += len;
            plan.check_streamed(total, &limits.body)?;
            if let Err(rejection) = reservation.cover(total).await {
                return Ok(Gathered::Refused {
                    rejection,
                    read: total,
                });
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
        reservation.settle();
        Ok(Gathered::Whole(match first {
            Some(only) => only,
            None => Bytes::from(gathered),
        }))
    }
}

/// What gathering a body came to.
enum Gathered {
    /// The whole body.
    Whole(Bytes),
    /// Refused for want of budget after `read` bytes, the rest unread.
    Refused { rejection: Rejection, read: usize },
}

/// A request refused, and whether its body was left unread: its
/// connection then closes after the refusal, which says so
/// (`Connection: close`).
#[derive(Debug)]
pub(crate) struct Refused {
    pub(crate) rejection: Rejection,
    pub(crate) body_unread: bool,
}

impl Refused {
    /// A refusal that leaves the body unread.
    pub(crate) fn unread(rejection: Rejection) -> Self {
        Refused {
            rejection,
            body_unread: true,
        }
    }
}

/// A refusal once the body was read (or had none).
impl From<Rejection> for Refused {
    fn from(rejection: Rejection) -> Self {
        Refused {
            rejection,
            body_unread: false,
        }
    }
}

/// An error from a request body, boxed.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whether a body of `sent` bytes coded as `coding` may inflate to
/// `off_runtime_above` bytes or more: gzip shrinks XML five to ten times,
/// so a gzip body of an eighth of that is inflated off the runtime.
pub(crate) fn inflates_long(coding: ContentCoding, sent: usize, off_runtime_above: usize) -> bool {
    coding != ContentCoding::Identity && sent >= off_runtime_above / 8
}

/// Whether compressing an answer of `bytes` bytes as `coding` takes as
/// long as decoding a document of `off_runtime_above` bytes: gzip writes
/// about a quarter as fast as the decoder reads.
pub(crate) fn compresses_long(
    coding: ContentCoding,
    bytes: usize,
    off_runtime_above: usize,
) -> bool {
    coding != ContentCoding::Identity && bytes >= off_runtime_above / 4
}
