//! Helpers shared by the integration tests: a real server on a free port and a raw WebSocket
//! client that writes frames byte by byte, for the cases a well-behaved client cannot produce.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::future::Future;
use std::io;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Decompress, FlushDecompress};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tower::ServiceExt;
use wirelab_server::{Config, Shutdown, serve};

/// The bound on any single step of a test.
pub const STEP: Duration = Duration::from_secs(10);

/// Awaits `future`, failing the test if it takes longer than [`STEP`].
pub async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(STEP, future).await {
        Ok(output) => output,
        Err(_) => panic!("timed out after {STEP:?}: {what}"),
    }
}

/// `path`, a file a test needs from `cargo xtask setup` (a peer, or a venv's program). Missing, it
/// fails the test, unless `WIRELAB_OPTIONAL_TOOLS=1`: then the test says it skipped, and gets None.
pub fn required_file(path: PathBuf, what: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    let optional = std::env::var("WIRELAB_OPTIONAL_TOOLS").is_ok_and(|value| value == "1");
    assert!(optional, "no {what} at {}: run `cargo xtask setup`", path.display());
    eprintln!("skipped: no {what} at {}", path.display());
    None
}

/// The python of one of xtask's venvs: the one `cargo xtask test` names in `variable`, else
/// `target/tools/<venv>/bin/python`. Not checked; see [`required_file`].
pub fn venv_python(variable: &str, venv: &str) -> PathBuf {
    std::env::var_os(variable).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools").join(venv).join("bin/python")
    })
}

/// A server running [`serve`] on `127.0.0.1:<free port>` in a task.
pub struct TestServer {
    pub addr: SocketAddr,
    pub shutdown: Shutdown,
    pub task: JoinHandle<io::Result<()>>,
}

impl TestServer {
    pub async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = Shutdown::new();
        let task = tokio::spawn(serve(listener, config, shutdown.clone()));
        Self { addr, shutdown, task }
    }

    /// A server whose static directory does not exist, with the given message limit.
    pub async fn with_limit(max_message_bytes: usize) -> Self {
        Self::start(Config {
            static_dir: "/nonexistent/wirelab-test-dist".into(),
            max_message_bytes,
            ..Config::default()
        })
        .await
    }

    pub fn echo_url(&self) -> String {
        format!("ws://{}/ws/echo", self.addr)
    }

    /// `ws://<addr><target>`, e.g. `/ws/inspect?fragment=4`.
    pub fn url(&self, target: &str) -> String {
        format!("ws://{}{target}", self.addr)
    }
}

// ---- Raw client -------------------------------------------------------------------------------

pub const OP_CONTINUATION: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;
pub const OP_PONG: u8 = 0xA;

pub const FIN: u8 = 0x80;
pub const RSV1: u8 = 0x40;
/// The mask key of every frame the raw client writes.
pub const MASK_KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// The `Sec-WebSocket-Key` the raw client sends (RFC 6455's example).
pub const CLIENT_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// Performs the opening handshake on `stream` and checks for `101 Switching Protocols`.
pub async fn handshake(stream: &mut TcpStream, addr: SocketAddr) {
    handshake_with(stream, addr, &[]).await;
}

/// The opening handshake with extra request headers (`Name: value`); returns the response head.
pub async fn handshake_with(stream: &mut TcpStream, addr: SocketAddr, headers: &[&str]) -> String {
    let (head, _) = upgrade_request(stream, addr, "/ws/echo", headers).await;
    assert!(head.starts_with("HTTP/1.1 101"), "no upgrade: {head}");
    head
}

/// Sends an upgrade request for `target` (path and query) with extra request headers; returns the
/// response head and, unless it is `101`, the body (read by its Content-Length).
pub async fn upgrade_request(
    stream: &mut TcpStream,
    addr: SocketAddr,
    target: &str,
    headers: &[&str],
) -> (String, String) {
    let mut request = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {CLIENT_KEY}\r\nSec-WebSocket-Version: 13\r\n"
    );
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    read_response(stream).await
}

