//! MQTT 3.1.1 and 5 for the IoT lab's client: the packets as values ([`Packet`]), their encoding
//! ([`encode`]), every packet read back from bytes with a byte map in the Formats lab's model
//! ([`dissect`]: fixed header, remaining-length varint, variable header, v5 properties, payload),
//! a reader that cuts a WebSocket byte stream into packets ([`stream::PacketReader`]), the
//! client's session rules ([`session::Session`]: packet identifiers, QoS 1 and 2 in flight both
//! ways, keep-alive), topic filters ([`topic`]), per-topic rates ([`topics`]), the MQTT tab's state ([`lab::MqttLabState`]) and
//! the session as paho-mqtt Python ([`python`]).
//!
//! Pure: no clock, no I/O. Broken bytes give a [`crate::formats::FormatError`] at the byte where
//! they stop being MQTT, never a panic.

mod dissect;
mod encode;
pub mod lab;
mod names;
pub mod payload;
pub mod python;
pub mod session;
pub mod stream;
pub mod topic;
pub mod topics;

pub use dissect::{Dissection, decode, dissect, lit_path};
pub use encode::encode;
pub use names::{connack_accepted, describe_connack, property_name, reason_name};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest remaining length a four-byte varint can say: 268,435,455 bytes (§1.5.5).
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// The protocol version a session speaks (the CONNECT packet's protocol level).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Version {
    /// MQTT 3.1.1, protocol level 4.
    #[default]
    V311,
    /// MQTT 5.0, protocol level 5: reason codes and properties.
    V5,
}

impl Version {
    pub const ALL: [Version; 2] = [Version::V311, Version::V5];

    pub fn level(self) -> u8 {
        match self {
            Version::V311 => 4,
            Version::V5 => 5,
        }
    }

    pub fn from_level(level: u8) -> Option<Version> {
        match level {
            4 => Some(Version::V311),
            5 => Some(Version::V5),
            _ => None,
        }
    }

    /// `3.1.1` or `5`, as `/api/info` lists them.
    pub fn label(self) -> &'static str {
        match self {
            Version::V311 => "3.1.1",
            Version::V5 => "5",
        }
    }
}

/// A delivery guarantee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum QoS {
    /// 0: at most once, no answer.
    #[default]
    AtMostOnce,
    /// 1: at least once, answered by PUBACK.
    AtLeastOnce,
    /// 2: exactly once, PUBREC, PUBREL, PUBCOMP.
    ExactlyOnce,
}

impl QoS {
    pub const ALL: [QoS; 3] = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce];

    pub fn level(self) -> u8 {
        match self {
            QoS::AtMostOnce => 0,
            QoS::AtLeastOnce => 1,
            QoS::ExactlyOnce => 2,
        }
    }

    pub fn from_level(level: u8) -> Option<QoS> {
        match level {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }
}

impl fmt::Display for QoS {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QoS {}", self.level())
    }
}

/// The packet type in a fixed header's high four bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PacketType {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    /// MQTT 5 only.
    Auth = 15,
}

