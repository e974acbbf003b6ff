//! The WebSocket subsystem: `/ws/echo` and `/ws/inspect`, two thin endpoints over one handshake
//! and one echo loop.
//!
//! A connection goes through these modules in order (each imports only modules below it in this
//! list, so there is no import circle):
//!
//! 1. `guard.rs`, middleware on every `/ws/` route: the Origin allowlist (403) and the connection
//!    cap (503 with `Retry-After`).
//! 2. `handshake.rs`: everything read from the upgrade request and decided before the 101 (the
//!    request's headers, the subprotocol, permessage-deflate through `deflate.rs`, the knobs
//!    through `knobs.rs`), and every refusal, as the JSON error of the HTTP routes (`error.rs`).
//! 3. This module: the endpoints. Both send the 101 that `handshake.rs` wrote, take the
//!    connection from hyper, put it behind `opcode_check.rs` (a frame with a reserved opcode ends
//!    the stream, so the echo fails the connection with 1002), and hand yawc the result.
//!    `/ws/inspect` also puts it behind `inspect.rs`'s tap and sends the handshake report first.
//! 4. `echo.rs`: the echo loop, the same for both; `/ws/inspect` passes its inspector, whose
//!    report follows each echo.
//!
//! yawc does the protocol (RFC 6455) and permessage-deflate (RFC 7692), given a stream and the
//! extension the handshake agreed to.
//!
//! # Buffers and memory
//!
//! An idle connection needs almost nothing, so each one is set up (in [`Sockets::options`]) with:
//!
//! - a read buffer of [`READ_BUFFER_BYTES`] (1 KiB): allocated for every connection, so it
//!   weighs on idle memory. It holds a burst of small frames (16 pipelined 64-byte messages fit);
//!   a larger frame grows it for that frame only, and yawc gives the memory back afterwards.
//! - a write buffer of 0 bytes: it grows to hold the echoes waiting to be written, and is given
//!   back once a batch larger than yawc's backpressure boundary (8 KiB) has been flushed.
//! - no deflate state until a message is compressed or inflated, and (without context takeover,
//!   the default) none after it: each message borrows a compressor or decompressor from a pool
//!   that all connections share (see `deflate.rs`).
//! - the limit `--max-message-bytes` on every frame, on every inflated frame and on every
//!   reassembled message.
//!
//! Measured with `cargo xtask bench-server` (5,000 idle connections, release build): about 5 KiB
//! of RSS per connection: the 1 KiB read buffer plus the task, socket and upgrade state (a 4 KiB
//! read buffer measured 8.1 KiB; the budget is 7 KiB).

mod deflate;
mod echo;
mod guard;
mod handshake;
mod inspect;
mod knobs;
mod opcode_check;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures_util::SinkExt;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::timeout;
use wire::ws_inspect::InspectReport;
use yawc::{DeflatePool, Frame, Options, Role, WebSocket};

pub use deflate::{DeflateConfig, SERVER_WINDOW_BITS};
pub use guard::OriginPolicy;

use crate::error::ApiError;
use crate::{Config, Shutdown};
use echo::{Echo, Reports, Summary, Timeouts};
use handshake::Handshake;
use inspect::Inspector;
use opcode_check::OpcodeCheck;

/// Read buffer per connection; see the module docs.
const READ_BUFFER_BYTES: usize = 1024;
/// Idle compressors (and, separately, decompressors) the shared pool keeps per window size: about
/// as many as messages compressed at the same moment, i.e. a few per runtime worker thread.
const DEFLATE_POOL_SIZE: usize = 16;

/// What every WebSocket connection shares: the limits, the deflate pool, the shutdown switch.
#[derive(Clone)]
struct Sockets {
    max_message_bytes: usize,
    timeouts: Timeouts,
    deflate: DeflateConfig,
    pool: DeflatePool,
    shutdown: Shutdown,
    next_id: Arc<AtomicU64>,
}

/// The two endpoints; they differ only in what wraps the connection and what follows an echo.
#[derive(Clone, Copy, Debug)]
enum Endpoint {
    /// `/ws/echo`: the echo alone.
    Echo,
    /// `/ws/inspect`: the handshake report, then each echo followed by its report.
    Inspect,
}

impl Sockets {
    /// yawc's settings for one connection; `compress` when a permessage-deflate offer was accepted.
    fn options(&self, compress: bool) -> Options {
        // yawc's limits are exclusive; ours is the largest size allowed.
        let limit = self.max_message_bytes.saturating_add(1);
        let mut options = Options::default()
            .with_max_payload_read(limit)
            .with_max_read_buffer(limit)
            .with_read_buffer_capacity(READ_BUFFER_BYTES)
            .with_write_buffer_capacity(0);
        if compress {
            options.compression = Some(deflate::yawc_options(&self.deflate, &self.pool));
        }
        options
    }
}

