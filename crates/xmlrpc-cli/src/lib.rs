//! The library behind the `xmlrpc` command: the demo server's methods, so
//! tests and examples use exactly what `xmlrpc demo` serves, and the client
//! subcommands (`call`, `list`, `help`, `multicall`): how arguments become
//! values, how results are printed, and the exit codes.

pub mod args;
pub mod commands;
pub mod demo;
pub mod output;
pub mod soak;
