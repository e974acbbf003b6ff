//! TCP (flags, options, checksum over the pseudo-header) and UDP (length, checksum), each
//! returning its ports and where its payload is.

use super::cursor::{Cursor, Walk, bytes_count, checksum_verdict, internet_checksum};
use super::network::IpPayload;
use crate::formats::{Role, Value};

/// The ports and payload a transport header leaves for the layer above.
pub(super) struct Transport {
    pub source_port: u16,
    pub destination_port: u16,
    /// Where the payload ends in the frame (it starts where the header ends).
    pub payload_end: usize,
}

/// The pseudo-header TCP and UDP checksums cover, then the segment itself (its checksum field
/// left out by the caller).
fn transport_checksum(ip: &IpPayload, protocol: u8, segment: &[u8], checksum_at: usize) -> u16 {
    let len = segment.len() as u32;
    let (before, after) = (&segment[..checksum_at], segment.get(checksum_at + 2..).unwrap_or(&[]));
    if ip.source.len() == 16 {
        internet_checksum(&[&ip.source, &ip.destination, &len.to_be_bytes(), &[0, 0, 0, protocol], before, after])
    } else {
        let short = (len as u16).to_be_bytes();
        internet_checksum(&[&ip.source, &ip.destination, &[0, protocol], &short, before, after])
    }
}

/// The TCP flags set in `flags`, as Wireshark writes them: `SYN, ACK`.
pub fn tcp_flag_names(flags: u16) -> String {
    const NAMES: [(u16, &str); 9] = [
        (0x100, "AE"),
        (0x080, "CWR"),
        (0x040, "ECE"),
        (0x020, "URG"),
        (0x010, "ACK"),
        (0x008, "PSH"),
        (0x004, "RST"),
        (0x002, "SYN"),
        (0x001, "FIN"),
    ];
    let mut names: Vec<&str> = NAMES.iter().filter(|(bit, _)| flags & bit != 0).map(|(_, name)| *name).collect();
    // Wireshark lists FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE in that order.
    names.reverse();
    names.join(", ")
}

pub(super) fn tcp(cursor: &mut Cursor, ip: &IpPayload) -> Walk<Transport> {
    let start = cursor.pos;
    cursor.group("tcp", |cursor| {
        let source_port = cursor.uint("source_port", 2, Role::Value, |port| format!("source port {port}"))? as u16;
        let destination_port =
            cursor.uint("destination_port", 2, Role::Value, |port| format!("destination port {port}"))? as u16;
        cursor.uint("sequence_number", 4, Role::Value, |seq| format!("sequence number {seq} (raw)"))?;
        cursor.uint("acknowledgment_number", 4, Role::Value, |ack| format!("acknowledgment number {ack} (raw)"))?;
        let word = cursor.bits(
            "offset_and_flags",
            2,
            |word| {
                let names = tcp_flag_names((word & 0x1ff) as u16);
                let names = if names.is_empty() { "none".to_string() } else { names };
                format!(
                    "header length {} bytes ({}) · flags 0x{:03x}: {names}",
                    (word >> 12) * 4,
                    word >> 12,
                    word & 0x1ff
                )
            },
            |word| {
                let mut parts = vec![("header_length", Value::Integer(i128::from((word >> 12) * 4)))];
                for (name, bit) in [
                    ("reserved", 0xe00),
                    ("ae", 0x100),
                    ("cwr", 0x080),
                    ("ece", 0x040),
                    ("urg", 0x020),
                    ("ack", 0x010),
                    ("psh", 0x008),
                    ("rst", 0x004),
                    ("syn", 0x002),
                    ("fin", 0x001),
                ] {
                    if name == "reserved" {
                        parts.push((name, Value::Integer(i128::from((word & bit) >> 9))));
                    } else {
                        parts.push((name, Value::Bool(word & bit != 0)));
                    }
                }
                parts
            },
        )?;
        let header_len = (word >> 12) as usize * 4;
        if header_len < 20 {
            return Err(
                cursor.error_at(start + 12, format!("a header length of {header_len} bytes: TCP's is at least 20"))
            );
        }
        cursor.uint("window", 2, Role::Value, |window| format!("window {window} (before scaling)"))?;
        let checksum_at = cursor.take(2, "checksum")?;
        let found = cursor.u16_at(checksum_at);
        let verdict = if ip.whole && !ip.later_fragment {
            let segment = cursor.slice(start, cursor.end - start);
            checksum_verdict(found, transport_checksum(ip, 6, segment, 16))
        } else {
            format!("0x{found:04x} (not checked: the capture cut the segment short)")
        };
        cursor.checksum("checksum", checksum_at, verdict);
        cursor.uint("urgent_pointer", 2, Role::Value, |pointer| format!("urgent pointer {pointer}"))?;
        if header_len > 20 {
            cursor.within(header_len - 20, "the header length", |cursor| {
                cursor.list("options", |cursor| {
                    while cursor.remaining() > 0 {
                        tcp_option(cursor)?;
                    }
                    Ok(())
                })
            })?;
        }
        if cursor.pos < start + header_len {
            return Err(cursor.error_at(cursor.pos, "the bytes end inside the TCP header"));
        }
        Ok(Transport { source_port, destination_port, payload_end: cursor.end })
    })
}

