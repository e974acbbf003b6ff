//! HTTP Archive (HAR) 1.2: the labs' work written as files that browsers' DevTools, Firefox,
//! Playwright and HAR readers open, and such files read back into the HTTP lab's history.
//!
//! The types here are the format itself (serde, field names as the spec spells them), lenient
//! when read: every field a real file may leave out has a default, and unknown fields (the `_`
//! ones each tool adds) are ignored. [`export`] writes the HTTP lab's history and the WebSocket
//! lab's session; [`import`] reads a file entry by entry, so one bad entry is named and skipped,
//! not the whole file.

pub mod dates;
pub mod export;
pub mod import;

use serde::{Deserialize, Serialize};

pub use dates::{file_name, format_date, parse_date};
pub use export::{WsSessionRecord, http_lab_har, recorded_response, timings_from, ws_lab_har};
pub use import::{HarImport, HarNotice, SkippedEntry, import_har};

/// The version written in `log.version`.
pub const HAR_VERSION: &str = "1.2";

/// A whole HAR file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Har {
    pub log: Log,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub creator: Creator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<Creator>,
    #[serde(default)]
    pub pages: Vec<Page>,
    #[serde(default)]
    pub entries: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The application that wrote the file (`creator`) or the browser it recorded (`browser`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Creator {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[serde(default)]
    pub started_date_time: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub page_timings: PageTimings,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageTimings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_content_load: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_load: Option<f64>,
}

/// One request and its response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pageref: Option<String>,
    /// ISO 8601 with milliseconds and an offset: `2026-12-01T02:43:44.123Z`.
    #[serde(default)]
    pub started_date_time: String,
    /// Milliseconds: the sum of the timings that are not -1.
    #[serde(default, deserialize_with = "lenient_number")]
    pub time: f64,
    pub request: Request,
    #[serde(default)]
    pub response: Response,
    #[serde(default)]
    pub cache: Cache,
    #[serde(default)]
    pub timings: Timings,
    #[serde(rename = "serverIPAddress", default, skip_serializing_if = "Option::is_none")]
    pub server_ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Chrome's resource type: `fetch`, `document`, `websocket`…
    #[serde(rename = "_resourceType", default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Chrome's record of a WebSocket's messages.
    #[serde(rename = "_webSocketMessages", default, skip_serializing_if = "Option::is_none")]
    pub web_socket_messages: Option<Vec<WebSocketMessage>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub http_version: String,
    #[serde(default)]
    pub cookies: Vec<Cookie>,
    #[serde(default)]
    pub headers: Vec<NameValue>,
    #[serde(default)]
    pub query_string: Vec<NameValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    #[serde(default = "unknown_size", deserialize_with = "lenient_size")]
    pub headers_size: i64,
    #[serde(default = "unknown_size", deserialize_with = "lenient_size")]
    pub body_size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub status_text: String,
    #[serde(default)]
    pub http_version: String,
    #[serde(default)]
    pub cookies: Vec<Cookie>,
    #[serde(default)]
    pub headers: Vec<NameValue>,
    #[serde(default)]
    pub content: Content,
    #[serde(rename = "redirectURL", default)]
    pub redirect_url: String,
    #[serde(default = "unknown_size", deserialize_with = "lenient_size")]
    pub headers_size: i64,
    #[serde(default = "unknown_size", deserialize_with = "lenient_size")]
    pub body_size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Chrome's reason a request got no response (`net::ERR_CONNECTION_REFUSED`), or `null`.
    #[serde(rename = "_error", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Default for Response {
    fn default() -> Response {
        Response {
            status: 0,
            status_text: String::new(),
            http_version: String::new(),
            cookies: Vec::new(),
            headers: Vec::new(),
            content: Content::default(),
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
            comment: None,
            error: None,
        }
    }
}

/// A header or query parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub value: String,
}

