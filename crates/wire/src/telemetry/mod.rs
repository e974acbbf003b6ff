//! Simulated IoT devices and their readings in five encodings, so the server's `/ws/telemetry`
//! encodes with the same code the IoT lab decodes with, and tests can hold both against the
//! reference libraries. Pure: no clock, no randomness, no I/O.
//!
//! A [`Reading`] has the same fields in every [`Encoding`]; `fault` is left out when there is
//! none. The exact shapes:
//!
//! - **json** (serde_json): one object,
//!   `{"device":"sensor-01","seq":7,"sent_at_us":1795538423045123,"temperature_c":21.37,"humidity_percent":48.2,"battery_percent":96.41}`
//!   and `"fault":"sensor timeout"` when there is one.
//! - **xml** (quick-xml's serde): a `<reading>` root with one child element per field, text
//!   content, no attributes: `<reading><device>sensor-01</device><seq>7</seq>…</reading>`.
//! - **protobuf** (prost): message `wirelab.TelemetryReading` of `www/proto/wirelab.proto`, which
//!   the server serves as `/protobuf.proto`; `fault` is a proto3 `optional string`.
//! - **msgpack** (rmp-serde, `to_vec_named`): a map of field names to values, as JSON's.
//! - **cbor** (ciborium): a map of field names to values, as JSON's.
//!
//! [`Fleet`] makes the readings ([`fleet`]), and [`protocol`] has the JSON text frames that
//! steer a stream.

pub mod fleet;
pub mod protocol;

pub use fleet::Fleet;
pub use protocol::{ClientControl, ServerStatus};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::formats::sample_messages::TelemetryReading;

/// How a stream encodes each reading: one binary WebSocket message per reading in any of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Json,
    Xml,
    Protobuf,
    Msgpack,
    Cbor,
}

impl Encoding {
    pub const ALL: [Encoding; 5] =
        [Encoding::Json, Encoding::Xml, Encoding::Protobuf, Encoding::Msgpack, Encoding::Cbor];

    /// The name in URLs and control messages: `json`, `xml`, `protobuf`, `msgpack`, `cbor`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Json => "json",
            Encoding::Xml => "xml",
            Encoding::Protobuf => "protobuf",
            Encoding::Msgpack => "msgpack",
            Encoding::Cbor => "cbor",
        }
    }

    /// The name people read: `JSON`, `XML`, `Protobuf`, `MessagePack`, `CBOR`.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Json => "JSON",
            Encoding::Xml => "XML",
            Encoding::Protobuf => "Protobuf",
            Encoding::Msgpack => "MessagePack",
            Encoding::Cbor => "CBOR",
        }
    }

    /// The encoding named `name` (as [`Encoding::name`] spells it), if any.
    pub fn parse(name: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|encoding| encoding.name() == name)
    }
}

/// One reading of one simulated device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// `sensor-01`, `sensor-02`, …
    pub device: String,
    /// Per device, from 0.
    pub seq: u64,
    /// The server's send time, microseconds since the Unix epoch.
    pub sent_at_us: u64,
    /// Drifts slowly around the device's own level, with noise.
    pub temperature_c: f64,
    pub humidity_percent: f64,
    /// Drains slowly; a device whose battery runs low gets a fresh one.
    pub battery_percent: f64,
    /// Occasionally `Some("sensor timeout")` and the like; left out of every encoding when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// The root element of a reading in XML.
pub const XML_ROOT: &str = "reading";

/// `reading` in `encoding`. Encoding a reading cannot fail (every field has a value in every
/// format), so this returns the bytes alone.
pub fn encode(encoding: Encoding, reading: &Reading) -> Vec<u8> {
    match encoding {
        Encoding::Json => serde_json::to_vec(reading).unwrap_or_default(),
        Encoding::Xml => {
            quick_xml::se::to_string_with_root(XML_ROOT, reading).map(String::into_bytes).unwrap_or_default()
        }
        Encoding::Protobuf => prost::Message::encode_to_vec(&TelemetryReading::from(reading.clone())),
        Encoding::Msgpack => rmp_serde::to_vec_named(reading).unwrap_or_default(),
        Encoding::Cbor => {
            let mut bytes = Vec::new();
            // Writing to a Vec fails only on a serializer error, which a Reading cannot raise.
            let _ = ciborium::into_writer(reading, &mut bytes);
            bytes
        }
    }
}

