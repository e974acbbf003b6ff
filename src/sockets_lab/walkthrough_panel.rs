//! The guided walkthroughs: pick one, then run it a step at a time (Run step, or Ctrl+Shift+Enter)
//! or all at once (Run all, which stops at a step that does not go as expected). Each step says
//! what it does, what it expects back and why, and how it went; a step's text, line ending and
//! expected replies can be edited, steps added, removed and moved, and a step's text put in the
//! composer to send by hand.

use wire::sockets::lab::{StepOutcome, WalkthroughEvent, WalkthroughRun};
use wire::sockets::line_ending::LineEnding;
use wire::sockets::walkthroughs::{Action, Expect, Step, StepEdit, builtin};
use yew::prelude::*;

use super::pictures::with_pictures;

#[derive(Properties, PartialEq)]
pub struct WalkthroughPanelProps {
    pub run: Option<WalkthroughRun>,
    pub on_event: Callback<WalkthroughEvent>,
}

/// The expected replies as typed (`150, 226`): none typed expects nothing.
fn expect_from_text(text: &str) -> Expect {
    let statuses: Vec<String> =
        text.split([',', ' ']).map(str::trim).filter(|status| !status.is_empty()).map(str::to_string).collect();
    if statuses.is_empty() { Expect::Nothing } else { Expect::Replies(statuses) }
}

fn expect_as_text(expect: &Expect) -> String {
    match expect {
        Expect::Replies(statuses) => statuses.join(", "),
        _ => String::new(),
    }
}

/// Scrolls the panel (only the panel, never the page) to show the step that runs next.
fn reveal_current_step(steps: &NodeRef) {
    let Some(list) = steps.cast::<web_sys::Element>() else { return };
    let Some(step) = list.query_selector("[aria-current=step]").ok().flatten() else { return };
    let Some(step) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&step) else { return };
    let Some(body) = list.closest(".side-body").ok().flatten() else { return };
    let (top, bottom) = (step.offset_top(), step.offset_top() + step.offset_height());
    if top < body.scroll_top() || bottom > body.scroll_top() + body.client_height() {
        body.set_scroll_top((top - 12).max(0));
    }
}

