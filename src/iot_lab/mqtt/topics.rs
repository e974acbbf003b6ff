//! The Topics table: every topic a message arrived on, busiest first, with messages/s and
//! bytes/s over the last few seconds (`wire::mqtt::topics`), totals, the last payload's size and
//! time and whether it came retained. It answers "which topic floods the broker?". Choosing a
//! row shows only that topic's messages below; the rates are taken a few times a second.

use wire::mqtt::topics::{MAX_TOPICS, WINDOW_MS};
use wire::units::format_bytes;
use yew::prelude::*;

use super::Snapshot;
use super::packets::clock;

#[derive(Properties, PartialEq)]
pub struct TopicsProps {
    /// Equal while the rows have not been taken again.
    pub snapshot: Snapshot,
    pub on_show_topic: Callback<Option<String>>,
}

fn rate(per_s: f64) -> String {
    if per_s >= 100.0 { format!("{per_s:.0}") } else { format!("{per_s:.1}") }
}

#[function_component]
pub fn Topics(props: &TopicsProps) -> Html {
    let state = props.snapshot.state();
    let left_out = state.topics.left_out();
    let rows = state.topic_rows.iter().map(|row| {
        let chosen = state.topic_filter.as_ref() == Some(&row.topic);
        let topic = row.topic.clone();
        let onclick = props.on_show_topic.reform(move |_| (!chosen).then(|| topic.clone()));
        html! {
            <tr class={classes!("mqtt-packet", chosen.then_some("selected"))} data-testid="mqtt-topic"
                data-topic={row.topic.clone()} data-rate={row.messages_per_s.to_string()}
                data-total={row.total_messages.to_string()}>
                <td class="mqtt-summary">
                    <button type="button" class="link-button mono" aria-pressed={chosen.to_string()} {onclick}
                        title={if chosen { "Show every topic's messages" } else { "Show only this topic's messages" }}>
                        {row.topic.clone()}
                    </button>
                </td>
                <td class="mono" style="text-align: right">{rate(row.messages_per_s)}</td>
                <td class="mono" style="text-align: right">{format!("{}/s", format_bytes(row.bytes_per_s.round() as u64))}</td>
                <td class="mono" style="text-align: right">{row.total_messages}</td>
                <td class="mono" style="text-align: right">{format_bytes(row.total_bytes)}</td>
                <td class="mono muted">{format!("{} B at {}", row.last_size, clock(row.last_at_ms))}</td>
                <td>
                    if row.retained {
                        <span class="badge retained" title="The last message came retained: the broker's stored copy">{"retained"}</span>
                    }
                </td>
            </tr>
        }
    });
    let clear = props.on_show_topic.reform(|_| None);
    html! {
        <section class="card mqtt-card" aria-labelledby="mqtt-topics-title">
            <div class="mqtt-head">
                <h2 id="mqtt-topics-title">{format!("Topics ({})", state.topic_rows.len())}</h2>
                <span class="muted small">{format!("rates over the last {} s, busiest first", WINDOW_MS / 1_000.0)}</span>
                <span class="spacer"></span>
                if let Some(topic) = &state.topic_filter {
                    <button type="button" class="button subtle" onclick={clear}
                        aria-label={format!("Show every topic (now only {topic})")}>{"Show all topics"}</button>
                }
            </div>
            if state.topic_rows.is_empty() {
                <p class="muted" data-testid="mqtt-topics-empty">{"No message received yet: each topic a message arrives on gets a row here, with its rate."}</p>
            } else {
                <div class="mqtt-packet-list">
                    <table aria-label="Topics, busiest first">
                        <thead>
                            <tr>
                                <th scope="col">{"Topic"}</th>
                                <th scope="col" style="text-align: right">{"msg/s"}</th>
                                <th scope="col" style="text-align: right">{"bytes/s"}</th>
                                <th scope="col" style="text-align: right">{"Messages"}</th>
                                <th scope="col" style="text-align: right">{"Bytes"}</th>
                                <th scope="col">{"Last payload"}</th>
                                <th scope="col">{"Retained"}</th>
                            </tr>
                        </thead>
                        <tbody>{for rows}</tbody>
                    </table>
                </div>
            }
            if left_out.messages > 0 {
                <p class="muted small" data-testid="mqtt-topics-left-out">{format!(
                    "{}{} more topics not tracked (only the first {MAX_TOPICS} are): {} messages on them counted only",
                    left_out.topics, if left_out.topics_at_least { "+" } else { "" }, left_out.messages
                )}</p>
            }
        </section>
    }
}
