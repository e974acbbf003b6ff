//! The Concurrency lab's browser side: the fetches (one `AbortController` per run, so Stop ends
//! every request still in flight), the WebSockets (kept until the state says close them), the
//! Resource Timing buffer, `/api/info` for the TLS port, and the clipboard. What starts when is
//! decided by `wire::concurrency_lab::ConcurrencyLabState`; outcomes come back as events.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::AbortController;
use wire::concurrency_lab::{ConcurrencyEffect, ConcurrencyEvent, ConcurrencyLabState, tls_port_in_info};
use wire::ws_lab::SocketEvent;

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::performance_now;
use crate::net::socket::Socket;
use crate::net::timed_fetch::{measured_get, prepare_timings, server_info};

pub type ConcurrencyStore = LabStore<ConcurrencyLabState, ConcurrencyIo>;

/// The browser objects of the runs.
#[derive(Default)]
pub struct ConcurrencyIo {
    /// `http://HOST:PORT` of the server, or empty for the one that served the page.
    origin: String,
    /// The run whose fetches this controller aborts.
    abort: RefCell<Option<(u32, AbortController)>>,
    /// The open (or opening) sockets of the current run.
    sockets: Rc<RefCell<Vec<(u32, Socket)>>>,
}

impl ConcurrencyIo {
    pub fn new(origin: String) -> ConcurrencyIo {
        ConcurrencyIo { origin, ..ConcurrencyIo::default() }
    }

    /// Aborts the fetches and closes the sockets (the lab is going away).
    pub fn close_for_good(&self) {
        if let Some((_, controller)) = self.abort.borrow_mut().take() {
            controller.abort();
        }
        self.sockets.borrow_mut().clear();
    }

    fn controller(&self, run: u32) -> Option<AbortController> {
        let mut slot = self.abort.borrow_mut();
        if slot.as_ref().is_none_or(|(id, _)| *id != run) {
            *slot = Some((run, AbortController::new().ok()?));
        }
        slot.as_ref().map(|(_, controller)| controller.clone())
    }
}

/// Reads the server's TLS port from `/api/info` into the lab.
pub fn load_server_info(lab: &ConcurrencyStore) {
    let origin = lab.runner().origin.clone();
    let lab = lab.downgrade();
    wasm_bindgen_futures::spawn_local(async move {
        let info = server_info(&origin).await.map(|info| tls_port_in_info(&info));
        lab.dispatch(ConcurrencyEvent::ServerInfo(info));
    });
}

impl EffectRunner<ConcurrencyLabState> for ConcurrencyIo {
    fn run(&self, effect: ConcurrencyEffect, lab: &ConcurrencyStore) {
        match effect {
            ConcurrencyEffect::PrepareTimings { entries } => prepare_timings(entries),
            ConcurrencyEffect::Fetch { run, index, url } => {
                let Some(controller) = self.controller(run) else {
                    lab.dispatch(ConcurrencyEvent::RequestDone {
                        run,
                        index,
                        result: Err("this browser has no AbortController".into()),
                    });
                    return;
                };
                let lab = lab.downgrade();
                wasm_bindgen_futures::spawn_local(async move {
                    let result = measured_get(&url, &controller.signal()).await;
                    lab.dispatch_streamed(ConcurrencyEvent::RequestDone { run, index, result });
                });
            }
            ConcurrencyEffect::AbortRequests { run } => {
                if let Some((id, controller)) = self.abort.borrow().as_ref()
                    && *id == run
                {
                    controller.abort();
                }
            }
            ConcurrencyEffect::OpenSocket { run, index, url } => {
                let store = lab.downgrade();
                let started_ms = performance_now();
                let on_event = Rc::new(move |event: SocketEvent| {
                    let at_ms = performance_now();
                    let event = match event {
                        SocketEvent::Opened { .. } => {
                            ConcurrencyEvent::SocketOpened { run, index, started_ms, opened_ms: at_ms }
                        }
                        SocketEvent::Failed => ConcurrencyEvent::SocketFailed {
                            run,
                            index,
                            started_ms,
                            at_ms,
                            error: "the handshake failed (the browser gives no reason)".into(),
                        },
                        SocketEvent::Closed(_) => ConcurrencyEvent::SocketClosed { run, index, at_ms },
                        SocketEvent::Received(_) => return,
                    };
                    store.dispatch_streamed(event);
                });
                match Socket::open(&url, &[], on_event) {
                    Ok(socket) => self.sockets.borrow_mut().push((run, socket)),
                    Err(error) => lab.dispatch(ConcurrencyEvent::SocketFailed {
                        run,
                        index,
                        started_ms,
                        at_ms: started_ms,
                        error,
                    }),
                }
            }
            ConcurrencyEffect::CloseSockets { run } => {
                // Dropping a socket detaches its handlers and closes it; a task later, so the
                // handler that asked for this is not dropped while it runs.
                let sockets = self.sockets.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    sockets.borrow_mut().retain(|(id, _)| *id != run);
                });
            }
            ConcurrencyEffect::Copy(text) => {
                let lab = lab.downgrade();
                wasm_bindgen_futures::spawn_local(async move {
                    lab.dispatch(ConcurrencyEvent::Copied(crate::net::http::copy_to_clipboard(&text).await));
                });
            }
        }
    }
}
