//! A typed client of supervisord's XML-RPC API from a trait
//! (`#[xmlrpc_kit::client]`): its state, every process, one process by
//! name, with a fault answered as supervisord's own error codes.
//!
//! Run with `cargo run -p xmlrpc-kit --example supervisord --features serde -- URL [PROCESS]`,
//! the URL of supervisord's `[inet_http_server]` (`http://user:pass@127.0.0.1:9001/RPC2`)
//! or of its `[unix_http_server]` socket (`unix:///var/run/supervisor.sock`).
//! Its test answers as supervisord does, from our own server.

use serde::Deserialize;
use xmlrpc_kit::blocking::Client;
use xmlrpc_kit::client::Error;

/// `supervisor.getState`.
#[derive(Debug, Deserialize)]
struct State {
    /// 2 FATAL, 1 RUNNING, 0 RESTARTING, -1 SHUTDOWN.
    statecode: i32,
    statename: String,
}

/// One of `supervisor.getAllProcessInfo`'s structs (the members used here;
/// the others are ignored).
#[derive(Debug, Deserialize)]
struct ProcessInfo {
    name: String,
    group: String,
    statename: String,
    pid: i32,
    description: String,
}

/// supervisord's API (`supervisor.*`, camelCase), the calls used here.
/// Each method is `supervisor.` + its name in camelCase.
#[xmlrpc_kit::client(namespace = "supervisor", rename_all = "camelCase")]
trait Supervisor {
    /// The daemon's state.
    fn get_state(&self) -> Result<State, Error>;

    /// Every process it runs.
    fn get_all_process_info(&self) -> Result<Vec<ProcessInfo>, Error>;

    /// One process, by `group:name` or `name`.
    fn get_process_info(&self, name: &str) -> Result<ProcessInfo, Error>;

    /// The API's version: `getAPIVersion` is not camelCase from any Rust
    /// name, so it is named in full.
    #[xmlrpc(name = "supervisor.getAPIVersion")]
    fn api_version(&self) -> Result<String, Error>;
}

/// supervisord's fault for a process name it does not know
/// (`supervisor.xmlrpc.Faults.BAD_NAME`).
const BAD_NAME: i32 = 10;

fn report(url: &str, process: Option<&str>) -> Result<Vec<String>, Error> {
    let supervisor = SupervisorBlockingClient::new(Client::new(url)?);
    let state = supervisor.get_state()?;
    let mut lines = vec![format!(
        "supervisord {} (API {}): {} ({})",
        supervisor.client().url(),
        supervisor.api_version()?,
        state.statename,
        state.statecode
    )];
    for p in supervisor.get_all_process_info()? {
        lines.push(format!(
            "{}:{} {} pid {} ({})",
            p.group, p.name, p.statename, p.pid, p.description
        ));
    }
    if let Some(name) = process {
        match supervisor.get_process_info(name) {
            Ok(p) => lines.push(format!("{name}: {}", p.statename)),
            Err(e) if e.fault().is_some_and(|f| f.code == BAD_NAME) => {
                lines.push(format!("{name}: no such process"))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(lines)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:9001/RPC2".into());
    let process = args.next();
    match report(&url, process.as_deref()) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use xmlrpc_kit::{Fault, Methods, Server, Struct, Value};
    use xmlrpc_kit_test_support::server::TestServer;

    /// A process as supervisord describes it (all its members).
    fn process(name: &str, state: (&str, i32), pid: i32, description: &str) -> Value {
        let mut info = Struct::new();
        for (key, value) in [
            ("name", Value::String(name.into())),
            ("group", Value::String(name.into())),
            ("description", Value::String(description.into())),
            ("start", Value::Int(1_700_000_000)),
            ("stop", Value::Int(0)),
            ("now", Value::Int(1_700_000_100)),
            ("state", Value::Int(state.1)),
            ("statename", Value::String(state.0.into())),
            ("spawnerr", Value::String(String::new())),
            ("exitstatus", Value::Int(0)),
            ("logfile", Value::String(format!("/var/log/{name}.log"))),
            (
                "stdout_logfile",
                Value::String(format!("/var/log/{name}.log")),
            ),
            ("stderr_logfile", Value::String(String::new())),
            ("pid", Value::Int(pid)),
        ] {
            info.insert(key, value);
        }
        Value::Struct(info)
    }

    /// supervisord's answers, from our server.
    fn supervisord() -> Methods {
        let mut methods = Methods::new();
        methods.register_function("supervisor.getAPIVersion", || "3.0");
        methods.register_function("supervisor.getState", || {
            let mut state = Struct::new();
            state.insert("statecode", Value::Int(1));
            state.insert("statename", Value::String("RUNNING".into()));
            Value::Struct(state)
        });
        methods.register_function("supervisor.getAllProcessInfo", || {
            vec![
                process("web", ("RUNNING", 20), 4242, "pid 4242, uptime 0:01:40"),
                process("cron", ("STOPPED", 0), 0, "Not started"),
            ]
        });
        methods.register_function("supervisor.getProcessInfo", |name: String| {
            if name == "web" {
                Ok(process("web", ("RUNNING", 20), 4242, "pid 4242"))
            } else {
                Err(Fault::new(super::BAD_NAME, format!("BAD_NAME: {name}")))
            }
        });
        methods
    }

    #[test]
    fn it_reports_supervisords_processes() {
        let server = TestServer::start(Server::builder(supervisord()).log_requests(false));
        let lines = super::report(&server.url(), Some("web")).unwrap();
        assert_eq!(
            lines,
            [
                format!("supervisord {} (API 3.0): RUNNING (1)", server.url()),
                "web:web RUNNING pid 4242 (pid 4242, uptime 0:01:40)".into(),
                "cron:cron STOPPED pid 0 (Not started)".into(),
                "web: RUNNING".into(),
            ]
        );
        let lines = super::report(&server.url(), Some("nginx")).unwrap();
        assert_eq!(lines.last().unwrap(), "nginx: no such process");
    }
}
