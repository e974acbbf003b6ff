//! One bridge's life once the 101 is sent: connect to the checked address, relay bytes both ways
//! with events beside them, and end with one `closed` event and a close frame.
//!
//! The relay is one task running four futures at once (so they share the tally without locks):
//!
//! - client → peer: each binary message is written to the peer (one message, one datagram over
//!   UDP); a text message is a command (`{"command":"shutdown_write"}`). While the peer does not
//!   read, this waits, so the client's frames wait in TCP, not here.
//! - peer → client: each chunk read from the peer (at most [`CHUNK_BYTES`]) or datagram is sent
//!   as one binary message, and the next read waits until it is written: a client that does not
//!   read stops the reading from the peer. The events the other side makes go out here too, from
//!   a small bounded channel, and the `data` totals at most every
//!   [`DATA_EVENT_INTERVAL_MS`](wire::bridge_event::DATA_EVENT_INTERVAL_MS).
//! - the idle timer: nothing either way for the idle time ends the bridge.
//! - the server's shutdown.
//!
//! The first to finish decides the ending. So the server holds per bridge at most one chunk, one
//! client message (up to `--max-message-bytes`) and a few events, whatever the client does.
//!
//! The byte limit counts both directions together. Over TCP the chunk that reaches it is cut to
//! fit (the bridge carries exactly the limit); over UDP a datagram that does not fit is not sent.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until, timeout};
use tokio_util::task::task_tracker::TaskTrackerToken;
use wire::bridge_event::{
    BridgeCommand, BridgeEvent, CloseReason, DATA_EVENT_INTERVAL_MS, TimeoutPhase, Transport, millis,
};
use wire::packets::synth::Side;
use yawc::close::CloseCode;
use yawc::{Frame, OpCode, Options, Role, WebSocket};

use super::Slot;
use super::ftp_watch::FtpWatch;
use super::peer::{ConnectError, Incoming, PeerReader, PeerSocket, PeerWriter, is_port_unreachable, is_reset};
use super::target::Target;
use crate::Shutdown;
use crate::capture::{Captures, Carrier, Recorder};
use crate::metrics::{Metered, WebSocketMetrics};
use crate::peers::Peers;

/// The largest read from a TCP peer, sent as one binary message.
pub(crate) const CHUNK_BYTES: usize = 64 * 1024;
/// The largest UDP datagram over IPv4 (65,535 minus the IP and UDP headers); a client message
/// larger than this on `/ws/udp` is closed with 1009.
pub(crate) const MAX_DATAGRAM_BYTES: usize = 65_507;
/// The `closed` event's detail when the server shuts down.
const SHUTTING_DOWN: &str = "the server is shutting down";
/// Events waiting for the peer → client side; the client → peer side waits when it is full.
const EVENT_QUEUE: usize = 8;

type Socket = Metered<WebSocket<TokioIo<Upgraded>>>;
type Sink = SplitSink<Socket, Frame>;
type Stream = SplitStream<Socket>;

/// The limits every bridge follows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_bytes: u64,
    pub idle: Duration,
    pub connect_timeout: Duration,
    /// How long the closing (last events, close frame, the client's answer) may take.
    pub close_timeout: Duration,
    /// The largest client message on `/ws/tcp`.
    pub max_message_bytes: usize,
}

