//! The client example of Python's `xmlrpc.server` documentation, in Rust: the same calls, the same output.
//!
//! Run with: `cargo run -p xmlrpc-kit-cli --example python_docs_client`
//!
//! The Python original (tests/python/python_docs_client.py) talks to a server on
//! localhost:8000; this example starts the demo server (what `xmlrpc-kit demo`
//! serves) in-process on a port the OS picks, so it runs anywhere, then
//! calls it with the blocking client:
//!
//! ```python
//! s = xmlrpc.client.ServerProxy('http://localhost:8000')
//! print(s.pow(2,3))  # Returns 2**3 = 8
//! print(s.add(2,3))  # Returns 5
//! print(s.mul(5,2))  # Returns 5*2 = 10
//! print(s.system.listMethods())
//! ```

use std::io::Write;

use xmlrpc_kit::blocking::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&mut std::io::stdout().lock())
}

/// Serves the demo, runs the documentation's client against it, writes to `out`.
fn run(out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    let server = xmlrpc_kit::Server::builder(xmlrpc_kit_test_support::demo::methods())
        .allow_none(true)
        .log_requests(false)
        .bind("127.0.0.1:0")?;
    let port = server.local_addr()?.port();
    let stop = server.shutdown_handle();
    let serving = std::thread::spawn(move || server.serve_forever());

    // No path: the client posts to /RPC2, as Python's ServerProxy does.
    let s = Client::new(&format!("http://127.0.0.1:{port}"))?;
    writeln!(out, "{}", s.call::<i64>("pow", (2, 3))?)?; // Returns 2**3 = 8
    writeln!(out, "{}", s.call::<i64>("add", (2, 3))?)?; // Returns 5
    writeln!(out, "{}", s.call::<i64>("mul", (5, 2))?)?; // Returns 5*2 = 10

    // Print list of available methods
    writeln!(out, "{}", python_list(&s.list_methods()?))?;

    stop.shutdown();
    serving.join().map_err(|_| "the server thread panicked")??;
    Ok(())
}

/// A list of strings as Python prints it: `['add', 'div']`.
fn python_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn prints_what_the_python_docs_client_prints() {
        let mut out = Vec::new();
        super::run(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "8\n5\n10\n['add', 'div', 'echo', 'mul', 'pow', 'system.getCapabilities', 'system.listMethods', 'system.methodHelp', 'system.methodSignature', 'system.multicall']\n"
        );
    }
}
