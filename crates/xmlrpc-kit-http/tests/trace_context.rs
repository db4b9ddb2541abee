//! Trace context (issue 25, item 4): a request's W3C `traceparent` is the
//! trace id of its access event and span in every front end (HTTP, SCGI,
//! CGI), taken from whom the server is set to take it; our client sends
//! the context of the request being answered on to the servers its
//! handlers call, with a new parent id; each request and each call has a
//! span, which its handler's events carry; a malformed or oversized trace
//! header is ignored and counted.

mod common;

use std::net::SocketAddr;

use common::*;
use xmlrpc_kit::context::Headers;
use xmlrpc_kit::trace::{TraceContext, TrustTraceContext};
use xmlrpc_kit::wire::Address;
use xmlrpc_kit::{CgiEnv, CgiHandler, Client, Methods, Server};
use xmlrpc_kit_test_support::captured::Captured;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Plain lines (no time, colour or target) into `captured`, of what
/// `filter` lets through.
fn subscriber(
    captured: &Captured,
    filter: &str,
) -> impl tracing::Subscriber + Send + Sync + 'static {
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_env_filter(filter)
        .finish()
}

/// The access log and the handlers' events, without the request spans.
const LOG: &str = "info,xmlrpc_kit_http::server=off";
/// With the request and call spans, and the requests' debug events.
const SPANS: &str = "info,xmlrpc_kit_http::server=off,xmlrpc_kit::request=debug,\
                     xmlrpc_kit::call=debug";

/// Serves `servers` on one current-thread runtime with a capturing
/// subscriber while `client` runs, and returns what was logged.
fn log_while_serving(filter: &str, servers: Vec<Server>, client: impl FnOnce()) -> String {
    let captured = Captured::default();
    let subscriber = subscriber(&captured, filter);
    serve_while(subscriber, servers, client);
    captured.text()
}

/// The value of header `name` as a handler got it, or "none".
fn header(name: &'static str) -> impl Fn(Headers) -> String + Send + Sync + 'static {
    move |Headers(headers): Headers| {
        headers
            .into_iter()
            .find(|(header, _)| header == name)
            .map_or_else(|| "none".to_owned(), |(_, value)| value)
    }
}

/// `add`, `traceparent` and `tracestate` (the header as the handler got
/// it, or "none"), `current` (the trace context the handler runs in, or
/// "none"), `note` and `later` (each logs an event, `later` after a
/// wait), and `a\nb\u{202e}` (as `note`).
fn traced_methods() -> Methods {
    let mut methods = common::methods();
    methods.register_function("traceparent", header("traceparent"));
    methods.register_function("tracestate", header("tracestate"));
    methods.register_function("a\nb\u{202e}", || {
        tracing::info!("noted");
        1
    });
    methods.register_function("current", || {
        TraceContext::current().map_or_else(|| "none".to_owned(), |t| t.traceparent().to_owned())
    });
    methods.register_function("note", || {
        tracing::info!("noted");
        1
    });
    methods.register_function("later", || async {
        tokio::task::yield_now().await;
        tracing::info!("noted later");
        Ok::<_, xmlrpc_kit::Fault>(2)
    });
    methods
}

fn server(methods: Methods) -> (Server, SocketAddr) {
    let server = Server::builder(methods).bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    (server, addr)
}

/// A POST of `body` to `/RPC2` with `headers` besides the usual.
fn post_with(headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST /RPC2 HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\n{headers}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The string a call of `method` answered.
fn answered_string(answer: &HttpResponse) -> String {
    let text = answer.text();
    let (_, rest) = text
        .split_once("<string>")
        .unwrap_or_else(|| panic!("no string in {text}"));
    rest.split_once("</string>").unwrap().0.to_owned()
}

/// The lines of `log` holding `wanted`.
fn lines_with<'a>(log: &'a str, wanted: &str) -> Vec<&'a str> {
    log.lines().filter(|line| line.contains(wanted)).collect()
}

