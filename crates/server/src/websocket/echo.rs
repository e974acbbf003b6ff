//! The echo loop that `/ws/echo` and `/ws/inspect` both run once the handshake is done.
//!
//! Text comes back as text and binary as binary, each message as one frame unless the `fragment`
//! knob says otherwise (the knobs' [`Plan`], from `knobs.rs`); `/ws/inspect` passes its
//! inspector ([`Reports`]), whose report follows each echo. yawc does the protocol (RFC 6455) and
//! permessage-deflate (RFC 7692): it answers pings, echoes a client's close frame (code and
//! reason), inflates and deflates, and answers the frame-level errors it finds with a close frame
//! of its own (1002 protocol error, 1007 bad UTF-8 in a close reason, 1009 too big). A reserved
//! opcode never reaches it: `opcode_check.rs` ends the stream there, and this loop closes with
//! 1002 (yawc would send 1003). This module reassembles fragmented messages itself, checking text
//! as UTF-8 as it arrives (so bad text fails fast) and closing with 1002 (bad fragment order),
//! 1007 (bad UTF-8) or 1009 (a message over the limit), and closes every connection with 1001
//! when the server shuts down.
//!
//! Echoes are written in batches (see [`echo`]) but never queued without bound: once the write
//! buffer passes the backpressure boundary it is written out before anything more is read, so a
//! client that does not read stalls its own connection (the server stops reading it) instead of
//! growing a queue. Backpressure reaches the client through TCP. (The buffers' sizes, and the
//! memory a connection holds, are set up in `mod.rs`.)

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, sleep, timeout};
use yawc::close::CloseCode;
use yawc::streaming::Streaming;
use yawc::{Frame, OpCode, WebSocketError};

use super::knobs::{self, Pinger, Plan};
use super::opcode_check::ReservedOpcode;
use crate::Shutdown;
use crate::metrics::WebSocketMetrics;
use crate::shutdown::Signal;

/// Close codes this module sends or reports (RFC 6455 section 7.4.1).
pub(crate) mod code {
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const UNSUPPORTED_DATA: u16 = 1003;
    pub const NO_STATUS: u16 = 1005;
    pub const ABNORMAL: u16 = 1006;
    pub const INVALID_PAYLOAD: u16 = 1007;
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    pub const INTERNAL_ERROR: u16 = 1011;
}

/// The largest payload of a control frame (RFC 6455 section 5.5).
const MAX_CONTROL_PAYLOAD: usize = 125;
/// A close reason must fit in a control frame: 125 bytes minus the 2-byte code.
const MAX_REASON_BYTES: usize = MAX_CONTROL_PAYLOAD - 2;

/// How long the echo waits: for a close handshake, and for a silent client.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    pub close: Duration,
    /// Silence after which the server pings, and after twice which it closes; `None`: never.
    pub idle: Option<Duration>,
}

/// What follows each echo on `/ws/inspect`: the report of the message just echoed.
pub(crate) trait Reports {
    /// The report of the next message read, given its size after inflating.
    fn report(&self, message_bytes: usize) -> Option<Frame>;
}

/// What one connection's echo loop follows.
pub(crate) struct Echo<'a> {
    /// The largest message, whole or reassembled from fragments.
    pub limit: usize,
    pub shutdown: &'a Shutdown,
    pub timeouts: Timeouts,
    /// The knobs.
    pub plan: &'a Plan,
    /// What follows each echo, if anything.
    pub reports: Option<&'a (dyn Reports + Sync)>,
    /// Set when the stream was ended at a frame with a reserved opcode.
    pub reserved: &'a ReservedOpcode,
    /// The endpoint's message counters: one atomic add each per message.
    pub metrics: &'a WebSocketMetrics,
}

/// How a connection ended, for the log line.
pub(crate) struct Summary {
    /// The close code sent or echoed; 1006 when the connection ended without one.
    pub(crate) code: u16,
    /// Text and binary messages echoed.
    pub(crate) messages: u64,
}

