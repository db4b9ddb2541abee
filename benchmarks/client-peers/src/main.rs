//! Other Rust XML-RPC clients, measured by `scripts/client_bench.py`
//! beside ours, with the arguments of xmlrpc-kit-test-support's
//! `examples/client_bench.rs`:
//!
//!     client-peers MODE URL BODY_FILE ANSWER_FILE CALLS CONCURRENCY
//!
//! - `dxr`: dxr_client 0.9 (async, on reqwest), CONCURRENCY calls at a
//!   time on a tokio runtime of one thread;
//! - `xmlrpc`: the `xmlrpc` crate 0.15 (blocking, on reqwest's blocking
//!   client), from CONCURRENCY threads sharing one reqwest client, so
//!   that connections are kept alive between calls (its `call_url`
//!   would open one a call).
//!
//! BODY_FILE (a `<methodCall>`) is decoded once with dxr, then each call
//! is the client's typed call with those parameters; every answer must
//! equal ANSWER_FILE's value, or the run stops with exit status 1. The
//! first CONCURRENCY calls open the connections and are not timed. Prints
//! one line of JSON: calls, seconds, calls a second.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

struct Args {
    mode: String,
    url: String,
    method: String,
    params: Vec<dxr::Value>,
    expected: dxr::Value,
    calls: usize,
    concurrency: usize,
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, url, body, answer, calls, concurrency] = args.as_slice() else {
        return Err(
            "usage: client-peers dxr|xmlrpc URL BODY_FILE ANSWER_FILE CALLS CONCURRENCY".into(),
        );
    };
    let read = |path: &str| std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
    let number = |text: &str| -> Result<usize, String> {
        match text.parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{text:?} is not a positive number")),
        }
    };
    let call = dxr::MethodCall::from_xml(&read(body)?).map_err(|e| format!("the body: {e}"))?;
    let expected = dxr::MethodResponse::from_xml(&read(answer)?)
        .map_err(|e| format!("the answer: {e}"))?
        .value;
    Ok(Args {
        mode: mode.clone(),
        url: url.clone(),
        method: call.name.into_owned(),
        params: call.params,
        expected,
        calls: number(calls)?,
        concurrency: number(concurrency)?,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("client-peers: {e}");
            return ExitCode::from(2);
        }
    };
    let run = match args.mode.as_str() {
        "dxr" => run_dxr(&args),
        "xmlrpc" => run_xmlrpc(&args),
        other => Err(format!("unknown mode {other:?}: dxr or xmlrpc")),
    };
    match run {
        Ok(seconds) => {
            println!(
                "{{\"client\":\"{}\",\"calls\":{},\"concurrency\":{},\"seconds\":{seconds:.6},\"calls_per_s\":{:.1},\"peak_rss_kib\":{}}}",
                args.mode,
                args.calls,
                args.concurrency,
                args.calls as f64 / seconds,
                peak_rss_kib()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("client-peers: {e}");
            ExitCode::FAILURE
        }
    }
}

/// This process's peak resident memory in KiB (Linux's `VmHWM`; 0
/// elsewhere). Its own, unlike what `wait4` reports to the parent, which
/// is at least the parent's size when it was forked.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Takes one of the calls left, if there is one.
fn take(left: &AtomicUsize) -> bool {
    left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

fn wrong<T: std::fmt::Debug>(got: &T) -> String {
    let mut shown = format!("{got:?}");
    shown.truncate(200);
    format!("a wrong answer: {shown}")
}

fn run_dxr(args: &Args) -> Result<f64, String> {
    let url = dxr_client::Url::parse(&args.url).map_err(|e| format!("URL: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async {
        let client = Arc::new(dxr_client::ClientBuilder::new(url).build());
        let call = || {
            let client = client.clone();
            async move {
                let got: dxr::Value = client
                    .call(&args.method, args.params.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                if got != args.expected {
                    return Err(wrong(&got));
                }
                Ok::<(), String>(())
            }
        };
        futures::future::try_join_all((0..args.concurrency).map(|_| call())).await?;
        let left = AtomicUsize::new(args.calls);
        let start = Instant::now();
        futures::future::try_join_all((0..args.concurrency).map(|_| async {
            while take(&left) {
                call().await?;
            }
            Ok::<(), String>(())
        }))
        .await?;
        Ok(start.elapsed().as_secs_f64())
    })
}

/// A dxr value as the xmlrpc crate's.
fn to_xmlrpc(value: &dxr::Value) -> Result<xmlrpc::Value, String> {
    Ok(match value {
        dxr::Value::Integer(n) => xmlrpc::Value::Int(*n),
        dxr::Value::Boolean(b) => xmlrpc::Value::Bool(*b),
        dxr::Value::String(s) => xmlrpc::Value::String(s.clone()),
        dxr::Value::Double(d) => xmlrpc::Value::Double(*d),
        // Read by the iso8601 crate, as the xmlrpc crate reads answers.
        dxr::Value::DateTime(t) => xmlrpc::Value::DateTime(iso8601::datetime(&t.to_string())?),
        dxr::Value::Base64(b) => xmlrpc::Value::Base64(b.clone()),
        dxr::Value::Struct(members) => xmlrpc::Value::Struct(
            members
                .iter()
                .map(|(name, v)| Ok((name.clone(), to_xmlrpc(v)?)))
                .collect::<Result<BTreeMap<_, _>, String>>()?,
        ),
        dxr::Value::Array(items) => {
            xmlrpc::Value::Array(items.iter().map(to_xmlrpc).collect::<Result<_, _>>()?)
        }
        other => return Err(format!("no xmlrpc value for {other:?}")),
    })
}

fn run_xmlrpc(args: &Args) -> Result<f64, String> {
    let params = args
        .params
        .iter()
        .map(to_xmlrpc)
        .collect::<Result<Vec<_>, _>>()?;
    let expected = to_xmlrpc(&args.expected)?;
    let http = reqwest::blocking::Client::new();
    let call = || -> Result<(), String> {
        let mut request = xmlrpc::Request::new(&args.method);
        for param in &params {
            request = request.arg(param.clone());
        }
        let got = request
            .call(http.post(&args.url))
            .map_err(|e| e.to_string())?;
        if got != expected {
            return Err(wrong(&got));
        }
        Ok(())
    };
    let threads = |left: Option<&AtomicUsize>| -> Result<(), String> {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..args.concurrency)
                .map(|_| {
                    scope.spawn(|| match left {
                        None => call(),
                        Some(left) => {
                            while take(left) {
                                call()?;
                            }
                            Ok(())
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|w| w.join().map_err(|_| "a thread panicked".to_owned())?)
        })
    };
    threads(None)?;
    let left = AtomicUsize::new(args.calls);
    let start = Instant::now();
    threads(Some(&left))?;
    Ok(start.elapsed().as_secs_f64())
}
