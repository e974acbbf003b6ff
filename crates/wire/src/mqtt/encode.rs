//! Packets to bytes: the variable header and payload are written first, then the fixed header
//! (type and flags, remaining length as a varint) in front. MQTT 5 acknowledgements take their
//! shortest form (§3.4.2.1: no reason code when it is 0 and there are no properties).

use super::{Ack, Connect, MAX_REMAINING_LENGTH, Packet, Property, PropertyValue, Publish, Reasoned, SubAck, Version};
use crate::diagnostic::Diagnostic;

/// The bytes of `packet` in `version` (a CONNECT says its own version). Fails only on what MQTT
/// cannot carry: a string or binary field over 65,535 bytes, or a packet over 256 MiB.
pub fn encode(packet: &Packet, version: Version) -> Result<Vec<u8>, Diagnostic> {
    let mut body = Writer::default();
    let flags = match packet {
        Packet::Connect(connect) => {
            body.connect(connect)?;
            0
        }
        Packet::Connack(connack) => {
            body.byte(u8::from(connack.session_present));
            body.byte(connack.code);
            body.properties_if(version, &connack.properties)?;
            0
        }
        Packet::Publish(publish) => {
            body.publish(publish, version)?;
            u8::from(publish.dup) << 3 | publish.qos.level() << 1 | u8::from(publish.retain)
        }
        Packet::Puback(ack) | Packet::Pubrec(ack) | Packet::Pubrel(ack) | Packet::Pubcomp(ack) => {
            body.ack(ack, version)?;
            packet.packet_type().fixed_flags()
        }
        Packet::Subscribe(subscribe) => {
            body.two(subscribe.packet_id);
            body.properties_if(version, &subscribe.properties)?;
            for (filter, options) in &subscribe.filters {
                body.utf8(filter, "topic filter")?;
                body.byte(match version {
                    Version::V311 => options.qos.level(),
                    Version::V5 => options.byte(),
                });
            }
            packet.packet_type().fixed_flags()
        }
        Packet::Suback(ack) => {
            body.sub_ack(ack, version)?;
            0
        }
        Packet::Unsubscribe(unsubscribe) => {
            body.two(unsubscribe.packet_id);
            body.properties_if(version, &unsubscribe.properties)?;
            for filter in &unsubscribe.filters {
                body.utf8(filter, "topic filter")?;
            }
            packet.packet_type().fixed_flags()
        }
        Packet::Unsuback(ack) => {
            match version {
                Version::V311 => body.two(ack.packet_id),
                Version::V5 => body.sub_ack(ack, version)?,
            }
            0
        }
        Packet::Pingreq | Packet::Pingresp => 0,
        Packet::Disconnect(reasoned) | Packet::Auth(reasoned) => {
            if version == Version::V5 {
                body.reasoned(reasoned)?;
            }
            0
        }
    };
    let body = body.bytes;
    if body.len() > MAX_REMAINING_LENGTH {
        return Err(Diagnostic::new(format!(
            "the packet's remaining length {} is over MQTT's limit of {MAX_REMAINING_LENGTH} bytes",
            body.len()
        )));
    }
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(packet.packet_type().code() << 4 | flags);
    push_varint(&mut out, body.len() as u32);
    out.extend_from_slice(&body);
    Ok(out)
}

/// MQTT's variable byte integer: seven bits a byte, low bits first, high bit set on all but the
/// last (§1.5.5).
pub(super) fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

