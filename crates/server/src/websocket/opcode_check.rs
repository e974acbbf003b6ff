//! Ends the stream yawc reads at a frame with a reserved opcode (0x3-0x7, 0xB-0xF), so the echo
//! fails the connection with 1002, protocol error, as RFC 6455 sections 5.2 and 7.4.1 ask, where
//! yawc would send 1003 ("unsupported data").
//!
//! Why a stream wrapper: yawc 0.5 checks the opcode in its frame decoder and, on a reserved one,
//! queues a close frame with 1003 in a private queue that goes out before anything else is
//! written; no option sets the code and nothing takes the frame back out. So the frame must never
//! reach yawc. [`OpcodeCheck`] sits between the upgraded connection and yawc on both endpoints
//! (under `/ws/inspect`'s tap, so the tap sees what yawc sees). It walks the frames in the bytes
//! read, reading only each frame's opcode and length fields and skipping the rest unread: a few
//! instructions per frame, and at most 10 bytes kept between reads. When a frame's first byte has
//! a reserved opcode, yawc is handed the bytes before it and then the end of the stream. It
//! echoes the messages before the frame (they are valid), its next read ends with
//! `ConnectionClosed`, and the echo loop, seeing [`ReservedOpcode::seen`], fails the connection
//! with 1002 the way it fails its own protocol errors: the close goes out after the echoes
//! already made, and nothing after the bad frame (a ping, say) is read or answered.
//!
//! Measured with callgrind against `wirelab-loadgen` (64-byte messages, 16 connections): the
//! server's instructions per echoed message are within 1% of what they were without the check
//! (pipelined: 1,560 against 1,553; request-response: about 5,150 either way, which varies by
//! ±1.5% from run to run). Idle memory grows by about 40 bytes per connection.
//!
//! The other ways were worse. Checking only in the inspect tap leaves `/ws/echo` out. Letting
//! yawc fail and then swallowing its queued 1003 on the way out (a write filter switched on after
//! the error) costs nothing per frame, but rests on the order in which yawc's private queue and
//! write buffer are flushed, which a yawc release may change, and two close frames would then go
//! out. A patched yawc is a fork to keep up; the fix belongs upstream, one line in yawc's
//! `poll_next_frame_with_limit`.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The most bytes that say how long a frame is: the first two and a 64-bit length.
const LENGTH_FIELD_BYTES: usize = 10;
/// Marks [`ReservedOpcode`]'s byte as set (opcodes fit in the low four bits).
const SEEN: u8 = 0x80;

/// Whether RFC 6455 reserves `opcode` (section 5.2): 0x3-0x7 for data frames, 0xB-0xF for control.
pub(crate) fn is_reserved(opcode: u8) -> bool {
    matches!(opcode, 0x3..=0x7 | 0xB..=0xF)
}

/// The reserved opcode an [`OpcodeCheck`] stopped at, shared with the echo loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReservedOpcode(Arc<AtomicU8>);

impl ReservedOpcode {
    /// The opcode, once the stream has been ended at it.
    pub(crate) fn seen(&self) -> Option<u8> {
        let marked = self.0.load(Ordering::Acquire);
        (marked & SEEN != 0).then_some(marked & 0x0f)
    }

    fn record(&self, opcode: u8) {
        self.0.store(SEEN | opcode, Ordering::Release);
    }
}

/// A stream whose reads end just before the first frame with a reserved opcode; writes pass
/// straight through.
pub(crate) struct OpcodeCheck<S> {
    inner: S,
    /// Bytes of the current frame not read yet.
    frame_left: u64,
    /// The start of a header that a read ended before its length fields did.
    partial: [u8; LENGTH_FIELD_BYTES],
    partial_len: usize,
    /// Set once a reserved opcode is found; every read after it is the end of the stream.
    stopped: bool,
    found: ReservedOpcode,
}

impl<S> OpcodeCheck<S> {
    /// Wraps `inner`; `found` is set when the stream is ended at a reserved opcode.
    pub(crate) fn new(inner: S, found: ReservedOpcode) -> Self {
        OpcodeCheck { inner, frame_left: 0, partial: [0; LENGTH_FIELD_BYTES], partial_len: 0, stopped: false, found }
    }

    /// Walks the frame headers in `bytes`, the next bytes of the stream: where a frame with a
    /// reserved opcode starts, if one does, and its opcode.
    fn scan(&mut self, bytes: &[u8]) -> Option<(usize, u8)> {
        let end = bytes.len() as u64;
        // Where the next frame starts, counted from the start of `bytes`; it may lie beyond.
        let mut next = self.frame_left;
        if self.partial_len > 0 {
            // The rest of the length fields that the last read cut (the opcode was checked then).
            let taken = (LENGTH_FIELD_BYTES - self.partial_len).min(bytes.len());
            self.partial[self.partial_len..self.partial_len + taken].copy_from_slice(&bytes[..taken]);
            let Some(frame_len) = frame_len(&self.partial[..self.partial_len + taken]) else {
                self.partial_len += taken;
                return None;
            };
            next = frame_len - self.partial_len as u64;
            self.partial_len = 0;
        }
        while next < end {
            let at = next as usize;
            let opcode = bytes[at] & 0x0f;
            if is_reserved(opcode) {
                self.frame_left = 0;
                return Some((at, opcode));
            }
            match frame_len(&bytes[at..]) {
                Some(frame_len) => next = next.saturating_add(frame_len),
                None => {
                    // The length fields go on in the next read.
                    let rest = &bytes[at..];
                    self.partial[..rest.len()].copy_from_slice(rest);
                    self.partial_len = rest.len();
                    next = end;
                }
            }
        }
        self.frame_left = next - end;
        None
    }
}

