//! What the code `#[xmlrpc_kit::client]` generates calls: not an API.
//!
//! A parameter or result type converts the way [`Client::call`](crate::Client::call)
//! converts it when it can ([`IntoValue`], [`FromValue`]), and otherwise
//! (with the `serde` feature) the way `Client::call` converts a
//! [`Serde<T>`](crate::serde::Serde). The choice is made at compile time by
//! method resolution (autoref specialization): the by-value impl, the
//! crate's own traits, wins when its bounds hold; the by-reference impl,
//! serde, is tried only when they do not.

use std::marker::PhantomData;

use crate::client::Error;
use crate::{FromValue, IntoValue, Value};

/// A parameter on its way to a [`Value`].
#[derive(Debug)]
pub struct Param<T>(pub T);

/// A parameter converted by [`IntoValue`], as `Client::call` converts it.
pub trait ParamByIntoValue {
    /// The parameter as a value.
    fn into_param(self) -> Value;
}

impl<T: IntoValue> ParamByIntoValue for Param<T> {
    fn into_param(self) -> Value {
        self.0.into_value()
    }
}

/// A parameter converted by serde, as `Client::call` converts a `Serde<T>`
/// (implemented with the `serde` feature only).
pub trait ParamBySerde {
    /// The parameter as a value.
    fn into_param(self) -> Value;
}

#[cfg(feature = "serde")]
impl<T> ParamBySerde for &Param<T>
where
    for<'a> crate::serde::Serde<&'a T>: IntoValue,
{
    fn into_param(self) -> Value {
        crate::serde::Serde(&self.0).into_value()
    }
}

/// The parameters of a call with optional ones: the required ones, then
/// the optional ones up to the last one given, a `None` before it as nil.
pub fn with_optional<const N: usize>(
    mut required: Vec<Value>,
    optional: [Option<Value>; N],
) -> Vec<Value> {
    let given = optional
        .iter()
        .rposition(Option::is_some)
        .map_or(0, |last| last + 1);
    required.extend(
        optional
            .into_iter()
            .take(given)
            .map(|value| value.unwrap_or(Value::Nil)),
    );
    required
}

/// The type a result converts to.
#[derive(Debug)]
pub struct ResultOf<T>(PhantomData<fn() -> T>);

impl<T> ResultOf<T> {
    /// The conversion to `T`.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        ResultOf(PhantomData)
    }
}

/// A result converted by [`FromValue`], as `Client::call` converts it.
pub trait ResultByFromValue {
    /// The Rust type.
    type Output;
    /// Converts the result.
    fn convert_result(self, value: Value) -> Result<Self::Output, Error>;
}

impl<T: FromValue> ResultByFromValue for ResultOf<T> {
    type Output = T;
    fn convert_result(self, value: Value) -> Result<T, Error> {
        Ok(T::from_value(value)?)
    }
}

/// `()`: whatever the server answers is dropped.
pub trait ResultIgnored {
    /// `()`.
    type Output;
    /// Drops the result.
    fn convert_result(self, value: Value) -> Result<(), Error>;
}

impl ResultIgnored for ResultOf<()> {
    type Output = ();
    fn convert_result(self, _value: Value) -> Result<(), Error> {
        Ok(())
    }
}

/// A result converted by serde, as `Client::call` converts a `Serde<T>`
/// (implemented with the `serde` feature only).
pub trait ResultBySerde {
    /// The Rust type.
    type Output;
    /// Converts the result.
    fn convert_result(self, value: Value) -> Result<Self::Output, Error>;
}

#[cfg(feature = "serde")]
impl<T> ResultBySerde for &ResultOf<T>
where
    crate::serde::Serde<T>: FromValue,
{
    type Output = T;
    fn convert_result(self, value: Value) -> Result<T, Error> {
        Ok(crate::serde::Serde::<T>::from_value(value)?.0)
    }
}

/// Gives its tokens when the `blocking` feature is on: the generated
/// blocking client.
#[cfg(feature = "blocking")]
#[doc(hidden)]
#[macro_export]
macro_rules! __client_if_blocking {
    ($($tokens:tt)*) => { $($tokens)* };
}

/// Gives its tokens when the `blocking` feature is on: the generated
/// blocking client.
#[cfg(not(feature = "blocking"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __client_if_blocking {
    ($($tokens:tt)*) => {};
}

pub use crate::__client_if_blocking as if_blocking;
