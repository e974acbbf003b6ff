//! The server's Prometheus metrics: one registry per server instance, counted where things
//! happen (connections, messages, requests, refusals, latencies) and served on a separate port.
//!
//! The registry is tikv's `prometheus` crate, encoded in the classic text format (0.0.4), with its
//! process collector (`process_resident_memory_bytes`, `process_open_fds`, CPU time, ...). Each
//! [`Metrics`] has a registry of its own, never the crate's global one, so two servers in one
//! process (the tests) count apart.
//!
//! Where each family is counted:
//!
//! - `wirelab_http_connections_{open,accepted_total}{listener}`: at accept, by the plain port's
//!   listener (`head_timeout.rs`) and the TLS port's accept loop (`tls/mod.rs`); the gauge falls
//!   when the connection's stream is dropped.
//! - `wirelab_http_requests_total{route,method,status}` and
//!   `wirelab_http_request_duration_seconds{route}` (to the response head): by [`count_requests`],
//!   the outermost middleware of the app. The route is axum's `MatchedPath` (stamped on the
//!   response by [`stamp_route`], a route layer), `static` for a GET or HEAD the app's files
//!   answered, `unmatched` for the rest (404s, and CORS preflights, which are answered before
//!   routing). A WebSocket upgrade counts here with status 101, and
//!   its time to the 101 is also `wirelab_websocket_handshake_duration_seconds{endpoint}`.
//! - `wirelab_websocket_*{endpoint}`: by each endpoint's connection task: `/ws/echo` and
//!   `/ws/inspect` (`websocket/`), `/ws/tcp` and `/ws/udp` (`bridge/relay.rs`), `/ws/telemetry`
//!   (`telemetry/`), `/mqtt` (`mqtt/websocket.rs`). Messages are data messages (text and binary,
//!   whole messages, not frames; not ping, pong or close), bytes their payloads after inflating.
//!   The hot path takes each endpoint's counters once (a [`WebSocketMetrics`] borrowed for the
//!   connection's life) and does one atomic add per counter per message.
//!   `wirelab_websocket_closes_total{endpoint,code}` is the close code the server sent or echoed;
//!   `1006` counts connections that ended without a close frame.
//! - `wirelab_refusals_total{reason}`: `origin`, `max_connections`, `draining` (the WebSocket
//!   guard, `websocket/guard.rs`, for every `/ws/` route and `/mqtt`), `max_bridges` and
//!   `bridge_target` (`bridge/mod.rs`), `body_too_large` (the httpbin body reader's 413,
//!   `httpbin/mod.rs`): each marks its response with a [`Refusal`] that [`count_requests`]
//!   counts. `message_too_large`: a WebSocket closed with 1009 ([`WebSocketMetrics::closed`]).
//!   `header_timeout`: a connection whose first request head (or TLS handshake) did not arrive in
//!   time (`head_timeout.rs`, `tls/mod.rs`).
//! - `wirelab_ready` (1, or 0 while draining) is read from the shutdown switch at each scrape;
//!   `wirelab_build_info{version}` is 1.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use futures_util::{Sink, Stream};
use pin_project_lite::pin_project;
use prometheus::core::Collector;
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use tokio::net::TcpListener;
use tokio::time::Instant;
use yawc::{Frame, OpCode};

use crate::Shutdown;
use crate::error::ApiError;
use crate::websocket::code;

/// Request latencies to the response head: from a quarter millisecond (a `/get` on loopback) to
/// the longest `/delay` (10 s).
const REQUEST_BUCKETS: &[f64] =
    &[0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// WebSocket handshakes take tens of microseconds here; a bridge's include checking its target.
const HANDSHAKE_BUCKETS: &[f64] = &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0];
/// How long the metrics port waits, after the shutdown, for the app's WebSockets to close, so a
/// scrape during the drain sees them go (the runtime ends sooner when the server is done).
const LAST_SCRAPE_WINDOW: Duration = Duration::from_secs(60);

/// One server instance's metrics. Cloning is cheap; all clones count into one registry.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// The WebSocket endpoints, the `endpoint` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WebSocketEndpoint {
    Echo,
    Inspect,
    Tcp,
    Udp,
    Telemetry,
    Mqtt,
}

