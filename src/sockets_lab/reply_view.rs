//! One protocol reply explained where it arrived: its status and what it means, the command it
//! answers, its lines grouped (a multi-line reply is one reply), the details the lab read from it
//! (an EHLO extension each, an enhanced status code, a 227's address worked out), anything off
//! about it, and for FTP's latest passive reply the button that opens the data connection.

use wire::sockets::lab::LinkStatus;
use wire::sockets::replies::commands::CommandKind;
use wire::sockets::replies::{Outcome, Reply};
use yew::prelude::*;

/// Most lines of a POP3 body shown under its reply (the transcript has every byte).
const BODY_LINES_SHOWN: usize = 40;

/// Where FTP's data connection stands, for the passive reply that gave its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataLinkState {
    /// The address is known; no data connection goes there yet.
    CanOpen,
    /// The data connection to this address, as it stands.
    Opened(LinkStatus),
}

#[derive(Properties, PartialEq)]
pub struct ReplyViewProps {
    pub reply: Reply,
    /// Set on the latest passive (227/229) reply of a live control connection.
    #[prop_or_default]
    pub data_link: Option<DataLinkState>,
    #[prop_or_default]
    pub data_error: Option<String>,
    #[prop_or_default]
    pub on_open_data: Callback<()>,
}

fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Preliminary | Outcome::Intermediate => "outcome-intermediate",
        Outcome::Success => "outcome-success",
        Outcome::TransientFailure => "outcome-transient",
        Outcome::PermanentFailure | Outcome::Failure => "outcome-failure",
        Outcome::NotAReply => "outcome-none",
    }
}

#[function_component(ReplyView)]
pub fn reply_view(props: &ReplyViewProps) -> Html {
    let reply = &props.reply;
    let explanation = reply.explanation();
    let status = reply.status_label();
    let summary = explanation
        .summary
        .strip_prefix(&format!("{status}: "))
        .map_or_else(|| explanation.summary.clone(), str::to_string);
    let answers = reply.command.as_ref().map(|command| match command.kind {
        CommandKind::Greeting => "the greeting: the server speaks first".to_string(),
        CommandKind::Line => format!("answers {}", command.text),
        CommandKind::Message => format!("answers {}", command.text),
    });
    let chunks = (reply.first_chunk != reply.last_chunk)
        .then(|| format!("arrived in pieces: entries #{} to #{}", reply.first_chunk, reply.last_chunk));
    let lines = (reply.lines.len() > 1).then(|| {
        html! {
            <ol class="reply-lines mono" aria-label={format!("The {} lines of this reply", reply.lines.len())}>
                { for reply.lines.iter().map(|line| html! { <li>{line}</li> }) }
            </ol>
        }
    });
    let body = (!reply.body.is_empty()).then(|| {
        let shown = reply.body.iter().take(BODY_LINES_SHOWN);
        let more = reply.body.len().saturating_sub(BODY_LINES_SHOWN);
        html! {
            <details class="reply-body">
                <summary>{format!("The body: {} lines after +OK, up to the lone dot (dot-unstuffed)", reply.body.len())}</summary>
                <pre class="mono">{ for shown.map(|line| html! { <>{line}{"\n"}</> }) }</pre>
                if more > 0 {
                    <p class="muted">{format!("{more} more lines: the transcript above has every byte")}</p>
                }
            </details>
        }
    });
    let data = props.data_link.map(|state| match state {
        DataLinkState::CanOpen => {
            let on_open = props.on_open_data.clone();
            html! {
                <div class="reply-action">
                    <button type="button" class="button subtle" onclick={Callback::from(move |_| on_open.emit(()))}>
                        {"Open the data connection"}
                    </button>
                    <span class="muted">{"a second TCP connection, through the bridge, to the address above"}</span>
                </div>
            }
        }
        DataLinkState::Opened(status) => html! {
            <div class="reply-action">
                <a href="#sockets-data-transcript">{format!("The data connection: {}", status.label())}</a>
            </div>
        },
    });
    html! {
        <div class={classes!("reply", outcome_class(reply.outcome()))} data-testid="reply" data-status={status.clone()}>
            <div class="reply-head">
                <span class="reply-code mono">{&status}</span>
                <span class="reply-summary">{summary}</span>
            </div>
            <p class="reply-meta">
                if let Some(answers) = answers { <span>{answers}</span> }
                if let Some(chunks) = chunks { <span>{chunks}</span> }
            </p>
            {lines}
            if !explanation.details.is_empty() {
                <ul class="reply-details">
                    { for explanation.details.iter().map(|detail| html! { <li>{detail}</li> }) }
                </ul>
            }
            {body}
            { for reply.problems.iter().map(|problem| html! { <p class="reply-problem">{format!("⚠ {problem}")}</p> }) }
            {data}
            if let (Some(DataLinkState::CanOpen), Some(error)) = (props.data_link, &props.data_error) {
                <p class="inline-error" role="alert">{error}</p>
            }
        </div>
    }
}
