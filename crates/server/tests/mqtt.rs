//! The embedded MQTT broker driven by real clients: Debian's mosquitto_pub and mosquitto_sub over
//! the loopback TCP port (MQTT 3.1.1 and 5: QoS 0, 1 and 2 with their handshakes, retained
//! messages, wills, `+` and `#`), Python's paho-mqtt over `/mqtt` (WebSocket, both versions, every
//! QoS), the simulated devices seen by a subscriber, and `/mqtt`'s own rules (subprotocol, binary
//! only, shutdown, `--no-mqtt`).
//!
//! The clients come from `cargo xtask setup` (mosquitto-clients, and paho-mqtt in the venv named
//! by `WIRELAB_PYTHON`). A missing client fails the test, unless `WIRELAB_OPTIONAL_TOOLS=1`: then
//! the test says it skipped and passes. `cargo xtask test` never sets it.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use support::{STEP, TestServer, client_frame, read_close_code, read_response, upgrade_request, venv_python, within};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use wire::telemetry::{Encoding, decode};
use wirelab_server::{Config, MqttConfig};

/// The protocol versions, as mosquitto's `-V` names them.
const VERSIONS: [&str; 2] = ["mqttv311", "mqttv5"];

// ---- Tools ------------------------------------------------------------------------------------

/// Whether `program` runs `probe` (successfully, if `must_succeed`: mosquitto's `--help` exits 1,
/// Python's `import` must not fail). Missing, it fails the test, or under
/// `WIRELAB_OPTIONAL_TOOLS=1` prints why the test skips and returns false.
fn tool_present(program: &str, probe: &[&str], must_succeed: bool, package: &str) -> bool {
    let found = Command::new(program).args(probe).stdout(Stdio::null()).stderr(Stdio::null()).status();
    let missing = match found {
        Ok(status) if must_succeed && !status.success() => format!("`{program} {}` failed", probe.join(" ")),
        Ok(_) => return true,
        Err(error) => format!("{program} cannot run: {error}"),
    };
    if std::env::var("WIRELAB_OPTIONAL_TOOLS").as_deref() == Ok("1") {
        eprintln!(
            "SKIPPED: {missing} (install {package} with `cargo xtask setup`); WIRELAB_OPTIONAL_TOOLS=1 lets it pass"
        );
        return false;
    }
    panic!("{missing}: install {package} with `cargo xtask setup` (or set WIRELAB_OPTIONAL_TOOLS=1 to skip)");
}

fn mosquitto_present() -> bool {
    tool_present("mosquitto_sub", &["--help"], false, "mosquitto-clients")
        && tool_present("mosquitto_pub", &["--help"], false, "mosquitto-clients")
}

/// The Python with paho-mqtt 2: `WIRELAB_PYTHON`, else the venv `cargo xtask setup` makes.
fn paho_python() -> String {
    venv_python("WIRELAB_PYTHON", "py-mqtt").to_string_lossy().into_owned()
}

