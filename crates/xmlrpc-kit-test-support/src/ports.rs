//! Ports on 127.0.0.1 for tests that run in parallel: a port kept closed
//! (connections to it are refused, and nothing else can take it while the
//! test holds it), and a program started on a port that is checked to be
//! its own. A port found free and then handed to another program may be
//! taken in between by a parallel test's server; then the test would talk
//! to the wrong server.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::process::Running;

/// A port on 127.0.0.1 that refuses connections for as long as this value
/// lives: bound by a socket that does not listen, so that no other socket
/// binds it and the OS hands it to no one else.
///
/// ```
/// use xmlrpc_kit_test_support::ports::ClosedPort;
/// let closed = ClosedPort::new();
/// let refused = std::net::TcpStream::connect(("127.0.0.1", closed.port())).unwrap_err();
/// assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
/// ```
#[derive(Debug)]
pub struct ClosedPort {
    _socket: socket2::Socket,
    port: u16,
}

impl ClosedPort {
    /// Binds a new one.
    pub fn new() -> ClosedPort {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("a TCP socket");
        socket
            .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .expect("bind 127.0.0.1:0");
        let port = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("a bound address")
            .port();
        ClosedPort {
            _socket: socket,
            port,
        }
    }

    /// Its number.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Default for ClosedPort {
    fn default() -> Self {
        Self::new()
    }
}

/// A port nothing listens on right now, for a program that binds it
/// itself; only through [`on_its_own_port`], which checks the program got it.
fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// Starts a program on a port of 127.0.0.1 (`start` is given the port and
/// starts it) and returns it once the socket listening on that port is
/// the program's own (an open file of its process); a port a parallel test
/// took first is given up for another, five times at most.
pub fn on_its_own_port(mut start: impl FnMut(u16) -> Running) -> (Running, u16) {
    let (running, ports) = on_its_own_ports(1, |ports| start(ports[0]));
    (running, ports[0])
}

/// [`on_its_own_port`] for a program that listens on `count` ports.
pub fn on_its_own_ports(
    count: usize,
    mut start: impl FnMut(&[u16]) -> Running,
) -> (Running, Vec<u16>) {
    for _ in 0..5 {
        let ports: Vec<u16> = (0..count).map(|_| unused_port()).collect();
        let mut running = start(&ports);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if ports.iter().all(|&port| listens_on(running.pid(), port)) {
                return (running, ports);
            }
            if matches!(running.0.try_wait(), Ok(Some(_))) {
                break; // It could not bind a port: another has it.
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("the program did not get ports of its own in five tries");
}

/// Whether process `pid` holds the socket listening on 127.0.0.1:`port`
/// (or on every address at that port), by /proc/net/tcp and the
/// process's open files.
pub fn listens_on(pid: u32, port: u16) -> bool {
    let Some(inode) = listening_inode(port) else {
        return false;
    };
    let wanted = format!("socket:[{inode}]");
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path()).is_ok_and(|target| target.as_os_str() == wanted.as_str())
    })
}

/// The inode of the socket listening on `port` at 127.0.0.1 or every
/// address: an IPv4 socket (/proc/net/tcp), or an IPv6 one bound to
/// `::ffff:127.0.0.1` or `::` (/proc/net/tcp6), as rTorrent binds.
fn listening_inode(port: u16) -> Option<String> {
    const LOOPBACK_OR_ANY: [&str; 4] = [
        "0100007F",
        "00000000",
        "0000000000000000FFFF00000100007F",
        "00000000000000000000000000000000",
    ];
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .find_map(|table| {
            let table = std::fs::read_to_string(table).ok()?;
            table.lines().skip(1).find_map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
                let (address, local_port) = local.split_once(':')?;
                let listening = *state == "0A";
                let ours = u16::from_str_radix(local_port, 16).ok()? == port
                    && LOOPBACK_OR_ANY.contains(&address);
                (listening && ours).then(|| (*inode).to_owned())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_is_found_as_its_own_processs() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(listens_on(std::process::id(), port));
        // Not another process's (pid 1 is not this test).
        assert!(!listens_on(1, port));
        drop(listener);
        assert!(!listens_on(std::process::id(), port));
        // An IPv6 socket on every address counts too.
        if let Ok(any) = std::net::TcpListener::bind("[::]:0") {
            let port = any.local_addr().unwrap().port();
            assert!(listens_on(std::process::id(), port));
        }
    }

    #[test]
    fn a_closed_port_stays_closed_and_taken() {
        let closed = ClosedPort::new();
        let refused = std::net::TcpStream::connect(("127.0.0.1", closed.port())).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        assert!(std::net::TcpListener::bind(("127.0.0.1", closed.port())).is_err());
    }
}