/// Everything one bridge's task holds.
pub(crate) struct Bridge {
    pub id: u64,
    /// The client's address, for the log.
    pub client: String,
    pub transport: Transport,
    pub target: Target,
    /// When the upgrade request was accepted: `at_ms` counts from here.
    pub started: Instant,
    pub limits: Limits,
    pub shutdown: Shutdown,
    pub upgrade: OnUpgrade,
    pub _slot: Slot,
    pub _tracked: TaskTrackerToken,
    /// For a bridge to the FTP peer's control port: the directory its passive replies are
    /// noted in, which opens their data ports to the bridge.
    pub ftp_peers: Option<Arc<Peers>>,
    /// Where the bridge is recorded, under which label and with the peer at which port.
    pub captures: Captures,
    pub capture_as: (&'static str, u16),
    /// `/ws/tcp`'s or `/ws/udp`'s counters.
    pub metrics: WebSocketMetrics,
}

/// Why the relay stopped.
enum Ending {
    Finished,
    ClientClosed,
    Reset(String),
    ByteLimit,
    Idle,
    Shutdown,
    Failed(String),
}

/// Bytes and pieces (chunks or datagrams) one way.
#[derive(Default)]
struct Count {
    bytes: AtomicU64,
    pieces: AtomicU64,
}

impl Count {
    fn add(&self, bytes: usize) {
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.pieces.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> (u64, u64) {
        (self.bytes.load(Ordering::Relaxed), self.pieces.load(Ordering::Relaxed))
    }
}

/// Running totals, and what both directions need to know of each other. Atomics only because
/// the task must be `Send`: the four futures that share it run in one task, never at once.
struct Tally {
    to_peer: Count,
    from_peer: Count,
    /// The totals the last `data` event carried.
    reported: Mutex<((u64, u64), (u64, u64))>,
    /// When the tally was made; `last_activity` counts microseconds from here.
    since: Instant,
    last_activity: AtomicU64,
    peer_fin: AtomicBool,
    client_fin: AtomicBool,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            to_peer: Count::default(),
            from_peer: Count::default(),
            reported: Mutex::new(((0, 0), (0, 0))),
            since: Instant::now(),
            last_activity: AtomicU64::new(0),
            peer_fin: AtomicBool::new(false),
            client_fin: AtomicBool::new(false),
        }
    }

    fn carried(&self) -> u64 {
        self.to_peer.get().0 + self.from_peer.get().0
    }

    fn touch(&self) {
        let micros = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.last_activity.store(micros, Ordering::Relaxed);
    }

    fn last_activity(&self) -> Instant {
        self.since + Duration::from_micros(self.last_activity.load(Ordering::Relaxed))
    }

    fn both_fins(&self) -> bool {
        self.peer_fin.load(Ordering::Relaxed) && self.client_fin.load(Ordering::Relaxed)
    }

    /// A `data` event if the totals changed since the last one.
    fn data_event(&self, transport: Transport, at_ms: f64) -> Option<BridgeEvent> {
        let now = (self.to_peer.get(), self.from_peer.get());
        let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
        if now == std::mem::replace(&mut *reported, now) {
            return None;
        }
        let ((to_peer_bytes, to_peer_datagrams), (from_peer_bytes, from_peer_datagrams)) = now;
        let udp = transport == Transport::Udp;
        Some(BridgeEvent::Data {
            at_ms,
            to_peer_bytes,
            from_peer_bytes,
            to_peer_datagrams: udp.then_some(to_peer_datagrams),
            from_peer_datagrams: udp.then_some(from_peer_datagrams),
        })
    }
}

impl Bridge {
    fn at_ms(&self) -> f64 {
        millis(self.started.elapsed())
    }

    /// yawc's settings: whole messages (fragments put together), limited to what the peer takes.
    fn options(&self) -> Options {
        let limit = match self.transport {
            Transport::Tcp => self.limits.max_message_bytes,
            Transport::Udp => MAX_DATAGRAM_BYTES,
        };
        Options::default()
            .with_max_payload_read(limit.saturating_add(1))
            .with_max_read_buffer(limit.saturating_add(1))
            .with_read_buffer_capacity(CHUNK_BYTES)
    }

    /// The bridge's task.
    pub(crate) async fn run(mut self) {
        let io = match (&mut self.upgrade).await {
            Ok(io) => TokioIo::new(io),
            Err(error) => {
                tracing::debug!(bridge = self.id, %error, "upgrade failed");
                return;
            }
        };
        let socket = match WebSocket::from_stream(io, Role::Server, self.options()) {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(bridge = self.id, %error, "cannot set up a WebSocket");
                return;
            }
        };
        let (mut sink, mut stream) = Metered::new(socket, &self.metrics).split();
        tracing::info!(bridge = self.id, client = self.client, transport = %self.transport,
                       to = self.target.asked, address = %self.target.address, "bridge opened");

