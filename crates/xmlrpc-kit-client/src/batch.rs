//! [`Batch`]: calls queued for one `system.multicall` request, and the
//! async client's batches ([`Client::batch`], [`Batch::send`]).
//!
//! The blocking client's are in `blocking.rs`, as the rest of that client.

use xmlrpc_kit_codec::wire::{multicall, names};
use xmlrpc_kit_codec::{Fault, IntoParams, Value};

use crate::client::Client;
use crate::error::Error;

/// Calls queued for one `system.multicall` request; see [`Client::batch`].
/// `C` is the client that sends them: [`Client`], or the blocking one.
#[derive(Debug)]
#[must_use = "a batch does nothing until sent"]
pub struct Batch<'a, C = Client> {
    pub(crate) client: &'a C,
    pub(crate) calls: Vec<Value>,
}

impl<'a, C> Batch<'a, C> {
    pub(crate) fn new(client: &'a C) -> Self {
        Batch {
            client,
            calls: Vec::new(),
        }
    }

    /// Queues a call of `method` with `params`.
    pub fn add(&mut self, method: &str, params: impl IntoParams) -> &mut Self {
        self.calls
            .push(multicall::call(method, params.into_params()));
        self
    }

    /// The number of calls queued.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether no call is queued.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

impl Batch<'_, Client> {
    /// Sends every queued call in one `system.multicall` and returns one
    /// result or fault per call, in order. An empty batch sends nothing.
    ///
    /// The outer `Result` fails when the request as a whole fails (the
    /// transport, or a server without `system.multicall`: a fault).
    ///
    /// With a [`RetryPolicy`](crate::RetryPolicy), the request counts as
    /// idempotent when every queued call's method is (or
    /// `system.multicall` is marked so); the faults among the results are
    /// answers and are not retried.
    pub async fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        if self.calls.is_empty() {
            return Ok(Vec::new());
        }
        let expected = self.calls.len();
        let client = self.client;
        let idempotent = client.is_idempotent(names::MULTICALL)
            || self.calls.iter().all(|call| {
                matches!(call, Value::Struct(s)
                    if matches!(s.get("methodName"), Some(Value::String(m)) if client.is_idempotent(m)))
            });
        let body = client.encode_call(names::MULTICALL, multicall::request(self.calls))?;
        let value = client.call_encoded(body, idempotent).await?;
        Ok(multicall::read_results(value, expected)?)
    }
}

impl Client {
    /// Starts a `system.multicall` batch: queue calls, send them in one
    /// request, get one result or fault per call, in order.
    ///
    /// ```no_run
    /// # async fn run(client: xmlrpc_kit::Client) -> Result<(), xmlrpc_kit::client::Error> {
    /// let mut batch = client.batch();
    /// batch.add("pow", (2, 3)).add("add", (1, 2)).add("div", (1, 0));
    /// for result in batch.send().await? {
    ///     match result {
    ///         Ok(value) => println!("{value:?}"),
    ///         Err(fault) => println!("{fault}"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch<'_> {
        Batch::new(self)
    }
}
