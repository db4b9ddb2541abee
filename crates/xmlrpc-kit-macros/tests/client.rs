//! `#[xmlrpc_kit::client]` through the public API, against our own server
//! answering supervisord's and rTorrent's method names: dotted and renamed
//! names, struct and array results by serde and by `FromValue`, `Option`
//! parameters (nil, and trailing ones left off), `()` results, faults as
//! the client's error and as a typed error; the async and the blocking
//! client, and the trait implemented by the client of its kind.

use serde::{Deserialize, Serialize};
use xmlrpc_kit::client::Error;
use xmlrpc_kit::serde::Serde;
use xmlrpc_kit::{Fault, Instance, Methods, Outcome, Server, Value};
use xmlrpc_kit_test_support::server::TestServer;

/// supervisord's `getState`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    statecode: i32,
    statename: String,
}

/// One entry of supervisord's `getAllProcessInfo` (some of its members).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProcessInfo {
    name: String,
    group: String,
    state: i32,
    pid: i32,
}

/// supervisord's BAD_NAME fault.
const BAD_NAME: i32 = 10;

/// supervisord's methods, with camelCase names in its namespace.
#[xmlrpc_kit::client(namespace = "supervisor", rename_all = "camelCase")]
trait Supervisor {
    /// The daemon's state.
    fn get_state(&self) -> Result<State, Error>;

    /// Every process.
    fn get_all_process_info(&self) -> Result<Vec<ProcessInfo>, Error>;

    /// One process (a struct by serde).
    fn get_process_info(&self, name: &str) -> Result<ProcessInfo, Error>;

    /// Starts a process; `wait` is left off when `None` (supervisord's
    /// default, true).
    fn start_process(
        &self,
        name: &str,
        #[xmlrpc(optional)] wait: Option<bool>,
    ) -> Result<bool, Error>;

    /// An explicit name: the namespace is not added.
    #[xmlrpc(name = "system.listMethods")]
    fn list_methods(&self) -> Result<Vec<String>, Error>;

    /// Whatever it answers, dropped.
    #[xmlrpc(name = "supervisor.clearLog")]
    fn clear_log(&self) -> Result<(), Error>;
}

/// rTorrent's methods, named as written (snake_case, several namespaces).
#[xmlrpc_kit::client]
trait Rtorrent {
    #[xmlrpc(name = "system.client_version")]
    async fn client_version(&self) -> Result<String, Error>;

    /// `d.multicall2("", view, "d.name=", "d.size_bytes=")`: rows of
    /// values, read by `FromValue`.
    #[xmlrpc(name = "d.multicall2")]
    async fn multicall2(
        &self,
        target: &str,
        view: &str,
        name: &str,
        size: &str,
    ) -> Result<Vec<Vec<Value>>, Error>;

    /// A parameter by serde: a struct.
    #[xmlrpc(name = "load.raw_start")]
    async fn load(&self, torrent: Torrent) -> Result<i32, Error>;

    /// An `Option` sent as nil (needs `allow_none`).
    #[xmlrpc(name = "echo.nil")]
    async fn echo(&self, value: Option<i64>) -> Result<Option<i64>, Error>;

    /// The parameters the server received, to see what optional ones send.
    #[xmlrpc(name = "echo.params")]
    async fn params(
        &self,
        params: i32, // named as the generated code's local: no clash
        #[xmlrpc(optional)] second: Option<i32>,
        #[xmlrpc(optional)] third: Option<String>,
    ) -> Result<Vec<Value>, Error>;
}

/// A torrent to load: a parameter converted by serde.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Torrent {
    name: String,
    pieces: Vec<u32>,
}

/// An error of the application's own, made from the client's.
#[derive(Debug)]
enum SupervisorError {
    BadName(String),
    Other(Error),
}

impl From<Error> for SupervisorError {
    fn from(error: Error) -> Self {
        match error.fault() {
            Some(fault) if fault.code == BAD_NAME => SupervisorError::BadName(fault.string.clone()),
            _ => SupervisorError::Other(error),
        }
    }
}

/// The typed error instead of the client's.
#[xmlrpc_kit::client(namespace = "supervisor", rename_all = "camelCase")]
trait Processes {
    fn get_process_info(&self, name: &str) -> Result<ProcessInfo, SupervisorError>;

    #[xmlrpc(name = "no.such.method")]
    fn missing(&self) -> Result<bool, SupervisorError>;
}

fn processes() -> Vec<ProcessInfo> {
    vec![
        ProcessInfo {
            name: "web".into(),
            group: "web".into(),
            state: 20,
            pid: 4242,
        },
        ProcessInfo {
            name: "worker".into(),
            group: "jobs".into(),
            state: 0,
            pid: 0,
        },
    ]
}

/// Answers `echo.params` with the parameters it received, however many.
struct EchoParams;

