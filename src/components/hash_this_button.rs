//! "Hash this…": the button on WebSocket messages and HTTP bodies that opens their bytes in the
//! Security lab's Hash and encode view. It only touches the history (`net::hash_this`), so the
//! labs that show it do not carry the Security lab's code.

use std::rc::Rc;

use yew::prelude::*;

use crate::net::hash_this::{self, HashRequest};

#[derive(Properties, PartialEq)]
pub struct HashThisButtonProps {
    pub bytes: Rc<Vec<u8>>,
    /// Where the bytes came from, shown beside them in the Security lab.
    pub origin: AttrValue,
}

#[function_component(HashThisButton)]
pub fn hash_this_button(props: &HashThisButtonProps) -> Html {
    let failure = use_state(|| None::<String>);
    let onclick = {
        let bytes = props.bytes.clone();
        let origin = props.origin.to_string();
        let failure = failure.clone();
        Callback::from(move |_| {
            let request = HashRequest { bytes: bytes.as_ref().clone(), origin: origin.clone() };
            failure.set(hash_this::open_in_hashing(&request).err());
        })
    };
    html! {
        <>
            <button type="button" class="button subtle" title="Hash or encode these bytes in the Security lab" {onclick}>
                {"Hash this…"}
            </button>
            if let Some(error) = &*failure {
                <span class="error" role="alert">{format!("Could not open the Security lab: {error}")}</span>
            }
        </>
    }
}
