//! jsonrpsee's HTTP client as an interop peer client (JSON-RPC 2.0):
//! `jsonrpsee_client_peer URL` makes the calls of tests/interop/README.md
//! ("A peer client program") and prints `NAME<TAB>RESULT` per check.
//! Values stay `serde_json::Value`s both ways (a base64 or dateTime case
//! is an object, `{"$base64": …}`, sent back as it came); the fault is a
//! `ClientError::Call`; the multicall check goes as one
//! `BatchRequestBuilder` batch, its results turned back into
//! system.multicall's form to be judged.

use jsonrpsee_core::client::{ClientT, Error};
use jsonrpsee_core::params::BatchRequestBuilder;
use jsonrpsee_core::rpc_params;
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use serde_json::{json, Value};

const FAULT_STRING: &str = "Too many parameters: <&> 'quoted' \"double\" é";

/// What `interop.check` answered, or `ERROR …` on one line.
fn line(result: Result<String, Error>) -> String {
    match result {
        Ok(text) => text,
        Err(Error::Call(e)) => format!("ERROR fault {}: {}", e.code(), e.message()),
        Err(e) => format!("ERROR {}", e.to_string().replace(['\n', '\r'], " ")),
    }
}

async fn check(client: &HttpClient, name: &str, value: Value) -> Result<String, Error> {
    client
        .request("interop.check", rpc_params![name, value])
        .await
}

async fn checked(client: &HttpClient, name: &str, method: &str, params: Vec<Value>) -> String {
    let mut builder = jsonrpsee_core::params::ArrayParams::new();
    for p in params {
        builder.insert(p).expect("a JSON value");
    }
    let result = async {
        let value: Value = client.request(method, builder).await?;
        check(client, name, value).await
    }
    .await;
    line(result)
}

async fn run(client: &HttpClient) {
    let names: Vec<String> = match client.request("interop.cases", rpc_params![]).await {
        Ok(names) => names,
        Err(e) => {
            println!("cases\t{}", line(Err(e)));
            return;
        }
    };
    for name in names {
        let result = checked(client, &name, "interop.case", vec![json!(name)]).await;
        println!("{name}\t{result}");
    }

    let result = match client
        .request::<Value, _>("interop.fault", rpc_params![4, FAULT_STRING])
        .await
    {
        Err(Error::Call(e)) => check(client, "fault", json!([e.code(), e.message()])).await,
        Err(e) => Err(e),
        Ok(value) => Ok(format!("ERROR no fault raised: {value}")),
    };
    println!("fault\t{}", line(result));

    let result = checked(client, "introspection.list", "system.listMethods", vec![]).await;
    println!("introspection.list\t{result}");
    let result = checked(
        client,
        "introspection.signature",
        "system.methodSignature",
        vec![json!("add")],
    )
    .await;
    println!("introspection.signature\t{result}");
    let result = checked(
        client,
        "introspection.help",
        "system.methodHelp",
        vec![json!("add")],
    )
    .await;
    println!("introspection.help\t{result}");

    let result = async {
        let mut batch = BatchRequestBuilder::new();
        batch.insert("add", rpc_params![2, 3]).expect("params");
        batch
            .insert("interop.fault", rpc_params![4, "in a multicall"])
            .expect("params");
        batch.insert("echo", rpc_params!["x"]).expect("params");
        let answers = client.batch_request::<Value>(batch).await?;
        // Back to system.multicall's form: [value] for a result, a fault struct.
        let got: Vec<Value> = answers
            .into_iter()
            .map(|answer| match answer {
                Ok(value) => json!([value]),
                Err(e) => json!({"faultCode": e.code(), "faultString": e.message()}),
            })
            .collect();
        check(client, "multicall", Value::Array(got)).await
    }
    .await;
    println!("multicall\t{}", line(result));
}

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: jsonrpsee_client_peer URL");
    let client = HttpClientBuilder::default().build(url).expect("a URL");
    run(&client).await;
}
