//! The application messages received, latest first: topic, QoS, retained or live, and the
//! payload read through the Formats engines (`wire::mqtt::payload`), with "Decode as…" to take
//! the bytes to the Formats lab's Decode tab. A topic chosen in the Topics table narrows the list
//! to that topic's messages until "Show all topics".

use wire::mqtt::payload::read_payload;
use yew::prelude::*;

use super::Snapshot;
use super::packets::clock;
use crate::components::hand_off_button::HandOffButton;
use crate::net::navigation::HandOff;

/// Messages drawn (the state keeps `wire::mqtt::lab::MAX_MESSAGES`).
const SHOWN: usize = 30;

#[derive(Properties, PartialEq)]
pub struct MessagesProps {
    pub snapshot: Snapshot,
    pub on_select: Callback<usize>,
    pub on_show_topic: Callback<Option<String>>,
}

#[function_component]
pub fn Messages(props: &MessagesProps) -> Html {
    let state = props.snapshot.state();
    let shown = state.shown_messages().count();
    let rows = state.shown_messages().rev().take(SHOWN).map(|message| {
        let reading = read_payload(&message.payload);
        let packet = message.packet;
        let onclick = props.on_select.reform(move |_| packet);
        html! {
            <li class="mqtt-message" data-testid="mqtt-message" data-topic={message.topic.clone()} data-retain={message.retain.to_string()}>
                <div class="mqtt-message-head">
                    <code class="mono">{message.topic.clone()}</code>
                    <span class="badge">{message.qos.to_string()}</span>
                    if message.retain {
                        <span class="badge retained" title="Stored by the broker and sent on subscribing">{"retained"}</span>
                    }
                    <span class="muted small">{format!("{} · {} bytes · reads as {}", clock(message.at_ms), message.payload.len(), reading.label)}</span>
                    <span class="spacer"></span>
                    <button type="button" class="button subtle" {onclick}>{"Show packet"}</button>
                    <HandOffButton to={HandOff::Decode} bytes={message.payload.clone()}
                        origin={format!("MQTT message on {}", message.topic)} />
                </div>
                if !reading.text.is_empty() {
                    <pre class="mqtt-payload mono" tabindex="0" aria-label={format!("Payload on {}", message.topic)}>{reading.text}</pre>
                }
            </li>
        }
    });
    html! {
        <section class="card mqtt-card" aria-labelledby="mqtt-messages-title">
            <div class="mqtt-head">
                <h2 id="mqtt-messages-title">{format!("Messages received ({})", state.messages.len())}</h2>
                if let Some(topic) = &state.topic_filter {
                    <span class="muted small" data-testid="mqtt-messages-filter">
                        {format!("only {topic}: {shown} of them")}
                    </span>
                    <span class="spacer"></span>
                    <button type="button" class="button subtle" onclick={props.on_show_topic.reform(|_| None)}>{"Show all topics"}</button>
                }
            </div>
            if state.messages.is_empty() {
                <p class="muted">{"Subscribe to wirelab/# to see the simulated devices' readings and their retained status."}</p>
            } else {
                <ul class="mqtt-messages">{for rows}</ul>
            }
        </section>
    }
}
