//! Packets for the capture tests, built with etherparse's `PacketBuilder` (valid lengths and
//! checksums): a TCP conversation that speaks HTTP, upgrades to WebSocket and exchanges frames,
//! and one packet each of ARP, DNS, ICMP, ICMPv6, IPv6/UDP, 802.1Q, TLS and MQTT. Shared by the
//! table tests and by `tests/packets_tshark.rs`, which holds them against tshark.

#![allow(dead_code)]

use etherparse::{PacketBuilder, TcpOptionElement};
use wire::packets::pcap_writer::TimedPacket;

pub const CLIENT_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
pub const SERVER_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
pub const CLIENT: [u8; 4] = [10, 0, 0, 1];
pub const SERVER: [u8; 4] = [10, 0, 0, 2];
pub const START_US: u64 = 1_700_000_000_000_000;

/// A TCP segment between the two hosts, `to_server` choosing the direction.
pub fn tcp(
    to_server: bool,
    ports: (u16, u16),
    seq: u32,
    ack: Option<u32>,
    flags: &str,
    options: &[TcpOptionElement],
    payload: &[u8],
) -> Vec<u8> {
    let (src_mac, dst_mac, src, dst, sport, dport) = if to_server {
        (CLIENT_MAC, SERVER_MAC, CLIENT, SERVER, ports.0, ports.1)
    } else {
        (SERVER_MAC, CLIENT_MAC, SERVER, CLIENT, ports.1, ports.0)
    };
    let mut builder = PacketBuilder::ethernet2(src_mac, dst_mac).ipv4(src, dst, 64).tcp(sport, dport, seq, 64240);
    if let Some(ack) = ack {
        builder = builder.ack(ack);
    }
    if flags.contains('S') {
        builder = builder.syn();
    }
    if flags.contains('P') {
        builder = builder.psh();
    }
    if flags.contains('F') {
        builder = builder.fin();
    }
    if flags.contains('R') {
        builder = builder.rst();
    }
    if !options.is_empty() {
        builder = builder.options(options).unwrap_or_else(|error| panic!("options: {error:?}"));
    }
    let mut bytes = Vec::new();
    builder.write(&mut bytes, payload).unwrap_or_else(|error| panic!("tcp: {error:?}"));
    bytes
}

pub fn udp(src: [u8; 4], dst: [u8; 4], ports: (u16, u16), payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    PacketBuilder::ethernet2(CLIENT_MAC, SERVER_MAC)
        .ipv4(src, dst, 64)
        .udp(ports.0, ports.1)
        .write(&mut bytes, payload)
        .unwrap_or_else(|error| panic!("udp: {error:?}"));
    bytes
}

pub const HANDSHAKE_OPTIONS: [TcpOptionElement; 3] =
    [TcpOptionElement::MaximumSegmentSize(1460), TcpOptionElement::Noop, TcpOptionElement::WindowScale(7)];

pub const UPGRADE_REQUEST: &[u8] = b"GET /ws/echo HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
pub const UPGRADE_RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
/// "Hello" masked with 37 fa 21 3d (RFC 6455 §5.7).
pub const MASKED_HELLO: &[u8] = &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
pub const UNMASKED_HELLO: &[u8] = &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f];

/// The WebSocket conversation: handshake, upgrade, a frame each way, FINs.
pub fn websocket_conversation() -> Vec<Vec<u8>> {
    let ports = (51234, 80);
    let (c, s) = (1000u32, 5000u32);
    let request_end = c + 1 + UPGRADE_REQUEST.len() as u32;
    let response_end = s + 1 + UPGRADE_RESPONSE.len() as u32;
    vec![
        tcp(true, ports, c, None, "S", &HANDSHAKE_OPTIONS, b""),
        tcp(false, ports, s, Some(c + 1), "S", &HANDSHAKE_OPTIONS, b""),
        tcp(true, ports, c + 1, Some(s + 1), "", &[], b""),
        tcp(true, ports, c + 1, Some(s + 1), "P", &[], UPGRADE_REQUEST),
        tcp(false, ports, s + 1, Some(request_end), "P", &[], UPGRADE_RESPONSE),
        tcp(true, ports, request_end, Some(response_end), "P", &[], MASKED_HELLO),
        tcp(false, ports, response_end, Some(request_end + MASKED_HELLO.len() as u32), "P", &[], UNMASKED_HELLO),
        tcp(
            true,
            ports,
            request_end + MASKED_HELLO.len() as u32,
            Some(response_end + UNMASKED_HELLO.len() as u32),
            "F",
            &[],
            b"",
        ),
    ]
}

pub const HTTP_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";

/// A DNS query for example.com (A) and its answer.
pub fn dns_query() -> Vec<u8> {
    let mut message = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    message.extend(b"\x07example\x03com\x00");
    message.extend([0, 1, 0, 1]);
    message
}

pub fn dns_answer() -> Vec<u8> {
    let mut message = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    message.extend(b"\x07example\x03com\x00");
    message.extend([0, 1, 0, 1]);
    message.extend([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34]);
    message
}

