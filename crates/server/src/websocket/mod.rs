//! The WebSocket subsystem: `/ws/echo` and `/ws/inspect`, two thin endpoints over one handshake
//! and one echo loop.
//!
//! A connection goes through these modules in order:
//!
//! 1. `guard.rs`, middleware on every `/ws/` route: the Origin allowlist (403) and the connection
//!    cap (503 with `Retry-After`).
//! 2. `handshake.rs`: everything read from the upgrade request and decided before the 101 (the
//!    request's headers, the subprotocol, permessage-deflate through `deflate.rs`, the knobs
//!    through `knobs.rs`), and every refusal, as the JSON error of the HTTP routes (`error.rs`).
//! 3. This module: the endpoints. Both send the 101 that `handshake.rs` wrote, take the
//!    connection from hyper, put it behind `opcode_check.rs` (a frame with a reserved opcode ends
//!    the stream, so the echo fails the connection with 1002), and hand yawc the result.
//!    `/ws/inspect` also puts it behind `inspect.rs`'s tap and sends the handshake report first,
//!    and records the session for `capture/` (`capture::stream::Recorded`, under every other
//!    layer, so the capture holds the bytes as they crossed the socket; its id is in the report).
//! 4. `echo.rs`: the echo loop, the same for both; `/ws/inspect` passes its inspector, whose
//!    report follows each echo.
//!
//! Imports go one way, with no circle: this module uses all the others; `handshake` uses
//! `deflate` and `knobs`; `echo` uses `knobs` and `opcode_check`; `inspect` uses `echo` (for the
//! `Reports` trait it implements); `guard`, `deflate`, `knobs` and `opcode_check` use none.
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
//! Each endpoint has a task type of its own, so an echo connection's task holds only the echo's
//! state (about 3.1 KiB, socket included), and the task is an `async` block over one
//! [`Connection`] that everything borrows from (see [`echo_connection`]).
//!
//! Measured with `cargo xtask bench-server` (5,000 idle connections, release build): about 5 KiB
//! of RSS per connection: the 1 KiB read buffer plus the task, socket and upgrade state (a 4 KiB
//! read buffer measured 8.1 KiB; the budget is 7 KiB).

mod deflate;
mod echo;
pub(crate) mod guard;
pub(crate) mod handshake;
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
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::timeout;
use tokio_util::task::task_tracker::TaskTrackerToken;
use wire::ws_inspect::{HandshakeFacts, InspectReport};
use yawc::streaming::Streaming;
use yawc::{DeflatePool, Frame, Options, Role, WebSocket};

pub use deflate::{DeflateConfig, SERVER_WINDOW_BITS};
pub use guard::OriginPolicy;
// The close codes, for the metrics (`wirelab_websocket_closes_total`).
pub(crate) use echo::code;

use crate::capture::stream::Recorded;
use crate::capture::{self, Captures, Carrier, Recorder};
use crate::error::ApiError;
use crate::metrics::{Metrics, WebSocketEndpoint, WebSocketMetrics};
use crate::{Config, Shutdown};
use echo::{Echo, Reports, Summary, Timeouts};
use handshake::Handshake;
use inspect::Inspector;
use knobs::Plan;
use opcode_check::{OpcodeCheck, ReservedOpcode};

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
    /// Where `/ws/inspect` sessions are recorded.
    captures: Captures,
    metrics: Metrics,
}

/// The two endpoints; they differ only in what wraps the connection and what follows an echo.
#[derive(Clone, Copy, Debug)]
enum Endpoint {
    /// `/ws/echo`: the echo alone.
    Echo,
    /// `/ws/inspect`: the handshake report, then each echo followed by its report.
    Inspect,
}

