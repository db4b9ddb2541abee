//! An open-loop load: requests sent at a fixed rate whatever the server's
//! answers do, a request's latency counted from when it was due whenever
//! the server still held its connection then, not from when it could be
//! sent (so a stalled server is charged for the requests it held up: no
//! coordinated omission). A closed loop (wrk, the shared
//! benchmark) sends the next request when the last is answered; there the
//! faster server gets more load, and its p99 is not comparable with a
//! slower server's. At one offered rate, it is. `examples/open_loop.rs`
//! runs it; `scripts/open_loop.py` compares servers with it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use xmlrpc_kit::{DocumentLimits, Response, decode_response};

/// What to send, how fast, for how long.
#[derive(Debug, Clone)]
pub struct OpenLoopConfig {
    /// The server.
    pub addr: SocketAddr,
    /// The path posted to.
    pub path: String,
    /// The request body (an XML-RPC call).
    pub body: Vec<u8>,
    /// What every answer must be: a `200` whose document holds this value
    /// (or fault). Anything else is an error, so no wrong answer is
    /// measured.
    pub expected: Response,
    /// Requests a second, over all connections.
    pub rate: f64,
    /// Keep-alive connections, each sending `rate / connections` a second.
    pub connections: usize,
    /// How long to send (after `warmup`, whose requests are not counted).
    pub duration: Duration,
    /// Sent at the same rate first, not counted.
    pub warmup: Duration,
}

/// What an open-loop run measured.
#[derive(Debug, Clone, Default)]
pub struct OpenLoopReport {
    /// Latency of each counted request (to when its answer was read, from
    /// when it was due or, if the connection was free then, from when it
    /// was sent), sorted.
    pub latencies: Vec<Duration>,
    /// Requests that got no correct answer (then the connection is left).
    pub errors: u64,
    /// The first few of those errors.
    pub error_samples: Vec<String>,
    /// From the first counted request's due time to the last counted
    /// answer: longer than the duration asked for when the server could
    /// not keep up.
    pub elapsed: Duration,
}

