//! The IoT lab's Telemetry tab as a plain state, so every figure it shows is worked out (and
//! tested) here: the readings of `GET /ws/telemetry` kept per device in ring buffers of a fixed
//! size (nothing grows however long the stream runs), messages/s and bytes/s over the last
//! second, bytes per reading per encoding as measured on the stream, latency from the server's
//! send time to arrival (p50, p95, max), the server's sent and dropped counts, pause, and the
//! last reading encoded five ways to compare with what was measured.
//!
//! The readings arrive one per binary message in the stream's current encoding (the last
//! status's, since the server sends a status right after every change and a WebSocket keeps
//! order); text messages are the server's [`ServerStatus`] JSON. A person's changes go to the
//! open stream as [`ClientControl`] JSON. The stats on screen are a snapshot taken on each
//! [`TelemetryEvent::Tick`] (a few a second), so a thousand readings a second cost a push each,
//! not a redraw each. [`plot_columns`] thins a series to at most a few points per pixel column
//! for the plot, which the app draws on a canvas every frame.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::connection::CloseInfo;
use crate::lab::LabState;
use crate::message_log::Payload;
use crate::telemetry::protocol::{DEFAULT_DEVICES, stream_query};
use crate::telemetry::{ClientControl, Encoding, Reading, ServerStatus, decode, encode};
use crate::ws_lab::SocketEvent;

/// The two tabs of the IoT lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IotView {
    Telemetry,
    Mqtt,
}

impl IotView {
    pub const ALL: [IotView; 2] = [IotView::Telemetry, IotView::Mqtt];

    /// The short name in element ids.
    pub fn key(self) -> &'static str {
        match self {
            IotView::Telemetry => "telemetry",
            IotView::Mqtt => "mqtt",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IotView::Telemetry => "Telemetry",
            IotView::Mqtt => "MQTT",
        }
    }
}

/// A reading's plotted quantities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Temperature,
    Humidity,
    Battery,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Temperature, Field::Humidity, Field::Battery];

    pub fn key(self) -> &'static str {
        match self {
            Field::Temperature => "temperature",
            Field::Humidity => "humidity",
            Field::Battery => "battery",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Temperature => "Temperature",
            Field::Humidity => "Humidity",
            Field::Battery => "Battery",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Field::Temperature => "°C",
            Field::Humidity | Field::Battery => "%",
        }
    }

    fn index(self) -> usize {
        match self {
            Field::Temperature => 0,
            Field::Humidity => 1,
            Field::Battery => 2,
        }
    }

    /// The range the axis never shrinks below the data within (percentages stay within 0–100).
    pub fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Field::Temperature => None,
            Field::Humidity | Field::Battery => Some((0.0, 100.0)),
        }
    }
}

/// A ring buffer of a fixed capacity: pushing onto a full one overwrites the oldest item.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring<T> {
    items: Vec<T>,
    capacity: usize,
    /// Where the next push goes once the buffer is full.
    next: usize,
}

impl<T> Ring<T> {
    /// An empty ring that holds up to `capacity` items (at least one). Its memory is taken now.
    pub fn new(capacity: usize) -> Ring<T> {
        let capacity = capacity.max(1);
        Ring { items: Vec::with_capacity(capacity), capacity, next: 0 }
    }

    pub fn push(&mut self, item: T) {
        if self.items.len() < self.capacity {
            self.items.push(item);
        } else {
            self.items[self.next] = item;
            self.next = (self.next + 1) % self.capacity;
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The items from the oldest to the newest.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let (newer, older) = self.items.split_at(self.next);
        older.iter().chain(newer.iter())
    }

    pub fn newest(&self) -> Option<&T> {
        self.iter().next_back()
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.next = 0;
    }
}

/// One reading as the plot keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// The server's send time, milliseconds since the Unix epoch.
    pub sent_at_ms: f64,
    /// Temperature, humidity and battery, in [`Field`] order.
    pub values: [f32; 3],
    pub fault: bool,
}

impl Sample {
    pub fn value(&self, field: Field) -> f32 {
        self.values[field.index()]
    }
}

