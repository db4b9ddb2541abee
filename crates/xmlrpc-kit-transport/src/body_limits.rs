//! The limits on a message body as it travels: as sent, and once inflated.

/// The limits on one HTTP (or CGI) body: a server's on requests, a
/// client's on responses.
///
/// ```
/// use xmlrpc_kit::wire::BodyLimits;
///
/// let limits = BodyLimits::default();
/// assert_eq!(limits.max_body_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_inflated_bytes, 20 * 1024 * 1024);
///
/// let small = BodyLimits::default().max_body_bytes(1 << 20);
/// assert_eq!(small.max_body_bytes, 1 << 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyLimits {
    /// Bytes of one body as sent: checked on `Content-Length` before
    /// reading, and while reading a chunked body. Default: 20 MiB.
    pub max_body_bytes: usize,
    /// Bytes a gzip body may inflate to; inflating stops there. Default: 20 MiB.
    pub max_inflated_bytes: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            max_body_bytes: 20 * 1024 * 1024,
            max_inflated_bytes: 20 * 1024 * 1024,
        }
    }
}

impl BodyLimits {
    /// Sets [`max_body_bytes`](Self::max_body_bytes).
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets [`max_inflated_bytes`](Self::max_inflated_bytes).
    #[must_use]
    pub fn max_inflated_bytes(mut self, bytes: usize) -> Self {
        self.max_inflated_bytes = bytes;
        self
    }
}
