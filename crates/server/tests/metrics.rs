//! The Prometheus metrics over real sockets: traffic of every kind (WebSocket echo and inspect
//! messages, HTTP requests, one refusal of each kind the tests can provoke, a drain) is driven
//! at a server, `/metrics` is scraped on its separate port, and the whole scrape is parsed by
//! Python's `prometheus_client` (the parser of a real client library), whose families, types and
//! values are checked against what was sent. Also: the app's port has no metrics (404), each
//! server counts apart, and the binary serves them only with `--metrics-port`.

mod support;
mod tls_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use support::{STEP, TestServer, required_file, upgrade_request, venv_python, within};
use tls_support::{TlsServer, run};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use wirelab_server::{BridgeConfig, Config, serve_metrics};

/// A test server with its metrics served on a port of their own, as `--metrics-port` does.
struct MeteredServer {
    server: TestServer,
    metrics: SocketAddr,
}

impl MeteredServer {
    async fn start(config: Config) -> MeteredServer {
        let metrics = config.metrics.clone();
        let server = TestServer::start(config).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port for the metrics");
        let address = listener.local_addr().expect("the metrics port's address");
        tokio::spawn(serve_metrics(listener, metrics, server.shutdown.clone()));
        MeteredServer { server, metrics: address }
    }

    async fn scrape(&self) -> String {
        let (status, body) = http(self.metrics, "GET", "/metrics", b"").await;
        assert_eq!(status, 200, "the scrape: {body}");
        body
    }