/// The length of the frame that starts `bytes`, header and payload, once its length fields are
/// there (RFC 6455 section 5.2: a 7-bit length, or 126 and 16 bits, or 127 and 64 bits; then a
/// 4-byte mask key if the mask bit is set). The mask key and the payload need not be: they are
/// skipped unread. This runs for every frame of every echo, so it reads nothing else (where
/// `wire::ws_frame::parse_header` reads every field).
#[inline]
fn frame_len(bytes: &[u8]) -> Option<u64> {
    let second = *bytes.get(1)?;
    let mask_bytes = u64::from(second >> 7) * 4;
    let (length_bytes, payload_len) = match second & 0x7f {
        126 => (2, u64::from(u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?]))),
        127 => (8, u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?)),
        short => (0, u64::from(short)),
    };
    Some((2 + length_bytes + mask_bytes).saturating_add(payload_len))
}

impl<S: AsyncRead + Unpin> AsyncRead for OpcodeCheck<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.stopped {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if let Some((offset, opcode)) = this.scan(&buf.filled()[before..]) {
            // yawc gets the frames before this one; its next read finds the end of the stream.
            buf.set_filled(before + offset);
            this.stopped = true;
            this.found.record(opcode);
        }
        Poll::Ready(Ok(()))
    }
}

/// Writes pass straight through. Not as vectored writes, even when the stream takes them: yawc
/// writes one contiguous buffer, which tokio-util's vectored path only makes dearer (measured with
/// callgrind: about 60 instructions more per echo), and yawc's own stream type did not offer them.
impl<S: AsyncWrite + Unpin> AsyncWrite for OpcodeCheck<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use tokio::io::AsyncReadExt;

    use super::*;
    use crate::websocket::masked_frame as frame;

    /// A stream that hands out `chunks` one read at a time.
    struct Chunks(VecDeque<Vec<u8>>);

    impl AsyncRead for Chunks {
        fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
            let chunks = &mut self.get_mut().0;
            if let Some(mut chunk) = chunks.pop_front() {
                if chunk.len() > buf.remaining() {
                    chunks.push_front(chunk.split_off(buf.remaining()));
                }
                buf.put_slice(&chunk);
            }
            Poll::Ready(Ok(()))
        }
    }

    /// Reads `stream` through the check, `chunk` bytes per read: what gets through, and the
    /// opcode it stopped at.
    async fn through(stream: &[u8], chunk: usize) -> (Vec<u8>, Option<u8>) {
        let found = ReservedOpcode::default();
        let mut check = OpcodeCheck::new(Chunks(stream.chunks(chunk).map(<[u8]>::to_vec).collect()), found.clone());
        let mut passed = Vec::new();
        match check.read_to_end(&mut passed).await {
            Ok(_) => (passed, found.seen()),
            Err(error) => panic!("read failed: {error}"),
        }
    }

    /// (stream of frames, where it must stop, the opcode) for every way to cut it into reads.
    #[tokio::test]
    async fn reads_end_just_before_a_reserved_opcode() {
        let text = frame(0x81, 5);
        let long = frame(0x82, 300);
        let huge = frame(0x82, 70_000);
        let ping = frame(0x89, 0);
        /// Where the stream must stop, and at which opcode; `None`: it reads through.
        type Stop = Option<(usize, u8)>;
        let cases: Vec<(&str, Vec<u8>, Stop)> = vec![
            ("only good frames", [text.clone(), long.clone(), ping.clone(), huge.clone()].concat(), None),
            ("reserved data opcode first", [frame(0x83, 1), text.clone()].concat(), Some((0, 0x3))),
            ("after a message", [text.clone(), frame(0x85, 1), ping.clone()].concat(), Some((text.len(), 0x5))),
            (
                "after 16- and 64-bit lengths",
                [long.clone(), huge.clone(), frame(0x8b, 0)].concat(),
                Some((long.len() + huge.len(), 0xb)),
            ),
            ("after a fragment", [frame(0x01, 2), frame(0x07, 1)].concat(), Some((frame(0x01, 2).len(), 0x7))),
            ("reserved control opcode", [ping.clone(), frame(0x8f, 3)].concat(), Some((ping.len(), 0xf))),
        ];
        for (name, stream, stop) in cases {
            for chunk in [1, 2, 3, 7, 13, 14, 100, stream.len()] {
                let (passed, found) = through(&stream, chunk).await;
                let expected_len = stop.map_or(stream.len(), |(at, _)| at);
                assert_eq!(passed, stream[..expected_len], "{name}, reads of {chunk}");
                assert_eq!(found, stop.map(|(_, opcode)| opcode), "{name}, reads of {chunk}");
            }
        }
    }

    #[test]
    fn the_reserved_opcodes_are_those_of_rfc_6455() {
        let reserved: Vec<u8> = (0..16).filter(|opcode| is_reserved(*opcode)).collect();
        assert_eq!(reserved, [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]);
    }
}
