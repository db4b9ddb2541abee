//! The soak harness: a real `xmlrpc-kit demo` process under many concurrent
//! keep-alive connections of mixed, checked calls, with hostile inputs mixed
//! in, while its memory is sampled. `examples/soak.rs` runs it for minutes;
//! a test runs it for seconds.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use xmlrpc_kit::wire::{gzip, multicall, names};
use xmlrpc_kit::{
    DocumentLimits, EncodeOptions, Fault, MethodCall, Struct, Value, decode_response, encode_call,
};

use crate::process::Demo;
use crate::raw_http::{post_bytes, read_from};

/// What to run, and for how long.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    /// The `xmlrpc-kit` binary to start as `xmlrpc-kit demo --port 0 --quiet`.
    pub server_bin: PathBuf,
    /// How long to load it.
    pub duration: Duration,
    /// Concurrent keep-alive connections making valid calls.
    pub connections: usize,
    /// Pause between two hostile inputs (sent from one extra thread).
    pub hostile_interval: Duration,
}

/// What a soak run measured.
#[derive(Debug, Clone, Default)]
pub struct SoakReport {
    /// Valid calls answered correctly.
    pub valid_ok: u64,
    /// Valid calls answered wrongly or not at all.
    pub valid_errors: u64,
    /// The first few wrong answers, for the report.
    pub error_samples: Vec<String>,
    /// Hostile inputs sent.
    pub hostile_sent: u64,
    /// Hostile inputs the server answered with a status or fault (or closed on).
    pub hostile_answered: u64,
    /// The server's resident memory (KiB) sampled once a second.
    pub rss_kib: Vec<u64>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl SoakReport {
    /// Resident memory at the start (after one second), middle and end, in MiB.
    pub fn rss_start_middle_end_mib(&self) -> (f64, f64, f64) {
        let at = |i: usize| self.rss_kib.get(i).copied().unwrap_or(0) as f64 / 1024.0;
        let n = self.rss_kib.len();
        (
            at(1.min(n.saturating_sub(1))),
            at(n / 2),
            at(n.saturating_sub(1)),
        )
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// A small deterministic generator, so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A valid call and the answer it must get.
fn valid_call(rng: &mut Rng) -> (MethodCall, Result<Value, Fault>) {
    let a = rng.below(1_000_000) as i32 - 500_000;
    let b = rng.below(1_000_000) as i32 - 500_000;
    match rng.below(6) {
        0 => (
            MethodCall::new("add", vec![Value::Int(a), Value::Int(b)]),
            Ok(Value::Int(a + b)),
        ),
        1 => {
            let mut s = Struct::new();
            s.insert("id", Value::Int(a));
            s.insert("name", Value::String(format!("näme <{b}> & \"q\"")));
            s.insert("ratio", Value::Double(f64::from(a) / 7.0));
            s.insert("ok", Value::Bool(a > b));
            s.insert("blob", Value::Base64(a.to_le_bytes().repeat(8)));
            s.insert(
                "when",
                Value::DateTime("20261125T10:00:00".parse().expect("valid")),
            );
            s.insert(
                "list",
                Value::Array(
                    (0..rng.below(50))
                        .map(|i| Value::I8(i as i64 * 1_000_000_007))
                        .collect(),
                ),
            );
            s.insert("none", Value::Nil);
            let v = Value::Struct(s);
            (MethodCall::new("echo", vec![v.clone()]), Ok(v))
        }
        2 => {
            let y = rng.below(20) as i32;
            (
                MethodCall::new("pow", vec![Value::Int(3), Value::Int(y)]),
                Ok(Value::Int(3i32.pow(y as u32))),
            )
        }
        3 => {
            let calls = (0..10)
                .map(|i| multicall::call("add", vec![Value::Int(a), Value::Int(i)]))
                .collect();
            let want = (0..10)
                .map(|i| multicall::result(Ok(Value::Int(a + i))))
                .collect();
            (
                MethodCall::new(names::MULTICALL, multicall::request(calls)),
                Ok(Value::Array(want)),
            )
        }
        4 => (
            MethodCall::new("div", vec![Value::Int(a), Value::Int(0)]),
            Err(Fault::new(-32500, "integer division or modulo by zero")),
        ),
        _ => {
            let q = if b == 0 { 1 } else { b };
            let floor = (f64::from(a) / f64::from(q)).floor() as i32;
            (
                MethodCall::new("div", vec![Value::Int(a), Value::Int(q)]),
                Ok(Value::Int(floor)),
            )
        }
    }
}

fn request(body: &[u8]) -> Vec<u8> {
    post_bytes("/RPC2", body)
}

/// The hostile inputs, rotated through by one thread.
fn hostile_inputs() -> Vec<Vec<u8>> {
    let nested = format!(
        "<methodCall><methodName>echo</methodName><params><param>{}1{}</param></params></methodCall>",
        "<value><array><data>".repeat(100) + "<value>",
        "</value>".to_owned() + &"</data></array></value>".repeat(100)
    );
    let laughs = "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><methodCall><methodName>echo</methodName><params><param><value>&b;</value></param></params></methodCall>";
    let bomb = gzip::gzip(&vec![b'<'; 64 << 20]);
    let mut gz = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: soak\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        bomb.len()
    )
    .into_bytes();
    gz.extend(bomb);
    // A 1.6 KB gzip request whose answer is 3.2 MB.
    let amplifying = gzip::gzip(
        format!(
            "<methodCall><methodName>echo</methodName><params><param><value><array><data>{}</data></array></value></param></params></methodCall>",
            "<value/>".repeat(100_000)
        )
        .as_bytes(),
    );
    let mut amplify = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: soak\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        amplifying.len()
    )
    .into_bytes();
    amplify.extend(amplifying);
    vec![
        amplify,
        // A head declaring the body limit, then nothing (the thread closes
        // its side): holds no budget while it waits.
        b"POST /RPC2 HTTP/1.1\r\nHost: soak\r\nContent-Length: 20971520\r\n\r\n".to_vec(),
        request(b"<methodCall><methodName>evil&#10;2026-12-06T00:00:00Z  INFO forged</methodName></methodCall>"),
        b"POST /RPC2 HTTP/1.1\r\nHost: soak\r\nForwarded: for=198.51.100.7\r\nX-Forwarded-For: 198.51.100.8\r\nContent-Length: 3\r\n\r\nabc".to_vec(),
        request(nested.as_bytes()),
        request(laughs.as_bytes()),
        request(b"<methodCall><methodName>add</methodName><params><param><value><int>1"),
        request(b"\xff\xfe<not xml"),
        request(b"<methodCall><methodName>__class__.__init__</methodName></methodCall>"),
        request(b"<methodCall><methodName>echo</methodName><params><param><value><ex:serializable>rO0</ex:serializable></value></param></params></methodCall>"),
        b"POST /RPC2 HTTP/1.1\r\nHost: soak\r\nContent-Length: 1000000000000\r\n\r\n".to_vec(),
        b"POST /RPC2 HTTP/1.1\r\nHost: soak\r\nContent-Length: 100\r\n\r\nabc".to_vec(),
        b"GARBAGE / HTTP/9.9\r\n\r\n".to_vec(),
        gz,
    ]
}

/// Runs the soak; the report says what happened.
pub fn run(config: &SoakConfig) -> std::io::Result<SoakReport> {
    let server = Demo::start(&config.server_bin, &["--quiet"])?;
    let (addr, pid) = (server.addr, server.process.pid());
    let stop = Arc::new(AtomicBool::new(false));
    let valid_ok = Arc::new(AtomicU64::new(0));
    let valid_errors = Arc::new(AtomicU64::new(0));
    let hostile_sent = Arc::new(AtomicU64::new(0));
    let hostile_answered = Arc::new(AtomicU64::new(0));
    let samples = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let started = Instant::now();

    let mut workers = Vec::new();
    for worker in 0..config.connections {
        let (stop, ok, errors, samples) = (
            stop.clone(),
            valid_ok.clone(),
            valid_errors.clone(),
            samples.clone(),
        );
        workers.push(std::thread::spawn(move || {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (worker as u64 + 1));
            let mut connection: Option<(TcpStream, BufReader<TcpStream>)> = None;
            let opts = EncodeOptions::default().allow_none(true);
            while !stop.load(Ordering::Relaxed) {
                let (call, want) = valid_call(&mut rng);
                let body = encode_call(&call, &opts).expect("encodable");
                let outcome = (|| -> std::io::Result<Result<Value, Fault>> {
                    if connection.is_none() {
                        let s = TcpStream::connect(addr)?;
                        s.set_read_timeout(Some(Duration::from_secs(10)))?;
                        let reader = BufReader::new(s.try_clone()?);
                        connection = Some((s, reader));
                    }
                    let (s, reader) = connection.as_mut().expect("connected");
                    s.write_all(&request(&body))?;
                    let response = read_from(reader)?;
                    if response.status != 200 {
                        let status = response.status;
                        return Err(std::io::Error::other(format!("HTTP {status}")));
                    }
                    decode_response(&response.body, &DocumentLimits::default())
                        .map_err(std::io::Error::other)
                })();
                match outcome {
                    Ok(got) if got == want => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    other => {
                        connection = None;
                        errors.fetch_add(1, Ordering::Relaxed);
                        let mut s = samples.lock().unwrap_or_else(|e| e.into_inner());
                        if s.len() < 5 {
                            s.push(format!("{}: got {other:?}, want {want:?}", call.method));
                        }
                    }
                }
            }
        }));
    }

