//! Wirelab's native server as a library, so `main.rs` stays CLI glue and tests can run the real app.
//!
//! The server serves the built yew app (trunk's `dist/`), a JSON description of itself at
//! `/api/info`, a WebSocket echo endpoint at `/ws/echo` and httpbin-style HTTP test endpoints
//! (`/anything`, `/status/{codes}`, `/delay/{seconds}`, ...) that the app's lab pages talk to.
//! Every route answers cross-origin requests (see `cors.rs`). Beside the HTTP server, [`serve`]
//! starts the built-in peers on loopback (echo, SMTP, POP3, FTP: see `peers/`), listed in
//! `/api/info` and found by name through [`Peers::find`]. With a TLS port ([`serve_with_tls`],
//! `tls/`), the same app is served over HTTPS and WSS too, HTTP/2 or HTTP/1.1 by ALPN.

mod bridge;
mod capture;
pub mod cli;
mod cors;
mod error;
mod forwarded;
mod head_timeout;
mod health;
mod httpbin;
mod info;
mod memory;
mod metrics;
pub mod mqtt;
mod peers;
mod shutdown;
mod static_files;
mod telemetry;
pub mod tls;
mod websocket;

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::time::{Instant, timeout_at};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::{DefaultOnFailure, TraceLayer};

pub use bridge::{
    BridgeConfig, DEFAULT_BRIDGE_CONNECT_TIMEOUT, DEFAULT_BRIDGE_IDLE_TIMEOUT, DEFAULT_BRIDGE_MAX_BYTES,
    DEFAULT_MAX_BRIDGES,
};
pub use capture::{
    CaptureConfig, DEFAULT_CAPTURE_SESSION_BYTES, DEFAULT_CAPTURE_SESSIONS, DEFAULT_CAPTURE_TOTAL_BYTES,
};
pub use forwarded::TrustedProxies;
pub use head_timeout::HeadTimeoutListener;
pub use httpbin::formats::sample_reading;
pub use httpbin::proto;
pub use metrics::{Metrics, serve_metrics};
pub use mqtt::{MqttBroker, MqttConfig};
pub use peers::{
    DEFAULT_FTP_MAX_UPLOAD_BYTES, DEFAULT_FTP_PASSIVE_PORTS, DEFAULT_MAILBOX_CAPACITY, DEFAULT_MAX_MAIL_BYTES,
    DEFAULT_PEER_IDLE_TIMEOUT, PEER_HOST, Peer, PeerPorts, Peers, PeersConfig, Transport,
};
pub use shutdown::{Shutdown, wait_for_signal};
pub use telemetry::{
    DEFAULT_TELEMETRY_MAX_DEVICES, DEFAULT_TELEMETRY_MAX_RATE_HZ, DEFAULT_TELEMETRY_MAX_TOTAL_RATE,
    DEFAULT_TELEMETRY_QUEUE, TelemetryConfig,
};
pub use tls::{CertificateSource, TlsIdentity, TlsListener};
pub use websocket::{DeflateConfig, OriginPolicy};

/// The default limit on one WebSocket message (and one frame): 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// The default limit on one HTTP request body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The default cap on open WebSocket connections; more get 503 before the upgrade.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// The default time a connection has to send its first request head (slowloris defence).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default silence after which a WebSocket client is pinged (and, as long again, closed).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default time the server's writes may stay stuck on a client that reads nothing.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default cap on the waits `/delay` and `/drip` may be asked for: 10 seconds.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);

