//! One telemetry stream's life once the 101 is sent: readings on a timer, a bounded queue in
//! front of the socket, control messages changing it all live, and a close at the end.
//!
//! One task runs four futures at once (they share the counts through atomics, and the settings
//! through a `watch` channel, without locks held across awaits):
//!
//! - the producer: the readings fall due on a timer, evenly spaced (reading `i` of the stream is
//!   device `i % N`'s reading `i / N`, due `i / (N × R)` seconds after the stream or its last
//!   change started), and go into the queue, a bounded channel of reading numbers
//!   (`--telemetry-queue` of them, 8 bytes each). A reading that finds the queue full is dropped
//!   and counted. It never waits for the socket, so a slow client costs drops, not memory.
//! - the sender: takes readings from the queue, makes and encodes each in the current encoding
//!   with `sent_at_us` stamped as it is handed to the socket, and writes them in batches; and a
//!   status once a second, right after every change, and an error status for a bad control
//!   message. While the client does not read, its writes wait here (and yawc's buffer holds
//!   what is written but not yet sent) while the producer goes on dropping.
//! - the receiver: control messages (`ClientControl` JSON) from the client, checked against the
//!   bounds; the client's close.
//! - the idle watch: a client silent for the idle time is pinged (through the sender), and
//!   closed with 1001 if it stays silent as long again.
//!
//! Paused, the producer stops and the sender leaves the queue alone: no reading follows the
//! status that says `paused`, and on resume the seqs go on where they stopped. The server's
//! shutdown ends the stream with a last status and 1001.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until, timeout};
use tokio_util::task::task_tracker::TaskTrackerToken;
use wire::telemetry::{ClientControl, Encoding, Fleet, ServerStatus, encode};
use yawc::close::CloseCode;
use yawc::{Frame, OpCode, Options, Role, WebSocket};

use super::{StreamQuery, TelemetryConfig};
use crate::Shutdown;
use crate::metrics::{Metered, WebSocketMetrics};

type Socket = Metered<WebSocket<TokioIo<Upgraded>>>;
type Sink = SplitSink<Socket, Frame>;
type Source = SplitStream<Socket>;

/// The largest message a client may send (control messages are a few dozen bytes).
const MAX_CONTROL_BYTES: usize = 64 * 1024;
/// How often a status goes out when nothing changes.
const STATUS_INTERVAL: Duration = Duration::from_secs(1);
/// Readings written to yawc's buffer before it is flushed to the socket.
const SEND_BATCH: usize = 64;
/// Error statuses waiting to be sent; more bad control messages meanwhile go unanswered.
const ERROR_QUEUE: usize = 4;

/// The limits every stream follows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub bounds: TelemetryConfig,
    /// How long the closing (last status, close frame, the client's answer) may take.
    pub close_timeout: Duration,
    /// Silence from the client before a ping, and after the ping before the close; `None`: never.
    pub idle_timeout: Option<Duration>,
}

/// Everything one stream's task holds.
pub(crate) struct Stream {
    pub id: u64,
    /// The client's address, for the log.
    pub client: String,
    pub asked: StreamQuery,
    pub limits: Limits,
    pub shutdown: Shutdown,
    pub upgrade: OnUpgrade,
    pub _tracked: TaskTrackerToken,
    /// `/ws/telemetry`'s counters.
    pub metrics: WebSocketMetrics,
}

/// What the client may change on the open stream.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Settings {
    encoding: Encoding,
    rate_hz: f64,
    paused: bool,
}

/// Why the stream stopped.
enum Ending {
    ClientClosed,
    Idle,
    Shutdown,
}

/// Running counts, shared by the futures of one task (atomics only because the task must be `Send`).
struct Counts {
    sent: AtomicU64,
    dropped: AtomicU64,
    /// When the stream started: `last_heard` counts microseconds from here.
    since: Instant,
    last_heard: AtomicU64,
}

