//! jsonrpsee's server as an interop peer server (JSON-RPC 2.0):
//! `jsonrpsee_server_peer PORT` (127.0.0.1; jsonrpsee answers on any
//! path, /RPC2 among them). echo, fault and add as `RpcModule` methods;
//! batches are jsonrpsee's own; it has no introspection. Values are
//! serde_json's: a base64 or dateTime case is an object
//! (`{"$base64": …}`) sent back as it came.

use jsonrpsee_server::{RpcModule, Server};
use jsonrpsee_types::{ErrorObjectOwned, Params};
use serde_json::Value;

fn echo(params: Params) -> Result<Value, ErrorObjectOwned> {
    let (x,): (Value,) = params.parse()?;
    Ok(x)
}

fn fault(params: Params) -> Result<Value, ErrorObjectOwned> {
    let (code, string): (i32, String) = params.parse()?;
    Err(ErrorObjectOwned::owned(code, string, None::<()>))
}

fn add(params: Params) -> Result<i64, ErrorObjectOwned> {
    let (a, b): (i64, i64) = params.parse()?;
    Ok(a + b)
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: jsonrpsee_server_peer PORT");
    let mut module = RpcModule::new(());
    module
        .register_method("echo", |params, _, _| echo(params))
        .expect("echo");
    module
        .register_method("fault", |params, _, _| fault(params))
        .expect("fault");
    module
        .register_method("add", |params, _, _| add(params))
        .expect("add");
    let server = Server::builder()
        .build(("127.0.0.1", port))
        .await
        .expect("listen");
    server.start(module).stopped().await;
}
