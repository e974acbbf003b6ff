//! The Craft packet tab's packets (`wire::packets::craft`): each field checked with a message
//! naming it; the presets' bytes; lengths and checksums read back and verified by etherparse and
//! against a published IPv4 header; fields set by hand written as set and marked; every byte
//! mapped; the payload retyped; the scapy program. Real peers (tshark, scapy) are in
//! crates/server/tests/packets_craft.rs.

use etherparse::{Ipv4Header, SlicedPacket, TcpHeader, UdpHeader};
use expect_test::{Expect, expect};
use wire::formats::Path;
use wire::formats_lab::{FormatsEvent, FormatsLabState};
use wire::hexdump::to_hex;
use wire::lab::LabState;
use wire::packets::craft::{
    Control, CraftEdit, CraftField, CraftForm, Crafted, PayloadKind, Preset, Toggle, Transport, field_path,
};

/// `preset` with each of `edits` applied in turn.
fn edited(preset: Preset, edits: &[CraftEdit]) -> CraftForm {
    preset.form().with(edits.iter().cloned())
}

fn text(field: CraftField, value: &str) -> CraftEdit {
    CraftEdit::Text(field, value.to_owned())
}

fn crafted(form: &CraftForm) -> Crafted {
    match form.craft() {
        Ok(crafted) => crafted,
        Err(problems) => panic!("the form should build: {problems:?}"),
    }
}

