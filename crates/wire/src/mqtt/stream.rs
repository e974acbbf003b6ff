//! Cuts a byte stream into MQTT packets. Over WebSocket a packet may span several messages and
//! one message may carry several packets (§6: the boundaries need not match), so bytes are kept
//! until a fixed header and its remaining length say a whole packet is in.

use crate::formats::FormatError;

/// Gathers bytes and hands back whole packets. After a malformed fixed header it stops (the
/// stream cannot be resynchronised) and says so once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketReader {
    buffer: Vec<u8>,
    max_packet_len: usize,
    /// Bytes cut into packets so far: where the buffer starts in the stream.
    consumed: u64,
    failed: bool,
}

impl PacketReader {
    /// A reader that refuses packets over `max_packet_len` bytes (fixed header included).
    pub fn new(max_packet_len: usize) -> PacketReader {
        PacketReader { buffer: Vec::new(), max_packet_len, consumed: 0, failed: false }
    }

    /// Adds `bytes` and returns the packets they complete, in order. An error is the last item:
    /// its offset is within the packet that failed, its message says where in the stream.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Vec<u8>, FormatError>> {
        let mut cut = Vec::new();
        if self.failed {
            return cut;
        }
        self.buffer.extend_from_slice(bytes);
        let mut start = 0;
        loop {
            match packet_len(&self.buffer[start..]) {
                Ok(None) => break,
                Ok(Some(len)) if len > self.max_packet_len => {
                    cut.push(Err(FormatError::at_offset(
                        1,
                        format!(
                            "a packet of {len} bytes (at byte {} of the stream) is over this client's limit of {}",
                            self.consumed + start as u64,
                            self.max_packet_len
                        ),
                    )));
                    self.failed = true;
                    break;
                }
                Ok(Some(len)) if start + len <= self.buffer.len() => {
                    cut.push(Ok(self.buffer[start..start + len].to_vec()));
                    start += len;
                }
                Ok(Some(_)) => break,
                Err(error) => {
                    cut.push(Err(FormatError::at_offset(
                        error.0,
                        format!("{} (at byte {} of the stream)", error.1, self.consumed + (start + error.0) as u64),
                    )));
                    self.failed = true;
                    break;
                }
            }
        }
        if self.failed {
            self.buffer.clear();
        } else {
            self.buffer.drain(..start);
        }
        self.consumed += start as u64;
        cut
    }

    /// Bytes received that do not yet make a whole packet.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    pub fn failed(&self) -> bool {
        self.failed
    }
}

/// The whole length of the packet `bytes` starts with, `None` while its fixed header is not all
/// in, or the offset and words of a remaining length that is not a varint of at most four bytes.
pub fn packet_len(bytes: &[u8]) -> Result<Option<usize>, (usize, String)> {
    let mut remaining: usize = 0;
    for index in 0..4 {
        let Some(&byte) = bytes.get(1 + index) else { return Ok(None) };
        remaining |= usize::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Ok(Some(1 + index + 1 + remaining));
        }
    }
    Err((4, "the remaining length goes on past four bytes".to_string()))
}
