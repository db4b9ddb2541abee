//! The same client for programs without an async runtime: each call blocks
//! the calling thread until the answer is in. A thin wrapper: every method
//! runs the async client's on a runtime of its own.
//!
//! ```no_run
//! use xmlrpc_kit::blocking::Client;
//!
//! let client = Client::new("http://127.0.0.1:8000/RPC2")?;
//! let eight: i64 = client.call("pow", (2, 3))?;
//! println!("{eight}");
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```

use std::future::Future;
use std::sync::Arc;

use xmlrpc_kit_codec::{Fault, FromValue, IntoParams, Value};

use crate::{Batch, ClientBuilder, Error};

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

impl ClientBuilder {
    /// Builds a [`blocking::Client`](Client), for programs without an
    /// async runtime.
    pub fn build_blocking(self) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start a runtime: {e}")))?;
        Ok(Client {
            inner: self.build()?,
            runtime: Arc::new(runtime),
        })
    }
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

    fn wait<T>(&self, call: impl Future<Output = T>) -> T {
        self.runtime.block_on(call)
    }

    /// The async client underneath (sharing this one's connections).
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// The server's URL as given (any password shown as `***`).
    pub fn url(&self) -> &str {
        self.inner.url()
    }

    /// See [`crate::Client::call`].
    pub fn call<R: FromValue>(&self, method: &str, params: impl IntoParams) -> Result<R, Error> {
        self.wait(self.inner.call(method, params))
    }

    /// See [`crate::Client::call_value`].
    pub fn call_value(&self, method: &str, params: Vec<Value>) -> Result<Value, Error> {
        self.wait(self.inner.call_value(method, params))
    }

    /// See [`crate::Client::encode_call`].
    pub fn encode_call(&self, method: &str, params: Vec<Value>) -> Result<Vec<u8>, Error> {
        self.inner.encode_call(method, params)
    }

    /// See [`crate::Client::send_raw`].
    pub fn send_raw(&self, body: Vec<u8>) -> Result<Vec<u8>, Error> {
        self.wait(self.inner.send_raw(body))
    }

    /// See [`crate::Client::decode_response`].
    pub fn decode_response(&self, body: &[u8]) -> Result<Value, Error> {
        self.inner.decode_response(body)
    }

    /// See [`crate::Client::list_methods`].
    pub fn list_methods(&self) -> Result<Vec<String>, Error> {
        self.wait(self.inner.list_methods())
    }

    /// See [`crate::Client::method_help`].
    pub fn method_help(&self, method: &str) -> Result<String, Error> {
        self.wait(self.inner.method_help(method))
    }

    /// See [`crate::Client::method_signature`].
    pub fn method_signature(&self, method: &str) -> Result<Option<Vec<Vec<String>>>, Error> {
        self.wait(self.inner.method_signature(method))
    }

    /// See [`crate::Client::batch`].
    pub fn batch(&self) -> Batch<'_, Client> {
        Batch::new(self)
    }
}

impl Batch<'_, Client> {
    /// Sends every queued call (in as many requests as the server's
    /// limit asks); one result or fault per call, in order. See
    /// [`Batch::send`](crate::Batch::send).
    pub fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        let client = self.client;
        let batch = Batch {
            client: &client.inner,
            calls: self.calls,
            concurrency: self.concurrency,
        };
        client.wait(batch.send())
    }
}