/// The `/ws/` routes, behind the guard.
pub(crate) fn router(config: &Config, shutdown: Shutdown) -> Router {
    let admission = guard::Guard {
        shutdown: shutdown.clone(),
        max_connections: config.max_connections,
        origins: config.origins.clone(),
    };
    let sockets = Sockets {
        max_message_bytes: config.max_message_bytes,
        timeouts: Timeouts { close: config.close_timeout, idle: config.idle_timeout },
        deflate: config.deflate,
        pool: DeflatePool::new(DEFLATE_POOL_SIZE),
        shutdown,
        next_id: Arc::new(AtomicU64::new(1)),
    };
    // `any`: a request with another method than GET is refused by the handshake, in JSON.
    Router::new()
        .route("/ws/echo", any(|State(sockets), request| open(sockets, request, Endpoint::Echo)))
        .route("/ws/inspect", any(|State(sockets), request| open(sockets, request, Endpoint::Inspect)))
        .route("/ws/", any(no_such_socket))
        .route("/ws/{*rest}", any(no_such_socket))
        .with_state(sockets)
        .layer(axum::middleware::from_fn_with_state(admission, guard::check_upgrade))
}

async fn no_such_socket(request: Request) -> ApiError {
    ApiError::not_found(format!("no WebSocket endpoint at {}; try /ws/echo or /ws/inspect", request.uri().path()))
}

/// Answers the upgrade request, and runs the connection in a task of its own once upgraded.
async fn open(sockets: Sockets, mut request: Request, endpoint: Endpoint) -> Response {
    let Handshake { response, plan, facts, upgrade } = match handshake::accept(&mut request, &sockets.deflate) {
        Ok(handshake) => handshake,
        Err(refusal) => return refusal.into_response(),
    };
    let id = sockets.next_id.fetch_add(1, Ordering::Relaxed);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(addr)| addr.to_string());
    // Counted from the handshake on, so shutdown also waits for connections still upgrading.
    let tracked = sockets.shutdown.track();
    tokio::spawn(async move {
        let _tracked = tracked;
        let io = match upgrade.await {
            Ok(io) => TokioIo::new(io),
            Err(error) => {
                tracing::debug!(conn = id, %error, "upgrade failed");
                return;
            }
        };
        let (io, reserved) = OpcodeCheck::new(io);
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        let (protocol, extensions) = (text(&facts.subprotocol), text(&facts.extensions));
        tracing::info!(conn = id, peer, ?endpoint, protocol, extensions, "websocket opened");
        let echo = |reports| Echo {
            limit: sockets.max_message_bytes,
            shutdown: &sockets.shutdown,
            timeouts: sockets.timeouts,
            plan: &plan,
            reports,
            reserved: &reserved,
        };
        let options = sockets.options(facts.extensions.is_some());
        let negotiated = facts.extensions.clone();
        let summary = match endpoint {
            Endpoint::Echo => run(id, io, negotiated.as_deref(), options, None, echo(None)).await,
            Endpoint::Inspect => {
                let inspector = Inspector::default();
                let greeting = Frame::text(InspectReport::Handshake(facts).to_json());
                let io = inspector.tap(io);
                run(
                    id,
                    io,
                    negotiated.as_deref(),
                    options,
                    Some(greeting),
                    echo(Some(&inspector as &(dyn Reports + Sync))),
                )
                .await
            }
        };
        if let Some(Summary { code, messages }) = summary {
            tracing::info!(conn = id, peer, code, messages, "websocket closed");
        }
    });
    response
}

/// Runs connection `id` on its upgraded stream: yawc's socket with the agreed `extensions`, then
/// `greeting` (if any), then [`echo::echo`]; `None` if it ended before the echo began.
async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    id: u64,
    io: S,
    extensions: Option<&str>,
    options: Options,
    greeting: Option<Frame>,
    echo: Echo<'_>,
) -> Option<Summary> {
    let mut socket = match WebSocket::from_stream_with_extensions(io, Role::Server, extensions, options) {
        Ok(socket) => socket.into_streaming(),
        Err(error) => {
            tracing::warn!(conn = id, %error, "cannot set up a WebSocket");
            return None;
        }
    };
    if let Some(greeting) = greeting
        && !matches!(timeout(echo.timeouts.close, socket.send(greeting)).await, Ok(Ok(())))
    {
        tracing::debug!(conn = id, "the handshake report could not be sent");
        return None;
    }
    Some(echo::echo(socket, echo).await)
}

/// A client's frame as raw bytes, for the tests here: `first` is FIN/RSV/opcode, then the
/// shortest length encoding, a mask key, and `len` zero bytes of payload.
#[cfg(test)]
fn masked_frame(first: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![first];
    match len {
        0..=125 => bytes.push(0x80 | len as u8),
        126..=0xffff => {
            bytes.push(0x80 | 126);
            bytes.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            bytes.push(0x80 | 127);
            bytes.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    bytes.extend_from_slice(&[1, 2, 3, 4]);
    bytes.extend(std::iter::repeat_n(0, len));
    bytes
}