/// Done when (issue 25, item 4): a `traceparent` our client sends is the
/// trace id of the server's access event.
#[test]
fn the_traceparent_our_client_sends_is_the_access_events_trace_id() {
    let (server, addr) = server(traced_methods());
    let log = log_while_serving(LOG, vec![server], || {
        let trace = TraceContext::parse(TRACEPARENT).unwrap();
        let client = Client::builder(&format!("http://{addr}/RPC2"))
            .trace_context(move || Some(trace.clone()))
            .build_blocking()
            .unwrap();
        let seen: String = client.call("traceparent", ()).unwrap();
        assert_eq!(seen, TRACEPARENT);
        // A client's own call, outside any request: no trace context.
        let plain = xmlrpc_kit::blocking::Client::new(&format!("http://{addr}/RPC2")).unwrap();
        assert_eq!(plain.call::<String>("traceparent", ()).unwrap(), "none");
    });
    let access = lines_with(&log, "\"POST /RPC2 HTTP/1.1\" 200");
    assert_eq!(access.len(), 2, "{log}");
    assert!(
        access[0].contains(&format!(" trace_id=\"{TRACE_ID}\" ")),
        "{log}"
    );
    assert!(!access[1].contains("trace_id="), "{log}");
}

/// Done when (issue 25, item 4): a handler calling another server with
/// our client sends its request's trace on, with a new parent id, and the
/// second server's access event has the trace id the first was sent.
#[test]
fn a_handler_calling_another_server_sends_its_trace_on() {
    let (second, second_addr) = server(traced_methods());
    let downstream = Client::new(&format!("http://{second_addr}/RPC2")).unwrap();
    let mut methods = traced_methods();
    methods.register_function("relay", move || {
        let downstream = downstream.clone();
        async move {
            let got = downstream.call::<String>("traceparent", ()).await;
            got.map_err(|e| xmlrpc_kit::Fault::application(e.to_string()))
        }
    });
    let (first, first_addr) = server(methods);
    let mut relayed = String::new();
    let log = log_while_serving(LOG, vec![first, second], || {
        let body = call_body("relay", "");
        let answer = exchange(
            first_addr,
            &post_with(&format!("traceparent: {TRACEPARENT}\r\n"), &body),
        );
        assert_eq!(answer.status, 200, "{}", answer.text());
        relayed = answered_string(&answer);
    });
    // The same trace and flags; a new parent id of 16 hex digits.
    let sent = TraceContext::parse(&relayed).unwrap();
    assert_eq!(sent.trace_id(), TRACE_ID);
    assert!(sent.sampled());
    assert_ne!(sent.parent_id(), "00f067aa0ba902b7");
    assert_eq!(sent.parent_id().len(), 16);
    // Both servers' access events are in the trace: the second's first,
    // as it answers before the first does.
    let access = lines_with(&log, "\"POST /RPC2 HTTP/1.1\" 200");
    assert_eq!(access.len(), 2, "{log}");
    assert!(access[0].contains(" traceparent "), "{log}");
    assert!(access[1].contains(" relay "), "{log}");
    for line in access {
        assert!(
            line.contains(&format!(" trace_id=\"{TRACE_ID}\" ")),
            "{log}"
        );
    }
}