impl WebSocketEndpoint {
    const ALL: [WebSocketEndpoint; 6] = [Self::Echo, Self::Inspect, Self::Tcp, Self::Udp, Self::Telemetry, Self::Mqtt];

    /// The route path, which is the label.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Echo => "/ws/echo",
            Self::Inspect => "/ws/inspect",
            Self::Tcp => "/ws/tcp",
            Self::Udp => "/ws/udp",
            Self::Telemetry => "/ws/telemetry",
            Self::Mqtt => "/mqtt",
        }
    }

    fn from_path(path: &str) -> Option<WebSocketEndpoint> {
        Self::ALL.into_iter().find(|endpoint| endpoint.path() == path)
    }
}

/// The two ports that take HTTP connections, the `listener` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListenerKind {
    Http,
    Https,
}

impl ListenerKind {
    fn label(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }
}

/// Why the server turned something away, the `reason` label of `wirelab_refusals_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Origin,
    MaxConnections,
    Draining,
    MaxBridges,
    BridgeTarget,
    BodyTooLarge,
    MessageTooLarge,
    HeaderTimeout,
}

impl Refusal {
    const ALL: [Refusal; 8] = [
        Self::Origin,
        Self::MaxConnections,
        Self::Draining,
        Self::MaxBridges,
        Self::BridgeTarget,
        Self::BodyTooLarge,
        Self::MessageTooLarge,
        Self::HeaderTimeout,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Origin => "origin",
            Self::MaxConnections => "max_connections",
            Self::Draining => "draining",
            Self::MaxBridges => "max_bridges",
            Self::BridgeTarget => "bridge_target",
            Self::BodyTooLarge => "body_too_large",
            Self::MessageTooLarge => "message_too_large",
            Self::HeaderTimeout => "header_timeout",
        }
    }

    /// `response`, marked as this refusal for [`count_requests`] to count.
    pub(crate) fn mark(self, mut response: Response) -> Response {
        response.extensions_mut().insert(self);
        response
    }
}

struct Inner {
    registry: Registry,
    /// In [`WebSocketEndpoint::ALL`]'s order.
    websockets: Vec<WebSocketMetrics>,
    http: ConnectionMetrics,
    https: ConnectionMetrics,
    requests: IntCounterVec,
    request_duration: HistogramVec,
    /// In [`Refusal::ALL`]'s order.
    refusals: Vec<IntCounter>,
    ready: IntGauge,
    /// The switch `wirelab_ready` reads at each scrape.
    readiness: OnceLock<Shutdown>,
}

/// One WebSocket endpoint's counters, taken once per connection.
#[derive(Clone)]
pub(crate) struct WebSocketMetrics {
    endpoint: &'static str,
    messages_in: IntCounter,
    messages_out: IntCounter,
    bytes_in: IntCounter,
    bytes_out: IntCounter,
    open: IntGauge,
    opened: IntCounter,
    handshake: Histogram,
    closes: IntCounterVec,
    message_too_large: IntCounter,
}

impl WebSocketMetrics {
    /// A connection is open until the returned guard is dropped.
    pub(crate) fn opened(&self) -> OpenGuard {
        self.opened.inc();
        OpenGuard::new(&self.open)
    }

    /// A data message of `bytes` from the client.
    #[inline]
    pub(crate) fn received(&self, bytes: usize) {
        self.messages_in.inc();
        self.bytes_in.inc_by(bytes as u64);
    }

    /// A data message of `bytes` to the client.
    #[inline]
    pub(crate) fn sent(&self, bytes: usize) {
        self.messages_out.inc();
        self.bytes_out.inc_by(bytes as u64);
    }

    /// The connection ended with this close code (sent or echoed; 1006: no close frame).
    pub(crate) fn closed(&self, code: u16) {
        self.closes.with_label_values(&[self.endpoint, code.to_string().as_str()]).inc();
        if code == code::MESSAGE_TOO_BIG {
            self.message_too_large.inc();
        }
    }
}

pin_project! {
    /// A WebSocket (yawc's, before it is split) that counts into its endpoint's metrics: open while
    /// it lives, its data messages both ways, and when dropped its close code: the first close
    /// frame sent through it or received (which yawc echoes), else 1006. For the endpoints that
    /// use yawc's message API (`/ws/tcp`, `/ws/udp`, `/ws/telemetry`, `/mqtt`); the echo counts
    /// in its own loop.
    pub(crate) struct Metered<S> {
        #[pin]
        inner: S,
        metrics: WebSocketMetrics,
        close_code: Option<u16>,
        _open: OpenGuard,
    }

    impl<S> PinnedDrop for Metered<S> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.metrics.closed(this.close_code.unwrap_or(code::ABNORMAL));
        }
    }
}

