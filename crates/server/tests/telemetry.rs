//! `/ws/telemetry` over real sockets with tokio-tungstenite as the client: every encoding read
//! with its reference library (serde_json, quick-xml, prost with the types generated from the
//! schema `/protobuf.proto` serves, rmp-serde, ciborium), encoding, rate and pause changed on the
//! open stream, a client that stops reading (drops counted, memory flat), the bounds (400) and
//! the shutdown (1001).

mod support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use serde::Deserialize;
use support::{TestServer, send, within};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, client_async, connect_async};
use wire::telemetry::{ClientControl, Encoding, ServerStatus, decode};
use wirelab_server::proto::TelemetryReading;
use wirelab_server::{Config, PeersConfig, Shutdown, TelemetryConfig, app};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The memory test reads the process's RSS: the other tests of this file wait for it.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

fn config(telemetry: TelemetryConfig) -> Config {
    Config {
        static_dir: "/nonexistent/wirelab-test-dist".into(),
        peers: PeersConfig { enabled: false, ..PeersConfig::default() },
        telemetry,
        ..Config::default()
    }
}

/// A reading as the test reads it with the reference libraries: its own type, not wire's, and
/// strict about the field names.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ReferenceReading {
    device: String,
    seq: u64,
    sent_at_us: u64,
    temperature_c: f64,
    humidity_percent: f64,
    battery_percent: f64,
    #[serde(default)]
    fault: Option<String>,
}

impl From<TelemetryReading> for ReferenceReading {
    fn from(message: TelemetryReading) -> Self {
        ReferenceReading {
            device: message.device,
            seq: message.seq,
            sent_at_us: message.sent_at_us,
            temperature_c: message.temperature_c,
            humidity_percent: message.humidity_percent,
            battery_percent: message.battery_percent,
            fault: message.fault,
        }
    }
}

/// `bytes` read with the encoding's reference library.
fn reference_decode(encoding: Encoding, bytes: &[u8]) -> Result<ReferenceReading, String> {
    match encoding {
        Encoding::Json => serde_json::from_slice(bytes).map_err(|error| error.to_string()),
        Encoding::Xml => {
            let text = std::str::from_utf8(bytes).map_err(|error| error.to_string())?;
            if !text.starts_with("<reading>") {
                return Err(format!("not a <reading> element: {text}"));
            }
            quick_xml::de::from_str(text).map_err(|error| error.to_string())
        }
        Encoding::Protobuf => {
            TelemetryReading::decode(bytes).map(ReferenceReading::from).map_err(|error| error.to_string())
        }
        Encoding::Msgpack => {
            // A map with field names (fixmap of 6 or 7 entries), not an array.
            if !matches!(bytes.first(), Some(0x86 | 0x87)) {
                return Err(format!("not a MessagePack map of 6 or 7 fields: {bytes:02x?}"));
            }
            rmp_serde::from_slice(bytes).map_err(|error| error.to_string())
        }
        Encoding::Cbor => {
            if !matches!(bytes.first(), Some(0xa6 | 0xa7)) {
                return Err(format!("not a CBOR map of 6 or 7 fields: {bytes:02x?}"));
            }
            ciborium::from_reader(bytes).map_err(|error| error.to_string())
        }
    }
}

fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_micros() as u64)
}

async fn open(server: &TestServer, query: &str) -> Client {
    let url = server.url(&format!("/ws/telemetry?{query}"));
    match within("the telemetry upgrade", connect_async(url)).await {
        Ok((client, _)) => client,
        Err(error) => panic!("{query}: {error}"),
    }
}

/// What the next message is.
#[derive(Debug)]
enum Received {
    Reading(Vec<u8>),
    Status(ServerStatus),
    Closed(Option<u16>),
}

async fn next(client: &mut Client) -> Received {
    loop {
        let message = match within("the next message", client.next()).await {
            Some(Ok(message)) => message,
            Some(Err(error)) => panic!("the stream failed: {error}"),
            None => return Received::Closed(None),
        };
        match message {
            Message::Binary(bytes) => return Received::Reading(bytes.to_vec()),
            Message::Text(text) => match ServerStatus::parse(&text) {
                Ok(status) => return Received::Status(status),
                Err(diagnostic) => panic!("not a status ({diagnostic}): {text}"),
            },
            Message::Close(frame) => return Received::Closed(frame.map(|frame| u16::from(frame.code))),
            _ => {}
        }
    }
}

