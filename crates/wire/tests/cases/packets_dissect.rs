//! Tests of `wire::packets::dissect`: each sample frame's layers and byte map (every byte
//! mapped, no span over another), checksums that say what they should be, the other link
//! types, and malformed input: every prefix of every sample frame and every single-byte
//! corruption of them dissect without panicking, keep their map in bounds, and stop with an error
//! at a byte inside the frame.

use expect_test::{Expect, expect};
use pcap_file::DataLink;
use wire::packets::dissect::{dissect_frame, field_text};

use super::packets_support::{TLS_RECORD, sample_frames, tcp, udp};

/// `offset+len path: detail` for every span, and the error.
fn render(link: DataLink, frame: &[u8]) -> String {
    let dissection = dissect_frame(link, frame);
    let mut out = String::new();
    for span in dissection.map.spans() {
        out.push_str(&format!("{}+{} {}: {}\n", span.span.offset, span.span.len, span.path, span.detail));
    }
    if let Some(error) = dissection.error {
        out.push_str(&format!("error: {error}\n"));
    }
    out
}

fn frame(name: &str) -> Vec<u8> {
    sample_frames().into_iter().find(|(frame_name, _)| *frame_name == name).map(|(_, bytes)| bytes).unwrap_or_default()
}

fn check(link: DataLink, bytes: &[u8], expected: Expect) {
    expected.assert_eq(&render(link, bytes));
}

