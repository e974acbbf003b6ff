//! The load generator's own WebSocket data path: client frames written straight into a send
//! buffer, each masked with its own random key (RFC 6455 §5.3), and echoes checked as they stream
//! through a fixed read buffer, never held whole. tungstenite's client costs about twice the raw
//! TCP client's CPU per message, and in request/response the client's time adds to the server's,
//! so figures taken through it would understate every WebSocket server against raw TCP. The
//! handshake, and the frame header encoding, are still tungstenite's.

use std::io::Cursor;

use tokio::io::AsyncReadExt;
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};

use crate::messages::{EchoCheck, Messages};

/// Read size; large echoes are checked through it, never held whole.
const READ_BYTES: usize = 64 * 1024;

pub const TEXT: OpCode = OpCode::Data(Data::Text);
pub const BINARY: OpCode = OpCode::Data(Data::Binary);
pub const CLOSE: OpCode = OpCode::Control(Control::Close);
pub const PING: OpCode = OpCode::Control(Control::Ping);

/// A fresh masking key for every frame, from a fast generator (wyrand, seeded from the system):
/// a key only has to be unpredictable to the network path, not secret.
struct Keys(fastrand::Rng);

impl Keys {
    fn new() -> Keys {
        Keys(fastrand::Rng::new())
    }

    fn next(&mut self) -> [u8; 4] {
        self.0.u32(..).to_ne_bytes()
    }
}

/// Writes single client frames (FIN set), each with its own key: for the soak's pings, closes
/// and one-off messages.
pub struct FrameWriter {
    keys: Keys,
}

impl FrameWriter {
    pub fn new() -> FrameWriter {
        FrameWriter { keys: Keys::new() }
    }

    /// Appends one client frame carrying `payload`.
    pub fn push(&mut self, out: &mut Vec<u8>, opcode: OpCode, payload: &[u8]) {
        let key = self.keys.next();
        // Writing into a Vec cannot fail.
        let _ = FrameHeader { opcode, mask: Some(key), ..FrameHeader::default() }.format(payload.len() as u64, out);
        let start = out.len();
        out.resize(start + payload.len(), 0);
        masked_copy(&mut out[start..], payload, key);
    }

    /// One client frame carrying `payload`.
    pub fn frame(&mut self, opcode: OpCode, payload: &[u8]) -> Vec<u8> {
        let mut frame = Vec::with_capacity(payload.len() + 14);
        self.push(&mut frame, opcode, payload);
        frame
    }
}

/// The frames of one connection's messages, in a buffer laid out once: sending a message
/// rewrites its frame in place with a fresh key, masking the payload in the pass that copies it.
pub struct MessageFrames {
    messages: Messages,
    keys: Keys,
    header_len: usize,
    frame_len: usize,
    buffer: Vec<u8>,
}

impl MessageFrames {
    /// Room for `slots` frames at once.
    pub fn new(messages: Messages, slots: usize) -> MessageFrames {
        let opcode = if messages.is_text() { TEXT } else { BINARY };
        let mut frame = Vec::new();
        // Writing into a Vec cannot fail. The key's 4 bytes, last in the header, change per frame.
        let _ = FrameHeader { opcode, mask: Some([0; 4]), ..FrameHeader::default() }
            .format(messages.len() as u64, &mut frame);
        let header_len = frame.len();
        frame.resize(header_len + messages.len(), 0);
        let (frame_len, buffer) = (frame.len(), frame.repeat(slots));
        MessageFrames { messages, keys: Keys::new(), header_len, frame_len, buffer }
    }

    /// Messages `first`, `first + 1`... as `count` consecutive frames (at most the slots).
    pub fn frames(&mut self, first: u64, count: usize) -> &[u8] {
        let (messages, keys, key_at) = (&self.messages, &mut self.keys, self.header_len - 4);
        for (frame, index) in self.buffer.chunks_exact_mut(self.frame_len).take(count).zip(first..) {
            let key = keys.next();
            let (header, payload) = frame.split_at_mut(key_at + 4);
            header[key_at..].copy_from_slice(&key);
            messages.write_through(index, payload, |to, from| masked_copy(to, from, key));
        }
        &self.buffer[..count.min(self.buffer.len() / self.frame_len) * self.frame_len]
    }
}