    /// Scrapes until every sample of `expected` has its value (connections end in their own
    /// tasks, after the client saw them end); the scrape.
    async fn scrape_when(&self, expected: &[Expected]) -> String {
        let deadline = tokio::time::Instant::now() + STEP;
        loop {
            let scrape = self.scrape().await;
            let differs = expected.iter().find_map(|Expected { name, labels, value, .. }| {
                let series = series(name, labels);
                let found = sample(&scrape, &series);
                (found != Some(*value)).then(|| format!("{series} is {found:?}, not {value}"))
            });
            let Some(difference) = differs else { return scrape };
            assert!(tokio::time::Instant::now() < deadline, "{difference} in:\n{scrape}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// One HTTP/1.1 request on a connection of its own (`Connection: close`): the status and body.
async fn http(address: SocketAddr, method: &str, target: &str, body: &[u8]) -> (u16, String) {
    let mut stream = within("connecting", TcpStream::connect(address)).await.expect("a connection");
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("the request head is sent");
    // A refused body may be left unread: the server may answer before taking it.
    let _ = stream.write_all(body).await;
    let mut response = Vec::new();
    let _ = within("the response", stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

/// The status of an upgrade request for `target` with extra `headers`, on a connection of its own.
async fn upgrade_status(address: SocketAddr, target: &str, headers: &[&str]) -> u16 {
    let mut stream = within("connecting", TcpStream::connect(address)).await.expect("a connection");
    let (head, _) = within("the upgrade's answer", upgrade_request(&mut stream, address, target, headers)).await;
    head.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0)
}

/// A series as the text format writes it: `name{label="value",...}` (labels sorted by name).
fn series(name: &str, labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return name.to_owned();
    }
    let pairs: Vec<String> = labels.iter().map(|(label, value)| format!("{label}=\"{value}\"")).collect();
    format!("{name}{{{}}}", pairs.join(","))
}

/// The value of `series` in a scrape, if it is there.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Echoes `messages` on `url`, each answered before the next, then closes with `close`; the
/// close code the server answered with.
async fn echo_session(url: &str, messages: &[Message], close: Option<CloseFrame>) -> Option<u16> {
    let (mut socket, _) = within("the WebSocket", tokio_tungstenite::connect_async(url)).await.expect("an upgrade");
    for message in messages {
        within("a send", socket.send(message.clone())).await.expect("the message is sent");
        let echoed = within("the echo", socket.next()).await;
        assert!(matches!(echoed, Some(Ok(Message::Text(_) | Message::Binary(_)))), "{echoed:?}");
    }
    if let Some(close) = close {
        let _ = within("the close", socket.close(Some(close))).await;
    }
    let mut answered = None;
    while let Some(Ok(message)) = within("the end of the connection", socket.next()).await {
        if let Message::Close(frame) = message {
            answered = frame.map(|frame| u16::from(frame.code));
        }
    }
    answered
}

/// Python with prometheus_client: `WIRELAB_OPS_PYTHON` (set by `cargo xtask test`), else the
/// venv xtask makes. `None` when it is missing and `WIRELAB_OPTIONAL_TOOLS=1` allows skipping.
fn ops_python() -> Option<PathBuf> {
    required_file(venv_python("WIRELAB_OPS_PYTHON", "py-ops"), "prometheus_client Python")
}

/// Parses the scrape (on stdin) with prometheus_client and prints every sample as JSON.
const PARSE_WITH_PROMETHEUS_CLIENT: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(samples))
"#;

/// Every sample of `scrape` as prometheus_client parsed it (it fails on anything malformed).
fn parsed_by_prometheus_client(python: &PathBuf, scrape: &str) -> Vec<Value> {
    let mut child = Command::new("timeout")
        .arg("20")
        .arg(python)
        .args(["-c", PARSE_WITH_PROMETHEUS_CLIENT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(scrape.as_bytes()).expect("the scrape is piped to Python");
    }
    let output = child.wait_with_output().expect("Python's output");
    assert!(output.status.success(), "prometheus_client failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("Python printed JSON")
}

/// One sample expected in the scrape: its name, its labels (sorted by name), the type of its
/// family, and its value.
struct Expected {
    name: &'static str,
    labels: Vec<(&'static str, &'static str)>,
    family_type: &'static str,
    value: f64,
}

fn expect(
    name: &'static str,
    labels: &[(&'static str, &'static str)],
    family_type: &'static str,
    value: f64,
) -> Expected {
    Expected { name, labels: labels.to_vec(), family_type, value }
}

/// The limits the test provokes: small enough to break with a few bytes.
const MAX_MESSAGE_BYTES: usize = 64;
const MAX_BODY_BYTES: usize = 16;

/// The TCP connections the test opens to the app's port, one per step of [`drive_traffic`].
const CONNECTIONS: f64 = 14.0;

/// Sends the traffic the expected values below count.
async fn drive_traffic(server: &MeteredServer) {
    let address = server.server.addr;
    let echo = server.server.echo_url();
    // /ws/echo: 3 texts of 5 bytes and 2 binaries of 10, then a normal close (2 connections so far: 1).
    let messages = [
        Message::text("hello"),
        Message::text("there"),
        Message::text("again"),
        Message::binary(vec![1; 10]),
        Message::binary(vec![2; 10]),
    ];
    let normal = CloseFrame { code: CloseCode::Normal, reason: "".into() };
    assert_eq!(echo_session(&echo, &messages, Some(normal)).await, Some(1000));
    // A message over the limit: closed with 1009 (2).
    let (mut socket, _) = within("the WebSocket", tokio_tungstenite::connect_async(&echo)).await.expect("an upgrade");
    within("a send", socket.send(Message::binary(vec![0; MAX_MESSAGE_BYTES + 1]))).await.expect("sent");
    let mut code = None;
    while let Some(Ok(message)) = within("the close", socket.next()).await {
        if let Message::Close(frame) = message {
            code = frame.map(|frame| u16::from(frame.code));
        }
    }
    assert_eq!(code, Some(1009));
    // /ws/inspect: one message; out: the handshake report, the echo, its report (3).
    let inspect = server.server.url("/ws/inspect");
    let (mut socket, _) = within("the inspect socket", tokio_tungstenite::connect_async(&inspect)).await.expect("up");
    let _report = within("the handshake report", socket.next()).await;
    within("a send", socket.send(Message::text("look"))).await.expect("sent");
    let _echo = within("the echo", socket.next()).await;
    let _report = within("its report", socket.next()).await;
    let going = CloseFrame { code: CloseCode::Away, reason: "".into() };
    let _ = within("the close", socket.close(Some(going))).await;
    while let Some(Ok(_)) = within("the end", socket.next()).await {}
    // HTTP (4 to 8).
    for (method, target, body, status) in [
        ("GET", "/get", &b""[..], 200),
        ("GET", "/get", b"", 200),
        ("GET", "/status/418", b"", 418),
        ("GET", "/metrics", b"", 404),
        ("POST", "/anything", &[b'x'; MAX_BODY_BYTES + 1][..], 413),
    ] {
        let (got, body) = http(address, method, target, body).await;
        assert_eq!(got, status, "{method} {target}: {body}");
    }
    // Refused upgrades (9 to 11): an Origin not allowed, a bridge target not allowed, a bridge
    // over --max-bridges 0.
    for (target, headers, status) in [
        ("/ws/echo", &["Origin: https://elsewhere.example"][..], 403),
        ("/ws/tcp?to=192.0.2.1:9", &[][..], 403),
        ("/ws/tcp?to=echo", &[][..], 503),
    ] {
        assert_eq!(upgrade_status(address, target, headers).await, status, "{target} {headers:?}");
    }
    // A connection that never sends its request head (12): closed at the header read timeout.
    let mut silent = within("connecting", TcpStream::connect(address)).await.expect("a connection");
    let mut rest = Vec::new();
    let _ = within("the server's close", silent.read_to_end(&mut rest)).await;
    // The telemetry stream: one reading, then a close (13).
    let telemetry = server.server.url("/ws/telemetry?devices=1&rate_hz=20");
    let (mut socket, _) =
        within("the telemetry socket", tokio_tungstenite::connect_async(&telemetry)).await.expect("up");
    let _reading = within("a reading", socket.next()).await;
    let _ = within("the close", socket.close(None)).await;
    while let Some(Ok(_)) = within("the end", socket.next()).await {}
    // Draining: new WebSockets are refused (14).
    server.server.shutdown.start_draining();
    assert_eq!(upgrade_status(address, "/ws/echo", &[]).await, 503);
}

fn expected() -> Vec<Expected> {
    let echo_in = &[("direction", "in"), ("endpoint", "/ws/echo")];
    let echo_out = &[("direction", "out"), ("endpoint", "/ws/echo")];
    let mut expected = vec![
        expect("wirelab_websocket_messages_total", echo_in, "counter", 5.0),
        expect("wirelab_websocket_messages_total", echo_out, "counter", 5.0),
        expect("wirelab_websocket_bytes_total", echo_in, "counter", 35.0),
        expect("wirelab_websocket_bytes_total", echo_out, "counter", 35.0),
        expect("wirelab_websocket_messages_total", &[("direction", "in"), ("endpoint", "/ws/inspect")], "counter", 1.0),
        expect(
            "wirelab_websocket_messages_total",
            &[("direction", "out"), ("endpoint", "/ws/inspect")],
            "counter",
            3.0,
        ),
        expect("wirelab_websocket_bytes_total", &[("direction", "in"), ("endpoint", "/ws/inspect")], "counter", 4.0),
        expect("wirelab_websockets_opened_total", &[("endpoint", "/ws/echo")], "counter", 2.0),
        expect("wirelab_websockets_opened_total", &[("endpoint", "/ws/inspect")], "counter", 1.0),
        expect("wirelab_websockets_opened_total", &[("endpoint", "/ws/telemetry")], "counter", 1.0),
        expect("wirelab_websockets_opened_total", &[("endpoint", "/ws/tcp")], "counter", 0.0),
        expect("wirelab_websockets_open", &[("endpoint", "/ws/echo")], "gauge", 0.0),
        expect("wirelab_websockets_open", &[("endpoint", "/ws/telemetry")], "gauge", 0.0),
        expect("wirelab_websocket_closes_total", &[("code", "1000"), ("endpoint", "/ws/echo")], "counter", 1.0),
        expect("wirelab_websocket_closes_total", &[("code", "1009"), ("endpoint", "/ws/echo")], "counter", 1.0),
        expect("wirelab_websocket_closes_total", &[("code", "1001"), ("endpoint", "/ws/inspect")], "counter", 1.0),
        expect("wirelab_websocket_closes_total", &[("code", "1005"), ("endpoint", "/ws/telemetry")], "counter", 1.0),
        expect("wirelab_http_connections_accepted_total", &[("listener", "http")], "counter", CONNECTIONS),
        expect("wirelab_http_connections_accepted_total", &[("listener", "https")], "counter", 0.0),
        expect("wirelab_http_connections_open", &[("listener", "http")], "gauge", 0.0),
        expect("wirelab_websocket_handshake_duration_seconds_count", &[("endpoint", "/ws/echo")], "histogram", 2.0),
        expect("wirelab_http_request_duration_seconds_count", &[("route", "/get")], "histogram", 2.0),
        expect("wirelab_ready", &[], "gauge", 0.0),
        expect("wirelab_build_info", &[("version", env!("CARGO_PKG_VERSION"))], "gauge", 1.0),
    ];
    let requests = [
        ("GET", "/get", "200", 2.0),
        ("GET", "/status/{codes}", "418", 1.0),
        ("GET", "/metrics", "404", 1.0),
        ("POST", "/anything", "413", 1.0),
        ("GET", "/ws/echo", "101", 2.0),
        ("GET", "/ws/echo", "403", 1.0),
        ("GET", "/ws/echo", "503", 1.0),
        ("GET", "/ws/inspect", "101", 1.0),
        ("GET", "/ws/tcp", "403", 1.0),
        ("GET", "/ws/tcp", "503", 1.0),
        ("GET", "/ws/telemetry", "101", 1.0),
    ];
    for (method, route, status, count) in requests {
        let labels = [("method", method), ("route", route), ("status", status)];
        expected.push(expect("wirelab_http_requests_total", &labels, "counter", count));
    }
    let refusals = [
        ("origin", 1.0),
        ("max_connections", 0.0),
        ("draining", 1.0),
        ("max_bridges", 1.0),
        ("bridge_target", 1.0),
        ("body_too_large", 1.0),
        ("message_too_large", 1.0),
        ("header_timeout", 1.0),
    ];
    for (reason, count) in refusals {
        expected.push(expect("wirelab_refusals_total", &[("reason", reason)], "counter", count));
    }
    expected
}

/// The sample `name{labels}` in prometheus_client's output: its family's type and its value.
fn find_parsed<'a>(parsed: &'a [Value], name: &str, labels: &[(&str, &str)]) -> Option<(&'a str, f64)> {
    parsed.iter().find_map(|sample| {
        let same_labels = sample["labels"].as_object().is_some_and(|found| {
            found.len() == labels.len()
                && labels.iter().all(|(label, value)| found.get(*label).and_then(Value::as_str) == Some(*value))
        });
        (sample["name"] == name && same_labels)
            .then(|| (sample["type"].as_str().unwrap_or(""), sample["value"].as_f64().unwrap_or(f64::NAN)))
    })
}

#[tokio::test]
async fn the_scrape_counts_the_traffic_and_parses_with_prometheus_client() {
    let config = Config {
        static_dir: "/nonexistent/wirelab-test-dist".into(),
        max_message_bytes: MAX_MESSAGE_BYTES,
        max_body_bytes: MAX_BODY_BYTES,
        header_read_timeout: Duration::from_millis(300),
        bridge: BridgeConfig { max_bridges: 0, ..BridgeConfig::default() },
        ..Config::default()
    };
    let server = MeteredServer::start(config).await;
    let before = server.scrape().await;
    assert_eq!(sample(&before, "wirelab_ready"), Some(1.0), "{before}");

    drive_traffic(&server).await;
    let expected = expected();
    let scrape = server.scrape_when(&expected).await;

    let Some(python) = ops_python() else { return };
    let parsed = parsed_by_prometheus_client(&python, &scrape);
    for Expected { name, labels, family_type, value } in &expected {
        let found = find_parsed(&parsed, name, labels);
        assert_eq!(found, Some((*family_type, *value)), "{name}{labels:?} as prometheus_client read it");
    }
    let memory = find_parsed(&parsed, "process_resident_memory_bytes", &[]);
    assert!(memory.is_some_and(|(family_type, bytes)| family_type == "gauge" && bytes > 1e6), "{memory:?}");
    let descriptors = find_parsed(&parsed, "process_open_fds", &[]);
    assert!(descriptors.is_some_and(|(family_type, fds)| family_type == "gauge" && fds > 0.0), "{descriptors:?}");
}

#[tokio::test]
async fn a_bridge_counts_its_messages_and_its_close() {
    let server =
        MeteredServer::start(Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }).await;
    let url = server.server.url("/ws/tcp?to=echo");
    let (mut socket, _) = within("the bridge", tokio_tungstenite::connect_async(&url)).await.expect("an upgrade");
    within("a send", socket.send(Message::binary(&b"abc"[..]))).await.expect("sent");
    // The `connected` event (text), then the echo peer's answer (binary).
    while let Some(Ok(message)) = within("the echo", socket.next()).await {
        if message.is_binary() {
            break;
        }
    }
    let normal = CloseFrame { code: CloseCode::Normal, reason: "".into() };
    let _ = within("the close", socket.close(Some(normal))).await;
    while let Some(Ok(_)) = within("the end", socket.next()).await {}
    let tcp_in = &[("direction", "in"), ("endpoint", "/ws/tcp")];
    let expected = [
        expect("wirelab_websocket_messages_total", tcp_in, "counter", 1.0),
        expect("wirelab_websocket_bytes_total", tcp_in, "counter", 3.0),
        expect("wirelab_websockets_opened_total", &[("endpoint", "/ws/tcp")], "counter", 1.0),
        expect("wirelab_websockets_open", &[("endpoint", "/ws/tcp")], "gauge", 0.0),
        expect("wirelab_websocket_closes_total", &[("code", "1000"), ("endpoint", "/ws/tcp")], "counter", 1.0),
        expect("wirelab_websockets_opened_total", &[("endpoint", "/ws/udp")], "counter", 0.0),
    ];
    let scrape = server.scrape_when(&expected).await;
    let sent = series("wirelab_websocket_messages_total", &[("direction", "out"), ("endpoint", "/ws/tcp")]);
    // The `connected` event and the echo, and any `data` events a tick made meanwhile (a client
    // that closes first gets no `closed` event).
    assert!(sample(&scrape, &sent).is_some_and(|count| count >= 2.0), "{scrape}");
}

#[tokio::test]
async fn each_server_counts_apart() {
    let full = MeteredServer::start(Config {
        static_dir: "/nonexistent/wirelab-test-dist".into(),
        max_connections: 0,
        ..Config::default()
    })
    .await;
    let other =
        MeteredServer::start(Config { static_dir: "/nonexistent/wirelab-test-dist".into(), ..Config::default() }).await;
    assert_eq!(upgrade_status(full.server.addr, "/ws/echo", &[]).await, 503);
    let refused = series("wirelab_refusals_total", &[("reason", "max_connections")]);
    let cases = [(&full, 1.0), (&other, 0.0)];
    for (server, count) in cases {
        let scrape = server.scrape().await;
        assert_eq!(sample(&scrape, &refused), Some(count), "{scrape}");
    }
}

/// The binary, killed if a test fails before it exits.
struct Binary(Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the binary with `args`, stops it with SIGTERM after `while_running` has been given the
/// app's port and the metrics address if printed; everything it printed on stdout.
fn run_binary(args: &[&str], while_running: impl FnOnce(u16, Option<&str>)) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirelab-server"))
        .args(["--port", "0", "--static-dir", "/nonexistent/wirelab-test-dist"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("its stdout");
    let binary = Binary(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let port = first
        .strip_prefix("Wirelab is running at http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("unexpected start-up line: {first:?}"));
    let second = if args.contains(&"--metrics-port") { lines.next().and_then(Result::ok) } else { None };
    let metrics = second.as_deref().and_then(|line| line.strip_prefix("Metrics at http://"));
    while_running(port, metrics.and_then(|rest| rest.strip_suffix("/metrics")));
    let killed = Command::new("kill").args(["-TERM", &binary.0.id().to_string()]).status();
    assert!(killed.is_ok_and(|status| status.success()));
    let mut printed = vec![first];
    printed.extend(second);
    printed.extend(lines.map_while(Result::ok));
    printed
}

/// `GET target` on `address` with the standard library; the whole response.
fn blocking_get(address: &str, target: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).expect("a connection");
    stream.set_read_timeout(Some(STEP)).expect("a read timeout");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("the request");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[test]
fn the_binary_serves_metrics_only_on_the_metrics_port_and_only_when_asked() {
    let printed = run_binary(&["--metrics-port", "0"], |port, metrics| {
        let metrics = metrics.expect("the metrics address is printed");
        let scrape = blocking_get(metrics, "/metrics");
        assert!(scrape.starts_with("HTTP/1.1 200"), "{scrape}");
        assert!(scrape.contains("\nwirelab_ready 1\n"), "{scrape}");
        assert!(scrape.contains("\n# TYPE process_resident_memory_bytes gauge\n"), "{scrape}");
        let on_the_app = blocking_get(&format!("127.0.0.1:{port}"), "/metrics");
        assert!(on_the_app.starts_with("HTTP/1.1 404"), "{on_the_app}");
    });
    assert!(printed.iter().any(|line| line.starts_with("Metrics at http://127.0.0.1:")), "{printed:?}");

    let printed = run_binary(&[], |port, metrics| {
        assert_eq!(metrics, None);
        let on_the_app = blocking_get(&format!("127.0.0.1:{port}"), "/metrics");
        assert!(on_the_app.starts_with("HTTP/1.1 404"), "{on_the_app}");
    });
    assert!(!printed.iter().any(|line| line.starts_with("Metrics at")), "{printed:?}");
}

#[test]
fn the_tls_port_counts_its_connections_requests_and_handshake_timeouts() {
    // A free port for the metrics (the TLS test server prints more lines than it reads).
    let free = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr());
    let metrics_port = free.expect("a free port").port().to_string();
    let data = tempfile::tempdir().expect("a temporary folder");
    let server = TlsServer::start_with(&data.path().join("data"), &["--metrics-port", &metrics_port]);
    let cert = server.cert_path.to_string_lossy().into_owned();
    for version in ["--http2", "--http1.1"] {
        run("curl", &["-sS", "--max-time", "10", "--cacert", &cert, version, &server.https("/get")]);
    }
    // A connection that never starts its TLS handshake: closed at the 1 s header read timeout.
    let mut silent = std::net::TcpStream::connect(("127.0.0.1", server.tls_port)).expect("a connection");
    silent.set_read_timeout(Some(STEP)).expect("a read timeout");
    let _ = silent.read_to_end(&mut Vec::new());

    let expected = [
        ("wirelab_http_connections_accepted_total", vec![("listener", "https")], 3.0),
        ("wirelab_http_connections_open", vec![("listener", "https")], 0.0),
        ("wirelab_http_connections_accepted_total", vec![("listener", "http")], 0.0),
        ("wirelab_http_requests_total", vec![("method", "GET"), ("route", "/get"), ("status", "200")], 2.0),
        ("wirelab_refusals_total", vec![("reason", "header_timeout")], 1.0),
    ];
    let deadline = std::time::Instant::now() + STEP;
    loop {
        let scrape = blocking_get(&format!("127.0.0.1:{metrics_port}"), "/metrics");
        let differs =
            expected.iter().find(|(name, labels, value)| sample(&scrape, &series(name, labels)) != Some(*value));
        let Some((name, labels, value)) = differs else { break };
        assert!(std::time::Instant::now() < deadline, "{} is not {value} in:\n{scrape}", series(name, labels));
        std::thread::sleep(Duration::from_millis(50));
    }
}