impl<S> Metered<S> {
    pub(crate) fn new(inner: S, metrics: &WebSocketMetrics) -> Metered<S> {
        Metered { inner, metrics: metrics.clone(), close_code: None, _open: metrics.opened() }
    }
}

/// Counts one frame going either way: a data message with `count` (given its payload's size), a
/// close frame's code as the connection's if it is the first (1005 for a close without a code).
fn tally(frame: &Frame, close_code: &mut Option<u16>, count: impl FnOnce(usize)) {
    match frame.opcode() {
        OpCode::Text | OpCode::Binary => count(frame.payload().len()),
        OpCode::Close => {
            close_code.get_or_insert(frame.close_code().map_or(code::NO_STATUS, u16::from));
        }
        _ => {}
    }
}

impl<S: Stream<Item = Frame>> Stream for Metered<S> {
    type Item = Frame;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Frame>> {
        let this = self.project();
        let polled = this.inner.poll_next(cx);
        if let Poll::Ready(Some(frame)) = &polled {
            tally(frame, this.close_code, |bytes| this.metrics.received(bytes));
        }
        polled
    }
}

impl<S: Sink<Frame>> Sink<Frame> for Metered<S> {
    type Error = S::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.project().inner.poll_ready(cx)
    }

    fn start_send(self: Pin<&mut Self>, frame: Frame) -> Result<(), S::Error> {
        let this = self.project();
        tally(&frame, this.close_code, |bytes| this.metrics.sent(bytes));
        this.inner.start_send(frame)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.project().inner.poll_close(cx)
    }
}

/// One listener's connection counters.
#[derive(Clone)]
pub(crate) struct ConnectionMetrics {
    accepted: IntCounter,
    open: IntGauge,
    header_timeouts: IntCounter,
}

impl ConnectionMetrics {
    /// A connection was accepted; it is open until the returned guard is dropped.
    pub(crate) fn accepted(&self) -> OpenGuard {
        self.accepted.inc();
        OpenGuard::new(&self.open)
    }

    /// A connection sent no request head (or TLS handshake) in time.
    pub(crate) fn header_timed_out(&self) {
        self.header_timeouts.inc();
    }
}

/// Holds a gauge one higher while it lives.
pub(crate) struct OpenGuard(IntGauge);

