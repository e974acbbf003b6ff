//! The plan: what to open (requests or WebSockets), how many, which endpoint and its parameters,
//! how to start them, over which protocol; Run and Stop. Every field keeps what was typed, with
//! its error under it.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use wire::concurrency_lab::plan::{
    Carrier, EndpointKind, Field, FieldError, PlanEdit, PlanForm, StrategyKind, Workload,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PlanFormProps {
    pub form: PlanForm,
    pub form_error: Option<FieldError>,
    pub run_problem: Option<String>,
    /// Each protocol with its origin, or why it cannot be used.
    pub carriers: Vec<(Carrier, Option<String>, Option<String>)>,
    /// (done, planned) while a run is going.
    pub running: Option<(usize, usize)>,
    pub on_edit: Callback<PlanEdit>,
    pub on_run: Callback<()>,
    pub on_stop: Callback<()>,
}

fn input_value(event: &InputEvent) -> String {
    event.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).map(|input| input.value()).unwrap_or_default()
}

#[function_component(PlanFormView)]
pub fn plan_form_view(props: &PlanFormProps) -> Html {
    let form = &props.form;
    let error_for = |field: Field| props.form_error.as_ref().filter(|error| error.field == field);
    let number = |field: Field, id: &str, value: &str, make: fn(String) -> PlanEdit, class: &str| {
        let on_edit = props.on_edit.clone();
        let error = error_for(field);
        let error_id = format!("{id}-error");
        html! {
            <div class={classes!("field", class.to_string())}>
                <label class="field-label" for={id.to_string()}>{field.label()}</label>
                <input type="text" inputmode="decimal" id={id.to_string()} class="mono narrow" value={value.to_string()}
                    aria-invalid={error.is_some().to_string()}
                    aria-describedby={error.is_some().then(|| error_id.clone())}
                    oninput={Callback::from(move |event: InputEvent| on_edit.emit(make(input_value(&event))))} />
                if let Some(error) = error {
                    <p class="inline-error small" id={error_id} role="alert">{&error.message}</p>
                }
            </div>
        }
    };
    let radio = |name: &'static str, checked: bool, label: Html, edit: PlanEdit, disabled: bool| {
        let on_edit = props.on_edit.clone();
        html! {
            <label class={classes!("choice", disabled.then_some("disabled"))}>
                <input type="radio" {name} {checked}
                    onchange={Callback::from(move |_| on_edit.emit(edit.clone()))} />
                {label}
            </label>
        }
    };
    let on_endpoint = {
        let on_edit = props.on_edit.clone();
        Callback::from(move |event: Event| {
            let value = event.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()).map(|s| s.value());
            if let Some(kind) = value.as_deref().and_then(EndpointKind::from_id) {
                on_edit.emit(PlanEdit::Endpoint(kind));
            }
        })
    };
    let requests = form.workload == Workload::Requests;
    let running = props.running.is_some();
    let count_noun = if requests { "requests" } else { "WebSockets" };
    let run_label = format!("Run {} {count_noun}", form.count.trim());
    let on_submit = {
        let on_run = props.on_run.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_run.emit(());
        })
    };
    let on_stop = props.on_stop.reform(|_: MouseEvent| ());
    let endpoint_fields = match form.endpoint {
        EndpointKind::Delay => {
            number(Field::DelaySeconds, "conc-delay", &form.delay_seconds, PlanEdit::DelaySeconds, "")
        }
        EndpointKind::Drip => html! {
            <>
                { number(Field::DripBytes, "conc-drip-bytes", &form.drip_bytes, PlanEdit::DripBytes, "") }
                { number(Field::DripDuration, "conc-drip-duration", &form.drip_duration, PlanEdit::DripDuration, "") }
                { number(Field::DripDelay, "conc-drip-delay", &form.drip_delay, PlanEdit::DripDelay, "") }
            </>
        },
        EndpointKind::Bytes => number(Field::Bytes, "conc-bytes", &form.bytes, PlanEdit::Bytes, ""),
    };
    let carrier_problem = props
        .carriers
        .iter()
        .find(|(carrier, _, _)| *carrier == form.carrier)
        .and_then(|(_, _, problem)| problem.clone());
    html! {
        <form class="card conc-plan" onsubmit={on_submit} aria-label="Plan">
            <div class="conc-plan-row">
                <fieldset class="choices">
                    <legend class="field-label">{"Open"}</legend>
                    { radio("conc-workload", requests, html! {"HTTP requests"}, PlanEdit::Workload(Workload::Requests), false) }
                    { radio("conc-workload", !requests, html! {"WebSockets to /ws/echo"}, PlanEdit::Workload(Workload::WebSockets), false) }
                </fieldset>
            </div>
            <div class="conc-plan-row">
                { number(Field::Count, "conc-count", &form.count, PlanEdit::Count, "") }
                if requests {
                    <div class="field">
                        <label class="field-label" for="conc-endpoint">{"Endpoint"}</label>
                        <select id="conc-endpoint" onchange={on_endpoint}>
                            { for EndpointKind::ALL.into_iter().map(|kind| html! {
                                <option value={kind.id()} selected={kind == form.endpoint}>{kind.label()}</option>
                            }) }
                        </select>
                    </div>
                    { endpoint_fields }
                }
            </div>
            if requests {
                <div class="conc-plan-row">
                    <fieldset class="choices">
                        <legend class="field-label">{"Start them"}</legend>
                        { radio("conc-strategy", form.strategy == StrategyKind::Sequential, html! {"One after another"},
                            PlanEdit::Strategy(StrategyKind::Sequential), false) }
                        { radio("conc-strategy", form.strategy == StrategyKind::AllAtOnce, html! {"All at once"},
                            PlanEdit::Strategy(StrategyKind::AllAtOnce), false) }
                        { radio("conc-strategy", form.strategy == StrategyKind::AtMost, html! {"At most k at a time"},
                            PlanEdit::Strategy(StrategyKind::AtMost), false) }
                    </fieldset>
                    if form.strategy == StrategyKind::AtMost {
                        { number(Field::Limit, "conc-limit", &form.limit, PlanEdit::Limit, "") }
                    }
                </div>
            } else {
                <p class="muted small conc-note">{"All of them are opened at once and kept open until every one has opened or failed."}</p>
            }
            <div class="conc-plan-row">
                <fieldset class="choices">
                    <legend class="field-label">{"Over"}</legend>
                    { for props.carriers.iter().map(|(carrier, origin, problem)| {
                        let label = match (carrier, origin) {
                            (Carrier::Http1, Some(origin)) => format!("HTTP/1.1 ({origin})"),
                            (Carrier::Http2, Some(origin)) => format!("HTTP/2 over TLS ({origin})"),
                            (Carrier::Http1, None) => "HTTP/1.1 (plain port)".to_string(),
                            (Carrier::Http2, None) => "HTTP/2 over TLS (the TLS port)".to_string(),
                        };
                        radio("conc-carrier", form.carrier == *carrier, html! {label}, PlanEdit::Carrier(*carrier), problem.is_some())
                    }) }
                </fieldset>
            </div>
            if let Some(problem) = carrier_problem {
                <p class="conc-warning small" role="status">{problem}</p>
            }
            <div class="conc-plan-row conc-actions">
                <button type="submit" class="button primary" disabled={running}>{run_label}</button>
                <button type="button" class="button" disabled={!running} onclick={on_stop}>{"Stop"}</button>
                if let Some((done, planned)) = props.running {
                    <span class="muted" role="status" data-testid="conc-progress">{format!("{done} of {planned} done…")}</span>
                }
                <span class="spacer"></span>
                if requests {
                    <p class="muted small conc-note">
                        {"Each URL gets its own ?wirelab_run=… so the browser neither answers one request \
                          from another's response nor mixes up their timing entries."}
                    </p>
                }
            </div>
            if let Some(problem) = &props.run_problem {
                <p class="inline-error" role="alert">{problem}</p>
            }
        </form>
    }
}
