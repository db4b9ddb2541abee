//! The real client behind reverse proxies: which peers are trusted to say
//! who they forward for (`Forwarded: for=…`, RFC 7239, or
//! `X-Forwarded-For`), and the client address that follows from it.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;

use crate::context::RequestContext;

/// The proxies whose forwarding headers are believed. Empty by default:
/// then no header is believed and a handler's [`Peer`](crate::context::Peer)
/// is the address that connected.
///
/// When the connecting peer is trusted, the client is found by reading the
/// forwarding chain from the right (the hop nearest the server) past every
/// trusted address: the first untrusted one is the client (as nginx's
/// `real_ip_recursive` does). A client cannot forge its way past that
/// point, since addresses left of it were written by that client. The
/// chain comes from `Forwarded` when the request has one, else from
/// `X-Forwarded-For`; an entry that is not an address (`unknown`, an
/// obfuscated name) ends the walk at the last address believed.
///
/// ```
/// use xmlrpc::context::{RequestContext, TrustedProxies};
///
/// let proxies: TrustedProxies = "10.0.0.0/8, 127.0.0.1".parse().unwrap();
/// let request = RequestContext::new()
///     .with_peer("127.0.0.1".parse().unwrap())
///     .with_header("X-Forwarded-For", "203.0.113.9, 10.1.2.3");
/// assert_eq!(proxies.client(&request), Some("203.0.113.9".parse().unwrap()));
///
/// // An untrusted peer's header is not believed.
/// let direct = RequestContext::new()
///     .with_peer("198.51.100.7".parse().unwrap())
///     .with_header("X-Forwarded-For", "203.0.113.9");
/// assert_eq!(proxies.client(&direct), Some("198.51.100.7".parse().unwrap()));
///
/// // "unix" trusts requests over a Unix socket (they have no peer address):
/// // a proxy on the same machine in front of a socket file.
/// let behind_nginx: TrustedProxies = "unix".parse().unwrap();
/// let request = RequestContext::new().with_header("X-Forwarded-For", "203.0.113.9");
/// assert_eq!(behind_nginx.client(&request), Some("203.0.113.9".parse().unwrap()));
/// assert_eq!(TrustedProxies::none().client(&request), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    unix: bool,
}

impl TrustedProxies {
    /// Trusts no proxy.
    pub fn none() -> Self {
        Self::default()
    }

    /// Also trusts `network`: an address (`127.0.0.1`, `::1`) or a network
    /// in CIDR form (`10.0.0.0/8`, `fd00::/8`).
    ///
    /// # Errors
    /// When `network` is neither, saying which text was wrong.
    pub fn trust(mut self, network: &str) -> Result<Self, InvalidNetwork> {
        self.networks.push(parse_network(network)?);
        Ok(self)
    }

    /// Also trusts requests that came over a Unix socket (those with no
    /// peer address): only processes allowed to open the socket file can
    /// send them, such as nginx or HAProxy on the same machine. The entry
    /// `unix` in the parsed form.
    #[must_use]
    pub fn trust_unix_sockets(mut self) -> Self {
        self.unix = true;
        self
    }

    /// Whether `address` is a trusted proxy.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.networks.iter().any(|net| net.contains(&address))
    }

    /// The client's address for `request`: its peer, or when the peer is a
    /// trusted proxy, the nearest untrusted address of the forwarding
    /// chain. `None` when the request has no peer.
    pub fn client(&self, request: &RequestContext) -> Option<IpAddr> {
        let peer = request.peer();
        let peer_trusted = match peer {
            Some(address) => self.trusts(address),
            None => self.unix,
        };
        if !peer_trusted {
            return peer;
        }
        let mut client = peer;
        for hop in forwarding_chain(request).iter().rev() {
            let Some(address) = *hop else { break };
            client = Some(address);
            if !self.trusts(address) {
                break;
            }
        }
        client
    }

    /// `request` with its peer replaced by [`client`](Self::client).
    #[must_use]
    pub fn resolve(&self, request: RequestContext) -> RequestContext {
        match self.client(&request) {
            Some(client) => request.with_peer(client),
            None => request,
        }
    }
}

impl FromStr for TrustedProxies {
    type Err = InvalidNetwork;

    /// Addresses and CIDR networks separated by commas or white space.
    fn from_str(text: &str) -> Result<Self, InvalidNetwork> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .try_fold(TrustedProxies::none(), |proxies, part| match part {
                "unix" => Ok(proxies.trust_unix_sockets()),
                _ => proxies.trust(part),
            })
    }
}

/// A trusted-proxy entry that is neither an address nor a CIDR network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidNetwork(pub String);