/// Why the echo loop stopped.
enum Ending {
    /// The client sent a close frame; yawc has queued the echo of it.
    ClientClosed(Option<u16>),
    /// yawc found a broken rule and has queued a close frame with this code.
    Refused { code: u16, reason: String },
    /// This module found a broken rule; close with this code.
    Violation { code: u16, reason: &'static str },
    /// The server is shutting down.
    Shutdown,
    /// The `close_after` knob's count is reached.
    Finished,
    /// The client stayed silent through the idle timeout and the ping after it.
    Idle,
    /// The connection is gone (reset, EOF without a close frame, I/O error).
    Vanished(String),
}

/// A fragmented message being put back together.
struct Reassembly {
    opcode: OpCode,
    payload: Vec<u8>,
    /// For text: how much of `payload` is known to be valid UTF-8.
    checked: usize,
}

/// What one data frame means for the echo loop.
enum Step {
    /// A whole message to echo.
    Echo(Frame),
    /// A fragment was taken in; more are to come.
    Continue,
    /// The client broke a rule.
    Violation { code: u16, reason: &'static str },
}

/// Puts messages together from data frames, enforcing fragment order, the size limit and UTF-8.
struct Messages {
    limit: usize,
    partial: Option<Reassembly>,
}

impl Messages {
    fn take(&mut self, frame: Frame) -> Step {
        let (opcode, fin, payload) = frame.into_parts();
        match (opcode, self.partial.take()) {
            (OpCode::Text | OpCode::Binary, Some(_)) => {
                violation(code::PROTOCOL_ERROR, "new message before the fragmented one ended")
            }
            (OpCode::Continuation, None) => violation(code::PROTOCOL_ERROR, "continuation frame without a message"),
            (OpCode::Text | OpCode::Binary, None) if fin => whole(opcode, payload),
            (OpCode::Text | OpCode::Binary, None) => {
                self.append(Reassembly { opcode, payload: Vec::new(), checked: 0 }, &payload, false)
            }
            (_, Some(partial)) => self.append(partial, &payload, fin),
            // Control frames never reach here.
            (_, None) => Step::Continue,
        }
    }

