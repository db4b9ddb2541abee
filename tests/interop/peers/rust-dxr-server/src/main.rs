//! dxr's axum server as an interop peer server:
//! `dxr_server_peer PORT` (127.0.0.1, path /RPC2). echo, fault, add, and
//! dxr_server's own system.multicall (feature "multicall"); dxr has no
//! introspection. The "i8" and "nil" features turn the extensions on.

use dxr::{Fault, TryFromParams, TryToValue, Value};
use dxr_server::{axum::http::HeaderMap, HandlerFn, HandlerResult, RouteBuilder, Server};

fn echo(params: &[Value], _headers: HeaderMap) -> HandlerResult {
    let (x,): (Value,) = TryFromParams::try_from_params(params).map_err(Fault::from)?;
    Ok(x)
}

fn fault(params: &[Value], _headers: HeaderMap) -> HandlerResult {
    let (code, string): (i32, String) = TryFromParams::try_from_params(params).map_err(Fault::from)?;
    Err(Fault::new(code, string))
}

fn add(params: &[Value], _headers: HeaderMap) -> HandlerResult {
    let (a, b): (i32, i32) = TryFromParams::try_from_params(params).map_err(Fault::from)?;
    (a + b).try_to_value().map_err(Fault::from)
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: dxr_server_peer PORT");
    let route = RouteBuilder::new()
        .set_path("/RPC2")
        .add_method("echo", Box::new(echo as HandlerFn))
        .add_method("fault", Box::new(fault as HandlerFn))
        .add_method("add", Box::new(add as HandlerFn))
        .build();
    Server::from_route(route)
        .serve(([127, 0, 0, 1], port).into())
        .await
        .expect("serve");
}
