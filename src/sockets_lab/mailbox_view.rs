//! The server's mailbox (`GET /api/mailbox`): the mail its SMTP peer received, newest first, each
//! with its envelope (what the client said in EHLO, MAIL FROM and RCPT TO) beside its headers, and
//! its MIME parts decoded. Mail this lab delivered is marked, so the transcript that delivered it
//! is one glance away.

use wire::mailbox::MailMessage;
use wire::sockets::lab::MailboxPanel;
use wire::units::{format_bytes, format_clock};
use yew::prelude::*;

use crate::net::utc_offset_minutes;

#[derive(Properties, PartialEq)]
pub struct MailboxViewProps {
    pub panel: MailboxPanel,
    pub on_refresh: Callback<()>,
}

#[function_component(MailboxView)]
pub fn mailbox_view(props: &MailboxViewProps) -> Html {
    let panel = &props.panel;
    let on_refresh = {
        let on_refresh = props.on_refresh.clone();
        Callback::from(move |_| on_refresh.emit(()))
    };
    let offset = utc_offset_minutes();
    let summary = panel.mailbox.as_ref().map(|mailbox| {
        let mut text = format!(
            "{} of at most {} kept · messages over {} are refused with 552",
            plural(mailbox.messages.len(), "message", "messages"),
            mailbox.capacity,
            format_bytes(mailbox.max_message_bytes as u64)
        );
        if mailbox.dropped > 0 {
            text.push_str(&format!(" · {} oldest dropped", mailbox.dropped));
        }
        text
    });
    let messages: Html = match &panel.mailbox {
        None if panel.loading => html! { <p class="muted">{"Reading the mailbox…"}</p> },
        None => html! { <p class="muted">{"Press Refresh to read the mailbox."}</p> },
        Some(mailbox) if mailbox.messages.is_empty() => html! {
            <div class="empty-state small">
                <p>{"No mail yet."}</p>
                <p class="muted">{"Run “Send an email by hand (SMTP)”, or connect to smtp and type the commands yourself: the mail lands here."}</p>
            </div>
        },
        Some(mailbox) => mailbox
            .messages
            .iter()
            .rev()
            .enumerate()
            .map(|(index, message)| {
                html! {
                    <MailView key={message.id} message={message.clone()} here={panel.delivered_here(&message.client)}
                        newest={index == 0} {offset} />
                }
            })
            .collect(),
    };
    html! {
        <div class="mailbox" data-testid="mailbox">
            <div class="mailbox-head">
                <p class="muted small">{summary.unwrap_or_default()}</p>
                <span class="spacer"></span>
                <button type="button" class="button subtle" onclick={on_refresh} disabled={panel.loading}>
                    {if panel.loading { "Reading…" } else { "Refresh" }}
                </button>
            </div>
            if let Some(problem) = &panel.problem {
                <p class="inline-error" role="alert">{format!("The mailbox could not be read: {problem}")}</p>
            }
            <ul class="mail-list" aria-label="Received mail">{messages}</ul>
        </div>
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[derive(Properties, PartialEq)]
struct MailViewProps {
    message: MailMessage,
    /// Whether this lab's SMTP connection delivered it.
    here: bool,
    /// The newest mail starts unfolded.
    newest: bool,
    offset: i32,
}

#[function_component(MailView)]
fn mail_view(props: &MailViewProps) -> Html {
    let message = &props.message;
    let envelope = &message.envelope;
    let subject = message.subject.clone().unwrap_or_else(|| "(no subject)".to_string());
    html! {
        <li class="mail" data-testid="mail">
            <details open={props.newest}>
                <summary>
                    <span class="mail-subject">{subject}</span>
                    if props.here {
                        <span class="mail-here" title="Delivered by this lab's SMTP connection (the transcript on the left)">
                            {"sent from this lab"}
                        </span>
                    }
                    <span class="mail-meta muted">
                        {format!("from {} · to {} · {} · {}", envelope.from, envelope.to.join(", "),
                            format_bytes(message.size as u64), format_clock(message.received_unix_ms as f64, props.offset))}
                    </span>
                </summary>
                <h3>{"Envelope (the SMTP commands)"}</h3>
                <table class="headers-table">
                    <tbody>
                        <tr><th>{"EHLO / HELO"}</th><td class="mono">{&envelope.helo}</td></tr>
                        <tr><th>{"MAIL FROM"}</th><td class="mono">{format!("<{}>", envelope.from)}</td></tr>
                        <tr><th>{"RCPT TO"}</th><td class="mono">{envelope.to.iter().map(|to| format!("<{to}>")).collect::<Vec<_>>().join(" ")}</td></tr>
                        <tr><th>{"Client"}</th><td class="mono">{&message.client}</td></tr>
                    </tbody>
                </table>
                <h3>{"Headers (in the message)"}</h3>
                <table class="headers-table">
                    <tbody>
                        { for message.headers.iter().map(|header| html! {
                            <tr><th>{&header.name}</th><td class="mono">{&header.value}</td></tr>
                        }) }
                    </tbody>
                </table>
                <h3>{format!("Parts ({})", message.parts.len())}</h3>
                { for message.parts.iter().map(|part| {
                    let mut about = vec![part.content_type.clone(), format_bytes(part.size as u64)];
                    about.extend(part.transfer_encoding.clone());
                    about.extend(part.filename.as_ref().map(|name| format!("file {name}")));
                    html! {
                        <div class="mail-part" style={format!("margin-left: {}px", part.depth * 16)}>
                            <p class="muted small">{about.join(" · ")}</p>
                            if let Some(text) = &part.text {
                                <pre class="mono">{text}</pre>
                                if part.text_truncated {
                                    <p class="muted small">{"Cut here: read the whole message over POP3 (RETR)."}</p>
                                }
                            }
                        </div>
                    }
                }) }
            </details>
        </li>
    }
}
