//! Reading HAR files from Chrome's DevTools, Firefox, Playwright or Wirelab into the HTTP lab's
//! history, as requests that can be sent again.
//!
//! The file is read in two steps: an outline (`log.version`, `creator`, and each entry as raw
//! JSON text, so a file that breaks off still yields the entries before the break), then each
//! entry on its own, so a bad one is named (its number, line and field) and skipped while the
//! rest land. Entries that are not HTTP requests (data: URLs, WebSockets, browser-internal
//! schemes) are skipped with the reason. Response bodies are not kept (the history keeps none);
//! headers the browser sets itself (Host, Cookie, `:authority`…) are kept switched off, so Send
//! works as it does for a request typed here.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{Creator, Entry, NameValue, PostData, parse_date};
use crate::history::{History, HistoryEntry, RecordedResponse};
use crate::http_request::{
    BinarySource, FORM_CONTENT_TYPE, HttpRequest, KeyValue, RequestBody, RequestField, is_token,
};

/// What a HAR file held, ready for the history.
#[derive(Clone, Debug, PartialEq)]
pub struct HarImport {
    /// The entries that can be replayed, in the file's order (ids are given by the history).
    pub entries: Vec<HistoryEntry>,
    pub skipped: Vec<SkippedEntry>,
    /// Entries read from the file, skipped ones included.
    pub total: usize,
    /// Set when the file breaks off (truncated, or bad JSON after some entries): where and why.
    pub cut_short: Option<String>,
    /// Who wrote it: `Chrome DevTools 120`, `Firefox 128`, `Playwright 1.49`.
    pub creator: String,
}

/// An entry that did not become a history entry, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedEntry {
    /// 1-based, in the file's order.
    pub number: usize,
    /// The method and URL, shortened, when the entry had them.
    pub label: String,
    pub reason: String,
}

impl fmt::Display for SkippedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.label.is_empty() {
            write!(f, "Entry {}: {}", self.number, self.reason)
        } else {
            write!(f, "Entry {} ({}): {}", self.number, self.label, self.reason)
        }
    }
}

/// What an import did, in words for the history panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarNotice {
    /// Entries added to the history.
    pub imported: usize,
    pub summary: String,
    /// One line per entry skipped or left out, then why the file broke off, if it did.
    pub details: Vec<String>,
}

impl HarNotice {
    /// A file that could not be read at all.
    pub fn unreadable(file_name: &str, error: &str) -> HarNotice {
        HarNotice {
            imported: 0,
            summary: format!("{file_name} could not be imported: {error} The history is unchanged."),
            details: Vec::new(),
        }
    }

    /// Nothing landed: the panel shows it as a problem.
    pub fn is_problem(&self) -> bool {
        self.imported == 0
    }
}

/// Reads a HAR file's text. `Err` is a sentence for a file with nothing to import: not JSON
/// (with the line and column), or JSON that is not a HAR.
pub fn import_har(text: &str) -> Result<HarImport, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("the file is empty.".into());
    }
    let mut outline = Outline::default();
    let mut reader = serde_json::Deserializer::from_str(text);
    let read = RootSeed(&mut outline).deserialize(&mut reader).and_then(|()| reader.end());
    let cut_short = match read {
        Ok(()) if !outline.saw_log => {
            return Err("this JSON is not a HAR file: it has no \"log\" object.".into());
        }
        Ok(()) if !outline.saw_entries => {
            return Err("this HAR file has no \"log.entries\" list.".into());
        }
        Ok(()) => None,
        Err(error) if outline.entries.is_empty() => return Err(unreadable(&error)),
        Err(error) => Some(format!(
            "The file breaks off after entry {} ({} at line {}, column {}); the entries before that point were read.",
            outline.entries.len(),
            message_of(&error),
            error.line(),
            error.column()
        )),
    };
    let mut lines = LineCounter::new(text);
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for (index, raw) in outline.entries.iter().enumerate() {
        let number = index + 1;
        let mut reader = serde_json::Deserializer::from_str(raw.get());
        match serde_path_to_error::deserialize::<_, Entry>(&mut reader) {
            Ok(entry) => {
                let label = label_of(&entry.request.method, &entry.request.url);
                match history_entry(entry) {
                    Ok(entry) => entries.push(entry),
                    Err(reason) => skipped.push(SkippedEntry { number, label, reason }),
                }
            }
            Err(error) => {
                let line = lines.line_of(raw.get()) + error.inner().line().saturating_sub(1);
                let path = error.path().to_string();
                let field = if path == "." { String::new() } else { format!(", field {path}") };
                skipped.push(SkippedEntry {
                    number,
                    label: label_of_raw(raw),
                    reason: format!("not read (line {line}{field}): {}", message_of(error.inner())),
                });
            }
        }
    }
    Ok(HarImport { total: outline.entries.len(), entries, skipped, cut_short, creator: creator_name(&outline) })
}

