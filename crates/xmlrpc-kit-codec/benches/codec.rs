//! The codec on its own: decode and encode throughput (bytes of XML per
//! second, one core) on the shapes of the side-by-side benchmark's four
//! workloads and on documents from 1 KB to 16 MB, beside quick-xml reading
//! the same bytes with nothing built (the floor under a decoder on a
//! generic tokeniser). The bodies are made here, deterministically, by our
//! encoder: the shapes of `../shared/bench`'s workloads, not their bytes.
//!
//! Decode is timed without dropping what it made (criterion's
//! `iter_with_large_drop`), and the drop on its own beside it: freeing a
//! 16 MB document's tree costs glibc's allocator a pass over all its
//! small chunks (`malloc_consolidate`, on freeing a block over 64 KiB),
//! which is the allocator's cost, not the decoder's, and is reported as
//! such.
//!
//! `cargo bench -p xmlrpc-kit-codec --bench codec` (all), or name a group:
//! `cargo bench -p xmlrpc-kit-codec --bench codec -- 'size/'`. With
//! `CODEC_BODIES_DIR` set, each body is also written there, for
//! `scripts/codec_py.py` to time Python's `loads` and `dumps` on the same
//! bytes.

use std::hint::black_box;

#[path = "support/floor.rs"]
mod floor;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use xmlrpc_kit_codec::{
    DocumentLimits, EncodeOptions, MethodCall, Struct, Value, decode_call, encode_call,
    encode_response,
};

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn members(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Struct::new();
    for (name, value) in pairs {
        m.insert(name.to_owned(), value);
    }
    Value::Struct(m)
}

/// `add(2, 3)`.
fn tiny() -> MethodCall {
    MethodCall::new("add", vec![Value::Int(2), Value::Int(3)])
}

/// A ~2.5 KB struct of every type, as the struct-echo workload.
fn mixed_struct(seed: i32) -> Value {
    members(vec![
        ("name", s("perf-lab struct workload")),
        (
            "text",
            s("escapes & <angle> \"quotes\", unicode: héllo wörld ✓"),
        ),
        ("id", Value::Int(123_456_789 + seed)),
        ("negative", Value::Int(-42)),
        ("score", Value::Double(std::f64::consts::PI)),
        ("ratio", Value::Double(-0.000125)),
        ("active", Value::Bool(true)),
        ("deleted", Value::Bool(false)),
        (
            "created",
            Value::DateTime("20240102T03:04:05".parse().unwrap()),
        ),
        (
            "blob",
            Value::Base64((0..96u8).map(|b| b.wrapping_mul(37)).collect()),
        ),
        (
            "tags",
            Value::Array(["alpha", "beta", "gamma", "delta"].map(s).to_vec()),
        ),
        (
            "matrix",
            Value::Array(vec![
                Value::Array((1..=3).map(Value::Int).collect()),
                Value::Array((4..=6).map(Value::Int).collect()),
            ]),
        ),
        (
            "owner",
            members(vec![
                ("login", s("someone")),
                ("uid", Value::Int(1000)),
                ("quota", Value::Double(1.5e9)),
                ("groups", Value::Array(vec![s("wheel"), s("users")])),
            ]),
        ),
    ])
}

/// `system.multicall` of 50 `add`s.
fn multicall() -> MethodCall {
    let calls = (0..50)
        .map(|i| {
            members(vec![
                ("methodName", s("add")),
                (
                    "params",
                    Value::Array(vec![Value::Int(i), Value::Int(i + 1)]),
                ),
            ])
        })
        .collect();
    MethodCall::new("system.multicall", vec![Value::Array(calls)])
}

/// `echo` of `n` two-member structs (`n` = 10,000: the big workload, 1.5 MB).
fn many_small_structs(n: i32) -> MethodCall {
    let items = (0..n)
        .map(|i| {
            members(vec![
                ("id", Value::Int(i)),
                ("name", s(&format!("item{i}"))),
            ])
        })
        .collect();
    MethodCall::new("echo", vec![Value::Array(items)])
}

/// `echo` of mixed structs, as many as make about `bytes` of XML.
fn sized(bytes: usize) -> MethodCall {
    let one = encode(&MethodCall::new(
        "echo",
        vec![Value::Array(vec![mixed_struct(0)])],
    ))
    .len();
    let n = (bytes / one).max(1);
    MethodCall::new(
        "echo",
        vec![Value::Array((0..n as i32).map(mixed_struct).collect())],
    )
}

fn encode(call: &MethodCall) -> Vec<u8> {
    encode_call(call, &EncodeOptions::default()).unwrap()
}

/// The four measures for one body: floor, decode, dropping what decode
/// made (all three per byte of the request), and encode of its parameter
/// as a response (what an echo server's codec does; per byte of the
/// response).
fn measure(c: &mut Criterion, group: &str, id: &str, call: &MethodCall) {
    let body = encode(call);
    if let Some(dir) = std::env::var_os("CODEC_BODIES_DIR") {
        // For Python's side of the table (scripts/codec_py.py).
        let path = std::path::Path::new(&dir).join(format!("{group}-{id}.xml"));
        std::fs::write(&path, &body).unwrap();
    }
    let limits = DocumentLimits::default()
        .max_string_bytes(usize::MAX)
        .max_items(usize::MAX);
    let response = Ok(call.params[0].clone());
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Bytes(body.len() as u64));
    if body.len() > 1 << 20 {
        g.sample_size(10);
    }
    g.bench_with_input(
        BenchmarkId::new("quick-xml events", id),
        &body,
        |b, body| b.iter(|| floor::events_only(black_box(body))),
    );
    g.bench_with_input(BenchmarkId::new("decode", id), &body, |b, body| {
        b.iter_with_large_drop(|| decode_call(black_box(body), &limits).unwrap())
    });
    g.bench_with_input(BenchmarkId::new("drop", id), &body, |b, body| {
        b.iter_batched(
            || decode_call(body, &limits).unwrap(),
            drop,
            BatchSize::LargeInput,
        )
    });
    let response_bytes = encode_response(&response, &EncodeOptions::default()).unwrap();
    g.throughput(Throughput::Bytes(response_bytes.len() as u64));
    g.bench_with_input(BenchmarkId::new("encode", id), &response, |b, response| {
        b.iter(|| encode_response(black_box(response), &EncodeOptions::default()).unwrap())
    });
    g.finish();
}

fn workloads(c: &mut Criterion) {
    measure(c, "workload", "tiny", &tiny());
    measure(
        c,
        "workload",
        "struct",
        &MethodCall::new("echo", vec![mixed_struct(0)]),
    );
    measure(c, "workload", "multicall", &multicall());
    measure(c, "workload", "big", &many_small_structs(10_000));
}

fn sizes(c: &mut Criterion) {
    for (label, bytes) in [
        ("1KB", 1 << 10),
        ("64KB", 64 << 10),
        ("1MB", 1 << 20),
        ("16MB", 16 << 20),
    ] {
        measure(c, "size", label, &sized(bytes));
    }
}

criterion_group!(benches, workloads, sizes);
criterion_main!(benches);
