//! The Sockets lab's browser side: the two WebSockets to the bridge (the control connection and
//! FTP's data connection), the requests that ask the server why a bridge was refused, read the
//! peer list and the mailbox, and the clipboard. Everything the lab decides is
//! `wire::sockets::lab::SocketsLabState`; what the bridges report goes back to it as events
//! (their messages as streamed events, so a fast download costs a push each and at most one
//! redraw per `lab_store::STREAMED_REDRAW_MS`).

use std::cell::RefCell;
use std::rc::Rc;

use wire::sockets::lab::{Channel, SocketsEffect, SocketsEvent, SocketsLabState};

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::bridge::{self, BridgeSignal, BridgeSocket};

pub type SocketsStore = LabStore<SocketsLabState, BridgeIo>;

/// The bridges' WebSockets, one per channel, and the server they belong to.
pub struct BridgeIo {
    /// `http://HOST:PORT` of the server, or empty for the one that served the page.
    origin: String,
    control: RefCell<Option<BridgeSocket>>,
    data: RefCell<Option<BridgeSocket>>,
}

impl BridgeIo {
    pub fn new(origin: String) -> BridgeIo {
        BridgeIo { origin, control: RefCell::default(), data: RefCell::default() }
    }

    fn slot(&self, channel: Channel) -> &RefCell<Option<BridgeSocket>> {
        match channel {
            Channel::Control => &self.control,
            Channel::Data => &self.data,
        }
    }

    /// Drops both sockets, which closes them (the lab is going away).
    pub fn close_for_good(&self) {
        drop(self.control.borrow_mut().take());
        drop(self.data.borrow_mut().take());
    }
}

/// Reads the built-in peers from `/api/info` into the lab.
pub fn load_peers(lab: &SocketsStore) {
    let origin = lab.runner().origin.clone();
    let lab = lab.downgrade();
    wasm_bindgen_futures::spawn_local(async move {
        lab.dispatch(SocketsEvent::Peers(bridge::fetch_peers(&origin).await));
    });
}

fn signal_event(channel: Channel, signal: BridgeSignal) -> SocketsEvent {
    match signal {
        BridgeSignal::Opened => SocketsEvent::SocketOpened(channel),
        BridgeSignal::Event(text) => SocketsEvent::BridgeText { channel, text },
        BridgeSignal::Bytes(bytes) => SocketsEvent::Received { channel, bytes },
        BridgeSignal::Closed { code, reason } => SocketsEvent::SocketClosed { channel, code, reason },
    }
}

impl EffectRunner<SocketsLabState> for BridgeIo {
    fn run(&self, effect: SocketsEffect, lab: &SocketsStore) {
        match effect {
            SocketsEffect::Open { channel, url } => {
                // Replacing a socket detaches its handlers: a closed link's late events never
                // reach the new one.
                drop(self.slot(channel).borrow_mut().take());
                let store = lab.downgrade();
                let on_signal = Rc::new(move |signal| store.dispatch_streamed(signal_event(channel, signal)));
                match BridgeSocket::open(&url, on_signal) {
                    Ok(socket) => {
                        *self.slot(channel).borrow_mut() = Some(socket);
                        lab.dispatch(SocketsEvent::OpenStarted(channel));
                    }
                    Err(error) => lab.dispatch(SocketsEvent::OpenRefused { channel, error }),
                }
            }
            SocketsEffect::Send { channel, bytes, origin } => {
                let sent = match self.slot(channel).borrow().as_ref() {
                    Some(socket) => socket.send_bytes(&bytes),
                    None => Err("not connected".to_string()),
                };
                match sent {
                    Ok(()) => lab.dispatch(SocketsEvent::Sent { channel, bytes, origin }),
                    Err(error) => lab.dispatch(SocketsEvent::SendRefused { channel, origin, error }),
                }
            }
            SocketsEffect::Command { channel, json } => {
                // A command the socket cannot take (it is closing) changes nothing: the close
                // that follows says what happened.
                if let Some(socket) = self.slot(channel).borrow().as_ref() {
                    let _ = socket.send_command(&json);
                }
            }
            SocketsEffect::Close { channel } => {
                if let Some(socket) = self.slot(channel).borrow().as_ref() {
                    let _ = socket.close();
                }
            }
            SocketsEffect::ExplainRefusal { channel, url } => {
                let lab = lab.downgrade();
                wasm_bindgen_futures::spawn_local(async move {
                    lab.dispatch(match bridge::refusal(&url).await {
                        Ok((status, body)) => SocketsEvent::Refusal { channel, status, body },
                        Err(error) => SocketsEvent::RefusalUnexplained { channel, error },
                    });
                });
            }
            SocketsEffect::Copy(text) => {
                let lab = lab.downgrade();
                wasm_bindgen_futures::spawn_local(async move {
                    lab.dispatch(SocketsEvent::Copied(crate::net::http::copy_to_clipboard(&text).await));
                });
            }
            SocketsEffect::ShowMailbox => {
                let lab = lab.downgrade();
                let origin = self.origin.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    lab.dispatch(SocketsEvent::MailboxFetched(bridge::fetch_mailbox(&origin).await));
                });
            }
        }
    }
}
