//! Listening sockets: TCP, and Unix domain sockets (a stale file left by a
//! dead process replaced, a live one refused, the file removed when the
//! listener goes if it is still the one the server made), and the byte
//! streams they accept.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A TCP socket bound to `addr`, not yet listening.
pub(crate) fn bind_tcp(
    addr: SocketAddr,
    reuse_address: bool,
    reuse_port: bool,
) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(reuse_address)?;
    if reuse_port {
        #[cfg(unix)]
        socket.set_reuse_port(true)?;
        #[cfg(not(unix))]
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "SO_REUSEPORT needs a Unix system",
        ));
    }
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    Ok(socket)
}

/// A Unix socket file the server made, known by its device and inode
/// number: removed when dropped, but only if its path still names that
/// file. Another server may have taken the path since (after a temp
/// cleaner removed the file, say); its socket is left alone. (Between
/// the check and the removal the path could still change: POSIX has no
/// "unlink if it is this file".)
#[derive(Debug)]
pub(crate) struct SocketFile {
    path: PathBuf,
    id: FileId,
}

/// A file's device and inode number.
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt as _;
    (meta.dev(), meta.ino())
}

/// The file `path` names now (not following a symbolic link), if any.
#[cfg(unix)]
fn id_at(path: &Path) -> Option<FileId> {
    std::fs::symlink_metadata(path).ok().map(|m| file_id(&m))
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        #[cfg(unix)]
        if id_at(&self.path) == Some(self.id) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether connecting to a socket file failed because nobody listens on
/// it (ECONNREFUSED): the only failure that shows the file is a dead
/// process's. Permission denied, or a socket of another type, says
/// nothing of the kind.
#[cfg(unix)]
fn nobody_listens(connecting: &io::Error) -> bool {
    connecting.kind() == io::ErrorKind::ConnectionRefused
}

/// A Unix socket bound at `path` (not yet listening), with file mode
/// `mode` if given. A socket file left there by a process that is gone
/// (connecting to it is refused) is replaced; a socket something still
/// answers on is refused, and so is one that cannot be tried (permission
/// denied, say) and a file that is not a socket.
#[cfg(unix)]
pub(crate) fn bind_unix(path: &Path, mode: Option<u32>) -> io::Result<(Socket, SocketFile)> {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            match std::os::unix::net::UnixStream::connect(path) {
                Ok(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("another server is listening on {}", path.display()),
                    ));
                }
                // Nobody answers: a dead process's socket, removed if the
                // path still names the file just tried.
                Err(e) if nobody_listens(&e) => {
                    if id_at(path) != Some(file_id(&meta)) {
                        return Err(io::Error::new(
                            io::ErrorKind::AddrInUse,
                            format!(
                                "{} was replaced while it was checked (another server starting?)",
                                path.display()
                            ),
                        ));
                    }
                    std::fs::remove_file(path)?;
                }
                // Gone since: nothing to remove.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!(
                            "{} exists and cannot be tried ({e}), so it is left as it is; remove it if no server uses it",
                            path.display()
                        ),
                    ));
                }
            }
        }
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
    socket.bind(&SockAddr::unix(path)?)?;
    let file = SocketFile {
        path: path.to_owned(),
        id: file_id(&std::fs::symlink_metadata(path)?),
    };
    if let Some(mode) = mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok((socket, file))
}

#[cfg(not(unix))]
pub(crate) fn bind_unix(path: &Path, _mode: Option<u32>) -> io::Result<(Socket, SocketFile)> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("Unix sockets ({}) need a Unix system", path.display()),
    ))
}

/// A listening socket in the runtime.
#[derive(Debug)]
pub(crate) enum Accepting {
    Tcp(tokio::net::TcpListener),
    #[cfg(unix)]
    Unix {
        listener: tokio::net::UnixListener,
        /// Removes the socket file when the listener goes (if the server
        /// made it; a handed-in socket's file is its owner's).
        _file: Option<SocketFile>,
    },
}

