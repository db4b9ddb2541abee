//! The real client behind reverse proxies: which peers are trusted to say
//! who they forward for, in which header (`X-Forwarded-For`, or
//! `Forwarded: for=…` from RFC 7239), and the client address that follows.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;

use xmlrpc_kit_server::context::RequestContext;

/// The header in which the trusted proxies write whom they forward for.
/// Only that one is read: the other is ignored entirely, since a proxy
/// passes it on from the client as it came, forgeries included.
///
/// Its parsed form is the header's name, in any case: `x-forwarded-for` or
/// `forwarded`.
///
/// ```
/// use xmlrpc_kit::front::ForwardedHeader;
///
/// assert_eq!("Forwarded".parse(), Ok(ForwardedHeader::Forwarded));
/// assert_eq!(ForwardedHeader::default().to_string(), "x-forwarded-for");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2`: what nginx's
    /// `$proxy_add_x_forwarded_for` and HAProxy's `option forwardfor`
    /// write. The default.
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239): what HAProxy's
    /// `option forwarded` (2.8 and later) writes, or any proxy configured
    /// to write it.
    Forwarded,
}

impl ForwardedHeader {
    /// The header's name in lower case, as [`RequestContext::headers`]
    /// gives names.
    pub fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }
}

impl fmt::Display for ForwardedHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ForwardedHeader {
    type Err = InvalidForwardedHeader;

    /// `x-forwarded-for` or `forwarded`, in any case.
    fn from_str(text: &str) -> Result<Self, InvalidForwardedHeader> {
        let text = text.trim();
        [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded]
            .into_iter()
            .find(|header| header.name().eq_ignore_ascii_case(text))
            .ok_or_else(|| InvalidForwardedHeader(text.to_owned()))
    }
}

/// A forwarding header's name that is neither `x-forwarded-for` nor
/// `forwarded`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidForwardedHeader(pub String);

impl fmt::Display for InvalidForwardedHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a forwarding header: x-forwarded-for or forwarded",
            self.0
        )
    }
}

impl std::error::Error for InvalidForwardedHeader {}

