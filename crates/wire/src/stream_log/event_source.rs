//! The HTTP lab's EventSource panel: a URL opened with the browser's own `EventSource`, and what
//! the browser reports of it: the connection's state (connecting, open, closed), every event
//! with its type, `lastEventId`, data and arrival time, each error and reconnect, and the
//! `Last-Event-ID` the browser resumes from.
//!
//! An EventSource hides the `retry:` field and the header it sends on a reconnect from the page,
//! so two things are read from the data when it is JSON (as `/sse` sends it): `retry_ms` (the
//! delay the server announced) and `resumed_from` (the `Last-Event-ID` the server received),
//! beside the gap measured from the error to the next open. `sent_at_ms` gives each event's
//! delay from the server's clock to the page's.
//!
//! Pure like the rest of the lab: [`EventSourcePanel::apply`] takes what the person did and what
//! the browser reported ([`EsEvent`]) and returns what the app must do ([`EsEffect`]).

use std::collections::VecDeque;

/// The most log entries kept (the newest).
pub const MAX_ENTRIES: usize = 500;

/// The event types listened for unless the person lists others: an EventSource delivers only
/// the types a page listens for (`message` for blocks without `event:`), and `/sse` sends `tick`
/// and `milestone`.
pub const DEFAULT_EVENT_TYPES: &str = "message, tick, milestone";

/// `EventSource.readyState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyState {
    Connecting,
    Open,
    Closed,
}

impl ReadyState {
    /// The browser's number (0, 1, 2); anything else reads as closed.
    pub fn from_number(number: u16) -> ReadyState {
        match number {
            0 => ReadyState::Connecting,
            1 => ReadyState::Open,
            _ => ReadyState::Closed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReadyState::Connecting => "connecting",
            ReadyState::Open => "open",
            ReadyState::Closed => "closed",
        }
    }
}

/// One line of the panel's log.
#[derive(Clone, Debug, PartialEq)]
pub enum EsEntry {
    /// The connection opened (1 for the first, 2 for the first reconnect...).
    Opened { at_ms: f64, connection: u32 },
    /// An event the browser delivered.
    Message {
        at_ms: f64,
        event_type: String,
        /// The browser's `lastEventId` for it.
        last_event_id: String,
        data: String,
        /// Page clock minus the server's `sent_at_ms`, when the data carried it.
        delay_ms: Option<f64>,
        /// The `resumed_from` the data carried (the `Last-Event-ID` the server received).
        resumed_from: Option<String>,
    },
    /// The browser reported an error: it reconnects (`reconnecting`, sending `resume_from` as
    /// `Last-Event-ID`) or has given up (a non-200 answer, a wrong content type, 204).
    Error { at_ms: f64, reconnecting: bool, resume_from: String },
    /// The person closed it.
    Closed { at_ms: f64 },
}

/// What the person did, and what the browser reported.
#[derive(Clone, Debug, PartialEq)]
pub enum EsEvent {
    EditUrl(String),
    EditEventTypes(String),
    /// The Open button.
    Open,
    /// The Close button.
    Close,
    /// The browser refused to create the EventSource (its words).
    Refused(String),
    /// `open` fired.
    Opened,
    /// An event of a listened-for type arrived.
    Message {
        event_type: String,
        last_event_id: String,
        data: String,
    },
    /// `error` fired; `ready_state` is the browser's `readyState` then.
    Error {
        ready_state: u16,
    },
}

/// What the app must do.
#[derive(Clone, Debug, PartialEq)]
pub enum EsEffect {
    /// Create an EventSource for `url` listening for `event_types` (closing any open one).
    Open { url: String, event_types: Vec<String> },
    /// Close the EventSource, and drop its listeners.
    Close,
}

/// The panel's state; views read the fields, [`EventSourcePanel::apply`] changes them.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSourcePanel {
    pub url: String,
    pub event_types: String,
    /// `None` until the first Open.
    pub state: Option<ReadyState>,
    /// The newest [`MAX_ENTRIES`] entries, times in milliseconds since Open.
    pub entries: VecDeque<EsEntry>,
    pub message_count: u64,
    /// Connections opened since Open (the first, then one per reconnect).
    pub connections: u32,
    /// The `lastEventId` of the last event: what a reconnect sends as `Last-Event-ID`.
    pub last_event_id: String,
    /// The reconnection delay the server announced (`retry_ms` in the data).
    pub announced_retry_ms: Option<u64>,
    /// From the last error to the next open: the reconnection delay as it happened.
    pub measured_reconnect_ms: Option<f64>,
    /// Why Open did nothing, or the browser's refusal.
    pub problem: Option<String>,
    /// Page time of the Open press.
    opened_at: f64,
    /// Page time of the last error that left the browser reconnecting.
    error_at: Option<f64>,
}

