//! Spans exported with OpenTelemetry through `tracing-opentelemetry`: each
//! request's `xmlrpc.request` span and each call's `xmlrpc.call` span, in
//! the trace of the `traceparent` the caller sent, and a call a handler
//! makes with the client, sent on in the same trace: one trace across two
//! servers.
//!
//! Run with `cargo run -p xmlrpc-kit --example opentelemetry`, then call
//! `relay` with a trace context of your own; each span is printed by
//! OpenTelemetry's stdout exporter as it ends, all with trace id
//! `4bf92f3577b34da6a3ce929d0e0e4736`:
//!
//! ```text
//! curl http://127.0.0.1:8000/RPC2 \
//!     -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
//!     -d '<methodCall><methodName>relay</methodName><params><param><value><int>21</int></value></param></params></methodCall>'
//! ```
//!
//! Sending the spans to a collector instead is a matter of another
//! exporter (`opentelemetry-otlp`'s); nothing else changes.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use xmlrpc_kit::trace::TraceContext;
use xmlrpc_kit::{Client, Fault, Methods, Server, ServerBuilder};

/// Spans handed to `exporter` as each ends.
fn tracer_provider(exporter: impl SpanExporter + 'static) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .build()
}

/// A subscriber giving OpenTelemetry xmlrpc-kit's spans, which are at
/// debug level, and the events in them.
fn subscriber(provider: &SdkTracerProvider) -> impl tracing::Subscriber + Send + Sync {
    let spans = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("xmlrpc-kit-example"))
        .with_filter(
            Targets::new()
                .with_target("xmlrpc_kit", tracing::Level::DEBUG)
                .with_target("opentelemetry", tracing::Level::INFO),
        );
    tracing_subscriber::registry().with(spans)
}

/// Makes a request's span a child of the caller's span, named by the
/// request's `traceparent` (and `tracestate`): the server's spans join
/// the caller's trace.
fn join_callers_trace(span: &tracing::Span, trace: &TraceContext) {
    let mut headers = HashMap::from([("traceparent".to_owned(), trace.traceparent().to_owned())]);
    if let Some(state) = trace.tracestate() {
        headers.insert("tracestate".to_owned(), state.to_owned());
    }
    let _ = span.set_parent(TraceContextPropagator::new().extract(&headers));
}

/// The current span's trace context as OpenTelemetry has it: what a call
/// made now sends, so that the server it calls makes its spans children
/// of this one.
fn current_trace_context() -> Option<TraceContext> {
    let mut headers = HashMap::new();
    TraceContextPropagator::new().inject_context(&tracing::Span::current().context(), &mut headers);
    let mut trace = TraceContext::parse(headers.get("traceparent")?).ok()?;
    if let Some(state) = headers.get("tracestate") {
        let _ = trace.set_tracestate(state);
    }
    Some(trace)
}

/// A server whose requests' spans join their callers' traces.
fn traced(methods: Methods) -> ServerBuilder {
    Server::builder(methods)
        .log_requests(false)
        .on_request_span(join_callers_trace)
}

/// The server behind: `add`.
fn back_server() -> ServerBuilder {
    let mut methods = Methods::new();
    methods.register_function("add", |x: i64, y: i64| {
        tracing::info!(x, y, "adding");
        x + y
    });
    traced(methods)
}

/// The server in front: `relay(x)` asks the one behind (at `back`) for
/// `add(x, x)`.
fn front_server(back: &str) -> ServerBuilder {
    let back = Client::builder(back)
        .trace_context(current_trace_context)
        .build()
        .expect("a valid URL");
    let mut methods = Methods::new();
    methods.register_function("relay", move |x: i64| {
        let back = back.clone();
        async move {
            let sum = back.call::<i64>("add", (x, x)).await;
            sum.map_err(|e| Fault::application(format!("the server behind: {e}")))
        }
    });
    traced(methods)
}

fn main() -> std::io::Result<()> {
    let provider = tracer_provider(opentelemetry_stdout::SpanExporter::default());
    tracing::subscriber::set_global_default(subscriber(&provider)).expect("the only subscriber");
    let back = back_server().bind("127.0.0.1:0")?;
    let front = front_server(&format!("http://{}/RPC2", back.local_addr()?));
    let front = front.bind(("127.0.0.1", 8000))?;
    tokio::runtime::Runtime::new()?.block_on(async move {
        let back = tokio::spawn(back.serve());
        front.serve().await?;
        back.await.expect("the server behind")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanId, TraceId};
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
    use xmlrpc_kit_test_support::server::TestServer;

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /// The one span called `name` whose parent is `parent`.
    fn child<'a>(spans: &'a [SpanData], name: &str, parent: SpanId) -> &'a SpanData {
        let found: Vec<&SpanData> = spans
            .iter()
            .filter(|s| s.name == name && s.parent_span_id == parent)
            .collect();
        assert_eq!(found.len(), 1, "{name} under {parent}: {spans:#?}");
        found[0]
    }

    /// The spans exported for a call of `relay` with a `traceparent` are
    /// one trace: the front's request span a child of the caller's span,
    /// its call's span a child of it, the request behind a child of that
    /// call's span (the client sent its context on), and `add`'s call a
    /// child of that request; `add`'s event is in its call's span.
    #[test]
    fn the_spans_of_both_servers_are_one_trace() {
        let exporter = InMemorySpanExporter::default();
        let provider = tracer_provider(exporter.clone());
        // Global: the servers' calls run on their own threads. (This test
        // binary has this one test.)
        tracing::subscriber::set_global_default(subscriber(&provider)).unwrap();
        let back = TestServer::start(back_server());
        let front = TestServer::start(front_server(&format!("http://{}/RPC2", back.addr)));
        let trace = TraceContext::parse(TRACEPARENT).unwrap();
        let client = Client::builder(&format!("http://{}/RPC2", front.addr))
            .trace_context(move || Some(trace.clone()))
            .build_blocking()
            .unwrap();
        assert_eq!(client.call::<i64>("relay", (21,)).unwrap(), 42);
        drop(front);
        drop(back);
        provider.force_flush().unwrap();

        let spans = exporter.get_finished_spans().unwrap();
        assert_eq!(spans.len(), 4, "{spans:#?}");
        let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        for span in &spans {
            assert_eq!(span.span_context.trace_id(), trace_id, "{span:#?}");
        }
        let caller = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        let front_request = child(&spans, "xmlrpc.request", caller);
        assert!(front_request.parent_span_is_remote);
        let relay = child(&spans, "xmlrpc.call", front_request.span_context.span_id());
        let back_request = child(&spans, "xmlrpc.request", relay.span_context.span_id());
        assert!(back_request.parent_span_is_remote);
        let add = child(&spans, "xmlrpc.call", back_request.span_context.span_id());
        let attribute = |span: &SpanData, key: &str| {
            span.attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| kv.value.to_string())
        };
        assert_eq!(attribute(relay, "method").as_deref(), Some("relay"));
        assert_eq!(attribute(add, "method").as_deref(), Some("add"));
        assert_eq!(
            attribute(front_request, "trace_id").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(attribute(front_request, "path").as_deref(), Some("/RPC2"));
        let events: Vec<&str> = add.events.iter().map(|e| e.name.as_ref()).collect();
        assert_eq!(events, ["adding"]);
    }
}
