//! One MQTT packet read from bytes into the Formats lab's model: a document
//! (`fixed_header`, `variable_header` with its `properties`, `payload`) and a byte map whose
//! spans say what each byte is (`type 3 PUBLISH · DUP 0 · QoS 2 · RETAIN 1`, `remaining length
//! 13 (varint, 1 byte)`, `length 8`, `property 0x11 Session Expiry Interval`). The same walk
//! builds the [`Packet`], so the bytes are read one way only.
//!
//! Bytes that break the rules (a reserved flag set, a varint of five bytes, a string that is not
//! UTF-8, a field past the packet's end) stop the walk with a [`FormatError`] at that byte; the
//! document and map keep what came before.

use super::names::{PropertyType, connack_name, property_key, property_name, property_type, reason_name};
use super::{
    Ack, Connack, Connect, MAX_REMAINING_LENGTH, Packet, PacketType, Property, PropertyValue, Publish, QoS, Reasoned,
    SubAck, Subscribe, SubscribeOptions, Unsubscribe, Version, Will,
};
use crate::formats::{ByteMap, Entry, FormatError, Node, Path, Role, Span, Value};

/// One packet's bytes as a document and a byte map, the packet when it read whole, and the error
/// that stopped the walk, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Dissection {
    pub packet: Option<Packet>,
    /// `{fixed_header: {first_byte, remaining_length}, variable_header: {…, properties}, payload: {…}}`.
    pub document: Node,
    pub map: ByteMap,
    pub error: Option<FormatError>,
}

/// Reads `bytes` as exactly one packet of a session speaking `version` (a CONNECT says its own).
pub fn dissect(bytes: &[u8], version: Version) -> Dissection {
    let mut walker = Walker::new(bytes);
    let result = walker.packet(version);
    let (document, map) = walker.finish();
    match result {
        Ok(packet) => Dissection { packet: Some(packet), document, map, error: None },
        Err(error) => Dissection { packet: None, document, map, error: Some(error) },
    }
}

/// Reads `bytes` as one packet, without the map.
pub fn decode(bytes: &[u8], version: Version) -> Result<Packet, FormatError> {
    let dissection = dissect(bytes, version);
    match (dissection.packet, dissection.error) {
        (Some(packet), None) => Ok(packet),
        (_, Some(error)) => Err(error),
        (None, None) => Err(FormatError::general("no packet")),
    }
}

type Step<T> = Result<T, FormatError>;

/// A map or list being filled while the walk is inside it.
struct Frame {
    key: String,
    path: Path,
    list: bool,
    start: usize,
    items: Vec<(String, Node)>,
}

impl Frame {
    fn into_node(self, end: usize) -> Node {
        let value = if self.list {
            Value::Array(self.items.into_iter().map(|(_, node)| node).collect())
        } else {
            Value::Map(self.items.into_iter().map(|(key, value)| Entry::new(key, value)).collect())
        };
        Node::with_span(value, Span::new(self.start, end.saturating_sub(self.start)))
    }
}

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Where the current part ends: the packet, or a property list inside it.
    end: usize,
    /// Where the packet ends by its remaining length (may be past the bytes given).
    declared_end: usize,
    map: ByteMap,
    stack: Vec<Frame>,
}

