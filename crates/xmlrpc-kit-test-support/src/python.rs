//! Python, the reference peer: its scripts in `tests/python`, run to
//! completion or kept running as a server.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::process::Running;

/// The folder of the Python scripts the tests run (`tests/python`).
pub fn scripts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python")
}

/// The path of one of those scripts, as an argument.
pub fn script(name: &str) -> String {
    scripts().join(name).to_string_lossy().into_owned()
}

/// Runs `python3 ARGS…` to completion.
pub fn run(args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .output()
        .expect("python3 is required by these tests")
}

/// Runs `python3 ARGS…` and returns its stdout, failing the test (with
/// both outputs) if it fails.
pub fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python3 {args:?} failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Python's own `SimpleXMLRPCServer` with the demo's methods
/// (`tests/python/reference_server.py`), or another server script of
/// `tests/python`, on an OS-picked port.
#[derive(Debug)]
pub struct PythonServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    _process: Running,
    dir: PathBuf,
}

impl PythonServer {
    /// Starts it with `args` after the port file (`--headers` makes it
    /// record the request headers it saw).
    pub fn start(args: &[&str]) -> Self {
        Self::start_script("reference_server.py", args)
    }

    /// Starts another server script of `tests/python` that takes a port
    /// file as its first argument and writes its port there.
    pub fn start_script(name: &str, args: &[&str]) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "xmlrpc-py-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port_file = dir.join("port");
        let process = Running(
            Command::new("python3")
                .arg(script(name))
                .arg(&port_file)
                .args(args)
                .spawn()
                .expect("python3 is required by these tests"),
        );
        let started = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(port) = text.trim().parse::<u16>() {
                    break port;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "Python's reference server did not start"
            );
            std::thread::sleep(Duration::from_millis(30));
        };
        PythonServer {
            port,
            _process: process,
            dir,
        }
    }

    /// Its URL, on `/RPC2`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/RPC2", self.port)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
