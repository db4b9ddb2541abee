//! The dispatcher: a request body in, a response body out (Python's
//! `_marshaled_dispatch`). It knows nothing of sockets; every transport is
//! a thin adapter around [`Dispatcher::handle`].

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use xmlrpc_kit_codec::untrusted_text::Escaped;
use xmlrpc_kit_codec::wire::multicall::{self, Request};
use xmlrpc_kit_codec::wire::names;
use xmlrpc_kit_codec::{
    DocumentLimits, EncodeError, EncodeOptions, Fault, OutputEncoding, Value, codes, decode_call,
    encode_response, encode_response_within,
};

use crate::builtins;
use crate::call_scope::{call_span, run_boxed_in, run_in, start_in};
use crate::context::call_site::CallSite;
use crate::context::{NO_REQUEST, RequestContext};
use crate::handler::{CallFuture, Outcome};
use crate::long_work::{self, LongWork};
use crate::method::{Answer, Builtin, DispatcherView};
use crate::methods::Methods;
use crate::middleware::{Call, Called, Endpoint, Layers, Middleware, Next};
use crate::protocol::{Protocol, Protocols};

/// The most room an answer's buffer starts with. Room not written to is
/// never touched, so it costs address space, not memory.
const ANSWER_ROOM: usize = 16 << 20;

/// The room the answer to a request of `request_bytes` starts with: that
/// much (an echo's answer is about as long as its request; a multicall's
/// is shorter), up to [`ANSWER_ROOM`], so that it grows seldom. (Growing
/// a large buffer copies it: glibc serves buffers below its moving mmap
/// threshold, 32 MiB at most, from the heap, where `realloc` cannot
/// remap.)
fn answer_room(request_bytes: usize) -> usize {
    request_bytes.clamp(256, ANSWER_ROOM)
}

/// How a [`Dispatcher`] reads requests and writes responses: what Python's
/// `SimpleXMLRPCDispatcher(allow_none, encoding)` takes, the limits on the
/// request document, and the multicall size.
///
/// ```
/// use xmlrpc_kit::{DispatchOptions, DocumentLimits, OutputEncoding};
///
/// let options = DispatchOptions::default();
/// assert!(!options.encode.allow_none);
/// assert_eq!(options.encode.encoding, OutputEncoding::default()); // UTF-8
/// assert_eq!(options.limits, DocumentLimits::default());
/// assert_eq!(options.max_multicall_calls, 1_000);
/// assert_eq!(options.multicall_concurrency, 1);
/// assert_eq!(options.max_answer_bytes, 64 * 1024 * 1024);
/// assert_eq!(options.max_answer_ratio, None);
/// assert_eq!(options.off_runtime_above, 1 << 20);
///
/// let demo = DispatchOptions::default()
///     .allow_none(true)
///     .max_multicall_calls(50)
///     .multicall_concurrency(8);
/// assert!(demo.encode.allow_none);
/// assert_eq!(demo.max_multicall_calls, 50);
/// assert_eq!(demo.multicall_concurrency, 8);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DispatchOptions {
    /// How responses are written: Python's `allow_none` (default off) and
    /// `encoding` (default UTF-8).
    pub encode: EncodeOptions,
    /// Limits on the request document. Default: [`DocumentLimits::default()`].
    pub limits: DocumentLimits,
    /// Calls in one `system.multicall`; more are answered with fault
    /// -32600. Default: 1,000. `system.getCapabilities` advertises it in
    /// its `multicall_limit` entry (`maxCalls`; see
    /// [`multicall::LIMIT_CAPABILITY`](xmlrpc_kit_codec::wire::multicall::LIMIT_CAPABILITY)),
    /// from which our client learns how to split a larger batch.
    pub max_multicall_calls: usize,
    /// How many calls of one `system.multicall` may be in progress at
    /// once. Default: 1, one after another in order, as Python runs them.
    ///
    /// With `n` above 1, call `k + n` starts once call `k` has finished, so
    /// up to `n` async handlers wait (on I/O, say) together; the results
    /// stay in the calls' order. A sync handler runs to its end when its
    /// turn comes, on the request's task, so sync calls never overlap one
    /// another; they may run while an earlier async call waits. Keep 1
    /// when the calls' side effects must happen in order.
    pub multicall_concurrency: usize,
    /// Bytes of one answer: a result whose `<methodResponse>` would be
    /// larger is answered with fault -32603 ("the answer is larger than
    /// the limit of N bytes"), found while it is written (writing stops
    /// at the limit), so no call makes the server hold more than this for
    /// one answer. Default: 64 MiB.
    pub max_answer_bytes: usize,
    /// How many times larger than its request (the document as the
    /// dispatcher reads it, inflated) an answer may be, when set: an
    /// answer past both this and 64 KiB is answered with fault -32603, as
    /// for [`max_answer_bytes`](Self::max_answer_bytes). It bounds what a
    /// small request can make the server write (an `echo` of a million
    /// empty values answers four times its size; a method that reads a
    /// file by name, far more). Default: `None`, no ratio.
    pub max_answer_ratio: Option<usize>,
    /// Requests of at least this many bytes are decoded, and answers of
    /// about this many bytes or more encoded (their values freed too),
    /// where they cannot stall the other calls sharing the thread: on a
    /// tokio multi-thread runtime, within `block_in_place`, which moves
    /// the worker's other tasks to another thread for that long (the HTTP
    /// server's case); elsewhere in place. Default: 1 MiB (a 1 MiB
    /// document takes 2–4 ms to decode on one core; a 16 MiB one, tens of
    /// milliseconds).
    pub off_runtime_above: usize,
    /// How many pieces of such long work (decoding, encoding, and the
    /// HTTP server's inflating and compressing large gzip bodies) one
    /// dispatcher runs at once; the others wait their turn without holding
    /// a thread. Default: one fewer than the machine's cores, at least one
    /// (see [`long_work`](crate::long_work)).
    pub long_work_at_once: usize,
    /// Whether requests may be JSON-RPC 2.0 too (see
    /// [`json_rpc`](Self::json_rpc)). Default: no.
    json_rpc: bool,
    /// The [middleware](crate::middleware) every call runs through,
    /// outermost first; see [`layer`](Self::layer). Default: none.
    layers: Layers,
}

