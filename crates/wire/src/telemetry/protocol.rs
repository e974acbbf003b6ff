//! The text frames of `GET /ws/telemetry`, JSON both ways: the server's [`ServerStatus`] (counts
//! and settings, at least once a second and after every change) and the client's
//! [`ClientControl`] (change encoding, rate or pause on the open stream). Readings themselves go
//! as binary frames, one per message, in the stream's current [`Encoding`].
//!
//! ```text
//! server → {"type":"status","encoding":"json","rate_hz":10.0,"devices":4,"paused":false,"sent":120,"dropped":0,"at_us":1795538423045123}
//! client → {"encoding":"cbor","rate_hz":50}
//! client → {"paused":true}
//! server → {"type":"error","message":"unknown field `encodng`, expected one of …"}
//! ```

use serde::{Deserialize, Serialize};

use super::Encoding;
use crate::diagnostic::{Diagnostic, Location};
use crate::text_position::{TextPosition, json_error_message};

/// Devices when the URL does not say.
pub const DEFAULT_DEVICES: usize = 4;
/// Readings per second per device when the URL does not say.
pub const DEFAULT_RATE_HZ: f64 = 10.0;
/// The encoding when the URL does not say.
pub const DEFAULT_ENCODING: Encoding = Encoding::Json;

/// A text frame from the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerStatus {
    /// The stream's settings and counts so far.
    Status {
        encoding: Encoding,
        /// Readings per second per device.
        rate_hz: f64,
        devices: usize,
        /// Whether the client paused the stream (added to the contract's fields; absent reads as false).
        #[serde(default)]
        paused: bool,
        /// Readings sent since the stream opened.
        sent: u64,
        /// Readings dropped because the client read too slowly.
        dropped: u64,
        /// When the server wrote this status, microseconds since the Unix epoch.
        at_us: u64,
    },
    /// A control message the server could not use; the stream goes on.
    Error { message: String },
}

/// A text frame from the client; every field is optional, and only those given change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientControl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_hz: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
}

impl ServerStatus {
    /// The frame's JSON text.
    pub fn to_json(&self) -> String {
        // A ServerStatus has only strings, numbers and booleans: serde_json cannot fail on it
        // (a non-finite rate, which it would write as null, is refused before it gets here).
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The status in a text frame, or where its JSON is wrong.
    pub fn parse(text: &str) -> Result<ServerStatus, Diagnostic> {
        parse_json(text)
    }
}

impl ClientControl {
    /// The frame's JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The control in a text frame, or where its JSON is wrong (unknown fields are wrong too).
    pub fn parse(text: &str) -> Result<ClientControl, Diagnostic> {
        parse_json(text)
    }
}

/// `text` read as JSON into `T`, or a diagnostic with the line and column.
pub(super) fn parse_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, Diagnostic> {
    serde_json::from_str(text).map_err(|error| {
        let position = TextPosition::of_json_error(text, &error);
        Diagnostic::at(Location::at_position(text, position), json_error_message(&error))
    })
}

/// The query string of a stream: `devices=4&rate_hz=10&encoding=json`.
pub fn stream_query(devices: usize, rate_hz: f64, encoding: Encoding) -> String {
    format!("devices={devices}&rate_hz={rate_hz}&encoding={}", encoding.name())
}
