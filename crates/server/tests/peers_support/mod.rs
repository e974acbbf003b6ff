//! What the built-in peers' tests share, beside `support`: a real server (`support::TestServer`), its
//! `/api/info` read over a plain socket to learn the peers' ports, and real clients (Python's
//! standard library, curl) run as child processes against them.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::net::SocketAddr;
use std::process::{Command, Output};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wirelab_server::{Config, PeersConfig};

use crate::support::TestServer;
pub use crate::support::within;

/// A running server with its peers, and what `/api/info` said about them.
pub struct PeersServer {
    pub server: TestServer,
    pub addr: SocketAddr,
    pub info: Value,
}

impl PeersServer {
    /// A server with the default peers.
    pub async fn start() -> Self {
        Self::with_peers(PeersConfig::default()).await
    }

    pub async fn with_peers(peers: PeersConfig) -> Self {
        let config = Config { static_dir: "/nonexistent/wirelab-test-dist".into(), peers, ..Config::default() };
        let server = TestServer::start(config).await;
        let info = within("GET /api/info", get_json(server.addr, "/api/info")).await;
        Self { addr: server.addr, server, info }
    }

    /// The port `/api/info` gives for peer `name` over `transport` (`tcp` or `udp`).
    pub fn port(&self, name: &str, transport: &str) -> u16 {
        let peers = self.info["peers"].as_array().expect("/api/info has a peers list");
        let peer = peers
            .iter()
            .find(|peer| peer["name"] == name && peer["transport"] == transport)
            .unwrap_or_else(|| panic!("no {name} peer over {transport} in {peers:?}"));
        let port = peer["port"].as_u64().expect("a numeric port");
        u16::try_from(port).expect("a port fits 16 bits")
    }

    /// `GET path` on the server, as JSON (the status must be 200).
    pub async fn get_json(&self, path: &str) -> Value {
        within(path, get_json(self.addr, path)).await
    }

    /// Triggers the shutdown and waits for `serve` to return.
    pub async fn stop(self) {
        self.server.shutdown.trigger();
        let served = within("the server's shutdown", self.server.task).await;
        assert!(matches!(served, Ok(Ok(()))), "serve ended with {served:?}");
    }
}

/// `GET path` over a fresh connection (`Connection: close`), the body parsed as JSON.
pub async fn get_json(addr: SocketAddr, path: &str) -> Value {
    let (status, body) = get(addr, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|error| panic!("GET {path} is not JSON ({error}): {body}"))
}

/// `GET path`: the status and the body, read to the end of the connection.
pub async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect to the test server");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send the request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read the response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").expect("a response head");
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status code");
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "unexpected chunked body: {head}");
    (status, body.to_owned())
}

/// Runs `python3 -c SCRIPT ARGS...` in a blocking task; fails the test with its output unless it
/// exits 0. Returns its standard output.
pub async fn python(script: &str, args: &[String]) -> String {
    let mut command = Command::new("python3");
    command.arg("-c").arg(script).args(args);
    run(command, "python3").await
}

/// Runs curl with `args` (plus `--silent --show-error --max-time`); fails the test with its
/// output unless it exits 0. Returns its standard output.
pub async fn curl(args: &[&str]) -> String {
    let mut command = Command::new("curl");
    command.args(["--silent", "--show-error", "--max-time", "15"]).args(args);
    run(command, "curl").await
}

/// Runs `command` to its end in a blocking task, its output checked as [`python`] says.
pub async fn run(mut command: Command, what: &str) -> String {
    let output = within(what, tokio::task::spawn_blocking(move || command.output()))
        .await
        .expect("the child's task")
        .unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    let Output { status, stdout, stderr } = output;
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        status.success(),
        "{what} failed ({status}):\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}
