//! The message log: a filter bar, running totals, and a virtualised list that renders only the
//! rows on screen, so ten thousand entries scroll as smoothly as ten. Autoscroll pauses when the
//! person scrolls up and resumes at the bottom.

use wire::message_log::{Direction, EntryBody, EventKind, LogEntry, LogFilter};
use wire::units::{format_bytes, format_clock};
use wire::virtual_list::visible_rows;
use wire::ws_inspect::{MessageFacts, summarize};
use yew::prelude::*;

use super::effects::Session;
use super::har_export::ExportHarButton;
use crate::net::utc_offset_minutes;

/// Height of one row in pixels; must match `.log-row` in style.css.
const ROW_HEIGHT: f64 = 30.0;
const OVERSCAN_ROWS: usize = 8;

/// The session's log as a prop: equal while the log is unchanged, so the list is not redrawn
/// for edits elsewhere in the lab (the log itself is read from the session, never copied).
#[derive(Clone, PartialEq)]
pub struct LogSnapshot {
    session: Session,
    revision: u64,
}

impl LogSnapshot {
    pub fn new(session: &Session) -> LogSnapshot {
        let revision = session.state().log_revision();
        LogSnapshot { session: session.clone(), revision }
    }
}

#[derive(Properties, PartialEq)]
pub struct MessageListProps {
    pub snapshot: LogSnapshot,
    pub filter: LogFilter,
    pub selected: Option<u64>,
    pub autoscroll: bool,
    pub on_filter: Callback<LogFilter>,
    pub on_select: Callback<u64>,
    pub on_autoscroll: Callback<bool>,
    pub on_clear: Callback<()>,
}

#[function_component(MessageList)]
pub fn message_list(props: &MessageListProps) -> Html {
    let viewport = use_node_ref();
    // (scroll top, viewport height) as last measured.
    let scroll = use_state(|| (0.0_f64, 480.0_f64));

    // Follow the newest entry while autoscroll is on.
    {
        let viewport = viewport.clone();
        let follow = props.autoscroll;
        use_effect(move || {
            if let (true, Some(element)) = (follow, viewport.cast::<web_sys::Element>()) {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    let on_scroll = {
        let scroll = scroll.clone();
        let on_autoscroll = props.on_autoscroll.clone();
        let autoscroll = props.autoscroll;
        Callback::from(move |event: Event| {
            let element: web_sys::Element = event.target_unchecked_into();
            let top = f64::from(element.scroll_top());
            let height = f64::from(element.client_height());
            let at_bottom = top + height >= f64::from(element.scroll_height()) - ROW_HEIGHT;
            if at_bottom != autoscroll {
                on_autoscroll.emit(at_bottom);
            }
            scroll.set((top, height));
        })
    };

    let session = props.snapshot.session.state();
    let log = &session.log;
    let indexes: Option<Vec<usize>> = (!props.filter.is_empty()).then(|| log.matching(&props.filter));
    let total = indexes.as_ref().map_or(log.len(), Vec::len);
    let (scroll_top, viewport_height) = *scroll;
    let viewport_height = if viewport_height > 0.0 { viewport_height } else { 480.0 };
    let range = if props.autoscroll {
        // Render the tail: the effect above scrolls there after this render.
        let visible = (viewport_height / ROW_HEIGHT).ceil() as usize + OVERSCAN_ROWS;
        total.saturating_sub(visible)..total
    } else {
        visible_rows(total, ROW_HEIGHT, scroll_top, viewport_height, OVERSCAN_ROWS)
    };
    let offset_minutes = utc_offset_minutes();
    let rows: Html = range
        .clone()
        .filter_map(|position| {
            let index = indexes.as_ref().map_or(Some(position), |indexes| indexes.get(position).copied())?;
            let entry = log.entry(index)?;
            let frames = session.frames.get(&entry.id);
            Some(render_row(
                entry,
                frames,
                position,
                props.selected == Some(entry.id),
                &props.on_select,
                offset_minutes,
            ))
        })
        .collect();

    let on_query = {
        let filter = props.filter.clone();
        let on_filter = props.on_filter.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_filter.emit(LogFilter { query: input.value(), ..filter.clone() });
        })
    };
    let on_direction = {
        let filter = props.filter.clone();
        let on_filter = props.on_filter.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            let direction = match select.value().as_str() {
                "sent" => Some(Direction::Sent),
                "received" => Some(Direction::Received),
                _ => None,
            };
            on_filter.emit(LogFilter { direction, ..filter.clone() });
        })
    };
    let on_follow = {
        let on_autoscroll = props.on_autoscroll.clone();
        let autoscroll = props.autoscroll;
        Callback::from(move |_| on_autoscroll.emit(!autoscroll))
    };
    let on_clear = {
        let on_clear = props.on_clear.clone();
        Callback::from(move |_| on_clear.emit(()))
    };
    let sent = log.sent();
    let received = log.received();
    let direction_value = match props.filter.direction {
        None => "all",
        Some(Direction::Sent) => "sent",
        Some(Direction::Received) => "received",
    };
    html! {
        <section class="log-panel card" aria-label="Message log">
            <div class="log-toolbar">
                <label class="field grow">
                    <span class="field-label visually-hidden">{"Filter"}</span>
                    <input type="search" placeholder="Filter: text, or hex bytes like de ad" value={props.filter.query.clone()}
                        oninput={on_query} aria-label="Filter" />
                </label>
                <label class="field inline">
                    <span class="field-label visually-hidden">{"Direction"}</span>
                    <select onchange={on_direction} aria-label="Direction">
                        <option value="all" selected={direction_value == "all"}>{"All"}</option>
                        <option value="sent" selected={direction_value == "sent"}>{"Sent"}</option>
                        <option value="received" selected={direction_value == "received"}>{"Received"}</option>
                    </select>
                </label>
                <button type="button" class={classes!("button", "subtle", props.autoscroll.then_some("on"))}
                    aria-pressed={props.autoscroll.to_string()} onclick={on_follow}
                    title="Keep the newest message in view">
                    {if props.autoscroll { "Autoscroll on" } else { "Autoscroll paused" }}
                </button>
                <button type="button" class="button subtle" onclick={on_clear} disabled={log.is_empty()}>{"Clear"}</button>
                <ExportHarButton session={props.snapshot.session.clone()}
                    has_session={props.snapshot.session.state().session_record.is_some()} />
            </div>
            <p class="log-stats" data-testid="log-stats">
                <span title="Messages sent">{format!("↑ {} sent ({})", sent.messages, format_bytes(sent.bytes))}</span>
                <span title="Messages received">{format!("↓ {} received ({})", received.messages, format_bytes(received.bytes))}</span>
                <span>{format!("{} shown", total)}</span>
                if log.dropped() > 0 {
                    <span class="warn" title="The log keeps the newest entries only">
                        {format!("{} oldest dropped (keeps {})", log.dropped(), log.capacity())}
                    </span>
                }
            </p>
            <div class="log-viewport" ref={viewport} onscroll={on_scroll} tabindex="0" role="region"
                aria-label="Message log: scroll with the arrow keys">
                if total == 0 {
                    <div class="empty-state small">
                        if log.is_empty() {
                            <p>{"No messages yet."}</p>
                            <p class="muted">{"Connect, then send something: the echo server sends every message straight back."}</p>
                        } else {
                            <p>{"Nothing matches the filter."}</p>
                        }
                    </div>
                } else {
                    <ul class="log-rows" aria-label="Messages" style={format!("height: {}px", total as f64 * ROW_HEIGHT)}>
                        {rows}
                    </ul>
                }
            </div>
        </section>
    }
}

