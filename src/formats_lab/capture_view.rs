//! A capture file in the Decode tab, the way Wireshark shows one: the packet list (read in
//! slices between frames, so a 50 MB file shows its first rows at once and never holds the page),
//! a filter by protocol, address, port or info text, the chosen packet's layers with its bytes
//! mapped (the Formats lab's `DocumentTree` and `MappedBytes`), and "Follow TCP stream".
//! The reading and the dissection are `wire::packets`'; this file only schedules and draws.

use std::cell::RefCell;
use std::rc::Rc;

use wire::packets::capture::{CaptureReading, FileKind, PacketRow};
use wire::packets::dissect::{StreamHint, dissect_frame_with, lit_path};
use wire::units::format_bytes;
use yew::prelude::*;

use super::capture_follow::FollowStream;
use super::capture_list::PacketList;
use super::document_tree::DocumentTree;
use super::mapped_bytes::{MappedBytes, describe_byte};

/// How long one slice of reading may hold the page, in milliseconds.
const SLICE_BUDGET_MS: f64 = 12.0;
/// Packets read before the first rows are shown.
const FIRST_ROWS: usize = 200;

#[derive(Properties, PartialEq)]
pub struct CaptureViewProps {
    /// The file's name (or where the bytes came from).
    pub name: AttrValue,
    /// Compared by identity first (`Rc<Vec<u8>>`'s `PartialEq`), so a big file is never compared.
    pub bytes: Rc<Vec<u8>>,
}

/// What has been read so far.
#[derive(Default)]
pub struct Loaded {
    pub kind: Option<FileKind>,
    pub rows: Vec<PacketRow>,
    pub done: bool,
    /// Why reading stopped before the end of the file.
    pub problem: Option<String>,
    /// Why the file could not be opened at all.
    pub open_error: Option<String>,
}

/// The capture read so far, shared with the list and the follow panel; equal only to itself, so
/// a prop of it never compares rows (a `revision` prop says when they changed).
#[derive(Clone)]
pub struct SharedCapture(pub Rc<RefCell<Loaded>>);

impl PartialEq for SharedCapture {
    fn eq(&self, other: &SharedCapture) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|window| window.performance()).map_or(0.0, |performance| performance.now())
}

fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        performance.mark(name).ok();
    }
}

