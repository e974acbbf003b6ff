//! Captures (`/api/captures/{id}.pcap`) read by tshark: a `/ws/inspect` session driven by
//! tokio-tungstenite shows its frames and payloads as WebSocket; SMTP and FTP sessions through
//! the bridge show their commands (and the FTP data connection its bytes); a UDP echo shows its
//! datagrams; and no file has a malformed packet, a bad checksum or a TCP analysis warning.
//! Then the store's bounds: the oldest capture 404s once dropped, and off means no id.

mod peers_support;
mod support;

use std::net::SocketAddr;
use std::process::Command;

use futures_util::{SinkExt, StreamExt};
use peers_support::{get, run, within};
use support::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};
use wire::bridge_event::{BridgeCommand, BridgeEvent};
use wire::ws_inspect::InspectReport;
use wirelab_server::{CaptureConfig, Config};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn config(capture: CaptureConfig) -> Config {
    Config { static_dir: "/nonexistent/wirelab-test-dist".into(), capture, ..Config::default() }
}

async fn server() -> TestServer {
    TestServer::start(config(CaptureConfig::default())).await
}

async fn open(server: &TestServer, target: &str) -> Client {
    match within("the upgrade", connect_async(server.url(target))).await {
        Ok((client, _)) => client,
        Err(error) => panic!("{target}: {error}"),
    }
}

