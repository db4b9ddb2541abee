//! dxr's reqwest client as an interop peer client: `dxr_client_peer URL`
//! makes the calls of tests/interop/README.md ("A peer client program")
//! and prints `NAME<TAB>RESULT` per check. Values stay dxr `Value`s both
//! ways; the "i8" and "nil" features turn the extensions on, and the
//! multicall check goes through dxr_client's own `multicall`.

use std::collections::BTreeMap;

use dxr::{TryToValue, Value};
use dxr_client::{Client, ClientBuilder, Error, Url};

const FAULT_STRING: &str = "Too many parameters: <&> 'quoted' \"double\" é";

/// What `interop.check` answers, or `ERROR …` on one line.
fn line<T>(result: Result<T, Error>, show: impl FnOnce(T) -> String) -> String {
    match result {
        Ok(value) => show(value),
        Err(error) => format!("ERROR {}", error.to_string().replace(['\n', '\r'], " ")),
    }
}

async fn check(client: &Client, name: &str, value: Value) -> Result<String, Error> {
    client.call("interop.check", (name, value)).await
}

async fn run(client: &Client) {
    let names: Vec<String> = match client.call("interop.cases", ()).await {
        Ok(names) => names,
        Err(error) => {
            println!("cases\t{}", line::<()>(Err(error), |_| String::new()));
            return;
        }
    };
    for name in names {
        let result = async {
            let value: Value = client.call("interop.case", (name.as_str(),)).await?;
            check(client, &name, value).await
        }
        .await;
        println!("{name}\t{}", line(result, |s| s));
    }

    let result = match client.call::<_, Value>("interop.fault", (4i32, FAULT_STRING)).await {
        Err(Error::Fault { fault }) => {
            let got = Value::Array(vec![
                Value::Integer(fault.code()),
                Value::String(fault.string().to_owned()),
            ]);
            check(client, "fault", got).await
        }
        Err(error) => Err(error),
        Ok(value) => check(client, "fault", value).await,
    };
    println!("fault\t{}", line(result, |s| s));

    let result = async {
        let methods: Vec<String> = client.call("system.listMethods", ()).await?;
        check(client, "introspection.list", methods.try_to_value()?).await
    }
    .await;
    println!("introspection.list\t{}", line(result, |s| s));

    let result = async {
        let signature: Value = client.call("system.methodSignature", ("add",)).await?;
        check(client, "introspection.signature", signature).await
    }
    .await;
    println!("introspection.signature\t{}", line(result, |s| s));

    let result = async {
        let help: String = client.call("system.methodHelp", ("add",)).await?;
        check(client, "introspection.help", Value::String(help)).await
    }
    .await;
    println!("introspection.help\t{}", line(result, |s| s));

    let result = async {
        let calls: Vec<(String, Vec<Value>)> = vec![
            ("add".into(), vec![Value::Integer(2), Value::Integer(3)]),
            (
                "interop.fault".into(),
                vec![Value::Integer(4), Value::String("in a multicall".into())],
            ),
            ("echo".into(), vec![Value::String("x".into())]),
        ];
        let results = client.multicall(calls).await?;
        // Back to the wire's form: [value] for a result, a fault struct.
        let got = Value::Array(
            results
                .into_iter()
                .map(|result| match result {
                    Ok(value) => Value::Array(vec![value]),
                    Err(fault) => Value::Struct(BTreeMap::from([
                        ("faultCode".to_owned(), Value::Integer(fault.code())),
                        ("faultString".to_owned(), Value::String(fault.string().to_owned())),
                    ])),
                })
                .collect(),
        );
        check(client, "multicall", got).await
    }
    .await;
    println!("multicall\t{}", line(result, |s| s));
}

#[tokio::main]
async fn main() {
    let url = std::env::args().nth(1).expect("usage: dxr_client_peer URL");
    let client = ClientBuilder::new(Url::parse(&url).expect("a URL"))
        .user_agent("dxr-interop-peer")
        .build();
    run(&client).await;
}
