//! wire::mqtt against a well-kept codec: every packet of the table is encoded by wire, read by
//! rumqttc's mqttbytes (v4 for 3.1.1, v5 for 5) and written back by it, and the bytes must come
//! back the same; then wire reads rumqttc's bytes into the same packet, with a byte map that
//! covers every byte. Native only (rumqttc needs tokio).

#![cfg(not(target_arch = "wasm32"))]

use bytes::BytesMut;
use wire::mqtt::{
    Ack, Connack, Connect, Packet, Property, PropertyValue, Publish, QoS, Reasoned, SubAck, Subscribe,
    SubscribeOptions, Unsubscribe, Version, Will, dissect, encode, property,
};

fn publish(topic: &str, qos: QoS, retain: bool, packet_id: Option<u16>, payload: &[u8]) -> Publish {
    Publish {
        topic: topic.into(),
        qos,
        retain,
        dup: false,
        packet_id,
        properties: Vec::new(),
        payload: payload.to_vec(),
    }
}

fn connect(version: Version) -> Connect {
    Connect {
        will: Some(Will {
            topic: "wirelab/devices/lab/status".into(),
            payload: b"offline".to_vec(),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: Vec::new(),
        }),
        username: Some("ada".into()),
        password: Some(b"secret".to_vec()),
        ..Connect::new(version, "wirelab-client", 60, true)
    }
}

