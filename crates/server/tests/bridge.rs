//! The TCP/UDP bridge (`/ws/tcp`, `/ws/udp`) against real sockets: refusals before the upgrade,
//! bytes and events through test peers started here (tokio, socket2, Python's `socket`) and the
//! built-in echo peer, and a client that never reads.

mod support;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use support::{TestServer, upgrade_request, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use wire::bridge_event::BridgeEvent;
use wirelab_server::{BridgeConfig, Config};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn config(bridge: BridgeConfig) -> Config {
    Config { static_dir: "/nonexistent/wirelab-test-dist".into(), bridge, ..Config::default() }
}

fn allowing(entries: &[String]) -> BridgeConfig {
    BridgeConfig { allow_connect: entries.to_vec(), ..BridgeConfig::default() }
}

async fn open(server: &TestServer, target: &str) -> Client {
    match within("the bridge's upgrade", connect_async(server.url(target))).await {
        Ok((client, _)) => client,
        Err(error) => panic!("{target}: {error}"),
    }
}

/// What the client saw on the bridge.
#[derive(Debug, Default)]
struct Transcript {
    /// Every binary message, in order.
    messages: Vec<Vec<u8>>,
    /// Every event but `data`, by its tag (`closed` with its reason: `closed:byte_limit`).
    events: Vec<String>,
    /// The last `data` event.
    totals: Option<BridgeEvent>,
    /// The `connected` event.
    connected: Option<BridgeEvent>,
    /// The close frame's code.
    close_code: Option<CloseCode>,
}

impl Transcript {
    fn bytes(&self) -> Vec<u8> {
        self.messages.concat()
    }

    fn take(&mut self, message: Message) -> Option<String> {
        match message {
            Message::Binary(bytes) => self.messages.push(bytes.to_vec()),
            Message::Text(text) => {
                let event: BridgeEvent =
                    serde_json::from_str(text.as_str()).unwrap_or_else(|error| panic!("event {text}: {error}"));
                let tag = match &event {
                    BridgeEvent::Data { .. } => {
                        self.totals = Some(event);
                        return None;
                    }
                    BridgeEvent::Closed { reason, .. } => format!("closed:{}", name(reason)),
                    BridgeEvent::Connected { .. } => {
                        self.connected = Some(event.clone());
                        "connected".to_owned()
                    }
                    other => name(other),
                };
                self.events.push(tag.clone());
                return Some(tag);
            }
            Message::Close(frame) => self.close_code = frame.map(|frame| frame.code),
            _ => {}
        }
        None
    }
}

/// The JSON tag of an event (`{"event":"peer_fin",...}` → `peer_fin`) or the name of a reason.
fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(serde_json::Value::Object(fields)) => fields.get("event").and_then(|tag| tag.as_str()).unwrap_or("").into(),
        other => panic!("no name in {other:?}"),
    }
}

/// Reads one message into `transcript`: `None` at the end, else the event's tag if it was one
/// (`""` for bytes and `data`).
async fn read_one(client: &mut Client, transcript: &mut Transcript) -> Option<String> {
    match within("the next message", client.next()).await {
        Some(Ok(message)) => Some(transcript.take(message).unwrap_or_default()),
        Some(Err(error)) => panic!("{error} after {transcript:?}"),
        None => None,
    }
}

/// Reads until an event tagged `until`, or to the end when `until` is `None`.
async fn read_until(client: &mut Client, transcript: &mut Transcript, until: Option<&str>) {
    while let Some(tag) = read_one(client, transcript).await {
        if Some(tag.as_str()) == until {
            return;
        }
    }
    assert!(until.is_none(), "the bridge ended before {until:?}: {transcript:?}");
}

/// Reads until at least `count` binary messages came.
async fn read_messages(client: &mut Client, transcript: &mut Transcript, count: usize) {
    while transcript.messages.len() < count {
        if read_one(client, transcript).await.is_none() {
            panic!("the bridge ended before {count} messages: {transcript:?}");
        }
    }
}

/// Reads everything until the server closes.
async fn read_to_end(client: &mut Client) -> Transcript {
    let mut transcript = Transcript::default();
    read_until(client, &mut transcript, None).await;
    transcript
}

async fn send(client: &mut Client, message: Message) {
    if let Err(error) = within("send", client.send(message)).await {
        panic!("send: {error}");
    }
}