    fn append(&mut self, mut partial: Reassembly, fragment: &[u8], fin: bool) -> Step {
        if partial.payload.len().saturating_add(fragment.len()) > self.limit {
            return violation(code::MESSAGE_TOO_BIG, "message larger than the server's limit");
        }
        partial.payload.extend_from_slice(fragment);
        if partial.opcode == OpCode::Text {
            match std::str::from_utf8(&partial.payload[partial.checked..]) {
                Ok(_) => partial.checked = partial.payload.len(),
                // A character cut between fragments is fine until the last one.
                Err(error) if error.error_len().is_none() && !fin => partial.checked += error.valid_up_to(),
                Err(_) => return violation(code::INVALID_PAYLOAD, "text message is not valid UTF-8"),
            }
        }
        if fin {
            return Step::Echo(message(partial.opcode, Bytes::from(partial.payload)));
        }
        self.partial = Some(partial);
        Step::Continue
    }
}

fn whole(opcode: OpCode, payload: Bytes) -> Step {
    if opcode == OpCode::Text && std::str::from_utf8(&payload).is_err() {
        return violation(code::INVALID_PAYLOAD, "text message is not valid UTF-8");
    }
    Step::Echo(message(opcode, payload))
}

fn message(opcode: OpCode, payload: Bytes) -> Frame {
    if opcode == OpCode::Text { Frame::text(payload) } else { Frame::binary(payload) }
}

fn violation(code: u16, reason: &'static str) -> Step {
    Step::Violation { code, reason }
}

/// Echoes until the connection ends, following the knobs' plan; with `reports`, each echo is
/// followed by its report.
///
/// Echoes are batched: every frame that is already read (or readable without waiting) is echoed
/// into the write buffer, and the buffer goes out in one write when the next read would wait. A
/// client that pipelines 16 messages gets 16 echoes in one write, as a raw TCP echo would give
/// them back; a client that waits for each echo gets it as soon as it is made. The buffer is
/// written out early once it passes yawc's backpressure boundary, and a write that cannot proceed
/// stops the reading: the server holds at most one buffer's worth of echoes per connection.
pub(crate) async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut socket: Streaming<S>, settings: Echo<'_>) -> Summary {
    let Echo { limit, shutdown, timeouts, plan, reports, reserved, metrics } = settings;
    let Timeouts { close: close_timeout, idle } = timeouts;
    // One shutdown signal for the connection's life (see `Signal`: polling it again is cheap).
    let cancelled = shutdown.signal();
    tokio::pin!(cancelled);
    // Silence from the client: after `idle` a ping, after another `idle` the close (a peer that
    // vanished without FIN or RST is otherwise held forever, since nothing is ever written to it).
    // The timer is not reset for every frame: when it fires, it is moved to `idle` after the last
    // frame heard, if that is still ahead.
    let mut last_heard = Instant::now();
    let mut heard = false;
    let silence = tokio::time::sleep(idle.unwrap_or(Duration::from_secs(86_400)));
    tokio::pin!(silence);
    let mut pinged_for_silence = false;
    let mut messages = 0;
    let mut unflushed = false;
    let mut assembler = Messages { limit, partial: None };
    let mut pings = Pinger::new(plan.ping_every);
    let ending = loop {
        if plan.closes_after(messages) {
            break Ending::Finished;
        }
        // The signal is seen only when the echo waits, which a busy client may never let it do.
        if shutdown.is_triggered() {
            break Ending::Shutdown;
        }
        let incoming = match poll_once(socket.next_frame()).await {
            Some(incoming) => incoming,
            None => {
                if std::mem::take(&mut heard) {
                    last_heard = Instant::now();
                }
                // The next read would wait: first write out the echoes made so far.
                if let Some(ending) = flush_made(&mut unflushed, &mut socket, cancelled.as_mut()).await {
                    break ending;
                }
                tokio::select! {
                    biased;
                    () = cancelled.as_mut() => break Ending::Shutdown,
                    // A due ping is sent like an echo: awaited, before the next read.
                    ping = pings.next() => match send(&mut socket, ping, cancelled.as_mut()).await {
                        Some(ending) => break ending,
                        None => continue,
                    },
                    () = &mut silence, if idle.is_some() => {
                        let idle = idle.unwrap_or_default();
                        let quiet_until = last_heard + idle;
                        if quiet_until > Instant::now() {
                            pinged_for_silence = false;
                            silence.as_mut().reset(quiet_until);
                            continue;
                        }
                        if pinged_for_silence {
                            break Ending::Idle;
                        }
                        pinged_for_silence = true;
                        silence.as_mut().reset(Instant::now() + idle);
                        let ping = Frame::ping(Bytes::from_static(b"idle?"));
                        match send(&mut socket, ping, cancelled.as_mut()).await {
                            Some(ending) => break ending,
                            None => continue,
                        }
                    },
                    incoming = socket.next_frame() => incoming,
                }
            }
        };
        let frame = match incoming {
            Ok(frame) => frame,
            Err(error) => break reserved.seen().map_or_else(|| classify(error), reserved_opcode),
        };
        heard = true;
        let reply = match frame.opcode() {
            // yawc queues the pong itself, in a queue without bound that it writes out only when a
            // read would wait or a frame is sent: a client that floods pings without reading would
            // grow it forever. Writing the pong out now gives pings the echoes' backpressure.
            OpCode::Ping => match unless_shutdown(ready(&mut socket), cancelled.as_mut()).await {
                Some(Ok(())) => continue,
                Some(Err(error)) => break Ending::Vanished(format!("send failed: {error}")),
                None => break Ending::Shutdown,
            },
            OpCode::Pong => continue,
            // yawc checks the size of pings only: a longer close frame breaks RFC 6455 section 5.5,
            // and its echo would too, so the connection is dropped without one.
            OpCode::Close if frame.payload().len() > MAX_CONTROL_PAYLOAD => {
                break Ending::Vanished("close frame longer than 125 bytes".into());
            }
            OpCode::Close => break Ending::ClientClosed(frame.close_code().map(u16::from)),
            OpCode::Text | OpCode::Binary | OpCode::Continuation => match assembler.take(frame) {
                Step::Echo(reply) => {
                    metrics.received(reply.payload().len());
                    reply
                }
                Step::Continue => continue,
                Step::Violation { code, reason } => break Ending::Violation { code, reason },
            },
        };
        if let Some(delay) = plan.delay {
            // Echoes already made go out on time; this one waits its delay.
            if let Some(ending) = flush_made(&mut unflushed, &mut socket, cancelled.as_mut()).await {
                break ending;
            }
            tokio::select! {
                biased;
                () = cancelled.as_mut() => break Ending::Shutdown,
                () = sleep(delay) => {}
            }
        }
        messages += 1;
        let reply_bytes = reply.payload().len();
        let report = reports.and_then(|reports| reports.report(reply_bytes));
        let report_bytes = report.as_ref().map(|report| report.payload().len());
        let fed = match plan.fragment {
            Some(_) => {
                feed(&mut socket, knobs::fragments(reply, plan.fragment).into_iter().chain(report), cancelled.as_mut())
                    .await
            }
            None => feed(&mut socket, std::iter::once(reply).chain(report), cancelled.as_mut()).await,
        };
        if let Some(ending) = fed {
            break ending;
        }
        metrics.sent(reply_bytes);
        if let Some(bytes) = report_bytes {
            metrics.sent(bytes);
        }
        unflushed = true;
    };

