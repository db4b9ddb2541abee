//! What a server serves, the type parameter of
//! [`ServerBuilder`](crate::ServerBuilder): one method table on the RPC
//! paths, or a dispatcher per path.

use std::sync::Arc;

use xmlrpc_kit_front::{Endpoint, Routes};
use xmlrpc_kit_server::middleware::Middleware;
use xmlrpc_kit_server::{DispatchOptions, Dispatcher, Documentation, Methods};

/// One method table on the `rpc_paths` (Python's `SimpleXMLRPCServer`):
/// the builder also takes the dispatcher's options.
#[derive(Debug)]
pub struct OneTable {
    pub(crate) methods: Methods,
    pub(crate) options: DispatchOptions,
    pub(crate) rpc_paths: Vec<String>,
    /// Paths answering JSON-RPC alone.
    pub(crate) json_rpc_paths: Vec<String>,
}

/// A dispatcher per path (Python's `MultiPathXMLRPCServer`): each
/// dispatcher carries its own options.
#[derive(Debug, Default)]
pub struct ByPath {
    pub(crate) paths: Vec<(String, Dispatcher)>,
}

/// [`OneTable`] or [`ByPath`].
pub trait Target: std::fmt::Debug + sealed::Sealed {}
impl Target for OneTable {}
impl Target for ByPath {}

pub(crate) mod sealed {
    use super::*;

    // Sealed: nothing outside this crate can name or implement it.
    pub trait Sealed {
        /// The routes, each path's endpoint documented by `documentation`,
        /// each dispatcher's calls within `outer` first when given (the
        /// server's metrics).
        fn routes(
            self,
            documentation: Option<&Documentation>,
            outer: Option<&Arc<dyn Middleware>>,
        ) -> Routes;
    }

    impl Sealed for OneTable {
        fn routes(
            self,
            documentation: Option<&Documentation>,
            outer: Option<&Arc<dyn Middleware>>,
        ) -> Routes {
            let dispatcher = within(Dispatcher::with_options(self.methods, self.options), outer);
            let json_only = self
                .json_rpc_paths
                .into_iter()
                .map(|path| (path, Endpoint::json_rpc_only(dispatcher.clone())))
                .collect::<Vec<_>>();
            Routes::single(Endpoint::new(dispatcher, documentation), &self.rpc_paths)
                .with_paths(json_only)
        }
    }

    impl Sealed for ByPath {
        fn routes(
            self,
            documentation: Option<&Documentation>,
            outer: Option<&Arc<dyn Middleware>>,
        ) -> Routes {
            Routes::multi(
                self.paths
                    .into_iter()
                    .map(|(path, dispatcher)| {
                        let dispatcher = within(dispatcher, outer);
                        (path, Endpoint::new(dispatcher, documentation))
                    })
                    .collect(),
            )
        }
    }

    /// `dispatcher`, within `outer` when given.
    fn within(dispatcher: Dispatcher, outer: Option<&Arc<dyn Middleware>>) -> Dispatcher {
        match outer {
            Some(layer) => dispatcher.with_outer_layer(layer.clone()),
            None => dispatcher,
        }
    }
}
