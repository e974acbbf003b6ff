//! One WebSocket session of the lab: the socket, its state and its log, kept outside yew's state
//! so a burst of a thousand messages a second costs a push each and a redraw a frame, not a
//! re-render per message.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use wire::connection::{ConnectionState, close_code_explanation, close_code_name};
use wire::message_log::{Direction, EventKind, MessageLog, Payload};
use wire::ws_frame::accept_key;
use wire::ws_inspect::{HandshakeFacts, InspectReport, MessageFacts};

use crate::net::now_ms;
use crate::net::socket::{Socket, SocketEvent};

pub type SharedSession = Rc<RefCell<Session>>;

#[derive(Default)]
pub struct Session {
    pub log: MessageLog,
    pub connection: ConnectionState,
    /// Bumped on every change, so views can tell a new state from an old one cheaply.
    pub version: u64,
    /// On `/ws/inspect`: the frames the server saw, by the log id of the message sent.
    pub frames: HashMap<u64, MessageFacts>,
    /// On `/ws/inspect`: the opening handshake as the server saw it.
    pub handshake: Option<HandshakeFacts>,
    /// Log ids of the data messages sent on this connection, in order (a report's index).
    sent_ids: Vec<u64>,
    /// Whether this connection's text messages may be `/ws/inspect` reports.
    inspecting: bool,
    socket: Option<Socket>,
}

/// Whether `url` is the server's inspecting echo, whose reports the lab reads instead of logging.
pub fn is_inspect_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|parsed| parsed.path().ends_with("/ws/inspect"))
}

impl Session {
    /// Opens a connection to an already checked `url`. `redraw` is called after every event.
    pub fn connect(shared: &SharedSession, url: &str, protocols: &[String], redraw: Rc<dyn Fn()>) {
        let weak: Weak<RefCell<Session>> = Rc::downgrade(shared);
        let on_event: Rc<dyn Fn(SocketEvent)> = Rc::new(move |event| {
            if let Some(session) = weak.upgrade() {
                session.borrow_mut().apply(event);
                redraw();
            }
        });
        let mut session = shared.borrow_mut();
        // Replacing a closed socket detaches its handlers.
        session.socket = None;
        let offered = if protocols.is_empty() { String::new() } else { format!(" offering {}", protocols.join(", ")) };
        session.sent_ids.clear();
        session.handshake = None;
        session.inspecting = is_inspect_url(url);
        match Socket::open(url, protocols, on_event) {
            Ok(socket) => {
                session.connection = ConnectionState::Connecting;
                session.log.push_event(EventKind::Info, format!("Connecting to {url}{offered}"), now_ms());
                session.socket = Some(socket);
            }
            Err(error) => {
                session.log.push_event(
                    EventKind::Error,
                    format!("Could not start a connection to {url}: {error}"),
                    now_ms(),
                );
            }
        }
        session.version += 1;
    }

    pub fn apply(&mut self, event: SocketEvent) {
        let now = now_ms();
        match event {
            SocketEvent::Opened { protocol, extensions } => {
                let mut text = "Connected".to_string();
                if let Some(url) = self.socket.as_ref().map(Socket::url) {
                    text.push_str(&format!(" to {url}"));
                }
                if !protocol.is_empty() {
                    text.push_str(&format!(" · subprotocol {protocol}"));
                }
                if !extensions.is_empty() {
                    text.push_str(&format!(" · extensions {extensions}"));
                }
                self.log.push_event(EventKind::Info, text, now);
                self.connection = ConnectionState::Open { protocol, extensions };
            }
            SocketEvent::Received(payload) => {
                let report = match &payload {
                    Payload::Text(text) if self.inspecting => InspectReport::from_text(text),
                    _ => None,
                };
                match report {
                    Some(report) => self.apply_report(report, now),
                    None => {
                        self.log.push_message(Direction::Received, payload, now);
                    }
                }
            }
            SocketEvent::Failed => {
                self.log.push_event(
                    EventKind::Error,
                    "The browser reported a connection error (browsers give scripts no detail; the close code follows)",
                    now,
                );
            }
            SocketEvent::Closed(info) => {
                // A clean close is news, not a failure, unless its code reports a problem.
                let problem = matches!(info.code, 1002 | 1003 | 1006..=1011 | 1014 | 1015);
                let kind = if info.was_clean && !problem { EventKind::Info } else { EventKind::Error };
                let mut text = format!("Closed {} {}", info.code, close_code_name(info.code));
                if !info.reason.is_empty() {
                    text.push_str(&format!(" “{}”", info.reason));
                }
                text.push_str(&format!(": {}", close_code_explanation(info.code)));
                if !info.was_clean {
                    text.push_str(" (not a clean close)");
                }
                self.log.push_event(kind, text, now);
                self.connection = ConnectionState::Closed(info);
            }
        }
        self.version += 1;
    }

    /// A `/ws/inspect` report: the handshake goes in the log as an event, frame facts go beside
    /// the message they describe.
    fn apply_report(&mut self, report: InspectReport, now: f64) {
        match report {
            InspectReport::Handshake(facts) => {
                let verified =
                    if accept_key(&facts.key) == facts.accept { "✓ matches" } else { "✗ does not match" };
                let mut text = format!(
                    "Handshake: Sec-WebSocket-Key {} → Sec-WebSocket-Accept {} = base64(SHA-1(key + GUID)) {verified}",
                    facts.key, facts.accept
                );
                if let Some(extensions) = &facts.extensions {
                    text.push_str(&format!(" · extensions {extensions}"));
                }
                if let Some(protocol) = &facts.subprotocol {
                    text.push_str(&format!(" · subprotocol {protocol}"));
                }
                self.log.push_event(EventKind::Info, text, now);
                self.handshake = Some(facts);
            }
            InspectReport::Message(facts) => {
                let id = usize::try_from(facts.index).ok().and_then(|index| self.sent_ids.get(index)).copied();
                if let Some(id) = id {
                    self.frames.insert(id, facts);
                }
            }
        }
    }

    /// Sends one message and logs it; the error says why nothing was sent.
    pub fn send(&mut self, payload: Payload) -> Result<(), String> {
        let socket = match (&self.socket, &self.connection) {
            (Some(socket), ConnectionState::Open { .. }) => socket,
            _ => return Err("not connected: connect first, then send".to_string()),
        };
        socket.send(&payload)?;
        let id = self.log.push_message(Direction::Sent, payload, now_ms());
        if self.inspecting {
            self.sent_ids.push(id);
        }
        self.version += 1;
        Ok(())
    }

    /// Starts the closing handshake; the close event finishes it.
    pub fn disconnect(&mut self, code: u16, reason: &str) -> Result<(), String> {
        let Some(socket) = &self.socket else {
            return Err("not connected".to_string());
        };
        socket.close(code, reason)?;
        self.connection = ConnectionState::Closing;
        self.log.push_event(EventKind::Info, format!("Closing with {code} {}", close_code_name(code)), now_ms());
        self.version += 1;
        Ok(())
    }

    /// Removes the socket (dropping it closes the connection).
    pub fn take_socket(&mut self) -> Option<Socket> {
        self.socket.take()
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
        self.frames.clear();
        self.version += 1;
    }

    /// Bytes sent but still queued in the browser.
    pub fn buffered_amount(&self) -> u32 {
        self.socket.as_ref().map_or(0, Socket::buffered_amount)
    }
}
