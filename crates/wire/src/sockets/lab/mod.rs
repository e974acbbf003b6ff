//! The Sockets lab's state and every change to it ([`SocketsLabState`], a [`LabState`]): the
//! target and transport as chosen, the composer as typed (never lost when something fails), the
//! control connection and FTP's data connection (opened from a decoded 227 or 229 reply) each
//! with its transcript and replies, and a walkthrough's progress.
//!
//! The WebSockets to the bridge are the app's: [`SocketsEffect`] asks it to open, send, close
//! or fetch a refusal's reason, and what it reports comes back as [`SocketsEvent`]s, the
//! bridge's text frames included (read here as [`BridgeEvent`]s).

mod link;
mod progress;

pub use link::{Endpoints, Link, LinkStatus, MAX_REPLIES};
pub use progress::{StepOutcome, WalkthroughRun};

use crate::bridge_event::{BridgeCommand, BridgeEvent, Transport};
use crate::lab::LabState;
use crate::mailbox::Mailbox;
use crate::units::format_millis;

use super::line_ending::{DraftEdit, SendDraft, text_bytes};
use super::python::{Session, library_program, socket_program};
use super::replies::Reply;
use super::replies::commands::Command;
use super::target::{Peer, Protocol, Target, bridge_http_url, bridge_url, refusal_message};
use super::transcript::Note;
use super::walkthroughs::{Action, StepEdit, Walkthrough};

/// Most drafts the composer's history keeps.
pub const HISTORY_CAPACITY: usize = 100;

/// Which of the lab's two connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The connection the person opened (FTP's control connection).
    Control,
    /// FTP's data connection, opened from a passive reply.
    Data,
}

/// What a send came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The composer.
    Draft,
    /// A walkthrough step (by index).
    Step(usize),
}

/// Which Python program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PythonFlavor {
    /// The `socket` module, the exact bytes.
    Socket,
    /// `smtplib`, `poplib` or `ftplib`.
    Library,
}

