//! What the Sockets lab connects to: a built-in peer by name (as `/api/info` lists them) or a
//! `HOST:PORT` the server allows, over TCP or UDP; which protocol that peer speaks (so its replies
//! can be explained); and the bridge URL (`/ws/tcp?to=…`, `/ws/udp?to=…`) the browser opens.

use serde::Deserialize;
use url::Url;

use crate::bridge_event::Transport;
use crate::diagnostic::{Diagnostic, Location};
use crate::endpoint::echo_url_for_page;
use crate::text_position::TextPosition;

/// The protocol spoken over a connection, which decides how received bytes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// RFC 862: every byte comes back.
    Echo,
    Smtp,
    Pop3,
    Ftp,
    /// Bytes with no protocol the lab knows (FTP's data connection, any other service).
    Raw,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [Protocol::Echo, Protocol::Smtp, Protocol::Pop3, Protocol::Ftp, Protocol::Raw];

    /// The protocol by the name `/api/info` gives it (`echo`, `smtp`, `pop3`, `ftp`); anything
    /// else is [`Protocol::Raw`].
    pub fn from_name(name: &str) -> Protocol {
        match name.trim().to_ascii_lowercase().as_str() {
            "echo" => Protocol::Echo,
            "smtp" => Protocol::Smtp,
            "pop3" => Protocol::Pop3,
            "ftp" => Protocol::Ftp,
            _ => Protocol::Raw,
        }
    }

    /// The protocol usually found on a well-known port, for a `HOST:PORT` target.
    pub fn from_port(port: u16) -> Protocol {
        match port {
            7 => Protocol::Echo,
            25 | 587 | 2525 => Protocol::Smtp,
            110 => Protocol::Pop3,
            21 => Protocol::Ftp,
            _ => Protocol::Raw,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Protocol::Echo => "Echo",
            Protocol::Smtp => "SMTP",
            Protocol::Pop3 => "POP3",
            Protocol::Ftp => "FTP",
            Protocol::Raw => "Raw bytes",
        }
    }

    /// Whether the peer answers in reply lines the lab can explain.
    pub fn has_replies(self) -> bool {
        matches!(self, Protocol::Smtp | Protocol::Pop3 | Protocol::Ftp)
    }
}

/// One built-in peer as `GET /api/info` lists it under `"peers"`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Peer {
    pub name: String,
    pub protocol: String,
    pub transport: Transport,
    pub host: String,
    pub port: u16,
}

impl Peer {
    pub fn protocol(&self) -> Protocol {
        Protocol::from_name(&self.protocol)
    }
}

/// Reads the `"peers"` list of `/api/info`'s JSON (an absent list is an empty one).
pub fn peers_from_info(info_json: &str) -> Result<Vec<Peer>, Diagnostic> {
    #[derive(Deserialize)]
    struct Info {
        #[serde(default)]
        peers: Vec<Peer>,
    }
    serde_json::from_str::<Info>(info_json).map(|info| info.peers).map_err(|error| {
        let position = TextPosition::of_json_error(info_json, &error);
        // serde_json's message ends with its own " at line L column C"; the Diagnostic says where.
        let message = crate::text_position::json_error_message(&error);
        Diagnostic::at(
            Location::at_position(info_json, position),
            format!("the server's peer list is unreadable: {message}"),
        )
    })
}

/// Where the bridge connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A built-in peer, by name.
    Peer(String),
    /// An address the server allows with `--allow-connect HOST:PORT`.
    Address { host: String, port: u16 },
}

