//! The packet list's rows, as Wireshark's default columns show them (source, destination,
//! protocol, length, info), worked out in one pass over the packets with etherparse's
//! zero-copy slicing. TCP rows say relative sequence and acknowledgment numbers and the scaled
//! window, so the pass keeps a little state per TCP conversation, which also numbers the
//! streams ("Follow TCP stream") and notices a WebSocket upgrade.

use std::collections::HashMap;
use std::net::IpAddr;

use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TransportSlice};
use pcap_file::DataLink;
use serde::{Deserialize, Serialize};

use super::file::Record;
use crate::packets::dissect::{
    AppProtocol, arp_opcode_name, dns_name, dns_type_name, icmp_type_name, icmpv6_type_name, ip_protocol_name,
    mac_text, tcp_flag_names,
};
use crate::ws_frame;

/// One row of the packet list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PacketRow {
    /// From 1, as Wireshark numbers frames.
    pub number: u32,
    /// Nanoseconds since the capture's first packet.
    pub since_first_ns: u64,
    pub source: String,
    pub destination: String,
    pub protocol: String,
    /// On the wire (the frame's original length).
    pub length: u32,
    pub info: String,
    /// The record the row came from (where its bytes are).
    pub record: Record,
    /// The TCP conversation, numbered from 0 in order of appearance (tshark's `tcp.stream`).
    pub tcp_stream: Option<u32>,
    /// The conversation switched to WebSocket before this packet.
    pub websocket: bool,
    /// TCP or UDP source and destination ports.
    pub ports: Option<(u16, u16)>,
}

impl PacketRow {
    /// `0.000123`: seconds since the first packet, as Wireshark's Time column.
    pub fn time_text(&self) -> String {
        format!("{}.{:06}", self.since_first_ns / 1_000_000_000, (self.since_first_ns % 1_000_000_000) / 1_000)
    }

    /// Whether the row matches a filter's words: every word must be one of its ports, or appear
    /// (case-insensitive) in its protocol, addresses or info.
    pub fn matches(&self, filter: &str) -> bool {
        filter.split_whitespace().all(|word| {
            let is_port = word
                .parse::<u16>()
                .ok()
                .zip(self.ports)
                .is_some_and(|(port, ports)| port == ports.0 || port == ports.1);
            let word = word.to_ascii_lowercase();
            is_port
                || [&self.protocol, &self.source, &self.destination, &self.info]
                    .iter()
                    .any(|field| field.to_ascii_lowercase().contains(&word))
        })
    }
}

/// Both ends of a TCP conversation, the lower first, so both directions find the same entry.
pub type StreamKey = ((IpAddr, u16), (IpAddr, u16));

/// The conversation key for a segment from `a` to `b`, and whether it goes from the lower end.
pub fn stream_key(a: (IpAddr, u16), b: (IpAddr, u16)) -> (StreamKey, bool) {
    if a <= b { ((a, b), true) } else { ((b, a), false) }
}

#[derive(Default)]
struct Side {
    base_seq: Option<u32>,
    window_shift: Option<u8>,
    syn_seen: bool,
}

struct Stream {
    index: u32,
    /// [lower end, higher end].
    sides: [Side; 2],
    websocket: bool,
}

/// The state of one pass over a capture: the first packet's time and the TCP conversations.
#[derive(Default)]
pub struct Summarizer {
    first_ns: Option<u64>,
    next_number: u32,
    streams: HashMap<StreamKey, Stream>,
}

impl Summarizer {
    pub fn new() -> Summarizer {
        Summarizer::default()
    }

    /// How many TCP conversations have been seen.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// The row of the next packet: `record` and its bytes in the file.
    pub fn row(&mut self, record: &Record, frame: &[u8]) -> PacketRow {
        self.next_number += 1;
        let first = *self.first_ns.get_or_insert(record.at_ns);
        let mut row = PacketRow {
            number: self.next_number,
            since_first_ns: record.at_ns.saturating_sub(first),
            source: String::new(),
            destination: String::new(),
            protocol: String::new(),
            length: record.original,
            info: String::new(),
            record: *record,
            tcp_stream: None,
            websocket: false,
            ports: None,
        };
        self.describe(&mut row, record.data_link(), frame);
        row
    }