impl OpenLoopReport {
    /// The latency below which `fraction` (0 to 1) of the requests were
    /// answered (nearest rank).
    ///
    /// ```
    /// use std::time::Duration;
    /// use xmlrpc_kit_test_support::open_loop::OpenLoopReport;
    /// let report = OpenLoopReport {
    ///     latencies: (1..=100).map(Duration::from_millis).collect(),
    ///     ..OpenLoopReport::default()
    /// };
    /// assert_eq!(report.percentile(0.5), Duration::from_millis(50));
    /// assert_eq!(report.percentile(0.99), Duration::from_millis(99));
    /// assert_eq!(report.percentile(1.0), Duration::from_millis(100));
    /// ```
    pub fn percentile(&self, fraction: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (fraction * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }

    /// Counted requests answered a second (below the rate offered when the
    /// server could not keep up).
    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs the load described by `config` (on a tokio runtime of one worker
/// thread, so that the load takes one core at most of the machine it
/// shares with the server).
pub fn run(config: &OpenLoopConfig) -> std::io::Result<OpenLoopReport> {
    if config.rate.is_nan() || config.rate <= 0.0 || config.connections == 0 {
        return Err(std::io::Error::other(
            "the rate and the connections must be positive",
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_async(config))
}

async fn run_async(config: &OpenLoopConfig) -> std::io::Result<OpenLoopReport> {
    let request = request_bytes(config);
    let expected = Arc::new(config.expected.clone());
    // Each connection sends one request every `interval`, the connections
    // staggered evenly across it.
    let interval = Duration::from_secs_f64(config.connections as f64 / config.rate);
    let start = Instant::now() + Duration::from_millis(50);
    let counted_from = start + config.warmup;
    let end = counted_from + config.duration;
    let mut tasks = Vec::with_capacity(config.connections);
    for n in 0..config.connections {
        let stream = TcpStream::connect(config.addr).await?;
        stream.set_nodelay(true)?;
        let first = start + interval.mul_f64(n as f64 / config.connections as f64);
        let request = request.clone();
        tasks.push(tokio::spawn(connection(
            stream,
            request,
            expected.clone(),
            Schedule {
                first,
                interval,
                counted_from,
                end,
            },
        )));
    }
    let mut report = OpenLoopReport::default();
    let mut finished = counted_from;
    for task in tasks {
        let done = task.await.map_err(std::io::Error::other)?;
        finished = finished.max(done.last_answer);
        report.latencies.extend(done.latencies);
        if let Some(error) = done.error {
            report.errors += 1 + done.unsent;
            if report.error_samples.len() < 5 {
                report.error_samples.push(error);
            }
        }
    }
    report.elapsed = finished.max(end).saturating_duration_since(counted_from);
    report.latencies.sort_unstable();
    Ok(report)
}

#[derive(Debug, Clone, Copy)]
struct Schedule {
    first: Instant,
    interval: Duration,
    counted_from: Instant,
    end: Instant,
}

impl Schedule {
    /// How many requests fall in `[from, end)` from `due` on.
    fn left_from(&self, due: Instant) -> u64 {
        let left = self
            .end
            .saturating_duration_since(due.max(self.counted_from));
        (left.as_secs_f64() / self.interval.as_secs_f64()).ceil() as u64
    }
}

struct ConnectionResult {
    latencies: Vec<Duration>,
    last_answer: Instant,
    error: Option<String>,
    /// Counted requests not sent after the error.
    unsent: u64,
}

async fn connection(
    stream: TcpStream,
    request: Vec<u8>,
    expected: Arc<Response>,
    schedule: Schedule,
) -> ConnectionResult {
    let mut stream = BufReader::new(stream);
    let mut check = AnswerCheck::new(expected);
    let mut latencies = Vec::new();
    let mut due = schedule.first;
    let mut last_answer = Instant::now();
    while due < schedule.end {
        tokio::time::sleep_until(due.into()).await;
        // Counted from when it was due if the server still held the
        // connection then (its last answer came late: the wait is the
        // server's); otherwise from when it was sent, for tokio's timer
        // wakes up to a millisecond late, and that is the load's lateness.
        let sent = Instant::now();
        let from = if last_answer > due { due } else { sent };
        let answered = async {
            stream.get_mut().write_all(&request).await?;
            let body = read_answer(&mut stream).await?;
            check.check(&body)
        }
        .await;
        if let Err(e) = answered {
            let unsent = schedule.left_from(due + schedule.interval);
            return ConnectionResult {
                latencies,
                last_answer,
                error: Some(e.to_string()),
                unsent: if due >= schedule.counted_from {
                    unsent
                } else {
                    0
                },
            };
        }
        last_answer = Instant::now();
        if due >= schedule.counted_from {
            latencies.push(last_answer - from);
        }
        due += schedule.interval;
    }
    ConnectionResult {
        latencies,
        last_answer,
        error: None,
        unsent: 0,
    }
}

fn request_bytes(config: &OpenLoopConfig) -> Vec<u8> {
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        config.path,
        config.addr,
        config.body.len()
    )
    .into_bytes();
    request.extend_from_slice(&config.body);
    request
}

/// Checks that each answer holds the expected value; an answer whose
/// bytes were last found right is not decoded again.
struct AnswerCheck {
    expected: Arc<Response>,
    last_right: Vec<u8>,
}

impl AnswerCheck {
    fn new(expected: Arc<Response>) -> Self {
        AnswerCheck {
            expected,
            last_right: Vec::new(),
        }
    }

    fn check(&mut self, body: &[u8]) -> std::io::Result<()> {
        if !self.last_right.is_empty() && body == self.last_right.as_slice() {
            return Ok(());
        }
        let got = decode_response(body, &DocumentLimits::default())
            .map_err(|e| std::io::Error::other(format!("an answer that is not a document: {e}")))?;
        if got != *self.expected {
            let shown = format!("{got:?}");
            let shown: String = shown.chars().take(200).collect();
            return Err(std::io::Error::other(format!("a wrong answer: {shown}")));
        }
        self.last_right = body.to_vec();
        Ok(())
    }
}

/// Reads one answer: a `200` with a `Content-Length`; its body.
async fn read_answer<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
) -> std::io::Result<Vec<u8>> {
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    if !line.starts_with("HTTP/1.1 200 ") {
        return Err(std::io::Error::other(format!(
            "answer {:?}, not 200",
            line.trim_end()
        )));
    }
    let mut length = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::other("the connection closed within a head"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let length = length.ok_or_else(|| std::io::Error::other("an answer without Content-Length"))?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_is_read_and_checked() {
        let five = "<methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>";
        let good = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{five}",
            five.len()
        );
        assert_eq!(
            read_answer(&mut good.as_bytes()).await.unwrap(),
            five.as_bytes()
        );
        let not_found = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        let e = read_answer(&mut &not_found[..]).await.unwrap_err();
        assert!(e.to_string().contains("not 200"), "{e}");
        let no_length = b"HTTP/1.1 200 OK\r\n\r\n<methodResponse/>";
        let e = read_answer(&mut &no_length[..]).await.unwrap_err();
        assert!(e.to_string().contains("Content-Length"), "{e}");
    }

    #[test]
    fn only_the_expected_value_is_a_right_answer() {
        let mut check = AnswerCheck::new(Arc::new(Ok(xmlrpc_kit::Value::Int(5))));
        let five = b"<methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>";
        check.check(five).unwrap();
        // Spelled another way, the same value.
        check
            .check(b"<?xml version=\"1.0\"?>\n<methodResponse><params><param><value><i4>5</i4></value></param></params></methodResponse>")
            .unwrap();
        let six = b"<methodResponse><params><param><value><int>6</int></value></param></params></methodResponse>";
        assert_eq!(
            check.check(six).unwrap_err().to_string(),
            "a wrong answer: Ok(Int(6))"
        );
        let fault = xmlrpc_kit::encode_response(
            &Err(xmlrpc_kit::Fault::new(-32601, "no such method")),
            &xmlrpc_kit::EncodeOptions::default(),
        )
        .unwrap();
        let e = check.check(&fault).unwrap_err().to_string();
        assert!(e.starts_with("a wrong answer: Err(Fault"), "{e}");
        let e = check.check(b"<html>").unwrap_err().to_string();
        assert!(e.starts_with("an answer that is not a document"), "{e}");
    }

    #[test]
    fn requests_left_after_an_error_are_counted_from_the_measured_part() {
        let now = Instant::now();
        let schedule = Schedule {
            first: now,
            interval: Duration::from_millis(10),
            counted_from: now + Duration::from_millis(100),
            end: now + Duration::from_millis(200),
        };
        assert_eq!(schedule.left_from(now), 10);
        assert_eq!(schedule.left_from(now + Duration::from_millis(150)), 5);
        assert_eq!(schedule.left_from(now + Duration::from_millis(250)), 0);
    }
}
