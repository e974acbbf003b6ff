//! Tests of the `wirelab-server` binary itself: its start-up line, its exit on SIGTERM, and
//! `/healthz`, `/readyz` and the drain: readiness turns false before any WebSocket gets its 1001,
//! open sockets keep working during `--drain-delay`, new ones are refused with 503, and the JSON
//! log says what happened in order.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tungstenite::Message;
use tungstenite::stream::MaybeTlsStream;

/// The flags of the health tests: no built-in peers or broker, which they do not use.
const QUIET: &[&str] = &["--no-peers", "--no-mqtt"];

/// The server process, killed if a test fails before it exits by itself; its log is in `log`.
struct Server {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let log = tempfile::NamedTempFile::new().expect("a temporary log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wirelab-server"))
            .args(["--port", "0", "--static-dir", "/nonexistent/wirelab-test-dist"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("the log file reopened"))
            .spawn()
            .expect("wirelab-server starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let line = received.recv_timeout(Duration::from_secs(10)).expect("no start-up line within 10 s");
        let port = line
            .strip_prefix("Wirelab is running at http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|port| port.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("unexpected start-up line: {line:?}"));
        Server { child, port, log }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status();
        assert!(sent.is_ok_and(|status| status.success()), "kill -{name} failed");
    }

    /// A plain GET over HTTP/1.1: the status, the head (lower-cased names) and the body.
    fn get(&self, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("the server accepts");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("the request is written");
        let mut response = Vec::new();
        let mut buffer = [0u8; 4096];
        // Read the head, then the body by Content-Length (the connection may stay open).
        loop {
            let read = stream.read(&mut buffer).expect("the response is read");
            assert!(read > 0, "the server closed before answering {path}");
            response.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&response).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(str::to_owned))
                    .and_then(|length| length.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() >= length {
                    let status = head.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
                    return (status, head.to_ascii_lowercase(), body.to_owned());
                }
            }
        }
    }

    fn connect_echo(&self) -> tungstenite::WebSocket<MaybeTlsStream<TcpStream>> {
        let (mut ws, _) = tungstenite::connect(format!("ws://127.0.0.1:{}/ws/echo", self.port)).expect("a WebSocket");
        if let MaybeTlsStream::Plain(stream) = ws.get_mut() {
            stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a read timeout");
        }
        ws
    }

    fn wait_for_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("the exit status") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit within {within:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The JSON log's events, each line parsed (every line must be one JSON object).
    fn events(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.log.path()).expect("the log is readable");
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}")))
            .collect()
    }
}

fn echo(ws: &mut tungstenite::WebSocket<MaybeTlsStream<TcpStream>>, text: &str) {
    ws.send(Message::text(text)).expect("the message is sent");
    assert_eq!(ws.read().expect("an echo"), Message::text(text));
}