/// Reads the capture in slices of at most [`SLICE_BUDGET_MS`], yielding to the page between
/// them; stops when `generation` moves on (other bytes were opened).
async fn read_in_slices(
    bytes: Rc<Vec<u8>>,
    loaded: Rc<RefCell<Loaded>>,
    generation: Rc<RefCell<u64>>,
    mine: u64,
    redraw: Callback<()>,
) {
    mark("wirelab:capture-start");
    let mut reading = match CaptureReading::open(&bytes) {
        Ok(reading) => reading,
        Err(problem) => {
            loaded.borrow_mut().open_error = Some(problem.to_string());
            redraw.emit(());
            return;
        }
    };
    loaded.borrow_mut().kind = Some(reading.reader.kind);
    let mut first = true;
    loop {
        if *generation.borrow() != mine {
            return;
        }
        let started = now_ms();
        let mut batch = Vec::new();
        loop {
            batch.extend(reading.next_rows(&bytes, if first { FIRST_ROWS } else { 500 }));
            if first || reading.is_done() || now_ms() - started > SLICE_BUDGET_MS {
                break;
            }
        }
        {
            let mut loaded = loaded.borrow_mut();
            loaded.rows.extend(batch);
            if reading.is_done() {
                loaded.done = true;
                loaded.problem = reading.reader.problem.as_ref().map(ToString::to_string);
            }
        }
        redraw.emit(());
        if first {
            mark("wirelab:capture-first-rows");
            first = false;
        }
        if reading.is_done() {
            mark("wirelab:capture-done");
            return;
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}

#[function_component(CaptureView)]
pub fn capture_view(props: &CaptureViewProps) -> Html {
    let loaded = use_mut_ref(Loaded::default);
    let generation = use_mut_ref(|| 0u64);
    let revision = use_state(|| 0u64);
    let redraw = {
        let revision = revision.clone();
        let counter = use_mut_ref(|| 0u64);
        Callback::from(move |()| {
            *counter.borrow_mut() += 1;
            revision.set(*counter.borrow());
        })
    };
    let selected = use_state(|| None::<usize>);
    let following = use_state(|| None::<u32>);
    {
        let (loaded, generation, redraw) = (loaded.clone(), generation.clone(), redraw.clone());
        let (selected, following) = (selected.clone(), following.clone());
        use_effect_with(props.bytes.clone(), move |bytes| {
            let mine = {
                let mut generation = generation.borrow_mut();
                *generation += 1;
                *generation
            };
            *loaded.borrow_mut() = Loaded::default();
            selected.set(None);
            following.set(None);
            wasm_bindgen_futures::spawn_local(read_in_slices(bytes.clone(), loaded, generation.clone(), mine, redraw));
            move || {
                *generation.borrow_mut() += 1;
            }
        });
    }
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |index: usize| selected.set(Some(index)))
    };
    let on_follow = {
        let following = following.clone();
        Callback::from(move |stream: Option<u32>| following.set(stream))
    };

    let state = loaded.borrow();
    if let Some(problem) = &state.open_error {
        return html! {
            <section class="card capture" aria-label="Capture">
                <p class="inline-error" role="alert">{format!("{}: not a readable capture: {problem}", props.name)}</p>
                <p class="muted">{"The bytes are kept: choose a format under Decode as to read them another way."}</p>
            </section>
        };
    }
    let kind = state.kind.map_or_else(String::new, FileKind::describe);
    let count = state.rows.len();
    let status = if state.done { format!("{count} packets") } else { format!("{count} packets so far (reading…)") };
    let selected_row = (*selected).and_then(|index| state.rows.get(index)).cloned();
    let stream_of_selected = selected_row.as_ref().and_then(|row| row.tcp_stream);
    let follow_button = {
        let on_follow = on_follow.clone();
        Callback::from(move |_| on_follow.emit(stream_of_selected))
    };
    html! {
        <section class="card capture" aria-label="Capture">
            <div class="panel-head capture-head">
                <h2>{"Capture"}</h2>
                <span class="muted small" data-testid="capture-status" role="status">
                    {format!("{}: {kind}, {}, {status}", props.name, format_bytes(props.bytes.len() as u64))}
                </span>
            </div>
            if let Some(problem) = &state.problem {
                <p class="inline-error" role="alert">
                    {format!("The file is broken or cut short: {problem}. The {count} packets before it are shown.")}
                </p>
            }
            <PacketList loaded={SharedCapture(loaded.clone())} revision={*revision} selected={*selected} {on_select} />
            if let Some(row) = selected_row {
                <div class="capture-actions">
                    <button type="button" class="button subtle" onclick={follow_button}
                        disabled={stream_of_selected.is_none()}
                        title={if stream_of_selected.is_some() { "Show this TCP conversation's bytes in order" } else { "Not a TCP packet" }}>
                        {"Follow TCP stream"}
                    </button>
                </div>
                if let Some(stream) = *following {
                    <FollowStream loaded={SharedCapture(loaded.clone())} bytes={props.bytes.clone()} {stream}
                        on_close={on_follow.reform(|()| None)} />
                }
                <PacketLayers bytes={props.bytes.clone()} {row} />
            } else {
                <p class="muted small">{"Choose a packet (click, or the arrow keys in the list) to see its layers and bytes."}</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct PacketLayersProps {
    bytes: Rc<Vec<u8>>,
    row: PacketRow,
}

struct Dissected {
    frame: Rc<Vec<u8>>,
    document: Rc<wire::formats::Node>,
    map: Rc<wire::formats::ByteMap>,
    problem: Option<String>,
}

/// The chosen packet's layers beside its bytes.
#[function_component(PacketLayers)]
fn packet_layers(props: &PacketLayersProps) -> Html {
    let dissected = {
        let bytes = props.bytes.clone();
        let row = props.row.clone();
        use_memo(props.row.number, move |_| {
            let frame = Rc::new(row.record.bytes(&bytes).to_vec());
            let dissection =
                dissect_frame_with(row.record.data_link(), &frame, StreamHint { websocket: row.websocket });
            Dissected {
                frame,
                document: Rc::new(dissection.document),
                map: Rc::new(dissection.map),
                problem: dissection.error.map(|error| error.to_string()),
            }
        })
    };
    let chosen = use_state(|| None::<wire::formats::Path>);
    let pointed = use_state(|| None::<usize>);
    {
        let chosen = chosen.clone();
        use_effect_with(props.row.number, move |_| chosen.set(None));
    }
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |path: wire::formats::Path| {
            let again = chosen.as_ref() == Some(&path);
            chosen.set((!again).then_some(path));
        })
    };
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |offset: Option<usize>| pointed.set(offset))
    };
    let lit = (*chosen).as_ref().map(|path| lit_path(&dissected.map, path));
    let pointed_line = match *pointed {
        Some(offset) => describe_byte(&dissected.map, &dissected.frame, offset),
        None => "Point at a byte to name its field; choose a field to light its bytes.".to_string(),
    };
    let row = &props.row;
    let cut = if (row.length as usize) > dissected.frame.len() {
        format!(" ({} captured)", dissected.frame.len())
    } else {
        String::new()
    };
    html! {
        <div class="capture-packet" data-testid="packet-layers">
            <h3>{format!("Packet {}: {} bytes on the wire{cut}, {} {} → {}", row.number, row.length, row.protocol, row.source, row.destination)}</h3>
            if let Some(problem) = &dissected.problem {
                <p class="inline-error" role="alert">{format!("Read up to a problem: {problem}")}</p>
            }
            <div class="capture-packet-grid">
                <div>
                    <h4 class="small muted">{"Layers"}</h4>
                    <DocumentTree document={dissected.document.clone()} selected={(*chosen).clone()} on_select={on_choose.clone()} />
                </div>
                <div>
                    <h4 class="small muted">{"Bytes"}</h4>
                    <MappedBytes bytes={dissected.frame.clone()} map={dissected.map.clone()} text={false}
                        selected={lit} {on_point} on_pick={on_choose} label={format!("Packet {} bytes", row.number)} />
                    <p class="byte-status mono" aria-live="polite">{pointed_line}</p>
                </div>
            </div>
        </div>
    }
}
