//! The IoT lab: live telemetry from the server's simulated devices in a chosen encoding
//! (`telemetry`: plot, rates, latency, bytes per reading compared across encodings) and an MQTT
//! client over WebSocket against the server's broker (`mqtt`).
//!
//! The root only switches between the two tabs; each tab keeps its own store. Both stay mounted
//! (the one not shown is `hidden`), so a stream keeps running while the other tab is looked at.
//! Alt+Shift+1 and 2 switch tabs wherever the focus is; the arrow keys, Home and End move between
//! the tabs.

pub mod mqtt;
pub mod telemetry;

use wasm_bindgen::JsCast;
use wire::iot_lab::IotView;
use yew::prelude::*;

use crate::lab_keys::use_lab_keydown;
use telemetry::TelemetryPanel;

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

fn tab_id(view: IotView) -> String {
    format!("iot-tab-{}", view.key())
}

fn panel_id(view: IotView) -> String {
    format!("iot-panel-{}", view.key())
}

fn focus_tab(view: IotView) {
    if let Some(button) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(&tab_id(view)))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

/// The lab, talking to `server` (the browser tests run it against a server of their own).
#[function_component(IotLabOn)]
pub fn iot_lab_on(props: &IotLabOnProps) -> Html {
    let view = use_state(|| IotView::Telemetry);
    let root = use_node_ref();
    {
        let view = view.clone();
        use_lab_keydown(root.clone(), move |event| {
            if !event.alt_key() || !event.shift_key() || event.ctrl_key() || event.meta_key() {
                return;
            }
            let chosen = match event.code().as_str() {
                "Digit1" => IotView::Telemetry,
                "Digit2" => IotView::Mqtt,
                _ => return,
            };
            event.prevent_default();
            view.set(chosen);
            focus_tab(chosen);
        });
    }
    let on_key = {
        let view = view.clone();
        Callback::from(move |event: KeyboardEvent| {
            let index = IotView::ALL.iter().position(|each| *each == *view).unwrap_or(0);
            let count = IotView::ALL.len();
            let next = match event.key().as_str() {
                "ArrowRight" => (index + 1) % count,
                "ArrowLeft" => (index + count - 1) % count,
                "Home" => 0,
                "End" => count - 1,
                _ => return,
            };
            event.prevent_default();
            view.set(IotView::ALL[next]);
            focus_tab(IotView::ALL[next]);
        })
    };
    let tabs = IotView::ALL.iter().enumerate().map(|(index, &each)| {
        let selected = *view == each;
        let onclick = {
            let view = view.clone();
            Callback::from(move |_: MouseEvent| view.set(each))
        };
        html! {
            <button type="button" role="tab" class={classes!("tab", selected.then_some("active"))} id={tab_id(each)}
                aria-selected={selected.to_string()} aria-controls={panel_id(each)}
                aria-keyshortcuts={format!("Alt+Shift+{}", index + 1)} title={format!("Alt+Shift+{}", index + 1)}
                tabindex={if selected { "0" } else { "-1" }} {onclick}>
                {each.label()}
            </button>
        }
    });
    let panel = |each: IotView, body: Html| {
        html! {
            <div id={panel_id(each)} role="tabpanel" aria-labelledby={tab_id(each)} hidden={*view != each}>
                {body}
            </div>
        }
    };
    html! {
        <div class="iot-lab" ref={root}>
            <div class="lab-head">
                <h1>{"IoT"}</h1>
                <div class="tabs inline" role="tablist" aria-label="IoT views" onkeydown={on_key}>{for tabs}</div>
            </div>
            <p class="muted lab-subtitle">
                {"Simulated sensors streaming readings in the encoding you choose, and an MQTT client talking to the server's broker over WebSocket."}
            </p>
            { panel(IotView::Telemetry, html! { <TelemetryPanel server={props.server.clone()} /> }) }
            { panel(IotView::Mqtt, html! { <mqtt::MqttPanel server={props.server.clone()} /> }) }
        </div>
    }
}
