//! What the Concurrency lab runs: the form as typed ([`PlanForm`]), checked into a [`Plan`] (how
//! many, to which endpoint, by which strategy, over which protocol), and the unique URL of each
//! request: a browser may answer identical URLs from one response, and Resource Timing entries are
//! found by URL, so each request carries `wirelab_run=<session>-<run>-<index>` in its query.

use std::fmt;

/// The most requests or WebSockets one run makes.
pub const MAX_COUNT: u32 = 200;
/// The longest wait the form accepts; the server refuses more than its `--max-delay` on its own.
pub const MAX_SECONDS: f64 = 60.0;
/// The most bytes `/bytes/{n}` or `/drip` may be asked for here (the server caps them too).
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Which endpoint each request goes to, with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint {
    /// `/delay/{seconds}`: the server waits, then answers.
    Delay { seconds: f64 },
    /// `/drip?numbytes=…&duration=…&delay=…`: the body arrives slowly.
    Drip { numbytes: u64, duration: f64, delay: f64 },
    /// `/bytes/{n}`: `n` random bytes as fast as they go.
    Bytes { n: u64 },
}

impl Endpoint {
    /// The path and query, e.g. `/delay/1` or `/drip?numbytes=1000&duration=1&delay=0`.
    pub fn path(&self) -> String {
        match self {
            Endpoint::Delay { seconds } => format!("/delay/{}", number(*seconds)),
            Endpoint::Drip { numbytes, duration, delay } => {
                format!("/drip?numbytes={numbytes}&duration={}&delay={}", number(*duration), number(*delay))
            }
            Endpoint::Bytes { n } => format!("/bytes/{n}"),
        }
    }

    /// How long the server takes before the body is complete, when that is known (no transfer
    /// time counted): the delay, or the drip's delay plus duration.
    pub fn server_seconds(&self) -> Option<f64> {
        match self {
            Endpoint::Delay { seconds } => Some(*seconds),
            Endpoint::Drip { duration, delay, .. } => Some(duration + delay),
            Endpoint::Bytes { .. } => None,
        }
    }
}

/// A number as a person writes it: `1`, `0.5`, never `1.0`.
pub fn number(value: f64) -> String {
    let text = format!("{value}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

/// The kind of endpoint, as the form's select has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    Delay,
    Drip,
    Bytes,
}

impl EndpointKind {
    pub const ALL: [EndpointKind; 3] = [EndpointKind::Delay, EndpointKind::Drip, EndpointKind::Bytes];

    pub fn id(self) -> &'static str {
        match self {
            EndpointKind::Delay => "delay",
            EndpointKind::Drip => "drip",
            EndpointKind::Bytes => "bytes",
        }
    }

    pub fn from_id(id: &str) -> Option<EndpointKind> {
        EndpointKind::ALL.into_iter().find(|kind| kind.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            EndpointKind::Delay => "/delay/{seconds}: wait, then answer",
            EndpointKind::Drip => "/drip: a body that trickles in",
            EndpointKind::Bytes => "/bytes/{n}: n bytes at full speed",
        }
    }
}

/// How the requests are started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// One after another: each starts when the one before has finished.
    Sequential,
    /// All at once: every request is started immediately.
    AllAtOnce,
    /// At most `k` at a time: `k` start, and each that finishes starts the next.
    AtMost(u32),
}

impl Strategy {
    pub fn name(self) -> String {
        match self {
            Strategy::Sequential => "one after another".into(),
            Strategy::AllAtOnce => "all at once".into(),
            Strategy::AtMost(k) => format!("at most {k} at a time"),
        }
    }

    /// How many requests are in flight at most.
    pub fn limit(self, count: u32) -> u32 {
        match self {
            Strategy::Sequential => 1,
            Strategy::AllAtOnce => count,
            Strategy::AtMost(k) => k.min(count),
        }
    }
}

/// The form's strategy choice (the `k` is typed apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyKind {
    Sequential,
    AllAtOnce,
    AtMost,
}

/// Which of the server's listeners the requests go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// The plain port: the browser speaks HTTP/1.1, six connections per host at most.
    Http1,
    /// The TLS port: HTTP/2 by ALPN, every request on one connection.
    Http2,
}

impl Carrier {
    pub fn name(self) -> &'static str {
        match self {
            Carrier::Http1 => "HTTP/1.1",
            Carrier::Http2 => "HTTP/2",
        }
    }
}

/// What to open: HTTP requests, or WebSockets to `/ws/echo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    Requests,
    WebSockets,
}

/// A checked plan: everything one run needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub workload: Workload,
    pub count: u32,
    pub endpoint: Endpoint,
    pub strategy: Strategy,
    pub carrier: Carrier,
}

impl Plan {
    /// `20 × /delay/1, all at once, HTTP/1.1` or `50 WebSockets at once over ws://`.
    pub fn label(&self) -> String {
        match self.workload {
            Workload::Requests => {
                format!("{} × {}, {}, {}", self.count, self.endpoint.path(), self.strategy.name(), self.carrier.name())
            }
            Workload::WebSockets => format!("{} WebSockets at once over {}", self.count, socket_scheme(self.carrier)),
        }
    }
}

fn socket_scheme(carrier: Carrier) -> &'static str {
    match carrier {
        Carrier::Http1 => "ws://",
        Carrier::Http2 => "wss://",
    }
}

/// A field of the form that did not check, and why (shown under that field).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