    fn describe(&mut self, row: &mut PacketRow, link: DataLink, frame: &[u8]) {
        let Some(sliced) = sliced(link, frame) else {
            row.protocol = format!("{link:?}");
            row.info = "not read (link type or header unknown)".to_string();
            return;
        };
        let (source_ip, destination_ip) = match &sliced.net {
            Some(LaxNetSlice::Ipv4(ip)) => {
                let header = ip.header();
                (IpAddr::from(header.source_addr()), IpAddr::from(header.destination_addr()))
            }
            Some(LaxNetSlice::Ipv6(ip)) => {
                let header = ip.header();
                (IpAddr::from(header.source_addr()), IpAddr::from(header.destination_addr()))
            }
            Some(LaxNetSlice::Arp(arp)) => {
                self.arp(row, &sliced, arp.slice());
                return;
            }
            None => {
                self.link_only(row, &sliced);
                return;
            }
        };
        row.source = source_ip.to_string();
        row.destination = destination_ip.to_string();
        let payload = match &sliced.net {
            Some(LaxNetSlice::Ipv4(ip)) => ip.payload(),
            Some(LaxNetSlice::Ipv6(ip)) => ip.payload(),
            _ => return,
        };
        let hop = match &sliced.net {
            Some(LaxNetSlice::Ipv4(ip)) => ip.header().ttl(),
            Some(LaxNetSlice::Ipv6(ip)) => ip.header().hop_limit(),
            _ => 0,
        };
        match &sliced.transport {
            Some(TransportSlice::Tcp(tcp)) => self.tcp(row, (source_ip, destination_ip), tcp),
            Some(TransportSlice::Udp(udp)) => {
                let ports = (udp.source_port(), udp.destination_port());
                row.ports = Some(ports);
                let data = udp.payload();
                match AppProtocol::guess(false, ports, data, false) {
                    Some(AppProtocol::Dns) => dns_row(row, data),
                    _ => {
                        row.protocol = "UDP".to_string();
                        row.info =
                            format!("{} → {} Len={}", ports.0, ports.1, (udp.length() as usize).saturating_sub(8));
                    }
                }
            }
            Some(TransportSlice::Icmpv4(icmp)) => {
                row.protocol = "ICMP".to_string();
                let bytes = icmp.slice();
                let kind = icmp.type_u8();
                row.info = match kind {
                    0 | 8 if bytes.len() >= 8 => {
                        let id = u16::from_be_bytes([bytes[4], bytes[5]]);
                        let seq = u16::from_be_bytes([bytes[6], bytes[7]]);
                        format!("{}  id=0x{id:04x}, seq={seq}/{}, ttl={hop}", icmp_type_name(kind), seq.swap_bytes())
                    }
                    _ => icmp_type_name(kind).to_string(),
                };
            }
            Some(TransportSlice::Icmpv6(icmp)) => {
                row.protocol = "ICMPv6".to_string();
                let bytes = icmp.slice();
                let kind = bytes.first().copied().unwrap_or(0);
                row.info = match kind {
                    128 | 129 if bytes.len() >= 8 => {
                        let id = u16::from_be_bytes([bytes[4], bytes[5]]);
                        let seq = u16::from_be_bytes([bytes[6], bytes[7]]);
                        format!("{} id=0x{id:04x}, seq={seq}, hop limit={hop}", icmpv6_type_name(kind))
                    }
                    _ => icmpv6_type_name(kind).to_string(),
                };
            }
            _ => {
                let name = ip_protocol_name(payload.ip_number.0);
                row.protocol =
                    if name == "unknown" { format!("IP proto {}", payload.ip_number.0) } else { name.to_string() };
                row.info = if payload.fragmented { "Fragmented IP protocol".to_string() } else { String::new() };
            }
        }
    }

    fn link_only(&self, row: &mut PacketRow, sliced: &LaxSlicedPacket) {
        if let Some(etherparse::LinkSlice::Ethernet2(eth)) = &sliced.link {
            row.source = mac_text(&eth.source());
            row.destination = mac_text(&eth.destination());
            let ether_type = eth.ether_type().0;
            row.protocol = format!("0x{ether_type:04x}");
            row.info = format!(
                "Ethernet II, EtherType 0x{ether_type:04x} ({})",
                crate::packets::dissect::ether_type_name(ether_type)
            );
        } else {
            row.protocol = "Unknown".to_string();
        }
    }