impl Instance for EchoParams {
    fn dispatch(&self, method: &str, params: Vec<Value>) -> Outcome {
        Outcome::Ready(match method {
            "echo.params" => Ok(Value::Array(params)),
            // supervisord's startProcess(name, wait=True): one or two
            // parameters, the second's presence reported in the answer.
            "supervisor.startProcess" => match params.as_slice() {
                [Value::String(name), rest @ ..] if name == "web" && rest.len() <= 1 => {
                    Ok(Value::Bool(rest.is_empty() || rest[0] == Value::Bool(true)))
                }
                [Value::String(name), ..] => Err(Fault::new(BAD_NAME, format!("BAD_NAME: {name}"))),
                _ => Err(Fault::invalid_params("startProcess(name, wait=True)")),
            },
            _ => Err(Fault::new(
                -32601,
                format!("method \"{method}\" is not supported"),
            )),
        })
    }
}

fn methods() -> Methods {
    let mut methods = Methods::new();
    methods.register_introspection_functions();
    methods.register_function("supervisor.getState", || {
        Serde(State {
            statecode: 1,
            statename: "RUNNING".into(),
        })
    });
    methods.register_function("supervisor.getAllProcessInfo", || Serde(processes()));
    methods.register_function("supervisor.getProcessInfo", |name: String| {
        processes()
            .into_iter()
            .find(|p| p.name == name)
            .map(Serde)
            .ok_or_else(|| Fault::new(BAD_NAME, format!("BAD_NAME: {name}")))
    });
    methods.register_function("supervisor.clearLog", || true);
    methods.register_function("system.client_version", || "0.9.8");
    methods.register_function(
        "d.multicall2",
        |target: String, view: String, name: String, size: String| {
            if !target.is_empty() || view != "main" || name != "d.name=" || size != "d.size_bytes="
            {
                return Err(Fault::invalid_params("unexpected d.multicall2 call"));
            }
            Ok(vec![
                vec![Value::String("debian.iso".into()), Value::I8(4_000_000_000)],
                vec![Value::String("notes.txt".into()), Value::Int(12)],
            ])
        },
    );
    methods.register_function("load.raw_start", |Serde(torrent): Serde<Torrent>| {
        i32::try_from(torrent.pieces.len()).unwrap_or(-1) + i32::from(torrent.name == "x")
    });
    methods.register_function("echo.nil", |value: Option<i64>| value.map(|v| v * 2));
    methods.register_instance(EchoParams);
    methods
}

fn server() -> TestServer {
    TestServer::start(
        Server::builder(methods())
            .allow_none(true)
            .log_requests(false),
    )
}

#[test]
fn the_blocking_client_calls_supervisords_names() {
    let server = server();
    let supervisor =
        SupervisorBlockingClient::new(xmlrpc_kit::blocking::Client::new(&server.url()).unwrap());
    assert_eq!(
        supervisor.get_state().unwrap(),
        State {
            statecode: 1,
            statename: "RUNNING".into()
        }
    );
    assert_eq!(supervisor.get_all_process_info().unwrap(), processes());
    assert_eq!(supervisor.get_process_info("worker").unwrap().group, "jobs");
    // The trailing optional parameter: left off, then sent.
    assert!(supervisor.start_process("web", None).unwrap());
    assert!(!supervisor.start_process("web", Some(false)).unwrap());
    let methods = supervisor.list_methods().unwrap();
    assert!(methods.contains(&"supervisor.getAllProcessInfo".to_owned()));
    supervisor.clear_log().unwrap();
    assert_eq!(supervisor.client().url(), server.url());
}

#[test]
fn a_fault_is_the_clients_error_with_its_code() {
    let server = server();
    let supervisor =
        SupervisorBlockingClient::new(xmlrpc_kit::blocking::Client::new(&server.url()).unwrap());
    let error = supervisor.get_process_info("nginx").unwrap_err();
    let fault = error.fault().expect("a fault");
    assert_eq!(fault.code, BAD_NAME);
    assert_eq!(fault.string, "BAD_NAME: nginx");
    let error = supervisor.start_process("nginx", Some(true)).unwrap_err();
    assert!(
        matches!(error, Error::Fault(ref f) if f.code == BAD_NAME),
        "{error:?}"
    );
}

