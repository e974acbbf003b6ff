//! The response: status and reason, time and sizes, then the body as a tree (JSON and XML),
//! raw text, a hex dump or an image, the headers, the timing phases, and what the server got.
//! A body read as it arrives shows chunk by chunk while it comes (`stream_view.rs`), and stays
//! under "As it arrived". Failures show here too, each with what it means.

use std::cell::RefCell;
use std::rc::Rc;

use wire::http_lab::{Exchange, FetchFailure, HttpOutcome, composed_wire_form};
use wire::http_request::HttpRequest;
use wire::http_status::{StatusClass, reason_phrase, status_class};
use wire::stream_log::StreamLog;
use wire::units::{first_chars, format_bytes, format_millis};
use yew::prelude::*;

use crate::components::hand_off_button::HandOffButton;
use crate::components::hex_view::HexView;
use crate::components::tree_view::{SharedTree, TreeView};
use crate::net::http::AttachedFiles;
use crate::net::indexer::{self, DocumentKind};
use crate::net::navigation::HandOff;

use super::stream_view::StreamView;

/// Raw text views longer than this are cut, with a note.
const MAX_RAW_CHARS: usize = 300_000;

/// The files of the last request, shared with the replay to `/dump/request`.
#[derive(Clone)]
pub struct SharedFiles(pub Rc<RefCell<AttachedFiles>>);

