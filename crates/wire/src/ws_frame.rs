//! RFC 6455 frames as they cross the wire: header facts read from raw bytes (FIN, RSV bits,
//! opcode, mask and mask key, payload length and which of the 7, 16 or 64-bit encodings carried
//! it), an incremental scanner that reads headers out of a byte stream while skipping payloads,
//! and the handshake's accept hash. Browsers hide all of this from JavaScript; the server's
//! `/ws/inspect` reads it with this module and reports it to the app.

use base64::Engine;
use sha1::{Digest, Sha1};

/// The GUID that RFC 6455 appends to the client's key before hashing.
pub const HANDSHAKE_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
pub fn accept_key(client_key: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(client_key.trim().as_bytes());
    hasher.update(HANDSHAKE_GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hasher.finalize())
}

/// How the payload length was written: in the first length field (0–125), or after 126 as
/// 16 bits, or after 127 as 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LengthEncoding {
    Seven,
    Sixteen,
    SixtyFour,
}

impl LengthEncoding {
    pub fn bits(self) -> u8 {
        match self {
            LengthEncoding::Seven => 7,
            LengthEncoding::Sixteen => 16,
            LengthEncoding::SixtyFour => 64,
        }
    }

    /// The encoding RFC 6455 requires for a length: the shortest that holds it.
    pub fn minimal_for(len: u64) -> LengthEncoding {
        match len {
            0..=125 => LengthEncoding::Seven,
            126..=0xffff => LengthEncoding::Sixteen,
            _ => LengthEncoding::SixtyFour,
        }
    }
}

/// One frame header as read from the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    pub fin: bool,
    pub rsv: [bool; 3],
    pub opcode: u8,
    pub mask_key: Option<[u8; 4]>,
    pub payload_len: u64,
    pub length_encoding: LengthEncoding,
    /// Bytes of the header itself: 2 to 14.
    pub header_len: usize,
}

impl FrameHeader {
    pub fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }

    /// Whether the length used more bytes than it needed (RFC 6455 forbids it).
    pub fn length_is_minimal(&self) -> bool {
        LengthEncoding::minimal_for(self.payload_len) == self.length_encoding
    }
}

/// The name of an opcode: `text`, `binary`, `continuation`, `close`, `ping`, `pong`, or
/// `reserved (0x3)`.
pub fn opcode_name(opcode: u8) -> String {
    match opcode {
        0x0 => "continuation".into(),
        0x1 => "text".into(),
        0x2 => "binary".into(),
        0x8 => "close".into(),
        0x9 => "ping".into(),
        0xa => "pong".into(),
        other => format!("reserved (0x{other:x})"),
    }
}

/// Reads one frame header from the start of `bytes`: `None` when more bytes are needed.
pub fn parse_header(bytes: &[u8]) -> Option<FrameHeader> {
    let [first, second, ..] = *bytes else { return None };
    let masked = second & 0x80 != 0;
    let (payload_len, length_encoding, length_bytes) = match second & 0x7f {
        126 => (u64::from(u16::from_be_bytes(bytes.get(2..4)?.try_into().ok()?)), LengthEncoding::Sixteen, 2),
        127 => (u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?), LengthEncoding::SixtyFour, 8),
        short => (u64::from(short), LengthEncoding::Seven, 0),
    };
    let mask_start = 2 + length_bytes;
    let mask_key = if masked { Some(bytes.get(mask_start..mask_start + 4)?.try_into().ok()?) } else { None };
    Some(FrameHeader {
        fin: first & 0x80 != 0,
        rsv: [first & 0x40 != 0, first & 0x20 != 0, first & 0x10 != 0],
        opcode: first & 0x0f,
        mask_key,
        payload_len,
        length_encoding,
        header_len: mask_start + if masked { 4 } else { 0 },
    })
}

/// Reads frame headers out of a byte stream fed in arbitrary chunks, skipping payloads without
/// keeping them: memory stays at most one header (14 bytes) whatever the frame sizes.
#[derive(Clone, Debug, Default)]
pub struct FrameScanner {
    pending: Vec<u8>,
    payload_left: u64,
}

impl FrameScanner {
    pub fn new() -> FrameScanner {
        FrameScanner::default()
    }

    /// The headers that `chunk` completes, in order.
    pub fn feed(&mut self, mut chunk: &[u8]) -> Vec<FrameHeader> {
        let mut headers = Vec::new();
        loop {
            if self.payload_left > 0 {
                let skipped = usize::try_from(self.payload_left).unwrap_or(usize::MAX).min(chunk.len());
                self.payload_left -= skipped as u64;
                chunk = &chunk[skipped..];
            }
            if chunk.is_empty() {
                return headers;
            }
            // Take at most what a header can hold, then give back what the header did not use.
            let room = 14 - self.pending.len();
            let taken = room.min(chunk.len());
            self.pending.extend_from_slice(&chunk[..taken]);
            match parse_header(&self.pending) {
                Some(header) => {
                    let unused = self.pending.len() - header.header_len;
                    chunk = &chunk[taken - unused..];
                    self.payload_left = header.payload_len;
                    self.pending.clear();
                    headers.push(header);
                }
                None => {
                    chunk = &chunk[taken..];
                    if chunk.is_empty() {
                        return headers;
                    }
                }
            }
        }
    }
}
