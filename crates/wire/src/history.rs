//! The bounded history of sent requests, stored as JSON and read back defensively.
//!
//! Newest first, capped at a capacity so local storage stays small. The stored form is
//! versioned (`{"version":1,"entries":[...]}`); anything else read back (corrupt text, another
//! version, another shape) is an error with a sentence for the person, and the app starts empty.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::har::Timings;
use crate::http_request::HttpRequest;

/// How many requests the app keeps.
pub const HISTORY_CAPACITY: usize = 200;

/// The version [`History::to_json`] writes and [`History::from_json`] reads.
pub const HISTORY_VERSION: u64 = 1;

/// One sent request and, once it finished, its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: u64,
    pub request: HttpRequest,
    /// When it was sent, in milliseconds since the Unix epoch.
    pub sent_at_ms: f64,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub duration_ms: Option<f64>,
    #[serde(default)]
    pub error: Option<String>,
    /// The response's head, size and timings (no body), for a HAR export; imported entries keep
    /// what their file said. Absent in histories stored before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
}

/// What the history keeps of a response: no body (local storage is small), but what a HAR
/// entry's response and timings need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedResponse {
    #[serde(default)]
    pub status_text: String,
    /// `HTTP/1.1`, `HTTP/2`…, or empty when the browser did not say.
    #[serde(default)]
    pub http_version: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub mime_type: String,
    /// The decoded body's length in bytes, -1 when unknown.
    #[serde(default)]
    pub body_size: i64,
    #[serde(default)]
    pub timings: Timings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_ip_address: Option<String>,
    /// The resource type an imported file gave (`document`, `script`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Where fetch ended up after redirects (empty: not redirected).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub final_url: String,
}

impl HistoryEntry {
    /// Still waiting for a status or an error.
    pub fn is_pending(&self) -> bool {
        self.status.is_none() && self.error.is_none()
    }
}

/// Sent requests, newest first, at most `capacity` of them.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    entries: Vec<HistoryEntry>,
    capacity: usize,
    next_id: u64,
}

impl Default for History {
    fn default() -> History {
        History::with_capacity(HISTORY_CAPACITY)
    }
}

#[derive(Serialize)]
struct StoredRef<'a> {
    version: u64,
    entries: &'a [HistoryEntry],
}

#[derive(Deserialize)]
struct Stored {
    entries: Vec<HistoryEntry>,
}

impl History {
    pub fn with_capacity(capacity: usize) -> History {
        History { entries: Vec::new(), capacity, next_id: 1 }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds a just-sent request as the newest entry, dropping the oldest past capacity, and
    /// returns its id for [`History::complete`].
    pub fn record(&mut self, request: HttpRequest, sent_at_ms: f64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let sent_at_ms = if sent_at_ms.is_finite() { sent_at_ms } else { 0.0 };
        self.entries.insert(
            0,
            HistoryEntry { id, request, sent_at_ms, status: None, duration_ms: None, error: None, response: None },
        );
        self.entries.truncate(self.capacity);
        id
    }

    /// Room left before the oldest entries would be dropped.
    pub fn room(&self) -> usize {
        self.capacity.saturating_sub(self.entries.len())
    }

    /// Adds finished entries read from elsewhere (a HAR file) as the newest, keeping their order
    /// (the first given ends on top), with fresh ids. Never drops an entry already here: only as
    /// many as [`History::room`] are added, and the number added is returned.
    pub fn add_finished(&mut self, entries: Vec<HistoryEntry>) -> usize {
        let added: Vec<HistoryEntry> = entries
            .into_iter()
            .take(self.room())
            .map(|mut entry| {
                entry.id = self.next_id;
                self.next_id += 1;
                if !entry.sent_at_ms.is_finite() {
                    entry.sent_at_ms = 0.0;
                }
                entry
            })
            .collect();
        let count = added.len();
        self.entries.splice(0..0, added);
        count
    }

    /// Keeps the response head and timings of entry `id` for a HAR export.
    pub fn attach_response(&mut self, id: u64, response: RecordedResponse) {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.id == id) {
            entry.response = Some(response);
        }
    }

    /// Records the outcome of entry `id`; nothing happens if it was dropped or cleared meanwhile.
    pub fn complete(&mut self, id: u64, status: Option<u16>, duration_ms: Option<f64>, error: Option<String>) {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.id == id) {
            entry.status = status;
            entry.duration_ms = duration_ms.filter(|duration| duration.is_finite());
            entry.error = error;
        }
    }

    /// Newest first.
    pub fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    pub fn get(&self, id: u64) -> Option<&HistoryEntry> {
        self.entries.iter().find(|entry| entry.id == id)
    }

    /// Removes one entry; returns whether it was there.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.entries.len();
        self.entries.retain(|entry| entry.id != id);
        self.entries.len() != before
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The stored form: `{"version":1,"entries":[...]}`, newest first.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&StoredRef { version: HISTORY_VERSION, entries: &self.entries })
            .unwrap_or_else(|_| format!("{{\"version\":{HISTORY_VERSION},\"entries\":[]}}"))
    }

    /// Reads stored history. Corrupt JSON, another version or another shape is an error with a
    /// sentence for the person; entries past `capacity` (the oldest) are dropped.
    pub fn from_json(text: &str, capacity: usize) -> Result<History, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
            format!(
                "The saved history is not valid JSON ({} at line {}, column {}), so it could not be read.",
                error.to_string().split(" at line ").next().unwrap_or_default(),
                error.line(),
                error.column()
            )
        })?;
        let Some(object) = value.as_object() else {
            return Err(
                "The saved history is not a JSON object with a version and entries, so it could not be read.".into()
            );
        };
        match object.get("version") {
            None => return Err("The saved history has no version number, so it could not be read.".into()),
            Some(version) if version.as_u64() == Some(HISTORY_VERSION) => {}
            Some(version) => {
                return Err(format!(
                    "The saved history is version {version}, but this Wirelab reads version {HISTORY_VERSION}, so it could not be read."
                ));
            }
        }
        let stored: Stored = serde_json::from_value(value).map_err(|error| {
            format!("The saved history is not in the expected shape ({error}), so it could not be read.")
        })?;
        let mut entries = stored.entries;
        entries.truncate(capacity);
        let next_id = entries.iter().map(|entry| entry.id).max().map_or(1, |id| id.saturating_add(1));
        Ok(History { entries, capacity, next_id })
    }
}

/// Serialized as the versioned stored form, so a `History` inside other saved state keeps it.
impl Serialize for History {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StoredRef { version: HISTORY_VERSION, entries: &self.entries }.serialize(serializer)
    }
}

/// Read like [`History::from_json`] with [`HISTORY_CAPACITY`].
impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<History, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        History::from_json(&value.to_string(), HISTORY_CAPACITY).map_err(D::Error::custom)
    }
}