    fn arp(&self, row: &mut PacketRow, sliced: &LaxSlicedPacket, arp: &[u8]) {
        row.protocol = "ARP".to_string();
        if let Some(etherparse::LinkSlice::Ethernet2(eth)) = &sliced.link {
            row.source = mac_text(&eth.source());
            row.destination = mac_text(&eth.destination());
        }
        if arp.len() < 28 || arp[4] != 6 || arp[5] != 4 {
            row.info = "ARP (not Ethernet and IPv4)".to_string();
            return;
        }
        let op = u16::from_be_bytes([arp[6], arp[7]]);
        let ip = |at: usize| format!("{}.{}.{}.{}", arp[at], arp[at + 1], arp[at + 2], arp[at + 3]);
        row.info = match op {
            1 if arp[14..18] == arp[24..28] => format!("ARP Announcement for {}", ip(14)),
            1 => format!("Who has {}? Tell {}", ip(24), ip(14)),
            2 => format!("{} is at {}", ip(14), mac_text(&arp[8..14])),
            other => format!("ARP {}", arp_opcode_name(other)),
        };
    }

    fn tcp(&mut self, row: &mut PacketRow, ips: (IpAddr, IpAddr), tcp: &etherparse::TcpSlice) {
        let ports = (tcp.source_port(), tcp.destination_port());
        row.ports = Some(ports);
        let (key, from_lower) = stream_key((ips.0, ports.0), (ips.1, ports.1));
        let next_index = self.streams.len() as u32;
        let stream = self.streams.entry(key).or_insert_with(|| Stream {
            index: next_index,
            sides: Default::default(),
            websocket: false,
        });
        row.tcp_stream = Some(stream.index);
        row.websocket = stream.websocket;
        let (mine, theirs) = if from_lower { (0, 1) } else { (1, 0) };
        let seq = tcp.sequence_number();
        let mut options = Vec::new();
        let mut window_shift = None;
        for option in tcp.options_iterator().flatten() {
            match option {
                TcpOptionElement::MaximumSegmentSize(mss) => options.push(format!("MSS={mss}")),
                TcpOptionElement::SelectiveAcknowledgementPermitted => options.push("SACK_PERM".to_string()),
                TcpOptionElement::Timestamp(value, echo) => options.push(format!("TSval={value} TSecr={echo}")),
                TcpOptionElement::WindowScale(shift) => {
                    window_shift = Some(shift);
                    options.push(format!("WS={}", 1u32 << shift.min(14)));
                }
                _ => {}
            }
        }
        if tcp.syn() {
            let side = &mut stream.sides[mine];
            side.base_seq = Some(seq);
            side.syn_seen = true;
            side.window_shift = window_shift;
        } else if stream.sides[mine].base_seq.is_none() {
            stream.sides[mine].base_seq = Some(seq);
        }
        let relative_seq = seq.wrapping_sub(stream.sides[mine].base_seq.unwrap_or(seq));
        let ack_text = if tcp.ack() {
            let ack = tcp.acknowledgment_number();
            match stream.sides[theirs].base_seq {
                Some(base) => format!(" Ack={}", ack.wrapping_sub(base)),
                None => format!(" Ack={ack}"),
            }
        } else {
            String::new()
        };
        // Windows scale once both SYNs offered scaling; SYNs themselves are never scaled.
        let both_scale = stream.sides.iter().all(|side| side.syn_seen && side.window_shift.is_some());
        let window = u32::from(tcp.window_size());
        let window = match (tcp.syn(), both_scale, stream.sides[mine].window_shift) {
            (false, true, Some(shift)) => window << shift.min(14),
            _ => window,
        };
        let data = tcp.payload();
        let flags = tcp_flag_names(tcp_flags(tcp));
        let mut info =
            format!("{} → {} [{flags}] Seq={relative_seq}{ack_text} Win={window} Len={}", ports.0, ports.1, data.len());
        for option in &options {
            info.push(' ');
            info.push_str(option);
        }
        let protocol = AppProtocol::guess(true, ports, data, stream.websocket);
        if protocol == Some(AppProtocol::Http) && data.starts_with(b"HTTP/1.1 101") {
            stream.websocket = true;
        }
        row.protocol = "TCP".to_string();
        row.info = info;
        match protocol {
            Some(AppProtocol::Http) => http_row(row, data),
            Some(AppProtocol::Tls) => tls_row(row, data),
            Some(AppProtocol::WebSocket) => websocket_row(row, data),
            Some(AppProtocol::Mqtt) => mqtt_row(row, data),
            Some(AppProtocol::Dns) => dns_row(row, data.get(2..).unwrap_or(&[])),
            None => {}
        }
    }
}