impl PacketType {
    pub fn from_code(code: u8) -> Option<PacketType> {
        use PacketType::*;
        Some(match code {
            1 => Connect,
            2 => Connack,
            3 => Publish,
            4 => Puback,
            5 => Pubrec,
            6 => Pubrel,
            7 => Pubcomp,
            8 => Subscribe,
            9 => Suback,
            10 => Unsubscribe,
            11 => Unsuback,
            12 => Pingreq,
            13 => Pingresp,
            14 => Disconnect,
            15 => Auth,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn name(self) -> &'static str {
        use PacketType::*;
        match self {
            Connect => "CONNECT",
            Connack => "CONNACK",
            Publish => "PUBLISH",
            Puback => "PUBACK",
            Pubrec => "PUBREC",
            Pubrel => "PUBREL",
            Pubcomp => "PUBCOMP",
            Subscribe => "SUBSCRIBE",
            Suback => "SUBACK",
            Unsubscribe => "UNSUBSCRIBE",
            Unsuback => "UNSUBACK",
            Pingreq => "PINGREQ",
            Pingresp => "PINGRESP",
            Disconnect => "DISCONNECT",
            Auth => "AUTH",
        }
    }

    /// The flag bits every packet but PUBLISH must carry (§2.1.3): 0010 for PUBREL, SUBSCRIBE
    /// and UNSUBSCRIBE, 0000 for the rest.
    pub fn fixed_flags(self) -> u8 {
        match self {
            PacketType::Pubrel | PacketType::Subscribe | PacketType::Unsubscribe => 0b0010,
            _ => 0,
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An MQTT 5 property's value, by its data type (§2.2.2.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PropertyValue {
    Byte(u8),
    TwoByte(u16),
    FourByte(u32),
    Varint(u32),
    Utf8(String),
    Binary(Vec<u8>),
    Pair(String, String),
}

/// One MQTT 5 property: its identifier and value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    pub id: u8,
    pub value: PropertyValue,
}

impl Property {
    pub fn new(id: u8, value: PropertyValue) -> Property {
        Property { id, value }
    }
}

/// Property identifiers the client sets or reads (§2.2.2.2).
pub mod property {
    pub const PAYLOAD_FORMAT_INDICATOR: u8 = 1;
    pub const MESSAGE_EXPIRY_INTERVAL: u8 = 2;
    pub const CONTENT_TYPE: u8 = 3;
    pub const SESSION_EXPIRY_INTERVAL: u8 = 17;
    pub const ASSIGNED_CLIENT_IDENTIFIER: u8 = 18;
    pub const SERVER_KEEP_ALIVE: u8 = 19;
    pub const REASON_STRING: u8 = 31;
    pub const RECEIVE_MAXIMUM: u8 = 33;
    pub const TOPIC_ALIAS: u8 = 35;
    pub const USER_PROPERTY: u8 = 38;
}

/// The last will: published by the broker when the client goes without a DISCONNECT.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Will {
    pub topic: String,
    pub payload: Vec<u8>,
    pub qos: QoS,
    pub retain: bool,
    /// MQTT 5 only.
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connect {
    pub version: Version,
    pub client_id: String,
    pub keep_alive_s: u16,
    /// Clean session (3.1.1) or clean start (5).
    pub clean_start: bool,
    pub will: Option<Will>,
    pub username: Option<String>,
    pub password: Option<Vec<u8>>,
    pub properties: Vec<Property>,
}

impl Connect {
    /// A CONNECT with no will, no credentials and no properties.
    pub fn new(version: Version, client_id: &str, keep_alive_s: u16, clean_start: bool) -> Connect {
        Connect {
            version,
            client_id: client_id.to_owned(),
            keep_alive_s,
            clean_start,
            will: None,
            username: None,
            password: None,
            properties: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connack {
    pub session_present: bool,
    /// The 3.1.1 return code (0 to 5) or the 5 reason code (0, or 0x80 and up).
    pub code: u8,
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publish {
    pub topic: String,
    pub qos: QoS,
    pub retain: bool,
    pub dup: bool,
    /// Present when QoS is 1 or 2.
    pub packet_id: Option<u16>,
    pub properties: Vec<Property>,
    pub payload: Vec<u8>,
}

/// PUBACK, PUBREC, PUBREL and PUBCOMP: a packet identifier and (MQTT 5) a reason code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub packet_id: u16,
    /// 0 (success) when the packet leaves it out.
    pub reason: u8,
    pub properties: Vec<Property>,
}

impl Ack {
    pub fn success(packet_id: u16) -> Ack {
        Ack { packet_id, reason: 0, properties: Vec::new() }
    }
}

/// A SUBSCRIBE's options for one filter: QoS, and in MQTT 5 no-local, retain-as-published and
/// retain handling (bits 2, 3 and 4–5 of the options byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscribeOptions {
    pub qos: QoS,
    pub no_local: bool,
    pub retain_as_published: bool,
    pub retain_handling: u8,
}

impl SubscribeOptions {
    pub fn qos(qos: QoS) -> SubscribeOptions {
        SubscribeOptions { qos, ..SubscribeOptions::default() }
    }

    pub fn byte(self) -> u8 {
        self.qos.level()
            | u8::from(self.no_local) << 2
            | u8::from(self.retain_as_published) << 3
            | (self.retain_handling & 0b11) << 4
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribe {
    pub packet_id: u16,
    pub filters: Vec<(String, SubscribeOptions)>,
    pub properties: Vec<Property>,
}

/// SUBACK and UNSUBACK: a packet identifier and one code per filter (UNSUBACK has none in
/// 3.1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubAck {
    pub packet_id: u16,
    pub codes: Vec<u8>,
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsubscribe {
    pub packet_id: u16,
    pub filters: Vec<String>,
    pub properties: Vec<Property>,
}

/// DISCONNECT and AUTH: a reason code (MQTT 5) and properties; nothing at all in 3.1.1.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reasoned {
    pub reason: u8,
    pub properties: Vec<Property>,
}

/// Any MQTT control packet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Packet {
    Connect(Connect),
    Connack(Connack),
    Publish(Publish),
    Puback(Ack),
    Pubrec(Ack),
    Pubrel(Ack),
    Pubcomp(Ack),
    Subscribe(Subscribe),
    Suback(SubAck),
    Unsubscribe(Unsubscribe),
    Unsuback(SubAck),
    Pingreq,
    Pingresp,
    Disconnect(Reasoned),
    Auth(Reasoned),
}

impl Packet {
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::Connack(_) => PacketType::Connack,
            Packet::Publish(_) => PacketType::Publish,
            Packet::Puback(_) => PacketType::Puback,
            Packet::Pubrec(_) => PacketType::Pubrec,
            Packet::Pubrel(_) => PacketType::Pubrel,
            Packet::Pubcomp(_) => PacketType::Pubcomp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::Suback(_) => PacketType::Suback,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::Unsuback(_) => PacketType::Unsuback,
            Packet::Pingreq => PacketType::Pingreq,
            Packet::Pingresp => PacketType::Pingresp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }

    /// The packet identifier, for the packets that carry one.
    pub fn packet_id(&self) -> Option<u16> {
        match self {
            Packet::Publish(publish) => publish.packet_id,
            Packet::Puback(ack) | Packet::Pubrec(ack) | Packet::Pubrel(ack) | Packet::Pubcomp(ack) => {
                Some(ack.packet_id)
            }
            Packet::Subscribe(subscribe) => Some(subscribe.packet_id),
            Packet::Unsubscribe(unsubscribe) => Some(unsubscribe.packet_id),
            Packet::Suback(ack) | Packet::Unsuback(ack) => Some(ack.packet_id),
            _ => None,
        }
    }
}