/// Where FTP's data connection is to be opened, from the last passive reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassiveTarget {
    pub host: String,
    pub port: u16,
    /// The reply's transcript entry, to link the two transcripts.
    pub reply_chunk: u64,
    /// How the address was read (`(127,0,0,1,195,80) → …`).
    pub working: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WalkthroughEvent {
    /// Start a built-in walkthrough by id.
    Start(String),
    /// Start this (edited or stored) walkthrough.
    Load(Walkthrough),
    Edit(StepEdit),
    /// Do the next step.
    RunStep,
    /// Do the next step and each one after it as soon as the one before is done.
    RunAll,
    /// Stop running all steps (a step already running still finishes).
    Stop,
    /// Put a step's text in the composer, to send by hand.
    UseStep(usize),
    GoTo(usize),
    Close,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SocketsEvent {
    /// The built-in peers from `/api/info`, or why they could not be read.
    Peers(Result<Vec<Peer>, String>),
    /// The target as typed or picked: a peer's name or `HOST:PORT`.
    Target(String),
    Transport(Transport),
    Connect,
    Disconnect,
    /// Send FIN: the peer reads the end of the stream, its replies keep coming.
    FinishSending,
    Draft(DraftEdit),
    /// Which connection the composer sends on.
    SendOn(Channel),
    /// Send pressed (or Ctrl+Enter).
    Send,
    /// A sent draft back into the composer (by index in the history).
    Recall(usize),
    /// FTP: open the data connection at the last passive reply's address.
    OpenData,
    CopyPython(PythonFlavor),
    /// [`SocketsEffect::Copy`] done, or why the clipboard refused.
    Copied(Result<(), String>),
    Walkthrough(WalkthroughEvent),
    /// Read the server's mailbox again.
    RefreshMailbox,
    /// The answer to [`SocketsEffect::ShowMailbox`]: `GET /api/mailbox`, or why it failed.
    MailboxFetched(Result<Mailbox, String>),

    /// [`SocketsEffect::Open`] done: the WebSocket to the bridge is opening.
    OpenStarted(Channel),
    /// The browser would not create the WebSocket (it throws on some URLs).
    OpenRefused {
        channel: Channel,
        error: String,
    },
    /// The WebSocket to the bridge opened.
    SocketOpened(Channel),
    /// A text frame from the bridge (its JSON event).
    BridgeText {
        channel: Channel,
        text: String,
    },
    /// A binary frame from the bridge: bytes from the peer.
    Received {
        channel: Channel,
        bytes: Vec<u8>,
    },
    /// A [`SocketsEffect::Send`] handed to the WebSocket.
    Sent {
        channel: Channel,
        bytes: Vec<u8>,
        origin: Origin,
    },
    SendRefused {
        channel: Channel,
        origin: Origin,
        error: String,
    },
    SocketClosed {
        channel: Channel,
        code: u16,
        reason: String,
    },
    /// The answer to [`SocketsEffect::ExplainRefusal`]: the HTTP status and body.
    Refusal {
        channel: Channel,
        status: u16,
        body: String,
    },
    /// [`SocketsEffect::ExplainRefusal`] could not be fetched.
    RefusalUnexplained {
        channel: Channel,
        error: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum SocketsEffect {
    /// Drop any socket on `channel` and open a WebSocket to `url` (binary type arraybuffer);
    /// answer with [`SocketsEvent::OpenStarted`] or [`SocketsEvent::OpenRefused`], then report
    /// its frames and its close.
    Open { channel: Channel, url: String },
    /// Send `bytes` as one binary frame; answer with [`SocketsEvent::Sent`] or
    /// [`SocketsEvent::SendRefused`].
    Send { channel: Channel, bytes: Vec<u8>, origin: Origin },
    /// Send this JSON as a text frame (a [`BridgeCommand`]).
    Command { channel: Channel, json: String },
    /// Close the WebSocket on `channel` (1000).
    Close { channel: Channel },
    /// The socket closed before it opened: `fetch` this http(s) URL and answer with
    /// [`SocketsEvent::Refusal`] (the server's JSON error names what was refused and why).
    ExplainRefusal { channel: Channel, url: String },
    /// Put this text on the clipboard; answer with [`SocketsEvent::Copied`].
    Copy(String),
    /// Show the server's mailbox view: fetch `GET /api/mailbox` and answer with
    /// [`SocketsEvent::MailboxFetched`].
    ShowMailbox,
}

/// The server's mailbox as the lab last read it (`GET /api/mailbox`), where the SMTP
/// walkthrough's mail arrives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MailboxPanel {
    /// The last listing read (kept on screen while a new one is read).
    pub mailbox: Option<Mailbox>,
    pub loading: bool,
    /// Why the last read failed.
    pub problem: Option<String>,
    /// How many times the mailbox was asked to be shown: a view brings it forward when this changes.
    pub shown: u64,
    /// The server's end of every SMTP connection this lab made (`ip:port`), which the SMTP peer
    /// records as the mail's client: the mail this lab delivered.
    pub delivered_from: Vec<String>,
}

/// Most SMTP connections [`MailboxPanel::delivered_from`] remembers.
pub const DELIVERED_FROM_CAPACITY: usize = 100;

impl MailboxPanel {
    /// Whether this lab delivered the mail that `client` (`ip:port`, as the mailbox lists it) sent.
    pub fn delivered_here(&self, client: &str) -> bool {
        self.delivered_from.iter().any(|local| local == client)
    }
}

/// The Sockets lab. Views read the public fields; only [`LabState::apply`] changes them.
#[derive(Clone, Debug)]
pub struct SocketsLabState {
    /// The built-in peers (empty until `/api/info` answered).
    pub peers: Vec<Peer>,
    pub peers_problem: Option<String>,
    /// The target as typed.
    pub target_text: String,
    pub transport: Transport,
    /// Why the last Connect did nothing (the target as typed is wrong).
    pub form_error: Option<String>,
    pub draft: SendDraft,
    /// Why the last Send did nothing (kept until the draft is edited).
    pub draft_error: Option<String>,
    pub send_on: Channel,
    /// Drafts sent, newest last.
    pub history: Vec<SendDraft>,
    pub control: Option<Link>,
    pub data: Option<Link>,
    pub passive: Option<PassiveTarget>,
    /// Why the data connection could not be opened.
    pub data_error: Option<String>,
    pub walkthrough: Option<WalkthroughRun>,
    /// Why a Python program could not be made.
    pub python_problem: Option<String>,
    /// What became of the last copy to the clipboard: `Ok` with what was copied, or why not.
    pub copy_notice: Option<Result<String, String>>,
    pub mailbox: MailboxPanel,
    page_protocol: String,
    page_host: String,
    revision: u64,
}

impl SocketsLabState {
    /// The lab on a page from `page_protocol` (`http:`/`https:`) and `page_host`.
    pub fn new(page_protocol: &str, page_host: &str) -> SocketsLabState {
        SocketsLabState {
            peers: Vec::new(),
            peers_problem: None,
            target_text: "echo".to_string(),
            transport: Transport::Tcp,
            form_error: None,
            draft: SendDraft::default(),
            draft_error: None,
            send_on: Channel::Control,
            history: Vec::new(),
            control: None,
            data: None,
            passive: None,
            data_error: None,
            walkthrough: None,
            python_problem: None,
            copy_notice: None,
            mailbox: MailboxPanel::default(),
            page_protocol: page_protocol.to_string(),
            page_host: page_host.to_string(),
            revision: 0,
        }
    }

    /// A number that changes whenever a transcript, a reply or a status changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn link(&self, channel: Channel) -> Option<&Link> {
        match channel {
            Channel::Control => self.control.as_ref(),
            Channel::Data => self.data.as_ref(),
        }
    }

    /// Where the server serves its capture of the connection on `channel`
    /// (`http://HOST/api/captures/{id}.pcap`), once the bridge has named one.
    pub fn capture_url(&self, channel: Channel) -> Option<String> {
        let id = self.link(channel)?.endpoints.as_ref()?.capture.as_deref()?;
        crate::packets::synth::capture_url(&format!("{}//{}", self.page_protocol, self.page_host), id)
    }

    fn link_mut(&mut self, channel: Channel) -> Option<&mut Link> {
        match channel {
            Channel::Control => self.control.as_mut(),
            Channel::Data => self.data.as_mut(),
        }
    }

    /// The built-in peers' names, each once (echo is listed for TCP and for UDP).
    pub fn peer_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for peer in &self.peers {
            if !names.contains(&peer.name.as_str()) {
                names.push(&peer.name);
            }
        }
        names
    }

    /// The protocol the chosen target speaks.
    pub fn protocol(&self) -> Protocol {
        Target::parse(&self.target_text, &self.peer_names())
            .map_or(Protocol::Raw, |target| target.protocol(&self.peers))
    }

    /// A warning for the composer's line ending on the chosen protocol.
    pub fn line_ending_warning(&self) -> Option<String> {
        let protocol = self.link(self.send_on).map_or_else(|| self.protocol(), |link| link.protocol);
        if self.draft.encoding != crate::binary_input::PayloadEncoding::Text {
            return None;
        }
        self.draft.line_ending.warning(protocol)
    }

    /// The control connection's session as Python, or why there is none.
    pub fn python_program(&self, flavor: PythonFlavor) -> Result<String, String> {
        let link = self.control.as_ref().ok_or("connect and send something first")?;
        let (host, port) = link.target.socket_address(&self.peers, link.transport).ok_or_else(|| {
            format!("the address of {} is not known (the peer list has not loaded)", link.target.query_value())
        })?;
        let session = Session::from_transcript(&host, port, link.protocol, &link.transcript);
        match flavor {
            PythonFlavor::Socket => Ok(socket_program(&session)),
            PythonFlavor::Library => library_program(&session).ok_or_else(|| {
                let transport = super::transcript::transport_label(link.transport);
                format!(
                    "{} over {transport} has no Python library of its own: use the socket program",
                    link.protocol.label()
                )
            }),
        }
    }

    fn connect(&mut self, now_ms: f64) -> Vec<SocketsEffect> {
        let target = match Target::parse(&self.target_text, &self.peer_names()) {
            Ok(target) => target,
            Err(error) => {
                self.form_error = Some(error.to_string());
                return Vec::new();
            }
        };
        self.form_error = None;
        let mut effects = self.close_all();
        let protocol = target.protocol(&self.peers);
        let url = bridge_url(&self.page_protocol, &self.page_host, self.transport, &target);
        self.control = Some(Link::new(self.transport, target, protocol, url.clone(), now_ms));
        self.data = None;
        self.passive = None;
        self.data_error = None;
        self.send_on = Channel::Control;
        self.revision += 1;
        effects.push(SocketsEffect::Open { channel: Channel::Control, url });
        effects
    }

    /// Closes both connections if they are live.
    fn close_all(&mut self) -> Vec<SocketsEffect> {
        let mut effects = Vec::new();
        for channel in [Channel::Data, Channel::Control] {
            if let Some(link) = self.link_mut(channel).filter(|link| link.is_live()) {
                link.mark_closing();
                effects.push(SocketsEffect::Close { channel });
            }
        }
        effects
    }

    fn open_data(&mut self, now_ms: f64) -> Result<Vec<SocketsEffect>, String> {
        let passive = self.passive.clone().ok_or("no address yet: send PASV (or EPSV) first; its reply gives one")?;
        if !self.control.as_ref().is_some_and(Link::is_live) {
            return Err("the control connection is closed: connect to the FTP server first".to_string());
        }
        let mut effects = Vec::new();
        if let Some(old) = self.data.as_mut().filter(|link| link.is_live()) {
            old.mark_closing();
            effects.push(SocketsEffect::Close { channel: Channel::Data });
        }
        let target = Target::Address { host: passive.host.clone(), port: passive.port };
        let url = bridge_url(&self.page_protocol, &self.page_host, Transport::Tcp, &target);
        let mut link = Link::new(Transport::Tcp, target, Protocol::Raw, url.clone(), now_ms);
        link.note(Note::Info(format!("FTP data connection, from the passive reply: {}", passive.working)), now_ms);
        self.data = Some(link);
        self.data_error = None;
        self.revision += 1;
        effects.push(SocketsEffect::Open { channel: Channel::Data, url });
        Ok(effects)
    }

    fn send_draft(&mut self) -> Vec<SocketsEffect> {
        let refuse = |error: String| Some(format!("Nothing was sent: {error}"));
        let bytes = match self.draft.bytes() {
            Ok(bytes) => bytes,
            Err(error) => {
                self.draft_error = refuse(error.to_string());
                return Vec::new();
            }
        };
        match self.check_send(self.send_on, &bytes) {
            Ok(()) => vec![SocketsEffect::Send { channel: self.send_on, bytes, origin: Origin::Draft }],
            Err(error) => {
                self.draft_error = refuse(error);
                Vec::new()
            }
        }
    }

    fn check_send(&self, channel: Channel, bytes: &[u8]) -> Result<(), String> {
        let link = self.link(channel).ok_or(match channel {
            Channel::Control => "not connected: choose a peer and Connect first",
            Channel::Data => "no data connection: open one from a passive (227) reply first",
        })?;
        link.check_sendable()?;
        if bytes.is_empty() && link.transport == Transport::Tcp {
            return Err("there are no bytes to send (over TCP an empty send sends nothing)".to_string());
        }
        Ok(())
    }

    fn sent(&mut self, channel: Channel, bytes: Vec<u8>, origin: Origin, now_ms: f64) {
        let Some(link) = self.link_mut(channel) else { return };
        let (chunk_id, commands) = link.sent(&bytes, now_ms);
        self.revision += 1;
        if channel == Channel::Control {
            self.note_transfers(&commands, now_ms);
        }
        let step = match origin {
            Origin::Step(step) => Some(step),
            Origin::Draft => {
                if self.draft.bytes().is_ok_and(|drafted| drafted == bytes) {
                    self.remember_draft();
                }
                self.step_matching_draft(&bytes, channel)
            }
        };
        if let (Some(step), Some(run)) = (step, self.walkthrough.as_mut()) {
            run.sent(step, channel, chunk_id);
        }
    }

    /// A draft sent by hand that is the next step's text counts as running that step.
    fn step_matching_draft(&mut self, bytes: &[u8], channel: Channel) -> Option<usize> {
        let run = self.walkthrough.as_mut()?;
        let step = run.current;
        let Some(Action::Send { text, line_ending }) = run.current_step().map(|step| &step.action) else { return None };
        if text_bytes(text, *line_ending) != bytes {
            return None;
        }
        let transport = self.link(channel).map_or(Transport::Tcp, |link| link.transport);
        let run = self.walkthrough.as_mut()?;
        run.begin(step, channel, transport, bytes.len());
        Some(step)
    }

    fn remember_draft(&mut self) {
        let sent = self.draft.clone();
        if self.history.last() != Some(&sent) {
            if self.history.len() == HISTORY_CAPACITY {
                self.history.remove(0);
            }
            self.history.push(sent);
        }
        self.draft.text.clear();
    }

    /// FTP: says on the data connection which command its bytes answer.
    fn note_transfers(&mut self, commands: &[Command], now_ms: f64) {
        let Some(data) = self.data.as_mut().filter(|link| link.is_live()) else { return };
        for command in commands {
            if matches!(command.verb.as_str(), "LIST" | "NLST" | "MLSD" | "RETR" | "STOR" | "STOU" | "APPE") {
                data.note(Note::Info(format!("This connection carries the data for {}", command.text)), now_ms);
            }
        }
    }

    fn received(&mut self, channel: Channel, bytes: Vec<u8>, now_ms: f64) {
        let Some(link) = self.link_mut(channel) else { return };
        let replies = link.received(&bytes, now_ms);
        self.revision += 1;
        self.take_replies(channel, &replies);
        if let Some(run) = self.walkthrough.as_mut() {
            run.received(channel, bytes.len());
        }
    }

    fn take_replies(&mut self, channel: Channel, replies: &[Reply]) {
        if channel == Channel::Control {
            for reply in replies {
                self.note_passive(reply);
            }
        }
        if let Some(run) = self.walkthrough.as_mut() {
            run.replies(channel, replies);
        }
    }

    /// Keeps the data connection's address from a 227 or 229 reply: the reply's host, or the
    /// control connection's when it names none (229) or names 0.0.0.0.
    fn note_passive(&mut self, reply: &Reply) {
        let Some(Ok(address)) = reply.passive_address() else { return };
        let control_host = self.control.as_ref().and_then(|link| {
            let remote = link.endpoints.as_ref().map(|ends| ends.remote.as_str())?;
            let (host, _) = remote.rsplit_once(':')?;
            Some(host.trim_start_matches('[').trim_end_matches(']').to_string())
        });
        let host = match address.host {
            Some(host) if host != "0.0.0.0" => host,
            _ => control_host.unwrap_or_else(|| "127.0.0.1".to_string()),
        };
        self.passive =
            Some(PassiveTarget { host, port: address.port, reply_chunk: reply.last_chunk, working: address.working });
    }

    fn bridge_text(&mut self, channel: Channel, text: &str, now_ms: f64) -> Vec<SocketsEffect> {
        let Some(link) = self.link_mut(channel) else { return Vec::new() };
        let event = match serde_json::from_str::<BridgeEvent>(text) {
            Ok(event) => event,
            Err(error) => {
                link.note(
                    Note::Info(format!("An event from the bridge the lab cannot read ({error}): {text}")),
                    now_ms,
                );
                self.revision += 1;
                return Vec::new();
            }
        };
        let happened = link.bridge_event(event, now_ms);
        let connect_words =
            link.endpoints.as_ref().map(|ends| format!("connected in {}", format_millis(ends.connect_ms)));
        self.revision += 1;
        self.take_replies(channel, &happened.replies);
        if let Some(run) = self.walkthrough.as_mut() {
            if happened.connected {
                run.connected(channel, connect_words.as_deref().unwrap_or("connected"));
            }
            if let Some((words, _)) = &happened.ended {
                run.ended(channel, words);
            }
        }
        // FTP's data connection: once the server has sent everything (FIN), finish our side too,
        // as a client closing its data socket does, so the bridge ends cleanly.
        if channel == Channel::Data && happened.peer_finished {
            return vec![shutdown_write(channel)];
        }
        Vec::new()
    }

    fn socket_closed(&mut self, channel: Channel, code: u16, reason: &str, now_ms: f64) -> Vec<SocketsEffect> {
        self.revision += 1;
        let Some(link) = self.link_mut(channel) else { return Vec::new() };
        match link.socket_closed(code, reason, now_ms) {
            Ok(happened) => {
                self.take_replies(channel, &happened.replies);
                if let (Some(run), Some((words, _))) = (self.walkthrough.as_mut(), &happened.ended) {
                    run.ended(channel, words);
                }
                Vec::new()
            }
            Err(()) => {
                let url = bridge_http_url(&link.url);
                link.problem = Some("The bridge did not open; asking the server why…".to_string());
                vec![SocketsEffect::ExplainRefusal { channel, url }]
            }
        }
    }

    fn refused(&mut self, channel: Channel, words: String, now_ms: f64) {
        let Some(link) = self.link_mut(channel) else { return };
        let happened = link.refused(words, now_ms);
        self.revision += 1;
        if let (Some(run), Some((words, _))) = (self.walkthrough.as_mut(), &happened.ended) {
            run.ended(channel, words);
        }
    }

    fn walkthrough_event(&mut self, event: WalkthroughEvent, now_ms: f64) -> Vec<SocketsEffect> {
        match event {
            WalkthroughEvent::Start(id) => {
                if let Some(walkthrough) = super::walkthroughs::by_id(&id) {
                    self.walkthrough = Some(WalkthroughRun::new(walkthrough));
                }
            }
            WalkthroughEvent::Load(walkthrough) => self.walkthrough = Some(WalkthroughRun::new(walkthrough)),
            WalkthroughEvent::Edit(edit) => {
                if let Some(run) = self.walkthrough.as_mut() {
                    run.edit(edit);
                }
            }
            WalkthroughEvent::RunStep => return self.run_step(now_ms),
            WalkthroughEvent::RunAll => {
                let Some(run) = self.walkthrough.as_mut() else { return Vec::new() };
                if run.is_finished() {
                    return Vec::new();
                }
                run.running_all = true;
                if run.is_waiting() {
                    // The step running now goes on; the next starts when it is done.
                    return Vec::new();
                }
                return self.run_step(now_ms);
            }
            WalkthroughEvent::Stop => {
                if let Some(run) = self.walkthrough.as_mut() {
                    run.running_all = false;
                }
            }
            WalkthroughEvent::UseStep(index) => {
                let step = self.walkthrough.as_ref().and_then(|run| run.walkthrough.steps.get(index));
                if let Some(Action::Send { text, line_ending }) = step.map(|step| &step.action) {
                    let edit = DraftEdit::Message {
                        encoding: crate::binary_input::PayloadEncoding::Text,
                        line_ending: *line_ending,
                        text: text.clone(),
                    };
                    self.draft.edit(edit);
                    self.draft_error = None;
                    self.send_on = Channel::Control;
                }
            }
            WalkthroughEvent::GoTo(index) => {
                if let Some(run) = self.walkthrough.as_mut() {
                    run.go_to(index);
                }
            }
            WalkthroughEvent::Close => self.walkthrough = None,
        }
        Vec::new()
    }

    fn run_step(&mut self, now_ms: f64) -> Vec<SocketsEffect> {
        let Some(run) = self.walkthrough.as_ref() else { return Vec::new() };
        let index = run.current;
        let Some(action) = run.current_step().map(|step| step.action.clone()) else { return Vec::new() };
        let control_transport = self.control.as_ref().map_or(Transport::Tcp, |link| link.transport);
        let result: Result<(Vec<SocketsEffect>, Channel, Transport, usize), String> = match action {
            Action::Connect { target, transport } => {
                self.target_text = target;
                self.transport = transport;
                let effects = self.connect(now_ms);
                match self.form_error.clone() {
                    Some(error) => Err(error),
                    None => Ok((effects, Channel::Control, transport, 0)),
                }
            }
            Action::Send { text, line_ending } => {
                let bytes = text_bytes(&text, line_ending);
                self.check_send(Channel::Control, &bytes).map(|()| {
                    let size = bytes.len();
                    let send = SocketsEffect::Send { channel: Channel::Control, bytes, origin: Origin::Step(index) };
                    (vec![send], Channel::Control, control_transport, size)
                })
            }
            Action::SendEach { pieces, line_ending } => {
                let sends: Vec<Vec<u8>> = pieces.iter().map(|piece| text_bytes(piece, line_ending)).collect();
                let size = sends.iter().map(Vec::len).sum();
                sends.iter().try_for_each(|bytes| self.check_send(Channel::Control, bytes)).map(|()| {
                    let effects = sends
                        .into_iter()
                        .map(|bytes| SocketsEffect::Send {
                            channel: Channel::Control,
                            bytes,
                            origin: Origin::Step(index),
                        })
                        .collect();
                    (effects, Channel::Control, control_transport, size)
                })
            }
            Action::OpenData => self.open_data(now_ms).map(|effects| (effects, Channel::Data, Transport::Tcp, 0)),
            Action::Disconnect => Ok((self.close_all(), Channel::Control, control_transport, 0)),
            Action::ShowMailbox => Ok((vec![self.show_mailbox()], Channel::Control, control_transport, 0)),
        };
        let Some(run) = self.walkthrough.as_mut() else { return Vec::new() };
        match result {
            Ok((effects, channel, transport, size)) => {
                run.begin(index, channel, transport, size);
                effects
            }
            Err(error) => {
                run.could_not_run(index, error);
                Vec::new()
            }
        }
    }
}