impl PartialEq for SharedFiles {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyTab {
    Arrival,
    Pretty,
    Raw,
    Hex,
    Preview,
    Headers,
    Timing,
    SentVsReceived,
}

impl BodyTab {
    fn label(self) -> &'static str {
        match self {
            BodyTab::Arrival => "As it arrived",
            BodyTab::Pretty => "Pretty",
            BodyTab::Raw => "Raw",
            BodyTab::Hex => "Hex",
            BodyTab::Preview => "Preview",
            BodyTab::Headers => "Headers",
            BodyTab::Timing => "Timing",
            BodyTab::SentVsReceived => "Sent vs received",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Structured {
    Json,
    Xml,
}

fn structured_kind(outcome: &HttpOutcome) -> Option<Structured> {
    let content_type = outcome.header("content-type").unwrap_or_default().to_ascii_lowercase();
    if content_type.contains("json") {
        return Some(Structured::Json);
    }
    if content_type.contains("xml") && !content_type.contains("html") {
        return Some(Structured::Xml);
    }
    let start = outcome.body.iter().copied().find(|byte| !byte.is_ascii_whitespace());
    match start {
        Some(b'{' | b'[') if content_type.is_empty() || content_type.starts_with("text/plain") => {
            Some(Structured::Json)
        }
        _ => None,
    }
}

/// Bodies worth opening in the Formats lab's Decode tab: not text, or a binary data format.
fn is_decodable_binary(outcome: &HttpOutcome) -> bool {
    let content_type = outcome.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let binary_type =
        ["protobuf", "msgpack", "cbor", "octet-stream", "grpc"].iter().any(|kind| content_type.contains(kind));
    !outcome.body.is_empty() && !is_image(outcome) && (binary_type || !outcome.body_is_text)
}

fn is_image(outcome: &HttpOutcome) -> bool {
    outcome.header("content-type").is_some_and(|value| value.trim().to_ascii_lowercase().starts_with("image/"))
}

#[derive(Properties, PartialEq)]
pub struct ResponseViewProps {
    pub exchange: Exchange,
    pub files: SharedFiles,
    /// The body as it arrived, when it was read chunk by chunk.
    pub stream: Option<Rc<StreamLog>>,
}

#[function_component(ResponseView)]
pub fn response_view(props: &ResponseViewProps) -> Html {
    let picked = use_state(|| None::<BodyTab>);
    {
        // A new response opens in its natural tab.
        let picked = picked.clone();
        use_effect_with(props.exchange.clone(), move |_| picked.set(None));
    }
    match &props.exchange {
        Exchange::Idle => html! {
            <section class="response card empty" aria-label="Response">
                <div class="empty-state small">
                    <p>{"Send a request to see its response here."}</p>
                    <p class="muted">{"Try /json, /xml, /status/418, /delay/2, /image/png or /basic-auth/user/pass on this server. Ctrl+Enter sends."}</p>
                </div>
            </section>
        },
        Exchange::Sending => match &props.stream {
            Some(log) => html! {
                <section class="response card" aria-label="Response" aria-busy="true">
                    <div class="status-line">
                        <span class="status-code info" data-testid="response-status">{format!("{} {}", log.status, reason_phrase(log.status).unwrap_or(""))}</span>
                        <span>{"The body is arriving; Cancel stops it."}</span>
                    </div>
                    <div class="response-body" role="region" aria-label="Response body as it arrives" tabindex="0">
                        <StreamView log={log.clone()} />
                    </div>
                </section>
            },
            None => html! {
                <section class="response card" aria-label="Response" aria-busy="true">
                    <div class="status-line"><span class="status-pill connecting"><span class="dot pulse"></span>{"Waiting for the response…"}</span></div>
                </section>
            },
        },
        Exchange::Failed { failure, sent } => html! {
            <section class="response card" aria-label="Response">
                <div class="failure" role="alert" data-testid="response-error">
                    <h3>{failure.title()}</h3>
                    <p>{failure.explanation()}</p>
                    if sent.include_credentials && matches!(failure, FetchFailure::Cors(_)) {
                        <p>{"This request sent cookies (Send cookies is on): a browser then also needs \
                            Access-Control-Allow-Credentials: true and Access-Control-Allow-Origin set to this page's \
                            exact origin; a * is not enough. Turn Send cookies off under Options to try without them."}</p>
                    }
                    <p class="muted">{format!("{} · the request is kept as you typed it.", sent.label())}</p>
                </div>
                if let Some(log) = &props.stream {
                    <div class="response-body" role="region" aria-label="What arrived before it stopped" tabindex="0">
                        <StreamView log={log.clone()} />
                    </div>
                }
            </section>
        },
        Exchange::Done { outcome, sent } => {
            let structured = structured_kind(outcome);
            let natural = if props.stream.is_some() {
                BodyTab::Arrival
            } else if structured.is_some() {
                BodyTab::Pretty
            } else if is_image(outcome) {
                BodyTab::Preview
            } else if outcome.body_is_text {
                BodyTab::Raw
            } else {
                BodyTab::Hex
            };
            let tab = picked.unwrap_or(natural);
            let mut tabs = Vec::new();
            if props.stream.is_some() {
                tabs.push(BodyTab::Arrival);
            }
            if structured.is_some() {
                tabs.push(BodyTab::Pretty);
            }
            if is_image(outcome) {
                tabs.push(BodyTab::Preview);
            }
            tabs.extend([BodyTab::Raw, BodyTab::Hex, BodyTab::Headers, BodyTab::Timing, BodyTab::SentVsReceived]);
            let tab_buttons: Html = tabs
                .iter()
                .map(|&candidate| {
                    let picked = picked.clone();
                    let active = candidate == tab;
                    html! {
                        <button type="button" role="tab" class={classes!("tab", active.then_some("active"))}
                            aria-selected={active.to_string()} onclick={Callback::from(move |_| picked.set(Some(candidate)))}>
                            {candidate.label()}
                            if candidate == BodyTab::Headers { <span class="tab-count">{outcome.headers.len()}</span> }
                        </button>
                    }
                })
                .collect();
            let body = match (tab, &props.stream) {
                (BodyTab::Arrival, Some(log)) => html! { <StreamView log={log.clone()} /> },
                (BodyTab::Arrival, None) => raw_view(&outcome.body),
                (BodyTab::Pretty, _) => {
                    html! { <StructuredBody outcome={outcome.clone()} kind={structured.unwrap_or(Structured::Json)} /> }
                }
                (BodyTab::Raw, _) => raw_view(&outcome.body),
                (BodyTab::Hex, _) => html! { <HexView bytes={outcome.body.clone()} /> },
                (BodyTab::Preview, _) => html! { <ImagePreview outcome={outcome.clone()} /> },
                (BodyTab::Headers, _) => headers_view(outcome),
                (BodyTab::Timing, _) => timing_view(outcome),
                (BodyTab::SentVsReceived, _) => {
                    html! { <SentVsReceived sent={sent.clone()} files={props.files.clone()} /> }
                }
            };
            let class = match status_class(outcome.status) {
                StatusClass::Success => "ok",
                StatusClass::Redirection | StatusClass::Informational => "info",
                StatusClass::ClientError => "client-error",
                StatusClass::ServerError => "server-error",
                StatusClass::Unknown => "info",
            };
            let reason = if outcome.status_text.is_empty() {
                reason_phrase(outcome.status).unwrap_or("").to_string()
            } else {
                outcome.status_text.clone()
            };
            html! {
                <section class="response card" aria-label="Response">
                    <div class="status-line">
                        <span class={classes!("status-code", class)} data-testid="response-status">{format!("{} {reason}", outcome.status)}</span>
                        <span title="From sending to the last byte">{format_millis(outcome.duration_ms)}</span>
                        <span title="Body size">{format!("{} body", format_bytes(outcome.body.len() as u64))}</span>
                        <span title="Approximate size of the status line and headers">{format!("{} headers", format_bytes(outcome.header_bytes() as u64))}</span>
                        if outcome.redirected {
                            <span class="muted">{format!("redirected to {}", outcome.final_url)}</span>
                        }
                        <span class="spacer"></span>
                        if is_decodable_binary(outcome) {
                            <HandOffButton to={HandOff::Decode} bytes={outcome.body.clone()} origin={format!("HTTP body of {}", sent.label())} />
                        }
                        <HandOffButton to={HandOff::Hash} bytes={outcome.body.clone()} origin={format!("HTTP body of {}", sent.label())} />
                    </div>
                    <div class="tabs" role="tablist" aria-label="Response views">{tab_buttons}</div>
                    <div class="response-body" role="region" aria-label="Response body" tabindex="0">{body}</div>
                </section>
            }
        }
    }
}

fn raw_view(body: &[u8]) -> Html {
    if body.is_empty() {
        return html! { <p class="muted">{"(empty body)"}</p> };
    }
    // At most four bytes a character: the characters shown are all in this prefix, and a 20 MB
    // body is not converted whole to show its start.
    let prefix = &body[..body.len().min(MAX_RAW_CHARS * 4)];
    let text = String::from_utf8_lossy(prefix);
    let (shown, cut) = first_chars(&text, MAX_RAW_CHARS);
    let cut = cut || prefix.len() < body.len();
    html! {
        <>
            <pre class="payload-text" data-testid="response-raw">{shown}</pre>
            if cut { <p class="muted">{format!("Showing the first {MAX_RAW_CHARS} characters; Hex pages through every byte.")}</p> }
        </>
    }
}

fn headers_view(outcome: &HttpOutcome) -> Html {
    html! {
        <table class="headers-table" aria-label="Response headers">
            <tbody>
                { for outcome.headers.iter().map(|(name, value)| html! {
                    <tr><th class="mono">{name}</th><td class="mono">{value}</td></tr>
                }) }
            </tbody>
        </table>
    }
}

fn timing_view(outcome: &HttpOutcome) -> Html {
    let breakdown = match &outcome.timing {
        Ok(breakdown) => breakdown,
        Err(reason) => return html! { <p class="muted">{format!("No timing phases: {reason}.")}</p> },
    };
    let total = breakdown.total_ms.max(0.001);
    html! {
        <div class="timing">
            <p>
                {format!("Total {} (Resource Timing)", format_millis(breakdown.total_ms))}
                if !breakdown.protocol.is_empty() {
                    {", over "}<strong data-testid="response-protocol">{&breakdown.protocol}</strong>
                }
            </p>
            <div class="timing-rows">
                { for breakdown.phases.iter().map(|phase| {
                    let left = (phase.start_ms / total * 100.0).clamp(0.0, 100.0);
                    let width = (phase.duration_ms / total * 100.0).clamp(0.3, 100.0 - left);
                    html! {
                        <div class="timing-row">
                            <span class="timing-name">{phase.name}</span>
                            <span class="timing-track"><span class="timing-bar" style={format!("left: {left:.2}%; width: {width:.2}%")}></span></span>
                            <span class="timing-value">{format_millis(phase.duration_ms)}</span>
                        </div>
                    }
                }) }
            </div>
            if !breakdown.notes.is_empty() {
                <ul class="timing-notes">{ for breakdown.notes.iter().map(|note| html! { <li>{note}</li> }) }</ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct StructuredBodyProps {
    outcome: Rc<HttpOutcome>,
    kind: Structured,
}

/// Builds the tree in a worker (`net::indexer`) after the status line has painted, so a 20 MB
/// body never blocks the page.
#[function_component(StructuredBody)]
fn structured_body(props: &StructuredBodyProps) -> Html {
    let tree = use_state(|| None::<Result<(SharedTree, Option<String>), String>>);
    {
        let tree = tree.clone();
        use_effect_with((props.outcome.clone(), props.kind), move |(outcome, kind)| {
            tree.set(None);
            let outcome = outcome.clone();
            let kind = match kind {
                Structured::Json => DocumentKind::Json,
                Structured::Xml => DocumentKind::Xml,
            };
            wasm_bindgen_futures::spawn_local(async move {
                let built = indexer::index(&outcome.body, kind).await;
                tree.set(Some(built.map(|indexed| (SharedTree(Rc::new(indexed.tree)), indexed.on_page_because))));
            });
        });
    }
    match &*tree {
        None => html! { <p class="muted" role="status">{"Building the tree…"}</p> },
        Some(Ok((tree, on_page_because))) => html! {
            <>
                if let Some(reason) = on_page_because {
                    <p class="muted small" title={reason.clone()}>{"Indexed on the page (the indexing worker is unavailable)."}</p>
                }
                <TreeView tree={tree.clone()} />
            </>
        },
        Some(Err(error)) => html! {
            <>
                <p class="inline-error" role="alert">{format!("The body is not valid {}: {error}", if props.kind == Structured::Json { "JSON" } else { "XML" })}</p>
                { raw_view(&props.outcome.body) }
            </>
        },
    }
}

#[derive(Properties, PartialEq)]
struct ImagePreviewProps {
    outcome: Rc<HttpOutcome>,
}

#[function_component(ImagePreview)]
fn image_preview(props: &ImagePreviewProps) -> Html {
    let url = use_state(|| None::<String>);
    {
        let url = url.clone();
        use_effect_with(props.outcome.clone(), move |outcome| {
            let created = object_url(&outcome.body, outcome.header("content-type").unwrap_or("image/png"));
            url.set(created.clone());
            move || {
                if let Some(created) = created {
                    let _ = web_sys::Url::revoke_object_url(&created);
                }
            }
        });
    }
    match &*url {
        Some(src) => {
            html! { <div class="image-preview"><img src={src.clone()} alt="The response body as an image" /></div> }
        }
        None => html! { <p class="muted">{"The image could not be prepared for preview."}</p> },
    }
}

fn object_url(bytes: &[u8], content_type: &str) -> Option<String> {
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

#[derive(Properties, PartialEq)]
struct SentVsReceivedProps {
    sent: Rc<HttpRequest>,
    files: SharedFiles,
}

/// Replays the request to this server's `/dump/request` and shows what arrived beside what was
/// composed, so headers the browser added, changed or dropped become visible.
#[function_component(SentVsReceived)]
fn sent_vs_received(props: &SentVsReceivedProps) -> Html {
    let received = use_state(|| None::<Result<String, String>>);
    let page_origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let target_origin = url::Url::parse(&props.sent.url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    let ours = !page_origin.is_empty() && page_origin == target_origin;
    {
        let received = received.clone();
        let files = props.files.clone();
        use_effect_with((props.sent.clone(), ours), move |(sent, ours)| {
            received.set(None);
            if *ours {
                let mut replay = (**sent).clone();
                if let Ok(mut url) = url::Url::parse(&replay.url) {
                    url.set_path("/dump/request");
                    replay.url = url.to_string();
                }
                let received = received.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let controller = web_sys::AbortController::new().ok();
                    let result = match controller {
                        Some(controller) => {
                            let files = files.0.borrow().clone();
                            crate::net::http::send(&replay, &files, &controller, || None).await
                        }
                        None => Err(FetchFailure::Refused("AbortController is not available".into())),
                    };
                    received.set(Some(match result {
                        Ok(outcome) => Ok(String::from_utf8_lossy(&outcome.body).into_owned()),
                        Err(failure) => Err(failure.explanation()),
                    }));
                });
            }
        });
    }
    let composed = composed_wire_form(&props.sent);
    html! {
        <div class="sent-vs-received">
            <div>
                <h3>{"What you composed"}</h3>
                <pre class="payload-text" data-testid="composed">{composed.clone()}</pre>
            </div>
            <div>
                <h3>{"What the server got"}</h3>
                if !ours {
                    <p class="muted">{"Only requests to this Wirelab server can be replayed to /dump/request; this one went elsewhere."}</p>
                } else {
                    { match &*received {
                        None => html! { <p class="muted">{"Replaying to /dump/request…"}</p> },
                        Some(Ok(text)) => html! { <pre class="payload-text" data-testid="server-got">{ marked_lines(text, &composed) }</pre> },
                        Some(Err(error)) => html! { <p class="inline-error">{error}</p> },
                    } }
                    <p class="hint">{"The same request was sent again to /dump/request, which answers with the request exactly as it arrived. "}
                        <mark class="added">{"Highlighted"}</mark>{" headers are ones the browser added."}</p>
                }
            </div>
        </div>
    }
}

/// The server's view of the request, with header lines whose name the composed request did not
/// have highlighted (the browser added them).
fn marked_lines(received: &str, composed: &str) -> Html {
    let header_name = |line: &str| line.split_once(':').map(|(name, _)| name.trim().to_ascii_lowercase());
    let composed_names: Vec<String> =
        composed.lines().skip(1).take_while(|line| !line.is_empty()).filter_map(header_name).collect();
    let mut in_head = true;
    received
        .lines()
        .enumerate()
        .map(|(index, line)| {
            if line.is_empty() {
                in_head = false;
            }
            let added = in_head && index > 0 && header_name(line).is_some_and(|name| !composed_names.contains(&name));
            if added {
                html! { <><mark class="added">{line}</mark>{"\n"}</> }
            } else {
                html! { <>{line}{"\n"}</> }
            }
        })
        .collect()
}
