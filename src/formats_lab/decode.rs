//! The Decode tab: bytes pasted as hex or base64, opened from a file, or sent here from a
//! WebSocket message or an HTTP body, decoded as whichever format they most likely are (or the
//! one chosen), with the document, the byte map and the exact offset of any error. The input
//! is the lab's state (`wire::formats_lab::DecodeInput`), which also does the decoding.
//! Bytes that open with a pcap or pcapng magic number are shown as a capture instead
//! (`capture_view.rs`), unless another reading is chosen.

use std::rc::Rc;

use wire::formats::Node;
use wire::formats::guess::Reading;
use wire::formats_engine::{EngineJob, EngineReply, SchemaChoice};
use wire::formats_lab::{DecodeEdit, DecodeInput, DecodeOutcome, DecodeSource};
use wire::units::format_bytes;
use yew::prelude::*;

use super::CompiledSchema;
use super::capture_view::CaptureView;
use super::document_tree::DocumentTree;
use super::engine::use_engine;
use super::mapped_bytes::{MappedBytes, describe_byte};
use super::schema_editor::SchemaEditor;
use crate::net::formats_engine::EngineAnswer;

#[derive(Properties, PartialEq)]
pub struct DecodeProps {
    pub input: DecodeInput,
    pub on_edit: Callback<DecodeEdit>,
    pub proto_source: AttrValue,
    pub on_proto_source: Callback<String>,
    pub schema: CompiledSchema,
    pub message: AttrValue,
    pub on_message: Callback<String>,
}

/// The engine's decode, and where it was worked out; or why the engine could not say.
/// The engine's answer as the tab shows it.
struct Decoded {
    outcome: DecodeOutcome,
    /// Taken out of `outcome` and shared.
    document: Option<Rc<Node>>,
    on_page_because: Option<String>,
}

/// The document is taken out and shared, so rendering never copies or compares it node by node.
fn read_answer(answer: EngineAnswer) -> Result<Decoded, String> {
    match answer.reply? {
        EngineReply::Decode(mut outcome) => {
            let document = outcome.decoding.as_mut().and_then(|decoding| decoding.document.take()).map(Rc::new);
            Ok(Decoded { outcome, document, on_page_because: answer.on_page_because })
        }
        _ => Err("the formats engine answered another question".into()),
    }
}