impl Accepting {
    /// `socket`, already listening, in the current runtime: TCP when
    /// `unix` is `None`, else a Unix socket and the file to remove when it
    /// goes (if the server made it).
    pub(crate) fn new(socket: Socket, unix: Option<Option<SocketFile>>) -> io::Result<Self> {
        socket.set_nonblocking(true)?;
        match unix {
            None => Ok(Accepting::Tcp(tokio::net::TcpListener::from_std(
                std::net::TcpListener::from(socket),
            )?)),
            #[cfg(unix)]
            Some(file) => Ok(Accepting::Unix {
                listener: tokio::net::UnixListener::from_std(
                    std::os::unix::net::UnixListener::from(socket),
                )?,
                _file: file,
            }),
            #[cfg(not(unix))]
            Some(_) => unreachable!("no Unix socket file without Unix sockets"),
        }
    }

    /// Stops taking new connections. The file of a Unix socket the server
    /// made is removed first (no one can connect any more), then whatever
    /// was already queued is accepted and returned. Otherwise nothing: a
    /// TCP socket's queue goes with it, and a handed-in socket's queue
    /// stays with its owner (systemd keeps it for the next process).
    pub(crate) async fn close_and_take_queued(self) -> Vec<(Stream, Option<SocketAddr>)> {
        let mut queued = Vec::new();
        #[cfg(unix)]
        if let Accepting::Unix {
            listener,
            _file: Some(file),
        } = self
        {
            drop(file);
            // Nothing new can arrive once the file is gone, so a short
            // wait sees every connection already queued.
            while let Ok(Ok((stream, _))) =
                tokio::time::timeout(std::time::Duration::from_millis(20), listener.accept()).await
            {
                queued.push((Stream::Unix(stream), None));
            }
        }
        queued
    }

    /// The next connection, and the client's address when it has one.
    pub(crate) async fn accept(&self) -> io::Result<(Stream, Option<SocketAddr>)> {
        match self {
            Accepting::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                let _ = stream.set_nodelay(true);
                Ok((Stream::Tcp(stream), Some(peer)))
            }
            #[cfg(unix)]
            Accepting::Unix { listener, .. } => {
                let (stream, _) = listener.accept().await?;
                Ok((Stream::Unix(stream), None))
            }
        }
    }
}