/// Each request has a span with its trace and request ids, peer, method
/// and path; each call one with its method (and a multicall's calls their
/// position, inside the multicall's); a handler's events, sync or async,
/// and the access event are in them.
#[test]
fn requests_and_calls_have_spans_that_handlers_events_carry() {
    let (server, addr) = server(traced_methods());
    let log = log_while_serving(SPANS, vec![server], || {
        let note = call_body("note", "");
        let request = post_with(
            &format!("traceparent: {TRACEPARENT}\r\nUser-Agent: t\r\n"),
            &note,
        );
        assert_eq!(exchange(addr, &request).status, 200);
        let calls = r"<param><value><array><data>
            <value><struct><member><name>methodName</name><value>note</value></member>
              <member><name>params</name><value><array><data/></array></value></member></struct></value>
            <value><struct><member><name>methodName</name><value>later</value></member>
              <member><name>params</name><value><array><data/></array></value></member></struct></value>
            </data></array></value></param>";
        let multicall = call_body("system.multicall", calls);
        assert_eq!(exchange(addr, &post("/RPC2", &multicall)).status, 200);
    });
    let request = |line: &str| {
        let (_, span) = line.split_once("xmlrpc.request{").unwrap();
        span.split_once('}').unwrap().0.to_owned()
    };
    let noted = lines_with(&log, " noted");
    assert_eq!(noted.len(), 3, "{log}");
    let first = request(noted[0]);
    let (fields, request_id) = first.split_once(" request_id=").unwrap();
    assert_eq!(fields, format!("trace_id=\"{TRACE_ID}\""), "{log}");
    let (request_id, rest) = request_id.split_once(' ').unwrap();
    assert_eq!(request_id.len(), 16, "{log}");
    assert_eq!(rest, "peer=127.0.0.1 http_method=POST path=/RPC2", "{log}");
    assert!(
        noted[0].ends_with("}:xmlrpc.call{method=note}: noted"),
        "{log}"
    );
    assert!(
        noted[1].ends_with(
            "}:xmlrpc.call{method=system.multicall}:xmlrpc.call{method=note position=1}: noted"
        ),
        "{log}"
    );
    assert!(
        noted[2].ends_with(
            "}:xmlrpc.call{method=system.multicall}:xmlrpc.call{method=later position=2}: noted later"
        ),
        "{log}"
    );
    assert!(!request(noted[1]).contains("trace_id"), "{log}");
    // The access event is in its request's span (that of the note).
    let access = lines_with(&log, " note 0.");
    assert_eq!(access.len(), 1, "{log}");
    assert!(
        access[0].contains(&format!(" xmlrpc.request{{{first}}}: 127.0.0.1 ")),
        "{log}"
    );
}

/// A method name a peer sent is escaped in the call's span, as in the
/// access log.
#[test]
fn a_call_spans_method_is_escaped() {
    let (server, addr) = server(traced_methods());
    let log = log_while_serving(SPANS, vec![server], || {
        let body = call_body("a&#10;b&#x202E;", "");
        assert_eq!(exchange(addr, &post("/RPC2", &body)).status, 200);
    });
    let noted = lines_with(&log, " noted");
    assert_eq!(noted.len(), 1, "{log}");
    assert!(
        noted[0].ends_with(r"}:xmlrpc.call{method=a\nb\u{202e}}: noted"),
        "{log}"
    );
    assert!(!log.contains('\u{202e}'), "{log}");
}

/// The SCGI and CGI front ends read the trace context from their
/// `HTTP_*` variables alike, into the request's span and access event, and
/// the handler runs in it.
#[test]
fn scgi_and_cgi_requests_have_their_trace_and_span() {
    let server = Server::builder(traced_methods())
        .listen(["scgi://127.0.0.1:0"])
        .unwrap();
    let Address::ScgiTcp { host, port } = &server.addresses().unwrap()[0] else {
        panic!("not an SCGI address")
    };
    let addr = format!("{host}:{port}");
    let body = call_body("current", "");
    let log = log_while_serving(SPANS, vec![server], || {
        let request = scgi_request(
            &[("REQUEST_URI", "/RPC2"), ("HTTP_TRACEPARENT", TRACEPARENT)],
            body.as_bytes(),
        );
        let answer = exchange_on(std::net::TcpStream::connect(&addr).unwrap(), &request);
        assert_eq!(answered_string(&answer), TRACEPARENT);
    });
    let access = lines_with(&log, " SCGI\" 200 ");
    assert_eq!(access.len(), 1, "{log}");
    assert!(
        access[0].contains(&format!("xmlrpc.request{{trace_id=\"{TRACE_ID}\" ")),
        "{log}"
    );
    assert!(
        access[0].contains(&format!(" trace_id=\"{TRACE_ID}\" ")),
        "{log}"
    );

    let (out, log) = cgi(
        CgiHandler::new(traced_methods()).log_requests(true),
        &[("traceparent", TRACEPARENT)],
        &call_body("note", ""),
    );
    assert!(out.ends_with("<int>1</int></value></param></params></methodResponse>"));
    let noted = lines_with(&log, " noted");
    assert_eq!(noted.len(), 1, "{log}");
    assert!(
        noted[0].contains(&format!(
            "INFO xmlrpc.request{{trace_id=\"{TRACE_ID}\" request_id="
        )),
        "{log}"
    );
    assert!(
        noted[0].ends_with(
            " peer=192.0.2.7 http_method=POST path=/cgi-bin/rpc}:xmlrpc.call{method=note}: noted"
        ),
        "{log}"
    );
}

