//! The TCP/UDP bridge: `GET /ws/tcp?to=TARGET` and `GET /ws/udp?to=TARGET` upgrade to a
//! WebSocket whose binary messages are the bytes of a TCP connection or the datagrams of a UDP
//! socket that the server opens on the page's behalf (a browser cannot), for the Sockets lab.
//!
//! - Binary messages carry the bytes both ways. Over UDP one message is one datagram, both ways;
//!   over TCP a message from the client is written whole, and each read from the peer (at most
//!   64 KiB) comes back as one message, so message boundaries say nothing about the stream.
//! - Text messages from the server are JSON events (`wire::bridge_event::BridgeEvent`):
//!   `connected`, `data` totals, `peer_fin`, `fin_sent`, `reset`, `port_unreachable`, `timeout`,
//!   `connect_failed`, `bad_command`, and last `closed`, each with `at_ms` since the request.
//! - A text message from the client is a command: `{"command":"shutdown_write"}` sends FIN to a
//!   TCP peer. The bridge ends when both sides have sent FIN, the client closes, the peer resets,
//!   the byte limit or the idle time is reached, or the server shuts down.
//!
//! Before the upgrade, in order: the guard of every `/ws/` route (`websocket/guard.rs`: Origin
//! allowlist 403, connection cap 503), the target (`target.rs`: only a built-in peer or an
//! `--allow-connect` entry, else 403; never an open proxy; checked before the handshake, so a
//! plain GET learns why a target is refused), the handshake's checks (`websocket/handshake.rs`,
//! shared with the echo), and the bridge cap (`--max-bridges`, 503 with `Retry-After`).
//! Every refusal is the JSON error of the HTTP routes (`error.rs`).
//!
//! Then `relay.rs` runs the bridge in a task of its own, over the peer socket of `peer.rs`. It
//! counts as a WebSocket connection for the shutdown, which closes it with a `closed` event
//! (`shutdown`) and 1001. It records what it exchanges with the peer for `capture/` (the id in
//! the `connected` event); [`capture_name`] says under which label and port.

mod ftp_watch;
mod peer;
mod relay;
mod target;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::time::Instant;
use wire::bridge_event::Transport;

pub(crate) use target::host_and_port;

use crate::capture::Captures;
use crate::error::ApiError;
use crate::metrics::{Metrics, Refusal, WebSocketEndpoint};
use crate::peers::Peers;
use crate::websocket::{self, guard, handshake};
use crate::{Config, Shutdown};
use relay::{Bridge, Limits};

/// The default cap on bridges open at once.
pub const DEFAULT_MAX_BRIDGES: usize = 64;
/// The default bytes one bridge may carry, both ways together: 64 MiB.
pub const DEFAULT_BRIDGE_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The default silence (nothing either way) after which a bridge closes: 5 minutes, as the
/// built-in peers' own, for a person typing SMTP by hand.
pub const DEFAULT_BRIDGE_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// The default time a TCP peer has to accept the bridge's connection.
pub const DEFAULT_BRIDGE_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the bridge may reach and its limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeConfig {
    /// `HOST:PORT` targets allowed beside the built-in peers (`--allow-connect`).
    pub allow_connect: Vec<String>,
    /// Bridges open at once; one more gets 503.
    pub max_bridges: usize,
    /// Bytes one bridge may carry, both ways together; then it closes (`byte_limit`).
    pub max_bytes: u64,
    /// Nothing either way for this long closes the bridge (`idle_timeout`).
    pub idle_timeout: Duration,
    /// A TCP peer that does not accept within this closes the bridge (`connect_timeout`).
    pub connect_timeout: Duration,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        Self {
            allow_connect: Vec::new(),
            max_bridges: DEFAULT_MAX_BRIDGES,
            max_bytes: DEFAULT_BRIDGE_MAX_BYTES,
            idle_timeout: DEFAULT_BRIDGE_IDLE_TIMEOUT,
            connect_timeout: DEFAULT_BRIDGE_CONNECT_TIMEOUT,
        }
    }
}

/// What every bridge shares.
#[derive(Clone)]
struct Bridges {
    allow_connect: Arc<[String]>,
    max_bridges: usize,
    limits: Limits,
    peers: Arc<Peers>,
    shutdown: Shutdown,
    open: Arc<AtomicUsize>,
    next_id: Arc<AtomicU64>,
    /// Where bridges are recorded.
    captures: Captures,
    metrics: Metrics,
}

/// One place under the bridge cap, given back when the bridge's task ends.
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Bridges {
    /// A place under the cap, or `None` when all are taken.
    fn take_slot(&self) -> Option<Slot> {
        let max = self.max_bridges;
        let taken =
            self.open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| (open < max).then_some(open + 1));
        taken.ok().map(|_| Slot(Arc::clone(&self.open)))
    }
}