impl Counts {
    fn new() -> Counts {
        Counts {
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            since: Instant::now(),
            last_heard: AtomicU64::new(0),
        }
    }

    fn heard(&self) {
        let micros = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.last_heard.store(micros, Ordering::Relaxed);
    }

    fn last_heard(&self) -> Instant {
        self.since + Duration::from_micros(self.last_heard.load(Ordering::Relaxed))
    }

    fn status(&self, settings: Settings, devices: usize) -> ServerStatus {
        ServerStatus::Status {
            encoding: settings.encoding,
            rate_hz: settings.rate_hz,
            devices,
            paused: settings.paused,
            sent: self.sent.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            at_us: now_us(),
        }
    }
}

impl Stream {
    /// The stream's task.
    pub(crate) async fn run(mut self) {
        let io = match (&mut self.upgrade).await {
            Ok(io) => TokioIo::new(io),
            Err(error) => {
                tracing::debug!(telemetry = self.id, %error, "upgrade failed");
                return;
            }
        };
        let options = Options::default()
            .with_max_payload_read(MAX_CONTROL_BYTES + 1)
            .with_max_read_buffer(MAX_CONTROL_BYTES + 1)
            .with_read_buffer_capacity(1024);
        let socket = match WebSocket::from_stream(io, Role::Server, options) {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(telemetry = self.id, %error, "cannot set up a WebSocket");
                return;
            }
        };
        let (mut sink, mut source) = Metered::new(socket, &self.metrics).split();
        let StreamQuery { devices, rate_hz, encoding, seed } = self.asked;
        tracing::info!(
            telemetry = self.id,
            client = self.client,
            devices,
            rate_hz,
            encoding = encoding.name(),
            seed,
            "telemetry stream opened"
        );