/// The reading in `bytes`, or what is wrong with them (a line and column for JSON, a byte offset
/// where the decoder says one). Never panics, whatever the bytes.
pub fn decode(encoding: Encoding, bytes: &[u8]) -> Result<Reading, Diagnostic> {
    match encoding {
        Encoding::Json => decode_json(bytes),
        Encoding::Xml => decode_xml(bytes),
        Encoding::Protobuf => <TelemetryReading as prost::Message>::decode(bytes)
            .map(Reading::from)
            .map_err(|error| Diagnostic::new(format!("protobuf: {error}"))),
        Encoding::Msgpack => rmp_serde::from_slice(bytes).map_err(|error| Diagnostic::new(format!("msgpack: {error}"))),
        Encoding::Cbor => ciborium::from_reader(bytes).map_err(|error| match error {
            ciborium::de::Error::Io(error) => Diagnostic::new(format!("cbor: {error}")),
            ciborium::de::Error::Syntax(offset) => Diagnostic::at_offset(offset, "cbor: syntax error"),
            ciborium::de::Error::Semantic(Some(offset), message) => {
                Diagnostic::at_offset(offset, format!("cbor: {message}"))
            }
            ciborium::de::Error::Semantic(None, message) => Diagnostic::new(format!("cbor: {message}")),
            ciborium::de::Error::RecursionLimitExceeded => Diagnostic::new("cbor: nested too deeply"),
        }),
    }
}

fn decode_json(bytes: &[u8]) -> Result<Reading, Diagnostic> {
    protocol::parse_json(utf8(bytes, "json")?)
        .map_err(|diagnostic| Diagnostic { message: format!("json: {}", diagnostic.message), ..diagnostic })
}

fn decode_xml(bytes: &[u8]) -> Result<Reading, Diagnostic> {
    let text = utf8(bytes, "xml")?;
    match root_element(text) {
        Some(root) if root == XML_ROOT => {}
        Some(root) => {
            return Err(Diagnostic::new(format!("xml: the root element is <{root}>, expected <{XML_ROOT}>")));
        }
        None => return Err(Diagnostic::new(format!("xml: no <{XML_ROOT}> element"))),
    }
    quick_xml::de::from_str(text).map_err(|error| Diagnostic::new(format!("xml: {error}")))
}

/// The name of the first element in `text` (quick-xml's serde reader does not check it).
fn root_element(text: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(start) | quick_xml::events::Event::Empty(start)) => {
                return Some(String::from_utf8_lossy(start.name().as_ref()).into_owned());
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

fn utf8<'a>(bytes: &'a [u8], encoding: &str) -> Result<&'a str, Diagnostic> {
    std::str::from_utf8(bytes)
        .map_err(|error| Diagnostic::at_offset(error.valid_up_to(), format!("{encoding}: not UTF-8 text")))
}

impl From<Reading> for TelemetryReading {
    fn from(reading: Reading) -> TelemetryReading {
        TelemetryReading {
            device: reading.device,
            seq: reading.seq,
            sent_at_us: reading.sent_at_us,
            temperature_c: reading.temperature_c,
            humidity_percent: reading.humidity_percent,
            battery_percent: reading.battery_percent,
            fault: reading.fault,
        }
    }
}

impl From<TelemetryReading> for Reading {
    fn from(message: TelemetryReading) -> Reading {
        Reading {
            device: message.device,
            seq: message.seq,
            sent_at_us: message.sent_at_us,
            temperature_c: message.temperature_c,
            humidity_percent: message.humidity_percent,
            battery_percent: message.battery_percent,
            fault: message.fault,
        }
    }
}
