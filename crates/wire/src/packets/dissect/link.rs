//! The link layers a capture starts with (Ethernet with 802.1Q/802.1ad tags, Linux cooked
//! captures SLL and SLL2, BSD loopback) and ARP, each returning the EtherType of what follows.

use super::cursor::{Cursor, Walk};
use crate::formats::{Role, Value};

pub(super) const ETHERTYPE_IPV4: u16 = 0x0800;
pub(super) const ETHERTYPE_ARP: u16 = 0x0806;
pub(super) const ETHERTYPE_VLAN: u16 = 0x8100;
pub(super) const ETHERTYPE_QINQ: u16 = 0x88a8;
pub(super) const ETHERTYPE_IPV6: u16 = 0x86dd;

/// `IPv4`, `ARP`, `IPv6`, `802.1Q VLAN`, or `unknown`.
pub fn ether_type_name(ether_type: u16) -> &'static str {
    match ether_type {
        ETHERTYPE_IPV4 => "IPv4",
        ETHERTYPE_ARP => "ARP",
        ETHERTYPE_IPV6 => "IPv6",
        ETHERTYPE_VLAN => "802.1Q VLAN",
        ETHERTYPE_QINQ => "802.1ad VLAN",
        0x88cc => "LLDP",
        0x8863 | 0x8864 => "PPPoE",
        0x8847 | 0x8848 => "MPLS",
        _ => "unknown",
    }
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac_text(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            text.push(':');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

fn mac_field(cursor: &mut Cursor, key: &str, what: &str) -> Walk {
    cursor.field(
        key,
        6,
        Role::Value,
        |bytes| Value::String(mac_text(bytes)),
        |value| match value {
            Value::String(text) if text == "ff:ff:ff:ff:ff:ff" => format!("{what} {text} (broadcast)"),
            Value::String(text) => format!("{what} {text}"),
            _ => what.to_string(),
        },
    )?;
    Ok(())
}

fn ether_type_field(cursor: &mut Cursor, key: &str) -> Walk<u16> {
    let ether_type = cursor.uint(key, 2, Role::Header, |value| {
        let value = value as u16;
        if value <= 1500 {
            format!("length {value} (an 802.3 frame: the type comes from LLC)")
        } else {
            format!("EtherType 0x{value:04x} {}", ether_type_name(value))
        }
    })?;
    Ok(ether_type as u16)
}

/// An Ethernet II header and the VLAN tags after it; returns the EtherType of the payload.
pub(super) fn ethernet(cursor: &mut Cursor) -> Walk<u16> {
    cursor.group("ethernet", |cursor| {
        mac_field(cursor, "destination", "destination")?;
        mac_field(cursor, "source", "source")?;
        let mut ether_type = ether_type_field(cursor, "ether_type")?;
        if matches!(ether_type, ETHERTYPE_VLAN | ETHERTYPE_QINQ) {
            cursor.list("vlan", |cursor| {
                while matches!(ether_type, ETHERTYPE_VLAN | ETHERTYPE_QINQ) {
                    ether_type = cursor.group("tag", |cursor| {
                        cursor.bits(
                            "tci",
                            2,
                            |tci| format!("priority {} · DEI {} · VLAN {}", tci >> 13, (tci >> 12) & 1, tci & 0x0fff),
                            |tci| {
                                vec![
                                    ("priority", Value::Integer(i128::from(tci >> 13))),
                                    ("drop_eligible", Value::Bool((tci >> 12) & 1 == 1)),
                                    ("vlan_id", Value::Integer(i128::from(tci & 0x0fff))),
                                ]
                            },
                        )?;
                        ether_type_field(cursor, "ether_type")
                    })?;
                }
                Ok(())
            })?;
        }
        Ok(ether_type)
    })
}

/// `ARPHRD_*` names of the hardware types Linux cooked captures carry.
fn arphrd_name(kind: u16) -> &'static str {
    match kind {
        1 => "Ethernet",
        772 => "loopback",
        776 => "IPv6-in-IPv4",
        778 => "IP GRE",
        65534 => "none (tunnel)",
        _ => "other",
    }
}

fn sll_packet_type_name(kind: u16) -> &'static str {
    match kind {
        0 => "to us",
        1 => "broadcast",
        2 => "multicast",
        3 => "to another host",
        4 => "sent by us",
        _ => "unknown",
    }
}

fn sll_address(cursor: &mut Cursor, declared: usize) -> Walk {
    let shown = declared.min(8);
    cursor.field(
        "address",
        8,
        Role::Value,
        |bytes| Value::String(mac_text(&bytes[..shown.min(bytes.len())])),
        |value| match value {
            Value::String(text) => format!("link-layer address {text} ({} of 8 bytes used)", shown),
            _ => String::new(),
        },
    )?;
    Ok(())
}

