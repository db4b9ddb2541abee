//! [`Batch`]: calls queued for `system.multicall`, sent in as many
//! requests as the server's limit asks; and the async client's batches
//! ([`Client::batch`], [`Batch::send`]).
//!
//! The blocking client's are in `blocking.rs`, as the rest of that client.
//! How a batch is split: [`Client::multicall_size`] (the size) and
//! [`send_in_requests`] (the requests, in order or a few at once).

use futures::StreamExt as _;
use futures::stream::FuturesOrdered;
use xmlrpc_kit_codec::wire::{multicall, names};
use xmlrpc_kit_codec::{Fault, IntoParams, Value, codes};

use crate::client::Client;
use crate::error::{BatchError, Error};

/// Calls queued for `system.multicall`; see [`Client::batch`]. `C` is the
/// client that sends them: [`Client`], or the blocking one.
///
/// A batch may hold any number of calls: [`send`](Self::send) splits it
/// into requests of at most the server's limit, as the server advertises
/// it in `system.getCapabilities` (our server does: its
/// `multicall_limit` entry), else of the client's
/// [`max_multicall_calls`](crate::ClientBuilder::max_multicall_calls)
/// (default 1,000, our server's default limit). It sends them one after
/// the other, or up to [`concurrency`](Self::concurrency) at once, and
/// gives the results in the order the calls were added.
///
/// The server is asked for its limit once per client (and its clones),
/// and only when a batch is larger than `max_multicall_calls`, or when a
/// batch sent in one request is refused as too large (fault -32600
/// for the whole multicall, when the server ran none of it): then it is
/// split as the server says and sent again. A server without
/// `system.getCapabilities`, or whose answer holds no limit, gets
/// requests of `max_multicall_calls` calls.
#[derive(Debug)]
#[must_use = "a batch does nothing until sent"]
pub struct Batch<'a, C = Client> {
    pub(crate) client: &'a C,
    pub(crate) calls: Vec<Value>,
    pub(crate) concurrency: usize,
}

impl<'a, C> Batch<'a, C> {
    pub(crate) fn new(client: &'a C) -> Self {
        Batch {
            client,
            calls: Vec::new(),
            concurrency: 1,
        }
    }

    /// Queues a call of `method` with `params`.
    pub fn add(&mut self, method: &str, params: impl IntoParams) -> &mut Self {
        self.calls
            .push(multicall::call(method, params.into_params()));
        self
    }

    /// How many of the batch's requests may be in flight at once, when it
    /// is split into several (default 1: one after the other, so that the
    /// calls run in the order added). With more, the server may run a
    /// later request's calls before an earlier one's; the results are
    /// still given in the order added. 0 counts as 1. Takes and gives
    /// back the batch, to be written just before
    /// [`send`](Self::send): `batch.concurrency(4).send()`.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
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
    /// Sends every queued call with `system.multicall` (in as many
    /// requests as the server's limit asks: see [`Batch`]) and returns
    /// one result or fault per call, in the order added. An empty batch
    /// sends nothing.
    ///
    /// The outer `Result` fails when a request as a whole fails: with that
    /// request's error (the transport, or a fault from a server without
    /// `system.multicall`) when the batch went in one request, else with
    /// [`Error::Batch`], which says which calls were answered, which
    /// failed and which were not sent. Nothing is sent after a failed
    /// request.
    ///
    /// With a [`RetryPolicy`](crate::RetryPolicy), each request counts as
    /// idempotent when every call's method in it is (or
    /// `system.multicall` is marked so); the faults among the results are
    /// answers and are not retried.
    pub async fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        if self.calls.is_empty() {
            return Ok(Vec::new());
        }
        let client = self.client;
        let size = client.multicall_size(self.calls.len()).await?;
        if self.calls.len() > size {
            return send_in_requests(client, self.calls, size, self.concurrency).await;
        }
        // One request. Until the server's limit is known, keep the calls
        // to split them if it refuses them as too many.
        let learned = client.multicall_limit_known();
        let kept = (!learned && self.calls.len() > 1).then(|| self.calls.clone());
        match client.send_multicall(self.calls).await {
            Err(Error::Fault(fault)) if fault.code == codes::INVALID_REQUEST => {
                let Some(calls) = kept else {
                    return Err(Error::Fault(fault));
                };
                match client.learn_multicall_limit().await? {
                    Some(limit) if limit < calls.len() => {
                        send_in_requests(client, calls, limit, self.concurrency).await
                    }
                    _ => Err(Error::Fault(fault)),
                }
            }
            other => other,
        }
    }
}

