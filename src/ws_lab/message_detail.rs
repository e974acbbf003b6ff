//! One message in detail: its facts, and its payload as text, hex dump, pretty JSON, pretty XML
//! or schemaless Protobuf, with any error shown in place.

use std::rc::Rc;

use wire::message_log::{Direction, Payload};
use wire::payload_view::{PayloadView, render};
use wire::units::{first_chars, format_bytes, format_clock};
use wire::ws_inspect::MessageFacts;
use yew::prelude::*;

use crate::components::hand_off_button::HandOffButton;
use crate::components::hex_view::HexView;
use crate::net::navigation::HandOff;
use crate::net::utc_offset_minutes;

/// Text views longer than this are cut, with a note, to keep the page responsive.
const MAX_TEXT_VIEW_CHARS: usize = 200_000;

#[derive(Properties, PartialEq)]
pub struct MessageDetailProps {
    /// (id, time, direction, payload) of the selected message.
    pub entry: Option<(u64, f64, Direction, Rc<Payload>)>,
    /// The frames the server saw carrying it (on `/ws/inspect`).
    #[prop_or_default]
    pub frames: Option<MessageFacts>,
    /// Puts the payload in the composer.
    pub on_reuse: Callback<Rc<Payload>>,
}

#[function_component(MessageDetail)]
pub fn message_detail(props: &MessageDetailProps) -> Html {
    // The view a person picked; None follows the payload's natural view.
    let picked = use_state(|| None::<PayloadView>);
    let Some((id, at_ms, direction, payload)) = props.entry.clone() else {
        return html! {
            <section class="detail-panel card empty" aria-label="Message detail">
                <div class="empty-state small">
                    <p>{"Select a message to inspect it."}</p>
                    <p class="muted">{"Text, hex dump with offsets, JSON, XML and raw Protobuf views."}</p>
                </div>
            </section>
        };
    };
    let view = picked.unwrap_or_else(|| PayloadView::default_for(&payload));
    let tabs: Html = PayloadView::ALL
        .iter()
        .map(|&candidate| {
            let picked = picked.clone();
            let onclick = Callback::from(move |_| picked.set(Some(candidate)));
            let active = candidate == view;
            html! {
                <button type="button" role="tab" class={classes!("tab", active.then_some("active"))}
                    aria-selected={active.to_string()} {onclick}>
                    {candidate.label()}
                </button>
            }
        })
        .collect();
    let body = match view {
        PayloadView::Hex => html! { <HexView bytes={Rc::new(payload.bytes().to_vec())} /> },
        other => match render(&payload, other) {
            Ok(text) => {
                let (shown, cut) = first_chars(&text, MAX_TEXT_VIEW_CHARS);
                html! {
                    <>
                        <pre class="payload-text" data-testid="payload-text">{shown}</pre>
                        if cut {
                            <p class="muted">{format!("Showing the first {MAX_TEXT_VIEW_CHARS} characters; the hex view pages through everything.")}</p>
                        }
                    </>
                }
            }
            Err(error) => html! { <p class="inline-error" role="alert">{error.to_string()}</p> },
        },
    };
    let on_reuse = {
        let on_reuse = props.on_reuse.clone();
        let payload = payload.clone();
        Callback::from(move |_| on_reuse.emit(payload.clone()))
    };
    let direction_label = match direction {
        Direction::Sent => "Sent",
        Direction::Received => "Received",
    };
    html! {
        <section class="detail-panel card" aria-label="Message detail" data-message-id={id.to_string()}>
            <header class="detail-head">
                <div>
                    <strong>{direction_label}</strong>
                    {format!(" · {} · {} · {}",
                        if payload.is_binary() { "binary" } else { "text" },
                        format_bytes(payload.len() as u64),
                        format_clock(at_ms, utc_offset_minutes()))}
                </div>
                <div class="detail-actions">
                    if payload.is_binary() {
                        <HandOffButton to={HandOff::Decode} bytes={Rc::new(payload.bytes().to_vec())}
                            origin={format!("{direction_label} WebSocket message #{id}")} />
                    }
                    <HandOffButton to={HandOff::Hash} bytes={Rc::new(payload.bytes().to_vec())}
                        origin={format!("{direction_label} WebSocket message #{id}")} />
                    <button type="button" class="button subtle" onclick={on_reuse} title="Copy into the composer to edit and send again">
                        {"Edit & resend"}
                    </button>
                </div>
            </header>
            if let Some(facts) = &props.frames {
                { frames_table(facts) }
            }
            <div class="tabs" role="tablist" aria-label="View as">{tabs}</div>
            <div class="detail-body">{body}</div>
        </section>
    }
}

/// The frames the server saw for one message, one row each.
fn frames_table(facts: &MessageFacts) -> Html {
    let flag = |on: bool| if on { "1" } else { "0" };
    html! {
        <div class="frames" aria-label="Frames the server saw">
            <table>
                <thead><tr>
                    <th>{"#"}</th><th>{"FIN"}</th><th title="RSV1 RSV2 RSV3">{"RSV"}</th><th>{"Opcode"}</th>
                    <th>{"Mask key"}</th><th>{"Payload"}</th><th>{"Header"}</th>
                </tr></thead>
                <tbody>
                    { for facts.frames.iter().enumerate().map(|(number, frame)| html! {
                        <tr>
                            <td>{number + 1}</td>
                            <td>{flag(frame.fin)}</td>
                            <td class="mono">{format!("{}{}{}", flag(frame.rsv1), flag(frame.rsv2), flag(frame.rsv3))}</td>
                            <td>{frame.opcode.clone()}</td>
                            <td class="mono">{frame.mask_key.clone().unwrap_or_else(|| "unmasked".into())}</td>
                            <td>{format!("{} B · {}-bit length", frame.payload_len, frame.length_bits)}</td>
                            <td>{format!("{} B", frame.header_len)}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if facts.compressed {
                <p class="muted">{format!("permessage-deflate: {} B on the wire for a {} B message", facts.wire_bytes, facts.message_bytes)}</p>
            }
        </div>
    }
}