/// A server whose bridge has `limits` and allows `peer`, and a client bridged to `peer` over TCP
/// (the server kept running while the test holds it).
async fn bridged_to(peer: SocketAddr, limits: BridgeConfig) -> (TestServer, Client) {
    let server = TestServer::start(config(BridgeConfig { allow_connect: vec![peer.to_string()], ..limits })).await;
    let client = open(&server, &format!("/ws/tcp?to={peer}")).await;
    (server, client)
}

// ---- Test peers -------------------------------------------------------------------------------

/// A TCP peer on a free loopback port; each accepted connection runs `behave`.
async fn tcp_peer<F, Fut>(behave: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|error| panic!("bind: {error}"));
    let address = listener.local_addr().unwrap_or_else(|error| panic!("address: {error}"));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(behave(stream));
        }
    });
    address
}

async fn echo(mut stream: TcpStream) {
    let (mut read, mut write) = stream.split();
    let _ = tokio::io::copy(&mut read, &mut write).await;
}

/// Greets, sends FIN, and reads until the client's FIN.
async fn greet_and_fin(mut stream: TcpStream) {
    let _ = stream.write_all(b"221 bye\r\n").await;
    let _ = stream.shutdown().await;
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest).await;
}

/// Resets the connection at once (SO_LINGER 0, then close).
async fn reset(stream: TcpStream) {
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// A loopback port nothing listens on (bound, then freed).
fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|error| panic!("bind: {error}"));
    socket.local_addr().map(|address| address.port()).unwrap_or_else(|error| panic!("address: {error}"))
}

/// A Python UDP peer answering each datagram with `len=N`; killed when dropped.
struct PythonUdpPeer {
    child: Child,
    port: u16,
}

impl PythonUdpPeer {
    fn start() -> PythonUdpPeer {
        let program = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    data, sender = s.recvfrom(65535)
    s.sendto(b"len=%d" % len(data), sender)
"#;
        let mut child = Command::new("python3")
            .args(["-c", program])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("python3: {error}"));
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let port = line.trim().parse().unwrap_or_else(|error| panic!("python's port {line:?}: {error}"));
        PythonUdpPeer { child, port }
    }
}

impl Drop for PythonUdpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- Refusals ---------------------------------------------------------------------------------

/// Status and JSON body of an upgrade request for `target`.
async fn refusal(server: &TestServer, target: &str) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(server.addr).await.unwrap_or_else(|error| panic!("connect: {error}"));
    let (head, body) = within(target, upgrade_request(&mut stream, server.addr, target, &[])).await;
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn targets_not_allowed_are_refused_before_the_upgrade_naming_the_flag() {
    let port = free_port();
    let server = TestServer::start(config(allowing(&[format!("localhost:{port}"), "127.0.0.2:7".to_owned()]))).await;
    let cases: Vec<(String, u16, String)> = vec![
        (
            "/ws/tcp?to=10.1.2.3:25".into(),
            403,
            format!(
                "the bridge may not connect to 10.1.2.3:25: allowed: localhost:{port}, 127.0.0.2:7; start the server \
                 with --allow-connect 10.1.2.3:25 to allow it"
            ),
        ),
        // An address that the allowed name does not resolve to.
        (
            format!("/ws/tcp?to=127.0.0.2:{port}"),
            403,
            format!(
                "the bridge may not connect to 127.0.0.2:{port}: allowed: localhost:{port}, 127.0.0.2:7; start the \
                 server with --allow-connect 127.0.0.2:{port} to allow it"
            ),
        ),
        // A name that resolves elsewhere than the allowed address.
        ("/ws/udp?to=localhost:7".into(), 403, "the bridge may not connect to localhost:7 (it resolves to ".into()),
        ("/ws/tcp?to=gopher".into(), 403, "there is no built-in tcp peer called 'gopher'".into()),
        ("/ws/tcp".into(), 400, "say where to connect with ?to=".into()),
        ("/ws/tcp?to=localhost:http".into(), 400, "'localhost:http' is not HOST:PORT".into()),
    ];
    for (target, status, message) in cases {
        let (answered, body) = refusal(&server, &target).await;
        assert_eq!(answered, status, "{target}: {body}");
        assert_eq!(body["status"], status, "{target}");
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.starts_with(&message), "{target}: {error}\nexpected it to start with: {message}");
    }
}