        // One shutdown signal for the bridge's life (see `Signal`: polling it again is cheap).
        let cancelled = self.shutdown.signal();
        tokio::pin!(cancelled);
        let connecting = Instant::now();
        let opened = tokio::select! {
            opened = PeerSocket::connect(self.transport, self.target.address, self.limits.connect_timeout) => opened,
            () = cancelled.as_mut() => {
                self.close(&mut sink, &mut stream, Vec::new(), CloseReason::Shutdown, SHUTTING_DOWN.into()).await;
                return;
            }
        };
        let mut peer = match opened {
            Ok(peer) => peer,
            Err(error) => {
                let (events, reason, detail) = self.connect_failure(error);
                self.close(&mut sink, &mut stream, events, reason, detail).await;
                return;
            }
        };
        let connect_ms = millis(connecting.elapsed());
        let (capture, connected) = match peer.addresses() {
            Ok((local, remote)) => {
                let capture = self.start_capture(local, remote);
                let id = capture.as_ref().map(|recorder| recorder.id().to_owned());
                let connected = BridgeEvent::Connected {
                    at_ms: self.at_ms(),
                    transport: self.transport,
                    local: local.to_string(),
                    remote: remote.to_string(),
                    connect_ms,
                    capture: id,
                };
                (capture, connected)
            }
            Err(error) => {
                let detail = format!("the socket to the peer failed at once: {error}");
                self.close(&mut sink, &mut stream, Vec::new(), CloseReason::Error, detail).await;
                return;
            }
        };
        if !self.send_all(&mut sink, [connected]).await {
            return;
        }

        let tally = Tally::new();
        let (events, mut queued) = mpsc::channel(EVENT_QUEUE);
        let (reader, writer) = peer.halves();
        let capture = capture.as_ref();
        let ending = tokio::select! {
            ending = self.client_to_peer(&mut stream, writer, &tally, &events, capture) => ending,
            ending = self.peer_to_client(&mut sink, reader, &tally, &mut queued, capture) => ending,
            ending = idle(&tally, self.limits.idle) => ending,
            () = cancelled.as_mut() => Ending::Shutdown,
        };