/// The rest of a reading, kept beside its [`Sample`] for "Export CSV" (apart, so the plot's
/// every-frame pass reads only the compact samples).
#[derive(Clone, Debug, PartialEq)]
pub struct SampleDetail {
    pub seq: u64,
    /// The server's send time, microseconds since the Unix epoch (as sent).
    pub sent_at_us: u64,
    /// When the message arrived here, milliseconds since the Unix epoch (sub-millisecond).
    pub received_at_ms: f64,
    pub fault: Option<Arc<str>>,
}

/// A device's recent readings.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceSeries {
    pub device: String,
    pub samples: Ring<Sample>,
    /// The same readings' details, pushed in step with `samples` (same capacity, same order).
    pub details: Ring<SampleDetail>,
    /// Readings with a fault since the stream opened.
    pub faults: u64,
}

/// Samples kept across all devices of a stream: about 4 MB (samples and their details) however
/// long it runs.
pub const SAMPLE_BUDGET: usize = 65_536;

/// Samples kept per device for a stream of `devices` (the budget shared, within sane bounds).
pub fn capacity_per_device(devices: usize) -> usize {
    (SAMPLE_BUDGET / devices.max(1)).clamp(512, 16_384)
}

/// Messages and bytes over the last second, in ten 100 ms buckets (the current, unfinished
/// bucket is not counted, so a steady stream reads steady).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateWindow {
    /// Bucket number (milliseconds / 100), messages, bytes; one more slot than the window.
    buckets: [(i64, u64, u64); RATE_SLOTS],
}

const RATE_BUCKET_MS: f64 = 100.0;
const RATE_WINDOW_BUCKETS: i64 = 10;
const RATE_SLOTS: usize = RATE_WINDOW_BUCKETS as usize + 1;

impl RateWindow {
    fn bucket(at_ms: f64) -> i64 {
        (at_ms / RATE_BUCKET_MS).floor() as i64
    }

    pub fn record(&mut self, at_ms: f64, bytes: usize) {
        let bucket = Self::bucket(at_ms);
        let slot = &mut self.buckets[bucket.rem_euclid(RATE_SLOTS as i64) as usize];
        if slot.0 != bucket {
            *slot = (bucket, 0, 0);
        }
        slot.1 += 1;
        slot.2 += bytes as u64;
    }

    /// Messages per second and bytes per second over the second before `now_ms`'s bucket.
    pub fn rates(&self, now_ms: f64) -> (f64, f64) {
        let current = Self::bucket(now_ms);
        let window = (current - RATE_WINDOW_BUCKETS)..current;
        self.buckets
            .iter()
            .filter(|(bucket, ..)| window.contains(bucket))
            .fold((0.0, 0.0), |(messages, bytes), (_, count, size)| (messages + *count as f64, bytes + *size as f64))
    }
}

/// Latency percentiles over the last readings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatencySummary {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// How many readings they are taken over.
    pub count: usize,
}

/// The latencies of the last [`LATENCY_WINDOW`] readings.
pub const LATENCY_WINDOW: usize = 2_048;

/// Nearest-rank p50, p95 and the maximum of `latencies`, or `None` when there are none.
pub fn summarize_latency(latencies: impl Iterator<Item = f64>) -> Option<LatencySummary> {
    let mut sorted: Vec<f64> = latencies.filter(|value| value.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = |percent: f64| {
        let index = ((percent / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[index.clamp(1, sorted.len()) - 1]
    };
    Some(LatencySummary {
        p50_ms: rank(50.0),
        p95_ms: rank(95.0),
        max_ms: sorted[sorted.len() - 1],
        count: sorted.len(),
    })
}

/// Bytes per reading measured in one encoding on this stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodingTally {
    pub readings: u64,
    pub bytes: u64,
    pub smallest: usize,
    pub largest: usize,
}

impl EncodingTally {
    fn record(&mut self, bytes: usize) {
        if self.readings == 0 {
            self.smallest = bytes;
            self.largest = bytes;
        }
        self.smallest = self.smallest.min(bytes);
        self.largest = self.largest.max(bytes);
        self.readings += 1;
        self.bytes += bytes as u64;
    }

    pub fn mean(&self) -> Option<f64> {
        (self.readings > 0).then(|| self.bytes as f64 / self.readings as f64)
    }
}

/// What the server last said about the stream.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamStatus {
    pub encoding: Encoding,
    pub rate_hz: f64,
    pub devices: usize,
    pub paused: bool,
    pub sent: u64,
    pub dropped: u64,
}

/// The figures on screen, taken on each tick.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TelemetryStats {
    pub messages_per_s: f64,
    pub bytes_per_s: f64,
    /// The stream's encoding when the figures were taken.
    pub encoding: Option<Encoding>,
    /// Mean bytes per reading in that encoding (over every reading in it on this stream).
    pub bytes_per_reading: Option<f64>,
    pub latency: Option<LatencySummary>,
    pub received: u64,
    /// Per the server's last status.
    pub sent: u64,
    pub dropped: u64,
    pub faults: u64,
    pub undecodable: u64,
}

