//! The names of the built-in methods: the introspection specification's
//! and multicall's.

/// Lists every method the server answers.
pub const LIST_METHODS: &str = "system.listMethods";
/// The help text of one method.
pub const METHOD_HELP: &str = "system.methodHelp";
/// The signatures of one method.
pub const METHOD_SIGNATURE: &str = "system.methodSignature";
/// The specifications the server follows.
pub const GET_CAPABILITIES: &str = "system.getCapabilities";
/// Several calls in one request.
pub const MULTICALL: &str = "system.multicall";
