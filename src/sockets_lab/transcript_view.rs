//! One connection's transcript: every chunk as it arrived (direction, time since Connect, size,
//! its text with CR, LF and other controls visible, a hex dump on demand), what happened to the
//! connection in words, and each protocol reply explained under the chunk that completed it.
//!
//! The newest entries are shown (earlier ones on request), and the view follows the newest
//! entry unless the person scrolls up. It reads the transcript from the store and redraws only
//! when the lab's revision changes, so typing elsewhere never redraws it.

use std::collections::HashMap;
use std::rc::Rc;

use wire::bridge_event::Transport;
use wire::message_log::Direction;
use wire::sockets::lab::{Channel, Link, SocketsLabState};
use wire::sockets::replies::Reply;
use wire::sockets::target::Target;
use wire::sockets::transcript::{Entry, EntryBody, transport_label};
use wire::sockets::visible_text::{Piece, pieces, shown_prefix};
use wire::units::{format_bytes, format_millis};
use yew::prelude::*;

use super::LabSnapshot;
use super::pictures::control_span;
use super::reply_view::{DataLinkState, ReplyView};
use crate::components::capture_actions::CaptureActions;
use crate::components::hand_off_button::HandOffButton;
use crate::components::hex_view::HexView;
use crate::net::navigation::HandOff;

/// Entries shown at first, and added by each "Show earlier entries".
const PAGE_ENTRIES: usize = 200;
/// Pieces of one chunk drawn at first (binary bytes are a piece each): a chunk of 64 KiB of
/// binary would otherwise be tens of thousands of elements. "Show all as text" draws the rest.
const PIECES_SHOWN: usize = 1_500;

#[derive(Properties, PartialEq)]
pub struct TranscriptViewProps {
    pub snapshot: LabSnapshot,
    pub channel: Channel,
    #[prop_or_default]
    pub data_error: Option<String>,
    #[prop_or_default]
    pub on_open_data: Callback<()>,
}

/// The id of an entry's element, for links between the two transcripts.
pub fn entry_anchor(channel: Channel, id: u64) -> String {
    match channel {
        Channel::Control => format!("sockets-control-{id}"),
        Channel::Data => format!("sockets-data-{id}"),
    }
}

fn channel_title(channel: Channel) -> &'static str {
    match channel {
        Channel::Control => "Transcript",
        Channel::Data => "FTP data connection",
    }
}

/// What a channel's capture is of, in the capture buttons' names.
fn capture_of(channel: Channel) -> &'static str {
    match channel {
        Channel::Control => "the connection",
        Channel::Data => "the FTP data connection",
    }
}

/// Where the data connection to the latest passive reply's address stands.
fn data_link_state(state: &SocketsLabState) -> Option<(u64, DataLinkState)> {
    let passive = state.passive.as_ref()?;
    let opened = state.data.as_ref().filter(|data| {
        data.target == Target::Address { host: passive.host.clone(), port: passive.port }
            && data.transcript.iter().next().is_some_and(|first| {
                state
                    .control
                    .as_ref()
                    .and_then(|control| control.transcript.by_id(passive.reply_chunk))
                    .is_none_or(|reply_entry| first.at_ms >= reply_entry.at_ms)
            })
    });
    match opened {
        Some(data) => Some((passive.reply_chunk, DataLinkState::Opened(data.status))),
        None if state.control.as_ref().is_some_and(Link::is_live) => {
            Some((passive.reply_chunk, DataLinkState::CanOpen))
        }
        None => None,
    }
}