/// Everything the app needs to know that is not about binding a socket.
#[derive(Clone, Debug)]
pub struct Config {
    /// The directory holding the built app (`index.html`, the `.wasm`, ...).
    pub static_dir: PathBuf,
    /// The largest WebSocket message or frame accepted; larger ones are closed with 1009.
    pub max_message_bytes: usize,
    /// How long a WebSocket close handshake may take before the server drops the connection.
    pub close_timeout: Duration,
    /// How long [`serve`] waits, after shutdown is triggered, for connections to finish.
    pub shutdown_timeout: Duration,
    /// The largest request body the HTTP endpoints read; larger ones get 413.
    pub max_body_bytes: usize,
    /// The longest wait `/delay` and `/drip` may be asked for; longer ones get 400.
    pub max_delay: Duration,
    /// Seeds the random choices of `/status` lists and unseeded `/bytes`; `None` seeds from the
    /// OS. Tests set it to make outcomes repeatable.
    pub random_seed: Option<u64>,
    /// permessage-deflate on `/ws/echo`: accepted or not, window size, context takeover.
    pub deflate: DeflateConfig,
    /// Open WebSocket connections allowed at once; an upgrade over the cap gets 503.
    pub max_connections: usize,
    /// Page origins allowed to open WebSockets (the server's own and loopback always are).
    pub origins: OriginPolicy,
    /// How long a new connection may take to send its first request head.
    pub header_read_timeout: Duration,
    /// A WebSocket client silent this long gets a ping; silent as long again, a 1001 close.
    /// `None` never times out.
    pub idle_timeout: Option<Duration>,
    /// How long data the server has written may stay unsent because the client reads nothing
    /// (or unacknowledged) before the connection is dropped: TCP_USER_TIMEOUT, Linux only.
    /// `None` leaves the system's default (about 15 minutes of retransmissions, and no limit on
    /// a zero window).
    pub write_timeout: Option<Duration>,
    /// The built-in peers (echo, SMTP, POP3, FTP): on or off, their ports and limits.
    pub peers: PeersConfig,
    /// The TCP/UDP bridge (`/ws/tcp`, `/ws/udp`): the targets it may reach beside the built-in
    /// peers, and its limits.
    pub bridge: BridgeConfig,
    /// `/ws/telemetry`'s bounds: devices, rates, and the queue in front of a slow client.
    pub telemetry: TelemetryConfig,
    /// The embedded MQTT broker (loopback TCP port, `/mqtt`) and its simulated devices.
    pub mqtt: MqttConfig,
    /// The sessions kept as captures (`/ws/inspect`, the bridge) for `/api/captures/{id}.pcap`.
    pub capture: CaptureConfig,
    /// This instance's metrics registry: every part of the app counts into it, and
    /// [`serve_metrics`] serves it. A fresh one by default, so two servers in one process (tests)
    /// count apart.
    pub metrics: Metrics,
    /// The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (`--trusted-proxy`);
    /// none by default.
    pub trusted_proxies: TrustedProxies,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            static_dir: PathBuf::from("dist"),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            close_timeout: Duration::from_secs(2),
            shutdown_timeout: Duration::from_secs(4),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_delay: DEFAULT_MAX_DELAY,
            random_seed: None,
            deflate: DeflateConfig::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            origins: OriginPolicy::default(),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            write_timeout: Some(DEFAULT_WRITE_TIMEOUT),
            peers: PeersConfig::default(),
            bridge: BridgeConfig::default(),
            telemetry: TelemetryConfig::default(),
            mqtt: MqttConfig::default(),
            capture: CaptureConfig::default(),
            metrics: Metrics::default(),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

/// Builds the whole HTTP app: API, httpbin endpoints, WebSocket echo and static files, with
/// CORS and `Timing-Allow-Origin` on every response.
///
/// WebSocket connections watch `shutdown` and close with 1001 when it is triggered.
///
/// The app knows no built-in peers (`/api/info` lists none): [`serve`] uses [`app_with_peers`].
pub fn app(config: &Config, shutdown: Shutdown) -> Router {
    app_with_peers(config, shutdown, Arc::new(Peers::none()))
}

/// [`app`] with the directory of the running built-in peers, which [`serve`] starts before it
/// builds the app. `/api/info` lists them, and routes that reach a peer by name (the bridge)
/// take `peers` and look it up with [`Peers::find`].
pub fn app_with_peers(config: &Config, shutdown: Shutdown, peers: Arc<Peers>) -> Router {
    app_with_tls(config, shutdown, peers, None, None)
}

/// [`app_with_peers`] that knows the server's TLS port (`/api/info` shows it, `/tls/info` over
/// plain HTTP points to it).
/// With the running MQTT broker (`mqtt`), `/api/info` shows it and `/mqtt` pipes to it.
fn app_with_tls(
    config: &Config,
    shutdown: Shutdown,
    peers: Arc<Peers>,
    tls: Option<info::TlsAdvert>,
    mqtt: Option<&MqttBroker>,
) -> Router {
    // Compression covers the API, the httpbin endpoints and the app's files; the WebSocket route
    // stays outside it. Streamed bodies (`/bytes`, `/drip`: octet-stream; `/stream`: NDJSON) are
    // not compressed, so their chunks are not held back in the encoder (and random bytes would
    // not shrink anyway); `/gzip` sets its own Content-Encoding, which the layer respects. The
    // app's files are compressed at build time; only a dist without those copies is compressed here.
    let compress_when = DefaultPredicate::new()
        .and(NotForContentType::const_new(httpbin::OCTET_STREAM))
        .and(NotForContentType::const_new(httpbin::NDJSON))
        .and(static_files::not_from_precompressed_dist);
    let tls_port = tls.as_ref().map(|advert| advert.port);
    let captures = capture::Captures::new(config.capture);
    let routes = info::router(config, &peers, tls, mqtt.map(MqttBroker::advert))
        .merge(tls::route::router(tls_port))
        .merge(peers::router(&peers))
        .merge(httpbin::router(config))
        .merge(static_files::router(&config.static_dir))
        .layer(CompressionLayer::new().compress_when(compress_when))
        .merge(capture::router(captures.clone()))
        .merge(bridge::router(config, shutdown.clone(), peers, captures.clone()))
        .merge(telemetry::router(config, shutdown.clone()))
        .merge(mqtt::websocket::router(config, shutdown.clone(), mqtt.map(MqttBroker::address)))
        .merge(websocket::router(config, shutdown.clone(), captures))
        .merge(health::router(shutdown.clone()))
        .merge(metrics::app_router())
        .route_layer(axum::middleware::from_fn(metrics::stamp_route));
    config.metrics.watch_readiness(&shutdown);
    cors::wrap(routes)
        .layer(axum::middleware::from_fn_with_state(shutdown, health::close_while_draining))
        // A 5xx here is mostly asked for (/status/503, a draining /readyz): not an error to log.
        // The metrics count every status by route.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)))
        .layer(axum::middleware::from_fn_with_state(config.metrics.clone(), metrics::count_requests))
}

/// Serves [`app`] on `listener` until `shutdown` is triggered, then shuts down gracefully.
///
/// After the trigger it stops accepting, lets every WebSocket send its 1001 close and wait for the
/// client's answer, and returns after at most `config.shutdown_timeout` whatever clients do.
///
/// The built-in peers (`config.peers`) are started first, on loopback, and stop on the same
/// trigger; a peer port that is taken fails the start.
pub async fn serve(listener: TcpListener, config: Config, shutdown: Shutdown) -> io::Result<()> {
    serve_with_tls(listener, None, config, shutdown).await
}

/// [`serve`], and the same app on `tls` (HTTPS and WSS) when given, until the same shutdown.
pub async fn serve_with_tls(
    listener: TcpListener,
    tls: Option<TlsListener>,
    config: Config,
    shutdown: Shutdown,
) -> io::Result<()> {
    let peers = Arc::new(Peers::start(&config.peers, &shutdown).await?);
    let mqtt = MqttBroker::start(&config.mqtt, &shutdown).await?;
    let advert = match &tls {
        Some(tls) => Some(info::TlsAdvert::new(tls.listener.local_addr()?.port(), &tls.identity)),
        None => None,
    };
    let app = app_with_tls(&config, shutdown.clone(), Arc::clone(&peers), advert, mqtt.as_ref());
    let limits =
        tls::ConnectionLimits { header_read_timeout: config.header_read_timeout, write_timeout: config.write_timeout };
    let https_metrics = config.metrics.connections(metrics::ListenerKind::Https);
    let mut https = tls.map(|tls| tokio::spawn(tls::serve(tls, app.clone(), limits, https_metrics, shutdown.clone())));
    let stop = shutdown.clone();
    // `tap_io` (a no-op here) is what lets axum's ConnectInfo<SocketAddr> see through the wrapper.
    let listener = HeadTimeoutListener::new(listener, config.header_read_timeout)
        .with_write_timeout(config.write_timeout)
        .with_metrics(config.metrics.connections(metrics::ListenerKind::Http))
        .tap_io(|_| ());
    let http = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move { stop.triggered().await });
    let mut http = tokio::spawn(http.into_future());
    tokio::spawn(memory::give_back_after_closes(shutdown.clone()));