impl Target {
    /// Reads what a person typed: a built-in peer's name (one of `peer_names`, or any name while
    /// the list is empty), or `HOST:PORT` (`127.0.0.1:2525`, `[::1]:25`, `mail.example:25`).
    pub fn parse(input: &str, peer_names: &[&str]) -> Result<Target, Diagnostic> {
        let text = input.trim();
        let start = input.len() - input.trim_start().len();
        if text.is_empty() {
            return Err(Diagnostic::in_text(input, 0, "choose a peer, or type HOST:PORT"));
        }
        if let Some(name) = peer_names.iter().find(|name| name.eq_ignore_ascii_case(text)) {
            return Ok(Target::Peer((*name).to_string()));
        }
        let Some(colon) = text.rfind(':') else {
            if peer_names.is_empty() {
                // The peer list is not known (yet): the server checks the name.
                return Ok(Target::Peer(text.to_string()));
            }
            let known = if peer_names.is_empty() { "none".to_string() } else { peer_names.join(", ") };
            return Err(Diagnostic::in_text(
                input,
                start,
                format!("no built-in peer is called '{text}' (there are: {known}); for another service type HOST:PORT"),
            ));
        };
        let (host, port_text) = (&text[..colon], &text[colon + 1..]);
        let host = match host.strip_prefix('[') {
            Some(inner) => inner.strip_suffix(']').ok_or_else(|| {
                Diagnostic::in_text(input, start + colon, "an IPv6 address goes in brackets: [::1]:25")
            })?,
            None if host.contains(':') => {
                return Err(Diagnostic::in_text(input, start, "an IPv6 address goes in brackets: [::1]:25"));
            }
            None => host,
        };
        if host.is_empty() {
            return Err(Diagnostic::in_text(input, start, "the host is missing before ':'"));
        }
        let port = match port_text.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => {
                return Err(Diagnostic::in_text(
                    input,
                    start + colon + 1,
                    format!("'{port_text}' is not a port: a number from 1 to 65535"),
                ));
            }
        };
        Ok(Target::Address { host: host.to_string(), port })
    }

    /// The bridge's `to` parameter: the peer's name, or `HOST:PORT` (`[v6]:PORT`).
    pub fn query_value(&self) -> String {
        match self {
            Target::Peer(name) => name.clone(),
            Target::Address { host, port } => host_port(host, *port),
        }
    }

    /// The built-in peer this target names, reached over `transport`.
    pub fn peer<'a>(&self, peers: &'a [Peer], transport: Transport) -> Option<&'a Peer> {
        match self {
            Target::Peer(name) => peers.iter().find(|peer| &peer.name == name && peer.transport == transport),
            Target::Address { .. } => None,
        }
    }

    /// The protocol spoken there: the peer's own (its name's while the list is unknown), or the
    /// one usual on the port.
    pub fn protocol(&self, peers: &[Peer]) -> Protocol {
        match self {
            Target::Peer(name) => {
                peers.iter().find(|peer| &peer.name == name).map_or_else(|| Protocol::from_name(name), Peer::protocol)
            }
            Target::Address { port, .. } => Protocol::from_port(*port),
        }
    }

    /// The host and port a program on the server's machine would use (a peer's own address).
    pub fn socket_address(&self, peers: &[Peer], transport: Transport) -> Option<(String, u16)> {
        match self {
            Target::Peer(_) => self.peer(peers, transport).map(|peer| (peer.host.clone(), peer.port)),
            Target::Address { host, port } => Some((host.clone(), *port)),
        }
    }
}

/// `host:port`, with an IPv6 host in brackets.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// The bridge's WebSocket URL on the server that served the page (`ws:` for an `http:` page,
/// `wss:` for `https:`): `ws://HOST/ws/tcp?to=smtp`.
pub fn bridge_url(page_protocol: &str, page_host: &str, transport: Transport, target: &Target) -> String {
    let base = echo_url_for_page(page_protocol, page_host);
    match Url::parse(&base) {
        Ok(mut url) => {
            url.set_path(&format!("/ws/{}", transport.name()));
            url.query_pairs_mut().append_pair("to", &target.query_value());
            url.to_string()
        }
        Err(_) => base,
    }
}

/// The same address over HTTP, which a plain `fetch` can read: a refused bridge answers it with
/// the JSON error that a WebSocket never shows (the browser hides a failed upgrade's response).
pub fn bridge_http_url(bridge_url: &str) -> String {
    if let Some(rest) = bridge_url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = bridge_url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        bridge_url.to_string()
    }
}

/// The server's words from its JSON error shape (`{"error": "…", "status": 403}`), or a sentence
/// made from the status when the body is something else.
pub fn refusal_message(status: u16, body: &str) -> String {
    #[derive(Deserialize)]
    struct ApiError {
        error: String,
    }
    match serde_json::from_str::<ApiError>(body) {
        Ok(parsed) => format!("The server refused the connection ({status}): {}", parsed.error),
        Err(_) => format!("The server refused the connection with HTTP {status}"),
    }
}

#[cfg(test)]
#[path = "tests/target.rs"]
mod tests;