/// Packets both versions carry alike, the properties left empty.
fn common_packets(version: Version) -> Vec<Packet> {
    let codes = match version {
        Version::V311 => vec![0, 1, 2, 0x80],
        Version::V5 => vec![0, 1, 2, 0x87],
    };
    vec![
        Packet::Connect(Connect::new(version, "plain", 0, false)),
        Packet::Connect(connect(version)),
        Packet::Connack(Connack { session_present: true, code: 0, properties: Vec::new() }),
        Packet::Publish(publish("wirelab/a", QoS::AtMostOnce, false, None, b"hello")),
        Packet::Publish(publish("wirelab/b", QoS::AtLeastOnce, true, Some(7), br#"{"t":21.5}"#)),
        Packet::Publish(publish("wirelab/c", QoS::ExactlyOnce, false, Some(65535), &[0u8; 300])),
        Packet::Publish(publish("wirelab/empty", QoS::AtMostOnce, true, None, b"")),
        Packet::Puback(Ack::success(1)),
        Packet::Pubrec(Ack::success(2)),
        Packet::Pubrel(Ack::success(3)),
        Packet::Pubcomp(Ack::success(4)),
        Packet::Subscribe(Subscribe {
            packet_id: 10,
            filters: vec![
                ("wirelab/#".into(), SubscribeOptions::qos(QoS::ExactlyOnce)),
                ("wirelab/+/status".into(), SubscribeOptions::qos(QoS::AtMostOnce)),
            ],
            properties: Vec::new(),
        }),
        Packet::Suback(SubAck { packet_id: 10, codes, properties: Vec::new() }),
        Packet::Unsubscribe(Unsubscribe {
            packet_id: 11,
            filters: vec!["wirelab/#".into(), "a/b".into()],
            properties: Vec::new(),
        }),
        Packet::Pingreq,
        Packet::Pingresp,
    ]
}

fn v5_only_packets() -> Vec<Packet> {
    let user = Property::new(property::USER_PROPERTY, PropertyValue::Pair("lab".into(), "iot".into()));
    vec![
        Packet::Connect(Connect {
            properties: vec![
                Property::new(property::SESSION_EXPIRY_INTERVAL, PropertyValue::FourByte(3600)),
                Property::new(property::RECEIVE_MAXIMUM, PropertyValue::TwoByte(20)),
            ],
            ..connect(Version::V5)
        }),
        Packet::Connack(Connack {
            session_present: false,
            code: 0,
            properties: vec![
                Property::new(property::ASSIGNED_CLIENT_IDENTIFIER, PropertyValue::Utf8("auto-1".into())),
                Property::new(property::SERVER_KEEP_ALIVE, PropertyValue::TwoByte(30)),
            ],
        }),
        Packet::Connack(Connack { session_present: false, code: 0x87, properties: Vec::new() }),
        Packet::Publish(Publish {
            properties: vec![
                Property::new(property::PAYLOAD_FORMAT_INDICATOR, PropertyValue::Byte(1)),
                Property::new(property::MESSAGE_EXPIRY_INTERVAL, PropertyValue::FourByte(60)),
                // In the order rumqttc writes them, so the bytes can be compared.
                user.clone(),
                Property::new(property::CONTENT_TYPE, PropertyValue::Utf8("application/json".into())),
            ],
            ..publish("wirelab/v5", QoS::AtLeastOnce, false, Some(9), b"{}")
        }),
        Packet::Puback(Ack { packet_id: 9, reason: 0x10, properties: Vec::new() }),
        Packet::Pubrec(Ack {
            packet_id: 9,
            reason: 0x80,
            properties: vec![Property::new(property::REASON_STRING, PropertyValue::Utf8("no".into()))],
        }),
        Packet::Unsuback(SubAck { packet_id: 11, codes: vec![0, 0x11], properties: Vec::new() }),
        // Not DISCONNECT with reason 0x04: rumqttc 0.25 writes it as e0 01 04 00 (a remaining
        // length of 1, then 2 bytes). tests/cases/mqtt.rs checks wire's.
        Packet::Disconnect(Reasoned::default()),
    ]
}

fn through_rumqttc(version: Version, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut stream = BytesMut::from(bytes);
    let mut out = BytesMut::new();
    match version {
        Version::V311 => {
            let packet =
                rumqttc::mqttbytes::v4::Packet::read(&mut stream, 1 << 20).map_err(|error| format!("{error:?}"))?;
            packet.write(&mut out, 1 << 20).map_err(|error| format!("{error:?}"))?;
        }
        Version::V5 => {
            let packet =
                rumqttc::v5::mqttbytes::v5::Packet::read(&mut stream, None).map_err(|error| format!("{error:?}"))?;
            packet.write(&mut out, None).map_err(|error| format!("{error:?}"))?;
        }
    }
    if !stream.is_empty() {
        return Err(format!("rumqttc left {} bytes unread", stream.len()));
    }
    Ok(out.to_vec())
}

/// `theirs` is `ours` with one more byte of remaining length and a trailing property length 0.
fn only_adds_empty_properties(ours: &[u8], theirs: &[u8]) -> bool {
    ours.len() >= 2
        && theirs.len() == ours.len() + 1
        && ours[1] < 0x7f
        && theirs[0] == ours[0]
        && theirs[1] == ours[1] + 1
        && theirs[2..ours.len()] == ours[2..]
        && theirs.last() == Some(&0)
}

fn rumqttc_disconnect_reads_back(packet: &Packet) -> Result<(), String> {
    use rumqttc::v5::mqttbytes::v5::{Disconnect, DisconnectReasonCode};

    let Packet::Disconnect(reasoned) = packet else { return Err("not a DISCONNECT".into()) };
    let reason_code = match reasoned.reason {
        0x00 => DisconnectReasonCode::NormalDisconnection,
        other => return Err(format!("no rumqttc reason for 0x{other:02x} in this test")),
    };
    let mut out = BytesMut::new();
    Disconnect { reason_code, properties: None }.write(&mut out).map_err(|error| format!("{error:?}"))?;
    match wire::mqtt::decode(&out, Version::V5) {
        Ok(read) if &read == packet => Ok(()),
        other => Err(format!("wire read rumqttc's {} as {other:?}", wire::hexdump::to_hex(&out))),
    }
}

#[test]
fn wire_and_rumqttc_write_the_same_bytes() {
    let mut table: Vec<(Version, Packet)> = Vec::new();
    for version in Version::ALL {
        table.extend(common_packets(version).into_iter().map(|packet| (version, packet)));
    }
    table.extend(v5_only_packets().into_iter().map(|packet| (Version::V5, packet)));
    // rumqttc 0.25 writes 3.1.1's UNSUBACK and disconnects alike; wire's v3 UNSUBACK is checked here too.
    table.push((Version::V311, Packet::Unsuback(SubAck { packet_id: 11, codes: Vec::new(), properties: Vec::new() })));
    table.push((Version::V311, Packet::Disconnect(Reasoned::default())));

    let mut failures = Vec::new();
    for (version, packet) in &table {
        let name = format!("{} {:?}", version.label(), packet.packet_type());
        let ours = match encode(packet, *version) {
            Ok(bytes) => bytes,
            Err(error) => {
                failures.push(format!("{name}: wire could not encode: {error:?}"));
                continue;
            }
        };
        match through_rumqttc(*version, &ours) {
            Ok(theirs) if theirs == ours => {}
            Ok(theirs) if only_adds_empty_properties(&ours, &theirs) => {
                // rumqttc writes an acknowledgement's empty property list (property length 0),
                // which §3.4.2.2 lets a sender leave out; wire reads that form too.
                if wire::mqtt::decode(&theirs, *version).as_ref() != Ok(packet) {
                    failures.push(format!("{name}: wire reads rumqttc's longer form differently"));
                }
            }
            Err(error) if *version == Version::V5 && matches!(packet, Packet::Disconnect(_)) => {
                // rumqttc 0.25 cannot read the short DISCONNECTs §3.14.2 allows (it wants a
                // property length): check the other way, wire reading what rumqttc writes.
                if let Err(problem) = rumqttc_disconnect_reads_back(packet) {
                    failures.push(format!("{name}: {problem} (rumqttc could not read wire's: {error})"));
                }
            }
            Ok(theirs) => failures.push(format!(
                "{name}: rumqttc wrote\n  {}\nfor wire's\n  {}",
                wire::hexdump::to_hex(&theirs),
                wire::hexdump::to_hex(&ours)
            )),
            Err(error) => failures.push(format!("{name}: rumqttc could not read wire's bytes: {error}")),
        }
        let dissection = dissect(&ours, *version);
        if let Some(error) = &dissection.error {
            failures.push(format!("{name}: wire could not read its own bytes: {error}"));
        }
        if dissection.packet.as_ref() != Some(packet) {
            failures.push(format!("{name}: read back as {:?}", dissection.packet));
        }
        if let Err(problem) = dissection.map.check(ours.len()) {
            failures.push(format!("{name}: byte map: {problem}"));
        }
        if dissection.map.covered_bytes() != ours.len() {
            failures.push(format!(
                "{name}: the byte map covers {} of {} bytes",
                dissection.map.covered_bytes(),
                ours.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} packets disagree:\n{}", failures.len(), table.len(), failures.join("\n"));
}