/// Answers up to this size are never refused by
/// [`DispatchOptions::max_answer_ratio`].
const RATIO_FREE_ANSWER: usize = 64 * 1024;

impl Default for DispatchOptions {
    fn default() -> Self {
        DispatchOptions {
            encode: EncodeOptions::default(),
            limits: DocumentLimits::default(),
            max_multicall_calls: 1_000,
            multicall_concurrency: 1,
            max_answer_bytes: 64 * 1024 * 1024,
            max_answer_ratio: None,
            off_runtime_above: 1 << 20,
            long_work_at_once: crate::long_work::default_at_once(),
            json_rpc: false,
            layers: Layers::default(),
        }
    }
}

impl DispatchOptions {
    /// Writes nil results as `<nil/>` (Python's `allow_none`).
    #[must_use]
    pub fn allow_none(mut self, allow: bool) -> Self {
        self.encode.allow_none = allow;
        self
    }
    /// Sets the responses' character encoding (Python's `encoding`).
    #[must_use]
    pub fn encoding(mut self, encoding: OutputEncoding) -> Self {
        self.encode.encoding = encoding;
        self
    }
    /// Sets how responses spell extensions, doubles and dates
    /// ([`Dialect`](xmlrpc_kit_codec::Dialect); default Python's). A result the
    /// dialect cannot send (a nil or an i8 under `strict`) becomes a fault
    /// saying so.
    #[must_use]
    pub fn dialect(mut self, dialect: xmlrpc_kit_codec::Dialect) -> Self {
        self.encode.dialect = dialect;
        self
    }
    /// Sets [`limits`](Self::limits).
    #[must_use]
    pub fn limits(mut self, limits: DocumentLimits) -> Self {
        self.limits = limits;
        self
    }
    /// Sets [`max_multicall_calls`](Self::max_multicall_calls).
    #[must_use]
    pub fn max_multicall_calls(mut self, calls: usize) -> Self {
        self.max_multicall_calls = calls;
        self
    }
    /// Sets [`multicall_concurrency`](Self::multicall_concurrency) (0
    /// counts as 1).
    #[must_use]
    pub fn multicall_concurrency(mut self, calls: usize) -> Self {
        self.multicall_concurrency = calls.max(1);
        self
    }
    /// Sets [`max_answer_bytes`](Self::max_answer_bytes).
    #[must_use]
    pub fn max_answer_bytes(mut self, bytes: usize) -> Self {
        self.max_answer_bytes = bytes;
        self
    }
    /// Sets [`max_answer_ratio`](Self::max_answer_ratio): answers at most
    /// `ratio` times their request (or 64 KiB, whichever is more).
    #[must_use]
    pub fn max_answer_ratio(mut self, ratio: usize) -> Self {
        self.max_answer_ratio = Some(ratio);
        self
    }