#[test]
fn healthz_and_readyz_answer_ready_and_are_never_cached() {
    let server = Server::start(QUIET);
    let cases = [("/healthz", r#"{"status":"ok"}"#), ("/readyz", r#"{"status":"ready"}"#)];
    for (path, body) in cases {
        let (status, head, text) = server.get(path);
        assert_eq!((status, text.as_str()), (200, body), "{path}");
        assert!(head.contains("cache-control: no-store"), "{path}: {head}");
        assert!(head.contains("content-type: application/json"), "{path}: {head}");
    }
}

#[test]
fn sigterm_turns_readiness_false_before_any_websocket_gets_1001() {
    let drain = Duration::from_millis(1500);
    let mut server = Server::start(&[QUIET, &["--drain-delay", "1.5", "--log-format", "json"]].concat());
    let mut open = server.connect_echo();
    echo(&mut open, "before the drain");

    let sigterm = Instant::now();
    server.signal("TERM");
    let unready = loop {
        let (status, _, body) = server.get("/readyz");
        if status == 503 {
            assert!(body.contains(r#""status":"draining""#), "{body}");
            break sigterm.elapsed();
        }
        assert_eq!(status, 200, "{body}");
        assert!(sigterm.elapsed() < drain, "/readyz still ready after the drain delay");
        std::thread::sleep(Duration::from_millis(10));
    };

    // While draining: the open socket still echoes, /healthz is still 200, HTTP/1.1 answers
    // close their connection, and a new WebSocket is refused with 503 and Retry-After.
    echo(&mut open, "during the drain");
    let (status, head, _) = server.get("/healthz");
    assert_eq!(status, 200, "{head}");
    let (status, head, _) = server.get("/get");
    assert_eq!(status, 200);
    assert!(head.contains("connection: close"), "{head}");
    match tungstenite::connect(format!("ws://127.0.0.1:{}/ws/echo", server.port)) {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 503);
            assert_eq!(response.headers().get("retry-after").and_then(|value| value.to_str().ok()), Some("1"));
        }
        other => panic!("a new WebSocket during the drain should get 503, got {other:?}"),
    }

    let closed = match open.read().expect("a close frame") {
        Message::Close(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 1001);
            sigterm.elapsed()
        }
        other => panic!("expected close 1001, got {other:?}"),
    };
    while open.read().is_ok() {}
    assert!(unready < closed, "readiness turned false at {unready:?}, after the 1001 at {closed:?}");
    assert!(closed >= drain - Duration::from_millis(100), "the 1001 came at {closed:?}, before the drain delay");
    assert!(server.wait_for_exit(Duration::from_secs(10)).success());

    let events = server.events();
    let messages: Vec<&str> = events.iter().filter_map(|event| event["message"].as_str()).collect();
    let position = |prefix: &str| {
        messages
            .iter()
            .position(|message| message.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in {messages:?}"))
    };
    assert!(position("draining") < position("shutdown requested"), "{messages:?}");
    assert!(position("shutdown requested") < position("shutdown complete"), "{messages:?}");
    for event in &events {
        for field in ["timestamp", "level", "target"] {
            assert!(event[field].is_string(), "{field} missing in {event}");
        }
    }
    let draining = &events[position("draining")];
    assert_eq!((draining["signal"].as_str(), draining["drain_delay_seconds"].as_f64()), (Some("SIGTERM"), Some(1.5)));
}

#[test]
fn sigint_and_a_second_sigterm_skip_the_drain() {
    let cases = [("SIGINT", &["INT"][..]), ("SIGTERM twice", &["TERM", "TERM"][..])];
    for (name, signals) in cases {
        let mut server = Server::start(&[QUIET, &["--drain-delay", "30"]].concat());
        let mut open = server.connect_echo();
        echo(&mut open, name);
        let started = Instant::now();
        for signal in signals {
            server.signal(signal);
            std::thread::sleep(Duration::from_millis(100));
        }
        match open.read().expect("a close frame") {
            Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1001, "{name}"),
            other => panic!("{name}: expected close 1001, got {other:?}"),
        }
        while open.read().is_ok() {}
        assert!(server.wait_for_exit(Duration::from_secs(10)).success(), "{name}");
        assert!(started.elapsed() < Duration::from_secs(5), "{name} took {:?}, as if it drained", started.elapsed());
    }
}

#[test]
fn bad_operations_flags_are_refused_with_a_reason() {
    let cases = [
        (&["--drain-delay=-1"][..], "--drain-delay"),
        (&["--log-format", "xml"][..], "--log-format"),
        (&["--metrics-port", "70000"][..], "--metrics-port"),
    ];
    for (args, flag) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_wirelab-server")).args(args).output().expect("it runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
}

#[test]
fn prints_its_url_serves_and_exits_gracefully_on_sigterm() {
    let mut server = Server::start(&[]);
    let port = server.port;

    let mut http = TcpStream::connect(("127.0.0.1", port)).unwrap();
    http.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(http, "GET /api/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    http.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"name\":\"wirelab-server\""), "{response}");

    let mut ws = server.connect_echo();
    ws.send(Message::text("ping?")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("ping?"));

    let started = Instant::now();
    server.signal("TERM");
    match ws.read().unwrap() {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("expected close 1001, got {other:?}"),
    }
    // Finish the close handshake as a polite client does.
    while ws.read().is_ok() {}

    assert!(server.wait_for_exit(Duration::from_secs(5)).success());
    assert!(started.elapsed() < Duration::from_secs(5), "still running after 5 s");
}