case_test! {
    fn a_dns_answer_is_mapped_field_by_field() {
        check(DataLink::ETHERNET, &frame("dns answer"), expect![[r#"
            0+6 ethernet.destination: destination 02:00:00:00:00:02
            6+6 ethernet.source: source 02:00:00:00:00:01
            12+2 ethernet.ether_type: EtherType 0x0800 IPv4
            14+1 ipv4.version_and_length: version 4 · header length 20 bytes (5)
            15+1 ipv4.dsfield: DSCP 0 · ECN 0
            16+2 ipv4.total_length: total length 73 (header and payload)
            18+2 ipv4.identification: identification 0x0000 (0)
            20+2 ipv4.flags: flags: don't fragment · fragment offset 0 bytes
            22+1 ipv4.ttl: time to live 64
            23+1 ipv4.protocol: protocol 17: UDP
            24+2 ipv4.header_checksum: header checksum 0x26a2 (correct)
            26+4 ipv4.source: source 10.0.0.2
            30+4 ipv4.destination: destination 10.0.0.1
            34+2 udp.source_port: source port 53
            36+2 udp.destination_port: destination port 53000
            38+2 udp.length: length 53 (header and payload)
            40+2 udp.checksum: checksum 0xbc1c (correct)
            42+2 dns.id: transaction id 0x1234
            44+2 dns.flags: flags 0x8180: response · opcode 0 · AA 0 · TC 0 · RD 1 · RA 1 · rcode 0
            46+2 dns.questions_count: 1 questions
            48+2 dns.answers_count: 1 answers
            50+2 dns.authority_count: 0 authority
            52+2 dns.additional_count: 0 additional
            54+13 dns.questions[0].name: name example.com
            67+2 dns.questions[0].type: type 1 A
            69+2 dns.questions[0].class: class 1 IN
            71+2 dns.answers[0].name: name example.com
            73+2 dns.answers[0].type: type 1 A
            75+2 dns.answers[0].class: class 1
            77+4 dns.answers[0].ttl: time to live 3600 s
            81+2 dns.answers[0].data_length: data length 4
            83+4 dns.answers[0].address: address 93.184.216.34
        "#]]);
    }

    fn a_syn_shows_its_flags_and_options() {
        let syn = frame("syn");
        let out = render(DataLink::ETHERNET, &syn);
        let tcp_lines: String = out.lines().filter(|line| line.contains(" tcp.")).map(|line| format!("{line}\n")).collect();
        expect![[r#"
            34+2 tcp.source_port: source port 51234
            36+2 tcp.destination_port: destination port 80
            38+4 tcp.sequence_number: sequence number 1000 (raw)
            42+4 tcp.acknowledgment_number: acknowledgment number 0 (raw)
            46+2 tcp.offset_and_flags: header length 28 bytes (7) · flags 0x002: SYN
            48+2 tcp.window: window 64240 (before scaling)
            50+2 tcp.checksum: checksum 0xa8ca (correct)
            52+2 tcp.urgent_pointer: urgent pointer 0
            54+1 tcp.options[0].kind: option 2: maximum segment size
            55+1 tcp.options[0].length: option length 4
            56+2 tcp.options[0].mss: maximum segment size 1460 bytes
            58+1 tcp.options[1].kind: option 1: no-operation
            59+1 tcp.options[2].kind: option 3: window scale
            60+1 tcp.options[2].length: option length 3
            61+1 tcp.options[2].shift: window scale: shift 7 (multiply by 128)
        "#]].assert_eq(&tcp_lines);
    }

    fn wrong_checksums_say_what_they_should_be() {
        let mut bytes = frame("http get");
        bytes[24] ^= 0xff; // IPv4 header checksum
        bytes[50] ^= 0x01; // TCP checksum
        let dissection = dissect_frame(DataLink::ETHERNET, &bytes);
        let verdicts = [field_text(&dissection.document, "ipv4.header_checksum"), field_text(&dissection.document, "tcp.checksum")];
        expect![[r#"
            [
                Some(
                    "0xd9ab (incorrect, should be 0x26ab)",
                ),
                Some(
                    "0xb35e (incorrect, should be 0xb25e)",
                ),
            ]
        "#]].assert_debug_eq(&verdicts);
    }

    fn every_byte_of_every_sample_is_mapped_once() {
        for (name, bytes) in sample_frames() {
            let dissection = dissect_frame(DataLink::ETHERNET, &bytes);
            assert_eq!(dissection.error, None, "{name}");
            assert_eq!(dissection.map.check(bytes.len()), Ok(()), "{name}");
            assert_eq!(dissection.map.covered_bytes(), bytes.len(), "{name}: unmapped bytes");
        }
    }

    fn the_top_level_keys_are_the_layers() {
        let cases = [
            ("arp request", "ethernet arp trailer"),
            ("dns query", "ethernet ipv4 udp dns"),
            ("upgrade request", "ethernet ipv4 tcp http"),
            ("ws client frame", "ethernet ipv4 tcp websocket"),
            ("tls record", "ethernet ipv4 tcp tls"),
            ("mqtt connect", "ethernet ipv4 tcp mqtt"),
            ("icmp echo", "ethernet ipv4 icmp"),
            ("icmpv6 echo", "ethernet ipv6 icmpv6"),
            ("ipv6 udp", "ethernet ipv6 udp payload"),
            ("vlan udp", "ethernet ipv4 udp payload"),
        ];
        for (name, layers) in cases {
            let dissection = dissect_frame(DataLink::ETHERNET, &frame(name));
            let keys = match &dissection.document.value {
                wire::formats::Value::Map(entries) => entries.iter().map(|entry| entry.key.as_str()).collect::<Vec<_>>().join(" "),
                _ => String::new(),
            };
            assert_eq!(keys, layers, "{name}");
        }
    }

    fn the_websocket_frame_is_unmasked_in_the_document() {
        let dissection = dissect_frame(DataLink::ETHERNET, &frame("ws client frame"));
        assert_eq!(field_text(&dissection.document, "websocket.0.payload").as_deref(), Some("Hello"));
        assert_eq!(field_text(&dissection.document, "websocket.0.fin_rsv_opcode.opcode").as_deref(), Some("text"));
    }

    fn tls_and_mqtt_come_from_their_own_dissectors() {
        let tls = dissect_frame(DataLink::ETHERNET, &frame("tls record"));
        assert_eq!(field_text(&tls.document, "tls.records.0.length").as_deref(), Some("4"), "{:?}", tls.document);
        let mqtt = dissect_frame(DataLink::ETHERNET, &frame("mqtt connect"));
        assert!(mqtt.map.spans().iter().any(|span| span.path.to_string().starts_with("mqtt[0].fixed_header")), "{:?}", mqtt.map);
        assert_eq!(TLS_RECORD.len(), 9);
    }

    fn other_link_types_reach_the_same_ip_layers() {
        let ethernet = frame("dns query");
        let ip = &ethernet[14..];
        let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
        sll.extend(ip);
        let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        sll2.extend(ip);
        let mut null = vec![2, 0, 0, 0];
        null.extend(ip);
        let mut loop_ = vec![0, 0, 0, 2];
        loop_.extend(ip);
        for (link, bytes, first) in [
            (DataLink::RAW, ip.to_vec(), "ipv4"),
            (DataLink::IPV4, ip.to_vec(), "ipv4"),
            (DataLink::LINUX_SLL, sll, "linux_sll"),
            (DataLink::LINUX_SLL2, sll2, "linux_sll2"),
            (DataLink::NULL, null, "loopback"),
            (DataLink::LOOP, loop_, "loopback"),
        ] {
            let dissection = dissect_frame(link, &bytes);
            assert_eq!(dissection.error, None, "{link:?}");
            assert_eq!(field_text(&dissection.document, "dns.questions.0.name").as_deref(), Some("example.com"), "{link:?}");
            assert!(field_text(&dissection.document, first).is_some(), "{link:?} has no {first}");
            assert_eq!(dissection.map.covered_bytes(), bytes.len(), "{link:?}");
        }
    }

    fn malformed_headers_stop_at_their_byte() {
        let good = frame("http get");
        let mut bad_version = good.clone();
        bad_version[14] = 0x55;
        let mut short_ihl = good.clone();
        short_ihl[14] = 0x44;
        let mut short_tcp = good.clone();
        short_tcp[46] = 0x30;
        let mut long_total = good.clone();
        long_total[16] = 0x00;
        long_total[17] = 0x08;
        let bad_dns = udp([10, 0, 0, 1], [10, 0, 0, 2], (1, 53), &[0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c]);
        let bad_option = tcp(true, (1, 2), 1, None, "S", &[], b"");
        let mut bad_option = bad_option;
        bad_option[46] = 0x60; // header length 24: four bytes of options
        bad_option.extend([2, 1, 0, 0]);
        let errors: Vec<String> = [bad_version, short_ihl, short_tcp, long_total, bad_dns, bad_option]
            .iter()
            .map(|bytes| dissect_frame(DataLink::ETHERNET, bytes).error.map(|error| error.to_string()).unwrap_or_default())
            .collect();
        expect![[r#"
            [
                "byte 14: version 5 where IPv4's header says 4",
                "byte 14: a header length of 16 bytes: IPv4's is at least 20",
                "byte 46: a header length of 12 bytes: TCP's is at least 20",
                "byte 16: a total length of 8 is shorter than the header (20)",
                "byte 54: a DNS name that runs past the message, loops, or uses a reserved label type",
                "byte 54: the header length says 4 bytes, but only 0 are left",
            ]
        "#]].assert_debug_eq(&errors);
    }

    fn every_prefix_and_corruption_is_read_without_panicking() {
        for (name, bytes) in sample_frames() {
            for len in 0..bytes.len() {
                let prefix = &bytes[..len];
                let dissection = dissect_frame(DataLink::ETHERNET, prefix);
                assert_eq!(dissection.map.check(len), Ok(()), "{name} cut to {len}");
                if let Some(location) = dissection.error.as_ref().and_then(|error| error.location) {
                    assert!(location.offset <= len, "{name} cut to {len}: error at {}", location.offset);
                }
            }
            for at in 0..bytes.len() {
                for flip in [0x01u8, 0x80, 0xff] {
                    let mut corrupt = bytes.clone();
                    corrupt[at] ^= flip;
                    let dissection = dissect_frame(DataLink::ETHERNET, &corrupt);
                    assert_eq!(dissection.map.check(corrupt.len()), Ok(()), "{name} with byte {at} ^ {flip:#x}");
                }
            }
        }
        for link in [DataLink::LINUX_SLL, DataLink::LINUX_SLL2, DataLink::NULL, DataLink::RAW, DataLink::Unknown(999)] {
            for len in 0..40 {
                let junk: Vec<u8> = (0..len).map(|index| (index * 37 + 11) as u8).collect();
                let dissection = dissect_frame(link, &junk);
                assert_eq!(dissection.map.check(len), Ok(()), "{link:?} junk of {len}");
            }
        }
    }
}