fn tcp_flags(tcp: &etherparse::TcpSlice) -> u16 {
    let header = tcp.header_slice();
    u16::from_be_bytes([header.get(12).copied().unwrap_or(0), header.get(13).copied().unwrap_or(0)]) & 0x1ff
}

/// A frame of link type `link` sliced by etherparse (lax: a frame cut short keeps what it has).
pub fn sliced(link: DataLink, frame: &[u8]) -> Option<LaxSlicedPacket<'_>> {
    match link {
        DataLink::ETHERNET => LaxSlicedPacket::from_ethernet(frame).ok(),
        DataLink::LINUX_SLL => ether_typed(frame, 16, 14),
        DataLink::LINUX_SLL2 => ether_typed(frame, 20, 0),
        DataLink::NULL | DataLink::LOOP => loopback(frame, link == DataLink::LOOP),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => LaxSlicedPacket::from_ip(frame).ok(),
        _ => None,
    }
}

/// A link header of `header_len` bytes with the EtherType at `type_at`.
fn ether_typed(frame: &[u8], header_len: usize, type_at: usize) -> Option<LaxSlicedPacket<'_>> {
    let ether_type = u16::from_be_bytes([*frame.get(type_at)?, *frame.get(type_at + 1)?]);
    Some(LaxSlicedPacket::from_ether_type(EtherType(ether_type), frame.get(header_len..)?))
}

fn loopback(frame: &[u8], big_endian: bool) -> Option<LaxSlicedPacket<'_>> {
    let family: [u8; 4] = frame.get(..4)?.try_into().ok()?;
    let family = if big_endian || u32::from_le_bytes(family) > 0xffff {
        u32::from_be_bytes(family)
    } else {
        u32::from_le_bytes(family)
    };
    match family {
        2 | 24 | 28 | 30 => LaxSlicedPacket::from_ip(&frame[4..]).ok(),
        _ => None,
    }
}

fn http_row(row: &mut PacketRow, data: &[u8]) {
    row.protocol = "HTTP".to_string();
    let line_end = data.iter().position(|byte| *byte == b'\r' || *byte == b'\n').unwrap_or(data.len());
    let line = String::from_utf8_lossy(&data[..line_end]);
    if data.starts_with(b"HTTP/") {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let content_type = match response.parse(data) {
            Ok(httparse::Status::Complete(head)) if head < data.len() => response
                .headers
                .iter()
                .find(|header| header.name.eq_ignore_ascii_case("content-type"))
                .map(|header| String::from_utf8_lossy(header.value).into_owned()),
            _ => None,
        };
        row.info = match content_type {
            Some(kind) => format!("{line}  ({kind})"),
            None => line.into_owned(),
        };
    } else {
        row.info = format!("{line} ");
    }
}

fn tls_row(row: &mut PacketRow, data: &[u8]) {
    let mut names: Vec<String> = Vec::new();
    let mut at = 0;
    let mut version = "TLS";
    while let Some(header) = data.get(at..at + 5) {
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        let name = match header[0] {
            20 => "Change Cipher Spec".to_string(),
            21 => "Alert".to_string(),
            22 => match data.get(at + 5) {
                Some(1) => "Client Hello".to_string(),
                Some(2) => "Server Hello".to_string(),
                Some(11) => "Certificate".to_string(),
                Some(4) => "New Session Ticket".to_string(),
                _ => "Handshake".to_string(),
            },
            23 => "Application Data".to_string(),
            _ => "Ignored Unknown Record".to_string(),
        };
        version = match header[2] {
            1 => "TLSv1",
            2 => "TLSv1.1",
            3 => "TLSv1.2",
            _ => version,
        };
        if !names.contains(&name) {
            names.push(name);
        }
        at += 5 + len;
    }
    row.protocol = version.to_string();
    if !names.is_empty() {
        row.info = names.join(", ");
    }
}

