//! The record of one connection through the bridge: every chunk as it arrived (direction, time
//! since the connect began, its bytes) and what happened to the connection, in words. Capped by
//! entries and by bytes, dropping the oldest and counting what went, so a long download cannot
//! grow the page without bound.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::bridge_event::{BridgeEvent, CloseReason, Transport};
use crate::hexdump::{HexRow, ROW_WIDTH, hex_rows};
use crate::message_log::{Direction, Totals};
use crate::units::{format_bytes, format_millis};

use super::visible_text::{preview, visible_text};

/// Most entries one transcript keeps.
pub const DEFAULT_MAX_ENTRIES: usize = 5_000;
/// Most chunk bytes one transcript keeps (the newest chunk is kept whatever its size).
pub const DEFAULT_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Something that happened to the connection, as opposed to bytes on it.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// The lab asked the bridge for a connection.
    Connecting { target: String, transport: Transport },
    /// One of the bridge's own events (connected, FIN, reset, timeout, closed …).
    Bridge(BridgeEvent),
    /// The bridge could not be reached or refused the target, in the server's or browser's words.
    Refused(String),
    /// The WebSocket to the bridge ended without the bridge saying why.
    Lost { code: u16, reason: String },
    /// Anything else the lab wants on the record (a data connection opened from a 227 reply).
    Info(String),
}

impl Note {
    /// The note in words.
    pub fn text(&self) -> String {
        match self {
            Note::Connecting { target, transport } => {
                format!("Connecting to {target} over {} through the server's bridge…", transport_label(*transport))
            }
            Note::Bridge(BridgeEvent::Connected { transport, local, remote, connect_ms, .. }) => format!(
                "Connected over {} in {}: {local} (the server's end) → {remote}",
                transport_label(*transport),
                format_millis(*connect_ms)
            ),
            Note::Bridge(event) => capitalized(&event.in_words()),
            Note::Refused(reason) => reason.clone(),
            Note::Lost { code, reason } if reason.is_empty() => {
                format!("The connection to the bridge was lost (WebSocket close {code})")
            }
            Note::Lost { code, reason } => {
                format!("The connection to the bridge was lost (WebSocket close {code}: {reason})")
            }
            Note::Info(text) => text.clone(),
        }
    }

    /// Whether the note reports something that went wrong (shown as an error).
    pub fn is_problem(&self) -> bool {
        match self {
            Note::Connecting { .. } | Note::Info(_) => false,
            Note::Refused(_) | Note::Lost { .. } => true,
            Note::Bridge(event) => match event {
                BridgeEvent::Connected { .. }
                | BridgeEvent::Data { .. }
                | BridgeEvent::PeerFin { .. }
                | BridgeEvent::FinSent { .. } => false,
                BridgeEvent::Closed { reason, .. } => {
                    !matches!(reason, CloseReason::Finished | CloseReason::ClientClosed | CloseReason::Shutdown)
                }
                BridgeEvent::Reset { .. }
                | BridgeEvent::PortUnreachable { .. }
                | BridgeEvent::Timeout { .. }
                | BridgeEvent::ConnectFailed { .. }
                | BridgeEvent::BadCommand { .. } => true,
            },
        }
    }
}

/// `TCP` or `UDP`.
pub fn transport_label(transport: Transport) -> &'static str {
    match transport {
        Transport::Tcp => "TCP",
        Transport::Udp => "UDP",
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What one entry records.
#[derive(Clone, Debug, PartialEq)]
pub enum EntryBody {
    /// Bytes, as one WebSocket frame carried them (over UDP: one datagram).
    Chunk {
        direction: Direction,
        bytes: Rc<[u8]>,
    },
    Note(Note),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Increases by one per entry ever pushed, dropped ones included.
    pub id: u64,
    /// When it happened, in the app's clock (milliseconds since the Unix epoch).
    pub at_ms: f64,
    pub body: EntryBody,
}

impl Entry {
    /// The chunk's bytes, for a chunk.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.body {
            EntryBody::Chunk { bytes, .. } => Some(bytes),
            EntryBody::Note(_) => None,
        }
    }

    /// The hex dump of a chunk, a row at a time (empty for a note).
    pub fn hex_rows(&self) -> impl Iterator<Item = HexRow> + '_ {
        hex_rows(self.bytes().unwrap_or_default(), ROW_WIDTH)
    }
}

/// The capped record of one connection.
#[derive(Clone, Debug)]
pub struct Transcript {
    pub transport: Transport,
    entries: VecDeque<Entry>,
    max_entries: usize,
    max_bytes: usize,
    kept_bytes: usize,
    dropped_entries: u64,
    dropped_bytes: u64,
    next_id: u64,
    started_at_ms: Option<f64>,
    sent: Totals,
    received: Totals,
}

