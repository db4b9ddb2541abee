//! Prometheus metrics (the `metrics` feature): calls, faults and latency
//! by method, calls in flight, multicall sizes, requests by status, bytes
//! in and out, and connections, in the OpenMetrics text a Prometheus
//! server scrapes.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use xmlrpc_kit_server::middleware::{Call, Called, Middleware, Next};

/// The label a method not in the method table is counted under, whatever
/// name the peer sent: label values come from the table, never from raw
/// input, so a peer cannot make series without end.
pub const UNLISTED_METHOD: &str = "(unlisted)";

/// The upper bounds, in seconds, of the call latency histogram's buckets:
/// 100 µs to 10 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// The upper bounds of the multicall size histogram's buckets, in calls.
const MULTICALL_BUCKETS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1000.0];

type MethodLabel = [(&'static str, String); 1];
type FaultLabels = [(&'static str, String); 2];
type StatusLabel = [(&'static str, String); 1];

fn latency() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// A server's metrics, named with the prefix `xmlrpc_` (Prometheus'
/// conventions: units in names, counters ending `_total`):
///
/// | series | what it counts |
/// | --- | --- |
/// | `xmlrpc_calls_total{method}` | calls, each call of a multicall and the multicall itself |
/// | `xmlrpc_faults_total{method, code}` | calls answered with a fault |
/// | `xmlrpc_call_duration_seconds{method}` | histogram of how long calls took |
/// | `xmlrpc_calls_in_flight` | calls started and not yet answered |
/// | `xmlrpc_multicall_calls` | histogram of how many calls each multicall held |
/// | `xmlrpc_http_requests_total{status}` | requests by the status answered |
/// | `xmlrpc_requests_refused_total{status}` | requests refused before any call (401, 413, 429, 503, …) |
/// | `xmlrpc_request_bytes_total` | request documents read (after gzip) |
/// | `xmlrpc_response_bytes_total` | response bodies sent (as sent) |
/// | `xmlrpc_connections_open` | connections open now |
/// | `xmlrpc_connections_total` | connections accepted |
///
/// `method` is a name the method table lists, or [`UNLISTED_METHOD`].
/// Calls are counted by a [`Middleware`] ([`call_layer`](Self::call_layer)),
/// requests and connections by the front end.
///
/// ```
/// use std::sync::Arc;
/// use xmlrpc_kit::metrics::Metrics;
/// use xmlrpc_kit::{DispatchOptions, Dispatcher, Methods, Value};
///
/// let metrics = Arc::new(Metrics::new());
/// let mut methods = Methods::new();
/// methods.register_function("add", |x: i32, y: i32| x + y);
/// let options = DispatchOptions::default().layer_shared(metrics.call_layer());
/// let dispatcher = Dispatcher::with_options(methods, options);
/// futures::executor::block_on(dispatcher.call("add", vec![Value::Int(1), Value::Int(2)])).unwrap();
/// futures::executor::block_on(dispatcher.call("nope", vec![])).unwrap_err();
///
/// let text = metrics.encode();
/// assert!(text.contains("xmlrpc_calls_total{method=\"add\"} 1\n"));
/// assert!(text.contains("xmlrpc_faults_total{method=\"(unlisted)\",code=\"-32601\"} 1\n"));
/// assert!(text.ends_with("# EOF\n"));
/// ```
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    series: Series,
    /// Each listed method's series, found without allocating once seen.
    by_method: RwLock<HashMap<String, Arc<MethodSeries>>>,
    /// The series of [`UNLISTED_METHOD`].
    unlisted: Arc<MethodSeries>,
    /// `xmlrpc_http_requests_total{status="200"}`, the one nearly every
    /// request counts in, found without a look-up.
    requests_ok: Counter,
}

/// The metric families, registered in the registry and kept to record to.
#[derive(Debug, Clone)]
struct Series {
    calls: Family<MethodLabel, Counter>,
    faults: Family<FaultLabels, Counter>,
    duration: Family<MethodLabel, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    multicall_calls: Histogram,
    requests: Family<StatusLabel, Counter>,
    refused: Family<StatusLabel, Counter>,
    request_bytes: Counter,
    response_bytes: Counter,
    connections_open: Gauge,
    connections: Counter,
}

/// One method's counter and histogram.
#[derive(Debug)]
struct MethodSeries {
    label: String,
    calls: Counter,
    duration: Histogram,
}

impl MethodSeries {
    fn new(series: &Series, label: &str) -> Self {
        let method = [("method", label.to_owned())];
        MethodSeries {
            label: label.to_owned(),
            calls: series.calls.get_or_create_owned(&method),
            duration: series.duration.get_or_create_owned(&method),
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Metrics in a registry of their own.
    pub fn new() -> Self {
        Self::with_registry(Registry::default())
    }

    /// Metrics added to `registry`, beside the application's own (which
    /// [`encode`](Self::encode) then writes too).
    pub fn with_registry(mut registry: Registry) -> Self {
        let series = Series {
            calls: Family::default(),
            faults: Family::default(),
            duration: Family::new_with_constructor(latency),
            in_flight: Gauge::default(),
            multicall_calls: Histogram::new(MULTICALL_BUCKETS),
            requests: Family::default(),
            refused: Family::default(),
            request_bytes: Counter::default(),
            response_bytes: Counter::default(),
            connections_open: Gauge::default(),
            connections: Counter::default(),
        };
        let xmlrpc = registry.sub_registry_with_prefix("xmlrpc");
        let s = series.clone();
        xmlrpc.register(
            "calls",
            "XML-RPC calls, each call of a multicall and the multicall itself, by method",
            s.calls,
        );
        xmlrpc.register(
            "faults",
            "XML-RPC calls answered with a fault, by method and fault code",
            s.faults,
        );
        xmlrpc.register_with_unit(
            "call_duration",
            "How long XML-RPC calls took, by method",
            Unit::Seconds,
            s.duration,
        );
        xmlrpc.register(
            "calls_in_flight",
            "XML-RPC calls started and not yet answered",
            s.in_flight,
        );
        xmlrpc.register(
            "multicall_calls",
            "How many calls each system.multicall held",
            s.multicall_calls,
        );
        xmlrpc.register(
            "http_requests",
            "Requests, by the HTTP status answered",
            s.requests,
        );
        xmlrpc.register(
            "requests_refused",
            "Requests refused before any call was made, by the HTTP status answered",
            s.refused,
        );
        xmlrpc.register_with_unit(
            "request",
            "Request documents read, after gzip",
            Unit::Bytes,
            s.request_bytes,
        );
        xmlrpc.register_with_unit(
            "response",
            "Response bodies sent, as sent",
            Unit::Bytes,
            s.response_bytes,
        );
        xmlrpc.register(
            "connections_open",
            "Connections open now",
            s.connections_open,
        );
        xmlrpc.register("connections", "Connections accepted", s.connections);
        Metrics {
            registry,
            unlisted: Arc::new(MethodSeries::new(&series, UNLISTED_METHOD)),
            requests_ok: series
                .requests
                .get_or_create_owned(&[("status", "200".to_owned())]),
            series,
            by_method: RwLock::default(),
        }
    }

    /// The middleware that counts and times every call; add it to each
    /// dispatcher whose calls are to be counted (the server does, for the
    /// dispatchers it serves, when it has metrics).
    pub fn call_layer(self: &Arc<Self>) -> Arc<dyn Middleware> {
        Arc::new(CallMetrics(self.clone()))
    }

    /// Records one request: the status answered, the bytes of its
    /// document (`None` when no body was read) and of its answer, and
    /// whether it was refused before any call.
    pub fn record_request(
        &self,
        status: u16,
        bytes_in: Option<usize>,
        bytes_out: usize,
        refused: bool,
    ) {
        if status == 200 {
            self.requests_ok.inc();
        } else {
            let status = [("status", status.to_string())];
            self.series.requests.get_or_create(&status).inc();
            if refused {
                self.series.refused.get_or_create(&status).inc();
            }
        }
        if let Some(bytes) = bytes_in {
            self.series.request_bytes.inc_by(bytes as u64);
        }
        self.series.response_bytes.inc_by(bytes_out as u64);
    }

    /// Counts a connection as open until the returned guard is dropped.
    pub fn connection_opened(&self) -> OpenConnection {
        self.series.connections.inc();
        self.series.connections_open.inc();
        OpenConnection(self.series.connections_open.clone())
    }

    /// The OpenMetrics text of every series (media type
    /// [`METRICS_CONTENT_TYPE`](crate::METRICS_CONTENT_TYPE)), ending `# EOF`.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }

    /// The same series in Prometheus' own text format, version 0.0.4
    /// (media type [`PROMETHEUS_TEXT_CONTENT_TYPE`]): what `promtool
    /// check metrics` reads, and what a scraper that does not ask for
    /// OpenMetrics gets.
    ///
    /// ```
    /// let metrics = xmlrpc_kit::metrics::Metrics::new();
    /// let text = metrics.encode_prometheus_text();
    /// assert!(text.contains("# HELP xmlrpc_connections_total Connections accepted.\n"));
    /// assert!(text.contains("# TYPE xmlrpc_connections_total counter\nxmlrpc_connections_total 0\n"));
    /// assert!(!text.contains("# EOF"));
    /// ```
    pub fn encode_prometheus_text(&self) -> String {
        prometheus_text(&self.encode())
    }

    /// The exposition for a scraper that sent `accept` (its `Accept`
    /// header): OpenMetrics when it asks for it, as Prometheus does, else
    /// Prometheus' text format. Gives the media type and the text.
    pub fn exposition(&self, accept: Option<&str>) -> (&'static str, String) {
        if accept.is_some_and(|a| a.contains("application/openmetrics-text")) {
            (crate::METRICS_CONTENT_TYPE, self.encode())
        } else {
            (PROMETHEUS_TEXT_CONTENT_TYPE, self.encode_prometheus_text())
        }
    }

    /// The series of `call`'s method: its own when the table lists it,
    /// else the one of [`UNLISTED_METHOD`].
    fn method_series(&self, call: &Call<'_>) -> Arc<MethodSeries> {
        let name = call.method();
        let by_method = self.by_method.read().unwrap_or_else(|e| e.into_inner());
        if let Some(series) = by_method.get(name) {
            return series.clone();
        }
        drop(by_method);
        if !call.is_listed() {
            return self.unlisted.clone();
        }
        let series = Arc::new(MethodSeries::new(&self.series, name));
        let mut by_method = self.by_method.write().unwrap_or_else(|e| e.into_inner());
        by_method.insert(name.to_owned(), series.clone());
        series
    }
}

/// The media type of Prometheus' text format, version 0.0.4.
pub const PROMETHEUS_TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `openmetrics` (as prometheus-client writes it) in Prometheus' text
/// format: the two differ, for these series, only in that OpenMetrics
/// names a counter's family without its `_total` (Prometheus names it as
/// its sample), has `# UNIT` lines, and ends with `# EOF`.
fn prometheus_text(openmetrics: &str) -> String {
    let counters: Vec<&str> = openmetrics
        .lines()
        .filter_map(|line| line.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut text = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        let described = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|kind| Some((kind, line.strip_prefix(kind)?)));
        match described {
            Some((kind, rest)) => {
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let suffix = if counters.contains(&name) {
                    "_total"
                } else {
                    ""
                };
                text.push_str(&format!("{kind}{name}{suffix} {tail}"));
            }
            None => text.push_str(line),
        }
        text.push('\n');
    }
    text
}

/// A connection counted open by [`Metrics::connection_opened`]; dropping
/// it counts it closed.
#[derive(Debug)]
pub struct OpenConnection(Gauge);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A call counted in flight until dropped, answered or not (a call cut by
/// its time limit is dropped unanswered).
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The middleware of [`Metrics::call_layer`].
struct CallMetrics(Arc<Metrics>);

impl Middleware for CallMetrics {
    fn call<'a>(&'a self, call: Call<'a>, next: Next<'a>) -> Called<'a> {
        let metrics = &self.0;
        let series = metrics.method_series(&call);
        if let Some(calls) = call.multicall_size() {
            metrics.series.multicall_calls.observe(calls as f64);
        }
        series.calls.inc();
        metrics.series.in_flight.inc();
        let in_flight = InFlight(metrics.series.in_flight.clone());
        let started = Instant::now();
        next.run(call).inspect(move |result| {
            series.duration.observe(started.elapsed().as_secs_f64());
            if let Err(fault) = result {
                let labels = [
                    ("method", series.label.clone()),
                    ("code", fault.code.to_string()),
                ];
                metrics.series.faults.get_or_create(&labels).inc();
            }
            drop(in_flight);
        })
    }

    /// It counts a multicall's size, not its parameters.
    fn reads_multicall_params(&self) -> bool {
        false
    }
}
