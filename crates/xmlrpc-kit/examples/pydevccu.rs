//! A HomeMatic CCU's XML-RPC interface (what Home Assistant, ioBroker and
//! openHAB call), typed, against pydevccu, its emulator: list the devices,
//! read their parameter descriptions, read and switch values.
//!
//! Run with: `cargo run -p xmlrpc-kit --features serde --example pydevccu -- http://127.0.0.1:2001/`
//! against pydevccu serving a switch plug (HM-LC-Sw1-Pl), a door contact
//! (HM-Sec-SC-2) and a radiator thermostat (HM-CC-RT-DN)
//! (`tests/interop/peers/pydevccu/serve.py PORT` starts one;
//! `tests/interop/run.py` runs this program against it and judges the
//! lines it prints: `CHECK<TAB>ok`, or what was wrong).
//!
//! The CCU's names are upper case (`ADDRESS`, `PARAMSETS`): serde's
//! `rename_all = "UPPERCASE"` maps them. Its `init(url, id)` has the CCU
//! call the client back (`listDevices`, `newDevices`, an `event` for every
//! value change): a server spawned beside the client, on a tokio runtime
//! kept in the background while the blocking client goes on, answers those
//! calls and hands them over on a channel.

mod checks;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{Methods, Server, Value};

use checks::{expect_fault, report, same};

const SWITCH: &str = "VCU0000321:1";
const DOOR: &str = "VCU0000240:1";
const THERMOSTAT: &str = "VCU0000050:4";
/// The interface id we register with: the CCU names it in every call back.
const INTERFACE_ID: &str = "rust-interop";
/// How long to wait for a call back.
const WAIT: Duration = Duration::from_secs(5);

/// A call the CCU made back to our server.
#[derive(Debug)]
enum Callback {
    // deleteDevices is not expected here: only printed, when it comes.
    ListDevices(String),
    NewDevices(String, Vec<DeviceDescription>),
    DeleteDevices(#[allow(dead_code)] String, #[allow(dead_code)] Vec<String>),
    Event(String, String, String, Value),
}

/// The methods a CCU calls back (what Home Assistant's and ioBroker's
/// HomeMatic clients serve), each handing what it got to `tx`.
fn callbacks(tx: mpsc::Sender<Callback>) -> Methods {
    let mut methods = Methods::new();
    let sent = tx.clone();
    methods.register_function(
        "event",
        move |id: String, address: String, key: String, value: Value| {
            let _ = sent.send(Callback::Event(id, address, key, value));
            // An answer, not nil: the CCU's client takes no nil.
            ""
        },
    );
    let sent = tx.clone();
    // The devices we know already: none, so the CCU sends them all.
    methods.register_function("listDevices", move |id: String| {
        let _ = sent.send(Callback::ListDevices(id));
        Vec::<Value>::new()
    });
    let sent = tx.clone();
    methods.register_function(
        "newDevices",
        move |id: String, Serde(devices): Serde<Vec<DeviceDescription>>| {
            let _ = sent.send(Callback::NewDevices(id, devices));
            ""
        },
    );
    methods.register_function(
        "deleteDevices",
        move |id: String, addresses: Vec<String>| {
            let _ = tx.send(Callback::DeleteDevices(id, addresses));
            ""
        },
    );
    methods.register_introspection_functions();
    methods.register_multicall_functions();
    methods
}

/// The next call back within `WAIT`.
fn next(rx: &mpsc::Receiver<Callback>, deadline: Instant) -> Result<Callback, String> {
    rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .map_err(|_| format!("no call back within {WAIT:?}"))
}

/// One entry of `listDevices`: a device, or one of its channels (which
/// has a parent).
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "UPPERCASE")]
struct DeviceDescription {
    address: String,
    #[serde(rename = "TYPE")]
    kind: String,
    /// The device's address, for a channel; "" for a device.
    parent: String,
    /// The device's type, for a channel.
    parent_type: Option<String>,
    /// The channels' addresses, for a device.
    #[serde(default)]
    children: Vec<String>,
    paramsets: Vec<String>,
}

/// One parameter of `getParamsetDescription`.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "UPPERCASE")]
struct ParameterDescription {
    #[serde(rename = "TYPE")]
    kind: String,
    min: f64,
    max: f64,
    default: f64,
    /// nil where the value has no unit.
    unit: Option<String>,
}

