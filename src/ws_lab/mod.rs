//! The WebSocket lab: connect to the echo server (or any URL), send text or binary, and read
//! every message in a capped, filterable log with a detail view per message.
//!
//! The root holds one store (`effects.rs`: `wire::ws_lab::WsLabState` and the socket); the
//! connection bar, the log, the detail and the composer get plain values and emit `WsEvent`s.

mod composer;
mod connect_bar;
mod effects;
mod har_export;
mod message_detail;
mod message_list;

use wire::message_log::EntryBody;
use wire::saved_messages::SavedMessages;
use wire::share_link::Shareable;
use wire::ws_lab::{WsEvent, WsLabState};
use yew::prelude::*;

use crate::components::capture_actions::CaptureActions;
use crate::components::copy_link::{CopyLink, use_opened_link};
use crate::lab_store::use_lab_store;
use crate::net::{page_origin, storage};
use composer::Composer;
use connect_bar::ConnectBar;
pub use effects::{SAVED_KEY, Session, SocketIo};
use message_detail::MessageDetail;
use message_list::{LogSnapshot, MessageList};

/// The saved messages from localStorage; unreadable text is set aside (never lost).
fn load_saved() -> SavedMessages {
    storage::load_or_set_aside(SAVED_KEY, SavedMessages::from_json).ok().flatten().unwrap_or_default()
}

/// Where the server serves its capture of the `/ws/inspect` session, once the handshake report
/// has named one.
fn capture_url(lab: &WsLabState) -> Option<String> {
    let id = lab.handshake.as_ref()?.capture.as_deref()?;
    wire::packets::synth::capture_url(&lab.form.url, id)
}

#[function_component(WsLab)]
pub fn ws_lab() -> Html {
    let session: Session = use_lab_store(|| {
        let (protocol, host) = page_origin();
        (WsLabState::new(&protocol, &host, load_saved()), SocketIo::default())
    });
    // Unmounting the lab closes its connection (the socket's Drop sends close 1000); the app keeps
    // a visited lab mounted, so this happens only when the page goes.
    {
        let session = session.clone();
        use_effect_with((), move |_| move || session.runner().close_for_good());
    }

    let link_notice = use_opened_link(&session);
    let share = {
        let session = session.clone();
        Callback::from(move |secrets| session.state().share(secrets))
    };

    let snapshot = LogSnapshot::new(&session);
    let lab = session.state();
    let selected_entry = lab.selected.and_then(|id| lab.log.by_id(id)).and_then(|entry| match &entry.body {
        EntryBody::Message { direction, payload } => Some((entry.id, entry.at_ms, *direction, payload.clone())),
        EntryBody::Event { .. } => None,
    });
    let selected_frames = lab.selected.and_then(|id| lab.frames.get(&id).cloned());
    html! {
        <div class="ws-lab">
            <div class="lab-head"><h1>{"WebSocket"}</h1><CopyLink {share} /></div>
            {link_notice}
            <ConnectBar
                form={lab.form.clone()}
                state={lab.connection.clone()}
                error={lab.form_error.clone()}
                on_change={session.callback(WsEvent::Form)}
                on_connect={session.callback(|()| WsEvent::Connect)}
                on_disconnect={session.callback(|()| WsEvent::Disconnect)}
            />
            if let Some(url) = capture_url(&lab) {
                <div class="session-capture"><CaptureActions {url} what="the WebSocket session" /></div>
            }
            <div class="ws-workspace">
                <MessageList
                    {snapshot}
                    filter={lab.filter.clone()}
                    selected={lab.selected}
                    autoscroll={lab.autoscroll}
                    on_filter={session.callback(WsEvent::Filter)}
                    on_select={session.callback(WsEvent::Select)}
                    on_autoscroll={session.callback(WsEvent::Autoscroll)}
                    on_clear={session.callback(|()| WsEvent::ClearLog)}
                />
                <MessageDetail entry={selected_entry} frames={selected_frames} on_reuse={session.callback(WsEvent::Reuse)} />
            </div>
            <Composer
                draft={lab.draft.clone()}
                error={lab.draft_error.clone()}
                connected={lab.connection.is_open()}
                buffered={session.runner().buffered_amount()}
                on_change={session.callback(WsEvent::Draft)}
                on_send={session.callback(|()| WsEvent::Send)}
                on_send_file={session.callback(WsEvent::SendFile)}
                saved={lab.saved.messages().to_vec()}
                on_save={session.callback(|()| WsEvent::Save)}
                on_use_saved={session.callback(WsEvent::UseSaved)}
                on_forget_saved={session.callback(WsEvent::ForgetSaved)}
            />
        </div>
    }
}
