//! The limits on one XML-RPC document: every size and count an untrusted
//! peer can influence while the decoder reads, each with a safe default.
//! Transport limits (body sizes, times, connections) live with the layer
//! that enforces them.

/// The limits the decoder enforces on one document, request or response.
///
/// Exceeding one is a [`DecodeError`](crate::DecodeError) of kind
/// [`Limit`](crate::DecodeErrorKind::Limit), answered with fault -32600.
/// The dispatcher, the CGI handler, the HTTP server and the client each
/// take one of these for the documents they read.
///
/// ```
/// use xmlrpc_kit::DocumentLimits;
///
/// let limits = DocumentLimits::default();
/// assert_eq!(limits.max_depth, 64);
/// assert_eq!(limits.max_items, 1_000_000);
/// assert_eq!(limits.max_string_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_base64_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_method_name_bytes, 256);
/// assert_eq!(limits.max_params, 10_000);
///
/// let strict = DocumentLimits::default().max_depth(16).max_items(1000);
/// assert_eq!((strict.max_depth, strict.max_items), (16, 1000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocumentLimits {
    /// How deep arrays and structs may nest (a scalar parameter is depth 0,
    /// an array of scalars depth 1). Default: 64.
    pub max_depth: u32,
    /// Items in one array, or members in one struct. Default: 1,000,000.
    pub max_items: usize,
    /// Bytes of one string or struct member name, after decoding. Default: 20 MiB.
    pub max_string_bytes: usize,
    /// Bytes of one base64 value, after decoding. Default: 20 MiB.
    pub max_base64_bytes: usize,
    /// Bytes of the method name. Default: 256.
    pub max_method_name_bytes: usize,
    /// Parameters of one call. Default: 10,000.
    pub max_params: usize,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        DocumentLimits {
            max_depth: 64,
            max_items: 1_000_000,
            max_string_bytes: 20 * 1024 * 1024,
            max_base64_bytes: 20 * 1024 * 1024,
            max_method_name_bytes: 256,
            max_params: 10_000,
        }
    }
}

/// Writes one chaining setter per field, each documented by its field.
#[doc(hidden)]
#[macro_export]
macro_rules! __limit_setters {
    ($owner:ty { $($field:ident: $t:ty),* $(,)? }) => {
        impl $owner {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                #[must_use]
                pub fn $field(mut self, value: $t) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

crate::__limit_setters!(DocumentLimits {
    max_depth: u32,
    max_items: usize,
    max_string_bytes: usize,
    max_base64_bytes: usize,
    max_method_name_bytes: usize,
    max_params: usize,
});