/// What a CGI handler writes for a POST of `body` with `headers` from
/// 192.0.2.7, and what it logged.
fn cgi(handler: CgiHandler, headers: &[(&str, &str)], body: &str) -> (String, String) {
    let env = CgiEnv {
        request_method: Some("POST".into()),
        content_length: Some(body.len().to_string()),
        content_type: Some("text/xml".into()),
        path: Some("/cgi-bin/rpc".into()),
        remote_addr: Some("192.0.2.7".into()),
        http_headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        ..CgiEnv::default()
    };
    let captured = Captured::default();
    let mut out = Vec::new();
    tracing::subscriber::with_default(subscriber(&captured, SPANS), || {
        handler
            .respond(&env, &mut body.as_bytes(), &mut out)
            .unwrap()
    });
    (String::from_utf8(out).unwrap(), captured.text())
}

/// `TrustTraceContext` applies alike over HTTP, SCGI and CGI: the trace
/// context a handler runs in, and the access event's trace id, for each
/// setting, from a peer that is a trusted proxy and from one that is not.
#[test]
fn whose_trace_context_is_taken_is_one_setting_for_every_front_end() {
    use TrustTraceContext::*;
    let body = call_body("current", "");
    // (setting, trusted peer?, taken?)
    let cases = [
        (Always, false, true),
        (Always, true, true),
        (TrustedProxiesOnly, false, false),
        (TrustedProxiesOnly, true, true),
        (Never, true, false),
    ];
    for (trust, trusted, taken) in cases {
        // The peer is 127.0.0.1 (HTTP) or 192.0.2.7 (SCGI's and CGI's
        // REMOTE_ADDR); trusted when it is the proxy.
        let proxy = if trusted {
            "127.0.0.1, 192.0.2.7"
        } else {
            "10.0.0.1"
        };
        let expected = if taken { TRACEPARENT } else { "none" };
        let case = format!("{trust:?}, trusted {trusted}");

        let server = Server::builder(traced_methods())
            .trusted_proxies(proxy.parse().unwrap())
            .trace_context(trust)
            .listen(["http://127.0.0.1:0", "scgi://127.0.0.1:0"])
            .unwrap();
        let addresses = server.addresses().unwrap();
        let http = match &addresses[0] {
            Address::Http { host, port, .. } => format!("{host}:{port}"),
            other => panic!("{other}"),
        };
        let scgi = match &addresses[1] {
            Address::ScgiTcp { host, port } => format!("{host}:{port}"),
            other => panic!("{other}"),
        };
        let log = log_while_serving(LOG, vec![server], || {
            let request = post_with(&format!("traceparent: {TRACEPARENT}\r\n"), &body);
            let answer = exchange(http.parse().unwrap(), &request);
            assert_eq!(answered_string(&answer), expected, "HTTP, {case}");
            let request = scgi_request(
                &[
                    ("REQUEST_URI", "/RPC2"),
                    ("REMOTE_ADDR", "192.0.2.7"),
                    ("HTTP_TRACEPARENT", TRACEPARENT),
                ],
                body.as_bytes(),
            );
            let answer = exchange_on(std::net::TcpStream::connect(&scgi).unwrap(), &request);
            assert_eq!(answered_string(&answer), expected, "SCGI, {case}");
        });
        let (out, cgi_log) = cgi(
            CgiHandler::new(traced_methods())
                .log_requests(true)
                .trusted_proxies(proxy.parse().unwrap())
                .trace_context(trust),
            &[("traceparent", TRACEPARENT)],
            &body,
        );
        assert!(
            out.contains(&format!("<string>{expected}</string>")),
            "CGI, {case}: {out}"
        );
        let access = lines_with(&log, "\" 200 ");
        let access_cgi = lines_with(&cgi_log, "\" 200 ");
        assert_eq!(access.len() + access_cgi.len(), 3, "{case}: {log}{cgi_log}");
        for line in access.into_iter().chain(access_cgi) {
            let traced = line.contains(&format!(" trace_id=\"{TRACE_ID}\" "));
            assert_eq!(traced, taken, "{case}: {line}");
        }
    }
}

