//! The Telemetry tab's connection form: how many devices, readings per second per device, the
//! encoding (switched live on an open stream), Connect or Disconnect, Pause or Resume, and the
//! stream's state with any problem where it happened.

use wire::iot_lab::{FormEdit, StreamState, TelemetryEvent, TelemetryForm};
use wire::telemetry::Encoding;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConnectBarProps {
    pub form: TelemetryForm,
    pub state: StreamState,
    pub form_error: Option<String>,
    pub problem: Option<String>,
    /// Readings per second in all, when the form is valid.
    pub total_rate: Option<f64>,
    pub on_event: Callback<TelemetryEvent>,
}

#[function_component(ConnectBar)]
pub fn connect_bar(props: &ConnectBarProps) -> Html {
    let field = |edit: fn(String) -> FormEdit| {
        let on_event = props.on_event.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_event.emit(TelemetryEvent::Edit(edit(input.value())));
        })
    };
    let on_rate_committed = props.on_event.reform(|_: Event| TelemetryEvent::RateCommitted);
    let on_encoding = props.on_event.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        TelemetryEvent::Edit(FormEdit::Encoding(Encoding::parse(&select.value()).unwrap_or(Encoding::Json)))
    });
    let open = props.state.is_open();
    let onsubmit = {
        let on_event = props.on_event.clone();
        let connectable = matches!(props.state, StreamState::Disconnected);
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_event.emit(if connectable { TelemetryEvent::Connect } else { TelemetryEvent::Disconnect });
        })
    };
    let pause = match props.state {
        StreamState::Paused => html! {
            <button type="button" class="button" onclick={props.on_event.reform(|_| TelemetryEvent::Resume)}>{"Resume"}</button>
        },
        _ => html! {
            <button type="button" class="button" disabled={props.state != StreamState::Streaming}
                onclick={props.on_event.reform(|_| TelemetryEvent::Pause)}>{"Pause"}</button>
        },
    };
    let options = Encoding::ALL.iter().map(|encoding| {
        html! { <option value={encoding.name()} selected={*encoding == props.form.encoding}>{encoding.label()}</option> }
    });
    let state_class = match props.state {
        StreamState::Streaming => "open",
        StreamState::Paused => "connecting",
        StreamState::Connecting | StreamState::Closing => "connecting",
        StreamState::Disconnected if props.problem.is_some() => "closed",
        StreamState::Disconnected => "idle",
    };
    let total = props
        .total_rate
        .map(|total| format!("= {} readings/s in all", wire::iot_lab::figure(total)))
        .unwrap_or_default();
    html! {
        <form class="connect-bar card iot-connect" {onsubmit} aria-label="Telemetry stream" novalidate=true>
            <div class="connect-row">
                <label class="field">
                    <span class="field-label">{"Devices"}</span>
                    <input type="number" min="1" max={wire::iot_lab::MAX_DEVICES.to_string()} step="1" class="mono narrow"
                        value={props.form.devices.clone()} oninput={field(FormEdit::Devices)} disabled={open} />
                </label>
                <label class="field">
                    <span class="field-label">{"Rate (readings/s per device)"}</span>
                    <input type="number" min="0" step="any" class="mono narrow" value={props.form.rate_hz.clone()}
                        oninput={field(FormEdit::Rate)} onchange={on_rate_committed}
                        aria-invalid={props.form_error.is_some().then_some("true")} />
                </label>
                <output class="iot-total muted" data-testid="total-rate">{total}</output>
                <label class="field">
                    // Named by its label alone (a wrapping label would add every option's text).
                    <span class="field-label" id="iot-encoding-label">{"Encoding"}</span>
                    <select onchange={on_encoding} aria-labelledby="iot-encoding-label">{for options}</select>
                </label>
                if matches!(props.state, StreamState::Disconnected) {
                    <button type="submit" class="button primary">{"Connect"}</button>
                } else {
                    <button type="submit" class="button danger" disabled={props.state == StreamState::Closing}>{"Disconnect"}</button>
                }
                {pause}
            </div>
            <div class="connect-status-row">
                <output class={classes!("status-pill", state_class)} data-testid="telemetry-status" aria-live="polite">
                    <span class={classes!("dot", matches!(props.state, StreamState::Connecting).then_some("pulse"))} aria-hidden="true"></span>
                    {props.state.label()}
                </output>
                if open {
                    <span class="status-detail">{"Rate and encoding change on the open stream; devices take a new connection."}</span>
                }
            </div>
            if let Some(error) = &props.form_error {
                <p class="inline-error" role="alert">{error}</p>
            }
            if let Some(problem) = &props.problem {
                <p class="inline-error" role="alert" data-testid="telemetry-problem">{problem}</p>
            }
        </form>
    }
}