    // The plain port may finish its graceful shutdown before this task sees the trigger: its
    // result is kept, and the rest of the shutdown (WebSockets, peers, the TLS port) still runs.
    let mut http_ended = None;
    tokio::select! {
        joined = &mut http => {
            if !shutdown.is_triggered() {
                return flatten(joined);
            }
            http_ended = Some(joined);
        }
        () = shutdown.triggered() => {}
    }

    let deadline = Instant::now() + config.shutdown_timeout;
    tracing::info!(
        websockets = shutdown.open_connections(),
        "shutting down: no new connections, closing WebSockets with 1001"
    );
    if !shutdown.wait_for_connections(deadline).await {
        tracing::warn!(
            websockets = shutdown.open_connections(),
            "WebSockets still open at the shutdown deadline; dropping them"
        );
    }
    if !peers.stopped(deadline).await {
        tracing::warn!("built-in peers still running at the shutdown deadline");
    }
    if let Some(mqtt) = &mqtt
        && !mqtt.stopped(deadline).await
    {
        tracing::warn!("MQTT devices or clients still connected at the shutdown deadline");
    }
    if let Some(https) = https.as_mut()
        && timeout_at(deadline, &mut *https).await.is_err()
    {
        tracing::warn!("TLS connections still open at the shutdown deadline; dropping them");
        https.abort();
    }
    let http_ended = match http_ended {
        Some(joined) => Ok(joined),
        None => timeout_at(deadline, &mut http).await,
    };
    match http_ended {
        Ok(joined) => flatten(joined)?,
        Err(_) => {
            tracing::warn!("HTTP connections still open at the shutdown deadline; dropping them");
            http.abort();
        }
    }
    tracing::info!("shutdown complete");
    Ok(())
}

fn flatten(joined: Result<io::Result<()>, tokio::task::JoinError>) -> io::Result<()> {
    joined.map_err(io::Error::other)?
}