impl PostParam {
    /// A text field.
    pub fn text(name: &str, value: &str) -> PostParam {
        PostParam { name: name.into(), value: Some(serde_json::Value::String(value.into())), ..PostParam::default() }
    }

    /// The value as text: a string as it is, anything else as its JSON text, none as empty.
    pub fn value_text(&self) -> String {
        match &self.value {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        }
    }
}

impl NameValue {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> NameValue {
        NameValue { name: name.into(), value: value.into() }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cookie {
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
}

/// A request body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    #[serde(default)]
    pub mime_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<PostParam>,
    #[serde(default)]
    pub text: String,
    /// Not in HAR 1.2, which has no binary request bodies: `base64` when `text` is base64 (as
    /// [`Content::encoding`] for responses); read back here, ignored by other readers.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "_encoding")]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostParam {
    pub name: String,
    /// Text as HAR has it; read as any JSON value, since chrome-har writes a JSON body's fields
    /// here with their JSON types (`true`, not `"true"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// A response body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// The body's length once decoded.
    #[serde(default, deserialize_with = "lenient_size")]
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<i64>,
    #[serde(default)]
    pub mime_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when `text` is base64 (binary bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The browser cache's part; Wirelab's requests never use it, so it is written empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {}

/// The phases of an entry in milliseconds; -1 where a phase does not apply or is unknown
/// (`send`, `wait` and `receive` are never -1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    #[serde(default = "unknown_time", deserialize_with = "lenient_time")]
    pub blocked: f64,
    #[serde(default = "unknown_time", deserialize_with = "lenient_time")]
    pub dns: f64,
    #[serde(default = "unknown_time", deserialize_with = "lenient_time")]
    pub connect: f64,
    #[serde(default, deserialize_with = "lenient_number")]
    pub send: f64,
    #[serde(default, deserialize_with = "lenient_number")]
    pub wait: f64,
    #[serde(default, deserialize_with = "lenient_number")]
    pub receive: f64,
    /// Included in `connect` too, as the spec asks.
    #[serde(default = "unknown_time", deserialize_with = "lenient_time")]
    pub ssl: f64,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings { blocked: -1.0, dns: -1.0, connect: -1.0, send: 0.0, wait: 0.0, receive: 0.0, ssl: -1.0 }
    }
}

impl Timings {
    /// The entry's `time`: every phase that is not -1, `ssl` left out (it is inside `connect`).
    pub fn total(&self) -> f64 {
        [self.blocked, self.dns, self.connect, self.send, self.wait, self.receive]
            .iter()
            .filter(|value| **value >= 0.0)
            .sum()
    }
}

/// One WebSocket message as Chrome writes it in `_webSocketMessages`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WebSocketMessage {
    /// `send` or `receive`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Seconds since the Unix epoch, with a fraction.
    pub time: f64,
    /// 1 for text, 2 for binary.
    pub opcode: u8,
    /// The text, or the bytes in base64.
    pub data: String,
}

fn unknown_size() -> i64 {
    -1
}

fn unknown_time() -> f64 {
    -1.0
}

/// A number, or -1 for `null` (some tools write `null` for "unknown").
fn lenient_size<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let value: Option<f64> = Option::deserialize(deserializer)?;
    Ok(value.filter(|value| value.is_finite()).map_or(-1, |value| value as i64))
}

/// A time, or -1 for `null`.
fn lenient_time<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value: Option<f64> = Option::deserialize(deserializer)?;
    Ok(value.filter(|value| value.is_finite()).unwrap_or(-1.0))
}

/// A number, or 0 for `null`.
fn lenient_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value: Option<f64> = Option::deserialize(deserializer)?;
    Ok(value.filter(|value| value.is_finite()).unwrap_or(0.0))
}

/// A string, or empty for `null`.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// The file as JSON, indented as DevTools writes it.
pub fn to_json(har: &Har) -> String {
    serde_json::to_string_pretty(har).unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}
