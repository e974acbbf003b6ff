//! The network layer: IPv4 (header checksum verified), IPv6 with its extension headers, and the
//! ICMP messages that ride on them.

use super::cursor::{Cursor, Walk, bytes_count, checksum_verdict, internet_checksum};
use crate::formats::{Role, Value};

/// What the transport layer needs from the IP header: the protocol, the addresses for the
/// checksum's pseudo-header, and where the IP payload ends.
pub(super) struct IpPayload {
    pub protocol: u8,
    /// Source then destination address bytes (4 or 16 each).
    pub source: Vec<u8>,
    pub destination: Vec<u8>,
    /// The frame offset where the IP payload ends (the header's length, cut to the bytes given).
    pub end: usize,
    /// Whether the bytes hold the whole payload the header announces.
    pub whole: bool,
    /// A fragment other than the first: its bytes are not a transport header.
    pub later_fragment: bool,
}

pub fn ipv4_text(bytes: &[u8]) -> String {
    match bytes {
        [a, b, c, d] => format!("{a}.{b}.{c}.{d}"),
        _ => String::new(),
    }
}

pub fn ipv6_text(bytes: &[u8]) -> String {
    match <[u8; 16]>::try_from(bytes) {
        Ok(octets) => std::net::Ipv6Addr::from(octets).to_string(),
        Err(_) => String::new(),
    }
}

/// `TCP`, `UDP`, `ICMP`, ... for an IP protocol number.
pub fn ip_protocol_name(protocol: u8) -> &'static str {
    match protocol {
        0 => "IPv6 hop-by-hop options",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPv4 in IP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6 in IP",
        43 => "IPv6 routing header",
        44 => "IPv6 fragment header",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        59 => "no next header",
        60 => "IPv6 destination options",
        132 => "SCTP",
        _ => "unknown",
    }
}

fn address(cursor: &mut Cursor, key: &str, len: usize) -> Walk<Vec<u8>> {
    let at = cursor.take(len, key)?;
    let bytes = cursor.slice(at, len).to_vec();
    let text = if len == 4 { ipv4_text(&bytes) } else { ipv6_text(&bytes) };
    cursor.put(key, at, len, Role::Value, Value::String(text.clone()), format!("{key} {text}"));
    Ok(bytes)
}