/// The connection's state as the connect bar shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum StreamState {
    #[default]
    Disconnected,
    Connecting,
    Streaming,
    Paused,
    Closing,
}

impl StreamState {
    pub fn label(&self) -> &'static str {
        match self {
            StreamState::Disconnected => "not connected",
            StreamState::Connecting => "connecting",
            StreamState::Streaming => "streaming",
            StreamState::Paused => "paused",
            StreamState::Closing => "closing",
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, StreamState::Streaming | StreamState::Paused)
    }
}

/// The connect bar as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct TelemetryForm {
    pub devices: String,
    /// Readings per second per device.
    pub rate_hz: String,
    pub encoding: Encoding,
}

impl Default for TelemetryForm {
    fn default() -> Self {
        TelemetryForm { devices: DEFAULT_DEVICES.to_string(), rate_hz: "25".into(), encoding: Encoding::Json }
    }
}

/// The most devices and readings per second in all the form accepts (the server has its own
/// bounds, and refuses more before the upgrade).
pub const MAX_DEVICES: usize = 64;
pub const MAX_TOTAL_RATE: f64 = 20_000.0;

impl TelemetryForm {
    /// The devices and rate typed, or what is wrong with them.
    pub fn check(&self) -> Result<(usize, f64), String> {
        let devices: usize = self
            .devices
            .trim()
            .parse()
            .ok()
            .filter(|devices| (1..=MAX_DEVICES).contains(devices))
            .ok_or_else(|| format!("Devices must be a whole number from 1 to {MAX_DEVICES}."))?;
        let rate = check_rate(&self.rate_hz)?;
        if devices as f64 * rate > MAX_TOTAL_RATE {
            return Err(format!(
                "{devices} devices at {rate} readings/s each is {} readings/s in all; at most {MAX_TOTAL_RATE} in all.",
                devices as f64 * rate
            ));
        }
        Ok((devices, rate))
    }
}

fn check_rate(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|rate| rate.is_finite() && *rate > 0.0)
        .ok_or_else(|| "Rate must be a number of readings per second above 0, such as 10 or 0.5.".to_string())
}

/// An edit of the connect bar.
#[derive(Clone, Debug, PartialEq)]
pub enum FormEdit {
    Devices(String),
    Rate(String),
    Encoding(Encoding),
}

/// "Measure each encoding": the stream switched through every encoding in turn, then back.
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRun {
    pub run: u32,
    /// Which of [`Encoding::ALL`] is being measured.
    pub step: usize,
    pub back_to: Encoding,
}

/// How long each encoding is measured for by "Measure each encoding".
pub const COMPARE_STEP_MS: u32 = 1_000;

