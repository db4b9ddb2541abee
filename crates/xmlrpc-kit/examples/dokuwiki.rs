//! DokuWiki's remote API (`lib/exe/xmlrpc.php`), typed: write a page, read
//! it back with its history, search, upload and fetch a file, and log in
//! with a session cookie instead of basic authentication.
//!
//! Run with: `XMLRPC_USER=… XMLRPC_PASSWORD=… cargo run -p xmlrpc-kit --features serde --example dokuwiki -- http://127.0.0.1:8080/lib/exe/xmlrpc.php`
//! against a DokuWiki with `$conf['remote'] = 1` and the user in
//! `$conf['remoteuser']` (`tests/interop/peers/dokuwiki/serve.sh PORT DIR`
//! sets one up; `tests/interop/run.py` runs this program against it and
//! judges the lines it prints: `CHECK<TAB>ok`, or what was wrong).
//!
//! DokuWiki 2022-07-31 ("Igor") answers its API's errors as an empty
//! struct instead of a fault (it returns the exception object, which its
//! XML-RPC library writes as a struct with no members): a refused upload
//! "succeeds" with `{}`, and a missing login is HTTP 401 with `{}` as the
//! body. Check what a call answers, not only that it did not fail.

mod checks;

use serde::Deserialize;
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{Binary, DateTime, Value};

use checks::{report, same};

const PAGE: &str = "interop:start";
const TEXT: &str = "====== Interop ======\n\nCafé, ünïcode & <markup>: **bold**, //italic//.";

/// `wiki.getPageInfo`.
#[derive(Debug, Deserialize)]
struct PageInfo {
    name: String,
    #[serde(rename = "lastModified")]
    last_modified: DateTime,
    author: String,
    /// The revision: a Unix time.
    version: i64,
}

/// One entry of `wiki.getPageVersions`.
#[derive(Debug, Deserialize)]
struct Version {
    user: String,
    sum: String,
    /// C created, E edited, e minor edit, D deleted.
    #[serde(rename = "type")]
    kind: String,
    modified: DateTime,
}

/// One hit of `dokuwiki.search`.
#[derive(Debug, Deserialize)]
struct Hit {
    id: String,
    score: i32,
    snippet: String,
}

