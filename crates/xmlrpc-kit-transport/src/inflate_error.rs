//! Why a coded body could not be decoded: [`InflateError`].
//!
//! It sits apart from both the content codings (`ContentCoding`) and
//! the gzip functions (`gzip`), so that each names it without
//! naming the other (no cycle between modules: scripts/module_cycles.py).

/// Why a coded body could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InflateError {
    /// It inflates to more than the limit (a gzip bomb, or just too big).
    #[error("the gzip body inflates to more than the limit of {0} bytes")]
    TooLarge(usize),
    /// It is not valid gzip.
    #[error("the gzip body is corrupt: {0}")]
    Corrupt(#[source] std::io::Error),
    /// Bytes that are not gzip follow the gzip data (their count).
    #[error("the gzip body has {0} bytes after the end of its gzip data")]
    TrailingBytes(usize),
    /// More gzip members (concatenated gzip streams) than the limit.
    #[error("the gzip body has more than {0} gzip members")]
    TooManyMembers(usize),
}
