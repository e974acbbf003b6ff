//! Each format through its own library alone, with no spans and no byte map: what the Formats
//! lab times, so its encode and decode figures compare the formats rather than Wirelab's mapping.
//!
//! The document is first turned into the library's own value (`serde_json::Value`,
//! `rmpv::Value`, `ciborium::Value`, prost-reflect's `DynamicMessage`) outside the timing, as an
//! application would hold its data. XML has no such value type in quick-xml, so its figures are
//! Wirelab's own quick-xml reader and writer, byte map included; [`library`] says which is which.

use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor};

use super::convert::ProtobufChoice;
use super::json::Style;
use super::{Format, FormatError, Node, cbor, json, msgpack, protobuf, xml};

/// A document held as one format's library value, ready to encode.
#[derive(Clone, Debug)]
pub enum Prepared {
    Json(serde_json::Value),
    Xml(Node),
    MessagePack(rmpv::Value),
    Cbor(ciborium::Value),
    Protobuf(DynamicMessage),
}

/// What does the work for each format's timing.
pub fn library(format: Format) -> &'static str {
    match format {
        Format::Json => "serde_json",
        Format::Xml => "Wirelab's quick-xml mapping (with its byte map)",
        Format::Protobuf => "prost-reflect (schema at run time)",
        Format::MessagePack => "rmpv",
        Format::Cbor => "ciborium",
    }
}

/// The document as `format`'s library value.
pub fn prepare(document: &Node, format: Format, protobuf: Option<ProtobufChoice<'_>>) -> Result<Prepared, FormatError> {
    let not_read =
        |error: String| FormatError::general(format!("{} could not read Wirelab's encoding: {error}", library(format)));
    Ok(match format {
        Format::Json => {
            let bytes = json::encode(document, Style::Compact).bytes;
            Prepared::Json(serde_json::from_slice(&bytes).map_err(|error| not_read(error.to_string()))?)
        }
        Format::Xml => Prepared::Xml(document.clone()),
        Format::MessagePack => {
            let bytes = msgpack::encode(document).bytes;
            Prepared::MessagePack(
                rmpv::decode::read_value(&mut bytes.as_slice()).map_err(|error| not_read(error.to_string()))?,
            )
        }
        Format::Cbor => {
            let bytes = cbor::encode(document).bytes;
            Prepared::Cbor(ciborium::from_reader(bytes.as_slice()).map_err(|error| not_read(error.to_string()))?)
        }
        Format::Protobuf => {
            let (descriptor, choice) = descriptor(protobuf)?;
            let bytes = protobuf::encode(document, choice.schema, choice.message)?.bytes;
            Prepared::Protobuf(
                DynamicMessage::decode(descriptor, bytes.as_slice()).map_err(|error| not_read(error.to_string()))?,
            )
        }
    })
}

fn descriptor(protobuf: Option<ProtobufChoice<'_>>) -> Result<(MessageDescriptor, ProtobufChoice<'_>), FormatError> {
    let choice =
        protobuf.ok_or_else(|| FormatError::general("Protobuf needs a schema and a message type: choose one"))?;
    Ok((choice.schema.message(choice.message)?, choice))
}

/// Encodes the prepared value with its library.
pub fn encode(prepared: &Prepared) -> Vec<u8> {
    let mut out = Vec::new();
    match prepared {
        Prepared::Json(value) => {
            // Writing to a Vec fails only on non-string map keys, which a Value cannot hold.
            let _ = serde_json::to_writer(&mut out, value);
        }
        Prepared::Xml(document) => out = xml::encode(document, Style::Compact).bytes,
        Prepared::MessagePack(value) => {
            let _ = rmpv::encode::write_value(&mut out, value);
        }
        Prepared::Cbor(value) => {
            let _ = ciborium::into_writer(value, &mut out);
        }
        Prepared::Protobuf(message) => out = message.encode_to_vec(),
    }
    out
}

/// A decoder for one format, holding what it needs (the message type for Protobuf).
pub enum Decoder {
    Library(Format),
    Protobuf(MessageDescriptor),
}

impl Decoder {
    pub fn new(format: Format, protobuf: Option<ProtobufChoice<'_>>) -> Result<Decoder, FormatError> {
        match format {
            Format::Protobuf => descriptor(protobuf).map(|(descriptor, _)| Decoder::Protobuf(descriptor)),
            other => Ok(Decoder::Library(other)),
        }
    }

    /// Decodes `bytes` into the library's value and drops it; errors name the library's complaint.
    pub fn decode(&self, bytes: &[u8]) -> Result<(), String> {
        match self {
            Decoder::Library(Format::Json) => {
                serde_json::from_slice::<serde_json::Value>(bytes).map(drop).map_err(|e| e.to_string())
            }
            Decoder::Library(Format::MessagePack) => {
                rmpv::decode::read_value(&mut &bytes[..]).map(drop).map_err(|error| error.to_string())
            }
            Decoder::Library(Format::Cbor) => {
                ciborium::from_reader::<ciborium::Value, _>(bytes).map(drop).map_err(|error| error.to_string())
            }
            Decoder::Library(_) => {
                let text = std::str::from_utf8(bytes).map_err(|error| error.to_string())?;
                xml::parse(text).map(drop).map_err(|error| error.to_string())
            }
            Decoder::Protobuf(descriptor) => {
                DynamicMessage::decode(descriptor.clone(), bytes).map(drop).map_err(|error| error.to_string())
            }
        }
    }
}
