//! `xmlrpc-kit call`, `list`, `help` and `multicall`: their arguments (clap),
//! and what each prints and exits with.
//!
//! Exit codes: 0 success, 1 a fault (its code and string on stderr),
//! 2 a usage error, 3 a transport error (or a response that is not XML-RPC).

use std::io::{self, IsTerminal as _, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xmlrpc_kit::client::{Direction, Error, HttpHead, RetryPolicy};
use xmlrpc_kit::untrusted_text::Escaped;
use xmlrpc_kit::{Fault, OutputEncoding, Value, blocking};

use crate::args::{ArgError, parse_call};
use crate::input::Inputs;
use crate::output::{fault_json, human, human_line, json_pretty, json_text, signature, to_json};

/// Exit code: the call succeeded.
pub(crate) const EXIT_SUCCESS: u8 = 0;
/// Exit code: the server answered with a fault.
pub(crate) const EXIT_FAULT: u8 = 1;
/// Exit code: the command line is wrong (an argument, the URL, an option).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code: the server could not be reached, or did not answer XML-RPC.
pub(crate) const EXIT_TRANSPORT: u8 = 3;

/// The variable `--user`'s password is taken from.
pub(crate) const PASSWORD_ENV: &str = "XMLRPC_PASSWORD";

/// `xmlrpc-kit call`'s usage line (the URL may be left out: `--url`).
pub(crate) const CALL_USAGE: &str = "xmlrpc-kit call [OPTIONS] [URL] METHOD [ARGS]...";
/// `xmlrpc-kit list`'s usage line.
pub(crate) const LIST_USAGE: &str = "xmlrpc-kit list [OPTIONS] [URL]";
/// `xmlrpc-kit help`'s usage line.
pub(crate) const HELP_USAGE: &str = "xmlrpc-kit help [OPTIONS] [URL] METHOD";
/// `xmlrpc-kit multicall`'s usage line.
pub(crate) const MULTICALL_USAGE: &str = "xmlrpc-kit multicall [OPTIONS] [URL] CALL...";

/// What every client subcommand accepts besides its own arguments.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ClientOptions {
    /// The server's URL, for a command line that gives none: the URL
    /// argument is then left out (one given still wins).
    #[arg(long, env = "XMLRPC_URL", value_name = "URL")]
    pub(crate) url: Option<String>,
    /// Log in with HTTP basic authentication as NAME, the password taken
    /// from XMLRPC_PASSWORD or else asked for on the terminal (not echoed;
    /// standard input must be the terminal). Never printed, and kept out
    /// of the URL, shell history and `ps`.
    #[arg(long, env = "XMLRPC_USER", value_name = "NAME")]
    pub(crate) user: Option<String>,
    /// Give up after this many seconds (connecting included); 0 waits forever.
    #[arg(
        long,
        env = "XMLRPC_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 30.0
    )]
    pub(crate) timeout: f64,
    /// Send a call again up to N times when it fails in a way that may
    /// pass (see Retries below); 0 sends it once.
    #[arg(long, env = "XMLRPC_RETRIES", value_name = "N", default_value_t = 0)]
    pub(crate) retries: u32,
    /// Give up after this many seconds in all, every attempt of
    /// --retries and the waits between included (--timeout still bounds
    /// each attempt).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) retry_deadline: Option<f64>,
    /// With --retries: the methods called are safe to run twice, so a
    /// 429, 502, 503, 504 or a connection closed before the answer is
    /// retried for them too (see Retries below for why it is not by
    /// default).
    #[arg(long)]
    pub(crate) idempotent: bool,
    /// Print results as JSON, for scripts (a fault as {"faultCode", "faultString"}),
    /// indented and coloured on a terminal (no colour with NO_COLOR set)
    /// and one line when piped; control and bidi characters in strings as
    /// \uXXXX escapes.
    #[arg(long, conflicts_with = "xml")]
    pub(crate) json: bool,
    /// Speak JSON-RPC 2.0 instead of XML-RPC: the same calls, arguments
    /// and results, posted as application/json (a multicall becomes a
    /// JSON-RPC batch).
    #[arg(long, conflicts_with = "xml")]
    pub(crate) json_rpc: bool,
    /// Print the exact XML of each request and response instead of the result
    /// (as sent: nothing escaped; indented on a terminal, as sent when piped).
    #[arg(long)]
    pub(crate) xml: bool,
    /// Tell on stderr what goes over the wire, as curl -v does: the URL
    /// (its password hidden), each request's line and headers as sent
    /// (credentials not shown) and its size, each response's status line
    /// and headers as received, its size and the time it took.
    #[arg(short, long)]
    pub(crate) verbose: bool,
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

