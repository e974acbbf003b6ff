//! What a run measured, read for people: each request's bars on the run's shared time axis
//! (queued, DNS, connect, TLS, waiting, download, from Resource Timing via
//! [`crate::resource_timing::breakdown`]), and the run's facts (the protocol the browser spoke,
//! the connections it opened, how many requests were on the wire at once, which ones queued and
//! for how long) turned into the sentences the lab shows. Nothing here is assumed: a sentence
//! says only what the entries show.

use crate::resource_timing::{self, NOTE_HIDDEN, TimingEntry, breakdown};
use crate::units::format_millis;

/// A request counts as queued when it waited longer than this before the browser sent it.
pub const QUEUED_MS: f64 = 50.0;

/// What the browser reported about one finished request. Times are `performance.now()`
/// milliseconds (the same clock as Resource Timing's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Measured {
    pub status: u16,
    pub body_bytes: u64,
    /// Just before `fetch` was called.
    pub started_ms: f64,
    /// When the whole body had been read.
    pub ended_ms: f64,
    /// The request's Resource Timing entry, when the browser recorded one.
    pub timing: Option<TimingEntry>,
}

/// A bar's kind, in the order a request goes through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// Waiting for a connection (the browser's per-host limit) or otherwise stalled.
    Queued,
    Dns,
    Connect,
    Tls,
    /// Request sent, waiting for the first byte.
    Waiting,
    Download,
    /// The browser gave no phases: the whole request as one bar.
    Unmeasured,
}

impl SegmentKind {
    pub fn name(self) -> &'static str {
        match self {
            SegmentKind::Queued => "Queued / stalled",
            SegmentKind::Dns => "DNS",
            SegmentKind::Connect => "Connect",
            SegmentKind::Tls => "TLS",
            SegmentKind::Waiting => "Waiting (TTFB)",
            SegmentKind::Download => "Download",
            SegmentKind::Unmeasured => "No phases",
        }
    }

    /// A class-friendly id: `queued`, `dns`, `connect`, `tls`, `waiting`, `download`, `unmeasured`.
    pub fn id(self) -> &'static str {
        match self {
            SegmentKind::Queued => "queued",
            SegmentKind::Dns => "dns",
            SegmentKind::Connect => "connect",
            SegmentKind::Tls => "tls",
            SegmentKind::Waiting => "waiting",
            SegmentKind::Download => "download",
            SegmentKind::Unmeasured => "unmeasured",
        }
    }

    pub const LEGEND: [SegmentKind; 6] = [
        SegmentKind::Queued,
        SegmentKind::Dns,
        SegmentKind::Connect,
        SegmentKind::Tls,
        SegmentKind::Waiting,
        SegmentKind::Download,
    ];
}

/// One bar, in ms from the run's origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub start_ms: f64,
    pub duration_ms: f64,
}

/// One request's row of the waterfall.
#[derive(Clone, Debug, PartialEq)]
pub struct Bars {
    /// Where the row starts and ends, in ms from the run's origin.
    pub start_ms: f64,
    pub end_ms: f64,
    pub segments: Vec<Segment>,
    /// Time spent queued or stalled before the request was sent.
    pub queued_ms: f64,
    /// The request opened a connection of its own (it has a Connect phase).
    pub new_connection: bool,
    /// `nextHopProtocol` (`http/1.1`, `h2`), empty when unknown.
    pub protocol: String,
    /// Why a phase is missing (from `resource_timing`).
    pub notes: Vec<String>,
}

impl Measured {
    /// Where this request started on the shared clock: Resource Timing's `startTime` when there
    /// is one, else the moment `fetch` was called.
    pub fn origin_ms(&self) -> f64 {
        self.timing.as_ref().map_or(self.started_ms, |timing| timing.start_time)
    }

