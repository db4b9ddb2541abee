//! The ROS 1 master's API (what every ROS node calls: `roscore`'s
//! rosmaster), typed: register a publisher and a subscriber, look nodes up,
//! read the system's state, and use the parameter server.
//!
//! Run with: `cargo run -p xmlrpc-kit --features serde --example ros_master -- http://127.0.0.1:11311/`
//! against a fresh master (`ROS_IP=127.0.0.1 rosmaster --core -p 11311`;
//! `tests/interop/peers/ros-master/serve.sh PORT DIR` starts one;
//! `tests/interop/run.py` runs this program against it and judges the
//! lines it prints: `CHECK<TAB>ok`, or what was wrong).
//!
//! Every method answers `[code, statusMessage, value]`: 1 for success, 0
//! for a failure, -1 for an error, never a fault for the API's own
//! errors: [`master`] turns that into a `Result`. Most nodes registered
//! here give an API URL where nothing listens; one is served: a node's own
//! API (the slave API: `publisherUpdate`, `getPid`, `shutdown`), which the
//! master calls back, by a server spawned beside the client on a tokio
//! runtime kept in the background while the blocking client goes on.

mod checks;

use std::sync::mpsc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{IntoParams, IntoValue, Methods, Server, Value};

use checks::{report, same};

/// Who we say we are (every call's first argument).
const CALLER: &str = "/interop_example";
/// Where our nodes say their API is: a port nothing listens on.
const NODE_API: &str = "http://127.0.0.1:9/";

/// The node whose API we serve, and the topic it subscribes to.
const NODE: &str = "/interop_node";
const TOPIC: &str = "/interop_events";
/// A publisher of that topic, from another node (nothing listens there).
const SENSOR: &str = "/interop_sensor";
const SENSOR_API: &str = "http://127.0.0.1:9/sensor";
/// How long to wait for a call back.
const WAIT: Duration = Duration::from_secs(5);

