//! `/ws/inspect`: the echo of `/ws/echo` (knobs included) that also reports what the client's
//! frames looked like on the wire, which a browser never shows to JavaScript.
//!
//! The handshake is the one of `/ws/echo` (`handshake.rs`), whose facts are reported first. The
//! endpoint (in `mod.rs`) then puts the connection behind the [`Inspector`]'s tap
//! ([`Inspector::tap`]) before yawc sees it: every byte read is fed into a
//! `wire::ws_frame::FrameScanner`, which picks out frame headers and skips payloads (holding at
//! most 14 bytes), and a `MessageAssembler` groups the headers into messages. The echo loop,
//! which runs in the same task, takes the next finished message from the shared inspector
//! each time yawc hands it a whole message ([`Reports`]), so the report pairs the frames with the
//! message's inflated size.
//!
//! What the client receives: one `InspectReport::Handshake` text message first, then after each
//! echo an `InspectReport::Message` (`{"inspect":"message","index":0,...}`) with the frames' facts,
//! their payload bytes (`wire_bytes`), the message's own size (`message_bytes`) and whether RSV1
//! marked it compressed. A message's report lists at most [`MAX_REPORTED_FRAMES`] frames (its
//! `wire_bytes` still counts them all), so a client sending endless empty fragments cannot grow
//! the server's memory.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::io::AsyncRead;
use tokio_util::io::InspectReader;
use wire::ws_frame::{FrameHeader, FrameScanner, opcode_name};
use wire::ws_inspect::{Assembled, FrameFacts, InspectReport, MessageAssembler, MessageFacts};
use yawc::Frame;

use super::echo::Reports;

/// The most frames one message's report lists.
pub(crate) const MAX_REPORTED_FRAMES: usize = 1024;

/// The frames read so far, shared by the tap (which adds to it) and the echo loop (which
/// takes finished messages from it).
#[derive(Clone, Default)]
pub(crate) struct Inspector {
    seen: Arc<Mutex<Seen>>,
}

#[derive(Default)]
struct Seen {
    scanner: FrameScanner,
    assembler: MessageAssembler,
    /// Frames of the message in progress, and its payload bytes so far.
    frames: usize,
    wire_bytes: u64,
    /// Messages whose last frame has been read, oldest first.
    finished: VecDeque<Received>,
}

/// A message's frames as they crossed the wire.
struct Received {
    index: u64,
    frames: Vec<FrameHeader>,
    wire_bytes: u64,
}

impl Seen {
    fn feed(&mut self, bytes: &[u8]) {
        for header in self.scanner.feed(bytes) {
            let data = !header.is_control();
            if data {
                self.frames += 1;
                self.wire_bytes = self.wire_bytes.saturating_add(header.payload_len);
                // Past the cap only the last frame is kept, so the message still ends.
                if self.frames > MAX_REPORTED_FRAMES && !header.fin {
                    continue;
                }
            }
            if let Assembled::Message { index, frames } = self.assembler.push(header) {
                self.finished.push_back(Received { index, frames, wire_bytes: self.wire_bytes });
                (self.frames, self.wire_bytes) = (0, 0);
            }
        }
    }
}

impl Inspector {
    fn seen(&self) -> MutexGuard<'_, Seen> {
        // The lock is never held across anything that can panic; a poisoned one is still usable.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `stream`, with every byte read from it shown to this inspector first; writes pass
    /// straight through.
    pub(crate) fn tap<S: AsyncRead>(&self, stream: S) -> InspectReader<S, impl FnMut(&[u8]) + Send + use<S>> {
        let inspector = self.clone();
        InspectReader::new(stream, move |bytes: &[u8]| inspector.seen().feed(bytes))
    }
}

impl Reports for Inspector {
    /// The report of the next message, given its size after inflating; `None` if no message has
    /// been read (which does not happen: yawc hands over a message only after reading it).
    fn report(&self, message_bytes: usize) -> Option<Frame> {
        let Received { index, frames, wire_bytes } = self.seen().finished.pop_front()?;
        let first = frames.first()?;
        let facts = MessageFacts {
            index,
            kind: opcode_name(first.opcode),
            compressed: first.rsv[0],
            frames: frames.iter().map(FrameFacts::from).collect(),
            wire_bytes,
            message_bytes: u64::try_from(message_bytes).unwrap_or(u64::MAX),
        };
        Some(Frame::text(InspectReport::Message(facts).to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::websocket::masked_frame as header;

    /// Bytes fed in chunks of 1, 7 and all at once → (index, frames, wire bytes) of each message.
    #[test]
    fn frames_are_grouped_into_messages_whatever_the_chunks() {
        let mut stream = header(0x01, 2); // text, not final
        stream.extend(header(0x89, 0)); // a ping in between
        stream.extend(header(0x80, 300)); // final continuation
        stream.extend(header(0x82, 5)); // a whole binary message
        for chunk in [1, 7, stream.len()] {
            let mut seen = Seen::default();
            for piece in stream.chunks(chunk) {
                seen.feed(piece);
            }
            let messages: Vec<_> = seen.finished.iter().map(|m| (m.index, m.frames.len(), m.wire_bytes)).collect();
            assert_eq!(messages, [(0, 2, 302), (1, 1, 5)], "chunks of {chunk}");
        }
    }

    #[test]
    fn endless_fragments_are_counted_but_not_kept() {
        let mut seen = Seen::default();
        for _ in 0..MAX_REPORTED_FRAMES * 2 {
            seen.feed(&header(0x00, 1));
        }
        seen.feed(&header(0x80, 1));
        let message = seen.finished.pop_front().unwrap();
        assert_eq!(
            (message.frames.len(), message.wire_bytes),
            (MAX_REPORTED_FRAMES + 1, 2 * MAX_REPORTED_FRAMES as u64 + 1)
        );
    }
}
