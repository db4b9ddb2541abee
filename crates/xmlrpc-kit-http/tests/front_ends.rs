//! One table of requests through all three front ends (HTTP, SCGI, CGI):
//! good calls and every refusal, each answered with the same outcome (the
//! status, the headers that matter, the XML-RPC answer or the refusal's
//! text) by every front end it applies to. A case that does not apply to
//! a front end says why (a CGI program has no routes, authentication,
//! health path or drain: its web server has those). JSON-RPC requests go
//! through the same table: the open site answers it on its RPC paths by
//! `Content-Type` and alone on `/jsonrpc`.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use xmlrpc_kit::front::RateLimit;
use xmlrpc_kit::wire::{Address, BodyLimits};
use xmlrpc_kit::{
    Authenticator, CgiEnv, CgiHandler, DispatchOptions, DocumentLimits, Documentation, Fault,
    HttpLimits, Methods, Server, Value, decode_response,
};
use xmlrpc_kit_test_support::raw_http::{call_body, exchange_on, scgi_head};
use xmlrpc_kit_test_support::server::TestServer;

/// The largest body sent, and what a gzip body may inflate to.
const MAX_BODY: usize = 4096;
const MAX_INFLATED: usize = 64 * 1024;

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_multicall_functions();
    methods
        .register_function("add", |x: i32, y: i32| x + y)
        .param_names(["x", "y"]);
    methods.register_function("echo", |x: Value| x);
    methods
}

fn documentation() -> Documentation {
    Documentation::default().server_title("Adder")
}

fn body_limits() -> BodyLimits {
    BodyLimits::default()
        .max_body_bytes(MAX_BODY)
        .max_inflated_bytes(MAX_INFLATED)
}

/// Which server a case goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    /// Documented, with a health path, no authentication.
    Open,
    /// Bearer tokens required.
    Guarded,
    /// Bearer tokens required, and each user limited to 2 requests and
    /// one more every 1,000 s.
    Limited,
}

/// A front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Front {
    Http,
    Scgi,
    Cgi,
}

/// The declared length of a case's body.
#[derive(Debug, Clone, Copy)]
enum Length {
    /// The body's own length.
    Right,
    /// None at all.
    Missing,
    /// This text.
    Text(&'static str),
}

/// What came back, in a form every front end's answer reduces to.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    status: u16,
    /// The headers that matter, by lower-case name, in this order.
    headers: Vec<(&'static str, String)>,
    answer: Answer,
}

#[derive(Debug, Clone, PartialEq)]
enum Answer {
    /// A `text/xml` body: the value or fault it answers.
    Xml(Result<Value, Fault>),
    /// An `application/json` body, as JSON.
    Json(serde_json::Value),
    /// A `text/html` body: whether it is the documentation page.
    Page { titled: bool },
    /// A `text/plain` body.
    Text(String),
}

const HEADERS: [&str; 5] = [
    "allow",
    "www-authenticate",
    "retry-after",
    "cache-control",
    "content-encoding",
];

/// Reads a response's parts: the status, headers and body.
fn outcome(status: u16, headers: &[(String, String)], body: &[u8]) -> Outcome {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let content_type = header("content-type").unwrap_or_default();
    let answer = if content_type.starts_with("text/xml") {
        Answer::Xml(decode_response(body, &DocumentLimits::default()).expect("an XML-RPC answer"))
    } else if content_type.starts_with("application/json") {
        Answer::Json(serde_json::from_slice(body).expect("a JSON answer"))
    } else if content_type.starts_with("text/html") {
        Answer::Page {
            titled: String::from_utf8_lossy(body).contains("<title>Adder</title>"),
        }
    } else {
        Answer::Text(String::from_utf8(body.to_vec()).expect("UTF-8 text"))
    };
    Outcome {
        status,
        headers: HEADERS
            .iter()
            .filter_map(|&name| Some((name, header(name)?)))
            .collect(),
        answer,
    }
}

/// Reads a response in CGI form: an optional `Status:` line, headers, body.
fn cgi_outcome(raw: &[u8]) -> Outcome {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let headers: Vec<(String, String)> = head
        .split("\r\n")
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let status = headers
        .iter()
        .find(|(k, _)| k == "Status")
        .map_or(200, |(_, v)| v[..3].parse().unwrap());
    outcome(status, &headers, &raw[split + 4..])
}

/// A case of the table.
struct Case {
    what: &'static str,
    site: Site,
    method: &'static str,
    path: &'static str,
    /// Request headers besides `Host` and `Content-Length`.
    headers: Vec<(&'static str, String)>,
    length: Length,
    body: Vec<u8>,
    expect: Outcome,
    /// The front ends the case does not apply to, and why.
    not_on: &'static [(Front, &'static str)],
    /// hyper refuses this request before the service sees it: over HTTP
    /// only the status is the same (its 400 has no text).
    hyper_refuses: bool,
}

