//! What the transports of both ends share below the documents: the one
//! address syntax servers listen on and clients connect to, the content
//! codings of bodies (gzip behind the `gzip` feature), the limits on a
//! body as it travels, and the W3C trace context a request carries. No
//! I/O (use it through the `xmlrpc-kit` crate, as `xmlrpc_kit::wire` and
//! `xmlrpc_kit::trace`).

mod address;
mod body_limits;
mod coding;
#[cfg(feature = "gzip")]
pub mod gzip;
mod inflate_error;
mod trace_context;

pub use address::{Address, InvalidAddress};
pub use body_limits::BodyLimits;
pub use coding::{ContentCoding, UnsupportedCoding, accepts_gzip};
pub use inflate_error::InflateError;
pub use trace_context::{
    InvalidTraceContext, MAX_TRACE_HEADER_BYTES, TraceContext, WithTraceContext,
};