impl Endpoint {
    /// The endpoint's name in the metrics.
    fn metered(self) -> WebSocketEndpoint {
        match self {
            Endpoint::Echo => WebSocketEndpoint::Echo,
            Endpoint::Inspect => WebSocketEndpoint::Inspect,
        }
    }
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
pub(crate) fn router(config: &Config, shutdown: Shutdown, captures: Captures) -> Router {
    let admission = guard::Guard::new(config, &shutdown);
    let sockets = Sockets {
        max_message_bytes: config.max_message_bytes,
        timeouts: Timeouts { close: config.close_timeout, idle: config.idle_timeout },
        deflate: config.deflate,
        pool: DeflatePool::new(DEFLATE_POOL_SIZE),
        shutdown,
        next_id: Arc::new(AtomicU64::new(1)),
        captures,
        metrics: config.metrics.clone(),
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
    ApiError::not_found(format!(
        "no WebSocket endpoint at {}; try /ws/echo, /ws/inspect, /ws/tcp?to=echo, /ws/udp?to=echo or /ws/telemetry",
        request.uri().path()
    ))
}

/// The client's address (`ip:port`), for the log; `unknown` when the router was not given it.
pub(crate) fn client_address(request: &Request) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(address)| address.to_string())
}

/// Answers the upgrade request, and runs the connection in a task of its own once upgraded.
async fn open(sockets: Sockets, mut request: Request, endpoint: Endpoint) -> Response {
    let Handshake { response, plan, mut facts, upgrade } = match handshake::accept(&mut request, &sockets.deflate) {
        Ok(handshake) => handshake,
        Err(refusal) => return refusal.into_response(),
    };
    let capture = match endpoint {
        Endpoint::Echo => None,
        Endpoint::Inspect => record_handshake(&sockets.captures, &request, &response),
    };
    facts.capture = capture.as_ref().map(|recorder| recorder.id().to_owned());
    let peer = client_address(&request);
    let connection = Connection {
        id: sockets.next_id.fetch_add(1, Ordering::Relaxed),
        peer,
        // Counted from the handshake on, so shutdown also waits for connections still upgrading.
        _tracked: sockets.shutdown.track(),
        sockets,
        plan,
        facts: Some(facts),
        upgrade,
        reserved: ReservedOpcode::default(),
        capture: capture.map(Box::new),
    };
    // One task type per endpoint, each holding only its own echo's state (an idle connection's
    // memory counts) and polling it with nothing in between.
    match endpoint {
        Endpoint::Echo => tokio::spawn(echo_connection(connection)),
        Endpoint::Inspect => tokio::spawn(inspect_connection(connection)),
    };
    response
}

/// `/ws/echo`'s task: the echo alone.
///
/// A plain function returning the task, not an `async fn`: an `async fn` keeps its argument
/// twice in the task's state, once as passed and once as bound (measured: 392 bytes more per
/// connection), and an idle connection's memory counts.
#[expect(clippy::manual_async_fn, reason = "an async fn would hold the connection twice; see the doc")]
fn echo_connection(mut connection: Connection) -> impl Future<Output = ()> {
    async move {
        let Some(io) = connection.upgraded(Endpoint::Echo, |io| io).await else { return };
        let _open = connection.metrics(Endpoint::Echo).opened();
        let Some(socket) = connection.socket(io) else { return };
        connection.facts = None;
        let summary = echo::echo(socket, connection.echo(Endpoint::Echo, None)).await;
        connection.closed(Endpoint::Echo, summary);
    }
}

/// `/ws/inspect`'s task: the handshake report, then the echo with a report after each message.
#[expect(clippy::manual_async_fn, reason = "an async fn would hold the connection twice; see echo_connection")]
fn inspect_connection(mut connection: Connection) -> impl Future<Output = ()> {
    async move {
        let capture = connection.capture.take();
        let Some(io) =
            connection.upgraded(Endpoint::Inspect, |io| Recorded::new(io, capture.map(|recorder| *recorder))).await
        else {
            return;
        };
        let _open = connection.metrics(Endpoint::Inspect).opened();
        let inspector = Inspector::default();
        let Some(mut socket) = connection.socket(inspector.tap(io)) else { return };
        let Some(facts) = connection.facts.take() else { return };
        let report = Frame::text(InspectReport::Handshake(facts).to_json());
        let report_bytes = report.payload().len();
        if !matches!(timeout(connection.sockets.timeouts.close, socket.send(report)).await, Ok(Ok(()))) {
            tracing::debug!(conn = connection.id, "the handshake report could not be sent");
            return;
        }
        connection.metrics(Endpoint::Inspect).sent(report_bytes);
        let summary = echo::echo(socket, connection.echo(Endpoint::Inspect, Some(&inspector))).await;
        connection.closed(Endpoint::Inspect, summary);
    }
}

