//! Telling a service manager where the server is in its life (systemd's
//! `Type=notify` protocol, `sd_notify(3)`): `READY=1` once it listens,
//! `STOPPING=1` when a stop begins, and `WATCHDOG=1` at half the interval
//! `WATCHDOG_USEC` asks for. Each is one datagram to the socket
//! `NOTIFY_SOCKET` names (a path, or `@name` for Linux's abstract
//! namespace), sent without waiting: a manager that does not read cannot
//! hold up the server. Without `NOTIFY_SOCKET` nothing is sent.

use std::time::Duration;

/// Says the server is listening and answering.
pub(crate) fn ready() {
    send("READY=1\n");
}

/// Says the server has begun to stop.
pub(crate) fn stopping() {
    send("STOPPING=1\n");
}

/// How often to tell the service manager the server is alive: half the
/// interval it asked for in `WATCHDOG_USEC`, if it asked this process
/// (`WATCHDOG_PID`, when set, names it).
pub(crate) fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok()? != std::process::id() {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Tells the service manager every `interval` that the server is alive,
/// for as long as it is polled.
pub(crate) async fn keep_alive(interval: Duration) {
    let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(10)));
    loop {
        ticks.tick().await;
        send("WATCHDOG=1\n");
    }
}

/// Sends `message` to `NOTIFY_SOCKET`, if set; a failure is logged.
fn send(message: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    #[cfg(unix)]
    if let Err(e) = send_to(&path, message) {
        tracing::warn!(
            error = %e,
            "cannot tell the service manager {:?} (NOTIFY_SOCKET)",
            message.trim_end()
        );
    }
    #[cfg(not(unix))]
    let _ = (path, message);
}

#[cfg(unix)]
fn send_to(path: &std::ffi::OsStr, message: &str) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    use std::os::unix::net::UnixDatagram;

    let socket = UnixDatagram::unbound()?;
    socket.set_nonblocking(true)?;
    match path.as_bytes().strip_prefix(b"@") {
        #[cfg(target_os = "linux")]
        Some(name) => {
            use std::os::linux::net::SocketAddrExt as _;
            let address = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
            socket.send_to_addr(message.as_bytes(), &address)?;
        }
        _ => {
            socket.send_to(message.as_bytes(), path)?;
        }
    }
    Ok(())
}