    /// Sets [`off_runtime_above`](Self::off_runtime_above) (`usize::MAX`:
    /// never).
    #[must_use]
    pub fn off_runtime_above(mut self, bytes: usize) -> Self {
        self.off_runtime_above = bytes;
        self
    }

    /// Sets [`long_work_at_once`](Self::long_work_at_once) (0 counts as 1).
    #[must_use]
    pub fn long_work_at_once(mut self, pieces: usize) -> Self {
        self.long_work_at_once = pieces.max(1);
        self
    }

    /// Answers JSON-RPC 2.0 too (the `json-rpc` feature): a request whose
    /// `Content-Type` is `application/json` is read as JSON-RPC, and
    /// answered in it, from the same methods, with the same limits (a
    /// batch holds at most [`max_multicall_calls`](Self::max_multicall_calls)
    /// calls), middleware and request context. See
    /// [`json_rpc`](xmlrpc_kit_codec::json_rpc) for the JSON form of each
    /// type.
    #[cfg(feature = "json-rpc")]
    #[must_use]
    pub fn json_rpc(mut self, answer: bool) -> Self {
        self.json_rpc = answer;
        self
    }

    /// Whether requests may be JSON-RPC 2.0 too (see `json_rpc`, with the
    /// `json-rpc` feature); never without it.
    pub fn answers_json_rpc(&self) -> bool {
        self.json_rpc
    }

    /// Adds `middleware` around every call (each call of a
    /// `system.multicall` too), inside the layers added before it: the
    /// first added sees a call first and its result last. See
    /// [`middleware`](crate::middleware).
    #[must_use]
    pub fn layer(mut self, middleware: impl Middleware) -> Self {
        self.layers.0.push(Arc::new(middleware));
        self
    }

    /// [`layer`](Self::layer) for a middleware already shared.
    #[must_use]
    pub fn layer_shared(mut self, middleware: Arc<dyn Middleware>) -> Self {
        self.layers.0.push(middleware);
        self
    }

    /// How many layers of middleware calls run through.
    pub fn layer_count(&self) -> usize {
        self.layers.0.len()
    }

    /// The most bytes the answer to a request of `request_bytes` may take.
    pub(crate) fn answer_limit(&self, request_bytes: usize) -> usize {
        match self.max_answer_ratio {
            None => self.max_answer_bytes,
            Some(ratio) => request_bytes
                .saturating_mul(ratio)
                .max(RATIO_FREE_ANSWER)
                .min(self.max_answer_bytes),
        }
    }
}

/// What one request produced: the response body, plus what a request log
/// line needs.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The `<methodResponse>` document.
    pub body: Vec<u8>,
    /// The method called, if the request could be read.
    pub method: Option<String>,
    /// The fault code, if the answer is a fault.
    pub fault_code: Option<i32>,
    /// For a `system.multicall` whose calls ran (or a JSON-RPC batch):
    /// how many it held, and the first ones' methods and faults.
    pub multicall: Option<MulticallSummary>,
    /// The protocol of the answer (that of the request).
    pub protocol: Protocol,
}

impl Reply {
    /// The answer's HTTP status: 200, or 204 (No Content) for a JSON-RPC
    /// request of notifications only, which is answered with nothing.
    pub fn status(&self) -> u16 {
        if self.body.is_empty() { 204 } else { 200 }
    }

    /// The answer's `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        self.protocol.content_type()
    }
}

/// What a `system.multicall` held, for the access log: how many calls,
/// and the first [`SHOWN`](Self::SHOWN) calls' methods (as sent) and fault
/// codes.
///
/// ```
/// use xmlrpc_kit::{Dispatcher, Methods};
///
/// let mut methods = Methods::new();
/// methods.register_multicall_functions();
/// methods.register_function("add", |x: i32, y: i32| x + y);
/// let body = br#"<methodCall><methodName>system.multicall</methodName><params><param><value><array><data>
///   <value><struct><member><name>methodName</name><value>add</value></member>
///     <member><name>params</name><value><array><data><value><i4>1</i4></value><value><i4>2</i4></value></data></array></value></member></struct></value>
///   <value><struct><member><name>methodName</name><value>nope</value></member>
///     <member><name>params</name><value><array><data></data></array></value></member></struct></value>
/// </data></array></value></param></params></methodCall>"#;
/// let reply = futures::executor::block_on(Dispatcher::new(methods).handle_request(body));
/// let summary = reply.multicall.unwrap();
/// assert_eq!(summary.calls, 2);
/// assert_eq!(summary.first, [("add".to_owned(), None), ("nope".to_owned(), Some(-32601))]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MulticallSummary {
    /// How many calls it held.
    pub calls: usize,
    /// The first calls, at most [`SHOWN`](Self::SHOWN): each one's method
    /// as sent (a call that is not a well-formed struct has none) and its
    /// fault code if it failed.
    pub first: Vec<(String, Option<i32>)>,
}

