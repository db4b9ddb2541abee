//! `xmlrpc-kit`: the command-line tool. A thin layer over the `xmlrpc-kit` crate:
//! the demo server (the example of Python's `xmlrpc.server` documentation, `src/demo.rs`) and the client
//! subcommands (`call`, `list`, `help`, `multicall`): how arguments become
//! values (`args`, read from files and stdin by `input`), how results are
//! printed (`output`, `xml_indent`), and the exit codes (`commands`).

use std::io::{IsTerminal as _, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory as _, Parser, Subcommand};

mod access_lines;
mod args;
mod colour;
mod commands;
// Public items in a private module: the test-support crate includes this
// file as its public `demo` module.
#[allow(unreachable_pub)]
mod demo;
mod input;
mod log_time;
mod log_writer;
mod output;
mod tls;
mod xml_indent;

use commands::{CallArgs, HelpArgs, ListArgs, MulticallArgs};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "xmlrpc-kit",
    version,
    about = "XML-RPC from the command line: servers and calls",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How `xmlrpc-kit demo` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// One line an event; an access event is its human line.
    Human,
    /// One JSON object a line, with every field.
    Json,
}

/// `xmlrpc-kit demo`'s options.
#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Address to listen on (shorthand for --listen http://HOST:PORT).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 lets the OS pick one).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Listen on ADDR; may be repeated: http://HOST:PORT, unix:///PATH.sock
    /// (HTTP on a Unix socket), scgi://HOST:PORT, scgi:///PATH.sock, or
    /// systemd (the sockets handed in by socket activation; one named scgi
    /// speaks SCGI). Default: http://127.0.0.1:8000.
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["host", "port"])]
    listen: Vec<String>,
    /// Do not log requests.
    #[arg(long)]
    quiet: bool,
    /// How the log on stderr is written: human (a line a request, as
    /// Python's, plus the fault code; colour only on a terminal and
    /// without NO_COLOR) or json (an object a line, each access field on
    /// its own: peer, http_method, path, protocol, status, bytes_in,
    /// bytes_out, rpc_method, fault_code, multicall_calls, multicall, user,
    /// user_agent, request_id, trace_id, ignored_headers, elapsed_us).
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    log_format: LogFormat,
    /// Character encoding of responses (Python's `encoding`), e.g. iso-8859-1.
    #[arg(long, default_value = "utf-8")]
    encoding: String,
    /// How responses spell what the specification leaves open: python
    /// (<i8>, <nil/>), apache (<ex:i8>, <ex:nil/>), xmlrpc-c (doubles
    /// without an exponent) or strict (the specification alone: nil and
    /// i8 results become faults).
    #[arg(long, default_value = "python", value_name = "NAME")]
    dialect: xmlrpc_kit::Dialect,
    /// Share the TCP port with other processes (SO_REUSEPORT), the kernel
    /// spreading connections among them.
    #[arg(long)]
    reuse_port: bool,
    /// Believe the client address that these proxies forward (in the
    /// header --proxy-header names) and no one else's: addresses, networks
    /// (10.0.0.0/8) and `unix` (requests over a Unix socket), separated by
    /// commas. The handlers and the access log then see the real client.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "",
        hide_default_value = true
    )]
    trusted_proxies: xmlrpc_kit::front::TrustedProxies,
    /// The header the trusted proxies append the client's address to:
    /// x-forwarded-for (nginx's $proxy_add_x_forwarded_for, HAProxy's
    /// option forwardfor) or forwarded (RFC 7239). The other header is
    /// ignored: proxies pass it on from the client, forgeries included.
    #[arg(long, value_name = "HEADER", default_value = "x-forwarded-for")]
    proxy_header: xmlrpc_kit::front::ForwardedHeader,
    /// On SIGTERM, go on answering for this long (closing each connection
    /// after its answer, failing the health check) before no longer
    /// accepting, so a load balancer moves away first (DEPLOYMENT.md).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    drain: f64,
    /// Limit each client address to this many requests a second; past it,
    /// 429 Too Many Requests with Retry-After.
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<f64>,
    /// With --rate-limit: how many requests a client may send at once
    /// before the rate applies.
    #[arg(
        long,
        value_name = "REQUESTS",
        requires = "rate_limit",
        default_value_t = 1
    )]
    rate_burst: u32,
    /// The certificate chain (PEM: the server's certificate, then any
    /// intermediates) of the https:// listeners; read again on SIGHUP.
    ///
    /// On SIGHUP the TLS files are read again: new connections get the
    /// new certificate, open ones keep theirs. A file that fails is
    /// logged as an error, naming it and saying why, and the certificate
    /// in force serves on. Under systemd: ExecReload=/bin/kill -HUP
    /// $MAINPID, and `systemctl reload` once the files are renewed.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1) of --tls-cert; read
    /// again on SIGHUP.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// Require every https:// client to present a certificate signed by a
    /// CA in this PEM file (mutual TLS); read again on SIGHUP.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_client_ca: Option<std::path::PathBuf>,
    /// Answer GET on this path with 200 ok while serving, 503 once stopping.
    #[arg(long, value_name = "PATH")]
    health_path: Option<String>,
    /// Answer GET on this path with 200 ok for as long as the server
    /// answers at all, draining included (a liveness check).
    #[arg(long, value_name = "PATH")]
    liveness_path: Option<String>,
    /// Answer GET on this path with Prometheus metrics (OpenMetrics text):
    /// calls, faults and latency by method, requests by status, bytes,
    /// connections.
    #[arg(long, value_name = "PATH")]
    metrics_path: Option<String>,
    /// Answer one request as a CGI program (REQUEST_METHOD, CONTENT_LENGTH
    /// and stdin in, headers and body on stdout), then exit.
    #[arg(long, conflicts_with_all = ["host", "port", "listen"])]
    cgi: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the example of Python's `xmlrpc.server` documentation: pow, add, div, mul and echo, with
    /// introspection and multicall, on / and /RPC2, and its documentation
    /// page on GET.
    #[command(
        after_help = "Examples:\n  xmlrpc-kit demo                      # then open http://127.0.0.1:8000/ in a browser\n  xmlrpc-kit demo --port 9000 --quiet\n  xmlrpc-kit demo --listen http://127.0.0.1:8000 --listen unix:///tmp/demo.sock --listen scgi://127.0.0.1:5000\n  python3 -c \"import xmlrpc.client as c; print(c.ServerProxy('http://127.0.0.1:8000').pow(2, 3))\"\n  xmlrpc-kit demo --listen https://127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem   # kill -HUP PID reads them again\n  xmlrpc-kit demo --cgi                # as a CGI program: point a web server's CGI configuration at it"
    )]
    Demo(DemoArgs),
    /// Call a method and print its result.
    #[command(
        after_help = commands::call_after_help(),
        override_usage = commands::CALL_USAGE
    )]
    Call(CallArgs),
    /// List the server's methods (system.listMethods).
    #[command(
        after_help = commands::list_after_help(),
        override_usage = commands::LIST_USAGE
    )]
    List(ListArgs),
    /// Show a method's help text and signatures.
    #[command(
        after_help = commands::help_after_help(),
        override_usage = commands::HELP_USAGE
    )]
    Help(HelpArgs),
    /// Make several calls in one request (system.multicall).
    #[command(
        after_help = commands::multicall_after_help(),
        override_usage = commands::MULTICALL_USAGE
    )]
    Multicall(MulticallArgs),
    /// Print the completion script of a shell for every command and
    /// option.
    #[command(
        after_help = "Examples:\n  xmlrpc-kit completions bash > ~/.local/share/bash-completion/completions/xmlrpc-kit\n  xmlrpc-kit completions zsh > ~/.zfunc/_xmlrpc-kit\n  xmlrpc-kit completions fish > ~/.config/fish/completions/xmlrpc-kit.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff), made from the same definitions as
    /// `--help`: the program's, or a command's (xmlrpc-kit-demo(1)…).
    #[command(
        after_help = "Examples:\n  xmlrpc-kit man > ~/.local/share/man/man1/xmlrpc-kit.1   # then: man xmlrpc-kit\n  xmlrpc-kit man demo > ~/.local/share/man/man1/xmlrpc-kit-demo.1   # one page a command, as xmlrpc-kit(1) lists them"
    )]
    Man {
        /// The command whose page to print; without one, the program's.
        command: Option<String>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        // The server logs from its worker threads: no stream lock may be
        // held while it runs (a held stderr lock blocks the first log line
        // forever).
        Command::Demo(args) => demo(&args),
        Command::Call(args) => one_shot(|out, err| commands::call(&args, out, err)),
        Command::List(args) => one_shot(|out, err| commands::list(&args, out, err)),
        Command::Help(args) => one_shot(|out, err| commands::help(&args, out, err)),
        Command::Multicall(args) => one_shot(|out, err| commands::multicall(&args, out, err)),
        Command::Completions { shell } => completion_script(shell),
        Command::Man { command } => manual_page(command.as_deref()),
    }
}