/// An accepted connection: what its task needs, kept in one place (a task's arguments stay in
/// its state for its whole life, so nothing is copied out of them).
struct Connection {
    id: u64,
    peer: String,
    _tracked: TaskTrackerToken,
    sockets: Sockets,
    plan: Plan,
    /// What the handshake saw and agreed, until the echo starts.
    facts: Option<HandshakeFacts>,
    upgrade: OnUpgrade,
    /// Set by the stream's [`OpcodeCheck`], read by the echo loop.
    reserved: ReservedOpcode,
    /// `/ws/inspect`'s recording, until the stream is wrapped in it (boxed: an echo
    /// connection's memory counts, and it never has one).
    capture: Option<Box<Recorder>>,
}

impl Connection {
    /// Waits for the upgrade to complete: the stream (`wrap`ped first), behind the
    /// reserved-opcode check; `None` if the client went away first.
    async fn upgraded<S>(
        &mut self,
        endpoint: Endpoint,
        wrap: impl FnOnce(TokioIo<Upgraded>) -> S,
    ) -> Option<OpcodeCheck<S>> {
        let io = match (&mut self.upgrade).await {
            Ok(io) => TokioIo::new(io),
            Err(error) => {
                tracing::debug!(conn = self.id, %error, "upgrade failed");
                return None;
            }
        };
        let facts = self.facts.as_ref();
        let protocol = facts.and_then(|facts| facts.subprotocol.as_deref()).unwrap_or("");
        let extensions = self.extensions().unwrap_or("");
        tracing::info!(conn = self.id, peer = self.peer, ?endpoint, protocol, extensions, "websocket opened");
        Some(OpcodeCheck::new(wrap(io), self.reserved.clone()))
    }

    /// The extension agreed in the handshake.
    fn extensions(&self) -> Option<&str> {
        self.facts.as_ref().and_then(|facts| facts.extensions.as_deref())
    }

    /// yawc's socket on `io`, with the agreed extension; `None` (logged) if yawc refuses it.
    fn socket<S: AsyncRead + AsyncWrite + Unpin>(&self, io: S) -> Option<Streaming<S>> {
        let options = self.sockets.options(self.extensions().is_some());
        match WebSocket::from_stream_with_extensions(io, Role::Server, self.extensions(), options) {
            Ok(socket) => Some(socket.into_streaming()),
            Err(error) => {
                tracing::warn!(conn = self.id, %error, "cannot set up a WebSocket");
                None
            }
        }
    }

    /// What the echo loop follows; `reports` follow each echo.
    fn echo<'a>(&'a self, endpoint: Endpoint, reports: Option<&'a (dyn Reports + Sync)>) -> Echo<'a> {
        Echo {
            limit: self.sockets.max_message_bytes,
            shutdown: &self.sockets.shutdown,
            timeouts: self.sockets.timeouts,
            plan: &self.plan,
            reports,
            reserved: &self.reserved,
            metrics: self.metrics(endpoint),
        }
    }

    /// The endpoint's counters, shared by all its connections.
    fn metrics(&self, endpoint: Endpoint) -> &WebSocketMetrics {
        self.sockets.metrics.websocket(endpoint.metered())
    }

    fn closed(&self, endpoint: Endpoint, Summary { code, messages }: Summary) {
        self.metrics(endpoint).closed(code);
        tracing::info!(conn = self.id, peer = self.peer, code, messages, "websocket closed");
    }
}

/// Starts recording an `/ws/inspect` session with its handshake (see `capture` for the
/// addresses and for how close the handshake's text is to its bytes); `None` when capturing is off.
fn record_handshake(captures: &Captures, request: &Request, response: &Response) -> Option<Recorder> {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| SocketAddr::from(([192, 0, 2, 2], 49_152)), |ConnectInfo(address)| *address);
    let server = capture::inspect_server_address(client);
    let recorder = captures.start(Carrier::Tcp, "ws-inspect", client, server)?;
    recorder.data(wire::packets::synth::Side::Client, capture::handshake::request_head(request).into());
    recorder.data(wire::packets::synth::Side::Server, capture::handshake::response_head(response).into());
    Some(recorder)
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
