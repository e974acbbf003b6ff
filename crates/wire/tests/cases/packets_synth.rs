//! Sessions put into synthesized packets (`wire::packets::synth`), read back with etherparse:
//! each packet as one line (direction, flags, relative sequence and acknowledgment numbers,
//! payload size, time), and every IP, TCP and UDP checksum recomputed.

use std::net::SocketAddr;

use etherparse::{NetHeaders, PacketHeaders, TransportHeader};
use wire::packets::pcap_writer::TimedPacket;
use wire::packets::synth::{
    CLIENT_ISN, CLIENT_MAC, Datagram, SERVER_ISN, SERVER_MAC, Side, TcpEvent, TcpSession, capture_url, tcp_packets,
    tcp_pcap, udp_packets,
};

const CLIENT: &str = "127.0.0.1:50000";
const SERVER: &str = "127.0.0.1:80";

fn address(text: &str) -> SocketAddr {
    text.parse().unwrap_or_else(|error| panic!("bad test address {text}: {error}"))
}

/// The checksums a packet carries, recomputed; a panic names the packet that is wrong.
fn check_checksums(number: usize, headers: &PacketHeaders<'_>) {
    let payload = headers.payload.slice();
    match (&headers.net, &headers.transport) {
        (Some(NetHeaders::Ipv4(ip, _)), transport) => {
            assert_eq!(ip.header_checksum, ip.calc_header_checksum(), "packet {number}: IPv4 checksum");
            match transport {
                Some(TransportHeader::Tcp(tcp)) => {
                    assert_eq!(Ok(tcp.checksum), tcp.calc_checksum_ipv4(ip, payload), "packet {number}: TCP checksum");
                }
                Some(TransportHeader::Udp(udp)) => {
                    assert_eq!(Ok(udp.checksum), udp.calc_checksum_ipv4(ip, payload), "packet {number}: UDP checksum");
                }
                _ => panic!("packet {number}: no TCP or UDP header"),
            }
        }
        (Some(NetHeaders::Ipv6(ip, _)), Some(TransportHeader::Tcp(tcp))) => {
            assert_eq!(Ok(tcp.checksum), tcp.calc_checksum_ipv6(ip, payload), "packet {number}: TCP checksum");
        }
        (Some(NetHeaders::Ipv6(ip, _)), Some(TransportHeader::Udp(udp))) => {
            assert_eq!(Ok(udp.checksum), udp.calc_checksum_ipv6(ip, payload), "packet {number}: UDP checksum");
        }
        _ => panic!("packet {number}: no IP header"),
    }
}

/// One packet as `C>S SYN,ACK seq=0 ack=1 len=0 t=5`: direction (by MAC), flags, sequence and
/// acknowledgment relative to each side's initial number, payload size, time. UDP: `C>S UDP len=3 t=1`.
fn describe(packets: &[TimedPacket]) -> Vec<String> {
    packets
        .iter()
        .enumerate()
        .map(|(number, packet)| {
            let headers = PacketHeaders::from_ethernet_slice(&packet.bytes)
                .unwrap_or_else(|error| panic!("packet {number} does not parse: {error}"));
            check_checksums(number, &headers);
            let Some(etherparse::LinkHeader::Ethernet2(ethernet)) = &headers.link else {
                panic!("packet {number}: no Ethernet header");
            };
            let from_client = ethernet.source == CLIENT_MAC;
            assert_eq!(ethernet.destination, if from_client { SERVER_MAC } else { CLIENT_MAC });
            let direction = if from_client { "C>S" } else { "S>C" };
            let (own_isn, other_isn) = if from_client { (CLIENT_ISN, SERVER_ISN) } else { (SERVER_ISN, CLIENT_ISN) };
            let len = headers.payload.slice().len();
            match &headers.transport {
                Some(TransportHeader::Tcp(tcp)) => {
                    let flags: Vec<&str> =
                        [(tcp.syn, "SYN"), (tcp.fin, "FIN"), (tcp.rst, "RST"), (tcp.psh, "PSH"), (tcp.ack, "ACK")]
                            .into_iter()
                            .filter_map(|(set, name)| set.then_some(name))
                            .collect();
                    let ack = if tcp.ack {
                        tcp.acknowledgment_number.wrapping_sub(other_isn).to_string()
                    } else {
                        "-".to_string()
                    };
                    format!(
                        "{direction} {} seq={} ack={ack} len={len} t={}",
                        flags.join(","),
                        tcp.sequence_number.wrapping_sub(own_isn),
                        packet.at_us
                    )
                }
                Some(TransportHeader::Udp(_)) => format!("{direction} UDP len={len} t={}", packet.at_us),
                _ => panic!("packet {number}: no transport header"),
            }
        })
        .collect()
}

