//! `xmlrpc-kit call`, `list`, `help` and `multicall`: their arguments (clap),
//! and what each prints and exits with.
//!
//! Exit codes: 0 success, 1 a fault (its code and string on stderr),
//! 2 a usage error, 3 a transport error (or a response that is not XML-RPC).

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use xmlrpc_kit::client::{Direction, Error};
use xmlrpc_kit::untrusted_text::Escaped;
use xmlrpc_kit::{Fault, OutputEncoding, Value, blocking};

use crate::args::{ArgError, parse_arg, parse_call};
use crate::output::{fault_json, human, human_line, json_text, signature, to_json};

/// Exit code: the call succeeded.
pub(crate) const EXIT_SUCCESS: u8 = 0;
/// Exit code: the server answered with a fault.
pub(crate) const EXIT_FAULT: u8 = 1;
/// Exit code: the command line is wrong (an argument, the URL, an option).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code: the server could not be reached, or did not answer XML-RPC.
pub(crate) const EXIT_TRANSPORT: u8 = 3;

/// What every client subcommand accepts besides its own arguments.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ClientOptions {
    /// Give up after this many seconds (connecting included); 0 waits forever.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub(crate) timeout: f64,
    /// Print results as JSON, for scripts (a fault as {"faultCode", "faultString"});
    /// control and bidi characters in strings as \uXXXX escapes.
    #[arg(long, conflicts_with = "xml")]
    pub(crate) json: bool,
    /// Print the exact XML of each request and response instead of the result
    /// (as sent: nothing escaped).
    #[arg(long)]
    pub(crate) xml: bool,
    /// Send a header with each request, as 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub(crate) headers: Vec<String>,
    /// Character encoding of requests (Python's `encoding`), e.g. iso-8859-1.
    #[arg(long, default_value = "utf-8")]
    pub(crate) encoding: String,
    /// How requests spell what the specification leaves open: python
    /// (<i8>, <nil/>), apache (<ex:i8>, <ex:nil/>), xmlrpc-c (doubles
    /// without an exponent) or strict (the specification alone).
    #[arg(long, default_value = "python", value_name = "NAME")]
    pub(crate) dialect: xmlrpc_kit::Dialect,
    /// Trust the CA certificates in this PEM file (for https).
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<PathBuf>,
}

/// `xmlrpc-kit call URL METHOD [ARG]...`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CallArgs {
    /// The server's URL; http:// is assumed when no scheme is given, /RPC2 when no path.
    pub(crate) url: String,
    /// The method to call (dots allowed: system.listMethods).
    pub(crate) method: String,
    /// The arguments (see below for how they are typed).
    #[arg(allow_negative_numbers = true)]
    pub(crate) args: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// `xmlrpc-kit list URL`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ListArgs {
    /// The server's URL.
    pub(crate) url: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// `xmlrpc-kit help URL METHOD`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct HelpArgs {
    /// The server's URL.
    pub(crate) url: String,
    /// The method to describe.
    pub(crate) method: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// `xmlrpc-kit multicall URL CALL...`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct MulticallArgs {
    /// The server's URL.
    pub(crate) url: String,
    /// The calls, each as 'name(arg, arg, ...)' (quote them for the shell).
    #[arg(required = true, value_name = "CALL")]
    pub(crate) calls: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// Documents seen by the client's inspector, printed with `--xml`.
type Documents = Arc<Mutex<Vec<(Direction, Vec<u8>)>>>;

/// A client subcommand's run: the client, how to print, and where.
struct Session<'a> {
    client: blocking::Client,
    options: &'a ClientOptions,
    documents: Documents,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