#[function_component(Decode)]
pub fn decode_tab(props: &DecodeProps) -> Html {
    let input = &props.input;
    let pointed = use_state(|| None::<usize>);
    // Decoding runs in the formats worker when the input, the choice or the schema changes (not
    // when the pointer moves); the last answer stays on show meanwhile.
    // Capture files (by their magic number) are read by the capture view, not the engine.
    let capture = use_memo(input.source.clone(), capture_bytes);
    let as_capture = input.choice.is_none() && capture.is_some();
    let job = EngineJob::Decode {
        source: if as_capture { DecodeSource::Typed(String::new()) } else { input.source.clone() },
        choice: input.choice,
        schema: SchemaChoice { proto_source: props.proto_source.to_string(), message: props.message.to_string() },
    };
    let worked = use_engine(job, read_answer);
    let answer = worked.latest.clone();
    let (computed, engine_problem) = match answer.as_deref() {
        Some(Ok(decoded)) => (Some(&decoded.outcome), None),
        Some(Err(problem)) => (None, Some(problem.clone())),
        None => (None, None),
    };
    let on_page_because =
        answer.as_deref().and_then(|answer| answer.as_ref().ok()).and_then(|decoded| decoded.on_page_because.clone());
    let document =
        answer.as_deref().and_then(|answer| answer.as_ref().ok()).and_then(|decoded| decoded.document.clone());
    let typed_wrong = computed.is_some_and(|computed| computed.bytes.is_err());
    let best = computed.and_then(|computed| computed.best);
    let reading = computed.map(|computed| computed.reading);
    let oninput = props.on_edit.reform(|event: InputEvent| {
        let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
        DecodeEdit::Text(area.value())
    });
    let on_choice = props.on_edit.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        DecodeEdit::Choice(Reading::from_key(&select.value()))
    });
    let on_file = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: Event| {
            let Some(file) = crate::net::files::take_picked_file(&event) else {
                return;
            };
            let on_edit = on_edit.clone();
            let name = file.name();
            wasm_bindgen_futures::spawn_local(async move {
                let bytes = read_in_slices(file).await;
                on_edit.emit(DecodeEdit::File { name, bytes });
            });
        })
    };
    let on_clear_attached = props.on_edit.reform(|_| DecodeEdit::TypeInstead);
    let on_select = props.on_edit.reform(DecodeEdit::Select);
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |offset: Option<usize>| pointed.set(offset))
    };
    let selected = &input.selected;
    let choice = input.choice;

    let input_view = match &input.source {
        DecodeSource::Typed(text) => html! {
            <label class="field">
                <span class="field-label">{"Bytes (hex or base64)"}</span>
                <textarea class={classes!("mono", "decode-input", typed_wrong.then_some("invalid"))}
                    spellcheck="false" aria-invalid={typed_wrong.to_string()}
                    placeholder="08 96 01  or  CJYB" value={text.clone()} {oninput} />
            </label>
        },
        DecodeSource::Attached { name, bytes } => html! {
            <p class="attached">{format!("{name}: {}", format_bytes(bytes.len() as u64))}
                <button class="button subtle" onclick={on_clear_attached}>{"Type bytes instead"}</button></p>
        },
    };
    let guesses = computed.map_or(&[][..], |computed| &computed.guesses);
    let guess_list = (!guesses.is_empty() && !as_capture).then(|| {
        html! {
            <ul class="guesses" aria-label="Format guesses">
                { for guesses.iter().map(|guess| html! {
                    <li class={classes!("guess", (guess.score > 0).then_some("fits"))}>
                        <strong>{guess.reading.label()}</strong>{" "}<span class="muted">{guess.why.clone()}</span>
                    </li>
                }) }
            </ul>
        }
    });
    let capture_view = match (as_capture, capture.as_ref()) {
        (true, Some(bytes)) => {
            let name = match &input.source {
                DecodeSource::Attached { name, .. } => name.clone(),
                DecodeSource::Typed(_) => "typed bytes".to_string(),
            };
            Some(html! { <CaptureView name={name} bytes={bytes.clone()} /> })
        }
        _ => None,
    };
    let result_view = match computed.map(|computed| (&computed.bytes, &computed.decoding)) {
        _ if capture_view.is_some() => html! {},
        None => match engine_problem {
            Some(problem) => {
                html! { <p class="inline-error" role="alert">{format!("Could not decode: {problem}")}</p> }
            }
            None => html! { <p class="muted" role="status">{"Decoding…"}</p> },
        },
        Some((Err(problem), _)) => html! { <p class="inline-error" role="alert">{problem.clone()}</p> },
        Some((Ok(_), None)) => html! {},
        Some((Ok(bytes), Some(outcome))) => {
            let bytes = bytes.clone();
            let status = match *pointed {
                Some(offset) => describe_byte(&outcome.map, &bytes, offset),
                None => "Point at a byte to see its field and role.".into(),
            };
            html! {
                <>
                    if let Some(error) = &outcome.error {
                        <p class="inline-error" role="alert">
                            {format!("{} stopped: {error}", outcome.reading.label())}
                            if document.is_some() { {" (what decoded before it is shown)"} }
                        </p>
                    } else {
                        <p class="ok-note">{format!("Decoded {} as {}", format_bytes(bytes.len() as u64), outcome.reading.label())}</p>
                    }
                    <div class="decode-result">
                        <section class="card">
                            <div class="panel-head"><h2>{"Fields"}</h2></div>
                            if let Some(document) = &document {
                                <DocumentTree document={document.clone()} selected={selected.clone()} on_select={on_select.clone()} />
                            } else {
                                <p class="muted pad">{"Nothing decoded."}</p>
                            }
                            if let Some(text) = &outcome.raw_text {
                                <details class="readings" open=true>
                                    <summary>{"Every reading of every field"}</summary>
                                    <pre class="payload-text">{text.clone()}</pre>
                                </details>
                            }
                        </section>
                        <section class="card">
                            <div class="panel-head"><h2>{"Bytes"}</h2></div>
                            <div class="format-body">
                                <MappedBytes bytes={bytes.clone()} map={outcome.map.clone()} text={false}
                                    selected={selected.clone()} {on_point} on_pick={on_select.clone()}
                                    label="Decoded bytes" />
                                <p class="byte-status mono" aria-live="polite">{status}</p>
                            </div>
                        </section>
                    </div>
                </>
            }
        }
    };

    html! {
        <div class="decode">
            <section class="card decode-input-card">
                <div class="decode-controls">
                    <label class="field">
                        <span class="field-label">{"Decode as"}</span>
                        <select onchange={on_choice}>
                            <option value="" selected={choice.is_none()}>
                                {format!("Best guess ({})", if as_capture { "packet capture" } else { best.map_or("none fits", Reading::label) })}
                            </option>
                            { for Reading::ALL.iter().map(|option| html! {
                                <option value={option.key()} selected={choice == Some(*option)}>{option.label()}</option>
                            }) }
                        </select>
                    </label>
                    <label class="button subtle file-button">
                        {"Open file"}
                        <input type="file" class="visually-hidden" onchange={on_file} />
                    </label>
                </div>
                {input_view}
                if let Some(problem) = input.file_problem.clone() {
                    <p class="inline-error" role="alert">{problem}</p>
                }
                {guess_list}
                if reading == Some(Reading::Protobuf) {
                    <SchemaEditor source={props.proto_source.clone()} on_source={props.on_proto_source.clone()}
                        schema={props.schema.clone()} message={props.message.clone()} on_message={props.on_message.clone()} />
                }
            </section>
            if worked.working && computed.is_some() && !as_capture {
                <p class="muted small" role="status">{"Decoding…"}</p>
            }
            {result_view}
            if let Some(view) = capture_view {
                {view}
            }
            if let Some(why) = on_page_because.filter(|_| !as_capture) {
                <p class="notice">{format!("Decoded on the page, not in the background ({why}).")}</p>
            }
        </div>
    }
}