/// Reads a response head and, unless it is `101`, the body (by its Content-Length).
pub async fn read_response(stream: &mut TcpStream) -> (String, String) {
    // Read byte by byte so no frame bytes after the headers are consumed here.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = stream.read_u8().await.unwrap();
        head.push(byte);
        assert!(head.len() < 4096, "response head too long");
    }
    let head = String::from_utf8(head).unwrap();
    if head.starts_with("HTTP/1.1 101") {
        return (head, String::new());
    }
    let length = header_in(&head, "content-length").map_or(0, |value| value.parse().unwrap());
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.unwrap();
    (head, String::from_utf8(body).unwrap())
}

/// The value of header `name` in a response head, if present (names compared without case).
pub fn header_in<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Connects to `addr` and completes the handshake.
pub async fn raw_connect(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    handshake(&mut stream, addr).await;
    stream
}

/// One frame as a client writes it: `first` is FIN/RSV/opcode, the payload is masked if `masked`.
pub fn frame_bytes(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mask_bit = if masked { 0x80 } else { 0 };
    let mut out = vec![first];
    match payload.len() {
        len @ 0..=125 => out.push(mask_bit | len as u8),
        len @ 126..=0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&MASK_KEY);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK_KEY[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// A masked, final frame with `opcode`: what a well-behaved client sends.
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame_bytes(FIN | opcode, payload, true)
}

/// A masked frame that is not the last of its message.
pub fn client_fragment(opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame_bytes(opcode, payload, true)
}

/// A frame the server sent: opcode, FIN and RSV1 bits and (unmasked) payload.
#[derive(Debug, PartialEq, Eq)]
pub struct ServerFrame {
    pub fin: bool,
    /// RSV1: the message is compressed (permessage-deflate).
    pub compressed: bool,
    pub opcode: u8,
    pub payload: Vec<u8>,
}

/// Reads one frame from the server; `None` at end of stream or on a reset.
pub async fn read_frame(stream: &mut TcpStream) -> Option<ServerFrame> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).await.ok()?;
    assert_eq!(head[1] & 0x80, 0, "server frames must not be masked");
    let len = match head[1] & 0x7f {
        126 => u64::from(stream.read_u16().await.ok()?),
        127 => stream.read_u64().await.ok()?,
        len => u64::from(len),
    };
    let mut payload = vec![0; usize::try_from(len).unwrap()];
    stream.read_exact(&mut payload).await.ok()?;
    Some(ServerFrame { fin: head[0] & FIN != 0, compressed: head[0] & RSV1 != 0, opcode: head[0] & 0x0f, payload })
}

/// Reads frames until the server's close frame and returns its code, or `None` if the
/// connection ends without one.
pub async fn read_close_code(stream: &mut TcpStream) -> Option<u16> {
    while let Some(frame) = read_frame(stream).await {
        if frame.opcode == OP_CLOSE {
            let code = frame.payload.get(..2)?;
            return Some(u16::from_be_bytes([code[0], code[1]]));
        }
    }
    None
}

// ---- permessage-deflate payloads ------------------------------------------------------------

/// A message compressed as RFC 7692 section 7.2.1 says: raw deflate, flushed, without the
/// final `00 00 ff ff`.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.flush().unwrap();
    let mut out = encoder.get_ref().clone();
    assert!(out.ends_with(&[0, 0, 0xff, 0xff]));
    out.truncate(out.len() - 4);
    out
}

/// The reverse of [`deflate`], with a fresh context (the server keeps none by default).
pub fn inflate(data: &[u8]) -> Vec<u8> {
    let input = [data, &[0, 0, 0xff, 0xff]].concat();
    let mut inflater = Decompress::new(false);
    let mut out = Vec::with_capacity(4 * input.len() + 1024);
    while (inflater.total_in() as usize) < input.len() {
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        }
        let consumed = inflater.total_in() as usize;
        inflater.decompress_vec(&input[consumed..], &mut out, FlushDecompress::Sync).unwrap();
    }
    out
}

/// A whole HTTP answer from the app called without a socket (`tower::ServiceExt::oneshot`).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// A header's value, or "" when it is absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |value| value.to_str().unwrap_or("(not visible ASCII)"))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` to `app` and reads the whole answer.
pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Answer { status, headers, body }
}
