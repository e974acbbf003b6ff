//! The Formats lab's "Craft packet" tab: a packet built layer by layer (Ethernet, IPv4, TCP or UDP,
//! payload) from the form in `wire::formats_lab` (`wire::packets::craft`), with lengths and
//! checksums computed or set by hand. The built frame is shown as a receiver reads it back
//! (`wire::packets::dissect`): a hex view and the layers, drawn with the lab's `MappedBytes` and
//! `DocumentTree`. Pointing at a form field lights its bytes; pointing at a byte lights its
//! field. "Save .pcap" downloads the frame; "Copy as scapy" copies the same packet as a scapy
//! program, also shown under "As Python (scapy)".

#[path = "craft_form.rs"]
mod form;

use std::cell::RefCell;
use std::rc::Rc;

use wire::formats::{ByteMap, Node, Path};
use wire::packets::craft::scapy::scapy_program;
use wire::packets::craft::{
    Computed, Control, CraftEdit, CraftField, CraftForm, Crafted, FieldProblem, Preset, Transport, pcap_file_name,
};
use wire::packets::dissect;
use yew::prelude::*;

use super::document_tree::DocumentTree;
use super::mapped_bytes::{MappedBytes, describe_byte};
use form::CraftFields;

#[derive(Properties, PartialEq)]
pub struct CraftPacketProps {
    pub form: CraftForm,
    pub on_edit: Callback<CraftEdit>,
}

/// A packet that built, as the tab shows it. The bytes, map and document are shared with the
/// views by `Rc` (compared by identity).
struct Built {
    crafted: Crafted,
    bytes: Rc<Vec<u8>>,
    /// The reader's map and document (`packets::dissect`), so checksums are verified by code that
    /// did not write them.
    map: Rc<ByteMap>,
    document: Rc<Node>,
    /// Where the reader stopped, when a field set by hand makes the frame unreadable past it.
    read_problem: Option<String>,
    scapy: String,
    file_name: String,
}

impl Built {
    fn new(form: &CraftForm) -> Result<Rc<Built>, Rc<Vec<FieldProblem>>> {
        let spec = form.check().map_err(Rc::new)?;
        let crafted = spec.build();
        let read = crafted.read_back();
        let file_name = pcap_file_name(crafted.transport);
        let scapy = scapy_program(&spec, &crafted, &file_name);
        Ok(Rc::new(Built {
            bytes: Rc::new(crafted.bytes.clone()),
            map: Rc::new(read.map),
            document: Rc::new(read.document),
            read_problem: read.error.map(|error| error.to_string()),
            scapy,
            file_name,
            crafted,
        }))
    }

    fn transport(&self) -> Transport {
        self.crafted.transport
    }

    /// The form's controls whose bytes hold `offset`.
    fn controls_at(&self, offset: usize) -> Vec<Control> {
        let Some(span) = self.map.at(offset) else { return Vec::new() };
        form::controls()
            .filter(|control| span.path.starts_with(&control.lit_path(self.transport(), &self.document)))
            .collect()
    }
}

/// What a button did, said beside it.
#[derive(Clone, PartialEq)]
enum Outcome {
    Done(String),
    Failed(String),
}

#[function_component(CraftPacket)]
pub fn craft_packet(props: &CraftPacketProps) -> Html {
    let built = use_memo(props.form.clone(), Built::new);
    // The last packet that built stays on show (marked) while a field is being fixed.
    let last_built = use_mut_ref(|| None::<Rc<Built>>);
    let (shown, problems) = match &*built {
        Ok(built) => {
            *last_built.borrow_mut() = Some(built.clone());
            (Some(built.clone()), Rc::new(Vec::new()))
        }
        Err(problems) => (RefCell::borrow(&last_built).clone(), problems.clone()),
    };
    let stale = built.is_err();
    let pointed = use_state(|| None::<usize>);
    let focused = use_state(|| None::<Control>);
    let selected = use_state(|| None::<Path>);
    // What Save or Copy did, for the packet it was done to (another packet clears it).
    let outcome = use_state(|| None::<(usize, Outcome)>);

    let on_focus = {
        let focused = focused.clone();
        Callback::from(move |control: Option<Control>| focused.set(control))
    };
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |offset: Option<usize>| pointed.set(offset))
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |path: Path| {
            let again = selected.as_ref() == Some(&path);
            selected.set((!again).then_some(path));
        })
    };
    let lit_controls = match (&shown, *pointed) {
        (Some(built), Some(offset)) => built.controls_at(offset),
        _ => Vec::new(),
    };
    let lit_bytes = shown.as_ref().and_then(|built| match (*focused, &*selected) {
        (Some(control), _) => Some(control.lit_path(built.transport(), &built.document)),
        (None, Some(path)) => Some(dissect::lit_path(&built.map, path)),
        (None, None) => None,
    });

    let presets = Preset::ALL.iter().map(|preset| {
        let preset = *preset;
        let active = props.form.preset == Some(preset);
        let onclick = props.on_edit.reform(move |_| CraftEdit::Preset(preset));
        html! {
            <button type="button" class={classes!("button", "subtle", active.then_some("on"))}
                aria-pressed={active.to_string()} {onclick}>{preset.label()}</button>
        }
    });
    let computed: Option<Computed> = shown.as_ref().map(|built| built.crafted.computed);
    let differs: Rc<Vec<CraftField>> =
        Rc::new(shown.as_ref().map(|built| built.crafted.differs.clone()).unwrap_or_default());

    html! {
        <div class="craft">
            <section class="card craft-form-card" aria-labelledby="craft-form-title">
                <div class="panel-head craft-head">
                    <h2 id="craft-form-title">{"Packet"}</h2>
                    <div class="craft-presets" role="group" aria-label="Start from">
                        <span class="muted small">{"Start from:"}</span>
                        {for presets}
                    </div>
                </div>
                <CraftFields form={props.form.clone()} {problems} {computed} {differs}
                    lit={Rc::new(lit_controls)} on_edit={props.on_edit.clone()} {on_focus} />
            </section>
            <section class="card craft-bytes-card" aria-labelledby="craft-bytes-title">
                <div class="panel-head"><h2 id="craft-bytes-title">{"Bytes"}</h2></div>
                { match &shown {
                    Some(built) => bytes_view(built, stale, lit_bytes, &pointed, &selected, on_point, on_select, &outcome),
                    None => html! { <p class="muted pad">{"Fix the fields marked in the form to build the packet."}</p> },
                } }
            </section>
        </div>
    }
}

