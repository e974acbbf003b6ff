//! The Decode tab: bytes pasted as hex or base64, opened from a file, or sent here from a
//! WebSocket message or an HTTP body, decoded as whichever format they most likely are (or the
//! one chosen), with the document, the byte map and the exact offset of any error.

use std::rc::Rc;

use wire::binary_input::{looks_like_hex, parse_hex_or_base64};
use wire::formats::convert::{ProtobufChoice, decode};
use wire::formats::guess::{Guess, Reading, guess};
use wire::formats::protobuf::Schema;
use wire::formats::{ByteMap, FormatError, Node, Path};
use wire::hexdump::to_hex;
use wire::protowire;
use wire::units::format_bytes;
use yew::prelude::*;

use super::CompiledSchema;
use super::document_tree::DocumentTree;
use super::mapped_bytes::{MappedBytes, describe_byte};
use super::schema_editor::SchemaEditor;

use crate::net::navigation::DecodeRequest;

/// Files up to this size are shown as editable hex; larger ones are decoded but not typed out.
const HEX_TEXT_LIMIT: usize = 64 * 1024;

#[derive(Properties, PartialEq)]
pub struct DecodeProps {
    pub incoming: Option<Rc<DecodeRequest>>,
    pub proto_source: AttrValue,
    pub on_proto_source: Callback<String>,
    pub schema: CompiledSchema,
    pub message: AttrValue,
    pub on_message: Callback<String>,
}

/// Where the bytes come from: typed text, or a file / another lab too big to type out.
#[derive(Clone, PartialEq)]
enum Input {
    Typed(String),
    Attached { name: String, bytes: Rc<Vec<u8>> },
}

/// The input's bytes, the format guesses, the reading used and what it decoded to.
struct Computed {
    bytes: Result<Rc<Vec<u8>>, String>,
    guesses: Vec<Guess>,
    best: Option<Reading>,
    reading: Reading,
    outcome: Option<Decoding>,
}

/// What decoding produced: the document and map (possibly partial), and any error.
struct Decoding {
    reading: Reading,
    document: Option<Node>,
    map: Rc<ByteMap>,
    error: Option<FormatError>,
    raw_text: Option<String>,
}

fn parse_typed(text: &str) -> Result<Vec<u8>, String> {
    parse_hex_or_base64(text).map(|(bytes, _)| bytes).map_err(|error| {
        let as_what = if looks_like_hex(text) { "Hex" } else { "Base64" };
        format!("{as_what} input: {error}")
    })
}

fn decode_as(bytes: &[u8], reading: Reading, schema: &Result<Schema, FormatError>, message: &str) -> Decoding {
    if reading == Reading::ProtobufSchemaless {
        let decoded = protowire::decode(bytes);
        return Decoding {
            reading,
            document: Some(protowire::to_document(&decoded)),
            map: Rc::new(protowire::byte_map(&decoded)),
            error: decoded.error.as_ref().map(|error| FormatError::at_offset(error.offset, error.message.clone())),
            raw_text: Some(protowire::render(&decoded)),
        };
    }
    let choice = match (reading, schema) {
        (Reading::Protobuf, Ok(schema)) => Some(ProtobufChoice { schema, message }),
        (Reading::Protobuf, Err(error)) => {
            return Decoding {
                reading,
                document: None,
                map: Rc::new(ByteMap::new()),
                error: Some(FormatError::general(format!("the schema does not compile: {error}"))),
                raw_text: None,
            };
        }
        _ => None,
    };
    match decode(bytes, reading.format(), choice) {
        Ok(decoded) => Decoding {
            reading,
            document: Some(decoded.document),
            map: Rc::new(decoded.map),
            error: None,
            raw_text: None,
        },
        Err(error) => {
            Decoding { reading, document: None, map: Rc::new(ByteMap::new()), error: Some(error), raw_text: None }
        }
    }
}