/// `xmlrpc-kit call [URL] METHOD [ARG]...`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CallArgs {
    /// The server's URL (left out with --url or XMLRPC_URL); http:// is
    /// assumed when no scheme is given, /RPC2 when no path.
    #[arg(value_name = "URL", allow_negative_numbers = true)]
    pub(crate) target: String,
    /// The method to call (dots allowed: system.listMethods).
    #[arg(allow_negative_numbers = true)]
    pub(crate) method: Option<String>,
    /// The arguments (see below for how they are typed, and read from
    /// files or standard input).
    #[arg(allow_negative_numbers = true)]
    pub(crate) args: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// `xmlrpc-kit list [URL]`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ListArgs {
    /// The server's URL (left out with --url or XMLRPC_URL).
    #[arg(value_name = "URL")]
    pub(crate) target: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// `xmlrpc-kit help [URL] METHOD`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct HelpArgs {
    /// The server's URL (left out with --url or XMLRPC_URL).
    #[arg(value_name = "URL")]
    pub(crate) target: String,
    /// The method to describe.
    pub(crate) method: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// `xmlrpc-kit multicall [URL] CALL...`
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct MulticallArgs {
    /// The server's URL (left out with --url or XMLRPC_URL).
    #[arg(value_name = "URL")]
    pub(crate) target: String,
    /// The calls, each as 'name(arg, arg, ...)' (quote them for the shell),
    /// or - or @FILE to read one from standard input or a file.
    #[arg(value_name = "CALL")]
    pub(crate) calls: Vec<String>,
    /// Read more calls from FILE (- for standard input), one per line,
    /// after the CALL arguments; blank lines and lines starting with #
    /// are skipped. Any number: they are sent in as many requests as the
    /// server takes.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub(crate) file: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub(crate) options: ClientOptions,
}

/// The URL, and the words after it, of a command line that may leave the
/// URL out (`--url`, `XMLRPC_URL`): without one of those, the first word
/// is the URL; with one, the first word is the URL only if it looks like
/// one ([`looks_like_url`]), else every word is a method's or a call's.
fn url_and_words(words: Vec<String>, known: Option<&str>) -> (Option<String>, Vec<String>) {
    let first_is_url = words.first().is_some_and(|word| looks_like_url(word));
    match known {
        Some(url) if !first_is_url => (Some(url.to_owned()), words),
        _ => {
            let mut words = words.into_iter();
            (words.next(), words.collect())
        }
    }
}

