//! "Decode as…" and "Hash this…": the buttons on WebSocket messages, HTTP bodies and socket
//! transcripts that open their bytes in another lab (the Formats lab's Decode tab, the Security
//! lab's Hash and encode view).

use std::rc::Rc;

use yew::prelude::*;

use crate::net::navigation::{self, HandOff, HandedBytes};

/// A button that hands bytes to the lab `to` names. It only touches the history
/// (`net::navigation`), so the labs that show it do not carry the other lab's code.
#[derive(Properties, PartialEq)]
pub struct HandOffButtonProps {
    pub to: HandOff,
    pub bytes: Rc<Vec<u8>>,
    /// Where the bytes came from, shown beside them in the receiving lab.
    pub origin: AttrValue,
}

#[function_component(HandOffButton)]
pub fn hand_off_button(props: &HandOffButtonProps) -> Html {
    let failure = use_state(|| None::<String>);
    let to = props.to;
    let onclick = {
        let bytes = props.bytes.clone();
        let origin = props.origin.to_string();
        let failure = failure.clone();
        Callback::from(move |_| {
            let handed = HandedBytes { bytes: bytes.as_ref().clone(), origin: origin.clone() };
            failure.set(navigation::hand_over(to, &handed).err());
        })
    };
    html! {
        <>
            <button type="button" class="button subtle" title={to.title()} {onclick}>{to.label()}</button>
            if let Some(error) = &*failure {
                <span class="error" role="alert">{format!("Could not open {}: {error}", to.destination())}</span>
            }
        </>
    }
}