#[function_component(Decode)]
pub fn decode_tab(props: &DecodeProps) -> Html {
    let input = use_state(|| Input::Typed("0a 05 4c 61 62 20 42 1a 03 08 96 01 32 06 03 8e 02 9e a7 05".to_owned()));
    let choice = use_state(|| None::<Reading>);
    let selected = use_state(|| None::<Path>);
    let pointed = use_state(|| None::<usize>);
    let file_problem = use_state(|| None::<String>);
    {
        let input = input.clone();
        let selected = selected.clone();
        use_effect_with(props.incoming.clone(), move |incoming| {
            if let Some(request) = incoming {
                selected.set(None);
                input.set(if request.bytes.len() <= HEX_TEXT_LIMIT {
                    Input::Typed(to_hex(&request.bytes))
                } else {
                    Input::Attached { name: request.origin.clone(), bytes: Rc::new(request.bytes.clone()) }
                });
            }
        });
    }
    // Decoding waits for the input, the choice or the schema to change, not for the pointer.
    let computed = use_memo(
        ((*input).clone(), *choice, props.schema.clone(), props.message.clone()),
        |(input, choice, schema, message)| {
            let bytes: Result<Rc<Vec<u8>>, String> = match input {
                Input::Typed(text) => parse_typed(text).map(Rc::new),
                Input::Attached { bytes, .. } => Ok(bytes.clone()),
            };
            let guesses: Vec<Guess> = bytes.as_ref().map(|bytes| guess(bytes)).unwrap_or_default();
            let best = guesses.first().filter(|guess| guess.score > 0).map(|guess| guess.reading);
            let reading = choice.or(best).unwrap_or(Reading::ProtobufSchemaless);
            let outcome = bytes.as_ref().ok().map(|bytes| decode_as(bytes, reading, &schema.result, message));
            Computed { bytes, guesses, best, reading, outcome }
        },
    );
    let Computed { bytes, guesses, best, reading, outcome } = &*computed;
    let reading = *reading;
    let best = *best;
    let oninput = {
        let input = input.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            input.set(Input::Typed(area.value()));
        })
    };
    let on_choice = {
        let choice = choice.clone();
        let selected = selected.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            selected.set(None);
            choice.set(Reading::from_key(&select.value()));
        })
    };
    let on_file = {
        let input = input.clone();
        let file_problem = file_problem.clone();
        Callback::from(move |event: Event| {
            let Some(file) = crate::net::files::take_picked_file(&event) else {
                return;
            };
            let input = input.clone();
            let file_problem = file_problem.clone();
            let name = file.name();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::net::files::read_bytes(file).await {
                    Ok(bytes) if bytes.len() <= HEX_TEXT_LIMIT => {
                        file_problem.set(None);
                        input.set(Input::Typed(to_hex(&bytes)));
                    }
                    Ok(bytes) => {
                        file_problem.set(None);
                        input.set(Input::Attached { name, bytes: Rc::new(bytes) });
                    }
                    Err(error) => file_problem.set(Some(format!("{name}: {error}"))),
                }
            });
        })
    };
    let on_clear_attached = {
        let input = input.clone();
        Callback::from(move |_| input.set(Input::Typed(String::new())))
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |path: Path| {
            let again = selected.as_ref() == Some(&path);
            selected.set((!again).then_some(path));
        })
    };
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |offset: Option<usize>| pointed.set(offset))
    };

    let input_view = match &*input {
        Input::Typed(text) => html! {
            <label class="field">
                <span class="field-label">{"Bytes (hex or base64)"}</span>
                <textarea class={classes!("mono", "decode-input", bytes.is_err().then_some("invalid"))}
                    spellcheck="false" aria-invalid={bytes.is_err().to_string()}
                    placeholder="08 96 01  or  CJYB" value={text.clone()} {oninput} />
            </label>
        },
        Input::Attached { name, bytes } => html! {
            <p class="attached">{format!("{name}: {}", format_bytes(bytes.len() as u64))}
                <button class="button subtle" onclick={on_clear_attached}>{"Type bytes instead"}</button></p>
        },
    };
    let guess_list = (!guesses.is_empty()).then(|| {
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
    let result_view = match (bytes, outcome) {
        (Err(problem), _) => html! { <p class="inline-error" role="alert">{problem.clone()}</p> },
        (Ok(_), None) => html! {},
        (Ok(bytes), Some(outcome)) => {
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
                            if outcome.document.is_some() { {" (what decoded before it is shown)"} }
                        </p>
                    } else {
                        <p class="ok-note">{format!("Decoded {} as {}", format_bytes(bytes.len() as u64), outcome.reading.label())}</p>
                    }
                    <div class="decode-result">
                        <section class="card">
                            <div class="panel-head"><h2>{"Fields"}</h2></div>
                            if let Some(document) = &outcome.document {
                                <DocumentTree document={document.clone()} selected={(*selected).clone()} on_select={on_select.clone()} />
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
                                    selected={(*selected).clone()} {on_point} on_pick={on_select.clone()}
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
                                {format!("Best guess ({})", best.map_or("none fits", Reading::label))}
                            </option>
                            { for Reading::ALL.iter().map(|option| html! {
                                <option value={option.key()} selected={*choice == Some(*option)}>{option.label()}</option>
                            }) }
                        </select>
                    </label>
                    <label class="button subtle file-button">
                        {"Open file"}
                        <input type="file" class="visually-hidden" onchange={on_file} />
                    </label>
                </div>
                {input_view}
                if let Some(problem) = (*file_problem).clone() {
                    <p class="inline-error" role="alert">{problem}</p>
                }
                {guess_list}
                if reading == Reading::Protobuf {
                    <SchemaEditor source={props.proto_source.clone()} on_source={props.on_proto_source.clone()}
                        schema={props.schema.clone()} message={props.message.clone()} on_message={props.on_message.clone()} />
                }
            </section>
            {result_view}
        </div>
    }
}
