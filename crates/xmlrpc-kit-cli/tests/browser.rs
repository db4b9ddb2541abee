//! The documentation page in a real browser: Debian's headless Chromium
//! loads it from a running server; the rendered DOM is checked, and a
//! screenshot is saved. The "Try it" forms are driven by chromedriver
//! (WebDriver over plain HTTP): the test fills a form, presses its button
//! and reads the answer from the page, then runs the snippets the page
//! shows (Python's `xmlrpc.client`, curl, `xmlrpc-kit call`) against the
//! same server. scripts/test.sh installs chromium and chromium-driver; a
//! missing browser or driver fails these tests.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use xmlrpc_kit::{DocServer, Methods};
use xmlrpc_kit_test_support::ports::on_its_own_port;
use xmlrpc_kit_test_support::process::{Demo, Running};
use xmlrpc_kit_test_support::server::TestServer;

/// Serves `builder` on 127.0.0.1 (stopped on drop); returns it and the page's URL.
fn serve(builder: xmlrpc_kit::ServerBuilder) -> (TestServer, String) {
    let server = TestServer::start(builder.log_requests(false));
    let url = format!("http://{}/", server.addr);
    (server, url)
}

fn chromium() -> PathBuf {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect(
        "chromium is required by this test (scripts/test.sh installs it: apt-get install chromium)",
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmlrpc-browser-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium with `args` on `url`; returns stdout.
fn browse(url: &str, name: &str, args: &[&str]) -> String {
    let profile = scratch(name);
    let out = Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(profile);
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each hostile string sets `data-pwned` on <body> if it ever runs.
const TITLE: &str = "</title><script>document.body.setAttribute('data-pwned','title')</script>";
const NAME: &str = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','name')\">";
const DOC: &str =
    "<script>document.body.setAttribute('data-pwned','doc')</script> javascript:alert(1)";
const METHOD: &str = "<svg onload=\"document.body.setAttribute('data-pwned','method')\">";
const HELP: &str = "<script>document.body.setAttribute('data-pwned','help')</script>\"><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> see http://x.org/\"onmouseover=\"document.body.setAttribute('data-pwned','url')";

#[test]
fn hostile_strings_render_as_text_and_run_nothing() {
    let mut methods = xmlrpc_kit_test_support::demo::methods();
    methods.register_function(METHOD, || 1).help(HELP);
    let names = methods.list_methods();
    let (_server, url) = serve(
        DocServer::builder(methods)
            .server_title(TITLE)
            .server_name(NAME)
            .server_documentation(DOC),
    );
    let dom = browse(
        &url,
        "hostile",
        &["--virtual-time-budget=3000", "--dump-dom"],
    );
    // The hostile text is on the page (as text), so look at <body>'s own tag.
    let body_tag = &dom[dom.find("<body").expect("a body")..];
    let body_tag = &body_tag[..=body_tag.find('>').unwrap()];
    assert_eq!(body_tag, "<body>", "a hostile string ran");
    assert!(
        !dom.contains("<script"),
        "a script element was injected: {dom}"
    );
    assert!(
        !dom.contains("<img") && !dom.contains("<svg"),
        "an element was injected: {dom}"
    );
    // Title and name are there, as text.
    assert!(dom.contains("<title>&lt;/title&gt;&lt;script&gt;"), "{dom}");
    assert!(dom.contains("<h1>\"&gt;&lt;img src=x onerror="), "{dom}");
    // Every method has its entry.
    for name in &names {
        let escaped = name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(
            dom.contains(&format!("id=\"method-{}\"", escaped.replace(' ', "_"))),
            "{name} missing: {dom}"
        );
    }
}

#[test]
fn the_demo_page_renders_and_a_screenshot_is_saved() {
    let (_server, url) = serve(
        DocServer::builder(xmlrpc_kit_test_support::demo::methods())
            .documentation(xmlrpc_kit_test_support::demo::documentation()),
    );
    let dom = browse(&url, "demo", &["--virtual-time-budget=2000", "--dump-dom"]);
    assert!(dom.contains("<title>xmlrpc-kit demo</title>"), "{dom}");
    assert!(
        dom.contains("<h1>The example server of Python's xmlrpc.server documentation</h1>"),
        "{dom}"
    );
    for name in Methods::list_methods(&xmlrpc_kit_test_support::demo::methods()) {
        assert!(dom.contains(&format!("id=\"method-{name}\"")), "{name}");
    }
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (file, size) in [
        ("doc-page-wide.png", "1280,1500"),
        ("doc-page-phone.png", "390,1400"),
    ] {
        let path = shots.join(file);
        let _ = std::fs::remove_file(&path);
        browse(
            &url,
            file,
            &[
                &format!("--window-size={size}"),
                &format!("--screenshot={}", path.display()),
                "--hide-scrollbars",
            ],
        );
        let png = std::fs::read(&path).expect("a screenshot");
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{file}: {} bytes",
            png.len()
        );
    }
}

/// The flags every Chromium of these tests runs with.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

/// The key of an element reference in WebDriver's JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a port of 127.0.0.1 that is its own, stopped (by PID)
/// when dropped, with one browser session, ended first.
struct Browser {
    port: u16,
    session: String,
    profile: PathBuf,
    _driver: Running,
}

impl Browser {
    fn start(name: &str) -> Browser {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("chromedriver is required by this test (scripts/test.sh installs it: apt-get install chromium-driver)");
        let (process, port) = on_its_own_port(|port| {
            Running(
                Command::new(&driver)
                    .arg(format!("--port={port}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("run chromedriver"),
            )
        });
        let started = Instant::now();
        while !webdriver(port, "GET", "/status", None)["ready"]
            .as_bool()
            .unwrap_or(false)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver is not ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = scratch(name);
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push("--window-size=1280,1600".into());
        args.push(format!("--user-data-dir={}", profile.display()));
        let session = webdriver(
            port,
            "POST",
            "/session",
            Some(
                json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                    "binary": chromium(),
                    "args": args,
                }}}}),
            ),
        );
        let session = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_owned();
        Browser {
            port,
            session,
            profile,
            _driver: process,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Json>) -> Json {
        webdriver(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The elements `css` selects inside `within` (the page when `None`).
    fn find_all(&self, within: Option<&str>, css: &str) -> Vec<String> {
        let path = match within {
            Some(element) => format!("/element/{element}/elements"),
            None => "/elements".to_owned(),
        };
        let found = self.call(
            "POST",
            &path,
            Some(json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .unwrap_or_else(|| panic!("{css}: {found}"))
            .iter()
            .map(|e| {
                e[ELEMENT]
                    .as_str()
                    .unwrap_or_else(|| panic!("{css}: {e}"))
                    .to_owned()
            })
            .collect()
    }

    fn find(&self, within: Option<&str>, css: &str) -> String {
        let mut all = self.find_all(within, css);
        assert_eq!(all.len(), 1, "{css}: {} elements", all.len());
        all.remove(0)
    }

    fn click(&self, element: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn type_text(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/clear"),
            Some(json!({})),
        );
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// An element's `textContent`: what a copy of it holds.
    fn text(&self, element: &str) -> String {
        let value = self.call(
            "GET",
            &format!("/element/{element}/property/textContent"),
            None,
        );
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` in the page; returns its result.
    fn script(&self, script: &str) -> Json {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Saves a PNG of `element` as the browser draws it.
    fn screenshot(&self, element: &str, path: &std::path::Path) {
        use base64::Engine as _;
        let png = self.call("GET", &format!("/element/{element}/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("a screenshot"))
            .expect("base64");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, png).unwrap();
    }

    /// Waits for `element`'s text to be something; returns it.
    fn wait_for_text(&self, element: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text(element);
            if !text.is_empty() {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "no answer on the page"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the browser; chromedriver itself is stopped by its PID after.
        let _ = std::panic::catch_unwind(|| self.call("DELETE", "", None));
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One WebDriver command over plain HTTP/1.1; returns its `value`.
fn webdriver(port: u16, method: &str, path: &str, body: Option<Json>) -> Json {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to chromedriver");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver says `Connection: close` but keeps the connection open:
    // the answer is as long as its Content-Length says.
    let mut answer = Vec::new();
    let mut buf = [0; 16 * 1024];
    let (head, body) = loop {
        let n = stream.read(&mut buf).expect("chromedriver's answer");
        assert!(n > 0, "{method} {path}: chromedriver closed the connection");
        answer.extend_from_slice(&buf[..n]);
        let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&answer[..end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                if name.eq_ignore_ascii_case("content-length") {
                    value.trim().parse().ok()
                } else {
                    None
                }
            })
            .expect("a Content-Length");
        if answer.len() >= end + 4 + length {
            let body = String::from_utf8_lossy(&answer[end + 4..end + 4 + length]).into_owned();
            break (head, body);
        }
    };
    let body = body.as_str();
    let status_ok = head.starts_with("HTTP/1.1 200");
    let parsed: Json = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}: {head}\n{body}"));
    assert!(status_ok, "{method} {path}: {head}\n{body}");
    parsed["value"].clone()
}

/// The three snippets a method's form shows, as the page shows them.
struct Snippets {
    python: String,
    curl: String,
    cli: String,
}

fn snippets(browser: &Browser, section: &str) -> Snippets {
    let text = |css| browser.text(&browser.find(Some(section), css));
    Snippets {
        python: text(".try-snippet-python"),
        curl: text(".try-snippet-curl"),
        cli: text(".try-snippet-cli"),
    }
}

/// Runs a snippet; returns its stdout, failing on a failure.
fn run(program: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{stdin}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The snippets run as their users run them: Python's snippet by python3,
/// and the curl and CLI command lines by a shell (the CLI's `xmlrpc-kit`
/// being the binary built with these tests). Returns their outputs.
fn run_snippets(snippets: &Snippets) -> (String, String, String) {
    let bin = env!("CARGO_BIN_EXE_xmlrpc-kit");
    let python = run("python3", &["-"], &snippets.python);
    let curl = run("sh", &["-s"], &snippets.curl);
    assert!(
        snippets.cli.starts_with("xmlrpc-kit call "),
        "{}",
        snippets.cli
    );
    let cli_line = format!("{bin}{}", &snippets.cli["xmlrpc-kit".len()..]);
    let cli = run("sh", &["-s"], &cli_line);
    (python, curl, cli)
}

/// The text of the first `<tag>` of an XML answer, unescaped.
fn xml_text(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {open}: {xml}"))
        + open.len();
    let end = start + xml[start..].find('<').unwrap();
    xml[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// See: issue 28, item 4. The demo's page (`xmlrpc-kit demo`, the built
/// binary, which turns the forms on): `add` filled with 2 and 3 and its
/// button pressed shows 5, with the request and response documents; each
/// snippet the page then shows, run, answers 5 too.
#[test]
fn the_add_form_calls_the_demo_and_its_snippets_run() {
    let demo = Demo::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")),
        &["--quiet"],
    )
    .expect("xmlrpc-kit demo");
    let url = format!("http://{}/", demo.addr);
    let browser = Browser::start("try-add");
    browser.goto(&url);
    let add = browser.find(None, "#method-add");
    browser.click(&browser.find(Some(&add), ".try-it > summary"));
    let inputs = browser.find_all(Some(&add), ".try-param input");
    assert_eq!(inputs.len(), 2);
    browser.type_text(&inputs[0], "2");
    browser.type_text(&inputs[1], "3");
    browser.click(&browser.find(Some(&add), "button.try-call"));
    let result = browser.wait_for_text(&browser.find(Some(&add), ".try-result"));
    assert_eq!(result, "5");
    let request = browser.text(&browser.find(Some(&add), ".try-request"));
    assert!(
        request.contains("<methodName>add</methodName>")
            && request.contains("<value><int>2</int></value>")
            && request.contains("<value><int>3</int></value>"),
        "{request}"
    );
    let response = browser.text(&browser.find(Some(&add), ".try-response"));
    assert!(response.contains("<int>5</int>"), "{response}");

    let snippets = snippets(&browser, &add);
    assert_eq!(
        snippets.python,
        format!(
            "import xmlrpc.client\n\nproxy = xmlrpc.client.ServerProxy('{url}')\nprint(proxy.add(2, 3))\n"
        )
    );
    assert_eq!(snippets.cli, format!("xmlrpc-kit call {url} add 2 3\n"));
    let (python, curl, cli) = run_snippets(&snippets);
    assert_eq!(python, "5\n");
    assert_eq!(xml_text(&curl, "int"), "5", "{curl}");
    assert_eq!(cli, "5\n");
    // What README.md shows as docs/doc-page-try-it.png.
    browser.screenshot(
        &add,
        &PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("doc-page-try-it.png"),
    );
}

/// See: issue 28, item 4. Strings that need quoting in every language the
/// snippets are written in (add's string signature, chosen on the form),
/// and a struct with an array, a double and an i8 (echo's JSON editor):
/// the page shows the answer, and each snippet, run, gets the same one.
#[test]
fn strings_and_structs_round_trip_through_the_form_and_its_snippets() {
    let demo = Demo::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_xmlrpc-kit")),
        &["--quiet"],
    )
    .expect("xmlrpc-kit demo");
    let url = format!("http://{}/", demo.addr);
    let browser = Browser::start("try-strings");
    browser.goto(&url);

    let add = browser.find(None, "#method-add");
    browser.click(&browser.find(Some(&add), ".try-it > summary"));
    let options = browser.find_all(Some(&add), "select.try-signature option");
    let texts: Vec<String> = options.iter().map(|o| browser.text(o)).collect();
    assert_eq!(
        texts,
        [
            "add(int, int) → int",
            "add(double, double) → double",
            "add(string, string) → string",
            "add(array, array) → array"
        ]
    );
    browser.click(&options[2]);
    let inputs = browser.find_all(Some(&add), ".try-param input");
    assert_eq!(inputs.len(), 2);
    let (x, y) = ("it's <b>", "\"a\" & $HOME `id`");
    browser.type_text(&inputs[0], x);
    browser.type_text(&inputs[1], y);
    browser.click(&browser.find(Some(&add), "button.try-call"));
    let result = browser.wait_for_text(&browser.find(Some(&add), ".try-result"));
    let sum = format!("{x}{y}");
    assert_eq!(result, serde_json::to_string(&sum).unwrap());
    let (python, curl, cli) = run_snippets(&snippets(&browser, &add));
    assert_eq!(python, format!("{sum}\n"));
    assert_eq!(xml_text(&curl, "string"), sum, "{curl}");
    assert_eq!(cli, format!("{sum}\n"));

    let echo = browser.find(None, "#method-echo");
    browser.click(&browser.find(Some(&echo), ".try-it > summary"));
    let editor = browser.find(Some(&echo), ".try-param textarea");
    browser.type_text(&editor, r#"{"x": [1, 2.5, "s"], "none": null, "ok": true}"#);
    browser.click(&browser.find(Some(&echo), "button.try-call"));
    let result = browser.wait_for_text(&browser.find(Some(&echo), ".try-result"));
    assert_eq!(
        serde_json::from_str::<Json>(&result).unwrap(),
        json!({"x": [1, 2.5, "s"], "none": null, "ok": true}),
        "{result}"
    );
    let snippets = snippets(&browser, &echo);
    assert!(
        snippets.python.contains("allow_none=True")
            && snippets
                .cli
                .ends_with(" echo '{\"x\": [1, 2.5, \"s\"], \"none\": null, \"ok\": true}'\n"),
        "{}\n{}",
        snippets.python,
        snippets.cli
    );
    let (python, curl, cli) = run_snippets(&snippets);
    assert_eq!(python, "{'x': [1, 2.5, 's'], 'none': None, 'ok': True}\n");
    assert!(
        curl.contains("<name>none</name><value><nil/></value>")
            && curl.contains("<double>2.5</double>"),
        "{curl}"
    );
    let cli: String = cli.split_whitespace().collect();
    assert_eq!(cli, r#"{"x":[1,2.5,"s"],"none":nil,"ok":true}"#);
}

/// See: issue 28, item 4. With the forms on, the hostile method name and
/// help text still run nothing: not as the page loads, not in the data
/// the script reads, and not after the hostile method is called from its
/// form and a hostile string is echoed back onto the page. Its snippets
/// quote its name well enough to call it.
#[test]
fn hostile_strings_run_nothing_with_the_forms_on() {
    let mut methods = xmlrpc_kit_test_support::demo::methods();
    methods.register_function(METHOD, || 1).help(HELP);
    // A method without signatures: its form is one JSON array of parameters.
    methods
        .register_function("unsigned", |x: xmlrpc_kit::Value| x)
        .signatures(Vec::<Vec<String>>::new());
    let (_server, url) = serve(
        DocServer::builder(methods)
            .server_title(TITLE)
            .server_name(NAME)
            .server_documentation(DOC)
            .try_it(true),
    );
    let browser = Browser::start("try-hostile");
    browser.goto(&url);
    let check = |when: &str| {
        let state = browser.script(
            "return [document.body.getAttribute('data-pwned'), \
             document.querySelectorAll('script').length, \
             document.querySelectorAll('img, svg, iframe, object, embed').length, \
             document.querySelectorAll('details.try-it').length];",
        );
        assert_eq!(state, json!([null, 2, 0, 12]), "{when}");
    };
    check("after loading");

    // The hostile method sorts first ('<' is before every letter).
    let sections = browser.find_all(None, "section.method");
    let hostile = &sections[0];
    assert_eq!(
        browser.text(&browser.find(Some(hostile), "h3 .name")),
        METHOD
    );
    browser.click(&browser.find(Some(hostile), ".try-it > summary"));
    let button = browser.find(Some(hostile), "button.try-call");
    assert_eq!(browser.text(&button), format!("Call {METHOD}"));
    browser.click(&button);
    let result = browser.wait_for_text(&browser.find(Some(hostile), ".try-result"));
    assert_eq!(result, "1");
    let request = browser.text(&browser.find(Some(hostile), ".try-request"));
    assert!(
        request.contains("<methodName>&lt;svg onload=\"document.body.setAttribute('data-pwned','method')\"&gt;</methodName>"),
        "{request}"
    );
    check("after calling the hostile method");
    let (python, curl, cli) = run_snippets(&snippets(&browser, hostile));
    assert_eq!((python.as_str(), cli.as_str()), ("1\n", "1\n"));
    assert_eq!(xml_text(&curl, "int"), "1", "{curl}");

    // The hostile help text echoed back onto the page, as text.
    let echo = browser.find(None, "#method-echo");
    browser.click(&browser.find(Some(&echo), ".try-it > summary"));
    browser.type_text(
        &browser.find(Some(&echo), ".try-param textarea"),
        &serde_json::to_string(HELP).unwrap(),
    );
    browser.click(&browser.find(Some(&echo), "button.try-call"));
    let result = browser.wait_for_text(&browser.find(Some(&echo), ".try-result"));
    assert_eq!(result, serde_json::to_string(HELP).unwrap());
    check("after echoing the hostile help text");

    let unsigned = browser.find(None, "#method-unsigned");
    browser.click(&browser.find(Some(&unsigned), ".try-it > summary"));
    let list = browser.find(Some(&unsigned), ".try-params textarea");
    browser.type_text(&list, r#"[{"a": "<img src=x onerror=alert(1)>"}]"#);
    browser.click(&browser.find(Some(&unsigned), "button.try-call"));
    let result = browser.wait_for_text(&browser.find(Some(&unsigned), ".try-result"));
    assert_eq!(
        serde_json::from_str::<Json>(&result).unwrap(),
        json!({"a": "<img src=x onerror=alert(1)>"})
    );
    check("after a struct with markup came back");
}
