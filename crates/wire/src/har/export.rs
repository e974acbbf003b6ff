//! Writing HAR: the HTTP lab's history (each entry's request as composed, its response head and
//! Resource Timing phases as the history keeps them, and the current exchange's body) and the
//! WebSocket lab's session (the handshake as an entry with its messages in `_webSocketMessages`,
//! as Chrome writes them).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{
    Cache, Content, Cookie, Creator, Entry, HAR_VERSION, Har, Log, NameValue, Page, PageTimings, PostData, PostParam,
    Request, Response, Timings, WebSocketMessage, format_date,
};
use crate::connection::{CloseInfo, close_code_name};
use crate::history::{HistoryEntry, RecordedResponse};
use crate::http_lab::HttpOutcome;
use crate::http_request::{FORM_CONTENT_TYPE, HttpRequest, MultipartValue, RequestBody};
use crate::http_status::reason_phrase;
use crate::message_log::{Direction, EntryBody, MessageLog, Payload};
use crate::resource_timing::{CONNECT, DNS, DOWNLOAD, TLS, TTFB, TimingBreakdown};
use crate::ws_inspect::HandshakeFacts;

/// The resource type of the HTTP lab's requests (Chrome's word for a `fetch()`).
pub const FETCH_RESOURCE_TYPE: &str = "fetch";
pub const WEBSOCKET_RESOURCE_TYPE: &str = "websocket";
/// What DevTools writes as the MIME type of a response that named none.
pub const UNKNOWN_MIME_TYPE: &str = "x-unknown";
const PAGE_ID: &str = "page_1";

fn creator() -> Creator {
    Creator { name: "Wirelab".into(), version: env!("CARGO_PKG_VERSION").into(), comment: None }
}

fn log_with(title: &str, entries: Vec<Entry>) -> Har {
    let started = entries.first().map(|entry| entry.started_date_time.clone()).unwrap_or_default();
    let page = Page {
        started_date_time: started,
        id: PAGE_ID.into(),
        title: title.into(),
        page_timings: PageTimings { on_content_load: Some(-1.0), on_load: Some(-1.0) },
    };
    Har {
        log: Log {
            version: HAR_VERSION.into(),
            creator: creator(),
            browser: None,
            pages: vec![page],
            entries,
            comment: None,
        },
    }
}

/// The HTTP lab's history as one HAR, oldest first. `current` is the exchange on screen and its
/// history id: its entry carries the body too (the history keeps no bodies). Requests still
/// waiting for an answer are left out.
pub fn http_lab_har(entries: &[HistoryEntry], current: Option<(u64, &HttpOutcome)>) -> Har {
    let entries = entries
        .iter()
        .rev()
        .filter(|entry| !entry.is_pending())
        .map(|entry| {
            let outcome = current.filter(|(id, _)| *id == entry.id).map(|(_, outcome)| outcome);
            history_entry(entry, outcome)
        })
        .collect();
    log_with("Wirelab HTTP lab", entries)
}

fn history_entry(entry: &HistoryEntry, outcome: Option<&HttpOutcome>) -> Entry {
    let recorded = outcome.map(recorded_response).or_else(|| entry.response.clone());
    let http_version = recorded.as_ref().map(|response| response.http_version.clone()).unwrap_or_default();
    let timings = match &recorded {
        Some(response) => response.timings,
        None => Timings { wait: entry.duration_ms.unwrap_or(0.0), ..Timings::default() },
    };
    let mut response = match (&recorded, entry.status) {
        (Some(recorded), Some(status)) => response_head(status, recorded),
        (None, Some(status)) => {
            Response { status, status_text: reason_phrase(status).unwrap_or_default().into(), ..Response::default() }
        }
        _ => Response {
            content: empty_content(0, UNKNOWN_MIME_TYPE, None),
            error: entry.error.clone(),
            ..Response::default()
        },
    };
    if let Some(outcome) = outcome {
        response.content = body_content(outcome);
    }
    Entry {
        pageref: Some(PAGE_ID.into()),
        started_date_time: format_date(entry.sent_at_ms),
        time: timings.total(),
        request: request_part(&entry.request, &http_version),
        response,
        cache: Cache {},
        timings,
        server_ip_address: recorded.as_ref().and_then(|response| response.server_ip_address.clone()),
        connection: None,
        comment: recorded
            .as_ref()
            .filter(|response| !response.final_url.is_empty() && response.final_url != entry.request.url)
            .map(|response| format!("fetch followed redirects to {}", response.final_url)),
        resource_type: Some(
            recorded.as_ref().and_then(|response| response.resource_type.clone()).unwrap_or(FETCH_RESOURCE_TYPE.into()),
        ),
        web_socket_messages: None,
    }
}

