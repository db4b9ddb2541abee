//! The same client for programs without an async runtime: each call blocks
//! the calling thread until the answer is in.
//!
//! ```no_run
//! use xmlrpc_client::blocking::Client;
//!
//! let client = Client::new("http://127.0.0.1:8000/RPC2")?;
//! let eight: i64 = client.call("pow", (2, 3))?;
//! println!("{eight}");
//! # Ok::<(), xmlrpc_client::Error>(())
//! ```

use std::sync::Arc;

use xmlrpc_codec::{Fault, FromValue, IntoParams, Value};

use crate::client::{multicall_entry, multicall_results, signatures};
use crate::{ClientBuilder, Error};

/// A blocking XML-RPC client: [`crate::Client`]'s API, with every method
/// returning when the call is done.
///
/// It owns a single-threaded tokio runtime that runs only while a call
/// runs; kept-alive connections wait in its pool between calls. Clones
/// share the runtime and the pool. Do not use it from inside an async
/// runtime (tokio refuses to block there): use [`crate::Client`].
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    /// A client for `url` with every default (see [`ClientBuilder`]).
    pub fn new(url: &str) -> Result<Client, Error> {
        crate::Client::builder(url).build_blocking()
    }

    /// Starts configuring a client for `url`; finish with
    /// [`ClientBuilder::build_blocking`].
    pub fn builder(url: &str) -> ClientBuilder {
        crate::Client::builder(url)
    }

    pub(crate) fn from_async(inner: crate::Client) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start a runtime: {e}")))?;
        Ok(Client {
            inner,
            runtime: Arc::new(runtime),
        })
    }

    /// The server's URL as given (any password shown as `***`).
    pub fn url(&self) -> &str {
        self.inner.url()
    }

    /// Calls `method` with `params` and converts the result to `R`; see
    /// [`crate::Client::call`].
    pub fn call<R: FromValue>(&self, method: &str, params: impl IntoParams) -> Result<R, Error> {
        self.runtime.block_on(self.inner.call(method, params))
    }

    /// Calls `method` with `params` and returns the result as a [`Value`].
    pub fn call_value(&self, method: &str, params: Vec<Value>) -> Result<Value, Error> {
        self.runtime.block_on(self.inner.call_value(method, params))
    }

    /// Writes the request document for a call; see [`crate::Client::encode_call`].
    pub fn encode_call(&self, method: &str, params: Vec<Value>) -> Result<Vec<u8>, Error> {
        self.inner.encode_call(method, params)
    }

    /// Posts a request document as it is and returns the response body;
    /// see [`crate::Client::send_raw`].
    pub fn send_raw(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        self.runtime.block_on(self.inner.send_raw(body))
    }

    /// Reads a response document; see [`crate::Client::decode_response`].
    pub fn decode_response(&self, body: &[u8]) -> Result<Value, Error> {
        self.inner.decode_response(body)
    }

    /// `system.listMethods`: the names of the server's methods.
    pub fn list_methods(&self) -> Result<Vec<String>, Error> {
        self.call("system.listMethods", ())
    }

    /// `system.methodHelp`: the help text of `method`.
    pub fn method_help(&self, method: &str) -> Result<String, Error> {
        self.call("system.methodHelp", (method,))
    }

    /// `system.methodSignature`; see [`crate::Client::method_signature`].
    pub fn method_signature(&self, method: &str) -> Result<Option<Vec<Vec<String>>>, Error> {
        signatures(self.call_value(
            "system.methodSignature",
            vec![Value::String(method.to_owned())],
        )?)
    }

    /// Starts a `system.multicall` batch; see [`crate::Client::batch`].
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            client: self,
            calls: Vec::new(),
        }
    }
}

/// Calls queued for one `system.multicall` request; see [`Client::batch`].
#[derive(Debug)]
#[must_use = "a batch does nothing until sent"]
pub struct Batch<'a> {
    client: &'a Client,
    calls: Vec<Value>,
}

impl Batch<'_> {
    /// Queues a call of `method` with `params`.
    pub fn add(&mut self, method: &str, params: impl IntoParams) -> &mut Self {
        self.calls
            .push(multicall_entry(method, params.into_params()));
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

    /// Sends every queued call in one request; one result or fault per
    /// call, in order. See [`crate::Batch::send`].
    pub fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        if self.calls.is_empty() {
            return Ok(Vec::new());
        }
        let expected = self.calls.len();
        let value = self
            .client
            .call_value("system.multicall", vec![Value::Array(self.calls)])?;
        multicall_results(value, expected)
    }
}
