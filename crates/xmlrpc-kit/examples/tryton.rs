//! Tryton, the business application platform, through its XML-RPC
//! protocol, typed: log in as Tryton's own client does, then search, read,
//! create and write records of a model.
//!
//! Run with: `TRYTON_USER=admin TRYTON_PASSWORD=… cargo run -p xmlrpc-kit --features serde --example tryton -- http://127.0.0.1:8000/DATABASE/`
//! (`tests/interop/peers/tryton/serve.sh PORT DIR` creates a database
//! "interop" and serves it; `tests/interop/run.py` runs this program
//! against it and judges the lines it prints: `CHECK<TAB>ok`, or what was
//! wrong).
//!
//! The database's name is the URL's path. `common.db.login(user,
//! {"password": …}, language)` answers `[user id, session]`; every later
//! call carries `Authorization: Session base64(user:id:session)`. A
//! model's method is `model.<model>.<method>`, its last argument the
//! context (a struct).

mod checks;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{DateTime, Value};

use checks::{report, same};

/// A `res.user` record as `read` answers it for the fields asked.
#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: i32,
    login: String,
    name: String,
    email: Option<String>,
}

/// The values of a new `res.user`.
#[derive(Debug, Serialize)]
struct NewUser<'a> {
    login: &'a str,
    name: &'a str,
}

