//! The Sockets lab: raw TCP and UDP conversations, and SMTP, POP3 and FTP spoken by hand, through
//! the server's bridge (a browser cannot open a socket, so the server opens it on the page's
//! behalf, only to its built-in peers and the addresses it allows). Every byte both ways is in
//! the transcript, every reply explained where it arrived, FTP's data connection a second,
//! linked transcript; guided walkthroughs, the session as Python, and the server's mailbox.
//!
//! The root holds one store (`effects.rs`: `wire::sockets::lab::SocketsLabState` and the bridges'
//! WebSockets); the connect bar, the transcripts, the composer and the side panel get plain values
//! and emit `SocketsEvent`s.

mod composer;
mod connect_bar;
mod effects;
mod mailbox_view;
mod pictures;
mod python_panel;
mod reply_view;
mod side_panel;
mod transcript_view;
mod walkthrough_panel;

use std::cell::Ref;

use wire::bridge_event::Transport;
use wire::sockets::lab::{Channel, SocketsEvent, SocketsLabState, WalkthroughEvent};
use yew::prelude::*;

use crate::lab_keys::use_lab_keydown;
use crate::lab_store::use_lab_store;
use crate::net::page_origin;
use composer::Composer;
use connect_bar::{ConnectBar, link_detail};
pub use effects::{BridgeIo, SocketsStore};
use mailbox_view::MailboxView;
use python_panel::PythonPanel;
use side_panel::SidePanel;
use transcript_view::TranscriptView;
use walkthrough_panel::WalkthroughPanel;

/// The lab's state as a prop for the views that read the transcripts: equal while nothing they
/// show has changed (the lab's revision), so typing in the composer never redraws them.
#[derive(Clone, PartialEq)]
pub struct LabSnapshot {
    store: SocketsStore,
    revision: u64,
}

impl LabSnapshot {
    fn new(store: &SocketsStore) -> LabSnapshot {
        let revision = store.state().revision();
        LabSnapshot { store: store.clone(), revision }
    }

    pub fn state(&self) -> Ref<'_, SocketsLabState> {
        self.store.state()
    }
}

/// The lab, talking to the server that served the page (the lab module's root).
#[function_component(SocketsLab)]
pub fn sockets_lab() -> Html {
    html! { <SocketsLabOn /> }
}

#[derive(Properties, PartialEq)]
pub struct SocketsLabOnProps {
    /// `HOST:PORT` of a wirelab-server over plain HTTP; by default the one that served the page.
    #[prop_or_default]
    pub server: Option<AttrValue>,
}

/// The lab, talking to `server` (the browser tests run it against a server of their own).
#[function_component(SocketsLabOn)]
pub fn sockets_lab_on(props: &SocketsLabOnProps) -> Html {
    let server = props.server.clone();
    let lab: SocketsStore = use_lab_store(move || match server {
        Some(host) => (SocketsLabState::new("http:", &host), BridgeIo::new(format!("http://{host}"))),
        None => {
            let (protocol, host) = page_origin();
            (SocketsLabState::new(&protocol, &host), BridgeIo::new(String::new()))
        }
    });
    {
        // Read the peers once; unmounting the lab (the page going) closes its bridges.
        let lab = lab.clone();
        use_effect_with((), move |_| {
            effects::load_peers(&lab);
            move || lab.runner().close_for_good()
        });
    }
    // Ctrl+Shift+Enter runs the next walkthrough step while the lab is on screen, wherever the
    // focus is (a Run step button that was just pressed is disabled while its step runs).
    let root = use_node_ref();
    {
        let lab = lab.clone();
        use_lab_keydown(root.clone(), move |event| {
            if event.key() == "Enter" && event.shift_key() && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                lab.dispatch(SocketsEvent::Walkthrough(WalkthroughEvent::RunStep));
            }
        });
    }

    let snapshot = LabSnapshot::new(&lab);
    let state = lab.state();
    let control = state.control.as_ref();
    let sending_on = state.link(state.send_on);
    let can_send = sending_on.is_some_and(|link| link.check_sendable().is_ok());
    let can_finish = can_send && sending_on.is_some_and(|link| link.transport == Transport::Tcp);
    let has_data = state.data.is_some();
    let walkthroughs = html! {
        <WalkthroughPanel run={state.walkthrough.clone()} on_event={lab.callback(SocketsEvent::Walkthrough)} />
    };
    let python = html! {
        <PythonPanel snapshot={snapshot.clone()} python_problem={state.python_problem.clone()}
            copy_notice={state.copy_notice.clone()} on_copy={lab.callback(SocketsEvent::CopyPython)} />
    };
    let mailbox = html! {
        <MailboxView panel={state.mailbox.clone()} on_refresh={lab.callback(|()| SocketsEvent::RefreshMailbox)} />
    };
    html! {
        <div class="sockets-lab" ref={root}>
            <div class="lab-head">
                <h1>{"Sockets"}</h1>
                <p class="muted lab-subtitle">
                    {"TCP and UDP through the server's bridge: a browser cannot open a socket, so the server \
                      opens it for the page, only to its own peers and the addresses it allows."}
                </p>
            </div>
            <ConnectBar
                peers={state.peers.clone()}
                peers_problem={state.peers_problem.clone()}
                target_text={state.target_text.clone()}
                transport={state.transport}
                protocol={state.protocol()}
                form_error={state.form_error.clone()}
                status={control.map(|link| link.status)}
                detail={control.and_then(link_detail)}
                problem={control.and_then(|link| link.problem.clone())}
                on_target={lab.callback(SocketsEvent::Target)}
                on_transport={lab.callback(SocketsEvent::Transport)}
                on_connect={lab.callback(|()| SocketsEvent::Connect)}
                on_disconnect={lab.callback(|()| SocketsEvent::Disconnect)}
            />
            <div class="sockets-workspace">
                <div class="sockets-main">
                    <TranscriptView snapshot={snapshot.clone()} channel={Channel::Control}
                        data_error={state.data_error.clone()} on_open_data={lab.callback(|()| SocketsEvent::OpenData)} />
                    if has_data {
                        <TranscriptView snapshot={snapshot.clone()} channel={Channel::Data} />
                    }
                    <Composer
                        draft={state.draft.clone()}
                        error={state.draft_error.clone()}
                        warning={state.line_ending_warning()}
                        {can_send}
                        {can_finish}
                        send_on={state.send_on}
                        {has_data}
                        history={state.history.clone()}
                        on_edit={lab.callback(SocketsEvent::Draft)}
                        on_send={lab.callback(|()| SocketsEvent::Send)}
                        on_finish={lab.callback(|()| SocketsEvent::FinishSending)}
                        on_send_on={lab.callback(SocketsEvent::SendOn)}
                        on_recall={lab.callback(SocketsEvent::Recall)}
                    />
                </div>
                <SidePanel {walkthroughs} {python} {mailbox} mailbox_shown={state.mailbox.shown}
                    on_open_mailbox={lab.callback(|()| SocketsEvent::RefreshMailbox)} />
            </div>
        </div>
    }
}
