//! Our server for the interoperability suite's peer clients
//! (`tests/interop/README.md` says what each method answers).
//!
//! `interop_server [--port P] [--dialect NAME] [--trace]`: prints
//! `listening on PORT`, then serves on `http://127.0.0.1:PORT/RPC2` (and
//! `/`) until killed. `--trace` prints every byte each way on stderr.
//!
//! It answers JSON-RPC 2.0 too, from the same methods: a POST whose
//! `Content-Type` is `application/json` on those paths (what the
//! JSON-RPC peer clients send; XML-RPC peers never send it).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::str::FromStr;

use xmlrpc_kit::{Dialect, Fault, Methods, Server, Value};
use xmlrpc_kit_test_support::interop::{self, difference};

const ADD_HELP: &str = "add(a, b): the sum of two ints.";

fn methods(expected_list: Vec<String>) -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_multicall_functions();
    methods
        .register_function("interop.cases", || {
            interop::cases()
                .into_iter()
                .map(|c| c.name.to_owned())
                .collect::<Vec<_>>()
        })
        .signatures([["array"]])
        .help("The names of the value cases.");
    methods
        .register_function("interop.case", |name: String| {
            interop::case(&name)
                .map(|c| c.value)
                .ok_or_else(|| Fault::invalid_params(format!("no case named {name:?}")))
        })
        .help("interop.case(name): the value of the case.");
    methods
        .register_function("interop.check", move |name: String, got: Value| {
            let expected = match name.as_str() {
                "fault" => interop::expected_fault(),
                "multicall" => interop::expected_multicall(),
                "introspection.list" => Value::Array(
                    expected_list
                        .iter()
                        .map(|n| Value::String(n.clone()))
                        .collect(),
                ),
                "introspection.signature" => Value::Array(vec![Value::Array(
                    ["int", "int", "int"]
                        .map(|t| Value::String(t.into()))
                        .to_vec(),
                )]),
                "introspection.help" => Value::String(ADD_HELP.into()),
                _ => match interop::case(&name) {
                    Some(case) => case.value,
                    None => return format!("no check named {name:?}"),
                },
            };
            difference(&expected, &got).unwrap_or_else(|| "ok".to_owned())
        })
        .signatures([["string", "string", "any"]])
        .help("interop.check(name, value): \"ok\" when value is what the check expects, else what differs.");
    // Also as `fault`, the name peer servers use, so that our own client
    // can run its checks against this server too.
    for name in ["interop.fault", "fault"] {
        methods
            .register_function(name, |code: i32, string: String| {
                Err::<Value, _>(Fault::new(code, string))
            })
            .help("interop.fault(code, string): raises that fault.");
    }
    methods
        .register_function("echo", |x: Value| x)
        .help("echo(x): x.");
    methods
        .register_function("add", |a: i32, b: i32| {
            a.checked_add(b)
                .ok_or_else(|| Fault::application("the sum does not fit in an int"))
        })
        .signatures([["int", "int", "int"]])
        .help(ADD_HELP);
    methods
}

struct Args {
    port: u16,
    dialect: Dialect,
    trace: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        dialect: Dialect::default(),
        trace: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                args.port = it
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port takes a port number")?;
            }
            "--dialect" => {
                let name = it.next().ok_or("--dialect takes a name")?;
                args.dialect = Dialect::from_str(&name).map_err(|e| e.to_string())?;
            }
            "--trace" => args.trace = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("interop_server: {e}");
            return ExitCode::from(2);
        }
    };
    let expected_list = methods(Vec::new()).list_methods();
    let builder = Server::builder(methods(expected_list))
        .rpc_paths(["/", "/RPC2"])
        .allow_none(true)
        .dialect(args.dialect)
        .json_rpc(true)
        .log_requests(false);
    let inner_port = if args.trace { 0 } else { args.port };
    let server = match builder.bind(("127.0.0.1", inner_port)) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("interop_server: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut port = server.local_addr().map(|a| a.port()).unwrap_or(0);
    if args.trace {
        match trace_proxy(args.port, port) {
            Ok(public) => port = public,
            Err(e) => {
                eprintln!("interop_server: cannot listen: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("listening on {port}");
    let _ = std::io::stdout().flush();
    match server.serve_forever() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("interop_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Listens on `public` (0: any) and forwards each connection to the
/// server on `inner`, printing what passes each way on stderr.
fn trace_proxy(public: u16, inner: u16) -> std::io::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", public))?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", inner)) else {
                continue;
            };
            let (Ok(client2), Ok(server2)) = (client.try_clone(), server.try_clone()) else {
                continue;
            };
            std::thread::spawn(move || copy_traced(client, server, ">>> request"));
            std::thread::spawn(move || copy_traced(server2, client2, "<<< response"));
        }
    });
    Ok(port)
}

fn copy_traced(mut from: TcpStream, mut to: TcpStream, label: &str) {
    use std::io::Read;
    const SHOWN: usize = 4000;
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let text = String::from_utf8_lossy(&buf[..n.min(SHOWN)]);
        let cut = if n > SHOWN { " […]" } else { "" };
        eprintln!("{label} ({n} bytes)\n{text}{cut}");
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}
