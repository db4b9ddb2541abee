//! Run with: cargo run --release -p xmlrpc-kit-test-support --example soak -- [SECONDS] [CONNECTIONS]
//!
//! Soaks a real `xmlrpc-kit demo` process (target/release/xmlrpc-kit; build it
//! first with `cargo build --release -p xmlrpc-kit-cli`) with mixed valid calls
//! on keep-alive connections, each answer checked, and hostile inputs mixed
//! in; prints the requests served, errors on valid calls and the server's
//! memory at start, middle and end. Exits 1 on any error or memory growth.

use std::process::ExitCode;
use std::time::Duration;

use xmlrpc_kit_test_support::soak::{SoakConfig, run};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let connections: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(64);
    let bin = std::env::var_os("XMLRPC_BIN").map_or_else(
        || {
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/release/xmlrpc-kit"
            ))
        },
        std::path::PathBuf::from,
    );
    let config = SoakConfig {
        server_bin: bin,
        duration: Duration::from_secs(seconds),
        connections,
        hostile_interval: Duration::from_millis(50),
    };
    let report = match run(&config) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (start, middle, end) = report.rss_start_middle_end_mib();
    let peak = report.rss_kib.iter().max().copied().unwrap_or(0) as f64 / 1024.0;
    let secs = report.elapsed.as_secs_f64();
    println!("soak: {secs:.0} s, {connections} connections");
    println!(
        "valid calls: {} answered correctly ({:.0}/s), {} errors",
        report.valid_ok,
        report.valid_ok as f64 / secs,
        report.valid_errors
    );
    println!(
        "hostile inputs: {} sent, {} dealt with",
        report.hostile_sent, report.hostile_answered
    );
    println!("server RSS MiB: start {start:.1}, middle {middle:.1}, end {end:.1}, peak {peak:.1}");
    for sample in &report.error_samples {
        println!("error: {sample}");
    }
    if report.valid_errors > 0 || end > start * 2.0 + 64.0 {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
