//! `xmlrpc`: the command-line tool. A thin layer over the libraries.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "xmlrpc",
    version,
    about = "XML-RPC from the command line: servers and calls"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the seed's example: pow, add, div, mul and echo, with
    /// introspection and multicall, on / and /RPC2.
    #[command(
        after_help = "Examples:\n  xmlrpc demo\n  xmlrpc demo --port 9000 --quiet\n  python3 -c \"import xmlrpc.client as c; print(c.ServerProxy('http://127.0.0.1:8000').pow(2, 3))\""
    )]
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Port to listen on (0 lets the OS pick one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Do not log requests.
        #[arg(long)]
        quiet: bool,
        /// Character encoding of responses (Python's `encoding`), e.g. iso-8859-1.
        #[arg(long, default_value = "utf-8")]
        encoding: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo {
            host,
            port,
            quiet,
            encoding,
        } => demo(&host, port, quiet, &encoding),
    }
}

fn demo(host: &str, port: u16, quiet: bool, encoding: &str) -> ExitCode {
    let encoding = match xmlrpc_codec::OutputEncoding::new(encoding) {
        Ok(encoding) => encoding,
        Err(e) => {
            eprintln!("xmlrpc demo: --encoding: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let server = xmlrpc_http::Server::builder(xmlrpc_cli::demo::methods())
        .allow_none(true)
        .encoding(encoding)
        .log_requests(!quiet)
        .bind((host, port));
    let server = match server {
        Ok(server) => server,
        Err(e) => {
            eprintln!("xmlrpc demo: cannot listen on {host}:{port}: {e}");
            return ExitCode::from(3);
        }
    };
    match server.local_addr() {
        Ok(addr) => eprintln!("xmlrpc demo: serving on http://{addr}/ and http://{addr}/RPC2"),
        Err(e) => eprintln!("xmlrpc demo: serving (address unknown: {e})"),
    }
    match server.serve_forever() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmlrpc demo: {e}");
            ExitCode::FAILURE
        }
    }
}
