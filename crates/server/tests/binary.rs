//! Tests of the `wirelab-server` binary itself: its start-up line and its exit on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tungstenite::Message;
use tungstenite::stream::MaybeTlsStream;

/// Kills the server if a test fails before it exits by itself.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start() -> (Server, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirelab-server"))
        .args(["--port", "0", "--static-dir", "/nonexistent/wirelab-test-dist"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let line = received.recv_timeout(Duration::from_secs(10)).expect("no start-up line within 10 s").unwrap();
    let port = line
        .strip_prefix("Wirelab is running at http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("unexpected start-up line: {line:?}"));
    assert_ne!(port, 0);
    (server, port)
}

#[test]
fn prints_its_url_serves_and_exits_gracefully_on_sigterm() {
    let (mut server, port) = start();

    let mut http = TcpStream::connect(("127.0.0.1", port)).unwrap();
    http.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(http, "GET /api/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    http.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"name\":\"wirelab-server\""), "{response}");

    let (mut ws, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}/ws/echo")).unwrap();
    if let MaybeTlsStream::Plain(stream) = ws.get_mut() {
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    ws.send(Message::text("ping?")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("ping?"));

    let started = Instant::now();
    let killed = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().unwrap();
    assert!(killed.success());
    match ws.read().unwrap() {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("expected close 1001, got {other:?}"),
    }
    // Finish the close handshake as a polite client does.
    while ws.read().is_ok() {}

    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "still running after 5 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}