/// `to` = `from` XOR `key` repeated, eight bytes at a time (both the same length, from a
/// payload's start).
fn masked_copy(to: &mut [u8], from: &[u8], key: [u8; 4]) {
    let wide = u64::from_ne_bytes([key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]]);
    let ((to_words, to_rest), (from_words, from_rest)) = (to.as_chunks_mut::<8>(), from.as_chunks::<8>());
    for (to, from) in to_words.iter_mut().zip(from_words) {
        *to = (u64::from_ne_bytes(*from) ^ wide).to_ne_bytes();
    }
    // The rest starts at a multiple of eight, so the key starts over too.
    for ((to, from), key) in to_rest.iter_mut().zip(from_rest).zip(key.iter().cycle()) {
        *to = from ^ key;
    }
}

/// Reads a server's frames and checks every echoed message against the messages sent.
pub struct EchoReader {
    buffer: Vec<u8>,
    filled: usize,
    /// Payload bytes of the current frame not read yet.
    remaining: u64,
    /// Whether the current frame ends its message, and whether it carries message data.
    current_fin: bool,
    current_data: bool,
    /// Whether a message's echo is under way (its first frame read, its last not yet).
    in_message: bool,
    /// Reading wirelab-server's TCP bridge: the echo is a byte stream across binary messages
    /// (their boundaries say nothing), and text messages are the bridge's events, skipped.
    bridged: bool,
    check: EchoCheck,
}

impl EchoReader {
    pub fn new(messages: Messages) -> EchoReader {
        EchoReader {
            buffer: vec![0; READ_BYTES],
            filled: 0,
            remaining: 0,
            current_fin: false,
            current_data: false,
            in_message: false,
            bridged: false,
            check: EchoCheck::new(messages),
        }
    }

    /// A reader of echoes that come back through wirelab-server's TCP bridge (`/ws/tcp`).
    pub fn bridged(messages: Messages) -> EchoReader {
        EchoReader { bridged: true, ..EchoReader::new(messages) }
    }

    /// Reads until at least one whole message has come back; returns how many did.
    pub async fn read_echoes<R: AsyncReadExt + Unpin>(&mut self, stream: &mut R) -> Result<usize, String> {
        loop {
            let read = stream
                .read(&mut self.buffer[self.filled..])
                .await
                .map_err(|error| format!("reading the echo failed: {error}"))?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            self.filled += read;
            let completed = self.parse()?;
            if completed > 0 {
                return Ok(completed);
            }
        }
    }

    /// Consumes what the buffer holds; keeps an incomplete header for the next read.
    fn parse(&mut self) -> Result<usize, String> {
        let mut completed = 0;
        let mut at = 0;
        loop {
            if self.remaining > 0 {
                let take = self.remaining.min((self.filled - at) as u64) as usize;
                match (self.current_data, self.bridged) {
                    (true, true) => completed += self.check.stream(&self.buffer[at..at + take])?,
                    (true, false) => self.check.bytes(&self.buffer[at..at + take])?,
                    (false, _) => {}
                }
                self.remaining -= take as u64;
                at += take;
                if self.remaining > 0 {
                    break;
                }
                completed += self.end_frame()?;
                continue;
            }
            let mut cursor = Cursor::new(&self.buffer[at..self.filled]);
            let parsed =
                FrameHeader::parse(&mut cursor).map_err(|error| format!("the server sent a bad frame: {error}"))?;
            let Some((header, payload_len)) = parsed else { break };
            let header_len = cursor.position() as usize;
            if header.opcode == CLOSE {
                let payload = &self.buffer[at + header_len..self.filled];
                if (payload.len() as u64) < payload_len.min(125) {
                    // Wait for the close code and reason, to name them.
                    break;
                }
                return Err(closed_by_server(payload_len, payload));
            }
            at += header_len;
            self.start_frame(&header)?;
            self.remaining = payload_len;
            if payload_len == 0 {
                completed += self.end_frame()?;
            }
        }
        self.buffer.copy_within(at..self.filled, 0);
        self.filled -= at;
        Ok(completed)
    }

