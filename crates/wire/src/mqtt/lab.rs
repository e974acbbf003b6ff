//! The IoT lab's MQTT tab: the connect form as typed, the connection's life, subscriptions, the
//! publish draft, every packet both ways (bytes kept for the byte map), the QoS exchanges for
//! the sequence diagram and the application messages received. Events in, effects out
//! ([`crate::lab::LabState`]); the browser opens the WebSocket (subprotocol `mqtt`), sends
//! bytes, ticks a few times a second while connected (keep-alive, and the Topics table's rates
//! taken afresh: [`super::topics`]) and copies text.
//!
//! Errors are kept where they happen: the form's fields, the subscribe and publish rows, and
//! the connection's problem (unreachable, refused CONNACK, malformed packet, dropped). Nothing
//! typed is cleared by a failure.

use std::rc::Rc;

use super::python::{self, PythonSession};
use super::session::{Direction, Outcome, SequenceLog, Session};
use super::stream::PacketReader;
use super::topic::{check_filter, check_topic};
use super::topics::{TopicRow, TopicStats};
use super::{Connect, Packet, PacketType, QoS, Version, Will, dissect, encode};
use crate::connection::{CloseInfo, close_code_name};
use crate::lab::LabState;
use crate::message_log::Payload;
use crate::ws_lab::SocketEvent;

/// The subprotocol MQTT over WebSocket asks for (§6).
pub const SUBPROTOCOL: &str = "mqtt";
/// The broker's WebSocket path on the Wirelab server.
pub const BROKER_PATH: &str = "/mqtt";
/// Packets kept in the list; past it the oldest half goes.
pub const MAX_PACKETS: usize = 5_000;
/// Application messages kept.
pub const MAX_MESSAGES: usize = 500;
/// The largest packet the client takes from the broker.
pub const MAX_PACKET_LEN: usize = 1 << 20;
/// How long to wait for CONNACK before giving up.
pub const CONNACK_TIMEOUT_MS: f64 = 10_000.0;

/// The broker on the server that served the page: `ws://` for an `http:` page, `wss://` for
/// `https:`.
pub fn broker_url_for_page(page_protocol: &str, page_host: &str) -> String {
    let scheme = if page_protocol.trim_end_matches(':') == "https" { "wss" } else { "ws" };
    let host = if page_host.is_empty() { "127.0.0.1:8080" } else { page_host };
    format!("{scheme}://{host}{BROKER_PATH}")
}

/// The connect form, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectForm {
    pub url: String,
    pub client_id: String,
    pub keep_alive: String,
    pub clean_start: bool,
    pub version: Version,
    /// A will is sent when its topic is not empty.
    pub will_topic: String,
    pub will_payload: String,
    pub will_qos: QoS,
    pub will_retain: bool,
    pub username: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FormEdit {
    Url(String),
    ClientId(String),
    KeepAlive(String),
    CleanStart(bool),
    Version(Version),
    WillTopic(String),
    WillPayload(String),
    WillQos(QoS),
    WillRetain(bool),
    Username(String),
    Password(String),
}

/// A field of the connect form that can be wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormField {
    Url,
    ClientId,
    KeepAlive,
    WillTopic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LinkStatus {
    #[default]
    Idle,
    /// The WebSocket is opening.
    Opening,
    /// CONNECT sent.
    AwaitingConnack,
    Connected,
    /// DISCONNECT sent or the socket asked to close.
    Closing,
}