fn tcp_option_name(kind: u8) -> &'static str {
    match kind {
        0 => "end of options",
        1 => "no-operation",
        2 => "maximum segment size",
        3 => "window scale",
        4 => "SACK permitted",
        5 => "SACK",
        8 => "timestamps",
        28 => "user timeout",
        29 => "TCP-AO",
        30 => "multipath TCP",
        34 => "TCP fast open cookie",
        _ => "unknown option",
    }
}

fn tcp_option(cursor: &mut Cursor) -> Walk {
    let kind_at = cursor.pos;
    let kind = cursor.u8_at(kind_at);
    cursor.group(tcp_option_name(kind), |cursor| {
        cursor.uint("kind", 1, Role::Header, |kind| format!("option {kind}: {}", tcp_option_name(kind as u8)))?;
        if kind <= 1 {
            return Ok(());
        }
        let len = cursor.uint("length", 1, Role::Length, |len| format!("option length {len}"))? as usize;
        if len < 2 {
            return Err(cursor.error_at(
                kind_at + 1,
                format!("an option length of {len}: it counts its kind and length bytes, so at least 2"),
            ));
        }
        cursor.within(len - 2, "the option length", |cursor| {
            match (kind, len) {
                (2, 4) => {
                    cursor.uint("mss", 2, Role::Value, |mss| format!("maximum segment size {mss} bytes"))?;
                }
                (3, 3) => {
                    cursor.uint("shift", 1, Role::Value, |shift| {
                        format!("window scale: shift {shift} (multiply by {})", 1u64 << shift.min(30))
                    })?;
                }
                (8, 10) => {
                    cursor.uint("value", 4, Role::Value, |value| format!("timestamp value {value}"))?;
                    cursor.uint("echo_reply", 4, Role::Value, |value| format!("timestamp echo reply {value}"))?;
                }
                (5, _) => {
                    cursor.list("blocks", |cursor| {
                        while cursor.remaining() >= 8 {
                            cursor.group("block", |cursor| {
                                cursor
                                    .uint("left_edge", 4, Role::Value, |edge| format!("SACK left edge {edge} (raw)"))?;
                                cursor.uint("right_edge", 4, Role::Value, |edge| {
                                    format!("SACK right edge {edge} (raw)")
                                })?;
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })?;
                }
                _ => {}
            }
            if cursor.remaining() > 0 {
                cursor.rest("data", |len| format!("option data, {}", bytes_count(len)))?;
            }
            Ok(())
        })
    })
}

pub(super) fn udp(cursor: &mut Cursor, ip: &IpPayload) -> Walk<Transport> {
    let start = cursor.pos;
    cursor.group("udp", |cursor| {
        let source_port = cursor.uint("source_port", 2, Role::Value, |port| format!("source port {port}"))? as u16;
        let destination_port =
            cursor.uint("destination_port", 2, Role::Value, |port| format!("destination port {port}"))? as u16;
        let len = cursor.uint("length", 2, Role::Length, |len| format!("length {len} (header and payload)"))? as usize;
        if len < 8 {
            return Err(cursor.error_at(start + 4, format!("a length of {len}: UDP's header alone is 8 bytes")));
        }
        let checksum_at = cursor.take(2, "checksum")?;
        let found = cursor.u16_at(checksum_at);
        let available = cursor.end - start;
        let verdict = if found == 0 && ip.source.len() == 4 {
            "0x0000 (none: the sender did not compute one)".to_string()
        } else if ip.whole && !ip.later_fragment && len <= available {
            let expected = match transport_checksum(ip, 17, cursor.slice(start, len), 6) {
                0 => 0xffff,
                sum => sum,
            };
            checksum_verdict(found, expected)
        } else {
            format!("0x{found:04x} (not checked: the capture cut the datagram short)")
        };
        cursor.checksum("checksum", checksum_at, verdict);
        let payload_end = (start + len).min(cursor.end);
        Ok(Transport { source_port, destination_port, payload_end })
    })
}