/// Readings (as bytes) until `count` have come, and the statuses met on the way.
async fn readings(client: &mut Client, count: usize) -> (Vec<Vec<u8>>, Vec<ServerStatus>) {
    let (mut readings, mut statuses) = (Vec::new(), Vec::new());
    while readings.len() < count {
        match next(client).await {
            Received::Reading(bytes) => readings.push(bytes),
            Received::Status(status) => statuses.push(status),
            Received::Closed(code) => panic!("closed ({code:?}) after {} readings", readings.len()),
        }
    }
    (readings, statuses)
}

/// Messages until a status that `wanted` accepts; the readings before it.
async fn until_status(client: &mut Client, wanted: impl Fn(&ServerStatus) -> bool) -> (ServerStatus, Vec<Vec<u8>>) {
    let mut before = Vec::new();
    loop {
        match next(client).await {
            Received::Reading(bytes) => before.push(bytes),
            Received::Status(status) if wanted(&status) => return (status, before),
            Received::Status(_) => {}
            Received::Closed(code) => panic!("closed ({code:?}) before the status"),
        }
    }
}

async fn control(client: &mut Client, control: &ClientControl) {
    within("a control message", client.send(Message::text(control.to_json()))).await.expect("the control is sent");
}

fn status_of(status: &ServerStatus) -> (Encoding, f64, bool, u64, u64) {
    match status {
        ServerStatus::Status { encoding, rate_hz, paused, sent, dropped, .. } => {
            (*encoding, *rate_hz, *paused, *sent, *dropped)
        }
        ServerStatus::Error { message } => panic!("an error status: {message}"),
    }
}

#[tokio::test]
async fn every_encoding_reads_with_its_reference_library() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start(config(TelemetryConfig::default())).await;
    // The schema /protobuf.proto serves has the message the test's prost types were made from.
    let schema = send(
        &app(&config(TelemetryConfig::default()), Shutdown::new()),
        Request::get("/protobuf.proto").body(Body::empty()).unwrap(),
    )
    .await;
    assert!(schema.text().contains("message TelemetryReading {"), "{}", schema.text());

    let devices = 3;
    for encoding in Encoding::ALL {
        let opened_at = now_us();
        let mut client = open(&server, &format!("devices={devices}&rate_hz=40&encoding={}", encoding.name())).await;
        let (messages, _) = readings(&mut client, 4 * devices).await;
        let received_at = now_us();
        for (index, bytes) in messages.iter().enumerate() {
            let reading =
                reference_decode(encoding, bytes).unwrap_or_else(|error| panic!("{encoding:?} #{index}: {error}"));
            // The stream's order: device after device, each from seq 0.
            let expected_device = format!("sensor-{:02}", index % devices + 1);
            assert_eq!(
                (reading.device.as_str(), reading.seq),
                (expected_device.as_str(), (index / devices) as u64),
                "{encoding:?}"
            );
            assert!(
                (opened_at..=received_at).contains(&reading.sent_at_us),
                "{encoding:?}: sent_at_us {} outside the test's clock",
                reading.sent_at_us
            );
            assert!(
                (10.0..=35.0).contains(&reading.temperature_c)
                    && (0.0..=100.0).contains(&reading.humidity_percent)
                    && (0.0..=100.0).contains(&reading.battery_percent),
                "{encoding:?}: {reading:?}"
            );
            // wire::telemetry reads the same reading.
            let wire_reading =
                decode(encoding, bytes).unwrap_or_else(|diagnostic| panic!("{encoding:?}: {diagnostic}"));
            assert_eq!(
                (wire_reading.device, wire_reading.seq, wire_reading.sent_at_us, wire_reading.temperature_c),
                (reading.device, reading.seq, reading.sent_at_us, reading.temperature_c)
            );
        }
        let sizes: Vec<usize> = messages.iter().map(Vec::len).collect();
        eprintln!("{:>11}: bytes per reading {sizes:?}", encoding.label());
        let _ = client.close(None).await;
    }
}

