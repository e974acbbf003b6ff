//! Tests of `wire::mqtt`: packets from the specification's layouts written byte for byte, each
//! byte's meaning in the map, malformed packets stopped at the byte that breaks them (and every
//! prefix and garbage never panicking), the stream cut at every split, topic filters, the
//! session's QoS 1 and 2 rules, the MQTT tab's state scripted event by event, and the Python.

use expect_test::{Expect, expect};
use wire::binary_input::parse_hex;
use wire::lab::LabState;
use wire::message_log::Payload;
use wire::mqtt::lab::{FormEdit, LinkStatus, MqttEffect, MqttEvent, MqttLabState, PublishEdit, SubscribeEdit};
use wire::mqtt::session::{Direction, Outcome, SequenceLog, Session};
use wire::mqtt::stream::PacketReader;
use wire::mqtt::topic::{check_filter, check_topic, matches};
use wire::mqtt::{Ack, Packet, PacketType, QoS, Reasoned, SubAck, Version, dissect, encode};
use wire::ws_lab::SocketEvent;

fn bytes(hex: &str) -> Vec<u8> {
    parse_hex(hex).unwrap_or_else(|error| panic!("bad test hex {hex:?}: {error}"))
}

fn hex(bytes: &[u8]) -> String {
    wire::hexdump::to_hex(bytes)
}

/// Every span of the packet's map on a line: `offset+len role path: detail`.
fn render_map(packet: &[u8], version: Version) -> String {
    let dissection = dissect(packet, version);
    let mut lines: Vec<String> = dissection
        .map
        .spans()
        .iter()
        .map(|span| {
            format!("{:03}+{} {:<6} {}: {}", span.span.offset, span.span.len, span.role.label(), span.path, span.detail)
        })
        .collect();
    if let Some(error) = dissection.error {
        lines.push(format!("error: {error}"));
    }
    lines.join("\n") + "\n"
}

fn check_map(hex_bytes: &str, version: Version, expected: Expect) {
    expected.assert_eq(&render_map(&bytes(hex_bytes), version));
}

