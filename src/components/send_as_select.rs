//! "Send as": the choice of how a composer's text is read (text, hex or base64), shared by the
//! WebSocket and Sockets labs' composers.

use wire::binary_input::PayloadEncoding;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SendAsSelectProps {
    pub value: PayloadEncoding,
    pub on_change: Callback<PayloadEncoding>,
}

#[function_component(SendAsSelect)]
pub fn send_as_select(props: &SendAsSelectProps) -> Html {
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(encoding) = PayloadEncoding::from_key(&select.value()) {
                on_change.emit(encoding);
            }
        })
    };
    html! {
        <label class="field inline">
            <span class="field-label">{"Send as"}</span>
            <select {onchange}>
                { for PayloadEncoding::ALL.iter().map(|encoding| html! {
                    <option value={encoding.key()} selected={*encoding == props.value}>{encoding.label()}</option>
                }) }
            </select>
        </label>
    }
}
