//! The HTTP lab: build a request, send it with fetch, read the response as a tree, text, hex or
//! image with its headers and timing (or chunk by chunk as it arrives), see what the server
//! received, keep a history, and watch Server-Sent Events through the browser's EventSource.
//!
//! The root holds one store (`effects.rs`: `wire::http_lab::HttpLabState` and the fetch in
//! progress); the history, the request editor, the response and the code panel get plain values
//! and emit `HttpEvent`s. Picked files go to the store's runner, since only the browser holds
//! their bytes (the request names them).

mod code_panel;
mod effects;
mod event_source_panel;
mod history_panel;
mod request_editor;
mod response_view;
mod stream_view;

use wire::history::{HISTORY_CAPACITY, History};
use wire::http_lab::{HttpEvent, HttpLabState};
use wire::share_link::Shareable;
use yew::prelude::*;

use crate::components::copy_link::{CopyLink, use_opened_link};
use crate::lab_store::use_lab_store;
use crate::net::storage;
use code_panel::CodePanel;
pub use effects::{FetchIo, HISTORY_KEY, HttpStore};
use event_source_panel::EventSourcePanelView;
use history_panel::HistoryPanel;
use request_editor::RequestEditor;
use response_view::{ResponseView, SharedFiles};

/// The stored history: `Ok(None)` when there is none, an error (the text set aside) when it
/// cannot be read.
fn load_history() -> Result<Option<History>, String> {
    storage::load_or_set_aside(HISTORY_KEY, |text| History::from_json(text, HISTORY_CAPACITY))
}

#[function_component(HttpLab)]
pub fn http_lab() -> Html {
    let lab: HttpStore = use_lab_store(|| {
        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        (HttpLabState::new(&origin, load_history()), FetchIo::default())
    });
    let on_file = {
        let lab = lab.clone();
        Callback::from(move |(field, file): (Option<usize>, Option<web_sys::File>)| lab.runner().attach(field, file))
    };
    let on_keydown = {
        let lab = lab.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                lab.dispatch(HttpEvent::Send);
            }
        })
    };

    let link_notice = use_opened_link(&lab);
    let share = {
        let lab = lab.clone();
        Callback::from(move |secrets| lab.state().share(secrets))
    };

    let state = lab.state();
    html! {
        <div class="http-lab" onkeydown={on_keydown}>
            <div class="lab-head"><h1>{"HTTP"}</h1><CopyLink {share} /></div>
            {link_notice}
            <HistoryPanel entries={state.history.entries().to_vec()} notice={state.history_notice.clone()}
                har_notice={state.har_notice.clone()} exchange={state.exchange.clone()} exchange_entry={state.exchange_entry}
                on_har_imported={lab.callback(|(file_name, result)| HttpEvent::HarImported { file_name, result })}
                on_restore={lab.callback(HttpEvent::Restore)} on_clear={lab.callback(|()| HttpEvent::ClearHistory)} />
            <div class="http-main">
                <RequestEditor request={state.draft.request.clone()} params={state.draft.params.clone()}
                    problem={state.problem.clone()} sending={state.is_sending()}
                    on_edit={lab.callback(HttpEvent::Edit)} on_send={lab.callback(|()| HttpEvent::Send)}
                    on_cancel={lab.callback(|()| HttpEvent::Cancel)} {on_file}
                    as_it_arrives={state.show_as_it_arrives} on_as_it_arrives={lab.callback(HttpEvent::ShowAsItArrives)} />
                <ResponseView exchange={state.exchange.clone()} files={SharedFiles(lab.runner().files.clone())}
                    stream={state.stream.clone()} />
                <CodePanel request={state.draft.request.clone()} on_import={lab.callback(HttpEvent::Import)} />
                <EventSourcePanelView panel={state.event_source.clone()} on_event={lab.callback(HttpEvent::EventSource)} />
            </div>
        </div>
    }
}