impl MulticallSummary {
    /// How many calls a summary shows.
    pub const SHOWN: usize = 16;

    /// The summary of calls named `names` (the first ones, at least
    /// [`SHOWN`](Self::SHOWN) of them when there are that many) whose
    /// results are `results`.
    pub(crate) fn of<'n>(
        names: impl IntoIterator<Item = &'n str>,
        results: &[Result<Value, Fault>],
    ) -> Self {
        let faults = results.iter().map(|r| r.as_ref().err().map(|f| f.code));
        MulticallSummary {
            calls: results.len(),
            first: names
                .into_iter()
                .zip(faults)
                .take(Self::SHOWN)
                .map(|(name, fault)| (name.to_owned(), fault))
                .collect(),
        }
    }

    /// The summary of a multicall answered by the built-in through its
    /// parameters, whose first calls were named `names`, of `calls` calls
    /// in all (see [`multicall_names`]), and which answered `result`.
    fn of_answer(names: &[String], calls: usize, result: &Result<Value, Fault>) -> Option<Self> {
        let Ok(Value::Array(results)) = result else {
            return None;
        };
        let faults = results
            .iter()
            .map(|r| match r.as_struct().map(|s| s.get("faultCode")) {
                Some(Some(Value::Int(code))) => Some(*code),
                _ => None,
            });
        Some(MulticallSummary {
            calls,
            first: names.iter().cloned().zip(faults).collect(),
        })
    }
}

/// Turns request bodies into response bodies for one method table.
///
/// Cheap to clone (an `Arc`), immutable while serving.
///
/// ```
/// use xmlrpc_kit::{Dispatcher, Methods, Value};
///
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i64, y: i64| x + y);
/// let dispatcher = Dispatcher::new(methods);
///
/// // Socket-free calls, for tests:
/// let sum = futures::executor::block_on(dispatcher.call("add", vec![Value::Int(2), Value::Int(3)]));
/// assert_eq!(sum, Ok(Value::Int(5)));
///
/// // Bytes in, bytes out, for transports:
/// let body = b"<methodCall><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>";
/// let response = futures::executor::block_on(dispatcher.handle(body));
/// assert!(String::from_utf8(response).unwrap().contains("<int>5</int>"));
/// ```
#[derive(Debug, Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    methods: Methods,
    options: DispatchOptions,
    /// Whether `system.multicall` is the built-in one (see
    /// [`Dispatcher::answers_multicall`]); the table does not change once
    /// the dispatcher has it, so this is looked up once, not per request.
    answers_multicall: bool,
    /// Where large documents are decoded and written (see
    /// [`DispatchOptions::off_runtime_above`]); shared with the
    /// dispatchers made from this one.
    long_work: Arc<LongWork>,
}

impl Dispatcher {
    /// A dispatcher for `methods` with default options.
    pub fn new(methods: Methods) -> Self {
        Self::with_options(methods, DispatchOptions::default())
    }

    /// A dispatcher for `methods` with `options`.
    pub fn with_options(methods: Methods, options: DispatchOptions) -> Self {
        let long_work = Arc::new(LongWork::new(options.long_work_at_once));
        Self::with_long_work(methods, options, long_work)
    }

    fn with_long_work(
        methods: Methods,
        options: DispatchOptions,
        long_work: Arc<LongWork>,
    ) -> Self {
        // Middleware sees the multicall's own call, with its parameters,
        // before its calls: so with a layer that reads them, it is decoded
        // as any call.
        let answers_multicall = options
            .layers
            .0
            .iter()
            .all(|layer| !layer.reads_multicall_params())
            && matches!(
                methods.get(names::MULTICALL).map(|m| &m.answer),
                Some(Answer::Builtin(Builtin::Multicall))
            );
        Dispatcher {
            inner: Arc::new(Inner {
                methods,
                options,
                answers_multicall,
                long_work,
            }),
        }
    }

    /// This dispatcher with `middleware` around every layer it has (the
    /// first to see each call): what a server does with its metrics'
    /// layer for the dispatchers it serves. Its handlers, instance and
    /// state are shared with this one.
    #[must_use]
    pub fn with_outer_layer(&self, middleware: Arc<dyn Middleware>) -> Dispatcher {
        let mut options = self.inner.options.clone();
        options.layers.0.insert(0, middleware);
        Self::with_long_work(
            self.inner.methods.clone(),
            options,
            self.inner.long_work.clone(),
        )
    }

