//! pypiserver's XML-RPC `search`, typed: what `pip search` asked PyPI
//! before PyPI turned it off, asked of a package index of your own.
//!
//! Run with: `cargo run -p xmlrpc-kit --features serde --example pypiserver -- http://127.0.0.1:8080/RPC2`
//! against a pypiserver whose folder holds interop-demo 1.0 and 1.1
//! (`tests/interop/peers/pypiserver/serve.sh PORT DIR` makes one;
//! `tests/interop/run.py` runs this program against it and judges the
//! lines it prints: `CHECK<TAB>ok`, or what was wrong).
//!
//! pypiserver answers `search` with a `<methodCall>` document instead of a
//! `<methodResponse>` (it hands the method's name to Python's
//! `xmlrpc.client.dumps`, which then writes a call). Python's client does
//! not look at the root element; ours refuses it. The `search.raw` check
//! shows the way around: post the request with `send_raw`, mend the root,
//! and decode what is left as the response it should have been.

mod checks;

use serde::{Deserialize, Serialize};
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::serde::{Serde, from_value};

use checks::report;

/// pip's query: a list of words per field; pypiserver reads only the
/// first word of the first field.
#[derive(Serialize)]
struct Query {
    name: Vec<String>,
    summary: Vec<String>,
}

/// One package file found (a version of a package, once per file).
#[derive(Debug, Deserialize, PartialEq)]
struct Hit {
    name: String,
    version: String,
    /// pypiserver has no summaries: it puts the version here.
    summary: String,
    #[serde(rename = "_pypi_ordering")]
    ordering: i32,
}

/// pip's `search(query, "or")`, through `call`: refused, as said above.
fn search(client: &Client, word: &str) -> Result<Vec<Hit>, String> {
    let query = Query {
        name: vec![word.to_owned()],
        summary: vec![word.to_owned()],
    };
    let Serde(hits) = client
        .call("search", (Serde(query), "or"))
        .map_err(|e| e.to_string())?;
    Ok(hits)
}

/// The same call, its answer's root mended to `<methodResponse>`.
fn search_raw(client: &Client, word: &str) -> Result<Vec<Hit>, String> {
    let query = Query {
        name: vec![word.to_owned()],
        summary: vec![word.to_owned()],
    };
    let params = vec![
        xmlrpc_kit::serde::to_value(&query).map_err(|e| e.to_string())?,
        xmlrpc_kit::Value::String("or".into()),
    ];
    let request = client
        .encode_call("search", params)
        .map_err(|e| e.to_string())?;
    let answer = client.send_raw(request).map_err(|e| e.to_string())?;
    let answer = String::from_utf8(answer).map_err(|e| e.to_string())?;
    let mended = answer
        .replacen("<methodCall>", "<methodResponse>", 1)
        .replacen("<methodName>search</methodName>", "", 1)
        .replacen("</methodCall>", "</methodResponse>", 1);
    let value = client
        .decode_response(mended.as_bytes())
        .map_err(|e| e.to_string())?;
    from_value(value).map_err(|e| e.to_string())
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: pypiserver URL (e.g. http://127.0.0.1:8080/RPC2)");
    let client = Client::new(&url).expect("a valid URL");

    report(
        "search",
        search(&client, "interop").map(|hits| println!("# {hits:?}")),
    );
    report(
        "search.raw",
        search_raw(&client, "interop").and_then(|mut hits| {
            hits.sort_by(|a, b| a.version.cmp(&b.version));
            let found: Vec<(&str, &str, &str)> = hits
                .iter()
                .map(|h| (h.name.as_str(), h.version.as_str(), h.summary.as_str()))
                .collect();
            // The name as in the file's name (interop_demo-1.0.tar.gz),
            // one hit per file, the version as the summary.
            let expected = [
                ("interop_demo", "1.0", "1.0"),
                ("interop_demo", "1.1", "1.1"),
            ];
            if found != expected {
                return Err(format!("expected {expected:?}, got {found:?}"));
            }
            if hits.iter().any(|h| h.ordering < 0) {
                return Err(format!("a negative _pypi_ordering: {hits:?}"));
            }
            Ok(())
        }),
    );
    // The project's name as pip spells it finds nothing: the search looks
    // at file names, where the hyphen is an underscore.
    report(
        "search.normalized-name",
        search_raw(&client, "interop-demo").and_then(|hits| match hits.as_slice() {
            [] => Ok(()),
            _ => Err(format!("expected no hit, got {hits:?}")),
        }),
    );
    // Case matters, unlike on PyPI.
    report(
        "search.case",
        search_raw(&client, "Interop").and_then(|hits| match hits.as_slice() {
            [] => Ok(()),
            _ => Err(format!("expected no hit, got {hits:?}")),
        }),
    );
    report(
        "search.other",
        search_raw(&client, "other").and_then(|hits| {
            let found: Vec<(&str, &str)> = hits
                .iter()
                .map(|h| (h.name.as_str(), h.version.as_str()))
                .collect();
            (found == [("other_tool", "0.3")])
                .then_some(())
                .ok_or_else(|| format!("expected other_tool 0.3, got {found:?}"))
        }),
    );
    // Any other method: an empty 200 answer.
    report(
        "introspection.list",
        client
            .list_methods()
            .map(|names| println!("# {names:?}"))
            .map_err(|e| e.to_string()),
    );
}
