//! The JSON API: `/api/info` tells the app the server's version, limits, endpoints and built-in
//! peers (the app shows them as a table); other `/api` paths 404.

use axum::extract::State;
use axum::http::Uri;
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Serialize;

use crate::error::ApiError;
use crate::httpbin::ROUTES;
use crate::mqtt::MqttAdvert;
use crate::{Config, Peer, Peers, TlsIdentity};

/// The body of `GET /api/info`.
#[derive(Clone, Debug, Serialize)]
struct Info {
    name: &'static str,
    version: &'static str,
    max_message_bytes: usize,
    max_body_bytes: usize,
    max_delay_seconds: f64,
    endpoints: Vec<Endpoint>,
    /// The built-in peers: `{name, protocol, transport, host, port}` each; empty when they are off.
    peers: Vec<Peer>,
    /// The TLS port and its certificate's fingerprints; `null` without `--tls-port`.
    tls: Option<TlsAdvert>,
    /// The MQTT broker: loopback port, WebSocket path, versions, device topic; `null` with `--no-mqtt`.
    mqtt: Option<MqttAdvert>,
}

/// `/api/info`'s `tls`: where the app finds HTTPS/WSS, and how to recognise the certificate.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TlsAdvert {
    pub port: u16,
    /// SHA-256 of the certificate, `AB:CD:...`.
    pub certificate_sha256: String,
    /// SHA-256 of its public key, base64 (Chromium's `--ignore-certificate-errors-spki-list`).
    pub spki_sha256_base64: String,
}

impl TlsAdvert {
    pub(crate) fn new(port: u16, identity: &TlsIdentity) -> TlsAdvert {
        TlsAdvert {
            port,
            certificate_sha256: identity.certificate_sha256.clone(),
            spki_sha256_base64: identity.spki_sha256_base64.clone(),
        }
    }
}

/// One endpoint the app can use.
#[derive(Clone, Debug, Serialize)]
struct Endpoint {
    path: &'static str,
    /// `websocket` or `http`.
    kind: &'static str,
    /// What it is for: `websocket`, `bridge`, `request`, `status`, `dynamic`, `redirects`, `auth`,
    /// `formats`.
    group: &'static str,
    /// The methods it answers: `GET`, `POST`, ... or `any`.
    methods: &'static str,
    description: &'static str,
}

pub(crate) fn router(config: &Config, peers: &Peers, tls: Option<TlsAdvert>, mqtt: Option<MqttAdvert>) -> Router {
    let websocket = Endpoint {
        path: "/ws/echo",
        kind: "websocket",
        group: "websocket",
        methods: "GET",
        description: "Echoes every text and binary message back unchanged; answers pings \
                      and echoes the client's close code. Knobs in the query: delay_ms, fragment, \
                      close_after, close_code, close_reason, ping_ms, subprotocol, compress",
    };
    let inspect = Endpoint {
        path: "/ws/inspect",
        kind: "websocket",
        group: "websocket",
        methods: "GET",
        description: "The echo (same knobs), plus a JSON report of the handshake first and, after \
                      each echo, of the frames that carried the client's message",
    };
    let tcp = Endpoint {
        path: "/ws/tcp?to={target}",
        kind: "websocket",
        group: "bridge",
        methods: "GET",
        description: "A TCP connection the server opens to a built-in peer (echo, smtp, pop3, ftp) or \
                      an --allow-connect HOST:PORT: binary messages carry its bytes both ways, text \
                      messages are JSON events (connected, data, peer_fin, reset, timeout, closed...); \
                      send {\"command\":\"shutdown_write\"} for FIN",
    };
    let udp = Endpoint {
        path: "/ws/udp?to={target}",
        kind: "websocket",
        group: "bridge",
        methods: "GET",
        description: "A UDP socket the server opens to a built-in peer (echo) or an --allow-connect \
                      HOST:PORT: one binary message per datagram both ways, JSON events in text messages",
    };
    let telemetry = Endpoint {
        path: "/ws/telemetry?devices={n}&rate_hz={r}&encoding={e}",
        kind: "websocket",
        group: "iot",
        methods: "GET",
        description: "Readings of N simulated IoT devices (temperature, humidity, battery, faults), R per second \
                      each, one per binary message in json, xml, protobuf (TelemetryReading in /protobuf.proto), \
                      msgpack or cbor; JSON status text messages with sent and dropped counts; send \
                      {\"encoding\":\"cbor\"}, {\"rate_hz\":50} or {\"paused\":true} to change the stream",
    };
    let mqtt_websocket = Endpoint {
        path: "/mqtt",
        kind: "websocket",
        group: "mqtt",
        methods: "GET",
        description: "MQTT 3.1.1 and 5 over WebSocket (subprotocol mqtt) to the embedded broker, the same broker \
                      as the loopback port under \"mqtt\"; binary messages carry the MQTT byte stream",
    };
    let tls_info = Endpoint {
        path: "/tls/info",
        kind: "http",
        group: "tls",
        methods: "GET",
        description: "Over HTTPS: this connection's TLS version, cipher suite, key exchange group, ALPN, SNI, \
                      HTTP version, and the ClientHello the client sent (hex) with its JA3 and JA4; over plain \
                      HTTP, 400 with the https URL",
    };
    let captures = Endpoint {
        path: "/api/captures/{id}.pcap",
        kind: "http",
        group: "captures",
        methods: "GET",
        description: "A session the server saw whole (an /ws/inspect WebSocket, a bridge's TCP or UDP \
                      exchange) as a .pcap for Wireshark and tshark; the id is in /ws/inspect's handshake \
                      report and the bridge's connected event; 404 once the server has dropped it \
                      (--capture-sessions)",
    };
    let http = ROUTES.iter().map(|route| Endpoint {
        path: route.path,
        kind: "http",
        group: route.group,
        methods: route.methods,
        description: route.description,
    });
    let info = Info {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        max_message_bytes: config.max_message_bytes,
        max_body_bytes: config.max_body_bytes,
        max_delay_seconds: config.max_delay.as_secs_f64(),
        endpoints: [websocket, inspect, tcp, udp, telemetry, mqtt_websocket, tls_info, captures]
            .into_iter()
            .chain(http)
            .collect(),
        peers: peers.all().to_vec(),
        tls,
        mqtt,
    };
    Router::new()
        .route("/api/info", get(get_info))
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .with_state(info)
}

async fn get_info(State(info): State<Info>) -> Json<Info> {
    Json(info)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no API endpoint at {}", uri.path()))
}
