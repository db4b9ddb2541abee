//! chrono's, time's and jiff's date-time types as handler parameters and
//! results, as client arguments and results, and as serde fields; Python's
//! `datetime` on the other side.

mod common;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use common::TestServer;
use serde::{Deserialize, Serialize};
use time::macros::datetime;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{Client, DateTime, Methods, Server};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meeting {
    title: String,
    #[serde(with = "xmlrpc_kit::serde::date_time")]
    starts: jiff::civil::DateTime,
    #[serde(with = "xmlrpc_kit::serde::date_time::option")]
    ends: Option<time::PrimitiveDateTime>,
}

fn server() -> TestServer {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods
        .register_function("later", |at: NaiveDateTime, hours: i64| {
            at + TimeDelta::hours(hours)
        })
        .param_names(["at", "hours"]);
    methods.register_function("in_utc", |at: time::OffsetDateTime| {
        at.to_offset(time::UtcOffset::UTC)
    });
    methods.register_function("postpone", |Serde(mut m): Serde<Meeting>| {
        m.starts = m
            .starts
            .checked_add(jiff::SignedDuration::from_hours(24))
            .unwrap();
        m.ends = None;
        Serde(m)
    });
    TestServer::start(
        Server::builder(methods)
            .allow_none(true)
            .log_requests(false),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn date_time_types_of_three_crates_travel_both_ways() {
    let server = server();
    let client = Client::builder(&server.url())
        .allow_none(true)
        .build()
        .unwrap();
    let nine = NaiveDate::from_ymd_opt(2026, 11, 30)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let later: NaiveDateTime = client.call("later", (nine, 5)).await.unwrap();
    assert_eq!(later.to_string(), "2026-11-30 14:00:00");
    // The wire form is XML-RPC's, whatever the crate.
    let raw: DateTime = client.call("later", (nine, 1)).await.unwrap();
    assert_eq!(raw.to_string(), "20261130T10:00:00");
    assert_eq!(
        client.method_signature("later").await.unwrap(),
        Some(vec![vec![
            "dateTime.iso8601".to_owned(),
            "dateTime.iso8601".into(),
            "i8".into()
        ]])
    );

    let zoned = datetime!(2026-11-30 09:00 +02:00);
    let utc: jiff::Timestamp = client.call("in_utc", (zoned,)).await.unwrap();
    assert_eq!(utc.to_string(), "2026-11-30T07:00:00Z");
    // An instant type refuses a time with no zone, saying what to take.
    let e = client
        .call::<DateTime>("in_utc", (nine,))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("no time zone, so it is no instant; take time::PrimitiveDateTime"),
        "{e}"
    );

    let meeting = Meeting {
        title: "review".into(),
        starts: jiff::civil::date(2026, 12, 1).at(10, 0, 0, 0),
        ends: Some(datetime!(2026-12-01 11:00)),
    };
    let Serde(moved): Serde<Meeting> = client
        .call("postpone", (Serde(meeting.clone()),))
        .await
        .unwrap();
    assert_eq!(
        moved,
        Meeting {
            starts: jiff::civil::date(2026, 12, 2).at(10, 0, 0, 0),
            ends: None,
            ..meeting
        }
    );

    // Python's datetime arrives as the crates' types and returns as its own.
    let out = common::python_prints(
        &server.url(),
        ", use_builtin_types=True",
        "print(repr(p.later(datetime.datetime(2026, 11, 30, 23, 30), 2)))\n\
         m = p.postpone({'title': 't', 'starts': datetime.datetime(2026, 12, 31, 8), 'ends': None})\n\
         print(repr(m['starts']), m['ends'])\n",
    )
    .await;
    assert_eq!(
        out.trim(),
        "datetime.datetime(2026, 12, 1, 1, 30)\ndatetime.datetime(2027, 1, 1, 8, 0) None"
    );
}
