//! The WebSocket lab's state and every change to it ([`WsLabState`], a [`LabState`]): the connection
//! form and the composer as typed, the connection's state, the capped log with its filter and
//! selection, the saved messages, and on `/ws/inspect` the server's reports (the handshake checked
//! against [`accept_key`], frame facts attached to the sent message they describe).
//!
//! The socket itself is the app's (`src/net/socket.rs`): [`WsEffect`] asks it to open, send or
//! close, and what it reports comes back as [`WsEvent`]s, including the browser's own
//! [`SocketEvent`]s. Every log line the lab writes is made here.

use std::collections::HashMap;
use std::rc::Rc;

use crate::binary_input::{PayloadEncoding, parse_binary};
use crate::connection::{CloseInfo, ConnectionState, check_client_close, close_code_explanation, close_code_name};
use crate::echo_options::{set_knob, with_path};
use crate::endpoint::{check_socket_url, echo_url_for_page, parse_subprotocols};
use crate::har::WsSessionRecord;
use crate::hexdump::to_hex;
use crate::lab::LabState;
use crate::message_log::{Direction, EventKind, LogFilter, MessageLog, Payload};
use crate::saved_messages::{SavedMessage, SavedMessages};
use crate::units::format_bytes;
use crate::ws_frame::accept_key;
use crate::ws_inspect::{HandshakeFacts, InspectReport, MessageFacts};

/// Most copies one press of Send may send.
pub const MAX_REPEAT: u32 = 100_000;

/// What the person typed in the connection form (kept as typed, even when invalid).
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectForm {
    pub url: String,
    pub subprotocols: String,
    pub close_code: String,
    pub close_reason: String,
}

impl Default for ConnectForm {
    fn default() -> Self {
        ConnectForm {
            url: String::new(),
            subprotocols: String::new(),
            close_code: "1000".to_string(),
            close_reason: String::new(),
        }
    }
}

/// One change to the connection form.
#[derive(Clone, Debug, PartialEq)]
pub enum FormEdit {
    Url(String),
    Subprotocols(String),
    CloseCode(String),
    CloseReason(String),
    /// One server knob set in the URL's query (empty removes it): the URL stays the one source
    /// of truth for the knobs.
    Knob(&'static str, String),
    /// The URL's path replaced (the endpoint), its query kept.
    Endpoint(String),
}

impl ConnectForm {
    pub fn edit(&mut self, edit: FormEdit) {
        match edit {
            FormEdit::Url(value) => self.url = value,
            FormEdit::Subprotocols(value) => self.subprotocols = value,
            FormEdit::CloseCode(value) => self.close_code = value,
            FormEdit::CloseReason(value) => self.close_reason = value,
            FormEdit::Knob(name, value) => {
                if let Some(url) = set_knob(&self.url, name, &value) {
                    self.url = url;
                }
            }
            FormEdit::Endpoint(path) => {
                if let Some(url) = with_path(&self.url, &path) {
                    self.url = url;
                }
            }
        }
    }
}

/// The message being composed.
#[derive(Clone, Debug, PartialEq)]
pub struct ComposerDraft {
    pub encoding: PayloadEncoding,
    pub text: String,
    /// How many copies one press of Send sends (for load and log tests), 1 to [`MAX_REPEAT`].
    pub repeat: u32,
}

impl Default for ComposerDraft {
    fn default() -> Self {
        ComposerDraft { encoding: PayloadEncoding::Text, text: String::new(), repeat: 1 }
    }
}

/// One change to the composer.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftEdit {
    Encoding(PayloadEncoding),
    Text(String),
    Repeat(u32),
    /// Replace the whole message (Edit & resend, a saved message), keeping the repeat count.
    Message(PayloadEncoding, String),
}

impl ComposerDraft {
    pub fn edit(&mut self, edit: DraftEdit) {
        match edit {
            DraftEdit::Encoding(encoding) => self.encoding = encoding,
            DraftEdit::Text(text) => self.text = text,
            DraftEdit::Repeat(repeat) => self.repeat = repeat.clamp(1, MAX_REPEAT),
            DraftEdit::Message(encoding, text) => {
                self.encoding = encoding;
                self.text = text;
            }
        }
    }

