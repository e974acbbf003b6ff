//! The HTTP lab: build a request, send it with fetch, read the response as a tree, text, hex or
//! image with its headers and timing, see what the server received, and keep a history.

mod code_panel;
mod draft;
mod history_panel;
mod request_editor;
mod response_view;

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wire::history::{HISTORY_CAPACITY, History};
use wire::http_request::HttpRequest;
use yew::prelude::*;

use crate::net::http::{AbortCause, AttachedFiles, send};
use crate::net::{now_ms, storage};
use code_panel::CodePanel;
use draft::{Draft, DraftEdit};
use history_panel::HistoryPanel;
use request_editor::RequestEditor;
use response_view::{Exchange, ResponseView, SharedFiles};

const HISTORY_KEY: &str = "wirelab.http.history";

/// The request the lab opens with: this server's echo of a GET, with a parameter to play with.
fn first_request() -> HttpRequest {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let origin = if origin.starts_with("http") { origin } else { "http://127.0.0.1:8080".to_string() };
    HttpRequest { url: format!("{origin}/get?greeting=hello"), ..HttpRequest::default() }
}

/// Reads the stored history; unreadable text is set aside (never lost) with a notice.
fn load_history() -> (History, Option<String>) {
    match storage::load_or_set_aside(HISTORY_KEY, |text| History::from_json(text, HISTORY_CAPACITY)) {
        Ok(history) => (history.unwrap_or_else(|| History::with_capacity(HISTORY_CAPACITY)), None),
        Err(error) => (
            History::with_capacity(HISTORY_CAPACITY),
            Some(format!("The saved history could not be read ({error}); a new one started.")),
        ),
    }
}

/// An in-flight request: its controller and the timer that aborts it.
struct InFlight {
    controller: web_sys::AbortController,
    cause: Rc<Cell<Option<AbortCause>>>,
    _timeout: Option<Timeout>,
}

#[function_component(HttpLab)]
pub fn http_lab() -> Html {
    let draft = use_reducer(|| Draft::new(first_request()));
    let problem = use_state(|| None);
    let exchange = use_state(|| Exchange::Idle);
    let history_state = use_mut_ref(load_history);
    let history_version = use_state(|| 0_u64);
    let history_notice = use_state(|| history_state.borrow().1.clone());
    let files = use_mut_ref(AttachedFiles::default);
    let in_flight = use_mut_ref(|| None::<InFlight>);

    let save_history = {
        let history_state = history_state.clone();
        let history_version = history_version.clone();
        let history_notice = history_notice.clone();
        Rc::new(move || {
            let json = history_state.borrow().0.to_json();
            if let Err(error) = storage::save(HISTORY_KEY, &json) {
                history_notice.set(Some(error));
            }
            history_version.set(*history_version + 1);
        })
    };

    let on_edit = {
        let draft = draft.clone();
        let problem = problem.clone();
        Callback::from(move |edit: DraftEdit| {
            draft.dispatch(edit);
            problem.set(None);
        })
    };
    let on_file = {
        let files = files.clone();
        Callback::from(move |(field, file): (Option<usize>, Option<web_sys::File>)| {
            let mut files = files.borrow_mut();
            match field {
                None => files.body = file,
                Some(index) => {
                    files.multipart.retain(|(at, _)| *at != index);
                    if let Some(file) = file {
                        files.multipart.push((index, file));
                    }
                }
            }
        })
    };
    let on_send = {
        let draft = draft.clone();
        let problem = problem.clone();
        let exchange = exchange.clone();
        let history_state = history_state.clone();
        let save_history = save_history.clone();
        let files = files.clone();
        let in_flight = in_flight.clone();
        Callback::from(move |()| {
            if in_flight.borrow().is_some() {
                return;
            }
            let request = draft.request.clone();
            if let Err(found) = request.check() {
                problem.set(Some(found));
                return;
            }
            problem.set(None);
            let Ok(controller) = web_sys::AbortController::new() else {
                exchange.set(Exchange::Failed {
                    failure: crate::net::http::FetchFailure::Refused("this browser has no AbortController".into()),
                    sent: Rc::new(request),
                });
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
            *in_flight.borrow_mut() =
                Some(InFlight { controller: controller.clone(), cause: cause.clone(), _timeout: timeout });
            let id = history_state.borrow_mut().0.record(request.clone(), now_ms());
            save_history();
            exchange.set(Exchange::Sending);

            let exchange = exchange.clone();
            let history_state = history_state.clone();
            let save_history = save_history.clone();
            let attached = files.borrow().clone();
            let in_flight = in_flight.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = send(&request, &attached, &controller, || cause.get()).await;
                in_flight.borrow_mut().take();
                let sent = Rc::new(request);
                match result {
                    Ok(outcome) => {
                        history_state.borrow_mut().0.complete(
                            id,
                            Some(outcome.status),
                            Some(outcome.duration_ms),
                            None,
                        );
                        exchange.set(Exchange::Done { outcome: Rc::new(outcome), sent });
                    }
                    Err(failure) => {
                        history_state.borrow_mut().0.complete(id, None, None, Some(failure.title().to_string()));
                        exchange.set(Exchange::Failed { failure, sent });
                    }
                }
                save_history();
            });
        })
    };
    let on_cancel = {
        let in_flight = in_flight.clone();
        Callback::from(move |()| {
            if let Some(flight) = in_flight.borrow().as_ref() {
                flight.cause.set(Some(AbortCause::Cancel));
                flight.controller.abort();
            }
        })
    };
    let on_restore = {
        let draft = draft.clone();
        let history_state = history_state.clone();
        let problem = problem.clone();
        Callback::from(move |id: u64| {
            if let Some(entry) = history_state.borrow().0.get(id) {
                draft.dispatch(DraftEdit::Replace(entry.request.clone()));
                problem.set(None);
            }
        })
    };
    let on_clear_history = {
        let history_state = history_state.clone();
        let save_history = save_history.clone();
        Callback::from(move |()| {
            history_state.borrow_mut().0.clear();
            save_history();
        })
    };
    let on_import = {
        let draft = draft.clone();
        let problem = problem.clone();
        Callback::from(move |request: HttpRequest| {
            draft.dispatch(DraftEdit::Replace(request));
            problem.set(None);
        })
    };
    let on_keydown = {
        let on_send = on_send.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                on_send.emit(());
            }
        })
    };

    let sending = matches!(*exchange, Exchange::Sending);
    let entries = history_state.borrow().0.entries().to_vec();
    let files_shared = SharedFiles(files.clone());
    html! {
        <div class="http-lab" onkeydown={on_keydown}>
            <div class="lab-head"><h1>{"HTTP"}</h1></div>
            <HistoryPanel {entries} notice={(*history_notice).clone()} {on_restore} on_clear={on_clear_history} />
            <div class="http-main">
                <RequestEditor request={draft.request.clone()} params={draft.params.clone()} problem={(*problem).clone()}
                    {sending} {on_edit} {on_send} {on_cancel} {on_file} />
                <ResponseView exchange={(*exchange).clone()} files={files_shared} />
                <CodePanel request={draft.request.clone()} {on_import} />
            </div>
        </div>
    }
}
