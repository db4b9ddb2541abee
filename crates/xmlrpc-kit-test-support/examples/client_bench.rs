//! Run with: cargo run --release -p xmlrpc-kit-test-support --example client_bench -- \
//!     MODE URL BODY_FILE ANSWER_FILE CALLS CONCURRENCY
//!
//! Makes CALLS calls to the XML-RPC server at URL with one client and
//! prints one line of JSON: the calls, the seconds they took and the calls
//! a second. `scripts/client_bench.py` runs it (and the other clients,
//! which take the same arguments) against a canned-answer server.
//!
//! MODE is the client:
//!
//! - `async`: our [`Client`], CONCURRENCY calls at a time on one
//!   keep-alive connection each, on a tokio runtime of one thread;
//! - `blocking`: our [`blocking::Client`], shared by CONCURRENCY threads;
//! - `hyper`: the floor, hyper-util's pooled client (the one ours is
//!   built on) posting BODY_FILE's bytes as they are and reading the whole
//!   answer, CONCURRENCY at a time on one thread: what HTTP alone costs.
//!
//! Our clients make the call a program would: BODY_FILE (a
//! `<methodCall>`) is decoded once at the start, then each call is
//! `client.call::<Value>(method, params)`, so that the encoding of the
//! call, HTTP and the decoding of the answer are measured. Every answer
//! must hold ANSWER_FILE's value (for `hyper`, be a `200` with its exact
//! bytes): the first that does not stops the run with exit status 1, so
//! no wrong answer is counted. The first CONCURRENCY calls open the
//! connections and are not timed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use xmlrpc_kit::{Client, DocumentLimits, Value, blocking, decode_call, decode_response};

struct Args {
    mode: String,
    url: String,
    body: Vec<u8>,
    answer: Vec<u8>,
    calls: usize,
    concurrency: usize,
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, url, body, answer, calls, concurrency] = args.as_slice() else {
        return Err(
            "usage: client_bench async|blocking|hyper URL BODY_FILE ANSWER_FILE CALLS CONCURRENCY"
                .into(),
        );
    };
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("{path}: {e}"));
    let number = |text: &str| -> Result<usize, String> {
        match text.parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{text:?} is not a positive number")),
        }
    };
    Ok(Args {
        mode: mode.clone(),
        url: url.clone(),
        body: read(body)?,
        answer: read(answer)?,
        calls: number(calls)?,
        concurrency: number(concurrency)?,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("client_bench: {e}");
            return ExitCode::from(2);
        }
    };
    let run = match args.mode.as_str() {
        "async" => run_async(&args),
        "blocking" => run_blocking(&args),
        "hyper" => run_hyper(&args),
        other => Err(format!("unknown mode {other:?}: async, blocking or hyper")),
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
            eprintln!("client_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The call BODY_FILE holds and the value every answer must have.
fn workload(args: &Args) -> Result<(String, Vec<Value>, Value), String> {
    let limits = DocumentLimits::default();
    let call = decode_call(&args.body, &limits).map_err(|e| format!("the body: {e}"))?;
    let expected = decode_response(&args.answer, &limits)
        .map_err(|e| format!("the answer: {e}"))?
        .map_err(|fault| format!("the answer is a fault: {fault:?}"))?;
    Ok((call.method, call.params, expected))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))
}

/// Runs `worker` on `concurrency` tasks until `calls` calls are made:
/// first one call each (not timed), then the rest, timed.
async fn on_tasks<F, Fut>(calls: usize, concurrency: usize, worker: F) -> Result<f64, String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + 'static,
{
    let warm: Vec<_> = (0..concurrency).map(|_| worker()).collect();
    futures::future::try_join_all(warm).await?;
    let left = Arc::new(AtomicUsize::new(calls));
    let start = Instant::now();
    let tasks = (0..concurrency).map(|_| {
        let left = left.clone();
        let call = &worker;
        async move {
            while take(&left) {
                call().await?;
            }
            Ok::<(), String>(())
        }
    });
    futures::future::try_join_all(tasks).await?;
    Ok(start.elapsed().as_secs_f64())
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

fn run_async(args: &Args) -> Result<f64, String> {
    let (method, params, expected) = workload(args)?;
    let client = Client::new(&args.url).map_err(|e| e.to_string())?;
    let (method, params, expected) = (Arc::new(method), Arc::new(params), Arc::new(expected));
    runtime()?.block_on(on_tasks(args.calls, args.concurrency, || {
        let (client, method, params, expected) = (
            client.clone(),
            method.clone(),
            params.clone(),
            expected.clone(),
        );
        async move {
            let got: Value = client
                .call(&method, params.to_vec())
                .await
                .map_err(|e| e.to_string())?;
            check(&got, &expected)
        }
    }))
}

fn run_blocking(args: &Args) -> Result<f64, String> {
    let (method, params, expected) = workload(args)?;
    let client = blocking::Client::new(&args.url).map_err(|e| e.to_string())?;
    let call = |client: &blocking::Client| -> Result<(), String> {
        let got: Value = client
            .call(&method, params.clone())
            .map_err(|e| e.to_string())?;
        check(&got, &expected)
    };
    // Warm-up: one call per thread, all at once, so each opens its connection.
    let threads = |calls: &AtomicUsize, each_once: bool| -> Result<(), String> {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..args.concurrency)
                .map(|_| {
                    let client = client.clone();
                    let call = &call;
                    scope.spawn(move || {
                        if each_once {
                            return call(&client);
                        }
                        while take(calls) {
                            call(&client)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|worker| worker.join().map_err(|_| "a thread panicked".to_owned())?)
        })
    };
    threads(&AtomicUsize::new(0), true)?;
    let left = AtomicUsize::new(args.calls);
    let start = Instant::now();
    threads(&left, false)?;
    Ok(start.elapsed().as_secs_f64())
}

fn run_hyper(args: &Args) -> Result<f64, String> {
    let uri: hyper::Uri = args.url.parse().map_err(|e| format!("URL: {e}"))?;
    let body = Bytes::from(args.body.clone());
    let expected = Bytes::from(args.answer.clone());
    runtime()?.block_on(async {
        // As our client's transport sets it up: no Nagle delay.
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let client: HyperClient<_, Full<Bytes>> =
            HyperClient::builder(TokioExecutor::new()).build(http);
        on_tasks(args.calls, args.concurrency, || {
            let (client, uri, body, expected) =
                (client.clone(), uri.clone(), body.clone(), expected.clone());
            async move {
                let request = hyper::Request::post(uri)
                    .header(hyper::header::CONTENT_TYPE, "text/xml")
                    .body(Full::new(body))
                    .map_err(|e| e.to_string())?;
                let response = client.request(request).await.map_err(|e| e.to_string())?;
                if response.status() != hyper::StatusCode::OK {
                    return Err(format!("status {}", response.status()));
                }
                let got = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                if got != expected {
                    return Err(format!(
                        "a wrong answer ({} bytes, expected {})",
                        got.len(),
                        expected.len()
                    ));
                }
                Ok(())
            }
        })
        .await
    })
}

fn check(got: &Value, expected: &Value) -> Result<(), String> {
    if got == expected {
        return Ok(());
    }
    let mut shown = format!("{got:?}");
    shown.truncate(200);
    Err(format!("a wrong answer: {shown}"))
}
