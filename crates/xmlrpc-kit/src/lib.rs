//! XML-RPC for Rust: everything Python's `xmlrpc.server` and
//! `xmlrpc.client` do, with Rust's types, speed and safety. This is the one
//! crate to depend on; every type has one path here.
//!
//! ```no_run
//! use xmlrpc_kit::{Exports, Fault, Methods, Server};
//!
//! let mut methods = Methods::new();
//! methods.register_introspection_functions();
//! methods.register_function("pow", |x: i64, y: u32| x.checked_pow(y).ok_or(Fault::application("overflow")));
//! methods.register_function("add", |x: i64, y: i64| x + y);
//! let mut funcs = Exports::new();
//! funcs.register_function("mul", |x: i64, y: i64| x * y);
//! methods.register_instance(funcs);
//! Server::builder(methods).rpc_paths(["/RPC2"]).bind(("localhost", 8000))?.serve_forever()?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ```no_run
//! let client = xmlrpc_kit::blocking::Client::new("http://localhost:8000")?;
//! let eight: i64 = client.call("pow", (2, 3))?;
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```
//!
//! # Features
//!
//! | feature | what it adds | default |
//! | --- | --- | --- |
//! | `server` | [`Methods`], [`Dispatcher`], [`Documentation`], [`CgiHandler`]: no async runtime | yes (through `http`) |
//! | `http` | [`Server`], [`DocServer`], [`MultiPathServer`], [`RpcService`] on tokio and hyper | yes |
//! | `client` | [`Client`] (async) | yes |
//! | `blocking` | [`blocking::Client`] | yes |
//! | `tls` | `https://` for the client (rustls; the system's trusted certificates, or Mozilla's bundled roots; client certificates) and for the server's listeners ([`TlsConfig`]-style certificates from PEM or a `rustls::ServerConfig` of your own, mutual TLS, reloaded without a restart) | no |
//! | `gzip` | gzip bodies both ways (flate2); without it gzip requests get 415 | yes |
//! | `macros` | [`macro@methods`] and [`macro@method`]: methods from Rust code, help from doc comments; with `client`, [`macro@client`]: a typed client from a trait | yes |
//! | `serde` | `xmlrpc_kit::serde`: any `Serialize`/`Deserialize` type as a parameter or result (`Serde<T>`), `to_value`, `from_value` | no |
//! | `chrono`, `time`, `jiff` | those crates' date-time types as `dateTime.iso8601` parameters and results ([`ForeignDateTime`]), and serde fields through `xmlrpc_kit::serde::date_time` | no |
//!
//! A client-only build (`default-features = false, features = ["client"]`)
//! pulls no server code; a server-only one (`features = ["server"]`) pulls
//! no tokio or hyper.
//!
//! # From Python to Rust
//!
//! Every name of Python's `xmlrpc.server`, and where it lives here.
//!
//! | Python | Rust |
//! | --- | --- |
//! | `SimpleXMLRPCServer(addr, logRequests=, allow_none=, encoding=, use_builtin_types=)` | [`Server::builder`]`(methods)` `.log_requests(..)` `.allow_none(..)` `.encoding(..)` `.bind(addr)`; builtin types are Rust's own |
//! | `bind_and_activate=False`, `server_activate()` | `.bind_without_activate(addr)`, `Server::activate` |
//! | `SimpleXMLRPCRequestHandler.rpc_paths` | `.rpc_paths(["/", "/RPC2"])` |
//! | `register_function(f, name)`, `@server.register_function` | [`Methods::register_function`]`(name, closure)`, [`macro@method`] |
//! | `register_instance(obj, allow_dotted_names=)` | [`Methods::register_instance`] with [`macro@methods`] or [`Exports`]; dotted names by `child = ".."`, never by attribute walking |
//! | `register_introspection_functions()`, `register_multicall_functions()` | the same names on [`Methods`] |
//! | docstrings for `system.methodHelp` | doc comments (macros) or `.help(..)` |
//! | `serve_forever()`, `shutdown()`, `server_close()` | `Server::serve_forever` (stops on SIGTERM), [`ShutdownHandle`], drop |
//! | `SimpleXMLRPCDispatcher` | [`Dispatcher`]: bytes in, bytes out, no I/O |
//! | `MultiPathXMLRPCServer`, `add_dispatcher(path, d)` | [`MultiPathServer::builder`]`().add_dispatcher(path, dispatcher)` |
//! | `CGIXMLRPCRequestHandler`, `handle_request()` | [`CgiHandler`], [`CgiHandler::handle_request`] |
//! | `DocXMLRPCServer`, `set_server_title/name/documentation` | [`DocServer::builder`] `.server_title(..)` `.server_name(..)` `.server_documentation(..)` |
//! | `DocCGIXMLRPCRequestHandler` | [`CgiHandler::documentation`]`(`[`Documentation`]`)` |
//! | `xmlrpc.client.ServerProxy`, `MultiCall` | [`Client`] / [`blocking::Client`], [`Client::batch`] |
//! | `Fault(code, string)` | [`Fault`]: handlers return `Result<T, E>` where `E: Into<Fault>` |
//!
//! Each capability below has a whole program in the crate's `examples/`
//! folder, started and called by its own test.
//!
//! # Methods from Rust code
//!
//! Doc comments become `system.methodHelp`, Rust types
//! `system.methodSignature`, parameter names the page's and faults' text
//! (`examples/instance_macro.rs`, `examples/python_docs_server.rs`).
//!
//! ```
//! # #[cfg(feature = "macros")] {
//! use xmlrpc_kit::{Fault, Methods};
//!
//! struct Calculator;
//!
//! #[xmlrpc_kit::methods]
//! impl Calculator {
//!     /// x divided by y.
//!     pub fn div(&self, x: i64, y: i64) -> Result<i64, Fault> {
//!         x.checked_div(y).ok_or(Fault::application("division by zero"))
//!     }
//! }
//!
//! let mut methods = Methods::new();
//! methods.register_instance(Calculator);
//! assert_eq!(methods.method_param_names("div"), Some(vec!["x".to_owned(), "y".to_owned()]));
//! # }
//! ```
//!
//! # Your own types
//!
//! With `serde`, any `Serialize`/`Deserialize` type is a parameter or a
//! result through `Serde<T>`; the mapping is in `xmlrpc_kit::serde`
//! (`examples/serde_structs.rs`). With `chrono`, `time` or `jiff`, their
//! date-times are `dateTime.iso8601` ([`ForeignDateTime`]).
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use xmlrpc_kit::serde::Serde;
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Point { x: f64, y: f64 }
//!
//! let mut methods = xmlrpc_kit::Methods::new();
//! methods.register_function("mirror", |Serde(p): Serde<Point>| Serde(Point { x: p.y, y: p.x }));
//! # }
//! ```
//!
//! # Request context, state and authentication
//!
//! Beside its XML-RPC parameters a handler may take the request's
//! [`context`] (`State<T>`, `Peer`, `Headers`, `RequestPath`, `Caller`,
//! `PerRequest<T>`), which is not part of its signature. An
//! [`Authenticator`] answers 401 before any handler runs, once per request,
//! multicalls included (`examples/state_and_context.rs`,
//! `examples/authentication.rs`).
//!
//! ```
//! # #[cfg(feature = "http")] {
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use xmlrpc_kit::context::{Caller, State};
//! use xmlrpc_kit::{Authenticator, Methods, Server};
//!
//! let mut methods = Methods::new();
//! methods.add_state(Arc::new(AtomicU64::new(0)));
//! methods.register_function("hello", |State(n): State<Arc<AtomicU64>>, Caller(who): Caller| {
//!     let who = who.map(|id| id.name().to_owned()).unwrap_or_default();
//!     format!("hello {who}, caller {}", n.fetch_add(1, Ordering::SeqCst) + 1)
//! });
//! let server = Server::builder(methods)
//!     .authenticate(Authenticator::basic("rpc", [("ann", "secret")]))
//!     .trusted_proxies("127.0.0.1".parse().unwrap());
//! # drop(server);
//! # }
//! ```
//!
//! # Inside axum and tower
//!
//! [`RpcService`] is a `tower::Service` for any `http_body::Body`, so it
//! mounts in an axum `Router` and under tower-http's layers
//! (`examples/axum.rs`, `examples/multi_path.rs`).
//!
//! ```
//! # #[cfg(feature = "http")] {
//! let mut api = xmlrpc_kit::Methods::new();
//! api.register_function("add", |x: i64, y: i64| x + y);
//! let rpc = xmlrpc_kit::Server::builder(api).rpc_paths(["/RPC2"]).into_service();
//! let app: axum::Router = axum::Router::new().route_service("/RPC2", rpc);
//! # drop(app);
//! # }
//! ```
//!
//! # Listeners and TLS
//!
//! `Server::builder(..).listen([..])` takes `http://`, `https://` (with
//! `tls`), `unix:` and `scgi://` addresses and sockets systemd passes;
//! `TlsConfig` reads certificates from PEM and can require client
//! certificates (`examples/tls.rs`), or takes a `rustls::ServerConfig` of
//! your own; `TlsReloadHandle` replaces it while the server runs (a
//! renewed certificate, on SIGHUP or by a call), new connections getting
//! the new one and open ones keeping theirs (`DEPLOYMENT.md`).
//!
//! # CGI and the documentation page
//!
//! [`CgiHandler`] answers one request per process; with
//! [`Documentation`] it also answers GET with the page, as [`DocServer`]
//! does (`examples/cgi.rs`, `examples/doc_cgi.rs`, `examples/doc_server.rs`).
//!
//! # Clients
//!
//! [`Client`] (async) and [`blocking::Client`] call any XML-RPC server;
//! [`Client::batch`] sends many calls as one `system.multicall`
//! (`examples/blocking_client.rs`, `examples/multicall_batch.rs`).
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # async fn run() -> Result<(), xmlrpc_kit::client::Error> {
//! let client = xmlrpc_kit::Client::new("http://127.0.0.1:8000/RPC2")?;
//! let mut batch = client.batch();
//! batch.add("pow", (2, 8)).add("add", (1, 2));
//! for answer in batch.send().await? {
//!     println!("{answer:?}");
//! }
//! # Ok(()) }
//! ```
//!
//! ## A typed client from a trait
//!
//! [`macro@client`] on a trait makes each of its methods a call, and
//! generates an async client (`SupervisorClient`) and a blocking one
//! (`SupervisorBlockingClient`) that make them; parameters and results
//! convert as [`Client::call`] converts them, or by serde; a fault is
//! `client::Error::Fault` (`examples/supervisord.rs`, `examples/rtorrent.rs`).
//!
//! ```no_run
//! # #[cfg(all(feature = "macros", feature = "blocking"))] {
//! use xmlrpc_kit::client::Error;
//!
//! #[xmlrpc_kit::client(namespace = "supervisor", rename_all = "camelCase")]
//! trait Supervisor {
//!     fn read_log(&self, offset: i32, length: i32) -> Result<String, Error>; // supervisor.readLog
//!     #[xmlrpc(name = "supervisor.getPID")] // a name no Rust name converts to
//!     fn pid(&self) -> Result<i32, Error>;
//! }
//!
//! let client = xmlrpc_kit::blocking::Client::new("http://127.0.0.1:9001/RPC2")?;
//! let supervisor = SupervisorBlockingClient::new(client);
//! println!("{} {}", supervisor.pid()?, supervisor.read_log(0, 1024)?);
//! # }
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```
//!
//! # Tracing
//!
//! Each request has a `tracing` span (`xmlrpc.request`) and each call one
//! inside it (`xmlrpc.call`), at debug level; the W3C trace context a
//! request carries is its access event's `trace_id` and is sent on by
//! the client when a handler calls another server ([`trace`]).
//! `examples/opentelemetry.rs` exports the spans with
//! `tracing-opentelemetry`, two servers' spans in the caller's trace.
//!
//! # Layers
//!
//! Values, documents and the wire ([`Value`], [`decode_call`],
//! [`encode_response`], [`wire`]) need nothing else. The method table and
//! dispatcher turn a request body into a response body; the HTTP server and
//! the CGI handler are thin front ends around that; the client is the
//! other end. Limits live with the layer that enforces them:
//! [`DocumentLimits`] for the decoder, [`DispatchOptions`] for the
//! dispatcher, `HttpLimits` for the HTTP server, `client::ResponseLimits` for the
//! client.

pub use xmlrpc_kit_codec::{
    Binary, ConvertError, DateTime, DecodeError, DecodeErrorKind, Dialect, DocumentLimits,
    EncodeError, EncodeOptions, Fault, ForeignDateTime, FromValue, IntoParams, IntoResponse,
    IntoValue, MemberName, MethodCall, OutputEncoding, ParseDateTimeError, Protocol, Response,
    Struct, Value, Zone, codes, decode_call, decode_response, decode_value, encode_call,
    encode_response, encode_response_sized, encode_response_within, encode_value, untrusted_text,
    xml_chars,
};

/// What crosses the wire around the documents, for both ends: the
/// `system.*` names and multicall's shapes, the address syntax servers
/// listen on and clients connect to, the content codings of bodies (gzip)
/// and the limits on a body as it travels.
pub mod wire {
    pub use xmlrpc_kit_codec::wire::{multicall, names};
    #[cfg(feature = "gzip")]
    pub use xmlrpc_kit_transport::gzip;
    pub use xmlrpc_kit_transport::{
        Address, BodyLimits, ContentCoding, InflateError, InvalidAddress, UnsupportedCoding,
        accepts_gzip,
    };
}

/// Trace context: the W3C `traceparent` and `tracestate` a request
/// carries, which a server reads into its request's span and access event
/// and its handlers' calls out send on, and the settings that say whose
/// is believed. `DEPLOYMENT.md` ("Tracing") shows them at work.
pub mod trace {
    #[cfg(feature = "server")]
    pub use xmlrpc_kit_front::{OnRequestSpan, TrustTraceContext};
    pub use xmlrpc_kit_transport::{
        InvalidTraceContext, MAX_TRACE_HEADER_BYTES, TraceContext, WithTraceContext,
    };
}

/// The parts of a [`Dialect`]: how it spells one
/// extension, doubles and dates, and the error for a name that is not a
/// preset.
pub mod dialect {
    // All of `xmlrpc_kit_codec::dialect` but `Dialect`, which is at the root.
    pub use xmlrpc_kit_codec::dialect::{DateTimeForm, DoubleForm, Extension, UnknownDialect};
}

/// The iterators of a [`Struct`]'s members.
pub mod structs {
    // All of `xmlrpc_kit_codec::structs` but `Struct` and `MemberName`,
    // which are at the root.
    pub use xmlrpc_kit_codec::structs::{IntoIter, Iter, IterMut};
}

#[cfg(feature = "serde")]
pub use xmlrpc_kit_codec::serde;

#[cfg(feature = "json-rpc")]
pub use xmlrpc_kit_codec::json_rpc;

#[cfg(feature = "server")]
pub use xmlrpc_kit_server::{
    DispatchOptions, Dispatcher, Documentation, Exports, Instance, IntoInstance, Method, MethodRef,
    Methods, MulticallSummary, Outcome, ProtocolRefusal, Protocols, Reply, context, long_work,
    middleware,
};

#[cfg(feature = "server")]
pub use xmlrpc_kit_front::{Authenticator, CgiEnv, CgiHandler};

/// The one request path every front end (HTTP, SCGI, CGI) runs, for
/// writing another front end or reading what one answers: the checks in
/// their order ([`admit`](front::admit)), the refusals
/// ([`Rejection`](front::Rejection)), the body rules, the access log, the
/// trusted proxies.
#[cfg(feature = "server")]
pub mod front {
    pub use xmlrpc_kit_front::{
        AccessLog, AccessSink, Admitted, Answered, BodyPlan, Call, Correlation, Endpoint, Field,
        ForwardedHeader, IgnoredHeader, InvalidForwardedHeader, InvalidNetwork, Page, RateKey,
        RateLimit, Readiness, Rejection, RequestHead, RequestId, Routes, Site, TrustedProxies,
        admit, cgi_head, cgi_refusal, check_host, check_streamed, content_length, declared_length,
        health, reason, request_span, trace_id,
    };
}

/// Prometheus metrics (the `metrics` feature): what
/// [`ServerBuilder::metrics_path`] serves, and the `prometheus-client`
/// crate they are made with, to add your own series beside them.
#[cfg(feature = "metrics")]
pub mod metrics {
    pub use xmlrpc_kit_front::prometheus_client;
    pub use xmlrpc_kit_front::{
        METRICS_CONTENT_TYPE, Metrics, OpenConnection, PROMETHEUS_TEXT_CONTENT_TYPE,
        UNLISTED_METHOD,
    };
}

/// Handlers: the trait every registrable function implements, and its
/// markers.
#[cfg(feature = "server")]
pub mod handler {
    pub use xmlrpc_kit_server::{CallFuture, CallSite, Handler, ReturnsFuture, ReturnsValue};
}

#[cfg(feature = "http")]
pub use xmlrpc_kit_http::{
    DocServer, HttpConfig, HttpLimits, MultiPathServer, RpcService, Server, ServerBuilder,
    ShutdownHandle, Spawned, serves,
};
#[cfg(all(feature = "http", feature = "tls"))]
pub use xmlrpc_kit_http::{TlsConfig, TlsReloadHandle, rustls};

#[cfg(feature = "client")]
pub use xmlrpc_kit_client::Client;

/// The client's other types: its builder, batches, limits, and its errors
/// ([`Client`] itself is at the crate's root).
#[cfg(feature = "client")]
pub mod client {
    pub use xmlrpc_kit_client::{
        Batch, BatchError, ClientBuilder, Direction, Error, HttpHead, InvalidUrl, Proxy,
        ResponseLimits, RetryPolicy, TransportError, TrustedRoots,
    };
}

#[cfg(feature = "blocking")]
pub use xmlrpc_kit_client::blocking;

#[cfg(feature = "macros")]
pub use xmlrpc_kit_macros::{method, methods};

#[cfg(all(feature = "macros", feature = "client"))]
pub use xmlrpc_kit_macros::client;

#[cfg(all(feature = "macros", feature = "client"))]
#[doc(hidden)]
#[path = "client_support.rs"]
pub mod __client_support;

#[cfg(feature = "server")]
#[doc(hidden)]
pub use xmlrpc_kit_server::__macro_support;

/// The README's examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;

/// DEPLOYMENT.md's server, compiled as a doc test so it stays true.
#[cfg(all(doctest, feature = "http"))]
#[doc = include_str!("../../../DEPLOYMENT.md")]
struct DeploymentExamples;
