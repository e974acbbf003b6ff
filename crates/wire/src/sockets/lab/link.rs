//! One connection through the bridge as the Sockets lab holds it: where it goes, how far it got,
//! its transcript, the replies read from it, and the problem to show in place when it could not
//! be made or ended badly. The lab has two: the control connection and FTP's data connection.

use std::collections::VecDeque;

use crate::bridge_event::{BridgeEvent, TimeoutPhase, Transport};
use crate::message_log::Direction;
use crate::sockets::replies::commands::Command;
use crate::sockets::replies::{Conversation, Reply};
use crate::sockets::target::{Protocol, Target};
use crate::sockets::transcript::{Note, Transcript};

/// Most replies one connection keeps (the oldest go first).
pub const MAX_REPLIES: usize = 2_000;

/// How far a connection got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    /// The WebSocket to the bridge is opening.
    Opening,
    /// The bridge is connecting to the peer.
    Connecting,
    Connected,
    Closed,
}

impl LinkStatus {
    pub fn label(self) -> &'static str {
        match self {
            LinkStatus::Opening => "opening the bridge",
            LinkStatus::Connecting => "connecting",
            LinkStatus::Connected => "connected",
            LinkStatus::Closed => "closed",
        }
    }
}

/// The two ends, as the bridge reported them.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoints {
    /// The server's end, `ip:port`.
    pub local: String,
    /// The peer's end, `ip:port`.
    pub remote: String,
    pub connect_ms: f64,
    /// The server's capture of the connection (`/api/captures/{id}.pcap`), if it keeps one.
    pub capture: Option<String>,
}

/// What a bridge event or a closed socket changed, for the lab to act on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Happened {
    pub connected: bool,
    pub peer_finished: bool,
    /// The connection ended (or never came about), in words, and whether that is a problem.
    pub ended: Option<(String, bool)>,
    /// A reply cut short by the end.
    pub replies: Vec<Reply>,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub transport: Transport,
    pub target: Target,
    pub protocol: Protocol,
    /// The bridge URL it was opened with.
    pub url: String,
    pub status: LinkStatus,
    pub endpoints: Option<Endpoints>,
    pub transcript: Transcript,
    /// Replies read from the peer, oldest first (SMTP, POP3 and FTP only).
    pub replies: VecDeque<Reply>,
    pub replies_dropped: u64,
    /// Why it could not be made or ended badly, shown beside Connect.
    pub problem: Option<String>,
    /// The peer sent FIN: nothing more will come.
    pub peer_finished: bool,
    /// FIN was sent to the peer: nothing more can be sent.
    pub we_finished: bool,
    /// The bridge's running totals: bytes to and from the peer.
    pub bridge_totals: Option<(u64, u64)>,
    conversation: Option<Conversation>,
    socket_opened: bool,
    bridge_closed: bool,
    /// Disconnect was asked for, so the socket's close is expected.
    closing: bool,
}

impl Link {
    /// A connection being opened now: its transcript starts with where it goes.
    pub fn new(transport: Transport, target: Target, protocol: Protocol, url: String, now_ms: f64) -> Link {
        let mut transcript = Transcript::new(transport);
        transcript.start(now_ms);
        transcript.push_note(Note::Connecting { target: target.query_value(), transport }, now_ms);
        Link {
            transport,
            target,
            protocol,
            url,
            status: LinkStatus::Opening,
            endpoints: None,
            transcript,
            replies: VecDeque::new(),
            replies_dropped: 0,
            problem: None,
            peer_finished: false,
            we_finished: false,
            bridge_totals: None,
            conversation: protocol.has_replies().then(|| Conversation::new(protocol)),
            socket_opened: false,
            bridge_closed: false,
            closing: false,
        }
    }

    pub fn is_live(&self) -> bool {
        self.status != LinkStatus::Closed
    }

    /// Why nothing can be sent now, or `Ok`.
    pub fn check_sendable(&self) -> Result<(), String> {
        match self.status {
            LinkStatus::Opening | LinkStatus::Connecting => Err("still connecting: wait for “Connected”".to_string()),
            LinkStatus::Closed => Err("the connection is closed: Connect again".to_string()),
            LinkStatus::Connected if self.we_finished => {
                Err("you sent FIN (finished sending): this connection takes no more bytes".to_string())
            }
            LinkStatus::Connected => Ok(()),
        }
    }

    /// The commands still waiting for a reply.
    pub fn awaiting(&self) -> Vec<&Command> {
        self.conversation.as_ref().map(|conversation| conversation.awaiting().collect()).unwrap_or_default()
    }

    /// Whether part of a reply has come and the rest is awaited.
    pub fn has_partial_reply(&self) -> bool {
        self.conversation.as_ref().is_some_and(Conversation::has_partial_reply)
    }

    /// The replies that ended in transcript entry `id` (to show beside it).
    pub fn replies_ending_at(&self, id: u64) -> impl Iterator<Item = &Reply> {
        self.replies.iter().filter(move |reply| reply.last_chunk == id)
    }