/// The bytes of `source` when they are a pcap or pcapng file (by their magic number).
fn capture_bytes(source: &DecodeSource) -> Option<Rc<Vec<u8>>> {
    let bytes = match source {
        DecodeSource::Attached { bytes, .. } => bytes.clone(),
        DecodeSource::Typed(text) => Rc::new(wire::formats_lab::parse_typed(text).ok()?),
    };
    wire::packets::capture::FileKind::sniff(&bytes).map(|_| bytes)
}

/// How many bytes of a picked file are copied into the module's memory per task.
const COPY_SLICE: usize = 4 << 20;

/// A picked file's bytes, copied into the module's memory a slice per task with a yield between,
/// so a 50 MB capture never holds the page while it is copied.
async fn read_in_slices(file: web_sys::File) -> Result<Vec<u8>, String> {
    use wasm_bindgen::JsCast;
    let buffer =
        wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(crate::net::describe_js_error)?;
    let buffer = buffer.dyn_into::<js_sys::ArrayBuffer>().map_err(|_| "the file could not be read".to_string())?;
    let whole = js_sys::Uint8Array::new(&buffer);
    let len = whole.length() as usize;
    // Grown a slice at a time, so zeroing the memory is spread over the slices too.
    let mut bytes = Vec::with_capacity(len);
    for start in (0..len).step_by(COPY_SLICE) {
        let end = (start + COPY_SLICE).min(len);
        bytes.resize(end, 0);
        whole.subarray(start as u32, end as u32).copy_to(&mut bytes[start..end]);
        if end < len {
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
    }
    Ok(bytes)
}