/// A Linux cooked capture header, version 1 (16 bytes); returns the protocol (an EtherType).
pub(super) fn linux_sll(cursor: &mut Cursor) -> Walk<u16> {
    cursor.group("linux_sll", |cursor| {
        cursor.uint("packet_type", 2, Role::Header, |kind| {
            format!("packet type {kind}: {}", sll_packet_type_name(kind as u16))
        })?;
        cursor.uint("hardware_type", 2, Role::Header, |kind| format!("ARPHRD {kind}: {}", arphrd_name(kind as u16)))?;
        let declared = cursor.uint("address_length", 2, Role::Length, |len| format!("address length {len}"))?;
        sll_address(cursor, declared as usize)?;
        ether_type_field(cursor, "protocol")
    })
}

/// A Linux cooked capture header, version 2 (20 bytes); returns the protocol (an EtherType).
pub(super) fn linux_sll2(cursor: &mut Cursor) -> Walk<u16> {
    cursor.group("linux_sll2", |cursor| {
        let protocol = ether_type_field(cursor, "protocol")?;
        cursor.uint("reserved", 2, Role::Header, |value| format!("reserved {value}"))?;
        cursor.uint("interface_index", 4, Role::Value, |index| format!("interface index {index}"))?;
        cursor.uint("hardware_type", 2, Role::Header, |kind| format!("ARPHRD {kind}: {}", arphrd_name(kind as u16)))?;
        cursor.uint("packet_type", 1, Role::Header, |kind| {
            format!("packet type {kind}: {}", sll_packet_type_name(kind as u16))
        })?;
        let declared = cursor.uint("address_length", 1, Role::Length, |len| format!("address length {len}"))?;
        sll_address(cursor, declared as usize)?;
        Ok(protocol)
    })
}

/// A BSD loopback header: the address family in 4 bytes, in the capturing host's byte order
/// (`DLT_NULL`) or big-endian (`DLT_LOOP`). Returns the EtherType it means (0 when unknown).
pub(super) fn loopback(cursor: &mut Cursor, big_endian: bool) -> Walk<u16> {
    cursor.group("loopback", |cursor| {
        let at = cursor.take(4, "the address family")?;
        let raw = cursor.slice(at, 4);
        let family = match (big_endian, raw) {
            (true, [a, b, c, d]) => u32::from_be_bytes([*a, *b, *c, *d]),
            // DLT_NULL's family is in host order: a small number is read the way that keeps it small.
            (false, [a, b, c, d]) => {
                let little = u32::from_le_bytes([*a, *b, *c, *d]);
                if little <= 0xffff { little } else { u32::from_be_bytes([*a, *b, *c, *d]) }
            }
            _ => 0,
        };
        let (name, ether_type) = match family {
            2 => ("IPv4", ETHERTYPE_IPV4),
            24 | 28 | 30 => ("IPv6", ETHERTYPE_IPV6),
            _ => ("unknown", 0),
        };
        cursor.put(
            "family",
            at,
            4,
            Role::Header,
            Value::Integer(i128::from(family)),
            format!("address family {family}: {name}"),
        );
        Ok(ether_type)
    })
}

/// An ARP packet for Ethernet and IPv4 (other sizes are shown as bytes).
pub(super) fn arp(cursor: &mut Cursor) -> Walk {
    cursor.group("arp", |cursor| {
        cursor.uint("hardware_type", 2, Role::Header, |kind| {
            format!("hardware type {kind}{}", if kind == 1 { " (Ethernet)" } else { "" })
        })?;
        let protocol = cursor.uint("protocol_type", 2, Role::Header, |kind| {
            format!("protocol type 0x{kind:04x} {}", ether_type_name(kind as u16))
        })?;
        let hardware_len =
            cursor.uint("hardware_size", 1, Role::Length, |len| format!("hardware address size {len}"))? as usize;
        let protocol_len =
            cursor.uint("protocol_size", 1, Role::Length, |len| format!("protocol address size {len}"))? as usize;
        cursor.uint("opcode", 2, Role::Header, |op| format!("opcode {op}: {}", arp_opcode_name(op as u16)))?;
        let ipv4 = protocol as u16 == ETHERTYPE_IPV4 && protocol_len == 4;
        for (key, len, is_hardware) in [
            ("sender_mac", hardware_len, true),
            ("sender_ip", protocol_len, false),
            ("target_mac", hardware_len, true),
            ("target_ip", protocol_len, false),
        ] {
            cursor.field(
                key,
                len,
                Role::Value,
                |bytes| match (is_hardware, ipv4) {
                    (true, _) => Value::String(mac_text(bytes)),
                    (false, true) => Value::String(super::network::ipv4_text(bytes)),
                    (false, false) => Value::Bytes(bytes.to_vec()),
                },
                |value| match value {
                    Value::String(text) => format!("{} {text}", key.replace('_', " ")),
                    _ => key.replace('_', " "),
                },
            )?;
        }
        Ok(())
    })
}

pub fn arp_opcode_name(op: u16) -> &'static str {
    match op {
        1 => "request",
        2 => "reply",
        3 => "RARP request",
        4 => "RARP reply",
        _ => "unknown",
    }
}
