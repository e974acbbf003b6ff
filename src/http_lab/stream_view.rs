//! A response body as it arrived: a summary (chunks, bytes, when the head, the first and the
//! last chunk came), then what the chunks carried by content type (Server-Sent Events blocks
//! with their fields, or complete lines), then the chunks themselves with their arrival times
//! since the request was sent, sizes, running totals and bytes. Live while the body arrives.

use std::rc::Rc;

use wire::stream_log::{ChunkText, StreamEnd, StreamFormat, StreamLog};
use wire::units::{format_bytes, format_millis};
use yew::prelude::*;

/// Rows drawn per table (the newest); the log keeps more and counts all.
const ROWS_SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct StreamViewProps {
    pub log: Rc<StreamLog>,
}

#[function_component(StreamView)]
pub fn stream_view(props: &StreamViewProps) -> Html {
    let log = &props.log;
    let (state_class, state_text) = match &log.ended {
        None => ("connecting", "receiving…".to_string()),
        Some((_, StreamEnd::Complete)) => ("open", "complete".to_string()),
        Some((_, StreamEnd::Cut(reason))) => ("closed", format!("stopped: {reason}")),
    };
    let span = log
        .chunk_span_ms()
        .map(|(first, last)| format!("first chunk after {}, last after {}", format_millis(first), format_millis(last)));
    html! {
        <div class="stream-view" data-testid="stream-view">
            <p class="stream-summary" data-testid="stream-summary" role="status">
                <span class={classes!("status-pill", state_class)}>
                    <span class={classes!("dot", log.ended.is_none().then_some("pulse"))}></span>{state_text}
                </span>
                <span data-testid="stream-chunk-count">{format!("{} chunks", log.chunk_count)}</span>
                <span>{format_bytes(log.total_bytes)}</span>
                <span>{format!("status {} · read as {} · head after {}", log.status, log.format.label(), format_millis(log.headers_at_ms))}</span>
                if let Some(span) = span { <span>{span}</span> }
            </p>
            { match log.format {
                StreamFormat::EventStream => events_table(log),
                StreamFormat::Lines => lines_table(log),
                StreamFormat::Bytes => html! {},
            } }
            { chunks_table(log) }
        </div>
    }
}

/// "Showing the newest N of M" when rows were left out.
fn shown_note(shown: usize, total: u64) -> Html {
    if (shown as u64) < total {
        html! { <p class="muted small">{format!("Showing the newest {shown} of {total}.")}</p> }
    } else {
        html! {}
    }
}

fn chunks_table(log: &StreamLog) -> Html {
    let skip = log.chunks.len().saturating_sub(ROWS_SHOWN);
    let rows: Html = log
        .chunks
        .iter()
        .skip(skip)
        .map(|chunk| {
            let (class, text) = match chunk.shown() {
                ChunkText::Text(text) => ("mono", text),
                ChunkText::Hex(hex) => ("mono hex", hex),
            };
            let cut = if chunk.preview_is_cut() { "…" } else { "" };
            html! {
                <tr class="stream-chunk" data-at-ms={format!("{:.1}", chunk.at_ms)} data-size={chunk.size.to_string()}>
                    <td class="num">{chunk.number}</td>
                    <td class="num">{format_millis(chunk.at_ms)}</td>
                    <td class="num">{chunk.size}</td>
                    <td class="num">{chunk.cumulative}</td>
                    <td class={classes!("stream-bytes", class)}>{text}{cut}</td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="stream-section" aria-label="Chunks">
            <h3>{"Chunks"}<span class="tab-count">{log.chunk_count}</span></h3>
            if log.chunk_count == 0 {
                <p class="muted">{"No chunk yet."}</p>
            } else {
                <table class="stream-table">
                    <thead><tr><th>{"#"}</th><th>{"Arrived"}</th><th>{"Bytes"}</th><th>{"Total"}</th><th>{"Content"}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                { shown_note(log.chunks.len().min(ROWS_SHOWN), log.chunk_count) }
            }
            <p class="hint">{"Each row is one read() of the body's ReadableStream: what the browser had received since the last \
                one. Times count from sending the request."}</p>
        </section>
    }
}

fn lines_table(log: &StreamLog) -> Html {
    let skip = log.lines.len().saturating_sub(ROWS_SHOWN);
    let rows: Html = log
        .lines
        .iter()
        .skip(skip)
        .map(|line| {
            html! {
                <tr class="stream-line">
                    <td class="num">{line.number}</td>
                    <td class="num">{format_millis(line.at_ms)}</td>
                    <td class="mono stream-bytes">{&line.text}</td>
                </tr>
            }
        })
        .collect();
    html! {
        <section class="stream-section" aria-label="Lines">
            <h3>{"Lines"}<span class="tab-count" data-testid="stream-line-count">{log.line_count}</span></h3>
            <table class="stream-table">
                <thead><tr><th>{"#"}</th><th>{"Complete at"}</th><th>{"Line"}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            { shown_note(log.lines.len().min(ROWS_SHOWN), log.line_count) }
        </section>
    }
}

fn events_table(log: &StreamLog) -> Html {
    let skip = log.events.len().saturating_sub(ROWS_SHOWN);
    let rows: Html = log
        .events
        .iter()
        .skip(skip)
        .map(|block| {
            let mut notes = Vec::new();
            if let Some(retry) = block.retry_ms {
                notes.push(format!("retry: {retry} ms"));
            }
            notes.extend(block.comments.iter().map(|comment| format!(": {comment}")));
            notes.extend(block.ignored.iter().map(|line| format!("ignored: {line}")));
            html! {
                <tr class={classes!("stream-event", (!block.dispatches()).then_some("no-dispatch"))}
                    data-id={block.id.clone().unwrap_or_default()} data-type={block.event_type().to_string()}>
                    <td class="num">{format_millis(block.at_ms)}</td>
                    <td class="mono">{block.id.clone().unwrap_or_default()}</td>
                    <td class="mono">{ if block.dispatches() { block.event_type().to_string() } else { "(no event)".to_string() } }</td>
                    <td class="mono stream-bytes">{block.data.clone().unwrap_or_default()}</td>
                    <td class="mono muted">{notes.join(" · ")}</td>
                </tr>
            }
        })
        .collect();
    let retry = log.retry_ms().map_or_else(|| "none".to_string(), |retry| format!("{retry} ms"));
    html! {
        <section class="stream-section" aria-label="Events">
            <h3>{"Server-Sent Events"}<span class="tab-count" data-testid="stream-event-count">{log.event_count}</span></h3>
            <table class="stream-table">
                <thead><tr><th>{"Arrived"}</th><th>{"id"}</th><th>{"event"}</th><th>{"data"}</th><th>{"Also"}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            { shown_note(log.events.len().min(ROWS_SHOWN), log.event_count) }
            <p class="hint">
                {format!("Last event id: {:?} (what a reconnect would send as Last-Event-ID) · retry in force: {retry}. ",
                    log.last_event_id())}
                {"Parsed here from the raw bytes; the EventSource panel below shows what the browser's own client makes of the same stream."}
            </p>
        </section>
    }
}