    /// Where this dispatcher does its long work, and how much at once
    /// (see [`DispatchOptions::off_runtime_above`]): a front end inflating
    /// or compressing a large body takes its turn there too.
    pub fn long_work(&self) -> &LongWork {
        &self.inner.long_work
    }

    /// The method table.
    pub fn methods(&self) -> &Methods {
        &self.inner.methods
    }

    /// The options.
    pub fn options(&self) -> &DispatchOptions {
        &self.inner.options
    }

    /// Answers one request body with one response body. Never fails: every
    /// problem becomes a fault document.
    pub async fn handle(&self, body: &[u8]) -> Vec<u8> {
        self.handle_request(body).await.body
    }

    /// [`handle`](Self::handle), also telling which method was called and
    /// whether the answer is a fault.
    pub async fn handle_request(&self, body: &[u8]) -> Reply {
        self.handle_request_in(body, &NO_REQUEST).await
    }

    /// [`handle_request`](Self::handle_request) within `request`, whose
    /// headers, client, path and identity the handlers may read.
    ///
    /// `body` may be borrowed (`&[u8]`) or owned (`Vec<u8>`,
    /// `bytes::Bytes`, …); an owned body is dropped once it is decoded,
    /// so it does not stay in memory while the method runs and its answer
    /// is written.
    pub async fn handle_request_in<B>(&self, body: B, request: &RequestContext) -> Reply
    where
        B: AsRef<[u8]> + Send,
    {
        let limits = &self.inner.options.limits;
        let long = body.as_ref().len() >= self.inner.options.off_runtime_above;
        let decode = || {
            if self.answers_multicall() {
                multicall::decode_request(body.as_ref(), limits)
            } else {
                decode_call(body.as_ref(), limits).map(Request::Call)
            }
        };
        let decoded = self.inner.long_work.run_if(long, decode).await;
        let request_bytes = body.as_ref().len();
        drop(body);
        let mut summary = None;
        let (method, result) = match decoded {
            Ok(Request::Call(call)) if call.method == names::MULTICALL => {
                // Its calls' names, read before the parameters are given away.
                let (names, calls) = multicall_names(&call.params);
                let result = self.call_in(&call.method, call.params, request).await;
                summary = MulticallSummary::of_answer(&names, calls, &result);
                (Some(call.method), result)
            }
            Ok(Request::Call(call)) => {
                let result = self.call_in(&call.method, call.params, request).await;
                (Some(call.method), result)
            }
            Ok(Request::Batch(mut batch)) => {
                let in_request = InRequest {
                    dispatcher: self,
                    request,
                };
                let calls: Vec<_> = batch.drain().map(Ok).collect();
                // The multicall's own span, around its calls'.
                let span = call_span(request, names::MULTICALL, None);
                let trace = request.trace_context();
                let names: Vec<&str> = calls
                    .iter()
                    .take(MulticallSummary::SHOWN)
                    .map(|call: &Result<(&str, _), Fault>| call.as_ref().map_or("", |c| c.0))
                    .collect();
                if in_request.has_layers() {
                    // The multicall itself passes through the layers too,
                    // its calls run from the document by the last one.
                    let shown: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
                    let size = calls.len();
                    let end = BatchEnd {
                        in_request: &in_request,
                        calls: std::sync::Mutex::new(Some(calls)),
                    };
                    let call = Call::new(
                        names::MULTICALL,
                        Vec::new(),
                        request,
                        None,
                        &self.inner.methods,
                    )
                    .with_multicall_size(size);
                    let started = start_in(&span, trace, || in_request.run_layers(call, &end));
                    let result = run_in(started.finish(), span, trace).await;
                    summary = MulticallSummary::of_answer(&shown, size, &result);
                    (Some(names::MULTICALL.to_owned()), result)
                } else {
                    let running = builtins::run_multicall(&in_request, calls);
                    match run_in(running, span, trace).await {
                        Ok(results) => {
                            let mut reply = self.multicall_reply(&results, request_bytes).await;
                            reply.multicall = Some(MulticallSummary::of(names, &results));
                            return reply;
                        }
                        Err(fault) => (Some(names::MULTICALL.to_owned()), Err(fault)),
                    }
                }
            }
            Err(e) => (None, Err(e.to_fault())),
        };
        let mut reply = self.reply(method, result, request_bytes).await;
        reply.multicall = summary;
        reply
    }