impl OpenGuard {
    fn new(gauge: &IntGauge) -> OpenGuard {
        gauge.inc();
        OpenGuard(gauge.clone())
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Default for Inner {
    fn default() -> Self {
        let registry = Registry::new();
        let family = Families { registry: &registry };
        let messages = family.counters(
            "wirelab_websocket_messages_total",
            "WebSocket data messages (text and binary), by endpoint and direction (in: from the client)",
            &["endpoint", "direction"],
        );
        let bytes = family.counters(
            "wirelab_websocket_bytes_total",
            "Payload bytes of WebSocket data messages, by endpoint and direction",
            &["endpoint", "direction"],
        );
        let open = family.gauges("wirelab_websockets_open", "WebSocket connections open now", &["endpoint"]);
        let opened = family.counters("wirelab_websockets_opened_total", "WebSocket connections opened", &["endpoint"]);
        let closes = family.counters(
            "wirelab_websocket_closes_total",
            "WebSocket connections ended, by the close code the server sent or echoed (1006: without a close frame)",
            &["endpoint", "code"],
        );
        let handshakes = family.histograms(
            "wirelab_websocket_handshake_duration_seconds",
            "Time from a WebSocket upgrade request to its 101 response",
            &["endpoint"],
            HANDSHAKE_BUCKETS,
        );
        let refusals = family.counters(
            "wirelab_refusals_total",
            "Requests, connections and messages turned away, by reason",
            &["reason"],
        );
        let refusals: Vec<IntCounter> =
            Refusal::ALL.iter().map(|reason| refusals.with_label_values(&[reason.label()])).collect();
        let message_too_large = refusals[Refusal::MessageTooLarge as usize].clone();
        let header_timeouts = refusals[Refusal::HeaderTimeout as usize].clone();
        let websockets = WebSocketEndpoint::ALL
            .iter()
            .map(|endpoint| {
                let path = endpoint.path();
                WebSocketMetrics {
                    endpoint: path,
                    messages_in: messages.with_label_values(&[path, "in"]),
                    messages_out: messages.with_label_values(&[path, "out"]),
                    bytes_in: bytes.with_label_values(&[path, "in"]),
                    bytes_out: bytes.with_label_values(&[path, "out"]),
                    open: open.with_label_values(&[path]),
                    opened: opened.with_label_values(&[path]),
                    handshake: handshakes.with_label_values(&[path]),
                    closes: closes.clone(),
                    message_too_large: message_too_large.clone(),
                }
            })
            .collect();
        let connections_open =
            family.gauges("wirelab_http_connections_open", "HTTP connections open now, by listener", &["listener"]);
        let accepted = family.counters(
            "wirelab_http_connections_accepted_total",
            "HTTP connections accepted, by listener",
            &["listener"],
        );
        let listener = |kind: ListenerKind| ConnectionMetrics {
            accepted: accepted.with_label_values(&[kind.label()]),
            open: connections_open.with_label_values(&[kind.label()]),
            header_timeouts: header_timeouts.clone(),
        };
        let (http, https) = (listener(ListenerKind::Http), listener(ListenerKind::Https));
        let requests = family.counters(
            "wirelab_http_requests_total",
            "HTTP requests answered, by route (axum's matched path, static or unmatched), method and status",
            &["route", "method", "status"],
        );
        let request_duration = family.histograms(
            "wirelab_http_request_duration_seconds",
            "Time from a request to its response head, by route",
            &["route"],
            REQUEST_BUCKETS,
        );
        let ready = IntGauge::new("wirelab_ready", "1 while the server takes new traffic, 0 while it drains")
            .unwrap_or_else(|error| unreachable!("a valid gauge: {error}"));
        ready.set(1);
        family.register(ready.clone());
        let build = family.gauges("wirelab_build_info", "The running build: always 1", &["version"]);
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        #[cfg(target_os = "linux")]
        family.register(prometheus::process_collector::ProcessCollector::for_self());
        Inner {
            registry,
            websockets,
            http,
            https,
            requests,
            request_duration,
            refusals,
            ready,
            readiness: OnceLock::new(),
        }
    }
}

/// Makes and registers the families. Their names and labels are constants, so making one only
/// fails on a mistake here, which the tests see as a missing family.
struct Families<'a> {
    registry: &'a Registry,
}

impl Families<'_> {
    fn register<C: Collector + 'static>(&self, collector: C) {
        if let Err(error) = self.registry.register(Box::new(collector)) {
            tracing::error!(%error, "a metric could not be registered");
        }
    }

    fn counters(&self, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
        let family = IntCounterVec::new(Opts::new(name, help), labels)
            .unwrap_or_else(|error| unreachable!("a valid counter family {name}: {error}"));
        self.register(family.clone());
        family
    }

    fn gauges(&self, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
        let family = IntGaugeVec::new(Opts::new(name, help), labels)
            .unwrap_or_else(|error| unreachable!("a valid gauge family {name}: {error}"));
        self.register(family.clone());
        family
    }

    fn histograms(&self, name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
        let family = HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets.to_vec()), labels)
            .unwrap_or_else(|error| unreachable!("a valid histogram family {name}: {error}"));
        self.register(family.clone());
        family
    }
}

impl Metrics {
    /// Everything counted so far, in the Prometheus text format (version 0.0.4).
    pub fn encode(&self) -> String {
        let inner = &self.inner;
        if let Some(shutdown) = inner.readiness.get() {
            inner.ready.set(i64::from(!shutdown.is_draining()));
        }
        TextEncoder::new().encode_to_string(&inner.registry.gather()).unwrap_or_else(|error| {
            tracing::error!(%error, "the metrics could not be encoded");
            String::new()
        })
    }

    /// Makes `wirelab_ready` follow `shutdown`'s draining (the first switch given wins).
    pub(crate) fn watch_readiness(&self, shutdown: &Shutdown) {
        let _ = self.inner.readiness.set(shutdown.clone());
    }

