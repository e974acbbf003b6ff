//! The Telemetry tab: a stream of readings from the server's simulated devices
//! (`GET /ws/telemetry`), plotted live, with its rates, latency, drops and bytes per reading in
//! each encoding.
//!
//! One store (`effects.rs`: `wire::iot_lab::TelemetryState` and the socket). Readings are pushed
//! into the state's ring buffers as they arrive; the canvas (`plot.rs`) draws from them in every
//! animation frame, and the figures (`stats.rs`) are a snapshot the state takes a few times a
//! second, so neither costs a render per reading. "Export CSV" (`export.rs`) downloads what the
//! ring buffers hold.

mod connect_bar;
mod effects;
mod export;
mod plot;
mod stats;

use wire::iot_lab::{Field, StreamState, TelemetryEvent, TelemetryState};
use yew::prelude::*;

use crate::lab_store::use_lab_store;
use crate::net::page_origin;
use connect_bar::ConnectBar;
pub use effects::{TelemetryIo, TelemetryStore};
use export::ExportCsvButton;
use plot::{LivePlot, SERIES_COLOURS};
use stats::{CompareView, StatsView};

#[derive(Properties, PartialEq)]
pub struct TelemetryPanelProps {
    /// `HOST:PORT` of a wirelab-server over plain HTTP; by default the one that served the page.
    #[prop_or_default]
    pub server: Option<AttrValue>,
}

#[function_component(TelemetryPanel)]
pub fn telemetry_panel(props: &TelemetryPanelProps) -> Html {
    let server = props.server.clone();
    let lab: TelemetryStore = use_lab_store(move || {
        let state = match server {
            Some(host) => TelemetryState::new("http:", &host),
            None => {
                let (protocol, host) = page_origin();
                TelemetryState::new(&protocol, &host)
            }
        };
        (state, TelemetryIo::default())
    });
    let state = lab.state();
    let on_event = lab.callback(|event: TelemetryEvent| event);
    let devices = state.series.iter().enumerate().map(|(index, series)| {
        let device = series.device.clone();
        let shown = state.is_shown(&device);
        let onchange = lab.callback(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            TelemetryEvent::ShowDevice { device: device.clone(), shown: input.checked() }
        });
        html! {
            <label class="iot-device" data-device={series.device.clone()}>
                <input type="checkbox" checked={shown} {onchange} />
                <span class={classes!("iot-swatch", format!("iot-series-{}", index % SERIES_COLOURS))} aria-hidden="true"></span>
                <span class="mono">{&series.device}</span>
                if series.faults > 0 {
                    <span class="iot-fault-count">{format!(" ▲ {}", series.faults)}</span>
                }
            </label>
        }
    });
    let fields = Field::ALL.iter().map(|&field| {
        let onchange = lab.callback(move |_: Event| TelemetryEvent::ShowField(field));
        html! {
            <label class="iot-field">
                <input type="radio" name="iot-field" value={field.key()} checked={state.field == field} {onchange} />
                {format!("{} ({})", field.label(), field.unit())}
            </label>
        }
    });
    let empty = state.series.is_empty();
    let empty_text = match state.state {
        StreamState::Disconnected => {
            "Not connected. Choose the devices, a rate and an encoding, then Connect: each device's readings are plotted here as they arrive."
        }
        StreamState::Paused => "Paused before the first reading.",
        _ => "Connected; waiting for the first reading…",
    };
    html! {
        <div class="iot-telemetry">
            <ConnectBar form={state.form.clone()} state={state.state.clone()} form_error={state.form_error.clone()}
                problem={state.problem.clone()} total_rate={state.total_rate()} on_event={on_event.clone()} />
            <div class="iot-telemetry-body">
                <section class="card iot-plot-card" aria-labelledby="iot-plot-title">
                    <div class="iot-plot-head">
                        <h2 id="iot-plot-title">{format!("{} of each device, last ten seconds", state.field.label())}</h2>
                        <fieldset class="iot-fields">
                            <legend>{"Field"}</legend>
                            {for fields}
                        </fieldset>
                        <ExportCsvButton lab={lab.clone()} has_readings={state.has_readings()} />
                    </div>
                    <div class="iot-plot-area">
                        <LivePlot lab={lab.clone()} />
                        if empty {
                            <div class="iot-plot-empty" data-testid="plot-empty"><p>{empty_text}</p></div>
                        }
                    </div>
                    <fieldset class="iot-devices">
                        <legend>{"Devices shown"}</legend>
                        if empty { <span class="muted">{"Devices appear with their first reading."}</span> }
                        {for devices}
                        <span class="iot-device iot-legend-fault"><span class="iot-fault-mark" aria-hidden="true">{"▲"}</span>{" fault reading"}</span>
                    </fieldset>
                </section>
                <StatsView stats={state.stats.clone()} encoding={state.stream_encoding}
                    last_fault={state.last_fault.clone()} decode_error={state.last_decode_error.clone()}
                    server_error={state.server_error.clone()} />
            </div>
            <CompareView measured={state.measured} computed={state.computed_sizes()} current={state.stream_encoding}
                compare={state.compare.clone()} open={state.state.is_open()}
                on_measure={lab.callback(|_: ()| TelemetryEvent::CompareEncodings)} />
        </div>
    }
}
