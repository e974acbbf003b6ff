//! The WebSocket lab: connect to the echo server (or any URL), send text or binary, and read
//! every message in a capped, filterable log with a detail view per message.

mod composer;
mod connect_bar;
mod message_detail;
mod message_list;
mod session;

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wire::binary_input::{PayloadEncoding, parse_binary};
use wire::connection::check_client_close;
use wire::endpoint::{check_socket_url, echo_url_for_page, parse_subprotocols};
use wire::message_log::{EntryBody, LogFilter, Payload};
use yew::prelude::*;

use crate::net::{page_origin, storage};
use composer::{Composer, ComposerDraft, DraftEdit};
use connect_bar::{ConnectBar, ConnectForm, FormEdit};
use message_detail::MessageDetail;
use message_list::{LogSnapshot, MessageList};
pub use session::{Session, SharedSession};
use wire::saved_messages::{SavedMessage, SavedMessages};

const SAVED_KEY: &str = "wirelab.ws.saved";

/// The saved messages from localStorage; unreadable text is set aside (never lost).
fn load_saved() -> SavedMessages {
    storage::load_or_set_aside(SAVED_KEY, SavedMessages::from_json).ok().flatten().unwrap_or_default()
}

/// Redraws are batched to at most one per this many milliseconds while messages stream in.
const REDRAW_INTERVAL_MS: u32 = 50;