    pub(super) fn mark_closing(&mut self) {
        self.closing = true;
    }

    pub(super) fn note(&mut self, note: Note, now_ms: f64) {
        self.transcript.push_note(note, now_ms);
    }

    pub(super) fn socket_opened(&mut self) {
        self.socket_opened = true;
        if self.status == LinkStatus::Opening {
            self.status = LinkStatus::Connecting;
        }
    }

    /// Bytes handed to the bridge: into the transcript, and the commands they complete.
    pub(super) fn sent(&mut self, bytes: &[u8], now_ms: f64) -> (u64, Vec<Command>) {
        let id = self.transcript.push_chunk(Direction::Sent, bytes, now_ms);
        let commands = self.conversation.as_mut().map(|c| c.on_sent(bytes, id)).unwrap_or_default();
        (id, commands)
    }

    /// Bytes from the peer: into the transcript, and the replies they complete.
    pub(super) fn received(&mut self, bytes: &[u8], now_ms: f64) -> Vec<Reply> {
        let id = self.transcript.push_chunk(Direction::Received, bytes, now_ms);
        let replies = self.conversation.as_mut().map(|c| c.on_received(bytes, id)).unwrap_or_default();
        self.keep_replies(&replies);
        replies
    }

    fn keep_replies(&mut self, replies: &[Reply]) {
        for reply in replies {
            if self.replies.len() == MAX_REPLIES {
                self.replies.pop_front();
                self.replies_dropped += 1;
            }
            self.replies.push_back(reply.clone());
        }
    }

    pub(super) fn bridge_event(&mut self, event: BridgeEvent, now_ms: f64) -> Happened {
        let mut happened = Happened::default();
        match &event {
            BridgeEvent::Data { to_peer_bytes, from_peer_bytes, .. } => {
                self.bridge_totals = Some((*to_peer_bytes, *from_peer_bytes));
                return happened;
            }
            BridgeEvent::Connected { local, remote, connect_ms, capture, .. } => {
                self.status = LinkStatus::Connected;
                self.endpoints = Some(Endpoints {
                    local: local.clone(),
                    remote: remote.clone(),
                    connect_ms: *connect_ms,
                    capture: capture.clone(),
                });
                happened.connected = true;
            }
            BridgeEvent::PeerFin { .. } => {
                self.peer_finished = true;
                happened.peer_finished = true;
            }
            BridgeEvent::FinSent { .. } => self.we_finished = true,
            BridgeEvent::ConnectFailed { .. } | BridgeEvent::Timeout { phase: TimeoutPhase::Connect, .. } => {
                self.problem = Some(Note::Bridge(event.clone()).text());
            }
            BridgeEvent::Closed { .. } => {
                self.bridge_closed = true;
                self.status = LinkStatus::Closed;
                let note = Note::Bridge(event.clone());
                self.note(note.clone(), now_ms);
                happened.replies = self.end();
                happened.ended = Some((note.text(), note.is_problem()));
                return happened;
            }
            BridgeEvent::Reset { .. }
            | BridgeEvent::PortUnreachable { .. }
            | BridgeEvent::Timeout { .. }
            | BridgeEvent::BadCommand { .. } => {}
        }
        self.note(Note::Bridge(event), now_ms);
        happened
    }

    /// The WebSocket closed. `Err(())` when it never opened: the bridge refused before the
    /// upgrade, and only a plain request to the same URL can say why.
    pub(super) fn socket_closed(&mut self, code: u16, reason: &str, now_ms: f64) -> Result<Happened, ()> {
        let was_live = self.is_live();
        self.status = LinkStatus::Closed;
        if !self.socket_opened && !self.closing {
            return Err(());
        }
        let mut happened = Happened { replies: self.end(), ..Happened::default() };
        if self.closing && !self.bridge_closed {
            let words = "Disconnected: the bridge closed its connection to the peer".to_string();
            self.note(Note::Info(words.clone()), now_ms);
            happened.ended = Some((words, false));
        } else if !self.bridge_closed && was_live {
            let note = Note::Lost { code, reason: reason.to_string() };
            self.problem = Some(note.text());
            self.note(note.clone(), now_ms);
            happened.ended = Some((note.text(), true));
        }
        Ok(happened)
    }

    /// The bridge could not be opened, in the server's or the browser's words.
    pub(super) fn refused(&mut self, words: String, now_ms: f64) -> Happened {
        self.status = LinkStatus::Closed;
        self.problem = Some(words.clone());
        self.note(Note::Refused(words.clone()), now_ms);
        Happened { ended: Some((words, true)), ..Happened::default() }
    }

    /// No more bytes will come: a reply cut short is kept as far as it came.
    fn end(&mut self) -> Vec<Reply> {
        let replies = self.conversation.as_mut().map(Conversation::on_end).unwrap_or_default();
        self.keep_replies(&replies);
        replies
    }
}