case_test! {
    fn packets_encode_to_the_specifications_layouts() {
        let connect = wire::mqtt::Connect::new(Version::V311, "ab", 60, true);
        let cases: Vec<(&str, Packet, Version, &str)> = vec![
            ("3.1.1 CONNECT, clean session, keep-alive 60", Packet::Connect(connect.clone()), Version::V311,
                "10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 61 62"),
            ("5 CONNECT: level 5 and an empty property list", Packet::Connect(wire::mqtt::Connect { version: Version::V5, ..connect }), Version::V5,
                "10 0f 00 04 4d 51 54 54 05 02 00 3c 00 00 02 61 62"),
            ("QoS 0 PUBLISH, retained: no packet id", Packet::Publish(wire::mqtt::Publish {
                topic: "a/b".into(), qos: QoS::AtMostOnce, retain: true, dup: false, packet_id: None,
                properties: Vec::new(), payload: b"hi".to_vec() }), Version::V311,
                "31 07 00 03 61 2f 62 68 69"),
            ("QoS 2 PUBLISH in 5: id, then property length 0", Packet::Publish(wire::mqtt::Publish {
                topic: "a".into(), qos: QoS::ExactlyOnce, retain: false, dup: false, packet_id: Some(258),
                properties: Vec::new(), payload: b"x".to_vec() }), Version::V5,
                "34 07 00 01 61 01 02 00 78"),
            ("PUBREL carries flags 0010", Packet::Pubrel(Ack::success(1)), Version::V311, "62 02 00 01"),
            ("5 PUBACK with a reason and no properties", Packet::Puback(Ack { packet_id: 1, reason: 0x10, properties: Vec::new() }), Version::V5, "40 03 00 01 10"),
            ("PINGREQ", Packet::Pingreq, Version::V311, "c0 00"),
            ("3.1.1 DISCONNECT", Packet::Disconnect(Reasoned::default()), Version::V311, "e0 00"),
            ("5 DISCONNECT with will message", Packet::Disconnect(Reasoned { reason: 4, properties: Vec::new() }), Version::V5, "e0 01 04"),
            ("3.1.1 UNSUBACK has no codes", Packet::Unsuback(SubAck { packet_id: 5, codes: vec![0], properties: Vec::new() }), Version::V311, "b0 02 00 05"),
        ];
        for (name, packet, version, expected) in cases {
            let encoded = encode(&packet, version).unwrap_or_else(|error| panic!("{name}: {error:?}"));
            assert_eq!(hex(&encoded), expected, "{name}");
        }
    }

    fn remaining_lengths_take_one_to_four_bytes() {
        // §1.5.5's table: the edges of each width.
        let cases = [(0usize, "00"), (127, "7f"), (128, "80 01"), (16_383, "ff 7f"), (16_384, "80 80 01"), (2_097_152, "80 80 80 01")];
        for (payload_len, expected) in cases {
            let topic_len = 3; // two length bytes and "a"
            let packet = Packet::Publish(wire::mqtt::Publish {
                topic: "a".into(), qos: QoS::AtMostOnce, retain: false, dup: false, packet_id: None,
                properties: Vec::new(), payload: vec![0; payload_len.saturating_sub(topic_len)],
            });
            let encoded = encode(&packet, Version::V311).unwrap_or_else(|error| panic!("{error:?}"));
            let width = expected.split(' ').count();
            if payload_len >= topic_len {
                assert_eq!(hex(&encoded[1..1 + width]), expected, "remaining length {payload_len}");
                assert_eq!(wire::mqtt::decode(&encoded, Version::V311).map(|packet| packet.packet_type()), Ok(PacketType::Publish));
            }
        }
    }

    fn a_qos_2_publish_is_mapped_byte_by_byte() {
        check_map("35 0c 00 03 61 2f 62 00 07 7b 22 61 22 7d", Version::V311, expect![[r#"
            000+1 header fixed_header.first_byte: type 3 PUBLISH · DUP 0 · QoS 2 · RETAIN 1
            001+1 length fixed_header.remaining_length: remaining length: 12 bytes (varint, 1 byte)
            002+2 length variable_header.topic_name: length of the topic name: 3 bytes
            004+3 value  variable_header.topic_name: topic name: "a/b"
            007+2 value  variable_header.packet_id: packet identifier: 7
            009+5 value  payload.application_message: application message: 5 bytes
        "#]]);
    }

    fn a_v5_connect_with_will_and_properties_is_mapped() {
        let connect = wire::mqtt::Connect {
            properties: vec![wire::mqtt::Property::new(17, wire::mqtt::PropertyValue::FourByte(60))],
            will: Some(wire::mqtt::Will { topic: "w".into(), payload: b"off".to_vec(), qos: QoS::AtLeastOnce, retain: true, properties: Vec::new() }),
            username: Some("u".into()),
            ..wire::mqtt::Connect::new(Version::V5, "c", 30, true)
        };
        let encoded = encode(&Packet::Connect(connect), Version::V5).unwrap_or_else(|error| panic!("{error:?}"));
        expect![[r#"
            000+1 header fixed_header.first_byte: type 1 CONNECT · flags 0000
            001+1 length fixed_header.remaining_length: remaining length: 31 bytes (varint, 1 byte)
            002+2 length variable_header.protocol_name: length of the protocol name: 4 bytes
            004+4 value  variable_header.protocol_name: protocol name: "MQTT"
            008+1 value  variable_header.protocol_level: protocol level 5: MQTT 5
            009+1 header variable_header.connect_flags: connect flags 10101110: user name 1 · password 0 · will retain 1 · will QoS 1 · will 1 · clean start 1
            010+2 value  variable_header.keep_alive: keep alive, seconds: 30
            012+1 length variable_header.properties: property length: 5 bytes
            013+1 tag    variable_header.properties.session_expiry_interval: property 0x11: Session Expiry Interval
            014+4 value  variable_header.properties.session_expiry_interval: Session Expiry Interval: 60
            018+2 length payload.client_id: length of the client identifier: 1 byte
            020+1 value  payload.client_id: client identifier: "c"
            021+1 length payload.will.properties: property length: 0 bytes
            022+2 length payload.will.topic: length of the will topic: 1 byte
            024+1 value  payload.will.topic: will topic: "w"
            025+2 length payload.will.payload: length of the will payload: 3 bytes
            027+3 value  payload.will.payload: will payload: 3 bytes
            030+2 length payload.user_name: length of the user name: 1 byte
            032+1 value  payload.user_name: user name: "u"
        "#]]
        .assert_eq(&render_map(&encoded, Version::V5));
    }

    fn suback_codes_are_named() {
        check_map("90 05 00 0a 00 02 80", Version::V311, expect![[r#"
            000+1 header fixed_header.first_byte: type 9 SUBACK · flags 0000
            001+1 length fixed_header.remaining_length: remaining length: 5 bytes (varint, 1 byte)
            002+2 value  variable_header.packet_id: packet identifier: 10
            004+1 value  payload.return_codes[0]: reason code 0x00: Success
            005+1 value  payload.return_codes[1]: reason code 0x02: Granted QoS 2
            006+1 value  payload.return_codes[2]: reason code 0x80: Failure
        "#]]);
    }

    fn malformed_packets_stop_at_the_byte_that_breaks_them() {
        let cases: &[(&str, &str, Version, &str)] = &[
            ("packet type 0", "00 00", Version::V311, "byte 0: packet type 0 is reserved (types run from 1 to 15)"),
            ("QoS 3", "36 03 00 01 61", Version::V311, "byte 0: PUBLISH with QoS 3 (both QoS bits set) is malformed"),
            ("DUP on QoS 0", "38 03 00 01 61", Version::V311, "byte 0: PUBLISH with DUP set must have QoS 1 or 2"),
            ("SUBSCRIBE without its 0010", "80 06 00 01 00 01 61 00", Version::V311, "byte 0: SUBSCRIBE's flags must be 0010, found 0000"),
            ("five-byte varint", "30 ff ff ff ff 01", Version::V311, "byte 4: the remaining length goes on past four bytes (its fourth byte has the high bit set)"),
            ("varint not shortest", "c0 80 00", Version::V311, "byte 1: the remaining length is not in its shortest form"),
            ("cut short", "30 0a 00 03 61", Version::V311, "byte 4: the bytes end here, 7 bytes short of the packet's remaining length (the topic name needs 3)"),
            ("topic runs past the packet", "30 03 00 05 61", Version::V311, "byte 4: the topic name needs 5 bytes, only 1 left"),
            ("topic not UTF-8", "30 05 00 02 61 ff 00", Version::V311, "byte 5: the topic name is not UTF-8 here"),
            ("wildcard in a topic name", "30 05 00 03 61 2f 23", Version::V311, "byte 6: a topic name must not hold the wildcards + or #"),
            ("packet id 0", "40 02 00 00", Version::V311, "byte 2: packet identifier 0 is not allowed"),
            ("trailing bytes", "c0 00 c0", Version::V311, "byte 2: 1 byte after the packet's end"),
            ("PINGREQ with a body", "c0 01 00", Version::V311, "byte 2: 1 byte left over inside the PINGREQ: its remaining length is longer than its fields"),
            ("MQTT 3.1", "10 0c 00 06 4d 51 49 73 64 70 03 02 00 3c", Version::V311, "byte 2: protocol name \"MQIsdp\" is not \"MQTT\" (MQTT 3.1, not read here)"),
            ("reserved connect flag", "10 0c 00 04 4d 51 54 54 04 03 00 3c 00 00", Version::V311, "byte 9: the reserved bit 0 of the connect flags must be 0"),
            ("unknown property", "20 04 00 00 01 07", Version::V5, "byte 5: 7 is not an MQTT 5 property identifier"),
            ("property list too long", "20 03 00 00 09", Version::V5, "byte 4: the property length 9 runs past the packet's end (0 left)"),
            ("AUTH in 3.1.1", "f0 00", Version::V311, "byte 0: AUTH exists only in MQTT 5, and this session speaks 3.1.1"),
            ("SUBSCRIBE with no filter", "82 02 00 01", Version::V311, "byte 4: a SUBSCRIBE must carry at least one topic filter"),
            ("SUBSCRIBE options reserved bits", "82 06 00 01 00 01 61 04", Version::V311, "byte 7: subscription options 00000100: reserved bits set"),
            ("CONNACK reserved flags", "20 02 02 00", Version::V311, "byte 2: acknowledge flags 00000010: bits 7 to 1 are reserved and must be 0"),
        ];
        for (name, input, version, expected) in cases {
            let dissection = dissect(&bytes(input), *version);
            let error = dissection.error.map(|error| error.to_string()).unwrap_or_else(|| "(no error)".into());
            assert_eq!(error, *expected, "{name}");
            assert_eq!(dissection.packet, None, "{name}");
            assert!(dissection.map.check(bytes(input).len()).is_ok(), "{name}");
        }
    }

    fn every_prefix_and_garbage_reads_without_panicking() {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        let connect = wire::mqtt::Connect {
            will: Some(wire::mqtt::Will { topic: "w/x".into(), payload: b"bye".to_vec(), ..Default::default() }),
            properties: vec![wire::mqtt::Property::new(38, wire::mqtt::PropertyValue::Pair("k".into(), "v".into()))],
            ..wire::mqtt::Connect::new(Version::V5, "client", 10, false)
        };
        let full = encode(&Packet::Connect(connect), Version::V5).unwrap_or_else(|error| panic!("{error:?}"));
        for end in 0..full.len() {
            inputs.push(full[..end].to_vec());
        }
        let mut state: u32 = 0x1234_5678;
        for len in 0..200 {
            let garbage: Vec<u8> = (0..len % 40)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    state as u8
                })
                .collect();
            inputs.push(garbage);
        }
        let mut errors = 0;
        for input in &inputs {
            for version in Version::ALL {
                let dissection = dissect(input, version);
                assert!(dissection.map.check(input.len()).is_ok(), "{}", hex(input));
                errors += usize::from(dissection.error.is_some());
            }
        }
        // Every strict prefix of the CONNECT fails; so does nearly all garbage.
        assert!(errors >= full.len() * 2, "only {errors} errors in {} readings", inputs.len() * 2);
    }

    fn the_stream_is_cut_into_packets_at_every_split() {
        let stream = bytes("20 02 00 00  90 03 00 01 02  34 07 00 01 61 00 01 68 69  c0 00  d0 00");
        let expected = ["20 02 00 00", "90 03 00 01 02", "34 07 00 01 61 00 01 68 69", "c0 00", "d0 00"];
        for split in 0..=stream.len() {
            for second_split in split..=stream.len() {
                let mut reader = PacketReader::new(1024);
                let mut cut: Vec<String> = Vec::new();
                for part in [&stream[..split], &stream[split..second_split], &stream[second_split..]] {
                    for packet in reader.push(part) {
                        cut.push(hex(&packet.unwrap_or_else(|error| panic!("{error}"))));
                    }
                }
                assert_eq!(cut, expected, "split at {split} and {second_split}");
                assert_eq!(reader.buffered(), 0);
            }
        }
    }

    fn the_stream_stops_at_a_broken_header_or_an_oversized_packet() {
        let cases = [
            ("30 ff ff ff ff", 16, "byte 4: the remaining length goes on past four bytes (at byte 4 of the stream)"),
            ("c0 00 30 ff ff ff 8f", 16, "byte 4: the remaining length goes on past four bytes (at byte 6 of the stream)"),
            ("30 80 01", 16, "byte 1: a packet of 131 bytes (at byte 0 of the stream) is over this client's limit of 16"),
        ];
        for (input, limit, expected) in cases {
            let mut reader = PacketReader::new(limit);
            let cut = reader.push(&bytes(input));
            let error = cut.last().and_then(|last| last.as_ref().err()).map(|error| error.to_string());
            assert_eq!(error.as_deref(), Some(expected), "{input}");
            assert!(reader.failed());
            assert!(reader.push(&bytes("c0 00")).is_empty(), "a failed stream takes nothing more");
        }
    }

    fn topic_filters_and_topics() {
        let filters = [
            ("wirelab/#", Ok(())),
            ("+/+/telemetry", Ok(())),
            ("#", Ok(())),
            ("a/#/b", Err("# must be the last level of a filter at line 1, column 3")),
            ("a#", Err("# must be a whole level: a/#, not a# at line 1, column 2")),
            ("a/b+/c", Err("+ must be a whole level: a/+/c, not a/b+/c at line 1, column 4")),
            ("", Err("the topic filter is empty")),
        ];
        for (filter, expected) in filters {
            let result = check_filter(filter).map_err(|error| error.to_string());
            assert_eq!(result.as_ref().map(|_| ()).map_err(String::as_str), expected, "{filter:?}");
        }
        assert_eq!(check_topic("a/+").map_err(|error| error.to_string()), Err("a topic to publish to cannot hold + or # (they are wildcards for subscribing) at line 1, column 3".into()));
        let matching = [
            ("wirelab/#", "wirelab/devices/sensor-01/telemetry", true),
            ("wirelab/#", "wirelab", true),
            ("wirelab/+/+/telemetry", "wirelab/devices/sensor-01/telemetry", true),
            ("wirelab/+/telemetry", "wirelab/devices/sensor-01/telemetry", false),
            ("+", "", true),
            ("a/+", "a/", true),
            ("#", "$SYS/broker/uptime", false),
            ("$SYS/#", "$SYS/broker/uptime", true),
            ("a/b", "a/b/c", false),
        ];
        for (filter, topic, expected) in matching {
            assert_eq!(matches(filter, topic), expected, "{filter} on {topic}");
        }
    }

    fn the_session_answers_qos_1_and_2_both_ways() {
        let mut session = Session::new(Version::V311, 60);
        let mut log = SequenceLog::default();
        let mut index = 0;
        let mut lines = Vec::new();
        let mut note = |direction: Direction, packet: &Packet, log: &mut SequenceLog, lines: &mut Vec<String>| {
            let exchange = log.record(index, direction, packet);
            lines.push(format!("{} {:?} {:?} exchange {exchange:?}", direction.arrow(), packet.packet_type(), packet.packet_id()));
            index += 1;
        };
        let publish = session.publish("a", b"x".to_vec(), QoS::ExactlyOnce, false).unwrap_or_else(|error| panic!("{error}"));
        note(Direction::Sent, &Packet::Publish(publish.clone()), &mut log, &mut lines);
        let mut receive = |packet: Packet, session: &mut Session, log: &mut SequenceLog, lines: &mut Vec<String>| {
            note(Direction::Received, &packet, log, lines);
            let reaction = session.receive(&packet);
            lines.push(format!("  meant {:?}", reaction.outcome));
            for reply in reaction.replies {
                note(Direction::Sent, &reply, log, lines);
            }
        };
        receive(Packet::Pubrec(Ack::success(1)), &mut session, &mut log, &mut lines);
        receive(Packet::Pubcomp(Ack::success(1)), &mut session, &mut log, &mut lines);
        let incoming = wire::mqtt::Publish { topic: "b".into(), qos: QoS::ExactlyOnce, retain: false, dup: false, packet_id: Some(9), properties: Vec::new(), payload: b"y".to_vec() };
        receive(Packet::Publish(incoming.clone()), &mut session, &mut log, &mut lines);
        receive(Packet::Publish(wire::mqtt::Publish { dup: true, ..incoming }), &mut session, &mut log, &mut lines);
        receive(Packet::Pubrel(Ack::success(9)), &mut session, &mut log, &mut lines);
        receive(Packet::Puback(Ack::success(4)), &mut session, &mut log, &mut lines);
        expect![[r#"
            → Publish Some(1) exchange Some(0)
            ← Pubrec Some(1) exchange Some(0)
              meant Step
            → Pubrel Some(1) exchange Some(0)
            ← Pubcomp Some(1) exchange Some(0)
              meant Delivered { packet_id: 1, topic: "a", qos: ExactlyOnce }
            ← Publish Some(9) exchange Some(1)
              meant Message(Publish { topic: "b", qos: ExactlyOnce, retain: false, dup: false, packet_id: Some(9), properties: [], payload: [121] })
            → Pubrec Some(9) exchange Some(1)
            ← Publish Some(9) exchange Some(2)
              meant Step
            → Pubrec Some(9) exchange Some(2)
            ← Pubrel Some(9) exchange Some(2)
              meant Step
            → Pubcomp Some(9) exchange Some(2)
            ← Puback Some(4) exchange None
              meant Violation("PUBACK for packet identifier 4, which has no QoS 1 message waiting for it")
        "#]]
        .assert_eq(&(lines.join("\n") + "\n"));
        assert!(session.in_flight().is_empty());
        assert!(session.awaiting_release().is_empty());
        assert_eq!(log.exchanges[0].steps.len(), 4);
        assert!(log.exchanges[0].complete);
    }

    fn packet_identifiers_skip_those_in_use_and_wrap() {
        let mut session = Session::new(Version::V311, 0);
        let first = session.publish("a", Vec::new(), QoS::AtLeastOnce, false).map(|publish| publish.packet_id);
        let second = session.subscribe(&[("a".into(), QoS::AtMostOnce)]).map(|subscribe| subscribe.packet_id);
        let qos0 = session.publish("a", Vec::new(), QoS::AtMostOnce, false).map(|publish| publish.packet_id);
        assert_eq!((first, second, qos0), (Ok(Some(1)), Ok(2), Ok(None)));
        for _ in 3..=u16::MAX {
            assert!(session.publish("a", Vec::new(), QoS::AtLeastOnce, false).is_ok());
        }
        assert_eq!(session.publish("a", Vec::new(), QoS::AtLeastOnce, false).map(|publish| publish.packet_id), Err("all 65,535 packet identifiers are in flight".to_string()));
        let done = session.receive(&Packet::Puback(Ack::success(1)));
        assert!(matches!(done.outcome, Outcome::Delivered { packet_id: 1, .. }));
        assert_eq!(session.publish("a", Vec::new(), QoS::AtLeastOnce, false).map(|publish| publish.packet_id), Ok(Some(1)));
    }

    fn keep_alive_pings_when_idle_and_gives_up_without_an_answer() {
        let mut session = Session::new(Version::V311, 10);
        session.connected = true;
        session.sent(&Packet::Pingresp, 0.0);
        let due = [(9_999.0, false), (10_000.0, true)];
        for (now, expected) in due {
            assert_eq!(session.ping_due(now), expected, "at {now} ms");
        }
        session.sent(&Packet::Pingreq, 10_000.0);
        assert!(!session.ping_due(30_000.0), "one PINGREQ at a time");
        assert!(!session.ping_overdue(19_999.0));
        assert!(session.ping_overdue(20_000.0));
        session.receive(&Packet::Pingresp);
        assert!(!session.ping_overdue(40_000.0));
    }
}

/// The tab's effects in a line each: `open ws://…`, `send 10 0e …`, `close`.
fn effects_text(effects: &[MqttEffect]) -> Vec<String> {
    effects
        .iter()
        .map(|effect| match effect {
            MqttEffect::Open { url } => format!("open {url}"),
            MqttEffect::Send(bytes) => format!("send {}", hex(bytes)),
            MqttEffect::Close => "close".into(),
            MqttEffect::Copy(text) => format!("copy {} lines", text.lines().count()),
        })
        .collect()
}

fn run(state: &mut MqttLabState, events: Vec<MqttEvent>) -> String {
    let mut lines = Vec::new();
    for (step, event) in events.into_iter().enumerate() {
        let name = format!("{event:?}");
        let effects = state.apply(event, 1_000.0 * step as f64);
        let shown: String = name.chars().take(60).collect();
        lines.push(format!("{shown} → [{}] {}", effects_text(&effects).join(", "), state.status.label()));
        if let Some(problem) = &state.problem {
            lines.push(format!("  problem: {problem}"));
        }
    }
    lines.join("\n") + "\n"
}

fn opened() -> MqttEvent {
    MqttEvent::Socket(SocketEvent::Opened {
        url: "ws://h/mqtt".into(),
        protocol: "mqtt".into(),
        extensions: String::new(),
    })
}

fn from_broker(hex_bytes: &str) -> MqttEvent {
    MqttEvent::Socket(SocketEvent::Received(Payload::Binary(bytes(hex_bytes))))
}

case_test! {
    fn the_tab_connects_subscribes_and_publishes_qos_2() {
        let mut state = MqttLabState::new("http:", "h", 0xabc);
        let script = vec![
            MqttEvent::Form(FormEdit::KeepAlive("2".into())),
            MqttEvent::Connect,
            opened(),
            from_broker("20 02 00 00"),
            MqttEvent::SubscribeEdit(SubscribeEdit::Qos(QoS::ExactlyOnce)),
            MqttEvent::Subscribe,
            from_broker("90 03 00 01 02"),
            MqttEvent::PublishEdit(PublishEdit::Qos(QoS::ExactlyOnce)),
            MqttEvent::PublishEdit(PublishEdit::Retain(true)),
            MqttEvent::PublishEdit(PublishEdit::Payload("hi".into())),
            MqttEvent::Publish,
            // The PUBREC and the broker's own copy of the message share one WebSocket message.
            from_broker("50 02 00 02  35 17 00 11 77 69 72 65 6c 61 62 2f 6c 61 62 2f 68 65 6c 6c 6f 00 01 68 69"),
            from_broker("70 02"),
            from_broker("00 02  62 02 00 01"),
            MqttEvent::Tick,
            MqttEvent::Tick,
            MqttEvent::Disconnect,
            MqttEvent::Socket(SocketEvent::Closed(wire::connection::CloseInfo { code: 1000, reason: String::new(), was_clean: true })),
        ];
        expect![[r#"
            Form(KeepAlive("2")) → [] not connected
            Connect → [open ws://h/mqtt] opening the WebSocket
            Socket(Opened { url: "ws://h/mqtt", protocol: "mqtt", extens → [send 10 1a 00 04 4d 51 54 54 04 02 00 02 00 0e 77 69 72 65 6c 61 62 2d 30 30 30 61 62 63] CONNECT sent, waiting for CONNACK
            Socket(Received(Binary([32, 2, 0, 0]))) → [] connected
            SubscribeEdit(Qos(ExactlyOnce)) → [] connected
            Subscribe → [send 82 0e 00 01 00 09 77 69 72 65 6c 61 62 2f 23 02] connected
            Socket(Received(Binary([144, 3, 0, 1, 2]))) → [] connected
            PublishEdit(Qos(ExactlyOnce)) → [] connected
            PublishEdit(Retain(true)) → [] connected
            PublishEdit(Payload("hi")) → [] connected
            Publish → [send 35 17 00 11 77 69 72 65 6c 61 62 2f 6c 61 62 2f 68 65 6c 6c 6f 00 02 68 69] connected
            Socket(Received(Binary([80, 2, 0, 2, 53, 23, 0, 17, 119, 105 → [send 62 02 00 02, send 50 02 00 01] connected
            Socket(Received(Binary([112, 2]))) → [] connected
            Socket(Received(Binary([0, 2, 98, 2, 0, 1]))) → [send 70 02 00 01] connected
            Tick → [] connected
            Tick → [send c0 00] connected
            Disconnect → [send e0 00, close] closing
            Socket(Closed(CloseInfo { code: 1000, reason: "", was_clean: → [] not connected
        "#]]
        .assert_eq(&run(&mut state, script));
        let kinds: Vec<String> = state
            .packets
            .iter()
            .map(|record| format!("{}{}", record.direction.arrow(), record.kind.map_or("?", PacketType::name)))
            .collect();
        assert_eq!(
            kinds.join(" "),
            "→CONNECT ←CONNACK →SUBSCRIBE ←SUBACK →PUBLISH ←PUBREC →PUBREL ←PUBLISH →PUBREC ←PUBCOMP ←PUBREL →PUBCOMP →PINGREQ →DISCONNECT"
        );
        let exchanges: Vec<String> = state
            .sequence
            .exchanges
            .iter()
            .map(|exchange| {
                let steps: Vec<String> = exchange.steps.iter().map(|(direction, kind, _)| format!("{}{kind}", direction.arrow())).collect();
                format!("{} complete={}: {}", exchange.title(), exchange.complete, steps.join(" "))
            })
            .collect();
        expect![[r#"
            QoS 2 · client publishes "wirelab/lab/hello" · packet id 2 complete=true: →PUBLISH ←PUBREC →PUBREL ←PUBCOMP
            QoS 2 · broker delivers "wirelab/lab/hello" · packet id 1 complete=true: ←PUBLISH →PUBREC ←PUBREL →PUBCOMP"#]]
        .assert_eq(&exchanges.join("\n"));
        assert_eq!(state.messages.len(), 1);
        assert_eq!(state.messages[0].payload.as_slice(), b"hi");
        assert_eq!(state.packets[3].summary, "id 1 · 0x02 Granted QoS 2");
        assert!(state.subscriptions.is_empty(), "a clean session's subscriptions end with it");
        assert_eq!(state.notice.as_deref(), Some("disconnected"));
    }

    fn the_tab_says_what_went_wrong_where() {
        let cases: Vec<(&str, Vec<MqttEvent>, Expect)> = vec![
            ("bad form", vec![
                MqttEvent::Form(FormEdit::Url("mqtt://x".into())),
                MqttEvent::Form(FormEdit::KeepAlive("-1".into())),
                MqttEvent::Form(FormEdit::WillTopic("a/#".into())),
                MqttEvent::Connect,
            ], expect![[r#"
                Form(Url("mqtt://x")) → [] not connected
                Form(KeepAlive("-1")) → [] not connected
                Form(WillTopic("a/#")) → [] not connected
                Connect → [] not connected
            "#]]),
            ("unreachable", vec![
                MqttEvent::Connect,
                MqttEvent::Socket(SocketEvent::Failed),
                MqttEvent::Socket(SocketEvent::Closed(wire::connection::CloseInfo { code: 1006, reason: String::new(), was_clean: false })),
            ], expect![[r#"
                Connect → [open ws://h/mqtt] opening the WebSocket
                Socket(Failed) → [] opening the WebSocket
                  problem: could not reach the broker at ws://h/mqtt (the browser gives no reason: the server may be down, the path wrong, or the port closed)
                Socket(Closed(CloseInfo { code: 1006, reason: "", was_clean: → [] not connected
                  problem: could not reach the broker at ws://h/mqtt (the browser gives no reason: the server may be down, the path wrong, or the port closed)
            "#]]),
            ("no subprotocol", vec![
                MqttEvent::Connect,
                MqttEvent::Socket(SocketEvent::Opened { url: "ws://h/mqtt".into(), protocol: String::new(), extensions: String::new() }),
            ], expect![[r#"
                Connect → [open ws://h/mqtt] opening the WebSocket
                Socket(Opened { url: "ws://h/mqtt", protocol: "", extensions → [close] closing
                  problem: the server opened the WebSocket but did not choose the subprotocol "mqtt" (it chose none): is this URL an MQTT broker?
            "#]]),
            ("refused", vec![MqttEvent::Connect, opened(), from_broker("20 02 00 05")], expect![[r#"
                Connect → [open ws://h/mqtt] opening the WebSocket
                Socket(Opened { url: "ws://h/mqtt", protocol: "mqtt", extens → [send 10 1a 00 04 4d 51 54 54 04 02 00 3c 00 0e 77 69 72 65 6c 61 62 2d 30 30 30 30 30 31] CONNECT sent, waiting for CONNACK
                Socket(Received(Binary([32, 2, 0, 5]))) → [close] closing
                  problem: the broker refused the connection: CONNACK 5 (not authorized)
            "#]]),
            ("malformed", vec![MqttEvent::Connect, opened(), from_broker("20 02 00 00"), from_broker("36 03 00 01 61")], expect![[r#"
                Connect → [open ws://h/mqtt] opening the WebSocket
                Socket(Opened { url: "ws://h/mqtt", protocol: "mqtt", extens → [send 10 1a 00 04 4d 51 54 54 04 02 00 3c 00 0e 77 69 72 65 6c 61 62 2d 30 30 30 30 30 31] CONNECT sent, waiting for CONNACK
                Socket(Received(Binary([32, 2, 0, 0]))) → [] connected
                Socket(Received(Binary([54, 3, 0, 1, 97]))) → [close] closing
                  problem: malformed packet from the broker: byte 0: PUBLISH with QoS 3 (both QoS bits set) is malformed
            "#]]),
            ("dropped with a message in flight", vec![
                MqttEvent::Connect, opened(), from_broker("20 02 00 00"),
                MqttEvent::PublishEdit(PublishEdit::Qos(QoS::AtLeastOnce)),
                MqttEvent::Publish,
                MqttEvent::Socket(SocketEvent::Closed(wire::connection::CloseInfo { code: 1006, reason: String::new(), was_clean: false })),
            ], expect![[r#"
                Connect → [open ws://h/mqtt] opening the WebSocket
                Socket(Opened { url: "ws://h/mqtt", protocol: "mqtt", extens → [send 10 1a 00 04 4d 51 54 54 04 02 00 3c 00 0e 77 69 72 65 6c 61 62 2d 30 30 30 30 30 31] CONNECT sent, waiting for CONNACK
                Socket(Received(Binary([32, 2, 0, 0]))) → [] connected
                PublishEdit(Qos(AtLeastOnce)) → [] connected
                Publish → [send 32 32 00 11 77 69 72 65 6c 61 62 2f 6c 61 62 2f 68 65 6c 6c 6f 00 01 7b 22 68 65 6c 6c 6f 22 3a 20 22 66 72 6f 6d 20 74 68 65 20 49 6f 54 20 6c 61 62 22 7d] connected
                Socket(Closed(CloseInfo { code: 1006, reason: "", was_clean: → [] not connected
                  problem: the connection dropped (code 1006 Abnormal Closure); 1 of your QoS 1/2 messages were still waiting for an answer
            "#]]),
            ("no pingresp", vec![
                MqttEvent::Form(FormEdit::KeepAlive("1".into())),
                MqttEvent::Connect, opened(), from_broker("20 02 00 00"),
                MqttEvent::Tick, MqttEvent::Tick, MqttEvent::Tick,
            ], expect![[r#"
                Form(KeepAlive("1")) → [] not connected
                Connect → [open ws://h/mqtt] opening the WebSocket
                Socket(Opened { url: "ws://h/mqtt", protocol: "mqtt", extens → [send 10 1a 00 04 4d 51 54 54 04 02 00 01 00 0e 77 69 72 65 6c 61 62 2d 30 30 30 30 30 31] CONNECT sent, waiting for CONNACK
                Socket(Received(Binary([32, 2, 0, 0]))) → [] connected
                Tick → [send c0 00] connected
                Tick → [close] closing
                  problem: no PINGRESP within 1 s: the connection looks dead, closing
                Tick → [close] closing
                  problem: no PINGRESP within 1 s: the connection looks dead, closing
            "#]]),
        ];
        for (name, script, expected) in cases {
            let mut state = MqttLabState::new("http:", "h", 1);
            expected.assert_eq(&run(&mut state, script));
            if name == "bad form" {
                let errors: Vec<String> = state.form_errors.iter().map(|(field, error)| format!("{field:?}: {error}")).collect();
                assert_eq!(errors, [
                    "Url: a WebSocket URL starts with ws:// or wss://, not mqtt:",
                    "KeepAlive: keep-alive is whole seconds from 0 (off) to 65535",
                    "WillTopic: line 1, column 3: a topic to publish to cannot hold + or # (they are wildcards for subscribing)",
                ]);
                assert_eq!(state.form.url, "mqtt://x", "what was typed stays");
            }
        }
    }

    fn subscribing_and_publishing_need_a_connection_and_good_topics() {
        let mut state = MqttLabState::new("https:", "lab.example", 2);
        assert_eq!(state.form.url, "wss://lab.example/mqtt");
        state.apply(MqttEvent::Subscribe, 0.0);
        assert_eq!(state.subscribe_error.as_deref(), Some("connect first"));
        state.apply(MqttEvent::SubscribeEdit(SubscribeEdit::Filter("a/b#".into())), 0.0);
        state.apply(MqttEvent::Subscribe, 0.0);
        assert_eq!(state.subscribe_error.as_deref(), Some("line 1, column 4: # must be a whole level: a/#, not a#"));
        state.apply(MqttEvent::PublishEdit(PublishEdit::Topic(String::new())), 0.0);
        state.apply(MqttEvent::Publish, 0.0);
        assert_eq!(state.publish_error.as_deref(), Some("the topic is empty"));
        assert_eq!(state.status, LinkStatus::Idle);
    }
}

case_test! {
    fn the_session_as_python() {
        let mut state = MqttLabState::new("http:", "127.0.0.1:8080", 7);
        state.apply(MqttEvent::Form(FormEdit::Version(Version::V5)), 0.0);
        state.apply(MqttEvent::Form(FormEdit::WillTopic("wirelab/lab/status".into())), 0.0);
        state.apply(MqttEvent::PublishEdit(PublishEdit::Payload("say \"hi\"\n".into())), 0.0);
        state.apply(MqttEvent::PublishEdit(PublishEdit::Qos(QoS::ExactlyOnce)), 0.0);
        let subscriber = state.python(wire::mqtt::lab::PythonProgram::Subscriber).unwrap_or_else(|error| panic!("{error}"));
        expect![[r#"
            """Subscribes as the IoT lab's MQTT tab did and prints every message (paho-mqtt 2.x).

            Run: python3 subscriber.py [N]  (stop after N messages; without N, run until Ctrl+C)
            """
            import sys

            import paho.mqtt.client as mqtt

            HOST = "127.0.0.1"
            PORT = 8080
            PATH = "/mqtt"  # MQTT over WebSocket, subprotocol "mqtt"


            def make_client(on_connect):
                client = mqtt.Client(
                    mqtt.CallbackAPIVersion.VERSION2,
                    client_id="wirelab-000007-sub",
                    protocol=mqtt.MQTTv5,
                    transport="websockets",
                )
                client.ws_set_options(path=PATH)
                client.will_set("wirelab/lab/status", "offline", qos=0, retain=False)
                client.on_connect = on_connect
                client.connect(HOST, PORT, keepalive=60, clean_start=True)
                return client

            TOPICS = [("wirelab/#", 0)]
            STOP_AFTER = int(sys.argv[1]) if len(sys.argv) > 1 else 0
            received = 0


            def on_connect(client, userdata, flags, reason_code, properties):
                if reason_code.is_failure:
                    print(f"connection refused: {reason_code}", file=sys.stderr)
                    client.disconnect()
                    return
                client.subscribe(TOPICS)


            def on_subscribe(client, userdata, mid, reason_codes, properties):
                print("subscribed:", ", ".join(str(code) for code in reason_codes), flush=True)


            def on_message(client, userdata, message):
                global received
                received += 1
                payload = message.payload.decode("utf-8", "replace")
                print(f"{message.topic} qos={message.qos} retain={int(message.retain)} {payload}", flush=True)
                if STOP_AFTER and received >= STOP_AFTER:
                    client.disconnect()


            client = make_client(on_connect)
            client.on_subscribe = on_subscribe
            client.on_message = on_message
            client.loop_forever()
        "#]]
        .assert_eq(&subscriber);
        let publisher = state.python(wire::mqtt::lab::PythonProgram::Publisher).unwrap_or_else(|error| panic!("{error}"));
        assert!(publisher.contains("PAYLOAD = \"say \\\"hi\\\"\\n\"\nQOS = 2\nRETAIN = False\n"), "{publisher}");
        assert!(publisher.contains("client_id=\"wirelab-000007-pub\""), "{publisher}");
        state.apply(MqttEvent::Form(FormEdit::Version(Version::V311)), 0.0);
        let v311 = state.python(wire::mqtt::lab::PythonProgram::Publisher).unwrap_or_else(|error| panic!("{error}"));
        assert!(v311.contains("protocol=mqtt.MQTTv311,\n        transport=\"websockets\",\n        clean_session=True,\n    )"), "{v311}");
        assert!(v311.contains("client.connect(HOST, PORT, keepalive=60)\n"), "{v311}");
        state.apply(MqttEvent::Form(FormEdit::Url("wss://[::1]:8443/mqtt?x=1".into())), 0.0);
        let tls = state.python(wire::mqtt::lab::PythonProgram::Publisher).unwrap_or_else(|error| panic!("{error}"));
        assert!(tls.contains("HOST = \"::1\"\nPORT = 8443\nPATH = \"/mqtt?x=1\""), "{tls}");
        assert!(tls.contains("    client.tls_set()\n"), "{tls}");
        state.apply(MqttEvent::Form(FormEdit::Url("mqtt://x".into())), 0.0);
        assert_eq!(state.python(wire::mqtt::lab::PythonProgram::Publisher), Err("the broker URL must start with ws:// or wss://, not mqtt:".into()));
    }
}

/// The Topics table in a line a row: `topic msgs/s bytes/s total bytes last-size@time retained`.
fn render_topics(rows: &[wire::mqtt::topics::TopicRow]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            format!(
                "{:<10} {:>5.1} msg/s {:>6.1} B/s  total {:>3} msgs {:>5} B  last {} B @{} ms{}",
                row.topic,
                row.messages_per_s,
                row.bytes_per_s,
                row.total_messages,
                row.total_bytes,
                row.last_size,
                row.last_at_ms,
                if row.retained { "  retained" } else { "" }
            )
        })
        .collect();
    if lines.is_empty() { "(no topics)\n".into() } else { lines.join("\n") + "\n" }
}

/// A message arriving: at, topic, payload size, retained.
type Arrival = (f64, &'static str, usize, bool);

/// `count` messages of `size` bytes on `topic`, evenly from `from_ms` to before `to_ms`.
fn burst(topic: &'static str, size: usize, count: u32, from_ms: f64, to_ms: f64) -> Vec<Arrival> {
    (0..count).map(|i| (from_ms + (to_ms - from_ms) * f64::from(i) / f64::from(count), topic, size, false)).collect()
}

case_test! {
    fn topic_rates_slide_over_the_last_five_seconds_busiest_first() {
        use wire::mqtt::topics::TopicStats;
        // (what arrived, the time the table is taken, the table).
        let cases: Vec<(&str, Vec<Arrival>, f64, Expect)> = vec![
            ("nothing yet: no rows", vec![], 1_000.0, expect![[r#"
                (no topics)
            "#]]),
            ("one retained message: one per second at most, not a flood", vec![(0.0, "status", 7, true)], 100.0, expect![[r#"
                status       1.0 msg/s    7.0 B/s  total   1 msgs     7 B  last 7 B @0 ms  retained
            "#]]),
            ("10 msg/s of 100 B beats 2 msg/s of 1000 B; rates over the time seen (4 s)",
                [burst("busy", 100, 40, 0.0, 4_000.0), burst("big", 1_000, 8, 0.0, 4_000.0)].concat(), 4_000.0, expect![[r#"
                busy        10.0 msg/s 1000.0 B/s  total  40 msgs  4000 B  last 100 B @3900 ms
                big          2.0 msg/s 2000.0 B/s  total   8 msgs  8000 B  last 1000 B @3500 ms
            "#]]),
            ("a topic that went quiet 10 s ago reads 0, keeps its totals, and sorts last",
                [burst("old", 10, 50, 0.0, 5_000.0), burst("now", 10, 5, 14_000.0, 15_000.0)].concat(), 15_000.0, expect![[r#"
                now          5.0 msg/s   50.0 B/s  total   5 msgs    50 B  last 10 B @14800 ms
                old          0.0 msg/s    0.0 B/s  total  50 msgs   500 B  last 10 B @4900 ms
            "#]]),
            ("a window's worth of steady traffic: the old half has slid out",
                [burst("steady", 20, 100, 0.0, 10_000.0)].concat(), 10_000.0, expect![[r#"
                steady      10.0 msg/s  200.0 B/s  total 100 msgs  2000 B  last 20 B @9900 ms
            "#]]),
            ("equal rates: more bytes first, then more messages, then by name",
                vec![(0.0, "b", 5, false), (0.0, "a", 5, false), (0.0, "c", 9, false)], 500.0, expect![[r#"
                c            1.0 msg/s    9.0 B/s  total   1 msgs     9 B  last 9 B @0 ms
                a            1.0 msg/s    5.0 B/s  total   1 msgs     5 B  last 5 B @0 ms
                b            1.0 msg/s    5.0 B/s  total   1 msgs     5 B  last 5 B @0 ms
            "#]]),
        ];
        for (name, arrivals, now_ms, expected) in cases {
            let mut stats = TopicStats::default();
            for (at_ms, topic, size, retained) in arrivals {
                stats.record(topic, size, retained, at_ms);
            }
            let rows = stats.rows(now_ms);
            expected.assert_eq(&render_topics(&rows));
            assert_eq!(stats.is_empty(), rows.is_empty(), "{name}");
        }
    }

    fn the_topics_tracked_are_capped_and_the_rest_counted() {
        use wire::mqtt::topics::{LeftOut, MAX_LEFT_OUT_NAMES, MAX_TOPICS, TopicStats};
        let mut stats = TopicStats::default();
        for index in 0..MAX_TOPICS + 3 {
            stats.record(&format!("t/{index}"), 1, false, 0.0);
        }
        // A tracked topic still counts; a left-out one is counted once however often it speaks.
        stats.record("t/0", 1, false, 10.0);
        stats.record(&format!("t/{}", MAX_TOPICS + 1), 1, false, 10.0);
        assert_eq!(stats.tracked(), MAX_TOPICS);
        assert_eq!(stats.rows(10.0).len(), MAX_TOPICS);
        assert_eq!(stats.left_out(), LeftOut { topics: 3, topics_at_least: false, messages: 4 });
        for index in 0..MAX_LEFT_OUT_NAMES {
            stats.record(&format!("more/{index}"), 1, false, 20.0);
        }
        assert_eq!(stats.left_out(), LeftOut { topics: MAX_LEFT_OUT_NAMES, topics_at_least: true, messages: 4 + MAX_LEFT_OUT_NAMES as u64 });
        stats.clear();
        assert!(stats.is_empty());
    }

    fn the_tab_counts_topics_takes_rates_on_ticks_and_filters_messages_by_topic() {
        let publish = |topic: &str, payload: &[u8], retain: bool| {
            let packet = Packet::Publish(wire::mqtt::Publish {
                topic: topic.into(), qos: QoS::AtMostOnce, retain, dup: false, packet_id: None,
                properties: Vec::new(), payload: payload.to_vec() });
            let encoded = encode(&packet, Version::V311).unwrap_or_else(|error| panic!("{error:?}"));
            MqttEvent::Socket(SocketEvent::Received(Payload::Binary(encoded)))
        };
        let mut state = MqttLabState::new("http:", "h", 1);
        for event in [MqttEvent::Connect, opened(), from_broker("20 02 00 00")] {
            state.apply(event, 0.0);
        }
        // (event, time, the table's rows as `topic:total/rate`, the messages shown by topic).
        let steps: Vec<(MqttEvent, f64, &str, &str)> = vec![
            (MqttEvent::Tick, 250.0, "", ""),
            (publish("dev/1/status", b"online", true), 300.0, "dev/1/status:1/1", "dev/1/status"),
            (publish("dev/1/telemetry", b"{}", false), 400.0, "dev/1/status:1/1 dev/1/telemetry:1/1", "dev/1/status dev/1/telemetry"),
            // Known topics: the table waits for the tick.
            (publish("dev/1/telemetry", b"{}", false), 500.0, "dev/1/status:1/1 dev/1/telemetry:1/1", "dev/1/status dev/1/telemetry dev/1/telemetry"),
            (publish("dev/1/telemetry", b"{}", false), 600.0, "dev/1/status:1/1 dev/1/telemetry:1/1", "dev/1/status dev/1/telemetry dev/1/telemetry dev/1/telemetry"),
            (MqttEvent::Tick, 750.0, "dev/1/telemetry:3/3 dev/1/status:1/1", "dev/1/status dev/1/telemetry dev/1/telemetry dev/1/telemetry"),
            (MqttEvent::ShowTopic(Some("dev/1/status".into())), 800.0, "dev/1/telemetry:3/3 dev/1/status:1/1", "dev/1/status"),
            (MqttEvent::ShowTopic(None), 900.0, "dev/1/telemetry:3/3 dev/1/status:1/1", "dev/1/status dev/1/telemetry dev/1/telemetry dev/1/telemetry"),
            (MqttEvent::ShowTopic(Some("dev/1/telemetry".into())), 950.0, "dev/1/telemetry:3/3 dev/1/status:1/1", "dev/1/telemetry dev/1/telemetry dev/1/telemetry"),
            (MqttEvent::ClearPackets, 1_000.0, "", ""),
        ];
        for (event, now_ms, table, shown) in steps {
            let name = format!("{event:?}");
            state.apply(event, now_ms);
            let rows: Vec<String> = state
                .topic_rows
                .iter()
                .map(|row| format!("{}:{}/{}", row.topic, row.total_messages, row.messages_per_s))
                .collect();
            assert_eq!(rows.join(" "), table, "table after {name}");
            let topics: Vec<&str> = state.shown_messages().map(|message| message.topic.as_str()).collect();
            assert_eq!(topics.join(" "), shown, "messages after {name}");
        }
        assert_eq!(state.topic_filter, None);
    }
}