    let hostile = {
        let (stop, sent, answered, interval) = (
            stop.clone(),
            hostile_sent.clone(),
            hostile_answered.clone(),
            config.hostile_interval,
        );
        std::thread::spawn(move || {
            let inputs = hostile_inputs();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let input = &inputs[i % inputs.len()];
                i += 1;
                sent.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut s) = TcpStream::connect(addr) {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let _ = s.write_all(input);
                    let _ = s.shutdown(std::net::Shutdown::Write);
                    let mut out = Vec::new();
                    let _ = s.read_to_end(&mut out);
                    // An HTTP answer, or a close: either way the server dealt with it.
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(interval);
            }
        })
    };

    let mut rss = Vec::new();
    while started.elapsed() < config.duration {
        rss.push(rss_kib(pid));
        std::thread::sleep(Duration::from_secs(1).min(config.duration));
    }
    rss.push(rss_kib(pid));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let _ = hostile.join();
    let elapsed = started.elapsed();
    drop(server);
    let error_samples = samples.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(SoakReport {
        valid_ok: valid_ok.load(Ordering::Relaxed),
        valid_errors: valid_errors.load(Ordering::Relaxed),
        error_samples,
        hostile_sent: hostile_sent.load(Ordering::Relaxed),
        hostile_answered: hostile_answered.load(Ordering::Relaxed),
        rss_kib: rss,
        elapsed,
    })
}
