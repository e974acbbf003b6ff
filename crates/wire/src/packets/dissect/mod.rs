//! One captured packet taken apart layer by layer into the Formats lab's model, as Wireshark's
//! packet details pane shows it: a document whose top-level keys are the layers (`ethernet`,
//! `ipv4`, `tcp`, `http`, …) and a byte map whose spans say what each byte is (`header checksum
//! 0xb1e6 (correct)`, `flags 0x012: SYN, ACK`). Checksums are verified and say what they should
//! be when wrong. Bytes that end early or break a rule stop the walk with a [`FormatError`] at
//! that byte; everything before it stays in the document and the map.
//!
//! - `cursor.rs`: the walk every layer shares (take bytes, name them in both at once).
//! - `link.rs`: Ethernet (+VLAN tags), Linux cooked SLL/SLL2, BSD loopback, ARP.
//! - `network.rs`: IPv4, IPv6 (+extension headers), ICMP and ICMPv6.
//! - `transport.rs`: TCP (flags, options) and UDP.
//! - `application.rs`: DNS, HTTP/1.x heads, WebSocket frames, TLS records, MQTT packets.
//!
//! Header layouts follow the RFCs (791, 8200, 9293, 768, 792, 4443, 1035); etherparse's
//! one's-complement sum computes the checksums.

mod application;
mod cursor;
mod link;
mod network;
mod transport;

pub use application::{AppProtocol, dns_name, dns_type_name, looks_like_http};
pub use link::{arp_opcode_name, ether_type_name, mac_text};
pub use network::{icmp_type_name, icmpv6_type_name, ip_protocol_name, ipv4_text, ipv6_text};
pub use transport::tcp_flag_names;

use crate::formats::{ByteMap, FormatError, Node, Path, Value};
use cursor::{Cursor, Walk, bytes_count};
use pcap_file::DataLink;

/// A packet's layers as a document and a byte map, and the error that stopped the walk, if any
/// (the same shape as [`crate::tls::dissect::Dissection`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Dissection {
    /// `{ethernet: {…}, ipv4: {…}, tcp: {…}, http: {…}}`: one key per layer, in order.
    pub document: Node,
    pub map: ByteMap,
    /// Where the bytes stopped making sense, or ended early; the document and map hold what came before.
    pub error: Option<FormatError>,
}

/// What the capture knows about the packet's stream that the packet alone does not say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamHint {
    /// The TCP stream switched to WebSocket (an HTTP 101 answer was seen earlier).
    pub websocket: bool,
}

/// Reads `bytes`, a frame of link type `link`, layer by layer: see the module documentation.
pub fn dissect_frame(link: DataLink, bytes: &[u8]) -> Dissection {
    dissect_frame_with(link, bytes, StreamHint::default())
}

/// [`dissect_frame`] with what the capture knows about the packet's stream.
pub fn dissect_frame_with(link: DataLink, bytes: &[u8], hint: StreamHint) -> Dissection {
    let mut cursor = Cursor::new(bytes);
    let result = frame(&mut cursor, link, hint);
    let (document, map) = cursor.finish();
    Dissection { document, map, error: result.err() }
}

/// The path to light for `selected`: the field itself when it has bytes of its own, else the
/// nearest field around it that has (a flag's byte is its flags byte).
pub fn lit_path(map: &ByteMap, selected: &Path) -> Path {
    crate::mqtt::lit_path(map, selected)
}

/// Whether the link type is one [`dissect_frame`] reads (others are shown as bytes).
pub fn is_known_link(link: DataLink) -> bool {
    matches!(
        link,
        DataLink::ETHERNET
            | DataLink::RAW
            | DataLink::IPV4
            | DataLink::IPV6
            | DataLink::NULL
            | DataLink::LOOP
            | DataLink::LINUX_SLL
            | DataLink::LINUX_SLL2
    )
}