fn shutdown_write(channel: Channel) -> SocketsEffect {
    let json = serde_json::to_string(&BridgeCommand::ShutdownWrite).unwrap_or_default();
    SocketsEffect::Command { channel, json }
}

impl LabState for SocketsLabState {
    type Event = SocketsEvent;
    type Effect = SocketsEffect;

    fn apply(&mut self, event: SocketsEvent, now_ms: f64) -> Vec<SocketsEffect> {
        let mut effects = self.apply_event(event, now_ms);
        effects.extend(self.keep_running(now_ms));
        effects
    }
}

impl SocketsLabState {
    /// Run all: starts each next step once the one before is done; stops at the end, at a step
    /// that did not go as expected, or at one that could not start.
    fn keep_running(&mut self, now_ms: f64) -> Vec<SocketsEffect> {
        let mut effects = Vec::new();
        while let Some(run) = self.walkthrough.as_mut() {
            if !run.running_all || run.is_waiting() {
                break;
            }
            if run.is_finished() || run.is_stuck() {
                run.running_all = false;
                break;
            }
            let before = run.current;
            effects.extend(self.run_step(now_ms));
            let Some(run) = self.walkthrough.as_mut() else { break };
            if !run.is_waiting() && run.current == before {
                run.running_all = false;
                break;
            }
        }
        effects
    }

