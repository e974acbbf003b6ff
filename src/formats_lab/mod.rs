//! The Formats lab: one document as JSON, XML, Protobuf, MessagePack and CBOR side by side with
//! linked byte maps (Compare), and any bytes decoded with the format guessed (Decode). Binary
//! messages and bodies from the other labs arrive here through "Decode as…".
//!
//! The root holds one store (`effects.rs`: `wire::formats_lab::FormatsLabState` and the settle
//! timer); the Compare and Decode tabs get their inputs as values and emit `CompareEdit` and
//! `DecodeEdit`s. What they show (encodings, decodes) is worked out from those inputs by the
//! formats engine in a Web Worker (`engine.rs`, `net::formats_engine`).

mod capture_follow;
mod capture_list;
mod capture_view;
mod compare;
mod craft;
mod decode;
pub mod document_tree;
mod effects;
mod engine;
mod format_panel;
pub mod mapped_bytes;
mod schema_editor;
mod size_chart;

use std::rc::Rc;

use wire::formats::FormatError;
use wire::formats::protobuf::Schema;
use wire::formats_lab::{FormatsEvent, FormatsLabState, FormatsTab};
use wire::lab::LabState;
use wire::share_link::Shareable;
use yew::prelude::*;

use crate::components::copy_link::{CopyLink, use_opened_link};
use crate::lab_store::use_lab_store;
use crate::net::navigation::{self, HandOff, HandedBytes};
use compare::Compare;
use decode::Decode;
pub use effects::{FormatsStore, SettleTimer};

/// The compiled `.proto`, shared by both tabs; equal when compiled from the same edit.
#[derive(Clone)]
pub struct CompiledSchema {
    pub version: u64,
    pub result: Rc<Result<Schema, FormatError>>,
}

impl PartialEq for CompiledSchema {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

fn incoming(request: HandedBytes) -> FormatsEvent {
    FormatsEvent::Incoming { origin: request.origin, bytes: request.bytes }
}

#[function_component(FormatsLab)]
pub fn formats_lab() -> Html {
    // Bytes from another lab arrive on the history entry ("Decode as…"): read when the module
    // starts, and again whenever the page's location changes.
    let lab: FormatsStore = use_lab_store(|| {
        let mut state = FormatsLabState::new();
        if let Some(request) = navigation::handed_in_history(HandOff::Decode) {
            // Nothing to run: an arrival only changes the state.
            let _no_effects = state.apply(incoming(request), 0.0);
        }
        (state, SettleTimer::default())
    });
    {
        let lab = lab.clone();
        use_effect_with((), move |_| {
            let listener = navigation::on_navigation(move || {
                if let Some(request) = navigation::handed_in_history(HandOff::Decode) {
                    lab.dispatch(incoming(request));
                }
            });
            move || drop(listener)
        });
    }

    let link_notice = use_opened_link(&lab);
    let share = {
        let lab = lab.clone();
        Callback::from(move |secrets| lab.state().share(secrets))
    };

    let state = lab.state();
    let schema = CompiledSchema { version: state.schema_revision(), result: state.schema.clone() };
    let proto_source = AttrValue::from(state.proto_source.clone());
    let message = AttrValue::from(state.message.clone());
    let on_proto_source = lab.callback(FormatsEvent::ProtoSource);
    let on_message = lab.callback(FormatsEvent::Message);
    let tab_button = |target: FormatsTab, label: &'static str| {
        let active = state.tab == target;
        html! {
            <button type="button" role="tab" class={classes!("tab", active.then_some("active"))}
                aria-selected={active.to_string()} onclick={lab.callback(move |_| FormatsEvent::Tab(target))}>{label}</button>
        }
    };
    html! {
        <div class="formats-lab">
            <div class="lab-head">
                <h1>{"Formats"}</h1>
                <div class="tabs inline" role="tablist" aria-label="Formats lab">
                    { tab_button(FormatsTab::Compare, "Compare") }
                    { tab_button(FormatsTab::Decode, "Decode") }
                    { tab_button(FormatsTab::Craft, "Craft packet") }
                </div>
                <CopyLink {share} />
            </div>
            {link_notice}
            <div hidden={state.tab != FormatsTab::Compare}>
                <Compare input={state.compare.clone()} on_edit={lab.callback(FormatsEvent::Compare)}
                    proto_source={proto_source.clone()} on_proto_source={on_proto_source.clone()}
                    schema={schema.clone()} message={message.clone()} on_message={on_message.clone()} />
            </div>
            <div hidden={state.tab != FormatsTab::Decode}>
                <Decode input={state.decode.clone()} on_edit={lab.callback(FormatsEvent::Decode)}
                    {proto_source} {on_proto_source} {schema} {message} {on_message} />
            </div>
            <div hidden={state.tab != FormatsTab::Craft}>
                <craft::CraftPacket form={state.craft.clone()} on_edit={lab.callback(FormatsEvent::Craft)} />
            </div>
        </div>
    }
}
