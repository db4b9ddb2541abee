//! Run with: cargo run --release -p xmlrpc-kit-test-support --example open_loop -- \
//!     ADDRESS PATH BODY_FILE ANSWER_FILE RATE CONNECTIONS SECONDS [WARMUP_SECONDS]
//!
//! Sends BODY_FILE (an XML-RPC call) to http://ADDRESS/PATH at RATE
//! requests a second over CONNECTIONS keep-alive connections for SECONDS
//! (after WARMUP_SECONDS, default 1, not counted), each answer checked
//! against ANSWER_FILE (a `<methodResponse>`: every answer must hold its
//! value, or an error is counted),
//! a latency counted from when its request was due while the server still
//! held the connection (see `xmlrpc_kit_test_support::open_loop`). Prints one line of JSON: the rate
//! reached, the latency percentiles in milliseconds, the errors. Exits 1
//! on any error. `scripts/open_loop.py` runs it against several servers.

use std::process::ExitCode;
use std::time::Duration;

use xmlrpc_kit::{DocumentLimits, decode_response};
use xmlrpc_kit_test_support::open_loop::{OpenLoopConfig, run};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 7 {
        eprintln!(
            "usage: open_loop ADDRESS PATH BODY_FILE ANSWER_FILE RATE CONNECTIONS SECONDS [WARMUP_SECONDS]"
        );
        return ExitCode::from(2);
    }
    let parsed = (|| -> Result<OpenLoopConfig, String> {
        let number = |i: usize| -> Result<f64, String> {
            args[i]
                .parse()
                .map_err(|_| format!("{:?} is not a number", args[i]))
        };
        Ok(OpenLoopConfig {
            addr: args[0]
                .parse()
                .map_err(|e| format!("address {:?}: {e}", args[0]))?,
            path: args[1].clone(),
            body: std::fs::read(&args[2]).map_err(|e| format!("{}: {e}", args[2]))?,
            expected: {
                let answer = std::fs::read(&args[3]).map_err(|e| format!("{}: {e}", args[3]))?;
                decode_response(&answer, &DocumentLimits::default())
                    .map_err(|e| format!("{}: {e}", args[3]))?
            },
            rate: number(4)?,
            connections: number(5)? as usize,
            duration: Duration::from_secs_f64(number(6)?),
            warmup: Duration::from_secs_f64(if args.len() > 7 { number(7)? } else { 1.0 }),
        })
    })();
    let config = match parsed {
        Ok(config) => config,
        Err(e) => {
            eprintln!("open_loop: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match run(&config) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("open_loop: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ms = |fraction: f64| report.percentile(fraction).as_secs_f64() * 1e3;
    println!(
        "{{\"offered\":{:.0},\"rate\":{:.1},\"requests\":{},\"errors\":{},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"p999_ms\":{:.3},\"max_ms\":{:.3}}}",
        config.rate,
        report.rate(),
        report.latencies.len(),
        report.errors,
        ms(0.5),
        ms(0.9),
        ms(0.99),
        ms(0.999),
        ms(1.0)
    );
    for sample in &report.error_samples {
        eprintln!("open_loop: {sample}");
    }
    if report.errors > 0 || report.latencies.is_empty() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
