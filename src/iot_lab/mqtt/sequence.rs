//! A QoS 1 or 2 exchange drawn as a sequence diagram: the client's and the broker's lifelines,
//! one arrow per packet (PUBLISH → PUBACK; PUBLISH → PUBREC → PUBREL → PUBCOMP) in the order
//! they went, each labelled with its packet id and time. It shows the exchange of the chosen
//! packet, else the latest; clicking an arrow chooses its packet.

use wire::mqtt::session::Direction;
use yew::prelude::*;

use super::Snapshot;
use super::packets::clock;

const WIDTH: f64 = 520.0;
const CLIENT_X: f64 = 90.0;
const BROKER_X: f64 = 430.0;
const TOP: f64 = 56.0;
const STEP: f64 = 46.0;

#[derive(Properties, PartialEq)]
pub struct SequenceProps {
    pub snapshot: Snapshot,
    pub on_select: Callback<usize>,
}

#[function_component]
pub fn Sequence(props: &SequenceProps) -> Html {
    let state = props.snapshot.state();
    let shown = state.shown_exchange().and_then(|index| state.sequence.exchanges.get(index));
    let body = match shown {
        None => html! {
            <p class="muted">{"Publish with QoS 1 or 2 (or receive such a message) to see its handshake: PUBACK, or PUBREC, PUBREL and PUBCOMP."}</p>
        },
        Some(exchange) => {
            let height = TOP + STEP * exchange.steps.len() as f64 + 16.0;
            let names: Vec<&str> = exchange.steps.iter().map(|(_, kind, _)| kind.name()).collect();
            let arrows = exchange.steps.iter().enumerate().map(|(row, (direction, kind, packet))| {
                let y = TOP + STEP * (row as f64 + 0.5);
                let (from, to) = match direction {
                    Direction::Sent => (CLIENT_X, BROKER_X),
                    Direction::Received => (BROKER_X, CLIENT_X),
                };
                let at = state.packets.get(*packet).map(|record| clock(record.at_ms)).unwrap_or_default();
                let onclick = props.on_select.reform({
                    let packet = *packet;
                    move |_| packet
                });
                let selected = state.selected == Some(*packet);
                html! {
                    <g class={classes!("mqtt-arrow", direction.label(), selected.then_some("selected"))}
                        data-testid="sequence-step" data-kind={kind.name()} {onclick}>
                        <line x1={from.to_string()} y1={y.to_string()} x2={to.to_string()} y2={y.to_string()} marker-end="url(#mqtt-arrowhead)" />
                        <text x={((CLIENT_X + BROKER_X) / 2.0).to_string()} y={(y - 7.0).to_string()} text-anchor="middle">
                            {format!("{kind} (id {})", exchange.packet_id)}
                        </text>
                        <text class="mqtt-arrow-time" x={((CLIENT_X + BROKER_X) / 2.0).to_string()} y={(y + 15.0).to_string()} text-anchor="middle">{at}</text>
                    </g>
                }
            });
            let lifeline = |x: f64, name: &str| {
                html! {
                    <g class="mqtt-lifeline">
                        <rect x={(x - 46.0).to_string()} y="8" width="92" height="28" rx="6" />
                        <text x={x.to_string()} y="27" text-anchor="middle">{name.to_owned()}</text>
                        <line x1={x.to_string()} y1="36" x2={x.to_string()} y2={height.to_string()} />
                    </g>
                }
            };
            let status = if exchange.complete { "complete" } else { "waiting for the next step" };
            html! {
                <>
                    <p class="mqtt-exchange-title">{format!("{} · {status}", exchange.title())}</p>
                    <svg class="mqtt-sequence" viewBox={format!("0 0 {WIDTH} {height}")} role="img"
                        aria-label={format!("{}: {}", exchange.title(), names.join(", "))}>
                        <defs>
                            <marker id="mqtt-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                                <path d="M 0 0 L 10 5 L 0 10 z" />
                            </marker>
                        </defs>
                        { lifeline(CLIENT_X, "Client") }
                        { lifeline(BROKER_X, "Broker") }
                        { for arrows }
                    </svg>
                </>
            }
        }
    };
    html! {
        <section class="card mqtt-card" aria-labelledby="mqtt-sequence-title">
            <h2 id="mqtt-sequence-title">{"QoS handshake"}</h2>
            {body}
        </section>
    }
}