fn frame(cursor: &mut Cursor, link: DataLink, hint: StreamHint) -> Walk {
    let ether_type = match link {
        DataLink::ETHERNET => link::ethernet(cursor)?,
        DataLink::LINUX_SLL => link::linux_sll(cursor)?,
        DataLink::LINUX_SLL2 => link::linux_sll2(cursor)?,
        DataLink::NULL => link::loopback(cursor, false)?,
        DataLink::LOOP => link::loopback(cursor, true)?,
        DataLink::IPV4 => link::ETHERTYPE_IPV4,
        DataLink::IPV6 => link::ETHERTYPE_IPV6,
        DataLink::RAW => match cursor.u8_at(0) >> 4 {
            6 => link::ETHERTYPE_IPV6,
            _ => link::ETHERTYPE_IPV4,
        },
        other => {
            cursor.rest("data", |len| format!("{}, link type {other:?} (not read)", bytes_count(len)))?;
            return Ok(());
        }
    };
    match ether_type {
        link::ETHERTYPE_IPV4 | link::ETHERTYPE_IPV6 => ip(cursor, ether_type == link::ETHERTYPE_IPV6, hint)?,
        link::ETHERTYPE_ARP => link::arp(cursor)?,
        _ => {}
    }
    if cursor.remaining() > 0 {
        let what = if cursor.map.is_empty() { "data" } else { "trailer" };
        cursor.rest(what, |len| {
            format!(
                "{}, not read ({})",
                bytes_count(len),
                if what == "trailer" { "Ethernet padding or bytes past the IP length" } else { "an unknown protocol" }
            )
        })?;
    }
    Ok(())
}

fn ip(cursor: &mut Cursor, version6: bool, hint: StreamHint) -> Walk {
    let payload = if version6 { network::ipv6(cursor)? } else { network::ipv4(cursor)? };
    let len = payload.end.saturating_sub(cursor.pos);
    cursor.within(len, "the IP length", |cursor| {
        if payload.later_fragment {
            cursor.rest("fragment", |len| format!("a later fragment of an IP packet, {}", bytes_count(len)))?;
            return Ok(());
        }
        let transport = match payload.protocol {
            6 => Some(transport::tcp(cursor, &payload)?),
            17 => Some(transport::udp(cursor, &payload)?),
            1 if !version6 => {
                network::icmp(cursor, &payload, false)?;
                None
            }
            58 if version6 => {
                network::icmp(cursor, &payload, true)?;
                None
            }
            _ => None,
        };
        if let Some(transport) = transport {
            let tcp = payload.protocol == 6;
            let len = transport.payload_end.saturating_sub(cursor.pos);
            cursor.within(len, "the payload", |cursor| {
                let bytes = cursor.slice(cursor.pos, cursor.remaining());
                let ports = (transport.source_port, transport.destination_port);
                match AppProtocol::guess(tcp, ports, bytes, hint.websocket) {
                    Some(protocol) => application::read(cursor, protocol, tcp),
                    None if cursor.remaining() > 0 => {
                        cursor.rest("payload", |len| format!("payload, {}", bytes_count(len))).map(|_| ())
                    }
                    None => Ok(()),
                }
            })?;
        }
        if cursor.remaining() > 0 {
            cursor.rest("data", |len| format!("data, {}", bytes_count(len)))?;
        }
        Ok(())
    })
}

/// The value at `path` of a dissection's document as text (`"10.0.0.1"`, `"80"`), for tests
/// and views that read single fields.
pub fn field_text(document: &Node, path: &str) -> Option<String> {
    let mut node = document;
    for key in path.split('.') {
        node = match (key.parse::<usize>(), &node.value) {
            (Ok(index), Value::Array(items)) => items.get(index)?,
            (_, Value::Map(entries)) => &entries.iter().find(|entry| entry.key == key)?.value,
            _ => return None,
        };
    }
    Some(match &node.value {
        Value::String(text) => text.clone(),
        Value::Integer(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Bytes(bytes) => bytes.iter().map(|byte| format!("{byte:02x}")).collect(),
        Value::Float(number) => number.to_string(),
        Value::Null => "null".to_string(),
        Value::Array(items) => format!("{} items", items.len()),
        Value::Map(entries) => format!("{} fields", entries.len()),
    })
}
