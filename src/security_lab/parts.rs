//! Pieces every view of the Security lab uses: a Copy button, a computation as numbered steps
//! (what went in, what came out), a request and the server's answer, and an error with the
//! character it points at marked in the text.

use wire::auth::Step;
use wire::diagnostic::Diagnostic;
use wire::security_lab::{Exchange, split_at_error};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    pub text: AttrValue,
    /// What is copied, for the button's accessible name ("Copy SHA-256").
    pub what: AttrValue,
    pub on_copy: Callback<String>,
}

#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let onclick = {
        let text = props.text.to_string();
        let on_copy = props.on_copy.clone();
        Callback::from(move |_| on_copy.emit(text.clone()))
    };
    html! {
        <button type="button" class="button subtle copy" aria-label={format!("Copy {}", props.what)} {onclick}>
            {"Copy"}
        </button>
    }
}

#[derive(Properties, PartialEq)]
pub struct StepListProps {
    pub steps: Vec<Step>,
    pub label: AttrValue,
}

/// Each step: its label, what went in, and what came out.
#[function_component(StepList)]
pub fn step_list(props: &StepListProps) -> Html {
    html! {
        <ol class="sec-steps" aria-label={props.label.clone()}>
            { for props.steps.iter().map(|step| html! {
                <li>
                    <span class="sec-step-label">{step.label.clone()}</span>
                    <code class="sec-step-in">{step.input.clone()}</code>
                    <span class="sec-step-arrow" aria-hidden="true">{"→"}</span>
                    <code class="sec-step-out">{step.output.clone()}</code>
                </li>
            }) }
        </ol>
    }
}

#[derive(Properties, PartialEq)]
pub struct ExchangeViewProps {
    pub exchange: Exchange,
}

/// The request sent (path and Authorization) and the server's status and body.
#[function_component(ExchangeView)]
pub fn exchange_view(props: &ExchangeViewProps) -> Html {
    let request = |path: &str, authorization: &Option<String>| {
        html! {
            <div class="sec-request">
                <code>{format!("GET {path}")}</code>
                <code>{match authorization {
                    Some(value) => format!("Authorization: {value}"),
                    None => "(no Authorization header)".to_string(),
                }}</code>
            </div>
        }
    };
    match &props.exchange {
        Exchange::Idle => html! {},
        Exchange::Sending { path, authorization } => html! {
            <div class="sec-exchange" role="status">
                {request(path, authorization)}
                <p class="muted">{"Waiting for the server…"}</p>
            </div>
        },
        Exchange::Answered { path, authorization, answer } => {
            let class = if answer.succeeded() { "ok" } else { "bad" };
            html! {
                <div class="sec-exchange" role="status">
                    {request(path, authorization)}
                    <p class="sec-answer">
                        <span class={classes!("sec-pill", class)}>{format!("{} {}", answer.status, answer.status_text)}</span>
                        if let Some(challenge) = &answer.www_authenticate {
                            <code class="sec-challenge">{format!("WWW-Authenticate: {challenge}")}</code>
                        }
                    </p>
                    if !answer.body.is_empty() {
                        <pre class="sec-body">{answer.body.clone()}</pre>
                    }
                </div>
            }
        }
        Exchange::Failed { path, problem } => html! {
            <div class="sec-exchange" role="alert">
                <code>{format!("GET {path}")}</code>
                <p class="error">{problem.in_words()}</p>
            </div>
        },
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorAtProps {
    pub text: AttrValue,
    pub error: Diagnostic,
}

/// The error, and the text with the character it points at marked.
#[function_component(ErrorAt)]
pub fn error_at(props: &ErrorAtProps) -> Html {
    let marked = split_at_error(&props.text, &props.error).map(|(before, at, after)| {
        let at = if at.is_empty() { " ".to_string() } else { at.to_string() };
        html! {
            <pre class="sec-error-text" aria-hidden="true">
                {before.to_string()}<mark>{at}</mark>{after.to_string()}
            </pre>
        }
    });
    html! {
        <div class="sec-error" role="alert">
            <p class="error">{props.error.to_string()}</p>
            {for marked}
        </div>
    }
}
