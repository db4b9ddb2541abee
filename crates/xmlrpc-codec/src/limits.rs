//! Limits on what a decoder accepts, each with a safe default.

/// Limits enforced while decoding, so that no document can exhaust memory or
/// stack. Exceeding one is a [`DecodeError`](crate::DecodeError) of kind
/// [`Limit`](crate::DecodeErrorKind::Limit), which a server answers with a fault.
///
/// ```
/// use xmlrpc_codec::Limits;
/// let limits = Limits::default();
/// assert_eq!(limits.max_depth, 64);
/// assert_eq!(limits.max_items, 1_000_000);
/// assert_eq!(limits.max_string_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_base64_bytes, 20 * 1024 * 1024);
/// assert_eq!(limits.max_method_name_bytes, 256);
/// assert_eq!(limits.max_params, 10_000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
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

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_items: 1_000_000,
            max_string_bytes: 20 * 1024 * 1024,
            max_base64_bytes: 20 * 1024 * 1024,
            max_method_name_bytes: 256,
            max_params: 10_000,
        }
    }
}

impl Limits {
    /// Sets [`max_depth`](Self::max_depth).
    #[must_use]
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }
    /// Sets [`max_items`](Self::max_items).
    #[must_use]
    pub fn max_items(mut self, items: usize) -> Self {
        self.max_items = items;
        self
    }
    /// Sets [`max_string_bytes`](Self::max_string_bytes).
    #[must_use]
    pub fn max_string_bytes(mut self, bytes: usize) -> Self {
        self.max_string_bytes = bytes;
        self
    }
    /// Sets [`max_base64_bytes`](Self::max_base64_bytes).
    #[must_use]
    pub fn max_base64_bytes(mut self, bytes: usize) -> Self {
        self.max_base64_bytes = bytes;
        self
    }
    /// Sets [`max_method_name_bytes`](Self::max_method_name_bytes).
    #[must_use]
    pub fn max_method_name_bytes(mut self, bytes: usize) -> Self {
        self.max_method_name_bytes = bytes;
        self
    }
    /// Sets [`max_params`](Self::max_params).
    #[must_use]
    pub fn max_params(mut self, params: usize) -> Self {
        self.max_params = params;
        self
    }
}