/// A call the master made to our node's API: its method and arguments.
type Callback = (&'static str, Vec<Value>);

/// `[code, statusMessage, value]`, as every ROS API answers.
fn answer(value: impl IntoValue) -> Value {
    Value::Array(vec![
        Value::Int(1),
        Value::String(String::new()),
        value.into_value(),
    ])
}

/// A node's API (the slave API) as far as the master and the tools call
/// it; the calls that change something are handed to `tx`.
fn slave_api(master_uri: String, tx: mpsc::Sender<Callback>) -> Methods {
    let mut methods = Methods::new();
    methods.register_function("getPid", |_caller: String| {
        answer(i32::try_from(std::process::id()).unwrap_or(0))
    });
    methods.register_function("getMasterUri", move |_caller: String| {
        answer(master_uri.as_str())
    });
    methods.register_function("getBusStats", |_caller: String| {
        answer(Value::Array(vec![Value::Array(vec![]); 3]))
    });
    methods.register_function("getBusInfo", |_caller: String| answer(Value::Array(vec![])));
    methods.register_function("getSubscriptions", |_caller: String| {
        answer(Value::Array(vec![Value::Array(vec![
            Value::String(TOPIC.into()),
            Value::String("std_msgs/String".into()),
        ])]))
    });
    methods.register_function("getPublications", |_caller: String| {
        answer(Value::Array(vec![]))
    });
    // We publish nothing: no protocol to offer.
    methods.register_function(
        "requestTopic",
        |_caller: String, topic: String, _protocols: Value| {
            Value::Array(vec![
                Value::Int(0),
                Value::String(format!("not a publisher of [{topic}]")),
                Value::Array(vec![]),
            ])
        },
    );
    let sent = tx.clone();
    methods.register_function(
        "publisherUpdate",
        move |caller: String, topic: String, publishers: Vec<String>| {
            let publishers = publishers.into_iter().map(Value::String).collect();
            let _ = sent.send((
                "publisherUpdate",
                vec![
                    Value::String(caller),
                    Value::String(topic),
                    Value::Array(publishers),
                ],
            ));
            answer(0)
        },
    );
    let sent = tx.clone();
    methods.register_function(
        "paramUpdate",
        move |caller: String, key: String, value: Value| {
            let _ = sent.send((
                "paramUpdate",
                vec![Value::String(caller), Value::String(key), value],
            ));
            answer(0)
        },
    );
    methods.register_function("shutdown", move |caller: String, reason: String| {
        let _ = tx.send((
            "shutdown",
            vec![Value::String(caller), Value::String(reason)],
        ));
        answer(0)
    });
    methods.register_multicall_functions();
    methods
}

/// Waits (within `WAIT`) for the master's next call to our node's API
/// and compares it with `expected`.
fn called(rx: &mpsc::Receiver<Callback>, expected: (&str, Vec<Value>)) -> Result<(), String> {
    let (method, params) = rx
        .recv_timeout(WAIT)
        .map_err(|_| format!("no call back within {WAIT:?}, expected {expected:?}"))?;
    same((method, params), expected)
}

fn str_value(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// A master call's answer, when its code was not 1.
#[derive(Debug)]
enum MasterError {
    Call(Error),
    Status(i32, String),
}

/// Calls `method` and unwraps `[code, statusMessage, value]`.
fn master<T: DeserializeOwned>(
    c: &Client,
    method: &str,
    params: impl IntoParams,
) -> Result<T, MasterError> {
    let Serde((code, message, value)): Serde<(i32, String, Value)> =
        c.call(method, params).map_err(MasterError::Call)?;
    if code != 1 {
        return Err(MasterError::Status(code, message));
    }
    xmlrpc_kit::serde::from_value(value)
        .map_err(|e| MasterError::Status(code, format!("{message}: {e}")))
}

/// `getSystemState`, an array of three read as a struct: for each topic,
/// the nodes publishing it; for each, the nodes subscribed; for each
/// service, the nodes providing it.
#[derive(Debug, Deserialize, PartialEq)]
struct SystemState {
    publishers: Vec<(String, Vec<String>)>,
    subscribers: Vec<(String, Vec<String>)>,
    services: Vec<(String, Vec<String>)>,
}

/// A parameter tree: a struct in, the same struct out.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Robot {
    name: String,
    wheels: i32,
    speeds: Vec<f64>,
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: ros_master URL (e.g. http://127.0.0.1:11311/)");
    let c = Client::new(&url).expect("a valid URL");
    let e = |e: MasterError| format!("{e:?}");
    let state = || master::<SystemState>(&c, "getSystemState", (CALLER,));

    report(
        "getUri",
        master::<String>(&c, "getUri", (CALLER,))
            .map_err(e)
            .and_then(|uri| same(uri.as_str(), url.as_str())),
    );
    report(
        "getPid",
        master::<i32>(&c, "getPid", (CALLER,))
            .map_err(e)
            .and_then(|pid| (pid > 1).then_some(()).ok_or(format!("pid {pid}"))),
    );
    report(
        "getSystemState.empty",
        state().map_err(e).and_then(|s| {
            same(
                s,
                SystemState {
                    publishers: vec![],
                    subscribers: vec![],
                    services: vec![],
                },
            )
        }),
    );
    // The answer: the subscribers' APIs (none yet).
    report(
        "registerPublisher",
        master::<Vec<String>>(
            &c,
            "registerPublisher",
            ("/interop_talker", "/chatter", "std_msgs/String", NODE_API),
        )
        .map_err(e)
        .and_then(|subscribers| same(subscribers, vec![])),
    );
    report(
        "lookupNode",
        master::<String>(&c, "lookupNode", (CALLER, "/interop_talker"))
            .map_err(e)
            .and_then(|api| same(api.as_str(), NODE_API)),
    );
    report(
        "lookupNode.unknown",
        match master::<Value>(&c, "lookupNode", (CALLER, "/nobody")) {
            Err(MasterError::Status(code, message)) => {
                same((code, message.as_str()), (-1, "unknown node [/nobody]"))
            }
            other => Err(format!("expected status -1, got {other:?}")),
        },
    );
    // The answer: the publishers' APIs, which the subscriber then calls
    // (requestTopic) to connect.
    report(
        "registerSubscriber",
        master::<Vec<String>>(
            &c,
            "registerSubscriber",
            ("/interop_listener", "/chatter", "std_msgs/String", NODE_API),
        )
        .map_err(e)
        .and_then(|publishers| same(publishers, vec![NODE_API.to_owned()])),
    );
    report(
        "getSystemState",
        state().map_err(e).and_then(|s| {
            same(
                s,
                SystemState {
                    publishers: vec![("/chatter".into(), vec!["/interop_talker".into()])],
                    subscribers: vec![("/chatter".into(), vec!["/interop_listener".into()])],
                    services: vec![],
                },
            )
        }),
    );
    report(
        "getPublishedTopics",
        master::<Vec<(String, String)>>(&c, "getPublishedTopics", (CALLER, ""))
            .map_err(e)
            .and_then(|topics| same(topics, vec![("/chatter".into(), "std_msgs/String".into())])),
    );
    let robot = Robot {
        name: "rusty".into(),
        wheels: 4,
        speeds: vec![0.5, 1.5],
    };
    report(
        "setParam/getParam",
        (|| {
            master::<i32>(&c, "setParam", (CALLER, "/robot", Serde(&robot))).map_err(e)?;
            let back: Robot = master(&c, "getParam", (CALLER, "/robot")).map_err(e)?;
            same(&back, &robot)?;
            // A struct is a tree: its members are parameters of their own.
            same(
                master::<i32>(&c, "getParam", (CALLER, "/robot/wheels")).map_err(e)?,
                4,
            )?;
            let mut names: Vec<String> = master(&c, "getParamNames", (CALLER,)).map_err(e)?;
            names.sort();
            same(
                names,
                vec![
                    "/robot/name".into(),
                    "/robot/speeds".into(),
                    "/robot/wheels".into(),
                ],
            )
        })(),
    );
    report(
        "getParam.missing",
        match master::<Value>(&c, "getParam", (CALLER, "/no_such_param")) {
            Err(MasterError::Status(code, message)) => same(
                (code, message.as_str()),
                (-1, "Parameter [/no_such_param] is not set"),
            ),
            other => Err(format!("expected status -1, got {other:?}")),
        },
    );
    // It takes an <i8>, stores it, and cannot send it back: Python's
    // xmlrpc.client refuses to write an int beyond 32 bits.
    report(
        "param.i8",
        (|| {
            master::<i32>(&c, "setParam", (CALLER, "/big", 9_000_000_000_i64)).map_err(e)?;
            match master::<i64>(&c, "getParam", (CALLER, "/big")) {
                Err(MasterError::Call(Error::Fault(f))) => same(
                    (f.code, f.string.as_str()),
                    (1, "<class 'OverflowError'>:int exceeds XML-RPC limits"),
                ),
                other => Err(format!("expected fault 1 OverflowError, got {other:?}")),
            }
        })(),
    );
    report(
        "unregisterPublisher",
        (|| {
            let removed: i32 = master(
                &c,
                "unregisterPublisher",
                ("/interop_talker", "/chatter", NODE_API),
            )
            .map_err(e)?;
            same(removed, 1)?;
            same(state().map_err(e)?.publishers, vec![])
        })(),
    );
    let mut batch = c.batch();
    batch
        .add("getUri", (CALLER,))
        .add("lookupNode", (CALLER, "/interop_listener"));
    report(
        "multicall",
        batch.send().map_err(|e| e.to_string()).and_then(|results| {
            let answer = |code: i32, message: &str, value: &str| {
                Ok(Value::Array(vec![
                    Value::Int(code),
                    Value::String(message.into()),
                    Value::String(value.into()),
                ]))
            };
            same(
                results,
                vec![answer(1, "", &url), answer(1, "node api", NODE_API)],
            )
        }),
    );
    report(
        "introspection.list",
        match c.list_methods() {
            Err(Error::Fault(f)) => same(
                (f.code, f.string.as_str()),
                (
                    1,
                    "<class 'Exception'>:method \"system.listMethods\" is not supported",
                ),
            ),
            other => Err(format!("expected fault 1, got {other:?}")),
        },
    );

    // Our node's own API, served beside the client on a runtime of its own
    // in the background (the blocking client goes on on this thread).
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let (tx, rx) = mpsc::channel();
    let server = runtime
        .block_on(async {
            Server::builder(slave_api(url.clone(), tx))
                .log_requests(false)
                .spawn("127.0.0.1:0")
        })
        .expect("the node's API server");
    let me = server.url().to_owned();
    let topic = |publishers: &[&str]| {
        (
            "publisherUpdate",
            vec![
                str_value("/master"),
                str_value(TOPIC),
                Value::Array(publishers.iter().map(|&p| str_value(p)).collect()),
            ],
        )
    };
    // Subscribed with our API, a publisher from another node: the master
    // tells us (publisherUpdate, from a thread of its own).
    report(
        "callback.publisherUpdate",
        (|| {
            let publishers: Vec<String> = master(
                &c,
                "registerSubscriber",
                (NODE, TOPIC, "std_msgs/String", me.as_str()),
            )
            .map_err(e)?;
            same(publishers, vec![])?;
            let subscribers: Vec<String> = master(
                &c,
                "registerPublisher",
                (SENSOR, TOPIC, "std_msgs/String", SENSOR_API),
            )
            .map_err(e)?;
            same(subscribers, vec![me.clone()])?;
            called(&rx, topic(&[SENSOR_API]))
        })(),
    );
    report(
        "callback.lookupNode",
        master::<String>(&c, "lookupNode", (CALLER, NODE))
            .map_err(e)
            .and_then(|api| same(api, me.clone())),
    );
    // The publisher gone: the master tells us again, with no publisher.
    report(
        "callback.publisherUpdate.gone",
        (|| {
            let removed: i32 =
                master(&c, "unregisterPublisher", (SENSOR, TOPIC, SENSOR_API)).map_err(e)?;
            same(removed, 1)?;
            called(&rx, topic(&[]))
        })(),
    );
    // Our node's name registered again with another API: the master
    // shuts the old one (ours) down, and drops its registrations.
    report(
        "callback.shutdown",
        (|| {
            master::<Vec<String>>(
                &c,
                "registerSubscriber",
                (NODE, TOPIC, "std_msgs/String", NODE_API),
            )
            .map_err(e)?;
            called(
                &rx,
                (
                    "shutdown",
                    vec![
                        str_value("/master"),
                        str_value("[/interop_node] Reason: new node registered with same name"),
                    ],
                ),
            )?;
            same(
                master::<String>(&c, "lookupNode", (CALLER, NODE)).map_err(e)?,
                NODE_API.to_owned(),
            )?;
            let removed: i32 =
                master(&c, "unregisterSubscriber", (NODE, TOPIC, NODE_API)).map_err(e)?;
            same(removed, 1)?;
            same(
                state().map_err(e)?.subscribers,
                vec![("/chatter".into(), vec!["/interop_listener".into()])],
            )
        })(),
    );
    runtime
        .block_on(server.stop())
        .expect("the node's API server stops");
}
