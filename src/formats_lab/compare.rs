//! The Compare tab: a source document (JSON or XML, or a sample) encoded in all five formats side
//! by side, with a size chart, a field outline, and each field's bytes lit up in every panel.
//! The source as typed and as applied is the lab's state (`wire::formats_lab::CompareInput`);
//! the encodings are worked out here from the applied source whenever it changes.

use std::rc::Rc;

use wire::formats::{Format, FormatError, Node, samples};
use wire::formats_engine::{EngineJob, EngineReply, SchemaChoice};
use wire::formats_lab::{CompareEdit, CompareInput};
use yew::prelude::*;

use super::CompiledSchema;
use super::document_tree::DocumentTree;
use super::engine::use_engine;
use super::format_panel::{FormatPanel, Panel};
use super::schema_editor::SchemaEditor;
use super::size_chart::{SizeBar, SizeChart};
use crate::net::formats_engine::EngineAnswer;

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

/// What the source text parsed to, every format's encoding of it, and the message type that
/// fits it best; or why the engine could not say.
struct Outcome {
    parsed: Result<Rc<Node>, FormatError>,
    panels: Vec<Rc<Panel>>,
    fitting_message: Option<String>,
    on_page_because: Option<String>,
}

fn read_answer(answer: EngineAnswer) -> Result<Outcome, String> {
    match answer.reply? {
        EngineReply::Compare(outcome) => Ok(Outcome {
            parsed: outcome.parsed.map(|decoded| Rc::new(decoded.document)),
            panels: outcome.comparisons.into_iter().map(|comparison| Rc::new(Panel::new(comparison))).collect(),
            fitting_message: outcome.fitting_message,
            on_page_because: answer.on_page_because,
        }),
        _ => Err("the formats engine answered another question".into()),
    }
}

#[function_component(Compare)]
pub fn compare_tab(props: &CompareProps) -> Html {
    let input = &props.input;
    // Parsing and encoding run in the formats worker; the last answer stays on show meanwhile.
    let job = EngineJob::Compare {
        source: input.applied.clone(),
        format: input.format,
        schema: SchemaChoice { proto_source: props.proto_source.to_string(), message: props.message.to_string() },
    };
    let worked = use_engine(job, read_answer);
    let latest = worked.latest.clone();
    let engine_problem = latest.as_deref().and_then(|answer| answer.as_ref().err()).cloned();
    // A message type that fits the document better than the chosen one.
    let suggestion = latest
        .as_deref()
        .and_then(|answer| answer.as_ref().ok())
        .and_then(|outcome| outcome.fitting_message.clone())
        .filter(|name| name.as_str() != props.message.as_str());

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
    let last_good = use_mut_ref(|| None::<Rc<Result<Outcome, String>>>);
    let parses =
        |answer: &Rc<Result<Outcome, String>>| answer.as_ref().as_ref().is_ok_and(|outcome| outcome.parsed.is_ok());
    if let Some(answer) = latest.as_ref().filter(|answer| parses(answer)) {
        *last_good.borrow_mut() = Some(answer.clone());
    }
    let current = latest.as_deref().and_then(|answer| answer.as_ref().ok());
    let shown_answer = match latest.as_ref() {
        Some(answer) if parses(answer) => Some(answer.clone()),
        _ => last_good.borrow().clone(),
    };
    let shown = shown_answer.as_deref().and_then(|answer| answer.as_ref().ok());
    let stale = current.is_some_and(|outcome| outcome.parsed.is_err()) && shown.is_some();
    let parse_error = current.and_then(|outcome| outcome.parsed.as_ref().err()).map(|error| {
        html! { <p class="inline-error" role="alert">{format!("{} source: {error}", source_format.label())}</p> }
    });
    let engine_error = engine_problem.map(|problem| {
        html! { <p class="inline-error" role="alert">{format!("Could not encode the document: {problem}")}</p> }
    });
    let on_page_note = shown.and_then(|outcome| outcome.on_page_because.clone()).map(|why| {
        html! { <p class="notice">{format!("Encoded on the page, not in the background ({why}).")}</p> }
    });
    let pending = input.text != input.applied || worked.working;
    let panels: &[Rc<Panel>] = shown.map_or(&[], |outcome| &outcome.panels);
    let bars: Vec<SizeBar> = panels
        .iter()
        .map(|panel| &panel.comparison)
        .filter(|comparison| comparison.shown.is_ok())
        .map(|comparison| SizeBar {
            format: comparison.format,
            wire_size: comparison.wire_size,
            gzip_size: comparison.gzip_size,
        })
        .collect();
    // The five panels change one per task: drawn together for the biggest sample, they held the
    // page for about 80 ms. Until its turn, a panel shows its previous encoding.
    let on_screen = use_mut_ref(Vec::<Rc<Panel>>::new);
    let redraw = use_state(|| 0u32);
    let more_to_draw = {
        let mut on_screen = on_screen.borrow_mut();
        on_screen.truncate(panels.len());
        let changed = (0..panels.len())
            .filter(|&index| !on_screen.get(index).is_some_and(|drawn| Rc::ptr_eq(drawn, &panels[index])));
        let changed: Vec<usize> = changed.collect();
        if let Some(&first) = changed.first() {
            match on_screen.get_mut(first) {
                Some(drawn) => *drawn = panels[first].clone(),
                None => on_screen.push(panels[first].clone()),
            }
        }
        changed.len() > 1
    };
    {
        let redraw = redraw.clone();
        use_effect(move || {
            let timer = more_to_draw.then(|| gloo_timers::callback::Timeout::new(0, move || redraw.set(*redraw + 1)));
            move || drop(timer)
        });
    }
    let drawn: Vec<Rc<Panel>> = on_screen.borrow().clone();
    let panels = drawn.iter().map(|panel| {
        let comparison = &panel.comparison;
        let schema = (comparison.format == Format::Protobuf).then(|| {
            html! {
                <SchemaEditor source={props.proto_source.clone()} on_source={props.on_proto_source.clone()}
                    schema={props.schema.clone()} message={props.message.clone()} on_message={props.on_message.clone()}
                    suggestion={suggestion.clone()} />
            }
        });
        html! {
            <FormatPanel key={comparison.format.label()} panel={panel.clone()}
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
                            { for samples::NAMES.iter().map(|&name| html! {
                                <option value={name} selected={name == sample_name}>{name}</option>
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
                {engine_error}
                <p class="hint">{"Ctrl+Enter applies at once. Choose a field to light up its bytes everywhere."}</p>
                if let Some(Ok(document)) = shown.map(|outcome| &outcome.parsed) {
                    <DocumentTree document={document.clone()} selected={selected.clone()} on_select={on_select.clone()} />
                }
            </aside>
            // Busy until the worker has answered and every panel shows that answer (they change one
            // per task): what assistive technology, and the journeys, wait for.
            <div class={classes!("compare-main", stale.then_some("stale"))}
                aria-busy={(pending || more_to_draw).to_string()}>
                if stale {
                    <p class="notice stale-notice">{"The source does not parse: these panels show the last document that did."}</p>
                }
                {on_page_note}
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