#[function_component(WsLab)]
pub fn ws_lab() -> Html {
    let session: SharedSession = use_mut_ref(Session::default);
    let force_update = use_force_update();
    let redraw_pending = use_mut_ref(|| false);
    let redraw: Rc<dyn Fn()> = {
        let force_update = force_update.clone();
        let pending = redraw_pending.clone();
        Rc::new(move || {
            if std::mem::replace(&mut *pending.borrow_mut(), true) {
                return;
            }
            let force_update = force_update.clone();
            let pending = pending.clone();
            Timeout::new(REDRAW_INTERVAL_MS, move || {
                *pending.borrow_mut() = false;
                force_update.force_update();
            })
            .forget();
        })
    };

    let form = use_reducer(|| {
        let (protocol, host) = page_origin();
        ConnectForm { url: echo_url_for_page(&protocol, &host), ..ConnectForm::default() }
    });
    let form_error = use_state(|| None::<String>);
    let draft = use_reducer(ComposerDraft::default);
    let draft_error = use_state(|| None::<String>);
    let filter = use_state(LogFilter::default);
    let selected = use_state(|| None::<u64>);
    let autoscroll = use_state(|| true);

    let saved = use_mut_ref(load_saved);
    let saved_version = use_state(|| 0_u64);
    // Unmounting the lab closes its connection (the socket's Drop sends close 1000); the app keeps
    // a visited lab mounted, so this happens only when the page goes.
    {
        let session = session.clone();
        use_effect_with((), move |_| move || drop(session.borrow_mut().take_socket()));
    }

    let on_form_change = {
        let form = form.clone();
        let form_error = form_error.clone();
        Callback::from(move |edit: FormEdit| {
            form.dispatch(edit);
            form_error.set(None);
        })
    };
    let on_connect = {
        let form = form.clone();
        let form_error = form_error.clone();
        let session = session.clone();
        let redraw = redraw.clone();
        Callback::from(move |()| {
            let (protocol, _) = page_origin();
            let checked =
                check_socket_url(&form.url, protocol == "https:").map_err(|error| error.to_string()).and_then(|url| {
                    parse_subprotocols(&form.subprotocols)
                        .map(|protocols| (url, protocols))
                        .map_err(|error| error.to_string())
                });
            match checked {
                Ok((url, protocols)) => {
                    form_error.set(None);
                    Session::connect(&session, &url, &protocols, redraw.clone());
                    redraw();
                }
                Err(error) => form_error.set(Some(error)),
            }
        })
    };
    let on_disconnect = {
        let form = form.clone();
        let form_error = form_error.clone();
        let session = session.clone();
        let redraw = redraw.clone();
        Callback::from(move |()| {
            let code = match form.close_code.trim().parse::<u16>() {
                Ok(code) => code,
                Err(_) => {
                    form_error.set(Some(format!("close code '{}' is not a number from 1000 to 4999", form.close_code)));
                    return;
                }
            };
            let result = check_client_close(code, &form.close_reason)
                .map_err(|error| error.to_string())
                .and_then(|()| session.borrow_mut().disconnect(code, &form.close_reason));
            match result {
                Ok(()) => form_error.set(None),
                Err(error) => form_error.set(Some(error)),
            }
            redraw();
        })
    };

    let on_draft_change = {
        let draft = draft.clone();
        let draft_error = draft_error.clone();
        Callback::from(move |edit: DraftEdit| {
            draft.dispatch(edit);
            draft_error.set(None);
        })
    };
    let on_send = {
        let draft = draft.clone();
        let draft_error = draft_error.clone();
        let session = session.clone();
        let redraw = redraw.clone();
        let autoscroll = autoscroll.clone();
        Callback::from(move |()| {
            let payload = match parse_binary(draft.encoding, &draft.text) {
                Ok(Some(bytes)) => Payload::Binary(bytes),
                Ok(None) => Payload::Text(draft.text.clone()),
                Err(error) => {
                    draft_error.set(Some(format!("Nothing was sent: {error}")));
                    return;
                }
            };
            let repeat = draft.repeat.max(1);
            let mut session = session.borrow_mut();
            for _ in 0..repeat {
                if let Err(error) = session.send(payload.clone()) {
                    draft_error.set(Some(format!("Nothing was sent: {error}")));
                    break;
                }
            }
            drop(session);
            autoscroll.set(true);
            redraw();
        })
    };
    let on_send_file = {
        let draft_error = draft_error.clone();
        let session = session.clone();
        let redraw = redraw.clone();
        Callback::from(move |result: Result<Vec<u8>, String>| {
            let outcome = result.and_then(|bytes| session.borrow_mut().send(Payload::Binary(bytes)));
            if let Err(error) = outcome {
                draft_error.set(Some(format!("The file was not sent: {error}")));
            }
            redraw();
        })
    };
    let on_reuse = {
        let draft = draft.clone();
        Callback::from(move |payload: Rc<Payload>| {
            let (encoding, text) = match payload.as_ref() {
                Payload::Text(text) => (PayloadEncoding::Text, text.clone()),
                Payload::Binary(bytes) => (PayloadEncoding::Hex, wire::hexdump::to_hex(bytes)),
            };
            draft.dispatch(DraftEdit::Message(encoding, text));
        })
    };
    let store_saved = {
        let saved = saved.clone();
        let saved_version = saved_version.clone();
        Rc::new(move || {
            // A full or disabled storage only means the list is not kept across reloads.
            let _ = storage::save(SAVED_KEY, &saved.borrow().to_json());
            saved_version.set(*saved_version + 1);
        })
    };
    let on_save = {
        let saved = saved.clone();
        let draft = draft.clone();
        let store_saved = store_saved.clone();
        Callback::from(move |()| {
            if saved.borrow_mut().save(SavedMessage::new(draft.encoding, draft.text.clone())) {
                store_saved();
            }
        })
    };
    let on_use_saved = {
        let saved = saved.clone();
        let draft = draft.clone();
        Callback::from(move |index: usize| {
            if let Some(message) = saved.borrow().messages().get(index) {
                draft.dispatch(DraftEdit::Message(message.encoding(), message.text.clone()));
            }
        })
    };
    let on_forget_saved = {
        let saved = saved.clone();
        let store_saved = store_saved.clone();
        Callback::from(move |index: usize| {
            saved.borrow_mut().remove(index);
            store_saved();
        })
    };
    let on_clear = {
        let session = session.clone();
        let selected = selected.clone();
        let redraw = redraw.clone();
        Callback::from(move |()| {
            session.borrow_mut().clear_log();
            selected.set(None);
            redraw();
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |next: LogFilter| filter.set(next))
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |id: u64| selected.set(Some(id)))
    };
    let on_autoscroll = {
        let autoscroll = autoscroll.clone();
        Callback::from(move |on: bool| autoscroll.set(on))
    };

    let snapshot = LogSnapshot::new(session.clone());
    let current = session.borrow();
    let selected_entry = selected.and_then(|id| current.log.by_id(id)).and_then(|entry| match &entry.body {
        EntryBody::Message { direction, payload } => Some((entry.id, entry.at_ms, *direction, payload.clone())),
        EntryBody::Event { .. } => None,
    });
    let selected_frames = selected.and_then(|id| current.frames.get(&id).cloned());
    html! {
        <div class="ws-lab">
            <ConnectBar
                form={(*form).clone()}
                state={current.connection.clone()}
                error={(*form_error).clone()}
                on_change={on_form_change}
                {on_connect}
                {on_disconnect}
            />
            <div class="ws-workspace">
                <MessageList
                    {snapshot}
                    filter={(*filter).clone()}
                    selected={*selected}
                    autoscroll={*autoscroll}
                    {on_filter}
                    {on_select}
                    {on_autoscroll}
                    {on_clear}
                />
                <MessageDetail entry={selected_entry} frames={selected_frames} {on_reuse} />
            </div>
            <Composer
                draft={(*draft).clone()}
                error={(*draft_error).clone()}
                connected={current.connection.is_open()}
                buffered={current.buffered_amount()}
                on_change={on_draft_change}
                {on_send}
                {on_send_file}
                saved={saved.borrow().messages().to_vec()}
                {on_save}
                {on_use_saved}
                {on_forget_saved}
            />
        </div>
    }
}