/// Runs a command to its end off the runtime; its output, the test failing unless it exits 0.
async fn run(mut command: Command) -> String {
    let shown = format!("{command:?}");
    let output = within(&shown, tokio::task::spawn_blocking(move || command.output())).await;
    let Output { status, stdout, stderr } = output.expect("the child's task").expect("the command starts");
    let (stdout, stderr) = (String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
    assert!(status.success(), "{shown} failed ({status}):\nstdout:\n{stdout}\nstderr:\n{stderr}");
    format!("{stdout}{stderr}")
}

// ---- Server -----------------------------------------------------------------------------------

/// A server with its broker, and the broker's TCP port from `/api/info`.
async fn server_with(mqtt: MqttConfig) -> (TestServer, Value) {
    let config = Config { static_dir: "/nonexistent/wirelab-test-dist".into(), mqtt, ..Config::default() };
    let server = TestServer::start(config).await;
    let mut stream = TcpStream::connect(server.addr).await.expect("the server accepts");
    let request = format!("GET /api/info HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr);
    stream.write_all(request.as_bytes()).await.expect("the request is written");
    let (head, body) = within("GET /api/info", read_response(&mut stream)).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let info: Value = serde_json::from_str(&body).expect("/api/info is JSON");
    (server, info["mqtt"].clone())
}

/// A server whose broker has no devices (the tests' own traffic only); its MQTT port.
async fn quiet_broker() -> (TestServer, u16) {
    let (server, mqtt) = server_with(MqttConfig { devices: 0, ..MqttConfig::default() }).await;
    let port = mqtt["port"].as_u64().and_then(|port| u16::try_from(port).ok()).expect("mqtt.port in /api/info");
    (server, port)
}

// ---- mosquitto_sub ----------------------------------------------------------------------------

/// One message as the subscriber printed it (`-F 'MSG|%r|%q|%t|%p'`).
#[derive(Debug, PartialEq, Eq)]
struct Received {
    retained: bool,
    qos: u8,
    topic: String,
    payload: String,
}

/// A running mosquitto_sub (debug on, line-buffered), its lines read on a thread of their own.
struct Subscriber {
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    seen: Vec<String>,
}

impl Subscriber {
    /// Subscribes to `filter` at `qos`; returns once the broker's SUBACK arrived.
    async fn start(port: u16, version: &str, filter: &str, qos: u8, extra: &[&str]) -> Subscriber {
        let mut command = Command::new("stdbuf");
        command
            .args(["-oL", "mosquitto_sub", "-d", "-V", version, "-h", "127.0.0.1", "-p", &port.to_string()])
            .args(["-t", filter, "-q", &qos.to_string(), "-F", "MSG|%r|%q|%t|%p"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("mosquitto_sub starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (sender, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut subscriber = Subscriber { child, lines, seen: Vec::new() };
        subscriber.line_containing("received SUBACK").await;
        subscriber
    }

    /// The next line that contains `needle`, failing the test (with all lines so far) after STEP.
    async fn line_containing(&mut self, needle: &str) -> String {
        let waited = tokio::time::timeout(STEP, async {
            while let Some(line) = self.lines.recv().await {
                self.seen.push(line.clone());
                if line.contains(needle) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match waited {
            Ok(Some(line)) => line,
            _ => panic!("mosquitto_sub printed no line with {needle:?}; it printed:\n{}", self.seen.join("\n")),
        }
    }

    async fn next_message(&mut self) -> Received {
        let line = self.line_containing("MSG|").await;
        let mut fields = line.splitn(5, '|').skip(1);
        let mut field = || fields.next().unwrap_or_default().to_owned();
        let (retained, qos, topic, payload) = (field(), field(), field(), field());
        Received { retained: retained == "1", qos: qos.parse().unwrap_or(u8::MAX), topic, payload }
    }

    /// Messages up to and including the first whose payload is `last`.
    async fn messages_until(&mut self, last: &str) -> Vec<Received> {
        let mut messages = Vec::new();
        loop {
            let message = self.next_message().await;
            let done = message.payload == last;
            messages.push(message);
            if done {
                return messages;
            }
        }
    }

    /// Ends the client at once (SIGKILL): its socket closes without DISCONNECT.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.kill();
    }
}

/// mosquitto_pub with debug on; what it printed.
async fn publish(port: u16, version: &str, topic: &str, qos: u8, args: &[&str]) -> String {
    let mut command = Command::new("mosquitto_pub");
    command
        .args(["-d", "-V", version, "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-t", topic, "-q", &qos.to_string()])
        .args(args);
    run(command).await
}

fn message(retained: bool, qos: u8, topic: &str, payload: &str) -> Received {
    Received { retained, qos, topic: topic.to_owned(), payload: payload.to_owned() }
}

// ---- TCP: mosquitto ---------------------------------------------------------------------------

#[tokio::test]
async fn mosquitto_publishes_and_receives_at_every_qos_in_both_versions() {
    if !mosquitto_present() {
        return;
    }
    let (_server, port) = quiet_broker().await;
    // What mosquitto_pub's debug output shows of each QoS's handshake with the broker.
    let cases: [(u8, &[&str]); 3] = [
        (0, &["sending PUBLISH (d0, q0"]),
        (1, &["sending PUBLISH (d0, q1", "received PUBACK"]),
        (2, &["sending PUBLISH (d0, q2", "received PUBREC", "sending PUBREL", "received PUBCOMP"]),
    ];
    for version in VERSIONS {
        for (qos, handshake) in cases {
            let topic = format!("wirelab/test/{version}/qos{qos}");
            let mut subscriber = Subscriber::start(port, version, &topic, qos, &[]).await;
            let payload = format!("hello at QoS {qos} over {version}");
            let printed = publish(port, version, &topic, qos, &["-m", &payload]).await;
            let mut at = 0;
            for step in handshake {
                let found = printed[at..].find(step);
                assert!(found.is_some(), "{version} QoS {qos}: no {step:?} in order in:\n{printed}");
                at += found.unwrap_or_default();
            }
            assert_eq!(subscriber.next_message().await, message(false, qos, &topic, &payload), "{version} QoS {qos}");
        }
    }
}

#[tokio::test]
async fn retained_messages_reach_later_subscribers_until_cleared() {
    if !mosquitto_present() {
        return;
    }
    let (_server, port) = quiet_broker().await;
    for version in VERSIONS {
        let topic = format!("wirelab/retained/{version}");
        publish(port, version, &topic, 1, &["-r", "-m", "kept"]).await;
        let mut later = Subscriber::start(port, version, &topic, 1, &[]).await;
        assert_eq!(later.next_message().await, message(true, 1, &topic, "kept"), "{version}");
        // A live subscriber gets a retained publish with the flag cleared (MQTT 3.3.1.3).
        publish(port, version, &topic, 1, &["-r", "-m", "replaced"]).await;
        assert_eq!(later.next_message().await, message(false, 1, &topic, "replaced"), "{version}");

        publish(port, version, &topic, 1, &["-r", "-n"]).await;
        let mut after_clear = Subscriber::start(port, version, &topic, 1, &[]).await;
        publish(port, version, &topic, 1, &["-m", "live"]).await;
        assert_eq!(after_clear.next_message().await, message(false, 1, &topic, "live"), "{version}: cleared");
    }
}

#[tokio::test]
async fn a_will_is_published_when_a_client_vanishes_and_not_after_disconnect() {
    if !mosquitto_present() {
        return;
    }
    let (_server, port) = quiet_broker().await;
    for version in VERSIONS {
        let will_topic = format!("wirelab/will/{version}");
        let mut watcher = Subscriber::start(port, version, &will_topic, 1, &[]).await;
        let will = |payload| ["--will-topic", &will_topic, "--will-payload", payload, "--will-qos", "1"];

        // A client that leaves with DISCONNECT: no will.
        let polite = [&will("not sent")[..], &["-m", "bye"]].concat();
        publish(port, version, &format!("{will_topic}/other"), 0, &polite).await;
        // A client killed without a word: its will.
        let mut doomed = Subscriber::start(port, version, &format!("{will_topic}/ignored"), 0, &will("vanished")).await;
        doomed.kill();
        assert_eq!(watcher.next_message().await, message(false, 1, &will_topic, "vanished"), "{version}");
    }
}

#[tokio::test]
async fn wildcards_match_as_the_specification_says() {
    if !mosquitto_present() {
        return;
    }
    let (_server, port) = quiet_broker().await;
    let topics =
        ["wirelab/w/a/temp", "wirelab/w/b/temp", "wirelab/w/a/humidity", "wirelab/w/a/b/temp", "wirelab/x/a/temp"];
    // Each filter and the topics it matches; the last message ("end", on a topic every filter
    // matches) closes the list.
    let cases: [(&str, &[&str]); 5] = [
        ("wirelab/w/+/temp", &["wirelab/w/a/temp", "wirelab/w/b/temp"]),
        ("wirelab/w/#", &["wirelab/w/a/temp", "wirelab/w/b/temp", "wirelab/w/a/humidity", "wirelab/w/a/b/temp"]),
        ("wirelab/w/a/+", &["wirelab/w/a/temp", "wirelab/w/a/humidity"]),
        ("wirelab/+/+/temp", &["wirelab/w/a/temp", "wirelab/w/b/temp", "wirelab/x/a/temp"]),
        ("wirelab/w/a/temp/#", &["wirelab/w/a/temp"]),
    ];
    for version in VERSIONS {
        let mut subscribers = Vec::new();
        for (filter, _) in cases {
            subscribers.push(Subscriber::start(port, version, filter, 1, &[]).await);
        }
        for topic in topics {
            publish(port, version, topic, 1, &["-m", topic]).await;
        }
        publish(port, version, "wirelab/w/a/temp", 1, &["-m", "end"]).await;
        for ((filter, expected), subscriber) in cases.iter().zip(&mut subscribers) {
            let received: Vec<String> = subscriber.messages_until("end").await.into_iter().map(|m| m.payload).collect();
            let mut wanted: Vec<String> = expected.iter().map(|topic| (*topic).to_owned()).collect();
            wanted.push("end".to_owned());
            assert_eq!(received, wanted, "{version} {filter}");
        }
    }
}

// ---- The simulated devices ----------------------------------------------------------------------

#[tokio::test]
async fn the_devices_publish_readings_and_their_status() {
    if !mosquitto_present() {
        return;
    }
    let devices = MqttConfig { devices: 2, device_rate_hz: 20.0, ..MqttConfig::default() };
    let (server, mqtt) = server_with(devices).await;
    assert_eq!(mqtt["device_topic"], "wirelab/devices/+/telemetry");
    let port = mqtt["port"].as_u64().and_then(|port| u16::try_from(port).ok()).expect("mqtt.port");
    // Online, live or retained depending on who connected first; then retained for a later subscriber.
    let mut status = Subscriber::start(port, "mqttv5", "wirelab/devices/+/status", 1, &[]).await;
    let mut online = std::collections::BTreeSet::new();
    while online.len() < 2 {
        let message = status.next_message().await;
        assert_eq!(message.payload, "online", "{message:?}");
        online.insert(message.topic);
    }
    let mut later = Subscriber::start(port, "mqttv311", "wirelab/devices/+/status", 1, &[]).await;
    let mut retained: Vec<Received> = vec![later.next_message().await, later.next_message().await];
    retained.sort_by(|a, b| a.topic.cmp(&b.topic));
    assert_eq!(
        retained,
        [
            message(true, 1, "wirelab/devices/sensor-01/status", "online"),
            message(true, 1, "wirelab/devices/sensor-02/status", "online")
        ]
    );

    let mut readings = Subscriber::start(port, "mqttv311", "wirelab/devices/+/telemetry", 0, &[]).await;
    let mut last_seq = std::collections::HashMap::new();
    while last_seq.len() < 2 || last_seq.values().any(|&count: &u32| count < 3) {
        let message = readings.next_message().await;
        let reading = decode(Encoding::Json, message.payload.as_bytes()).expect("a reading in JSON");
        assert_eq!(message.topic, format!("wirelab/devices/{}/telemetry", reading.device));
        assert!((0.0..=100.0).contains(&reading.battery_percent), "{reading:?}");
        *last_seq.entry(reading.device).or_insert(0) += 1;
    }

    // On shutdown each device says offline itself (and disconnects, so no will is needed).
    server.shutdown.trigger();
    let mut offline: Vec<Received> = vec![status.next_message().await, status.next_message().await];
    offline.sort_by(|a, b| a.topic.cmp(&b.topic));
    assert_eq!(
        offline,
        [
            message(false, 1, "wirelab/devices/sensor-01/status", "offline"),
            message(false, 1, "wirelab/devices/sensor-02/status", "offline")
        ]
    );
}

// ---- WebSocket: paho-mqtt -------------------------------------------------------------------------

/// Subscribes and publishes once over `/mqtt` with paho-mqtt; prints the message received and the
/// packets paho logged sending and receiving, as JSON.
const PAHO_ROUND_TRIP: &str = r#"
import json, sys, threading
import paho.mqtt.client as mqtt

port, version, qos = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
protocol = {"3.1.1": mqtt.MQTTv311, "5": mqtt.MQTTv5}[version]
topic = f"wirelab/python/{version}/qos{qos}"
client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"paho-{version}-{qos}",
                     transport="websockets", protocol=protocol)
client.ws_set_options(path="/mqtt")
subscribed, arrived, received, packets = threading.Event(), threading.Event(), {}, []
client.on_subscribe = lambda c, userdata, mid, reason_codes, properties: subscribed.set()
def on_message(c, userdata, message):
    received.update(topic=message.topic, payload=message.payload.decode(), qos=message.qos)
    arrived.set()
client.on_message = on_message
client.on_log = lambda c, userdata, level, text: packets.append(" ".join(text.split()[:2]))
client.connect("127.0.0.1", port, keepalive=30)
client.loop_start()
client.subscribe(topic, qos=qos)
assert subscribed.wait(10), "no SUBACK"
client.publish(topic, f"over websocket {version} {qos}", qos=qos).wait_for_publish(10)
assert arrived.wait(10), "no message"
client.disconnect()
client.loop_stop()
print(json.dumps({"received": received, "packets": packets}))
"#;

#[tokio::test]
async fn paho_over_websocket_at_every_qos_in_both_versions() {
    let python = paho_python();
    if !tool_present(&python, &["-c", "import paho.mqtt"], true, "paho-mqtt 2.1.0 (a venv in target/tools/py-mqtt)") {
        return;
    }
    let (server, _) = quiet_broker().await;
    // The packets paho logs for each QoS, in order, beside CONNECT, SUBSCRIBE and the PUBLISHes.
    let cases: [(&str, u8, &[&str]); 6] = [
        ("3.1.1", 0, &["Received CONNACK", "Received SUBACK"]),
        ("3.1.1", 1, &["Received SUBACK", "Received PUBACK"]),
        ("3.1.1", 2, &["Received SUBACK", "Received PUBREC", "Sending PUBREL", "Received PUBCOMP"]),
        ("5", 0, &["Received CONNACK", "Received SUBACK"]),
        ("5", 1, &["Received SUBACK", "Received PUBACK"]),
        ("5", 2, &["Received SUBACK", "Received PUBREC", "Sending PUBREL", "Received PUBCOMP"]),
    ];
    for (version, qos, handshake) in cases {
        let mut command = Command::new(&python);
        command.args(["-c", PAHO_ROUND_TRIP, &server.addr.port().to_string(), version, &qos.to_string()]);
        let printed = run(command).await;
        let report: Value = serde_json::from_str(printed.trim()).unwrap_or_else(|_| panic!("JSON: {printed}"));
        let expected = serde_json::json!({
            "topic": format!("wirelab/python/{version}/qos{qos}"),
            "payload": format!("over websocket {version} {qos}"),
            "qos": qos,
        });
        assert_eq!(report["received"], expected, "{version} QoS {qos}");
        let packets: Vec<&str> = report["packets"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut rest = packets.iter();
        for step in handshake {
            assert!(rest.any(|packet| packet == step), "{version} QoS {qos}: no {step} in order in {packets:?}");
        }
    }
}

// ---- /mqtt's own rules ----------------------------------------------------------------------------

const MQTT_OFFER: &str = "Sec-WebSocket-Protocol: mqtt";

#[tokio::test]
async fn the_websocket_needs_the_mqtt_subprotocol_and_selects_it() {
    let (server, _) = quiet_broker().await;
    let cases: [(&[&str], &str, Option<&str>); 4] = [
        (&[], "HTTP/1.1 400", None),
        (&["Sec-WebSocket-Protocol: chat"], "HTTP/1.1 400", None),
        (&[MQTT_OFFER], "HTTP/1.1 101", Some("mqtt")),
        (&["Sec-WebSocket-Protocol: mqttv3.1, mqtt"], "HTTP/1.1 101", Some("mqtt")),
    ];
    for (headers, status, selected) in cases {
        let mut stream = TcpStream::connect(server.addr).await.expect("the server accepts");
        let (head, body) = within("the upgrade", upgrade_request(&mut stream, server.addr, "/mqtt", headers)).await;
        assert!(head.starts_with(status), "{headers:?}: {head}");
        assert_eq!(support::header_in(&head, "sec-websocket-protocol"), selected, "{headers:?}");
        if selected.is_none() {
            assert!(body.contains("subprotocol mqtt"), "{body}");
        }
    }
}

#[tokio::test]
async fn text_messages_are_refused_and_shutdown_closes_with_1001() {
    let (server, _) = quiet_broker().await;
    let mut text = TcpStream::connect(server.addr).await.expect("the server accepts");
    let (head, _) = within("the upgrade", upgrade_request(&mut text, server.addr, "/mqtt", &[MQTT_OFFER])).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    text.write_all(&client_frame(support::OP_TEXT, b"CONNECT")).await.expect("written");
    assert_eq!(within("the close for text", read_close_code(&mut text)).await, Some(1003));

    let mut idle = TcpStream::connect(server.addr).await.expect("the server accepts");
    let (head, _) = within("the upgrade", upgrade_request(&mut idle, server.addr, "/mqtt", &[MQTT_OFFER])).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    server.shutdown.trigger();
    assert_eq!(within("the close at shutdown", read_close_code(&mut idle)).await, Some(1001));
}

#[tokio::test]
async fn without_the_broker_info_says_null_and_the_websocket_is_404() {
    let (server, mqtt) = server_with(MqttConfig { enabled: false, ..MqttConfig::default() }).await;
    assert_eq!(mqtt, Value::Null);
    let mut stream = TcpStream::connect(server.addr).await.expect("the server accepts");
    let (head, body) = within("the upgrade", upgrade_request(&mut stream, server.addr, "/mqtt", &[MQTT_OFFER])).await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert!(body.contains("--no-mqtt"), "{body}");
}
