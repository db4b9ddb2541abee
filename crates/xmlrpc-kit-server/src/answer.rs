//! A request answered in the protocol it speaks: XML-RPC by the
//! dispatcher itself, JSON-RPC 2.0 by `json_rpc` (the `json-rpc`
//! feature); and the fault a transport answers with itself, in either.

use xmlrpc_kit_codec::Fault;

use crate::context::RequestContext;
use crate::dispatcher::{Dispatcher, Reply};
use crate::protocol::Protocol;

impl Dispatcher {
    /// Answers one request body in `protocol` (as a front end tells it:
    /// see [`protocols`](Self::protocols)): [`handle_request_in`](Self::handle_request_in)
    /// for XML-RPC; for JSON-RPC, one response object, a batch's array, or
    /// an empty body for notifications only.
    pub async fn answer_in<B>(&self, protocol: Protocol, body: B, request: &RequestContext) -> Reply
    where
        B: AsRef<[u8]> + Send,
    {
        match protocol {
            #[cfg(feature = "json-rpc")]
            Protocol::JsonRpc if self.options().answers_json_rpc() => {
                crate::json_rpc::answer(self, body, request).await
            }
            // Without the feature (or the option), no front end asks for
            // JSON-RPC: see `protocols`.
            _ => self.handle_request_in(body, request).await,
        }
    }

    /// The reply a transport sends when it answers with `fault` itself (a
    /// call that ran out of time, say) in `protocol`.
    pub fn fault_reply_in(
        &self,
        protocol: Protocol,
        method: Option<String>,
        fault: Fault,
    ) -> Reply {
        match protocol {
            #[cfg(feature = "json-rpc")]
            Protocol::JsonRpc => crate::json_rpc::error_reply(
                method,
                &xmlrpc_kit_codec::json_rpc::ErrorObject::from(&fault),
            ),
            _ => self.fault_reply(method, fault),
        }
    }
}
