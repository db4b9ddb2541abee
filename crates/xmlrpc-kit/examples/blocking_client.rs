//! The blocking client, for programs without an async runtime: typed
//! calls, introspection, faults kept apart from transport errors.
//!
//! Run with `cargo run -p xmlrpc-kit --example blocking_client -- http://127.0.0.1:8000/RPC2`
//! against `xmlrpc-kit demo`.

use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;

fn show(url: &str) -> Result<Vec<String>, Error> {
    let client = Client::new(url)?;
    let mut lines = vec![format!(
        "pow(2, 10) = {}",
        client.call::<i64>("pow", (2, 10))?
    )];
    for method in client.list_methods()? {
        if let Some(signatures) = client.method_signature(&method)? {
            lines.push(format!("{method}: {signatures:?}"));
        }
    }
    match client.call::<i64>("div", (1, 0)) {
        Err(Error::Fault(fault)) => {
            lines.push(format!("div(1, 0): fault {}: {}", fault.code, fault.string))
        }
        other => lines.push(format!("div(1, 0): {other:?}")),
    }
    Ok(lines)
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8000/RPC2".into());
    match show(&url) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit_test_support::server::TestServer;

    #[test]
    fn it_talks_to_the_demo() {
        let server = TestServer::start(
            xmlrpc_kit::Server::builder_for(xmlrpc_kit_test_support::demo::dispatcher(
                xmlrpc_kit::OutputEncoding::default(),
                xmlrpc_kit::Dialect::default(),
            ))
            .log_requests(false),
        );
        let lines = super::show(&server.url()).unwrap();
        assert_eq!(
            lines,
            [
                "pow(2, 10) = 1024",
                r#"add: [["int", "int", "int"], ["double", "double", "double"], ["string", "string", "string"], ["array", "array", "array"]]"#,
                r#"div: [["i8", "i8", "i8"]]"#,
                r#"echo: [["any", "any"]]"#,
                r#"mul: [["i8", "i8", "i8"]]"#,
                r#"pow: [["i8", "i8", "i8"], ["double", "i8", "i8"]]"#,
                r#"system.getCapabilities: [["struct"]]"#,
                r#"system.listMethods: [["array"]]"#,
                r#"system.methodHelp: [["string", "string"]]"#,
                r#"system.methodSignature: [["array", "string"]]"#,
                r#"system.multicall: [["array", "array"]]"#,
                "div(1, 0): fault -32500: integer division or modulo by zero",
            ]
        );
    }
}
