//! Subscribing (a topic filter with `+` and `#`, a QoS, and the subscriptions with what the
//! broker granted) and publishing (topic, payload, QoS 0/1/2, retain), each with its error in
//! place and the text kept.

use wire::mqtt::lab::{PublishDraft, PublishEdit, SubscribeDraft, SubscribeEdit, Subscription, SubscriptionState};
use yew::prelude::*;

use super::connect_form::{checked, qos_from, qos_options, value_of};

#[derive(Properties, PartialEq)]
pub struct SubscribeFormProps {
    pub draft: SubscribeDraft,
    pub error: Option<String>,
    pub subscriptions: Vec<Subscription>,
    pub connected: bool,
    pub on_edit: Callback<SubscribeEdit>,
    pub on_subscribe: Callback<()>,
    pub on_unsubscribe: Callback<String>,
}

fn state_text(state: &SubscriptionState) -> (String, &'static str) {
    match state {
        SubscriptionState::Pending => ("waiting for SUBACK".into(), "pending"),
        SubscriptionState::Granted(qos) => (format!("granted {qos}"), "granted"),
        SubscriptionState::Refused(why) => (format!("refused: {why}"), "refused"),
        SubscriptionState::Removing => ("waiting for UNSUBACK".into(), "pending"),
    }
}

#[function_component]
pub fn SubscribeForm(props: &SubscribeFormProps) -> Html {
    let onsubmit = {
        let on_subscribe = props.on_subscribe.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_subscribe.emit(());
        })
    };
    let on_filter = props.on_edit.reform(|event: InputEvent| SubscribeEdit::Filter(value_of(&event)));
    let on_qos = props.on_edit.reform(|event: Event| SubscribeEdit::Qos(qos_from(&value_of(&event))));
    let rows = props.subscriptions.iter().map(|subscription| {
        let (text, class) = state_text(&subscription.state);
        let filter = subscription.filter.clone();
        let onclick = props.on_unsubscribe.reform(move |_| filter.clone());
        html! {
            <li class={classes!("mqtt-subscription", class)} data-testid="subscription">
                <code class="mono">{subscription.filter.clone()}</code>
                <span class="muted small">{format!("asked {} · {text}", subscription.qos)}</span>
                <span class="spacer"></span>
                <button type="button" class="button subtle" {onclick}
                    aria-label={format!("Unsubscribe from {}", subscription.filter)}>{"Unsubscribe"}</button>
            </li>
        }
    });
    html! {
        <form class="card mqtt-card" {onsubmit} aria-label="Subscribe">
            <h2>{"Subscribe"}</h2>
            <div class="mqtt-row">
                <label class="field grow">
                    <span class="field-label">{"Topic filter"}</span>
                    <input type="text" class="mono" spellcheck="false" autocomplete="off"
                        value={props.draft.filter.clone()} oninput={on_filter} aria-invalid={props.error.is_some().to_string()} />
                </label>
                <label class="field">
                    <span class="field-label">{"Subscription QoS"}</span>
                    <select onchange={on_qos}>{ qos_options(props.draft.qos) }</select>
                </label>
            </div>
            <p class="muted small">{"+ matches one level (wirelab/+/status), # this level and all below (wirelab/#)."}</p>
            if let Some(error) = &props.error {
                <p class="inline-error" role="alert">{error.clone()}</p>
            }
            <div class="mqtt-actions">
                <span class="spacer"></span>
                <button type="submit" class="button primary" disabled={!props.connected}>{"Subscribe"}</button>
            </div>
            if !props.subscriptions.is_empty() {
                <ul class="mqtt-subscriptions" aria-label="Subscriptions">{for rows}</ul>
            }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct PublishFormProps {
    pub draft: PublishDraft,
    pub error: Option<String>,
    pub connected: bool,
    pub on_edit: Callback<PublishEdit>,
    pub on_publish: Callback<()>,
}

#[function_component]
pub fn PublishForm(props: &PublishFormProps) -> Html {
    let onsubmit = {
        let on_publish = props.on_publish.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_publish.emit(());
        })
    };
    let on_topic = props.on_edit.reform(|event: InputEvent| PublishEdit::Topic(value_of(&event)));
    let on_payload = props.on_edit.reform(|event: InputEvent| PublishEdit::Payload(value_of(&event)));
    let on_qos = props.on_edit.reform(|event: Event| PublishEdit::Qos(qos_from(&value_of(&event))));
    let on_retain = props.on_edit.reform(|event: Event| PublishEdit::Retain(checked(&event)));
    html! {
        <form class="card mqtt-card" {onsubmit} aria-label="Publish">
            <h2>{"Publish"}</h2>
            <label class="field">
                <span class="field-label">{"Topic"}</span>
                <input type="text" class="mono" spellcheck="false" autocomplete="off"
                    value={props.draft.topic.clone()} oninput={on_topic} aria-invalid={props.error.is_some().to_string()} />
            </label>
            <label class="field">
                <span class="field-label">{"Payload"}</span>
                <textarea class="mono" rows="3" spellcheck="false" value={props.draft.payload.clone()} oninput={on_payload} />
            </label>
            <div class="mqtt-row">
                <label class="field">
                    <span class="field-label">{"QoS"}</span>
                    <select onchange={on_qos}>{ qos_options(props.draft.qos) }</select>
                </label>
                <label class="field inline check">
                    <input type="checkbox" checked={props.draft.retain} onchange={on_retain} />
                    <span>{"Retain"}</span>
                </label>
                <span class="spacer"></span>
                <button type="submit" class="button primary" disabled={!props.connected}>{"Publish"}</button>
            </div>
            if let Some(error) = &props.error {
                <p class="inline-error" role="alert">{error.clone()}</p>
            }
        </form>
    }
}
