//! XML-RPC clients (Python's `xmlrpc.client.ServerProxy`, in Rust): async
//! and blocking, typed calls, multicall batches and introspection, over
//! HTTP/1.1 with keep-alive, gzip and TLS.
//!
//! ```no_run
//! # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
//! use xmlrpc_kit::Client;
//! use xmlrpc_kit::client::Error;
//!
//! let client = Client::new("http://localhost:8000")?; // posts to /RPC2, as Python does
//! let eight: i64 = client.call("pow", (2, 3)).await?;
//! let methods: Vec<String> = client.list_methods().await?;
//! match client.call::<i64>("div", (1, 0)).await {
//!     Err(Error::Fault(fault)) => println!("{} {}", fault.code, fault.string),
//!     other => println!("{other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! - **Calls** take a method name (dots allowed: `system.listMethods`) and
//!   parameters as a tuple of Rust values, `()` or a `Vec<Value>`; the result
//!   converts to any `FromValue` type, or stays a `Value`.
//! - **Errors** keep the server's `Fault` apart from everything that can
//!   fail on the way ([`TransportError`]: connect, timeout, HTTP status, size;
//!   decode errors with line and column); see [`Error`].
//! - **Multicall**: [`Client::batch`] queues calls and sends them with
//!   `system.multicall`, giving one result or fault per call; a batch of
//!   any size is split into requests the server takes (its limit from
//!   `system.getCapabilities`, else [`ClientBuilder::max_multicall_calls`]),
//!   sent in order or a few at once.
//! - **HTTP**: one pool of kept-alive HTTP/1.1 connections per client (and
//!   its clones); connect and call timeouts; gzip responses, and gzip
//!   requests above a threshold; basic auth from the URL's user info; custom
//!   headers; `https` through rustls, trusting the system's certificates
//!   as Python does, or Mozilla's bundled roots ([`TrustedRoots`]; the
//!   `tls` feature).
//! - **Retries** ([`RetryPolicy`], off by default): a call that could not
//!   connect, a 429/502/503/504 or a connection closed before the answer
//!   (idempotent methods only: XML-RPC calls in general are not), or a
//!   fault such as a rate limit, sent again after an exponential backoff
//!   with jitter or the server's `Retry-After`, within a deadline for the
//!   whole call.
//! - **Limits** on what a server sends back ([`ResponseLimits`]): 20 MiB of
//!   body (checked on `Content-Length`, while reading and while inflating)
//!   and the document limits, the same defaults as the server's.
//! - **Blocking** (the `blocking` feature): `blocking::Client` has the same
//!   methods for programs without an async runtime.

mod batch;
mod builder;
mod client;
mod cookies;
mod endpoint;
mod error;
mod limits;
mod proxy;
mod retry;
mod scgi;
mod transport;

#[cfg(feature = "blocking")]
pub mod blocking;

pub use batch::Batch;
pub use builder::{ClientBuilder, Direction, HttpHead, TrustedRoots};
pub use client::Client;
pub use error::{BatchError, Error, InvalidUrl, TransportError};
pub use limits::ResponseLimits;
pub use proxy::Proxy;
pub use retry::RetryPolicy;
pub use scgi::scgi_head;