    /// Checks a data or control frame's header against what may come next.
    fn start_frame(&mut self, header: &FrameHeader) -> Result<(), String> {
        if header.mask.is_some() {
            return Err("the server sent a masked frame".into());
        }
        if header.rsv1 || header.rsv2 || header.rsv3 {
            return Err("the server set a reserved bit, but no extension was negotiated".into());
        }
        self.current_fin = header.is_final;
        if self.bridged {
            // Bytes in binary messages; the events in text ones are not the echo.
            self.current_data = header.opcode == BINARY;
            return Ok(());
        }
        self.current_data = true;
        match header.opcode {
            OpCode::Data(Data::Text | Data::Binary) if self.in_message => {
                return Err("a new message began before the last echo's final frame".into());
            }
            OpCode::Data(Data::Text) => self.check.start(true)?,
            OpCode::Data(Data::Binary) => self.check.start(false)?,
            OpCode::Data(Data::Continue) if !self.in_message => {
                return Err("a continuation frame with no message begun".into());
            }
            OpCode::Data(_) => {}
            OpCode::Control(_) => self.current_data = false,
        }
        self.in_message |= self.current_data;
        Ok(())
    }

    /// 1 when the frame just read ended an echoed message (which matched), else 0.
    fn end_frame(&mut self) -> Result<usize, String> {
        if self.bridged || !(self.current_fin && self.current_data) {
            return Ok(0);
        }
        self.check.end()?;
        self.in_message = false;
        Ok(1)
    }
}

