//! The WebSocket echo endpoint (`/ws/echo`) that the app's WebSocket lab talks to.
//!
//! Text comes back as text and binary as binary. Tungstenite answers pings while reading,
//! reassembles fragmented messages and echoes a client's close frame (code and reason); this
//! module maps its errors to close codes (1009 too big, 1007 bad UTF-8, 1002 protocol
//! violation) and closes every connection with 1001 when the server shuts down.
//!
//! # Buffers and memory
//!
//! Tungstenite's defaults (128 KiB read buffer, 128 KiB write buffer target) cost about
//! 135 KiB of RSS per connection, because the read buffer is allocated up front. An idle echo
//! connection needs almost nothing, so the upgrade sets:
//!
//! - `read_buffer_size` = [`READ_BUFFER_BYTES`] (4 KiB): allocated for every connection, so it
//!   dominates idle memory. Reads of a large frame go straight into a buffer reserved for that
//!   frame, so a small value costs only more `read` calls (4 KiB each), not copies.
//! - `write_buffer_size` = 0: every echo is written to the socket at once; nothing is held back
//!   to batch small writes (the echo flushes after each message anyway).
//! - `max_write_buffer_size` = limit + [`WRITE_SLACK_BYTES`]: room for one whole message plus a
//!   pending control frame, never more. With the echo loop awaiting each send, a client that
//!   does not read stalls its own connection (the server stops reading it) instead of growing a
//!   queue: backpressure reaches the client through TCP.
//! - `max_message_size` = `max_frame_size` = `--max-message-bytes`.
//!
//! Measured with `examples/idle_connections.rs` against the release build: 5.0 MiB of RSS at
//! start, 39.0 MiB holding 5,000 idle connections, i.e. about 7 KiB per connection: the 4 KiB
//! read buffer plus about 3 KiB of task, socket and upgrade state (the 64 MiB budget allows
//! about 12 KiB each).
//!
//! Tungstenite keeps the capacity its buffers grew to: a connection that echoed a large message
//! keeps up to about twice that message's size until it closes. That is bounded by the limit and
//! only concerns connections that sent large messages; the echo task itself keeps no message
//! between iterations.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Router};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tungstenite::error::ProtocolError;

use crate::{Config, Shutdown};

/// Read buffer per connection; see the module docs.
pub(crate) const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Write-buffer room beyond one maximal message: a frame header and one control frame.
pub(crate) const WRITE_SLACK_BYTES: usize = 4 * 1024;

/// Close codes this module sends (RFC 6455 section 7.4.1).
pub(crate) mod code {
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const NO_STATUS: u16 = 1005;
    pub const ABNORMAL: u16 = 1006;
    pub const INVALID_PAYLOAD: u16 = 1007;
    pub const MESSAGE_TOO_BIG: u16 = 1009;
}

/// A close reason must fit in a control frame: 125 bytes minus the 2-byte code.
const MAX_REASON_BYTES: usize = 123;

#[derive(Clone, Debug)]
struct EchoState {
    max_message_bytes: usize,
    close_timeout: Duration,
    shutdown: Shutdown,
    next_id: Arc<AtomicU64>,
}

pub(crate) fn router(config: &Config, shutdown: Shutdown) -> Router {
    let state = EchoState {
        max_message_bytes: config.max_message_bytes,
        close_timeout: config.close_timeout,
        shutdown,
        next_id: Arc::new(AtomicU64::new(1)),
    };
    Router::new()
        .route("/ws/echo", get(upgrade))
        .route("/ws/", any(no_such_socket))
        .route("/ws/{*rest}", any(no_such_socket))
        .with_state(state)
}

async fn no_such_socket() -> Response {
    (StatusCode::NOT_FOUND, "no WebSocket endpoint here; try /ws/echo\n").into_response()
}

async fn upgrade(
    State(state): State<EchoState>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let limit = state.max_message_bytes;
    let mut upgrade = upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(limit.saturating_add(WRITE_SLACK_BYTES))
        .max_message_size(limit)
        .max_frame_size(limit);
    if let Some(protocol) = first_offered_protocol(&headers) {
        upgrade.set_selected_protocol(protocol);
    }
    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    let peer = connect_info.map_or_else(|| "unknown".to_owned(), |Extension(ConnectInfo(addr))| addr.to_string());
    // Counted from the handshake on, so shutdown also waits for connections still upgrading.
    let tracked = state.shutdown.track();
    upgrade.on_failed_upgrade(move |error| tracing::debug!(conn = id, %error, "upgrade failed")).on_upgrade(
        move |socket| async move {
            let _tracked = tracked;
            let protocol = socket.protocol().and_then(|p| p.to_str().ok()).unwrap_or("").to_owned();
            tracing::info!(conn = id, peer, protocol, "websocket opened");
            let Summary { code, messages } = echo(socket, state.shutdown.token(), state.close_timeout).await;
            tracing::info!(conn = id, peer, code, messages, "websocket closed");
        },
    )
}

/// The first subprotocol the client offered, which the server selects.
///
/// Axum's `protocols` only picks from a list known in advance, and its view of the header is a
/// sorted set; the lab lets users type any subprotocol, and a browser fails the connection unless
/// the server selects one it offered, so the first offered token is read from the header itself.
fn first_offered_protocol(headers: &HeaderMap) -> Option<HeaderValue> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .find(|token| !token.is_empty())
        .and_then(|token| HeaderValue::from_str(token).ok())
}

/// How a connection ended, for the log line.
struct Summary {
    /// The close code sent or echoed; 1006 when the connection ended without one.
    code: u16,
    /// Text and binary messages echoed.
    messages: u64,
}