/// A page cannot read why its WebSocket was refused, so the Sockets lab asks again with a plain
/// GET: the target is checked first, and the answer is the same refusal.
#[tokio::test]
async fn a_plain_get_learns_why_a_target_is_refused() {
    let server = TestServer::start(config(BridgeConfig::default())).await;
    let cases = [
        ("/ws/tcp?to=10.1.2.3:25", 403, "the bridge may not connect to 10.1.2.3:25"),
        ("/ws/udp?to=gopher", 403, "there is no built-in udp peer called 'gopher'"),
        ("/ws/tcp?to=echo", 400, "this is a WebSocket endpoint"),
    ];
    for (target, status, message) in cases {
        let mut stream = TcpStream::connect(server.addr).await.unwrap_or_else(|error| panic!("connect: {error}"));
        let request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.addr);
        stream.write_all(request.as_bytes()).await.unwrap_or_else(|error| panic!("send: {error}"));
        let mut response = Vec::new();
        within(target, stream.read_to_end(&mut response)).await.unwrap_or_else(|error| panic!("read: {error}"));
        let response = String::from_utf8_lossy(&response);
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{target}: {head}");
        let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let error = body["error"].as_str().unwrap_or_default();
        assert!(error.starts_with(message), "{target}: {error}");
    }
}