        let fleet = Fleet::new(devices, seed);
        let (settings, watched) = watch::channel(Settings { encoding, rate_hz, paused: false });
        let (queue, mut queued) = mpsc::channel(self.limits.bounds.queue);
        let (errors, mut bad_controls) = mpsc::channel(ERROR_QUEUE);
        let counts = Counts::new();
        let ping_due = Notify::new();
        // One shutdown signal for the stream's life (see `Signal`: polling it again is cheap).
        let cancelled = self.shutdown.signal();
        tokio::pin!(cancelled);
        let sending = Sending { fleet: &fleet, counts: &counts, ping_due: &ping_due };
        let ending = tokio::select! {
            ending = self.receive(&mut source, &settings, &errors, &counts) => ending,
            ending = sending.run(&mut sink, watched.clone(), &mut queued, &mut bad_controls) => ending,
            ending = produce(&fleet, watched, &queue, &counts) => ending,
            ending = idle(&counts, self.limits.idle_timeout, &ping_due) => ending,
            () = cancelled.as_mut() => Ending::Shutdown,
        };
        let (sent, dropped) = (counts.sent.load(Ordering::Relaxed), counts.dropped.load(Ordering::Relaxed));
        tracing::info!(telemetry = self.id, sent, dropped, "telemetry stream closed");
        let last_status = counts.status(*settings.borrow(), devices);
        self.close(&mut sink, &mut source, ending, last_status).await;
    }

    /// Client → server: control messages, until the client closes.
    async fn receive(
        &self,
        source: &mut Source,
        settings: &watch::Sender<Settings>,
        errors: &mpsc::Sender<String>,
        counts: &Counts,
    ) -> Ending {
        // yawc's stream ends on a close frame, a protocol error (which it answers with a close
        // frame of its own) or a lost connection.
        while let Some(frame) = source.next().await {
            counts.heard();
            // Copied out first: the borrow holds the channel's lock, and `send_replace` takes it.
            let current = *settings.borrow();
            let refusal = match frame.opcode() {
                OpCode::Text => match self.controlled(frame.payload(), current) {
                    Ok(changed) => {
                        // Sent even when nothing changed: the status that follows is the answer.
                        settings.send_replace(changed);
                        continue;
                    }
                    Err(refusal) => refusal,
                },
                OpCode::Binary => "binary messages are not control messages: send ClientControl JSON as text, e.g. \
                     {\"encoding\":\"cbor\"}"
                    .to_owned(),
                OpCode::Close => return Ending::ClientClosed,
                _ => continue,
            };
            // A client sending bad controls faster than the errors go out misses some of them.
            let _ = errors.try_send(refusal);
        }
        Ending::ClientClosed
    }

    /// The settings after the control message in `text`, or why it cannot be followed.
    fn controlled(&self, text: &[u8], current: Settings) -> Result<Settings, String> {
        let text = std::str::from_utf8(text).map_err(|_| "a control message must be UTF-8 text".to_owned())?;
        let control = ClientControl::parse(text)
            .map_err(|diagnostic| format!("not a control message ({diagnostic}); send e.g. {{\"rate_hz\":20}}"))?;
        let rate_hz = control.rate_hz.unwrap_or(current.rate_hz);
        self.limits.bounds.check_rate(self.asked.devices, rate_hz)?;
        Ok(Settings {
            encoding: control.encoding.unwrap_or(current.encoding),
            rate_hz,
            paused: control.paused.unwrap_or(current.paused),
        })
    }

    /// Ends the stream: a last status and the close frame (unless the client closed first, which
    /// gets only yawc's echo of its close), and the client's answer, within the close timeout.
    async fn close(&self, sink: &mut Sink, source: &mut Source, ending: Ending, last_status: ServerStatus) {
        let reason = match ending {
            Ending::ClientClosed => {
                // The next read writes out yawc's echo of the client's close frame, then ends.
                let _ = timeout(self.limits.close_timeout, async {
                    let _ = sink.flush().await;
                    while source.next().await.is_some() {}
                })
                .await;
                return;
            }
            Ending::Idle => "no traffic: idle timeout",
            Ending::Shutdown => "the server is shutting down",
        };
        let closing = async {
            sink.feed(text(&last_status)).await?;
            sink.send(Frame::close(CloseCode::Away, reason)).await?;
            while let Some(frame) = source.next().await {
                if frame.opcode() == OpCode::Close {
                    break;
                }
            }
            Ok::<(), yawc::WebSocketError>(())
        };
        match timeout(self.limits.close_timeout, closing).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(telemetry = self.id, %error, "the client went away during the close"),
            Err(_) => tracing::debug!(telemetry = self.id, "the client did not answer the close in time"),
        }
    }
}

/// What the sender reads from.
struct Sending<'a> {
    fleet: &'a Fleet,
    counts: &'a Counts,
    ping_due: &'a Notify,
}

impl Sending<'_> {
    /// Server → client: readings from the queue, statuses, error statuses and idle pings.
    async fn run(
        &self,
        sink: &mut Sink,
        mut settings: watch::Receiver<Settings>,
        queued: &mut mpsc::Receiver<u64>,
        bad_controls: &mut mpsc::Receiver<String>,
    ) -> Ending {
        let devices = self.fleet.devices();
        let mut ticks = interval(STATUS_INTERVAL);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            // Paused, the readings already queued wait for the resume: none follows the status
            // that says the stream is paused.
            let paused = settings.borrow().paused;
            // Statuses first, so they go out even while readings keep the queue full.
            let frame = tokio::select! {
                biased;
                changed = settings.changed() => match changed {
                    Ok(()) => text(&self.counts.status(*settings.borrow_and_update(), devices)),
                    Err(_) => return Ending::ClientClosed,
                },
                Some(message) = bad_controls.recv() => text(&ServerStatus::Error { message }),
                () = self.ping_due.notified() => Frame::ping(Bytes::from_static(b"idle?")),
                _ = ticks.tick() => text(&self.counts.status(*settings.borrow(), devices)),
                first = queued.recv(), if !paused => match first {
                    Some(first) => {
                        let encoding = settings.borrow().encoding;
                        if self.send_readings(sink, encoding, first, queued).await.is_err() {
                            return Ending::ClientClosed;
                        }
                        continue;
                    }
                    None => return Ending::ClientClosed,
                },
            };
            if sink.send(frame).await.is_err() {
                return Ending::ClientClosed;
            }
        }
    }

    /// Reading `first` and up to a batch of those queued behind it, each stamped as it is handed
    /// to the socket, then flushed.
    async fn send_readings(
        &self,
        sink: &mut Sink,
        encoding: Encoding,
        first: u64,
        queued: &mut mpsc::Receiver<u64>,
    ) -> Result<(), yawc::WebSocketError> {
        let devices = self.fleet.devices() as u64;
        let mut next = Some(first);
        let mut batch = 0;
        while let Some(index) = next {
            let device = usize::try_from(index % devices).unwrap_or_default();
            let reading = self.fleet.reading(device, index / devices, now_us());
            sink.feed(Frame::binary(encode(encoding, &reading))).await?;
            self.counts.sent.fetch_add(1, Ordering::Relaxed);
            batch += 1;
            next = if batch < SEND_BATCH { queued.try_recv().ok() } else { None };
        }
        sink.flush().await
    }
}