/// Runs `xmlrpc-kit call`; returns the exit code.
pub(crate) fn call(args: &CallArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let params: Result<Vec<Value>, ArgError> = args.args.iter().map(|a| parse_arg(a)).collect();
    let params = match params {
        Ok(params) => params,
        Err(e) => return usage(err, "call", &e.to_string()),
    };
    let Some(mut session) = Session::start("call", &args.url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let result = session.client.call_value(&args.method, params);
    session.flush_xml()?;
    match result {
        Ok(value) => session.print_value(&value),
        Err(e) => session.report(&e),
    }
}

/// Runs `xmlrpc-kit list`; returns the exit code.
pub(crate) fn list(args: &ListArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let Some(mut session) = Session::start("list", &args.url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let result = session.client.list_methods();
    session.flush_xml()?;
    match result {
        Ok(_) if session.options.xml => Ok(EXIT_SUCCESS),
        Ok(names) if session.options.json => {
            writeln!(session.out, "{}", json_text(&serde_json::json!(names)))?;
            Ok(EXIT_SUCCESS)
        }
        Ok(names) => {
            for name in names {
                writeln!(session.out, "{}", Escaped::new(&name))?;
            }
            Ok(EXIT_SUCCESS)
        }
        Err(e) => session.report(&e),
    }
}

/// Runs `xmlrpc-kit help`; returns the exit code.
pub(crate) fn help(args: &HelpArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let Some(mut session) = Session::start("help", &args.url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let text = session.client.method_help(&args.method);
    session.flush_xml()?;
    let text = match text {
        Ok(text) => text,
        Err(e) => return session.report(&e),
    };
    // A server without signatures may answer a string, or a fault.
    let signatures = match session.client.method_signature(&args.method) {
        Ok(signatures) => signatures,
        Err(Error::Fault(_) | Error::Convert(_)) => None,
        Err(e) => {
            session.flush_xml()?;
            return session.report(&e);
        }
    };
    session.flush_xml()?;
    let options = session.options;
    if options.xml {
        return Ok(EXIT_SUCCESS);
    }
    if options.json {
        let json = serde_json::json!({
            "method": args.method,
            "help": text,
            "signatures": signatures,
        });
        writeln!(session.out, "{}", json_text(&json))?;
        return Ok(EXIT_SUCCESS);
    }
    let text = text.trim_end();
    if text.is_empty() {
        writeln!(session.out, "(no help text)")?;
    } else {
        writeln!(session.out, "{}", Escaped::new(text).keep_newlines())?;
    }
    writeln!(session.out)?;
    match signatures {
        Some(signatures) if !signatures.is_empty() => {
            writeln!(session.out, "Signatures:")?;
            for types in signatures {
                let line = signature(&args.method, &types);
                writeln!(session.out, "  {}", Escaped::new(&line))?;
            }
        }
        _ => writeln!(session.out, "Signatures: not given by the server")?,
    }
    Ok(EXIT_SUCCESS)
}

/// Runs `xmlrpc-kit multicall`; returns the exit code (1 if any call faulted).
pub(crate) fn multicall(
    args: &MulticallArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let calls: Result<Vec<_>, ArgError> = args.calls.iter().map(|c| parse_call(c)).collect();
    let calls = match calls {
        Ok(calls) => calls,
        Err(e) => return usage(err, "multicall", &e.to_string()),
    };
    let Some(mut session) = Session::start("multicall", &args.url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let mut batch = session.client.batch();
    for (method, params) in calls {
        batch.add(&method, params);
    }
    let results = batch.send();
    session.flush_xml()?;
    let results = match results {
        Ok(results) => results,
        Err(e) => return session.report(&e),
    };
    let code = if results.iter().any(Result::is_err) {
        EXIT_FAULT
    } else {
        EXIT_SUCCESS
    };
    let options = session.options;
    if options.xml {
        return Ok(code);
    }
    if options.json {
        let json: Vec<serde_json::Value> = results
            .iter()
            .map(|r| match r {
                Ok(value) => to_json(value),
                Err(fault) => fault_json(fault),
            })
            .collect();
        writeln!(
            session.out,
            "{}",
            json_text(&serde_json::Value::Array(json))
        )?;
        return Ok(code);
    }
    // One line per call: a string result's line feeds are escaped too.
    for (spec, result) in args.calls.iter().zip(&results) {
        match result {
            Ok(value) => writeln!(session.out, "{}: {}", spec.trim(), human_line(value))?,
            Err(fault) => writeln!(
                session.out,
                "{}: {}",
                spec.trim(),
                Escaped::new(&fault.to_string())
            )?,
        }
    }
    Ok(code)
}

fn usage(err: &mut dyn Write, command: &str, message: &str) -> io::Result<u8> {
    writeln!(err, "xmlrpc-kit {command}: {message}")?;
    Ok(EXIT_USAGE)
}

impl<'a> Session<'a> {
    /// Builds the client from the options; `None` (after saying why) on a
    /// usage error.
    fn start(
        command: &str,
        url: &str,
        options: &'a ClientOptions,
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
    ) -> io::Result<Option<Session<'a>>> {
        match Self::client(url, options) {
            Ok((client, documents)) => Ok(Some(Session {
                client,
                options,
                documents,
                out,
                err,
            })),
            Err(message) => {
                usage(err, command, &message)?;
                Ok(None)
            }
        }
    }

    fn client(url: &str, options: &ClientOptions) -> Result<(blocking::Client, Documents), String> {
        // As xmlrpc-c's tool: a URL without a scheme is http.
        let url = if url.contains("://") {
            url.to_owned()
        } else {
            format!("http://{url}")
        };
        if !(options.timeout >= 0.0 && options.timeout.is_finite()) {
            return Err(format!(
                "--timeout: {} is not a number of seconds",
                options.timeout
            ));
        }
        let timeout = (options.timeout > 0.0).then(|| Duration::from_secs_f64(options.timeout));
        let encoding =
            OutputEncoding::new(&options.encoding).map_err(|e| format!("--encoding: {e}"))?;
        let mut builder = blocking::Client::builder(&url)
            .timeout(timeout)
            .connect_timeout(timeout)
            // Asked for with n/ or null: the user wants nil sent.
            .allow_none(true)
            .encoding(encoding)
            .dialect(options.dialect);
        for header in &options.headers {
            let Some((name, value)) = header.split_once(':') else {
                return Err(format!("--header {header:?}: write it as 'Name: value'"));
            };
            builder = builder.header(name.trim(), value.trim());
        }
        if let Some(path) = &options.cacert {
            let pem =
                std::fs::read(path).map_err(|e| format!("--cacert {}: {e}", path.display()))?;
            builder = builder.add_root_certificates_pem(&pem);
        }
        let documents = Arc::new(Mutex::new(Vec::new()));
        if options.xml {
            let seen = documents.clone();
            builder = builder.inspect(move |direction, body| {
                if let Ok(mut seen) = seen.lock() {
                    seen.push((direction, body.to_vec()));
                }
            });
        }
        let client = builder.build_blocking().map_err(|e| e.to_string())?;
        Ok((client, documents))
    }

    /// With `--xml`, prints the documents exchanged so far: each request,
    /// a blank line, its response, a blank line.
    fn flush_xml(&mut self) -> io::Result<()> {
        let documents = match self.documents.lock() {
            Ok(mut documents) => std::mem::take(&mut *documents),
            Err(_) => return Ok(()),
        };
        for (_, body) in documents {
            self.out.write_all(&body)?;
            if !body.ends_with(b"\n") {
                writeln!(self.out)?;
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    fn print_value(&mut self, value: &Value) -> io::Result<u8> {
        // With --xml the response document was the output.
        if self.options.json {
            writeln!(self.out, "{}", json_text(&to_json(value)))?;
        } else if !self.options.xml {
            writeln!(self.out, "{}", human(value))?;
        }
        Ok(EXIT_SUCCESS)
    }

    /// Says why a call failed, on one line of stderr; returns the exit code.
    /// The message may quote the server (a fault string, an HTTP error
    /// body or status reason, a decode error quoting the document): it is
    /// escaped, so a line feed or an escape sequence in it cannot forge a
    /// line or act on the terminal.
    fn report(&mut self, error: &Error) -> io::Result<u8> {
        let code = match error {
            Error::Fault(fault) => {
                self.print_fault_json(fault)?;
                EXIT_FAULT
            }
            Error::InvalidUrl(_) | Error::Config(_) | Error::Encode(_) => EXIT_USAGE,
            _ => EXIT_TRANSPORT,
        };
        writeln!(self.err, "xmlrpc-kit: {}", Escaped::new(&error.to_string()))?;
        Ok(code)
    }

    fn print_fault_json(&mut self, fault: &Fault) -> io::Result<()> {
        if self.options.json {
            writeln!(self.out, "{}", json_text(&fault_json(fault)))?;
        }
        Ok(())
    }
}

/// How the server's text is printed, in every client subcommand's help.
const ESCAPES_HELP: &str = r"What the server sent is printed so that it cannot act on the terminal:
control characters, bidi controls and backslashes are escaped as in Rust
strings (\r, \u{1b}, \u{9b}, \u{202e}, \\). A string printed on its own
(a result, a help text) keeps its line feeds and tabs; elsewhere (quoted
strings, multicall lines, names, messages on stderr) they are \n and \t.
--json writes the same characters as JSON escapes (\u202e), which parse
back to the exact string; --xml prints the documents exactly as sent.";

const EXIT_STATUS_HELP: &str = "\
Exit status: 0 success, 1 the server answered a fault (code and string on
stderr), 2 a usage error, 3 a transport error (cannot connect, timeout, HTTP
status, a response that is not XML-RPC).";

/// The text after `xmlrpc-kit call --help`'s options: examples, argument forms,
/// exit status.
pub(crate) fn call_after_help() -> String {
    format!(
        "\
Examples:
  xmlrpc-kit call http://127.0.0.1:8000/RPC2 pow 2 3
  xmlrpc-kit call localhost:8000 add 2.5 1
  xmlrpc-kit call localhost:8000 echo '[1, \"two\", {{\"three\": 3}}]'
  xmlrpc-kit call localhost:8000 echo s/42
  xmlrpc-kit call localhost:8000 echo I/9000000000
  xmlrpc-kit call localhost:8000 echo dt/20260125T09:30:00
  xmlrpc-kit call --json http://user:secret@localhost:8000/RPC2 system.listMethods
  xmlrpc-kit call --xml localhost:8000 div 7 2

{}

Output: a string, date-time or base64 result as its bare text, anything
else pretty-printed (JSON-like, with dt/… and b64/… for the date-times and
base64 inside it); --json for JSON (date-times and base64 as strings);
--xml for the documents exchanged.

{ESCAPES_HELP}

{EXIT_STATUS_HELP}",
        crate::args::ARGUMENT_HELP
    )
}

/// The text after `xmlrpc-kit list --help`'s options.
pub(crate) fn list_after_help() -> String {
    format!(
        "\
Examples:
  xmlrpc-kit list http://127.0.0.1:8000/RPC2
  xmlrpc-kit list --json localhost:8000

Calls system.listMethods and prints one name per line.

{ESCAPES_HELP}

{EXIT_STATUS_HELP}"
    )
}

/// The text after `xmlrpc-kit help --help`'s options.
pub(crate) fn help_after_help() -> String {
    format!(
        "\
Examples:
  xmlrpc-kit help http://127.0.0.1:8000/RPC2 pow
  xmlrpc-kit help --json localhost:8000 system.multicall

Calls system.methodHelp and system.methodSignature and prints the help
text, then each signature as name(parameter types) -> result type.

{ESCAPES_HELP}

{EXIT_STATUS_HELP}"
    )
}

/// The text after `xmlrpc-kit multicall --help`'s options.
pub(crate) fn multicall_after_help() -> String {
    format!(
        "\
Examples:
  xmlrpc-kit multicall http://127.0.0.1:8000/RPC2 'pow(2, 3)' 'add(1, 2)' 'div(1, 0)'
  xmlrpc-kit multicall --json localhost:8000 'echo([1, 2])' 'echo(\"a, b\")' 'echo(s/42)' system.listMethods

Sends every call in one system.multicall request and prints one line per
call, in order: the call, then its result or its fault. Arguments inside the
parentheses are separated by commas and typed as for `xmlrpc-kit call` (see
`xmlrpc-kit call --help`); a quoted JSON string (\"a, b\") is a string.

{ESCAPES_HELP}

Exit status: 0 if every call succeeded, 1 if any answered a fault, 2 a usage
error, 3 a transport error."
    )
}