impl fmt::Display for InvalidNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is neither an IP address, a network such as 10.0.0.0/8, nor unix",
            self.0
        )
    }
}

impl std::error::Error for InvalidNetwork {}

fn parse_network(text: &str) -> Result<IpNet, InvalidNetwork> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| InvalidNetwork(text.to_owned()))
}

/// IPv4 addresses as an IPv6 socket reports them (`::ffff:a.b.c.d`) are
/// compared as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The hops the request says it passed, the client first: `None` for an
/// entry that is not an address.
fn forwarding_chain(request: &RequestContext) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<&str> = request
        .headers()
        .filter(|&(name, _)| name == "forwarded")
        .map(|(_, value)| value)
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (key, value) = pair.split_once('=')?;
                        key.trim().eq_ignore_ascii_case("for").then(|| value.trim())
                    })
                    .and_then(parse_node)
            })
            .collect();
    }
    request
        .headers()
        .filter(|&(name, _)| name == "x-forwarded-for")
        .flat_map(|(_, value)| value.split(','))
        .map(parse_node)
        .collect()
}

/// An address as forwarding headers write it: bare, quoted, with a port,
/// IPv6 in brackets.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    let address = text
        .parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| text.strip_prefix('[')?.strip_suffix(']')?.parse().ok())?;
    Some(canonical(address))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn from(peer: &str, headers: &[(&str, &str)]) -> RequestContext {
        headers
            .iter()
            .fold(RequestContext::new().with_peer(ip(peer)), |r, (n, v)| {
                r.with_header(n, v)
            })
    }

    #[test]
    fn no_trusted_proxy_believes_no_header() {
        let request = from("10.0.0.1", &[("X-Forwarded-For", "1.2.3.4")]);
        assert_eq!(
            TrustedProxies::none().client(&request),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn the_walk_stops_at_the_first_untrusted_hop() {
        let proxies: TrustedProxies = "10.0.0.0/8 192.168.1.1".parse().unwrap();
        // The client forged "6.6.6.6"; the proxies appended the rest.
        let request = from(
            "10.0.0.2",
            &[("X-Forwarded-For", "6.6.6.6, 203.0.113.5, 192.168.1.1")],
        );
        assert_eq!(proxies.client(&request), Some(ip("203.0.113.5")));
    }

    #[test]
    fn headers_repeated_are_one_chain() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let request = from(
            "10.0.0.2",
            &[
                ("X-Forwarded-For", "203.0.113.5"),
                ("X-Forwarded-For", "10.9.9.9"),
            ],
        );
        assert_eq!(proxies.client(&request), Some(ip("203.0.113.5")));
    }

    #[test]
    fn all_trusted_gives_the_leftmost() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let request = from("10.0.0.2", &[("X-Forwarded-For", "10.1.1.1, 10.2.2.2")]);
        assert_eq!(proxies.client(&request), Some(ip("10.1.1.1")));
    }

    #[test]
    fn garbage_ends_the_walk_at_the_last_believed_hop() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let request = from(
            "10.0.0.2",
            &[("X-Forwarded-For", "1.1.1.1, bogus, 10.3.3.3")],
        );
        assert_eq!(proxies.client(&request), Some(ip("10.3.3.3")));
        let no_header = from("10.0.0.2", &[]);
        assert_eq!(proxies.client(&no_header), Some(ip("10.0.0.2")));
    }

    #[test]
    fn forwarded_is_preferred_and_its_forms_parse() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        let request = from(
            "127.0.0.1",
            &[
                ("X-Forwarded-For", "9.9.9.9"),
                (
                    "Forwarded",
                    r#"for="[2001:db8::7]:4711";proto=https, for=10.0.0.9:80"#,
                ),
            ],
        );
        assert_eq!(proxies.client(&request), Some(ip("2001:db8::7")));
        let hidden = from("127.0.0.1", &[("Forwarded", "for=_hidden, for=10.0.0.9")]);
        assert_eq!(proxies.client(&hidden), Some(ip("10.0.0.9")));
    }

    #[test]
    fn mapped_ipv4_peers_match_ipv4_networks() {
        let proxies: TrustedProxies = "127.0.0.0/8".parse().unwrap();
        let request = from("::ffff:127.0.0.1", &[("X-Forwarded-For", "203.0.113.1")]);
        assert_eq!(proxies.client(&request), Some(ip("203.0.113.1")));
    }

    #[test]
    fn bad_entries_are_named() {
        let err = "10.0.0.0/8, 300.1.1.1"
            .parse::<TrustedProxies>()
            .unwrap_err();
        assert_eq!(err, InvalidNetwork("300.1.1.1".into()));
        assert!(
            err.to_string()
                .contains("\"300.1.1.1\" is neither an IP address")
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
    }
}
