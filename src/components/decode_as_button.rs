//! "Decode as…": the button on binary WebSocket messages and HTTP bodies that opens their bytes in
//! the Formats lab's Decode tab.

use std::rc::Rc;

use yew::prelude::*;

use crate::net::navigation::{self, DecodeRequest};

/// A button that sends bytes to the Decode tab (the other labs' "Decode as…"). It only touches the
/// history (`net::navigation`), so the labs that show it do not carry the Formats lab's code.
#[derive(Properties, PartialEq)]
pub struct DecodeAsButtonProps {
    pub bytes: Rc<Vec<u8>>,
    pub origin: AttrValue,
}

#[function_component(DecodeAsButton)]
pub fn decode_as_button(props: &DecodeAsButtonProps) -> Html {
    let failure = use_state(|| None::<String>);
    let onclick = {
        let bytes = props.bytes.clone();
        let origin = props.origin.to_string();
        let failure = failure.clone();
        Callback::from(move |_| {
            let request = DecodeRequest { bytes: bytes.as_ref().clone(), origin: origin.clone() };
            failure.set(navigation::open_in_decode(&request).err());
        })
    };
    html! {
        <>
            <button type="button" class="button subtle" title="Open these bytes in the Formats lab's Decode tab" {onclick}>
                {"Decode as…"}
            </button>
            if let Some(error) = &*failure {
                <span class="error" role="alert">{format!("Could not open the Decode tab: {error}")}</span>
            }
        </>
    }
}
