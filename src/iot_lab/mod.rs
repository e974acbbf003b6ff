//! The IoT lab: live telemetry from the server's simulated devices in a chosen encoding
//! (`telemetry`: plot, rates, latency, bytes per reading compared across encodings) and an MQTT
//! client over WebSocket against the server's broker (`mqtt`).
//!
//! The root only switches between the two tabs; each tab keeps its own store. Both stay mounted
//! (the one not shown is `hidden`), so a stream keeps running while the other tab is looked at.
//! Alt+Shift+1 and 2 switch tabs wherever the focus is; the arrow keys, Home and End move between
//! the tabs (`components::lab_tabs`).

pub mod mqtt;
pub mod telemetry;

use wire::iot_lab::IotView;
use yew::prelude::*;

use crate::components::lab_tabs::{LabTab, LabTabs, lab_tab_panel};
use telemetry::TelemetryPanel;

/// The tabs' and panels' ids: `iot-tab-telemetry`, `iot-panel-mqtt`.
const ID_PREFIX: &str = "iot";

/// The lab, talking to the server that served the page (the lab module's root).
#[function_component(IotLab)]
pub fn iot_lab() -> Html {
    html! { <IotLabOn /> }
}

#[derive(Properties, PartialEq)]
pub struct IotLabOnProps {
    /// `HOST:PORT` of a wirelab-server over plain HTTP; by default the one that served the page.
    #[prop_or_default]
    pub server: Option<AttrValue>,
}

/// The tabs in [`IotView::ALL`] order.
fn tabs() -> Vec<LabTab> {
    IotView::ALL.iter().map(|view| LabTab { key: view.key(), label: view.label() }).collect()
}

/// The lab, talking to `server` (the browser tests run it against a server of their own).
#[function_component(IotLabOn)]
pub fn iot_lab_on(props: &IotLabOnProps) -> Html {
    let view = use_state(|| IotView::Telemetry);
    let root = use_node_ref();
    let selected = IotView::ALL.iter().position(|each| *each == *view).unwrap_or(0);
    let on_select = {
        let view = view.clone();
        Callback::from(move |index: usize| view.set(IotView::ALL[index]))
    };
    let panel = |each: IotView, body: Html| lab_tab_panel(ID_PREFIX, each.key(), *view == each, body);
    html! {
        <div class="iot-lab" ref={root.clone()}>
            <div class="lab-head">
                <h1>{"IoT"}</h1>
                <LabTabs id_prefix={ID_PREFIX} label="IoT views" tabs={tabs()} {selected} {on_select} {root} />
            </div>
            <p class="muted lab-subtitle">
                {"Simulated sensors streaming readings in the encoding you choose, and an MQTT client talking to the server's broker over WebSocket."}
            </p>
            { panel(IotView::Telemetry, html! { <TelemetryPanel server={props.server.clone()} /> }) }
            { panel(IotView::Mqtt, html! { <mqtt::MqttPanel server={props.server.clone()} /> }) }
        </div>
    }
}
