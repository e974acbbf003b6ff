//! The request history: every request sent, newest first, kept across reloads; one click puts
//! a request back in the builder.

use wire::history::HistoryEntry;
use wire::units::{format_clock, format_millis};
use yew::prelude::*;

use crate::net::utc_offset_minutes;

#[derive(Properties, PartialEq)]
pub struct HistoryPanelProps {
    pub entries: Vec<HistoryEntry>,
    /// A notice about storage (corrupted history set aside, or saving failed).
    pub notice: Option<String>,
    pub on_restore: Callback<u64>,
    pub on_clear: Callback<()>,
}

#[function_component(HistoryPanel)]
pub fn history_panel(props: &HistoryPanelProps) -> Html {
    let on_clear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_| on_clear.emit(()))
    };
    let offset = utc_offset_minutes();
    html! {
        <aside class="history-panel card" aria-label="History">
            <header class="panel-head">
                <h2>{"History"}</h2>
                <button type="button" class="button subtle" onclick={on_clear} disabled={props.entries.is_empty()}>{"Clear"}</button>
            </header>
            if let Some(notice) = &props.notice {
                <p class="notice" role="status">{notice}</p>
            }
            if props.entries.is_empty() {
                <p class="muted empty-history">{"Requests you send appear here, and stay after a reload."}</p>
            } else {
                <ul class="history-list">
                    { for props.entries.iter().map(|entry| {
                        let id = entry.id;
                        let on_restore = props.on_restore.clone();
                        let status = match (entry.status, &entry.error) {
                            (Some(status), _) => html! { <span class={classes!("history-status", status_class(status))}>{status}</span> },
                            (None, Some(_)) => html! { <span class="history-status failed">{"failed"}</span> },
                            (None, None) => html! { <span class="history-status">{"…"}</span> },
                        };
                        html! {
                            <li>
                                <button type="button" class="history-item" onclick={Callback::from(move |_| on_restore.emit(id))}
                                    title={entry.request.url.clone()}>
                                    <span class="history-method">{&entry.request.method}</span>
                                    <span class="history-label">{path_of(&entry.request.label())}</span>
                                    {status}
                                    <span class="history-meta">
                                        {format_clock(entry.sent_at_ms, offset).chars().take(8).collect::<String>()}
                                        { entry.duration_ms.map(|ms| format!(" · {}", format_millis(ms))).unwrap_or_default() }
                                    </span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </aside>
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "ok",
        300..=399 => "info",
        400..=499 => "client-error",
        _ => "server-error",
    }
}

/// The label without its leading method (the method has its own column).
fn path_of(label: &str) -> &str {
    label.split_once(' ').map_or(label, |(_, path)| path)
}