impl HarImport {
    /// Adds the entries to `history` as its newest, never dropping one already there: when the
    /// history has less room than the file has entries, the file's first ones go in and the rest
    /// are left out, said so in the notice. Returns what happened, in words.
    pub fn merge_into(self, history: &mut History, file_name: &str) -> HarNotice {
        let room = history.room();
        let readable = self.entries.len();
        let mut taken: Vec<HistoryEntry> = self.entries.into_iter().take(room).collect();
        let left_out = readable - taken.len();
        // Newest on top, as the history lists what was sent here.
        taken.sort_by(|a, b| b.sent_at_ms.total_cmp(&a.sent_at_ms));
        let imported = history.add_finished(taken);
        let from = if self.creator.is_empty() { String::new() } else { format!(" (written by {})", self.creator) };
        let plural = |count: usize| if count == 1 { "entry" } else { "entries" };
        let mut summary = if imported == 0 {
            format!("Nothing was imported from {file_name}{from}.")
        } else if imported == self.total {
            format!(
                "Imported {imported} {} from {file_name}{from}: they are at the top of the history; pick one to send it again.",
                plural(imported)
            )
        } else {
            format!(
                "Imported {imported} of the {} {} in {file_name}{from}; they are at the top of the history.",
                self.total,
                plural(self.total)
            )
        };
        if !self.skipped.is_empty() {
            summary.push_str(&format!(" {} skipped (below).", self.skipped.len()));
        }
        if left_out > 0 {
            summary.push_str(&format!(
                " {left_out} left out: the history holds at most {} requests and had room for {room}; clear it (or \
                 remove requests) and import again for the rest. Nothing already in the history was dropped.",
                history.capacity()
            ));
        }
        if self.total == 0 {
            summary.push_str(" The file has no entries.");
        }
        let mut details: Vec<String> = self.skipped.iter().map(ToString::to_string).collect();
        details.extend(self.cut_short);
        HarNotice { imported, summary, details }
    }
}

/// What the outline read keeps: the log's version and creator, and each entry's JSON text.
#[derive(Default)]
struct Outline<'de> {
    saw_log: bool,
    saw_entries: bool,
    version: Option<String>,
    creator: Option<Creator>,
    browser: Option<Creator>,
    entries: Vec<&'de RawValue>,
}

fn creator_name(outline: &Outline<'_>) -> String {
    let name = |creator: &Creator| format!("{} {}", creator.name.trim(), creator.version.trim()).trim().to_string();
    let creator = outline.creator.as_ref().map(name).unwrap_or_default();
    let browser = outline.browser.as_ref().map(name).filter(|browser| !browser.is_empty() && *browser != creator);
    let version = outline.version.as_deref().filter(|version| !version.is_empty() && *version != "1.2");
    let mut out = creator;
    if let Some(browser) = browser {
        out.push_str(&format!(" recording {browser}"));
    }
    if let Some(version) = version {
        out.push_str(&format!(", HAR {version}"));
    }
    out.trim().to_string()
}

struct RootSeed<'a, 'de>(&'a mut Outline<'de>);
struct LogSeed<'a, 'de>(&'a mut Outline<'de>);
struct EntriesSeed<'a, 'de>(&'a mut Outline<'de>);

impl<'de> DeserializeSeed<'de> for RootSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR file (an object with \"log\")")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                self.0.saw_log = true;
                map.next_value_seed(LogSeed(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a \"log\" object with \"entries\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "entries" => {
                    self.0.saw_entries = true;
                    map.next_value_seed(EntriesSeed(&mut *self.0))?;
                }
                "version" => self.0.version = map.next_value::<Option<String>>()?,
                "creator" => self.0.creator = map.next_value::<Option<Creator>>()?,
                "browser" => self.0.browser = map.next_value::<Option<Creator>>()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Each entry is kept as soon as it is read whole, so a file that breaks off keeps them.
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            self.0.entries.push(raw);
        }
        Ok(())
    }
}

