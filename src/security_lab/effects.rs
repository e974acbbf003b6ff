//! The Security lab's browser side: the requests (`/api/info`, `/tls/info`, the authentication
//! routes), the WebSocket to `/ws/inspect` that lasts until its handshake report, reading a picked
//! file, and the clipboard. Everything the lab decides is `wire::security_lab::SecurityLabState`.

use std::cell::RefCell;
use std::rc::Rc;

use wire::message_log::Payload;
use wire::security_lab::{SecurityEffect, SecurityEvent, SecurityLabState};

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::socket::{Socket, SocketEvent};
use crate::net::{files, http, page_origin, security};

pub type SecurityStore = LabStore<SecurityLabState, SecurityIo>;

/// The server the lab talks to, and the `/ws/inspect` socket while it is open.
pub struct SecurityIo {
    /// `http://HOST:PORT` of the server, or empty for the one that served the page.
    origin: String,
    inspect: Rc<RefCell<Option<Socket>>>,
}

impl SecurityIo {
    pub fn new(origin: String) -> SecurityIo {
        SecurityIo { origin, inspect: Rc::default() }
    }

    /// `path` on the lab's server, as a `ws://` or `wss://` URL.
    fn socket_url(&self, path: &str) -> String {
        let origin = if self.origin.is_empty() {
            let (protocol, host) = page_origin();
            format!("{protocol}//{host}")
        } else {
            self.origin.clone()
        };
        let origin = origin.replacen("https://", "wss://", 1).replacen("http://", "ws://", 1);
        format!("{origin}{path}")
    }
}

/// Reads a picked file into the hashing input (its name and size first, its bytes when read).
pub fn read_file(lab: &SecurityStore, file: web_sys::File) {
    lab.dispatch(SecurityEvent::FileChosen { name: file.name(), size: file.size() as u64 });
    let lab = lab.downgrade();
    wasm_bindgen_futures::spawn_local(async move {
        lab.dispatch(SecurityEvent::FileRead(files::read_bytes(file).await));
    });
}

impl EffectRunner<SecurityLabState> for SecurityIo {
    fn run(&self, effect: SecurityEffect, lab: &SecurityStore) {
        let store = lab.downgrade();
        match effect {
            SecurityEffect::FetchServerInfo => {
                let origin = self.origin.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    store.dispatch(SecurityEvent::ServerInfo(security::fetch_tls_listener(&origin).await));
                });
            }
            SecurityEffect::FetchTlsInfo { url } => {
                wasm_bindgen_futures::spawn_local(async move {
                    store.dispatch(SecurityEvent::TlsFetched(security::fetch_tls_info(&url).await));
                });
            }
            SecurityEffect::Request { purpose, path, authorization } => {
                let url = format!("{}{path}", self.origin);
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = security::request(&url, authorization.as_deref()).await;
                    store.dispatch(SecurityEvent::Answered { purpose, answer });
                });
            }
            SecurityEffect::OpenInspect { path } => {
                drop(self.inspect.borrow_mut().take());
                let slot = Rc::downgrade(&self.inspect);
                // The first text message is the handshake report; the socket is closed after it
                // (in a later task: it cannot be dropped from inside its own handler).
                let on_event = Rc::new(move |event: SocketEvent| {
                    let close = || {
                        if let Some(slot) = slot.upgrade() {
                            wasm_bindgen_futures::spawn_local(async move { drop(slot.borrow_mut().take()) });
                        }
                    };
                    match event {
                        SocketEvent::Received(Payload::Text(text)) => {
                            store.dispatch(SecurityEvent::InspectText(text));
                            close();
                        }
                        SocketEvent::Failed => {
                            store.dispatch(SecurityEvent::InspectFailed("the WebSocket to /ws/inspect failed".into()));
                        }
                        SocketEvent::Closed(info) => store.dispatch(SecurityEvent::InspectFailed(format!(
                            "the WebSocket closed before the report (code {})",
                            info.code
                        ))),
                        _ => {}
                    }
                });
                match Socket::open(&self.socket_url(&path), &[], on_event) {
                    Ok(socket) => *self.inspect.borrow_mut() = Some(socket),
                    Err(error) => lab.dispatch(SecurityEvent::InspectFailed(error)),
                }
            }
            SecurityEffect::Copy(text) => {
                wasm_bindgen_futures::spawn_local(async move {
                    store.dispatch(SecurityEvent::Copied(http::copy_to_clipboard(&text).await));
                });
            }
        }
    }
}