/// Issue 25 (bad input): an oversized (10 KB) or malformed (control
/// characters) trace header is ignored, with a debug event saying which
/// and why, and counted in the access event.
#[test]
fn malformed_or_oversized_trace_headers_are_ignored_and_counted() {
    let (server, addr) = server(traced_methods());
    let long = format!("{TRACEPARENT}-{}", "a".repeat(10 * 1024));
    let body = call_body("current", "");
    let log = log_while_serving(SPANS, vec![server], || {
        let request = post_with(&format!("traceparent: {long}\r\n"), &body);
        let answer = exchange(addr, &request);
        assert_eq!(answered_string(&answer), "none");
        // A valid traceparent with a tracestate too long: the trace is
        // taken, its state is not.
        let request = post_with(
            &format!("traceparent: {TRACEPARENT}\r\ntracestate: {long}\r\n"),
            &body,
        );
        let answer = exchange(addr, &request);
        assert_eq!(answered_string(&answer), TRACEPARENT);
    });
    let ignored = lines_with(&log, "ignored a request header");
    assert_eq!(ignored.len(), 2, "{log}");
    assert!(
        ignored[0].ends_with(
            "ignored a request header peer=127.0.0.1 header=\"traceparent\" reason=longer than 512 bytes"
        ),
        "{log}"
    );
    assert!(
        ignored[1].ends_with("header=\"tracestate\" reason=longer than 512 bytes"),
        "{log}"
    );
    let access = lines_with(&log, "\"POST /RPC2 HTTP/1.1\" 200");
    assert_eq!(access.len(), 2, "{log}");
    assert!(access[0].contains(" ignored_headers=1 "), "{log}");
    assert!(!access[0].contains("trace_id="), "{log}");
    assert!(access[1].contains(" ignored_headers=1 "), "{log}");
    assert!(
        access[1].contains(&format!(" trace_id=\"{TRACE_ID}\" ")),
        "{log}"
    );
    assert!(log.len() < 10_000, "the long value is not logged");

    // Through CGI, values may hold control characters.
    let (out, log) = cgi(
        CgiHandler::new(traced_methods()).log_requests(true),
        &[(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736\u{1b}[2J-00f067aa0ba902b7-01",
        )],
        &body,
    );
    assert!(out.contains("<string>none</string>"), "{out}");
    assert!(
        log.contains(
            "header=\"traceparent\" reason=holds a control character or one outside ASCII"
        ),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "{log}");
    assert_eq!(lines_with(&log, " ignored_headers=1 ").len(), 1, "{log}");
}

/// Our client sends the context of the request it is called within as a
/// child; a source of its own replaces that one; none outside a request.
#[test]
fn the_client_sends_the_current_context_as_a_child() {
    let (server, addr) = server(traced_methods());
    let url = format!("http://{addr}/RPC2");
    let trace = TraceContext::parse(TRACEPARENT).unwrap();
    let mut with_state = trace.clone();
    with_state.set_tracestate("congo=t61rcWkgMzE").unwrap();
    log_while_serving(LOG, vec![server], || {
        let client = xmlrpc_kit::blocking::Client::new(&url).unwrap();
        let sent: String = with_state
            .clone()
            .in_scope(|| client.call("traceparent", ()))
            .unwrap();
        let sent = TraceContext::parse(&sent).unwrap();
        assert_eq!(sent.trace_id(), TRACE_ID);
        assert_ne!(sent.parent_id(), trace.parent_id());
        let state: String = with_state
            .clone()
            .in_scope(|| client.call("tracestate", ()))
            .unwrap();
        assert_eq!(state, "congo=t61rcWkgMzE");
        assert_eq!(client.call::<String>("traceparent", ()).unwrap(), "none");

        let untraced = Client::builder(&url)
            .trace_context(|| None)
            .build_blocking()
            .unwrap();
        let sent: String = trace
            .clone()
            .in_scope(|| untraced.call("traceparent", ()))
            .unwrap();
        assert_eq!(sent, "none");
    });
}