impl<'a> Walker<'a> {
    fn new(bytes: &'a [u8]) -> Walker<'a> {
        let root = Frame { key: String::new(), path: Path::root(), list: false, start: 0, items: Vec::new() };
        Walker { bytes, pos: 0, end: bytes.len(), declared_end: bytes.len(), map: ByteMap::new(), stack: vec![root] }
    }

    fn finish(mut self) -> (Node, ByteMap) {
        while self.stack.len() > 1 {
            self.close();
        }
        let end = self.pos;
        let root = self.stack.pop().map_or_else(|| Node::new(Value::Map(Vec::new())), |frame| frame.into_node(end));
        (root, self.map.finish())
    }

    fn error(&self, at: usize, message: impl Into<String>) -> FormatError {
        FormatError::at_offset(at, message)
    }

    fn top(&self) -> Option<&Frame> {
        self.stack.last()
    }

    fn field_path(&self, key: &str) -> Path {
        match self.top() {
            Some(frame) if frame.list => frame.path.index(frame.items.len()),
            Some(frame) => frame.path.key(key),
            None => Path::root().key(key),
        }
    }

    fn open(&mut self, key: &str, list: bool) {
        let path = self.field_path(key);
        self.stack.push(Frame { key: key.to_owned(), path, list, start: self.pos, items: Vec::new() });
    }

    fn close(&mut self) {
        if self.stack.len() > 1
            && let Some(frame) = self.stack.pop()
        {
            let key = frame.key.clone();
            let node = frame.into_node(self.pos);
            self.add(&key, node);
        }
    }

    fn add(&mut self, key: &str, node: Node) {
        if let Some(frame) = self.stack.last_mut() {
            frame.items.push((key.to_owned(), node));
        }
    }

    fn mark(&mut self, offset: usize, len: usize, role: Role, key: &str, detail: impl Into<String>) {
        let path = self.field_path(key);
        self.map.push(offset, len, role, &path, detail);
    }

    /// Takes `len` bytes of the current part, or says how it ends early.
    fn take(&mut self, len: usize, what: &str) -> Step<(usize, &'a [u8])> {
        let left = self.end.saturating_sub(self.pos);
        if len > left {
            let message = if self.end == self.bytes.len() && self.bytes.len() < self.declared_end {
                format!(
                    "the bytes end here, {} short of the packet's remaining length (the {what} needs {len})",
                    plural(self.declared_end - self.bytes.len(), "byte")
                )
            } else {
                format!("the {what} needs {}, only {left} left", plural(len, "byte"))
            };
            return Err(self.error(self.pos, message));
        }
        let start = self.pos;
        self.pos += len;
        Ok((start, &self.bytes[start..start + len]))
    }

    fn left(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    /// One byte as a field: `describe` gives its document value and its map line, or an error.
    fn byte_field(
        &mut self,
        key: &str,
        role: Role,
        what: &str,
        describe: impl FnOnce(u8) -> Result<(Value, String), String>,
    ) -> Step<u8> {
        let (at, taken) = self.take(1, what)?;
        let byte = taken[0];
        let (value, detail) = describe(byte).map_err(|message| self.error(at, message))?;
        self.mark(at, 1, role, key, detail);
        self.add(key, Node::with_span(value, Span::new(at, 1)));
        Ok(byte)
    }

    fn two_field(&mut self, key: &str, what: &str) -> Step<u16> {
        let (at, taken) = self.take(2, what)?;
        let value = u16::from_be_bytes([taken[0], taken[1]]);
        self.mark(at, 2, Role::Value, key, format!("{what}: {value}"));
        self.add(key, Node::with_span(Value::Integer(value.into()), Span::new(at, 2)));
        Ok(value)
    }

    fn four_field(&mut self, key: &str, what: &str) -> Step<u32> {
        let (at, taken) = self.take(4, what)?;
        let value = u32::from_be_bytes([taken[0], taken[1], taken[2], taken[3]]);
        self.mark(at, 4, Role::Value, key, format!("{what}: {value}"));
        self.add(key, Node::with_span(Value::Integer(value.into()), Span::new(at, 4)));
        Ok(value)
    }

    /// A variable byte integer: its value, where it starts and how many bytes it took.
    fn varint(&mut self, what: &str) -> Step<(u32, usize, usize)> {
        let start = self.pos;
        let mut value: u32 = 0;
        for index in 0..4 {
            let (_, taken) = self.take(1, what)?;
            let byte = taken[0];
            value |= u32::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                let len = index + 1;
                if len > 1 && byte == 0 {
                    return Err(self.error(start, format!("the {what} is not in its shortest form")));
                }
                return Ok((value, start, len));
            }
        }
        Err(self.error(start + 3, format!("the {what} goes on past four bytes (its fourth byte has the high bit set)")))
    }

    fn varint_field(&mut self, key: &str, what: &str) -> Step<u32> {
        let (value, at, len) = self.varint(what)?;
        self.mark(at, len, Role::Value, key, format!("{what}: {value} (varint, {})", plural(len, "byte")));
        self.add(key, Node::with_span(Value::Integer(value.into()), Span::new(at, len)));
        Ok(value)
    }

    /// A two-byte length and that many bytes: the length span, then the data's.
    fn prefixed(&mut self, key: &str, what: &str) -> Step<(usize, &'a [u8])> {
        let (at, taken) = self.take(2, &format!("length of the {what}"))?;
        let len = usize::from(u16::from_be_bytes([taken[0], taken[1]]));
        self.mark(at, 2, Role::Length, key, format!("length of the {what}: {}", plural(len, "byte")));
        let (data_at, data) = self.take(len, what)?;
        Ok((data_at, data))
    }

    fn string_field(&mut self, key: &str, what: &str) -> Step<String> {
        let start = self.pos;
        let (at, data) = self.prefixed(key, what)?;
        let text = match std::str::from_utf8(data) {
            Ok(text) => text.to_owned(),
            Err(error) => {
                return Err(self.error(at + error.valid_up_to(), format!("the {what} is not UTF-8 here")));
            }
        };
        if let Some(position) = text.find('\0') {
            return Err(self.error(at + position, format!("the {what} holds U+0000, which MQTT forbids")));
        }
        self.mark(at, data.len(), Role::Value, key, format!("{what}: {text:?}"));
        self.add(key, Node::with_span(Value::String(text.clone()), Span::new(start, self.pos - start)));
        Ok(text)
    }

    fn binary_field(&mut self, key: &str, what: &str) -> Step<Vec<u8>> {
        let start = self.pos;
        let (at, data) = self.prefixed(key, what)?;
        self.mark(at, data.len(), Role::Value, key, format!("{what}: {}", plural(data.len(), "byte")));
        self.add(key, Node::with_span(Value::Bytes(data.to_vec()), Span::new(start, self.pos - start)));
        Ok(data.to_vec())
    }

    /// An MQTT 5 property list: its length, then identifier and value pairs.
    fn properties(&mut self) -> Step<Vec<Property>> {
        let (len, at, width) = self.varint("property length")?;
        self.mark(at, width, Role::Length, "properties", format!("property length: {}", plural(len as usize, "byte")));
        let list_end = self.pos.saturating_add(len as usize);
        if list_end > self.end {
            return Err(
                self.error(at, format!("the property length {len} runs past the packet's end ({} left)", self.left()))
            );
        }
        let outer_end = self.end;
        self.end = list_end;
        self.open("properties", false);
        let result = self.property_list();
        self.close();
        self.end = outer_end;
        result
    }

    fn property_list(&mut self) -> Step<Vec<Property>> {
        let mut properties = Vec::new();
        while self.pos < self.end {
            let (id, at, width) = self.varint("property identifier")?;
            let Some(kind) = u8::try_from(id).ok().and_then(property_type) else {
                return Err(self.error(at, format!("{id} is not an MQTT 5 property identifier")));
            };
            let id = id as u8;
            let key = property_key(id);
            let name = property_name(id).unwrap_or("property");
            self.mark(at, width, Role::Tag, &key, format!("property 0x{id:02x}: {name}"));
            let value = match kind {
                PropertyType::Byte => PropertyValue::Byte(self.byte_field(&key, Role::Value, name, |byte| {
                    Ok((Value::Integer(byte.into()), format!("{name}: {byte}")))
                })?),
                PropertyType::TwoByte => PropertyValue::TwoByte(self.two_field(&key, name)?),
                PropertyType::FourByte => PropertyValue::FourByte(self.four_field(&key, name)?),
                PropertyType::Varint => PropertyValue::Varint(self.varint_field(&key, name)?),
                PropertyType::Utf8 => PropertyValue::Utf8(self.string_field(&key, name)?),
                PropertyType::Binary => PropertyValue::Binary(self.binary_field(&key, name)?),
                PropertyType::Pair => {
                    self.open(&key, false);
                    let pair = self.string_field("name", "user property name").and_then(|name| {
                        self.string_field("value", "user property value").map(|value| PropertyValue::Pair(name, value))
                    });
                    self.close();
                    pair?
                }
            };
            properties.push(Property::new(id, value));
        }
        Ok(properties)
    }

    fn properties_if(&mut self, version: Version) -> Step<Vec<Property>> {
        if version == Version::V5 { self.properties() } else { Ok(Vec::new()) }
    }

    fn section<T>(&mut self, key: &str, read: impl FnOnce(&mut Self) -> Step<T>) -> Step<T> {
        self.open(key, false);
        let result = read(self);
        self.close();
        result
    }

    fn list<T>(&mut self, key: &str, read: impl FnOnce(&mut Self) -> Step<T>) -> Step<T> {
        self.open(key, true);
        let result = read(self);
        self.close();
        result
    }

    fn packet(&mut self, version: Version) -> Step<Packet> {
        let (kind, flags) = self.section("fixed_header", Self::fixed_header)?;
        let packet = match kind {
            PacketType::Connect => Packet::Connect(self.connect()?),
            PacketType::Connack => Packet::Connack(self.connack(version)?),
            PacketType::Publish => Packet::Publish(self.publish(version, flags)?),
            PacketType::Puback => Packet::Puback(self.ack(version, kind)?),
            PacketType::Pubrec => Packet::Pubrec(self.ack(version, kind)?),
            PacketType::Pubrel => Packet::Pubrel(self.ack(version, kind)?),
            PacketType::Pubcomp => Packet::Pubcomp(self.ack(version, kind)?),
            PacketType::Subscribe => Packet::Subscribe(self.subscribe(version)?),
            PacketType::Suback => Packet::Suback(self.sub_ack(version, kind)?),
            PacketType::Unsubscribe => Packet::Unsubscribe(self.unsubscribe(version)?),
            PacketType::Unsuback => Packet::Unsuback(self.sub_ack(version, kind)?),
            PacketType::Pingreq => Packet::Pingreq,
            PacketType::Pingresp => Packet::Pingresp,
            PacketType::Disconnect => Packet::Disconnect(self.reasoned(version, kind)?),
            PacketType::Auth if version == Version::V311 => {
                return Err(self.error(0, "AUTH exists only in MQTT 5, and this session speaks 3.1.1"));
            }
            PacketType::Auth => Packet::Auth(self.reasoned(version, kind)?),
        };
        if self.pos < self.declared_end {
            let left = self.declared_end - self.pos;
            return Err(self.error(
                self.pos,
                format!(
                    "{} left over inside the {kind}: its remaining length is longer than its fields",
                    plural(left, "byte")
                ),
            ));
        }
        if self.bytes.len() > self.declared_end {
            let extra = self.bytes.len() - self.declared_end;
            return Err(self.error(self.declared_end, format!("{} after the packet's end", plural(extra, "byte"))));
        }
        Ok(packet)
    }

    /// The type and flags byte and the remaining length; sets where the packet ends.
    fn fixed_header(&mut self) -> Step<(PacketType, u8)> {
        let (_, taken) = self.take(1, "fixed header")?;
        let first = taken[0];
        let (code, flags) = (first >> 4, first & 0x0f);
        let Some(kind) = PacketType::from_code(code) else {
            return Err(self.error(0, format!("packet type {code} is reserved (types run from 1 to 15)")));
        };
        let mut fields = vec![("packet_type", Value::String(kind.name().into()))];
        let detail = if kind == PacketType::Publish {
            let (dup, qos, retain) = (flags >> 3, (flags >> 1) & 0b11, flags & 1);
            if qos == 3 {
                return Err(self.error(0, "PUBLISH with QoS 3 (both QoS bits set) is malformed"));
            }
            if dup == 1 && qos == 0 {
                return Err(self.error(0, "PUBLISH with DUP set must have QoS 1 or 2"));
            }
            fields.push(("dup", Value::Bool(dup == 1)));
            fields.push(("qos", Value::Integer(qos.into())));
            fields.push(("retain", Value::Bool(retain == 1)));
            format!("type {code} {kind} · DUP {dup} · QoS {qos} · RETAIN {retain}")
        } else {
            let expected = kind.fixed_flags();
            if flags != expected {
                return Err(self.error(0, format!("{kind}'s flags must be {expected:04b}, found {flags:04b}")));
            }
            fields.push(("flags", Value::String(format!("{flags:04b}"))));
            format!("type {code} {kind} · flags {flags:04b}")
        };
        self.mark(0, 1, Role::Header, "first_byte", detail);
        self.open("first_byte", false);
        for (key, value) in fields {
            self.add(key, Node::with_span(value, Span::new(0, 1)));
        }
        self.close();
        let (remaining, at, width) = self.varint("remaining length")?;
        self.mark(
            at,
            width,
            Role::Length,
            "remaining_length",
            format!("remaining length: {} (varint, {})", plural(remaining as usize, "byte"), plural(width, "byte")),
        );
        self.add("remaining_length", Node::with_span(Value::Integer(remaining.into()), Span::new(at, width)));
        self.declared_end = self.pos + (remaining as usize).min(MAX_REMAINING_LENGTH);
        self.end = self.declared_end.min(self.bytes.len());
        Ok((kind, flags))
    }

    fn connect(&mut self) -> Step<Connect> {
        let (version, flags, keep_alive_s, properties) = self.section("variable_header", |walker| {
            let name_at = walker.pos;
            let name = walker.string_field("protocol_name", "protocol name")?;
            let level_at = walker.pos;
            let level = walker.byte_field("protocol_level", Role::Value, "protocol level", |level| {
                let named = match Version::from_level(level) {
                    Some(version) => format!("MQTT {}", version.label()),
                    None => "unknown".into(),
                };
                Ok((Value::Integer(level.into()), format!("protocol level {level}: {named}")))
            })?;
            if name != "MQTT" {
                let hint = if name == "MQIsdp" { " (MQTT 3.1, not read here)" } else { "" };
                return Err(walker.error(name_at, format!("protocol name {name:?} is not \"MQTT\"{hint}")));
            }
            let Some(version) = Version::from_level(level) else {
                return Err(
                    walker.error(level_at, format!("protocol level {level}: only 4 (3.1.1) and 5 are read here"))
                );
            };
            let flags_at = walker.pos;
            let (_, taken) = walker.take(1, "connect flags")?;
            let flags = taken[0];
            walker.connect_flags(version, flags, flags_at)?;
            let keep_alive_s = walker.two_field("keep_alive", "keep alive, seconds")?;
            let properties = walker.properties_if(version)?;
            Ok((version, flags, keep_alive_s, properties))
        })?;
        self.section("payload", |walker| {
            let client_id = walker.string_field("client_id", "client identifier")?;
            let will = if flags & 0b100 != 0 {
                Some(walker.section("will", |walker| {
                    let properties = walker.properties_if(version)?;
                    let topic = walker.string_field("topic", "will topic")?;
                    let payload = walker.binary_field("payload", "will payload")?;
                    let qos = QoS::from_level((flags >> 3) & 0b11).unwrap_or_default();
                    Ok(Will { topic, payload, qos, retain: flags & 0b10_0000 != 0, properties })
                })?)
            } else {
                None
            };
            let username = if flags & 0x80 != 0 { Some(walker.string_field("user_name", "user name")?) } else { None };
            let password = if flags & 0x40 != 0 { Some(walker.binary_field("password", "password")?) } else { None };
            Ok(Connect {
                version,
                client_id,
                keep_alive_s,
                clean_start: flags & 0b10 != 0,
                will,
                username,
                password,
                properties,
            })
        })
    }

    fn connect_flags(&mut self, version: Version, flags: u8, at: usize) -> Step<()> {
        let bit = |n: u8| (flags >> n) & 1;
        let will_qos = (flags >> 3) & 0b11;
        let clean = if version == Version::V5 { "clean start" } else { "clean session" };
        if bit(0) != 0 {
            return Err(self.error(at, "the reserved bit 0 of the connect flags must be 0"));
        }
        if bit(2) == 0 && (will_qos != 0 || bit(5) != 0) {
            return Err(self.error(at, "will QoS and will retain must be 0 when the will flag is 0"));
        }
        if will_qos == 3 {
            return Err(self.error(at, "will QoS 3 is not allowed"));
        }
        if version == Version::V311 && bit(6) == 1 && bit(7) == 0 {
            return Err(
                self.error(at, "in MQTT 3.1.1 a password needs a user name (user name flag 0, password flag 1)")
            );
        }
        self.mark(at, 1, Role::Header, "connect_flags", format!(
            "connect flags {flags:08b}: user name {} · password {} · will retain {} · will QoS {will_qos} · will {} · {clean} {}",
            bit(7), bit(6), bit(5), bit(2), bit(1)
        ));
        self.open("connect_flags", false);
        for (key, value) in [
            ("user_name", bit(7)),
            ("password", bit(6)),
            ("will_retain", bit(5)),
            ("will_flag", bit(2)),
            (if version == Version::V5 { "clean_start" } else { "clean_session" }, bit(1)),
        ] {
            self.add(key, Node::with_span(Value::Bool(value == 1), Span::new(at, 1)));
        }
        self.add("will_qos", Node::with_span(Value::Integer(will_qos.into()), Span::new(at, 1)));
        self.close();
        Ok(())
    }

    fn reason_byte(&mut self, key: &str, version: Version, what: &str) -> Step<u8> {
        self.byte_field(key, Role::Value, what, |code| {
            let name = reason_name(version, code);
            Ok((Value::String(format!("0x{code:02x} {name}")), format!("{what} 0x{code:02x}: {name}")))
        })
    }

    fn connack(&mut self, version: Version) -> Step<Connack> {
        self.section("variable_header", |walker| {
            let flags = walker.byte_field("acknowledge_flags", Role::Header, "acknowledge flags", |flags| {
                if flags & 0xfe != 0 {
                    return Err(format!("acknowledge flags {flags:08b}: bits 7 to 1 are reserved and must be 0"));
                }
                Ok((Value::Bool(flags == 1), format!("acknowledge flags {flags:08b}: session present {flags}")))
            })?;
            let (key, what) = match version {
                Version::V311 => ("return_code", "return code"),
                Version::V5 => ("reason_code", "reason code"),
            };
            let code = walker.byte_field(key, Role::Value, what, |code| {
                let name = connack_name(version, code);
                Ok((Value::String(format!("{code} {name}")), format!("{what} {code}: {name}")))
            })?;
            let properties = walker.properties_if(version)?;
            Ok(Connack { session_present: flags == 1, code, properties })
        })
    }

    fn publish(&mut self, version: Version, flags: u8) -> Step<Publish> {
        let qos = QoS::from_level((flags >> 1) & 0b11).unwrap_or_default();
        let (topic, packet_id, properties) = self.section("variable_header", |walker| {
            let topic_at = walker.pos + 2;
            let topic = walker.string_field("topic_name", "topic name")?;
            if let Some(position) = topic.find(['+', '#']) {
                return Err(walker.error(topic_at + position, "a topic name must not hold the wildcards + or #"));
            }
            let packet_id = if qos == QoS::AtMostOnce { None } else { Some(walker.packet_id()?) };
            let properties = walker.properties_if(version)?;
            Ok((topic, packet_id, properties))
        })?;
        let payload = self.section("payload", |walker| {
            let (at, data) = walker.take(walker.left(), "payload")?;
            walker.mark(
                at,
                data.len(),
                Role::Value,
                "application_message",
                format!("application message: {}", plural(data.len(), "byte")),
            );
            walker.add("application_message", Node::with_span(Value::Bytes(data.to_vec()), Span::new(at, data.len())));
            Ok(data.to_vec())
        })?;
        Ok(Publish { topic, qos, retain: flags & 1 == 1, dup: flags & 0b1000 != 0, packet_id, properties, payload })
    }

    fn packet_id(&mut self) -> Step<u16> {
        let at = self.pos;
        let id = self.two_field("packet_id", "packet identifier")?;
        if id == 0 {
            return Err(self.error(at, "packet identifier 0 is not allowed"));
        }
        Ok(id)
    }

    fn ack(&mut self, version: Version, kind: PacketType) -> Step<Ack> {
        self.section("variable_header", |walker| {
            let packet_id = walker.packet_id()?;
            let mut ack = Ack::success(packet_id);
            if version == Version::V5 && walker.left() > 0 {
                ack.reason = walker.reason_byte("reason_code", version, &format!("{kind} reason code"))?;
                if walker.left() > 0 {
                    ack.properties = walker.properties()?;
                }
            }
            Ok(ack)
        })
    }

    fn subscribe(&mut self, version: Version) -> Step<Subscribe> {
        let (packet_id, properties) =
            self.section("variable_header", |walker| Ok((walker.packet_id()?, walker.properties_if(version)?)))?;
        let filters = self.section("payload", |walker| {
            walker.list("subscriptions", |walker| {
                let mut filters = Vec::new();
                while walker.left() > 0 {
                    let filter = walker.section("", |walker| {
                        let filter = walker.string_field("topic_filter", "topic filter")?;
                        let options = walker.byte_field("options", Role::Value, "subscription options", |byte| {
                            subscribe_options(version, byte)
                                .map(|options| (Value::Integer(byte.into()), describe_options(version, options)))
                        })?;
                        Ok((filter, subscribe_options(version, options).unwrap_or_default()))
                    })?;
                    filters.push(filter);
                }
                if filters.is_empty() {
                    return Err(walker.error(walker.pos, "a SUBSCRIBE must carry at least one topic filter"));
                }
                Ok(filters)
            })
        })?;
        Ok(Subscribe { packet_id, filters, properties })
    }

    fn unsubscribe(&mut self, version: Version) -> Step<Unsubscribe> {
        let (packet_id, properties) =
            self.section("variable_header", |walker| Ok((walker.packet_id()?, walker.properties_if(version)?)))?;
        let filters = self.section("payload", |walker| {
            walker.list("topic_filters", |walker| {
                let mut filters = Vec::new();
                while walker.left() > 0 {
                    filters.push(walker.string_field("", "topic filter")?);
                }
                if filters.is_empty() {
                    return Err(walker.error(walker.pos, "an UNSUBSCRIBE must carry at least one topic filter"));
                }
                Ok(filters)
            })
        })?;
        Ok(Unsubscribe { packet_id, filters, properties })
    }

    fn sub_ack(&mut self, version: Version, kind: PacketType) -> Step<SubAck> {
        let (packet_id, properties) = self.section("variable_header", |walker| {
            let packet_id = walker.packet_id()?;
            let properties = walker.properties_if(version)?;
            Ok((packet_id, properties))
        })?;
        if kind == PacketType::Unsuback && version == Version::V311 {
            return Ok(SubAck { packet_id, codes: Vec::new(), properties });
        }
        let codes = self.section("payload", |walker| {
            let key = if version == Version::V5 { "reason_codes" } else { "return_codes" };
            walker.list(key, |walker| {
                let mut codes = Vec::new();
                while walker.left() > 0 {
                    codes.push(walker.reason_byte("", version, "reason code")?);
                }
                Ok(codes)
            })
        })?;
        Ok(SubAck { packet_id, codes, properties })
    }

    fn reasoned(&mut self, version: Version, kind: PacketType) -> Step<Reasoned> {
        if version == Version::V311 {
            return Ok(Reasoned::default());
        }
        self.section("variable_header", |walker| {
            let mut reasoned = Reasoned::default();
            if walker.left() > 0 {
                reasoned.reason = walker.reason_byte("reason_code", version, &format!("{kind} reason code"))?;
                if walker.left() > 0 {
                    reasoned.properties = walker.properties()?;
                }
            }
            Ok(reasoned)
        })
    }
}

fn subscribe_options(version: Version, byte: u8) -> Result<SubscribeOptions, String> {
    let reserved = match version {
        Version::V311 => 0b1111_1100,
        Version::V5 => 0b1100_0000,
    };
    if byte & reserved != 0 {
        return Err(format!("subscription options {byte:08b}: reserved bits set"));
    }
    let Some(qos) = QoS::from_level(byte & 0b11) else {
        return Err("subscription options: QoS 3 is not allowed".into());
    };
    let retain_handling = (byte >> 4) & 0b11;
    if retain_handling == 3 {
        return Err("subscription options: retain handling 3 is not allowed".into());
    }
    Ok(SubscribeOptions { qos, no_local: byte & 0b100 != 0, retain_as_published: byte & 0b1000 != 0, retain_handling })
}

fn describe_options(version: Version, options: SubscribeOptions) -> String {
    match version {
        Version::V311 => format!("requested QoS {}", options.qos.level()),
        Version::V5 => format!(
            "options: QoS {} · no local {} · retain as published {} · retain handling {}",
            options.qos.level(),
            u8::from(options.no_local),
            u8::from(options.retain_as_published),
            options.retain_handling
        ),
    }
}

/// `1 byte`, `5 bytes`.
fn plural(count: usize, unit: &str) -> String {
    if count == 1 { format!("1 {unit}") } else { format!("{count} {unit}s") }
}

/// The path to light up for `selected`: the field itself when it has bytes of its own, else
/// the nearest field around it that has (a flag's byte is its flags byte).
pub fn lit_path(map: &ByteMap, selected: &Path) -> Path {
    let mut path = selected.clone();
    while !path.is_root() && map.spans_under(&path).next().is_none() {
        path.0.pop();
    }
    path
}