/// A 1×1 grey PNG (DokuWiki checks an upload's type against its content).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0x48, 0xaf, 0xa4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn struct_of(members: &[(&str, Value)]) -> Value {
    Value::Struct(
        members
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: XMLRPC_USER=… XMLRPC_PASSWORD=… dokuwiki URL");
    let user = std::env::var("XMLRPC_USER").expect("XMLRPC_USER: who logs in");
    let password = std::env::var("XMLRPC_PASSWORD").expect("XMLRPC_PASSWORD: their password");
    let c = Client::builder(&url)
        .basic_auth(&user, &password)
        .build_blocking()
        .expect("a valid URL");
    let e = |e: Error| e.to_string();

    report(
        "dokuwiki.getVersion",
        c.call::<String>("dokuwiki.getVersion", ())
            .map_err(e)
            .and_then(|v| same(v.as_str(), "Release 2022-07-31b \"Igor\"")),
    );
    report(
        "api.versions",
        (|| {
            same(
                c.call::<i32>("dokuwiki.getXMLRPCAPIVersion", ())
                    .map_err(e)?,
                11,
            )?;
            same(
                c.call::<i32>("wiki.getRPCVersionSupported", ())
                    .map_err(e)?,
                2,
            )
        })(),
    );
    let summary = "Written by the interop suite";
    report(
        "wiki.putPage",
        c.call::<bool>(
            "wiki.putPage",
            (
                PAGE,
                TEXT,
                struct_of(&[
                    ("sum", Value::String(summary.into())),
                    ("minor", Value::Bool(false)),
                ]),
            ),
        )
        .map_err(e)
        .and_then(|saved| same(saved, true)),
    );
    report(
        "wiki.getPage",
        c.call::<String>("wiki.getPage", (PAGE,))
            .map_err(e)
            .and_then(|text| same(text.as_str(), TEXT)),
    );
    report(
        "wiki.getPage.missing",
        c.call::<String>("wiki.getPage", ("interop:no-such-page",))
            .map_err(e)
            .and_then(|text| same(text.as_str(), "")),
    );
    let info = c
        .call::<Serde<PageInfo>>("wiki.getPageInfo", (PAGE,))
        .map_err(e);
    report(
        "wiki.getPageInfo",
        info.as_ref().map_err(Clone::clone).and_then(|Serde(info)| {
            same(
                (info.name.as_str(), info.author.as_str()),
                (PAGE, user.as_str()),
            )?;
            // Dashes and a zone: 2026-12-07T18:02:45+00:00.
            same(info.last_modified.zone(), xmlrpc_kit::Zone::Offset(0))?;
            (info.last_modified.year() >= 2022 && info.version > 1_600_000_000)
                .then_some(())
                .ok_or_else(|| format!("an unlikely date: {info:?}"))
        }),
    );
    report(
        "wiki.getPageVersions",
        c.call::<Serde<Vec<Version>>>("wiki.getPageVersions", (PAGE, 0))
            .map_err(e)
            .and_then(|Serde(versions)| match versions.as_slice() {
                [v] => {
                    same(
                        (v.user.as_str(), v.sum.as_str(), v.kind.as_str()),
                        (user.as_str(), summary, "C"),
                    )?;
                    match &info {
                        Ok(Serde(info)) => same(v.modified, info.last_modified),
                        Err(_) => Ok(()),
                    }
                }
                other => Err(format!("expected one version, got {other:?}")),
            }),
    );
    report(
        "dokuwiki.search",
        c.call::<Serde<Vec<Hit>>>("dokuwiki.search", ("ünïcode",))
            .map_err(e)
            .and_then(|Serde(hits)| match hits.as_slice() {
                [hit] if hit.id == PAGE && hit.score >= 1 && hit.snippet.contains("search_hit") => {
                    Ok(())
                }
                other => Err(format!("expected one hit on {PAGE}, got {other:?}")),
            }),
    );
    report(
        "wiki.putAttachment/getAttachment",
        (|| {
            let id: String = c
                .call(
                    "wiki.putAttachment",
                    (
                        "interop:pixel.png",
                        Binary(PNG.to_vec()),
                        struct_of(&[("ow", Value::Bool(true))]),
                    ),
                )
                .map_err(e)?;
            same(id.as_str(), "interop:pixel.png")?;
            let Binary(back) = c
                .call("wiki.getAttachment", ("interop:pixel.png",))
                .map_err(e)?;
            same(back.as_slice(), PNG)
        })(),
    );
    // A refused upload (text is not an allowed type here): an empty
    // struct, not a fault, and nothing stored.
    report(
        "error.as-empty-struct",
        c.call_value(
            "wiki.putAttachment",
            vec![
                Value::String("interop:notes.txt".into()),
                Value::Base64(b"hello\n".to_vec()),
                struct_of(&[]),
            ],
        )
        .map_err(e)
        .and_then(|answer| same(answer, struct_of(&[]))),
    );
    report(
        "error.anonymous",
        match Client::new(&url)
            .expect("a valid URL")
            .call::<Value>("dokuwiki.getVersion", ())
        {
            Err(Error::Transport(t)) => same(t.status(), Some(401)),
            other => Err(format!("expected HTTP 401, got {other:?}")),
        },
    );
    // The other way to log in: dokuwiki.login sets a session cookie,
    // which a client with cookies on sends back.
    report(
        "dokuwiki.login",
        (|| {
            let session = Client::builder(&url)
                .cookies(true)
                .build_blocking()
                .map_err(e)?;
            same(
                session
                    .call::<bool>("dokuwiki.login", (user.as_str(), password.as_str()))
                    .map_err(e)?,
                true,
            )?;
            same(
                session
                    .call::<String>("wiki.getPage", (PAGE,))
                    .map_err(e)?
                    .as_str(),
                TEXT,
            )
        })(),
    );
    let mut batch = c.batch();
    batch
        .add("dokuwiki.getTitle", ())
        .add("wiki.getPage", (PAGE,));
    report(
        "multicall",
        batch.send().map_err(e).and_then(|results| {
            same(
                results,
                vec![
                    Ok(Value::String("Interop".into())),
                    Ok(Value::String(TEXT.into())),
                ],
            )
        }),
    );
    report(
        "introspection.list",
        c.list_methods().map_err(e).and_then(|names| {
            (names.iter().any(|n| n == "wiki.getPage"))
                .then_some(())
                .ok_or_else(|| format!("wiki.getPage missing from {names:?}"))
        }),
    );
}