    fn show_mailbox(&mut self) -> SocketsEffect {
        self.mailbox.loading = true;
        self.mailbox.shown += 1;
        SocketsEffect::ShowMailbox
    }

    /// A control connection to an SMTP peer connected from `local` (the server's end).
    fn remember_smtp_client(&mut self, channel: Channel) {
        let Some(link) =
            self.link(channel).filter(|link| channel == Channel::Control && link.protocol == Protocol::Smtp)
        else {
            return;
        };
        let Some(local) = link.endpoints.as_ref().map(|ends| ends.local.clone()) else { return };
        let delivered_from = &mut self.mailbox.delivered_from;
        if !delivered_from.contains(&local) {
            if delivered_from.len() == DELIVERED_FROM_CAPACITY {
                delivered_from.remove(0);
            }
            delivered_from.push(local);
        }
    }

    /// Picking a built-in peer that only one transport reaches picks that transport too.
    fn fit_transport(&mut self) {
        let Ok(Target::Peer(name)) = Target::parse(&self.target_text, &self.peer_names()) else { return };
        let reaches = |transport| self.peers.iter().any(|peer| peer.name == name && peer.transport == transport);
        let other = match self.transport {
            Transport::Tcp => Transport::Udp,
            Transport::Udp => Transport::Tcp,
        };
        if !reaches(self.transport) && reaches(other) {
            self.transport = other;
        }
    }

