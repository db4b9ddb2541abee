//! What a handler may know of the request besides its XML-RPC parameters,
//! the way axum's extractors work: a handler parameter of one of these
//! types is filled from the request, not from the call's parameters, and
//! does not count in its signature.

pub(crate) mod call_site;
mod extractors;
mod param;
mod request;
pub(crate) mod states;

pub use extractors::{Caller, Headers, Peer, PerRequest, RequestPath, State};
pub use param::{Param, Taking};
pub(crate) use request::NO_REQUEST;
pub use request::{Identity, RequestContext};
pub(crate) use states::States;
