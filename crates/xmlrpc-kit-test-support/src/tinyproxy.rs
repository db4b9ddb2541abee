//! A real HTTP proxy for the client's proxy tests: Debian's `tinyproxy`,
//! started on a port of 127.0.0.1 checked to be its own, with a
//! configuration of the test's in a temporary folder, and stopped by PID
//! when dropped; its log tells what it forwarded.

use std::process::{Command, Stdio};

use crate::ports::on_its_own_port;
use crate::process::{Running, TempDir};

/// A running tinyproxy (see the module).
#[derive(Debug)]
pub struct Tinyproxy {
    process: Running,
    port: u16,
    dir: TempDir,
}

/// How a test's tinyproxy is set up.
#[derive(Debug, Clone, Default)]
pub struct TinyproxyConfig {
    /// The ports it opens `CONNECT` tunnels to (none: it refuses every
    /// `CONNECT` with 403).
    pub connect_ports: Vec<u16>,
    /// The user and password it asks for (`Proxy-Authorization`), if any.
    pub basic_auth: Option<(String, String)>,
}

impl Tinyproxy {
    /// Starts tinyproxy as `config` says, in a folder of its own named
    /// after `name`. Panics, saying so, when tinyproxy is not installed
    /// (`scripts/test.sh` installs it).
    pub fn start(name: &str, config: &TinyproxyConfig) -> Tinyproxy {
        let dir = TempDir::new(&format!("tinyproxy-{name}"));
        let log = dir.join("tinyproxy.log");
        let (process, port) = on_its_own_port(|port| {
            let mut text = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\n\
                 MaxClients 20\nLogLevel Info\nLogFile \"{}\"\n",
                log.display()
            );
            for port in &config.connect_ports {
                text.push_str(&format!("ConnectPort {port}\n"));
            }
            if config.connect_ports.is_empty() {
                // No ConnectPort line lets every port through: name one
                // that nothing uses.
                text.push_str("ConnectPort 1\n");
            }
            if let Some((user, password)) = &config.basic_auth {
                text.push_str(&format!("BasicAuth {user} {password}\n"));
            }
            let conf = dir.join("tinyproxy.conf");
            std::fs::write(&conf, text).expect("write tinyproxy.conf");
            let child = Command::new("tinyproxy")
                .arg("-d")
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("tinyproxy (Debian's tinyproxy; scripts/test.sh installs it)");
            Running(child)
        });
        Tinyproxy { process, port, dir }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tinyproxy.log")).unwrap_or_default()
    }
}