#[tokio::test]
async fn encoding_rate_and_pause_change_on_the_open_stream() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start(config(TelemetryConfig::default())).await;
    let mut client = open(&server, "devices=2&rate_hz=5").await;
    let (before, _) = readings(&mut client, 2).await;
    assert!(before.iter().all(|bytes| reference_decode(Encoding::Json, bytes).is_ok()));

    // Encoding and rate together: from the status that says so on, every reading is CBOR, at
    // 2 devices × 200 Hz by the server's own stamps.
    control(&mut client, &ClientControl { encoding: Some(Encoding::Cbor), rate_hz: Some(200.0), paused: None }).await;
    let (changed, _) = until_status(&mut client, |status| status_of(status).0 == Encoding::Cbor).await;
    assert_eq!(status_of(&changed).1, 200.0);
    let (after, _) = readings(&mut client, 600).await;
    let decoded: Vec<ReferenceReading> = after
        .iter()
        .map(|bytes| {
            reference_decode(Encoding::Cbor, bytes).unwrap_or_else(|error| panic!("after the change: {error}"))
        })
        .collect();
    let window = (decoded[500].sent_at_us - decoded[100].sent_at_us) as f64 / 1e6;
    let rate = 400.0 / window;
    eprintln!("readings per second after asking for 2 × 200: {rate:.0}");
    assert!((300.0..=500.0).contains(&rate), "{rate} readings per second, asked for 400");

    // Paused: a status says so, then no readings; resumed, the seqs go on where they stopped.
    control(&mut client, &ClientControl { paused: Some(true), ..ClientControl::default() }).await;
    let (_, in_flight) = until_status(&mut client, |status| status_of(status).2).await;
    let last_seq = in_flight
        .last()
        .or(after.last())
        .and_then(|bytes| reference_decode(Encoding::Cbor, bytes).ok())
        .map(|reading| reading.seq);
    let quiet = tokio::time::timeout(Duration::from_millis(600), async {
        loop {
            if let Received::Reading(bytes) = next(&mut client).await {
                return bytes;
            }
        }
    })
    .await;
    assert!(quiet.is_err(), "a reading came while paused: {quiet:?}");
    control(&mut client, &ClientControl { paused: Some(false), ..ClientControl::default() }).await;
    let (resumed, _) = readings(&mut client, 1).await;
    let first_seq = reference_decode(Encoding::Cbor, &resumed[0]).map(|reading| reading.seq).ok();
    assert!(first_seq >= last_seq && first_seq <= last_seq.map(|seq| seq + 1), "seq {first_seq:?} after {last_seq:?}");

    // Bad control messages get an error status, and the stream goes on.
    let bad = [
        ("nonsense", "not a control message"),
        (r#"{"rate_hz":5000}"#, "--telemetry-max-rate"),
        (r#"{"encoding":"yaml"}"#, "unknown variant `yaml`"),
        (r#"{"encodng":"xml"}"#, "unknown field `encodng`"),
    ];
    for (text, words) in bad {
        within("a bad control", client.send(Message::text(text))).await.expect("sent");
        let (error, _) = until_status(&mut client, |status| matches!(status, ServerStatus::Error { .. })).await;
        assert!(matches!(&error, ServerStatus::Error { message } if message.contains(words)), "{text}: {error:?}");
    }
    let (still, _) = readings(&mut client, 5).await;
    assert!(still.iter().all(|bytes| reference_decode(Encoding::Cbor, bytes).is_ok()));
    let _ = client.close(None).await;
}

/// The process's resident memory (the server runs in it), in KiB.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_client_that_stops_reading_gets_drops_counted_and_memory_stays_flat() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let queue = 256;
    let server = TestServer::start(config(TelemetryConfig { queue, ..TelemetryConfig::default() })).await;
    // A small receive buffer, so the stall reaches the server soon.
    let socket = TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small receive buffer");
    let stream = within("connect", socket.connect(server.addr)).await.expect("connected");
    let url = server.url("/ws/telemetry?devices=20&rate_hz=1000&encoding=xml");
    let (mut client, _) =
        within("the upgrade", client_async(url, MaybeTlsStream::Plain(stream))).await.expect("upgraded");
    let _ = readings(&mut client, 100).await;

    // Stop reading for 4 seconds: 80,000 readings fall due, about 17 MB as XML.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let settled = resident_kib();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after_stall = resident_kib();

    // Reading again: a status counts what was dropped meanwhile.
    let resumed = Instant::now();
    let (status, _) = until_status(&mut client, |status| status_of(status).4 > 0).await;
    let (_, _, _, sent, dropped) = status_of(&status);
    eprintln!(
        "stalled 4 s at 20,000 readings/s: sent {sent}, dropped {dropped}, RSS {settled} KiB → {after_stall} KiB \
         ({:+} KiB); the status came {:?} after reading again",
        after_stall as i64 - settled as i64,
        resumed.elapsed()
    );
    assert!(dropped > 40_000, "only {dropped} dropped in a 4 s stall at 20,000/s (sent {sent})");
    assert!(
        after_stall < settled + 2048,
        "RSS grew from {settled} KiB to {after_stall} KiB while the client did not read"
    );
    // And the stream goes on.
    let (more, _) = readings(&mut client, 50).await;
    assert!(more.iter().all(|bytes| reference_decode(Encoding::Xml, bytes).is_ok()));
    let _ = client.close(None).await;
}

#[tokio::test]
async fn out_of_bounds_gives_400_before_the_upgrade() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let bounds = TelemetryConfig { max_devices: 10, max_rate_hz: 100.0, max_total_rate: 500.0, queue: 64 };
    let app = app(&config(bounds), Shutdown::new());
    let cases = [
        ("devices=0", "devices must be from 1 to 10 (--telemetry-max-devices)"),
        ("devices=11", "devices must be from 1 to 10"),
        ("devices=four", "devices must be from 1 to 10"),
        ("rate_hz=0", "rate_hz must be from 0.1 to 100"),
        ("rate_hz=101", "(--telemetry-max-rate)"),
        ("rate_hz=NaN", "rate_hz must be from 0.1 to 100"),
        ("rate_hz=inf", "rate_hz must be from 0.1 to 100"),
        ("rate_hz=fast", "rate_hz must be a number"),
        (
            "devices=10&rate_hz=60",
            "10 devices at 60 Hz make 600 readings per second, over the server's 500 (--telemetry-max-total-rate)",
        ),
        ("encoding=yaml", "encoding must be one of json, xml, protobuf, msgpack, cbor"),
        ("seed=-1", "seed must be a whole number"),
        ("colour=red", "takes devices, rate_hz, encoding and seed"),
        // In bounds, but not an upgrade.
        ("devices=10&rate_hz=50&encoding=cbor", "this is a WebSocket endpoint"),
    ];
    for (query, words) in cases {
        let answer = send(&app, Request::get(format!("/ws/telemetry?{query}")).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}: {}", answer.text());
        assert!(answer.text().contains(words), "{query}: {}", answer.text());
    }
    // A page from another site is refused as on every /ws/ route.
    let foreign =
        Request::get("/ws/telemetry").header("origin", "https://elsewhere.example").body(Body::empty()).unwrap();
    assert_eq!(send(&app, foreign).await.status, StatusCode::FORBIDDEN);
    // A real client sees the 400 as a failed upgrade.
    let server = TestServer::start(config(bounds)).await;
    match connect_async(server.url("/ws/telemetry?devices=11")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::BAD_REQUEST)
        }
        other => panic!("expected a 400, got {other:?}"),
    }
    // /api/info lists the endpoint beside the other WebSockets.
    let info = send(&app, Request::get("/api/info").body(Body::empty()).unwrap()).await.json();
    let listed = info["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|endpoint| endpoint["path"].as_str().is_some_and(|path| path.starts_with("/ws/telemetry")));
    assert_eq!(
        listed.map(|endpoint| (endpoint["kind"].as_str(), endpoint["group"].as_str())),
        Some((Some("websocket"), Some("iot")))
    );
}

