//! Decodes (or encodes the first parameter of) one `<methodCall>` document
//! in a loop for a while and prints the time per iteration: a quick A/B
//! tool for comparing two builds on a noisy machine, run alternately many
//! times (the criterion benchmark, `cargo bench -p xmlrpc-kit-codec --bench
//! codec`, is the measure on record; this one takes seconds, not minutes).
//!
//! ```sh
//! cargo build --release -p xmlrpc-kit-codec --example codec_loop
//! target/release/examples/codec_loop ../shared/bench/workloads/struct.xml 0.7 decode
//! ```
//!
//! A decode iteration includes dropping the value it made.

use std::process::ExitCode;
use std::time::Instant;

use xmlrpc_kit_codec::{DocumentLimits, EncodeOptions, Response, decode_call, encode_response};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, seconds, mode] = args.as_slice() else {
        eprintln!("usage: codec_loop FILE SECONDS decode|encode");
        return ExitCode::from(2);
    };
    let body = match std::fs::read(file) {
        Ok(body) => body,
        Err(e) => {
            eprintln!("codec_loop: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(seconds) = seconds.parse::<f64>() else {
        eprintln!("codec_loop: SECONDS must be a number, not {seconds:?}");
        return ExitCode::from(2);
    };
    let limits = DocumentLimits::default();
    let call = match decode_call(&body, &limits) {
        Ok(call) => call,
        Err(e) => {
            eprintln!("codec_loop: {file} is not a method call: {e}");
            return ExitCode::from(1);
        }
    };
    let options = EncodeOptions::default();
    let response: Response = Ok(call
        .params
        .into_iter()
        .next()
        .unwrap_or(xmlrpc_kit_codec::Value::Nil));
    let run: Box<dyn Fn() -> usize> = match mode.as_str() {
        "decode" => Box::new(|| {
            let call = decode_call(&body, &limits).expect("decoded once already");
            std::hint::black_box(&call);
            body.len()
        }),
        "encode" => Box::new(|| {
            let out = encode_response(&response, &options).expect("encodable");
            std::hint::black_box(&out);
            out.len()
        }),
        other => {
            eprintln!("codec_loop: the mode is decode or encode, not {other:?}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let (mut iterations, mut bytes) = (0u64, 0usize);
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..10 {
            bytes += run();
            iterations += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{mode}: {:.3} us/iter, {:.0} MiB/s",
        elapsed / iterations as f64 * 1e6,
        bytes as f64 / elapsed / 1_048_576.0
    );
    ExitCode::SUCCESS
}
