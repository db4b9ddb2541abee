//! A server as operators run several of them behind a load balancer
//! (HAProxy, nginx): on a port the processes share (`SO_REUSEPORT`) and
//! each on its own Unix socket, believing `X-Forwarded-For` (or
//! `Forwarded`) from the proxies only, with a health check that fails
//! while it drains on SIGTERM. `DEPLOYMENT.md` shows it with systemd, HAProxy and nginx, and
//! `tests/scaleout/run.py` runs three of them behind both.
//!
//! ```text
//! cargo run -p xmlrpc-kit --example behind_proxy -- --name b1 \
//!     --listen http://127.0.0.1:8000 --listen unix:///run/xmlrpc/b1.sock \
//!     --reuse-port --trusted-proxies "unix, 127.0.0.2" --drain 2
//! ```
//!
//! Options: `--name NAME` (what `whoami` says), `--listen ADDR`
//! (repeatable; `systemd` for socket activation), `--reuse-port`,
//! `--trusted-proxies LIST` (addresses, networks and `unix`),
//! `--proxy-header HEADER` (the one the proxies append to:
//! `x-forwarded-for`, the default, or `forwarded`),
//! `--drain SECONDS`, `--socket-mode OCTAL` (of the Unix sockets, e.g.
//! 660 for a proxy in the socket's group), `--quiet`. Serves `add(a, b)`, `whoami()` (this
//! backend's name, its process id and the client's address as the handler
//! sees it), `forwarding()` (the `Forwarded` and `X-Forwarded-For` lines
//! it received) and `sleep(ms)`; `GET /health` answers 200, or 503 once
//! stopping.

use std::io::stderr;
use std::process::ExitCode;
use std::time::Duration;

use xmlrpc_kit::context::{Headers, Peer};
use xmlrpc_kit::front::{ForwardedHeader, TrustedProxies};
use xmlrpc_kit::{Fault, Methods, Server, Struct, Value};

fn methods(name: String) -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_multicall_functions();
    methods
        .register_function("add", |a: i64, b: i64| {
            a.checked_add(b)
                .ok_or_else(|| Fault::application("the sum does not fit in 64 bits"))
        })
        .help("add(a, b): a + b.");
    methods
        .register_function("whoami", move |Peer(client): Peer| {
            let mut answer = Struct::new();
            answer.insert("backend", Value::String(name.clone()));
            answer.insert("pid", Value::Int(std::process::id() as i32));
            answer.insert(
                "client",
                Value::String(client.map(|c| c.to_string()).unwrap_or_default()),
            );
            answer
        })
        .help("whoami(): this backend's name and process id, and the client's address as handlers see it (behind a trusted proxy, the one it forwards for).");
    methods
        .register_function("forwarding", |Headers(headers): Headers| {
            let mut answer = Struct::new();
            for name in ["forwarded", "x-forwarded-for"] {
                let lines = headers
                    .iter()
                    .filter(|(header, _)| header == name)
                    .map(|(_, value)| Value::String(value.clone()));
                answer.insert(name, Value::Array(lines.collect()));
            }
            answer
        })
        .help("forwarding(): the Forwarded and X-Forwarded-For lines of the request as this backend received them, in order: what the proxy in front passes on and appends.");
    methods
        .register_function("sleep", |ms: u32| async move {
            tokio::time::sleep(Duration::from_millis(u64::from(ms.min(10_000)))).await;
            ms
        })
        .help("sleep(ms): answers ms after ms milliseconds (at most 10 s).");
    methods
}

