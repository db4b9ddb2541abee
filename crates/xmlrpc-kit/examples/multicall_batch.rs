//! Many calls in one request (`system.multicall`) with the async client:
//! one result or fault per call, in order.
//!
//! Run with `cargo run -p xmlrpc-kit --example multicall_batch -- http://127.0.0.1:8000/RPC2`
//! against `xmlrpc-kit demo`.

use xmlrpc_kit::client::Error;
use xmlrpc_kit::{Client, Value};

async fn batch(url: &str) -> Result<Vec<String>, Error> {
    let client = Client::new(url)?;
    let mut batch = client.batch();
    batch
        .add("pow", (2, 8))
        .add("div", (7, 0))
        .add("echo", ("hi",));
    Ok(batch
        .send()
        .await?
        .into_iter()
        .map(|result| match result {
            Ok(Value::Int(i)) => i.to_string(),
            Ok(other) => format!("{other:?}"),
            Err(fault) => fault.to_string(),
        })
        .collect())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8000/RPC2".into());
    for line in batch(&url).await? {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::server::TestServer;

    #[tokio::test(flavor = "multi_thread")]
    async fn one_answer_per_call_in_order() {
        let server = TestServer::start(
            xmlrpc_kit::Server::builder_for(xmlrpc_kit_test_support::demo::dispatcher(
                xmlrpc_kit::OutputEncoding::default(),
                xmlrpc_kit::Dialect::default(),
            ))
            .log_requests(false),
        );
        assert_eq!(
            super::batch(&server.url()).await.unwrap(),
            [
                "256",
                "fault -32500: integer division or modulo by zero",
                "String(\"hi\")"
            ]
        );
    }
}