/// Why the echo loop stopped.
enum Ending {
    /// The client sent a close frame; tungstenite has queued the echo of it.
    ClientClosed(Option<CloseFrame>),
    /// The client broke a rule; close with this code.
    Violation { code: u16, reason: String },
    /// The server is shutting down.
    Shutdown,
    /// The connection is gone (reset, EOF without a close frame, I/O error).
    Vanished(String),
}

async fn echo(mut socket: WebSocket, shutdown: &CancellationToken, close_timeout: Duration) -> Summary {
    let mut messages = 0;
    let ending = loop {
        let incoming = tokio::select! {
            biased;
            () = shutdown.cancelled() => break Ending::Shutdown,
            incoming = socket.recv() => incoming,
        };
        let reply = match incoming {
            None => break Ending::Vanished("connection closed without a close frame".into()),
            Some(Err(error)) => break classify(error),
            Some(Ok(Message::Close(frame))) => break Ending::ClientClosed(frame),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(message @ (Message::Text(_) | Message::Binary(_)))) => message,
        };
        messages += 1;
        // Awaiting the send is the backpressure: while it is blocked, this client is not read.
        tokio::select! {
            biased;
            () = shutdown.cancelled() => break Ending::Shutdown,
            sent = socket.send(reply) => {
                if let Err(error) = sent {
                    break Ending::Vanished(format!("send failed: {error}"));
                }
            }
        }
    };

    let code = match ending {
        Ending::ClientClosed(frame) => {
            // The next read flushes tungstenite's echo of the close frame, then ends.
            let _ = timeout(close_timeout, socket.recv()).await;
            frame.map_or(code::NO_STATUS, |frame| frame.code)
        }
        Ending::Violation { code, reason } => {
            tracing::debug!(code, reason, "closing after a client error");
            // The read side is finished after an error; send the close frame and end.
            let _ = timeout(close_timeout, socket.send(close_message(code, &reason))).await;
            code
        }
        Ending::Shutdown => {
            let close = close_message(code::GOING_AWAY, "server shutting down");
            let _ = timeout(close_timeout, async {
                if socket.send(close).await.is_ok() {
                    // Wait for the client's close (or the end of the stream).
                    while let Some(Ok(message)) = socket.recv().await {
                        if matches!(message, Message::Close(_)) {
                            break;
                        }
                    }
                }
            })
            .await;
            code::GOING_AWAY
        }
        Ending::Vanished(why) => {
            tracing::debug!(why, "connection ended without a close handshake");
            code::ABNORMAL
        }
    };
    Summary { code, messages }
}

/// Maps a read error to the close code the client should get, if the connection is still there.
fn classify(error: axum::Error) -> Ending {
    let error = match error.into_inner().downcast::<tungstenite::Error>() {
        Ok(error) => *error,
        Err(other) => return Ending::Vanished(other.to_string()),
    };
    let code = match &error {
        tungstenite::Error::Capacity(_) => code::MESSAGE_TOO_BIG,
        tungstenite::Error::Utf8(_) => code::INVALID_PAYLOAD,
        tungstenite::Error::Protocol(
            ProtocolError::ResetWithoutClosingHandshake
            | ProtocolError::ReceivedAfterClosing
            | ProtocolError::SendAfterClosing,
        ) => return Ending::Vanished(error.to_string()),
        tungstenite::Error::Protocol(_) => code::PROTOCOL_ERROR,
        _ => return Ending::Vanished(error.to_string()),
    };
    Ending::Violation { code, reason: error.to_string() }
}

fn close_message(code: u16, reason: &str) -> Message {
    let mut end = reason.len().min(MAX_REASON_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from(&reason[..end]) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(values: &[&str]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_str(value).unwrap());
        }
        first_offered_protocol(&headers).map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn selects_the_first_offered_subprotocol() {
        assert_eq!(offered(&[]), None);
        assert_eq!(offered(&["zeta, alpha"]).as_deref(), Some("zeta"));
        assert_eq!(offered(&[" chat ,json"]).as_deref(), Some("chat"));
        assert_eq!(offered(&[", ", "wirelab.v1"]).as_deref(), Some("wirelab.v1"));
    }

    #[test]
    fn tungstenite_errors_map_to_close_codes() {
        use tungstenite::error::CapacityError;
        let cases = [
            (
                tungstenite::Error::Capacity(CapacityError::MessageTooLong { size: 2, max_size: 1 }),
                Some(code::MESSAGE_TOO_BIG),
            ),
            (tungstenite::Error::Utf8("bad".into()), Some(code::INVALID_PAYLOAD)),
            (tungstenite::Error::Protocol(ProtocolError::UnmaskedFrameFromClient), Some(code::PROTOCOL_ERROR)),
            (tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake), None),
            (tungstenite::Error::ConnectionClosed, None),
        ];
        for (error, expected) in cases {
            let shown = error.to_string();
            let got = match classify(axum::Error::new(error)) {
                Ending::Violation { code, .. } => Some(code),
                _ => None,
            };
            assert_eq!(got, expected, "{shown}");
        }
    }

    #[test]
    fn close_reasons_fit_in_a_control_frame() {
        let long = "é".repeat(100);
        let Message::Close(Some(frame)) = close_message(code::PROTOCOL_ERROR, &long) else {
            panic!("not a close frame");
        };
        assert!(frame.reason.as_str().len() <= MAX_REASON_BYTES);
        assert!(long.starts_with(frame.reason.as_str()));
    }
}
