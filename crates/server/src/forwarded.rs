//! `--trusted-proxy`: who sent a request that came through a proxy (deploy/nginx.conf in front
//! of several servers). `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from a peer
//! in a trusted network; from anyone else they are just headers, so a client cannot pick the
//! address `/ip` shows.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The networks whose connections are proxies: empty (the default) trusts none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// A network as `--trusted-proxy` takes it: `10.0.0.0/8`, `fd00::/8`, or one address
    /// (`127.0.0.1`, `::1`) for that host alone.
    pub fn parse_network(text: &str) -> Result<IpNet, String> {
        let text = text.trim();
        IpNet::from_str(text).or_else(|_| IpAddr::from_str(text).map(IpNet::from)).map_err(|_| {
            format!("'{text}' is not an IP address or network (examples: 127.0.0.1, 10.0.0.0/8, fd00::/8)")
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `address` is in a trusted network (an IPv4-mapped IPv6 address as its IPv4 self).
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client's address. From a trusted peer, `X-Forwarded-For` is read from the right (the
    /// hop nearest this server): each trusted address passes the question one hop further out,
    /// and the first address not trusted is the client. An entry that is not an address stops
    /// the walk at the hop that forwarded it, since nothing further out can be believed.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for hop in hops.into_iter().rev() {
            if !self.trusts(client) {
                break;
            }
            match forwarded_address(hop) {
                Some(address) => client = address,
                None => break,
            }
        }
        client
    }

    /// The scheme the client used, from a trusted peer's `X-Forwarded-Proto` (its last value:
    /// what the nearest proxy said); `None` if the peer is not trusted or the value is not
    /// `http` or `https`.
    pub fn scheme(&self, peer: IpAddr, headers: &HeaderMap) -> Option<&'static str> {
        if !self.trusts(peer) {
            return None;
        }
        let value = headers.get_all("x-forwarded-proto").iter().rev().find_map(|value| value.to_str().ok())?;
        match value.rsplit(',').next()?.trim().to_ascii_lowercase().as_str() {
            "http" => Some("http"),
            "https" => Some("https"),
            _ => None,
        }
    }
}