#[derive(Clone, Debug, PartialEq)]
pub enum TelemetryEvent {
    Edit(FormEdit),
    /// The rate field was committed (Enter or leaving it): sent to an open stream.
    RateCommitted,
    Connect,
    Disconnect,
    Pause,
    Resume,
    ShowDevice {
        device: String,
        shown: bool,
    },
    ShowField(Field),
    /// Time to take the stats on screen again.
    Tick,
    CompareEncodings,
    CompareStep {
        run: u32,
    },
    /// The browser refused to start the connection.
    ConnectRefused(String),
    /// The browser refused to send a control message.
    SendRefused(String),
    /// What the socket reported, and when (milliseconds since the Unix epoch, sub-millisecond).
    Socket {
        event: SocketEvent,
        at_ms: f64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TelemetryEffect {
    Open {
        url: String,
    },
    /// A [`ClientControl`] as JSON text.
    Send(String),
    Close,
    /// Start dispatching [`TelemetryEvent::Tick`] every few hundred milliseconds.
    StartTicks,
    StopTicks,
    /// Dispatch [`TelemetryEvent::CompareStep`] after `after_ms`.
    CompareTimer {
        run: u32,
        after_ms: u32,
    },
}

/// How often the stats on screen are taken.
pub const TICK_MS: u32 = 250;

#[derive(Clone, Debug, PartialEq)]
pub struct TelemetryState {
    /// `ws://HOST:PORT` or `wss://…` of the server.
    pub socket_origin: String,
    pub form: TelemetryForm,
    pub form_error: Option<String>,
    pub state: StreamState,
    /// Why the stream is not running (unreachable, closed by the server), shown where it happened.
    pub problem: Option<String>,
    /// The server's last `error` status (a control it could not use).
    pub server_error: Option<String>,
    /// The encoding binary messages are in now.
    pub stream_encoding: Encoding,
    pub status: Option<StreamStatus>,
    pub series: Vec<DeviceSeries>,
    index: BTreeMap<String, usize>,
    /// Devices the plot leaves out.
    pub hidden: Vec<String>,
    pub field: Field,
    /// Most series kept (the devices asked for); readings of others are counted, not kept.
    pub max_series: usize,
    pub capacity: usize,
    rates: RateWindow,
    latencies: Ring<f64>,
    /// Bytes per reading measured per encoding, in [`Encoding::ALL`] order.
    pub measured: [EncodingTally; 5],
    pub last_reading: Option<Reading>,
    /// The device and text of the last fault.
    pub last_fault: Option<(String, String)>,
    pub received: u64,
    pub undecodable: u64,
    pub last_decode_error: Option<String>,
    pub stats: TelemetryStats,
    pub compare: Option<CompareRun>,
    compare_runs: u32,
    /// When the person paused: the plot stops there.
    pub paused_at_ms: Option<f64>,
}

fn encoding_slot(encoding: Encoding) -> usize {
    Encoding::ALL.iter().position(|each| *each == encoding).unwrap_or(0)
}

impl TelemetryState {
    /// A lab for the server at `protocol` (`http:` or `https:`) and `host`.
    pub fn new(protocol: &str, host: &str) -> TelemetryState {
        let scheme = if protocol == "https:" { "wss" } else { "ws" };
        let form = TelemetryForm::default();
        TelemetryState {
            socket_origin: format!("{scheme}://{host}"),
            stream_encoding: form.encoding,
            form,
            form_error: None,
            state: StreamState::Disconnected,
            problem: None,
            server_error: None,
            status: None,
            series: Vec::new(),
            index: BTreeMap::new(),
            hidden: Vec::new(),
            field: Field::Temperature,
            max_series: DEFAULT_DEVICES,
            capacity: capacity_per_device(DEFAULT_DEVICES),
            rates: RateWindow::default(),
            latencies: Ring::new(LATENCY_WINDOW),
            measured: [EncodingTally::default(); 5],
            last_reading: None,
            last_fault: None,
            received: 0,
            undecodable: 0,
            last_decode_error: None,
            stats: TelemetryStats::default(),
            compare: None,
            compare_runs: 0,
            paused_at_ms: None,
        }
    }

    /// The stream's URL for the form as typed, or what is wrong with it.
    pub fn stream_url(&self) -> Result<String, String> {
        let (devices, rate) = self.form.check()?;
        Ok(format!("{}/ws/telemetry?{}", self.socket_origin, stream_query(devices, rate, self.form.encoding)))
    }

    pub fn measured_in(&self, encoding: Encoding) -> &EncodingTally {
        &self.measured[encoding_slot(encoding)]
    }

    pub fn is_shown(&self, device: &str) -> bool {
        !self.hidden.iter().any(|hidden| hidden == device)
    }

    /// The readings/s in all that the form asks for, when it is valid.
    pub fn total_rate(&self) -> Option<f64> {
        self.form.check().ok().map(|(devices, rate)| devices as f64 * rate)
    }

    /// Where the plot's time axis ends at `now_ms`: now while the stream runs, the moment of the
    /// pause while it is paused, and the newest reading once it has stopped.
    pub fn plot_end_ms(&self, now_ms: f64) -> f64 {
        if let Some(paused_at) = self.paused_at_ms {
            return paused_at;
        }
        match self.state {
            StreamState::Connecting | StreamState::Streaming | StreamState::Closing => now_ms,
            StreamState::Paused | StreamState::Disconnected => self
                .series
                .iter()
                .filter_map(|series| series.samples.newest().map(|sample| sample.sent_at_ms))
                .reduce(f64::max)
                .unwrap_or(now_ms),
        }
    }

    /// Whether the ring buffers hold any reading to export.
    pub fn has_readings(&self) -> bool {
        self.series.iter().any(|series| !series.samples.is_empty())
    }

    /// Each encoding's size for the last reading, computed here (not measured on the stream).
    pub fn computed_sizes(&self) -> Option<[(Encoding, usize); 5]> {
        let reading = self.last_reading.as_ref()?;
        Some(Encoding::ALL.map(|encoding| (encoding, encode(encoding, reading).len())))
    }

    fn connect(&mut self) -> Vec<TelemetryEffect> {
        if matches!(self.state, StreamState::Connecting | StreamState::Streaming | StreamState::Paused) {
            return Vec::new();
        }
        let (devices, url) = match self.form.check().and_then(|(devices, _)| Ok((devices, self.stream_url()?))) {
            Ok(checked) => checked,
            Err(error) => {
                self.form_error = Some(error);
                return Vec::new();
            }
        };
        self.form_error = None;
        self.reset_stream(devices);
        self.state = StreamState::Connecting;
        vec![TelemetryEffect::Open { url }, TelemetryEffect::StartTicks]
    }

    /// Forgets the last stream's readings and figures, and sizes the buffers for `devices`.
    fn reset_stream(&mut self, devices: usize) {
        self.problem = None;
        self.server_error = None;
        self.status = None;
        self.stream_encoding = self.form.encoding;
        self.series.clear();
        self.index.clear();
        self.max_series = devices;
        self.capacity = capacity_per_device(devices);
        self.rates = RateWindow::default();
        self.latencies.clear();
        self.measured = [EncodingTally::default(); 5];
        self.last_reading = None;
        self.last_fault = None;
        self.received = 0;
        self.undecodable = 0;
        self.last_decode_error = None;
        self.stats = TelemetryStats::default();
        self.compare = None;
        self.paused_at_ms = None;
    }

    fn control(&self, control: ClientControl) -> Vec<TelemetryEffect> {
        if self.state.is_open() { vec![TelemetryEffect::Send(control.to_json())] } else { Vec::new() }
    }

    fn switch_encoding(&mut self, encoding: Encoding) -> Vec<TelemetryEffect> {
        self.control(ClientControl { encoding: Some(encoding), ..ClientControl::default() })
    }

    fn take_stats(&mut self, now_ms: f64) {
        let (messages_per_s, bytes_per_s) = self.rates.rates(now_ms);
        let (sent, dropped) = self.status.as_ref().map_or((0, 0), |status| (status.sent, status.dropped));
        self.stats = TelemetryStats {
            messages_per_s,
            bytes_per_s,
            encoding: Some(self.stream_encoding),
            bytes_per_reading: self.measured_in(self.stream_encoding).mean(),
            latency: summarize_latency(self.latencies.iter().copied()),
            received: self.received,
            sent,
            dropped,
            faults: self.series.iter().map(|series| series.faults).sum(),
            undecodable: self.undecodable,
        };
    }

    fn received(&mut self, payload: Payload, at_ms: f64) {
        match payload {
            Payload::Binary(bytes) => self.reading(&bytes, at_ms),
            Payload::Text(text) => match ServerStatus::parse(&text) {
                Ok(ServerStatus::Status { encoding, rate_hz, devices, paused, sent, dropped, .. }) => {
                    self.stream_encoding = encoding;
                    self.status = Some(StreamStatus { encoding, rate_hz, devices, paused, sent, dropped });
                }
                Ok(ServerStatus::Error { message }) => self.server_error = Some(message),
                Err(error) => self.server_error = Some(format!("Unreadable status from the server: {error}")),
            },
        }
    }

    fn reading(&mut self, bytes: &[u8], at_ms: f64) {
        self.received += 1;
        self.rates.record(at_ms, bytes.len());
        self.measured[encoding_slot(self.stream_encoding)].record(bytes.len());
        let reading = match decode(self.stream_encoding, bytes) {
            Ok(reading) => reading,
            Err(error) => {
                self.undecodable += 1;
                self.last_decode_error =
                    Some(format!("{} reading of {} bytes: {error}", self.stream_encoding.label(), bytes.len()));
                return;
            }
        };
        let sent_at_ms = reading.sent_at_us as f64 / 1_000.0;
        self.latencies.push(at_ms - sent_at_ms);
        let sample = Sample {
            sent_at_ms,
            values: [reading.temperature_c as f32, reading.humidity_percent as f32, reading.battery_percent as f32],
            fault: reading.fault.is_some(),
        };
        if let Some(series) = self.series_for(&reading.device) {
            series.samples.push(sample);
            series.details.push(SampleDetail {
                seq: reading.seq,
                sent_at_us: reading.sent_at_us,
                received_at_ms: at_ms,
                fault: reading.fault.as_deref().map(Arc::from),
            });
            if let Some(fault) = &reading.fault {
                series.faults += 1;
                self.last_fault = Some((reading.device.clone(), fault.clone()));
            }
        }
        self.last_reading = Some(reading);
    }

    /// The device's series, made on its first reading while there is room for it.
    fn series_for(&mut self, device: &str) -> Option<&mut DeviceSeries> {
        let position = match self.index.get(device) {
            Some(position) => *position,
            None if self.series.len() < self.max_series => {
                self.series.push(DeviceSeries {
                    device: device.to_owned(),
                    samples: Ring::new(self.capacity),
                    details: Ring::new(self.capacity),
                    faults: 0,
                });
                self.series.sort_by(|a, b| a.device.cmp(&b.device));
                self.index = self.series.iter().enumerate().map(|(at, series)| (series.device.clone(), at)).collect();
                self.index[device]
            }
            None => return None,
        };
        self.series.get_mut(position)
    }

    fn socket(&mut self, event: SocketEvent, at_ms: f64) -> Vec<TelemetryEffect> {
        match event {
            SocketEvent::Opened { .. } => {
                self.state = StreamState::Streaming;
                Vec::new()
            }
            SocketEvent::Received(payload) => {
                self.received(payload, at_ms);
                Vec::new()
            }
            // The close that follows says the rest.
            SocketEvent::Failed => {
                if self.state == StreamState::Connecting {
                    self.problem = Some(
                        "The server did not accept the stream: it is unreachable, or it refused these settings (devices or rate over its bounds)."
                            .into(),
                    );
                }
                Vec::new()
            }
            SocketEvent::Closed(close) => self.closed(close, at_ms),
        }
    }

    fn closed(&mut self, close: CloseInfo, now_ms: f64) -> Vec<TelemetryEffect> {
        let asked = self.state == StreamState::Closing;
        if !asked && self.problem.is_none() {
            let reason = if close.reason.is_empty() { String::new() } else { format!(": {}", close.reason) };
            self.problem = Some(format!("The server closed the stream (code {}{reason}).", close.code));
        }
        self.state = StreamState::Disconnected;
        self.compare = None;
        self.take_stats(now_ms);
        vec![TelemetryEffect::StopTicks]
    }
}

impl LabState for TelemetryState {
    type Event = TelemetryEvent;
    type Effect = TelemetryEffect;

    fn apply(&mut self, event: TelemetryEvent, now_ms: f64) -> Vec<TelemetryEffect> {
        match event {
            TelemetryEvent::Edit(edit) => match edit {
                FormEdit::Devices(devices) => {
                    self.form.devices = devices;
                    Vec::new()
                }
                FormEdit::Rate(rate) => {
                    self.form.rate_hz = rate;
                    Vec::new()
                }
                FormEdit::Encoding(encoding) => {
                    self.form.encoding = encoding;
                    self.compare = None;
                    self.switch_encoding(encoding)
                }
            },
            TelemetryEvent::RateCommitted => match check_rate(&self.form.rate_hz) {
                Ok(rate) => {
                    self.form_error = None;
                    self.control(ClientControl { rate_hz: Some(rate), ..ClientControl::default() })
                }
                Err(error) => {
                    self.form_error = Some(error);
                    Vec::new()
                }
            },
            TelemetryEvent::Connect => self.connect(),
            TelemetryEvent::Disconnect => {
                if !self.state.is_open() && self.state != StreamState::Connecting {
                    return Vec::new();
                }
                self.state = StreamState::Closing;
                vec![TelemetryEffect::Close]
            }
            TelemetryEvent::Pause => {
                if self.state != StreamState::Streaming {
                    return Vec::new();
                }
                self.state = StreamState::Paused;
                self.paused_at_ms = Some(now_ms);
                self.control(ClientControl { paused: Some(true), ..ClientControl::default() })
            }
            TelemetryEvent::Resume => {
                if self.state != StreamState::Paused {
                    return Vec::new();
                }
                self.state = StreamState::Streaming;
                self.paused_at_ms = None;
                self.control(ClientControl { paused: Some(false), ..ClientControl::default() })
            }
            TelemetryEvent::ShowDevice { device, shown } => {
                self.hidden.retain(|hidden| *hidden != device);
                if !shown {
                    self.hidden.push(device);
                }
                Vec::new()
            }
            TelemetryEvent::ShowField(field) => {
                self.field = field;
                Vec::new()
            }
            TelemetryEvent::Tick => {
                self.take_stats(now_ms);
                Vec::new()
            }
            TelemetryEvent::CompareEncodings => {
                if !self.state.is_open() {
                    return Vec::new();
                }
                self.compare_runs += 1;
                let run = self.compare_runs;
                self.compare = Some(CompareRun { run, step: 0, back_to: self.form.encoding });
                let mut effects = self.switch_encoding(Encoding::ALL[0]);
                effects.push(TelemetryEffect::CompareTimer { run, after_ms: COMPARE_STEP_MS });
                effects
            }
            TelemetryEvent::CompareStep { run } => {
                let Some(compare) = self.compare.as_mut().filter(|compare| compare.run == run) else {
                    return Vec::new();
                };
                compare.step += 1;
                match Encoding::ALL.get(compare.step) {
                    Some(&next) => {
                        let mut effects = self.switch_encoding(next);
                        effects.push(TelemetryEffect::CompareTimer { run, after_ms: COMPARE_STEP_MS });
                        effects
                    }
                    None => {
                        let back_to = compare.back_to;
                        self.compare = None;
                        self.switch_encoding(back_to)
                    }
                }
            }
            TelemetryEvent::ConnectRefused(error) => {
                self.state = StreamState::Disconnected;
                self.problem = Some(format!("The browser refused to open the stream: {error}"));
                vec![TelemetryEffect::StopTicks]
            }
            TelemetryEvent::SendRefused(error) => {
                self.problem = Some(format!("The change was not sent: {error}"));
                Vec::new()
            }
            TelemetryEvent::Socket { event, at_ms } => self.socket(event, at_ms),
        }
    }
}

/// The samples of one pixel column of the plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotColumn {
    /// The column, from 0 at the window's start.
    pub column: usize,
    pub first: f32,
    pub low: f32,
    pub high: f32,
    pub last: f32,
    /// A fault reading fell in this column (its value).
    pub fault: Option<f32>,
    /// The line breaks before this column: the readings before it are more than `gap_ms` older.
    pub gap_before: bool,
}

/// Seconds of readings the plot shows.
pub const PLOT_SECONDS: f64 = 10.0;

/// The time a plot shows, milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlotWindow {
    pub start_ms: f64,
    pub end_ms: f64,
    /// Pixel columns across.
    pub columns: usize,
    /// A pause longer than this between readings breaks the line.
    pub gap_ms: f64,
}