fn websocket_row(row: &mut PacketRow, data: &[u8]) {
    row.protocol = "WebSocket".to_string();
    let Some(header) = ws_frame::parse_header(data) else { return };
    let kind = match header.opcode {
        0 => "Continuation",
        1 => "Text",
        2 => "Binary",
        8 => "Connection Close",
        9 => "Ping",
        10 => "Pong",
        _ => "Unknown",
    };
    let mut info = format!("WebSocket {kind}");
    if header.fin {
        info.push_str(" [FIN]");
    }
    if header.mask_key.is_some() {
        info.push_str(" [MASKED]");
    }
    row.info = info;
}

fn mqtt_row(row: &mut PacketRow, data: &[u8]) {
    row.protocol = "MQTT".to_string();
    let kind = data.first().map_or(0, |byte| byte >> 4);
    row.info = match kind {
        1 => "Connect Command",
        2 => "Connect Ack",
        3 => "Publish Message",
        4 => "Publish Ack",
        5 => "Publish Received",
        6 => "Publish Release",
        7 => "Publish Complete",
        8 => "Subscribe Request",
        9 => "Subscribe Ack",
        10 => "Unsubscribe Request",
        11 => "Unsubscribe Ack",
        12 => "Ping Request",
        13 => "Ping Response",
        14 => "Disconnect Req",
        15 => "Auth",
        _ => "Reserved",
    }
    .to_string();
}

fn dns_rcode_name(rcode: u16) -> &'static str {
    match rcode {
        1 => "Format error",
        2 => "Server failure",
        3 => "No such name",
        4 => "Not implemented",
        5 => "Refused",
        _ => "",
    }
}

fn dns_row(row: &mut PacketRow, message: &[u8]) {
    row.protocol = "DNS".to_string();
    if message.len() < 12 {
        row.info = "Malformed DNS message".to_string();
        return;
    }
    let id = u16::from_be_bytes([message[0], message[1]]);
    let flags = u16::from_be_bytes([message[2], message[3]]);
    let questions = u16::from_be_bytes([message[4], message[5]]);
    let answers = u16::from_be_bytes([message[6], message[7]]);
    let response = flags & 0x8000 != 0;
    let mut info =
        if response { format!("Standard query response 0x{id:04x}") } else { format!("Standard query 0x{id:04x}") };
    let rcode = dns_rcode_name(flags & 0xf);
    if !rcode.is_empty() {
        info.push(' ');
        info.push_str(rcode);
    }
    let mut at = 12;
    for _ in 0..questions {
        let Some((name, len)) = dns_name(message, at) else { break };
        let Some(kind) = message.get(at + len..at + len + 2) else { break };
        info.push_str(&format!(" {} {name}", dns_type_name(u16::from_be_bytes([kind[0], kind[1]]))));
        at += len + 4;
    }
    for _ in 0..answers {
        let Some((_, len)) = dns_name(message, at) else { break };
        let Some(fixed) = message.get(at + len..at + len + 10) else { break };
        let kind = u16::from_be_bytes([fixed[0], fixed[1]]);
        let data_len = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        let data_at = at + len + 10;
        let Some(data) = message.get(data_at..data_at + data_len) else { break };
        let value = match (kind, data) {
            (1, [a, b, c, d]) => format!("{a}.{b}.{c}.{d}"),
            (28, _) if data.len() == 16 => crate::packets::dissect::ipv6_text(data),
            (2 | 5 | 12, _) => dns_name(message, data_at).map(|(name, _)| name).unwrap_or_default(),
            _ => String::new(),
        };
        info.push_str(&format!(" {} {value}", dns_type_name(kind)));
        at = data_at + data_len;
    }
    row.info = info.trim_end().to_string();
}
