//! The IoT lab's MQTT tab: an MQTT client over WebSocket with every packet's bytes mapped (being built: issue 13).

use yew::prelude::*;

#[function_component]
pub fn MqttPanel() -> Html {
    html! {
        <section class="mqtt-panel" aria-label="MQTT">
            <h2>{"MQTT"}</h2>
        </section>
    }
}