/// Sends `calls` in requests of `size` calls, up to `concurrency` at
/// once, and gives their results in order; stops at the first request
/// (in order) that fails, with [`Error::Batch`] (or its error as it is,
/// if it was the only request).
async fn send_in_requests(
    client: &Client,
    calls: Vec<Value>,
    size: usize,
    concurrency: usize,
) -> Result<Vec<Result<Value, Fault>>, Error> {
    let total = calls.len();
    let size = size.max(1);
    if total <= size {
        return client.send_multicall(calls).await;
    }
    let mut calls = calls.into_iter();
    let mut sent = 0;
    let mut results = Vec::with_capacity(total);
    let mut running = FuturesOrdered::new();
    loop {
        while running.len() < concurrency && sent < total {
            let request: Vec<Value> = calls.by_ref().take(size).collect();
            let range = sent..sent + request.len();
            sent = range.end;
            running.push_back(async move { (range, client.send_multicall(request).await) });
        }
        let Some((range, outcome)) = running.next().await else {
            return Ok(results);
        };
        match outcome {
            Ok(answers) => results.extend(answers),
            Err(source) => {
                return Err(Error::Batch(Box::new(BatchError {
                    answered: results,
                    failed: range,
                    sent,
                    total,
                    source,
                })));
            }
        }
    }
}

impl Client {
    /// Sends `calls` in one `system.multicall`: one result or fault per
    /// call, in order.
    async fn send_multicall(&self, calls: Vec<Value>) -> Result<Vec<Result<Value, Fault>>, Error> {
        let expected = calls.len();
        let idempotent = self.is_idempotent(names::MULTICALL)
            || calls.iter().all(|call| {
                matches!(call, Value::Struct(s)
                    if matches!(s.get("methodName"), Some(Value::String(m)) if self.is_idempotent(m)))
            });
        #[cfg(feature = "json-rpc")]
        if self.protocol() == xmlrpc_kit_codec::Protocol::JsonRpc {
            return self.send_json_batch(calls, idempotent).await;
        }
        let body = self.encode_call(names::MULTICALL, multicall::request(calls))?;
        let value = self.call_encoded(body, idempotent).await?;
        Ok(multicall::read_results(value, expected)?)
    }

    /// Sends `calls` (multicall's `{methodName, params}` structs) as one
    /// JSON-RPC batch: one result or fault per call, in order, matched by
    /// id. A batch the server answers with one error as a whole fails
    /// with that fault.
    #[cfg(feature = "json-rpc")]
    async fn send_json_batch(
        &self,
        calls: Vec<Value>,
        idempotent: bool,
    ) -> Result<Vec<Result<Value, Fault>>, Error> {
        use xmlrpc_kit_codec::json_rpc;

        let mut named = Vec::with_capacity(calls.len());
        for (index, call) in calls.into_iter().enumerate() {
            named.push(multicall::read_call(call, index).map_err(Error::Fault)?);
        }
        let first = self.take_ids(named.len());
        let body =
            json_rpc::encode_batch(named.iter().map(|(m, p)| (m.as_str(), p.as_slice())), first);
        let answer = self.exchange_encoded(body, idempotent).await?;
        Ok(json_rpc::read_batch(
            &answer,
            self.document_limits(),
            first,
            named.len(),
        )??)
    }

    /// Starts a `system.multicall` batch: queue calls, send them (in as
    /// many requests as the server's limit asks), get one result or fault
    /// per call, in order.
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
    ///
    /// // Any size: split into requests the server takes, two at a time.
    /// let mut batch = client.batch();
    /// for i in 0..10_000 {
    ///     batch.add("add", (i, 1));
    /// }
    /// let sums = batch.concurrency(2).send().await?;
    /// assert_eq!(sums.len(), 10_000);
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch<'_> {
        Batch::new(self)
    }
}
