//! "Follow TCP stream": the chosen conversation's bytes in both directions, in order, each
//! direction in its own colour, as text (bytes that are not printable shown as dots) or as a hex
//! dump, with what reassembly met on the way (retransmissions, overlaps, gaps).

use std::rc::Rc;

use wire::hexdump::{ascii_char, hex_dump};
use wire::packets::follow::{ChunkContent, Direction, FollowedStream, follow_capture};
use yew::prelude::*;

use super::capture_view::SharedCapture;

/// The most bytes drawn at once; the rest are counted, not drawn.
const SHOWN_BYTES: usize = 256 * 1024;

#[derive(Properties, PartialEq)]
pub struct FollowStreamProps {
    pub loaded: SharedCapture,
    pub bytes: Rc<Vec<u8>>,
    pub stream: u32,
    pub on_close: Callback<()>,
}

/// Printable ASCII and line breaks as they are, other bytes as dots (as Wireshark's ASCII view).
fn as_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&byte| if byte == b'\n' || byte == b'\r' || byte == b'\t' { byte as char } else { ascii_char(byte) })
        .collect()
}

#[function_component(FollowStream)]
pub fn follow_stream(props: &FollowStreamProps) -> Html {
    let hex = use_state(|| false);
    let followed: Rc<FollowedStream> = {
        let loaded = props.loaded.clone();
        let bytes = props.bytes.clone();
        use_memo(props.stream, move |stream| follow_capture(&bytes, &loaded.0.borrow().rows, *stream))
    };
    let on_text = {
        let hex = hex.clone();
        Callback::from(move |_| hex.set(false))
    };
    let on_hex = {
        let hex = hex.clone();
        Callback::from(move |_| hex.set(true))
    };
    let on_close = props.on_close.reform(|_| ());
    let mut budget = SHOWN_BYTES;
    let mut left_out = 0usize;
    let chunks: Html = followed
        .chunks
        .iter()
        .map(|chunk| {
            let class = match chunk.direction {
                Direction::ClientToServer => "follow-client",
                Direction::ServerToClient => "follow-server",
            };
            let side = match chunk.direction {
                Direction::ClientToServer => "client to server",
                Direction::ServerToClient => "server to client",
            };
            match &chunk.content {
                ChunkContent::Missing(count) => html! {
                    <p class="follow-gap" role="note">{format!("[{count} bytes missing in the capture, {side}]")}</p>
                },
                ChunkContent::Bytes(bytes) => {
                    let shown = bytes.len().min(budget);
                    budget -= shown;
                    left_out += bytes.len() - shown;
                    if shown == 0 {
                        return html! {};
                    }
                    let text = if *hex { hex_dump(&bytes[..shown]) } else { as_text(&bytes[..shown]) };
                    html! {
                        <pre class={classes!("follow-chunk", class)} title={format!("{side}, from packet {}", chunk.packet)}
                            aria-label={format!("{side}, {} bytes", bytes.len())}>{text}</pre>
                    }
                }
            }
        })
        .collect();
    html! {
        <section class="follow" aria-label="Follow TCP stream" data-testid="follow-stream">
            <div class="panel-head">
                <h3>{format!("TCP stream {}", props.stream)}</h3>
                <div class="segmented" role="group" aria-label="Show as">
                    <button type="button" class={classes!("button", "subtle", (!*hex).then_some("on"))}
                        aria-pressed={(!*hex).to_string()} onclick={on_text}>{"Text"}</button>
                    <button type="button" class={classes!("button", "subtle", hex.then_some("on"))}
                        aria-pressed={hex.to_string()} onclick={on_hex}>{"Hex"}</button>
                </div>
                <button type="button" class="button subtle" onclick={on_close}>{"Close stream"}</button>
            </div>
            <p class="small">
                <span class="follow-key follow-client">{"client → server"}</span>{" "}
                <span class="follow-key follow-server">{"server → client"}</span>{" "}
                <span class="muted" data-testid="follow-summary">{followed.summary()}</span>
            </p>
            <div class="follow-body" tabindex="0" role="region" aria-label="The stream's bytes">
                {chunks}
                if followed.chunks.is_empty() {
                    <p class="muted">{"This conversation carries no payload bytes."}</p>
                }
            </div>
            if left_out > 0 {
                <p class="muted small">{format!("{left_out} more bytes not drawn (the first {} KiB are).", SHOWN_BYTES / 1024)}</p>
            }
        </section>
    }
}