    /// One WebSocket endpoint's counters.
    pub(crate) fn websocket(&self, endpoint: WebSocketEndpoint) -> &WebSocketMetrics {
        let index = WebSocketEndpoint::ALL.iter().position(|each| *each == endpoint).unwrap_or_default();
        &self.inner.websockets[index]
    }

    /// One listener's connection counters.
    pub(crate) fn connections(&self, listener: ListenerKind) -> ConnectionMetrics {
        match listener {
            ListenerKind::Http => self.inner.http.clone(),
            ListenerKind::Https => self.inner.https.clone(),
        }
    }

    fn count(&self, method: &Method, response: &Response, elapsed: Duration) {
        let inner = &self.inner;
        let status = response.status();
        let route = match response.extensions().get::<MatchedPath>() {
            Some(matched) => matched.as_str(),
            // The app's files (and the SPA fallback's index.html) answer GET and HEAD.
            None if matches!(*method, Method::GET | Method::HEAD) && status != StatusCode::NOT_FOUND => "static",
            // Paths nothing serves, and CORS preflights (answered before routing).
            None => "unmatched",
        };
        inner.requests.with_label_values(&[route, method_label(method), status.as_str()]).inc();
        let seconds = elapsed.as_secs_f64();
        inner.request_duration.with_label_values(&[route]).observe(seconds);
        if status == StatusCode::SWITCHING_PROTOCOLS
            && let Some(endpoint) = WebSocketEndpoint::from_path(route)
        {
            self.websocket(endpoint).handshake.observe(seconds);
        }
        if let Some(refusal) = response.extensions().get::<Refusal>() {
            inner.refusals[*refusal as usize].inc();
        }
    }
}

/// The `method` label: the common methods by name, anything else as `other`, so a client cannot
/// grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The outermost middleware: counts every request by route, method and status, its time to the
/// response head, the handshake time of a WebSocket upgrade, and the refusal it was, if any.
pub(crate) async fn count_requests(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.run(request).await;
    metrics.count(&method, &response, started.elapsed());
    response
}

/// A route layer: copies the route that matched onto the response, for [`count_requests`] (which
/// runs outside the router, before the route is known).
pub(crate) async fn stamp_route(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(matched);
    }
    response
}

/// `/metrics` on the app's port: a 404 saying where the metrics are, so a scraper pointed at the
/// wrong port learns it instead of getting the app's page (the SPA fallback answers any path).
pub(crate) fn app_router() -> Router {
    Router::new().route("/metrics", any(elsewhere))
}

async fn elsewhere() -> ApiError {
    ApiError::not_found(
        "the metrics are not served on the app's port: start the server with --metrics-port PORT and scrape \
         http://127.0.0.1:PORT/metrics",
    )
}

/// Serves `GET /metrics` on `listener` until `shutdown` has finished closing the app's
/// connections, so the last scrape sees the drain.
pub async fn serve_metrics(listener: TcpListener, metrics: Metrics, shutdown: Shutdown) -> io::Result<()> {
    metrics.watch_readiness(&shutdown);
    let app = Router::new().route("/metrics", get(scrape)).with_state(metrics);
    let until = async move {
        shutdown.triggered().await;
        shutdown.wait_for_connections(Instant::now() + LAST_SCRAPE_WINDOW).await;
    };
    axum::serve(listener, app).with_graceful_shutdown(until).await
}

async fn scrape(State(metrics): State<Metrics>) -> Response {
    let body = metrics.encode();
    ([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_common_set_share_one_label() {
        let cases = [
            (Method::GET, "GET"),
            (Method::HEAD, "HEAD"),
            (Method::POST, "POST"),
            (Method::OPTIONS, "OPTIONS"),
            (Method::TRACE, "other"),
            (Method::from_bytes(b"BREW").unwrap_or(Method::CONNECT), "other"),
        ];
        for (method, label) in cases {
            assert_eq!(method_label(&method), label, "{method}");
        }
    }

    #[test]
    fn endpoints_are_found_by_their_route() {
        for endpoint in WebSocketEndpoint::ALL {
            assert_eq!(WebSocketEndpoint::from_path(endpoint.path()), Some(endpoint));
        }
        assert_eq!(WebSocketEndpoint::from_path("/ws/"), None);
    }
}