impl PlotWindow {
    /// The fractional column of time `at_ms`.
    pub fn x(&self, at_ms: f64) -> f64 {
        (at_ms - self.start_ms) / (self.end_ms - self.start_ms).max(f64::MIN_POSITIVE) * self.columns as f64
    }
}

/// `samples` (oldest first) within `window`, thinned to one [`PlotColumn`] per pixel column
/// (first, lowest, highest and last value: drawing those four keeps every spike), written into
/// `out` (cleared first, so a caller reuses one buffer every frame). Returns how many samples fell
/// in the window.
pub fn plot_columns<'a>(
    samples: impl Iterator<Item = &'a Sample>,
    field: Field,
    window: &PlotWindow,
    out: &mut Vec<PlotColumn>,
) -> usize {
    out.clear();
    let mut count = 0;
    let mut previous_at: Option<f64> = None;
    for sample in samples {
        if sample.sent_at_ms < window.start_ms || sample.sent_at_ms > window.end_ms {
            previous_at = Some(sample.sent_at_ms);
            continue;
        }
        count += 1;
        let column = (window.x(sample.sent_at_ms).floor().max(0.0) as usize).min(window.columns.saturating_sub(1));
        let value = sample.value(field);
        let gap_before = previous_at.is_some_and(|previous| sample.sent_at_ms - previous > window.gap_ms);
        previous_at = Some(sample.sent_at_ms);
        let fault = sample.fault.then_some(value);
        match out.last_mut() {
            Some(last) if last.column == column && !gap_before => {
                last.low = last.low.min(value);
                last.high = last.high.max(value);
                last.last = value;
                last.fault = last.fault.or(fault);
            }
            _ => out.push(PlotColumn { column, first: value, low: value, high: value, last: value, fault, gap_before }),
        }
    }
    count
}

