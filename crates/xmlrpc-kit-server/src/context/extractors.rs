//! The parameters a handler takes from the request rather than the call:
//! state, the client's address, headers, the path, per-request values and
//! the caller's identity.

use std::net::IpAddr;
use std::sync::Arc;

use xmlrpc_kit_codec::Fault;

use crate::context::param::{Param, Taking};
use crate::context::request::Identity;

/// Application state added with [`Methods::add_state`](crate::Methods::add_state):
/// a handler taking `State<Db>` gets a clone of the `Db` added.
#[derive(Debug, Clone)]
pub struct State<T>(pub T);

impl<T: Clone + Send + Sync + 'static> Param for State<T> {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }

    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        from.site
            .states
            .get::<T>()
            .cloned()
            .map(State)
            .ok_or_else(|| {
                Fault::internal(format!(
                    "{}: no state of type {} was added (Methods::add_state)",
                    from.site.method,
                    std::any::type_name::<T>()
                ))
            })
    }
}

/// The client's address, when known (behind a trusted proxy, the client's
/// own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub Option<IpAddr>);

impl Param for Peer {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(Peer(from.site.request.peer()))
    }
}

/// The request's headers, names in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Param for Headers {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        let headers = from.site.request.headers();
        Ok(Headers(
            headers
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
        ))
    }
}

/// The path requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPath(pub String);

impl Param for RequestPath {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(RequestPath(from.site.request.path().to_owned()))
    }
}

/// A `T` shared by every call of one request ([`RequestContext::local`](crate::context::RequestContext::local)):
/// what lets an application that takes credentials as parameters count
/// the failed logins of one request, multicall included.
#[derive(Debug, Clone)]
pub struct PerRequest<T>(pub Arc<T>);

impl<T: Default + Send + Sync + 'static> Param for PerRequest<T> {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(PerRequest(from.site.request.local::<T>()))
    }
}

/// Who the request authenticated as, if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Option<Identity>);

impl Param for Caller {
    fn xml_rpc_type() -> Option<&'static str> {
        None
    }
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        Ok(Caller(from.site.request.identity().cloned()))
    }
}