/// `GET /api/captures/{id}.pcap`: the status, the response head and the body's bytes.
async fn download(addr: SocketAddr, id: &str) -> (u16, String, Vec<u8>) {
    let mut stream = within("connect", TcpStream::connect(addr)).await.expect("connect to the test server");
    let request = format!("GET /api/captures/{id}.pcap HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send the request");
    let mut response = Vec::new();
    within("the download", stream.read_to_end(&mut response)).await.expect("read the response");
    let split = response.windows(4).position(|window| window == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status code");
    (status, head, response[split + 4..].to_vec())
}

/// The capture's file, after checking the download's headers.
async fn pcap(addr: SocketAddr, id: &str) -> tempfile::NamedTempFile {
    let (status, head, body) = download(addr, id).await;
    assert_eq!(status, 200, "{head}");
    let head = head.to_ascii_lowercase();
    for expected in
        ["content-type: application/vnd.tcpdump.pcap", "content-disposition: attachment; filename=\"wirelab-"]
    {
        assert!(head.contains(expected), "{expected} missing from {head}");
    }
    let mut file = tempfile::Builder::new().suffix(".pcap").tempfile().expect("a temporary file");
    std::io::Write::write_all(&mut file, &body).expect("write the capture");
    file
}

/// `tshark -r FILE -Y FILTER -T fields -e FIELD...` with checksums checked: one line per packet,
/// the fields separated by `|`.
async fn tshark(file: &tempfile::NamedTempFile, filter: &str, fields: &[&str]) -> Vec<String> {
    let mut command = Command::new("tshark");
    command.args([
        "-n",
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
    ]);
    command
        .args(["-E", "separator=|", "-E", &format!("aggregator={AGGREGATOR}"), "-r"])
        .arg(file.path())
        .args(["-Y", filter, "-T", "fields"]);
    for field in fields {
        command.args(["-e", field]);
    }
    let out = run(command, "tshark").await;
    out.lines().map(str::to_owned).collect()
}

/// The WebSocket frames tshark found, by direction (server's first, then the client's, told by
/// the mask bit): opcodes, text payloads, binary payloads (hex), close codes.
#[derive(Debug, Default)]
struct Frames {
    opcodes: [Vec<u8>; 2],
    texts: [Vec<String>; 2],
    binaries: [Vec<String>; 2],
    close_codes: [Vec<u16>; 2],
}

impl Frames {
    /// One packet's row: each field lists its values for the frames of the packet, joined by
    /// [`AGGREGATOR`]. A packet's frames all go one way.
    fn add(&mut self, row: &str) {
        let fields: Vec<Vec<&str>> =
            row.split('|').map(|field| field.split(AGGREGATOR).filter(|value| !value.is_empty()).collect()).collect();
        let [masks, opcodes, texts, binaries, closes] = &fields[..] else { panic!("five fields: {row}") };
        let way = usize::from(masks.first() == Some(&"1"));
        self.opcodes[way].extend(opcodes.iter().map(|opcode| opcode.parse::<u8>().expect("an opcode")));
        self.texts[way].extend(texts.iter().map(|text| text.to_string()));
        self.binaries[way].extend(binaries.iter().map(|data| data.to_string()));
        self.close_codes[way].extend(closes.iter().map(|code| code.parse::<u16>().expect("a close code")));
    }
}

/// What joins one field's values within a packet in tshark's output.
const AGGREGATOR: char = '^';

/// What no synthesized capture may hold, as tshark sees it.
const PROBLEMS: &str = "_ws.malformed || _ws.expert.severity >= warning || tcp.analysis.flags \
                        || tcp.checksum.status == 0 || udp.checksum.status == 0 || ip.checksum.status == 0";

async fn assert_sound(file: &tempfile::NamedTempFile, what: &str) {
    let problems = tshark(file, PROBLEMS, &["frame.number", "_ws.col.Info"]).await;
    assert!(problems.is_empty(), "{what}: tshark finds problems: {problems:#?}");
    let count = tshark(file, "frame", &["frame.number"]).await.len();
    assert!(count > 3, "{what}: only {count} packets");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test]
async fn an_inspect_session_reads_as_websocket_frames_with_their_payloads() {
    let server = server().await;
    let mut client = open(&server, "/ws/inspect").await;
    let Some(Ok(Message::Text(report))) = within("the handshake report", client.next()).await else {
        panic!("no handshake report");
    };
    let Some(InspectReport::Handshake(facts)) = InspectReport::from_text(report.as_str()) else {
        panic!("not a handshake report: {report}");
    };
    let id = facts.capture.expect("the handshake report names the capture");
    let binary = vec![0, 1, 2, 0xff, 0x80];
    client.send(Message::text("hello capture")).await.expect("send text");
    client.send(Message::binary(binary.clone())).await.expect("send binary");
    client.send(Message::Ping(b"are you there".to_vec().into())).await.expect("send ping");
    let close = CloseFrame { code: CloseCode::Normal, reason: "done".into() };
    client.send(Message::Close(Some(close))).await.expect("send close");
    while let Some(Ok(_)) = within("the echoes and the close", client.next()).await {}
    // The server records its end when it drops the connection, just after the close.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let file = pcap(server.addr, &id).await;
    assert_sound(&file, "/ws/inspect").await;
    let request = tshark(&file, "http.request", &["tcp.dstport", "http.request.method", "http.upgrade"]).await;
    assert_eq!(request, ["80|GET|websocket"], "the upgrade, to port 80");
    let response = tshark(&file, "http.response", &["tcp.srcport", "http.response.code", "http.upgrade"]).await;
    assert_eq!(response, ["80|101|websocket"], "the 101, from port 80");
    let fields = [
        "websocket.mask",
        "websocket.opcode",
        "websocket.payload.text",
        "data.data",
        "websocket.payload.close.status_code",
    ];
    let mut frames = Frames::default();
    for row in tshark(&file, "websocket", &fields).await {
        frames.add(&row);
    }
    let report = |text: &String| text.starts_with(r#"{"inspect":"message""#);
    assert_eq!(frames.opcodes, [vec![1, 1, 1, 2, 1, 10, 8], vec![1, 2, 9, 8]], "server's, client's: {frames:#?}");
    assert_eq!(frames.texts[1], ["hello capture"], "{frames:#?}");
    assert!(frames.texts[0][0].contains(&id), "the handshake report: {frames:#?}");
    assert_eq!(frames.texts[0][1], "hello capture", "{frames:#?}");
    assert!(frames.texts[0][2..].iter().all(report), "{frames:#?}");
    assert_eq!(frames.binaries, [[hex(&binary)], [hex(&binary)]]);
    assert_eq!(frames.close_codes, [[1000], [1000]]);
    server.shutdown.trigger();
}

/// A bridge driven by hand: binary messages out, the peer's bytes in, events noted.
struct Bridged {
    client: Client,
    received: Vec<u8>,
    capture: String,
    closed: bool,
    peer_fin: bool,
}

impl Bridged {
    async fn open(server: &TestServer, target: &str) -> Bridged {
        let mut client = open(server, target).await;
        loop {
            match within("the connected event", client.next()).await {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(BridgeEvent::Connected { capture, .. }) = serde_json::from_str(text.as_str()) {
                        let capture = capture.expect("the connected event names the capture");
                        return Bridged { client, received: Vec::new(), capture, closed: false, peer_fin: false };
                    }
                }
                other => panic!("{target}: before connected: {other:?}"),
            }
        }
    }

    /// Reads until the peer's FIN.
    async fn until_peer_fin(&mut self, what: &str) -> String {
        if !self.peer_fin && !self.closed {
            self.read_until(what, |_| false).await;
        }
        String::from_utf8_lossy(&std::mem::take(&mut self.received)).into_owned()
    }

    /// Reads until the peer's bytes so far satisfy `done`, or the bridge closes or the peer sends
    /// FIN (the bytes are kept for the next read when `done` is not met).
    async fn read_until(&mut self, what: &str, done: impl Fn(&str) -> bool) -> String {
        while !done(&String::from_utf8_lossy(&self.received)) {
            match within(what, self.client.next()).await {
                Some(Ok(Message::Binary(bytes))) => self.received.extend_from_slice(&bytes),
                Some(Ok(Message::Text(text))) => match serde_json::from_str(text.as_str()) {
                    Ok(BridgeEvent::Closed { .. }) => self.closed = true,
                    Ok(BridgeEvent::PeerFin { .. }) => self.peer_fin = true,
                    _ => {}
                },
                Some(Ok(_)) => {}
                None | Some(Err(_)) => self.closed = true,
            }
            if self.closed || self.peer_fin {
                return String::new();
            }
        }
        String::from_utf8_lossy(&std::mem::take(&mut self.received)).into_owned()
    }

    /// Sends `line` and reads the reply: up to a line that starts with a status and a space.
    async fn command(&mut self, line: &str) -> String {
        if !line.is_empty() {
            self.client.send(Message::binary(line.as_bytes().to_vec())).await.expect("send a command");
        }
        self.read_until(line, |text| {
            text.lines().any(|l| l.len() > 3 && l.as_bytes()[3] == b' ') && text.ends_with("\r\n")
        })
        .await
    }

    /// FIN to the peer, then the rest until the bridge closes.
    async fn finish(mut self) -> (String, String) {
        let fin = serde_json::to_string(&BridgeCommand::ShutdownWrite).expect("a command");
        self.client.send(Message::text(fin)).await.expect("send shutdown_write");
        let rest = self.until_peer_fin("the bridge's end").await;
        while let Some(Ok(_)) = within("the close", self.client.next()).await {}
        (self.capture, rest)
    }
}

#[tokio::test]
async fn an_smtp_session_through_the_bridge_reads_as_smtp_commands_on_port_25() {
    let server = server().await;
    let mut smtp = Bridged::open(&server, "/ws/tcp?to=smtp").await;
    let script = [
        ("", "220"),
        ("EHLO lab.example\r\n", "250"),
        ("MAIL FROM:<ada@lab.example>\r\n", "250"),
        ("RCPT TO:<bob@lab.example>\r\n", "250"),
        ("DATA\r\n", "354"),
        ("Subject: captured\r\n\r\nHello from the bridge.\r\n.\r\n", "250"),
        ("QUIT\r\n", "221"),
    ];
    for (line, status) in script {
        let reply = smtp.command(line).await;
        assert!(reply.lines().last().is_some_and(|last| last.starts_with(status)), "{line:?} → {reply:?}");
    }
    let (id, _) = smtp.finish().await;
    let file = pcap(server.addr, &id).await;
    assert_sound(&file, "smtp").await;
    let commands = tshark(&file, "smtp.req.command", &["tcp.dstport", "smtp.req.command"]).await;
    assert_eq!(commands, ["25|EHLO", "25|MAIL", "25|RCPT", "25|DATA", "25|QUIT"]);
    let replies = tshark(&file, "smtp.response.code", &["smtp.response.code"]).await;
    assert_eq!(replies.first().map(String::as_str), Some("220"), "{replies:?}");
    let ends = tshark(&file, "tcp.flags.fin == 1", &["tcp.srcport"]).await;
    assert_eq!(ends.len(), 2, "FIN both ways: {ends:?}");
    server.shutdown.trigger();
}

#[tokio::test]
async fn an_ftp_session_and_its_data_connection_read_as_ftp() {
    let server = server().await;
    let mut control = Bridged::open(&server, "/ws/tcp?to=ftp").await;
    for (line, status) in [("", "220"), ("USER anonymous\r\n", "331"), ("PASS lab@\r\n", "230"), ("TYPE I\r\n", "200")]
    {
        let reply = control.command(line).await;
        assert!(reply.starts_with(status), "{line:?} → {reply:?}");
    }
    let passive = control.command("PASV\r\n").await;
    let numbers: Vec<u16> = passive
        .split(['(', ')'])
        .nth(1)
        .unwrap_or_else(|| panic!("a 227 reply: {passive}"))
        .split(',')
        .map(|number| number.trim().parse().expect("a number"))
        .collect();
    let port = numbers[4] * 256 + numbers[5];
    let mut data = Bridged::open(&server, &format!("/ws/tcp?to=127.0.0.1:{port}")).await;
    control.client.send(Message::binary(b"RETR readme.txt\r\n".to_vec())).await.expect("send RETR");
    let file_text = data.until_peer_fin("the file").await;
    assert!(file_text.starts_with("Welcome to Wirelab's FTP peer."), "{file_text:?}");
    let transfer = control.read_until("the transfer's end", |text| text.contains("\r\n226")).await;
    assert!(transfer.starts_with("150") || transfer.starts_with("125"), "{transfer:?}");
    let quit = control.command("QUIT\r\n").await;
    assert!(quit.starts_with("221"), "{quit:?}");
    let (data_id, _) = data.finish().await;
    let (control_id, _) = control.finish().await;

    let file = pcap(server.addr, &control_id).await;
    assert_sound(&file, "ftp control").await;
    let commands = tshark(&file, "ftp.request.command", &["tcp.dstport", "ftp.request.command"]).await;
    assert_eq!(commands, ["21|USER", "21|PASS", "21|TYPE", "21|PASV", "21|RETR", "21|QUIT"]);
    let passive = tshark(&file, "ftp.passive.port", &["ftp.passive.port"]).await;
    assert_eq!(passive, [port.to_string()], "the data port the 227 names");

    let file = pcap(server.addr, &data_id).await;
    assert_sound(&file, "ftp data").await;
    let payload = tshark(&file, "tcp.len > 0", &["tcp.srcport", "tcp.payload"]).await;
    let from_peer: String = payload.iter().filter_map(|line| line.strip_prefix(&format!("{port}|"))).collect();
    assert_eq!(from_peer, hex(file_text.as_bytes()), "the file's bytes, from the negotiated port");
    server.shutdown.trigger();
}

#[tokio::test]
async fn a_udp_echo_reads_as_datagrams_on_port_7() {
    let server = server().await;
    let mut echo = Bridged::open(&server, "/ws/udp?to=echo").await;
    for datagram in [&b"one"[..], b"two two"] {
        echo.client.send(Message::binary(datagram.to_vec())).await.expect("send a datagram");
        let back = echo.read_until("the echo", |text| !text.is_empty()).await;
        assert_eq!(back.as_bytes(), datagram);
    }
    let id = echo.capture.clone();
    echo.client.close(None).await.expect("close");
    let file = pcap(server.addr, &id).await;
    assert_sound(&file, "udp echo").await;
    let datagrams = tshark(&file, "echo", &["udp.dstport", "echo.data"]).await;
    let (one, two) = (hex(b"one"), hex(b"two two"));
    let port = |line: &String| line.split('|').next().map(str::to_owned);
    assert_eq!(
        datagrams.iter().map(|line| line.split('|').nth(1).unwrap_or("").to_owned()).collect::<Vec<_>>(),
        [one.clone(), one, two.clone(), two]
    );
    assert_eq!(port(&datagrams[0]).as_deref(), Some("7"), "{datagrams:?}");
    server.shutdown.trigger();
}

#[tokio::test]
async fn the_store_drops_the_oldest_and_can_be_turned_off() {
    let kept_one = CaptureConfig { max_sessions: 1, ..CaptureConfig::default() };
    let off = CaptureConfig { max_sessions: 0, ..CaptureConfig::default() };
    let server = TestServer::start(config(kept_one)).await;
    let first = Bridged::open(&server, "/ws/udp?to=echo").await;
    let second = Bridged::open(&server, "/ws/udp?to=echo").await;
    let cases = [(&first.capture, 404), (&second.capture, 200), (&"0".repeat(32), 404)];
    for (id, status) in cases {
        assert_eq!(download(server.addr, id).await.0, status, "{id}");
    }
    let (status, body) = get(server.addr, &format!("/api/captures/{}", second.capture)).await;
    assert_eq!(status, 404, "the name is the id and .pcap: {body}");
    server.shutdown.trigger();

    let server = TestServer::start(config(off)).await;
    let mut client = open(&server, "/ws/inspect").await;
    let Some(Ok(Message::Text(report))) = within("the handshake report", client.next()).await else {
        panic!("no handshake report");
    };
    assert!(!report.contains("capture"), "no capture id when off: {report}");
    let mut bridge = open(&server, "/ws/udp?to=echo").await;
    let Some(Ok(Message::Text(connected))) = within("connected", bridge.next()).await else { panic!("no event") };
    assert!(connected.contains("connected") && !connected.contains("capture"), "{connected}");
    server.shutdown.trigger();
}
