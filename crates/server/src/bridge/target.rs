//! Where a bridge may go: `?to=` read as a built-in peer's name or as `HOST:PORT`, and checked
//! before the upgrade, so the bridge is never an open proxy.
//!
//! - A name (`echo`, `smtp`, ...) is a built-in peer, looked up in [`Peers`] for the transport.
//! - `HOST:PORT` (`[v6]:PORT` for IPv6) is resolved, and one of the addresses it resolves to must
//!   be an address an `--allow-connect` entry resolves to, a built-in peer's address, or (over
//!   TCP) a data port the FTP peer offered in a passive reply the bridge carried
//!   (`Peers::is_ftp_data_address`, noted by `ftp_watch.rs`), which the
//!   lab opens as the second connection of an FTP session. The
//!   bridge connects to that exact checked address: nothing is resolved twice, so a name whose
//!   answer changes between the check and the connection cannot slip through.
//! - Nothing is resolved for a port that no allowed entry, no peer and no FTP data port has: such a target can
//!   never be allowed, and the server should not look names up for anyone who asks.
//!
//! Refusals are the JSON error of every route: 400 for a `to` that is neither, 403 for a target
//! not allowed (naming the flag that would allow it), 502 for an allowed name that does not
//! resolve.

use std::net::{IpAddr, SocketAddr};

use axum::http::StatusCode;
use tokio::net::lookup_host;

use crate::error::ApiError;
use crate::peers::{PEER_HOST, Peers, Transport};

/// A checked destination: what the client asked for, and the one address to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    /// `?to=` as given (`echo`, `localhost:9000`), for the log.
    pub asked: String,
    pub address: SocketAddr,
}

/// `HOST:PORT` split in two: the host without brackets, the port (not 0). `None` for text that is
/// not one (no port, port 0, an IPv6 address without brackets, an empty host).
pub(crate) fn host_and_port(text: &str) -> Option<(&str, u16)> {
    let (host, port) = match text.strip_prefix('[') {
        Some(bracketed) => {
            let (host, port) = bracketed.split_once("]:")?;
            host.parse::<std::net::Ipv6Addr>().ok()?;
            (host, port)
        }
        None => {
            let (host, port) = text.rsplit_once(':')?;
            (!host.contains(':')).then_some((host, port))?
        }
    };
    let port = port.parse::<u16>().ok().filter(|port| *port != 0)?;
    (!host.is_empty() && !host.contains(char::is_whitespace)).then_some((host, port))
}