    /// Whether `system.multicall` is the built-in one and no middleware
    /// reads its parameters: then a request for it in the usual shape is
    /// run straight from its document (its calls read without a struct
    /// each; with no middleware at all, its answer written without a
    /// one-element array each), answering exactly what the built-in
    /// answers.
    fn answers_multicall(&self) -> bool {
        self.inner.answers_multicall
    }

    /// The protocols this dispatcher answers: XML-RPC, and JSON-RPC too
    /// when its options say so.
    pub fn protocols(&self) -> Protocols {
        if self.inner.options.json_rpc {
            Protocols::Both
        } else {
            Protocols::XmlRpc
        }
    }

    /// The reply a transport sends when it answers with `fault` itself (a
    /// call that ran out of time, say), encoded with this dispatcher's options.
    pub fn fault_reply(&self, method: Option<String>, fault: Fault) -> Reply {
        let (encoded, fault_code) = self.encode_reply(Err(fault), 0);
        self.finish_reply(method, encoded, fault_code)
    }

    /// The reply to a request of `request_bytes` (see [`answer_room`]),
    /// written (and `result` freed) off the runtime when either is large.
    async fn reply(
        &self,
        method: Option<String>,
        result: Result<Value, Fault>,
        request_bytes: usize,
    ) -> Reply {
        let threshold = self.inner.options.off_runtime_above;
        let long = request_bytes >= threshold
            || result
                .as_ref()
                .is_ok_and(|value| long_work::writes_at_least([value], threshold));
        let encode = move || self.encode_reply(result, request_bytes);
        let (encoded, fault_code) = self.inner.long_work.run_if(long, encode).await;
        self.finish_reply(method, encoded, fault_code)
    }

    /// `result` written as the answer to a request of `request_bytes`,
    /// and its fault code; the value is freed here.
    fn encode_reply(
        &self,
        result: Result<Value, Fault>,
        request_bytes: usize,
    ) -> (Result<Vec<u8>, EncodeError>, Option<i32>) {
        let options = &self.inner.options;
        let room = answer_room(request_bytes);
        let most = options.answer_limit(request_bytes);
        let encoded = encode_response_within(&result, &options.encode, room, most);
        (encoded, result.err().map(|f| f.code))
    }

    /// The reply to a multicall run straight from its document, whose
    /// calls gave `results`: what [`reply`](Self::reply) writes for the
    /// built-in's answer.
    async fn multicall_reply(
        &self,
        results: &[Result<Value, Fault>],
        request_bytes: usize,
    ) -> Reply {
        let options = &self.inner.options;
        let room = answer_room(request_bytes);
        let most = options.answer_limit(request_bytes);
        let threshold = options.off_runtime_above;
        let long = request_bytes >= threshold
            || long_work::writes_at_least(
                results.iter().filter_map(|r| r.as_ref().ok()),
                threshold,
            );
        let encode = || multicall::encode_response(results, &options.encode, room, most);
        let encoded = self.inner.long_work.run_if(long, encode).await;
        self.finish_reply(Some(names::MULTICALL.to_owned()), encoded, None)
    }

    /// The reply carrying `encoded`, or, if the answer could not be
    /// encoded, a fault -32603 saying why.
    fn finish_reply(
        &self,
        method: Option<String>,
        encoded: Result<Vec<u8>, EncodeError>,
        fault_code: Option<i32>,
    ) -> Reply {
        let (body, fault_code) = match encoded {
            Ok(body) => (body, fault_code),
            Err(e) => {
                let fault = Fault::internal(e.to_string());
                let body = encode_response(&Err(fault), &self.inner.options.encode)
                    .expect("a fault always encodes");
                (body, Some(codes::INTERNAL_ERROR))
            }
        };
        Reply {
            body,
            method,
            fault_code,
            multicall: None,
            protocol: Protocol::XmlRpc,
        }
    }

    /// Calls `method` with `params` as if a request had named it, outside
    /// any request (handlers see an empty [`RequestContext`]).
    pub async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
        self.call_in(method, params, &NO_REQUEST).await
    }

    /// Calls `method` with `params` within `request`: its handlers may
    /// read the request (see [`context`](crate::context)); the calls of a
    /// `system.multicall` all run within it.
    pub async fn call_in(
        &self,
        method: &str,
        params: Vec<Value>,
        request: &RequestContext,
    ) -> Result<Value, Fault> {
        InRequest {
            dispatcher: self,
            request,
        }
        .call(method, params)
        .await
    }
}

