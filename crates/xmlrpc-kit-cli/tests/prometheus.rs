//! `xmlrpc-kit demo --metrics-path /metrics` scraped by a real Prometheus
//! (Debian's `prometheus`, which scripts/test.sh installs) with
//! DEPLOYMENT.md's scrape job: the test makes calls, then reads the scraped
//! series back through Prometheus' HTTP API and checks their values;
//! `promtool check metrics` reads the exposition clean, and DEPLOYMENT.md's
//! alert rules pass `promtool check rules` and `promtool test rules`.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xmlrpc_kit::Value;
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit_test_support::ports::on_its_own_port;
use xmlrpc_kit_test_support::process::{Demo, Running, TempDir};

/// The fenced block after `<!-- tested: NAME -->` in DEPLOYMENT.md.
fn deployment_block(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../DEPLOYMENT.md");
    let text = std::fs::read_to_string(path).expect("read DEPLOYMENT.md");
    let marker = format!("<!-- tested: {name} -->\n```");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no tested block {name}"));
    let block = &text[start + marker.len()..];
    let block = &block[block.find('\n').expect("a fence line") + 1..];
    block[..block.find("```").expect("a closing fence")].to_owned()
}

/// Runs `promtool ARGS…` in `dir`: whether it succeeded, and what it said.
fn promtool(dir: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut promtool = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool (Debian's prometheus package; scripts/test.sh installs it)");
    let input = promtool.stdin.take().unwrap();
    if let Some(text) = stdin {
        let mut input = input;
        input.write_all(text.as_bytes()).unwrap();
    }
    let out = promtool.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

fn demo() -> Demo {
    Demo::start(
        Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")),
        &["--quiet", "--metrics-path", "/metrics"],
    )
    .expect("start the demo")
}

/// The status, `Content-Type` and body of a GET of `url` (plain HTTP on
/// 127.0.0.1), sent with `Accept: accept` if given.
fn fetch(url: &str, accept: Option<&str>) -> (u16, String, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = TcpStream::connect(host).expect("connect");
    let accept = accept.map_or(String::new(), |a| format!("Accept: {a}\r\n"));
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{accept}Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    (status, content_type, body.to_owned())
}

/// The body and `Content-Type` of a GET of `url` answered 200.
fn get(url: &str, accept: Option<&str>) -> (String, String) {
    let (status, content_type, body) = fetch(url, accept);
    assert_eq!(status, 200, "{url}: {body}");
    (body, content_type)
}

/// The calls whose counts the test checks: 3 `add`, 2 `div(1, 0)`, one
/// unknown method, and a multicall of `pow` and `add`.
fn make_calls(demo: &Demo) {
    let client = Client::new(&format!("http://{}/RPC2", demo.addr)).unwrap();
    for i in 0..3 {
        assert_eq!(client.call::<i64>("add", (i, 1)).unwrap(), i + 1);
    }
    for _ in 0..2 {
        let fault = client.call::<i64>("div", (1, 0)).unwrap_err();
        assert_eq!(fault.fault().map(|f| f.code), Some(-32500));
    }
    let unknown = client.call::<i64>("no.such.method\n", ()).unwrap_err();
    assert_eq!(unknown.fault().map(|f| f.code), Some(-32601));
    let mut batch = client.batch();
    batch.add("pow", (2, 10)).add("add", (2, 2));
    assert_eq!(
        batch.send().unwrap(),
        [Ok(Value::Int(1024)), Ok(Value::Int(4))]
    );
}

#[test]
fn promtool_reads_the_exposition_clean() {
    let demo = demo();
    make_calls(&demo);
    let url = format!("http://{}/metrics", demo.addr);
    let (text, content_type) = get(&url, None);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert!(
        text.contains("xmlrpc_calls_total{method=\"add\"} 4\n"),
        "{text}"
    );
    assert!(text.contains("xmlrpc_faults_total{method=\"(unlisted)\",code=\"-32601\"} 1\n"));
    let dir = TempDir::new("promtool-metrics");
    let (clean, said) = promtool(&dir, &["check", "metrics"], Some(&text));
    assert!(clean && said.is_empty(), "promtool: {said}");
    let (openmetrics, content_type) = get(&url, Some("application/openmetrics-text;version=1.0.0"));
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(openmetrics.ends_with("# EOF\n"));
}

/// The value of the one series `query` selects, as Prometheus last
/// scraped it; `None` until it has.
fn query(prometheus: u16, query: &str) -> Option<f64> {
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let url = format!("http://127.0.0.1:{prometheus}/api/v1/query?query={encoded}");
    // 503 while Prometheus starts (its storage not ready yet).
    let (status, _, body) = fetch(&url, None);
    if status == 503 {
        return None;
    }
    assert_eq!(status, 200, "{url}: {body}");
    let answer: serde_json::Value = serde_json::from_str(&body).expect("Prometheus answers JSON");
    assert_eq!(answer["status"], "success", "{body}");
    let results = answer["data"]["result"].as_array()?;
    assert!(results.len() <= 1, "{query} selects {body}");
    results.first()?["value"][1].as_str()?.parse().ok()
}

#[test]
fn prometheus_scrapes_the_demo_and_reads_back_what_it_counted() {
    let demo = demo();
    make_calls(&demo);
    let dir = TempDir::new("prometheus");
    let config = dir.join("prometheus.yml");
    // DEPLOYMENT.md's job, scraping the demo every second, with its rules.
    let job = deployment_block("prometheus.yml")
        .replace("127.0.0.1:8000", &demo.addr.to_string())
        .replace("/etc/prometheus/xmlrpc-alerts.yml", "xmlrpc-alerts.yml");
    assert!(job.contains(&demo.addr.to_string()), "{job}");
    std::fs::write(
        &config,
        format!("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n{job}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("xmlrpc-alerts.yml"),
        deployment_block("xmlrpc-alerts.yml"),
    )
    .unwrap();
    let (_prometheus, port) = on_its_own_port(|port| {
        Running(
            Command::new("prometheus")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("run prometheus (Debian's package; scripts/test.sh installs it)"),
        )
    });
    // Prometheus scrapes every second; wait for the first scrape after
    // the calls (they were all made before it started).
    let deadline = Instant::now() + Duration::from_secs(60);
    let add = r#"xmlrpc_calls_total{job="xmlrpc",method="add"}"#;
    let scraped = loop {
        if let Some(value) = query(port, add) {
            break value;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus scraped nothing in 60 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(scraped, 4.0);
    let read = |q: &str| query(port, q).unwrap_or_else(|| panic!("no series {q}"));
    assert_eq!(read(r#"xmlrpc_calls_total{method="div"}"#), 2.0);
    assert_eq!(read(r#"xmlrpc_calls_total{method="pow"}"#), 1.0);
    assert_eq!(
        read(r#"xmlrpc_calls_total{method="system.multicall"}"#),
        1.0
    );
    assert_eq!(
        read(r#"xmlrpc_faults_total{method="div",code="-32500"}"#),
        2.0
    );
    assert_eq!(
        read(r#"xmlrpc_faults_total{method="(unlisted)",code="-32601"}"#),
        1.0
    );
    assert_eq!(read(r#"sum(xmlrpc_faults_total)"#), 3.0);
    assert_eq!(
        read(r#"xmlrpc_call_duration_seconds_count{method="add"}"#),
        4.0
    );
    assert_eq!(read(r#"xmlrpc_multicall_calls_count"#), 1.0);
    assert_eq!(read(r#"xmlrpc_multicall_calls_sum"#), 2.0);
    assert_eq!(read(r#"xmlrpc_calls_in_flight"#), 0.0);
    // Seven calls made through the client, and Prometheus' scrapes.
    assert!(read(r#"xmlrpc_http_requests_total{status="200"}"#) >= 7.0);
    // Nothing was refused: the family has no series yet.
    assert_eq!(query(port, "sum(xmlrpc_requests_refused_total)"), None);
    assert!(read("xmlrpc_request_bytes_total") > 7.0 * 100.0);
    assert!(read("xmlrpc_connections_total") >= 2.0);
    // A label for each listed method called and one for the rest: the
    // unknown name never became a label.
    assert_eq!(read("count(xmlrpc_calls_total)"), 5.0);
}

#[test]
fn the_alert_rules_of_deployment_md_check_and_fire_as_they_say() {
    let dir = TempDir::new("promtool-rules");
    std::fs::write(
        dir.join("xmlrpc-alerts.yml"),
        deployment_block("xmlrpc-alerts.yml"),
    )
    .unwrap();
    let tests =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/prometheus/xmlrpc-alerts.test.yml");
    std::fs::copy(tests, dir.join("xmlrpc-alerts.test.yml")).unwrap();
    let (clean, said) = promtool(&dir, &["check", "rules", "xmlrpc-alerts.yml"], None);
    assert!(clean && said.contains("SUCCESS: 4 rules found"), "{said}");
    let (passed, said) = promtool(&dir, &["test", "rules", "xmlrpc-alerts.test.yml"], None);
    assert!(passed && said.contains("SUCCESS"), "{said}");
}