/// One `X-Forwarded-For` entry as an address: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]`,
/// or either with a port (`203.0.113.7:51000`, `[2001:db8::1]:51000`), as some proxies write it.
fn forwarded_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(address) = IpAddr::from_str(hop) {
        return Some(address.to_canonical());
    }
    if let Some(bracketed) = hop.strip_prefix('[') {
        let (inside, _port) = bracketed.split_once(']')?;
        return IpAddr::from_str(inside).ok().map(|address| address.to_canonical());
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn trusted(networks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            networks.iter().map(|text| TrustedProxies::parse_network(text).expect("a network")).collect(),
        )
    }

    fn headers(name: &str, values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                axum::http::HeaderName::from_str(name).expect("a name"),
                HeaderValue::from_str(value).expect("a value"),
            );
        }
        headers
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        // (trusted networks, peer, X-Forwarded-For lines, the client)
        let cases: &[(&[&str], &str, &[&str], &str)] = &[
            // No trusted proxy: the header is ignored.
            (&[], "127.0.0.1", &["203.0.113.7"], "127.0.0.1"),
            // A peer that is not trusted cannot choose its address.
            (&["10.0.0.0/8"], "198.51.100.9", &["203.0.113.7"], "198.51.100.9"),
            // nginx on loopback, one hop.
            (&["127.0.0.1"], "127.0.0.1", &["203.0.113.7"], "203.0.113.7"),
            // The client sent a forged entry; nginx appended the real address after it.
            (&["127.0.0.1"], "127.0.0.1", &["6.6.6.6, 203.0.113.7"], "203.0.113.7"),
            // Two trusted proxies.
            (&["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", &["203.0.113.7, 10.1.2.3"], "203.0.113.7"),
            // The same, as two header lines.
            (&["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", &["203.0.113.7", "10.1.2.3"], "203.0.113.7"),
            // Every hop trusted: the furthest one.
            (&["10.0.0.0/8"], "10.0.0.1", &["10.9.9.9, 10.1.1.1"], "10.9.9.9"),
            // Trusted peer, no header: the peer.
            (&["127.0.0.1"], "127.0.0.1", &[], "127.0.0.1"),
            // Not an address: the walk stops at the hop that forwarded it.
            (&["127.0.0.1"], "127.0.0.1", &["unknown"], "127.0.0.1"),
            (&["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", &["203.0.113.7, garbage, 10.1.2.3"], "10.1.2.3"),
            (&["127.0.0.1"], "127.0.0.1", &[""], "127.0.0.1"),
            // With ports, IPv6, brackets.
            (&["127.0.0.1"], "127.0.0.1", &["203.0.113.7:51000"], "203.0.113.7"),
            (&["::1"], "::1", &["2001:db8::7"], "2001:db8::7"),
            (&["::1"], "::1", &["[2001:db8::7]:443"], "2001:db8::7"),
            (&["127.0.0.1"], "127.0.0.1", &["  203.0.113.7  "], "203.0.113.7"),
            // An IPv4-mapped peer counts as its IPv4 address.
            (&["127.0.0.1"], "::ffff:127.0.0.1", &["203.0.113.7"], "203.0.113.7"),
            (&["127.0.0.1"], "127.0.0.1", &["::ffff:203.0.113.7"], "203.0.113.7"),
        ];
        for (networks, peer, lines, expected) in cases {
            let peer: IpAddr = peer.parse().expect("a peer");
            let client = trusted(networks).client(peer, &headers("x-forwarded-for", lines));
            assert_eq!(client.to_string(), *expected, "trusted {networks:?}, peer {peer}, X-Forwarded-For {lines:?}");
        }
    }

    #[test]
    fn the_scheme_comes_only_from_a_trusted_peer() {
        // (trusted networks, peer, X-Forwarded-Proto lines, the scheme)
        type Case = (&'static [&'static str], &'static str, &'static [&'static str], Option<&'static str>);
        let cases: &[Case] = &[
            (&[], "127.0.0.1", &["https"], None),
            (&["127.0.0.1"], "127.0.0.1", &["https"], Some("https")),
            (&["127.0.0.1"], "127.0.0.1", &["HTTP"], Some("http")),
            (&["127.0.0.1"], "127.0.0.1", &["http, https"], Some("https")),
            (&["127.0.0.1"], "127.0.0.1", &["https", "http"], Some("http")),
            (&["127.0.0.1"], "127.0.0.1", &["gopher"], None),
            (&["127.0.0.1"], "127.0.0.1", &[], None),
            (&["127.0.0.1"], "198.51.100.9", &["https"], None),
        ];
        for (networks, peer, lines, expected) in cases {
            let peer: IpAddr = peer.parse().expect("a peer");
            let scheme = trusted(networks).scheme(peer, &headers("x-forwarded-proto", lines));
            assert_eq!(scheme, *expected, "trusted {networks:?}, peer {peer}, X-Forwarded-Proto {lines:?}");
        }
    }

    #[test]
    fn networks_parse_as_the_flag_takes_them() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("127.0.0.1", Ok("127.0.0.1/32")),
            ("10.0.0.0/8", Ok("10.0.0.0/8")),
            ("::1", Ok("::1/128")),
            ("fd00::/8", Ok("fd00::/8")),
            (" 192.168.0.0/16 ", Ok("192.168.0.0/16")),
            ("10.0.0.0/33", Err("is not an IP address or network")),
            ("localhost", Err("is not an IP address or network")),
            ("", Err("is not an IP address or network")),
        ];
        for (text, expected) in cases {
            match (TrustedProxies::parse_network(text), expected) {
                (Ok(network), Ok(shown)) => assert_eq!(network.to_string(), *shown, "{text:?}"),
                (Err(error), Err(part)) => assert!(error.contains(part), "{text:?}: {error}"),
                (got, _) => panic!("{text:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }
}
