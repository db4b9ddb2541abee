//! The documentation page in a real browser: Debian's headless Chromium
//! loads it from a running server; the rendered DOM is checked, and a
//! screenshot is saved. scripts/test.sh installs chromium; a missing
//! browser fails these tests.

use std::path::PathBuf;
use std::process::Command;

use xmlrpc_kit::{DocServer, Methods};
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
