//! One WebSocket session of the lab: the lab's state (`wire::ws_lab::WsLabState`, where every
//! decision and log line is made) and the browser socket that carries out its effects. Socket
//! events are dispatched as streamed, so a burst of a thousand messages a second costs a push
//! each and at most one redraw per `lab_store::STREAMED_REDRAW_MS`, not a render per message.

use std::cell::RefCell;
use std::rc::Rc;

use wire::ws_lab::{WsEffect, WsEvent, WsLabState};

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::socket::Socket;
use crate::net::storage;

/// Where the saved messages are kept across reloads.
pub const SAVED_KEY: &str = "wirelab.ws.saved";

pub type Session = LabStore<WsLabState, SocketIo>;

/// The browser side of the session: the socket, and localStorage for the saved messages.
#[derive(Default)]
pub struct SocketIo {
    socket: RefCell<Option<Socket>>,
}

impl SocketIo {
    /// Bytes sent but still queued in the browser.
    pub fn buffered_amount(&self) -> u32 {
        self.socket.borrow().as_ref().map_or(0, Socket::buffered_amount)
    }

    /// Drops the socket, which closes the connection (the lab is going away).
    pub fn close_for_good(&self) {
        drop(self.socket.borrow_mut().take());
    }
}

impl EffectRunner<WsLabState> for SocketIo {
    fn run(&self, effect: WsEffect, lab: &Session) {
        match effect {
            WsEffect::Open { url, protocols } => {
                // Replacing a closed socket detaches its handlers.
                self.close_for_good();
                let session = lab.downgrade();
                let on_event = Rc::new(move |event| session.dispatch_streamed(WsEvent::Socket(event)));
                match Socket::open(&url, &protocols, on_event) {
                    Ok(socket) => {
                        *self.socket.borrow_mut() = Some(socket);
                        lab.dispatch(WsEvent::ConnectStarted { url, protocols });
                    }
                    Err(error) => lab.dispatch(WsEvent::ConnectRefused { url, error }),
                }
            }
            WsEffect::Send { payload, copies, outgoing } => {
                let socket = self.socket.borrow();
                let Some(socket) = socket.as_ref() else {
                    lab.dispatch(WsEvent::SendRefused { outgoing, error: "not connected".into() });
                    return;
                };
                for _ in 0..copies {
                    if let Err(error) = socket.send(&payload) {
                        lab.dispatch(WsEvent::SendRefused { outgoing, error });
                        break;
                    }
                    lab.dispatch(WsEvent::Sent(payload.clone()));
                }
            }
            WsEffect::Close { code, reason } => {
                let closed = match self.socket.borrow().as_ref() {
                    Some(socket) => socket.close(code, &reason),
                    None => Err("not connected".to_string()),
                };
                match closed {
                    Ok(()) => lab.dispatch(WsEvent::CloseStarted { code }),
                    Err(error) => lab.dispatch(WsEvent::CloseRefused(error)),
                }
            }
            // A full or disabled storage only means the list is not kept across reloads.
            WsEffect::StoreSaved(json) => {
                let _ = storage::save(SAVED_KEY, &json);
            }
        }
    }
}
