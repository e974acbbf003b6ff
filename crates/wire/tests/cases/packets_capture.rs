//! Tests of `wire::packets::capture`: the sample capture's packet list; pcap in both byte
//! orders and time resolutions and pcapng with if_tsresol, several interfaces, simple packet
//! blocks and unknown blocks; and broken files: every prefix of a file and corrupted bytes give
//! the packets before the break and a problem at a byte, never a panic.

use std::borrow::Cow;
use std::time::Duration;

use expect_test::expect;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::pcapng::blocks::simple_packet::SimplePacketBlock;
use pcap_file::pcapng::blocks::unknown::UnknownBlock;
use pcap_file::pcapng::{Block, PcapNgWriter};
use pcap_file::{DataLink, Endianness, TsResolution};
use wire::packets::capture::{FileKind, read_all};

use super::packets_support::{START_US, sample_frames, sample_pcap};

fn listing(bytes: &[u8]) -> String {
    let capture = read_all(bytes).unwrap_or_else(|error| panic!("{error}"));
    let mut out = format!("{}\n", capture.kind.describe());
    for row in &capture.rows {
        out.push_str(&format!(
            "{} {} {} → {} {} {} {}\n",
            row.number,
            row.time_text(),
            row.source,
            row.destination,
            row.protocol,
            row.length,
            row.info
        ));
    }
    if let Some(problem) = capture.problem {
        out.push_str(&format!("problem: {problem}\n"));
    }
    out
}

fn classic(endianness: Endianness, resolution: TsResolution) -> Vec<u8> {
    let header =
        PcapHeader { datalink: DataLink::ETHERNET, endianness, ts_resolution: resolution, ..PcapHeader::default() };
    let mut out = Vec::new();
    let Ok(mut writer) = PcapWriter::with_header(&mut out, header) else { panic!("header") };
    for (index, (_, frame)) in sample_frames().into_iter().take(3).enumerate() {
        let at = Duration::from_micros(START_US) + Duration::from_nanos(index as u64 * 1_234_567);
        let packet = PcapPacket::new(at, frame.len() as u32, &frame);
        writer.write_packet(&packet).unwrap_or_else(|error| panic!("{error}"));
    }
    out
}

/// A pcapng with an Ethernet interface in nanoseconds, a raw-IP one in default microseconds,
/// an unknown block, an enhanced packet on each, and a simple packet.
fn pcapng(endianness: Endianness) -> Vec<u8> {
    let frames = sample_frames();
    let dns = &frames[2].1;
    let mut out = Vec::new();
    let Ok(mut writer) = PcapNgWriter::with_endianness(&mut out, endianness) else { panic!("section") };
    let write = |writer: &mut PcapNgWriter<&mut Vec<u8>>, block: Block| {
        writer.write_block(&block).unwrap_or_else(|error| panic!("{error}"));
    };
    write(
        &mut writer,
        Block::InterfaceDescription(InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 0,
            options: vec![InterfaceDescriptionOption::IfTsResol(9)],
        }),
    );
    write(&mut writer, Block::Unknown(UnknownBlock::new(0x0bad, 16, &[1, 2, 3, 4])));
    write(
        &mut writer,
        Block::InterfaceDescription(InterfaceDescriptionBlock { linktype: DataLink::RAW, snaplen: 0, options: vec![] }),
    );
    // pcap-file writes the count as given: nanoseconds on interface 0, microseconds on interface 1.
    write(
        &mut writer,
        Block::EnhancedPacket(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_nanos(START_US * 1000),
            original_len: dns.len() as u32,
            data: Cow::Borrowed(dns),
            options: vec![],
        }),
    );
    write(
        &mut writer,
        Block::EnhancedPacket(EnhancedPacketBlock {
            interface_id: 1,
            timestamp: Duration::from_nanos(START_US + 2_500),
            original_len: (dns.len() - 14) as u32,
            data: Cow::Borrowed(&dns[14..]),
            options: vec![],
        }),
    );
    write(
        &mut writer,
        Block::SimplePacket(SimplePacketBlock { original_len: dns.len() as u32, data: Cow::Borrowed(dns) }),
    );
    out
}

