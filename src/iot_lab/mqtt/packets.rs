//! Every MQTT packet both ways (direction, time, type, size, a summary), the latest at the
//! bottom; choosing one shows its bytes mapped with the Formats lab's views over
//! `wire::mqtt::dissect`: fixed header, remaining-length varint, variable header, properties
//! and payload, each field lighting its bytes, each byte naming its field.

use std::rc::Rc;

use wire::formats::{ByteMap, Node, Path};
use wire::mqtt::lab::PacketRecord;
use wire::mqtt::{dissect, lit_path};
use wire::units::format_clock;
use yew::prelude::*;

use super::Snapshot;
use crate::formats_lab::document_tree::DocumentTree;
use crate::formats_lab::mapped_bytes::{MappedBytes, describe_byte};
use crate::net::utc_offset_minutes;

/// Rows drawn: the latest ones (the list keeps up to `wire::mqtt::lab::MAX_PACKETS`).
const ROWS_SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct PacketsProps {
    pub snapshot: Snapshot,
    pub on_select: Callback<usize>,
    pub on_clear: Callback<()>,
}

pub fn clock(at_ms: f64) -> String {
    format_clock(at_ms, utc_offset_minutes())
}

#[function_component]
pub fn Packets(props: &PacketsProps) -> Html {
    let state = props.snapshot.state();
    let total = state.packets.len();
    let first = total.saturating_sub(ROWS_SHOWN);
    let rows = state.packets.iter().enumerate().skip(first).map(|(index, record)| {
        let selected = state.selected == Some(index);
        let onclick = props.on_select.reform(move |_| index);
        let kind = record.kind.map_or("?", |kind| kind.name());
        html! {
            <tr class={classes!("mqtt-packet", selected.then_some("selected"), record.problem.is_some().then_some("bad"))}
                data-testid="mqtt-packet" data-kind={kind} data-direction={record.direction.label()}>
                <td class="mono muted">{index + 1 + state.packets_dropped}</td>
                <td class={classes!("mqtt-direction", record.direction.label())}>
                    <span aria-hidden="true">{record.direction.arrow()}</span>
                    <span class="visually-hidden">{record.direction.label()}</span>
                </td>
                <td class="mono muted">{clock(record.at_ms)}</td>
                <td>
                    <button type="button" class="link-button mono" aria-pressed={selected.to_string()} {onclick}>{kind}</button>
                </td>
                <td class="mono">{record.bytes.len()}</td>
                <td class="mqtt-summary">{record.summary.clone()}</td>
            </tr>
        }
    });
    let on_clear = props.on_clear.reform(|_| ());
    let selected = state.selected.and_then(|index| state.packets.get(index).cloned().map(|record| (index, record)));
    html! {
        <section class="card mqtt-card" aria-labelledby="mqtt-packets-title">
            <div class="mqtt-head">
                <h2 id="mqtt-packets-title">{format!("Packets ({total})")}</h2>
                <span class="spacer"></span>
                <button type="button" class="button subtle" onclick={on_clear} disabled={total == 0}>{"Clear"}</button>
            </div>
            if total == 0 {
                <p class="muted">{"Connect: CONNECT and CONNACK appear here, then every packet both ways."}</p>
            } else {
                <div class="mqtt-packet-list" role="region" aria-label="Packet list" tabindex="0">
                    <table>
                        <thead><tr>
                            <th scope="col">{"#"}</th><th scope="col">{"Way"}</th><th scope="col">{"Time"}</th>
                            <th scope="col">{"Type"}</th><th scope="col">{"Bytes"}</th><th scope="col">{"Fields"}</th>
                        </tr></thead>
                        <tbody>{for rows}</tbody>
                    </table>
                </div>
            }
            if let Some((index, record)) = selected {
                // Keyed by the packet, so a field chosen in one packet is not kept for the next.
                <PacketBytes key={index + state.packets_dropped} record={Rc::new(record)} />
            }
        </section>
    }
}

#[derive(Properties)]
struct PacketBytesProps {
    record: Rc<PacketRecord>,
}

impl PartialEq for PacketBytesProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.record.bytes, &other.record.bytes)
    }
}

struct Mapped {
    document: Rc<Node>,
    map: Rc<ByteMap>,
    problem: Option<String>,
}

#[function_component]
fn PacketBytes(props: &PacketBytesProps) -> Html {
    let record = &props.record;
    let mapped = {
        let bytes = record.bytes.clone();
        let version = record.version;
        use_memo(Rc::as_ptr(&record.bytes) as usize, move |_| {
            let dissection = dissect(&bytes, version);
            Mapped {
                document: Rc::new(dissection.document),
                map: Rc::new(dissection.map),
                problem: dissection.error.map(|error| error.to_string()),
            }
        })
    };
    let selected = use_state(|| None::<Path>);
    let pointed = use_state(|| None::<usize>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |path: Path| selected.set(Some(path)))
    };
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |offset: Option<usize>| pointed.set(offset))
    };
    let lit = (*selected).as_ref().map(|path| lit_path(&mapped.map, path));
    let pointed_line = match *pointed {
        Some(offset) => describe_byte(&mapped.map, &record.bytes, offset),
        None => "Point at a byte to name its field; choose a field to light its bytes.".to_string(),
    };
    let kind = record.kind.map_or("packet", |kind| kind.name());
    html! {
        <div class="mqtt-bytes" data-testid="packet-bytes">
            <h3>{format!("{kind}, {} bytes, {} at {}", record.bytes.len(), record.direction.label(), clock(record.at_ms))}</h3>
            if let Some(problem) = &mapped.problem {
                <p class="inline-error" role="alert">{format!("Read up to a problem: {problem}")}</p>
            }
            <div class="mqtt-bytes-grid">
                <div>
                    <MappedBytes bytes={record.bytes.clone()} map={mapped.map.clone()} text={false}
                        selected={lit} {on_point} on_pick={on_select.clone()} label={format!("{kind} bytes")} />
                    <p class="muted small" aria-live="polite">{pointed_line}</p>
                </div>
                <DocumentTree document={mapped.document.clone()} selected={(*selected).clone()} {on_select} />
            </div>
        </div>
    }
}
