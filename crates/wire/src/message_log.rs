//! The WebSocket lab's message log: capped so it never grows without bound, counting what it
//! dropped, with per-direction totals and a filter. Pure state; the app renders it.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::binary_input::parse_hex;

/// How many entries the lab keeps before dropping the oldest.
pub const DEFAULT_CAPACITY: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Sent,
    Received,
}

/// A WebSocket message's content: text frames carry UTF-8, binary frames any bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    Text(String),
    Binary(Vec<u8>),
}

impl Payload {
    /// Size on the wire (before framing), in bytes.
    pub fn len(&self) -> usize {
        match self {
            Payload::Text(text) => text.len(),
            Payload::Binary(bytes) => bytes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_binary(&self) -> bool {
        matches!(self, Payload::Binary(_))
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            Payload::Text(text) => text.as_bytes(),
            Payload::Binary(bytes) => bytes,
        }
    }

    /// A one-line preview: text with line breaks and control characters shown as escapes, or
    /// the first bytes in hex; at most `max_chars` characters, with `…` when cut.
    pub fn preview(&self, max_chars: usize) -> String {
        match self {
            Payload::Text(text) => {
                let mut out = String::new();
                for (count, ch) in text.chars().enumerate() {
                    if count >= max_chars {
                        out.push('…');
                        break;
                    }
                    match ch {
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        ch if ch.is_control() => out.push('·'),
                        ch => out.push(ch),
                    }
                }
                out
            }
            Payload::Binary(bytes) => {
                let shown = bytes.len().min(max_chars / 3);
                let mut out = crate::hexdump::to_hex(&bytes[..shown]);
                if shown < bytes.len() {
                    out.push_str(" …");
                }
                out
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Info,
    Error,
}

/// What a log entry records: a message, or a fact about the connection.
#[derive(Clone, Debug, PartialEq)]
pub enum EntryBody {
    Message { direction: Direction, payload: Rc<Payload> },
    Event { kind: EventKind, text: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// Increases by one per entry ever pushed, dropped ones included.
    pub id: u64,
    /// Wall-clock time in milliseconds since the Unix epoch.
    pub at_ms: f64,
    pub body: EntryBody,
}

/// Message counts and byte totals for one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub messages: u64,
    pub bytes: u64,
}

/// Which entries a person wants to see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Case-insensitive text to find in text messages and events; when it reads as hex, also the
    /// byte sequence to find in binary messages.
    pub query: String,
    /// Only this direction (events are hidden when set).
    pub direction: Option<Direction>,
}

impl LogFilter {
    pub fn is_empty(&self) -> bool {
        self.query.trim().is_empty() && self.direction.is_none()
    }
}

#[derive(Clone, Debug)]
pub struct MessageLog {
    entries: VecDeque<LogEntry>,
    capacity: usize,
    dropped: u64,
    next_id: u64,
    sent: Totals,
    received: Totals,
}

impl Default for MessageLog {
    fn default() -> Self {
        MessageLog::with_capacity(DEFAULT_CAPACITY)
    }
}

impl MessageLog {
    /// A log that keeps at most `capacity` entries (at least one).
    pub fn with_capacity(capacity: usize) -> MessageLog {
        MessageLog {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
            next_id: 0,
            sent: Totals::default(),
            received: Totals::default(),
        }
    }

    pub fn push_message(&mut self, direction: Direction, payload: Payload, at_ms: f64) -> u64 {
        let totals = match direction {
            Direction::Sent => &mut self.sent,
            Direction::Received => &mut self.received,
        };
        totals.messages += 1;
        totals.bytes += payload.len() as u64;
        self.push(at_ms, EntryBody::Message { direction, payload: Rc::new(payload) })
    }

    pub fn push_event(&mut self, kind: EventKind, text: impl Into<String>, at_ms: f64) -> u64 {
        self.push(at_ms, EntryBody::Event { kind, text: text.into() })
    }

    fn push(&mut self, at_ms: f64, body: EntryBody) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(LogEntry { id, at_ms, body });
        id
    }

    /// Forgets every entry and counter, but keeps ids increasing.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
        self.sent = Totals::default();
        self.received = Totals::default();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries pushed out by the cap since the last clear.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn sent(&self) -> Totals {
        self.sent
    }

    pub fn received(&self) -> Totals {
        self.received
    }

    pub fn entry(&self, index: usize) -> Option<&LogEntry> {
        self.entries.get(index)
    }

    /// The entry with this id, if it is still kept.
    pub fn by_id(&self, id: u64) -> Option<&LogEntry> {
        let first = self.entries.front()?.id;
        let index = usize::try_from(id.checked_sub(first)?).ok()?;
        self.entries.get(index)
    }

    pub fn iter(&self) -> impl Iterator<Item = &LogEntry> {
        self.entries.iter()
    }

    /// Indexes (for [`MessageLog::entry`]) of the entries the filter lets through, oldest first.
    pub fn matching(&self, filter: &LogFilter) -> Vec<usize> {
        let matcher = Matcher::new(filter);
        self.entries.iter().enumerate().filter(|(_, entry)| matcher.accepts(entry)).map(|(index, _)| index).collect()
    }
}

struct Matcher<'a> {
    lowercase_query: String,
    hex_query: Option<Vec<u8>>,
    filter: &'a LogFilter,
}

impl<'a> Matcher<'a> {
    fn new(filter: &'a LogFilter) -> Matcher<'a> {
        let query = filter.query.trim();
        Matcher {
            lowercase_query: query.to_lowercase(),
            hex_query: parse_hex(query).ok().filter(|bytes| !bytes.is_empty()),
            filter,
        }
    }

    fn accepts(&self, entry: &LogEntry) -> bool {
        match &entry.body {
            EntryBody::Event { text, .. } => self.filter.direction.is_none() && self.text_matches(text),
            EntryBody::Message { direction, payload } => {
                if self.filter.direction.is_some_and(|wanted| wanted != *direction) {
                    return false;
                }
                match payload.as_ref() {
                    Payload::Text(text) => self.text_matches(text),
                    Payload::Binary(bytes) => match &self.hex_query {
                        Some(needle) => bytes.windows(needle.len()).any(|window| window == needle),
                        None => self.lowercase_query.is_empty(),
                    },
                }
            }
        }
    }

    fn text_matches(&self, text: &str) -> bool {
        self.lowercase_query.is_empty() || text.to_lowercase().contains(&self.lowercase_query)
    }
}
