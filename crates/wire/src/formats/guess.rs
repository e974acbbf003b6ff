//! Which format a run of bytes most likely is, for the Decode tab: every format is tried, and
//! those that decode the whole input rank above those that stop part-way. TLS records are one
//! reading too: bytes that open with a record header (`16 03 01` for a handshake) are TLS.

use super::{Format, cbor, json, msgpack, xml};
use crate::protowire;
use serde::{Deserialize, Serialize};

/// How bytes can be read in the Decode tab: the five formats, Protobuf without a schema, and TLS
/// records ([`crate::tls::dissect`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reading {
    Json,
    Xml,
    MessagePack,
    Cbor,
    /// Field numbers and wire types only.
    ProtobufSchemaless,
    /// With a pasted `.proto` and a message type.
    Protobuf,
    /// TLS records: a ClientHello, a ServerHello, alerts, encrypted data.
    Tls,
}

impl Reading {
    pub const ALL: [Reading; 7] = [
        Reading::ProtobufSchemaless,
        Reading::Protobuf,
        Reading::MessagePack,
        Reading::Cbor,
        Reading::Json,
        Reading::Xml,
        Reading::Tls,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Reading::Json => "JSON",
            Reading::Xml => "XML",
            Reading::MessagePack => "MessagePack",
            Reading::Cbor => "CBOR",
            Reading::ProtobufSchemaless => "Protobuf (no schema)",
            Reading::Protobuf => "Protobuf (with schema)",
            Reading::Tls => "TLS records",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Reading::Json => "json",
            Reading::Xml => "xml",
            Reading::MessagePack => "msgpack",
            Reading::Cbor => "cbor",
            Reading::ProtobufSchemaless => "protobuf-raw",
            Reading::Protobuf => "protobuf",
            Reading::Tls => "tls",
        }
    }

    pub fn from_key(key: &str) -> Option<Reading> {
        Reading::ALL.into_iter().find(|reading| reading.key() == key)
    }

    /// The format this reading decodes; TLS records are not one of the five.
    pub fn format(self) -> Option<Format> {
        match self {
            Reading::Json => Some(Format::Json),
            Reading::Xml => Some(Format::Xml),
            Reading::MessagePack => Some(Format::MessagePack),
            Reading::Cbor => Some(Format::Cbor),
            Reading::ProtobufSchemaless | Reading::Protobuf => Some(Format::Protobuf),
            Reading::Tls => None,
        }
    }
}

/// One candidate reading and why it ranks where it does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guess {
    pub reading: Reading,
    /// Higher is likelier; 0 means it does not decode at all.
    pub score: u32,
    pub why: String,
}

/// Every schemaless reading of `bytes`, likeliest first. Ties keep the order text formats,
/// then CBOR, MessagePack, Protobuf: the formats with more structure in their bytes first.
pub fn guess(bytes: &[u8]) -> Vec<Guess> {
    let mut guesses = vec![guess_text(bytes, Reading::Json), guess_text(bytes, Reading::Xml)];
    guesses.push(match cbor::decode(bytes) {
        Ok(decoded) => {
            Guess { reading: Reading::Cbor, score: structured_score(&decoded.document), why: "decodes fully".into() }
        }
        Err(error) => Guess { reading: Reading::Cbor, score: 0, why: error.to_string() },
    });
    guesses.push(match msgpack::decode(bytes) {
        Ok(decoded) => Guess {
            reading: Reading::MessagePack,
            score: structured_score(&decoded.document),
            why: "decodes fully".into(),
        },
        Err(error) => Guess { reading: Reading::MessagePack, score: 0, why: error.to_string() },
    });
    let proto = protowire::decode(bytes);
    guesses.push(match &proto.error {
        None if !proto.fields.is_empty() => Guess {
            reading: Reading::ProtobufSchemaless,
            // Almost any short run of bytes is some valid Protobuf; more fields make it likelier.
            score: 1 + proto.fields.len().min(8) as u32,
            why: format!("{} fields decode to the end", proto.fields.len()),
        },
        None => Guess { reading: Reading::ProtobufSchemaless, score: 0, why: "no fields".into() },
        Some(error) => Guess { reading: Reading::ProtobufSchemaless, score: 0, why: error.to_string() },
    });
    guesses.push(guess_tls(bytes));
    guesses.sort_by_key(|guess| std::cmp::Reverse(guess.score));
    guesses
}

/// A record header (type 20 to 24, version 3.0 to 3.4) is a strong signal: it is how every TLS
/// connection's bytes begin, and no text format starts with those bytes.
fn guess_tls(bytes: &[u8]) -> Guess {
    let reading = Reading::Tls;
    let starts_like_tls = matches!(bytes, [20..=24, 0x03, 0x00..=0x04, ..]);
    if !starts_like_tls {
        return Guess {
            reading,
            score: 0,
            why: "does not start with a TLS record header (16 03 01 for a handshake)".into(),
        };
    }
    match crate::tls::dissect(bytes).error {
        None => Guess { reading, score: 40, why: "TLS records, read to the end".into() },
        Some(error) => Guess { reading, score: 25, why: format!("starts as TLS records; {error}") },
    }
}

fn guess_text(bytes: &[u8], reading: Reading) -> Guess {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Guess { reading, score: 0, why: "not UTF-8 text".into() };
    };
    let parsed = match reading {
        Reading::Xml => xml::parse(text).map(|decoded| decoded.document),
        _ => json::parse(text).map(|decoded| decoded.document),
    };
    match parsed {
        // Text that parses is a strong signal: binary formats rarely happen to be valid text.
        Ok(document) => Guess { reading, score: 20 + structured_score(&document), why: "parses fully".into() },
        Err(error) => Guess { reading, score: 0, why: error.to_string() },
    }
}

/// Maps and arrays make a binary decode believable; a lone scalar could be any byte.
fn structured_score(document: &super::Node) -> u32 {
    match &document.value {
        super::Value::Map(entries) => 10 + entries.len().min(8) as u32,
        super::Value::Array(items) => 6 + items.len().min(4) as u32,
        _ => 1,
    }
}