/// The y axis for values from `low` to `high`: a rounded range and its ticks (about `ticks` of
/// them, at 1, 2, 2.5 or 5 × 10ⁿ), within `bounds` when the field has them.
pub fn axis(low: f64, high: f64, ticks: usize, bounds: Option<(f64, f64)>) -> (f64, f64, Vec<f64>) {
    let (mut low, mut high) = if low.is_finite() && high.is_finite() && low <= high { (low, high) } else { (0.0, 1.0) };
    if high - low < 1e-9 {
        low -= 0.5;
        high += 0.5;
    }
    let rough = (high - low) / ticks.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    // Rounded to the step's decimals, so 0.2 × 102 reads 20.4 and not 20.400000000000002.
    let decimals = 10f64.powi((1 - step.log10().floor() as i32).max(0));
    let tidy = |value: f64| (value * decimals).round() / decimals;
    let mut start = tidy((low / step).floor() * step);
    let mut end = tidy((high / step).ceil() * step);
    if let Some((min, max)) = bounds {
        start = start.max(min);
        end = end.min(max);
    }
    let count = ((end - start) / step).round() as usize;
    let marks = (0..=count).map(|index| tidy(start + index as f64 * step)).collect();
    (start, end, marks)
}

/// A number as the stats show it: whole above 100, one decimal below.
pub fn figure(value: f64) -> String {
    if value.abs() >= 100.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// One row of "Export CSV", in column order (the header is the field names).
#[derive(serde::Serialize)]
struct CsvRow<'a> {
    device: &'a str,
    seq: u64,
    sent_at_us: u64,
    /// Three decimals: the browser's clock is sub-millisecond.
    received_at_ms: String,
    temperature_c: f32,
    humidity_percent: f32,
    battery_percent: f32,
    fault: Option<&'a str>,
}

/// The file name "Export CSV" offers.
pub const CSV_FILE_NAME: &str = "wirelab-telemetry.csv";

/// Every reading held in `series` (device by device, each oldest first) as CSV per RFC 4180:
/// a header row, CRLF line ends, and a field quoted when it holds a comma, a quote or a line
/// break (a quote doubled inside). The values are as plotted (single precision). Nothing at all
/// (not even the header) when no reading is held.
pub fn readings_csv(series: &[DeviceSeries]) -> Result<String, String> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for each in series {
        for (sample, detail) in each.samples.iter().zip(each.details.iter()) {
            writer
                .serialize(CsvRow {
                    device: &each.device,
                    seq: detail.seq,
                    sent_at_us: detail.sent_at_us,
                    received_at_ms: format!("{:.3}", detail.received_at_ms),
                    temperature_c: sample.value(Field::Temperature),
                    humidity_percent: sample.value(Field::Humidity),
                    battery_percent: sample.value(Field::Battery),
                    fault: detail.fault.as_deref(),
                })
                .map_err(|error| error.to_string())?;
        }
    }
    let bytes = writer.into_inner().map_err(|error| error.to_string())?;
    String::from_utf8(bytes).map_err(|error| error.to_string())
}
