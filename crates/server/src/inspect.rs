//! `/ws/inspect`: the echo of `/ws/echo` (knobs included) that also reports what the client's
//! frames looked like on the wire, which a browser never shows to JavaScript.
//!
//! The server writes the handshake response itself (the accept hash from
//! `wire::ws_frame::accept_key`, the selected subprotocol, the permessage-deflate answer from
//! `deflate.rs`), takes the connection from `hyper::upgrade::on`, and wraps it in a [`Tap`]
//! before yawc sees it. The tap's `poll_read` feeds every byte read into a
//! `wire::ws_frame::FrameScanner`, which picks out frame headers and skips payloads (holding at
//! most 14 bytes), and a `MessageAssembler` groups the headers into messages. The echo loop,
//! which runs in the same task, takes the next finished message from the shared [`Inspector`]
//! each time yawc hands it a whole message, so the report pairs the frames with the message's
//! inflated size.
//!
//! What the client receives: one `InspectReport::Handshake` text message first, then after each
//! echo an `InspectReport::Message` (`{"inspect":"message","index":0,...}`) with the frames' facts,
//! their payload bytes (`wire_bytes`), the message's own size (`message_bytes`) and whether RSV1
//! marked it compressed. A message's report lists at most [`MAX_REPORTED_FRAMES`] frames (its
//! `wire_bytes` still counts them all), so a client sending endless empty fragments cannot grow
//! the server's memory.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::timeout;
use wire::ws_frame::{FrameHeader, FrameScanner, accept_key, opcode_name};
use wire::ws_inspect::{Assembled, FrameFacts, HandshakeFacts, InspectReport, MessageAssembler, MessageFacts};
use yawc::{Frame, Role, WebSocket};

use crate::echo::{EchoState, Summary, echo, has_token};
use crate::knobs;

/// The most frames one message's report lists.
pub(crate) const MAX_REPORTED_FRAMES: usize = 1024;

/// The frames read so far, shared by the [`Tap`] (which adds to it) and the echo loop (which
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

    /// The report of the next message, given its size after inflating; `None` if no message has
    /// been read (which does not happen: yawc hands over a message only after reading it).
    pub(crate) fn report(&self, message_bytes: usize) -> Option<Frame> {
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

/// A stream that shows the [`Inspector`] every byte read from it; writes pass straight through.
pub(crate) struct Tap<S> {
    inner: S,
    inspector: Inspector,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.inspector.seen().feed(&buf.filled()[before..]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
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

/// Every value of a request header, joined with `, `; `None` when absent.
fn joined(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let values: Vec<&str> = headers.get_all(name).iter().filter_map(|value| value.to_str().ok()).collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn refuse(why: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, why).into_response()
}

pub(crate) async fn upgrade(State(state): State<EchoState>, mut request: Request) -> Response {
    let headers = request.headers();
    if !has_token(headers, header::UPGRADE, "websocket") || !has_token(headers, header::CONNECTION, "upgrade") {
        return refuse("this is a WebSocket endpoint: send a WebSocket upgrade request\n");
    }
    if headers.get(header::SEC_WEBSOCKET_VERSION).map(|value| value.as_bytes()) != Some(b"13") {
        return refuse("not a valid WebSocket upgrade request: Sec-WebSocket-Version must be 13\n");
    }
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY).and_then(|value| value.to_str().ok()) else {
        return refuse("not a valid WebSocket upgrade request: no Sec-WebSocket-Key\n");
    };
    let knobs::Handshake { plan, protocol, offer } =
        match knobs::negotiate(request.uri().query(), headers, &state.deflate) {
            Ok(handshake) => handshake,
            Err(error) => return knobs::refusal(error),
        };
    let extensions = offer.map(|offer| offer.answer(&state.deflate));
    let text = |value: Option<&header::HeaderValue>| value.and_then(|v| v.to_str().ok()).map(str::to_owned);
    let facts = HandshakeFacts {
        key: key.to_owned(),
        accept: accept_key(key),
        offered_extensions: joined(headers, header::SEC_WEBSOCKET_EXTENSIONS),
        extensions: text(extensions.as_ref()),
        offered_subprotocols: joined(headers, header::SEC_WEBSOCKET_PROTOCOL),
        subprotocol: text(protocol.as_ref()),
    };

    let mut response = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, &facts.accept);
    if let Some(protocol) = &protocol {
        response = response.header(header::SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    if let Some(extensions) = &extensions {
        response = response.header(header::SEC_WEBSOCKET_EXTENSIONS, extensions);
    }
    let response = match response.body(Body::empty()) {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(%error, "cannot write the handshake response");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };

    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(addr)| addr.to_string());
    let upgraded = hyper::upgrade::on(&mut request);
    // Counted from the handshake on, so shutdown also waits for connections still upgrading.
    let tracked = state.shutdown.track();
    tokio::spawn(async move {
        let _tracked = tracked;
        let io = match upgraded.await {
            Ok(io) => TokioIo::new(io),
            Err(error) => {
                tracing::debug!(conn = id, %error, "upgrade failed");
                return;
            }
        };
        let inspector = Inspector::default();
        let tap = Tap { inner: io, inspector: inspector.clone() };
        let options = state.options(extensions.is_some());
        let negotiated = facts.extensions.clone();
        let mut socket = match WebSocket::from_stream_with_extensions(tap, Role::Server, negotiated.as_deref(), options)
        {
            Ok(socket) => socket.into_streaming(),
            Err(error) => {
                tracing::warn!(conn = id, %error, "cannot set up a WebSocket");
                return;
            }
        };
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let (protocol, extensions) = (text(&facts.subprotocol), text(&facts.extensions));
        tracing::info!(conn = id, peer, protocol, extensions, "websocket opened (inspect)");
        let report = Frame::text(InspectReport::Handshake(facts).to_json());
        if !matches!(timeout(state.close_timeout, socket.send(report)).await, Ok(Ok(()))) {
            tracing::debug!(conn = id, "the handshake report could not be sent");
            return;
        }
        let Summary { code, messages } =
            echo(socket, state.max_message_bytes, &state.shutdown, state.timeouts(), &plan, Some(&inspector)).await;
        tracing::info!(conn = id, peer, code, messages, "websocket closed");
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked frame header: `first` is FIN/RSV/opcode.
    fn header(first: u8, len: usize) -> Vec<u8> {
        let mut bytes = vec![first];
        match len {
            0..=125 => bytes.push(0x80 | len as u8),
            _ => {
                bytes.push(0x80 | 126);
                bytes.extend_from_slice(&(len as u16).to_be_bytes());
            }
        }
        bytes.extend_from_slice(&[1, 2, 3, 4]);
        bytes.extend(std::iter::repeat_n(0, len));
        bytes
    }

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