    fn apply_event(&mut self, event: SocketsEvent, now_ms: f64) -> Vec<SocketsEffect> {
        match event {
            SocketsEvent::Peers(Ok(peers)) => {
                self.peers = peers;
                self.peers_problem = None;
            }
            SocketsEvent::Peers(Err(error)) => self.peers_problem = Some(error),
            SocketsEvent::Target(text) => {
                self.target_text = text;
                self.form_error = None;
                self.fit_transport();
            }
            SocketsEvent::Transport(transport) => self.transport = transport,
            SocketsEvent::Connect => return self.connect(now_ms),
            SocketsEvent::Disconnect => return self.close_all(),
            SocketsEvent::FinishSending => {
                match self.control.as_ref().map(|link| (link.check_sendable(), link.transport)) {
                    Some((Ok(()), Transport::Tcp)) => return vec![shutdown_write(Channel::Control)],
                    Some((Ok(()), Transport::Udp)) => {
                        self.draft_error = Some("UDP has no FIN: there is no stream to end".to_string());
                    }
                    Some((Err(error), _)) => self.draft_error = Some(error),
                    None => self.draft_error = Some("not connected".to_string()),
                }
            }
            SocketsEvent::Draft(edit) => {
                self.draft.edit(edit);
                self.draft_error = None;
            }
            SocketsEvent::SendOn(channel) => self.send_on = channel,
            SocketsEvent::Send => return self.send_draft(),
            SocketsEvent::Recall(index) => {
                if let Some(draft) = self.history.get(index) {
                    self.draft = draft.clone();
                    self.draft_error = None;
                }
            }
            SocketsEvent::OpenData => match self.open_data(now_ms) {
                Ok(effects) => return effects,
                Err(error) => self.data_error = Some(error),
            },
            SocketsEvent::CopyPython(flavor) => match self.python_program(flavor) {
                Ok(program) => {
                    self.python_problem = None;
                    self.copy_notice = None;
                    return vec![SocketsEffect::Copy(program)];
                }
                Err(problem) => self.python_problem = Some(problem),
            },
            SocketsEvent::Copied(result) => {
                self.copy_notice = Some(result.map(|()| "Copied to the clipboard".to_string()).map_err(|error| {
                    format!("The clipboard refused ({error}): select the program and copy it by hand")
                }));
            }
            SocketsEvent::Walkthrough(event) => return self.walkthrough_event(event, now_ms),
            SocketsEvent::RefreshMailbox => return vec![self.show_mailbox()],
            SocketsEvent::MailboxFetched(result) => {
                self.mailbox.loading = false;
                match result {
                    Ok(mailbox) => {
                        self.mailbox.mailbox = Some(mailbox);
                        self.mailbox.problem = None;
                    }
                    Err(problem) => self.mailbox.problem = Some(problem),
                }
            }
            SocketsEvent::OpenStarted(_) => {}
            SocketsEvent::OpenRefused { channel, error } => {
                self.refused(channel, format!("The browser would not open the bridge: {error}"), now_ms);
            }
            SocketsEvent::SocketOpened(channel) => {
                if let Some(link) = self.link_mut(channel) {
                    link.socket_opened();
                    self.revision += 1;
                }
            }
            SocketsEvent::BridgeText { channel, text } => {
                let effects = self.bridge_text(channel, &text, now_ms);
                self.remember_smtp_client(channel);
                return effects;
            }
            SocketsEvent::Received { channel, bytes } => self.received(channel, bytes, now_ms),
            SocketsEvent::Sent { channel, bytes, origin } => self.sent(channel, bytes, origin, now_ms),
            SocketsEvent::SendRefused { origin, error, .. } => match origin {
                Origin::Draft => self.draft_error = Some(format!("Nothing was sent: {error}")),
                Origin::Step(step) => {
                    if let Some(run) = self.walkthrough.as_mut() {
                        run.could_not_run(step, format!("not sent: {error}"));
                    }
                }
            },
            SocketsEvent::SocketClosed { channel, code, reason } => {
                return self.socket_closed(channel, code, &reason, now_ms);
            }
            SocketsEvent::Refusal { channel, status, body } => {
                self.refused(channel, refusal_message(status, &body), now_ms);
            }
            SocketsEvent::RefusalUnexplained { channel, error } => self.refused(
                channel,
                format!("The bridge closed before it opened, and the server could not be asked why: {error}"),
                now_ms,
            ),
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests;