/// serde_json's message without its ` at line L column C` (the caller places it).
fn message_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    text.split(" at line ").next().unwrap_or_default().to_string()
}

fn unreadable(error: &serde_json::Error) -> String {
    let place = format!("at line {}, column {}", error.line(), error.column().max(1));
    match error.classify() {
        serde_json::error::Category::Data => {
            format!("this JSON is not a HAR file ({} {place}).", message_of(error))
        }
        serde_json::error::Category::Eof => format!("the file ends too early to be JSON ({place})."),
        _ => format!("this file is not valid JSON ({} {place}).", message_of(error)),
    }
}

/// 1-based line numbers of places in the text, counted forward from the last one asked about.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter { text, offset: 0, line: 1 }
    }

    /// The line where `part` (a slice of the text, asked about in order) starts.
    fn line_of(&mut self, part: &str) -> usize {
        let start = (part.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize).min(self.text.len());
        if start >= self.offset {
            self.line += self.text.as_bytes()[self.offset..start].iter().filter(|byte| **byte == b'\n').count();
            self.offset = start;
        }
        self.line
    }
}

const LABEL_CHARS: usize = 80;

fn label_of(method: &str, url: &str) -> String {
    let url = url.trim();
    let short: String = url.chars().take(LABEL_CHARS).collect();
    let cut = if short.len() < url.len() { "…" } else { "" };
    format!("{} {short}{cut}", method.trim()).trim().to_string()
}

/// The method and URL of an entry that did not read as a whole, when they can be found.
fn label_of_raw(raw: &RawValue) -> String {
    #[derive(serde::Deserialize)]
    struct Head {
        request: Option<RequestHead>,
    }
    #[derive(serde::Deserialize)]
    struct RequestHead {
        method: Option<serde_json::Value>,
        url: Option<serde_json::Value>,
    }
    let text = |value: &Option<serde_json::Value>| {
        value.as_ref().and_then(|value| value.as_str()).unwrap_or_default().to_string()
    };
    serde_json::from_str::<Head>(raw.get())
        .ok()
        .and_then(|head| head.request)
        .map(|request| label_of(&text(&request.method), &text(&request.url)))
        .unwrap_or_default()
}

/// The headers a page cannot set (the Fetch standard's forbidden request headers, and the
/// `Proxy-` and `Sec-` ones), plus User-Agent (the replaying browser's own is the honest one):
/// kept, switched off.
fn set_by_browser(name: &str) -> bool {
    const NAMES: [&str; 22] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "user-agent",
    ];
    let name = name.trim().to_ascii_lowercase();
    NAMES.contains(&name.as_str()) || name.starts_with("proxy-") || name.starts_with("sec-")
}

fn header_rows(headers: &[NameValue]) -> Vec<KeyValue> {
    headers
        .iter()
        .filter(|header| !header.name.starts_with(':'))
        .map(|header| {
            if set_by_browser(&header.name) {
                KeyValue::disabled(header.name.trim(), &header.value)
            } else {
                KeyValue::new(header.name.trim(), &header.value)
            }
        })
        .collect()
}

