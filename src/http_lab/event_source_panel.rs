//! The EventSource panel: a URL opened with the browser's own EventSource (`net::event_source`),
//! its connection state, reconnects, the retry delay (announced and measured), the
//! `Last-Event-ID` it resumes from, and every event, open and error as it happened. State is
//! `wire::stream_log::event_source::EventSourcePanel`, kept in the lab's store.

use wire::stream_log::event_source::{EsEntry, EsEvent, EventSourcePanel, ReadyState};
use wire::units::format_millis;
use yew::prelude::*;

/// Log entries drawn (the newest).
const ENTRIES_SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct EventSourcePanelProps {
    pub panel: EventSourcePanel,
    pub on_event: Callback<EsEvent>,
}

fn seconds(at_ms: f64) -> String {
    format!("{:.3} s", at_ms / 1000.0)
}

fn entry_row(entry: &EsEntry) -> Html {
    match entry {
        EsEntry::Opened { at_ms, connection } => html! {
            <li class="es-entry es-opened" data-kind="open">
                <span class="log-time">{seconds(*at_ms)}</span>
                <span class="es-kind">{"open"}</span>
                <span>{ if *connection == 1 { "connected".to_string() } else { format!("reconnected (connection {connection})") } }</span>
            </li>
        },
        EsEntry::Message { at_ms, event_type, last_event_id, data, delay_ms, resumed_from } => html! {
            <li class="es-entry es-message" data-kind="message" data-type={event_type.clone()} data-id={last_event_id.clone()}>
                <span class="log-time">{seconds(*at_ms)}</span>
                <span class="es-kind">{event_type}</span>
                <span class="mono es-id" title="lastEventId">{format!("id {last_event_id}")}</span>
                <span class="mono es-data">{data}</span>
                if let Some(delay) = delay_ms { <span class="muted" title="Page clock minus the server's sent_at_ms">{format_millis(*delay)}</span> }
                if let Some(from) = resumed_from { <span class="es-resumed" title="The Last-Event-ID the server received">{format!("resumed after {from}")}</span> }
            </li>
        },
        EsEntry::Error { at_ms, reconnecting, resume_from } => html! {
            <li class="es-entry es-error" data-kind="error">
                <span class="log-time">{seconds(*at_ms)}</span>
                <span class="es-kind">{"error"}</span>
                <span>{ if *reconnecting {
                    if resume_from.is_empty() {
                        "the stream ended; the browser reconnects after the retry delay, with no Last-Event-ID yet".to_string()
                    } else {
                        format!("the stream ended; the browser reconnects after the retry delay, sending Last-Event-ID: {resume_from}")
                    }
                } else {
                    "the browser gave up (an answer other than 200 text/event-stream, such as 204 No Content once every event was sent)".to_string()
                } }</span>
            </li>
        },
        EsEntry::Closed { at_ms } => html! {
            <li class="es-entry es-closed" data-kind="closed">
                <span class="log-time">{seconds(*at_ms)}</span>
                <span class="es-kind">{"closed"}</span>
                <span>{"you closed it: close() stops reconnecting"}</span>
            </li>
        },
    }
}

#[function_component(EventSourcePanelView)]
pub fn event_source_panel(props: &EventSourcePanelProps) -> Html {
    let panel = &props.panel;
    let on_url = {
        let on_event = props.on_event.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_event.emit(EsEvent::EditUrl(input.value()));
        })
    };
    let on_types = {
        let on_event = props.on_event.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_event.emit(EsEvent::EditEventTypes(input.value()));
        })
    };
    let onsubmit = {
        let on_event = props.on_event.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_event.emit(EsEvent::Open);
        })
    };
    let on_close = {
        let on_event = props.on_event.clone();
        Callback::from(move |_| on_event.emit(EsEvent::Close))
    };
    let state = panel.state.unwrap_or(ReadyState::Closed);
    let state_label = match panel.state {
        None => "not opened",
        Some(state) => state.label(),
    };
    let retry = match (panel.announced_retry_ms, panel.measured_reconnect_ms) {
        (None, None) => "not known yet".to_string(),
        (Some(announced), None) => format!("{announced} ms announced"),
        (None, Some(measured)) => format!("{} measured", format_millis(measured)),
        (Some(announced), Some(measured)) => format!("{announced} ms announced, {} measured", format_millis(measured)),
    };
    let skip = panel.entries.len().saturating_sub(ENTRIES_SHOWN);
    html! {
        <section class="event-source-panel card" aria-label="EventSource">
            <div class="es-head">
                <h2>{"EventSource"}</h2>
                <p class="hint">{"The browser's own Server-Sent Events client: it reconnects by itself after the server's retry delay \
                    and sends the last id it saw as Last-Event-ID, so the stream resumes where it stopped. /sse?close_after=5 ends \
                    each response after five events to show it."}</p>
            </div>
            <form class="request-bar" {onsubmit}>
                <label class="field grow">
                    <span class="field-label">{"EventSource URL"}</span>
                    <input type="text" class="mono" value={panel.url.clone()} oninput={on_url} spellcheck="false" autocomplete="off" />
                </label>
                <label class="field">
                    <span class="field-label">{"Event types"}</span>
                    <input type="text" class="mono" value={panel.event_types.clone()} oninput={on_types} spellcheck="false"
                        autocomplete="off" title="An EventSource delivers only the types a page listens for" />
                </label>
                if panel.is_active() {
                    <button key="close" type="button" class="button danger" onclick={on_close}>{"Close"}</button>
                } else {
                    <button key="open" type="submit" class="button primary">{"Open"}</button>
                }
            </form>
            if let Some(problem) = &panel.problem {
                <p class="inline-error" role="alert">{problem}</p>
            }
            <div class="es-facts" role="status">
                <span class={classes!("status-pill", panel.state.map(|_| state.label()))} data-testid="es-state">
                    <span class={classes!("dot", (state == ReadyState::Connecting && panel.state.is_some()).then_some("pulse"))}></span>
                    {state_label}
                </span>
                <span data-testid="es-events">{format!("{} events", panel.message_count)}</span>
                <span data-testid="es-reconnects">{format!("{} reconnects", panel.reconnects())}</span>
                <span>{"Last-Event-ID: "}<strong class="mono" data-testid="es-last-event-id">{ if panel.last_event_id.is_empty() { "none".to_string() } else { panel.last_event_id.clone() } }</strong></span>
                <span title="EventSource hides retry: from pages; /sse repeats it in its data">{format!("retry: {retry}")}</span>
            </div>
            if panel.entries.is_empty() {
                <p class="muted es-empty">{"Open to watch the events arrive."}</p>
            } else {
                <ol class="es-log" aria-label="EventSource log">
                    { for panel.entries.iter().skip(skip).map(entry_row) }
                </ol>
            }
        </section>
    }
}
