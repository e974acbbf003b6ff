//! The Compare tab: a source document (JSON or XML, or a sample) encoded in all five formats side
//! by side, with a size chart, a field outline, and each field's bytes lit up in every panel.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wire::formats::convert::{Comparison, ProtobufChoice, compare};
use wire::formats::json::Style;
use wire::formats::{Decoded, Format, FormatError, Path, json, samples, xml};
use yew::prelude::*;

use super::CompiledSchema;
use super::document_tree::DocumentTree;
use super::format_panel::FormatPanel;
use super::schema_editor::SchemaEditor;
use super::size_chart::{SizeBar, SizeChart};
use crate::net::performance_now;

/// Typing pauses this long before the formats are worked out again.
const SETTLE_MS: u32 = 300;
/// How long each encode and decode timing may run.
const TIMING_BUDGET_MS: f64 = 4.0;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub proto_source: AttrValue,
    pub on_proto_source: Callback<String>,
    pub schema: CompiledSchema,
    pub message: AttrValue,
    pub on_message: Callback<String>,
}

/// What the source text parsed to, and every format's encoding of it.
struct Outcome {
    parsed: Result<Decoded, FormatError>,
    comparisons: Vec<Rc<Comparison>>,
}

fn parse_source(text: &str, format: Format) -> Result<Decoded, FormatError> {
    match format {
        Format::Xml => xml::parse(text),
        _ => json::parse(text),
    }
}