impl Case {
    fn new(what: &'static str, method: &'static str, path: &'static str, body: &[u8]) -> Self {
        Case {
            what,
            site: Site::Open,
            method,
            path,
            headers: Vec::new(),
            length: Length::Right,
            body: body.to_vec(),
            expect: refused(0, "(not said)"),
            not_on: &[],
            hyper_refuses: false,
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn length(mut self, length: Length) -> Self {
        self.length = length;
        self
    }

    fn site(mut self, site: Site) -> Self {
        self.site = site;
        self
    }

    fn expect(mut self, expect: Outcome) -> Self {
        self.expect = expect;
        self
    }

    fn not_on(mut self, fronts: &'static [(Front, &'static str)]) -> Self {
        self.not_on = fronts;
        self
    }

    fn hyper_refuses(mut self) -> Self {
        self.hyper_refuses = true;
        self
    }

    fn declared(&self) -> Option<String> {
        match self.length {
            Length::Right => Some(self.body.len().to_string()),
            Length::Missing => None,
            Length::Text(text) => Some(text.to_owned()),
        }
    }

    /// The request as an HTTP/1.1 client sends it.
    fn http(&self) -> Vec<u8> {
        let mut raw = format!("{} {} HTTP/1.1\r\nHost: test\r\n", self.method, self.path);
        if let Some(length) = self.declared() {
            raw.push_str(&format!("Content-Length: {length}\r\n"));
        }
        for (name, value) in &self.headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("Connection: close\r\n\r\n");
        [raw.into_bytes(), self.body.clone()].concat()
    }

    /// The request's CGI variables (the `HTTP_*` ones by header name).
    fn variables(&self) -> Vec<(String, String)> {
        let mut variables = vec![
            ("REQUEST_METHOD".to_owned(), self.method.to_owned()),
            ("REQUEST_URI".to_owned(), self.path.to_owned()),
        ];
        if let Some(length) = self.declared() {
            variables.push(("CONTENT_LENGTH".into(), length));
        }
        for (name, value) in &self.headers {
            // CGI names the body's type CONTENT_TYPE, without HTTP_.
            let variable = match name.to_ascii_uppercase().replace('-', "_") {
                name if name == "CONTENT_TYPE" => name,
                name => format!("HTTP_{name}"),
            };
            variables.push((variable, value.clone()));
        }
        variables
    }

    /// The request as nginx's `scgi_pass` sends it.
    fn scgi(&self) -> Vec<u8> {
        let variables = self.variables();
        let mut pairs: Vec<(&str, &str)> = vec![("SCGI", "1")];
        pairs.extend(variables.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        // SCGI puts CONTENT_LENGTH first.
        pairs.sort_by_key(|(name, _)| *name != "CONTENT_LENGTH");
        [scgi_head(&pairs), self.body.clone()].concat()
    }

    /// The request as a web server hands it to a CGI program.
    fn cgi_env(&self) -> CgiEnv {
        CgiEnv {
            request_method: Some(self.method.to_owned()),
            content_length: self.declared(),
            path: Some(self.path.to_owned()),
            content_type: self
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone()),
            http_headers: self
                .headers
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("content-type"))
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect(),
            ..CgiEnv::default()
        }
    }
}