/// `/ws/tcp` and `/ws/udp`, behind the guard of every `/ws/` route.
pub(crate) fn router(config: &Config, shutdown: Shutdown, peers: Arc<Peers>, captures: Captures) -> Router {
    let admission = guard::Guard::new(config, &shutdown);
    let bridge = &config.bridge;
    let bridges = Bridges {
        allow_connect: bridge.allow_connect.clone().into(),
        max_bridges: bridge.max_bridges,
        limits: Limits {
            max_bytes: bridge.max_bytes,
            idle: bridge.idle_timeout,
            connect_timeout: bridge.connect_timeout,
            close_timeout: config.close_timeout,
            max_message_bytes: config.max_message_bytes,
        },
        peers,
        shutdown,
        open: Arc::new(AtomicUsize::new(0)),
        next_id: Arc::new(AtomicU64::new(1)),
        captures,
        metrics: config.metrics.clone(),
    };
    Router::new()
        .route("/ws/tcp", any(|State(bridges), request| open(bridges, request, Transport::Tcp)))
        .route("/ws/udp", any(|State(bridges), request| open(bridges, request, Transport::Udp)))
        .with_state(bridges)
        .layer(axum::middleware::from_fn_with_state(admission, guard::check_upgrade))
}

/// Checks the upgrade and the target, and runs the bridge in a task of its own once upgraded.
async fn open(bridges: Bridges, mut request: Request, transport: Transport) -> Response {
    let started = Instant::now();
    // The target first: a plain GET with the same URL (what a page does to learn why its
    // WebSocket was refused, since browsers hide the refusal) gets the same 403 and its reason.
    let query = request.uri().query().unwrap_or("");
    let to = form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == "to").map(|(_, value)| value);
    let target =
        match target::check(to.as_deref().unwrap_or(""), transport, &bridges.allow_connect, &bridges.peers).await {
            Ok(target) => target,
            Err(refusal) => return refusal.refused(Refusal::BridgeTarget).into_response(),
        };
    let (response, upgrade) = match handshake::accept_plain(&mut request) {
        Ok(accepted) => accepted,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(slot) = bridges.take_slot() else {
        let message = format!(
            "the server already holds {} bridges, its limit (--max-bridges); try again shortly",
            bridges.max_bridges
        );
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
            .with_header(header::RETRY_AFTER, "1")
            .refused(Refusal::MaxBridges)
            .into_response();
    };
    let target_address = target.address;
    let capture_as = capture_name(&bridges.peers, target_address, transport);
    let bridge = Bridge {
        id: bridges.next_id.fetch_add(1, Ordering::Relaxed),
        client: websocket::client_address(&request),
        transport,
        target,
        started,
        limits: bridges.limits,
        // Counted from the handshake on, so shutdown also waits for bridges still upgrading.
        _tracked: bridges.shutdown.track(),
        shutdown: bridges.shutdown.clone(),
        upgrade,
        _slot: slot,
        ftp_peers: (transport == Transport::Tcp && bridges.peers.is_ftp_control_address(target_address))
            .then(|| bridges.peers.clone()),
        captures: bridges.captures.clone(),
        capture_as,
        metrics: bridges
            .metrics
            .websocket(match transport {
                Transport::Tcp => WebSocketEndpoint::Tcp,
                Transport::Udp => WebSocketEndpoint::Udp,
            })
            .clone(),
    };
    tokio::spawn(bridge.run());
    response
}

/// How a bridge to `address` is recorded: the capture's label, and the port the peer is written
/// at. A built-in peer's control port is written at its protocol's own (echo 7, SMTP 25, POP3
/// 110, FTP 21), so tshark and Wireshark dissect it; an FTP data connection and any other peer
/// keep their real port (the data port is the one the control connection's 227/229 names).
fn capture_name(peers: &Peers, address: std::net::SocketAddr, transport: Transport) -> (&'static str, u16) {
    let peer = peers.all().iter().find(|peer| peer.address == address && peer.transport == transport);
    let well_known = peer.and_then(|peer| match peer.protocol {
        "echo" => Some(("echo", 7)),
        "smtp" => Some(("smtp", 25)),
        "pop3" => Some(("pop3", 110)),
        "ftp" => Some(("ftp", 21)),
        _ => None,
    });
    match (well_known, transport) {
        (Some(known), _) => known,
        (None, Transport::Tcp) if peers.is_ftp_data_address(address) => ("ftp-data", address.port()),
        (None, Transport::Tcp) => ("tcp", address.port()),
        (None, Transport::Udp) => ("udp", address.port()),
    }
}