fn is_json_type(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

fn is_xml_type(mime: &str) -> bool {
    let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml")
}

fn body_of(post_data: &PostData, content_type: Option<&str>) -> RequestBody {
    let mime =
        if post_data.mime_type.trim().is_empty() { content_type.unwrap_or_default() } else { &post_data.mime_type };
    let essence = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if post_data.encoding.as_deref().is_some_and(|encoding| encoding.eq_ignore_ascii_case("base64")) {
        return RequestBody::Binary { source: BinarySource::Base64, text: post_data.text.clone() };
    }
    if essence == FORM_CONTENT_TYPE && post_data.text.is_empty() && !post_data.params.is_empty() {
        let rows = post_data.params.iter().map(|param| KeyValue::new(&param.name, param.value_text())).collect();
        return RequestBody::Form(rows);
    }
    if essence == FORM_CONTENT_TYPE {
        let rows: Vec<KeyValue> = url::form_urlencoded::parse(post_data.text.as_bytes())
            .map(|(name, value)| KeyValue::new(name, value))
            .collect();
        if crate::http_request::form_urlencode(&rows) == post_data.text {
            return RequestBody::Form(rows);
        }
    }
    if is_json_type(mime) && post_data.text.is_empty() && !post_data.params.is_empty() {
        // chrome-har keeps a JSON body only as its fields, each with its JSON value.
        let object: serde_json::Map<String, serde_json::Value> = post_data
            .params
            .iter()
            .map(|param| (param.name.clone(), param.value.clone().unwrap_or(serde_json::Value::Null)))
            .collect();
        return RequestBody::Json(serde_json::Value::Object(object).to_string());
    }
    if is_json_type(mime) && serde_json::from_str::<IgnoredAny>(&post_data.text).is_ok() {
        return RequestBody::Json(post_data.text.clone());
    }
    if is_xml_type(mime) {
        return RequestBody::Xml(post_data.text.clone());
    }
    RequestBody::Text { content_type: mime.trim().to_string(), text: post_data.text.clone() }
}

/// A HAR entry as a history entry that Send accepts, or why it is not one.
fn history_entry(entry: Entry) -> Result<HistoryEntry, String> {
    let method = entry.request.method.trim().to_string();
    if !is_token(&method) {
        return Err(format!("request.method '{method}' is not an HTTP method"));
    }
    let url_text = entry.request.url.trim();
    let url = url::Url::parse(url_text).map_err(|error| format!("request.url '{url_text}' is not a URL ({error})"))?;
    let messages = entry.web_socket_messages.as_ref().map(Vec::len);
    let websocket = entry.resource_type.as_deref().is_some_and(|kind| kind.eq_ignore_ascii_case("websocket"))
        || messages.is_some()
        || matches!(url.scheme(), "ws" | "wss");
    if websocket {
        let count = messages.map(|count| format!(" with {count} messages")).unwrap_or_default();
        return Err(format!(
            "a WebSocket connection{count}: the HTTP lab sends HTTP requests, not WebSockets (use the WebSocket lab)"
        ));
    }
    match url.scheme() {
        "http" | "https" => {}
        "data" => return Err("a data: URL: the browser decoded it itself, nothing crossed the network".into()),
        scheme => return Err(format!("a {scheme}: URL, not an HTTP request")),
    }
    let sent_at_ms = parse_date(&entry.started_date_time).map_err(|error| format!("startedDateTime: {error}"))?;
    let headers = header_rows(&entry.request.headers);
    let content_type = entry
        .request
        .headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case("content-type"))
        .map(|header| header.value.as_str());
    let carries_body = !matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD");
    let body = match &entry.request.post_data {
        Some(post_data) if carries_body => body_of(post_data, content_type),
        _ => RequestBody::None,
    };
    let request = sendable(HttpRequest { method, url: url_text.to_string(), headers, body, ..HttpRequest::default() });
    let response = &entry.response;
    let status = (response.status > 0).then_some(response.status);
    let error = match status {
        Some(_) => None,
        None => Some(response.error.clone().unwrap_or_else(|| "no response (status 0 in the file)".into())),
    };
    let duration_ms = Some(if entry.time >= 0.0 { entry.time } else { entry.timings.total() });
    let recorded = status.map(|_| RecordedResponse {
        status_text: response.status_text.clone(),
        http_version: response.http_version.clone(),
        headers: response.headers.iter().map(|header| (header.name.clone(), header.value.clone())).collect(),
        mime_type: response.content.mime_type.clone(),
        body_size: response.content.size,
        timings: entry.timings,
        server_ip_address: entry.server_ip_address.clone(),
        resource_type: entry.resource_type.clone(),
        final_url: String::new(),
    });
    Ok(HistoryEntry { id: 0, request, sent_at_ms, status, duration_ms, error, response: recorded })
}

/// Switches off each header Send would refuse, and turns a JSON or XML body that does not parse
/// into raw text of the same type, so an imported request sends as the file had it.
fn sendable(mut request: HttpRequest) -> HttpRequest {
    for _ in 0..=request.headers.len() {
        match request.check() {
            Err(problem) => match problem.field {
                RequestField::Header(index) if index < request.headers.len() => request.headers[index].enabled = false,
                RequestField::Body => {
                    request.body = match std::mem::take(&mut request.body) {
                        RequestBody::Json(text) => RequestBody::Text { content_type: "application/json".into(), text },
                        RequestBody::Xml(text) => RequestBody::Text { content_type: "application/xml".into(), text },
                        other => {
                            request.body = other;
                            break;
                        }
                    }
                }
                _ => break,
            },
            Ok(()) => break,
        }
    }
    request
}