fn refused(status: u16, text: &str) -> Outcome {
    Outcome {
        status,
        headers: Vec::new(),
        answer: Answer::Text(format!("{text}\n")),
    }
}

fn with_header(mut outcome: Outcome, name: &'static str, value: &str) -> Outcome {
    outcome.headers.push((name, value.to_owned()));
    outcome
}

fn value(value: Value) -> Outcome {
    Outcome {
        status: 200,
        headers: Vec::new(),
        answer: Answer::Xml(Ok(value)),
    }
}

fn fault(code: i32, text: &str) -> Outcome {
    Outcome {
        status: 200,
        headers: Vec::new(),
        answer: Answer::Xml(Err(Fault::new(code, text))),
    }
}

fn json(text: &str) -> Outcome {
    Outcome {
        status: 200,
        headers: Vec::new(),
        answer: Answer::Json(serde_json::from_str(text).unwrap()),
    }
}

/// How many calls a multicall or a JSON-RPC batch may hold on the open site.
const MAX_BATCH: usize = 3;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

const NOT_CGI_ROUTES: (Front, &str) = (
    Front::Cgi,
    "a CGI program answers the path its web server sent it",
);
const NOT_CGI_AUTH: (Front, &str) = (
    Front::Cgi,
    "a CGI program's web server authenticates (REMOTE_USER)",
);
const NOT_CGI_RATE: (Front, &str) = (
    Front::Cgi,
    "a CGI program runs once per request: its web server limits rates",
);
const NOT_CGI_HEALTH: (Front, &str) = (
    Front::Cgi,
    "a CGI program has no health path: it runs once per request",
);

fn add() -> Vec<u8> {
    call_body(
        "add",
        "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
    )
    .into_bytes()
}