fn render_row(
    entry: &LogEntry,
    frames: Option<&MessageFacts>,
    position: usize,
    selected: bool,
    on_select: &Callback<u64>,
    offset_minutes: i32,
) -> Html {
    let style = format!("top: {}px", position as f64 * ROW_HEIGHT);
    let time = format_clock(entry.at_ms, offset_minutes);
    match &entry.body {
        EntryBody::Event { kind, text } => {
            let class = match kind {
                EventKind::Info => "event-info",
                EventKind::Error => "event-error",
            };
            html! {
                <li class={classes!("log-row", "log-event", class)} {style} title={text.clone()}>
                    <span class="log-time">{time}</span>
                    <span class="log-dir" aria-hidden="true">{"•"}</span>
                    <span class="log-text">{text}</span>
                </li>
            }
        }
        EntryBody::Message { direction, payload } => {
            let id = entry.id;
            let onclick = {
                let on_select = on_select.clone();
                Callback::from(move |_| on_select.emit(id))
            };
            let (arrow, direction_class, direction_label) = match direction {
                Direction::Sent => ("↑", "sent", "sent"),
                Direction::Received => ("↓", "received", "received"),
            };
            let kind = if payload.is_binary() { "binary" } else { "text" };
            html! {
                <li class={classes!("log-row", "log-message", direction_class, selected.then_some("selected"))} {style}
                    data-direction={direction_label} data-kind={kind}>
                    <button type="button" class="log-button" {onclick} aria-pressed={selected.to_string()}>
                        <span class="log-time">{time}</span>
                        <span class="log-dir" aria-label={direction_label}>{arrow}</span>
                        <span class={classes!("badge", kind)}>{if payload.is_binary() { "bin" } else { "text" }}</span>
                        <span class="log-size">{format_bytes(payload.len() as u64)}</span>
                        <span class="log-text mono">{payload.preview(160)}</span>
                        if let Some(facts) = frames {
                            <span class="log-frames" title="The frames the server saw (from /ws/inspect)">{summarize(facts)}</span>
                        }
                    </button>
                </li>
            }
        }
    }
}
