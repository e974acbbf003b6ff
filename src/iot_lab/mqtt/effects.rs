//! The MQTT tab's browser side: one WebSocket to the broker (subprotocol `mqtt`, through
//! `net::socket`), a tick four times a second while it is open (keep-alive, timeouts and the
//! Topics table's rates are decided in `wire::mqtt::lab`), and the clipboard. Socket events come back as streamed events.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use wire::message_log::Payload;
use wire::mqtt::lab::{MqttEffect, MqttEvent, MqttLabState, SUBPROTOCOL};
use wire::ws_lab::SocketEvent;

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::socket::Socket;

pub type MqttStore = LabStore<MqttLabState, MqttIo>;

/// Milliseconds between ticks: the Topics table's rates are taken this often.
const TICK_MS: u32 = 250;

#[derive(Default)]
pub struct MqttIo {
    socket: RefCell<Option<Socket>>,
    /// Shared with the socket's handler, which stops the ticks when the socket closes.
    ticks: Rc<RefCell<Option<Interval>>>,
}

impl MqttIo {
    /// Drops the socket (which closes it) and the ticks: the tab is going away.
    pub fn close_for_good(&self) {
        drop(self.socket.borrow_mut().take());
        drop(self.ticks.borrow_mut().take());
    }
}

impl EffectRunner<MqttLabState> for MqttIo {
    fn run(&self, effect: MqttEffect, lab: &MqttStore) {
        match effect {
            MqttEffect::Open { url } => {
                // Replacing a socket detaches its handlers: an old connection's late events
                // never reach the new session.
                drop(self.socket.borrow_mut().take());
                let store = lab.downgrade();
                let ticks = self.ticks.clone();
                let on_event = Rc::new(move |event: SocketEvent| {
                    if matches!(event, SocketEvent::Closed(_)) {
                        drop(ticks.borrow_mut().take());
                    }
                    store.dispatch_streamed(MqttEvent::Socket(event));
                });
                match Socket::open(&url, &[SUBPROTOCOL.to_string()], on_event) {
                    Ok(socket) => {
                        *self.socket.borrow_mut() = Some(socket);
                        let store = lab.downgrade();
                        *self.ticks.borrow_mut() =
                            Some(Interval::new(TICK_MS, move || store.dispatch_streamed(MqttEvent::Tick)));
                    }
                    Err(error) => lab.dispatch(MqttEvent::OpenRefused(error)),
                }
            }
            MqttEffect::Send(bytes) => {
                let sent = match self.socket.borrow().as_ref() {
                    Some(socket) => socket.send(&Payload::Binary(bytes)),
                    None => Err("not connected".to_string()),
                };
                if let Err(error) = sent {
                    lab.dispatch(MqttEvent::SendRefused(error));
                }
            }
            MqttEffect::Close => {
                drop(self.ticks.borrow_mut().take());
                // A socket that cannot take the close (already closing) reports its close anyway.
                if let Some(socket) = self.socket.borrow().as_ref() {
                    let _ = socket.close(1000, "client disconnected");
                }
            }
            MqttEffect::Copy(text) => {
                let lab = lab.downgrade();
                wasm_bindgen_futures::spawn_local(async move {
                    lab.dispatch(MqttEvent::Copied(crate::net::http::copy_to_clipboard(&text).await));
                });
            }
        }
    }
}
