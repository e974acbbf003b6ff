//! `GET /ws/telemetry?devices=N&rate_hz=R&encoding=E&seed=S`: a live stream of readings from N
//! simulated IoT devices (`wire::telemetry::Fleet`), R readings per second each, for the IoT lab.
//!
//! The wire protocol (the JSON shapes are `wire::telemetry::protocol`'s):
//! - Binary messages from the server: exactly one reading each, in the stream's current encoding
//!   (json, xml, protobuf, msgpack or cbor: `wire::telemetry::encode`), so the size of a message
//!   is the size of a reading. Its `sent_at_us` is stamped as it is handed to the socket.
//! - Text messages from the server: a `ServerStatus` JSON (`status`: encoding, rate, devices,
//!   paused, `sent` and `dropped` counts), once a second and right after every change; an
//!   `error` status answers a control message the server could not use (the stream goes on).
//! - Text messages from the client: a `ClientControl` JSON (`{"encoding":"cbor"}`,
//!   `{"rate_hz":50}`, `{"paused":true}`) changing the open stream.
//!
//! Before the upgrade, in order: the guard of every `/ws/` route (`websocket/guard.rs`: Origin
//! allowlist 403, connection cap 503), then the query ([`StreamQuery::parse`]: unknown names,
//! bad values and the bounds `--telemetry-max-devices`, `--telemetry-max-rate` and
//! `--telemetry-max-total-rate` give 400 with the reason, also to a plain GET), then the
//! handshake's own checks (`websocket/handshake.rs`). No permessage-deflate: the sizes the lab
//! compares are the encodings' own.
//!
//! `stream.rs` runs each stream in a task of its own; readings wait for the socket in a bounded
//! queue (`--telemetry-queue`), and those that do not fit are dropped and counted.

mod stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use wire::telemetry::Encoding;
use wire::telemetry::protocol::{DEFAULT_DEVICES, DEFAULT_ENCODING, DEFAULT_RATE_HZ};

use crate::error::ApiError;
use crate::metrics::{WebSocketEndpoint, WebSocketMetrics};
use crate::websocket::{self, guard, handshake};
use crate::{Config, Shutdown};
use stream::{Limits, Stream};

/// The default cap on devices per stream.
pub const DEFAULT_TELEMETRY_MAX_DEVICES: usize = 100;
/// The default cap on readings per second per device.
pub const DEFAULT_TELEMETRY_MAX_RATE_HZ: f64 = 1000.0;
/// The default cap on readings per second per stream, all devices together.
pub const DEFAULT_TELEMETRY_MAX_TOTAL_RATE: f64 = 20_000.0;
/// The default number of readings that may wait for a slow client before readings are dropped.
pub const DEFAULT_TELEMETRY_QUEUE: usize = 1024;
/// The slowest rate a stream may ask for: one reading every 10 seconds per device.
pub const MIN_RATE_HZ: f64 = 0.1;
/// The fleet's seed when the URL gives none: every stream then shows the same devices.
pub const DEFAULT_SEED: u64 = 1;

/// The bounds of `/ws/telemetry`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TelemetryConfig {
    /// Devices per stream (`--telemetry-max-devices`).
    pub max_devices: usize,
    /// Readings per second per device (`--telemetry-max-rate`).
    pub max_rate_hz: f64,
    /// Readings per second per stream, all devices together (`--telemetry-max-total-rate`).
    pub max_total_rate: f64,
    /// Readings waiting for a slow client; more are dropped and counted (`--telemetry-queue`).
    pub queue: usize,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            max_devices: DEFAULT_TELEMETRY_MAX_DEVICES,
            max_rate_hz: DEFAULT_TELEMETRY_MAX_RATE_HZ,
            max_total_rate: DEFAULT_TELEMETRY_MAX_TOTAL_RATE,
            queue: DEFAULT_TELEMETRY_QUEUE,
        }
    }
}

impl TelemetryConfig {
    /// Why `rate_hz` for `devices` devices is out of bounds, if it is.
    pub(crate) fn check_rate(&self, devices: usize, rate_hz: f64) -> Result<(), String> {
        if !rate_hz.is_finite() || rate_hz < MIN_RATE_HZ || rate_hz > self.max_rate_hz {
            return Err(format!(
                "rate_hz must be from {MIN_RATE_HZ} to {} readings per second per device \
                 (--telemetry-max-rate), not {rate_hz}",
                self.max_rate_hz
            ));
        }
        let total = rate_hz * devices as f64;
        if total > self.max_total_rate {
            return Err(format!(
                "{devices} devices at {rate_hz} Hz make {total} readings per second, over the server's \
                 {} (--telemetry-max-total-rate)",
                self.max_total_rate
            ));
        }
        Ok(())
    }
}