/// Of a multicall's parameters: the first calls' method names (empty for
/// a call that names none), at most [`MulticallSummary::SHOWN`], and how
/// many calls there are.
fn multicall_names(params: &[Value]) -> (Vec<String>, usize) {
    let [Value::Array(calls)] = params else {
        return (Vec::new(), 0);
    };
    let names = calls
        .iter()
        .take(MulticallSummary::SHOWN)
        .map(|call| {
            let name = call.as_struct().and_then(|s| s.get("methodName"));
            name.and_then(Value::as_str).unwrap_or("").to_owned()
        })
        .collect();
    (names, calls.len())
}

/// The dispatcher answering within one request.
struct InRequest<'a> {
    dispatcher: &'a Dispatcher,
    request: &'a RequestContext,
}

/// Whose future a call started by the dispatcher is, which says how to
/// finish it.
enum Running<'a> {
    /// A handler's: finished under the panic guard.
    Handler(CallFuture),
    /// A built-in's (multicall's), which guards the calls it makes.
    Builtin(BoxFuture<'a, Result<Value, Fault>>),
}

impl<'r> InRequest<'r> {
    /// Runs a call in its span and the request's trace context (a sync
    /// handler's within `begin`).
    async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
        let span = call_span(self.request, method, None);
        let trace = self.request.trace_context();
        if self.has_layers() {
            let started = start_in(&span, trace, || self.through_layers(method, params, None));
            return run_in(started.finish(), span, trace).await;
        }
        match start_in(&span, trace, || self.begin(method, params)) {
            Outcome::Ready(result) => result,
            Outcome::Pending(Running::Handler(future)) => {
                run_in(finish_guarded(method, future), span, trace).await
            }
            Outcome::Pending(Running::Builtin(future)) => run_in(future, span, trace).await,
        }
    }

    fn has_layers(&self) -> bool {
        !self.dispatcher.inner.options.layers.0.is_empty()
    }

    /// Starts the call through the middleware, the call at `position` of
    /// a multicall when it is one; a layer's panic, at once or while its
    /// future runs, is answered as a handler's.
    fn through_layers<'a>(
        &'a self,
        method: &'a str,
        params: Vec<Value>,
        position: Option<usize>,
    ) -> Outcome<BoxFuture<'a, Result<Value, Fault>>> {
        let inner = &self.dispatcher.inner;
        let mut call = Call::new(method, params, self.request, position, &inner.methods);
        if method == names::MULTICALL && position.is_none() {
            if let [Value::Array(calls)] = call.params() {
                let size = calls.len();
                call = call.with_multicall_size(size);
            }
        }
        self.run_layers(call, self)
    }

    /// Runs `call` through the middleware, then `end`; a layer's panic, at
    /// once or while its future runs, is answered as a handler's.
    fn run_layers<'a>(
        &'a self,
        call: Call<'a>,
        end: &'a dyn Endpoint,
    ) -> Outcome<BoxFuture<'a, Result<Value, Fault>>> {
        let method = call.method();
        let layers = &self.dispatcher.inner.options.layers.0;
        let started =
            std::panic::catch_unwind(AssertUnwindSafe(|| Next::new(layers, end).run(call)));
        match started.map(Called::into_outcome) {
            Ok(Outcome::Ready(result)) => Outcome::Ready(result),
            Ok(Outcome::Pending(future)) => Outcome::Pending(
                AssertUnwindSafe(future)
                    .catch_unwind()
                    .map(move |finished| {
                        finished.unwrap_or_else(|panic| Err(panic_fault(method, &*panic)))
                    })
                    .boxed(),
            ),
            Err(panic) => Outcome::Ready(Err(panic_fault(method, &*panic))),
        }
    }

    /// Runs the call up to its first wait: a sync handler to its end (or
    /// its panic, turned into a fault).
    fn begin<'a>(&'a self, method: &str, params: Vec<Value>) -> Outcome<Running<'a>> {
        let methods = &self.dispatcher.inner.methods;
        let states = methods.states();
        let started = match methods.get(method).map(|m| (m, &m.answer)) {
            Some((record, Answer::Function(call))) => {
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    record.call_function(call.as_ref(), method, params, self.request, states)
                }))
            }
            Some((_, Answer::Builtin(Builtin::Now(run)))) => {
                return Outcome::Ready(run(self, params));
            }
            Some((_, Answer::Builtin(Builtin::Multicall))) => {
                return Outcome::Pending(Running::Builtin(
                    builtins::multicall(self, params).boxed(),
                ));
            }
            None => match methods.instance() {
                Some(instance) => {
                    let site = CallSite {
                        method,
                        param_names: &[],
                        request: self.request,
                        states,
                    };
                    std::panic::catch_unwind(AssertUnwindSafe(|| {
                        instance.dispatch_at(&site, params)
                    }))
                }
                None => return Outcome::Ready(Err(Fault::method_not_found(method))),
            },
        };
        match started {
            Ok(Outcome::Ready(result)) => Outcome::Ready(result),
            Ok(Outcome::Pending(future)) => Outcome::Pending(Running::Handler(future)),
            Err(panic) => Outcome::Ready(Err(panic_fault(method, &*panic))),
        }
    }
}

