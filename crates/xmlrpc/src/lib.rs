//! XML-RPC for Rust: everything Python's `xmlrpc.server` and
//! `xmlrpc.client` do, with Rust's types, speed and safety. This is the one
//! crate to depend on; every type has one path here.
//!
//! ```no_run
//! use xmlrpc::{Exports, Fault, Methods, Server};
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
//! let client = xmlrpc::blocking::Client::new("http://localhost:8000")?;
//! let eight: i64 = client.call("pow", (2, 3))?;
//! # Ok::<(), xmlrpc::Error>(())
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
//! | `tls` | `https://` for the client (rustls, Mozilla roots, client certificates) and for the server's listeners ([`TlsConfig`]-style certificates from PEM, mutual TLS) | no |
//! | `gzip` | gzip bodies both ways (flate2); without it gzip requests get 415 | yes |
//! | `macros` | [`macro@methods`] and [`macro@method`]: methods from Rust code, help from doc comments | yes |
//! | `serde` | `xmlrpc::serde`: any `Serialize`/`Deserialize` type as a parameter or result (`Serde<T>`), `to_value`, `from_value` | no |
//! | `chrono`, `time`, `jiff` | those crates' date-time types as `dateTime.iso8601` parameters and results ([`ForeignDateTime`]), and serde fields through `xmlrpc::serde::date_time` | no |
//!
//! A client-only build (`default-features = false, features = ["client"]`)
//! pulls no server code; a server-only one (`features = ["server"]`) pulls
//! no tokio or hyper.
//!
//! # Layers
//!
//! Values, documents and the wire ([`Value`], [`decode_call`],
//! [`encode_response`], [`wire`]) need nothing else. The method table and
//! dispatcher turn a request body into a response body; the HTTP server and
//! the CGI handler are thin front ends around that; the client is the
//! other end. Limits live with the layer that enforces them:
//! [`DocumentLimits`] for the decoder, [`DispatchOptions`] for the
//! dispatcher, `HttpLimits` for the HTTP server, `ResponseLimits` for the
//! client.

pub use xmlrpc_codec::{
    Binary, ConvertError, DateTime, DecodeError, DecodeErrorKind, DocumentLimits, EncodeError,
    EncodeOptions, Fault, ForeignDateTime, FromValue, IntoParams, IntoResponse, IntoValue,
    MethodCall, OutputEncoding, ParseDateTimeError, Response, Struct, Value, Zone, codes,
    decode_call, decode_response, decode_value, encode_call, encode_response, encode_value, wire,
};

#[cfg(feature = "serde")]
pub use xmlrpc_codec::serde;

#[cfg(feature = "server")]
pub use xmlrpc_server::{
    CgiEnv, CgiHandler, DispatchOptions, Dispatcher, Documentation, Exports, Instance,
    IntoInstance, Method, MethodRef, Methods, Outcome, Reply, context, demo, http_rules,
};

/// Handlers: the trait every registrable function implements, and its
/// markers.
#[cfg(feature = "server")]
pub mod handler {
    pub use xmlrpc_server::{Async, CallFuture, CallSite, Handler, Sync};
}

#[cfg(all(feature = "http", feature = "tls"))]
pub use xmlrpc_http::TlsConfig;
#[cfg(feature = "http")]
pub use xmlrpc_http::{
    Authenticator, DocServer, HttpConfig, HttpLimits, MultiPathServer, RpcService, Server,
    ServerBuilder, ShutdownHandle, serves,
};

#[cfg(feature = "client")]
pub use xmlrpc_client::{
    Batch, Client, ClientBuilder, Direction, Error, InvalidUrl, ResponseLimits, TransportError,
};

#[cfg(feature = "blocking")]
pub use xmlrpc_client::blocking;

#[cfg(feature = "macros")]
pub use xmlrpc_macros::{method, methods};

#[cfg(feature = "server")]
#[doc(hidden)]
pub use xmlrpc_server::__macro_support;

/// The README's examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeExamples;