case_test! {
    fn each_wrong_field_is_named_with_what_to_type() {
        let cases: &[(Preset, CraftField, &str, &str)] = &[
            (Preset::DnsQuery, CraftField::EthSource, "02:00:5e:00:53", "Source MAC: “02:00:5e:00:53” is not a MAC address; type six bytes in hex, like 02:00:5e:00:53:01"),
            (Preset::DnsQuery, CraftField::EthDestination, "", "Destination MAC: empty; type six bytes in hex, like 02:00:5e:00:53:01"),
            (Preset::DnsQuery, CraftField::EthDestination, "02:00:5e:00:53:zz", "Destination MAC: “02:00:5e:00:53:zz” is not a MAC address; type six bytes in hex, like 02:00:5e:00:53:01"),
            (Preset::DnsQuery, CraftField::EtherType, "0x10000", "EtherType: 0x10000 is out of range: 0 to 65535 (0xffff)"),
            (Preset::DnsQuery, CraftField::IpDscp, "64", "DSCP: 64 is out of range: 0 to 63 (0x3f)"),
            (Preset::DnsQuery, CraftField::IpEcn, "4", "ECN: 4 is out of range: 0 to 3 (0x3)"),
            (Preset::DnsQuery, CraftField::IpFragmentOffset, "8192", "Fragment offset: 8192 is out of range: 0 to 8191 (0x1fff)"),
            (Preset::DnsQuery, CraftField::IpTtl, "256", "TTL: 256 is out of range: 0 to 255 (0xff)"),
            (Preset::DnsQuery, CraftField::IpTtl, "sixty", "TTL: “sixty” is not a number; type one from 0 to 255 (0xff), decimal or 0x hex"),
            (Preset::DnsQuery, CraftField::IpTtl, "-1", "TTL: “-1” is not a number; type one from 0 to 255 (0xff), decimal or 0x hex"),
            (Preset::DnsQuery, CraftField::IpIdentification, "", "Identification: empty; type a number from 0 to 65535 (0xffff)"),
            (Preset::DnsQuery, CraftField::IpSource, "192.0.2", "Source address: “192.0.2” is not an IPv4 address; type four numbers from 0 to 255, like 192.0.2.1"),
            (Preset::DnsQuery, CraftField::IpDestination, "198.51.100.256", "Destination address: “198.51.100.256” is not an IPv4 address; type four numbers from 0 to 255, like 192.0.2.1"),
            (Preset::DnsQuery, CraftField::SourcePort, "65536", "Source port: 65536 is out of range: 0 to 65535 (0xffff)"),
            (Preset::DnsQuery, CraftField::DestinationPort, "0x1_0", "Destination port: “0x1_0” is not a number; type one from 0 to 65535 (0xffff), decimal or 0x hex"),
            (Preset::TcpSyn, CraftField::TcpSequence, "4294967296", "Sequence number: 4294967296 is out of range: 0 to 4294967295"),
            (Preset::TcpSyn, CraftField::TcpAcknowledgment, "x", "Acknowledgment number: “x” is not a number; type one from 0 to 4294967295, decimal or 0x hex"),
            (Preset::TcpSyn, CraftField::TcpWindow, "70000", "Window: 70000 is out of range: 0 to 65535 (0xffff)"),
            (Preset::TcpSyn, CraftField::TcpUrgentPointer, "65536", "Urgent pointer: 65536 is out of range: 0 to 65535 (0xffff)"),
            (Preset::DnsQuery, CraftField::Payload, "1a 2", "Payload: odd number of hex digits (1) in this group: each byte needs two at line 1, column 4"),
        ];
        for (preset, field, typed, message) in cases {
            let form = edited(*preset, &[text(*field, typed)]);
            let problems = form.check().err().unwrap_or_default();
            let said: Vec<(CraftField, &str)> = problems.iter().map(|problem| (problem.field, problem.message.as_str())).collect();
            assert_eq!(said, vec![(*field, *message)], "{field:?} typed as {typed:?}");
        }
    }

    fn fields_of_the_other_transport_and_computed_fields_are_not_checked() {
        // UDP ignores the TCP fields; a computed field's text matters only once set by hand.
        let form = edited(Preset::DnsQuery, &[text(CraftField::TcpSequence, "nope"), text(CraftField::UdpChecksum, "nope")]);
        assert!(form.check().is_ok());
        let set_by_hand = edited(Preset::DnsQuery, &[CraftEdit::Override(CraftField::UdpChecksum, true), text(CraftField::UdpChecksum, "nope")]);
        let messages: Vec<String> = set_by_hand.check().err().unwrap_or_default().into_iter().map(|problem| problem.message).collect();
        assert_eq!(messages, ["UDP checksum: “nope” is not a number; type one from 0 to 65535 (0xffff), decimal or 0x hex"]);
    }

    fn every_wrong_field_is_reported_at_once_in_the_forms_order() {
        let form = edited(Preset::HttpGet, &[
            text(CraftField::Payload, ""),
            text(CraftField::DestinationPort, "99999"),
            text(CraftField::IpTtl, ""),
            text(CraftField::EthSource, "nope"),
        ]);
        let fields: Vec<CraftField> = form.check().err().unwrap_or_default().iter().map(|problem| problem.field).collect();
        assert_eq!(fields, [CraftField::EthSource, CraftField::IpTtl, CraftField::DestinationPort]);
    }

    fn a_payload_too_long_for_one_packet_is_refused_per_transport() {
        let cases = [(Transport::Udp, 65_507, None), (Transport::Udp, 65_508, Some("Payload: 65508 bytes is too long for one IPv4 packet (at most 65507 over UDP)")),
            (Transport::Tcp, 65_495, None), (Transport::Tcp, 65_496, Some("Payload: 65496 bytes is too long for one IPv4 packet (at most 65495 over TCP)"))];
        for (transport, length, message) in cases {
            let form = edited(Preset::TcpSyn, &[CraftEdit::Transport(transport), text(CraftField::Payload, &"x".repeat(length))]);
            let said = form.check().err().map(|problems| problems[0].message.clone());
            assert_eq!(said.as_deref(), message, "{length} bytes over {transport:?}");
            if message.is_none() {
                assert_eq!(crafted(&form).bytes.len(), 14 + 65_535);
            }
        }
    }

    fn macs_are_read_in_the_usual_spellings() {
        let cases: &[(&str, Option<[u8; 6]>)] = &[
            ("02:00:5e:00:53:01", Some([2, 0, 0x5e, 0, 0x53, 1])),
            ("02-00-5E-00-53-01", Some([2, 0, 0x5e, 0, 0x53, 1])),
            ("02005e005301", Some([2, 0, 0x5e, 0, 0x53, 1])),
            ("ff:ff:ff:ff:ff:ff", Some([0xff; 6])),
            ("2:0:5e:0:53:1", None),
            ("02:00:5e:00:53:01:00", None),
            ("02005e00530", None),
            ("02:00-5e:00:53:0g", None),
        ];
        for (typed, expected) in cases {
            assert_eq!(wire::packets::craft::form::parse_mac(typed), *expected, "{typed}");
        }
    }

    fn the_presets_build_these_frames() {
        check_frame(Preset::DnsQuery, expect!["02 00 5e 00 53 02 02 00 5e 00 53 01 08 00 45 00 00 39 1c 46 40 00 40 11 31 fb c0 00 02 0a c6 33 64 35 cf 84 00 35 00 25 59 de 1a 2b 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01"]);
        check_frame(Preset::TcpSyn, expect!["02 00 5e 00 53 02 02 00 5e 00 53 01 08 00 45 00 00 28 3e 01 40 00 40 06 10 41 c0 00 02 0a c6 33 64 50 c0 00 00 50 00 00 03 e8 00 00 00 00 50 02 fa f0 04 2b 00 00"]);
        check_frame(Preset::HttpGet, expect!["02 00 5e 00 53 02 02 00 5e 00 53 01 08 00 45 00 00 5a 3e 02 40 00 40 06 10 0e c0 00 02 0a c6 33 64 50 c0 00 00 50 00 00 03 e9 00 00 13 89 50 18 01 f6 04 04 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a 48 6f 73 74 3a 20 65 78 61 6d 70 6c 65 2e 63 6f 6d 0d 0a 41 63 63 65 70 74 3a 20 2a 2f 2a 0d 0a 0d 0a"]);
    }

    fn lengths_and_checksums_verify_with_etherparse() {
        let cases: Vec<(&str, CraftForm)> = vec![
            ("dns query", Preset::DnsQuery.form()),
            ("tcp syn", Preset::TcpSyn.form()),
            ("http get", Preset::HttpGet.form()),
            ("empty udp", edited(Preset::DnsQuery, &[text(CraftField::Payload, "")])),
            ("odd-length udp payload", edited(Preset::DnsQuery, &[text(CraftField::Payload, "01 02 03")])),
            ("odd-length tcp payload", edited(Preset::HttpGet, &[text(CraftField::Payload, "abc")])),
            ("every flag, dscp, ecn, fragment", edited(Preset::TcpSyn, &[
                text(CraftField::IpDscp, "46"), text(CraftField::IpEcn, "3"), text(CraftField::IpFragmentOffset, "0x1fff"),
                CraftEdit::Toggle(Toggle::MoreFragments, true), CraftEdit::Toggle(Toggle::DontFragment, false),
                CraftEdit::Toggle(Toggle::Cwr, true), CraftEdit::Toggle(Toggle::Ece, true), CraftEdit::Toggle(Toggle::Urg, true),
                CraftEdit::Toggle(Toggle::Ack, true), CraftEdit::Toggle(Toggle::Psh, true), CraftEdit::Toggle(Toggle::Rst, true),
                CraftEdit::Toggle(Toggle::Fin, true), text(CraftField::TcpUrgentPointer, "65535"),
                text(CraftField::TcpSequence, "4294967295"), text(CraftField::TcpAcknowledgment, "0xffffffff"),
            ])),
            ("largest udp", edited(Preset::DnsQuery, &[CraftEdit::PayloadKind(PayloadKind::Text), text(CraftField::Payload, &"z".repeat(65_507))])),
        ];
        for (name, form) in cases {
            let packet = crafted(&form);
            let sliced = match SlicedPacket::from_ethernet(&packet.bytes) {
                Ok(sliced) => sliced,
                Err(error) => panic!("{name}: etherparse cannot read the frame: {error}"),
            };
            let Some(etherparse::NetSlice::Ipv4(ipv4)) = &sliced.net else { panic!("{name}: no IPv4 layer") };
            let header: Ipv4Header = ipv4.header().to_header();
            assert_eq!(usize::from(header.total_len), packet.bytes.len() - 14, "{name}: total length");
            assert_eq!(header.header_checksum, header.calc_header_checksum(), "{name}: IPv4 header checksum");
            // Read from the IPv4 payload directly: etherparse leaves a fragment's transport unread.
            let payload = ipv4.payload().payload;
            match form.transport {
                Transport::Udp => {
                    let Ok((udp, data)) = UdpHeader::from_slice(payload) else { panic!("{name}: no UDP header") };
                    assert_eq!(usize::from(udp.length), payload.len(), "{name}: UDP length");
                    assert_eq!(Some(udp.checksum), udp.calc_checksum_ipv4(&header, data).ok(), "{name}: UDP checksum");
                }
                Transport::Tcp => {
                    let Ok((tcp, data)) = TcpHeader::from_slice(payload) else { panic!("{name}: no TCP header") };
                    assert_eq!(tcp.data_offset(), 5, "{name}: data offset");
                    assert_eq!(Some(tcp.checksum), tcp.calc_checksum_ipv4(&header, data).ok(), "{name}: TCP checksum");
                }
            }
            assert_eq!(packet.differs, [], "{name}: nothing set by hand");
            assert_eq!(packet.map.check(packet.bytes.len()), Ok(()), "{name}: the map");
            assert_eq!(packet.map.covered_bytes(), packet.bytes.len(), "{name}: every byte mapped");
        }
    }

    fn a_published_ipv4_header_gets_its_published_checksum() {
        // Wikipedia's "IPv4 header checksum" example: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7.
        let form = edited(Preset::DnsQuery, &[
            text(CraftField::IpIdentification, "0"),
            text(CraftField::IpSource, "192.168.0.1"),
            text(CraftField::IpDestination, "192.168.0.199"),
            CraftEdit::PayloadKind(PayloadKind::Text),
            text(CraftField::Payload, &"p".repeat(0x73 - 28)),
        ]);
        let packet = crafted(&form);
        assert_eq!(to_hex(&packet.bytes[14..34]), "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7");
    }

    fn fields_set_by_hand_are_written_as_set_and_marked() {
        struct Case { name: &'static str, form: CraftForm, at: std::ops::Range<usize>, bytes: &'static str, differs: &'static [CraftField], detail: &'static str }
        let set = |preset: Preset, field: CraftField, value: &str| {
            edited(preset, &[CraftEdit::Override(field, true), text(field, value)])
        };
        let cases = [
            Case { name: "a wrong IPv4 checksum", form: set(Preset::DnsQuery, CraftField::IpChecksum, "0xdead"), at: 24..26, bytes: "de ad",
                differs: &[CraftField::IpChecksum], detail: "header checksum 0xdead SET BY HAND; computed: 0x31fb" },
            Case { name: "a wrong UDP checksum", form: set(Preset::DnsQuery, CraftField::UdpChecksum, "0"), at: 40..42, bytes: "00 00",
                differs: &[CraftField::UdpChecksum], detail: "checksum 0x0000 SET BY HAND; computed: 0x59de" },
            Case { name: "a UDP length too long", form: set(Preset::DnsQuery, CraftField::UdpLength, "100"), at: 38..40, bytes: "00 64",
                differs: &[CraftField::UdpLength], detail: "length 100 SET BY HAND; computed: 37" },
            Case { name: "a total length too short", form: set(Preset::TcpSyn, CraftField::IpTotalLength, "20"), at: 16..18, bytes: "00 14",
                differs: &[CraftField::IpTotalLength], detail: "total length 20 SET BY HAND; computed: 40" },
            Case { name: "another protocol", form: set(Preset::TcpSyn, CraftField::IpProtocol, "17"), at: 23..24, bytes: "11",
                differs: &[CraftField::IpProtocol], detail: "protocol 17 SET BY HAND; computed: 6: UDP" },
            Case { name: "a data offset past the header", form: set(Preset::TcpSyn, CraftField::TcpDataOffset, "6"), at: 46..47, bytes: "60",
                differs: &[CraftField::TcpDataOffset], detail: "data offset 6 SET BY HAND; computed: 5: 6 × 4 = 24 bytes; flags 0x02: SYN" },
            Case { name: "a TCP checksum set to the right value", form: set(Preset::TcpSyn, CraftField::TcpChecksum, "0x042b"), at: 50..52, bytes: "04 2b",
                differs: &[], detail: "checksum 0x042b (set by hand, the computed value)" },
        ];
        for case in cases {
            let packet = crafted(&case.form);
            assert_eq!(to_hex(&packet.bytes[case.at.clone()]), case.bytes, "{}: bytes", case.name);
            assert_eq!(packet.differs, case.differs, "{}: marked", case.name);
            let detail = packet.map.at(case.at.start).map(|span| span.detail.clone()).unwrap_or_default();
            assert_eq!(detail, case.detail, "{}: byte map", case.name);
        }
    }

    fn setting_a_field_by_hand_starts_from_its_computed_value() {
        let form = edited(Preset::DnsQuery, &[CraftEdit::Override(CraftField::IpChecksum, true)]);
        assert_eq!(form.text(CraftField::IpChecksum), "0x31fb");
        assert_eq!(crafted(&form).bytes, crafted(&Preset::DnsQuery.form()).bytes);
        let again = edited(Preset::DnsQuery, &[
            CraftEdit::Override(CraftField::IpChecksum, true), text(CraftField::IpChecksum, "1"),
            CraftEdit::Override(CraftField::IpChecksum, false),
        ]);
        assert!(!again.is_overridden(CraftField::IpChecksum));
        assert_eq!(crafted(&again).bytes, crafted(&Preset::DnsQuery.form()).bytes, "computed again");
    }

    fn form_fields_and_flags_light_their_bytes() {
        let udp = crafted(&Preset::DnsQuery.form());
        let tcp = crafted(&Preset::HttpGet.form());
        // Each lights one run of bytes: (offset, length).
        let cases: &[(&Crafted, Path, (usize, usize))] = &[
            (&udp, field_path(CraftField::EthSource, Transport::Udp), (6, 6)),
            (&udp, field_path(CraftField::IpEcn, Transport::Udp), (15, 1)),
            (&udp, field_path(CraftField::IpDscp, Transport::Udp), (15, 1)),
            (&udp, field_path(CraftField::SourcePort, Transport::Udp), (34, 2)),
            (&udp, field_path(CraftField::Payload, Transport::Udp), (42, 29)),
            (&udp, wire::packets::craft::toggle_path(Toggle::DontFragment), (20, 2)),
            (&tcp, field_path(CraftField::SourcePort, Transport::Tcp), (34, 2)),
            (&tcp, wire::packets::craft::toggle_path(Toggle::Syn), (46, 2)),
            (&tcp, field_path(CraftField::TcpUrgentPointer, Transport::Tcp), (52, 2)),
            (&tcp, Path::root().key("tcp"), (34, 20)),
        ];
        for (packet, path, range) in cases {
            let lit: Vec<(usize, usize)> = packet.map.ranges_under(path).iter().map(|span| (span.offset, span.len)).collect();
            assert_eq!(lit, [*range], "{path}");
        }
    }

    fn the_reader_finds_every_field_where_the_builder_put_it() {
        let forms = [
            ("dns query", Preset::DnsQuery.form()),
            ("tcp syn", Preset::TcpSyn.form()),
            ("http get", Preset::HttpGet.form()),
            ("a wrong udp checksum", edited(Preset::DnsQuery, &[CraftEdit::Override(CraftField::UdpChecksum, true), text(CraftField::UdpChecksum, "0x1234")])),
        ];
        for (name, form) in forms {
            let packet = crafted(&form);
            let read = packet.read_back();
            assert_eq!(read.error, None, "{name}: read back whole");
            for field in CraftField::ALL.into_iter().filter(|field| field.only_for().is_none_or(|only| only == form.transport)) {
                let control = Control::Field(field);
                let ours = packet.map.ranges_under(&field_path(field, form.transport));
                let theirs = read.map.ranges_under(&control.lit_path(form.transport, &read.document));
                let (Some(ours_first), Some(theirs_first)) = (ours.first(), theirs.first()) else {
                    assert_eq!((ours.len(), theirs.len()), (0, 0), "{name}: {field:?} mapped by one side only");
                    continue;
                };
                let (ours_end, theirs_end) = (ours.iter().map(|span| span.end()).max(), theirs.iter().map(|span| span.end()).max());
                assert_eq!(theirs_first.offset, ours_first.offset, "{name}: {field:?} starts");
                if field == CraftField::Payload {
                    // The reader maps an HTTP head's tokens, not the spaces and line breaks between them.
                    assert!(theirs_end <= ours_end, "{name}: the payload ends within ours");
                } else {
                    assert_eq!(theirs_end, ours_end, "{name}: {field:?} ends");
                }
            }
        }
        let checksum = |form: &CraftForm, path: &str| {
            let read = crafted(form).read_back();
            wire::packets::dissect::field_text(&read.document, path).unwrap_or_default()
        };
        assert_eq!(checksum(&Preset::DnsQuery.form(), "udp.checksum"), "0x59de (correct)");
        let wrong = edited(Preset::DnsQuery, &[CraftEdit::Override(CraftField::IpChecksum, true), text(CraftField::IpChecksum, "0xdead")]);
        assert_eq!(checksum(&wrong, "ipv4.header_checksum"), "0xdead (incorrect, should be 0x31fb)");
    }

    fn the_payload_keeps_its_bytes_when_typed_another_way() {
        let steps = [
            (PayloadKind::Hex, "47 45 54 20 2f 0d 0a 0d 0a"),
            (PayloadKind::Base64, "R0VUIC8NCg0K"),
            (PayloadKind::Text, "GET /\n\n"),
        ];
        let mut form = edited(Preset::HttpGet, &[text(CraftField::Payload, "GET /\n\n")]);
        for (kind, expected) in steps {
            form.apply(CraftEdit::PayloadKind(kind));
            assert_eq!((form.payload_kind, form.text(CraftField::Payload)), (kind, expected));
        }
        assert!(form.is_on(Toggle::CrLf), "CRLF line breaks come back as the CRLF choice");
        let binary = edited(Preset::DnsQuery, &[CraftEdit::PayloadKind(PayloadKind::Text)]);
        assert_eq!(binary.text(CraftField::Payload), wire::packets::craft::presets::DNS_QUERY_HEX, "not UTF-8: kept as typed");
        let broken = edited(Preset::DnsQuery, &[text(CraftField::Payload, "zz"), CraftEdit::PayloadKind(PayloadKind::Base64)]);
        assert_eq!(broken.text(CraftField::Payload), "zz", "unreadable: kept as typed");
    }

    fn a_preset_replaces_the_form_and_an_edit_leaves_it() {
        let mut state = FormatsLabState::new();
        assert_eq!(state.craft.preset, Some(Preset::DnsQuery));
        let _ = state.apply(FormatsEvent::Craft(CraftEdit::Preset(Preset::TcpSyn)), 0.0);
        assert_eq!((state.craft.preset, state.craft.transport), (Some(Preset::TcpSyn), Transport::Tcp));
        let _ = state.apply(FormatsEvent::Craft(text(CraftField::IpTtl, "1")), 0.0);
        assert_eq!((state.craft.preset, state.craft.text(CraftField::IpTtl)), (None, "1"));
    }

    fn the_pcap_holds_the_frame_and_is_named_for_the_transport() {
        let packet = crafted(&Preset::DnsQuery.form());
        let file = packet.pcap(1_700_000_000_000_000);
        let Ok(mut reader) = pcap_file::pcap::PcapReader::new(&file[..]) else { panic!("the pcap must open") };
        assert_eq!(reader.header().datalink, pcap_file::DataLink::ETHERNET);
        let Some(Ok(record)) = reader.next_packet() else { panic!("one packet") };
        assert_eq!(record.data.as_ref(), packet.bytes.as_slice());
        assert_eq!(wire::packets::craft::pcap_file_name(Transport::Udp), "crafted-udp.pcap");
        assert_eq!(wire::packets::craft::pcap_file_name(Transport::Tcp), "crafted-tcp.pcap");
    }

    fn the_scapy_programs_say_what_the_tab_set() {
        check_scapy(&Preset::DnsQuery.form(), expect![[r#"
            # The packet built in Wirelab's Craft packet tab, built again by scapy: the same bytes.
            # Lengths and checksums not written here are computed by scapy, as the tab computed them.
            from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

            packet = (
                Ether(dst="02:00:5e:00:53:02", src="02:00:5e:00:53:01", type=0x0800)
                / IP(tos=0x00, id=0x1c46, flags="DF", frag=0, ttl=64, src="192.0.2.10", dst="198.51.100.53")
                / UDP(sport=53124, dport=53)
                / Raw(load=bytes.fromhex("1a 2b 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01"))
            )
            wrpcap("crafted-udp.pcap", [packet])
            print(bytes(packet).hex(" "))
        "#]]);
        check_scapy(&Preset::HttpGet.form(), expect![[r#"
            # The packet built in Wirelab's Craft packet tab, built again by scapy: the same bytes.
            # Lengths and checksums not written here are computed by scapy, as the tab computed them.
            from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

            packet = (
                Ether(dst="02:00:5e:00:53:02", src="02:00:5e:00:53:01", type=0x0800)
                / IP(tos=0x00, id=0x3e02, flags="DF", frag=0, ttl=64, src="192.0.2.10", dst="198.51.100.80")
                / TCP(sport=49152, dport=80, seq=1001, ack=5001, flags="PA", window=502, urgptr=0)
                / Raw(load=b"GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n")
            )
            wrpcap("crafted-tcp.pcap", [packet])
            print(bytes(packet).hex(" "))
        "#]]);
        let by_hand = edited(Preset::DnsQuery, &[
            CraftEdit::Override(CraftField::UdpLength, true), text(CraftField::UdpLength, "20"),
            CraftEdit::Override(CraftField::IpChecksum, true), text(CraftField::IpChecksum, "0xbeef"),
            text(CraftField::Payload, "5c 22"),
        ]);
        check_scapy(&by_hand, expect![[r##"
            # The packet built in Wirelab's Craft packet tab, built again by scapy: the same bytes.
            # Lengths and checksums not written here are computed by scapy, as the tab computed them.
            # Header checksum is set by hand to a value other than the computed one.
            # UDP length is set by hand to a value other than the computed one.
            # A length is set by hand, so the tab's transport checksum is written out too.
            from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

            packet = (
                Ether(dst="02:00:5e:00:53:02", src="02:00:5e:00:53:01", type=0x0800)
                / IP(tos=0x00, id=0x1c46, flags="DF", frag=0, ttl=64, chksum=0xbeef, src="192.0.2.10", dst="198.51.100.53")
                / UDP(sport=53124, dport=53, len=20, chksum=0xe776)
                / Raw(load=b"\\\"")
            )
            wrpcap("crafted-udp.pcap", [packet])
            print(bytes(packet).hex(" "))
        "##]]);
    }
}

fn check_frame(preset: Preset, expected: Expect) {
    expected.assert_eq(&to_hex(&crafted(&preset.form()).bytes));
}

fn check_scapy(form: &CraftForm, expected: Expect) {
    match form.scapy() {
        Ok(program) => expected.assert_eq(&program),
        Err(problems) => panic!("the form should build: {problems:?}"),
    }
}