/// The readings falling due, into the queue; those that do not fit are dropped and counted.
async fn produce(
    fleet: &Fleet,
    mut settings: watch::Receiver<Settings>,
    queue: &mpsc::Sender<u64>,
    counts: &Counts,
) -> Ending {
    let devices = fleet.devices() as u64;
    let capacity = queue.max_capacity() as u64;
    // Reading `next` of the stream is device `next % devices`'s reading `next / devices`.
    let mut next = 0u64;
    loop {
        let current = *settings.borrow_and_update();
        if current.paused {
            if settings.changed().await.is_err() {
                return Ending::ClientClosed;
            }
            continue;
        }
        // From here, reading `first + k` falls due `k / per_second` seconds after `started`.
        let per_second = current.rate_hz * devices as f64;
        let (started, first) = (Instant::now(), next);
        loop {
            let due = first.saturating_add((started.elapsed().as_secs_f64() * per_second) as u64 + 1);
            // Far behind (the task was not run for a while): only the last queue-full can fit.
            if due - next > capacity {
                counts.dropped.fetch_add(due - next - capacity, Ordering::Relaxed);
                next = due - capacity;
            }
            for index in next..due {
                match queue.try_send(index) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        counts.dropped.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(TrySendError::Closed(_)) => return Ending::ClientClosed,
                }
            }
            next = due;
            let wake = Duration::try_from_secs_f64((next - first) as f64 / per_second)
                .ok()
                .and_then(|after| started.checked_add(after))
                .unwrap_or_else(|| Instant::now() + STATUS_INTERVAL);
            tokio::select! {
                () = sleep_until(wake) => {}
                changed = settings.changed() => match changed {
                    Ok(()) => break,
                    Err(_) => return Ending::ClientClosed,
                },
            }
        }
    }
}

/// Pings a client silent for `idle` (through the sender), and ends the stream if it stays
/// silent as long again.
async fn idle(counts: &Counts, idle: Option<Duration>, ping_due: &Notify) -> Ending {
    let Some(idle) = idle else { return std::future::pending::<Ending>().await };
    let mut pinged_at: Option<Instant> = None;
    loop {
        let heard = counts.last_heard();
        let now = Instant::now();
        match pinged_at {
            Some(pinged) if heard < pinged => {
                if now >= pinged + idle {
                    return Ending::Idle;
                }
                sleep_until(pinged + idle).await;
            }
            _ if now >= heard + idle => {
                ping_due.notify_one();
                pinged_at = Some(now);
            }
            _ => {
                pinged_at = None;
                sleep_until(heard + idle).await;
            }
        }
    }
}

fn text(status: &ServerStatus) -> Frame {
    Frame::text(status.to_json())
}

/// Now, in microseconds since the Unix epoch.
fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
}