pub(super) fn ipv4(cursor: &mut Cursor) -> Walk<IpPayload> {
    let start = cursor.pos;
    cursor.group("ipv4", |cursor| {
        let first = cursor.bits(
            "version_and_length",
            1,
            |byte| format!("version {} · header length {} bytes ({})", byte >> 4, (byte & 0xf) * 4, byte & 0xf),
            |byte| {
                vec![
                    ("version", Value::Integer(i128::from(byte >> 4))),
                    ("header_length", Value::Integer(i128::from((byte & 0xf) * 4))),
                ]
            },
        )?;
        if first >> 4 != 4 {
            return Err(cursor.error_at(start, format!("version {} where IPv4's header says 4", first >> 4)));
        }
        let header_len = (first as usize & 0xf) * 4;
        if header_len < 20 {
            return Err(cursor.error_at(start, format!("a header length of {header_len} bytes: IPv4's is at least 20")));
        }
        cursor.bits(
            "dsfield",
            1,
            |byte| format!("DSCP {} · ECN {}", byte >> 2, byte & 3),
            |byte| vec![("dscp", Value::Integer(i128::from(byte >> 2))), ("ecn", Value::Integer(i128::from(byte & 3)))],
        )?;
        let total_len = cursor
            .uint("total_length", 2, Role::Length, |len| format!("total length {len} (header and payload)"))?
            as usize;
        cursor.uint("identification", 2, Role::Value, |id| format!("identification 0x{id:04x} ({id})"))?;
        let flags = cursor.bits(
            "flags",
            2,
            |word| {
                let mut names = Vec::new();
                if word & 0x8000 != 0 {
                    names.push("reserved bit set");
                }
                if word & 0x4000 != 0 {
                    names.push("don't fragment");
                }
                if word & 0x2000 != 0 {
                    names.push("more fragments");
                }
                let names = if names.is_empty() { "none".to_string() } else { names.join(", ") };
                format!("flags: {names} · fragment offset {} bytes", (word & 0x1fff) * 8)
            },
            |word| {
                vec![
                    ("reserved", Value::Bool(word & 0x8000 != 0)),
                    ("dont_fragment", Value::Bool(word & 0x4000 != 0)),
                    ("more_fragments", Value::Bool(word & 0x2000 != 0)),
                    ("fragment_offset", Value::Integer(i128::from((word & 0x1fff) * 8))),
                ]
            },
        )?;
        cursor.uint("ttl", 1, Role::Value, |ttl| format!("time to live {ttl}"))?;
        let protocol =
            cursor.uint("protocol", 1, Role::Header, |p| format!("protocol {p}: {}", ip_protocol_name(p as u8)))? as u8;
        let checksum_at = cursor.take(2, "header_checksum")?;
        let found = cursor.u16_at(checksum_at);
        let verdict = if start + header_len <= cursor.end {
            let header = cursor.slice(start, header_len);
            checksum_verdict(found, internet_checksum(&[&header[..10], &header[12..]]))
        } else {
            format!("0x{found:04x} (not checked: the header is cut short)")
        };
        cursor.checksum("header_checksum", checksum_at, verdict);
        let source = address(cursor, "source", 4)?;
        let destination = address(cursor, "destination", 4)?;
        if header_len > 20 {
            cursor.within(header_len - 20, "the header length", |cursor| {
                cursor.rest("options", |len| format!("IP options, {}", bytes_count(len))).map(|_| ())
            })?;
        }
        if total_len < header_len {
            return Err(cursor.error_at(
                start + 2,
                format!("a total length of {total_len} is shorter than the header ({header_len})"),
            ));
        }
        let announced_end = start + total_len;
        let end = announced_end.min(cursor.end);
        Ok(IpPayload {
            protocol,
            source,
            destination,
            end,
            whole: announced_end <= cursor.end,
            later_fragment: flags & 0x1fff != 0,
        })
    })
}

pub(super) fn ipv6(cursor: &mut Cursor) -> Walk<IpPayload> {
    let start = cursor.pos;
    cursor.group("ipv6", |cursor| {
        let word = cursor.bits(
            "version_class_flow",
            4,
            |word| {
                format!(
                    "version {} · traffic class 0x{:02x} · flow label 0x{:05x}",
                    word >> 28,
                    (word >> 20) & 0xff,
                    word & 0xfffff
                )
            },
            |word| {
                vec![
                    ("version", Value::Integer(i128::from(word >> 28))),
                    ("traffic_class", Value::Integer(i128::from((word >> 20) & 0xff))),
                    ("flow_label", Value::Integer(i128::from(word & 0xfffff))),
                ]
            },
        )?;
        if word >> 28 != 6 {
            return Err(cursor.error_at(start, format!("version {} where IPv6's header says 6", word >> 28)));
        }
        let payload_len =
            cursor.uint("payload_length", 2, Role::Length, |len| format!("payload length {len}"))? as usize;
        let mut next = cursor
            .uint("next_header", 1, Role::Header, |p| format!("next header {p}: {}", ip_protocol_name(p as u8)))?
            as u8;
        cursor.uint("hop_limit", 1, Role::Value, |hops| format!("hop limit {hops}"))?;
        let source = address(cursor, "source", 16)?;
        let destination = address(cursor, "destination", 16)?;
        let announced_end = cursor.pos + payload_len;
        let mut later_fragment = false;
        if matches!(next, 0 | 43 | 44 | 60) {
            cursor.list("extension_headers", |cursor| {
                while matches!(next, 0 | 43 | 44 | 60) {
                    let kind = next;
                    next = cursor.group(ip_protocol_name(kind), |cursor| {
                        let following = cursor.uint("next_header", 1, Role::Header, |p| {
                            format!("next header {p}: {}", ip_protocol_name(p as u8))
                        })? as u8;
                        if kind == 44 {
                            cursor.uint("reserved", 1, Role::Header, |value| format!("reserved {value}"))?;
                            let offset = cursor.uint("fragment", 2, Role::Header, |word| {
                                format!("fragment offset {} bytes · more fragments {}", (word >> 3) * 8, word & 1)
                            })?;
                            later_fragment = offset >> 3 != 0;
                            cursor.uint("identification", 4, Role::Value, |id| format!("identification 0x{id:08x}"))?;
                        } else {
                            let len = cursor
                                .uint("length", 1, Role::Length, |len| format!("length {} bytes", (len + 1) * 8))?
                                as usize;
                            cursor.within((len + 1) * 8 - 2, "the extension header", |cursor| {
                                cursor.rest("data", |len| format!("options, {}", bytes_count(len))).map(|_| ())
                            })?;
                        }
                        Ok(following)
                    })?;
                }
                Ok(())
            })?;
        }
        let end = announced_end.min(cursor.end);
        Ok(IpPayload { protocol: next, source, destination, end, whole: announced_end <= cursor.end, later_fragment })
    })
}