    /// The request's bars, placed `origin_ms` after the run's origin.
    pub fn bars(&self, run_origin_ms: f64) -> Bars {
        let start = self.origin_ms();
        let offset = start - run_origin_ms;
        let end_ms = offset + (self.ended_ms.max(start) - start);
        let Some(timing) = &self.timing else {
            return Bars {
                start_ms: offset,
                end_ms,
                segments: vec![Segment {
                    kind: SegmentKind::Unmeasured,
                    start_ms: offset,
                    duration_ms: end_ms - offset,
                }],
                queued_ms: 0.0,
                new_connection: false,
                protocol: String::new(),
                notes: vec!["the browser recorded no Resource Timing entry for this request".into()],
            };
        };
        let phases = breakdown(timing);
        let mut segments = Vec::new();
        let mut cursor = 0.0_f64;
        let mut queued_ms = 0.0;
        let mut sent = false;
        for phase in &phases.phases {
            let kind = match phase.name {
                resource_timing::DNS => SegmentKind::Dns,
                resource_timing::CONNECT => SegmentKind::Connect,
                resource_timing::TLS => SegmentKind::Tls,
                resource_timing::TTFB => SegmentKind::Waiting,
                resource_timing::DOWNLOAD => SegmentKind::Download,
                _ => continue,
            };
            // Gaps before the request is sent are queueing (a free connection awaited) or a stall.
            if !sent && phase.start_ms > cursor + 0.5 {
                let gap = phase.start_ms - cursor;
                queued_ms += gap;
                segments.push(Segment { kind: SegmentKind::Queued, start_ms: offset + cursor, duration_ms: gap });
            }
            sent |= kind == SegmentKind::Waiting;
            segments.push(Segment { kind, start_ms: offset + phase.start_ms, duration_ms: phase.duration_ms });
            cursor = cursor.max(phase.start_ms + phase.duration_ms);
        }
        if segments.is_empty() {
            segments.push(Segment { kind: SegmentKind::Unmeasured, start_ms: offset, duration_ms: end_ms - offset });
        }
        let new_connection = phases.phases.iter().any(|phase| phase.name == resource_timing::CONNECT);
        Bars {
            start_ms: offset,
            end_ms: end_ms.max(offset + phases.total_ms),
            segments,
            queued_ms,
            new_connection,
            protocol: timing.next_hop_protocol.clone(),
            notes: phases.notes,
        }
    }

    /// When the request was sent and when its response ended, on the shared clock, if known.
    fn on_the_wire(&self) -> Option<(f64, f64)> {
        let timing = self.timing.as_ref()?;
        (timing.request_start > 0.0 && timing.response_end >= timing.request_start)
            .then_some((timing.request_start, timing.response_end))
    }
}

pub use crate::resource_timing::protocol_name;

/// What a finished (or stopped) run of requests measured.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestFacts {
    /// Requests planned.
    pub count: usize,
    /// Requests that finished with a response.
    pub answered: usize,
    /// Requests that failed, with the first failure's words.
    pub failed: usize,
    pub first_failure: Option<String>,
    /// The protocol most responses came over (`nextHopProtocol`).
    pub protocol: String,
    /// Requests with a Connect phase: connections this run opened.
    pub new_connections: usize,
    /// The most requests that were sent and not yet answered at one moment.
    pub peak_on_the_wire: usize,
    /// 1-based numbers of the requests that queued longer than [`QUEUED_MS`].
    pub queued: Vec<usize>,
    pub median_queue_ms: Option<f64>,
    /// Requests whose phases the browser hid (no Timing-Allow-Origin).
    pub hidden: usize,
    /// From the first start to the last end, in ms.
    pub wall_ms: Option<f64>,
}

/// Reads the facts out of `requests` (in plan order; `None` for one not finished, `Err` for a
/// failure).
pub fn request_facts(requests: &[Option<Result<&Measured, &str>>]) -> RequestFacts {
    let answered: Vec<(usize, &Measured)> = requests
        .iter()
        .enumerate()
        .filter_map(|(index, request)| match request {
            Some(Ok(measured)) => Some((index, *measured)),
            _ => None,
        })
        .collect();
    let failures: Vec<&str> = requests.iter().filter_map(|request| request.and_then(Result::err)).collect();
    let origin = answered.iter().map(|(_, m)| m.origin_ms()).fold(f64::INFINITY, f64::min);
    let bars: Vec<(usize, Bars)> = answered.iter().map(|(index, m)| (*index, m.bars(origin))).collect();
    let mut protocols: Vec<(String, usize)> = Vec::new();
    for (_, bar) in &bars {
        match protocols.iter_mut().find(|(name, _)| *name == bar.protocol) {
            Some((_, n)) => *n += 1,
            None => protocols.push((bar.protocol.clone(), 1)),
        }
    }
    let protocol = protocols.iter().max_by_key(|(_, n)| *n).map(|(name, _)| name.clone()).unwrap_or_default();
    let queued: Vec<(usize, f64)> = bars
        .iter()
        .filter(|(_, bar)| bar.queued_ms > QUEUED_MS)
        .map(|(index, bar)| (index + 1, bar.queued_ms))
        .collect();
    let wall_ms = (!answered.is_empty()).then(|| {
        let end = answered.iter().map(|(_, m)| m.ended_ms.max(m.origin_ms())).fold(f64::NEG_INFINITY, f64::max);
        end - origin
    });
    RequestFacts {
        count: requests.len(),
        answered: answered.len(),
        failed: failures.len(),
        first_failure: failures.first().map(|text| text.to_string()),
        protocol,
        new_connections: bars.iter().filter(|(_, bar)| bar.new_connection).count(),
        peak_on_the_wire: peak(answered.iter().filter_map(|(_, m)| m.on_the_wire())),
        median_queue_ms: median(queued.iter().map(|(_, ms)| *ms).collect()),
        queued: queued.into_iter().map(|(number, _)| number).collect(),
        hidden: bars.iter().filter(|(_, bar)| bar.notes.iter().any(|note| note == NOTE_HIDDEN)).count(),
        wall_ms,
    }
}

