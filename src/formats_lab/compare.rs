//! The Compare tab: a source document (JSON or XML, or a sample) encoded in all five formats side
//! by side, with a size chart, a field outline, and each field's bytes lit up in every panel.
//! The source as typed and as applied is the lab's state (`wire::formats_lab::CompareInput`);
//! the encodings are worked out here from the applied source whenever it changes.

use std::rc::Rc;

use wire::formats::convert::{Comparison, ProtobufChoice, compare};
use wire::formats::{Decoded, Format, FormatError, samples};
use wire::formats_lab::{CompareEdit, CompareInput, parse_source};
use yew::prelude::*;

use super::CompiledSchema;
use super::document_tree::DocumentTree;
use super::format_panel::FormatPanel;
use super::schema_editor::SchemaEditor;
use super::size_chart::{SizeBar, SizeChart};
use crate::net::performance_now;

/// How long each encode and decode timing may run.
const TIMING_BUDGET_MS: f64 = 4.0;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub input: CompareInput,
    pub on_edit: Callback<CompareEdit>,
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

#[function_component(Compare)]
pub fn compare_tab(props: &CompareProps) -> Html {
    let input = &props.input;
    let outcome = {
        let schema = props.schema.result.clone();
        let message = props.message.to_string();
        use_memo(
            (input.applied.clone(), input.format, props.schema.version, props.message.clone()),
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
    // A message type that fits the document better than the chosen one.
    let suggestion = match (&outcome.parsed, props.schema.result.as_ref()) {
        (Ok(decoded), Ok(schema)) => {
            schema.guess_message(&decoded.document).filter(|name| name.as_str() != props.message.as_str())
        }
        _ => None,
    };

    let oninput = props.on_edit.reform(|event: InputEvent| {
        let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
        CompareEdit::Text(area.value())
    });
    let onkeydown = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                event.prevent_default();
                on_edit.emit(CompareEdit::ApplyNow);
            }
        })
    };
    let on_sample = props.on_edit.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        CompareEdit::Sample(select.value())
    });
    let on_source_format = props.on_edit.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        CompareEdit::Format(if select.value() == "xml" { Format::Xml } else { Format::Json })
    });
    let on_select = props.on_edit.reform(CompareEdit::Select);
    let selected = &input.selected;
    let source_format = input.format;
    let sample_name = input.sample;

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
    let pending = input.text != input.applied;
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
                selected={selected.clone()} on_select={on_select.clone()}>
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
                                <option value={sample.name} selected={sample.name == sample_name}>{sample.name}</option>
                            }) }
                        </select>
                    </label>
                    <label class="field">
                        <span class="field-label">{"Source format"}</span>
                        <select onchange={on_source_format}>
                            <option value="json" selected={source_format == Format::Json}>{"JSON"}</option>
                            <option value="xml" selected={source_format == Format::Xml}>{"XML"}</option>
                        </select>
                    </label>
                </div>
                <label class="field source-field">
                    <span class="field-label">{format!("Source ({})", source_format.label())}</span>
                    <textarea class={classes!("mono", "source-text", parse_error.is_some().then_some("invalid"))}
                        spellcheck="false" aria-invalid={parse_error.is_some().to_string()}
                        value={input.text.clone()} {oninput} {onkeydown} />
                </label>
                {parse_error}
                <p class="hint">{"Ctrl+Enter applies at once. Choose a field to light up its bytes everywhere."}</p>
                if let Ok(decoded) = &shown.parsed {
                    <DocumentTree document={decoded.document.clone()} selected={selected.clone()} on_select={on_select.clone()} />
                }
            </aside>
            <div class={classes!("compare-main", stale.then_some("stale"))}>
                if stale {
                    <p class="notice stale-notice">{"The source does not parse: these panels show the last document that did."}</p>
                }
                if !bars.is_empty() {
                    <section class="card chart-card" aria-label="Sizes">
                        <div class="panel-head"><h2>{"Sizes"}</h2>
                            if let Some(path) = selected {
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
