//! The command line honours the environment's proxy variables, as curl
//! does: `HTTP_PROXY` (or `http_proxy`, or `ALL_PROXY`) for `http://`
//! servers, `HTTPS_PROXY` for `https://` ones, and `NO_PROXY`'s hosts
//! reached directly; through a real proxy (Debian's tinyproxy) started by
//! the test on 127.0.0.1.

use std::process::Command;

use xmlrpc_kit::{OutputEncoding, Server};
use xmlrpc_kit_test_support::server::TestServer;
use xmlrpc_kit_test_support::tinyproxy::{Tinyproxy, TinyproxyConfig};

/// Every variable a proxy is read from.
const PROXY_VARIABLES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// `xmlrpc-kit call URL add 2 3` with these proxy variables only: its
/// exit code and output.
fn add_with(url: &str, env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xmlrpc-kit"));
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    let out = command
        .args(["call", url, "add", "2", "3"])
        .envs(env.iter().copied())
        .output()
        .expect("run xmlrpc-kit");
    (
        out.status.code().expect("exited"),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_environment_s_proxy_is_used_but_for_no_proxy_s_hosts() {
    let demo = TestServer::start(
        Server::builder_for(xmlrpc_kit_test_support::demo::dispatcher(
            OutputEncoding::default(),
            xmlrpc_kit::Dialect::default(),
        ))
        .log_requests(false),
    );
    let url = demo.url();
    let proxy = Tinyproxy::start("cli", &TinyproxyConfig::default());
    let forwarded = |proxy: &Tinyproxy| proxy.log().matches(&format!("POST {url}")).count();
    let purl = proxy.url();
    for (env, through_proxy) in [
        (vec![("HTTP_PROXY", purl.as_str())], true),
        (vec![("http_proxy", purl.as_str())], true),
        (vec![("ALL_PROXY", purl.as_str())], true),
        // For https:// servers only.
        (vec![("HTTPS_PROXY", purl.as_str())], false),
        (
            vec![
                ("HTTP_PROXY", purl.as_str()),
                ("NO_PROXY", "localhost,127.0.0.1"),
            ],
            false,
        ),
        (
            vec![("HTTP_PROXY", purl.as_str()), ("no_proxy", "*")],
            false,
        ),
        (vec![], false),
    ] {
        let before = forwarded(&proxy);
        assert_eq!(add_with(&url, &env), (0, "5\n".into()), "{env:?}");
        let after = forwarded(&proxy);
        assert_eq!(
            after - before,
            usize::from(through_proxy),
            "{env:?}\n{}",
            proxy.log()
        );
    }
    // A proxy that is not there: the error names it.
    let closed = xmlrpc_kit_test_support::ports::ClosedPort::new();
    let gone = format!("http://127.0.0.1:{}", closed.port());
    let (code, out) = add_with(&url, &[("HTTP_PROXY", gone.as_str())]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains(&format!("through the proxy {gone}")), "{out}");
}