    /// Live feedback while typing: how many bytes the draft makes (`4 B binary`, `5 B text`), or
    /// nothing while it is invalid (the error appears on Send, so half-typed hex is not shouted at).
    pub fn size_hint(&self) -> String {
        match parse_binary(self.encoding, &self.text) {
            Ok(Some(bytes)) => format!("{} binary", format_bytes(bytes.len() as u64)),
            Ok(None) => format!("{} text", format_bytes(self.text.len() as u64)),
            Err(_) => String::new(),
        }
    }

    /// The payload the draft makes: text, or the bytes typed as hex or base64.
    pub fn payload(&self) -> Result<Payload, String> {
        match parse_binary(self.encoding, &self.text) {
            Ok(Some(bytes)) => Ok(Payload::Binary(bytes)),
            Ok(None) => Ok(Payload::Text(self.text.clone())),
            Err(error) => Err(error.to_string()),
        }
    }
}

/// Something the browser reported about the connection.
#[derive(Clone, Debug, PartialEq)]
pub enum SocketEvent {
    Opened {
        /// The URL as the browser holds it.
        url: String,
        /// The subprotocol the server selected (empty: none).
        protocol: String,
        extensions: String,
    },
    Received(Payload),
    /// The browser's `error` event, which carries no detail by design.
    Failed,
    Closed(CloseInfo),
}

/// What is being sent, for saying what was not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// The composer's message.
    Draft,
    /// A picked file.
    File,
}

