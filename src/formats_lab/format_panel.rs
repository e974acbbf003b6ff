//! One format's panel: its encoding with the byte map, sizes and times, what it could not carry,
//! and a line about the byte under the pointer.

use std::rc::Rc;

use wire::formats::convert::Comparison;
use wire::formats::plain;
use wire::formats::{ByteMap, Path};
use wire::units::{format_bytes, format_millis};
use yew::prelude::*;

use super::mapped_bytes::{MappedBytes, describe_byte};

/// One format's comparison, with its bytes and byte map taken out and shared, so neither is
/// copied or compared byte by byte when the panel renders.
pub struct Panel {
    pub comparison: Comparison,
    pub bytes: Rc<Vec<u8>>,
    pub map: Rc<ByteMap>,
}

impl Panel {
    pub fn new(mut comparison: Comparison) -> Panel {
        let (bytes, map) = match &mut comparison.shown {
            Ok(encoded) => (std::mem::take(&mut encoded.bytes), std::mem::take(&mut encoded.map)),
            Err(_) => (Vec::new(), ByteMap::new()),
        };
        Panel { comparison, bytes: Rc::new(bytes), map: Rc::new(map) }
    }
}

#[derive(Properties)]
pub struct FormatPanelProps {
    pub panel: Rc<Panel>,
    pub selected: Option<Path>,
    pub on_select: Callback<Path>,
    /// Extra controls under the heading (the Protobuf panel's schema).
    #[prop_or_default]
    pub children: Html,
}

impl PartialEq for FormatPanelProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.panel, &other.panel)
            && self.selected == other.selected
            && self.on_select == other.on_select
            && self.children == other.children
    }
}

#[function_component(FormatPanel)]
pub fn format_panel(props: &FormatPanelProps) -> Html {
    let pointed = use_state(|| None::<usize>);
    let comparison = &props.panel.comparison;
    let format = comparison.format;
    let heading_id = format!("panel-{}", format.label().to_lowercase());
    let body = match &comparison.shown {
        Ok(encoded) => {
            let (bytes, map) = (&props.panel.bytes, &props.panel.map);
            let on_point = {
                let pointed = pointed.clone();
                Callback::from(move |offset: Option<usize>| pointed.set(offset))
            };
            let status = match *pointed {
                Some(offset) => describe_byte(map, bytes, offset),
                None => "Point at a byte to see its field and role; click it to choose the field.".into(),
            };
            let losses = (!encoded.losses.is_empty()).then(|| {
                html! {
                    <details class="losses">
                        <summary>{format!("{} could not carry {} thing{}", format, encoded.losses.len(),
                            if encoded.losses.len() == 1 { "" } else { "s" })}</summary>
                        <ul>
                            { for encoded.losses.iter().take(50).map(|loss| html! {
                                <li><code>{loss.path.to_string()}</code>{": "}{loss.what.clone()}</li>
                            }) }
                            if encoded.losses.len() > 50 {
                                <li class="muted">{format!("… and {} more", encoded.losses.len() - 50)}</li>
                            }
                        </ul>
                    </details>
                }
            });
            html! {
                <>
                    {losses}
                    <MappedBytes bytes={bytes.clone()} map={map.clone()} text={format.is_text()}
                        selected={props.selected.clone()} {on_point} on_pick={props.on_select.clone()}
                        label={format!("{format} bytes")} />
                    <p class="byte-status mono" aria-live="polite">{status}</p>
                </>
            }
        }
        Err(error) => html! {
            <p class="inline-error" role="alert">{format!("{format} could not encode this document: {error}")}</p>
        },
    };
    let figures = comparison.shown.as_ref().ok().map(|_| {
        let timed_by = format!("Time per run of {} alone, on the bytes on the wire", plain::library(format));
        let shown_len = props.panel.bytes.len();
        let shown_note = (format.is_text() && shown_len != comparison.wire_size)
            .then(|| format!(" · {} as shown", format_bytes(shown_len as u64)));
        html! {
            <dl class="figures">
                <div><dt>{"Size"}</dt><dd data-testid="wire-size">{format_bytes(comparison.wire_size as u64)}{shown_note}</dd></div>
                <div><dt>{"Gzipped"}</dt><dd>{format_bytes(comparison.gzip_size as u64)}</dd></div>
                <div title={timed_by.clone()}><dt>{"Encode"}</dt><dd>{format_millis(comparison.encode_ms)}</dd></div>
                <div title={timed_by}><dt>{"Decode"}</dt><dd>{format_millis(comparison.decode_ms)}</dd></div>
                <div><dt>{"Round trip"}</dt><dd>{match &comparison.round_trip {
                    Ok(()) => html! { <span class="ok-text">{"identical"}</span> },
                    Err(why) => html! { <span class="warn">{why.clone()}</span> },
                }}</dd></div>
            </dl>
        }
    });
    html! {
        <section class="card format-panel" aria-labelledby={heading_id.clone()} data-format={format.label()}>
            <div class="panel-head">
                <h2 id={heading_id}>{format.label()}</h2>
                {figures}
            </div>
            {props.children.clone()}
            <div class="format-body">{body}</div>
        </section>
    }
}
