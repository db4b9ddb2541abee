//! The library behind the `xmlrpc` command: the demo server's methods, so
//! tests and examples use exactly what `xmlrpc demo` serves.

pub mod demo;
