//! "Export HAR" in the WebSocket lab's log toolbar: the last connection as an HTTP Archive entry
//! (the opening handshake, the 101 answer, and the messages the log holds in
//! `_webSocketMessages`, as Chrome's DevTools writes them), downloaded as a file.

use wire::har::{file_name, to_json, ws_lab_har};
use yew::prelude::*;

use super::effects::Session;
use crate::net::download::offer_text;
use crate::net::{now_ms, utc_offset_minutes};

#[derive(Properties, PartialEq)]
pub struct ExportHarButtonProps {
    pub session: Session,
    /// Whether a connection was started (the session prop alone compares equal across changes,
    /// so this is what redraws the button).
    pub has_session: bool,
}

#[function_component(ExportHarButton)]
pub fn export_har_button(props: &ExportHarButtonProps) -> Html {
    let problem = use_state(|| None::<String>);
    let has_session = props.has_session;
    let onclick = {
        let (session, problem) = (props.session.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let lab = session.state();
            let Some(record) = &lab.session_record else { return };
            let har = to_json(&ws_lab_har(record, &lab.log, lab.handshake.as_ref()));
            problem.set(offer_text(&har, "application/json", &file_name(now_ms(), utc_offset_minutes())).err());
        })
    };
    let title = if has_session {
        "Download the last connection as a HAR file: its handshake and the messages in the log"
    } else {
        "Nothing to export yet: connect first"
    };
    html! {
        <>
            <button type="button" class="button subtle" disabled={!has_session} {title} {onclick}>{"Export HAR"}</button>
            if let Some(problem) = &*problem {
                <span class="inline-error" role="alert">{format!("Not exported: {problem}")}</span>
            }
        </>
    }
}