/// Checks `?to=` for `transport` against the built-in peers and the `--allow-connect` entries.
pub(crate) async fn check(
    to: &str,
    transport: Transport,
    allowed: &[String],
    peers: &Peers,
) -> Result<Target, ApiError> {
    let to = to.trim();
    let peer_names = || {
        let names: Vec<&str> =
            peers.all().iter().filter(|peer| peer.transport == transport).map(|peer| peer.name).collect();
        if names.is_empty() { "none are running".to_owned() } else { names.join(", ") }
    };
    if to.is_empty() {
        return Err(ApiError::bad_request(format!(
            "say where to connect with ?to=: a built-in peer's name ({}) or HOST:PORT",
            peer_names()
        )));
    }
    let Some((host, port)) = host_and_port(to) else {
        if to.contains(':') {
            return Err(ApiError::bad_request(format!(
                "'{to}' is not HOST:PORT (a port from 1 to 65535; an IPv6 address in brackets, as [::1]:7)"
            )));
        }
        return match peers.find(to, transport) {
            Some(peer) => Ok(Target { asked: to.to_owned(), address: peer.address }),
            None => Err(forbidden(format!(
                "there is no built-in {transport} peer called '{to}' (the {transport} peers: {}); to reach \
                 another host, give HOST:PORT and start the server with --allow-connect HOST:PORT",
                peer_names(),
                transport = transport.name()
            ))),
        };
    };

    let peer_addresses = peers.all().iter().filter(|peer| peer.transport == transport).map(|peer| peer.address);
    let entries: Vec<&String> =
        allowed.iter().filter(|entry| host_and_port(entry).is_some_and(|(_, entry_port)| entry_port == port)).collect();
    let mut permitted: Vec<SocketAddr> = peer_addresses.filter(|address| address.port() == port).collect();
    let not_allowed = |resolved: &str| {
        let listed = if allowed.is_empty() {
            "the server allows only its built-in peers".to_owned()
        } else {
            format!("allowed: {}", allowed.join(", "))
        };
        forbidden(format!(
            "the bridge may not connect to {to}{resolved}: {listed}; start the server with --allow-connect {to} \
             to allow it"
        ))
    };
    // The FTP peer's passive data ports, for the lab's data connection (TCP only).
    let ftp_data = |address: &SocketAddr| transport == Transport::Tcp && peers.is_ftp_data_address(*address);
    if entries.is_empty() && permitted.is_empty() && !ftp_data(&SocketAddr::from((PEER_HOST, port))) {
        return Err(not_allowed(""));
    }
    for entry in entries {
        // An entry that does not resolve allows nothing (it was checked as HOST:PORT at start-up).
        match lookup_host(entry.as_str()).await {
            Ok(addresses) => permitted.extend(addresses),
            Err(error) => tracing::warn!(entry, %error, "an --allow-connect entry does not resolve"),
        }
    }
    let resolved: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => match lookup_host((host, port)).await {
            Ok(addresses) => addresses.collect(),
            Err(error) => {
                return Err(ApiError::new(StatusCode::BAD_GATEWAY, format!("cannot resolve {host}: {error}")));
            }
        },
    };
    match resolved.iter().find(|address| permitted.contains(address) || ftp_data(address)) {
        Some(address) => Ok(Target { asked: to.to_owned(), address: *address }),
        None if host.parse::<IpAddr>().is_ok() => Err(not_allowed("")),
        None => {
            let addresses: Vec<String> = resolved.iter().map(SocketAddr::to_string).collect();
            Err(not_allowed(&format!(" (it resolves to {})", addresses.join(", "))))
        }
    }
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;

    #[test]
    fn host_and_port_reads_what_allow_connect_and_to_take() {
        let cases: [(&str, Option<(&str, u16)>); 12] = [
            ("localhost:9000", Some(("localhost", 9000))),
            ("127.0.0.1:7", Some(("127.0.0.1", 7))),
            ("[::1]:25", Some(("::1", 25))),
            ("mail.example.org:587", Some(("mail.example.org", 587))),
            ("echo", None),
            ("localhost", None),
            ("localhost:0", None),
            ("localhost:65536", None),
            (":80", None),
            ("::1:25", None),
            ("[nonsense]:25", None),
            ("two words:80", None),
        ];
        for (text, expected) in cases {
            assert_eq!(host_and_port(text), expected, "{text}");
        }
    }

    /// (to, --allow-connect entries) → the address connected to, or the refusal's status.
    #[tokio::test]
    async fn targets_are_allowed_only_by_an_entry_that_resolves_to_the_same_address() {
        let loopback = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
        let cases: [(&str, &[&str], Result<SocketAddr, u16>); 10] = [
            ("127.0.0.1:9000", &["127.0.0.1:9000"], Ok(loopback(9000))),
            ("localhost:9000", &["127.0.0.1:9000"], Ok(loopback(9000))),
            ("127.0.0.1:9000", &["localhost:9000"], Ok(loopback(9000))),
            ("127.0.0.2:9000", &["localhost:9000"], Err(403)),
            ("localhost:9000", &["127.0.0.2:9000"], Err(403)),
            ("127.0.0.1:9001", &["127.0.0.1:9000"], Err(403)),
            ("127.0.0.1:9000", &[], Err(403)),
            ("echo", &[], Err(403)),
            ("", &[], Err(400)),
            ("localhost:http", &["localhost:80"], Err(400)),
        ];
        let peers = Peers::none();
        for (to, allowed, expected) in cases {
            let allowed: Vec<String> = allowed.iter().map(|entry| (*entry).to_owned()).collect();
            let outcome = check(to, Transport::Tcp, &allowed, &peers).await;
            let outcome =
                outcome.map(|target| target.address).map_err(|refusal| refusal.into_response().status().as_u16());
            assert_eq!(outcome, expected, "{to} with {allowed:?}");
        }
    }
}