/// The proxies whose forwarding header is believed, and which header that
/// is. No proxy by default: then no header is believed and a handler's
/// [`Peer`](xmlrpc_kit_server::context::Peer) is the address that connected.
///
/// When the connecting peer is trusted, the client is found by reading the
/// forwarding chain from the right (the hop nearest the server) past every
/// trusted address: the first untrusted one is the client (as nginx's
/// `real_ip_recursive` does). A client cannot forge its way past that
/// point, since addresses left of it were written by that client. The
/// chain is read from one header, the one the proxies append to:
/// `X-Forwarded-For` unless [`header`](Self::header) says `Forwarded`.
/// The other header is ignored, since the proxies pass it on from the
/// client unchecked. Several lines of the header are one list, in order
/// (RFC 9110, section 5.3). An entry that is not an address (`unknown`, an
/// obfuscated name, a `Forwarded` element without `for=`) ends the walk at
/// the last address believed.
///
/// ```
/// use xmlrpc_kit::context::RequestContext;
/// use xmlrpc_kit::front::{ForwardedHeader, TrustedProxies};
///
/// let proxies: TrustedProxies = "10.0.0.0/8, 127.0.0.1".parse().unwrap();
/// let request = RequestContext::new()
///     .with_peer("127.0.0.1".parse().unwrap())
///     .with_header("Forwarded", "for=198.51.100.7") // forged by the client
///     .with_header("X-Forwarded-For", "203.0.113.9, 10.1.2.3");
/// assert_eq!(proxies.client(&request), Some("203.0.113.9".parse().unwrap()));
///
/// // Behind proxies that write RFC 7239's header instead:
/// let rfc7239 = proxies.clone().header(ForwardedHeader::Forwarded);
/// assert_eq!(rfc7239.client(&request), Some("198.51.100.7".parse().unwrap()));
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
    header: ForwardedHeader,
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

    /// Reads the forwarding chain from `header`, the one the trusted
    /// proxies append to, and ignores the other. Default:
    /// [`ForwardedHeader::XForwardedFor`].
    #[must_use]
    pub fn header(mut self, header: ForwardedHeader) -> Self {
        self.header = header;
        self
    }

    /// The header the forwarding chain is read from.
    pub fn forwarded_header(&self) -> ForwardedHeader {
        self.header
    }

    /// Whether any address (or a Unix socket) is trusted: a check that
    /// costs nothing, before the ones that look.
    pub(crate) fn trusts_anyone(&self) -> bool {
        self.unix || !self.networks.is_empty()
    }

    /// Whether `address` is a trusted proxy.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.networks.iter().any(|net| net.contains(&address))
    }

    /// Whether a request from `peer` comes from a trusted proxy: a trusted
    /// address, or (`None`) a Unix socket when those are trusted.
    pub fn trusts_peer(&self, peer: Option<IpAddr>) -> bool {
        match peer {
            Some(address) => self.trusts(address),
            None => self.unix,
        }
    }

    /// The client's address for `request`: its peer, or when the peer is a
    /// trusted proxy, the nearest untrusted address of the forwarding
    /// chain. `None` when the request has no peer.
    pub fn client(&self, request: &RequestContext) -> Option<IpAddr> {
        let peer = request.peer();
        if !self.trusts_peer(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarding_chain(request, self.header).iter().rev() {
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

/// The hops `header` says the request passed, the client first: `None`
/// for an entry that is not an address. All lines of the header, in order.
///
/// Elements are split at every comma, even one inside a quoted string: a
/// client could otherwise open a quote that swallows what the proxies
/// append after it. Split this way, what a client writes stays left of
/// the proxy's entry for it, past which the walk never reads.
fn forwarding_chain(request: &RequestContext, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let elements = request
        .headers()
        .filter(|&(name, _)| name == header.name())
        .flat_map(|(_, value)| value.split(','));
    match header {
        ForwardedHeader::XForwardedFor => elements.map(parse_node).collect(),
        // `for=` of each element; its other pairs (`by=`, `proto=`, …) do
        // not matter here.
        ForwardedHeader::Forwarded => elements
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (key, value) = pair.split_once('=')?;
                        key.trim().eq_ignore_ascii_case("for").then(|| value.trim())
                    })
                    .and_then(parse_node)
            })
            .collect(),
    }
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

    /// Who the client is, for requests from `peer` (`None`: over a Unix
    /// socket) with these header lines, read by proxies trusted as `trusted`
    /// and writing `header`.
    fn client(
        trusted: &str,
        header: ForwardedHeader,
        peer: Option<&str>,
        lines: &[(&str, &str)],
    ) -> Option<IpAddr> {
        let proxies = trusted.parse::<TrustedProxies>().unwrap().header(header);
        let request = lines.iter().fold(
            peer.map_or_else(RequestContext::new, |p| {
                RequestContext::new().with_peer(ip(p))
            }),
            |r, (n, v)| r.with_header(n, v),
        );
        proxies.client(&request)
    }

    /// Trusted proxies, the header read, the peer, the header lines, and
    /// the client that follows.
    type Case = (
        &'static str,
        ForwardedHeader,
        Option<&'static str>,
        &'static [(&'static str, &'static str)],
        Option<&'static str>,
    );

    #[test]
    fn only_the_chosen_header_is_read() {
        use ForwardedHeader::{Forwarded, XForwardedFor};
        // nginx (127.0.0.1) appended the real client, 203.0.113.5, to the
        // header it writes; the client forged the rest.
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // A forged Forwarded behind a proxy that writes X-Forwarded-For.
            ("127.0.0.1", XForwardedFor, Some("127.0.0.1"),
             &[("Forwarded", "for=198.51.100.7"), ("X-Forwarded-For", "203.0.113.5")],
             Some("203.0.113.5")),
            // It is ignored even when X-Forwarded-For is missing.
            ("127.0.0.1", XForwardedFor, Some("127.0.0.1"),
             &[("Forwarded", "for=198.51.100.7")],
             Some("127.0.0.1")),
            // A forged X-Forwarded-For behind a proxy that writes Forwarded.
            ("127.0.0.1", Forwarded, Some("127.0.0.1"),
             &[("X-Forwarded-For", "198.51.100.8"), ("Forwarded", "for=203.0.113.5")],
             Some("203.0.113.5")),
            ("127.0.0.1", Forwarded, Some("127.0.0.1"),
             &[("X-Forwarded-For", "198.51.100.8")],
             Some("127.0.0.1")),
            // Forged entries left of the proxy's, in the chosen header.
            ("127.0.0.1", XForwardedFor, Some("127.0.0.1"),
             &[("X-Forwarded-For", "198.51.100.8, 203.0.113.5")],
             Some("203.0.113.5")),
            ("127.0.0.1", Forwarded, Some("127.0.0.1"),
             &[("Forwarded", "for=198.51.100.7;proto=http, for=203.0.113.5")],
             Some("203.0.113.5")),
            // Several lines are one list, in order: the client's line first,
            // the one HAProxy's `option forwardfor` adds last.
            ("127.0.0.1", XForwardedFor, Some("127.0.0.1"),
             &[("X-Forwarded-For", "198.51.100.8"), ("X-Forwarded-For", "203.0.113.5")],
             Some("203.0.113.5")),
            ("127.0.0.1", Forwarded, Some("127.0.0.1"),
             &[("Forwarded", "for=198.51.100.7"), ("Forwarded", "for=203.0.113.5")],
             Some("203.0.113.5")),
            // Across lines, trusted hops are walked past.
            ("127.0.0.1, 10.0.0.0/8", XForwardedFor, Some("127.0.0.1"),
             &[("X-Forwarded-For", "198.51.100.8, 203.0.113.5"), ("X-Forwarded-For", "10.0.0.9")],
             Some("203.0.113.5")),
            ("127.0.0.1, 10.0.0.0/8", Forwarded, Some("127.0.0.1"),
             &[("Forwarded", "for=203.0.113.5"), ("Forwarded", "for=\"10.0.0.9:80\"")],
             Some("203.0.113.5")),
            // A quote the client leaves open does not swallow the proxy's entry.
            ("127.0.0.1", Forwarded, Some("127.0.0.1"),
             &[("Forwarded", "for=198.51.100.7;ext=\", for=203.0.113.5")],
             Some("203.0.113.5")),
            // An untrusted peer: neither header is believed.
            ("127.0.0.1", XForwardedFor, Some("203.0.113.5"),
             &[("X-Forwarded-For", "198.51.100.8"), ("Forwarded", "for=198.51.100.7")],
             Some("203.0.113.5")),
            ("127.0.0.1", Forwarded, Some("203.0.113.5"),
             &[("X-Forwarded-For", "198.51.100.8"), ("Forwarded", "for=198.51.100.7")],
             Some("203.0.113.5")),
            // Over a Unix socket: believed when `unix` is trusted, in the
            // chosen header only.
            ("unix", XForwardedFor, None,
             &[("Forwarded", "for=198.51.100.7"), ("X-Forwarded-For", "203.0.113.5")],
             Some("203.0.113.5")),
            ("unix", Forwarded, None,
             &[("X-Forwarded-For", "198.51.100.8"), ("Forwarded", "for=203.0.113.5")],
             Some("203.0.113.5")),
            ("unix", XForwardedFor, None, &[("Forwarded", "for=198.51.100.7")], None),
            ("127.0.0.1", XForwardedFor, None, &[("X-Forwarded-For", "203.0.113.5")], None),
        ];
        for (n, (trusted, header, peer, lines, wanted)) in cases.iter().enumerate() {
            assert_eq!(
                client(trusted, *header, *peer, lines),
                wanted.map(ip),
                "case {n}: trusting {trusted:?}, reading {header}, from {peer:?}, with {lines:?}"
            );
        }
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
    fn forwarded_forms_parse() {
        let proxies = "127.0.0.1, 10.0.0.0/8"
            .parse::<TrustedProxies>()
            .unwrap()
            .header(ForwardedHeader::Forwarded);
        let request = from(
            "127.0.0.1",
            &[(
                "Forwarded",
                r#"for="[2001:db8::7]:4711";proto=https, by=10.0.0.1;FOR=10.0.0.9:80"#,
            )],
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
        assert_eq!(
            err.to_string(),
            "\"300.1.1.1\" is neither an IP address, a network such as 10.0.0.0/8, nor unix"
        );
        assert_eq!(
            "10.0.0.0/33".parse::<TrustedProxies>(),
            Err(InvalidNetwork("10.0.0.0/33".into()))
        );
    }

    #[test]
    fn header_names_parse_in_any_case_and_bad_ones_are_named() {
        assert_eq!(
            " X-Forwarded-For".parse(),
            Ok(ForwardedHeader::XForwardedFor)
        );
        assert_eq!("FORWARDED".parse(), Ok(ForwardedHeader::Forwarded));
        for header in [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded] {
            assert_eq!(header.to_string().parse(), Ok(header));
        }
        let err = "x-real-ip".parse::<ForwardedHeader>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"x-real-ip\" is not a forwarding header: x-forwarded-for or forwarded"
        );
        assert_eq!(
            TrustedProxies::none().forwarded_header(),
            ForwardedHeader::XForwardedFor
        );
    }
}