    let code = match ending {
        Ending::ClientClosed(code) => {
            // The next read flushes the echoes still buffered and yawc's echo of the close frame,
            // then ends.
            let _ = timeout(close_timeout, socket.next_frame()).await;
            code.unwrap_or(code::NO_STATUS)
        }
        Ending::Refused { code, reason } => {
            tracing::debug!(code, reason, "closing after a client error");
            // The next read flushes the close frame yawc queued, then ends.
            let _ = timeout(close_timeout, socket.next_frame()).await;
            code
        }
        Ending::Violation { code, reason } => {
            tracing::debug!(code, reason, "closing after a client error");
            let _ = timeout(close_timeout, socket.send(close_frame(code, reason))).await;
            code
        }
        Ending::Shutdown | Ending::Finished | Ending::Idle => {
            let (code, reason) = match ending {
                Ending::Finished => (plan.close_code, plan.close_reason.as_str()),
                Ending::Idle => (code::GOING_AWAY, "no traffic: idle timeout"),
                _ => (code::GOING_AWAY, "server shutting down"),
            };
            let close = close_frame(code, reason);
            let _ = timeout(close_timeout, async {
                if socket.send(close).await.is_ok() {
                    // Wait for the client's close (or the end of the stream).
                    while let Ok(frame) = socket.next_frame().await {
                        if frame.opcode() == OpCode::Close {
                            break;
                        }
                    }
                }
            })
            .await;
            code
        }
        Ending::Vanished(why) => {
            tracing::debug!(why, "connection ended without a close handshake");
            code::ABNORMAL
        }
    };
    Summary { code, messages }
}

/// Runs `operation` unless the server shuts down first (`None`).
async fn unless_shutdown<F: Future>(operation: F, cancelled: Pin<&mut Signal<'_>>) -> Option<F::Output> {
    tokio::select! {
        biased;
        () = cancelled => None,
        output = operation => Some(output),
    }
}

/// Polls `future` once: its output if it is ready, `None` if it would wait. It is polled with the
/// task's own waker (not a no-op one), so a wait that follows registers nothing new.
async fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

/// Waits until yawc takes another frame, writing out what it must first: queued pongs and close
/// frames, and the write buffer once it passes the backpressure boundary.
async fn ready<S: AsyncRead + AsyncWrite + Unpin>(socket: &mut Streaming<S>) -> Result<(), WebSocketError> {
    poll_fn(|cx| socket.poll_ready_unpin(cx)).await
}

/// Puts `frames` in the write buffer (written out by [`flush`] or once the buffer is full).
async fn feed<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut Streaming<S>,
    frames: impl IntoIterator<Item = Frame>,
    mut cancelled: Pin<&mut Signal<'_>>,
) -> Option<Ending> {
    for frame in frames {
        // Below the backpressure boundary yawc takes the frame at once; only a full buffer waits.
        let ready = match poll_once(ready(socket)).await {
            Some(ready) => ready,
            None => match unless_shutdown(ready(socket), cancelled.as_mut()).await {
                Some(ready) => ready,
                None => return Some(Ending::Shutdown),
            },
        };
        let fed = ready.and_then(|()| socket.start_send_unpin(frame));
        if let Err(error) = fed {
            return Some(Ending::Vanished(format!("send failed: {error}")));
        }
    }
    None
}