impl Transcript {
    pub fn new(transport: Transport) -> Transcript {
        Transcript::with_limits(transport, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES)
    }

    /// A transcript that keeps at most `max_entries` entries (at least one) and `max_bytes` bytes.
    pub fn with_limits(transport: Transport, max_entries: usize, max_bytes: usize) -> Transcript {
        Transcript {
            transport,
            entries: VecDeque::new(),
            max_entries: max_entries.max(1),
            max_bytes,
            kept_bytes: 0,
            dropped_entries: 0,
            dropped_bytes: 0,
            next_id: 0,
            started_at_ms: None,
            sent: Totals::default(),
            received: Totals::default(),
        }
    }

    /// Starts the clock the entries' times count from (the moment Connect was pressed).
    pub fn start(&mut self, now_ms: f64) {
        self.started_at_ms = Some(now_ms);
    }

    /// Milliseconds from the start to `entry` (0 before the start).
    pub fn elapsed_ms(&self, entry: &Entry) -> f64 {
        self.started_at_ms.map_or(0.0, |start| (entry.at_ms - start).max(0.0))
    }

    pub fn push_chunk(&mut self, direction: Direction, bytes: &[u8], now_ms: f64) -> u64 {
        let totals = match direction {
            Direction::Sent => &mut self.sent,
            Direction::Received => &mut self.received,
        };
        totals.messages += 1;
        totals.bytes += bytes.len() as u64;
        self.kept_bytes += bytes.len();
        self.push(now_ms, EntryBody::Chunk { direction, bytes: Rc::from(bytes) })
    }

    pub fn push_note(&mut self, note: Note, now_ms: f64) -> u64 {
        self.push(now_ms, EntryBody::Note(note))
    }

    fn push(&mut self, at_ms: f64, body: EntryBody) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push_back(Entry { id, at_ms, body });
        while self.entries.len() > self.max_entries || (self.kept_bytes > self.max_bytes && self.entries.len() > 1) {
            let Some(oldest) = self.entries.pop_front() else { break };
            let size = oldest.bytes().map_or(0, <[u8]>::len);
            self.kept_bytes -= size;
            self.dropped_entries += 1;
            self.dropped_bytes += size as u64;
        }
        id
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    pub fn entry(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    /// The entry with this id, if it is still kept.
    pub fn by_id(&self, id: u64) -> Option<&Entry> {
        let first = self.entries.front()?.id;
        let index = usize::try_from(id.checked_sub(first)?).ok()?;
        self.entries.get(index)
    }

    /// The id the next entry will get (a view compares it to know whether anything changed).
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Chunks and bytes sent since the start (dropped ones included).
    pub fn sent(&self) -> Totals {
        self.sent
    }

    pub fn received(&self) -> Totals {
        self.received
    }

    /// What the cap dropped, in words, or nothing.
    pub fn dropped_notice(&self) -> Option<String> {
        (self.dropped_entries > 0).then(|| {
            let plural = if self.dropped_entries == 1 { "entry" } else { "entries" };
            format!(
                "{} earlier {plural} ({}) dropped to keep the transcript within {} entries and {}",
                self.dropped_entries,
                format_bytes(self.dropped_bytes),
                self.max_entries,
                format_bytes(self.max_bytes as u64)
            )
        })
    }

    /// An entry's one-line heading: `+1.2 ms → sent 14 B`, `+3.0 ms ← received datagram, 5 B`,
    /// `+0.4 ms · Connected over TCP in …`.
    pub fn heading(&self, entry: &Entry) -> String {
        let at = format!("+{}", format_millis(self.elapsed_ms(entry)));
        match &entry.body {
            EntryBody::Chunk { direction, bytes } => {
                let (arrow, verb) = match direction {
                    Direction::Sent => ("→", "sent"),
                    Direction::Received => ("←", "received"),
                };
                let unit = if self.transport == Transport::Udp { "datagram, " } else { "" };
                format!("{at} {arrow} {verb} {unit}{}", format_bytes(bytes.len() as u64))
            }
            EntryBody::Note(note) => format!("{at} · {}", note.text()),
        }
    }

    /// The whole transcript as text, for copying: each heading, then a chunk's visible text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(notice) = self.dropped_notice() {
            out.push_str(&format!("({notice})\n"));
        }
        for entry in &self.entries {
            out.push_str(&self.heading(entry));
            out.push('\n');
            if let Some(bytes) = entry.bytes() {
                for line in visible_text(bytes).lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
        }
        out
    }

    /// One line per entry with a preview of each chunk (for lists and tests).
    pub fn summary(&self, preview_chars: usize) -> Vec<String> {
        self.entries
            .iter()
            .map(|entry| match entry.bytes() {
                Some(bytes) => format!("{} {}", self.heading(entry), preview(bytes, preview_chars)),
                None => self.heading(entry),
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "tests/transcript.rs"]
mod tests;