#[tokio::test]
async fn the_shutdown_closes_streams_with_1001() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start(config(TelemetryConfig::default())).await;
    let mut client = open(&server, "devices=4&rate_hz=100&encoding=protobuf").await;
    let _ = readings(&mut client, 10).await;
    server.shutdown.trigger();
    let code = loop {
        if let Received::Closed(code) = next(&mut client).await {
            break code;
        }
    };
    assert_eq!(code, Some(u16::from(CloseCode::Away)));
    // Reading on sends tungstenite's answer to the close.
    let _ = within("the close handshake", client.next()).await;
    let ended = within("the server's end", server.task).await;
    assert!(matches!(ended, Ok(Ok(()))), "{ended:?}");
}

#[tokio::test]
async fn a_silent_client_is_pinged_then_closed_and_one_that_reads_stays() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start(Config {
        idle_timeout: Some(Duration::from_millis(200)),
        ..config(TelemetryConfig::default())
    })
    .await;

    // Silent: reads nothing (so answers no ping) for longer than twice the idle time.
    let mut silent = open(&server, "devices=1&rate_hz=0.1").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let mut seen = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(2), silent.next()).await {
        match message {
            Message::Ping(payload) => seen.push(format!("ping {}", String::from_utf8_lossy(&payload))),
            Message::Close(Some(frame)) => {
                seen.push(format!("close {} {}", u16::from(frame.code), frame.reason));
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seen, ["ping idle?", "close 1001 no traffic: idle timeout"]);

    // Reading: tungstenite answers the pings, so the stream outlives the idle time many times over.
    let mut reading = open(&server, "devices=1&rate_hz=20").await;
    let (messages, _) = readings(&mut reading, 30).await;
    assert_eq!(messages.len(), 30);
}