/// Writes out the write buffer; the ending if the server shuts down or the write fails meanwhile.
async fn flush<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut Streaming<S>,
    cancelled: Pin<&mut Signal<'_>>,
) -> Option<Ending> {
    match unless_shutdown(socket.flush(), cancelled).await {
        Some(Ok(())) => None,
        Some(Err(error)) => Some(Ending::Vanished(format!("send failed: {error}"))),
        None => Some(Ending::Shutdown),
    }
}

/// Writes out the echoes made since the last write, if `unflushed` says there are any.
async fn flush_made<S: AsyncRead + AsyncWrite + Unpin>(
    unflushed: &mut bool,
    socket: &mut Streaming<S>,
    cancelled: Pin<&mut Signal<'_>>,
) -> Option<Ending> {
    if !std::mem::take(unflushed) {
        return None;
    }
    flush(socket, cancelled).await
}

/// Sends one frame now, with everything buffered before it.
async fn send<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut Streaming<S>,
    frame: Frame,
    mut cancelled: Pin<&mut Signal<'_>>,
) -> Option<Ending> {
    match feed(socket, [frame], cancelled.as_mut()).await {
        Some(ending) => Some(ending),
        None => flush(socket, cancelled).await,
    }
}

/// The end of a stream that `opcode_check.rs` stopped at a reserved opcode: the connection is
/// failed with 1002, after the echoes already made.
fn reserved_opcode(opcode: u8) -> Ending {
    tracing::debug!(opcode, "frame with a reserved opcode");
    Ending::Violation { code: code::PROTOCOL_ERROR, reason: "frame with a reserved opcode" }
}

/// What a read error means. yawc has already queued a close frame for every error but a closed
/// connection or a failed read; the code here is the one it chose, for the log. (It would choose
/// 1003 for a reserved opcode, which `opcode_check.rs` keeps from it.)
fn classify(error: WebSocketError) -> Ending {
    let code = match &error {
        WebSocketError::ConnectionClosed | WebSocketError::IoError(_) => return Ending::Vanished(error.to_string()),
        WebSocketError::FrameTooLarge => code::MESSAGE_TOO_BIG,
        WebSocketError::InvalidUTF8 => code::INVALID_PAYLOAD,
        WebSocketError::InvalidOpCode(_) => code::UNSUPPORTED_DATA,
        WebSocketError::ReservedBitsNotZero
        | WebSocketError::ControlFrameFragmented
        | WebSocketError::PingFrameTooLarge
        | WebSocketError::InvalidFragment
        | WebSocketError::InvalidCloseFrame
        | WebSocketError::InvalidCloseCode
        | WebSocketError::FragmentTimeout
        | WebSocketError::InvalidContinuationFrame
        | WebSocketError::CompressionNotSupported => code::PROTOCOL_ERROR,
        _ => code::INTERNAL_ERROR,
    };
    Ending::Refused { code, reason: error.to_string() }
}

