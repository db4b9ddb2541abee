//! Roundup's issue tracker through its XML-RPC interface (`/xmlrpc` under
//! the tracker's URL), typed: list a class's keys, create an issue, read
//! it back, change its status, find it, and the faults its users meet.
//!
//! Run with: `XMLRPC_USER=admin XMLRPC_PASSWORD=… cargo run -p xmlrpc-kit --features serde --example roundup -- http://127.0.0.1:8080/demo/xmlrpc`
//! against a tracker made from the classic template
//! (`tests/interop/peers/roundup/serve.sh PORT DIR` makes and serves one;
//! `tests/interop/run.py` runs this program against it and judges the
//! lines it prints: `CHECK<TAB>ok`, or what was wrong). The user and the
//! password come from the environment, as for `xmlrpc-kit --user`, never
//! from the command line.
//!
//! Roundup wants HTTP basic authentication and, against cross-site
//! requests, an `X-Requested-With` header (any value) on every XML-RPC
//! call: without it each call is fault 1, "Required Header Missing".

mod checks;

use serde::Deserialize;
use xmlrpc_kit::Value;
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;

use checks::{expect_fault, report, same};

/// What `display("issueN", "title", "status", "priority")` answers: links
/// are ids, as strings.
#[derive(Debug, Deserialize, PartialEq)]
struct Issue {
    title: String,
    status: String,
    priority: String,
}

/// The whole issue, as `display("issueN")` answers it.
#[derive(Debug, Deserialize)]
struct FullIssue {
    title: String,
    /// nil when nobody is assigned.
    assignedto: Option<String>,
    nosy: Vec<String>,
    messages: Vec<String>,
}

/// A client that logs in and sends the header Roundup wants.
fn client(url: &str, user: Option<(&str, &str)>, header: bool) -> Client {
    let mut builder = Client::builder(url).allow_none(true);
    if let Some((user, password)) = user {
        builder = builder.basic_auth(user, password);
    }
    if header {
        builder = builder.header("X-Requested-With", "xmlrpc-kit");
    }
    builder.build_blocking().expect("a valid URL")
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: XMLRPC_USER=… XMLRPC_PASSWORD=… roundup URL");
    let user = std::env::var("XMLRPC_USER").expect("XMLRPC_USER: who logs in");
    let password = std::env::var("XMLRPC_PASSWORD").expect("XMLRPC_PASSWORD: their password");
    let c = client(&url, Some((&user, &password)), true);
    let e = |e: Error| e.to_string();

    report(
        "list.status",
        c.call::<Vec<String>>("list", ("status",))
            .map_err(e)
            .and_then(|names| {
                same(
                    names,
                    [
                        "unread",
                        "deferred",
                        "chatting",
                        "need-eg",
                        "in-progress",
                        "testing",
                        "done-cbb",
                        "resolved",
                    ]
                    .map(String::from)
                    .to_vec(),
                )
            }),
    );
    report(
        "lookup",
        c.call::<String>("lookup", ("user", user.as_str()))
            .map_err(e)
            .and_then(|id| same(id.as_str(), "1")),
    );
    // Properties are given as "name=value" strings; links by their key.
    let title = "Interop: café, ünïcode & <markup>";
    let created = c
        .call::<String>(
            "create",
            ("issue", format!("title={title}"), "priority=bug"),
        )
        .map_err(e);
    report(
        "create",
        created
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|id| same(id.as_str(), "1")),
    );
    let issue = format!("issue{}", created.as_deref().unwrap_or("1"));
    let id_of = |class: &str, key: &str| c.call::<String>("lookup", (class, key)).map_err(e);
    report(
        "display",
        c.call::<Serde<Issue>>("display", (issue.as_str(), "title", "status", "priority"))
            .map_err(e)
            .and_then(|Serde(got)| {
                let expected = Issue {
                    title: title.to_owned(),
                    status: id_of("status", "unread")?,
                    priority: id_of("priority", "bug")?,
                };
                same(got, expected)
            }),
    );
    report(
        "display.all",
        c.call::<Serde<FullIssue>>("display", (issue.as_str(),))
            .map_err(e)
            .and_then(|Serde(got)| {
                same(got.title.as_str(), title)?;
                same(got.assignedto, None)?;
                same((got.nosy.len(), got.messages.len()), (0, 0))
            }),
    );
    report(
        "set",
        c.call::<Value>(
            "set",
            (issue.as_str(), "status=in-progress", "assignedto=admin"),
        )
        .map_err(e)
        .and_then(|_| {
            let Serde(got): Serde<Issue> = c
                .call("display", (issue.as_str(), "title", "status", "priority"))
                .map_err(e)?;
            same(got.status, id_of("status", "in-progress")?)
        }),
    );
    // filter(class, search_matches, filterspec): nil for no full-text search.
    report(
        "filter",
        c.call::<Vec<String>>(
            "filter",
            (
                "issue",
                Value::Nil,
                Value::Struct([("title".to_owned(), Value::String("café".into()))].into()),
            ),
        )
        .map_err(e)
        .and_then(|ids| same(ids, vec![created.clone().unwrap_or_default()])),
    );
    // Dates come as Python's repr of Roundup's Date, a string.
    report(
        "display.dates",
        c.call::<Serde<std::collections::BTreeMap<String, String>>>(
            "display",
            (issue.as_str(), "creation"),
        )
        .map_err(e)
        .and_then(|Serde(got)| {
            let creation = got.get("creation").cloned().unwrap_or_default();
            (creation.starts_with("<Date 20") && creation.ends_with('>'))
                .then_some(())
                .ok_or_else(|| format!("expected <Date …>, got {creation:?}"))
        }),
    );
    let mut batch = c.batch();
    batch
        .add("list", ("priority",))
        .add("display", (issue.as_str(), "title"));
    report(
        "multicall",
        batch.send().map_err(e).and_then(|results| {
            let priorities = ["critical", "urgent", "bug", "feature", "wish"]
                .map(|p| Value::String(p.into()))
                .to_vec();
            same(results.first().cloned(), Some(Ok(Value::Array(priorities))))?;
            same(
                results.get(1).cloned(),
                Some(Ok(Value::Struct(
                    [("title".to_owned(), Value::String(title.into()))].into(),
                ))),
            )
        }),
    );
    report(
        "fault.no-such-issue",
        expect_fault(
            c.call::<Value>("display", ("issue99",)),
            1,
            "<class 'IndexError'>:no such issue 99",
        ),
    );
    report(
        "fault.no-listMethods",
        expect_fault(
            c.list_methods(),
            1,
            "<class 'Exception'>:method \"system.listMethods\" is not supported",
        ),
    );
    report(
        "auth.anonymous",
        expect_fault(
            client(&url, None, true).call::<Value>("create", ("issue", "title=x")),
            403,
            "Forbidden",
        ),
    );
    report(
        "auth.wrong-password",
        expect_fault(
            client(&url, Some((&user, "not the password")), true).call::<Value>("list", ("issue",)),
            401,
            "Invalid login",
        ),
    );
    report(
        "csrf.header-missing",
        expect_fault(
            client(&url, Some((&user, &password)), false).call::<Value>("list", ("status",)),
            1,
            "<class 'roundup.exceptions.UsageError'>:Required Header Missing",
        ),
    );
}