/// Prints the completion script of `shell`.
fn completion_script(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "xmlrpc-kit", &mut script);
    if shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 spells the state of a hyphenated program's
        // subcommands two ways in bash, so no option after a command
        // completes (clap-rs/clap#6421): the arms' spelling made the
        // loop's.
        script = String::from_utf8_lossy(&script)
            .replace("xmlrpc__subcmd__kit__subcmd__", "xmlrpc__kit__subcmd__")
            .into_bytes();
    }
    match std::io::stdout().lock().write_all(&script) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmlrpc-kit completions: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the manual page of `command` (`xmlrpc-kit-demo(1)` for `demo`),
/// or of the program.
fn manual_page(command: Option<&str>) -> ExitCode {
    let program = Cli::command();
    let page = match command {
        None => program,
        Some(name) => match program.find_subcommand(name) {
            Some(sub) => sub
                .clone()
                .name(format!("xmlrpc-kit-{name}"))
                .bin_name(format!("xmlrpc-kit {name}"))
                .version(env!("CARGO_PKG_VERSION")),
            None => {
                eprintln!("xmlrpc-kit man: no command named '{name}'");
                return ExitCode::from(2);
            }
        },
    };
    match clap_mangen::Man::new(page).render(&mut std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`| head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmlrpc-kit man: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a one-shot command with stdout and stderr locked once (its output
/// comes from this thread only) and turns its result into the exit code.
fn one_shot(
    command: impl FnOnce(
        &mut std::io::StdoutLock<'static>,
        &mut std::io::StderrLock<'static>,
    ) -> std::io::Result<u8>,
) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let status = command(&mut out, &mut err).and_then(|code| out.flush().map(|()| code));
    match status {
        Ok(code) => ExitCode::from(code),
        // Output cut short by a closed pipe (`xmlrpc-kit list … | head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "xmlrpc-kit: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo(args: &DemoArgs) -> ExitCode {
    let encoding = match xmlrpc_kit::OutputEncoding::new(&args.encoding) {
        Ok(encoding) => encoding,
        Err(e) => {
            eprintln!("xmlrpc-kit demo: --encoding: {e}");
            return ExitCode::from(2);
        }
    };
    let log = init_log(args.log_format, !args.cgi);
    let code = serve_demo(args, encoding, log.access_lines.clone());
    log.report_dropped();
    code
}

/// The demo, served over HTTP (and the other listen addresses) or
/// answering one CGI request.
fn serve_demo(
    args: &DemoArgs,
    encoding: xmlrpc_kit::OutputEncoding,
    access_lines: Option<AccessLines>,
) -> ExitCode {
    let Ok(drain) = Duration::try_from_secs_f64(args.drain) else {
        eprintln!(
            "xmlrpc-kit demo: --drain: {} is not a number of seconds",
            args.drain
        );
        return ExitCode::from(2);
    };
    let proxies = args.trusted_proxies.clone().header(args.proxy_header);
    if args.cgi {
        let handler = demo::cgi_handler(encoding, args.dialect)
            .log_requests(!args.quiet)
            .trusted_proxies(proxies);
        return match handler.handle_request(None) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xmlrpc-kit demo --cgi: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let listen = if args.listen.is_empty() {
        let host = if args.host.contains(':') {
            format!("[{}]", args.host)
        } else {
            args.host.clone()
        };
        vec![format!("http://{host}:{}", args.port)]
    } else {
        args.listen.clone()
    };
    let mut builder = xmlrpc_kit::Server::builder_for(demo::dispatcher(encoding, args.dialect))
        .documentation(demo::documentation())
        .log_requests(!args.quiet)
        .reuse_port(args.reuse_port)
        .trusted_proxies(proxies)
        .drain(drain);
    if let Some(write_line) = access_lines {
        builder = builder.access_sink(move |event| write_line(event));
    }
    if let Some(path) = &args.health_path {
        builder = builder.health_path(path.clone());
    }
    if let Some(path) = &args.liveness_path {
        builder = builder.liveness_path(path.clone());
    }
    if let Some(path) = &args.metrics_path {
        builder = builder.metrics_path(path.clone());
    }
    if let Some(per_second) = args.rate_limit {
        if !(per_second > 0.0 && per_second.is_finite()) {
            eprintln!("xmlrpc-kit demo: --rate-limit: {per_second} is not a rate above 0");
            return ExitCode::from(2);
        }
        builder = builder.rate_limit(xmlrpc_kit::front::RateLimit::per_peer(
            per_second,
            args.rate_burst,
        ));
    }
    let tls_files = tls::TlsFiles::from_args(args);
    match tls_files.as_ref().map(tls::TlsFiles::load) {
        Some(Ok(tls)) => builder = builder.tls(tls),
        Some(Err(e)) => {
            eprintln!("xmlrpc-kit demo: {e}");
            return ExitCode::from(2);
        }
        None if listen.iter().any(|a| a.starts_with("https://")) => {
            eprintln!(
                "xmlrpc-kit demo: an https:// listener needs --tls-cert FILE and --tls-key FILE"
            );
            return ExitCode::from(2);
        }
        None => {}
    }
    let server = builder.listen(&listen);
    let server = match server {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "xmlrpc-kit demo: cannot listen on {}: {e}",
                listen.join(", ")
            );
            return ExitCode::from(3);
        }
    };
    match serve_announced(server, tls_files) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmlrpc-kit demo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Bytes of lines the log may hold before it drops new ones (and counts
/// them) rather than make a request wait for stderr: 16 MiB, some 150,000
/// access lines.
const LOG_BUFFER_BYTES: usize = 16 << 20;

/// The log's writer thread, flushed when dropped, and its count of lines
/// dropped because stderr could not keep up (nothing for a log written in
/// place); and the writer of human access lines the server calls straight,
/// when the log is plain text.
struct Log {
    writer: Option<log_writer::WriterGuard>,
    access_lines: Option<AccessLines>,
}

/// Writes an access event's human line to the log (see `access_lines`).
type AccessLines = std::sync::Arc<dyn Fn(&xmlrpc_kit::front::AccessLog<'_>) + Send + Sync>;

impl Log {
    /// Says how many lines were dropped, if any (on stderr, directly).
    fn report_dropped(&self) {
        let Some(guard) = &self.writer else {
            return;
        };
        let dropped = guard.dropped_lines();
        if dropped > 0 {
            eprintln!(
                "xmlrpc-kit demo: {dropped} log lines dropped in all: stderr could not keep up \
                 (the log holds {LOG_BUFFER_BYTES} bytes)"
            );
        }
    }
}

/// Installs the log on stderr in `format`, filtered by `RUST_LOG`
/// (default `info`). A server's lines are written by a thread of their
/// own through a bounded buffer (see `log_writer`), so a slow stderr (a
/// file, a pipe) never holds up a request; past the buffer's size new
/// lines are dropped and counted. A CGI program's one line is written in
/// place, before its answer (a web server may end the program once it has
/// the answer).
fn init_log(format: LogFormat, queued: bool) -> Log {
    if !queued {
        install_log(format, std::io::stderr);
        return Log {
            writer: None,
            access_lines: None,
        };
    }
    match log_writer::queued(std::io::stderr(), LOG_BUFFER_BYTES) {
        Ok((writer, guard)) => Log {
            access_lines: install_log(format, writer),
            writer: Some(guard),
        },
        Err(e) => {
            // No thread for the log: written in place.
            install_log(format, std::io::stderr);
            eprintln!(
                "xmlrpc-kit demo: the log's writer thread could not start ({e}); writing in place"
            );
            Log {
                writer: None,
                access_lines: None,
            }
        }
    }
}

/// Installs the global subscriber writing to `writer` in `format`; for
/// plain text, with access events enabled (`RUST_LOG`), gives back the
/// writer of their lines for the server to call straight.
fn install_log<W>(format: LogFormat, writer: W) -> Option<AccessLines>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Clone + Send + Sync + 'static,
{
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let log = tracing_subscriber::fmt::layer()
        .with_writer(writer.clone())
        .with_timer(log_time::CachedUtc);
    let registry = tracing_subscriber::registry().with(filter);
    match format {
        LogFormat::Json => registry.with(log.json().flatten_event(true)).init(),
        LogFormat::Human => {
            // Colour only on a terminal, and not when NO_COLOR is set
            // (no-color.org): a log file or a pipe gets plain text.
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let ansi = std::io::stderr().is_terminal() && !no_color;
            // An access event's fields are in its human line already.
            let fields = tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
                if field.name() == "message" {
                    write!(writer, "{value:?}")
                } else if xmlrpc_kit::front::AccessLog::FIELD_NAMES.contains(&field.name()) {
                    Ok(())
                } else {
                    write!(writer, " {field}={value:?}")
                }
            });
            registry.with(log.with_ansi(ansi).fmt_fields(fields)).init();
            // Plain text: the access lines, nearly every line, written
            // straight (the same text at half the cost of an event).
            let wanted = tracing::enabled!(target: "xmlrpc_kit::access", tracing::Level::INFO);
            if !ansi && wanted {
                return Some(std::sync::Arc::new(access_lines::human_lines(writer)));
            }
        }
    }
    None
}

/// Serves until SIGTERM or SIGINT (graceful; a second one stops at once),
/// reading the TLS files again on SIGHUP, announcing each address once
/// the signal handlers are in place.
fn serve_announced(
    server: xmlrpc_kit::Server,
    tls_files: Option<tls::TlsFiles>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        tokio::spawn(server.shutdown_handle().on_signals()?);
        // On SIGHUP, the files are read again: new connections get what
        // they hold, open ones keep theirs; a file that fails is logged,
        // and the certificate in force serves on.
        #[cfg(unix)]
        if let (Some(files), Some(reload)) = (tls_files, server.tls_reload_handle()) {
            tokio::spawn(reload.on_sighup(move || files.load())?);
        }
        #[cfg(not(unix))]
        drop(tls_files);
        for address in server.addresses()? {
            match address {
                xmlrpc_kit::wire::Address::Http { .. } => {
                    eprintln!("xmlrpc-kit demo: serving on {address}/ and {address}/RPC2");
                }
                other => eprintln!("xmlrpc-kit demo: serving on {other}"),
            }
        }
        server.serve().await
    })
}
