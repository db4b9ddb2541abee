//! A handler parameter, and where parameters are taken from: the call's
//! values in order (every `FromValue` type), or the request.

use xmlrpc_kit_codec::{Fault, FromValue, Value};

use crate::context::call_site::CallSite;

/// A handler parameter: taken from the call's XML-RPC parameters (every
/// [`FromValue`] type), or from the request ([`State`](crate::context::State), [`Peer`](crate::context::Peer),
/// [`Headers`](crate::context::Headers), [`RequestPath`](crate::context::RequestPath), [`Caller`](crate::context::Caller)).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of an XML-RPC method",
    label = "this type does not implement `FromValue` (or is not one of the request's: State, Peer, Headers, RequestPath, Caller, PerRequest)",
    note = "parameters may be integers, f64, bool, String, DateTime, Binary, Vec<T>, maps with String keys, Option<T>, or Value"
)]
pub trait Param: Sized {
    /// The XML-RPC type of a parameter taken from the call; `None` for
    /// one taken from the request (it is not in the signature).
    fn xml_rpc_type() -> Option<&'static str>;

    /// Takes the parameter.
    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault>;
}

/// Where parameters are taken from: the call's values, in order, and the
/// request.
#[derive(Debug)]
pub struct Taking<'s, 'a> {
    pub(crate) site: &'s CallSite<'a>,
    pub(crate) values: std::vec::IntoIter<Value>,
    /// Values taken so far.
    pub(crate) taken: usize,
}

impl<T: FromValue> Param for T {
    fn xml_rpc_type() -> Option<&'static str> {
        Some(T::type_name())
    }

    fn take(from: &mut Taking<'_, '_>) -> Result<Self, Fault> {
        from.taken += 1;
        let value = from.values.next().unwrap_or(Value::Nil);
        T::from_value(value).map_err(|e| {
            Fault::invalid_params(format!(
                "{}: parameter {}: {e}",
                from.site.method,
                from.site.param(from.taken)
            ))
        })
    }
}
