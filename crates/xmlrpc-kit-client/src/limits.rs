//! The limits a client puts on what a server sends back.

use xmlrpc_kit_codec::DocumentLimits;
use xmlrpc_kit_transport::BodyLimits;

/// Limits on responses: the body as sent and inflated, and the document.
/// The same defaults as a server's on requests.
///
/// ```
/// use xmlrpc_kit::DocumentLimits;
/// use xmlrpc_kit::client::ResponseLimits;
/// use xmlrpc_kit::wire::BodyLimits;
///
/// let limits = ResponseLimits::default();
/// assert_eq!(limits.body, BodyLimits::default()); // 20 MiB as sent and inflated
/// assert_eq!(limits.document, DocumentLimits::default());
///
/// let small = ResponseLimits::default().body(BodyLimits::default().max_body_bytes(1 << 20));
/// assert_eq!(small.body.max_body_bytes, 1 << 20);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseLimits {
    /// The response body: 20 MiB as sent (checked on `Content-Length`
    /// and while reading) and once inflated. Default: [`BodyLimits::default()`].
    pub body: BodyLimits,
    /// The response document: nesting, items, string sizes. Default:
    /// [`DocumentLimits::default()`].
    pub document: DocumentLimits,
}

impl ResponseLimits {
    /// Sets [`body`](Self::body).
    #[must_use]
    pub fn body(mut self, body: BodyLimits) -> Self {
        self.body = body;
        self
    }

    /// Sets [`document`](Self::document).
    #[must_use]
    pub fn document(mut self, document: DocumentLimits) -> Self {
        self.document = document;
        self
    }
}