#[derive(Default)]
struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    fn byte(&mut self, value: u8) {
        self.bytes.push(value);
    }

    fn two(&mut self, value: u16) {
        self.bytes.extend_from_slice(&value.to_be_bytes());
    }

    fn binary(&mut self, value: &[u8], what: &str) -> Result<(), Diagnostic> {
        let len = u16::try_from(value.len()).map_err(|_| {
            Diagnostic::new(format!("the {what} is {} bytes, over MQTT's limit of 65,535", value.len()))
        })?;
        self.two(len);
        self.bytes.extend_from_slice(value);
        Ok(())
    }

    fn utf8(&mut self, value: &str, what: &str) -> Result<(), Diagnostic> {
        self.binary(value.as_bytes(), what)
    }

    fn properties_if(&mut self, version: Version, properties: &[Property]) -> Result<(), Diagnostic> {
        if version == Version::V5 {
            self.properties(properties)?;
        }
        Ok(())
    }

    fn properties(&mut self, properties: &[Property]) -> Result<(), Diagnostic> {
        let mut inner = Writer::default();
        for property in properties {
            push_varint(&mut inner.bytes, u32::from(property.id));
            match &property.value {
                PropertyValue::Byte(value) => inner.byte(*value),
                PropertyValue::TwoByte(value) => inner.two(*value),
                PropertyValue::FourByte(value) => inner.bytes.extend_from_slice(&value.to_be_bytes()),
                PropertyValue::Varint(value) => push_varint(&mut inner.bytes, *value),
                PropertyValue::Utf8(value) => inner.utf8(value, "property string")?,
                PropertyValue::Binary(value) => inner.binary(value, "property data")?,
                PropertyValue::Pair(name, value) => {
                    inner.utf8(name, "user property name")?;
                    inner.utf8(value, "user property value")?;
                }
            }
        }
        push_varint(&mut self.bytes, inner.bytes.len() as u32);
        self.bytes.extend_from_slice(&inner.bytes);
        Ok(())
    }

    fn connect(&mut self, connect: &Connect) -> Result<(), Diagnostic> {
        let version = connect.version;
        self.utf8("MQTT", "protocol name")?;
        self.byte(version.level());
        let mut flags = u8::from(connect.clean_start) << 1;
        if let Some(will) = &connect.will {
            flags |= 0b100 | will.qos.level() << 3 | u8::from(will.retain) << 5;
        }
        flags |= u8::from(connect.password.is_some()) << 6 | u8::from(connect.username.is_some()) << 7;
        self.byte(flags);
        self.two(connect.keep_alive_s);
        self.properties_if(version, &connect.properties)?;
        self.utf8(&connect.client_id, "client identifier")?;
        if let Some(will) = &connect.will {
            self.properties_if(version, &will.properties)?;
            self.utf8(&will.topic, "will topic")?;
            self.binary(&will.payload, "will payload")?;
        }
        if let Some(username) = &connect.username {
            self.utf8(username, "user name")?;
        }
        if let Some(password) = &connect.password {
            self.binary(password, "password")?;
        }
        Ok(())
    }

    fn publish(&mut self, publish: &Publish, version: Version) -> Result<(), Diagnostic> {
        self.utf8(&publish.topic, "topic name")?;
        if publish.qos.level() > 0 {
            self.two(publish.packet_id.unwrap_or(0));
        }
        self.properties_if(version, &publish.properties)?;
        self.bytes.extend_from_slice(&publish.payload);
        Ok(())
    }

    fn ack(&mut self, ack: &Ack, version: Version) -> Result<(), Diagnostic> {
        self.two(ack.packet_id);
        if version == Version::V5 && (ack.reason != 0 || !ack.properties.is_empty()) {
            self.byte(ack.reason);
            if !ack.properties.is_empty() {
                self.properties(&ack.properties)?;
            }
        }
        Ok(())
    }

    fn sub_ack(&mut self, ack: &SubAck, version: Version) -> Result<(), Diagnostic> {
        self.two(ack.packet_id);
        self.properties_if(version, &ack.properties)?;
        self.bytes.extend_from_slice(&ack.codes);
        Ok(())
    }

    fn reasoned(&mut self, reasoned: &Reasoned) -> Result<(), Diagnostic> {
        if reasoned.reason != 0 || !reasoned.properties.is_empty() {
            self.byte(reasoned.reason);
            if !reasoned.properties.is_empty() {
                self.properties(&reasoned.properties)?;
            }
        }
        Ok(())
    }
}