impl Outgoing {
    fn refusal(self, error: &str) -> String {
        match self {
            Outgoing::Draft => format!("Nothing was sent: {error}"),
            Outgoing::File => format!("The file was not sent: {error}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WsEvent {
    Form(FormEdit),
    /// Connect pressed: the form is checked, then [`WsEffect::Open`].
    Connect,
    /// Disconnect pressed: the close code and reason are checked, then [`WsEffect::Close`].
    Disconnect,
    Draft(DraftEdit),
    /// Send pressed (or Ctrl+Enter).
    Send,
    /// A picked file's bytes, or why they could not be read.
    SendFile(Result<Vec<u8>, String>),
    /// Edit & resend: a logged payload into the composer (binary as hex).
    Reuse(Rc<Payload>),
    /// Keep the composer's message in the saved list.
    Save,
    UseSaved(usize),
    ForgetSaved(usize),
    ClearLog,
    Filter(LogFilter),
    Select(u64),
    Autoscroll(bool),
    /// [`WsEffect::Open`] done: the browser is connecting.
    ConnectStarted {
        url: String,
        protocols: Vec<String>,
    },
    /// [`WsEffect::Open`] refused by the browser (it throws on some URLs).
    ConnectRefused {
        url: String,
        error: String,
    },
    /// One copy of a [`WsEffect::Send`] handed to the browser.
    Sent(Payload),
    /// The browser refused to send; the copies after this one were not tried.
    SendRefused {
        outgoing: Outgoing,
        error: String,
    },
    /// [`WsEffect::Close`] done: the closing handshake started.
    CloseStarted {
        code: u16,
    },
    CloseRefused(String),
    Socket(SocketEvent),
}

/// What the app's socket must do.
#[derive(Clone, Debug, PartialEq)]
pub enum WsEffect {
    /// Drop any previous socket and connect to an already checked `url`; answer with
    /// [`WsEvent::ConnectStarted`] or [`WsEvent::ConnectRefused`].
    Open { url: String, protocols: Vec<String> },
    /// Send `copies` copies of `payload`, answering [`WsEvent::Sent`] for each, or
    /// [`WsEvent::SendRefused`] and stopping at the first refusal.
    Send { payload: Payload, copies: u32, outgoing: Outgoing },
    /// Start the closing handshake; answer with [`WsEvent::CloseStarted`] or
    /// [`WsEvent::CloseRefused`].
    Close { code: u16, reason: String },
    /// Keep the saved messages (this JSON) across reloads.
    StoreSaved(String),
}

/// The WebSocket lab. Views read the public fields; only [`LabState::apply`] changes them.
#[derive(Clone, Debug)]
pub struct WsLabState {
    pub form: ConnectForm,
    /// Why the last Connect or Disconnect did nothing.
    pub form_error: Option<String>,
    pub draft: ComposerDraft,
    /// Why the last Send did nothing (kept until the draft is edited).
    pub draft_error: Option<String>,
    pub connection: ConnectionState,
    pub log: MessageLog,
    /// On `/ws/inspect`: the frames the server saw, by the log id of the message sent.
    pub frames: HashMap<u64, MessageFacts>,
    /// On `/ws/inspect`: the opening handshake as the server saw it.
    pub handshake: Option<HandshakeFacts>,
    pub filter: LogFilter,
    /// The log id of the message shown in detail.
    pub selected: Option<u64>,
    /// Whether the log follows the newest entry.
    pub autoscroll: bool,
    pub saved: SavedMessages,
    /// The last connection started, for "Export HAR".
    pub session_record: Option<WsSessionRecord>,
    /// Changes whenever the log or the frames change, so a view compares a number, not the log.
    log_revision: u64,
    page_is_secure: bool,
    /// Whether the app holds a socket (started and not replaced by a failed start).
    has_socket: bool,
    /// Log ids of the data messages sent on this connection, in order (a report's index).
    sent_ids: Vec<u64>,
    /// Whether this connection's text messages may be `/ws/inspect` reports.
    inspecting: bool,
}

impl WsLabState {
    /// The lab on a page served from `page_protocol` (`http:` or `https:`) and `page_host`, with
    /// the URL set to that server's echo.
    pub fn new(page_protocol: &str, page_host: &str, saved: SavedMessages) -> WsLabState {
        WsLabState {
            form: ConnectForm { url: echo_url_for_page(page_protocol, page_host), ..ConnectForm::default() },
            form_error: None,
            draft: ComposerDraft::default(),
            draft_error: None,
            connection: ConnectionState::Idle,
            log: MessageLog::default(),
            frames: HashMap::new(),
            handshake: None,
            filter: LogFilter::default(),
            selected: None,
            autoscroll: true,
            saved,
            session_record: None,
            log_revision: 0,
            page_is_secure: page_protocol == "https:",
            has_socket: false,
            sent_ids: Vec::new(),
            inspecting: false,
        }
    }

    /// A number that changes whenever the log or the frame facts change.
    pub fn log_revision(&self) -> u64 {
        self.log_revision
    }

    fn log_event(&mut self, kind: EventKind, text: impl Into<String>, now_ms: f64) {
        self.log.push_event(kind, text, now_ms);
        self.log_revision += 1;
    }

    fn connect(&mut self) -> Vec<WsEffect> {
        let checked =
            check_socket_url(&self.form.url, self.page_is_secure).map_err(|error| error.to_string()).and_then(|url| {
                parse_subprotocols(&self.form.subprotocols)
                    .map(|protocols| (url, protocols))
                    .map_err(|error| error.to_string())
            });
        match checked {
            Ok((url, protocols)) => {
                self.form_error = None;
                self.sent_ids.clear();
                self.handshake = None;
                self.inspecting = is_inspect_url(&url);
                vec![WsEffect::Open { url, protocols }]
            }
            Err(error) => {
                self.form_error = Some(error);
                Vec::new()
            }
        }
    }

    fn disconnect(&mut self) -> Vec<WsEffect> {
        let Ok(code) = self.form.close_code.trim().parse::<u16>() else {
            self.form_error = Some(format!("close code '{}' is not a number from 1000 to 4999", self.form.close_code));
            return Vec::new();
        };
        let reason = self.form.close_reason.clone();
        if let Err(error) = check_client_close(code, &reason) {
            self.form_error = Some(error.to_string());
            return Vec::new();
        }
        if !self.has_socket {
            self.form_error = Some("not connected".to_string());
            return Vec::new();
        }
        self.form_error = None;
        vec![WsEffect::Close { code, reason }]
    }

    /// Asks the socket to send, or says why not in the composer.
    fn send(&mut self, payload: Payload, copies: u32, outgoing: Outgoing) -> Vec<WsEffect> {
        if !(self.has_socket && self.connection.is_open()) {
            self.draft_error = Some(outgoing.refusal("not connected: connect first, then send"));
            return Vec::new();
        }
        vec![WsEffect::Send { payload, copies, outgoing }]
    }

    fn store_saved(&self) -> Vec<WsEffect> {
        vec![WsEffect::StoreSaved(self.saved.to_json())]
    }

    fn apply_socket(&mut self, event: SocketEvent, now_ms: f64) {
        match event {
            SocketEvent::Opened { url, protocol, extensions } => {
                self.log_event(EventKind::Info, opened_text(&url, &protocol, &extensions), now_ms);
                if let Some(record) = self.session_record.as_mut() {
                    record.opened(&protocol, &extensions, now_ms);
                }
                self.connection = ConnectionState::Open { protocol, extensions };
            }
            SocketEvent::Received(payload) => {
                let report = match &payload {
                    Payload::Text(text) if self.inspecting => InspectReport::from_text(text),
                    _ => None,
                };
                match report {
                    Some(report) => self.apply_report(report, now_ms),
                    None => {
                        self.log.push_message(Direction::Received, payload, now_ms);
                    }
                }
                self.log_revision += 1;
            }
            SocketEvent::Failed => self.log_event(
                EventKind::Error,
                "The browser reported a connection error (browsers give scripts no detail; the close code follows)",
                now_ms,
            ),
            SocketEvent::Closed(info) => {
                let (kind, text) = closed_text(&info);
                self.log_event(kind, text, now_ms);
                if let Some(record) = self.session_record.as_mut() {
                    record.closed(&info);
                }
                self.connection = ConnectionState::Closed(info);
            }
        }
    }

    /// A `/ws/inspect` report: the handshake goes in the log as an event, frame facts go beside
    /// the message they describe.
    fn apply_report(&mut self, report: InspectReport, now_ms: f64) {
        match report {
            InspectReport::Handshake(facts) => {
                self.log_event(EventKind::Info, handshake_text(&facts), now_ms);
                self.handshake = Some(facts);
            }
            InspectReport::Message(facts) => {
                let id = usize::try_from(facts.index).ok().and_then(|index| self.sent_ids.get(index)).copied();
                if let Some(id) = id {
                    self.frames.insert(id, facts);
                }
            }
        }
    }
}

impl LabState for WsLabState {
    type Event = WsEvent;
    type Effect = WsEffect;

    fn apply(&mut self, event: WsEvent, now_ms: f64) -> Vec<WsEffect> {
        match event {
            WsEvent::Form(edit) => {
                self.form.edit(edit);
                self.form_error = None;
            }
            WsEvent::Connect => return self.connect(),
            WsEvent::Disconnect => return self.disconnect(),
            WsEvent::Draft(edit) => {
                self.draft.edit(edit);
                self.draft_error = None;
            }
            WsEvent::Send => match self.draft.payload() {
                Ok(payload) => {
                    self.autoscroll = true;
                    return self.send(payload, self.draft.repeat.max(1), Outgoing::Draft);
                }
                Err(error) => self.draft_error = Some(Outgoing::Draft.refusal(&error)),
            },
            WsEvent::SendFile(Ok(bytes)) => return self.send(Payload::Binary(bytes), 1, Outgoing::File),
            WsEvent::SendFile(Err(error)) => self.draft_error = Some(Outgoing::File.refusal(&error)),
            WsEvent::Reuse(payload) => {
                let (encoding, text) = match payload.as_ref() {
                    Payload::Text(text) => (PayloadEncoding::Text, text.clone()),
                    Payload::Binary(bytes) => (PayloadEncoding::Hex, to_hex(bytes)),
                };
                self.draft.edit(DraftEdit::Message(encoding, text));
            }
            WsEvent::Save => {
                if self.saved.save(SavedMessage::new(self.draft.encoding, self.draft.text.clone())) {
                    return self.store_saved();
                }
            }
            WsEvent::UseSaved(index) => {
                if let Some(message) = self.saved.messages().get(index) {
                    let edit = DraftEdit::Message(message.encoding(), message.text.clone());
                    self.draft.edit(edit);
                }
            }
            WsEvent::ForgetSaved(index) => {
                self.saved.remove(index);
                return self.store_saved();
            }
            WsEvent::ClearLog => {
                self.log.clear();
                self.frames.clear();
                self.selected = None;
                self.log_revision += 1;
            }
            WsEvent::Filter(filter) => self.filter = filter,
            WsEvent::Select(id) => self.selected = Some(id),
            WsEvent::Autoscroll(on) => self.autoscroll = on,
            WsEvent::ConnectStarted { url, protocols } => {
                self.has_socket = true;
                self.connection = ConnectionState::Connecting;
                let offered =
                    if protocols.is_empty() { String::new() } else { format!(" offering {}", protocols.join(", ")) };
                self.log_event(EventKind::Info, format!("Connecting to {url}{offered}"), now_ms);
                let first_log_id = self.log.iter().last().map_or(0, |entry| entry.id);
                self.session_record = Some(WsSessionRecord::started(&url, &protocols, now_ms, first_log_id));
            }
            WsEvent::ConnectRefused { url, error } => {
                self.has_socket = false;
                self.log_event(EventKind::Error, format!("Could not start a connection to {url}: {error}"), now_ms);
            }
            WsEvent::Sent(payload) => {
                let id = self.log.push_message(Direction::Sent, payload, now_ms);
                if self.inspecting {
                    self.sent_ids.push(id);
                }
                self.log_revision += 1;
            }
            WsEvent::SendRefused { outgoing, error } => self.draft_error = Some(outgoing.refusal(&error)),
            WsEvent::CloseStarted { code } => {
                self.connection = ConnectionState::Closing;
                self.log_event(EventKind::Info, format!("Closing with {code} {}", close_code_name(code)), now_ms);
            }
            WsEvent::CloseRefused(error) => self.form_error = Some(error),
            WsEvent::Socket(event) => self.apply_socket(event, now_ms),
        }
        Vec::new()
    }
}

/// Whether `url` is the server's inspecting echo, whose reports the lab reads instead of logging.
pub fn is_inspect_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|parsed| parsed.path().ends_with("/ws/inspect"))
}

/// Close codes that report a problem even when the closing handshake was clean.
pub fn close_reports_problem(code: u16) -> bool {
    matches!(code, 1002 | 1003 | 1006..=1011 | 1014 | 1015)
}

fn opened_text(url: &str, protocol: &str, extensions: &str) -> String {
    let mut text = "Connected".to_string();
    if !url.is_empty() {
        text.push_str(&format!(" to {url}"));
    }
    if !protocol.is_empty() {
        text.push_str(&format!(" · subprotocol {protocol}"));
    }
    if !extensions.is_empty() {
        text.push_str(&format!(" · extensions {extensions}"));
    }
    text
}

/// A clean close is news, not a failure, unless its code reports a problem.
fn closed_text(info: &CloseInfo) -> (EventKind, String) {
    let kind = if info.was_clean && !close_reports_problem(info.code) { EventKind::Info } else { EventKind::Error };
    let mut text = format!("Closed {} {}", info.code, close_code_name(info.code));
    if !info.reason.is_empty() {
        text.push_str(&format!(" “{}”", info.reason));
    }
    text.push_str(&format!(": {}", close_code_explanation(info.code)));
    if !info.was_clean {
        text.push_str(" (not a clean close)");
    }
    (kind, text)
}

fn handshake_text(facts: &HandshakeFacts) -> String {
    let verified = if accept_key(&facts.key) == facts.accept { "✓ matches" } else { "✗ does not match" };
    let mut text = format!(
        "Handshake: Sec-WebSocket-Key {} → Sec-WebSocket-Accept {} = base64(SHA-1(key + GUID)) {verified}",
        facts.key, facts.accept
    );
    if let Some(extensions) = &facts.extensions {
        text.push_str(&format!(" · extensions {extensions}"));
    }
    if let Some(protocol) = &facts.subprotocol {
        text.push_str(&format!(" · subprotocol {protocol}"));
    }
    text
}