#[test]
fn a_fault_converts_to_the_traits_own_error() {
    let server = server();
    let processes =
        ProcessesBlockingClient::new(xmlrpc_kit::blocking::Client::new(&server.url()).unwrap());
    assert_eq!(processes.get_process_info("web").unwrap().pid, 4242);
    match processes.get_process_info("nginx") {
        Err(SupervisorError::BadName(message)) => assert_eq!(message, "BAD_NAME: nginx"),
        other => panic!("{other:?}"),
    }
    match processes.missing() {
        Err(SupervisorError::Other(error)) => assert_eq!(error.fault().unwrap().code, -32601),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_result_of_the_wrong_type_is_a_convert_error() {
    let server = server();
    // supervisor.getState answers a struct; this trait asks for a string.
    #[xmlrpc_kit::client]
    trait Wrong {
        #[xmlrpc(name = "supervisor.getState")]
        fn get_state(&self) -> Result<String, Error>;
    }
    let wrong = WrongBlockingClient::new(xmlrpc_kit::blocking::Client::new(&server.url()).unwrap());
    let error = wrong.get_state().unwrap_err();
    assert!(matches!(error, Error::Convert(_)), "{error:?}");
}

/// Code written against the trait takes the generated client, or a fake.
fn running(supervisor: &impl Supervisor) -> Vec<String> {
    supervisor
        .get_all_process_info()
        .unwrap()
        .into_iter()
        .filter(|p| p.state == 20)
        .map(|p| p.name)
        .collect()
}

#[test]
fn the_blocking_client_implements_a_trait_of_fns() {
    let server = server();
    let supervisor =
        SupervisorBlockingClient::new(xmlrpc_kit::blocking::Client::new(&server.url()).unwrap());
    assert_eq!(running(&supervisor), ["web"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_calls_rtorrents_names() {
    let server = server();
    let client = xmlrpc_kit::Client::builder(&server.url())
        .allow_none(true)
        .build()
        .unwrap();
    let rtorrent = RtorrentClient::new(client);
    assert_eq!(rtorrent.client_version().await.unwrap(), "0.9.8");
    let rows = rtorrent
        .multicall2("", "main", "d.name=", "d.size_bytes=")
        .await
        .unwrap();
    assert_eq!(
        rows,
        [
            vec![Value::String("debian.iso".into()), Value::I8(4_000_000_000)],
            vec![Value::String("notes.txt".into()), Value::Int(12)],
        ]
    );
    let torrent = Torrent {
        name: "x".into(),
        pieces: vec![1, 2, 3],
    };
    assert_eq!(rtorrent.load(torrent).await.unwrap(), 4);
    // `None` is nil both ways, with allow_none.
    assert_eq!(rtorrent.echo(Some(21)).await.unwrap(), Some(42));
    assert_eq!(rtorrent.echo(None).await.unwrap(), None);
    // Trailing `None`s are left off; a `None` before a `Some` is nil.
    assert_eq!(
        rtorrent.params(1, None, None).await.unwrap(),
        [Value::Int(1)]
    );
    assert_eq!(
        rtorrent.params(1, Some(2), None).await.unwrap(),
        [Value::Int(1), Value::Int(2)]
    );
    assert_eq!(
        rtorrent
            .params(1, None, Some("three".into()))
            .await
            .unwrap(),
        [Value::Int(1), Value::Nil, Value::String("three".into())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_implements_a_trait_of_async_fns() {
    async fn version(rtorrent: &impl Rtorrent) -> String {
        rtorrent.client_version().await.unwrap()
    }
    let server = server();
    let rtorrent = RtorrentClient::new(xmlrpc_kit::Client::new(&server.url()).unwrap());
    assert_eq!(version(&rtorrent).await, "0.9.8");
    // The same trait's methods on the blocking client, from a thread of
    // its own (a blocking client cannot run inside the runtime).
    let url = server.url();
    let answer = tokio::task::spawn_blocking(move || {
        RtorrentBlockingClient::new(xmlrpc_kit::blocking::Client::new(&url).unwrap())
            .client_version()
    })
    .await
    .unwrap();
    assert_eq!(answer.unwrap(), "0.9.8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nil_without_allow_none_fails_before_sending() {
    let server = server();
    let rtorrent = RtorrentClient::new(xmlrpc_kit::Client::new(&server.url()).unwrap());
    let error = rtorrent.echo(None).await.unwrap_err();
    assert!(matches!(error, Error::Encode(_)), "{error:?}");
    // The async client of a trait of `fn`s.
    let supervisor = SupervisorClient::new(xmlrpc_kit::Client::new(&server.url()).unwrap());
    assert_eq!(supervisor.get_state().await.unwrap().statename, "RUNNING");
    let error = supervisor.get_process_info("nginx").await.unwrap_err();
    assert_eq!(error.fault().unwrap().code, BAD_NAME);
}

/// The same typed client over JSON-RPC 2.0: only the client's protocol
/// changes; structs by serde, the optional parameter and faults alike.
#[test]
fn the_typed_client_speaks_json_rpc_unchanged() {
    let server = TestServer::start(
        Server::builder(methods())
            .allow_none(true)
            .json_rpc(true)
            .log_requests(false),
    );
    let client = xmlrpc_kit::blocking::Client::builder(&server.url())
        .protocol(xmlrpc_kit::Protocol::JsonRpc)
        .allow_none(true)
        .build_blocking()
        .unwrap();
    let supervisor = SupervisorBlockingClient::new(client);
    assert_eq!(supervisor.get_all_process_info().unwrap(), processes());
    assert!(supervisor.start_process("web", None).unwrap());
    assert!(!supervisor.start_process("web", Some(false)).unwrap());
    let error = supervisor.get_process_info("nobody").unwrap_err();
    assert_eq!(error.fault().map(|f| f.code), Some(BAD_NAME));
}