/// The most intervals that overlap at one moment (an interval ending when another starts does
/// not overlap it).
pub fn peak(intervals: impl Iterator<Item = (f64, f64)>) -> usize {
    let mut edges: Vec<(f64, i32)> = intervals.flat_map(|(start, end)| [(start, 1), (end, -1)]).collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut open = 0i32;
    let mut most = 0i32;
    for (_, change) in edges {
        open += change;
        most = most.max(open);
    }
    usize::try_from(most).unwrap_or(0)
}

/// A count over time: `(time, count from then on)`, in time order.
pub type Steps = Vec<(f64, usize)>;

/// How many intervals are open over time, as steps: `(time, count from then on)`, starting at
/// the earliest start with its count and ending at the last end with 0. Ends come before starts
/// at the same moment.
pub fn steps(intervals: impl Iterator<Item = (f64, f64)>) -> Steps {
    let mut edges: Vec<(f64, i32)> = intervals.flat_map(|(start, end)| [(start, 1), (end, -1)]).collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<(f64, usize)> = Vec::new();
    let mut open = 0i32;
    for (at, change) in edges {
        open += change;
        let count = usize::try_from(open).unwrap_or(0);
        match out.last_mut() {
            Some(last) if last.0 == at => last.1 = count,
            _ => out.push((at, count)),
        }
    }
    out
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[middle - 1] + values[middle]) / 2.0 } else { values[middle] })
}

/// `[1, 2, 3, 5, 7, 8]` → `1–3, 5, 7–8`.
pub fn number_ranges(numbers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut index = 0;
    while index < numbers.len() {
        let first = numbers[index];
        let mut last = first;
        while index + 1 < numbers.len() && numbers[index + 1] == last + 1 {
            index += 1;
            last = numbers[index];
        }
        parts.push(if first == last { first.to_string() } else { format!("{first}–{last}") });
        index += 1;
    }
    parts.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

fn seconds_text(ms: f64) -> String {
    format_millis(ms)
}

impl RequestFacts {
    /// The sentences the lab shows under the waterfall: connections and queueing, the wall time
    /// against the server's own time per request (`server_seconds`), failures, hidden phases.
    pub fn sentences(&self, server_seconds: Option<f64>) -> Vec<String> {
        let mut out = Vec::new();
        if self.answered > 0 && self.peak_on_the_wire == 0 {
            out.push(
                "The browser gave no timing phases for these requests, so which connections they used and \
                 how long they queued is unknown."
                    .into(),
            );
        } else if self.answered > 0 {
            let protocol = protocol_name(&self.protocol);
            let multiplexed = matches!(self.protocol.as_str(), "h2" | "h3") || self.protocol.starts_with("h3-");
            let connections = if multiplexed && self.new_connections <= 1 && self.answered > 1 {
                let which = if self.new_connections == 1 { "one connection" } else { "one connection already open" };
                format!("On {protocol} all {} shared {which}", self.answered)
            } else if self.new_connections == self.peak_on_the_wire {
                format!(
                    "On {protocol} the browser opened {}",
                    plural(self.new_connections, "connection", "connections")
                )
            } else if self.new_connections == 0 {
                format!(
                    "On {protocol} the browser opened no new connection: at most {} on the wire at once, on connections already open",
                    self.peak_on_the_wire
                )
            } else {
                format!(
                    "On {protocol} the browser opened {} and had at most {} on the wire at once",
                    plural(self.new_connections, "connection", "connections"),
                    self.peak_on_the_wire
                )
            };
            let queue = match (self.queued.as_slice(), self.median_queue_ms) {
                ([], _) | (_, None) => "none queued".to_string(),
                ([one], Some(ms)) => format!("request {one} waited {} in the queue", seconds_text(ms)),
                (numbers, Some(ms)) => {
                    format!("requests {} waited a median {} in the queue", number_ranges(numbers), seconds_text(ms))
                }
            };
            out.push(format!("{connections}; {queue}."));
        }
        if let Some(wall) = self.wall_ms {
            let mut sentence = format!(
                "Wall time {} for {}",
                seconds_text(wall),
                plural(self.answered, "answered request", "answered requests")
            );
            if let Some(seconds) = server_seconds.filter(|s| *s > 0.0) {
                let one = seconds * 1000.0;
                sentence.push_str(&format!(
                    " that each take the server {}: {:.1}× one request, against {:.0}× one after another",
                    seconds_text(one),
                    wall / one,
                    self.answered as f64
                ));
            }
            sentence.push('.');
            out.push(sentence);
        }
        if self.failed > 0 {
            let first = self.first_failure.as_deref().unwrap_or("no reason given");
            out.push(format!("{} failed; the first: {first}", plural(self.failed, "request", "requests")));
        }
        if self.hidden > 0 {
            out.push(format!(
                "The browser hid the phases of {}: the server sent no Timing-Allow-Origin.",
                plural(self.hidden, "request", "requests")
            ));
        }
        out
    }
}

/// One WebSocket's times (`performance.now()` ms): when `new WebSocket` was called, when it
/// opened, when it ended (closed or failed), and the failure's words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SocketTimes {
    pub started_ms: Option<f64>,
    pub opened_ms: Option<f64>,
    pub ended_ms: Option<f64>,
    pub error: Option<String>,
}

