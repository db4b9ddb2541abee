//! Handlers: plain Rust functions and closures, sync or `async`, whose
//! parameters convert from XML-RPC values and whose result converts back.

use std::future::Future;
use std::pin::Pin;

use xmlrpc_kit_codec::{Fault, IntoResponse, Value};

use crate::context::call_site::CallSite;
use crate::context::{Param, Taking};

/// A call still running: the future of an `async` handler.
pub type CallFuture = Pin<Box<dyn Future<Output = Result<Value, Fault>> + Send + 'static>>;

/// A call once started: its result, ready at once (sync handlers, no
/// allocation), or a future to await.
///
/// `F` is the future: a handler's [`CallFuture`] unless said otherwise
/// (the dispatcher also starts built-ins, whose futures borrow it).
#[allow(missing_debug_implementations)]
pub enum Outcome<F = CallFuture> {
    /// The call finished.
    Ready(Result<Value, Fault>),
    /// The call is running.
    Pending(F),
}

impl<F: Future<Output = Result<Value, Fault>>> Outcome<F> {
    /// Waits for the call's result.
    pub async fn finish(self) -> Result<Value, Fault> {
        match self {
            Outcome::Ready(result) => result,
            Outcome::Pending(future) => future.await,
        }
    }
}

impl<F> From<Result<Value, Fault>> for Outcome<F> {
    fn from(result: Result<Value, Fault>) -> Self {
        Outcome::Ready(result)
    }
}

/// Marks handlers that return their result directly (`fn`s and closures
/// that are not `async`): the `M` of [`Handler<M>`].
#[derive(Debug)]
pub enum ReturnsValue {}
/// Marks handlers that return a future (`async fn`s and closures returning
/// one): the `M` of [`Handler<M>`].
#[derive(Debug)]
pub enum ReturnsFuture {}

/// A function that can answer an XML-RPC method.
///
/// Implemented for every `Fn(A, B, …) -> R` (up to 12 parameters) whose
/// parameters implement [`Param`] (every `FromValue` type, and the
/// request's: `State`, `Peer`, `Headers`, …) and whose result implements
/// [`IntoResponse`], and for every `Fn(A, B, …) -> impl Future<Output = R>`.
/// `M` only tells the two apart ([`ReturnsValue`], [`ReturnsFuture`]);
/// it is inferred.
#[diagnostic::on_unimplemented(
    message = "this function cannot be registered as an XML-RPC method",
    label = "a parameter or the result of this function does not convert",
    note = "a handler is a `Fn` (sync or async) of up to 12 parameters implementing `FromValue`, returning a type implementing `IntoResponse` (for example `i64`, `String`, `Value`, or `Result<T, Fault>`)"
)]
pub trait Handler<M>: Send + Sync + 'static {
    /// Converts the parameters, runs the function, converts the result.
    /// `site` names the method and its parameters in fault messages.
    fn call(&self, site: &CallSite<'_>, params: Vec<Value>) -> Outcome;

    /// The XML-RPC signature: the result's type name, then each parameter's
    /// taken from the call.
    fn signature() -> Vec<&'static str>;

    /// For each Rust parameter, whether it is taken from the call (rather
    /// than from the request).
    fn from_call() -> Vec<bool>;
}

/// Checks that the call gave as many parameters as the handler takes from
/// it (`taken`: each parameter's XML-RPC type, `None` for those that come
/// from the request instead). Allocates only to describe a mismatch.
#[inline]
fn check_count(
    site: &CallSite<'_>,
    params: &[Value],
    taken: &[Option<&'static str>],
) -> Result<(), Fault> {
    if params.len() == taken.iter().flatten().count() {
        return Ok(());
    }
    let types = value_types(taken);
    let described: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| match site.param_names.get(i) {
            Some(name) => format!("{name}: {t}"),
            None => (*t).to_owned(),
        })
        .collect();
    Err(Fault::invalid_params(format!(
        "{} takes {} parameter{} ({}), got {}",
        site.method,
        types.len(),
        if types.len() == 1 { "" } else { "s" },
        described.join(", "),
        params.len()
    )))
}

macro_rules! handlers {
    ($($a:ident),*) => {
        impl<F, R, $($a,)*> Handler<(ReturnsValue, R, $($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: IntoResponse,
            $($a: Param,)*
        {
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call(&self, site: &CallSite<'_>, params: Vec<Value>) -> Outcome {
                let run = || {
                    check_count(site, &params, &[$($a::xml_rpc_type()),*])?;
                    let mut taking = Taking { site, values: params.into_iter(), taken: 0 };
                    $(let $a = $a::take(&mut taking)?;)*
                    (self)($($a),*).into_response()
                };
                Outcome::Ready(run())
            }

            fn signature() -> Vec<&'static str> {
                let mut signature = vec![R::type_name()];
                signature.extend(value_types(&[$($a::xml_rpc_type()),*]));
                signature
            }

            fn from_call() -> Vec<bool> {
                vec![$($a::xml_rpc_type().is_some()),*]
            }
        }

        impl<F, Fut, $($a,)*> Handler<(ReturnsFuture, Fut, $($a,)*)> for F
        where
            F: Fn($($a),*) -> Fut + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: IntoResponse,
            $($a: Param,)*
        {
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call(&self, site: &CallSite<'_>, params: Vec<Value>) -> Outcome {
                let start = || -> Result<Fut, Fault> {
                    check_count(site, &params, &[$($a::xml_rpc_type()),*])?;
                    let mut taking = Taking { site, values: params.into_iter(), taken: 0 };
                    $(let $a = $a::take(&mut taking)?;)*
                    Ok((self)($($a),*))
                };
                match start() {
                    Ok(future) => Outcome::Pending(Box::pin(async move { future.await.into_response() })),
                    Err(fault) => Outcome::Ready(Err(fault)),
                }
            }

            fn signature() -> Vec<&'static str> {
                let mut signature = vec![<Fut::Output as IntoResponse>::type_name()];
                signature.extend(value_types(&[$($a::xml_rpc_type()),*]));
                signature
            }

            fn from_call() -> Vec<bool> {
                vec![$($a::xml_rpc_type().is_some()),*]
            }
        }
    };
}

/// The XML-RPC types of the parameters taken from the call.
fn value_types(types: &[Option<&'static str>]) -> Vec<&'static str> {
    types.iter().flatten().copied().collect()
}

handlers!();
xmlrpc_kit_codec::__for_each_arity!(handlers);
