//! The call being made, as a handler sees it: the method's name, its
//! parameters' names, the request and the method table's state.

use crate::context::request::{NO_REQUEST, RequestContext};
use crate::context::states::{NO_STATES, States};

/// The call being made: the method's name and, when they were recorded,
/// its parameters' names (for fault messages), the request it came in,
/// and the method table's state.
#[derive(Debug, Clone, Copy)]
pub struct CallSite<'a> {
    /// The method's name.
    pub method: &'a str,
    /// The parameters' names, in order; empty when not recorded.
    pub param_names: &'a [String],
    /// The request.
    pub request: &'a RequestContext,
    pub(crate) states: &'a States,
}

impl<'a> CallSite<'a> {
    /// A call of `method` outside any request, its parameters unnamed.
    pub fn new(method: &'a str) -> Self {
        CallSite {
            method,
            param_names: &[],
            request: &NO_REQUEST,
            states: &NO_STATES,
        }
    }

    /// How parameter `index` (1-based) is named: `y`, or `2`.
    pub(crate) fn param(&self, index: usize) -> String {
        match self.param_names.get(index - 1) {
            Some(name) => name.clone(),
            None => index.to_string(),
        }
    }
}