/// The FTP peer's passive data ports are open to the bridge over TCP (the lab's data connection)
/// once the FTP peer has offered them in a passive reply the bridge carried; nothing beside them.
#[tokio::test]
async fn only_the_data_ports_the_ftp_peer_offered_are_allowed_over_tcp() {
    let mut config = config(BridgeConfig::default());
    config.peers.ftp_passive_ports = 50_410..=50_419;
    let server = TestServer::start(config).await;
    // Nothing offered yet: the passive range is closed (other programs may listen there).
    for port in 50_410..=50_419 {
        assert_eq!(refusal(&server, &format!("/ws/tcp?to=127.0.0.1:{port}")).await.0, 403, "{port}");
    }

    // A PASV through the bridge, as the lab sends it: the 227 names the port to open.
    let mut control = open(&server, "/ws/tcp?to=ftp").await;
    let mut transcript = Transcript::default();
    read_messages(&mut control, &mut transcript, 1).await;
    // One command at a time, each after the reply to the one before (the peer does not pipeline).
    let reply_line = |transcript: &Transcript, status: &str| {
        let text = String::from_utf8_lossy(&transcript.bytes()).into_owned();
        text.lines().find(|line| line.starts_with(status)).map(str::to_owned)
    };
    let mut reply = String::new();
    for (command, status) in
        [("USER anonymous\r\n", "331 "), ("PASS lab@wirelab.test\r\n", "230 "), ("PASV\r\n", "227 ")]
    {
        send(&mut control, Message::binary(command.as_bytes().to_vec())).await;
        reply = loop {
            if let Some(line) = reply_line(&transcript, status) {
                break line;
            }
            let count = transcript.messages.len() + 1;
            read_messages(&mut control, &mut transcript, count).await;
        };
    }
    let numbers: Vec<u16> = reply
        .split(['(', ')'])
        .nth(1)
        .map(|inside| inside.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    assert_eq!(numbers.len(), 6, "{reply}");
    let offered = numbers[4] * 256 + numbers[5];
    assert!((50_410..=50_419).contains(&offered), "{offered}");
    let other = if offered == 50_410 { 50_411 } else { 50_410 };
    let cases = [
        (format!("/ws/tcp?to=127.0.0.1:{offered}"), 101),
        (format!("/ws/tcp?to=localhost:{offered}"), 101),
        (format!("/ws/tcp?to=127.0.0.1:{other}"), 403),
        ("/ws/tcp?to=127.0.0.1:50420".to_owned(), 403),
        (format!("/ws/tcp?to=127.0.0.2:{offered}"), 403),
        (format!("/ws/udp?to=127.0.0.1:{offered}"), 403),
    ];
    for (target, status) in cases {
        assert_eq!(refusal(&server, &target).await.0, status, "{target}");
    }
}

#[tokio::test]
async fn bridges_over_the_limit_get_503() {
    let peer = tcp_peer(echo).await;
    let server = TestServer::start(config(BridgeConfig { max_bridges: 1, ..allowing(&[peer.to_string()]) })).await;
    let target = format!("/ws/tcp?to={peer}");
    let mut first = open(&server, &target).await;
    let mut transcript = Transcript::default();
    read_until(&mut first, &mut transcript, Some("connected")).await;
    let (status, body) = refusal(&server, &target).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["error"], "the server already holds 1 bridges, its limit (--max-bridges); try again shortly",
        "{body}"
    );
    // The place is given back when the bridge ends.
    send(&mut first, Message::Close(None)).await;
    while let Some(Ok(_)) = within("the first bridge's end", first.next()).await {}
    let mut retried = None;
    for _ in 0..50 {
        if let Ok((client, _)) = connect_async(server.url(&target)).await {
            retried = Some(client);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(retried.is_some(), "the place was not given back");
}

// ---- Bytes and events -------------------------------------------------------------------------

#[tokio::test]
async fn tcp_bytes_go_both_ways_and_connected_names_both_ends() {
    let peer = tcp_peer(echo).await;
    let (_server, mut client) = bridged_to(peer, BridgeConfig::default()).await;
    let mut transcript = Transcript::default();
    read_until(&mut client, &mut transcript, Some("connected")).await;
    match &transcript.connected {
        Some(BridgeEvent::Connected { local, remote, connect_ms, at_ms, .. }) => {
            assert_eq!(remote, &peer.to_string());
            assert!(local.starts_with("127.0.0.1:"), "{local}");
            assert!(*connect_ms >= 0.0 && *connect_ms <= *at_ms, "{connect_ms} {at_ms}");
        }
        other => panic!("{other:?}"),
    }
    let sent: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    send(&mut client, Message::binary(sent.clone())).await;
    while transcript.bytes().len() < sent.len() {
        read_one(&mut client, &mut transcript).await;
    }
    assert_eq!(transcript.bytes(), sent);
    // The totals follow within the data event interval.
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(&mut client, Message::Close(None)).await;
    let rest = read_to_end(&mut client).await;
    let totals = rest.totals.or(transcript.totals);
    assert!(
        matches!(
            totals,
            Some(BridgeEvent::Data { to_peer_bytes: 200_000, from_peer_bytes: 200_000, to_peer_datagrams: None, .. })
        ),
        "{totals:?}"
    );
}

/// The peer's FIN, a reset, and a refused connection, each reported as such.
#[tokio::test]
async fn fin_reset_and_refusal_are_reported_as_such() {
    let fin_peer = tcp_peer(greet_and_fin).await;
    let reset_peer = tcp_peer(reset).await;
    let closed_port = format!("127.0.0.1:{}", free_port());
    let server =
        TestServer::start(config(allowing(&[fin_peer.to_string(), reset_peer.to_string(), closed_port.clone()]))).await;
    let cases: Vec<(String, bool, &[u8], &[&str])> = vec![
        (fin_peer.to_string(), true, b"221 bye\r\n", &["connected", "peer_fin", "fin_sent", "closed:finished"]),
        (reset_peer.to_string(), false, b"", &["connected", "reset", "closed:reset"]),
        (closed_port, false, b"", &["connect_failed", "closed:connect_failed"]),
    ];
    for (to, send_fin, bytes, events) in cases {
        let mut client = open(&server, &format!("/ws/tcp?to={to}")).await;
        let mut transcript = Transcript::default();
        if send_fin {
            read_until(&mut client, &mut transcript, Some("peer_fin")).await;
            send(&mut client, Message::text(r#"{"command":"shutdown_write"}"#)).await;
        }
        read_until(&mut client, &mut transcript, None).await;
        assert_eq!(transcript.bytes(), bytes, "{to}");
        assert_eq!(transcript.events, events, "{to}");
        assert_eq!(transcript.close_code, Some(CloseCode::Normal), "{to}");
    }
}

#[tokio::test]
async fn commands_it_does_not_know_are_answered_and_the_bridge_stays() {
    let (_server, mut client) = bridged_to(tcp_peer(echo).await, BridgeConfig::default()).await;
    let mut transcript = Transcript::default();
    for command in ["hello", r#"{"command":"jump"}"#] {
        send(&mut client, Message::text(command)).await;
        read_until(&mut client, &mut transcript, Some("bad_command")).await;
    }
    send(&mut client, Message::binary(b"still here".to_vec())).await;
    read_messages(&mut client, &mut transcript, 1).await;
    assert_eq!(transcript.bytes(), b"still here");
    assert_eq!(transcript.events, ["connected", "bad_command", "bad_command"]);
}

#[tokio::test]
async fn the_built_in_echo_peer_answers_over_tcp_and_udp() {
    let server = TestServer::start(config(BridgeConfig::default())).await;
    for path in ["/ws/tcp?to=echo", "/ws/udp?to=echo"] {
        let mut client = open(&server, path).await;
        let mut transcript = Transcript::default();
        read_until(&mut client, &mut transcript, Some("connected")).await;
        send(&mut client, Message::binary(b"hello, peer".to_vec())).await;
        read_messages(&mut client, &mut transcript, 1).await;
        assert_eq!(transcript.bytes(), b"hello, peer", "{path}");
    }
}

#[tokio::test]
async fn udp_datagram_boundaries_are_kept_both_ways() {
    let python = PythonUdpPeer::start();
    let peer = format!("127.0.0.1:{}", python.port);
    let server = TestServer::start(config(allowing(std::slice::from_ref(&peer)))).await;
    let mut client = open(&server, &format!("/ws/udp?to={peer}")).await;
    let mut transcript = Transcript::default();
    read_until(&mut client, &mut transcript, Some("connected")).await;
    let datagrams: [Vec<u8>; 4] = [b"a".to_vec(), vec![7; 1000], Vec::new(), vec![1; 65_507]];
    for datagram in &datagrams {
        send(&mut client, Message::binary(datagram.clone())).await;
    }
    read_messages(&mut client, &mut transcript, datagrams.len()).await;
    let answers: Vec<&[u8]> = transcript.messages.iter().map(Vec::as_slice).collect();
    assert_eq!(answers, [&b"len=1"[..], b"len=1000", b"len=0", b"len=65507"]);

    // The built-in echo peer gives each datagram back whole.
    let mut client = open(&server, "/ws/udp?to=echo").await;
    let mut transcript = Transcript::default();
    read_until(&mut client, &mut transcript, Some("connected")).await;
    for datagram in ["one", "two", "three"] {
        send(&mut client, Message::binary(datagram.as_bytes().to_vec())).await;
    }
    read_messages(&mut client, &mut transcript, 3).await;
    assert_eq!(transcript.messages, [b"one".to_vec(), b"two".to_vec(), b"three".to_vec()]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(&mut client, Message::Close(None)).await;
    let totals = read_to_end(&mut client).await.totals.or(transcript.totals);
    assert!(
        matches!(
            totals,
            Some(BridgeEvent::Data {
                to_peer_bytes: 11,
                from_peer_bytes: 11,
                to_peer_datagrams: Some(3),
                from_peer_datagrams: Some(3),
                ..
            })
        ),
        "{totals:?}"
    );
}

#[tokio::test]
async fn a_message_larger_than_a_datagram_is_closed_with_1009() {
    let server = TestServer::start(config(BridgeConfig::default())).await;
    let mut client = open(&server, "/ws/udp?to=echo").await;
    let mut transcript = Transcript::default();
    read_until(&mut client, &mut transcript, Some("connected")).await;
    send(&mut client, Message::binary(vec![0; 65_508])).await;
    read_until(&mut client, &mut transcript, None).await;
    assert_eq!(transcript.close_code, Some(CloseCode::Size));
    assert!(transcript.messages.is_empty(), "{transcript:?}");
}

#[tokio::test]
async fn a_udp_port_with_nothing_behind_it_is_reported_and_the_bridge_stays() {
    let nobody = UdpSocket::bind("127.0.0.1:0").await.unwrap_or_else(|error| panic!("bind: {error}"));
    let address = nobody.local_addr().unwrap_or_else(|error| panic!("address: {error}"));
    drop(nobody);
    let server = TestServer::start(config(allowing(&[address.to_string()]))).await;
    let mut client = open(&server, &format!("/ws/udp?to={address}")).await;
    let mut transcript = Transcript::default();
    send(&mut client, Message::binary(b"anyone?".to_vec())).await;
    read_until(&mut client, &mut transcript, Some("port_unreachable")).await;
    send(&mut client, Message::text(r#"{"command":"shutdown_write"}"#)).await;
    read_until(&mut client, &mut transcript, Some("bad_command")).await;
    assert_eq!(transcript.events, ["connected", "port_unreachable", "bad_command"]);
}

// ---- Limits -----------------------------------------------------------------------------------

#[tokio::test]
async fn the_byte_limit_ends_the_bridge_with_an_event_saying_so() {
    let limits = BridgeConfig { max_bytes: 1000, ..BridgeConfig::default() };
    let (_server, mut client) = bridged_to(tcp_peer(echo).await, limits).await;
    send(&mut client, Message::binary(vec![b'x'; 600])).await;
    let transcript = read_to_end(&mut client).await;
    // 600 bytes out, and of their echo the 400 that fit.
    assert_eq!(transcript.bytes().len(), 400);
    assert_eq!(transcript.events, ["connected", "closed:byte_limit"]);
    assert!(
        matches!(transcript.totals, Some(BridgeEvent::Data { to_peer_bytes: 600, from_peer_bytes: 400, .. })),
        "{:?}",
        transcript.totals
    );
}

#[tokio::test]
async fn an_idle_bridge_times_out() {
    let limits = BridgeConfig { idle_timeout: Duration::from_millis(300), ..BridgeConfig::default() };
    let (_server, mut client) = bridged_to(tcp_peer(echo).await, limits).await;
    let transcript = read_to_end(&mut client).await;
    assert_eq!(transcript.events, ["connected", "timeout", "closed:idle_timeout"]);
}

/// A listener whose accept queue is full: Linux drops further SYNs, so a connection attempt waits.
fn full_listener() -> (socket2::Socket, Vec<std::net::TcpStream>, SocketAddr) {
    use socket2::{Domain, Socket, Type};
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap_or_else(|error| panic!("socket: {error}"));
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    listener.bind(&any.into()).unwrap_or_else(|error| panic!("bind: {error}"));
    listener.listen(0).unwrap_or_else(|error| panic!("listen: {error}"));
    let address = listener.local_addr().ok().and_then(|address| address.as_socket());
    let address = address.unwrap_or_else(|| panic!("no address"));
    // Never accepted: they fill the queue (a backlog of 0 holds one; two to be sure).
    let waiting = (0..2)
        .filter_map(|_| std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)).ok())
        .collect();
    (listener, waiting, address)
}

#[tokio::test]
async fn a_peer_that_does_not_accept_in_time_is_a_connect_timeout() {
    let (_listener, _waiting, address) = full_listener();
    let limits = BridgeConfig { connect_timeout: Duration::from_millis(300), ..BridgeConfig::default() };
    let (_server, mut client) = bridged_to(address, limits).await;
    let transcript = read_to_end(&mut client).await;
    assert_eq!(transcript.events, ["timeout", "closed:connect_timeout"]);
}

#[tokio::test]
async fn the_shutdown_closes_bridges_with_1001() {
    let server = TestServer::start(config(BridgeConfig::default())).await;
    let mut client = open(&server, "/ws/tcp?to=echo").await;
    let mut transcript = Transcript::default();
    read_until(&mut client, &mut transcript, Some("connected")).await;
    server.shutdown.trigger();
    read_until(&mut client, &mut transcript, None).await;
    assert_eq!(transcript.events, ["connected", "closed:shutdown"]);
    assert_eq!(transcript.close_code, Some(CloseCode::Away));
}

/// A peer that writes as fast as it can into a bridge whose client reads nothing: the server
/// stops reading the peer once the client's side is stuck, so the peer's writes stall.
#[tokio::test]
async fn a_client_that_never_reads_cannot_make_the_server_buffer_without_bound() {
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    let peer = tcp_peer(move |mut stream: TcpStream| {
        let counter = Arc::clone(&counter);
        async move {
            let chunk = vec![0x5a; 64 * 1024];
            while let Ok(count) = stream.write(&chunk).await {
                counter.fetch_add(count as u64, Ordering::Relaxed);
            }
        }
    })
    .await;
    let (_server, _client) = bridged_to(peer, BridgeConfig { max_bytes: u64::MAX, ..BridgeConfig::default() }).await;

    // Wait for the writes to stall, then check that they stay stalled.
    let mut last = 0;
    let mut steady = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = written.load(Ordering::Relaxed);
        steady = if now == last && now > 0 { steady + 1 } else { 0 };
        last = now;
        if steady == 10 {
            break;
        }
    }
    assert_eq!(steady, 10, "the peer's writes never stalled: {last} bytes written");
    // What the peer wrote sits in four kernel buffers (peer send, bridge receive, bridge send,
    // client receive: at most 4 + 6 + 4 + 6 MiB with Linux's default tcp_wmem and tcp_rmem) and
    // at most one 64 KiB chunk in the bridge (measured: 6.5 MiB in all), not the unbounded amount
    // a growing queue would take.
    assert!(last < 21 * 1024 * 1024, "{last} bytes written before the stall");
}