#[function_component(TranscriptView)]
pub fn transcript_view(props: &TranscriptViewProps) -> Html {
    let viewport = use_node_ref();
    let follow = use_state(|| true);
    let limit = use_state(|| PAGE_ENTRIES);
    {
        let viewport = viewport.clone();
        let follow = *follow;
        use_effect(move || {
            if let (true, Some(element)) = (follow, viewport.cast::<web_sys::Element>()) {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    let on_scroll = {
        let follow = follow.clone();
        Callback::from(move |event: Event| {
            let element: web_sys::Element = event.target_unchecked_into();
            let at_bottom = element.scroll_top() + element.client_height() >= element.scroll_height() - 24;
            if at_bottom != *follow {
                follow.set(at_bottom);
            }
        })
    };

    let state = props.snapshot.state();
    let channel = props.channel;
    let title = channel_title(channel);
    let Some(link) = state.link(channel) else {
        return html! {
            <section class="transcript card" aria-label={title}>
                <div class="transcript-head"><h2>{title}</h2></div>
                <div class="empty-state small">
                    <p>{"Nothing yet."}</p>
                    <p class="muted">{"Connect to a peer, or start a walkthrough: every byte both ways appears here, with each reply explained."}</p>
                </div>
            </section>
        };
    };
    let transcript = &link.transcript;
    let total = transcript.len();
    let first_shown = total.saturating_sub(*limit);
    let mut replies: HashMap<u64, Vec<Reply>> = HashMap::new();
    let first_id = transcript.entry(first_shown).map_or(0, |entry| entry.id);
    for reply in link.replies.iter().filter(|reply| reply.last_chunk >= first_id) {
        replies.entry(reply.last_chunk).or_default().push(reply.clone());
    }
    let passive = if channel == Channel::Control { data_link_state(&state) } else { None };
    let rows: Html = (first_shown..total)
        .filter_map(|index| transcript.entry(index))
        .map(|entry| {
            let data_link = passive.filter(|(chunk, _)| *chunk == entry.id).map(|(_, state)| state);
            html! {
                <EntryView
                    key={entry.id}
                    {channel}
                    entry={entry.clone()}
                    elapsed_ms={transcript.elapsed_ms(entry)}
                    transport={transcript.transport}
                    replies={replies.remove(&entry.id).unwrap_or_default()}
                    {data_link}
                    data_error={data_link.and(props.data_error.clone())}
                    on_open_data={props.on_open_data.clone()}
                />
            }
        })
        .collect();
    let show_earlier = (first_shown > 0).then(|| {
        let limit = limit.clone();
        let follow = follow.clone();
        let onclick = Callback::from(move |_| {
            follow.set(false);
            limit.set(*limit + PAGE_ENTRIES);
        });
        html! {
            <button type="button" class="button subtle show-earlier" {onclick}>
                {format!("Show earlier entries ({first_shown} not shown)")}
            </button>
        }
    });
    let sent = transcript.sent();
    let received = transcript.received();
    let unit = match (link.transport, sent.messages == 1) {
        (Transport::Udp, true) => "datagram",
        (Transport::Udp, false) => "datagrams",
        (Transport::Tcp, true) => "chunk",
        (Transport::Tcp, false) => "chunks",
    };
    let origin = (channel == Channel::Data)
        .then(|| {
            state
                .passive
                .as_ref()
                .filter(|passive| link.target == Target::Address { host: passive.host.clone(), port: passive.port })
        })
        .flatten()
        .map(|passive| {
            html! {
                <a class="small" href={format!("#{}", entry_anchor(Channel::Control, passive.reply_chunk))}>
                    {"opened from this passive reply"}
                </a>
            }
        });
    let section_id = (channel == Channel::Data).then_some("sockets-data-transcript");
    html! {
        <section class={classes!("transcript", "card", (channel == Channel::Data).then_some("data-transcript"))}
            id={section_id} aria-label={title} data-channel={format!("{channel:?}").to_lowercase()}>
            <div class="transcript-head">
                <h2>{title}</h2>
                <span class="transcript-target mono">
                    {format!("{} · {} over {}", link.target.query_value(), link.protocol.label(), transport_label(link.transport))}
                </span>
                {origin}
                <span class="spacer"></span>
                if let Some(url) = state.capture_url(channel) {
                    <CaptureActions url={url} what={capture_of(channel)} />
                }
                <span class="transcript-totals" data-testid="transcript-totals">
                    <span class="sent-text">{format!("→ {} {unit} sent ({})", sent.messages, format_bytes(sent.bytes))}</span>
                    <span class="received-text">{format!("← {} received ({})", received.messages, format_bytes(received.bytes))}</span>
                </span>
                if !*follow {
                    <button type="button" class="button subtle" onclick={
                        let follow = follow.clone();
                        Callback::from(move |_| follow.set(true))
                    }>{"Follow the newest"}</button>
                }
            </div>
            if let Some(notice) = transcript.dropped_notice() {
                <p class="transcript-dropped warn">{notice}</p>
            }
            <div class="transcript-viewport" ref={viewport} onscroll={on_scroll} tabindex="0"
                role="region" aria-label={format!("{title}: entries")}>
                {show_earlier}
                <ol class="entries">{rows}</ol>
            </div>
        </section>
    }
}

#[derive(Properties)]
struct EntryViewProps {
    channel: Channel,
    entry: Entry,
    elapsed_ms: f64,
    transport: Transport,
    replies: Vec<Reply>,
    data_link: Option<DataLinkState>,
    data_error: Option<String>,
    on_open_data: Callback<()>,
}

/// An entry never changes once recorded, so its bytes are compared by identity (a 64 KiB chunk
/// is not compared byte by byte on every redraw); a new connection's entry with the same number
/// has other bytes and another time.
fn same_entry(a: &Entry, b: &Entry) -> bool {
    a.id == b.id
        && a.at_ms == b.at_ms
        && match (&a.body, &b.body) {
            (EntryBody::Chunk { bytes: a, .. }, EntryBody::Chunk { bytes: b, .. }) => Rc::ptr_eq(a, b),
            (a, b) => a == b,
        }
}

impl PartialEq for EntryViewProps {
    fn eq(&self, other: &Self) -> bool {
        same_entry(&self.entry, &other.entry)
            && self.channel == other.channel
            && self.elapsed_ms == other.elapsed_ms
            && self.transport == other.transport
            && self.replies == other.replies
            && self.data_link == other.data_link
            && self.data_error == other.data_error
            // The root makes a new callback on each render; only the passive reply's entry uses it.
            && (self.data_link.is_none() || self.on_open_data == other.on_open_data)
    }
}

/// A chunk's text with every control byte as its picture, each marked with its name, and each
/// run of bytes that are not UTF-8 as one `\xNN…` element; at most `limit` pieces, and how
/// many were left out.
fn visible(bytes: &[u8], limit: usize) -> (Html, usize) {
    let all = pieces(bytes);
    let left_out = all.len().saturating_sub(limit);
    let mut out: Vec<Html> = Vec::new();
    let mut raw = String::new();
    let flush = |raw: &mut String, out: &mut Vec<Html>| {
        if !raw.is_empty() {
            let count = raw.len() / 4;
            let title = format!("{count} byte{} that are not valid UTF-8 here", if count == 1 { "" } else { "s" });
            out.push(html! { <span class="ctl raw" {title}>{std::mem::take(raw)}</span> });
        }
    };
    for piece in all.into_iter().take(limit) {
        match &piece {
            Piece::Byte(_) => {
                raw.push_str(&piece.shown());
                continue;
            }
            _ => flush(&mut raw, &mut out),
        }
        out.push(match &piece {
            Piece::Text(text) => html! { {text.clone()} },
            Piece::LineBreak => html! { {"\n"} },
            Piece::Control(byte) => control_span(*byte),
            Piece::Byte(_) | Piece::Escaped(_) => {
                html! { <span class="ctl raw" title={piece.title()}>{piece.shown()}</span> }
            }
        });
    }
    flush(&mut raw, &mut out);
    (out.into_iter().collect(), left_out)
}

#[function_component(EntryView)]
fn entry_view(props: &EntryViewProps) -> Html {
    let hex_open = use_state(|| false);
    let all_text = use_state(|| false);
    let entry = &props.entry;
    let at = format!("+{}", format_millis(props.elapsed_ms));
    let anchor = entry_anchor(props.channel, entry.id);
    match &entry.body {
        EntryBody::Note(note) => html! {
            <li class={classes!("entry", "note", note.is_problem().then_some("problem"))} id={anchor} data-testid="transcript-note">
                <span class="entry-time mono">{at}</span>
                <span class="note-text">{note.text()}</span>
            </li>
        },
        EntryBody::Chunk { direction, bytes } => {
            let (arrow, verb, class) = match direction {
                Direction::Sent => ("→", "sent", "sent"),
                Direction::Received => ("←", "received", "received"),
            };
            let unit = if props.transport == Transport::Udp { "datagram · " } else { "" };
            let (shown, left_out) = shown_prefix(bytes);
            let (text, pieces_left_out) = visible(shown, if *all_text { usize::MAX } else { PIECES_SHOWN });
            let show_all = {
                let all_text = all_text.clone();
                Callback::from(move |_| all_text.set(true))
            };
            let toggle = {
                let hex_open = hex_open.clone();
                Callback::from(move |_| hex_open.set(!*hex_open))
            };
            let hex = (*hex_open).then(|| {
                let bytes = Rc::new(bytes.to_vec());
                html! {
                    <div class="entry-hex">
                        <HexView bytes={bytes.clone()} />
                        <HandOffButton to={HandOff::Decode} {bytes} origin={format!("Sockets lab, {verb} {}", format_bytes(entry_size(entry)))} />
                    </div>
                }
            });
            html! {
                <li class={classes!("entry", "chunk", class)} id={anchor} data-testid="transcript-chunk"
                    data-direction={verb} data-size={bytes.len().to_string()}>
                    <div class="chunk-head">
                        <span class="entry-time mono">{at}</span>
                        <span class="chunk-dir">
                            <span aria-hidden="true">{arrow}</span>{" "}{verb}
                        </span>
                        <span class="chunk-size">{format!("{unit}{}", format_bytes(bytes.len() as u64))}</span>
                        <span class="entry-number muted">{format!("#{}", entry.id)}</span>
                        <button type="button" class="link-button" aria-expanded={(*hex_open).to_string()}
                            data-testid="hex-toggle" onclick={toggle}>
                            {"Hex"}<span class="visually-hidden">{format!(" dump of entry {}", entry.id)}</span>
                        </button>
                    </div>
                    <pre class="chunk-text" data-testid="chunk-text">{text}</pre>
                    if pieces_left_out > 0 {
                        <p class="muted small">
                            {"Cut short here: "}
                            <button type="button" class="link-button" onclick={show_all}>{"Show all as text"}</button>
                            {format!(" ({pieces_left_out} more pieces), or open the hex dump")}
                        </p>
                    }
                    if left_out > 0 {
                        <p class="muted small">{format!("{} more not shown as text: the hex dump has every byte", format_bytes(left_out as u64))}</p>
                    }
                    {hex}
                    { for props.replies.iter().map(|reply| {
                        let data_link = reply.passive_address().and(props.data_link);
                        html! {
                            <ReplyView reply={reply.clone()} {data_link} data_error={props.data_error.clone()}
                                on_open_data={props.on_open_data.clone()} />
                        }
                    }) }
                </li>
            }
        }
    }
}

fn entry_size(entry: &Entry) -> u64 {
    entry.bytes().map_or(0, |bytes| bytes.len() as u64)
}
