//! The HTTP lab's state and every change to it ([`HttpLabState`], a [`LabState`]): the request
//! being composed (its query table and URL kept in sync both ways), the problem that stopped the
//! last Send, the exchange in progress or finished, and the history of sent requests. Also what
//! the request editor computes while a person types: the body kinds and how one turns into
//! another, the live body check, and the request as HTTP/1.1 would carry it.
//!
//! Fetching is the app's (`src/net/http.rs`): [`HttpEffect::Fetch`] asks for it, and the response
//! or the failure comes back as [`HttpEvent::Finished`]. A body read as it arrives (see
//! [`crate::stream_log`]) comes first as [`HttpEvent::StreamOpened`] and [`HttpEvent::StreamChunk`]s,
//! kept in [`HttpLabState::stream`]. The EventSource panel's state is
//! [`HttpLabState::event_source`], driven through [`HttpEvent::EventSource`].

use std::rc::Rc;

use crate::har::{HarImport, HarNotice, recorded_response};
use crate::history::{HISTORY_CAPACITY, History};
use crate::http_request::{
    Auth, BinarySource, HttpRequest, KeyValue, MultipartField, RequestBody, RequestError, RequestProblem, check_body,
};
use crate::lab::LabState;
use crate::query_params::{merge_params, params_from_url, url_with_params};
use crate::resource_timing::TimingBreakdown;
use crate::stream_log::event_source::{EsEffect, EsEvent, EventSourcePanel};
use crate::stream_log::{StreamEnd, StreamFormat, StreamLog};

/// The request being composed.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub request: HttpRequest,
    /// The query table: the URL's parameters plus rows switched off (which the URL cannot hold).
    pub params: Vec<KeyValue>,
}

impl Draft {
    pub fn new(request: HttpRequest) -> Draft {
        let params = params_from_url(&request.url);
        Draft { request, params }
    }

    pub fn edit(&mut self, edit: DraftEdit) {
        match edit {
            DraftEdit::Method(method) => self.request.method = method,
            DraftEdit::Url(url) => {
                self.params = merge_params(&url, &self.params);
                self.request.url = url;
            }
            DraftEdit::Params(params) => {
                self.request.url = url_with_params(&self.request.url, &params);
                self.params = params;
            }
            DraftEdit::Headers(headers) => self.request.headers = headers,
            DraftEdit::Body(body) => self.request.body = body,
            DraftEdit::Auth(auth) => self.request.auth = auth,
            DraftEdit::Timeout(timeout) => self.request.timeout_ms = timeout,
            DraftEdit::IncludeCredentials(include) => self.request.include_credentials = include,
        }
    }
}

/// One change to the request being composed.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftEdit {
    Method(String),
    /// The URL as typed; the query table follows it.
    Url(String),
    /// The query table; the URL follows it.
    Params(Vec<KeyValue>),
    Headers(Vec<KeyValue>),
    Body(RequestBody),
    Auth(Auth),
    Timeout(Option<u32>),
    /// "Send cookies": fetch with `credentials: "include"`.
    IncludeCredentials(bool),
}

/// The kinds of body the editor offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Json,
    Xml,
    Form,
    Multipart,
    Text,
    Hex,
    Base64,
    File,
}

impl BodyKind {
    pub const ALL: [BodyKind; 9] = [
        BodyKind::None,
        BodyKind::Json,
        BodyKind::Xml,
        BodyKind::Form,
        BodyKind::Multipart,
        BodyKind::Text,
        BodyKind::Hex,
        BodyKind::Base64,
        BodyKind::File,
    ];

    pub fn of(body: &RequestBody) -> BodyKind {
        match body {
            RequestBody::None => BodyKind::None,
            RequestBody::Json(_) => BodyKind::Json,
            RequestBody::Xml(_) => BodyKind::Xml,
            RequestBody::Form(_) => BodyKind::Form,
            RequestBody::Multipart(_) => BodyKind::Multipart,
            RequestBody::Text { .. } => BodyKind::Text,
            RequestBody::Binary { source: BinarySource::Hex, .. } => BodyKind::Hex,
            RequestBody::Binary { source: BinarySource::Base64, .. } => BodyKind::Base64,
            RequestBody::File { .. } => BodyKind::File,
        }
    }

