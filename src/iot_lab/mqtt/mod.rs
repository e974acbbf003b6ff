//! The IoT lab's MQTT tab: an MQTT 3.1.1 / 5 client over WebSocket (subprotocol `mqtt`) against
//! the server's broker at `/mqtt`. Connect with a client id, keep-alive, clean session and a
//! will; subscribe with `+` and `#`; publish with QoS 0, 1 or 2 and retain. Every packet both
//! ways is listed, and the chosen one shown with its bytes mapped (the Formats lab's byte-map
//! views over `wire::mqtt::dissect`); QoS 1 and 2 handshakes are drawn as a sequence; received
//! payloads read through the Formats engines, with "Decode as…"; a Topics table with each
//! topic's rates, busiest first, whose rows filter the messages; the session as paho-mqtt Python.
//!
//! The root holds one store (`effects.rs`: `wire::mqtt::lab::MqttLabState` and the socket); the
//! leaves get plain values and emit `MqttEvent`s.

mod connect_form;
mod effects;
mod messages;
mod packets;
mod python_panel;
mod sequence;
mod topics;
mod traffic;

use std::cell::Ref;

use wire::mqtt::lab::{LinkStatus, MqttEvent, MqttLabState, PythonProgram};
use yew::prelude::*;

use crate::lab_store::use_lab_store;
use crate::net::page_origin;
use connect_form::ConnectForm;
pub use effects::{MqttIo, MqttStore};
use messages::Messages;
use packets::Packets;
use python_panel::PythonPanel;
use sequence::Sequence;
use topics::Topics;
use traffic::{PublishForm, SubscribeForm};

/// The tab's state as a prop for the views that read the packet list (or the Topics table):
/// equal while nothing they show has changed (the state's revision, or its topics_revision),
/// so typing in a form never redraws them.
#[derive(Clone, PartialEq)]
pub struct Snapshot {
    store: MqttStore,
    revision: u64,
}

impl Snapshot {
    pub fn state(&self) -> Ref<'_, MqttLabState> {
        self.store.state()
    }
}

#[derive(Properties, PartialEq)]
pub struct MqttPanelProps {
    /// `HOST:PORT` of a wirelab-server over plain HTTP; by default the one that served the page.
    #[prop_or_default]
    pub server: Option<AttrValue>,
}

/// A client id that differs from one page load to the next, so two tabs do not take over each
/// other's session.
fn client_seed() -> u32 {
    (js_sys::Math::random() * f64::from(0xff_ffff)) as u32
}

#[function_component]
pub fn MqttPanel(props: &MqttPanelProps) -> Html {
    let server = props.server.clone();
    let lab: MqttStore = use_lab_store(move || {
        let state = match server {
            Some(host) => MqttLabState::new("http:", &host, client_seed()),
            None => {
                let (protocol, host) = page_origin();
                MqttLabState::new(&protocol, &host, client_seed())
            }
        };
        (state, MqttIo::default())
    });
    {
        let lab = lab.clone();
        use_effect_with((), move |_| move || lab.runner().close_for_good());
    }
    let state = lab.state();
    let snapshot = Snapshot { store: lab.clone(), revision: state.revision };
    let topics_snapshot = Snapshot { store: lab.clone(), revision: state.topics_revision };
    let connected = state.status == LinkStatus::Connected;
    html! {
        <section class="mqtt-panel" aria-label="MQTT client">
            <div class="mqtt-grid">
                <div class="mqtt-side">
                    <ConnectForm
                        form={state.form.clone()}
                        errors={state.form_errors.clone()}
                        status={state.status}
                        problem={state.problem.clone()}
                        notice={state.notice.clone()}
                        on_edit={lab.callback(MqttEvent::Form)}
                        on_connect={lab.callback(|()| MqttEvent::Connect)}
                        on_disconnect={lab.callback(|()| MqttEvent::Disconnect)}
                    />
                    <SubscribeForm
                        draft={state.subscribe_draft.clone()}
                        error={state.subscribe_error.clone()}
                        subscriptions={state.subscriptions.clone()}
                        {connected}
                        on_edit={lab.callback(MqttEvent::SubscribeEdit)}
                        on_subscribe={lab.callback(|()| MqttEvent::Subscribe)}
                        on_unsubscribe={lab.callback(MqttEvent::Unsubscribe)}
                    />
                    <PublishForm
                        draft={state.publish_draft.clone()}
                        error={state.publish_error.clone()}
                        {connected}
                        on_edit={lab.callback(MqttEvent::PublishEdit)}
                        on_publish={lab.callback(|()| MqttEvent::Publish)}
                    />
                </div>
                <div class="mqtt-main">
                    <Packets snapshot={snapshot.clone()} on_select={lab.callback(MqttEvent::SelectPacket)}
                        on_clear={lab.callback(|()| MqttEvent::ClearPackets)} />
                    <Sequence snapshot={snapshot.clone()} on_select={lab.callback(MqttEvent::SelectPacket)} />
                    <Topics snapshot={topics_snapshot} on_show_topic={lab.callback(MqttEvent::ShowTopic)} />
                    <Messages {snapshot} on_select={lab.callback(MqttEvent::SelectPacket)}
                        on_show_topic={lab.callback(MqttEvent::ShowTopic)} />
                    <PythonPanel subscriber={state.python(PythonProgram::Subscriber)}
                        publisher={state.python(PythonProgram::Publisher)} copy_notice={state.copy_notice.clone()}
                        on_copy={lab.callback(MqttEvent::CopyPython)} />
                </div>
            </div>
        </section>
    }
}