case_test! {
    fn the_sample_capture_lists_like_wireshark() {
        expect![[r#"
            pcap (little-endian, microseconds)
            1 0.000000 02:00:00:00:00:01 → ff:ff:ff:ff:ff:ff ARP 60 Who has 10.0.0.2? Tell 10.0.0.1
            2 0.001500 02:00:00:00:00:02 → 02:00:00:00:00:01 ARP 60 10.0.0.2 is at 02:00:00:00:00:02
            3 0.003000 10.0.0.1 → 10.0.0.2 DNS 71 Standard query 0x1234 A example.com
            4 0.004500 10.0.0.2 → 10.0.0.1 DNS 87 Standard query response 0x1234 A example.com A 93.184.216.34
            5 0.006000 10.0.0.1 → 10.0.0.2 TCP 62 51234 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 WS=128
            6 0.007500 10.0.0.2 → 10.0.0.1 TCP 62 80 → 51234 [SYN, ACK] Seq=0 Ack=1 Win=64240 Len=0 MSS=1460 WS=128
            7 0.009000 10.0.0.1 → 10.0.0.2 TCP 54 51234 → 80 [ACK] Seq=1 Ack=1 Win=8222720 Len=0
            8 0.010500 10.0.0.1 → 10.0.0.2 HTTP 208 GET /ws/echo HTTP/1.1 
            9 0.012000 10.0.0.2 → 10.0.0.1 HTTP 183 HTTP/1.1 101 Switching Protocols
            10 0.013500 10.0.0.1 → 10.0.0.2 WebSocket 65 WebSocket Text [FIN] [MASKED]
            11 0.015000 10.0.0.2 → 10.0.0.1 WebSocket 61 WebSocket Text [FIN]
            12 0.016500 10.0.0.1 → 10.0.0.2 TCP 54 51234 → 80 [FIN, ACK] Seq=166 Ack=137 Win=8222720 Len=0
            13 0.018000 10.0.0.1 → 10.0.0.2 HTTP 89 GET /status HTTP/1.1 
            14 0.019500 10.0.0.2 → 10.0.0.1 HTTP 123 HTTP/1.1 200 OK  (text/plain)
            15 0.021000 10.0.0.1 → 10.0.0.2 TLSv1.2 63 Application Data
            16 0.022500 10.0.0.1 → 10.0.0.2 MQTT 71 Connect Command
            17 0.024000 10.0.0.1 → 10.0.0.2 ICMP 50 Echo (ping) request  id=0x0001, seq=1/256, ttl=64
            18 0.025500 2001:db8::1 → 2001:db8::2 ICMPv6 66 Echo (ping) request id=0x0002, seq=7, hop limit=64
            19 0.027000 2001:db8::1 → 2001:db8::2 UDP 65 40000 → 9999 Len=3
            20 0.028500 10.0.0.1 → 10.0.0.2 UDP 52 40001 → 9998 Len=6
        "#]].assert_eq(&listing(&sample_pcap()));
    }

    fn classic_pcap_in_both_byte_orders_and_resolutions() {
        for (endianness, resolution, kind) in [
            (Endianness::Little, TsResolution::MicroSecond, FileKind::Pcap { big_endian: false, nanoseconds: false }),
            (Endianness::Big, TsResolution::MicroSecond, FileKind::Pcap { big_endian: true, nanoseconds: false }),
            (Endianness::Little, TsResolution::NanoSecond, FileKind::Pcap { big_endian: false, nanoseconds: true }),
            (Endianness::Big, TsResolution::NanoSecond, FileKind::Pcap { big_endian: true, nanoseconds: true }),
        ] {
            let file = classic(endianness, resolution);
            assert_eq!(FileKind::sniff(&file), Some(kind));
            let capture = read_all(&file).unwrap_or_else(|error| panic!("{error}"));
            let times: Vec<u64> = capture.rows.iter().map(|row| row.since_first_ns).collect();
            let expected = if resolution == TsResolution::NanoSecond { vec![0, 1_234_567, 2_469_134] } else { vec![0, 1_234_000, 2_469_000] };
            assert_eq!(times, expected, "{kind:?}");
            assert_eq!(capture.rows[2].protocol, "DNS", "{kind:?}");
            assert_eq!(capture.problem, None);
        }
    }

    fn pcapng_interfaces_resolutions_and_blocks() {
        for endianness in [Endianness::Little, Endianness::Big] {
            let file = pcapng(endianness);
            let capture = read_all(&file).unwrap_or_else(|error| panic!("{error}"));
            let rows: Vec<String> = capture
                .rows
                .iter()
                .map(|row| format!("{} {} {:?} {} {}", row.number, row.since_first_ns, row.record.data_link(), row.protocol, row.info))
                .collect();
            expect![[r#"
                [
                    "1 0 ETHERNET DNS Standard query 0x1234 A example.com",
                    "2 2500000 RAW DNS Standard query 0x1234 A example.com",
                    "3 0 ETHERNET DNS Standard query 0x1234 A example.com",
                ]
            "#]].assert_debug_eq(&rows);
            assert_eq!(capture.problem, None, "{endianness:?}");
        }
    }

    fn every_prefix_gives_the_packets_before_the_cut() {
        for file in [sample_pcap(), pcapng(Endianness::Little)] {
            let whole = read_all(&file).unwrap_or_else(|error| panic!("{error}")).rows.len();
            let mut last = 0;
            for len in 0..file.len() {
                match read_all(&file[..len]) {
                    Err(problem) => assert!(len < 32, "cut to {len}: {problem}"),
                    Ok(capture) => {
                        assert!(capture.rows.len() >= last && capture.rows.len() <= whole, "cut to {len}");
                        last = capture.rows.len();
                        if let Some(problem) = &capture.problem {
                            let at = problem.location.map_or(usize::MAX, |location| location.offset);
                            assert!(at < len, "cut to {len}: problem at {at}");
                            assert!(problem.message.contains("ends inside"), "cut to {len}: {problem}");
                        }
                    }
                }
            }
        }
    }

    fn a_truncated_file_names_the_byte_where_it_breaks() {
        let file = sample_pcap();
        let capture = read_all(&file[..200]).unwrap_or_else(|error| panic!("{error}"));
        expect![[r#"
            (
                2,
                Some(
                    "the file ends inside a packet record (cut short?) at byte 176",
                ),
            )
        "#]].assert_debug_eq(&(capture.rows.len(), capture.problem.map(|problem| problem.to_string())));
    }

    fn corrupted_files_never_panic() {
        let files = [sample_pcap(), pcapng(Endianness::Little), pcapng(Endianness::Big)];
        for file in files {
            for at in 0..file.len() {
                for flip in [0x01u8, 0x80, 0xff] {
                    let mut corrupt = file.clone();
                    corrupt[at] ^= flip;
                    if let Ok(capture) = read_all(&corrupt) {
                        for row in &capture.rows {
                            assert!(row.record.offset + row.record.captured <= corrupt.len());
                        }
                    }
                }
            }
        }
    }

    fn the_journeys_fixture_is_the_sample_capture() {
        // e2e/packets-capture.test.mjs opens this file through the Decode tab's file input.
        let fixture: &[u8] = include_bytes!("../../../../e2e/fixtures/packets-sample.pcap");
        assert!(fixture == sample_pcap().as_slice(), "rewrite e2e/fixtures/packets-sample.pcap from packets_support::sample_pcap()");
    }

    fn not_a_capture_is_said_plainly() {
        let problem = read_all(b"{\"json\": true}").err().map(|problem| problem.to_string());
        assert_eq!(problem.as_deref(), Some("not a capture file: no pcap or pcapng magic number at the start at byte 0"));
        assert_eq!(FileKind::sniff(&[0xd4, 0xc3]), None);
    }

    fn the_filter_matches_protocol_address_port_and_info() {
        let capture = read_all(&sample_pcap()).unwrap_or_else(|error| panic!("{error}"));
        let count = |filter: &str| capture.rows.iter().filter(|row| row.matches(filter)).count();
        assert_eq!([count("dns"), count("websocket"), count("10.0.0.2 http"), count("2001:db8"), count("8080"), count("")], [2, 2, 4, 2, 2, 20]);
        let streams: Vec<Option<u32>> = capture.rows.iter().map(|row| row.tcp_stream).collect();
        assert_eq!(streams[4..16].iter().flatten().copied().collect::<Vec<_>>(), vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3]);
    }
}