fn session<'a>(events: &'a [TcpEvent<'a>]) -> TcpSession<'a> {
    TcpSession { client: address(CLIENT), server: address(SERVER), opened_at_us: 1, events }
}

const HANDSHAKE: [&str; 3] =
    ["C>S SYN seq=0 ack=- len=0 t=1", "S>C SYN,ACK seq=0 ack=1 len=0 t=1", "C>S ACK seq=1 ack=1 len=0 t=1"];

case_test! {
    fn tcp_sessions_become_handshake_segments_acks_and_endings() {
        use Side::{Client, Server};
        let request = b"GET / HTTP/1.1\r\n\r\n";
        let long = vec![7u8; 1460 * 17 + 10];
        let cases: Vec<(&str, Vec<TcpEvent<'_>>, Vec<&str>)> = vec![
            ("opened, nothing said", vec![], vec![]),
            (
                "a request, its answer, FIN both ways",
                vec![
                    TcpEvent::Data { at_us: 2, from: Client, bytes: request },
                    TcpEvent::Data { at_us: 3, from: Server, bytes: b"HTTP/1.1 200 OK\r\n\r\n" },
                    TcpEvent::Fin { at_us: 4, from: Server },
                    TcpEvent::Fin { at_us: 5, from: Client },
                ],
                vec![
                    "C>S PSH,ACK seq=1 ack=1 len=18 t=2",
                    "S>C ACK seq=1 ack=19 len=0 t=2",
                    "S>C PSH,ACK seq=1 ack=19 len=19 t=3",
                    "C>S ACK seq=19 ack=20 len=0 t=3",
                    "S>C FIN,ACK seq=20 ack=19 len=0 t=4",
                    "C>S ACK seq=19 ack=21 len=0 t=4",
                    "C>S FIN,ACK seq=19 ack=21 len=0 t=5",
                    "S>C ACK seq=21 ack=20 len=0 t=5",
                ],
            ),
            (
                "a write longer than the MSS is cut, acknowledged every 16 segments and at its end",
                vec![TcpEvent::Data { at_us: 2, from: Server, bytes: &long }],
                (0..18)
                    .flat_map(|segment| {
                        let seq = 1 + segment * 1460;
                        let (flags, len) = if segment == 17 { ("PSH,ACK", 10) } else { ("ACK", 1460) };
                        let data = format!("S>C {flags} seq={seq} ack=1 len={len} t=2");
                        let acked = (segment == 15 || segment == 17).then(|| format!("C>S ACK seq=1 ack={} len=0 t=2", seq + len));
                        std::iter::once(data).chain(acked)
                    })
                    .map(|line| &*Box::leak(line.into_boxed_str()))
                    .collect(),
            ),
            (
                "a reset ends it; nothing after is written",
                vec![
                    TcpEvent::Data { at_us: 2, from: Client, bytes: b"x" },
                    TcpEvent::Reset { at_us: 3, from: Server },
                    TcpEvent::Data { at_us: 4, from: Client, bytes: b"y" },
                ],
                vec!["C>S PSH,ACK seq=1 ack=1 len=1 t=2", "S>C ACK seq=1 ack=2 len=0 t=2", "S>C RST,ACK seq=1 ack=2 len=0 t=3"],
            ),
            (
                "empty writes, data after FIN and a second FIN are left out; time never goes back",
                vec![
                    TcpEvent::Data { at_us: 9, from: Client, bytes: b"" },
                    TcpEvent::Fin { at_us: 9, from: Client },
                    TcpEvent::Data { at_us: 10, from: Client, bytes: b"late" },
                    TcpEvent::Fin { at_us: 11, from: Client },
                    TcpEvent::Data { at_us: 8, from: Server, bytes: b"ok" },
                ],
                vec![
                    "C>S FIN,ACK seq=1 ack=1 len=0 t=9",
                    "S>C ACK seq=1 ack=2 len=0 t=9",
                    "S>C PSH,ACK seq=1 ack=2 len=2 t=9",
                    "C>S ACK seq=2 ack=3 len=0 t=9",
                ],
            ),
        ];
        for (name, events, expected) in cases {
            let got = describe(&tcp_packets(&session(&events)));
            let expected: Vec<String> = HANDSHAKE.iter().chain(&expected).map(|line| line.to_string()).collect();
            assert_eq!(got, expected, "{name}");
        }
    }

    fn ipv6_and_mixed_families_are_written_with_their_own_checksums() {
        let events = [TcpEvent::Data { at_us: 2, from: Side::Client, bytes: b"hello" }];
        let cases = [("[::1]:50000", "[::1]:25"), ("127.0.0.1:50000", "[2001:db8::1]:25")];
        for (client, server) in cases {
            let session = TcpSession { client: address(client), server: address(server), opened_at_us: 1, events: &events };
            let got = describe(&tcp_packets(&session));
            assert_eq!(got.len(), 5, "{client} → {server}: handshake, data, ACK");
            assert_eq!(got[3], "C>S PSH,ACK seq=1 ack=1 len=5 t=2", "{client} → {server}");
        }
    }

    fn udp_datagrams_are_one_packet_each_empty_ones_too() {
        let datagrams = [
            Datagram { at_us: 5, from: Side::Client, bytes: b"abc" },
            Datagram { at_us: 6, from: Side::Server, bytes: b"" },
            Datagram { at_us: 4, from: Side::Server, bytes: &[0; 65_507] },
        ];
        let got = describe(&udp_packets(address(CLIENT), address("127.0.0.1:7"), &datagrams));
        assert_eq!(got, ["C>S UDP len=3 t=5", "S>C UDP len=0 t=6", "S>C UDP len=65507 t=6"]);
    }

    fn a_session_written_as_pcap_reads_back_packet_for_packet() {
        let events = [TcpEvent::Data { at_us: 1_700_000_000_000_002, from: Side::Client, bytes: b"EHLO me\r\n" }];
        let session = TcpSession { client: address(CLIENT), server: address("127.0.0.1:25"), opened_at_us: 1_700_000_000_000_001, events: &events };
        let file = tcp_pcap(&session);
        let Ok(mut reader) = pcap_file::pcap::PcapReader::new(&file[..]) else { panic!("the file must open") };
        let mut read = Vec::new();
        while let Some(Ok(packet)) = reader.next_packet() {
            read.push(TimedPacket { at_us: packet.timestamp.as_micros() as u64, bytes: packet.data.into_owned() });
        }
        assert_eq!(read, tcp_packets(&session));
    }

    fn a_capture_is_served_by_the_server_the_socket_went_to() {
        let cases = [
            ("ws://127.0.0.1:8080/ws/inspect?delay_ms=5", "ab12", Some("http://127.0.0.1:8080/api/captures/ab12.pcap")),
            ("wss://lab.example/ws/inspect", "ab12", Some("https://lab.example/api/captures/ab12.pcap")),
            ("ws://[::1]:9000/ws/inspect", "ab12", Some("http://[::1]:9000/api/captures/ab12.pcap")),
            ("http://localhost/", "ab12", Some("http://localhost/api/captures/ab12.pcap")),
            ("ftp://x/", "ab12", None),
            ("ws://x/", "../etc", None),
            ("ws://x/", "", None),
        ];
        for (socket, id, expected) in cases {
            assert_eq!(capture_url(socket, id).as_deref(), expected, "{socket} {id}");
        }
    }
}