fn close_frame(code: u16, reason: &str) -> Frame {
    let mut end = reason.len().min(MAX_REASON_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Frame::close(CloseCode::from(code), &reason[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_errors_map_to_the_close_codes_yawc_sends() {
        let cases = [
            (WebSocketError::FrameTooLarge, Some(code::MESSAGE_TOO_BIG)),
            (WebSocketError::InvalidUTF8, Some(code::INVALID_PAYLOAD)),
            (WebSocketError::InvalidOpCode(3), Some(code::UNSUPPORTED_DATA)),
            (WebSocketError::ReservedBitsNotZero, Some(code::PROTOCOL_ERROR)),
            (WebSocketError::InvalidCloseCode, Some(code::PROTOCOL_ERROR)),
            (WebSocketError::CompressionNotSupported, Some(code::PROTOCOL_ERROR)),
            (WebSocketError::ConnectionClosed, None),
            (WebSocketError::IoError(std::io::ErrorKind::ConnectionReset.into()), None),
        ];
        for (error, expected) in cases {
            let shown = error.to_string();
            let got = match classify(error) {
                Ending::Refused { code, .. } => Some(code),
                _ => None,
            };
            assert_eq!(got, expected, "{shown}");
        }
    }

    /// Frames in, what the echo does after the last one: an echo (opcode, payload), a fragment
    /// taken in, or a close code.
    #[test]
    fn fragments_are_reassembled_and_checked() {
        #[derive(Debug, PartialEq)]
        enum Outcome {
            Echo(OpCode, Vec<u8>),
            Continue,
            Close(u16),
        }
        use Outcome::*;
        let text = |payload: &'static [u8], fin: bool| Frame::text(payload).with_fin(fin);
        let binary = |payload: &'static [u8], fin: bool| Frame::binary(payload).with_fin(fin);
        let more = |payload: &'static [u8], fin: bool| Frame::continuation(payload).with_fin(fin);
        let cases: Vec<(&str, Vec<Frame>, Outcome)> = vec![
            ("whole text", vec![text(b"hi", true)], Echo(OpCode::Text, b"hi".to_vec())),
            ("whole binary", vec![binary(&[0, 255], true)], Echo(OpCode::Binary, vec![0, 255])),
            ("first fragment", vec![text(b"a", false)], Continue),
            (
                "three fragments",
                vec![binary(b"a", false), more(b"b", false), more(b"c", true)],
                Echo(OpCode::Binary, b"abc".to_vec()),
            ),
            (
                "a character cut between fragments",
                vec![text(&[0xc3], false), more(&[0xa9], true)],
                Echo(OpCode::Text, "é".as_bytes().to_vec()),
            ),
            ("bad UTF-8 whole", vec![text(&[0xff], true)], Close(1007)),
            ("bad UTF-8 fails fast", vec![text(&[b'o', 0xff], false)], Close(1007)),
            ("cut character never completed", vec![text(&[0xc3], false), more(&[], true)], Close(1007)),
            ("continuation without a message", vec![more(b"x", true)], Close(1002)),
            ("new message inside a fragmented one", vec![text(b"a", false), text(b"b", true)], Close(1002)),
            (
                "exactly the limit",
                vec![binary(&[1; 4], false), more(&[2; 4], true)],
                Echo(OpCode::Binary, [[1; 4], [2; 4]].concat()),
            ),
            ("over the limit", vec![binary(&[1; 4], false), more(&[2; 5], true)], Close(1009)),
        ];
        for (name, frames, expected) in cases {
            let mut messages = Messages { limit: 8, partial: None };
            let mut last = None;
            for frame in frames {
                last = Some(messages.take(frame));
            }
            let got = match last {
                Some(Step::Echo(frame)) => {
                    let opcode = frame.opcode();
                    Echo(opcode, frame.into_payload().to_vec())
                }
                Some(Step::Continue) => Continue,
                Some(Step::Violation { code, .. }) => Close(code),
                None => panic!("{name}: no frames"),
            };
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn close_reasons_fit_in_a_control_frame() {
        let long = "é".repeat(100);
        let frame = close_frame(code::PROTOCOL_ERROR, &long);
        assert_eq!(frame.close_code().map(u16::from), Some(code::PROTOCOL_ERROR));
        let reason = frame.close_reason().unwrap().unwrap_or_default();
        assert!(reason.len() <= MAX_REASON_BYTES);
        assert!(long.starts_with(reason));
    }
}