    /// The value of the kind's `<option>`.
    pub fn key(self) -> &'static str {
        match self {
            BodyKind::None => "none",
            BodyKind::Json => "json",
            BodyKind::Xml => "xml",
            BodyKind::Form => "form",
            BodyKind::Multipart => "multipart",
            BodyKind::Text => "text",
            BodyKind::Hex => "hex",
            BodyKind::Base64 => "base64",
            BodyKind::File => "file",
        }
    }

    pub fn from_key(key: &str) -> Option<BodyKind> {
        BodyKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            BodyKind::None => "None",
            BodyKind::Json => "JSON",
            BodyKind::Xml => "XML",
            BodyKind::Form => "Form (urlencoded)",
            BodyKind::Multipart => "Multipart (fields and files)",
            BodyKind::Text => "Raw text",
            BodyKind::Hex => "Binary (hex)",
            BodyKind::Base64 => "Binary (base64)",
            BodyKind::File => "Binary (file)",
        }
    }

    /// The body this kind starts with, carrying over typed text where it makes sense.
    pub fn convert(self, from: &RequestBody) -> RequestBody {
        let text = match from {
            RequestBody::Json(text) | RequestBody::Xml(text) => text.clone(),
            RequestBody::Text { text, .. } | RequestBody::Binary { text, .. } => text.clone(),
            _ => String::new(),
        };
        match self {
            BodyKind::None => RequestBody::None,
            BodyKind::Json => RequestBody::Json(if text.is_empty() { "{\n  \n}".to_string() } else { text }),
            BodyKind::Xml => RequestBody::Xml(text),
            BodyKind::Form => RequestBody::Form(vec![KeyValue::new("", "")]),
            BodyKind::Multipart => RequestBody::Multipart(vec![MultipartField::text("", "")]),
            BodyKind::Text => RequestBody::Text { content_type: "text/plain; charset=utf-8".to_string(), text },
            BodyKind::Hex => RequestBody::Binary { source: BinarySource::Hex, text: String::new() },
            BodyKind::Base64 => RequestBody::Binary { source: BinarySource::Base64, text: String::new() },
            BodyKind::File => RequestBody::File { file_name: String::new(), content_type: String::new(), size: 0 },
        }
    }
}

/// The body's problem while it is typed: what Send would refuse ([`check_body`]), except that an
/// empty JSON or XML body is not one yet (the person has not started).
pub fn live_body_problem(body: &RequestBody) -> Option<RequestError> {
    match body {
        RequestBody::Json(text) | RequestBody::Xml(text) if text.trim().is_empty() => None,
        _ => check_body(body).err(),
    }
}

/// The request as it would go over the wire in HTTP/1.1, as composed here (the browser adds
/// and changes headers; the "Sent vs received" view puts this beside what the server got).
pub fn composed_wire_form(request: &HttpRequest) -> String {
    let target = url::Url::parse(&request.url).ok();
    let path = target.as_ref().map_or_else(
        || request.url.clone(),
        |url| match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        },
    );
    let mut out = format!("{} {path} HTTP/1.1\n", request.method);
    if let Some(host) = target.as_ref().and_then(|url| url.host_str().map(|host| (host, url.port()))) {
        match host.1 {
            Some(port) => out.push_str(&format!("host: {}:{port}\n", host.0)),
            None => out.push_str(&format!("host: {}\n", host.0)),
        }
    }
    for (name, value) in request.effective_headers() {
        out.push_str(&format!("{}: {value}\n", name.to_ascii_lowercase()));
    }
    out.push('\n');
    match &request.body {
        RequestBody::Multipart(_) => out.push_str("(multipart body: the browser chooses the boundary)\n"),
        RequestBody::File { file_name, size, .. } => {
            out.push_str(&format!("(the bytes of {file_name}, {size} bytes)\n"))
        }
        _ => match request.body_bytes() {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => out.push_str(&text),
                Err(error) => out.push_str(&format!("({} bytes of binary data)", error.as_bytes().len())),
            },
            Ok(None) => {}
            Err(error) => out.push_str(&format!("(body not built: {error})")),
        },
    }
    out
}

