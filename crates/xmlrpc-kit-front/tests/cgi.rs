//! The CGI handlers through their public API: requests from a CGI
//! environment and a stdin, responses with CGI headers.

use std::io::Read;

use xmlrpc_kit::{CgiEnv, CgiHandler, Documentation, Methods, Value};
use xmlrpc_kit::{DocumentLimits, decode_response};

/// A stdin that must not be read: proves a refusal never waits for a body.
struct Untouchable;

impl Read for Untouchable {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        panic!("stdin was read")
    }
}

fn methods() -> Methods {
    let mut m = Methods::new();
    m.register_introspection_functions();
    m.register_function("add", |x: i32, y: i32| x + y)
        .help("Adds two ints; see https://example.com.");
    m
}

fn env(method: Option<&str>, length: Option<&str>) -> CgiEnv {
    CgiEnv {
        request_method: method.map(String::from),
        content_length: length.map(String::from),
        content_type: Some("text/xml".into()),
        ..CgiEnv::default()
    }
}

/// (headers, body) of the response.
fn run(handler: &CgiHandler, env: &CgiEnv, stdin: &mut dyn Read) -> (String, Vec<u8>) {
    let mut out = Vec::new();
    handler.respond(env, stdin, &mut out).unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8(out[..split].to_vec()).unwrap();
    let body = out[split + 4..].to_vec();
    assert!(
        head.contains(&format!("Content-Length: {}", body.len())),
        "{head}"
    );
    (head, body)
}

const ADD: &str = "<?xml version='1.0'?><methodCall><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>";