fn context() -> Value {
    Value::Struct(Default::default())
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: TRYTON_USER=… TRYTON_PASSWORD=… tryton http://HOST:PORT/DATABASE/");
    let user = std::env::var("TRYTON_USER").expect("TRYTON_USER: who logs in");
    let password = std::env::var("TRYTON_PASSWORD").expect("TRYTON_PASSWORD: their password");
    let e = |e: Error| e.to_string();
    let anonymous = Client::builder(&url)
        .allow_none(true)
        .build_blocking()
        .expect("a valid URL");

    let password_struct =
        |p: &str| Value::Struct([("password".to_owned(), Value::String(p.into()))].into());
    let login = anonymous
        .call::<Serde<(i32, String)>>(
            "common.db.login",
            (user.as_str(), password_struct(&password), "en"),
        )
        .map(|Serde(s)| s)
        .map_err(e);
    report(
        "common.db.login",
        login
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|(id, session)| {
                same(*id, 1)?;
                (session.len() >= 32)
                    .then_some(())
                    .ok_or_else(|| format!("a short session: {session:?}"))
            }),
    );
    let (id, session) = login.unwrap_or_default();
    let c = Client::builder(&url)
        .allow_none(true)
        .header(
            "Authorization",
            format!(
                "Session {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{id}:{session}"))
            ),
        )
        .build_blocking()
        .expect("a valid URL");

    // Without a password, a fault whose string says what to ask for.
    report(
        "login.no-password",
        match anonymous.call::<Value>(
            "common.db.login",
            (user.as_str(), Value::Struct(Default::default()), "en"),
        ) {
            Err(Error::Fault(f)) => same(
                (f.code, f.string.as_str()),
                (
                    3,
                    "('LoginException', ('password', 'Password for admin', 'password'))",
                ),
            ),
            other => Err(format!("expected fault 3, got {other:?}")),
        },
    );
    report(
        "login.wrong-password",
        match anonymous.call::<Value>(
            "common.db.login",
            (user.as_str(), password_struct("not the password"), "en"),
        ) {
            Err(Error::Transport(t)) => same(t.status(), Some(401)),
            other => Err(format!("expected HTTP 401, got {other:?}")),
        },
    );
    report(
        "search",
        c.call::<Vec<i32>>(
            "model.res.user.search",
            (
                Value::Array(vec![Value::Array(vec![
                    Value::String("login".into()),
                    Value::String("=".into()),
                    Value::String(user.clone()),
                ])]),
                0,
                10,
                Value::Nil,
                context(),
            ),
        )
        .map_err(e)
        .and_then(|ids| same(ids, vec![id])),
    );
    report(
        "read",
        c.call::<Serde<Vec<User>>>(
            "model.res.user.read",
            (vec![id], vec!["login", "name", "email"], context()),
        )
        .map_err(e)
        .and_then(|Serde(users)| {
            same(
                users,
                vec![User {
                    id,
                    login: user.clone(),
                    name: "Administrator".into(),
                    email: Some("admin@example.org".into()),
                }],
            )
        }),
    );
    let created = c
        .call::<Vec<i32>>(
            "model.res.user.create",
            (
                Serde(vec![NewUser {
                    login: "interop",
                    name: "Interop Ünïcode <&>",
                }]),
                context(),
            ),
        )
        .map_err(e);
    report(
        "create/write/read",
        created.and_then(|ids| {
            let [new] = ids.as_slice() else {
                return Err(format!("expected one id, got {ids:?}"));
            };
            // write answers nil.
            let answer = c
                .call_value(
                    "model.res.user.write",
                    vec![
                        Value::Array(vec![Value::Int(*new)]),
                        Value::Struct(
                            [(
                                "email".to_owned(),
                                Value::String("interop@example.org".into()),
                            )]
                            .into(),
                        ),
                        context(),
                    ],
                )
                .map_err(e)?;
            same(answer, Value::Nil)?;
            let Serde(users): Serde<Vec<User>> = c
                .call(
                    "model.res.user.read",
                    (vec![*new], vec!["login", "name", "email"], context()),
                )
                .map_err(e)?;
            same(
                users,
                vec![User {
                    id: *new,
                    login: "interop".into(),
                    name: "Interop Ünïcode <&>".into(),
                    email: Some("interop@example.org".into()),
                }],
            )
        }),
    );
    // Dates are dateTime.iso8601 without a zone (UTC).
    report(
        "dates",
        c.call::<Serde<Vec<std::collections::BTreeMap<String, Value>>>>(
            "model.res.user.read",
            (vec![id], vec!["create_date"], context()),
        )
        .map_err(e)
        .and_then(
            |Serde(rows)| match rows.first().and_then(|r| r.get("create_date")) {
                Some(Value::DateTime(d)) => {
                    let d: &DateTime = d;
                    (d.year() >= 2022)
                        .then_some(())
                        .ok_or_else(|| format!("an unlikely date {d:?}"))
                }
                other => Err(format!("expected a dateTime, got {other:?}")),
            },
        ),
    );
    report(
        "fault.missing-record",
        match c.call::<Value>("model.res.user.read", (vec![999], vec!["login"], context())) {
            Err(Error::Fault(f)) => same(
                (f.code, f.string.as_str()),
                (
                    1,
                    "You are trying to read records \"999\" of \"User\" that don't exist anymore. - ",
                ),
            ),
            other => Err(format!("expected fault 1, got {other:?}")),
        },
    );
    report(
        "fault.unknown-model",
        match c.call::<Value>("model.res.nosuch.read", (vec![1], vec!["login"], context())) {
            Err(Error::Fault(f)) => same((f.code, f.string.as_str()), (255, "'res.nosuch'")),
            other => Err(format!("expected fault 255, got {other:?}")),
        },
    );
    report(
        "introspection.list",
        c.list_methods().map_err(e).and_then(|names| {
            let missing: Vec<&str> = [
                "model.res.user.read",
                "model.res.user.search",
                "wizard.ir.translation.set.execute",
            ]
            .into_iter()
            .filter(|m| !names.iter().any(|n| n == m))
            .collect();
            same(missing, vec![])
        }),
    );
    // Tryton has no system.multicall: a Batch is refused whole.
    let mut batch = c.batch();
    batch
        .add(
            "model.res.user.search_count",
            (Value::Array(vec![]), context()),
        )
        .add("model.res.user.read", (vec![id], vec!["login"], context()));
    report(
        "multicall",
        batch.send().map_err(e).and_then(|results| {
            same(results.len(), 2)?;
            same(results[0].clone(), Ok(Value::Int(2)))
        }),
    );
}