impl DispatcherView for InRequest<'_> {
    fn list_methods(&self) -> Vec<String> {
        self.dispatcher.inner.methods.list_methods()
    }
    fn method_help(&self, name: &str) -> Option<String> {
        self.dispatcher.inner.methods.method_help(name)
    }
    fn method_signatures(&self, name: &str) -> Option<Vec<Vec<String>>> {
        self.dispatcher.inner.methods.method_signatures(name)
    }
    fn has_method(&self, name: &str) -> bool {
        self.dispatcher.inner.methods.contains(name)
    }
    fn allows_nil(&self) -> bool {
        self.dispatcher.inner.options.encode.allow_none
    }
    fn max_multicall_calls(&self) -> usize {
        self.dispatcher.inner.options.max_multicall_calls
    }
    fn multicall_concurrency(&self) -> usize {
        self.dispatcher.inner.options.multicall_concurrency
    }
    fn start<'a>(
        &'a self,
        method: &'a str,
        params: Vec<Value>,
        position: usize,
    ) -> Outcome<BoxFuture<'a, Result<Value, Fault>>> {
        let span = call_span(self.request, method, Some(position));
        let trace = self.request.trace_context();
        let started = if self.has_layers() {
            start_in(&span, trace, || {
                self.through_layers(method, params, Some(position))
            })
        } else {
            match start_in(&span, trace, || self.begin(method, params)) {
                Outcome::Ready(result) => Outcome::Ready(result),
                Outcome::Pending(Running::Handler(future)) => {
                    Outcome::Pending(finish_guarded(method, future).boxed())
                }
                Outcome::Pending(Running::Builtin(future)) => Outcome::Pending(future),
            }
        };
        match started {
            Outcome::Ready(result) => Outcome::Ready(result),
            Outcome::Pending(future) => Outcome::Pending(run_boxed_in(future, span, trace)),
        }
    }
}

impl Endpoint for InRequest<'_> {
    fn run<'a>(&'a self, call: Call<'a>) -> Called<'a> {
        let (method, params, _) = call.into_parts();
        match self.begin(method, params) {
            Outcome::Ready(result) => Called::ready(result),
            Outcome::Pending(Running::Handler(future)) => {
                Called::pending(finish_guarded(method, future))
            }
            Outcome::Pending(Running::Builtin(future)) => Called::from(Outcome::Pending(future)),
        }
    }
}

/// The end of the layers for a multicall run straight from its document:
/// runs its calls (each through the layers on its own) and answers the
/// built-in's value.
struct BatchEnd<'a, 'r, M> {
    in_request: &'a InRequest<'r>,
    /// Taken by the one run.
    calls: std::sync::Mutex<Option<Vec<BatchCall<M>>>>,
}

/// One call of a multicall read from its document: its method and
/// parameters, or why it is not well formed.
type BatchCall<M> = Result<(M, Vec<Value>), Fault>;

impl<M: AsRef<str> + Send + Sync> Endpoint for BatchEnd<'_, '_, M> {
    fn run<'b>(&'b self, _call: Call<'b>) -> Called<'b> {
        let calls = self
            .calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default();
        Called::pending(async move {
            let results = builtins::run_multicall(self.in_request, calls).await?;
            Ok(Value::Array(
                results.into_iter().map(multicall::result).collect(),
            ))
        })
    }
}

/// Finishes a handler's future, catching its panic: a panicking handler
/// answers -32603 and the server goes on.
async fn finish_guarded(method: &str, future: CallFuture) -> Result<Value, Fault> {
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| Err(panic_fault(method, &*panic)))
}

/// The fault a panic of `method`'s handler answers (the panic is logged).
fn panic_fault(method: &str, panic: &(dyn std::any::Any + Send)) -> Fault {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    // The name may be any the peer sent (an instance answers any), and the
    // message may quote the peer's values: both escaped, as the access log's.
    tracing::error!(
        method = %Escaped::new(method).truncate(Escaped::FIELD_CHARS),
        panic = %Escaped::new(&message),
        "handler panicked"
    );
    Fault::internal(format!("internal error while running method \"{method}\""))
}
