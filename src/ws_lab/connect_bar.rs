//! The connection form: URL, subprotocols, Connect and Disconnect with a chosen close code, and
//! the connection's state.

use std::rc::Rc;

use wire::connection::{ConnectionState, close_code_name};
use yew::prelude::*;

/// What the person typed in the connection form (kept as typed, even when invalid).
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectForm {
    pub url: String,
    pub subprotocols: String,
    pub close_code: String,
    pub close_reason: String,
}

impl Default for ConnectForm {
    fn default() -> Self {
        ConnectForm {
            url: String::new(),
            subprotocols: String::new(),
            close_code: "1000".to_string(),
            close_reason: String::new(),
        }
    }
}

/// One change to the form. Edits are applied to the latest form (a reducer), so two quick
/// edits before a render never undo each other.
#[derive(Clone, Debug, PartialEq)]
pub enum FormEdit {
    Url(String),
    Subprotocols(String),
    CloseCode(String),
    CloseReason(String),
}

impl Reducible for ConnectForm {
    type Action = FormEdit;

    fn reduce(self: Rc<Self>, edit: FormEdit) -> Rc<Self> {
        let mut next = (*self).clone();
        match edit {
            FormEdit::Url(value) => next.url = value,
            FormEdit::Subprotocols(value) => next.subprotocols = value,
            FormEdit::CloseCode(value) => next.close_code = value,
            FormEdit::CloseReason(value) => next.close_reason = value,
        }
        Rc::new(next)
    }
}

#[derive(Properties, PartialEq)]
pub struct ConnectBarProps {
    pub form: ConnectForm,
    pub state: ConnectionState,
    pub error: Option<String>,
    pub on_change: Callback<FormEdit>,
    pub on_connect: Callback<()>,
    pub on_disconnect: Callback<()>,
}

#[function_component(ConnectBar)]
pub fn connect_bar(props: &ConnectBarProps) -> Html {
    let field = |edit: fn(String) -> FormEdit| {
        let on_change = props.on_change.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_change.emit(edit(input.value()));
        })
    };
    let onsubmit = {
        let on_connect = props.on_connect.clone();
        let on_disconnect = props.on_disconnect.clone();
        let can_connect = props.state.can_connect();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if can_connect { on_connect.emit(()) } else { on_disconnect.emit(()) }
        })
    };
    let can_connect = props.state.can_connect();
    let busy = matches!(props.state, ConnectionState::Connecting | ConnectionState::Closing);
    let (state_class, detail) = state_view(&props.state);
    html! {
        <form class="connect-bar card" {onsubmit} aria-label="Connection">
            <div class="connect-row">
                <label class="field grow">
                    <span class="field-label">{"URL"}</span>
                    <input type="text" class="mono" spellcheck="false" autocomplete="off"
                        value={props.form.url.clone()} oninput={field(FormEdit::Url)}
                        aria-invalid={props.error.is_some().then_some("true")}
                        placeholder="ws://127.0.0.1:8080/ws/echo" />
                </label>
                <label class="field">
                    <span class="field-label">{"Subprotocols"}</span>
                    <input type="text" class="mono" spellcheck="false" autocomplete="off"
                        value={props.form.subprotocols.clone()}
                        oninput={field(FormEdit::Subprotocols)}
                        placeholder="optional: chat, json" />
                </label>
                if can_connect {
                    <button type="submit" class="button primary">{"Connect"}</button>
                } else {
                    <button type="submit" class="button danger" disabled={matches!(props.state, ConnectionState::Closing)}>
                        {"Disconnect"}
                    </button>
                }
            </div>
            <div class="connect-status-row">
                <output class={classes!("status-pill", state_class)} data-testid="connection-status" aria-live="polite">
                    <span class={classes!("dot", busy.then_some("pulse"))} aria-hidden="true"></span>
                    {props.state.label()}
                </output>
                <span class="status-detail" data-testid="connection-detail">{detail}</span>
                <details class="close-options">
                    <summary>{"Close options"}</summary>
                    <div class="close-fields">
                    <label class="field inline">
                        <span class="field-label">{"Close code"}</span>
                        <input type="number" min="1000" max="4999" class="mono narrow"
                            value={props.form.close_code.clone()}
                            oninput={field(FormEdit::CloseCode)} />
                    </label>
                    <label class="field inline">
                        <span class="field-label">{"Reason"}</span>
                        <input type="text" maxlength="123" value={props.form.close_reason.clone()}
                            oninput={field(FormEdit::CloseReason)} placeholder="optional" />
                    </label>
                    </div>
                </details>
            </div>
            if let Some(error) = &props.error {
                <p class="inline-error" role="alert">{error}</p>
            }
            <p class="hint">
                {"Browsers let a page choose only the subprotocols of a WebSocket handshake, never other \
                  headers such as Authorization or cookies for another site; pass such values in the URL's query instead."}
            </p>
        </form>
    }
}

fn state_view(state: &ConnectionState) -> (&'static str, String) {
    match state {
        ConnectionState::Idle => ("idle", "Press Connect to open a connection.".to_string()),
        ConnectionState::Connecting => ("connecting", "Opening handshake in progress…".to_string()),
        ConnectionState::Open { protocol, extensions } => {
            let mut parts = Vec::new();
            parts.push(if protocol.is_empty() {
                "no subprotocol".to_string()
            } else {
                format!("subprotocol {protocol}")
            });
            if !extensions.is_empty() {
                parts.push(format!("extensions {extensions}"));
            }
            ("open", parts.join(" · "))
        }
        ConnectionState::Closing => ("closing", "Closing handshake in progress…".to_string()),
        ConnectionState::Closed(info) => {
            let mut text = format!("code {} {}", info.code, close_code_name(info.code));
            if !info.reason.is_empty() {
                text.push_str(&format!(" · reason “{}”", info.reason));
            }
            if !info.was_clean {
                text.push_str(" · not clean");
            }
            ("closed", text)
        }
    }
}
