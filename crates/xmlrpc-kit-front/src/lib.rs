//! The one request path of every front end (HTTP, SCGI, CGI), with no
//! async runtime: the checks on a request in their one order
//! ([`admit`]), the body rules, the refusals ([`Rejection`]) and how each
//! is answered, the access log, the routes, authentication, trusted
//! proxies, the request's trace context and span, and the CGI handler
//! itself (use it through the `xmlrpc-kit` crate).
//!
//! A front end reads its input, describes the request's head as a
//! [`RequestHead`], and [`admit`] says where it goes: a refusal, the
//! health answer, the documentation page, or a call whose body the front
//! end then reads as the [`BodyPlan`] says.

mod access_log;
mod auth;
mod body;
mod cgi;
mod cgi_response;
mod correlation;
mod host;
mod length;
#[cfg(feature = "metrics")]
mod metrics;
mod proxies;
mod rate_limit;
mod rejection;
mod request;
mod request_span;
mod routing;

pub use access_log::{AccessLog, AccessSink, Answered, RequestId};
pub use auth::Authenticator;
pub use body::BodyPlan;
pub use cgi::{CgiEnv, CgiHandler};
pub use cgi_response::{cgi_head, cgi_refusal};
pub use correlation::{
    Correlation, IgnoredHeader, MAX_REQUEST_ID_CHARS, TrustTraceContext, trace_id,
};
pub use host::check_host;
pub use length::{check_streamed, content_length, declared_length};
#[cfg(feature = "metrics")]
pub use metrics::{Metrics, OpenConnection, PROMETHEUS_TEXT_CONTENT_TYPE, UNLISTED_METHOD};
#[cfg(feature = "metrics")]
pub use prometheus_client;
pub use proxies::{ForwardedHeader, InvalidForwardedHeader, InvalidNetwork, TrustedProxies};
pub use rate_limit::{RateKey, RateLimit};
pub use rejection::{Rejection, reason};
pub use request::{
    Admitted, Call, Field, METRICS_CONTENT_TYPE, Readiness, RequestHead, Site, admit, health,
};
pub use request_span::{OnRequestSpan, request_span};
pub use routing::{Endpoint, Page, Routes};
