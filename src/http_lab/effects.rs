//! The HTTP lab's browser side: fetching a request (with its timeout and the files the person
//! picked, which only the browser holds), reading a streamed body chunk by chunk, cancelling it,
//! the EventSource panel's EventSource, and keeping the history in localStorage. Everything else
//! the lab decides is `wire::http_lab::HttpLabState`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wire::http_lab::{FetchFailure, HttpEffect, HttpEvent, HttpLabState};
use wire::stream_log::event_source::{EsEffect, EsEvent};

use crate::lab_store::{EffectRunner, LabStore};
use crate::net::event_source::{self, OpenEventSource};
use crate::net::http::{AbortCause, AttachedFiles, StreamObserver, send_observed};
use crate::net::storage;

/// Where the history is kept across reloads.
pub const HISTORY_KEY: &str = "wirelab.http.history";

pub type HttpStore = LabStore<HttpLabState, FetchIo>;

/// An in-flight request: its controller, why it was aborted, and the timer that aborts it.
struct InFlight {
    controller: web_sys::AbortController,
    cause: Rc<Cell<Option<AbortCause>>>,
    _timeout: Option<Timeout>,
}

#[derive(Default)]
pub struct FetchIo {
    /// The files picked for the body or for multipart fields.
    pub files: Rc<RefCell<AttachedFiles>>,
    in_flight: Rc<RefCell<Option<InFlight>>>,
    /// The EventSource panel's EventSource, while it is open.
    event_source: RefCell<Option<OpenEventSource>>,
}

impl FetchIo {
    /// Keeps a file picked for the body (`None`) or for multipart field `Some(index)`; `file`
    /// `None` forgets it.
    pub fn attach(&self, field: Option<usize>, file: Option<web_sys::File>) {
        let mut files = self.files.borrow_mut();
        match field {
            None => files.body = file,
            Some(index) => {
                files.multipart.retain(|(at, _)| *at != index);
                if let Some(file) = file {
                    files.multipart.push((index, file));
                }
            }
        }
    }
}

impl EffectRunner<HttpLabState> for FetchIo {
    fn run(&self, effect: HttpEffect, lab: &HttpStore) {
        match effect {
            HttpEffect::Fetch { request, as_it_arrives } => {
                let Ok(controller) = web_sys::AbortController::new() else {
                    let failure = FetchFailure::Refused("this browser has no AbortController".into());
                    lab.dispatch(HttpEvent::Finished(Err(failure)));
                    return;
                };
                let cause = Rc::new(Cell::new(None));
                let timeout = request.timeout_ms.map(|ms| {
                    let controller = controller.clone();
                    let cause = cause.clone();
                    Timeout::new(ms, move || {
                        cause.set(Some(AbortCause::Timeout(ms)));
                        controller.abort();
                    })
                });
                *self.in_flight.borrow_mut() =
                    Some(InFlight { controller: controller.clone(), cause: cause.clone(), _timeout: timeout });
                let attached = self.files.borrow().clone();
                let in_flight = self.in_flight.clone();
                let lab = lab.downgrade();
                wasm_bindgen_futures::spawn_local(async move {
                    let on_open = |status, content_type: &str, headers_at_ms| {
                        let content_type = content_type.to_string();
                        lab.dispatch(HttpEvent::StreamOpened { status, content_type, headers_at_ms });
                    };
                    let on_chunk = |at_ms, bytes: &[u8]| {
                        lab.dispatch_streamed(HttpEvent::StreamChunk { at_ms, bytes: bytes.to_vec() });
                    };
                    let observer = StreamObserver { asked: as_it_arrives, on_open: &on_open, on_chunk: &on_chunk };
                    let result = send_observed(&request, &attached, &controller, || cause.get(), Some(&observer)).await;
                    in_flight.borrow_mut().take();
                    lab.dispatch(HttpEvent::Finished(result));
                });
            }
            HttpEffect::Abort => {
                if let Some(flight) = self.in_flight.borrow().as_ref() {
                    flight.cause.set(Some(AbortCause::Cancel));
                    flight.controller.abort();
                }
            }
            HttpEffect::EventSource(EsEffect::Open { url, event_types }) => {
                self.event_source.borrow_mut().take();
                let weak = lab.downgrade();
                match event_source::open(&url, &event_types, move |event| {
                    weak.dispatch_streamed(HttpEvent::EventSource(event))
                }) {
                    Ok(source) => *self.event_source.borrow_mut() = Some(source),
                    Err(reason) => lab.dispatch(HttpEvent::EventSource(EsEvent::Refused(reason))),
                }
            }
            HttpEffect::EventSource(EsEffect::Close) => {
                self.event_source.borrow_mut().take();
            }
            HttpEffect::StoreHistory(json) => {
                if let Err(error) = storage::save(HISTORY_KEY, &json) {
                    lab.dispatch(HttpEvent::HistoryNotStored(error));
                }
            }
        }
    }
}
