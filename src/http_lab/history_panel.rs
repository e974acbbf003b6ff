//! The request history: every request sent, newest first, kept across reloads; one click puts
//! a request back in the builder. "Export HAR" downloads it as an HTTP Archive (with the body of
//! the exchange on screen); "Import HAR" reads one (from Chrome's DevTools, Firefox, Playwright or
//! Wirelab) into it, saying what landed and what did not.

use wire::har::{HarImport, HarNotice, file_name, http_lab_har, import_har, to_json};
use wire::history::HistoryEntry;
use wire::http_lab::Exchange;
use wire::units::{format_bytes, format_clock, format_millis};
use yew::prelude::*;

use crate::net::download::offer_text;
use crate::net::files::{read_text, take_picked_file};
use crate::net::{now_ms, utc_offset_minutes};

/// The largest HAR file "Import HAR" reads (it is read whole into memory, text and entries).
const MAX_HAR_BYTES: f64 = 256.0 * 1024.0 * 1024.0;
/// How many skipped entries the notice lists before "and N more".
const DETAILS_SHOWN: usize = 8;

#[derive(Properties, PartialEq)]
pub struct HistoryPanelProps {
    pub entries: Vec<HistoryEntry>,
    /// A notice about storage (corrupted history set aside, or saving failed).
    pub notice: Option<String>,
    /// What the last "Import HAR" did.
    pub har_notice: Option<HarNotice>,
    /// The exchange on screen and its history id: its HAR entry carries the body.
    pub exchange: Exchange,
    pub exchange_entry: Option<u64>,
    pub on_restore: Callback<u64>,
    pub on_clear: Callback<()>,
    /// A HAR file read: its name and what it held (or why it could not be read).
    pub on_har_imported: Callback<(String, Result<HarImport, String>)>,
}

#[function_component(HistoryPanel)]
pub fn history_panel(props: &HistoryPanelProps) -> Html {
    let on_clear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_| on_clear.emit(()))
    };
    let offset = utc_offset_minutes();
    // Why the last export failed, and the file being read by an import.
    let export_problem = use_state(|| None::<String>);
    let reading = use_state(|| None::<String>);
    let on_export = {
        let (entries, exchange, exchange_entry) = (props.entries.clone(), props.exchange.clone(), props.exchange_entry);
        let export_problem = export_problem.clone();
        Callback::from(move |_: MouseEvent| {
            let current = match &exchange {
                Exchange::Done { outcome, .. } => exchange_entry.map(|id| (id, outcome.as_ref())),
                _ => None,
            };
            let har = to_json(&http_lab_har(&entries, current));
            let name = file_name(now_ms(), utc_offset_minutes());
            export_problem.set(offer_text(&har, "application/json", &name).err());
        })
    };
    let on_import = {
        let (on_imported, reading) = (props.on_har_imported.clone(), reading.clone());
        Callback::from(move |event: Event| {
            let Some(file) = take_picked_file(&event) else { return };
            let name = file.name();
            if file.size() > MAX_HAR_BYTES {
                let error = format!(
                    "it is {}, and the HTTP lab reads HAR files up to {}.",
                    format_bytes(file.size() as u64),
                    format_bytes(MAX_HAR_BYTES as u64)
                );
                on_imported.emit((name, Err(error)));
                return;
            }
            reading.set(Some(name.clone()));
            let (on_imported, reading) = (on_imported.clone(), reading.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let text = read_text(file).await;
                // Let "Reading…" paint before a big file is parsed in one go.
                gloo_timers::future::TimeoutFuture::new(0).await;
                let result = text.map_err(|error| format!("{error}.")).and_then(|text| import_har(&text));
                reading.set(None);
                on_imported.emit((name, result));
            });
        })
    };
    let nothing_to_export = props.entries.iter().all(HistoryEntry::is_pending);
    html! {
        <aside class="history-panel card" aria-label="History">
            <header class="panel-head">
                <h2>{"History"}</h2>
                <button type="button" class="button subtle" onclick={on_clear} disabled={props.entries.is_empty()}>{"Clear"}</button>
            </header>
            <div class="history-actions">
                <button type="button" class="button subtle" onclick={on_export} disabled={nothing_to_export}
                    title="Download the history as a HAR file (HTTP Archive 1.2), with the body of the response on screen">
                    {"Export HAR"}
                </button>
                <label class="button subtle file-button" title="Add the requests of a HAR file (from Chrome, Firefox, Playwright or Wirelab) to the history">
                    {"Import HAR"}
                    <input type="file" accept=".har,application/json" class="visually-hidden" onchange={on_import}
                        disabled={reading.is_some()} />
                </label>
            </div>
            if let Some(problem) = &*export_problem {
                <p class="inline-error" role="alert">{format!("Not exported: {problem}")}</p>
            }
            if let Some(name) = &*reading {
                <p class="har-notice ok" role="status">{format!("Reading {name}…")}</p>
            } else if let Some(har) = &props.har_notice {
                <div class={classes!("har-notice", if har.is_problem() { "problem" } else { "ok" })}
                    role={if har.is_problem() { "alert" } else { "status" }} data-testid="har-notice">
                    <p>{&har.summary}</p>
                    if !har.details.is_empty() {
                        <ul class="har-details">
                            { for har.details.iter().take(DETAILS_SHOWN).map(|line| html! { <li>{line}</li> }) }
                            if har.details.len() > DETAILS_SHOWN {
                                <li>{format!("and {} more", har.details.len() - DETAILS_SHOWN)}</li>
                            }
                        </ul>
                    }
                </div>
            }
            if let Some(notice) = &props.notice {
                <p class="notice" role="status">{notice}</p>
            }
            if props.entries.is_empty() {
                <p class="muted empty-history">{"Requests you send (or import from a HAR file) appear here, and stay after a reload."}</p>
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
