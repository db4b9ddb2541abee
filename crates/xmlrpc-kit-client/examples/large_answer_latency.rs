//! How a large answer holds up small calls on the same runtime: one task
//! receives answers of `--mb` MB (a canned server's, each an array of 2 MB
//! strings) while another calls our server's `add` in a loop; the small
//! calls' latency (p50, p99, max) is printed with the large answers
//! decoded on a blocking thread (the client's default, above 1 MiB) and
//! on the calling task (`off_runtime_above(None)`), and with no large
//! answer at all. The client runs on a runtime of one thread, where the
//! difference is plainest.
//!
//! ```sh
//! cargo run --release -p xmlrpc-kit-client --example large_answer_latency -- --mb 100 --answers 5
//! ```

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use xmlrpc_kit::{Client, Methods, Server};
use xmlrpc_kit_test_support::server::TestServer;

/// A server answering every request with `answer`, one connection at a
/// time, on a thread of its own for as long as the program runs.
fn canned_server(answer: Arc<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("its address");
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut buf = [0u8; 65536];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(&answer);
        }
    });
    format!("http://{addr}/RPC2")
}

/// The answer: `mb` MB of 2 MB strings, as HTTP.
fn large_answer(mb: usize) -> Vec<u8> {
    let item = format!("<value><string>{}</string></value>", "x".repeat(2 << 20));
    let body = format!(
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>{}</data></array></value></param></params></methodResponse>",
        item.repeat(mb.div_ceil(2))
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The small calls' latencies while `answers` large answers are received
/// (none: for as long as `quiet_for`).
async fn latencies(
    small: &Client,
    large: Option<(&Client, usize)>,
    quiet_for: Duration,
) -> Vec<Duration> {
    let done = AtomicBool::new(false);
    let large_calls = async {
        match large {
            Some((client, answers)) => {
                for _ in 0..answers {
                    client
                        .call_value("big", Vec::new())
                        .await
                        .expect("the large answer");
                }
            }
            None => tokio::time::sleep(quiet_for).await,
        }
        done.store(true, Ordering::SeqCst);
    };
    let small_calls = async {
        let mut seen = Vec::new();
        while !done.load(Ordering::SeqCst) {
            let start = Instant::now();
            let sum: i64 = small.call("add", (2, 3)).await.expect("add");
            assert_eq!(sum, 5);
            seen.push(start.elapsed());
        }
        seen
    };
    tokio::join!(large_calls, small_calls).1
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1)?.parse().ok())
            .unwrap_or(default)
    };
    let (mb, answers) = (option("--mb", 100), option("--answers", 5));
    let mut methods = Methods::new();
    methods.register_function("add", |a: i64, b: i64| a + b);
    let small_server = TestServer::start(Server::builder(methods).log_requests(false));
    let large_url = canned_server(Arc::new(large_answer(mb)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let small = Client::new(&small_server.url()).expect("a client");
        let large = |threshold| {
            Client::builder(&large_url)
                .max_response_bytes((mb + 8) << 20)
                .off_runtime_above(threshold)
                .build()
                .expect("a client")
        };
        println!(
            "small calls on a one-thread runtime while {answers} answers of {mb} MB are received"
        );
        println!(
            "{:<34} {:>7} {:>9} {:>9} {:>9}",
            "large answers", "calls", "p50", "p99", "max"
        );
        let started = Instant::now();
        let off = latencies(
            &small,
            Some((&large(Some(1 << 20)), answers)),
            Duration::ZERO,
        )
        .await;
        let took = started.elapsed();
        let on = latencies(&small, Some((&large(None), answers)), Duration::ZERO).await;
        let none = latencies(&small, None, took).await;
        for (name, mut seen) in [
            ("none", none),
            ("decoded on a blocking thread", off),
            ("decoded on the calling task", on),
        ] {
            seen.sort();
            let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
            println!(
                "{name:<34} {:>7} {:>9} {:>9} {:>9}",
                seen.len(),
                ms(quantile(&seen, 0.5)),
                ms(quantile(&seen, 0.99)),
                ms(*seen.last().expect("a call"))
            );
        }
    });
}
