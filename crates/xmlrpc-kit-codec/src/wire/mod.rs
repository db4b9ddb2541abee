//! What crosses the wire around the documents: the names of the built-in
//! `system.*` methods, the shapes of `system.multicall`, HTTP content
//! codings (gzip), the body-size limits both ends apply, and the address
//! syntax both ends read. Server,
//! client, tests and harnesses all read and write these through here.

mod address;
mod body_limits;
mod coding;
#[cfg(feature = "gzip")]
pub mod gzip;
pub mod multicall;
pub mod names;

pub use address::{Address, InvalidAddress};
pub use body_limits::BodyLimits;
pub use coding::{ContentCoding, InflateError, UnsupportedCoding, accepts_gzip};
