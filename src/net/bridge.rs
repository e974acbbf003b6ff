//! The Sockets lab's browser I/O: a WebSocket to the server's TCP/UDP bridge (`/ws/tcp`,
//! `/ws/udp`) as plain signals, the plain request that asks the server why a bridge was refused
//! (a browser hides the refused upgrade's answer from a WebSocket), the built-in peers from
//! `/api/info`, and the received mail from `/api/mailbox`.
//!
//! The WebSocket itself is `net::socket::Socket` (every lifecycle event, binary as ArrayBuffer);
//! this module only says what its events mean for a bridge: binary messages are the peer's bytes,
//! text messages the bridge's JSON events.

use std::rc::Rc;

use gloo_net::http::Request;
use wire::mailbox::Mailbox;
use wire::message_log::Payload;
use wire::sockets::target::{Peer, peers_from_info};

use crate::net::socket::{Socket, SocketEvent};

/// What a bridge's WebSocket reports.
#[derive(Clone, Debug, PartialEq)]
pub enum BridgeSignal {
    /// The WebSocket is open: the bridge now connects to the peer.
    Opened,
    /// A text message: one of the bridge's JSON events.
    Event(String),
    /// A binary message: bytes from the peer (over UDP, one datagram).
    Bytes(Vec<u8>),
    /// The WebSocket closed (1006 without opening when the bridge refused the target).
    Closed { code: u16, reason: String },
}

/// One bridge: a WebSocket to `/ws/tcp?to=…` or `/ws/udp?to=…`. Dropping it closes it.
pub struct BridgeSocket {
    socket: Socket,
}

impl BridgeSocket {
    /// Opens the bridge at `url`; its signals arrive through `on_signal`.
    pub fn open(url: &str, on_signal: Rc<dyn Fn(BridgeSignal)>) -> Result<BridgeSocket, String> {
        let on_event = Rc::new(move |event: SocketEvent| {
            let signal = match event {
                SocketEvent::Opened { .. } => BridgeSignal::Opened,
                SocketEvent::Received(Payload::Text(text)) => BridgeSignal::Event(text),
                SocketEvent::Received(Payload::Binary(bytes)) => BridgeSignal::Bytes(bytes),
                // An error is always followed by the close, which says more.
                SocketEvent::Failed => return,
                SocketEvent::Closed(info) => BridgeSignal::Closed { code: info.code, reason: info.reason },
            };
            on_signal(signal);
        });
        Socket::open(url, &[], on_event).map(|socket| BridgeSocket { socket })
    }

    /// Sends bytes to the peer (one binary message; over UDP, one datagram).
    pub fn send_bytes(&self, bytes: &[u8]) -> Result<(), String> {
        self.socket.send(&Payload::Binary(bytes.to_vec()))
    }

    /// Sends a command to the bridge itself (a text message of JSON).
    pub fn send_command(&self, json: &str) -> Result<(), String> {
        self.socket.send(&Payload::Text(json.to_string()))
    }

    /// Closes the WebSocket normally; the bridge then closes its connection to the peer.
    pub fn close(&self) -> Result<(), String> {
        self.socket.close(1000, "")
    }
}

/// Asks the server why the bridge at `http_url` (the bridge's URL over http) was refused: the
/// status and body of a plain GET, which the bridge answers with its JSON error.
pub async fn refusal(http_url: &str) -> Result<(u16, String), String> {
    let response = Request::get(http_url).send().await.map_err(|error| error.to_string())?;
    let status = response.status();
    let body = response.text().await.map_err(|error| error.to_string())?;
    Ok((status, body))
}

/// The built-in peers the server at `origin` lists in `/api/info` (`origin` is empty for the
/// server that served the page, or `http://HOST:PORT`).
pub async fn fetch_peers(origin: &str) -> Result<Vec<Peer>, String> {
    let response = Request::get(&format!("{origin}/api/info"))
        .send()
        .await
        .map_err(|error| format!("the Wirelab server did not answer /api/info ({error})"))?;
    if !response.ok() {
        return Err(format!("the server answered /api/info with {} {}", response.status(), response.status_text()));
    }
    let text = response.text().await.map_err(|error| format!("/api/info could not be read ({error})"))?;
    peers_from_info(&text).map_err(|diagnostic| diagnostic.to_string())
}

/// The mail the SMTP peer of the server at `origin` received (`GET /api/mailbox`).
pub async fn fetch_mailbox(origin: &str) -> Result<Mailbox, String> {
    let response = Request::get(&format!("{origin}/api/mailbox"))
        .send()
        .await
        .map_err(|error| format!("the Wirelab server did not answer /api/mailbox ({error})"))?;
    if response.status() == 404 {
        return Err("this server runs without its built-in peers (--no-peers), so it has no mailbox".to_string());
    }
    if !response.ok() {
        return Err(format!("the server answered /api/mailbox with {} {}", response.status(), response.status_text()));
    }
    response.json::<Mailbox>().await.map_err(|error| format!("/api/mailbox did not return the expected JSON ({error})"))
}
