//! XML-RPC on the wire: values, calls, responses and faults, decoded with
//! limits and encoded into one buffer. No I/O.
//!
//! ```
//! use xmlrpc_kit::{decode_call, encode_response, DocumentLimits, EncodeOptions, Value};
//!
//! let body = b"<?xml version='1.0'?>
//! <methodCall><methodName>add</methodName>
//! <params><param><value><int>2</int></value></param>
//! <param><value><i4>3</i4></value></param></params></methodCall>";
//! let call = decode_call(body, &DocumentLimits::default()).unwrap();
//! assert_eq!(call.method, "add");
//! assert_eq!(call.params, vec![Value::Int(2), Value::Int(3)]);
//!
//! let out = encode_response(&Ok(Value::Int(5)), &EncodeOptions::default()).unwrap();
//! assert!(std::str::from_utf8(&out).unwrap().contains("<int>5</int>"));
//! ```
//!
//! The types follow the XML-RPC specification plus the two common
//! extensions `<i8>` and `<nil/>`. On input the spellings other
//! implementations send are accepted too (`ex:i8`, `ex:nil`, `i1`, `i2`,
//! bare text inside `<value>`); on output the canonical ones are written,
//! or those of a [`Dialect`] (`ex:i8`, no nil at all, doubles without an
//! exponent, …).

mod charset;
mod convert;
mod datetime;
mod datetime_crates;
mod decode;
pub mod dialect;
mod document_limits;
mod encode;
mod error;
mod fault;
#[cfg(feature = "json-rpc")]
pub mod json_rpc;
mod message;
mod protocol;
#[cfg(feature = "serde")]
pub mod serde;
pub mod untrusted_text;
mod value;
pub mod wire;
pub mod xml_chars;

pub use charset::OutputEncoding;
pub use convert::{Binary, ConvertError, FromValue, IntoParams, IntoResponse, IntoValue};
pub use datetime::{DateTime, ParseDateTimeError, Zone};
pub use datetime_crates::ForeignDateTime;
/// The exact decoder alone, without its fast path: for the differential
/// fuzz target only (feature `decoder-oracle`, off by default); not part
/// of the API.
#[cfg(feature = "decoder-oracle")]
#[doc(hidden)]
pub use decode::oracle as decoder_oracle;
pub use decode::{decode_call, decode_response, decode_value};
pub use dialect::Dialect;
pub use document_limits::DocumentLimits;
pub use encode::{
    EncodeError, EncodeOptions, encode_call, encode_response, encode_response_sized,
    encode_response_within, encode_value,
};
pub use error::{DecodeError, DecodeErrorKind};
pub use fault::{Fault, codes};
pub use message::{MethodCall, Response};
pub use protocol::Protocol;
pub use value::Value;
pub use value::structs::{self, MemberName, Struct};