#[function_component(WalkthroughPanel)]
pub fn walkthrough_panel(props: &WalkthroughPanelProps) -> Html {
    let steps_ref = use_node_ref();
    {
        let steps_ref = steps_ref.clone();
        let current = props.run.as_ref().map(|run| (run.walkthrough.id.clone(), run.current));
        use_effect_with(current, move |_| reveal_current_step(&steps_ref));
    }
    let Some(run) = &props.run else {
        return html! {
            <div class="walkthrough-list">
                <p class="muted">{"Each walkthrough is a list of steps you can run one at a time, all at once, or edit. \
                                   Every byte they send appears in the transcript, as if you had typed it."}</p>
                <ul class="walkthrough-choices">
                    { for builtin().into_iter().map(|walkthrough| {
                        let on_event = props.on_event.clone();
                        let id = walkthrough.id.clone();
                        html! {
                            <li class="walkthrough-choice">
                                <h3>{&walkthrough.title}</h3>
                                <p class="muted">{&walkthrough.summary}</p>
                                <button type="button" class="button subtle"
                                    aria-label={format!("Start: {}", walkthrough.title)}
                                    onclick={Callback::from(move |_| on_event.emit(WalkthroughEvent::Start(id.clone())))}>
                                    {format!("Start ({} steps)", walkthrough.steps.len())}
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </div>
        };
    };
    let emit = |event: WalkthroughEvent| {
        let on_event = props.on_event.clone();
        Callback::from(move |_| on_event.emit(event.clone()))
    };
    let steps = run.walkthrough.steps.len();
    let progress = if run.is_finished() {
        "All steps done".to_string()
    } else {
        format!("Next: step {} of {steps}", run.current + 1)
    };
    let add_step = Step::new(
        Action::Send { text: "NOOP".to_string(), line_ending: LineEnding::CrLf },
        Expect::Nothing,
        "A step of your own: edit its text and what it expects.",
    );
    html! {
        <div class="walkthrough">
            <div class="walkthrough-head">
                <h3 data-testid="walkthrough-title">{&run.walkthrough.title}</h3>
                <p class="muted">{&run.walkthrough.summary}</p>
                <div class="walkthrough-buttons">
                    <button type="button" class="button primary" onclick={emit(WalkthroughEvent::RunStep)}
                        disabled={run.is_finished() || run.is_waiting()} aria-keyshortcuts="Control+Shift+Enter"
                        title="Run the next step (Ctrl+Shift+Enter)">{"Run step"}</button>
                    if run.running_all {
                        <button type="button" class="button danger" onclick={emit(WalkthroughEvent::Stop)}>{"Stop"}</button>
                    } else {
                        <button type="button" class="button" onclick={emit(WalkthroughEvent::RunAll)}
                            disabled={run.is_finished()}>{"Run all"}</button>
                    }
                    <button type="button" class="button subtle" onclick={emit(WalkthroughEvent::Start(run.walkthrough.id.clone()))}
                        title="Start this walkthrough again with its original steps">{"Start over"}</button>
                    <button type="button" class="button subtle" onclick={emit(WalkthroughEvent::Close)}>{"All walkthroughs"}</button>
                </div>
                <p class="walkthrough-progress" data-testid="walkthrough-progress" aria-live="polite">{progress}</p>
            </div>
            <ol class="steps" ref={steps_ref}>
                { for run.walkthrough.steps.iter().enumerate().map(|(index, step)| html! {
                    <StepView
                        {index}
                        step={step.clone()}
                        outcome={run.outcomes.get(index).cloned().unwrap_or(StepOutcome::NotRun)}
                        current={index == run.current}
                        on_event={props.on_event.clone()}
                    />
                }) }
            </ol>
            <button type="button" class="button subtle" onclick={emit(WalkthroughEvent::Edit(StepEdit::Insert(steps, add_step)))}>
                {"Add a step"}
            </button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StepViewProps {
    index: usize,
    step: Step,
    outcome: StepOutcome,
    current: bool,
    on_event: Callback<WalkthroughEvent>,
}

#[function_component(StepView)]
fn step_view(props: &StepViewProps) -> Html {
    let editing = use_state(|| false);
    let index = props.index;
    let number = index + 1;
    let emit = |event: WalkthroughEvent| {
        let on_event = props.on_event.clone();
        Callback::from(move |_| on_event.emit(event.clone()))
    };
    let edit = |make: fn(usize, String) -> StepEdit| {
        let on_event = props.on_event.clone();
        Callback::from(move |event: InputEvent| {
            let value = match event.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                Some(area) => area.value(),
                None => event.target_unchecked_into::<web_sys::HtmlInputElement>().value(),
            };
            on_event.emit(WalkthroughEvent::Edit(make(index, value)));
        })
    };
    let (state_class, state_label, state_text) = match &props.outcome {
        StepOutcome::NotRun => ("not-run", "not run", None),
        StepOutcome::Waiting(text) => ("waiting", "waiting", Some(text.clone())),
        StepOutcome::Done(text) => ("done", "done", Some(text.clone())),
        StepOutcome::Unexpected(text) => ("unexpected", "not as expected", Some(text.clone())),
    };
    let (text, line_ending) = match &props.step.action {
        Action::Send { text, line_ending } => (Some(text.clone()), Some(*line_ending)),
        Action::SendEach { pieces, line_ending } => (Some(pieces.join("\n")), Some(*line_ending)),
        _ => (None, None),
    };
    let sends = text.is_some();
    let action = match (&props.step.action, &text) {
        (Action::SendEach { .. }, Some(_)) => "Send each line as its own send, straight after each other".to_string(),
        (Action::Send { .. }, Some(_)) => "Send".to_string(),
        _ => props.step.action_text(),
    };
    let ending_label =
        line_ending.filter(|ending| *ending != LineEnding::None).map(|ending| format!("+ {}", ending.label()));
    let toggle = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(!*editing))
    };
    let on_line_ending = {
        let on_event = props.on_event.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(ending) = LineEnding::from_key(&select.value()) {
                on_event.emit(WalkthroughEvent::Edit(StepEdit::LineEnding(index, ending)));
            }
        })
    };
    let on_expect = {
        let on_event = props.on_event.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_event.emit(WalkthroughEvent::Edit(StepEdit::Expect(index, expect_from_text(&input.value()))));
        })
    };
    let expect_editable = matches!(props.step.expect, Expect::Replies(_) | Expect::Nothing) && sends;
    html! {
        <li class={classes!("step", state_class, props.current.then_some("current"))}
            aria-current={props.current.then_some("step")} data-testid="walkthrough-step" data-state={state_class}>
            <div class="step-head">
                <span class="step-number" aria-hidden="true">{number}</span>
                <span class="step-action">{action}</span>
                <span class={classes!("step-state", state_class)}>{state_label}</span>
            </div>
            if let Some(text) = &text {
                <pre class="step-text mono">{text}{" "}<span class="muted">{with_pictures(&ending_label.unwrap_or_default())}</span></pre>
            }
            <p class="step-why">{&props.step.explanation}</p>
            <p class="step-expect muted">{props.step.expect.text()}</p>
            if let Some(text) = state_text {
                <p class={classes!("step-outcome", state_class)}>{text}</p>
            }
            <div class="step-buttons">
                if !props.current {
                    <button type="button" class="link-button" onclick={emit(WalkthroughEvent::GoTo(index))}>
                        {"Make next"}<span class="visually-hidden">{format!(": step {number}")}</span>
                    </button>
                }
                if matches!(props.step.action, Action::Send { .. }) {
                    <button type="button" class="link-button" onclick={emit(WalkthroughEvent::UseStep(index))}>
                        {"Use in composer"}<span class="visually-hidden">{format!(": step {number}")}</span>
                    </button>
                }
                <button type="button" class="link-button" onclick={toggle} aria-expanded={(*editing).to_string()}>
                    {"Edit"}<span class="visually-hidden">{format!(" step {number}")}</span>
                </button>
            </div>
            if *editing {
                <div class="step-editor">
                    if let Some(text) = text {
                        <label class="field">
                            <span class="field-label">{format!("Step {number} text")}</span>
                            <textarea class="mono" rows="3" spellcheck="false" value={text} oninput={edit(StepEdit::Text)} />
                        </label>
                        <label class="field inline">
                            <span class="field-label">{format!("Step {number} line ending")}</span>
                            <select onchange={on_line_ending}>
                                { for LineEnding::ALL.into_iter().map(|ending| html! {
                                    <option value={ending.key()} selected={line_ending == Some(ending)}>{ending.key().to_uppercase()}</option>
                                }) }
                            </select>
                        </label>
                    }
                    if expect_editable {
                        <label class="field inline">
                            <span class="field-label">{format!("Step {number} expects")}</span>
                            <input type="text" class="mono narrow" value={expect_as_text(&props.step.expect)} oninput={on_expect}
                                placeholder="250, or 150, 226" title="Reply statuses in order (x stands for any digit: 2xx); empty: none" />
                        </label>
                    }
                    <label class="field">
                        <span class="field-label">{format!("Step {number} explanation")}</span>
                        <textarea rows="2" value={props.step.explanation.clone()} oninput={edit(StepEdit::Explanation)} />
                    </label>
                    <div class="step-buttons">
                        if index > 0 {
                            <button type="button" class="link-button" onclick={emit(WalkthroughEvent::Edit(StepEdit::MoveUp(index)))}>
                                {format!("Move step {number} up")}
                            </button>
                        }
                        <button type="button" class="link-button danger-text" onclick={emit(WalkthroughEvent::Edit(StepEdit::Remove(index)))}>
                            {format!("Remove step {number}")}
                        </button>
                    </div>
                </div>
            }
        </li>
    }
}