fn response_head(status: u16, recorded: &RecordedResponse) -> Response {
    let location = recorded.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("location"));
    Response {
        status,
        status_text: recorded.status_text.clone(),
        http_version: recorded.http_version.clone(),
        cookies: Vec::new(),
        headers: recorded.headers.iter().map(|(name, value)| NameValue::new(name, value)).collect(),
        content: empty_content(
            recorded.body_size,
            if recorded.mime_type.is_empty() { UNKNOWN_MIME_TYPE } else { &recorded.mime_type },
            (recorded.body_size > 0).then_some("the history keeps no response bodies"),
        ),
        redirect_url: location.map(|(_, value)| value.clone()).unwrap_or_default(),
        headers_size: -1,
        body_size: -1,
        comment: None,
        error: None,
    }
}

/// A content without its body: `text` is written empty all the same, since readers such as
/// haralyzer expect it; `size` and the comment say what the body was.
fn empty_content(size: i64, mime_type: &str, comment: Option<&str>) -> Content {
    Content {
        size,
        mime_type: mime_type.into(),
        text: Some(String::new()),
        comment: comment.map(str::to_string),
        ..Content::default()
    }
}

/// The body as HAR holds it: text as it is, anything else in base64.
fn body_content(outcome: &HttpOutcome) -> Content {
    let (text, encoding) = if outcome.body_is_text {
        (String::from_utf8_lossy(&outcome.body).into_owned(), None)
    } else {
        (BASE64.encode(outcome.body.as_slice()), Some("base64".to_string()))
    };
    Content {
        size: outcome.body.len() as i64,
        compression: None,
        mime_type: outcome.header("content-type").unwrap_or(UNKNOWN_MIME_TYPE).to_string(),
        text: Some(text),
        encoding,
        comment: None,
    }
}

/// What the history keeps of a response: its head, size, type and timings (no body).
pub fn recorded_response(outcome: &HttpOutcome) -> RecordedResponse {
    RecordedResponse {
        status_text: outcome.status_text.clone(),
        http_version: outcome.timing.as_ref().map(|timing| timing.protocol.clone()).unwrap_or_default(),
        headers: outcome.headers.clone(),
        mime_type: outcome.header("content-type").unwrap_or_default().to_string(),
        body_size: outcome.body.len() as i64,
        timings: timings_from(&outcome.timing, outcome.duration_ms),
        server_ip_address: None,
        resource_type: None,
        final_url: if outcome.redirected { outcome.final_url.clone() } else { String::new() },
    }
}

/// HAR's timings from the Resource Timing phases: DNS, connect (TCP and TLS together, as HAR
/// counts it) and ssl, the time before the first of them as blocked, TTFB as wait, Download as
/// receive; send is 0 (Resource Timing has no end of sending). Without phases (hidden
/// cross-origin timing, no entry) everything is wait, `duration_ms` long, and the rest -1.
pub fn timings_from(timing: &Result<TimingBreakdown, String>, duration_ms: f64) -> Timings {
    let unknown = Timings { wait: duration_ms.max(0.0), ..Timings::default() };
    let Ok(breakdown) = timing else {
        return unknown;
    };
    let phase = |name: &str| breakdown.phases.iter().find(|phase| phase.name == name);
    let (Some(wait), receive) = (phase(TTFB), phase(DOWNLOAD)) else {
        return Timings { wait: breakdown.total_ms.max(duration_ms).max(0.0), ..unknown };
    };
    let duration = |name: &str| phase(name).map(|phase| phase.duration_ms);
    let connect = match (duration(CONNECT), duration(TLS)) {
        (None, None) => -1.0,
        (tcp, tls) => tcp.unwrap_or(0.0) + tls.unwrap_or(0.0),
    };
    let first = [DNS, CONNECT, TTFB].into_iter().filter_map(phase).map(|phase| phase.start_ms).fold(f64::NAN, f64::min);
    Timings {
        blocked: if first.is_nan() { -1.0 } else { first },
        dns: duration(DNS).unwrap_or(-1.0),
        connect,
        send: 0.0,
        wait: wait.duration_ms,
        receive: receive.map_or(0.0, |phase| phase.duration_ms),
        ssl: duration(TLS).unwrap_or(-1.0),
    }
}

