//! The Formats lab: one document as JSON, XML, Protobuf, MessagePack and CBOR side by side with
//! linked byte maps (Compare), and any bytes decoded with the format guessed (Decode). Binary
//! messages and bodies from the other labs arrive here through "Decode as…".

mod compare;
mod decode;
mod document_tree;
mod format_panel;
mod mapped_bytes;
mod schema_editor;
mod size_chart;

use std::rc::Rc;

use wire::formats::FormatError;
use wire::formats::protobuf::Schema;
use wire::formats::samples::{SAMPLE_PROTO, SAMPLE_PROTO_NAME};
use yew::prelude::*;

use crate::net::navigation;
use compare::Compare;
use decode::Decode;

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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Compare,
    Decode,
}

#[function_component(FormatsLab)]
pub fn formats_lab() -> Html {
    let tab = use_state(|| Tab::Compare);
    let proto_source = use_state(|| SAMPLE_PROTO.to_owned());
    let schema_version = use_state(|| 0_u64);
    let message = use_state(|| "wirelab.Contact".to_owned());
    let schema = use_memo(*schema_version, {
        let proto_source = (*proto_source).clone();
        move |version| CompiledSchema {
            version: *version,
            result: Rc::new(Schema::compile(SAMPLE_PROTO_NAME, &proto_source)),
        }
    });
    let schema = (*schema).clone();

    // Bytes from another lab arrive on the history entry ("Decode as…"): read once when the
    // module starts, and again whenever the page's location changes.
    let incoming = use_state(|| navigation::decode_request_in_history().map(Rc::new));
    {
        let incoming = incoming.clone();
        use_effect_with((), move |_| {
            let listener = navigation::on_navigation(move || {
                if let Some(request) = navigation::decode_request_in_history() {
                    incoming.set(Some(Rc::new(request)));
                }
            });
            move || drop(listener)
        });
    }
    let incoming = (*incoming).clone();
    {
        let tab = tab.clone();
        use_effect_with(incoming.clone(), move |incoming| {
            if incoming.is_some() {
                tab.set(Tab::Decode);
            }
        });
    }

    let on_proto_source = {
        let proto_source = proto_source.clone();
        let schema_version = schema_version.clone();
        Callback::from(move |text: String| {
            proto_source.set(text);
            schema_version.set(*schema_version + 1);
        })
    };
    let on_message = {
        let message = message.clone();
        Callback::from(move |name: String| message.set(name))
    };
    let tab_button = |target: Tab, label: &'static str| {
        let active = *tab == target;
        let onclick = {
            let tab = tab.clone();
            Callback::from(move |_| tab.set(target))
        };
        html! {
            <button type="button" role="tab" class={classes!("tab", active.then_some("active"))}
                aria-selected={active.to_string()} {onclick}>{label}</button>
        }
    };
    html! {
        <div class="formats-lab">
            <div class="lab-head">
                <h1>{"Formats"}</h1>
                <div class="tabs inline" role="tablist" aria-label="Formats lab">
                    { tab_button(Tab::Compare, "Compare") }
                    { tab_button(Tab::Decode, "Decode") }
                </div>
            </div>
            <div hidden={*tab != Tab::Compare}>
                <Compare proto_source={(*proto_source).clone()} on_proto_source={on_proto_source.clone()}
                    schema={schema.clone()}
                    message={(*message).clone()} on_message={on_message.clone()} />
            </div>
            <div hidden={*tab != Tab::Decode}>
                <Decode incoming={incoming} proto_source={(*proto_source).clone()} {on_proto_source}
                    schema={schema.clone()}
                    message={(*message).clone()} {on_message} />
            </div>
        </div>
    }
}