fn cases() -> Vec<Case> {
    let add = add();
    let big_echo = call_body(
        "echo",
        &format!(
            "<param><value><string>{}</string></value></param>",
            "a".repeat(2000)
        ),
    );
    let multicall = call_body(
        "system.multicall",
        "<param><value><array><data>\
         <value><struct><member><name>methodName</name><value>add</value></member>\
         <member><name>params</name><value><array><data><value><int>1</int></value><value><int>2</int></value></data></array></value></member></struct></value>\
         <value><struct><member><name>methodName</name><value>nope</value></member>\
         <member><name>params</name><value><array><data></data></array></value></member></struct></value>\
         </data></array></value></param>",
    );
    let five = || value(Value::Int(5));
    let not_post = |method: &str, allow: &str| {
        with_header(
            refused(501, &format!("Unsupported method ('{method}')")),
            "allow",
            allow,
        )
    };
    let bomb = gzip(&vec![b' '; MAX_INFLATED * 4]);
    let mut corrupt = gzip(&add);
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0xff;
    let page = Outcome {
        status: 200,
        headers: Vec::new(),
        answer: Answer::Page { titled: true },
    };
    let json_call = br#"{"jsonrpc": "2.0", "method": "add", "params": [2, 3], "id": 1}"#;
    let json_type = |case: Case| case.header("Content-Type", "application/json");
    let not_json = "this path answers XML-RPC (text/xml), not JSON-RPC (application/json)";
    vec![
        json_type(Case::new("JSON-RPC by its Content-Type", "POST", "/RPC2", json_call))
            .expect(json(r#"{"jsonrpc": "2.0", "result": 5, "id": 1}"#)),
        Case::new("JSON-RPC, a charset said", "POST", "/", json_call)
            .header("Content-Type", "application/json; charset=utf-8")
            .expect(json(r#"{"jsonrpc": "2.0", "result": 5, "id": 1}"#)),
        json_type(Case::new(
            "JSON-RPC, parameters by name",
            "POST",
            "/RPC2",
            br#"{"jsonrpc": "2.0", "method": "add", "params": {"y": 3, "x": 2}, "id": "a"}"#,
        ))
        .expect(json(r#"{"jsonrpc": "2.0", "result": 5, "id": "a"}"#)),
        json_type(Case::new(
            "a JSON-RPC batch",
            "POST",
            "/RPC2",
            br#"[{"jsonrpc": "2.0", "method": "add", "params": [1, 2], "id": 1},
                {"jsonrpc": "2.0", "method": "add", "params": [1, 1]},
                {"jsonrpc": "2.0", "method": "nope", "id": 2}]"#,
        ))
        .expect(json(
            r#"[{"jsonrpc": "2.0", "result": 3, "id": 1},
                {"jsonrpc": "2.0", "error": {"code": -32601, "message": "method \"nope\" is not supported"}, "id": 2}]"#,
        )),
        json_type(Case::new(
            "JSON-RPC notifications only",
            "POST",
            "/RPC2",
            br#"[{"jsonrpc": "2.0", "method": "add", "params": [1, 2]}]"#,
        ))
        .expect(Outcome {
            status: 204,
            headers: Vec::new(),
            answer: Answer::Text(String::new()),
        }),
        json_type(Case::new(
            "a JSON-RPC batch past the limit",
            "POST",
            "/RPC2",
            format!("[{}]", [&json_call[..]; MAX_BATCH + 1].map(|c| String::from_utf8_lossy(c).into_owned()).join(",")).as_bytes(),
        ))
        .expect(json(&format!(
            r#"{{"jsonrpc": "2.0", "error": {{"code": -32600, "message": "Invalid Request: a batch of more than {MAX_BATCH} requests (the limit) at line 1 column {}"}}, "id": null}}"#,
            (json_call.len() + 1) * (MAX_BATCH + 1) + 1
        ))),
        json_type(Case::new("not JSON", "POST", "/RPC2", b"{\"jsonrpc\": 2.0,"))
            .expect(json(
                r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error: EOF while parsing a value at line 1 column 16"}, "id": null}"#,
            )),
        json_type(Case::new("a gzip JSON-RPC body", "POST", "/RPC2", &gzip(json_call)))
            .header("Content-Encoding", "gzip")
            .expect(json(r#"{"jsonrpc": "2.0", "result": 5, "id": 1}"#)),
        Case::new("JSON-RPC on its own path, no Content-Type", "POST", "/jsonrpc", json_call)
            .expect(json(r#"{"jsonrpc": "2.0", "result": 5, "id": 1}"#))
            .not_on(&[NOT_CGI_ROUTES]),
        Case::new("XML-RPC on the JSON-RPC path", "POST", "/jsonrpc", &add)
            .header("Content-Type", "text/xml")
            .expect(refused(
                415,
                "this path answers JSON-RPC (application/json), not XML-RPC (text/xml)",
            ))
            .not_on(&[NOT_CGI_ROUTES]),
        Case::new("XML-RPC, both types said", "POST", "/RPC2", &add)
            .header("Content-Type", "text/xml")
            .header("Content-Type", "application/json")
            .expect(refused(
                400,
                "the Content-Type lines name both XML-RPC (text/xml) and JSON-RPC \
                 (application/json): send one",
            ))
            // One CGI variable holds one value.
            .not_on(&[(Front::Cgi, "CGI has one CONTENT_TYPE"), (Front::Scgi, "SCGI has one CONTENT_TYPE")]),
        Case::new("XML and JSON in one Content-Type", "POST", "/RPC2", &add)
            .header("Content-Type", "text/xml, application/json")
            .expect(refused(
                400,
                "the Content-Type lines name both XML-RPC (text/xml) and JSON-RPC \
                 (application/json): send one",
            )),
        Case::new("XML-RPC, said", "POST", "/RPC2", &add)
            .header("Content-Type", "text/xml; charset=utf-8")
            .expect(five()),
        Case::new("JSON-RPC where it is not answered", "POST", "/RPC2", json_call)
            .site(Site::Guarded)
            .header("Authorization", "Bearer good")
            .header("Content-Type", "application/json")
            .expect(refused(415, not_json))
            .not_on(&[NOT_CGI_AUTH]),
        Case::new("a call", "POST", "/RPC2", &add).expect(five()),
        Case::new("a call on the other RPC path", "POST", "/", &add).expect(five()),
        Case::new(
            "an unknown method",
            "POST",
            "/RPC2",
            call_body("nope", "").as_bytes(),
        )
        .expect(fault(-32601, "method \"nope\" is not supported")),
        Case::new("a multicall", "POST", "/RPC2", multicall.as_bytes()).expect(value(
            Value::Array(vec![
                Value::Array(vec![Value::Int(3)]),
                Value::Struct(
                    [
                        ("faultCode", Value::Int(-32601)),
                        (
                            "faultString",
                            Value::String("method \"nope\" is not supported".into()),
                        ),
                    ]
                    .into_iter()
                    .collect(),
                ),
            ]),
        )),
        Case::new("a long answer", "POST", "/RPC2", big_echo.as_bytes())
            .expect(value(Value::String("a".repeat(2000)))),
        Case::new(
            "bad XML",
            "POST",
            "/RPC2",
            b"<methodCall><methodName>add</methodName>",
        )
        .expect(fault(
            -32700,
            "line 1, column 41: the document ends early: expected <params> or </methodCall>",
        )),
        Case::new("an empty body", "POST", "/RPC2", b"").expect(fault(
            -32700,
            "line 1, column 1: the document ends early: expected <methodCall>",
        )),
        Case::new("a gzip body", "POST", "/RPC2", &gzip(&add))
            .header("Content-Encoding", "gzip")
            .expect(five()),
        Case::new("an x-gzip body", "POST", "/RPC2", &gzip(&add))
            .header("Content-Encoding", "x-gzip")
            .expect(five()),
        Case::new("identity, said", "POST", "/RPC2", &add)
            .header("Content-Encoding", "identity")
            .expect(five()),
        Case::new("a gzip bomb", "POST", "/RPC2", &bomb)
            .header("Content-Encoding", "gzip")
            .expect(refused(
                400,
                "the gzip body inflates to more than the limit of 65536 bytes",
            )),
        Case::new("a corrupt gzip body", "POST", "/RPC2", &corrupt)
            .header("Content-Encoding", "gzip")
            .expect(refused(
                400,
                "the gzip body is corrupt: corrupt gzip stream does not have a matching checksum",
            )),
        Case::new("a gzip header on a plain body", "POST", "/RPC2", &add)
            .header("Content-Encoding", "gzip")
            .expect(refused(
                400,
                "the gzip body is corrupt: invalid gzip header",
            )),
        Case::new("an unknown coding", "POST", "/RPC2", &add)
            .header("Content-Encoding", "br")
            .expect(refused(
                415,
                "Content-Encoding \"br\" is not supported (gzip and identity are)",
            )),
        Case::new("stacked codings", "POST", "/RPC2", &gzip(&gzip(&add)))
            .header("Content-Encoding", "gzip, gzip")
            .expect(refused(
                415,
                "Content-Encoding \"gzip, gzip\" stacks codings; a body is coded once at most \
                 (gzip or identity)",
            )),
        Case::new("no length", "POST", "/RPC2", b"")
            .length(Length::Missing)
            .expect(refused(
                411,
                "a POST needs a Content-Length or a chunked body",
            )),
        Case::new("a length past the limit", "POST", "/RPC2", b"")
            .length(Length::Text("999999"))
            .expect(refused(
                413,
                "the request body is larger than the limit of 4096 bytes",
            )),
        Case::new(
            "a body past the limit",
            "POST",
            "/RPC2",
            &vec![b' '; MAX_BODY + 1],
        )
        .expect(refused(
            413,
            "the request body is larger than the limit of 4096 bytes",
        )),
        Case::new("a signed length", "POST", "/RPC2", &add)
            .length(Length::Text("+190"))
            .expect(refused(400, "Content-Length \"+190\" is not a byte count"))
            .hyper_refuses(),
        Case::new("a length that is not a number", "POST", "/RPC2", b"")
            .length(Length::Text("ten"))
            .expect(refused(400, "Content-Length \"ten\" is not a byte count"))
            .hyper_refuses(),
        Case::new("an unknown path", "POST", "/nowhere", &add)
            .expect(refused(404, "No such page"))
            .not_on(&[NOT_CGI_ROUTES]),
        Case::new(
            "GET on an unknown path of a documented server",
            "GET",
            "/nowhere",
            b"",
        )
        .expect(refused(404, "No such page"))
        .not_on(&[NOT_CGI_ROUTES]),
        Case::new("PUT", "PUT", "/RPC2", &add).expect(not_post("PUT", "POST, GET, HEAD")),
        Case::new("DELETE on an unknown path", "DELETE", "/nowhere", b"")
            .expect(not_post("DELETE", "POST, GET, HEAD"))
            .not_on(&[NOT_CGI_ROUTES]),
        Case::new("the page", "GET", "/RPC2", b"").expect(page.clone()),
        Case::new("GET without a page", "GET", "/RPC2", b"")
            .site(Site::Guarded)
            .header("Authorization", "Bearer good")
            .expect(not_post("GET", "POST"))
            .not_on(&[NOT_CGI_AUTH]),
        Case::new("the health path", "GET", "/health", b"")
            .expect(Outcome {
                status: 200,
                headers: vec![("cache-control", "no-store".into())],
                answer: Answer::Text("ok\n".into()),
            })
            .not_on(&[NOT_CGI_HEALTH]),
        Case::new("the liveness path", "GET", "/live", b"")
            .expect(Outcome {
                status: 200,
                headers: vec![("cache-control", "no-store".into())],
                answer: Answer::Text("ok\n".into()),
            })
            .not_on(&[NOT_CGI_HEALTH]),
        Case::new("POST to the health path", "POST", "/health", &add)
            .expect(refused(404, "No such page"))
            .not_on(&[NOT_CGI_HEALTH]),
        Case::new("no credentials", "POST", "/RPC2", &add)
            .site(Site::Guarded)
            .expect(with_header(
                refused(401, "authentication required"),
                "www-authenticate",
                "Bearer realm=\"rpc\"",
            ))
            .not_on(&[NOT_CGI_AUTH]),
        Case::new("wrong credentials", "POST", "/RPC2", &add)
            .site(Site::Guarded)
            .header("Authorization", "Bearer bad")
            .expect(with_header(
                refused(401, "authentication required"),
                "www-authenticate",
                "Bearer realm=\"rpc\"",
            ))
            .not_on(&[NOT_CGI_AUTH]),
        Case::new("the right credentials", "POST", "/RPC2", &add)
            .site(Site::Guarded)
            .header("Authorization", "Bearer good")
            .expect(five())
            .not_on(&[NOT_CGI_AUTH]),
        Case::new(
            "the health path needs no credentials",
            "GET",
            "/health",
            b"",
        )
        .site(Site::Guarded)
        .expect(Outcome {
            status: 200,
            headers: vec![("cache-control", "no-store".into())],
            answer: Answer::Text("ok\n".into()),
        })
        .not_on(&[NOT_CGI_HEALTH]),
        // HTTP and SCGI share the server's limit: each case runs on both.
        Case::new("calls within the rate limit", "POST", "/RPC2", &add)
            .site(Site::Limited)
            .header("Authorization", "Bearer good")
            .expect(five())
            .not_on(&[NOT_CGI_RATE]),
        Case::new("calls over the rate limit", "POST", "/RPC2", &add)
            .site(Site::Limited)
            .header("Authorization", "Bearer good")
            .expect(with_header(
                refused(
                    429,
                    "user \"ci\" sent more than its limit of 2 requests at once and 0.001 a second; retry after 1000 s",
                ),
                "retry-after",
                "1000",
            ))
            .not_on(&[NOT_CGI_RATE]),
        Case::new("the health path is never limited", "GET", "/health", b"")
            .site(Site::Limited)
            .expect(Outcome {
                status: 200,
                headers: vec![("cache-control", "no-store".into())],
                answer: Answer::Text("ok\n".into()),
            })
            .not_on(&[NOT_CGI_HEALTH]),
    ]
}

/// The servers: HTTP and SCGI listeners on one server per site.
struct Servers {
    open: TestServer,
    open_scgi: String,
    guarded: TestServer,
    guarded_scgi: String,
    limited: TestServer,
    limited_scgi: String,
}

fn serve(site: Site) -> (TestServer, String) {
    let mut limits = HttpLimits::default();
    limits.body = body_limits();
    let mut builder = Server::builder(methods())
        .log_requests(false)
        .limits(limits)
        .health_path("/health")
        .liveness_path("/live");
    builder = match site {
        // Long enough to check the health path while it drains.
        Site::Open => builder
            .max_multicall_calls(MAX_BATCH)
            .json_rpc(true)
            .json_rpc_path("/jsonrpc")
            .documentation(documentation())
            .drain(Duration::from_secs(60)),
        Site::Guarded => builder.authenticate(Authenticator::bearer("rpc", [("good", "ci")])),
        Site::Limited => builder
            .authenticate(Authenticator::bearer("rpc", [("good", "ci")]))
            .rate_limit(RateLimit::per_user(0.001, 2)),
    };
    let server = builder
        .listen(["http://127.0.0.1:0", "scgi://127.0.0.1:0"])
        .unwrap();
    let addresses = server.addresses().unwrap();
    let Address::ScgiTcp { host, port } = &addresses[1] else {
        panic!("not SCGI: {addresses:?}")
    };
    let scgi = format!("{host}:{port}");
    (TestServer::serve(server), scgi)
}

fn cgi_handler(site: Site) -> CgiHandler {
    assert_eq!(site, Site::Open, "CGI serves the open site only");
    let options = DispatchOptions::default()
        .json_rpc(true)
        .max_multicall_calls(MAX_BATCH);
    CgiHandler::with_options(methods(), options)
        .documentation(documentation())
        .body_limits(body_limits())
}

fn run(servers: &Servers, case: &Case, front: Front) -> Outcome {
    let (http, scgi) = match case.site {
        Site::Open => (&servers.open, &servers.open_scgi),
        Site::Guarded => (&servers.guarded, &servers.guarded_scgi),
        Site::Limited => (&servers.limited, &servers.limited_scgi),
    };
    match front {
        Front::Http => {
            let response = exchange_on(TcpStream::connect(http.addr).unwrap(), &case.http());
            outcome(response.status, &response.headers, &response.body)
        }
        Front::Scgi => {
            let mut stream = TcpStream::connect(scgi).unwrap();
            stream.write_all(&case.scgi()).unwrap();
            let mut raw = Vec::new();
            std::io::Read::read_to_end(&mut stream, &mut raw).unwrap();
            cgi_outcome(&raw)
        }
        Front::Cgi => {
            let mut out = Vec::new();
            cgi_handler(case.site)
                .respond(&case.cgi_env(), &mut &case.body[..], &mut out)
                .unwrap();
            cgi_outcome(&out)
        }
    }
}

#[test]
fn every_front_end_answers_every_case_alike() {
    let (open, open_scgi) = serve(Site::Open);
    let (guarded, guarded_scgi) = serve(Site::Guarded);
    let (limited, limited_scgi) = serve(Site::Limited);
    let servers = Servers {
        open,
        open_scgi,
        guarded,
        guarded_scgi,
        limited,
        limited_scgi,
    };
    let mut checked = 0;
    for case in cases() {
        for front in [Front::Scgi, Front::Cgi, Front::Http] {
            if case.not_on.iter().any(|(f, _)| *f == front) {
                continue;
            }
            let got = run(&servers, &case, front);
            if front == Front::Http && case.hyper_refuses {
                assert_eq!(got.status, case.expect.status, "{}: HTTP", case.what);
                continue;
            }
            assert_eq!(got, case.expect, "{}: {front:?}", case.what);
            checked += 1;
        }
    }
    // 50 cases; 18 do not apply to CGI, one to SCGI, and hyper refuses 2
    // itself.
    assert_eq!(checked, 50 * 3 - 18 - 1 - 2);

    // Draining: the health path says so on HTTP and SCGI alike, while calls
    // are still answered.
    servers.open.shutdown_handle().shutdown();
    std::thread::sleep(Duration::from_millis(200));
    let health = Case::new("the health path while draining", "GET", "/health", b"");
    let stopping = Outcome {
        status: 503,
        headers: vec![("cache-control", "no-store".into())],
        answer: Answer::Text("stopping\n".into()),
    };
    let call = Case::new("a call while draining", "POST", "/RPC2", &add());
    let live = Case::new("the liveness path while draining", "GET", "/live", b"");
    let alive = Outcome {
        status: 200,
        headers: vec![("cache-control", "no-store".into())],
        answer: Answer::Text("ok\n".into()),
    };
    for front in [Front::Http, Front::Scgi] {
        assert_eq!(run(&servers, &health, front), stopping, "{front:?}");
        assert_eq!(run(&servers, &live, front), alive, "{front:?}");
        assert_eq!(
            run(&servers, &call, front),
            value(Value::Int(5)),
            "{front:?}"
        );
    }
    servers.open.shutdown_handle().shutdown_now();
}

/// Readiness fails while the server sheds load: once a request is refused
/// with 503 for want of capacity, the health path answers `503 shedding
/// load` on HTTP and SCGI alike, for the time set, then `200 ok` again;
/// the liveness path answers 200 throughout.
#[test]
fn readiness_fails_for_a_while_after_the_server_sheds_load() {
    let mut slow = Methods::new();
    slow.register_function("sleep", |ms: u64| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    });
    let mut limits = HttpLimits::default();
    limits.max_requests_in_flight = 1;
    let server = Server::builder(slow)
        .log_requests(false)
        .limits(limits)
        .health_path("/health")
        .liveness_path("/live")
        .unready_after_shedding(Duration::from_millis(700))
        .listen(["http://127.0.0.1:0", "scgi://127.0.0.1:0"])
        .unwrap();
    let Address::ScgiTcp { host, port } = &server.addresses().unwrap()[1] else {
        panic!("not SCGI")
    };
    let scgi = format!("{host}:{port}");
    let server = TestServer::serve(server);
    let servers = Servers {
        open: server,
        open_scgi: scgi,
        guarded: serve(Site::Guarded).0,
        guarded_scgi: String::new(),
        limited: serve(Site::Limited).0,
        limited_scgi: String::new(),
    };
    let sleep = |ms: u64| {
        call_body(
            "sleep",
            &format!("<param><value><int>{ms}</int></value></param>"),
        )
        .into_bytes()
    };
    let health = Case::new("the health path", "GET", "/health", b"");
    let live = Case::new("the liveness path", "GET", "/live", b"");
    let text = |status, text: &str| Outcome {
        status,
        headers: vec![("cache-control", "no-store".into())],
        answer: Answer::Text(text.into()),
    };
    for front in [Front::Http, Front::Scgi] {
        assert_eq!(
            run(&servers, &health, front),
            text(200, "ok\n"),
            "{front:?}"
        );
        // One call holds the only place; the next is refused, 503.
        let long = Case::new("a long call", "POST", "/RPC2", &sleep(500));
        let holder = std::thread::scope(|scope| {
            let holder = scope.spawn(|| run(&servers, &long, front));
            std::thread::sleep(Duration::from_millis(150));
            let refused = run(
                &servers,
                &Case::new("a call", "POST", "/RPC2", &sleep(1)),
                front,
            );
            assert_eq!(refused.status, 503, "{front:?}: {refused:?}");
            assert_eq!(
                run(&servers, &health, front),
                text(503, "shedding load\n"),
                "{front:?}"
            );
            assert_eq!(run(&servers, &live, front), text(200, "ok\n"), "{front:?}");
            holder.join().unwrap()
        });
        assert_eq!(holder, value(Value::Int(500)), "{front:?}");
        std::thread::sleep(Duration::from_millis(800));
        assert_eq!(
            run(&servers, &health, front),
            text(200, "ok\n"),
            "{front:?}"
        );
    }
}