/// `scheme://…` or `HOST:PORT[/PATH]`: what no method name or call looks
/// like.
fn looks_like_url(word: &str) -> bool {
    if word.contains("://") {
        return true;
    }
    let authority = word.split('/').next().unwrap_or_default();
    authority.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty()
            && !host.contains(['(', ' ', '"'])
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Documents seen by the client's inspector: which, its size, when, and
/// (for `--xml`) its bytes.
type Documents = Arc<Mutex<Vec<Seen>>>;

/// One document or HTTP head the inspectors saw.
#[derive(Debug)]
struct Seen {
    direction: Direction,
    len: usize,
    at: Instant,
    body: Option<Vec<u8>>,
    /// An HTTP head (with `--verbose`), not a document.
    head: Option<HttpHead>,
}

/// A client subcommand's run: the client, how to print, and where.
struct Session<'a> {
    client: blocking::Client,
    options: &'a ClientOptions,
    documents: Documents,
    /// With `--verbose`: `* POST URL`, the password hidden.
    calling: String,
    /// Stdout is a terminal: `--json` and `--xml` indented.
    terminal: bool,
    /// Results coloured (a terminal, and no `NO_COLOR`).
    colour: bool,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

/// Runs `xmlrpc-kit call`; returns the exit code.
pub(crate) fn call(args: &CallArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let words = std::iter::once(args.target.clone())
        .chain(args.method.clone())
        .chain(args.args.iter().cloned())
        .collect();
    let (url, words) = url_and_words(words, args.options.url.as_deref());
    let Some(url) = url else {
        return usage_with_line(
            err,
            "call",
            "no URL: give it first, or with --url or XMLRPC_URL",
            CALL_USAGE,
        );
    };
    let Some((method, words)) = words.split_first() else {
        return usage_with_line(err, "call", "no METHOD to call", CALL_USAGE);
    };
    let mut inputs = Inputs::new(io::stdin().lock());
    let params: Result<Vec<Value>, ArgError> = words.iter().map(|a| inputs.value(a)).collect();
    let params = match params {
        Ok(params) => params,
        Err(e) => return usage(err, "call", &e.to_string()),
    };
    let Some(mut session) = Session::start("call", &url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let result = session.client.call_value(method, params);
    session.flush_exchange()?;
    match result {
        Ok(value) => session.print_value(&value),
        Err(e) => session.report(&e),
    }
}

/// Runs `xmlrpc-kit list`; returns the exit code.
pub(crate) fn list(args: &ListArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let Some(url) = args.target.as_ref().or(args.options.url.as_ref()) else {
        return usage_with_line(
            err,
            "list",
            "no URL: give it, or with --url or XMLRPC_URL",
            LIST_USAGE,
        );
    };
    let Some(mut session) = Session::start("list", url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let result = session.client.list_methods();
    session.flush_exchange()?;
    match result {
        Ok(_) if session.options.xml => Ok(EXIT_SUCCESS),
        Ok(names) if session.options.json => {
            let json = session.json(&serde_json::json!(names));
            writeln!(session.out, "{json}")?;
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
    // Two words are the URL and the method; one is the method.
    let (url, method) = match &args.method {
        Some(method) => (Some(&args.target), method),
        None => (args.options.url.as_ref(), &args.target),
    };
    let Some(url) = url else {
        return usage_with_line(
            err,
            "help",
            "no METHOD, or no URL: give the URL first, or with --url or XMLRPC_URL",
            HELP_USAGE,
        );
    };
    let Some(mut session) = Session::start("help", url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let text = session.client.method_help(method);
    session.flush_exchange()?;
    let text = match text {
        Ok(text) => text,
        Err(e) => return session.report(&e),
    };
    // A server without signatures may answer a string, or a fault.
    let signatures = match session.client.method_signature(method) {
        Ok(signatures) => signatures,
        Err(Error::Fault(_) | Error::Convert(_)) => None,
        Err(e) => {
            session.flush_exchange()?;
            return session.report(&e);
        }
    };
    session.flush_exchange()?;
    let options = session.options;
    if options.xml {
        return Ok(EXIT_SUCCESS);
    }
    if options.json {
        let json = session.json(&serde_json::json!({
            "method": method,
            "help": text,
            "signatures": signatures,
        }));
        writeln!(session.out, "{json}")?;
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
                let line = signature(method, &types);
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
    let words = std::iter::once(args.target.clone())
        .chain(args.calls.iter().cloned())
        .collect();
    let (url, specs) = url_and_words(words, args.options.url.as_deref());
    let Some(url) = url else {
        return usage_with_line(
            err,
            "multicall",
            "no URL: give it first, or with --url or XMLRPC_URL",
            MULTICALL_USAGE,
        );
    };
    let mut inputs = Inputs::new(io::stdin().lock());
    // `--file`: one call a line, after the CALL arguments; each line is a
    // call as written (not `@FILE` or `-`), its arguments read as any.
    let mut lines = Vec::new();
    if let Some(file) = &args.file {
        let text = if file == "-" {
            inputs.text("-").map(std::borrow::Cow::into_owned)
        } else {
            std::fs::read_to_string(file).map_err(|e| ArgError {
                arg: file.clone(),
                reason: format!("cannot read {file}: {e}"),
            })
        };
        match text {
            Ok(text) => lines.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty() && !line.starts_with('#'))
                    .map(str::to_owned),
            ),
            Err(e) => return usage(err, "multicall", &format!("--file: {e}")),
        }
    }
    if specs.is_empty() && lines.is_empty() {
        return usage_with_line(err, "multicall", "no CALL to make", MULTICALL_USAGE);
    }
    // Each call's text (read from a file or stdin for `@FILE`, `-`), then
    // its arguments, which may be `@FILE` or `-` too.
    let mut texts = Vec::with_capacity(specs.len() + lines.len());
    let mut calls = Vec::with_capacity(specs.len() + lines.len());
    let given = specs.iter().map(|spec| (spec, true));
    for (spec, resolve) in given.chain(lines.iter().map(|line| (line, false))) {
        let text = if resolve {
            inputs.text(spec).map(std::borrow::Cow::into_owned)
        } else {
            Ok(spec.clone())
        };
        let parsed = text.and_then(|text| {
            let call = parse_call(&text, &mut |arg| inputs.value(arg)).map_err(|e| ArgError {
                arg: spec.clone(),
                reason: e.reason,
            })?;
            Ok((text, call))
        });
        match parsed {
            Ok((text, call)) => {
                texts.push(text);
                calls.push(call);
            }
            Err(e) => return usage(err, "multicall", &e.to_string()),
        }
    }
    let Some(mut session) = Session::start("multicall", &url, &args.options, out, err)? else {
        return Ok(EXIT_USAGE);
    };
    let mut batch = session.client.batch();
    for (method, params) in calls {
        batch.add(&method, params);
    }
    let results = batch.send();
    session.flush_exchange()?;
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
        let json = session.json(&serde_json::Value::Array(json));
        writeln!(session.out, "{json}")?;
        return Ok(code);
    }
    // One line per call: a string result's line feeds are escaped too.
    for (text, result) in texts.iter().zip(&results) {
        match result {
            Ok(value) => writeln!(session.out, "{}: {}", text.trim(), human_line(value))?,
            Err(fault) => writeln!(
                session.out,
                "{}: {}",
                text.trim(),
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

/// A usage error with the command's usage line, as clap's own say it.
fn usage_with_line(
    err: &mut dyn Write,
    command: &str,
    message: &str,
    line: &str,
) -> io::Result<u8> {
    writeln!(
        err,
        "xmlrpc-kit {command}: {message}\n\nUsage: {line}\n\nFor more information, try '--help'."
    )?;
    Ok(EXIT_USAGE)
}

/// The retry policy of `--retries N` (none for 0), `--retry-deadline`
/// and `--idempotent`: the library's, with N + 1 attempts.
fn retry_policy(options: &ClientOptions) -> Result<Option<RetryPolicy>, String> {
    if options.retries == 0 && options.retry_deadline.is_none() {
        return Ok(None);
    }
    let mut policy = RetryPolicy::new().max_attempts(options.retries.saturating_add(1));
    if let Some(seconds) = options.retry_deadline {
        if !(seconds > 0.0 && seconds.is_finite()) {
            return Err(format!(
                "--retry-deadline: {seconds} is not a positive number of seconds"
            ));
        }
        policy = policy.deadline(Duration::from_secs_f64(seconds));
    }
    if options.idempotent {
        policy = policy.idempotent_if(|_| true);
    }
    Ok(Some(policy))
}

/// The password of `--user NAME`: `XMLRPC_PASSWORD`'s, else asked for on
/// the terminal without echo.
fn password(user: &str) -> Result<String, String> {
    if let Some(password) = std::env::var_os(PASSWORD_ENV) {
        return password
            .into_string()
            .map_err(|_| format!("{PASSWORD_ENV} is not UTF-8 text"));
    }
    if !io::stdin().is_terminal() {
        return Err(format!(
            "--user {user}: no password: set {PASSWORD_ENV}, or run on a terminal to be asked for it"
        ));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map_err(|e| format!("--user {user}: cannot read the password from the terminal: {e}"))
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
            Ok((client, documents, calling)) => Ok(Some(Session {
                client,
                options,
                documents,
                calling,
                terminal: io::stdout().is_terminal(),
                colour: crate::colour::wanted(),
                out,
                err,
            })),
            Err(message) => {
                usage(err, command, &message)?;
                Ok(None)
            }
        }
    }

    fn client(
        url: &str,
        options: &ClientOptions,
    ) -> Result<(blocking::Client, Documents, String), String> {
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
        let retry = retry_policy(options)?;
        let encoding =
            OutputEncoding::new(&options.encoding).map_err(|e| format!("--encoding: {e}"))?;
        let mut builder = blocking::Client::builder(&url)
            .timeout(timeout)
            .connect_timeout(timeout)
            // Asked for with n/ or null: the user wants nil sent.
            .allow_none(true)
            .encoding(encoding)
            .dialect(options.dialect);
        if options.json_rpc {
            builder = builder.protocol(xmlrpc_kit::Protocol::JsonRpc);
        }
        if let Some(policy) = retry {
            builder = builder.retry(policy);
        }
        if let Some(user) = &options.user {
            if user.contains(':') {
                return Err(format!(
                    "--user {user:?}: basic authentication's user name cannot hold ':'"
                ));
            }
            builder = builder.basic_auth(user, password(user)?);
        }
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
        if options.xml || options.verbose {
            let seen = documents.clone();
            let keep = options.xml;
            builder = builder.inspect(move |direction, body| {
                if let Ok(mut seen) = seen.lock() {
                    seen.push(Seen {
                        direction,
                        len: body.len(),
                        at: Instant::now(),
                        body: keep.then(|| body.to_vec()),
                        head: None,
                    });
                }
            });
        }
        if options.verbose {
            let seen = documents.clone();
            builder = builder.inspect_heads(move |direction, head| {
                if let Ok(mut seen) = seen.lock() {
                    seen.push(Seen {
                        direction,
                        len: 0,
                        at: Instant::now(),
                        body: None,
                        head: Some(head.clone()),
                    });
                }
            });
        }
        let client = builder.build_blocking().map_err(|e| e.to_string())?;
        // The client's URL hides a password in it as `***`.
        let calling = format!("* POST {}", Escaped::new(client.url()));
        Ok((client, documents, calling))
    }

    /// Prints what was exchanged so far: with `--verbose`, each request
    /// and response told on stderr; with `--xml`, each document on
    /// stdout (indented on a terminal), a blank line after each.
    fn flush_exchange(&mut self) -> io::Result<()> {
        let documents = match self.documents.lock() {
            Ok(mut documents) => std::mem::take(&mut *documents),
            Err(_) => return Ok(()),
        };
        let mut sent_at = None;
        // A request document's size, said after its head (the client
        // shows the document first, then sends it).
        let mut request_len = None;
        for seen in documents {
            if self.options.verbose {
                match (seen.direction, &seen.head) {
                    (Direction::Request, None) => {
                        sent_at = Some(seen.at);
                        request_len = Some(seen.len);
                        writeln!(self.err, "{}", self.calling)?;
                    }
                    (direction, Some(head)) => {
                        write_head(self.err, direction, head)?;
                        if let Some(len) = request_len.take() {
                            writeln!(self.err, "> {len} bytes of XML")?;
                        }
                    }
                    (Direction::Response, None) => {
                        // No HTTP head (SCGI): the request's size now.
                        if let Some(len) = request_len.take() {
                            writeln!(self.err, "> {len} bytes of XML")?;
                        }
                        let after = sent_at
                            .map(|at| {
                                format!(
                                    " after {:.1} ms",
                                    seen.at.duration_since(at).as_secs_f64() * 1000.0
                                )
                            })
                            .unwrap_or_default();
                        writeln!(self.err, "< {} bytes of XML{after}", seen.len)?;
                    }
                }
            }
            if let Some(body) = seen.body {
                if self.terminal {
                    self.out.write_all(&crate::xml_indent::indent(&body))?;
                } else {
                    self.out.write_all(&body)?;
                    if !body.ends_with(b"\n") {
                        writeln!(self.out)?;
                    }
                }
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    /// `--json`'s text: indented on a terminal, one line when piped.
    fn json(&self, value: &serde_json::Value) -> String {
        if self.terminal {
            json_pretty(value)
        } else {
            json_text(value)
        }
    }

    fn print_value(&mut self, value: &Value) -> io::Result<u8> {
        // With --xml the response document was the output.
        if self.options.json {
            let json = self.json(&to_json(value));
            writeln!(self.out, "{}", self.coloured(json))?;
        } else if !self.options.xml {
            let text = human(value);
            // A string, date-time or base64 result is bare text.
            let bare = matches!(
                value,
                Value::String(_) | Value::DateTime(_) | Value::Base64(_)
            );
            writeln!(
                self.out,
                "{}",
                if bare { text } else { self.coloured(text) }
            )?;
        }
        Ok(EXIT_SUCCESS)
    }

    /// `text`, coloured when results are.
    fn coloured(&self, text: String) -> String {
        if self.colour {
            crate::colour::highlight(&text)
        } else {
            text
        }
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
            // One of a batch's requests answered a fault as a whole.
            Error::Batch(batch) if batch.error().fault().is_some() => EXIT_FAULT,
            _ => EXIT_TRANSPORT,
        };
        writeln!(self.err, "xmlrpc-kit: {}", Escaped::new(&error.to_string()))?;
        Ok(code)
    }

    fn print_fault_json(&mut self, fault: &Fault) -> io::Result<()> {
        if self.options.json {
            let json = self.json(&fault_json(fault));
            writeln!(self.out, "{json}")?;
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
back to the exact string; --xml prints the documents as sent (indented on
a terminal, byte for byte when piped).";

/// The variables every client subcommand reads, in its help.
const ENVIRONMENT_HELP: &str = "\
Environment: XMLRPC_URL, XMLRPC_USER, XMLRPC_TIMEOUT and XMLRPC_RETRIES
stand for --url, --user, --timeout and --retries when those are not given;
XMLRPC_PASSWORD is the password of --user (without it, it is asked for on
the terminal).";

/// What `--retries` retries, and why `--idempotent` exists, in every
/// client subcommand's help.
const RETRIES_HELP: &str = "\
Retries: with --retries N, a call that could not connect (refused, reset,
unreachable: the server restarting) is sent again up to N times, after an
exponential backoff with jitter (200 ms, then 400 ms, ... at most 10 s) or
the wait the server's Retry-After asks for; --retry-deadline bounds the
whole. A 429, 502, 503 or 504, or a connection closed before the answer,
is retried only for idempotent methods: the introspection ones
(system.listMethods, system.methodHelp, system.methodSignature), and with
--idempotent the methods called. Why not every method: an XML-RPC call may
change the server's state (wp.newPost, supervisor.startProcess), and once
the request has left, such a failure does not tell whether the server ran
it; sending it again could run it twice. Give --idempotent when the call
only reads, or is safe to repeat. The error after the last attempt says
how many were made.";

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
  xmlrpc-kit call --json localhost:8000 echo '{{\"at\": {{\"$dateTime\": \"20260125T09:30:00\"}}, \"data\": {{\"$base64\": \"aGVsbG8=\"}}}}'   # prints it back
  xmlrpc-kit call --xml localhost:8000 div 7 2
  echo hello | xmlrpc-kit call localhost:8000 echo -
  echo '[1, 2]' > list.json && xmlrpc-kit call localhost:8000 echo @list.json
  xmlrpc-kit call localhost:8000 echo @@home   # the string @home
  XMLRPC_PASSWORD=secret xmlrpc-kit call --json --user alice localhost:8000 system.listMethods   # without XMLRPC_PASSWORD, asks
  XMLRPC_URL=localhost:8000 xmlrpc-kit call pow 2 3
  xmlrpc-kit call -v localhost:8000 pow 2 3   # the exchange told on stderr
  xmlrpc-kit call --retries 3 --retry-deadline 20 localhost:8000 system.listMethods   # through a restart, a 503
  xmlrpc-kit call --retries 3 --idempotent localhost:8000 pow 2 3   # pow only reads: retried after a 503 too

With --url or XMLRPC_URL the URL argument is left out; a first word that
looks like a URL (scheme://…, or HOST:PORT[/PATH]) is still taken as one.

{}

{}

Output: a string, date-time or base64 result as its bare text, anything
else pretty-printed (JSON-like, with dt/… and b64/… for the date-times and
base64 inside it). --json writes JSON that reads back as the same value
inside a JSON argument ('[…]' or '{{…}}'): date-times, base64, an i8 within
32 bits and a one-member struct named $… as the typed values above
({{\"$dateTime\": \"…\"}}, {{\"$base64\": \"…\"}}, {{\"$i8\": 42}},
{{\"$struct\": {{…}}}}), nil as null; indented on a terminal, one line
when piped. --xml prints the documents
exchanged. -v tells the exchange on stderr: the URL, the headers the
command adds (a password never), the request's size, the response's
status, size and time.

{ESCAPES_HELP}

{RETRIES_HELP}

{ENVIRONMENT_HELP}

{EXIT_STATUS_HELP}",
        crate::args::ARGUMENT_HELP,
        crate::input::INPUT_HELP,
    )
}

/// The text after `xmlrpc-kit list --help`'s options.
pub(crate) fn list_after_help() -> String {
    format!(
        "\
Examples:
  xmlrpc-kit list http://127.0.0.1:8000/RPC2
  xmlrpc-kit list --json localhost:8000
  XMLRPC_RETRIES=2 xmlrpc-kit list localhost:8000   # sent again after a refused connection or a 503
  XMLRPC_URL=localhost:8000 xmlrpc-kit list

Calls system.listMethods and prints one name per line.

{ESCAPES_HELP}

{RETRIES_HELP}

{ENVIRONMENT_HELP}

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
  xmlrpc-kit help --url localhost:8000 mul

Calls system.methodHelp and system.methodSignature and prints the help
text, then each signature as name(parameter types) -> result type. With
--url or XMLRPC_URL, one word is the method.

{ESCAPES_HELP}

{RETRIES_HELP}

{ENVIRONMENT_HELP}

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
  echo 2 | xmlrpc-kit multicall localhost:8000 'pow(2, 10)' 'add(1, -)'
  echo 'mul(6, 7)' > call.txt && xmlrpc-kit multicall localhost:8000 @call.txt
  seq 2000 | sed 's/.*/add(&, 1)/' > calls.txt && xmlrpc-kit multicall --file calls.txt localhost:8000 | tail -n 1
  xmlrpc-kit multicall --retries 2 --idempotent localhost:8000 'pow(2, 3)' 'mul(6, 7)'

Sends the calls with system.multicall and prints one line per call, in
order: the call, then its result or its fault. Any number of calls: they go
in as many requests as the server takes (the limit it advertises in
system.getCapabilities, else 1,000 calls a request), one after the other;
if one of those requests fails as a whole, the message says which calls
were answered and which were not sent, and nothing is printed. Arguments inside the
parentheses are separated by commas and typed as for `xmlrpc-kit call` (see
`xmlrpc-kit call --help`); a quoted JSON string (\"a, b\") is a string. A
whole call, or an argument inside one, may be read from standard input (-
or @-) or a file (@FILE); @@ stands for a leading @. --file FILE reads
calls one per line (see --file). With --url or XMLRPC_URL the URL argument
is left out.

{ESCAPES_HELP}

{RETRIES_HELP}

{ENVIRONMENT_HELP}

Exit status: 0 if every call succeeded, 1 if any answered a fault, 2 a usage
error, 3 a transport error."
    )
}

/// An HTTP head as `-v` tells it, `>` for a request and `<` for a
/// response: its line, then each header, the peer's text escaped and a
/// basic-authentication password never shown.
fn write_head(err: &mut dyn Write, direction: Direction, head: &HttpHead) -> io::Result<()> {
    let arrow = match direction {
        Direction::Request => '>',
        Direction::Response => '<',
    };
    writeln!(err, "{arrow} {}", Escaped::new(&head.line))?;
    for (name, value) in &head.headers {
        let value = if name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
        {
            match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} … (not shown)"),
                None => "… (not shown)".to_owned(),
            }
        } else {
            value.clone()
        };
        writeln!(
            err,
            "{arrow} {}: {}",
            Escaped::new(name),
            Escaped::new(&value)
        )?;
    }
    Ok(())
}