/// A response as the lab shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpOutcome {
    pub status: u16,
    pub status_text: String,
    pub headers: Vec<(String, String)>,
    pub body: Rc<Vec<u8>>,
    /// Whether the body is UTF-8 text: checked once on arrival, since a 20 MB body costs tens of
    /// milliseconds to check and the view asks on every render.
    pub body_is_text: bool,
    /// From sending to the last body byte, by `performance.now()`.
    pub duration_ms: f64,
    /// The URL after redirects.
    pub final_url: String,
    pub redirected: bool,
    pub timing: Result<TimingBreakdown, String>,
}

impl HttpOutcome {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// Approximate size of the response head: status line and header lines as HTTP/1.1 would send them.
    pub fn header_bytes(&self) -> usize {
        let status_line = 15 + self.status_text.len();
        status_line + self.headers.iter().map(|(name, value)| name.len() + value.len() + 4).sum::<usize>() + 2
    }
}

/// Why no response could be shown.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchFailure {
    /// The browser blocked reading a cross-origin response: the server answered, but without
    /// `Access-Control-Allow-Origin` for this page.
    Cors(String),
    /// No response at all: refused, unreachable, DNS failure, TLS failure, or dropped.
    Network(String),
    /// An https page may not fetch http URLs.
    MixedContent(String),
    Timeout(u32),
    Cancelled,
    /// The browser refused to build the request (a forbidden header, a bad URL...).
    Refused(String),
}

impl FetchFailure {
    pub fn title(&self) -> &'static str {
        match self {
            FetchFailure::Cors(_) => "Blocked by CORS",
            FetchFailure::Network(_) => "Network error",
            FetchFailure::MixedContent(_) => "Blocked: mixed content",
            FetchFailure::Timeout(_) => "Timed out",
            FetchFailure::Cancelled => "Cancelled",
            FetchFailure::Refused(_) => "The browser refused the request",
        }
    }

    pub fn explanation(&self) -> String {
        match self {
            FetchFailure::Cors(origin) => format!(
                "The server at {origin} answered, but its response did not allow this page's origin \
                 (no matching Access-Control-Allow-Origin header), so the browser hid the response from \
                 the page. CORS (Cross-Origin Resource Sharing) is the browser's rule that a page may only \
                 read responses from another origin when that origin says it may. Tools outside the browser, \
                 such as curl (see Code), are not bound by it; Wirelab's own server allows every origin."
            ),
            FetchFailure::Network(detail) => format!(
                "No response arrived: the server refused or dropped the connection, the host name did not \
                 resolve, or TLS failed. Browsers do not tell pages which. {detail}"
            ),
            FetchFailure::MixedContent(url) => format!(
                "This page was loaded over HTTPS, so the browser blocks requests to plain http:// URLs such as {url}. Use https://."
            ),
            FetchFailure::Timeout(ms) => format!(
                "No complete response within {ms} ms; the request was aborted. Raise the timeout under Options."
            ),
            FetchFailure::Cancelled => "You cancelled the request; nothing more will arrive.".to_string(),
            FetchFailure::Refused(detail) => detail.clone(),
        }
    }
}