/// The form's typed fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Count,
    Limit,
    DelaySeconds,
    DripBytes,
    DripDuration,
    DripDelay,
    Bytes,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Count => "How many",
            Field::Limit => "k",
            Field::DelaySeconds => "Seconds",
            Field::DripBytes => "Bytes",
            Field::DripDuration => "Duration (s)",
            Field::DripDelay => "Delay (s)",
            Field::Bytes => "Bytes",
        }
    }
}

/// The form as typed: every number is kept as text so what a person typed stays on screen with
/// its error.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanForm {
    pub workload: Workload,
    pub count: String,
    pub strategy: StrategyKind,
    pub limit: String,
    pub carrier: Carrier,
    pub endpoint: EndpointKind,
    pub delay_seconds: String,
    pub drip_bytes: String,
    pub drip_duration: String,
    pub drip_delay: String,
    pub bytes: String,
}

impl Default for PlanForm {
    fn default() -> Self {
        PlanForm {
            workload: Workload::Requests,
            count: "12".into(),
            strategy: StrategyKind::AllAtOnce,
            limit: "3".into(),
            carrier: Carrier::Http1,
            endpoint: EndpointKind::Delay,
            delay_seconds: "1".into(),
            drip_bytes: "1000".into(),
            drip_duration: "1".into(),
            drip_delay: "0".into(),
            bytes: "100000".into(),
        }
    }
}

/// One edit of the form.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanEdit {
    Workload(Workload),
    Count(String),
    Strategy(StrategyKind),
    Limit(String),
    Carrier(Carrier),
    Endpoint(EndpointKind),
    DelaySeconds(String),
    DripBytes(String),
    DripDuration(String),
    DripDelay(String),
    Bytes(String),
}

impl PlanForm {
    pub fn edit(&mut self, edit: PlanEdit) {
        match edit {
            PlanEdit::Workload(workload) => self.workload = workload,
            PlanEdit::Count(text) => self.count = text,
            PlanEdit::Strategy(kind) => self.strategy = kind,
            PlanEdit::Limit(text) => self.limit = text,
            PlanEdit::Carrier(carrier) => self.carrier = carrier,
            PlanEdit::Endpoint(kind) => self.endpoint = kind,
            PlanEdit::DelaySeconds(text) => self.delay_seconds = text,
            PlanEdit::DripBytes(text) => self.drip_bytes = text,
            PlanEdit::DripDuration(text) => self.drip_duration = text,
            PlanEdit::DripDelay(text) => self.drip_delay = text,
            PlanEdit::Bytes(text) => self.bytes = text,
        }
    }

    /// The plan, or the first field that does not check.
    pub fn check(&self) -> Result<Plan, FieldError> {
        let count = whole(Field::Count, &self.count, 1, u64::from(MAX_COUNT))? as u32;
        let strategy = match self.strategy {
            StrategyKind::Sequential => Strategy::Sequential,
            StrategyKind::AllAtOnce => Strategy::AllAtOnce,
            StrategyKind::AtMost => Strategy::AtMost(whole(Field::Limit, &self.limit, 1, u64::from(MAX_COUNT))? as u32),
        };
        let endpoint = match self.endpoint {
            EndpointKind::Delay => Endpoint::Delay { seconds: seconds(Field::DelaySeconds, &self.delay_seconds)? },
            EndpointKind::Drip => Endpoint::Drip {
                numbytes: whole(Field::DripBytes, &self.drip_bytes, 0, MAX_BYTES)?,
                duration: seconds(Field::DripDuration, &self.drip_duration)?,
                delay: seconds(Field::DripDelay, &self.drip_delay)?,
            },
            EndpointKind::Bytes => Endpoint::Bytes { n: whole(Field::Bytes, &self.bytes, 0, MAX_BYTES)? },
        };
        let strategy = if self.workload == Workload::WebSockets { Strategy::AllAtOnce } else { strategy };
        Ok(Plan { workload: self.workload, count, endpoint, strategy, carrier: self.carrier })
    }
}

fn whole(field: Field, text: &str, min: u64, max: u64) -> Result<u64, FieldError> {
    let error = || FieldError { field, message: format!("a whole number from {min} to {max}") };
    let value: u64 = text.trim().parse().map_err(|_| error())?;
    if (min..=max).contains(&value) { Ok(value) } else { Err(error()) }
}

fn seconds(field: Field, text: &str) -> Result<f64, FieldError> {
    let error = || FieldError { field, message: format!("seconds from 0 to {}, e.g. 0.5", number(MAX_SECONDS)) };
    let value: f64 = text.trim().parse().map_err(|_| error())?;
    if value.is_finite() && (0.0..=MAX_SECONDS).contains(&value) { Ok(value) } else { Err(error()) }
}

/// The URL of request `index` (0-based) of run `run`: `origin` + the endpoint's path + the
/// cache-busting `wirelab_run` parameter, unique in this page (`session` tells pages apart).
pub fn request_url(origin: &str, endpoint: &Endpoint, session: &str, run: u32, index: usize) -> String {
    let path = endpoint.path();
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{origin}{path}{separator}wirelab_run={session}-{run}-{}", index + 1)
}

/// The WebSocket URL of socket `index` of run `run`, on `origin` (`http://…` becomes `ws://…`).
pub fn socket_url(origin: &str, session: &str, run: u32, index: usize) -> String {
    let origin = origin.replacen("https://", "wss://", 1).replacen("http://", "ws://", 1);
    format!("{origin}/ws/echo?wirelab_run={session}-{run}-{}", index + 1)
}
