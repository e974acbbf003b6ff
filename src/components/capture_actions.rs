//! "Download .pcap" and "Open in Decode" for a session the server recorded (a `/ws/inspect`
//! WebSocket, a Sockets-lab connection): the server's `/api/captures/{id}.pcap`, saved as a file
//! or fetched and handed to the Formats lab's Decode tab the way "Decode as…" hands bytes over.

use gloo_net::http::Request;
use yew::prelude::*;

use crate::net::navigation::{self, HandOff, HandedBytes};

#[derive(Properties, PartialEq)]
pub struct CaptureActionsProps {
    /// Where the server serves the capture (`…/api/captures/{id}.pcap`).
    pub url: AttrValue,
    /// What the capture is of, for the buttons' accessible names and the Decode tab's origin
    /// ("the WebSocket session", "the control connection").
    pub what: AttrValue,
}

/// The two actions, side by side; a failed fetch says why beside them.
#[function_component(CaptureActions)]
pub fn capture_actions(props: &CaptureActionsProps) -> Html {
    let failure = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let open_in_decode = {
        let url = props.url.to_string();
        let origin = format!("The server's capture of {}", props.what);
        let (failure, busy) = (failure.clone(), busy.clone());
        Callback::from(move |_| {
            let (url, origin, failure, busy) = (url.clone(), origin.clone(), failure.clone(), busy.clone());
            busy.set(true);
            failure.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = match fetch_capture(&url).await {
                    Ok(bytes) => navigation::hand_over(HandOff::Decode, &HandedBytes { bytes, origin }),
                    Err(error) => Err(error),
                };
                busy.set(false);
                failure.set(outcome.err());
            });
        })
    };
    html! {
        <span class="capture-actions" data-testid="capture-actions">
            <a class="button subtle" href={props.url.clone()} download=""
                title={format!("Save the server's capture of {} as a .pcap file (Wireshark, tshark)", props.what)}
                aria-label={format!("Download .pcap of {}", props.what)}>
                {"Download .pcap"}
            </a>
            <button type="button" class="button subtle" onclick={open_in_decode} disabled={*busy}
                title={format!("Open the server's capture of {} in the Formats lab's Decode tab", props.what)}
                aria-label={format!("Open in Decode: {}", props.what)}>
                {if *busy { "Opening…" } else { "Open in Decode" }}
            </button>
            if let Some(error) = &*failure {
                <span class="error" role="alert">{format!("Could not open the capture: {error}")}</span>
            }
        </span>
    }
}

/// The capture's bytes; the server's words when it answers with an error (a dropped capture is 404).
async fn fetch_capture(url: &str) -> Result<Vec<u8>, String> {
    let response = Request::get(url).send().await.map_err(|error| error.to_string())?;
    if !response.ok() {
        let text = response.text().await.unwrap_or_default();
        let words = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|json| json["error"].as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("the server answered {}", response.status()));
        return Err(words);
    }
    response.binary().await.map_err(|error| error.to_string())
}