impl LinkStatus {
    pub fn label(self) -> &'static str {
        match self {
            LinkStatus::Idle => "not connected",
            LinkStatus::Opening => "opening the WebSocket",
            LinkStatus::AwaitingConnack => "CONNECT sent, waiting for CONNACK",
            LinkStatus::Connected => "connected",
            LinkStatus::Closing => "closing",
        }
    }

    pub fn is_active(self) -> bool {
        self != LinkStatus::Idle
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SubscriptionState {
    Pending,
    Granted(QoS),
    Refused(String),
    Removing,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub filter: String,
    pub qos: QoS,
    pub state: SubscriptionState,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct SubscribeDraft {
    pub filter: String,
    pub qos: QoS,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SubscribeEdit {
    Filter(String),
    Qos(QoS),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct PublishDraft {
    pub topic: String,
    pub payload: String,
    pub qos: QoS,
    pub retain: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PublishEdit {
    Topic(String),
    Payload(String),
    Qos(QoS),
    Retain(bool),
}

/// One packet of the list.
#[derive(Clone, Debug, PartialEq)]
pub struct PacketRecord {
    pub direction: Direction,
    pub at_ms: f64,
    /// `None` when the first byte names no packet type.
    pub kind: Option<PacketType>,
    pub bytes: Rc<Vec<u8>>,
    /// The version the session spoke, to read the bytes again.
    pub version: Version,
    /// `id 3 · QoS 2 · wirelab/a · 5 bytes`.
    pub summary: String,
    /// Why the packet could not be read.
    pub problem: Option<String>,
}

/// An application message received.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedMessage {
    pub at_ms: f64,
    pub topic: String,
    pub qos: QoS,
    pub retain: bool,
    pub payload: Rc<Vec<u8>>,
    /// Its PUBLISH in the packet list.
    pub packet: usize,
}

/// Which program "As Python" copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PythonProgram {
    Subscriber,
    Publisher,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MqttEvent {
    Form(FormEdit),
    Connect,
    Disconnect,
    /// The browser's socket events.
    Socket(SocketEvent),
    /// The browser would not open the socket (a malformed URL it refuses).
    OpenRefused(String),
    SendRefused(String),
    /// A few times a second while the socket is open: keep-alive, timeouts, the topics' rates.
    Tick,
    SubscribeEdit(SubscribeEdit),
    Subscribe,
    Unsubscribe(String),
    PublishEdit(PublishEdit),
    Publish,
    SelectPacket(usize),
    ClearPackets,
    /// Show only the messages received on this topic (a Topics row chosen), or all of them.
    ShowTopic(Option<String>),
    CopyPython(PythonProgram),
    Copied(Result<(), String>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum MqttEffect {
    /// Open a WebSocket to `url` offering the subprotocol `mqtt`, and tick a few times a second.
    Open {
        url: String,
    },
    Send(Vec<u8>),
    /// Close the socket and stop the ticks.
    Close,
    Copy(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MqttLabState {
    pub form: ConnectForm,
    pub form_errors: Vec<(FormField, String)>,
    pub status: LinkStatus,
    /// What went wrong with the connection, in words.
    pub problem: Option<String>,
    /// What happened last that went well ("connected, no session present").
    pub notice: Option<String>,
    session: Option<Session>,
    reader: PacketReader,
    connect_sent_ms: f64,
    /// The session was opened clean: the broker drops its subscriptions when it ends.
    session_clean: bool,
    pub sequence: SequenceLog,
    pub subscribe_draft: SubscribeDraft,
    pub subscribe_error: Option<String>,
    pub subscriptions: Vec<Subscription>,
    pub publish_draft: PublishDraft,
    pub publish_error: Option<String>,
    pub packets: Vec<PacketRecord>,
    /// Packets dropped from the front of the list so far (the list's first is number this + 1).
    pub packets_dropped: usize,
    pub selected: Option<usize>,
    pub messages: Vec<ReceivedMessage>,
    /// Every topic a message arrived on, counted as it arrives.
    pub topics: TopicStats,
    /// The Topics table as of the last tick (or the last new topic): rates are taken a few
    /// times a second, not per message.
    pub topic_rows: Vec<TopicRow>,
    /// Bumped whenever `topic_rows` is taken again.
    pub topics_revision: u64,
    /// The messages list shows only this topic's messages.
    pub topic_filter: Option<String>,
    pub copy_notice: Option<String>,
    /// Bumped on every change the packet views show.
    pub revision: u64,
}

impl MqttLabState {
    /// A fresh tab with the broker of the page's server and a client id made from `seed`.
    pub fn new(page_protocol: &str, page_host: &str, seed: u32) -> MqttLabState {
        MqttLabState {
            form: ConnectForm {
                url: broker_url_for_page(page_protocol, page_host),
                client_id: format!("wirelab-{seed:06x}"),
                keep_alive: "60".into(),
                clean_start: true,
                version: Version::V311,
                will_topic: String::new(),
                will_payload: "offline".into(),
                will_qos: QoS::AtMostOnce,
                will_retain: false,
                username: String::new(),
                password: String::new(),
            },
            form_errors: Vec::new(),
            status: LinkStatus::Idle,
            problem: None,
            notice: None,
            session: None,
            reader: PacketReader::new(MAX_PACKET_LEN),
            connect_sent_ms: 0.0,
            session_clean: true,
            sequence: SequenceLog::default(),
            subscribe_draft: SubscribeDraft { filter: "wirelab/#".into(), qos: QoS::AtMostOnce },
            subscribe_error: None,
            subscriptions: Vec::new(),
            publish_draft: PublishDraft {
                topic: "wirelab/lab/hello".into(),
                payload: r#"{"hello": "from the IoT lab"}"#.into(),
                qos: QoS::AtMostOnce,
                retain: false,
            },
            publish_error: None,
            packets: Vec::new(),
            packets_dropped: 0,
            selected: None,
            messages: Vec::new(),
            topics: TopicStats::default(),
            topic_rows: Vec::new(),
            topics_revision: 0,
            topic_filter: None,
            copy_notice: None,
            revision: 0,
        }
    }

    pub fn field_error(&self, field: FormField) -> Option<&str> {
        self.form_errors.iter().find(|(which, _)| *which == field).map(|(_, message)| message.as_str())
    }

    /// The version the packets are read with: the session's, else the form's.
    pub fn version(&self) -> Version {
        self.session.as_ref().map_or(self.form.version, |session| session.version)
    }

    /// The session's bookkeeping, while connected.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The exchange the selected packet belongs to, else the latest one.
    pub fn shown_exchange(&self) -> Option<usize> {
        self.selected
            .and_then(|index| self.sequence.exchange_of(index))
            .or_else(|| self.sequence.exchanges.len().checked_sub(1))
    }

    /// The session as the Python programs need it.
    pub fn python_session(&self) -> PythonSession {
        let form = &self.form;
        let subscriptions: Vec<(String, QoS)> = if self.subscriptions.is_empty() {
            vec![(self.subscribe_draft.filter.clone(), self.subscribe_draft.qos)]
        } else {
            self.subscriptions.iter().map(|subscription| (subscription.filter.clone(), subscription.qos)).collect()
        };
        PythonSession {
            url: form.url.clone(),
            client_id: form.client_id.clone(),
            version: form.version,
            keep_alive_s: form.keep_alive.trim().parse().unwrap_or(60),
            clean_start: form.clean_start,
            will: (!form.will_topic.is_empty())
                .then(|| (form.will_topic.clone(), form.will_payload.clone(), form.will_qos, form.will_retain)),
            username: (!form.username.is_empty()).then(|| form.username.clone()),
            password: (!form.password.is_empty()).then(|| form.password.clone()),
            subscriptions: subscriptions.into_iter().filter(|(filter, _)| !filter.is_empty()).collect(),
            publish_topic: self.publish_draft.topic.clone(),
            publish_payload: self.publish_draft.payload.clone(),
            publish_qos: self.publish_draft.qos,
            publish_retain: self.publish_draft.retain,
        }
    }

    pub fn python(&self, program: PythonProgram) -> Result<String, String> {
        let session = self.python_session();
        match program {
            PythonProgram::Subscriber => python::subscriber(&session),
            PythonProgram::Publisher => python::publisher(&session),
        }
    }

    fn edit_form(&mut self, edit: FormEdit) {
        let form = &mut self.form;
        let field = match edit {
            FormEdit::Url(url) => {
                form.url = url;
                Some(FormField::Url)
            }
            FormEdit::ClientId(id) => {
                form.client_id = id;
                Some(FormField::ClientId)
            }
            FormEdit::KeepAlive(text) => {
                form.keep_alive = text;
                Some(FormField::KeepAlive)
            }
            FormEdit::CleanStart(on) => {
                form.clean_start = on;
                None
            }
            FormEdit::Version(version) => {
                form.version = version;
                None
            }
            FormEdit::WillTopic(topic) => {
                form.will_topic = topic;
                Some(FormField::WillTopic)
            }
            FormEdit::WillPayload(payload) => {
                form.will_payload = payload;
                None
            }
            FormEdit::WillQos(qos) => {
                form.will_qos = qos;
                None
            }
            FormEdit::WillRetain(on) => {
                form.will_retain = on;
                None
            }
            FormEdit::Username(name) => {
                form.username = name;
                None
            }
            FormEdit::Password(password) => {
                form.password = password;
                None
            }
        };
        if let Some(field) = field {
            self.form_errors.retain(|(which, _)| *which != field);
        }
    }

    /// The CONNECT the form asks for, or what is wrong with each field.
    fn connect_packet(&self) -> Result<(String, Connect), Vec<(FormField, String)>> {
        let form = &self.form;
        let mut errors = Vec::new();
        let url = crate::endpoint::check_socket_url(&form.url, form.url.trim().starts_with("wss"))
            .map_err(|error| errors.push((FormField::Url, error.0)))
            .unwrap_or_default();
        if form.client_id.len() > usize::from(u16::MAX) {
            errors.push((FormField::ClientId, "a client id is at most 65,535 bytes".into()));
        } else if form.client_id.is_empty() && !form.clean_start {
            errors.push((
                FormField::ClientId,
                "an empty client id needs a clean session: the broker makes one up and keeps no session for it".into(),
            ));
        }
        let keep_alive_s = match form.keep_alive.trim().parse::<u16>() {
            Ok(seconds) => seconds,
            Err(_) => {
                errors.push((FormField::KeepAlive, "keep-alive is whole seconds from 0 (off) to 65535".into()));
                0
            }
        };
        if !form.will_topic.is_empty()
            && let Err(error) = check_topic(&form.will_topic)
        {
            errors.push((FormField::WillTopic, place_first(error)));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let will = (!form.will_topic.is_empty()).then(|| Will {
            topic: form.will_topic.clone(),
            payload: form.will_payload.as_bytes().to_vec(),
            qos: form.will_qos,
            retain: form.will_retain,
            properties: Vec::new(),
        });
        let connect = Connect {
            will,
            username: (!form.username.is_empty()).then(|| form.username.clone()),
            password: (!form.password.is_empty()).then(|| form.password.as_bytes().to_vec()),
            ..Connect::new(form.version, &form.client_id, keep_alive_s, form.clean_start)
        };
        Ok((url, connect))
    }

    /// Encodes, records and sends `packet`.
    fn send(&mut self, packet: Packet, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        let version = self.version();
        match encode(&packet, version) {
            Ok(bytes) => {
                if let Some(session) = self.session.as_mut() {
                    session.sent(&packet, now_ms);
                }
                self.record(Direction::Sent, now_ms, &bytes, Some(&packet), None);
                effects.push(MqttEffect::Send(bytes));
            }
            Err(error) => {
                self.problem = Some(format!("could not encode the {}: {}", packet.packet_type(), error.message))
            }
        }
    }

    fn record(
        &mut self,
        direction: Direction,
        now_ms: f64,
        bytes: &[u8],
        packet: Option<&Packet>,
        problem: Option<String>,
    ) {
        if self.packets.len() >= MAX_PACKETS {
            self.drop_oldest(MAX_PACKETS / 2);
        }
        let index = self.packets.len();
        let kind =
            packet.map(Packet::packet_type).or_else(|| bytes.first().and_then(|byte| PacketType::from_code(byte >> 4)));
        if let Some(packet) = packet {
            self.sequence.record(index, direction, packet);
        }
        self.packets.push(PacketRecord {
            direction,
            at_ms: now_ms,
            kind,
            bytes: Rc::new(bytes.to_vec()),
            version: self.version(),
            summary: packet.map(|packet| summarize(packet, self.version())).unwrap_or_default(),
            problem,
        });
        self.revision += 1;
    }

    fn drop_oldest(&mut self, count: usize) {
        self.packets.drain(..count);
        self.packets_dropped += count;
        self.sequence.exchanges.retain(|exchange| exchange.steps.iter().all(|(_, _, at)| *at >= count));
        for exchange in &mut self.sequence.exchanges {
            for (_, _, at) in &mut exchange.steps {
                *at -= count;
            }
        }
        self.messages.retain(|message| message.packet >= count);
        for message in &mut self.messages {
            message.packet -= count;
        }
        self.selected = self.selected.and_then(|index| index.checked_sub(count));
    }

    /// Takes the Topics table's rates afresh at `now_ms`.
    fn refresh_topic_rows(&mut self, now_ms: f64) {
        self.topic_rows = self.topics.rows(now_ms);
        self.topics_revision += 1;
    }

    /// The messages received that the list shows: all, or the chosen topic's.
    pub fn shown_messages(&self) -> impl DoubleEndedIterator<Item = &ReceivedMessage> {
        self.messages.iter().filter(|message| self.topic_filter.as_ref().is_none_or(|topic| *topic == message.topic))
    }

    /// The connection is over: forget the session, keep everything shown but subscriptions a
    /// clean session took with it.
    fn ended(&mut self) {
        if matches!(self.status, LinkStatus::Connected | LinkStatus::Closing) && self.session_clean {
            self.subscriptions.clear();
        }
        self.status = LinkStatus::Idle;
        self.session = None;
        self.reader = PacketReader::new(MAX_PACKET_LEN);
        for subscription in &mut self.subscriptions {
            if subscription.state == SubscriptionState::Pending || subscription.state == SubscriptionState::Removing {
                subscription.state =
                    SubscriptionState::Refused("the connection ended before the broker answered".into());
            }
        }
        self.revision += 1;
    }

    /// Something broke the session: say so and close.
    fn fail(&mut self, problem: String, effects: &mut Vec<MqttEffect>) {
        self.problem = Some(problem);
        self.status = LinkStatus::Closing;
        effects.push(MqttEffect::Close);
    }

    fn socket_event(&mut self, event: SocketEvent, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        match event {
            SocketEvent::Opened { protocol, .. } => {
                if self.status != LinkStatus::Opening {
                    return;
                }
                if protocol != SUBPROTOCOL {
                    let chose = if protocol.is_empty() { "none".to_string() } else { format!("{protocol:?}") };
                    return self.fail(
                        format!("the server opened the WebSocket but did not choose the subprotocol \"mqtt\" (it chose {chose}): is this URL an MQTT broker?"),
                        effects,
                    );
                }
                match self.connect_packet() {
                    Ok((_, connect)) => {
                        self.session = Some(Session::new(connect.version, connect.keep_alive_s));
                        self.session_clean = connect.clean_start;
                        self.status = LinkStatus::AwaitingConnack;
                        self.connect_sent_ms = now_ms;
                        self.send(Packet::Connect(connect), now_ms, effects);
                    }
                    Err(errors) => {
                        self.form_errors = errors;
                        self.fail(
                            "the form changed while the socket opened; check it and connect again".into(),
                            effects,
                        );
                    }
                }
            }
            SocketEvent::Received(Payload::Binary(bytes)) => self.received(&bytes, now_ms, effects),
            SocketEvent::Received(Payload::Text(text)) => self.fail(
                format!(
                    "the broker sent a text message ({} bytes); MQTT over WebSocket uses binary messages only",
                    text.len()
                ),
                effects,
            ),
            SocketEvent::Failed => {
                if self.problem.is_none() {
                    self.problem = Some(match self.status {
                        LinkStatus::Opening => format!(
                            "could not reach the broker at {} (the browser gives no reason: the server may be down, the path wrong, or the port closed)",
                            self.form.url.trim()
                        ),
                        _ => "the WebSocket failed".into(),
                    });
                }
            }
            SocketEvent::Closed(info) => self.closed(info, effects),
        }
    }

    fn closed(&mut self, info: CloseInfo, _effects: &mut [MqttEffect]) {
        let in_flight = self.session.as_ref().map_or(0, |session| session.in_flight().len());
        if self.problem.is_none() {
            let how = format!(
                "code {} {}{}",
                info.code,
                close_code_name(info.code),
                if info.reason.is_empty() { String::new() } else { format!(": {}", info.reason) }
            );
            self.problem = match self.status {
                LinkStatus::Closing | LinkStatus::Idle => None,
                LinkStatus::Opening => Some(format!("the broker refused the WebSocket ({how})")),
                LinkStatus::AwaitingConnack => {
                    Some(format!("the broker closed the connection before its CONNACK ({how})"))
                }
                LinkStatus::Connected => Some(format!("the connection dropped ({how})")),
            };
        }
        if in_flight > 0 {
            let note = format!("{in_flight} of your QoS 1/2 messages were still waiting for an answer");
            self.problem = Some(match self.problem.take() {
                Some(problem) => format!("{problem}; {note}"),
                None => note,
            });
        }
        if self.status == LinkStatus::Closing && self.problem.is_none() {
            self.notice = Some("disconnected".into());
        }
        self.ended();
    }

    fn received(&mut self, bytes: &[u8], now_ms: f64, effects: &mut Vec<MqttEffect>) {
        if self.session.is_none() {
            return;
        }
        for cut in self.reader.push(bytes) {
            match cut {
                Ok(packet_bytes) => {
                    let version = self.version();
                    let dissection = dissect(&packet_bytes, version);
                    match (dissection.packet, dissection.error) {
                        (Some(packet), None) => {
                            self.record(Direction::Received, now_ms, &packet_bytes, Some(&packet), None);
                            self.react(&packet, now_ms, effects);
                        }
                        (_, error) => {
                            let error = error.map_or_else(|| "unreadable".to_string(), |error| error.to_string());
                            self.record(Direction::Received, now_ms, &packet_bytes, None, Some(error.clone()));
                            return self.fail(format!("malformed packet from the broker: {error}"), effects);
                        }
                    }
                }
                Err(error) => {
                    let held = bytes.to_vec();
                    self.record(Direction::Received, now_ms, &held, None, Some(error.to_string()));
                    return self.fail(format!("malformed packet from the broker: {error}"), effects);
                }
            }
            if self.status == LinkStatus::Closing {
                return;
            }
        }
    }

    fn react(&mut self, packet: &Packet, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        let Some(session) = self.session.as_mut() else { return };
        let awaiting_connack = self.status == LinkStatus::AwaitingConnack;
        if awaiting_connack != matches!(packet, Packet::Connack(_)) {
            let problem = if awaiting_connack {
                format!("the broker sent {} before CONNACK", packet.packet_type())
            } else {
                "the broker sent a second CONNACK".to_string()
            };
            return self.fail(problem, effects);
        }
        let reaction = session.receive(packet);
        match reaction.outcome {
            Outcome::Connected { session_present, assigned_client_id, server_keep_alive_s } => {
                self.status = LinkStatus::Connected;
                self.problem = None;
                if !session_present {
                    self.subscriptions.clear();
                }
                let mut notice = format!(
                    "connected with MQTT {}; {}",
                    self.form.version.label(),
                    if session_present { "the broker kept your session" } else { "a new session" }
                );
                if let Some(id) = assigned_client_id {
                    notice.push_str(&format!("; the broker named this client {id:?}"));
                }
                if let Some(seconds) = server_keep_alive_s {
                    notice.push_str(&format!("; the broker set keep-alive to {seconds} s"));
                }
                self.notice = Some(notice);
            }
            Outcome::Refused { reason, .. } => {
                return self.fail(format!("the broker refused the connection: CONNACK {reason}"), effects);
            }
            Outcome::Message(publish) => {
                let known = self.topics.tracked();
                self.topics.record(&publish.topic, publish.payload.len(), publish.retain, now_ms);
                if self.topics.tracked() != known {
                    // A new row: shown at once, its rate with the next tick.
                    self.refresh_topic_rows(now_ms);
                }
                if self.messages.len() >= MAX_MESSAGES {
                    self.messages.remove(0);
                }
                self.messages.push(ReceivedMessage {
                    at_ms: now_ms,
                    topic: publish.topic,
                    qos: publish.qos,
                    retain: publish.retain,
                    payload: Rc::new(publish.payload),
                    packet: self.packets.len().saturating_sub(1),
                });
            }
            Outcome::Delivered { packet_id, topic, qos } => {
                self.notice = Some(format!("{qos} message {packet_id} to {topic:?} delivered"));
            }
            Outcome::Subscribed(codes) => {
                let version = self.version();
                for (filter, code) in codes {
                    if let Some(subscription) = self.subscriptions.iter_mut().find(|s| s.filter == filter) {
                        subscription.state = match QoS::from_level(code) {
                            Some(qos) => SubscriptionState::Granted(qos),
                            None => SubscriptionState::Refused(format!(
                                "0x{code:02x} {}",
                                super::reason_name(version, code)
                            )),
                        };
                    }
                }
            }
            Outcome::Unsubscribed(filters) => {
                self.subscriptions.retain(|subscription| !filters.contains(&subscription.filter));
            }
            Outcome::BrokerDisconnect(reason) => {
                return self.fail(format!("the broker disconnected this client: {reason}"), effects);
            }
            Outcome::Violation(words) => {
                return self.fail(format!("protocol error from the broker: {words}"), effects);
            }
            Outcome::Pong | Outcome::Step => {}
        }
        for reply in reaction.replies {
            self.send(reply, now_ms, effects);
        }
    }

    fn tick(&mut self, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        if !self.topics.is_empty() {
            self.refresh_topic_rows(now_ms);
        }
        if self.status == LinkStatus::AwaitingConnack && now_ms - self.connect_sent_ms >= CONNACK_TIMEOUT_MS {
            return self
                .fail(format!("no CONNACK within {} s of CONNECT: closing", CONNACK_TIMEOUT_MS / 1000.0), effects);
        }
        let Some(session) = self.session.as_ref() else { return };
        if session.ping_overdue(now_ms) {
            let seconds = session.keep_alive_s;
            return self.fail(format!("no PINGRESP within {seconds} s: the connection looks dead, closing"), effects);
        }
        if session.ping_due(now_ms) {
            self.send(Packet::Pingreq, now_ms, effects);
        }
    }

    fn subscribe(&mut self, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        let draft = self.subscribe_draft.clone();
        if let Err(error) = check_filter(&draft.filter) {
            self.subscribe_error = Some(place_first(error));
            return;
        }
        let Some(session) = self.session.as_mut().filter(|_| self.status == LinkStatus::Connected) else {
            self.subscribe_error = Some("connect first".into());
            return;
        };
        match session.subscribe(&[(draft.filter.clone(), draft.qos)]) {
            Ok(subscribe) => {
                self.subscribe_error = None;
                self.subscriptions.retain(|subscription| subscription.filter != draft.filter);
                self.subscriptions.push(Subscription {
                    filter: draft.filter,
                    qos: draft.qos,
                    state: SubscriptionState::Pending,
                });
                self.send(Packet::Subscribe(subscribe), now_ms, effects);
            }
            Err(error) => self.subscribe_error = Some(error),
        }
    }

    fn unsubscribe(&mut self, filter: String, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        let Some(session) = self.session.as_mut().filter(|_| self.status == LinkStatus::Connected) else {
            // Not connected: the broker holds nothing for this list any more.
            self.subscriptions.retain(|subscription| subscription.filter != filter);
            return;
        };
        match session.unsubscribe(std::slice::from_ref(&filter)) {
            Ok(unsubscribe) => {
                if let Some(subscription) = self.subscriptions.iter_mut().find(|s| s.filter == filter) {
                    subscription.state = SubscriptionState::Removing;
                }
                self.send(Packet::Unsubscribe(unsubscribe), now_ms, effects);
            }
            Err(error) => self.subscribe_error = Some(error),
        }
    }

    fn publish(&mut self, now_ms: f64, effects: &mut Vec<MqttEffect>) {
        let draft = self.publish_draft.clone();
        if let Err(error) = check_topic(&draft.topic) {
            self.publish_error = Some(place_first(error));
            return;
        }
        let Some(session) = self.session.as_mut().filter(|_| self.status == LinkStatus::Connected) else {
            self.publish_error = Some("connect first".into());
            return;
        };
        match session.publish(&draft.topic, draft.payload.into_bytes(), draft.qos, draft.retain) {
            Ok(publish) => {
                self.publish_error = None;
                self.send(Packet::Publish(publish), now_ms, effects);
            }
            Err(error) => self.publish_error = Some(error),
        }
    }
}

impl LabState for MqttLabState {
    type Event = MqttEvent;
    type Effect = MqttEffect;

    fn apply(&mut self, event: MqttEvent, now_ms: f64) -> Vec<MqttEffect> {
        let mut effects = Vec::new();
        match event {
            MqttEvent::Form(edit) => self.edit_form(edit),
            MqttEvent::Connect => {
                if self.status.is_active() {
                    return effects;
                }
                // A new attempt: the last one's words go, whatever this one finds.
                self.problem = None;
                self.notice = None;
                match self.connect_packet() {
                    Ok((url, _)) => {
                        self.form_errors.clear();
                        self.status = LinkStatus::Opening;
                        self.reader = PacketReader::new(MAX_PACKET_LEN);
                        effects.push(MqttEffect::Open { url });
                    }
                    Err(errors) => self.form_errors = errors,
                }
            }
            MqttEvent::Disconnect => match self.status {
                LinkStatus::Connected => {
                    self.send(Packet::Disconnect(Default::default()), now_ms, &mut effects);
                    self.status = LinkStatus::Closing;
                    effects.push(MqttEffect::Close);
                }
                LinkStatus::Opening | LinkStatus::AwaitingConnack => {
                    self.status = LinkStatus::Closing;
                    effects.push(MqttEffect::Close);
                }
                LinkStatus::Closing | LinkStatus::Idle => {}
            },
            MqttEvent::Socket(event) => self.socket_event(event, now_ms, &mut effects),
            MqttEvent::OpenRefused(error) => {
                self.problem = Some(format!("the browser would not open the WebSocket: {error}"));
                self.ended();
            }
            MqttEvent::SendRefused(error) => {
                self.fail(format!("could not send: {error}"), &mut effects);
            }
            MqttEvent::Tick => self.tick(now_ms, &mut effects),
            MqttEvent::SubscribeEdit(edit) => {
                match edit {
                    SubscribeEdit::Filter(filter) => self.subscribe_draft.filter = filter,
                    SubscribeEdit::Qos(qos) => self.subscribe_draft.qos = qos,
                }
                self.subscribe_error = None;
            }
            MqttEvent::Subscribe => self.subscribe(now_ms, &mut effects),
            MqttEvent::Unsubscribe(filter) => self.unsubscribe(filter, now_ms, &mut effects),
            MqttEvent::PublishEdit(edit) => {
                match edit {
                    PublishEdit::Topic(topic) => self.publish_draft.topic = topic,
                    PublishEdit::Payload(payload) => self.publish_draft.payload = payload,
                    PublishEdit::Qos(qos) => self.publish_draft.qos = qos,
                    PublishEdit::Retain(retain) => self.publish_draft.retain = retain,
                }
                self.publish_error = None;
            }
            MqttEvent::Publish => self.publish(now_ms, &mut effects),
            MqttEvent::SelectPacket(index) => {
                if index < self.packets.len() {
                    self.selected = Some(index);
                    self.revision += 1;
                }
            }
            MqttEvent::ClearPackets => {
                self.packets_dropped += self.packets.len();
                self.packets.clear();
                self.sequence.clear();
                self.messages.clear();
                self.topics.clear();
                self.topic_filter = None;
                self.refresh_topic_rows(now_ms);
                self.selected = None;
                self.revision += 1;
            }
            MqttEvent::ShowTopic(topic) => {
                self.topic_filter = topic;
                self.revision += 1;
                self.topics_revision += 1;
            }
            MqttEvent::CopyPython(program) => match self.python(program) {
                Ok(code) => {
                    self.copy_notice = None;
                    effects.push(MqttEffect::Copy(code));
                }
                Err(error) => self.copy_notice = Some(error),
            },
            MqttEvent::Copied(result) => {
                self.copy_notice = Some(match result {
                    Ok(()) => "copied".into(),
                    Err(error) => format!("could not copy: {error}"),
                });
            }
        }
        effects
    }
}

/// `line 1, column 4: # must be …`: the place first, as the Formats lab shows errors.
fn place_first(error: crate::diagnostic::Diagnostic) -> String {
    crate::formats::FormatError(error).to_string()
}

/// A packet in one line for the list: `id 3 · QoS 2 · retain · "wirelab/a" · 5 bytes`.
pub fn summarize(packet: &Packet, version: Version) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(id) = packet.packet_id() {
        parts.push(format!("id {id}"));
    }
    match packet {
        Packet::Connect(connect) => {
            parts.push(format!(
                "MQTT {} · client {:?} · keep-alive {} s",
                connect.version.label(),
                connect.client_id,
                connect.keep_alive_s
            ));
            if connect.will.is_some() {
                parts.push("will".into());
            }
        }
        Packet::Connack(connack) => parts.push(super::describe_connack(version, connack.code)),
        Packet::Publish(publish) => {
            parts.push(publish.qos.to_string());
            if publish.retain {
                parts.push("retain".into());
            }
            if publish.dup {
                parts.push("dup".into());
            }
            parts.push(format!("{:?}", publish.topic));
            parts.push(format!("{} bytes", publish.payload.len()));
        }
        Packet::Subscribe(subscribe) => {
            parts.extend(subscribe.filters.iter().map(|(filter, options)| format!("{filter:?} {}", options.qos)))
        }
        Packet::Suback(ack) => {
            parts.extend(ack.codes.iter().map(|code| format!("0x{code:02x} {}", super::reason_name(version, *code))))
        }
        Packet::Unsubscribe(unsubscribe) => {
            parts.extend(unsubscribe.filters.iter().map(|filter| format!("{filter:?}")))
        }
        Packet::Puback(ack) | Packet::Pubrec(ack) | Packet::Pubrel(ack) | Packet::Pubcomp(ack) if ack.reason != 0 => {
            parts.push(format!("0x{:02x} {}", ack.reason, super::reason_name(version, ack.reason)))
        }
        Packet::Disconnect(reasoned) if version == Version::V5 => {
            parts.push(format!("0x{:02x} {}", reasoned.reason, super::reason_name(version, reasoned.reason)))
        }
        _ => {}
    }
    parts.join(" · ")
}