/// What the URL asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct StreamQuery {
    pub devices: usize,
    pub rate_hz: f64,
    pub encoding: Encoding,
    pub seed: u64,
}

impl StreamQuery {
    /// The query string read and checked against the bounds; the reason when it is refused.
    pub(crate) fn parse(query: &str, bounds: &TelemetryConfig) -> Result<StreamQuery, String> {
        let mut asked = StreamQuery {
            devices: DEFAULT_DEVICES,
            rate_hz: DEFAULT_RATE_HZ,
            encoding: DEFAULT_ENCODING,
            seed: DEFAULT_SEED,
        };
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match &*name {
                "devices" => {
                    asked.devices =
                        value.parse().ok().filter(|devices| (1..=bounds.max_devices).contains(devices)).ok_or_else(
                            || {
                                format!(
                                    "devices must be from 1 to {} (--telemetry-max-devices), not {value:?}",
                                    bounds.max_devices
                                )
                            },
                        )?;
                }
                "rate_hz" => {
                    asked.rate_hz = value.parse().map_err(|_| format!("rate_hz must be a number, not {value:?}"))?;
                }
                "encoding" => {
                    asked.encoding = Encoding::parse(&value).ok_or_else(|| {
                        let names: Vec<&str> = Encoding::ALL.iter().map(|encoding| encoding.name()).collect();
                        format!("encoding must be one of {}, not {value:?}", names.join(", "))
                    })?;
                }
                "seed" => {
                    asked.seed = value.parse().map_err(|_| format!("seed must be a whole number, not {value:?}"))?;
                }
                other => {
                    return Err(format!("/ws/telemetry takes devices, rate_hz, encoding and seed, not {other:?}"));
                }
            }
        }
        bounds.check_rate(asked.devices, asked.rate_hz)?;
        Ok(asked)
    }
}

/// What every stream shares.
#[derive(Clone)]
struct Streams {
    bounds: TelemetryConfig,
    close_timeout: Duration,
    idle_timeout: Option<Duration>,
    shutdown: Shutdown,
    next_id: Arc<AtomicU64>,
    metrics: WebSocketMetrics,
}

/// `/ws/telemetry`, behind the guard of every `/ws/` route.
pub(crate) fn router(config: &Config, shutdown: Shutdown) -> Router {
    let admission = guard::Guard::new(config, &shutdown);
    let streams = Streams {
        bounds: config.telemetry,
        close_timeout: config.close_timeout,
        idle_timeout: config.idle_timeout,
        shutdown,
        next_id: Arc::new(AtomicU64::new(1)),
        metrics: config.metrics.websocket(WebSocketEndpoint::Telemetry).clone(),
    };
    Router::new()
        .route("/ws/telemetry", any(open))
        .with_state(streams)
        .layer(axum::middleware::from_fn_with_state(admission, guard::check_upgrade))
}

/// Checks the query and the upgrade, and runs the stream in a task of its own once upgraded.
async fn open(State(streams): State<Streams>, mut request: Request) -> Response {
    // The query first: a plain GET with the same URL (what a page does to learn why its
    // WebSocket was refused, since browsers hide the refusal) gets the same 400 and its reason.
    let asked = match StreamQuery::parse(request.uri().query().unwrap_or(""), &streams.bounds) {
        Ok(asked) => asked,
        Err(reason) => return ApiError::bad_request(reason).into_response(),
    };
    let (response, upgrade) = match handshake::accept_plain(&mut request) {
        Ok(accepted) => accepted,
        Err(refusal) => return refusal.into_response(),
    };
    let stream = Stream {
        id: streams.next_id.fetch_add(1, Ordering::Relaxed),
        client: websocket::client_address(&request),
        asked,
        limits: Limits {
            bounds: streams.bounds,
            close_timeout: streams.close_timeout,
            idle_timeout: streams.idle_timeout,
        },
        // Counted from the handshake on, so shutdown also waits for streams still upgrading.
        _tracked: streams.shutdown.track(),
        shutdown: streams.shutdown.clone(),
        upgrade,
        metrics: streams.metrics.clone(),
    };
    tokio::spawn(stream.run());
    response
}