#[allow(clippy::too_many_arguments)]
fn bytes_view(
    built: &Rc<Built>,
    stale: bool,
    lit: Option<Path>,
    pointed: &UseStateHandle<Option<usize>>,
    selected: &UseStateHandle<Option<Path>>,
    on_point: Callback<Option<usize>>,
    on_select: Callback<Path>,
    outcome: &UseStateHandle<Option<(usize, Outcome)>>,
) -> Html {
    let packet_id = Rc::as_ptr(built) as usize;
    let status = match **pointed {
        Some(offset) => describe_byte(&built.map, &built.bytes, offset),
        None => "Point at a byte to name its field; point at a field in the form to light its bytes.".into(),
    };
    let on_save = {
        let (built, outcome) = (built.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            let at_us = (js_sys::Date::now() * 1000.0) as u64;
            let saved = crate::net::download::offer_bytes(
                &built.crafted.pcap(at_us),
                "application/vnd.tcpdump.pcap",
                &built.file_name,
            );
            let said = match saved {
                Ok(()) => Outcome::Done(format!("Saved {}", built.file_name)),
                Err(problem) => Outcome::Failed(format!("Not saved: {problem}")),
            };
            outcome.set(Some((packet_id, said)));
        })
    };
    let on_copy = {
        let (program, outcome) = (built.scapy.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            let (program, outcome) = (program.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let said = match crate::net::http::copy_to_clipboard(&program).await {
                    Ok(()) => Outcome::Done("Copied the scapy program".into()),
                    Err(problem) => Outcome::Failed(format!("Not copied: {problem}")),
                };
                outcome.set(Some((packet_id, said)));
            });
        })
    };
    let (count, transport) = (built.bytes.len(), built.transport().label());
    html! {
        <div class={classes!("format-body", "craft-bytes", stale.then_some("stale"))} data-testid="craft-bytes"
            data-hex={wire::hexdump::to_hex(&built.bytes)}>
            if stale {
                <p class="notice" role="status">{"The form has a problem: showing the last packet that built."}</p>
            }
            <div class="craft-actions">
                <span class="muted">{format!("Ethernet · IPv4 · {transport}, {count} bytes")}</span>
                <span class="spacer"></span>
                <button type="button" class="button primary" onclick={on_save} disabled={stale}>{"Save .pcap"}</button>
                <button type="button" class="button" onclick={on_copy} disabled={stale}>{"Copy as scapy"}</button>
            </div>
            { match (**outcome).as_ref().filter(|(id, _)| *id == packet_id).map(|(_, said)| said) {
                Some(Outcome::Done(said)) => html! { <p class="ok-note" role="status">{said.clone()}</p> },
                Some(Outcome::Failed(said)) => html! { <p class="inline-error" role="alert">{said.clone()}</p> },
                None => html! {},
            } }
            if let Some(problem) = &built.read_problem {
                <p class="inline-error" role="status">{format!("A receiver reads it up to a problem: {problem}")}</p>
            }
            <MappedBytes bytes={built.bytes.clone()} map={built.map.clone()} text={false}
                selected={lit} {on_point} on_pick={on_select.clone()} label="Crafted packet bytes" />
            <p class="byte-status mono" aria-live="polite">{status}</p>
            <h3 class="craft-subhead">{"As a receiver reads it"}</h3>
            <DocumentTree document={built.document.clone()} selected={(**selected).clone()} {on_select} />
            <details class="craft-scapy">
                <summary>{"As Python (scapy)"}</summary>
                <pre class="payload-text mono" role="region" aria-label="The scapy program" tabindex="0">
                    {built.scapy.clone()}
                </pre>
            </details>
        </div>
    }
}
