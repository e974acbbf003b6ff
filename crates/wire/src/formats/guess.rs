//! Which format a run of bytes most likely is, for the Decode tab: every format is tried, and
//! those that decode the whole input rank above those that stop part-way.

use super::{Format, cbor, json, msgpack, xml};
use crate::protowire;
use serde::{Deserialize, Serialize};

/// How bytes can be read in the Decode tab: the five formats, and Protobuf without a schema.
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
}

impl Reading {
    pub const ALL: [Reading; 6] = [
        Reading::ProtobufSchemaless,
        Reading::Protobuf,
        Reading::MessagePack,
        Reading::Cbor,
        Reading::Json,
        Reading::Xml,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Reading::Json => "JSON",
            Reading::Xml => "XML",
            Reading::MessagePack => "MessagePack",
            Reading::Cbor => "CBOR",
            Reading::ProtobufSchemaless => "Protobuf (no schema)",
            Reading::Protobuf => "Protobuf (with schema)",
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
        }
    }

    pub fn from_key(key: &str) -> Option<Reading> {
        Reading::ALL.into_iter().find(|reading| reading.key() == key)
    }

    pub fn format(self) -> Format {
        match self {
            Reading::Json => Format::Json,
            Reading::Xml => Format::Xml,
            Reading::MessagePack => Format::MessagePack,
            Reading::Cbor => Format::Cbor,
            Reading::ProtobufSchemaless | Reading::Protobuf => Format::Protobuf,
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
    guesses.sort_by_key(|guess| std::cmp::Reverse(guess.score));
    guesses
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
