//! Ends the stream yawc reads at a frame with a reserved opcode (0x3-0x7, 0xB-0xF), so the echo
//! fails the connection with 1002, protocol error, as RFC 6455 sections 5.2 and 7.4.1 ask, where
//! yawc would send 1003 ("unsupported data").
//!
//! Why a stream wrapper: yawc 0.5 checks the opcode in its frame decoder and, on a reserved one,
//! queues a close frame with 1003 in a private queue that goes out before anything else is
//! written; no option sets the code and nothing takes the frame back out. So the frame must never
//! reach yawc. [`OpcodeCheck`] sits between the upgraded connection and yawc on both endpoints
//! (under `/ws/inspect`'s tap, so the tap sees what yawc sees). It walks the frame headers in
//! the bytes read, reading each header's length with `wire::ws_frame::parse_header` and skipping
//! payloads without looking at them: a few comparisons per frame, and at most one header (14
//! bytes) kept between reads. When a header's first byte has a reserved opcode, yawc is handed
//! the bytes before it and then the end of the stream. It echoes the messages before the frame
//! (RFC 6455 still has them valid), its next read ends with `ConnectionClosed`, and the echo loop,
//! seeing [`ReservedOpcode::seen`], fails the connection with 1002 the way it fails its own
//! protocol errors: the close goes out after the echoes already made, and nothing after the bad
//! frame (a ping, say) is read or answered.
//!
//! The other ways were worse: rewriting yawc's 1003 on the way out means walking the frames
//! written as well, in every write; checking only in the inspect tap leaves `/ws/echo` out; and a
//! patched yawc is a fork to keep up (the fix belongs upstream, a one-line change in yawc's
//! `poll_next_frame_with_limit`).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wire::ws_frame::parse_header;

/// The longest frame header: 2 bytes, a 64-bit length, a mask key.
const MAX_HEADER_BYTES: usize = 14;
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
    /// Payload bytes of the current frame not read yet.
    payload_left: u64,
    /// The start of a header that a read ended in the middle of.
    partial: [u8; MAX_HEADER_BYTES],
    partial_len: usize,
    /// Set once a reserved opcode is found; every read after it is the end of the stream.
    stopped: bool,
    found: ReservedOpcode,
}

impl<S> OpcodeCheck<S> {
    /// Wraps `inner`; the handle says whether (and at which opcode) the stream was ended.
    pub(crate) fn new(inner: S) -> (Self, ReservedOpcode) {
        let found = ReservedOpcode::default();
        let check = OpcodeCheck {
            inner,
            payload_left: 0,
            partial: [0; MAX_HEADER_BYTES],
            partial_len: 0,
            stopped: false,
            found: found.clone(),
        };
        (check, found)
    }

    /// Walks the frame headers in `bytes`, the next bytes of the stream: where a frame with a
    /// reserved opcode starts, if one does, and its opcode.
    fn scan(&mut self, bytes: &[u8]) -> Option<(usize, u8)> {
        let mut at = 0;
        while at < bytes.len() {
            if self.payload_left > 0 {
                let skipped = usize::try_from(self.payload_left).unwrap_or(usize::MAX).min(bytes.len() - at);
                self.payload_left -= skipped as u64;
                at += skipped;
                continue;
            }
            if self.partial_len == 0 {
                let opcode = bytes[at] & 0x0f;
                if is_reserved(opcode) {
                    return Some((at, opcode));
                }
                // Most headers are whole within a read.
                if let Some(header) = parse_header(&bytes[at..]) {
                    self.payload_left = header.payload_len;
                    at += header.header_len;
                    continue;
                }
            }
            // A header cut by the end of a read: gather it, then carry on after it.
            let taken = (MAX_HEADER_BYTES - self.partial_len).min(bytes.len() - at);
            self.partial[self.partial_len..self.partial_len + taken].copy_from_slice(&bytes[at..at + taken]);
            match parse_header(&self.partial[..self.partial_len + taken]) {
                Some(header) => {
                    at += header.header_len - self.partial_len;
                    self.partial_len = 0;
                    self.payload_left = header.payload_len;
                }
                None => {
                    self.partial_len += taken;
                    at += taken;
                }
            }
        }
        None
    }
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

impl<S: AsyncWrite + Unpin> AsyncWrite for OpcodeCheck<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
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
        let (mut check, found) = OpcodeCheck::new(Chunks(stream.chunks(chunk).map(<[u8]>::to_vec).collect()));
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
