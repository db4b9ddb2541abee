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
//! `rename_all = "UPPERCASE"` maps them. Its `init(url, id)`, which has the
//! CCU call the client back with events, needs a server beside the client:
//! not shown here.

use serde::Deserialize;
use xmlrpc_kit::Value;
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;

const SWITCH: &str = "VCU0000321:1";
const DOOR: &str = "VCU0000240:1";
const THERMOSTAT: &str = "VCU0000050:4";

/// One entry of `listDevices`: a device, or one of its channels (which
/// has a parent).
#[derive(Debug, Deserialize)]
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

fn expect_fault<T: std::fmt::Debug>(
    outcome: Result<T, Error>,
    code: i32,
    string: &str,
) -> Result<(), String> {
    match outcome {
        Err(Error::Fault(f)) if f.code == code && f.string == string => Ok(()),
        Err(Error::Fault(f)) => Err(format!(
            "expected fault {code} {string:?}, got fault {} {:?}",
            f.code, f.string
        )),
        other => Err(format!("expected fault {code} {string:?}, got {other:?}")),
    }
}

fn same<T: PartialEq + std::fmt::Debug>(got: T, expected: T) -> Result<(), String> {
    (got == expected)
        .then_some(())
        .ok_or_else(|| format!("expected {expected:?}, got {got:?}"))
}

fn report(name: &str, outcome: Result<(), String>) {
    let result = match outcome {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    println!("{name}\t{result}");
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
}