/// An accepted connection.
#[derive(Debug)]
pub(crate) enum Stream {
    Tcp(tokio::net::TcpStream),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn stale_sockets_are_replaced_live_ones_refused_and_files_removed() {
        let dir = std::env::temp_dir().join(format!("xmlrpc-socket-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        // A live listener: refused.
        let live = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let e = bind_unix(&path, None).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AddrInUse);
        assert!(e.to_string().contains("another server is listening on"));
        // Its process gone (the listener closed, the file left): replaced.
        drop(live);
        assert!(path.exists());
        let (_socket, file) = bind_unix(&path, Some(0o600)).unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // Removed when the listener goes.
        drop(file);
        assert!(!path.exists());
        // Not a socket: refused.
        std::fs::write(&path, b"x").unwrap();
        assert_eq!(
            bind_unix(&path, None).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xmlrpc-socket-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn only_a_refused_connection_shows_a_socket_is_stale() {
        use io::ErrorKind::*;
        assert!(nobody_listens(&io::Error::from(ConnectionRefused)));
        for kind in [PermissionDenied, NotFound, ConnectionReset, TimedOut, Other] {
            assert!(!nobody_listens(&io::Error::from(kind)), "{kind:?}");
        }
    }

    #[test]
    fn a_socket_file_replaced_by_another_is_not_removed() {
        let dir = scratch("replaced");
        let path = dir.join("s.sock");
        let (_ours, file) = bind_unix(&path, None).unwrap();
        // A cleaner removes it, another server binds the path.
        std::fs::remove_file(&path).unwrap();
        let theirs = std::os::unix::net::UnixListener::bind(&path).unwrap();
        drop(file);
        assert!(path.exists(), "the other server's socket was removed");
        let _client = std::os::unix::net::UnixStream::connect(&path).unwrap();
        theirs.accept().unwrap();
        // Gone already: dropping removes nothing and does not fail.
        let (_again, file) = {
            drop(theirs);
            std::fs::remove_file(&path).unwrap();
            bind_unix(&path, None).unwrap()
        };
        std::fs::remove_file(&path).unwrap();
        drop(file);
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_socket_that_cannot_be_tried_is_left_alone() {
        let dir = scratch("untried");
        // A datagram socket: connecting a stream to it fails, but not with
        // "refused" (EPROTOTYPE): someone's live socket, whoever runs this.
        let path = dir.join("dgram.sock");
        let dgram = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        let before = id_at(&path);
        let e = bind_unix(&path, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{} exists and cannot be tried ({}), so it is left as it is; remove it if no server uses it",
                path.display(),
                std::os::unix::net::UnixStream::connect(&path).unwrap_err()
            )
        );
        assert_eq!(
            id_at(&path),
            before,
            "the datagram socket's file was touched"
        );
        std::os::unix::net::UnixDatagram::unbound()
            .unwrap()
            .send_to(b"still there", &path)
            .unwrap();
        let mut got = [0u8; 16];
        assert_eq!(dgram.recv(&mut got).unwrap(), 11);
        // A stale socket this user may not connect to (mode 000): permission
        // denied is no proof it is stale. Only testable where permissions
        // apply: root (CAP_DAC_OVERRIDE) connects anyway and gets "refused".
        use std::os::unix::fs::PermissionsExt as _;
        let locked = dir.join("locked.sock");
        drop(std::os::unix::net::UnixListener::bind(&locked).unwrap());
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        match std::os::unix::net::UnixStream::connect(&locked) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                let e = bind_unix(&locked, None).unwrap_err();
                assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
                assert!(
                    e.to_string()
                        .starts_with(&format!("{} exists and cannot be tried", locked.display())),
                    "{e}"
                );
                assert!(locked.exists());
            }
            other => {
                assert_eq!(other.unwrap_err().kind(), io::ErrorKind::ConnectionRefused);
                eprintln!(
                    "permissions do not apply to this user (root?): the EACCES case is covered by only_a_refused_connection_shows_a_socket_is_stale"
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The sockets a service manager handed in (systemd socket activation:
/// `LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES`), each with its name
/// (empty when unnamed) and whether it is a Unix socket (and where).
#[cfg(unix)]
pub(crate) fn activated() -> io::Result<Vec<(Socket, String, Option<std::path::PathBuf>)>> {
    let names: Vec<String> = std::env::var("LISTEN_FDNAMES")
        .map(|names| names.split(':').map(str::to_owned).collect())
        .unwrap_or_default();
    let mut fds = listenfd::ListenFd::from_env();
    if fds.len() == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no socket was handed in (LISTEN_FDS is not set for this process)",
        ));
    }
    let mut sockets = Vec::new();
    for index in 0..fds.len() {
        let name = names.get(index).cloned().unwrap_or_default();
        let socket = match fds.take_tcp_listener(index) {
            Ok(Some(listener)) => (Socket::from(listener), name, None),
            _ => match fds.take_unix_listener(index)? {
                Some(listener) => {
                    let path = listener
                        .local_addr()?
                        .as_pathname()
                        .map(Path::to_owned)
                        .unwrap_or_default();
                    (Socket::from(listener), name, Some(path))
                }
                None => continue,
            },
        };
        sockets.push(socket);
    }
    Ok(sockets)
}

#[cfg(not(unix))]
pub(crate) fn activated() -> io::Result<Vec<(Socket, String, Option<std::path::PathBuf>)>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "socket activation needs a Unix system",
    ))
}