#[function_component(Compare)]
pub fn compare_tab(props: &CompareProps) -> Html {
    let first = samples::all().into_iter().next();
    let source = use_state(|| first.as_ref().map(|sample| sample.json.clone()).unwrap_or_default());
    let committed = use_state(|| (*source).clone());
    let source_format = use_state(|| Format::Json);
    let sample_name = use_state(|| first.as_ref().map(|sample| sample.name).unwrap_or_default());
    let selected = use_state(|| None::<Path>);
    let settle = use_mut_ref(|| None::<Timeout>);

    let outcome = {
        let schema = props.schema.result.clone();
        let message = props.message.to_string();
        use_memo(
            ((*committed).clone(), *source_format, props.schema.version, props.message.clone()),
            move |(text, format, _, _)| {
                let parsed = parse_source(text, *format);
                let comparisons = match (&parsed, schema.as_ref()) {
                    (Ok(decoded), schema) => {
                        let choice = schema.as_ref().ok().map(|schema| ProtobufChoice { schema, message: &message });
                        compare(&decoded.document, choice, &performance_now, TIMING_BUDGET_MS)
                            .into_iter()
                            .map(Rc::new)
                            .collect()
                    }
                    (Err(_), _) => Vec::new(),
                };
                Outcome { parsed, comparisons }
            },
        )
    };

    // A message type the schema does not have (a new .proto was pasted) gives way to the one
    // that fits the document best, or the schema's first.
    {
        let on_message = props.on_message.clone();
        let schema = props.schema.result.clone();
        let message = props.message.to_string();
        let outcome = outcome.clone();
        use_effect_with((props.schema.version, (*committed).clone()), move |_| {
            if let Ok(schema) = schema.as_ref() {
                let names = schema.message_names();
                if !names.contains(&message) {
                    let fitting =
                        outcome.parsed.as_ref().ok().and_then(|decoded| schema.guess_message(&decoded.document));
                    if let Some(name) = fitting.or_else(|| names.first().cloned()) {
                        on_message.emit(name);
                    }
                }
            }
        });
    }
    let suggestion = match (&outcome.parsed, props.schema.result.as_ref()) {
        (Ok(decoded), Ok(schema)) => {
            schema.guess_message(&decoded.document).filter(|name| name.as_str() != props.message.as_str())
        }
        _ => None,
    };

    let commit_now = {
        let committed = committed.clone();
        let settle = settle.clone();
        Rc::new(move |text: String| {
            settle.borrow_mut().take();
            committed.set(text);
        })
    };
    let oninput = {
        let source = source.clone();
        let committed = committed.clone();
        let settle = settle.clone();
        let sample_name = sample_name.clone();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            let text = area.value();
            sample_name.set("");
            source.set(text.clone());
            let committed = committed.clone();
            *settle.borrow_mut() = Some(Timeout::new(SETTLE_MS, move || committed.set(text)));
        })
    };
    let onkeydown = {
        let source = source.clone();
        let commit_now = commit_now.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                commit_now((*source).clone());
            }
        })
    };
    let on_sample = {
        let source = source.clone();
        let source_format = source_format.clone();
        let sample_name = sample_name.clone();
        let selected = selected.clone();
        let on_message = props.on_message.clone();
        let commit_now = commit_now.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let Some(sample) = samples::all().into_iter().find(|sample| sample.name == select.value()) else {
                return;
            };
            sample_name.set(sample.name);
            source_format.set(Format::Json);
            selected.set(None);
            source.set(sample.json.clone());
            on_message.emit(sample.message.to_owned());
            commit_now(sample.json);
        })
    };
    let on_source_format = {
        let source = source.clone();
        let source_format = source_format.clone();
        let outcome = outcome.clone();
        let commit_now = commit_now.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let format = if select.value() == "xml" { Format::Xml } else { Format::Json };
            if format == *source_format {
                return;
            }
            // The same document, rewritten in the other format, when the current text parses.
            if let Ok(decoded) = &outcome.parsed {
                let text = match format {
                    Format::Xml => xml::encode(&decoded.document, Style::Pretty),
                    _ => json::encode(&decoded.document, Style::Pretty),
                };
                let text = String::from_utf8_lossy(&text.bytes).into_owned();
                source.set(text.clone());
                commit_now(text);
            }
            source_format.set(format);
        })
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |path: Path| {
            let again = selected.as_ref() == Some(&path);
            selected.set((!again).then_some(path));
        })
    };

    // While the source does not parse, the panels keep showing the last document that did.
    let last_good = use_mut_ref(|| None::<Rc<Outcome>>);
    if outcome.parsed.is_ok() {
        *last_good.borrow_mut() = Some(outcome.clone());
    }
    let shown = match (&outcome.parsed, last_good.borrow().as_ref()) {
        (Err(_), Some(previous)) => previous.clone(),
        _ => outcome.clone(),
    };
    let stale = outcome.parsed.is_err() && shown.parsed.is_ok();
    let parse_error = outcome.parsed.as_ref().err().map(|error| {
        html! { <p class="inline-error" role="alert">{format!("{} source: {error}", source_format.label())}</p> }
    });
    let pending = *source != *committed;
    let bars: Vec<SizeBar> = shown
        .comparisons
        .iter()
        .filter(|comparison| comparison.shown.is_ok())
        .map(|comparison| SizeBar {
            format: comparison.format,
            wire_size: comparison.wire_size,
            gzip_size: comparison.gzip_size,
        })
        .collect();
    let panels = shown.comparisons.iter().map(|comparison| {
        let schema = (comparison.format == Format::Protobuf).then(|| {
            html! {
                <SchemaEditor source={props.proto_source.clone()} on_source={props.on_proto_source.clone()}
                    schema={props.schema.clone()} message={props.message.clone()} on_message={props.on_message.clone()}
                    suggestion={suggestion.clone()} />
            }
        });
        html! {
            <FormatPanel key={comparison.format.label()} comparison={comparison.clone()}
                selected={(*selected).clone()} on_select={on_select.clone()}>
                {schema}
            </FormatPanel>
        }
    });

    html! {
        <div class="compare">
            <aside class="card source-card">
                <div class="panel-head"><h2>{"Source"}</h2>
                    if pending { <span class="muted small">{"updating…"}</span> }
                </div>
                <div class="source-controls">
                    <label class="field grow">
                        <span class="field-label">{"Sample"}</span>
                        <select onchange={on_sample}>
                            if sample_name.is_empty() {
                                <option value="" disabled=true selected=true>{"Your own document"}</option>
                            }
                            { for samples::all().iter().map(|sample| html! {
                                <option value={sample.name} selected={sample.name == *sample_name}>{sample.name}</option>
                            }) }
                        </select>
                    </label>
                    <label class="field">
                        <span class="field-label">{"Source format"}</span>
                        <select onchange={on_source_format}>
                            <option value="json" selected={*source_format == Format::Json}>{"JSON"}</option>
                            <option value="xml" selected={*source_format == Format::Xml}>{"XML"}</option>
                        </select>
                    </label>
                </div>
                <label class="field source-field">
                    <span class="field-label">{format!("Source ({})", source_format.label())}</span>
                    <textarea class={classes!("mono", "source-text", parse_error.is_some().then_some("invalid"))}
                        spellcheck="false" aria-invalid={parse_error.is_some().to_string()}
                        value={(*source).clone()} {oninput} {onkeydown} />
                </label>
                {parse_error}
                <p class="hint">{"Ctrl+Enter applies at once. Choose a field to light up its bytes everywhere."}</p>
                if let Ok(decoded) = &shown.parsed {
                    <DocumentTree document={decoded.document.clone()} selected={(*selected).clone()} on_select={on_select.clone()} />
                }
            </aside>
            <div class={classes!("compare-main", stale.then_some("stale"))}>
                if stale {
                    <p class="notice stale-notice">{"The source does not parse: these panels show the last document that did."}</p>
                }
                if !bars.is_empty() {
                    <section class="card chart-card" aria-label="Sizes">
                        <div class="panel-head"><h2>{"Sizes"}</h2>
                            if let Some(path) = &*selected {
                                <span class="selected-path">{"Field: "}<code>{path.to_string()}</code></span>
                            }
                        </div>
                        <SizeChart {bars} />
                    </section>
                }
                <div class="format-panels">{for panels}</div>
            </div>
        </div>
    }
}