/// The request as composed: its headers as sent (the browser adds its own, which no page can
/// read), its query, and its body (binary as base64, files by name only).
fn request_part(request: &HttpRequest, http_version: &str) -> Request {
    let headers: Vec<NameValue> =
        request.effective_headers().into_iter().map(|(name, value)| NameValue::new(name, value)).collect();
    let cookies = headers
        .iter()
        .filter(|header| header.name.eq_ignore_ascii_case("cookie"))
        .flat_map(|header| header.value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| Cookie { name: name.into(), value: value.into(), ..Cookie::default() })
        .collect();
    let query_string = url::Url::parse(request.url.trim())
        .map(|url| url.query_pairs().map(|(name, value)| NameValue::new(name, value)).collect())
        .unwrap_or_default();
    let mime_type = request.header("content-type").map(str::to_string).or_else(|| request.body.implied_content_type());
    let post_data = post_data(&request.body, mime_type.unwrap_or_default());
    let body_size = match (&request.body, &post_data) {
        (RequestBody::File { size, .. }, _) => i64::try_from(*size).unwrap_or(-1),
        (RequestBody::Multipart(_), _) => -1,
        (_, None) => 0,
        (_, Some(_)) => request.body_bytes().ok().flatten().map_or(-1, |bytes| bytes.len() as i64),
    };
    Request {
        method: request.method.trim().to_string(),
        url: request.url.trim().to_string(),
        http_version: http_version.to_string(),
        cookies,
        headers,
        query_string,
        post_data,
        headers_size: -1,
        body_size,
        comment: None,
    }
}

fn post_data(body: &RequestBody, mime_type: String) -> Option<PostData> {
    let text_body =
        |text: &str| Some(PostData { mime_type: mime_type.clone(), text: text.into(), ..PostData::default() });
    match body {
        RequestBody::None => None,
        RequestBody::Json(text) | RequestBody::Xml(text) | RequestBody::Text { text, .. } => text_body(text),
        RequestBody::Form(rows) => Some(PostData {
            mime_type: FORM_CONTENT_TYPE.into(),
            params: rows.iter().filter(|row| row.is_sent()).map(|row| PostParam::text(&row.name, &row.value)).collect(),
            text: crate::http_request::form_urlencode(rows),
            ..PostData::default()
        }),
        RequestBody::Binary { .. } => match body_bytes(body) {
            Some(bytes) => Some(PostData {
                mime_type,
                text: BASE64.encode(bytes),
                encoding: Some("base64".into()),
                ..PostData::default()
            }),
            None => text_body(""),
        },
        RequestBody::Multipart(fields) => Some(PostData {
            mime_type: "multipart/form-data".into(),
            params: fields
                .iter()
                .filter(|field| field.enabled)
                .map(|field| match &field.value {
                    MultipartValue::Text(text) => PostParam::text(&field.name, text),
                    MultipartValue::File { file_name, content_type, .. } => PostParam {
                        name: field.name.clone(),
                        value: None,
                        file_name: Some(file_name.clone()),
                        content_type: Some(content_type.clone()),
                    },
                })
                .collect(),
            comment: Some("the browser chose the boundary; files are named, their bytes are not kept".into()),
            ..PostData::default()
        }),
        RequestBody::File { file_name, size, .. } => Some(PostData {
            mime_type,
            comment: Some(format!("the {size} bytes of {file_name} (files are not kept)")),
            ..PostData::default()
        }),
    }
}

fn body_bytes(body: &RequestBody) -> Option<Vec<u8>> {
    HttpRequest { body: body.clone(), ..HttpRequest::default() }.body_bytes().ok().flatten()
}

/// The WebSocket lab's last connection, as the lab records it for a HAR export: where it went,
/// what was offered and agreed, when, and where its part of the log starts.
#[derive(Clone, Debug, PartialEq)]
pub struct WsSessionRecord {
    pub url: String,
    pub offered_protocols: Vec<String>,
    /// When Connect started it, in milliseconds since the Unix epoch.
    pub started_ms: f64,
    /// When the browser reported it open.
    pub opened_ms: Option<f64>,
    pub protocol: String,
    pub extensions: String,
    /// The log id of its first entry: the log's entries from here on are this connection's.
    pub first_log_id: u64,
    pub close: Option<CloseInfo>,
}

impl WsSessionRecord {
    pub fn started(url: &str, offered_protocols: &[String], started_ms: f64, first_log_id: u64) -> WsSessionRecord {
        WsSessionRecord {
            url: url.into(),
            offered_protocols: offered_protocols.to_vec(),
            started_ms,
            opened_ms: None,
            protocol: String::new(),
            extensions: String::new(),
            first_log_id,
            close: None,
        }
    }

    pub fn opened(&mut self, protocol: &str, extensions: &str, at_ms: f64) {
        self.opened_ms = Some(at_ms);
        self.protocol = protocol.into();
        self.extensions = extensions.into();
    }

