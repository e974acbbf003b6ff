//! The connection form: URL, subprotocols, Connect and Disconnect with a chosen close code, and
//! the connection's state.

use wire::connection::{ConnectionState, close_code_name};
use wire::echo_options::{EchoOptions, KNOBS, knob_value};
use wire::ws_lab::{ConnectForm, FormEdit};
use yew::prelude::*;

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
    // The knob fields exist only while the section is open, so the form's own labels ("Reason")
    // stay unambiguous until someone asks for the knobs.
    let knobs_open = use_state(|| false);
    let knobs = server_knobs(&props.form.url, &props.on_change, &knobs_open);
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
            {knobs}
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

/// The echo server's knobs, each editing its query parameter in the URL (the URL stays the one
/// source of truth), with the endpoint to use and the server's verdict on the values.
fn server_knobs(url: &str, on_change: &Callback<FormEdit>, open: &UseStateHandle<bool>) -> Html {
    let path = url::Url::parse(url.trim()).map(|parsed| parsed.path().to_owned()).unwrap_or_default();
    let on_endpoint = {
        let on_change = on_change.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_change.emit(FormEdit::Endpoint(select.value()));
        })
    };
    let fields = KNOBS.iter().map(|&(name, what, example)| {
        let on_change = on_change.clone();
        let oninput = Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_change.emit(FormEdit::Knob(name, input.value()));
        });
        html! {
            <label class="field knob" title={what}>
                <span class="field-label">{name}</span>
                <input type="text" class="mono" spellcheck="false" autocomplete="off"
                    placeholder={example} value={knob_value(url, name)} {oninput} />
            </label>
        }
    });
    let query =
        url::Url::parse(url.trim()).ok().and_then(|parsed| parsed.query().map(str::to_owned)).unwrap_or_default();
    let verdict = EchoOptions::from_query(&query).err();
    let set = EchoOptions::from_query(&query).map(|options| options.to_pairs().len()).unwrap_or(0);
    let expanded = **open;
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    html! {
        <div class="server-knobs">
            <button type="button" class="disclosure" aria-expanded={expanded.to_string()} onclick={toggle}>
                <span aria-hidden="true">{if expanded { "▾ " } else { "▸ " }}</span>
                {"Server knobs"}
                if set > 0 { <span class="tab-count">{set}</span> }
            </button>
            if expanded {
                <div class="knob-grid">
                    <label class="field knob">
                        <span class="field-label">{"Endpoint"}</span>
                        <select onchange={on_endpoint}>
                            <option value="/ws/echo" selected={path == "/ws/echo"}>{"/ws/echo"}</option>
                            <option value="/ws/inspect" selected={path == "/ws/inspect"}>{"/ws/inspect"}</option>
                        </select>
                    </label>
                    {for fields}
                </div>
                <p class="hint">
                    {"Wirelab's own server reads these from the URL's query, so any WebSocket client can use them. "}
                    <a href="/#echo-knobs" target="_blank">{"What each knob does"}</a>
                    {". /ws/inspect also reports the frames and handshake the server saw, shown in the log's frame column."}
                </p>
            }
            if let Some(problem) = verdict {
                <p class="inline-error" role="alert">{format!("The server will refuse this: {problem}")}</p>
            }
        </div>
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
