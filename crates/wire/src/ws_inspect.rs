//! What `/ws/inspect` tells the app about each exchange: the handshake (key, accept hash,
//! extensions, subprotocol) and, for every message the server received, the frames that carried
//! it. Shared by the server, which writes these reports, and the app, which reads them.

use serde::{Deserialize, Serialize};

use crate::ws_frame::{FrameHeader, opcode_name};

/// One frame's header, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameFacts {
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    pub opcode: String,
    pub masked: bool,
    /// The mask key as hex (`37 fa 21 3d`), when masked.
    pub mask_key: Option<String>,
    pub payload_len: u64,
    /// 7, 16 or 64: which length encoding carried `payload_len`.
    pub length_bits: u8,
    pub header_len: usize,
}

impl From<&FrameHeader> for FrameFacts {
    fn from(header: &FrameHeader) -> FrameFacts {
        FrameFacts {
            fin: header.fin,
            rsv1: header.rsv[0],
            rsv2: header.rsv[1],
            rsv3: header.rsv[2],
            opcode: opcode_name(header.opcode),
            masked: header.mask_key.is_some(),
            mask_key: header.mask_key.map(|key| crate::hexdump::to_hex(&key)),
            payload_len: header.payload_len,
            length_bits: header.length_encoding.bits(),
            header_len: header.header_len,
        }
    }
}

/// A message the server received: its frames, and its size on the wire and after inflating.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFacts {
    /// 0 for the first data message of the connection, then 1, 2, ...
    pub index: u64,
    /// `text` or `binary`.
    pub kind: String,
    pub frames: Vec<FrameFacts>,
    /// Payload bytes across the frames (compressed, when RSV1 says so).
    pub wire_bytes: u64,
    /// The message's own size.
    pub message_bytes: u64,
    pub compressed: bool,
}

/// The opening handshake as the server saw and answered it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeFacts {
    pub key: String,
    pub accept: String,
    pub offered_extensions: Option<String>,
    pub extensions: Option<String>,
    pub offered_subprotocols: Option<String>,
    pub subprotocol: Option<String>,
    /// The id of the server's recording of this session (`GET /api/captures/{id}.pcap`); absent
    /// when the server keeps no captures (and in reports from servers before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<String>,
}

/// One report, sent by `/ws/inspect` as a text message after the echo it describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "inspect", rename_all = "snake_case")]
pub enum InspectReport {
    Handshake(HandshakeFacts),
    Message(MessageFacts),
}

impl InspectReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The report in a text message, or `None` for any other text.
    pub fn from_text(text: &str) -> Option<InspectReport> {
        if !text.starts_with("{\"inspect\"") {
            return None;
        }
        serde_json::from_str(text).ok()
    }
}

/// A short line for a message's frames: `1 frame · FIN · masked 37 fa 21 3d · 5 B (7-bit length)`,
/// or for several: `3 frames (text + 2 continuation) · 12 B`.
pub fn summarize(facts: &MessageFacts) -> String {
    let mut parts = Vec::new();
    match facts.frames.as_slice() {
        [frame] => {
            parts.push("1 frame".to_string());
            parts.push(match &frame.mask_key {
                Some(key) => format!("masked {key}"),
                None => "unmasked".to_string(),
            });
            parts.push(format!("{} B ({}-bit length)", frame.payload_len, frame.length_bits));
        }
        frames => {
            let continuations = frames.iter().filter(|frame| frame.opcode == "continuation").count();
            parts.push(format!("{} frames ({} + {continuations} continuation)", frames.len(), facts.kind));
            parts.push(format!("{} B", facts.wire_bytes));
        }
    }
    if facts.compressed {
        parts.push(format!("compressed {} → {} B", facts.wire_bytes, facts.message_bytes));
    }
    parts.join(" · ")
}

/// Groups frame headers into messages the way a receiver does: data frames until FIN, with any
/// control frames in between reported on their own.
#[derive(Clone, Debug, Default)]
pub struct MessageAssembler {
    frames: Vec<FrameHeader>,
    next_index: u64,
}

/// What one frame completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assembled {
    /// A data message: its index and frames.
    Message { index: u64, frames: Vec<FrameHeader> },
    /// A ping, pong or close frame.
    Control(FrameHeader),
    /// A data frame that does not end its message yet.
    Partial,
}

impl MessageAssembler {
    pub fn new() -> MessageAssembler {
        MessageAssembler::default()
    }

    pub fn push(&mut self, header: FrameHeader) -> Assembled {
        if header.is_control() {
            return Assembled::Control(header);
        }
        let fin = header.fin;
        self.frames.push(header);
        if !fin {
            return Assembled::Partial;
        }
        let index = self.next_index;
        self.next_index += 1;
        Assembled::Message { index, frames: std::mem::take(&mut self.frames) }
    }
}