        if let Some(recorder) = capture {
            // The peer's reset ends it; otherwise the server closes its socket now: FIN (a
            // second FIN, after a shutdown_write, is left out of the capture).
            match ending {
                Ending::Reset(_) => recorder.reset(Side::Server),
                _ => recorder.fin(Side::Client),
            }
        }
        let mut last = Vec::new();
        while let Ok(event) = queued.try_recv() {
            last.push(event);
        }
        last.extend(tally.data_event(self.transport, self.at_ms()));
        let (reason, detail) = match ending {
            Ending::Finished => (CloseReason::Finished, "both sides sent FIN".to_owned()),
            Ending::ClientClosed => (CloseReason::ClientClosed, "the client closed the WebSocket".to_owned()),
            Ending::Reset(error) => {
                last.push(BridgeEvent::Reset { at_ms: self.at_ms(), error: error.clone() });
                (CloseReason::Reset, format!("the peer reset the connection: {error}"))
            }
            Ending::ByteLimit => (
                CloseReason::ByteLimit,
                format!("the bridge carried its {} bytes (--bridge-max-bytes)", self.limits.max_bytes),
            ),
            Ending::Idle => {
                let limit_ms = duration_ms(self.limits.idle);
                last.push(BridgeEvent::Timeout { at_ms: self.at_ms(), phase: TimeoutPhase::Idle, limit_ms });
                (
                    CloseReason::IdleTimeout,
                    format!("nothing sent or received for {limit_ms} ms (--bridge-idle-timeout)"),
                )
            }
            Ending::Shutdown => (CloseReason::Shutdown, SHUTTING_DOWN.to_owned()),
            Ending::Failed(error) => (CloseReason::Error, error),
        };
        let ((sent, _), (received, _)) = (tally.to_peer.get(), tally.from_peer.get());
        tracing::info!(bridge = self.id, ?reason, sent, received, "bridge closed");
        self.close(&mut sink, &mut stream, last, reason, detail).await;
    }

    /// Starts recording the bridge between the server's end `local` and the peer at `remote`
    /// (written at the port `capture_as` says); `None` when capturing is off.
    fn start_capture(&self, local: SocketAddr, remote: SocketAddr) -> Option<Recorder> {
        let (label, port) = self.capture_as;
        let carrier = match self.transport {
            Transport::Tcp => Carrier::Tcp,
            Transport::Udp => Carrier::Udp,
        };
        self.captures.start(carrier, label, local, SocketAddr::new(remote.ip(), port))
    }

    /// The events and the ending of a connection that could not be made.
    fn connect_failure(&self, error: ConnectError) -> (Vec<BridgeEvent>, CloseReason, String) {
        let at_ms = self.at_ms();
        match error {
            ConnectError::TimedOut => {
                let limit_ms = duration_ms(self.limits.connect_timeout);
                (
                    vec![BridgeEvent::Timeout { at_ms, phase: TimeoutPhase::Connect, limit_ms }],
                    CloseReason::ConnectTimeout,
                    format!(
                        "{} did not accept the connection in {limit_ms} ms (--bridge-connect-timeout)",
                        self.target.address
                    ),
                )
            }
            ConnectError::Failed(reason, error) => (
                vec![BridgeEvent::ConnectFailed { at_ms, reason, error: error.to_string() }],
                CloseReason::ConnectFailed,
                format!("could not connect to {}: {error}", self.target.address),
            ),
        }
    }

    /// Client → peer: binary messages to the peer, text messages as commands.
    async fn client_to_peer(
        &self,
        stream: &mut Stream,
        mut writer: PeerWriter<'_>,
        tally: &Tally,
        events: &mpsc::Sender<BridgeEvent>,
        capture: Option<&Recorder>,
    ) -> Ending {
        // yawc's stream ends on a close frame, a protocol error (which it answers with a close
        // frame of its own) or a lost connection.
        while let Some(frame) = stream.next().await {
            tally.touch();
            let event = match frame.opcode() {
                OpCode::Binary if tally.client_fin.load(Ordering::Relaxed) => BridgeEvent::BadCommand {
                    at_ms: self.at_ms(),
                    error: format!("FIN was sent, so the {} bytes were not", frame.payload().len()),
                },
                OpCode::Binary => {
                    let payload = frame.payload();
                    let (take, over) = self.portion(tally, payload.len());
                    if take > 0 || !over {
                        if let Err(error) = writer.send(&payload[..take]).await {
                            return peer_error(error);
                        }
                        if let Some(recorder) = capture {
                            recorder.data_copied(Side::Client, &payload[..take]);
                        }
                        tally.to_peer.add(take);
                    }
                    if over {
                        return Ending::ByteLimit;
                    }
                    continue;
                }
                OpCode::Text => match serde_json::from_slice::<BridgeCommand>(frame.payload()) {
                    Ok(BridgeCommand::ShutdownWrite) => match writer.shutdown().await {
                        Some(Ok(())) => {
                            if let Some(recorder) = capture {
                                recorder.fin(Side::Client);
                            }
                            tally.client_fin.store(true, Ordering::Relaxed);
                            BridgeEvent::FinSent { at_ms: self.at_ms() }
                        }
                        Some(Err(error)) => return peer_error(error),
                        None => BridgeEvent::BadCommand {
                            at_ms: self.at_ms(),
                            error: "UDP has no FIN: shutdown_write is for /ws/tcp".into(),
                        },
                    },
                    Err(error) => BridgeEvent::BadCommand {
                        at_ms: self.at_ms(),
                        error: format!(r#"{error}; the bridge takes {{"command":"shutdown_write"}}"#),
                    },
                },
                OpCode::Close => return Ending::ClientClosed,
                _ => continue,
            };
            if events.send(event).await.is_err() {
                return Ending::ClientClosed;
            }
            if tally.both_fins() {
                return Ending::Finished;
            }
        }
        Ending::ClientClosed
    }

    /// Peer → client: the peer's bytes as binary messages, and every event.
    async fn peer_to_client(
        &self,
        sink: &mut Sink,
        mut reader: PeerReader<'_>,
        tally: &Tally,
        queued: &mut mpsc::Receiver<BridgeEvent>,
        capture: Option<&Recorder>,
    ) -> Ending {
        let mut buffer = vec![0; if self.transport == Transport::Udp { MAX_DATAGRAM_BYTES + 1 } else { CHUNK_BYTES }];
        let mut ticks = interval(Duration::from_millis(DATA_EVENT_INTERVAL_MS));
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut ftp_watch = self.ftp_peers.clone().map(FtpWatch::new);
        loop {
            let frame = tokio::select! {
                read = reader.next(&mut buffer), if !tally.peer_fin.load(Ordering::Relaxed) => match read {
                    Ok(Incoming::Bytes(count)) => {
                        tally.touch();
                        let (take, over) = self.portion(tally, count);
                        if let Some(watch) = &mut ftp_watch {
                            watch.read(&buffer[..take]);
                        }
                        if take > 0 || !over {
                            let chunk = Bytes::copy_from_slice(&buffer[..take]);
                            if let Some(recorder) = capture {
                                // The same bytes as the frame's, not a copy.
                                recorder.data(Side::Server, chunk.clone());
                            }
                            let frame = Frame::binary(chunk);
                            if sink.send(frame).await.is_err() {
                                return Ending::ClientClosed;
                            }
                            tally.from_peer.add(take);
                        }
                        if over {
                            return Ending::ByteLimit;
                        }
                        continue;
                    }
                    Ok(Incoming::Fin) => {
                        if let Some(recorder) = capture {
                            recorder.fin(Side::Server);
                        }
                        tally.peer_fin.store(true, Ordering::Relaxed);
                        text(&BridgeEvent::PeerFin { at_ms: self.at_ms() })
                    }
                    Err(error) if self.transport == Transport::Udp && is_port_unreachable(&error) => {
                        text(&BridgeEvent::PortUnreachable { at_ms: self.at_ms(), error: error.to_string() })
                    }
                    Err(error) => return peer_error(error),
                },
                Some(event) = queued.recv() => text(&event),
                _ = ticks.tick() => match tally.data_event(self.transport, self.at_ms()) {
                    Some(event) => text(&event),
                    None => continue,
                },
            };
            if sink.send(frame).await.is_err() {
                return Ending::ClientClosed;
            }
            if tally.both_fins() {
                return Ending::Finished;
            }
        }
    }

    /// How much of `count` bytes the byte limit lets through, and whether the limit is reached:
    /// over TCP the part that fits, over UDP the whole datagram or nothing.
    fn portion(&self, tally: &Tally, count: usize) -> (usize, bool) {
        let room = self.limits.max_bytes.saturating_sub(tally.carried());
        let fits = usize::try_from(room).map_or(count, |room| room.min(count));
        match self.transport {
            _ if fits == count => (count, false),
            Transport::Tcp => (fits, true),
            Transport::Udp => (0, true),
        }
    }

    /// Sends `events` as text frames, within the close timeout; whether they all went.
    async fn send_all(&self, sink: &mut Sink, events: impl IntoIterator<Item = BridgeEvent>) -> bool {
        let sending = async {
            for event in events {
                sink.feed(text(&event)).await?;
            }
            sink.flush().await
        };
        matches!(timeout(self.limits.close_timeout, sending).await, Ok(Ok(())))
    }

    /// Ends the bridge: `events`, then `closed`, then the close frame and the client's answer,
    /// all within the close timeout. A client that closed first gets only yawc's echo of its close.
    async fn close(
        &self,
        sink: &mut Sink,
        stream: &mut Stream,
        mut events: Vec<BridgeEvent>,
        reason: CloseReason,
        detail: String,
    ) {
        if reason == CloseReason::ClientClosed {
            // The next read writes out yawc's echo of the client's close frame, then ends.
            let _ = timeout(self.limits.close_timeout, async {
                let _ = sink.flush().await;
                while stream.next().await.is_some() {}
            })
            .await;
            return;
        }
        let code = match reason {
            CloseReason::Shutdown => CloseCode::Away,
            CloseReason::Error => CloseCode::Error,
            _ => CloseCode::Normal,
        };
        let words = serde_json::to_value(reason).ok().and_then(|name| name.as_str().map(str::to_owned));
        events.push(BridgeEvent::Closed { at_ms: self.at_ms(), reason, detail });
        let closing = async {
            for event in events {
                sink.feed(text(&event)).await?;
            }
            sink.send(Frame::close(code, words.unwrap_or_default())).await?;
            while let Some(frame) = stream.next().await {
                if frame.opcode() == OpCode::Close {
                    break;
                }
            }
            Ok::<(), yawc::WebSocketError>(())
        };
        match timeout(self.limits.close_timeout, closing).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(bridge = self.id, %error, "the client went away during the close"),
            Err(_) => tracing::debug!(bridge = self.id, "the client did not answer the close in time"),
        }
    }
}

/// Ends the relay once nothing went either way for `limit`.
async fn idle(tally: &Tally, limit: Duration) -> Ending {
    loop {
        let due = tally.last_activity() + limit;
        if Instant::now() >= due {
            return Ending::Idle;
        }
        sleep_until(due).await;
    }
}

/// How an error on the peer's socket ends the relay.
fn peer_error(error: std::io::Error) -> Ending {
    if is_reset(&error) {
        Ending::Reset(error.to_string())
    } else {
        Ending::Failed(format!("the peer's socket failed: {error}"))
    }
}

fn text(event: &BridgeEvent) -> Frame {
    Frame::text(event.to_json())
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
