//! What the workspace's tests share, written once (unpublished): an
//! in-process server on 127.0.0.1 with an OS-picked port, processes
//! stopped by PID when dropped (`xmlrpc-kit demo`, Python's peers), a raw HTTP
//! client that shows exactly what went over the wire (and a TLS connection
//! that says which certificate the server presented), values of every
//! type, an in-memory writer for log tests, the soak harness and an
//! open-loop load generator, and the demo application of the `xmlrpc-kit`
//! binary (`demo`).

pub mod captured;
/// The demo application, the binary's own file included as it is.
#[path = "../../xmlrpc-kit-cli/src/demo.rs"]
pub mod demo;
pub mod interop;
pub mod open_loop;
pub mod pki;
pub mod ports;
pub mod process;
pub mod python;
pub mod raw_http;
pub mod server;
pub mod soak;
pub mod tinyproxy;
pub mod tls_client;
pub mod values;
