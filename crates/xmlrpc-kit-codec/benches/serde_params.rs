//! What a serde parameter costs on top of decoding the request: decoding a
//! call into a `Value` tree, and the same followed by `from_value` into the
//! handler's own type. Their difference bounds what deserializing straight
//! from the document (no `Value` tree) could save; quick-xml reading the
//! events alone is the floor under any decoder built on it.
//!
//! `cargo bench -p xmlrpc-kit-codec --features serde --bench serde_params`

use std::hint::black_box;

#[path = "support/floor.rs"]
mod floor;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;
use xmlrpc_kit_codec::serde::from_value;
use xmlrpc_kit_codec::{
    DateTime, DocumentLimits, EncodeOptions, MethodCall, Value, decode_call, encode_call,
};

fn encode(call: MethodCall) -> Vec<u8> {
    encode_call(&call, &EncodeOptions::default()).unwrap()
}

#[allow(dead_code)] // read only through serde
#[derive(Deserialize)]
struct Order {
    id: u64,
    placed: DateTime,
    note: Option<String>,
    lines: Vec<Line>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Line {
    item: String,
    quantity: u32,
    price: f64,
}

/// A call whose one parameter is an order of `lines` lines.
fn order_call(lines: usize) -> Vec<u8> {
    let line = |i: usize| {
        let mut m = xmlrpc_kit_codec::Struct::new();
        m.insert("item", Value::String(format!("item number {i}")));
        m.insert("quantity", Value::Int(i as i32 % 7 + 1));
        m.insert("price", Value::Double(i as f64 * 1.25));
        Value::Struct(m)
    };
    let mut order = xmlrpc_kit_codec::Struct::new();
    order.insert("id", Value::I8(1 << 40));
    order.insert(
        "placed",
        Value::DateTime("20261130T12:00:00".parse().unwrap()),
    );
    order.insert("note", Value::String("leave at the door".into()));
    order.insert("lines", Value::Array((0..lines).map(line).collect()));
    encode(MethodCall {
        method: "place".into(),
        params: vec![Value::Struct(order)],
    })
}

/// A call whose one parameter is an array of `n` integers.
fn ints_call(n: usize) -> Vec<u8> {
    let ints = (0..n as i32).map(|i| Value::Int(i * 37)).collect();
    encode(MethodCall {
        method: "sum".into(),
        params: vec![Value::Array(ints)],
    })
}

fn first_param(body: &[u8], limits: &DocumentLimits) -> Value {
    decode_call(body, limits).unwrap().params.swap_remove(0)
}

fn bench(c: &mut Criterion) {
    let limits = DocumentLimits::default();
    let inputs = [
        ("order of 50 lines", order_call(50)),
        ("1,000 ints", ints_call(1000)),
    ];
    for (name, body) in &inputs {
        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("quick-xml events only", |b| {
            b.iter(|| floor::events_only(black_box(body)))
        });
        group.bench_function("decode to Value", |b| {
            b.iter(|| first_param(black_box(body), &limits))
        });
        if name.starts_with("order") {
            group.bench_function("decode + from_value", |b| {
                b.iter(|| from_value::<Order>(first_param(black_box(body), &limits)).unwrap())
            });
        } else {
            group.bench_function("decode + from_value", |b| {
                b.iter(|| from_value::<Vec<i64>>(first_param(black_box(body), &limits)).unwrap())
            });
            group.bench_function("decode + FromValue", |b| {
                b.iter(|| {
                    <Vec<i64> as xmlrpc_kit_codec::FromValue>::from_value(first_param(
                        black_box(body),
                        &limits,
                    ))
                    .unwrap()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