/// ICMP type names (RFC 792 and the later ones still seen).
pub fn icmp_type_name(kind: u8) -> &'static str {
    match kind {
        0 => "Echo (ping) reply",
        3 => "Destination unreachable",
        4 => "Source quench",
        5 => "Redirect",
        8 => "Echo (ping) request",
        9 => "Router advertisement",
        10 => "Router solicitation",
        11 => "Time-to-live exceeded",
        12 => "Parameter problem",
        13 => "Timestamp request",
        14 => "Timestamp reply",
        _ => "unknown",
    }
}

pub fn icmpv6_type_name(kind: u8) -> &'static str {
    match kind {
        1 => "Destination Unreachable",
        2 => "Packet Too Big",
        3 => "Time Exceeded",
        4 => "Parameter Problem",
        128 => "Echo (ping) request",
        129 => "Echo (ping) reply",
        133 => "Router Solicitation",
        134 => "Router Advertisement",
        135 => "Neighbor Solicitation",
        136 => "Neighbor Advertisement",
        137 => "Redirect",
        143 => "Multicast Listener Report Message v2",
        _ => "unknown",
    }
}

/// An ICMP (v4) or ICMPv6 message over `ip`; the checksum is checked when every byte is there.
pub(super) fn icmp(cursor: &mut Cursor, ip: &IpPayload, version6: bool) -> Walk {
    let start = cursor.pos;
    let key = if version6 { "icmpv6" } else { "icmp" };
    cursor.group(key, |cursor| {
        let kind = cursor.uint("type", 1, Role::Header, |kind| {
            let name = if version6 { icmpv6_type_name(kind as u8) } else { icmp_type_name(kind as u8) };
            format!("type {kind}: {name}")
        })? as u8;
        cursor.uint("code", 1, Role::Header, |code| format!("code {code}"))?;
        let checksum_at = cursor.take(2, "checksum")?;
        let found = cursor.u16_at(checksum_at);
        let verdict = if ip.whole {
            let message = cursor.slice(start, cursor.end - start);
            let expected = if version6 {
                let len = (message.len() as u32).to_be_bytes();
                internet_checksum(&[&ip.source, &ip.destination, &len, &[0, 0, 0, 58], &message[..2], &message[4..]])
            } else {
                internet_checksum(&[&message[..2], &message[4..]])
            };
            checksum_verdict(found, expected)
        } else {
            format!("0x{found:04x} (not checked: the capture cut the message short)")
        };
        cursor.checksum("checksum", checksum_at, verdict);
        let echo = if version6 { matches!(kind, 128 | 129) } else { matches!(kind, 0 | 8) };
        if echo {
            cursor.uint("identifier", 2, Role::Value, |id| format!("identifier 0x{id:04x} ({id})"))?;
            cursor.uint("sequence", 2, Role::Value, |seq| format!("sequence number {seq}"))?;
        } else {
            cursor.uint("rest_of_header", 4, Role::Value, |word| format!("rest of the header 0x{word:08x}"))?;
        }
        if cursor.remaining() > 0 {
            cursor.rest("data", |len| format!("data, {}", bytes_count(len)))?;
        }
        Ok(())
    })
}