/// A switch channel's `VALUES` paramset.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "UPPERCASE")]
struct SwitchValues {
    state: bool,
    on_time: f64,
    /// A BOOL by its description, but its default is the integer 0.
    inhibit: i32,
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: pydevccu URL (e.g. http://127.0.0.1:2001/)");
    // The CCU answers nil for a missing unit: allow_none.
    let c = Client::builder(&url)
        .allow_none(true)
        .build_blocking()
        .expect("a valid URL");
    let e = |e: Error| e.to_string();

    report(
        "getVersion",
        c.call::<String>("getVersion", ())
            .map_err(e)
            .and_then(|v| same(v.as_str(), "pydevccu 0.1.8")),
    );
    report(
        "listDevices",
        c.call::<Serde<Vec<DeviceDescription>>>("listDevices", ())
            .map_err(e)
            .and_then(|Serde(devices)| {
                let roots: Vec<(&str, &str, usize)> = devices
                    .iter()
                    .filter(|d| d.parent.is_empty())
                    .map(|d| (d.address.as_str(), d.kind.as_str(), d.children.len()))
                    .collect();
                same(
                    roots,
                    vec![
                        ("VCU0000321", "HM-LC-Sw1-Pl", 2),
                        ("VCU0000240", "HM-Sec-SC-2", 2),
                        ("VCU0000050", "HM-CC-RT-DN", 7),
                    ],
                )?;
                same(devices.len(), 14)?;
                let switch = devices.iter().find(|d| d.address == SWITCH);
                same(
                    switch.map(|d| (d.kind.as_str(), d.parent.as_str(), d.parent_type.as_deref())),
                    Some(("SWITCH", "VCU0000321", Some("HM-LC-Sw1-Pl"))),
                )?;
                same(
                    switch.map(|d| d.paramsets.clone()),
                    Some(vec!["MASTER".into(), "VALUES".into(), "LINK".into()]),
                )
            }),
    );
    report(
        "getParamsetDescription",
        c.call::<Serde<std::collections::BTreeMap<String, Value>>>(
            "getParamsetDescription",
            (THERMOSTAT, "VALUES"),
        )
        .map_err(e)
        .and_then(|Serde(params)| {
            let setpoint = params
                .get("SET_TEMPERATURE")
                .cloned()
                .ok_or("no SET_TEMPERATURE")?;
            let Serde(setpoint): Serde<ParameterDescription> =
                xmlrpc_kit::FromValue::from_value(setpoint).map_err(|e| e.to_string())?;
            same(
                setpoint,
                ParameterDescription {
                    kind: "FLOAT".into(),
                    min: 4.5,
                    max: 30.5,
                    default: 20.0,
                    unit: Some("°C".into()),
                },
            )
        }),
    );
    report(
        "getValue",
        c.call::<bool>("getValue", (SWITCH, "STATE"))
            .map_err(e)
            .and_then(|on| same(on, false)),
    );
    report(
        "setValue",
        c.call::<String>("setValue", (SWITCH, "STATE", true))
            .map_err(e)
            .and_then(|answer| {
                // setValue answers the empty string.
                same(answer.as_str(), "")?;
                let Serde(values): Serde<SwitchValues> =
                    c.call("getParamset", (SWITCH, "VALUES")).map_err(e)?;
                same(
                    values,
                    SwitchValues {
                        state: true,
                        on_time: 0.0,
                        inhibit: 0,
                    },
                )
            }),
    );
    // A value beyond MAX is clamped to it, without a word.
    report(
        "setValue.clamped",
        (|| {
            c.call::<String>("setValue", (THERMOSTAT, "SET_TEMPERATURE", 40.0))
                .map_err(e)?;
            same(
                c.call::<f64>("getValue", (THERMOSTAT, "SET_TEMPERATURE"))
                    .map_err(e)?,
                30.5,
            )?;
            c.call::<String>("setValue", (THERMOSTAT, "SET_TEMPERATURE", 21.5))
                .map_err(e)?;
            same(
                c.call::<f64>("getValue", (THERMOSTAT, "SET_TEMPERATURE"))
                    .map_err(e)?,
                21.5,
            )
        })(),
    );
    // The door contact's STATE is a BOOL by its description, an int (0) by
    // its value.
    report(
        "getValue.door",
        c.call_value(
            "getValue",
            vec![Value::String(DOOR.into()), Value::String("STATE".into())],
        )
        .map_err(e)
        .and_then(|v| same(v, Value::Int(0))),
    );
    report(
        "getServiceMessages",
        c.call::<Serde<Vec<(String, String, i32)>>>("getServiceMessages", ())
            .map_err(e)
            .and_then(|Serde(messages)| {
                same(messages, vec![("VCU0000001:1".into(), "ERROR".into(), 7)])
            }),
    );
    let mut batch = c.batch();
    batch
        .add("getValue", (SWITCH, "STATE"))
        .add("getValue", (SWITCH, "NO_SUCH_KEY"));
    report(
        "multicall",
        batch
            .send()
            .map_err(e)
            .and_then(|results| match results.as_slice() {
                [Ok(Value::Bool(true)), Err(fault)]
                    if fault.code == 1 && fault.string == "<class 'KeyError'>:'NO_SUCH_KEY'" =>
                {
                    Ok(())
                }
                other => Err(format!("expected [true, fault 1 KeyError], got {other:?}")),
            }),
    );
    report(
        "fault.unknown-parameter",
        expect_fault(
            c.call::<Value>("getValue", (SWITCH, "NO_SUCH_KEY")),
            1,
            "<class 'KeyError'>:'NO_SUCH_KEY'",
        ),
    );
    report(
        "fault.read-only",
        expect_fault(
            c.call::<Value>("setValue", (SWITCH, "WORKING", true)),
            1,
            "<class 'Exception'>:",
        ),
    );
    report(
        "introspection.list",
        c.list_methods().map_err(e).and_then(|names| {
            let missing: Vec<&str> = [
                "listDevices",
                "getValue",
                "setValue",
                "init",
                "system.multicall",
            ]
            .into_iter()
            .filter(|m| !names.iter().any(|n| n == m))
            .collect();
            same(missing, vec![])
        }),
    );

    // The calls back: a server beside the client, on a runtime of its own
    // in the background (the blocking client goes on on this thread).
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let (tx, rx) = mpsc::channel();
    let server = runtime
        .block_on(async {
            Server::builder(callbacks(tx))
                .log_requests(false)
                .spawn("127.0.0.1:0")
        })
        .expect("the callback server");
    let me = server.url().to_owned();
    // init answers at once; the CCU then asks which devices we know
    // (listDevices) and sends the others (newDevices), from a thread.
    report(
        "callback.init",
        (|| {
            same(
                c.call::<String>("init", (me.as_str(), INTERFACE_ID))
                    .map_err(e)?
                    .as_str(),
                "",
            )?;
            let deadline = Instant::now() + WAIT;
            match next(&rx, deadline)? {
                Callback::ListDevices(id) => same(id.as_str(), INTERFACE_ID)?,
                other => return Err(format!("expected listDevices, got {other:?}")),
            }
            match next(&rx, deadline)? {
                Callback::NewDevices(id, devices) => {
                    same(id.as_str(), INTERFACE_ID)?;
                    same(devices.len(), 14)?;
                    let roots: Vec<&str> = devices
                        .iter()
                        .filter(|d| d.parent.is_empty())
                        .map(|d| d.address.as_str())
                        .collect();
                    same(roots, vec!["VCU0000321", "VCU0000240", "VCU0000050"])?;
                    let channel = devices.iter().find(|d| d.address == THERMOSTAT);
                    same(
                        channel.map(|d| (d.parent.as_str(), d.parent_type.as_deref())),
                        Some(("VCU0000050", Some("HM-CC-RT-DN"))),
                    )
                }
                other => Err(format!("expected newDevices, got {other:?}")),
            }
        })(),
    );
    // An event for each value set, with the value as stored (clamped),
    // sent before setValue answers.
    report(
        "callback.event",
        (|| {
            for (set, stored) in [(40.0, 30.5), (21.5, 21.5)] {
                c.call::<String>("setValue", (THERMOSTAT, "SET_TEMPERATURE", set))
                    .map_err(e)?;
                match rx.try_recv() {
                    Ok(Callback::Event(id, address, key, value)) => same(
                        (id.as_str(), address.as_str(), key.as_str(), value),
                        (
                            INTERFACE_ID,
                            THERMOSTAT,
                            "SET_TEMPERATURE",
                            Value::Double(stored),
                        ),
                    )?,
                    Ok(other) => return Err(format!("expected an event, got {other:?}")),
                    Err(_) => return Err(format!("no event when setValue({set}) answered")),
                }
            }
            Ok(())
        })(),
    );
    // init(url) without an id unregisters: no event after that.
    report(
        "callback.unregister",
        (|| {
            same(
                c.call::<String>("init", (me.as_str(),))
                    .map_err(e)?
                    .as_str(),
                "",
            )?;
            c.call::<String>("setValue", (THERMOSTAT, "SET_TEMPERATURE", 21.5))
                .map_err(e)?;
            match rx.recv_timeout(Duration::from_millis(500)) {
                Ok(call) => Err(format!("a call back after unregistering: {call:?}")),
                Err(_) => Ok(()),
            }
        })(),
    );
    runtime
        .block_on(server.stop())
        .expect("the callback server stops");
}
