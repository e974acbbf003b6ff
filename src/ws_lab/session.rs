//! One WebSocket session of the lab: the socket, its state and its log, kept outside yew's state
//! so a burst of a thousand messages a second costs a push each and a redraw a frame, not a
//! re-render per message.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wire::connection::{ConnectionState, close_code_explanation, close_code_name};
use wire::message_log::{Direction, EventKind, MessageLog, Payload};

use crate::net::now_ms;
use crate::net::socket::{Socket, SocketEvent};

pub type SharedSession = Rc<RefCell<Session>>;

#[derive(Default)]
pub struct Session {
    pub log: MessageLog,
    pub connection: ConnectionState,
    /// Bumped on every change, so views can tell a new state from an old one cheaply.
    pub version: u64,
    socket: Option<Socket>,
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
                self.log.push_message(Direction::Received, payload, now);
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

    /// Sends one message and logs it; the error says why nothing was sent.
    pub fn send(&mut self, payload: Payload) -> Result<(), String> {
        let socket = match (&self.socket, &self.connection) {
            (Some(socket), ConnectionState::Open { .. }) => socket,
            _ => return Err("not connected: connect first, then send".to_string()),
        };
        socket.send(&payload)?;
        self.log.push_message(Direction::Sent, payload, now_ms());
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
        self.version += 1;
    }

    /// Bytes sent but still queued in the browser.
    pub fn buffered_amount(&self) -> u32 {
        self.socket.as_ref().map_or(0, Socket::buffered_amount)
    }
}
