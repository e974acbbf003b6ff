//! The load generator's own WebSocket data path: each connection's frame is masked once and sent
//! again and again, and echoes are counted by reading frame headers in place. tungstenite's
//! client costs about twice the raw TCP client's CPU per message, and in request/response the
//! client's time adds to the server's, so figures taken through it would understate every
//! WebSocket server against raw TCP. The handshake still goes through tungstenite.

use tokio::io::AsyncReadExt;

/// Read size; large echoes are skipped through it, never held whole.
const READ_BYTES: usize = 64 * 1024;
/// The masking key of every frame (any key is valid; a load generator need not hide its data).
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

const OPCODE_CONTINUATION: u8 = 0x0;
const OPCODE_TEXT: u8 = 0x1;
const OPCODE_BINARY: u8 = 0x2;
pub const OPCODE_CLOSE: u8 = 0x8;
pub const OPCODE_PING: u8 = 0x9;

/// One client frame (FIN set, masked) carrying `payload` as text or binary.
pub fn masked_frame(text: bool, payload: &[u8]) -> Vec<u8> {
    masked_frame_of(if text { OPCODE_TEXT } else { OPCODE_BINARY }, payload)
}

/// One client frame (FIN set, masked) with any opcode: the soak checks send pings and closes too.
pub fn masked_frame_of(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(payload.len() + 14);
    frame.push(0x80 | (opcode & 0x0f));
    let len = payload.len();
    if len < 126 {
        frame.push(0x80 | len as u8);
    } else if let Ok(len) = u16::try_from(len) {
        frame.push(0x80 | 126);
        frame.extend_from_slice(&len.to_be_bytes());
    } else {
        frame.push(0x80 | 127);
        frame.extend_from_slice(&(len as u64).to_be_bytes());
    }
    frame.extend_from_slice(&MASK);
    frame.extend(payload.iter().enumerate().map(|(index, byte)| byte ^ MASK[index % 4]));
    frame
}

/// Counts the server's echoes as they arrive, checking each message's length.
pub struct EchoReader {
    buffer: Vec<u8>,
    filled: usize,
    /// Payload bytes of the current frame not read yet.
    remaining: u64,
    /// Whether the current frame ends its message, and whether it carries data.
    current_fin: bool,
    current_data: bool,
    /// Payload bytes of the message being received so far.
    message_len: u64,
    expected_len: u64,
}

impl EchoReader {
    pub fn new(expected_len: usize) -> EchoReader {
        EchoReader {
            buffer: vec![0; READ_BYTES],
            filled: 0,
            remaining: 0,
            current_fin: false,
            current_data: false,
            message_len: 0,
            expected_len: expected_len as u64,
        }
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
                let take = self.remaining.min((self.filled - at) as u64);
                self.remaining -= take;
                at += take as usize;
                if self.remaining > 0 {
                    break;
                }
                completed += self.end_frame()?;
                continue;
            }
            let Some(header) = header(&self.buffer[at..self.filled])? else { break };
            let Header { len: header_len, payload_len, fin, data } = header;
            (self.current_fin, self.current_data) = (fin, data);
            at += header_len;
            self.remaining = payload_len;
            self.message_len += if self.current_data { payload_len } else { 0 };
            if payload_len == 0 {
                completed += self.end_frame()?;
            }
        }
        self.buffer.copy_within(at..self.filled, 0);
        self.filled -= at;
        Ok(completed)
    }
}

/// A server frame's header.
struct Header {
    len: usize,
    payload_len: u64,
    /// The frame ends its message.
    fin: bool,
    /// The frame carries message data (not a control frame).
    data: bool,
}

/// The header at the start of `bytes`, once all of it is there.
fn header(bytes: &[u8]) -> Result<Option<Header>, String> {
    let [first, second, ..] = *bytes else { return Ok(None) };
    if second & 0x80 != 0 {
        return Err("the server sent a masked frame".into());
    }
    let (header_len, payload_len) = match second & 0x7f {
        126 if bytes.len() >= 4 => (4, u64::from(u16::from_be_bytes([bytes[2], bytes[3]]))),
        127 if bytes.len() >= 10 => {
            let mut len = [0; 8];
            len.copy_from_slice(&bytes[2..10]);
            (10, u64::from_be_bytes(len))
        }
        126 | 127 => return Ok(None),
        len => (2, u64::from(len)),
    };
    let opcode = first & 0x0f;
    if opcode == OPCODE_CLOSE {
        return Err("the server closed the connection".into());
    }
    let data = matches!(opcode, OPCODE_CONTINUATION | OPCODE_TEXT | OPCODE_BINARY);
    Ok(Some(Header { len: header_len, payload_len, fin: first & 0x80 != 0, data }))
}

impl EchoReader {
    /// 1 when the frame just read ended a data message (of the expected length), else 0.
    fn end_frame(&mut self) -> Result<usize, String> {
        if !(self.current_fin && self.current_data) {
            return Ok(0);
        }
        let len = std::mem::take(&mut self.message_len);
        if len != self.expected_len {
            return Err(format!("the echo has {len} bytes, the message {}", self.expected_len));
        }
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server frame: unmasked.
    fn server_frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut frame = masked_frame(true, payload);
        frame[0] = first;
        frame[1] &= 0x7f;
        let start = frame.len() - payload.len() - 4;
        frame.drain(start..start + 4);
        let at = frame.len() - payload.len();
        frame[at..].copy_from_slice(payload);
        frame
    }

    #[tokio::test]
    async fn echoes_are_counted_across_reads_and_fragments() {
        let big = vec![7; 70_000];
        let mut bytes = server_frame(0x81, b"abcd");
        bytes.extend(server_frame(0x89, b"ping"));
        bytes.extend(server_frame(0x01, b"ab"));
        bytes.extend(server_frame(0x80, b"cd"));
        bytes.extend(server_frame(0x82, &big));
        let mut reader = EchoReader::new(4);
        let mut input: &[u8] = &bytes[..bytes.len() - big.len() - 10];
        assert_eq!(reader.read_echoes(&mut input).await, Ok(2));
        assert!(reader.read_echoes(&mut input).await.is_err(), "end of input");

        let mut reader = EchoReader::new(70_000);
        let mut tail: &[u8] = &bytes[bytes.len() - big.len() - 10..];
        assert_eq!(reader.read_echoes(&mut tail).await, Ok(1));
        let mut wrong: &[u8] = &server_frame(0x81, b"abc");
        assert!(EchoReader::new(4).read_echoes(&mut wrong).await.is_err());
    }

    #[test]
    fn frames_are_masked_with_the_right_length_encoding() {
        let frame = masked_frame(true, b"hi");
        assert_eq!(frame, vec![0x81, 0x82, 0x37, 0xfa, 0x21, 0x3d, b'h' ^ 0x37, b'i' ^ 0xfa]);
        assert_eq!(masked_frame(false, &[0; 200])[..4], [0x82, 0xfe, 0, 200]);
        assert_eq!(masked_frame(false, &[0; 70_000])[..10], [0x82, 0xff, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    }
}