impl SocketTimes {
    /// The opening handshake's time: open − start.
    pub fn handshake_ms(&self) -> Option<f64> {
        Some(self.opened_ms? - self.started_ms?)
    }
}

/// What a run of WebSockets measured.
#[derive(Clone, Debug, PartialEq)]
pub struct SocketFacts {
    pub count: usize,
    pub opened: usize,
    pub failed: usize,
    pub first_failure: Option<String>,
    pub peak_open: usize,
    pub median_handshake_ms: Option<f64>,
    pub slowest_handshake_ms: Option<f64>,
    pub fastest_handshake_ms: Option<f64>,
    /// From the first socket that opened to the last, in ms.
    pub open_spread_ms: Option<f64>,
}

pub fn socket_facts(sockets: &[SocketTimes]) -> SocketFacts {
    let handshakes: Vec<f64> = sockets.iter().filter_map(SocketTimes::handshake_ms).collect();
    let failures: Vec<&String> = sockets.iter().filter_map(|socket| socket.error.as_ref()).collect();
    SocketFacts {
        count: sockets.len(),
        opened: handshakes.len(),
        failed: failures.len(),
        first_failure: failures.first().map(|text| text.to_string()),
        peak_open: peak(
            sockets.iter().filter_map(|socket| Some((socket.opened_ms?, socket.ended_ms.unwrap_or(f64::INFINITY)))),
        ),
        median_handshake_ms: median(handshakes.clone()),
        slowest_handshake_ms: handshakes.iter().copied().reduce(f64::max),
        fastest_handshake_ms: handshakes.into_iter().reduce(f64::min),
        open_spread_ms: {
            let opened: Vec<f64> = sockets.iter().filter_map(|socket| socket.opened_ms).collect();
            let first = opened.iter().copied().reduce(f64::min);
            let last = opened.iter().copied().reduce(f64::max);
            first.zip(last).map(|(first, last)| last - first)
        },
    }
}

impl SocketFacts {
    pub fn sentences(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.opened > 0 {
            out.push(format!(
                "{} of {} opened; at most {} open at once. Handshakes took a median {} (the slowest {}).",
                self.opened,
                plural(self.count, "WebSocket", "WebSockets"),
                self.peak_open,
                seconds_text(self.median_handshake_ms.unwrap_or(0.0)),
                seconds_text(self.slowest_handshake_ms.unwrap_or(0.0)),
            ));
        }
        // Opened one by one: the spread is several times the fastest handshake.
        if let (Some(spread), Some(fastest)) = (self.open_spread_ms, self.fastest_handshake_ms)
            && self.opened >= 3
            && spread > 100.0
            && spread > 3.0 * fastest
        {
            out.push(format!(
                "They opened one by one over {}, about {} apart: the browser let one handshake per server be in \
                 progress at a time (RFC 6455 §4.1 asks this of clients), so the rest waited their turn.",
                seconds_text(spread),
                seconds_text(spread / (self.opened - 1) as f64)
            ));
        }
        if self.failed > 0 {
            let first = self.first_failure.as_deref().unwrap_or("no reason given");
            out.push(format!("{} did not open; the first: {first}", plural(self.failed, "WebSocket", "WebSockets")));
        }
        out
    }
}