pub fn arp(request: bool) -> Vec<u8> {
    let (dst, op, target_mac) = if request { ([0xff; 6], 1u8, [0u8; 6]) } else { (CLIENT_MAC, 2u8, CLIENT_MAC) };
    let (sender_mac, sender_ip, target_ip) =
        if request { (CLIENT_MAC, CLIENT, SERVER) } else { (SERVER_MAC, SERVER, CLIENT) };
    let mut bytes = Vec::new();
    bytes.extend(dst);
    bytes.extend(sender_mac);
    bytes.extend([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, op]);
    bytes.extend(sender_mac);
    bytes.extend(sender_ip);
    bytes.extend(target_mac);
    bytes.extend(target_ip);
    bytes.extend([0u8; 18]);
    bytes
}

pub fn icmp_echo() -> Vec<u8> {
    let mut bytes = Vec::new();
    PacketBuilder::ethernet2(CLIENT_MAC, SERVER_MAC)
        .ipv4(CLIENT, SERVER, 64)
        .icmpv4_echo_request(0x0001, 1)
        .write(&mut bytes, b"abcdefgh")
        .unwrap_or_else(|error| panic!("icmp: {error:?}"));
    bytes
}

pub const V6_CLIENT: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
pub const V6_SERVER: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

pub fn icmpv6_echo() -> Vec<u8> {
    let mut bytes = Vec::new();
    PacketBuilder::ethernet2(CLIENT_MAC, SERVER_MAC)
        .ipv6(V6_CLIENT, V6_SERVER, 64)
        .icmpv6_echo_request(0x0002, 7)
        .write(&mut bytes, b"ping")
        .unwrap_or_else(|error| panic!("icmpv6: {error:?}"));
    bytes
}

pub fn ipv6_udp() -> Vec<u8> {
    let mut bytes = Vec::new();
    PacketBuilder::ethernet2(CLIENT_MAC, SERVER_MAC)
        .ipv6(V6_CLIENT, V6_SERVER, 64)
        .udp(40000, 9999)
        .write(&mut bytes, b"six")
        .unwrap_or_else(|error| panic!("ipv6 udp: {error:?}"));
    bytes
}

pub fn vlan_udp() -> Vec<u8> {
    let mut bytes = Vec::new();
    let vlan = etherparse::VlanId::try_new(42).unwrap_or_else(|error| panic!("vlan: {error:?}"));
    PacketBuilder::ethernet2(CLIENT_MAC, SERVER_MAC)
        .single_vlan(vlan)
        .ipv4(CLIENT, SERVER, 64)
        .udp(40001, 9998)
        .write(&mut bytes, b"tagged")
        .unwrap_or_else(|error| panic!("vlan udp: {error:?}"));
    bytes
}

/// A TLS 1.2 application data record.
pub const TLS_RECORD: &[u8] = &[0x17, 0x03, 0x03, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef];

/// An MQTT 3.1.1 CONNECT (client id "lab", clean session, keep-alive 60).
pub const MQTT_CONNECT: &[u8] =
    &[0x10, 0x0f, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x03, b'l', b'a', b'b'];

/// Every sample frame with its name, in the order of the sample capture.
pub fn sample_frames() -> Vec<(&'static str, Vec<u8>)> {
    let mut frames = vec![("arp request", arp(true)), ("arp reply", arp(false))];
    frames.push(("dns query", udp(CLIENT, SERVER, (53000, 53), &dns_query())));
    frames.push(("dns answer", udp(SERVER, CLIENT, (53, 53000), &dns_answer())));
    let names =
        ["syn", "syn-ack", "ack", "upgrade request", "upgrade response", "ws client frame", "ws server frame", "fin"];
    for (name, frame) in names.into_iter().zip(websocket_conversation()) {
        frames.push((name, frame));
    }
    frames.push((
        "http get",
        tcp(true, (51300, 8080), 1, Some(1), "P", &[], b"GET /status HTTP/1.1\r\nHost: lab\r\n\r\n"),
    ));
    frames.push(("http 200", tcp(false, (51300, 8080), 1, Some(35), "P", &[], HTTP_RESPONSE)));
    frames.push(("tls record", tcp(true, (51400, 443), 1, Some(1), "P", &[], TLS_RECORD)));
    frames.push(("mqtt connect", tcp(true, (51500, 1883), 1, Some(1), "P", &[], MQTT_CONNECT)));
    frames.push(("icmp echo", icmp_echo()));
    frames.push(("icmpv6 echo", icmpv6_echo()));
    frames.push(("ipv6 udp", ipv6_udp()));
    frames.push(("vlan udp", vlan_udp()));
    frames
}

/// The sample frames as timed packets, 1.5 ms apart.
pub fn sample_packets() -> Vec<TimedPacket> {
    sample_frames()
        .into_iter()
        .enumerate()
        .map(|(index, (_, bytes))| TimedPacket { at_us: START_US + index as u64 * 1_500, bytes })
        .collect()
}

/// The sample capture as a classic pcap file.
pub fn sample_pcap() -> Vec<u8> {
    wire::packets::pcap_writer::write_ethernet_pcap(&sample_packets())
}