impl EventSourcePanel {
    /// The panel with `url` filled in.
    pub fn new(url: &str) -> EventSourcePanel {
        EventSourcePanel {
            url: url.to_string(),
            event_types: DEFAULT_EVENT_TYPES.to_string(),
            state: None,
            entries: VecDeque::new(),
            message_count: 0,
            connections: 0,
            last_event_id: String::new(),
            announced_retry_ms: None,
            measured_reconnect_ms: None,
            problem: None,
            opened_at: 0.0,
            error_at: None,
        }
    }

    /// Reconnects so far (connections after the first).
    pub fn reconnects(&self) -> u32 {
        self.connections.saturating_sub(1)
    }

    /// Whether an EventSource exists (connecting or open).
    pub fn is_active(&self) -> bool {
        matches!(self.state, Some(ReadyState::Connecting | ReadyState::Open))
    }

    /// The listed event types: split at commas and spaces, without repeats.
    pub fn listened_types(&self) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        for name in self.event_types.split([',', ' ']).map(str::trim).filter(|name| !name.is_empty()) {
            if !types.iter().any(|known| known == name) {
                types.push(name.to_string());
            }
        }
        types
    }

    fn log(&mut self, entry: EsEntry) {
        if self.entries.len() == MAX_ENTRIES {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// Applies `event` at page time `now_ms`.
    pub fn apply(&mut self, event: EsEvent, now_ms: f64) -> Vec<EsEffect> {
        let at_ms = now_ms - self.opened_at;
        match event {
            EsEvent::EditUrl(url) => {
                self.url = url;
                self.problem = None;
            }
            EsEvent::EditEventTypes(types) => {
                self.event_types = types;
                self.problem = None;
            }
            EsEvent::Open => return self.open(now_ms),
            EsEvent::Close => {
                if self.is_active() {
                    self.state = Some(ReadyState::Closed);
                    self.log(EsEntry::Closed { at_ms });
                    return vec![EsEffect::Close];
                }
            }
            EsEvent::Refused(reason) => {
                self.state = Some(ReadyState::Closed);
                self.problem = Some(format!("The browser would not open an EventSource: {reason}"));
            }
            EsEvent::Opened => {
                if !self.is_active() {
                    return Vec::new();
                }
                self.state = Some(ReadyState::Open);
                self.connections += 1;
                if let Some(error_at) = self.error_at.take() {
                    self.measured_reconnect_ms = Some(now_ms - error_at);
                }
                self.log(EsEntry::Opened { at_ms, connection: self.connections });
            }
            EsEvent::Message { event_type, last_event_id, data } => {
                if !self.is_active() {
                    return Vec::new();
                }
                self.message_count += 1;
                let fields = serde_json::from_str::<serde_json::Value>(&data).ok();
                let field = |name: &str| fields.as_ref().and_then(|value| value.get(name)).cloned();
                if let Some(retry) = field("retry_ms").and_then(|value| value.as_u64()) {
                    self.announced_retry_ms = Some(retry);
                }
                let delay_ms = field("sent_at_ms").and_then(|value| value.as_f64()).map(|sent| now_ms - sent);
                let resumed_from = field("resumed_from").and_then(|value| match value {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(text) => Some(text),
                    other => Some(other.to_string()),
                });
                self.last_event_id = last_event_id.clone();
                self.log(EsEntry::Message { at_ms, event_type, last_event_id, data, delay_ms, resumed_from });
            }
            EsEvent::Error { ready_state } => {
                if !self.is_active() {
                    return Vec::new();
                }
                let state = ReadyState::from_number(ready_state);
                let reconnecting = state == ReadyState::Connecting;
                self.state = Some(state);
                self.log(EsEntry::Error { at_ms, reconnecting, resume_from: self.last_event_id.clone() });
                if reconnecting {
                    self.error_at = Some(now_ms);
                } else {
                    return vec![EsEffect::Close];
                }
            }
        }
        Vec::new()
    }

    fn open(&mut self, now_ms: f64) -> Vec<EsEffect> {
        let parsed = url::Url::parse(self.url.trim());
        let url = match parsed {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            Ok(url) => {
                self.problem = Some(format!("EventSource needs an http or https URL, not {}:", url.scheme()));
                return Vec::new();
            }
            Err(error) => {
                self.problem = Some(format!("Not a URL: {error}"));
                return Vec::new();
            }
        };
        let event_types = self.listened_types();
        if event_types.is_empty() {
            self.problem = Some("List at least one event type to listen for (message is the default type).".into());
            return Vec::new();
        }
        *self = EventSourcePanel { url: self.url.clone(), event_types: self.event_types.clone(), ..Self::new("") };
        self.opened_at = now_ms;
        self.state = Some(ReadyState::Connecting);
        vec![EsEffect::Open { url: url.to_string(), event_types }]
    }
}