/// The last request sent and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub enum Exchange {
    Idle,
    Sending,
    Done { outcome: Rc<HttpOutcome>, sent: Rc<HttpRequest> },
    Failed { failure: FetchFailure, sent: Rc<HttpRequest> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum HttpEvent {
    Edit(DraftEdit),
    /// Send pressed (or Ctrl+Enter): the request is checked, recorded, then fetched.
    Send,
    Cancel,
    /// A history entry back into the editor.
    Restore(u64),
    ClearHistory,
    /// A request read from a pasted cURL command.
    Import(HttpRequest),
    /// The "Show as it arrives" switch: read every response chunk by chunk.
    ShowAsItArrives(bool),
    /// The response head arrived and its body is read as it arrives.
    StreamOpened {
        status: u16,
        content_type: String,
        headers_at_ms: f64,
    },
    /// A piece of that body, `at_ms` after sending.
    StreamChunk {
        at_ms: f64,
        bytes: Vec<u8>,
    },
    /// [`HttpEffect::Fetch`] finished.
    Finished(Result<HttpOutcome, FetchFailure>),
    /// [`HttpEffect::StoreHistory`] failed, with why.
    HistoryNotStored(String),
    /// The EventSource panel: what the person did or the browser reported.
    EventSource(EsEvent),
    /// A HAR file was read (`wire::har::import_har`, done by the app: big files take a while):
    /// its requests join the history.
    HarImported {
        file_name: String,
        result: Result<HarImport, String>,
    },
}

/// What the app must do.
#[derive(Clone, Debug, PartialEq)]
pub enum HttpEffect {
    /// Fetch this (checked) request with its timeout and the files the app holds; answer with
    /// [`HttpEvent::Finished`]. When [`crate::stream_log::reads_as_it_arrives`] says so (with
    /// `as_it_arrives`, the person's switch), read the body chunk by chunk and report it with
    /// [`HttpEvent::StreamOpened`] and [`HttpEvent::StreamChunk`] first.
    Fetch { request: Rc<HttpRequest>, as_it_arrives: bool },
    /// Abort the fetch in progress as cancelled by the person.
    Abort,
    /// Keep the history (this JSON) across reloads; answer a failure with
    /// [`HttpEvent::HistoryNotStored`].
    StoreHistory(String),
    /// The EventSource panel's browser work.
    EventSource(EsEffect),
}

/// The HTTP lab. Views read the public fields; only [`LabState::apply`] changes them.
#[derive(Clone, Debug)]
pub struct HttpLabState {
    pub draft: Draft,
    /// What stopped the last Send, until the next edit.
    pub problem: Option<RequestProblem>,
    pub exchange: Exchange,
    pub history: History,
    /// Why the history could not be read or kept.
    pub history_notice: Option<String>,
    /// What the last "Import HAR" did.
    pub har_notice: Option<HarNotice>,
    /// The history id of the exchange on screen (its HAR entry carries the body).
    pub exchange_entry: Option<u64>,
    /// Read every response as it arrives, whatever its type.
    pub show_as_it_arrives: bool,
    /// The chunks of the last response read as it arrived (while it arrives, and after).
    pub stream: Option<Rc<StreamLog>>,
    pub event_source: EventSourcePanel,
    /// The history id and request of the fetch in progress.
    in_flight: Option<(u64, Rc<HttpRequest>)>,
}

impl HttpLabState {
    /// The lab on a page from `page_origin`, with the history as read from storage (`Ok(None)`:
    /// nothing stored; `Err`: unreadable, so a new one starts and the notice says why).
    pub fn new(page_origin: &str, stored_history: Result<Option<History>, String>) -> HttpLabState {
        let (history, history_notice) = match stored_history {
            Ok(history) => (history.unwrap_or_else(|| History::with_capacity(HISTORY_CAPACITY)), None),
            Err(error) => (
                History::with_capacity(HISTORY_CAPACITY),
                Some(format!("The saved history could not be read ({error}); a new one started.")),
            ),
        };
        HttpLabState {
            draft: Draft::new(first_request(page_origin)),
            problem: None,
            exchange: Exchange::Idle,
            history,
            history_notice,
            har_notice: None,
            exchange_entry: None,
            show_as_it_arrives: false,
            stream: None,
            event_source: EventSourcePanel::new(&first_event_source_url(page_origin)),
            in_flight: None,
        }
    }

    pub fn is_sending(&self) -> bool {
        self.in_flight.is_some()
    }

    fn store_history(&self) -> Vec<HttpEffect> {
        vec![HttpEffect::StoreHistory(self.history.to_json())]
    }

    fn send(&mut self, now_ms: f64) -> Vec<HttpEffect> {
        if self.in_flight.is_some() {
            return Vec::new();
        }
        if let Err(problem) = self.draft.request.check() {
            self.problem = Some(problem);
            return Vec::new();
        }
        self.problem = None;
        let request = Rc::new(self.draft.request.clone());
        let id = self.history.record((*request).clone(), now_ms);
        self.in_flight = Some((id, request.clone()));
        self.exchange = Exchange::Sending;
        self.stream = None;
        let mut effects = self.store_history();
        effects.push(HttpEffect::Fetch { request, as_it_arrives: self.show_as_it_arrives });
        effects
    }

    fn finish(&mut self, result: Result<HttpOutcome, FetchFailure>) -> Vec<HttpEffect> {
        let Some((id, sent)) = self.in_flight.take() else {
            return Vec::new();
        };
        if let Some(stream) = self.stream.as_mut() {
            let stream = Rc::make_mut(stream);
            let last_chunk_ms = stream.chunks.back().map_or(stream.headers_at_ms, |chunk| chunk.at_ms);
            match &result {
                Ok(outcome) => stream.end(outcome.duration_ms, StreamEnd::Complete),
                Err(failure) => stream.end(last_chunk_ms, StreamEnd::Cut(failure.title().to_string())),
            }
        }
        self.exchange_entry = Some(id);
        self.exchange = match result {
            Ok(outcome) => {
                self.history.complete(id, Some(outcome.status), Some(outcome.duration_ms), None);
                self.history.attach_response(id, recorded_response(&outcome));
                Exchange::Done { outcome: Rc::new(outcome), sent }
            }
            Err(failure) => {
                self.history.complete(id, None, None, Some(failure.title().to_string()));
                Exchange::Failed { failure, sent }
            }
        };
        self.store_history()
    }
}

impl LabState for HttpLabState {
    type Event = HttpEvent;
    type Effect = HttpEffect;

    fn apply(&mut self, event: HttpEvent, now_ms: f64) -> Vec<HttpEffect> {
        match event {
            HttpEvent::Edit(edit) => {
                self.draft.edit(edit);
                self.problem = None;
            }
            HttpEvent::Send => return self.send(now_ms),
            HttpEvent::Cancel => {
                if self.in_flight.is_some() {
                    return vec![HttpEffect::Abort];
                }
            }
            HttpEvent::Restore(id) => {
                if let Some(entry) = self.history.get(id) {
                    self.draft = Draft::new(entry.request.clone());
                    self.problem = None;
                }
            }
            HttpEvent::ClearHistory => {
                self.history.clear();
                return self.store_history();
            }
            HttpEvent::Import(request) => {
                self.draft = Draft::new(request);
                self.problem = None;
            }
            HttpEvent::ShowAsItArrives(on) => self.show_as_it_arrives = on,
            HttpEvent::StreamOpened { status, content_type, headers_at_ms } => {
                if self.in_flight.is_some() {
                    let format = StreamFormat::of_content_type(&content_type);
                    self.stream = Some(Rc::new(StreamLog::new(format, status, &content_type, headers_at_ms)));
                }
            }
            HttpEvent::StreamChunk { at_ms, bytes } => {
                if let (Some(_), Some(stream)) = (&self.in_flight, self.stream.as_mut()) {
                    Rc::make_mut(stream).push(at_ms, &bytes);
                }
            }
            HttpEvent::Finished(result) => return self.finish(result),
            HttpEvent::HistoryNotStored(error) => self.history_notice = Some(error),
            HttpEvent::EventSource(event) => {
                return self.event_source.apply(event, now_ms).into_iter().map(HttpEffect::EventSource).collect();
            }
            HttpEvent::HarImported { file_name, result } => {
                let notice = match result {
                    Ok(import) => import.merge_into(&mut self.history, &file_name),
                    Err(error) => HarNotice::unreadable(&file_name, &error),
                };
                let added = notice.imported > 0;
                self.har_notice = Some(notice);
                if added {
                    return self.store_history();
                }
            }
        }
        Vec::new()
    }
}

/// The URL the EventSource panel opens with: the page's server's `/sse`, ending each response
/// after five events so the browser's reconnect and its `Last-Event-ID` show.
pub fn first_event_source_url(page_origin: &str) -> String {
    let origin = if page_origin.starts_with("http") { page_origin } else { "http://127.0.0.1:8080" };
    format!("{origin}/sse?count=12&interval_ms=400&close_after=5")
}

/// The request the lab opens with: the page's server echoing a GET, with a parameter to play
/// with (`http://127.0.0.1:8080` when the page has no http origin).
pub fn first_request(page_origin: &str) -> HttpRequest {
    let origin = if page_origin.starts_with("http") { page_origin } else { "http://127.0.0.1:8080" };
    HttpRequest { url: format!("{origin}/get?greeting=hello"), ..HttpRequest::default() }
}