#[test]
fn post_is_answered_with_text_xml_and_no_status_line() {
    let handler = CgiHandler::new(methods());
    let (head, body) = run(
        &handler,
        &env(Some("POST"), Some(&ADD.len().to_string())),
        &mut ADD.as_bytes(),
    );
    assert_eq!(
        head,
        format!("Content-Type: text/xml\r\nContent-Length: {}", body.len())
    );
    assert_eq!(
        decode_response(&body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
}

#[test]
fn only_content_length_bytes_are_read() {
    let handler = CgiHandler::new(methods());
    let stdin = format!("{ADD}trailing bytes that belong to nobody");
    let (_, body) = run(
        &handler,
        &env(Some("POST"), Some(&ADD.len().to_string())),
        &mut stdin.as_bytes(),
    );
    assert_eq!(
        decode_response(&body, &DocumentLimits::default()).unwrap(),
        Ok(Value::Int(5))
    );
}

#[test]
fn without_request_method_stdin_is_the_request() {
    // Run by hand (no CGI environment): all of stdin is the request.
    let handler = CgiHandler::new(methods());
    let mut out = Vec::new();
    handler
        .respond(&CgiEnv::default(), &mut ADD.as_bytes(), &mut out)
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Content-Type: text/xml\r\nContent-Length: 131\r\n\r\n\
         <?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>"
    );
}

#[test]
fn get_is_501_on_the_plain_handler_and_the_page_on_the_documenting_one() {
    // As the HTTP server answers GET on a path without a page.
    let (head, body) = run(
        &CgiHandler::new(methods()),
        &env(Some("GET"), None),
        &mut Untouchable,
    );
    assert_eq!(
        head,
        "Status: 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: 27\r\nAllow: POST"
    );
    assert_eq!(body, b"Unsupported method ('GET')\n");

    let doc = Documentation::default()
        .server_title("Sums <&>")
        .server_name("Adder");
    let handler = CgiHandler::new(methods()).documentation(doc.clone());
    let (head, body) = run(&handler, &env(Some("GET"), None), &mut Untouchable);
    assert_eq!(
        head,
        "Content-Type: text/html; charset=utf-8\r\nContent-Length: 4705"
    );
    let page = String::from_utf8(body).unwrap();
    assert_eq!(page, doc.render(&methods()));
    assert!(page.contains("<title>Sums &lt;&amp;&gt;</title>") && page.contains("<h1>Adder</h1>"));
    assert!(page.contains(r#"id="method-add""#) && page.contains(r#"href="https://example.com""#));
}

#[test]
fn edge_cases_get_a_clear_status_and_never_wait() {
    let handler = CgiHandler::new(methods()).max_body_bytes(1000);
    // The status line and the body's text.
    let status = |env: &CgiEnv, stdin: &mut dyn Read| {
        let (status, text) = answer(&handler, env, stdin);
        format!("{status}: {text}")
    };
    assert_eq!(
        status(&env(Some("POST"), None), &mut Untouchable),
        "Status: 411 Length Required: a POST needs a Content-Length or a chunked body\n"
    );
    assert_eq!(
        status(&env(Some("POST"), Some("-5")), &mut Untouchable),
        "Status: 400 Bad Request: Content-Length \"-5\" is not a byte count\n"
    );
    assert_eq!(
        status(&env(Some("POST"), Some("ten")), &mut Untouchable),
        "Status: 400 Bad Request: Content-Length \"ten\" is not a byte count\n"
    );
    assert_eq!(
        status(&env(Some("POST"), Some("1001")), &mut Untouchable),
        "Status: 413 Content Too Large: the request body is larger than the limit of 1000 bytes\n"
    );
    assert_eq!(
        status(
            &env(Some("POST"), Some("99999999999999999999999")),
            &mut Untouchable
        ),
        "Status: 400 Bad Request: Content-Length \"99999999999999999999999\" is not a byte count\n"
    );
    // A length larger than the body: the body ends early.
    let (head, body) = run(
        &handler,
        &env(Some("POST"), Some("500")),
        &mut &b"<methodCall>"[..],
    );
    assert_eq!(
        head,
        "Status: 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 51"
    );
    assert_eq!(
        body,
        b"the body ended after 12 of the 500 bytes announced\n"
    );
    let (head, _) = run(&handler, &env(Some("DELETE"), Some("0")), &mut Untouchable);
    assert_eq!(
        head,
        "Status: 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: 30\r\nAllow: POST"
    );
    // Without REQUEST_METHOD (run by hand), stdin is the request, within the limit.
    let big = vec![b' '; 1001];
    assert_eq!(
        status(&CgiEnv::default(), &mut &big[..]),
        "Status: 413 Content Too Large: the request body is larger than the limit of 1000 bytes\n"
    );
}

#[test]
fn cgi_handlers_read_remote_addr_remote_user_and_http_variables() {
    use xmlrpc_kit::context::{Caller, Headers, Peer};
    let mut m = Methods::new();
    m.register_function(
        "seen",
        |Peer(peer): Peer, Caller(who): Caller, Headers(headers): Headers| {
            format!(
                "{} {} {}",
                peer.map_or_else(|| "-".into(), |p| p.to_string()),
                who.map_or_else(|| "-".into(), |w| w.name().to_owned()),
                headers
                    .iter()
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        },
    );
    let handler = CgiHandler::new(m);
    let body = b"<methodCall><methodName>seen</methodName></methodCall>";
    let env = CgiEnv {
        remote_addr: Some("192.0.2.7".into()),
        remote_user: Some("ann".into()),
        http_headers: vec![("x-team".into(), "blue".into())],
        ..env(Some("POST"), Some(&body.len().to_string()))
    };
    let (_, out) = run(&handler, &env, &mut &body[..]);
    assert_eq!(
        decode_response(&out, &DocumentLimits::default()).unwrap(),
        Ok(Value::String("192.0.2.7 ann x-team=blue".into()))
    );
}

#[test]
fn cgi_handlers_behind_a_trusted_proxy_see_the_forwarded_client() {
    use xmlrpc_kit::context::Peer;
    let methods = || {
        let mut m = Methods::new();
        m.register_function("peer", |Peer(peer): Peer| {
            peer.map_or_else(|| "-".into(), |p| p.to_string())
        });
        m
    };
    let body = b"<methodCall><methodName>peer</methodName></methodCall>";
    let env = CgiEnv {
        remote_addr: Some("10.0.0.5".into()),
        // The proxy writes X-Forwarded-For; the client forged Forwarded.
        http_headers: vec![
            ("forwarded".into(), "for=198.51.100.7".into()),
            ("x-forwarded-for".into(), "198.51.100.20".into()),
        ],
        ..env(Some("POST"), Some(&body.len().to_string()))
    };
    let answer = |handler: &CgiHandler| {
        decode_response(
            &run(handler, &env, &mut &body[..]).1,
            &DocumentLimits::default(),
        )
        .unwrap()
    };
    let peer = |text: &str| Ok(Value::String(text.into()));
    let trusting = CgiHandler::new(methods()).trusted_proxies("10.0.0.0/8".parse().unwrap());
    assert_eq!(answer(&trusting), peer("198.51.100.20"));
    assert_eq!(answer(&CgiHandler::new(methods())), peer("10.0.0.5"));
    // Behind proxies that write Forwarded, that header is the one read.
    let rfc7239 = "10.0.0.0/8"
        .parse::<xmlrpc_kit::front::TrustedProxies>()
        .unwrap()
        .header(xmlrpc_kit::front::ForwardedHeader::Forwarded);
    assert_eq!(
        answer(&CgiHandler::new(methods()).trusted_proxies(rfc7239)),
        peer("198.51.100.7")
    );
}

/// The status line and body text of a response.
fn answer(handler: &CgiHandler, env: &CgiEnv, stdin: &mut dyn Read) -> (String, String) {
    let (head, body) = run(handler, env, stdin);
    let status = head.lines().next().unwrap().to_owned();
    (status, String::from_utf8(body).unwrap())
}

#[test]
fn content_length_is_digits_only_as_over_http() {
    let handler = CgiHandler::new(methods());
    let length = ADD.len().to_string();
    for bad in [
        format!("+{length}"),
        format!(" {length} "),
        format!("{length} "),
    ] {
        assert_eq!(
            answer(&handler, &env(Some("POST"), Some(&bad)), &mut Untouchable),
            (
                "Status: 400 Bad Request".to_owned(),
                format!("Content-Length {bad:?} is not a byte count\n")
            ),
            "{bad:?}"
        );
    }
    // Empty is none (RFC 3875 §4.1.2), as from the process environment.
    for none in [Some(""), None] {
        assert_eq!(
            answer(&handler, &env(Some("POST"), none), &mut Untouchable),
            (
                "Status: 411 Length Required".to_owned(),
                "a POST needs a Content-Length or a chunked body\n".to_owned()
            ),
            "{none:?}"
        );
    }
}

#[test]
fn gzip_bodies_are_read_as_over_http() {
    use xmlrpc_kit::wire::gzip::gzip;
    let handler = CgiHandler::new(methods());
    let coded = |codings: &[&str], body: &[u8]| {
        let mut env = env(Some("POST"), Some(&body.len().to_string()));
        env.http_headers = codings
            .iter()
            .map(|c| ("content-encoding".to_owned(), (*c).to_owned()))
            .collect();
        env
    };
    let five = |body: Vec<u8>| {
        assert_eq!(
            decode_response(&body, &DocumentLimits::default()).unwrap(),
            Ok(Value::Int(5))
        );
    };
    // One member, and several inflated as one body.
    let once = gzip(ADD.as_bytes());
    five(run(&handler, &coded(&["gzip"], &once), &mut &once[..]).1);
    let (half, rest) = ADD.split_at(ADD.len() / 2);
    let members = [gzip(half.as_bytes()), gzip(rest.as_bytes())].concat();
    five(run(&handler, &coded(&["gzip"], &members), &mut &members[..]).1);
    // Stacked, on one line or two: 415 before the body is read.
    for codings in [&["gzip, gzip"][..], &["gzip", "gzip"][..]] {
        assert_eq!(
            answer(&handler, &coded(codings, &once), &mut Untouchable),
            (
                "Status: 415 Unsupported Media Type".to_owned(),
                "Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most (gzip or identity)\n".to_owned()
            ),
            "{codings:?}"
        );
    }
    // Bytes after the gzip data, and a bomb past the inflated limit: 400.
    let trailed = [once.clone(), b"junk".to_vec()].concat();
    assert_eq!(
        answer(&handler, &coded(&["gzip"], &trailed), &mut &trailed[..]),
        (
            "Status: 400 Bad Request".to_owned(),
            "the gzip body has 4 bytes after the end of its gzip data\n".to_owned()
        )
    );
    let small = CgiHandler::new(methods())
        .body_limits(xmlrpc_kit::wire::BodyLimits::default().max_inflated_bytes(ADD.len() - 1));
    assert_eq!(
        answer(&small, &coded(&["gzip"], &once), &mut &once[..]),
        (
            "Status: 400 Bad Request".to_owned(),
            format!(
                "the gzip body inflates to more than the limit of {} bytes\n",
                ADD.len() - 1
            )
        )
    );
}