    pub fn closed(&mut self, info: &CloseInfo) {
        self.close = Some(info.clone());
    }
}

/// The WebSocket lab's connection as one HAR entry: the opening handshake (the key and accept
/// hash when `/ws/inspect` reported them), the 101 answer, and every message the log still holds
/// in `_webSocketMessages` (time in seconds since the epoch, opcode 1 text or 2 binary, binary
/// data in base64).
pub fn ws_lab_har(session: &WsSessionRecord, log: &MessageLog, handshake: Option<&HandshakeFacts>) -> Har {
    let mut request_headers = vec![
        NameValue::new("Connection", "Upgrade"),
        NameValue::new("Upgrade", "websocket"),
        NameValue::new("Sec-WebSocket-Version", "13"),
    ];
    let mut response_headers = vec![NameValue::new("Connection", "Upgrade"), NameValue::new("Upgrade", "websocket")];
    if let Some(facts) = handshake {
        request_headers.push(NameValue::new("Sec-WebSocket-Key", &facts.key));
        response_headers.push(NameValue::new("Sec-WebSocket-Accept", &facts.accept));
        if let Some(offered) = &facts.offered_extensions {
            request_headers.push(NameValue::new("Sec-WebSocket-Extensions", offered));
        }
    }
    if !session.offered_protocols.is_empty() {
        request_headers.push(NameValue::new("Sec-WebSocket-Protocol", session.offered_protocols.join(", ")));
    }
    if !session.protocol.is_empty() {
        response_headers.push(NameValue::new("Sec-WebSocket-Protocol", &session.protocol));
    }
    if !session.extensions.is_empty() {
        response_headers.push(NameValue::new("Sec-WebSocket-Extensions", &session.extensions));
    }
    let messages: Vec<WebSocketMessage> = log
        .iter()
        .filter(|entry| entry.id >= session.first_log_id)
        .filter_map(|entry| match &entry.body {
            EntryBody::Message { direction, payload } => Some(WebSocketMessage {
                kind: match direction {
                    Direction::Sent => "send",
                    Direction::Received => "receive",
                }
                .into(),
                time: entry.at_ms / 1_000.0,
                opcode: if payload.is_binary() { 2 } else { 1 },
                data: match payload.as_ref() {
                    Payload::Text(text) => text.clone(),
                    Payload::Binary(bytes) => BASE64.encode(bytes),
                },
            }),
            EntryBody::Event { .. } => None,
        })
        .collect();
    let handshake_ms = session.opened_ms.map_or(0.0, |opened| (opened - session.started_ms).max(0.0));
    let timings = Timings { wait: handshake_ms, ..Timings::default() };
    let (status, error) = match session.opened_ms {
        Some(_) => (101, None),
        None => (0, Some("the connection did not open".to_string())),
    };
    let oldest_kept = log.iter().next().map_or(0, |entry| entry.id);
    let mut comments = Vec::new();
    if let Some(close) = &session.close {
        let reason = if close.reason.is_empty() { String::new() } else { format!(" \u{201c}{}\u{201d}", close.reason) };
        comments.push(format!("closed {} {}{reason}", close.code, close_code_name(close.code)));
    }
    if oldest_kept > session.first_log_id {
        comments.push(format!(
            "the earliest messages of this connection are not here: the log was cleared, or kept only its newest {} entries",
            log.capacity()
        ));
    }
    let entry = Entry {
        pageref: Some(PAGE_ID.into()),
        started_date_time: format_date(session.started_ms),
        time: timings.total(),
        request: Request {
            method: "GET".into(),
            url: session.url.clone(),
            http_version: "HTTP/1.1".into(),
            cookies: Vec::new(),
            headers: request_headers,
            query_string: url::Url::parse(&session.url)
                .map(|url| url.query_pairs().map(|(name, value)| NameValue::new(name, value)).collect())
                .unwrap_or_default(),
            post_data: None,
            headers_size: -1,
            body_size: 0,
            comment: None,
        },
        response: Response {
            status,
            status_text: if status == 101 { "Switching Protocols".into() } else { String::new() },
            http_version: if status == 101 { "HTTP/1.1".into() } else { String::new() },
            headers: if status == 101 { response_headers } else { Vec::new() },
            content: empty_content(0, UNKNOWN_MIME_TYPE, None),
            error,
            ..Response::default()
        },
        cache: Cache {},
        timings,
        server_ip_address: None,
        connection: None,
        comment: (!comments.is_empty()).then(|| comments.join("; ")),
        resource_type: Some(WEBSOCKET_RESOURCE_TYPE.into()),
        web_socket_messages: Some(messages),
    };
    log_with("Wirelab WebSocket lab", vec![entry])
}