struct Options {
    name: String,
    listen: Vec<String>,
    reuse_port: bool,
    trusted: TrustedProxies,
    proxy_header: ForwardedHeader,
    drain: Duration,
    socket_mode: Option<u32>,
    quiet: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        name: "backend".into(),
        listen: Vec::new(),
        reuse_port: false,
        trusted: TrustedProxies::none(),
        proxy_header: ForwardedHeader::XForwardedFor,
        drain: Duration::ZERO,
        socket_mode: None,
        quiet: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} takes a value"));
        match arg.as_str() {
            "--name" => options.name = value()?,
            "--listen" => options.listen.push(value()?),
            "--reuse-port" => options.reuse_port = true,
            "--trusted-proxies" => {
                options.trusted = value()?
                    .parse()
                    .map_err(|e| format!("--trusted-proxies: {e}"))?;
            }
            "--proxy-header" => {
                options.proxy_header = value()?
                    .parse()
                    .map_err(|e| format!("--proxy-header: {e}"))?;
            }
            "--drain" => {
                let seconds: f64 = value()?
                    .parse()
                    .map_err(|_| "--drain takes a number of seconds".to_owned())?;
                options.drain = Duration::try_from_secs_f64(seconds)
                    .map_err(|_| "--drain takes a number of seconds".to_owned())?;
            }
            "--socket-mode" => {
                let mode = value()?;
                options.socket_mode = Some(
                    u32::from_str_radix(&mode, 8)
                        .map_err(|_| format!("--socket-mode takes an octal mode, not {mode:?}"))?,
                );
            }
            "--quiet" => options.quiet = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.listen.is_empty() {
        options.listen.push("http://127.0.0.1:8000".into());
    }
    Ok(options)
}

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_writer(stderr).init(); // the access log
    let options = match options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("behind_proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = Server::builder(methods(options.name.clone()));
    if let Some(mode) = options.socket_mode {
        builder = builder.unix_socket_mode(mode);
    }
    let server = builder
        .log_requests(!options.quiet)
        .reuse_port(options.reuse_port)
        .trusted_proxies(options.trusted.header(options.proxy_header))
        .health_path("/health")
        .drain(options.drain)
        .listen(&options.listen);
    let server = match server {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "behind_proxy: cannot listen on {}: {e}",
                options.listen.join(", ")
            );
            return ExitCode::from(3);
        }
    };
    eprintln!("{}: serving on {}", options.name, options.listen.join(", "));
    match server.serve_forever() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("behind_proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit::Value;
    use xmlrpc_kit::front::TrustedProxies;
    use xmlrpc_kit_test_support::server::TestServer;

    fn client_seen(server: &TestServer, forwarded_for: &str) -> Value {
        let client = xmlrpc_kit::blocking::Client::builder(&server.url())
            // Forged, and not the header the proxies write: ignored.
            .header("Forwarded", "for=198.51.100.7")
            .header("X-Forwarded-For", forwarded_for)
            .build_blocking()
            .unwrap();
        let answer = client.call_value("whoami", vec![]).unwrap();
        let Value::Struct(answer) = answer else {
            panic!("{answer:?}")
        };
        assert_eq!(answer["backend"], Value::String("b1".into()));
        answer["client"].clone()
    }

    #[test]
    fn whoami_names_the_client_a_trusted_proxy_forwards_for() {
        let trusted: TrustedProxies = "127.0.0.1".parse().unwrap();
        let behind = TestServer::start(
            xmlrpc_kit::Server::builder(super::methods("b1".into()))
                .log_requests(false)
                .trusted_proxies(trusted),
        );
        assert_eq!(
            client_seen(&behind, "203.0.113.9"),
            Value::String("203.0.113.9".into())
        );
        // Not trusting 127.0.0.1, the header is not believed.
        let direct = TestServer::start(
            xmlrpc_kit::Server::builder(super::methods("b1".into())).log_requests(false),
        );
        assert_eq!(
            client_seen(&direct, "203.0.113.9"),
            Value::String("127.0.0.1".into())
        );
    }

    #[test]
    fn forwarding_shows_the_forwarding_lines_received() {
        let server = TestServer::start(
            xmlrpc_kit::Server::builder(super::methods("b1".into())).log_requests(false),
        );
        let client = xmlrpc_kit::blocking::Client::builder(&server.url())
            .header("X-Forwarded-For", "198.51.100.8, 127.0.0.3")
            .build_blocking()
            .unwrap();
        let answer = client.call_value("forwarding", vec![]).unwrap();
        let Value::Struct(answer) = answer else {
            panic!("{answer:?}")
        };
        assert_eq!(answer["forwarded"], Value::Array(vec![]));
        assert_eq!(
            answer["x-forwarded-for"],
            Value::Array(vec![Value::String("198.51.100.8, 127.0.0.3".into())])
        );
    }
}
