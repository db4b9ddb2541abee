//! One address syntax for servers and clients: where a server listens and
//! where a client connects.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Where a server listens or a client connects, as one string:
///
/// | form | transport |
/// | --- | --- |
/// | `http://HOST:PORT[/path]` | HTTP over TCP (port 80 if left out) |
/// | `https://HOST:PORT[/path]` | HTTPS (port 443 if left out) |
/// | `unix:///abs/path.sock` | HTTP over a Unix socket, path `/RPC2` (as supervisorctl) |
/// | `http://unix:/abs/path.sock:/other/path` | HTTP over a Unix socket, another path (nginx's form) |
/// | `scgi://HOST:PORT` | SCGI over TCP (rTorrent, nginx's `scgi_pass`) |
/// | `scgi:///abs/path.sock` | SCGI over a Unix socket |
///
/// ```
/// use xmlrpc_kit::wire::Address;
///
/// let a: Address = "unix:///run/supervisor.sock".parse().unwrap();
/// assert_eq!(a, Address::HttpUnix { socket: "/run/supervisor.sock".into(), path: None });
/// let b: Address = "scgi://127.0.0.1:5000".parse().unwrap();
/// assert_eq!(b.to_string(), "scgi://127.0.0.1:5000");
/// assert!("ftp://example.com".parse::<Address>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Address {
    /// HTTP (or HTTPS) over TCP.
    Http {
        /// HTTPS.
        tls: bool,
        /// The host name or IP address (IPv6 without brackets).
        host: String,
        /// The port.
        port: u16,
        /// The path and query, if given.
        path: Option<String>,
    },
    /// HTTP over a Unix socket.
    HttpUnix {
        /// The socket file.
        socket: PathBuf,
        /// The HTTP path, if given (clients then post there instead of `/RPC2`).
        path: Option<String>,
    },
    /// SCGI over TCP.
    ScgiTcp {
        /// The host name or IP address (IPv6 without brackets).
        host: String,
        /// The port.
        port: u16,
    },
    /// SCGI over a Unix socket.
    ScgiUnix {
        /// The socket file.
        socket: PathBuf,
    },
}

/// Why a string is not an [`Address`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidAddress {
    /// The string given.
    pub address: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for InvalidAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an address ({}); write http://HOST:PORT, https://HOST:PORT, unix:///PATH.sock, scgi://HOST:PORT or scgi:///PATH.sock",
            self.address, self.reason
        )
    }
}

impl std::error::Error for InvalidAddress {}

impl FromStr for Address {
    type Err = InvalidAddress;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| InvalidAddress {
            address: text.to_owned(),
            reason,
        };
        let (scheme, rest) = text
            .trim()
            .split_once("://")
            .ok_or_else(|| invalid("it has no scheme"))?;
        let absolute_socket = |path: &str| {
            if path.starts_with('/') && path.len() > 1 {
                Ok(PathBuf::from(path))
            } else {
                Err(invalid(
                    "a socket path must be absolute: unix:///abs/path.sock",
                ))
            }
        };
        match scheme.to_ascii_lowercase().as_str() {
            "unix" => Ok(Address::HttpUnix {
                socket: absolute_socket(rest)?,
                path: None,
            }),
            "scgi" if rest.starts_with('/') => Ok(Address::ScgiUnix {
                socket: absolute_socket(rest)?,
            }),
            "scgi" => {
                let (host, port, path) = host_port_path(rest, None).map_err(invalid)?;
                if path.is_some() {
                    return Err(invalid("an SCGI address has no path"));
                }
                Ok(Address::ScgiTcp { host, port })
            }
            "http" if rest.starts_with("unix:") => {
                // nginx's form: http://unix:/abs/path.sock:/uri
                let rest = &rest["unix:".len()..];
                let (socket, path) = match rest.split_once(":/") {
                    Some((socket, path)) => (socket, Some(format!("/{path}"))),
                    None => (rest, None),
                };
                Ok(Address::HttpUnix {
                    socket: absolute_socket(socket)?,
                    path,
                })
            }
            scheme @ ("http" | "https") => {
                let tls = scheme == "https";
                let default = if tls { 443 } else { 80 };
                let (host, port, path) = host_port_path(rest, Some(default)).map_err(invalid)?;
                Ok(Address::Http {
                    tls,
                    host,
                    port,
                    path,
                })
            }
            _ => Err(invalid("the scheme must be http, https, unix or scgi")),
        }
    }
}

/// `HOST[:PORT][/path]`; IPv6 hosts in brackets.
fn host_port_path(
    rest: &str,
    default_port: Option<u16>,
) -> Result<(String, u16, Option<String>), &'static str> {
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.contains('@') {
        return Err("user info belongs to the client's URL, not an address");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("an IPv6 host needs its ']'")?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    let port = match (port, default_port) {
        (Some(port), _) => port
            .parse()
            .map_err(|_| "the port is not a number from 0 to 65535")?,
        (None, Some(default)) => default,
        (None, None) => return Err("it has no port"),
    };
    let path = (!path.is_empty()).then(|| path.to_owned());
    Ok((host.to_owned(), port, path))
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = |host: &str| {
            if host.contains(':') {
                format!("[{host}]")
            } else {
                host.to_owned()
            }
        };
        match self {
            Address::Http {
                tls,
                host: h,
                port,
                path,
            } => {
                let scheme = if *tls { "https" } else { "http" };
                write!(
                    f,
                    "{scheme}://{}:{port}{}",
                    host(h),
                    path.as_deref().unwrap_or("")
                )
            }
            Address::HttpUnix { socket, path: None } => write!(f, "unix://{}", socket.display()),
            Address::HttpUnix {
                socket,
                path: Some(path),
            } => write!(f, "http://unix:{}:{path}", socket.display()),
            Address::ScgiTcp { host: h, port } => write!(f, "scgi://{}:{port}", host(h)),
            Address::ScgiUnix { socket } => write!(f, "scgi://{}", socket.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_reads_and_writes_back() {
        #[rustfmt::skip]
        let cases = [
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
            ("http://localhost", "http://localhost:80"),
            ("https://example.com/RPC2", "https://example.com:443/RPC2"),
            ("http://[::1]:8000/x?y", "http://[::1]:8000/x?y"),
            ("unix:///run/supervisor.sock", "unix:///run/supervisor.sock"),
            ("http://unix:/tmp/s.sock:/RPC3", "http://unix:/tmp/s.sock:/RPC3"),
            ("scgi://127.0.0.1:5000", "scgi://127.0.0.1:5000"),
            ("scgi:///tmp/rpc.sock", "scgi:///tmp/rpc.sock"),
        ];
        for (text, shown) in cases {
            let address: Address = text.parse().unwrap();
            assert_eq!(address.to_string(), shown, "{text}");
            assert_eq!(shown.parse::<Address>().unwrap(), address, "{shown}");
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        #[rustfmt::skip]
        let cases = [
            ("localhost:8000", "it has no scheme"),
            ("ftp://h:1", "the scheme must be http, https, unix or scgi"),
            ("unix://relative.sock", "a socket path must be absolute: unix:///abs/path.sock"),
            ("scgi://h", "it has no port"),
            ("scgi://h:1/x", "an SCGI address has no path"),
            ("http://:80", "it has no host"),
            ("http://h:99999", "the port is not a number from 0 to 65535"),
            ("http://u:p@h:1", "user info belongs to the client's URL, not an address"),
        ];
        for (text, reason) in cases {
            assert_eq!(
                text.parse::<Address>().unwrap_err().reason,
                reason,
                "{text}"
            );
        }
    }
}
