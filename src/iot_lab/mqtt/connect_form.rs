//! The MQTT tab's connect form: broker URL, client id, keep-alive, clean session, protocol
//! version, the will and credentials; Connect / Disconnect; the connection's status and, where
//! it happened, what went wrong. Each field shows its own error under it.

use wire::mqtt::lab::{ConnectForm as Form, FormEdit, FormField, LinkStatus};
use wire::mqtt::{QoS, Version};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConnectFormProps {
    pub form: Form,
    pub errors: Vec<(FormField, String)>,
    pub status: LinkStatus,
    pub problem: Option<String>,
    pub notice: Option<String>,
    pub on_edit: Callback<FormEdit>,
    pub on_connect: Callback<()>,
    pub on_disconnect: Callback<()>,
}

/// The value of the input or select an event came from.
pub fn value_of(event: &Event) -> String {
    use wasm_bindgen::JsCast;
    let target = event.target();
    if let Some(input) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlInputElement>()) {
        return input.value();
    }
    if let Some(select) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlSelectElement>()) {
        return select.value();
    }
    if let Some(area) = target.as_ref().and_then(|t| t.dyn_ref::<web_sys::HtmlTextAreaElement>()) {
        return area.value();
    }
    String::new()
}

/// Whether the checkbox an event came from is ticked.
pub fn checked(event: &Event) -> bool {
    use wasm_bindgen::JsCast;
    event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).is_some_and(|input| input.checked())
}

/// `<option>`s for the three QoS levels, `selected` chosen.
pub fn qos_options(selected: QoS) -> Html {
    let names = ["0 · at most once", "1 · at least once", "2 · exactly once"];
    QoS::ALL
        .into_iter()
        .zip(names)
        .map(|(qos, name)| {
            html! { <option value={qos.level().to_string()} selected={qos == selected}>{name}</option> }
        })
        .collect()
}

pub fn qos_from(text: &str) -> QoS {
    text.parse().ok().and_then(QoS::from_level).unwrap_or_default()
}

fn text_field(
    label: &'static str,
    value: &str,
    error: Option<&str>,
    edit: fn(String) -> FormEdit,
    on_edit: &Callback<FormEdit>,
    kind: &'static str,
) -> Html {
    let oninput = on_edit.reform(move |event: InputEvent| edit(value_of(&event)));
    html! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input type={kind} class="mono" spellcheck="false" autocomplete="off" value={value.to_owned()} {oninput}
                aria-invalid={error.is_some().to_string()} />
            if let Some(error) = error {
                <span class="inline-error" role="alert">{error.to_owned()}</span>
            }
        </label>
    }
}

#[function_component]
pub fn ConnectForm(props: &ConnectFormProps) -> Html {
    let form = &props.form;
    let error = |field: FormField| props.errors.iter().find(|(which, _)| *which == field).map(|(_, e)| e.as_str());
    let on_edit = &props.on_edit;
    let active = props.status.is_active();
    let onsubmit = {
        let (on_connect, on_disconnect) = (props.on_connect.clone(), props.on_disconnect.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if active { on_disconnect.emit(()) } else { on_connect.emit(()) }
        })
    };
    let on_version = on_edit
        .reform(|event: Event| FormEdit::Version(if value_of(&event) == "5" { Version::V5 } else { Version::V311 }));
    let on_clean = on_edit.reform(|event: Event| FormEdit::CleanStart(checked(&event)));
    let on_will_qos = on_edit.reform(|event: Event| FormEdit::WillQos(qos_from(&value_of(&event))));
    let on_will_retain = on_edit.reform(|event: Event| FormEdit::WillRetain(checked(&event)));
    let pill = match props.status {
        LinkStatus::Connected => "open",
        LinkStatus::Idle => "closed",
        LinkStatus::Closing => "closing",
        _ => "connecting",
    };
    html! {
        <form class="card mqtt-card mqtt-connect" {onsubmit} aria-label="Connection">
            <h2>{"Broker"}</h2>
            { text_field("Broker URL", &form.url, error(FormField::Url), FormEdit::Url, on_edit, "text") }
            <div class="mqtt-row">
                { text_field("Client ID", &form.client_id, error(FormField::ClientId), FormEdit::ClientId, on_edit, "text") }
                { text_field("Keep-alive (s)", &form.keep_alive, error(FormField::KeepAlive), FormEdit::KeepAlive, on_edit, "text") }
            </div>
            <div class="mqtt-row">
                <label class="field">
                    <span class="field-label">{"Protocol version"}</span>
                    <select onchange={on_version}>
                        { for Version::ALL.into_iter().map(|version| html! {
                            <option value={version.label()} selected={version == form.version}>{format!("MQTT {}", version.label())}</option>
                        }) }
                    </select>
                </label>
                <label class="field inline check">
                    <input type="checkbox" checked={form.clean_start} onchange={on_clean} />
                    <span>{"Clean session"}</span>
                </label>
            </div>
            <details class="mqtt-will">
                <summary>{"Will and credentials"}</summary>
                { text_field("Will topic", &form.will_topic, error(FormField::WillTopic), FormEdit::WillTopic, on_edit, "text") }
                { text_field("Will payload", &form.will_payload, None, FormEdit::WillPayload, on_edit, "text") }
                <div class="mqtt-row">
                    <label class="field">
                        <span class="field-label">{"Will QoS"}</span>
                        <select onchange={on_will_qos}>{ qos_options(form.will_qos) }</select>
                    </label>
                    <label class="field inline check">
                        <input type="checkbox" checked={form.will_retain} onchange={on_will_retain} />
                        <span>{"Will retain"}</span>
                    </label>
                </div>
                <p class="muted small">{"The broker publishes the will if this client goes without a DISCONNECT (close the tab, or lose the network). An empty will topic sends none."}</p>
                <div class="mqtt-row">
                    { text_field("User name", &form.username, None, FormEdit::Username, on_edit, "text") }
                    { text_field("Password", &form.password, None, FormEdit::Password, on_edit, "password") }
                </div>
            </details>
            <div class="mqtt-actions">
                <output class={classes!("status-pill", pill)} data-testid="connection-status" aria-live="polite">
                    <span class="dot" aria-hidden="true"></span>{props.status.label()}
                </output>
                <span class="spacer"></span>
                if active {
                    <button type="submit" class="button danger">{"Disconnect"}</button>
                } else {
                    <button type="submit" class="button primary">{"Connect"}</button>
                }
            </div>
            if let Some(problem) = &props.problem {
                <p class="inline-error" role="alert" data-testid="connection-problem">{problem.clone()}</p>
            }
            if let Some(notice) = &props.notice {
                <p class="muted small" data-testid="connection-detail">{notice.clone()}</p>
            }
        </form>
    }
}
