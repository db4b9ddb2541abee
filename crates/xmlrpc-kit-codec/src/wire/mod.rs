//! What crosses the wire around the documents: the names of the built-in
//! `system.*` methods and the shapes of `system.multicall`. Server,
//! client, tests and harnesses all read and write these through here.

pub mod multicall;
pub mod names;
