//! The body of a call, once its head is admitted: how long it says it is,
//! how it is coded, and the checks once it is read (cut short, inflated
//! within the limit). Each front end reads the bytes its own way.

use bytes::Bytes;
use xmlrpc_kit_transport::{BodyLimits, ContentCoding};

use crate::length::check_streamed;
use crate::rejection::Rejection;

/// How to read an admitted call's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPlan {
    coding: ContentCoding,
    declared: Option<usize>,
}

impl BodyPlan {
    /// A body in `coding` of `declared` bytes (`None`: chunked, or all the
    /// input that follows).
    pub fn new(coding: ContentCoding, declared: Option<usize>) -> Self {
        BodyPlan { coding, declared }
    }

    /// The length the head declared, if it declared one.
    pub fn declared(&self) -> Option<usize> {
        self.declared
    }

    /// How the body is coded.
    pub fn coding(&self) -> ContentCoding {
        self.coding
    }

    /// Checks a body while it arrives: `so_far` bytes must stay within
    /// the limit (a declared length was checked before reading).
    ///
    /// # Errors
    /// 413 past the limit.
    pub fn check_streamed(&self, so_far: usize, limits: &BodyLimits) -> Result<(), Rejection> {
        check_streamed(so_far, limits)
    }

    /// The body as the dispatcher reads it, from the `body` read: all
    /// the bytes declared (else 400), inflated when gzip, within the limit
    /// (else 400). An identity body is returned as it is, not copied.
    ///
    /// ```
    /// use xmlrpc_kit::front::BodyPlan;
    /// use xmlrpc_kit::wire::{BodyLimits, ContentCoding};
    ///
    /// let plan = BodyPlan::new(ContentCoding::Identity, Some(5));
    /// let limits = BodyLimits::default();
    /// assert_eq!(plan.finish("hello".into(), &limits).unwrap(), "hello");
    /// let short = plan.finish("hel".into(), &limits).unwrap_err();
    /// assert_eq!(short.text(), "the body ended after 3 of the 5 bytes announced");
    /// ```
    ///
    /// # Errors
    /// 400 for a body cut short, or a gzip body that is corrupt or
    /// inflates past the limit.
    pub fn finish(self, body: Bytes, limits: &BodyLimits) -> Result<Bytes, Rejection> {
        if let Some(declared) = self.declared {
            if body.len() < declared {
                return Err(Rejection::body_cut_short(body.len(), declared as u64));
            }
        }
        match self.coding {
            ContentCoding::Identity => Ok(body),
            coding => coding
                .decode(body.to_vec(), limits.max_inflated_bytes)
                .map(Bytes::from)
                .map_err(|e| Rejection::bad_coding(&e)),
        }
    }
}
