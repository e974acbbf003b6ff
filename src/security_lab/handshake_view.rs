//! Your TLS handshake: what this browser and the server agreed (from `/tls/info`) beside the
//! ClientHello the browser sent, every field mapped to its bytes with the Formats lab's byte-map
//! views (`wire::tls::dissect`): choosing a field lights its bytes, pointing at a byte names its
//! field. When there is nothing to show, why, and what to do, in words.

use std::rc::Rc;

use wire::formats::{ByteMap, Node, Path};
use wire::security_lab::{SecurityEvent, TlsReading, TlsStatus};
use yew::prelude::*;

use super::parts::CopyButton;
use crate::formats_lab::document_tree::DocumentTree;
use crate::formats_lab::mapped_bytes::{MappedBytes, describe_byte};

#[derive(Properties, PartialEq)]
pub struct HandshakeViewProps {
    pub tls: TlsStatus,
    pub on_event: Callback<SecurityEvent>,
}

#[function_component(HandshakeView)]
pub fn handshake_view(props: &HandshakeViewProps) -> Html {
    let retry = props.on_event.reform(|_: MouseEvent| SecurityEvent::LoadTls);
    match &props.tls {
        TlsStatus::NotAsked | TlsStatus::FindingPort => html! {
            <div class="sec-view sec-empty" role="status"><span class="spinner" />{"Finding the server's TLS port…"}</div>
        },
        TlsStatus::Fetching { url } => html! {
            <div class="sec-view sec-empty" role="status"><span class="spinner" />{format!("Opening a TLS connection to {url}…")}</div>
        },
        TlsStatus::Failed(problem) => html! {
            <div class="sec-view">
                <section class="card sec-card sec-problem" role="alert" aria-labelledby="sec-tls-problem">
                    <h2 id="sec-tls-problem">{problem.title()}</h2>
                    <p>{problem.explanation()}</p>
                    if let Some(url) = problem.trust_url() {
                        <p><a href={url.clone()} target="_blank" rel="noopener">{format!("Open {url} to accept the certificate")}</a></p>
                    }
                    <div class="sec-actions">
                        <button type="button" class="button primary" onclick={retry}>{"Retry"}</button>
                    </div>
                </section>
            </div>
        },
        TlsStatus::Loaded(reading) => html! {
            <Loaded reading={reading.clone()} on_event={props.on_event.clone()} />
        },
    }
}

#[derive(Properties)]
struct LoadedProps {
    reading: Rc<TlsReading>,
    on_event: Callback<SecurityEvent>,
}

impl PartialEq for LoadedProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.reading, &other.reading) && self.on_event == other.on_event
    }
}

/// The ClientHello's document and byte map, or why it could not be read.
struct Dissection {
    document: Rc<Node>,
    map: Rc<ByteMap>,
    problem: Option<String>,
}

fn dissect(bytes: &[u8]) -> Dissection {
    let dissected = wire::tls::dissect(bytes);
    Dissection {
        document: Rc::new(dissected.document),
        map: Rc::new(dissected.map),
        problem: dissected.error.map(|error| error.to_string()),
    }
}

#[function_component(Loaded)]
fn loaded(props: &LoadedProps) -> Html {
    let reading = &props.reading;
    let dissection = {
        let bytes = reading.client_hello.clone();
        use_memo(Rc::as_ptr(&reading.client_hello) as usize, move |_| dissect(&bytes))
    };
    let selected = use_state(|| None::<Path>);
    let pointed = use_state(|| None::<usize>);
    let copy = props.on_event.reform(SecurityEvent::Copy);
    let facts = reading.facts().into_iter().map(|(label, value)| {
        let copyable = label.starts_with("JA") && !value.starts_with('(');
        html! {
            <div class={classes!("sec-fact-cell", match label {
                "JA3 text" => Some("long"),
                "JA3" | "JA4" => Some("medium"),
                _ => None,
            })}>
                <dt>{label}</dt>
                <dd>
                    <code class="sec-fact" data-fact={label}>{value.clone()}</code>
                    if copyable { <CopyButton text={value} what={label} on_copy={copy.clone()} /> }
                </dd>
            </div>
        }
    });
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |path: Path| selected.set(Some(path)))
    };
    let on_point = {
        let pointed = pointed.clone();
        Callback::from(move |offset: Option<usize>| pointed.set(offset))
    };
    let pointed_line = match *pointed {
        Some(offset) => describe_byte(&dissection.map, &reading.client_hello, offset),
        None => "Point at a byte to name its field; choose a field to light its bytes.".to_string(),
    };
    let refresh = props.on_event.reform(|_: MouseEvent| SecurityEvent::LoadTls);
    html! {
        <div class="sec-view sec-handshake">
            <section class="card sec-card sec-wide" aria-labelledby="sec-negotiated-title">
                <h2 id="sec-negotiated-title">{"What was agreed"}</h2>
                <p class="muted">{format!("From {}, as the server saw this connection.", reading.url)}</p>
                <dl class="sec-fact-grid">{for facts}</dl>
                <div class="sec-actions">
                    <button type="button" class="button subtle" onclick={refresh}>{"Ask again"}</button>
                </div>
                <p class="hint">{"JA3 hashes the ClientHello's fields in the order sent, and Chrome shuffles its extensions, so JA3 changes from one connection to the next; JA4 sorts them, so it stays."}</p>
            </section>
            <section class="card sec-card sec-wide" aria-labelledby="sec-hello-title">
                <h2 id="sec-hello-title">{format!("Your ClientHello ({} bytes)", reading.client_hello.len())}</h2>
                if let Some(problem) = &reading.hex_problem {
                    <p class="error" role="alert">{format!("The server's hex could not be read: {problem}")}</p>
                }
                if let Some(problem) = &dissection.problem {
                    <p class="error" role="alert">{format!("Read up to a problem: {problem}")}</p>
                }
                <div class="sec-hello">
                    <div class="sec-hello-bytes">
                        <MappedBytes bytes={reading.client_hello.clone()} map={dissection.map.clone()} text={false}
                            selected={(*selected).clone()} {on_point} on_pick={on_select.clone()} label="ClientHello bytes" />
                        <p class="muted sec-pointed" aria-live="polite">{pointed_line}</p>
                    </div>
                    <div class="sec-hello-fields">
                        <DocumentTree document={dissection.document.clone()} selected={(*selected).clone()} {on_select} />
                    </div>
                </div>
            </section>
        </div>
    }
}