/// "the server closed the connection", with the close code and reason if they were read already.
fn closed_by_server(payload_len: u64, after: &[u8]) -> String {
    let payload = after.get(..payload_len as usize).unwrap_or_default();
    match payload {
        [high, low, reason @ ..] => format!(
            "the server closed the connection: code {}{}",
            u16::from_be_bytes([*high, *low]),
            if reason.is_empty() { String::new() } else { format!(" ({})", String::from_utf8_lossy(reason)) }
        ),
        _ => "the server closed the connection".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server frame: unmasked, `first` its first byte (FIN, reserved bits, opcode).
    fn server_frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut frame = Vec::new();
        let _ = FrameHeader::default().format(payload.len() as u64, &mut frame);
        frame[0] = first;
        frame.extend_from_slice(payload);
        frame
    }

    /// Feeds `bytes` to a reader expecting 20-byte text messages, in reads of `chunk` bytes;
    /// how many echoes matched, or the first error.
    async fn read_all(bytes: &[u8], chunk: usize) -> Result<u64, String> {
        let mut reader = EchoReader::new(Messages::new(true, 20));
        let mut rest = bytes;
        while !rest.is_empty() {
            let (now, later) = rest.split_at(chunk.min(rest.len()));
            reader.filled_from(now);
            reader.parse()?;
            rest = later;
        }
        Ok(reader.check.matched())
    }

    impl EchoReader {
        fn filled_from(&mut self, bytes: &[u8]) {
            self.buffer[self.filled..self.filled + bytes.len()].copy_from_slice(bytes);
            self.filled += bytes.len();
        }
    }

    #[tokio::test]
    async fn echoes_are_read_across_reads_fragments_and_control_frames() {
        let messages = Messages::new(true, 20);
        let (first, second, third) = (messages.message(0), messages.message(1), messages.message(2));
        let mut wrong = messages.message(3);
        wrong[19] = b'!';
        let join = |frames: &[Vec<u8>]| frames.concat();
        let cases: Vec<(&str, Vec<u8>, Result<u64, &str>)> = vec![
            (
                "three echoes",
                join(&[server_frame(0x81, &first), server_frame(0x81, &second), server_frame(0x81, &third)]),
                Ok(3),
            ),
            (
                "fragments with a ping between",
                join(&[server_frame(0x01, &first[..7]), server_frame(0x89, b"ping"), server_frame(0x80, &first[7..])]),
                Ok(1),
            ),
            ("an empty final fragment", join(&[server_frame(0x01, &first), server_frame(0x80, b"")]), Ok(1)),
            (
                "binary for text",
                server_frame(0x82, &first),
                Err("the echo of message 0 is a binary message, the message was text"),
            ),
            (
                "a changed byte",
                join(&[
                    server_frame(0x81, &first),
                    server_frame(0x81, &second),
                    server_frame(0x81, &third),
                    server_frame(0x81, &wrong),
                ]),
                Err("the echo of message 3 differs at byte 19 of 20: sent 0x74 't', got 0x21 '!'"),
            ),
            (
                "a message twice",
                join(&[server_frame(0x81, &first), server_frame(0x81, &first)]),
                Err("the echo of message 1 differs at byte 15 of 20: sent 0x31 '1', got 0x30 '0'"),
            ),
            (
                "a short echo",
                server_frame(0x81, &first[..19]),
                Err("the echo of message 0 ended after 19 bytes, the message has 20"),
            ),
            (
                "a close",
                server_frame(0x88, &[0x03, 0xf1, b'b', b'y', b'e']),
                Err("the server closed the connection: code 1009 (bye)"),
            ),
            ("a continuation first", server_frame(0x80, &first), Err("a continuation frame with no message begun")),
            (
                "a new message inside one",
                join(&[server_frame(0x01, &first[..4]), server_frame(0x81, &first[4..])]),
                Err("a new message began before the last echo's final frame"),
            ),
            (
                "a compressed frame",
                server_frame(0xc1, &first),
                Err("the server set a reserved bit, but no extension was negotiated"),
            ),
            ("a masked frame", vec![0x81, 0x80, 1, 2, 3, 4], Err("the server sent a masked frame")),
            (
                "a reserved opcode",
                server_frame(0x83, &first),
                Err("the server sent a bad frame: WebSocket protocol error: Encountered invalid opcode: 3"),
            ),
        ];
        for (name, bytes, expected) in cases {
            let expected = expected.map_err(str::to_owned);
            for chunk in [1, 3, bytes.len()] {
                assert_eq!(read_all(&bytes, chunk).await, expected, "{name}, read {chunk} bytes at a time");
            }
        }
    }

    #[tokio::test]
    async fn bridged_echoes_are_a_byte_stream_across_binary_messages_beside_text_events() {
        let messages = Messages::new(false, 20);
        let stream = [messages.message(0), messages.message(1)].concat();
        let event = br#"{"event":"data","at_ms":1.0,"to_peer_bytes":40,"from_peer_bytes":13}"#;
        let cases: Vec<(&str, Vec<u8>, Result<u64, &str>)> = vec![
            (
                "one message per echo",
                [server_frame(0x82, &stream[..20]), server_frame(0x82, &stream[20..])].concat(),
                Ok(2),
            ),
            (
                "echoes cut anywhere",
                [server_frame(0x82, &stream[..13]), server_frame(0x81, event), server_frame(0x82, &stream[13..])]
                    .concat(),
                Ok(2),
            ),
            ("two echoes in one message", server_frame(0x82, &stream), Ok(2)),
            ("half an echo", server_frame(0x82, &stream[..30]), Ok(1)),
            (
                "a changed byte",
                server_frame(0x82, &[&stream[..25], b"!"].concat()),
                Err("the echo of message 1 differs at byte 5 of 20: sent 0x30 '0', got 0x21 '!'"),
            ),
        ];
        for (name, bytes, expected) in cases {
            let expected = expected.map_err(str::to_owned);
            for chunk in [1, 7, bytes.len()] {
                let mut reader = EchoReader::bridged(messages.clone());
                let mut outcome = Ok(0);
                for piece in bytes.chunks(chunk) {
                    reader.filled_from(piece);
                    if let Err(error) = reader.parse() {
                        outcome = Err(error);
                        break;
                    }
                }
                let outcome = outcome.map(|_| reader.check.matched());
                assert_eq!(outcome, expected, "{name}, read {chunk} bytes at a time");
            }
        }
    }

    #[tokio::test]
    async fn read_echoes_returns_once_a_message_is_whole() {
        let messages = Messages::new(false, 70_000);
        let mut bytes = server_frame(0x82, &messages.message(0));
        bytes.extend(server_frame(0x82, &messages.message(1)));
        let mut reader = EchoReader::new(messages);
        let mut input: &[u8] = &bytes;
        assert_eq!(reader.read_echoes(&mut input).await, Ok(1));
        assert_eq!(reader.read_echoes(&mut input).await, Ok(1));
        assert_eq!(reader.read_echoes(&mut input).await, Err("the server closed the connection".into()));
    }

    /// The key and the payload of a client frame, unmasked again.
    fn unmasked(frame: &[u8]) -> (FrameHeader, [u8; 4], Vec<u8>) {
        let mut cursor = Cursor::new(frame);
        let Ok(Some((header, len))) = FrameHeader::parse(&mut cursor) else { panic!("not a frame: {frame:02x?}") };
        let start = cursor.position() as usize;
        assert_eq!(frame.len() - start, len as usize, "the header gives the payload's length");
        let key = header.mask.unwrap_or_else(|| panic!("not masked: {frame:02x?}"));
        let payload = frame[start..].iter().enumerate().map(|(index, byte)| byte ^ key[index % 4]).collect();
        (header, key, payload)
    }

    #[test]
    fn frames_are_masked_each_with_its_own_key() {
        let mut writer = FrameWriter::new();
        for (opcode, size, header_bytes) in [(TEXT, 2, 6), (BINARY, 200, 8), (BINARY, 70_000, 14), (PING, 125, 6)] {
            let payload: Vec<u8> = (0..size).map(|index| (index * 7) as u8).collect();
            let frames: Vec<Vec<u8>> = (0..8).map(|_| writer.frame(opcode, &payload)).collect();
            let mut keys = Vec::new();
            for frame in &frames {
                assert_eq!(frame.len(), header_bytes + size, "{opcode:?} x {size}");
                let (header, key, unmasked) = unmasked(frame);
                assert_eq!((header.opcode, header.is_final), (opcode, true));
                assert_eq!(unmasked, payload, "{opcode:?} x {size}");
                keys.push(key);
            }
            assert!(distinct(keys) >= 7, "eight frames of {opcode:?} x {size}");
        }
    }

    /// How many different keys there are (two of eight random keys alike is rare, but may be).
    fn distinct(mut keys: Vec<[u8; 4]>) -> usize {
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    }

    #[test]
    fn numbered_messages_go_out_as_frames_of_their_type_each_with_its_own_key() {
        for (text, size) in [(true, 40), (false, 3), (false, 70_000)] {
            let messages = Messages::new(text, size);
            let mut frames = MessageFrames::new(messages.clone(), 4);
            let mut keys = Vec::new();
            // Four at once, then one, then five (one more than there is room for: four come out).
            for (first, count, out) in [(0, 4, 4), (4, 1, 1), (5, 5, 4)] {
                let bytes = frames.frames(first, count).to_vec();
                let frame_len = bytes.len() / out;
                assert_eq!(bytes.len(), out * frame_len);
                for (frame, index) in bytes.chunks_exact(frame_len).zip(first..) {
                    let (header, key, payload) = unmasked(frame);
                    assert_eq!((header.opcode, header.is_final), (if text { TEXT } else { BINARY }, true));
                    assert_eq!(payload, messages.message(index), "message {index} of {size} bytes");
                    keys.push(key);
                }
            }
            assert!(distinct(keys) >= 8, "nine frames of {size} bytes");
        }
    }
}
