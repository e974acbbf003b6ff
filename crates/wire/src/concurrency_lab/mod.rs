//! The Concurrency lab's state: N requests to one endpoint run one after another, all at once or
//! at most k at a time, over HTTP/1.1 (the plain port) or HTTP/2 (the TLS port), or N WebSockets
//! opened at once; which request starts when another finishes (as effects), each one's outcome
//! and Resource Timing, the runs kept side by side, and the run as Python.
//!
//! - `plan`: the form as typed, checked into a [`plan::Plan`], and each request's unique URL.
//! - `measure`: a request's bars on the run's time axis, the run's facts and sentences.
//! - `python`: the plan as a `requests` loop, `asyncio.gather` with `aiohttp`, or a semaphore.
//!
//! The scheduling is here, not in the browser: [`ConcurrencyEvent::Run`] returns a
//! [`ConcurrencyEffect::Fetch`] for each request that may start now, and each
//! [`ConcurrencyEvent::RequestDone`] returns the fetch of the next waiting request when the
//! strategy allows one more in flight, recording which request's end started it.

pub mod measure;
pub mod plan;
pub mod python;

use crate::lab::LabState;
use measure::{Measured, RequestFacts, SocketFacts, SocketTimes, request_facts, socket_facts};
use plan::{Carrier, FieldError, Plan, PlanEdit, PlanForm, Workload, request_url, socket_url};

/// Runs kept for comparison; the oldest goes first.
pub const MAX_RUNS: usize = 12;

/// What `/api/info` said about the server's TLS listener.
#[derive(Clone, Debug, PartialEq)]
pub enum TlsPort {
    /// Not read yet.
    Unknown,
    /// The server has no TLS port.
    Absent,
    Port(u16),
    /// `/api/info` could not be read (the sentence says why).
    Unreadable(String),
}

/// Where the requests go.
#[derive(Clone, Debug, PartialEq)]
pub struct Origins {
    /// `http://HOST:PORT` of the plain port, when the page knows it (it is the page's own
    /// origin when the page came over plain HTTP).
    pub plain: Option<String>,
    /// The host name without port (`127.0.0.1`, `localhost`, `[::1]`).
    pub hostname: String,
    pub tls: TlsPort,
}

impl Origins {
    /// From the page's `location.protocol` and `location.host`.
    pub fn from_page(protocol: &str, host: &str) -> Origins {
        let hostname = match host.strip_prefix('[') {
            Some(rest) => format!("[{}]", rest.split(']').next().unwrap_or_default()),
            None => host.split(':').next().unwrap_or_default().to_string(),
        };
        let plain = (protocol == "http:").then(|| format!("http://{host}"));
        Origins { plain, hostname, tls: TlsPort::Unknown }
    }

    /// `https://HOST:TLSPORT`, when the server has a TLS port.
    pub fn tls_origin(&self) -> Option<String> {
        match self.tls {
            TlsPort::Port(port) => Some(format!("https://{}:{port}", self.hostname)),
            _ => None,
        }
    }

    /// The origin `carrier` goes to, or why there is none.
    pub fn origin(&self, carrier: Carrier) -> Result<String, String> {
        match carrier {
            Carrier::Http1 => self.plain.clone().ok_or_else(|| {
                "HTTP/1.1 needs the plain port: open this lab over http:// (the address `cargo xtask run` prints first)"
                    .to_string()
            }),
            Carrier::Http2 => match &self.tls {
                TlsPort::Port(_) => Ok(self.tls_origin().unwrap_or_default()),
                TlsPort::Unknown => Err("the server's TLS port is not known yet (reading /api/info)".into()),
                TlsPort::Absent => Err("this server has no TLS port, so there is no HTTP/2: start it with \
                     --tls-port 8443 (cargo xtask run -- --tls-port 8443)"
                    .into()),
                TlsPort::Unreadable(why) => Err(format!("the server's TLS port is unknown: {why}")),
            },
        }
    }
}

/// The TLS port in `/api/info`'s JSON: `"tls": {"port": N, …}`; `None` when there is none.
pub fn tls_port_in_info(info: &serde_json::Value) -> Option<u16> {
    info.get("tls")?.get("port")?.as_u64().and_then(|port| u16::try_from(port).ok()).filter(|port| *port > 0)
}

/// One request of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRow {
    pub url: String,
    pub state: RowState,
    /// The 1-based number of the request whose end started this one (`None`: started with the run).
    pub started_after: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RowState {
    Waiting,
    InFlight,
    Done(Measured),
    Failed(String),
    /// Stopped before it started.
    NotStarted,
}

/// One WebSocket of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct SocketRow {
    pub url: String,
    pub times: SocketTimes,
    /// The run stopped before it opened or failed.
    pub abandoned: bool,
}

impl SocketRow {
    fn settled(&self) -> bool {
        self.abandoned || self.times.opened_ms.is_some() || self.times.error.is_some()
    }
}

/// One run: its plan, where it went, and each request's or socket's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub id: u32,
    pub plan: Plan,
    pub origin: String,
    pub requests: Vec<RequestRow>,
    pub sockets: Vec<SocketRow>,
    pub stopped: bool,
}

impl Run {
    pub fn is_finished(&self) -> bool {
        match self.plan.workload {
            Workload::Requests => {
                self.requests.iter().all(|row| !matches!(row.state, RowState::Waiting | RowState::InFlight))
            }
            Workload::WebSockets => self.sockets.iter().all(SocketRow::settled),
        }
    }

    pub fn in_flight_now(&self) -> usize {
        self.requests.iter().filter(|row| row.state == RowState::InFlight).count()
    }

    pub fn done(&self) -> usize {
        match self.plan.workload {
            Workload::Requests => {
                self.requests.iter().filter(|row| matches!(row.state, RowState::Done(_) | RowState::Failed(_))).count()
            }
            Workload::WebSockets => self.sockets.iter().filter(|row| row.settled()).count(),
        }
    }

    /// The requests' facts (see `measure`).
    pub fn request_facts(&self) -> RequestFacts {
        let rows: Vec<Option<Result<&Measured, &str>>> = self
            .requests
            .iter()
            .map(|row| match &row.state {
                RowState::Done(measured) => Some(Ok(measured)),
                RowState::Failed(error) => Some(Err(error.as_str())),
                _ => None,
            })
            .collect();
        request_facts(&rows)
    }

    pub fn socket_facts(&self) -> SocketFacts {
        let times: Vec<SocketTimes> = self.sockets.iter().map(|row| row.times.clone()).collect();
        socket_facts(&times)
    }

    /// Nothing came back over HTTP/2: the TLS port is off or its certificate is not trusted yet.
    pub fn tls_unreachable(&self) -> bool {
        if self.plan.carrier != Carrier::Http2 || !self.is_finished() || self.stopped {
            return false;
        }
        match self.plan.workload {
            Workload::Requests => {
                let facts = self.request_facts();
                facts.answered == 0 && facts.failed > 0
            }
            Workload::WebSockets => {
                let facts = self.socket_facts();
                facts.opened == 0 && facts.failed > 0
            }
        }
    }

    /// The sentences under the run's chart, from what it measured.
    pub fn sentences(&self) -> Vec<String> {
        match self.plan.workload {
            Workload::Requests => {
                let facts = self.request_facts();
                let mut out = facts.sentences(self.plan.endpoint.server_seconds());
                if self.tls_unreachable() {
                    out.push(tls_hint(&self.origin));
                }
                if self.plan.carrier == Carrier::Http2 && facts.answered > 0 && facts.protocol == "http/1.1" {
                    out.push("The browser spoke HTTP/1.1 to the TLS port: ALPN did not settle on h2.".into());
                }
                out
            }
            Workload::WebSockets => {
                let facts = self.socket_facts();
                let mut out = facts.sentences();
                if self.tls_unreachable() {
                    out.push(tls_hint(&self.origin));
                }
                out
            }
        }
    }

    /// Requests in flight over time, in ms from the run's origin, as steps (see
    /// [`measure::steps`]): started by the page and not yet finished, and of those, sent and not
    /// yet answered (on the wire). Only finished requests count.
    pub fn in_flight(&self) -> (measure::Steps, measure::Steps) {
        let done: Vec<&Measured> = self
            .requests
            .iter()
            .filter_map(|row| match &row.state {
                RowState::Done(measured) => Some(measured),
                _ => None,
            })
            .collect();
        let origin = done.iter().map(|m| m.origin_ms()).fold(f64::INFINITY, f64::min);
        let started = measure::steps(done.iter().map(|m| (m.origin_ms() - origin, m.ended_ms - origin)));
        let on_the_wire = measure::steps(done.iter().filter_map(|m| {
            let timing = m.timing.as_ref()?;
            (timing.request_start > 0.0 && timing.response_end >= timing.request_start)
                .then_some((timing.request_start - origin, timing.response_end - origin))
        }));
        (started, on_the_wire)
    }

    /// The wall time from the first start to the last end, in ms, once something finished.
    pub fn wall_ms(&self) -> Option<f64> {
        match self.plan.workload {
            Workload::Requests => self.request_facts().wall_ms,
            Workload::WebSockets => {
                let starts = self.sockets.iter().filter_map(|row| row.times.started_ms);
                let ends = self.sockets.iter().filter_map(|row| row.times.opened_ms.or(row.times.ended_ms));
                let start = starts.fold(f64::INFINITY, f64::min);
                let end = ends.fold(f64::NEG_INFINITY, f64::max);
                (end >= start).then_some(end - start)
            }
        }
    }
}

/// What to do when the TLS port could not be reached.
pub fn tls_hint(origin: &str) -> String {
    format!(
        "Nothing came back from {origin}. If its certificate is not trusted yet, open {origin}/ once in \
         this browser and accept it (or trust the certificate whose path `cargo xtask run` prints), then \
         run again; if the server is not listening there, start it with --tls-port."
    )
}

/// The lab's state.
#[derive(Clone, Debug, PartialEq)]
pub struct ConcurrencyLabState {
    pub form: PlanForm,
    /// Why Run was refused, under the field or the protocol choice.
    pub form_error: Option<FieldError>,
    pub run_problem: Option<String>,
    pub origins: Origins,
    /// Tells this page's URLs apart from another page's (set by the app once, e.g. from the clock).
    pub session: String,
    /// Finished and running runs, oldest first.
    pub runs: Vec<Run>,
    /// The id of the run on screen (the latest unless a person picked one).
    pub shown: Option<u32>,
    next_id: u32,
    pub copy_notice: Option<Result<String, String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConcurrencyEvent {
    Edit(PlanEdit),
    /// `/api/info` was read: its TLS port, or none, or why it could not be read.
    ServerInfo(Result<Option<u16>, String>),
    Run,
    Stop,
    RequestDone {
        run: u32,
        index: usize,
        result: Result<Measured, String>,
    },
    SocketOpened {
        run: u32,
        index: usize,
        started_ms: f64,
        opened_ms: f64,
    },
    SocketFailed {
        run: u32,
        index: usize,
        started_ms: f64,
        at_ms: f64,
        error: String,
    },
    SocketClosed {
        run: u32,
        index: usize,
        at_ms: f64,
    },
    /// Show run `id` in the chart.
    Show(u32),
    /// Forget every finished run.
    Clear,
    CopyPython,
    Copied(Result<(), String>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConcurrencyEffect {
    /// Make room for `entries` Resource Timing entries and forget the old ones (before a run).
    PrepareTimings {
        entries: u32,
    },
    /// Fetch `url`; answer with `RequestDone`, its Resource Timing entry found by the URL.
    Fetch {
        run: u32,
        index: usize,
        url: String,
    },
    /// Abort every fetch of `run` still in flight (each answers `RequestDone` with an error).
    AbortRequests {
        run: u32,
    },
    /// Open a WebSocket to `url`; answer with `SocketOpened` or `SocketFailed`.
    OpenSocket {
        run: u32,
        index: usize,
        url: String,
    },
    /// Close and forget every socket of `run` (no more events come from them).
    CloseSockets {
        run: u32,
    },
    Copy(String),
}

impl ConcurrencyLabState {
    pub fn new(origins: Origins, session: &str) -> ConcurrencyLabState {
        ConcurrencyLabState {
            form: PlanForm::default(),
            form_error: None,
            run_problem: None,
            origins,
            session: session.to_string(),
            runs: Vec::new(),
            shown: None,
            next_id: 1,
            copy_notice: None,
        }
    }

    /// The run being made, if one is.
    pub fn running(&self) -> Option<&Run> {
        self.runs.last().filter(|run| !run.is_finished())
    }

    /// The run on screen.
    pub fn shown_run(&self) -> Option<&Run> {
        match self.shown {
            Some(id) => self.runs.iter().find(|run| run.id == id),
            None => self.runs.last(),
        }
    }

    /// Why `carrier` cannot be used now, if it cannot.
    pub fn carrier_problem(&self, carrier: Carrier) -> Option<String> {
        self.origins.origin(carrier).err()
    }

    /// The Python program for the plan as typed (the plain port; Python speaks HTTP/1.1 only).
    pub fn python_program(&self) -> Result<String, String> {
        let plan = self.form.check().map_err(|error| error.to_string())?;
        let origin = self.origins.plain.clone().unwrap_or_else(|| format!("http://{}:8080", self.origins.hostname));
        Ok(python::program(&plan, &origin))
    }

    fn run_mut(&mut self, id: u32) -> Option<&mut Run> {
        self.runs.iter_mut().find(|run| run.id == id)
    }

    fn start(&mut self) -> Vec<ConcurrencyEffect> {
        if self.running().is_some() {
            return Vec::new();
        }
        let plan = match self.form.check() {
            Ok(plan) => plan,
            Err(error) => {
                self.form_error = Some(error);
                return Vec::new();
            }
        };
        self.form_error = None;
        let origin = match self.origins.origin(plan.carrier) {
            Ok(origin) => origin,
            Err(problem) => {
                self.run_problem = Some(problem);
                return Vec::new();
            }
        };
        self.run_problem = None;
        let id = self.next_id;
        self.next_id += 1;
        let count = plan.count as usize;
        let mut run = Run {
            id,
            plan: plan.clone(),
            origin: origin.clone(),
            requests: Vec::new(),
            sockets: Vec::new(),
            stopped: false,
        };
        let mut effects = Vec::new();
        match plan.workload {
            Workload::Requests => {
                run.requests = (0..count)
                    .map(|index| RequestRow {
                        url: request_url(&origin, &plan.endpoint, &self.session, id, index),
                        state: RowState::Waiting,
                        started_after: None,
                    })
                    .collect();
                effects.push(ConcurrencyEffect::PrepareTimings { entries: (plan.count + 50) * 2 });
                for index in 0..plan.strategy.limit(plan.count) as usize {
                    let row = &mut run.requests[index];
                    row.state = RowState::InFlight;
                    effects.push(ConcurrencyEffect::Fetch { run: id, index, url: row.url.clone() });
                }
            }
            Workload::WebSockets => {
                run.sockets = (0..count)
                    .map(|index| SocketRow {
                        url: socket_url(&origin, &self.session, id, index),
                        times: SocketTimes::default(),
                        abandoned: false,
                    })
                    .collect();
                effects.extend(run.sockets.iter().enumerate().map(|(index, row)| ConcurrencyEffect::OpenSocket {
                    run: id,
                    index,
                    url: row.url.clone(),
                }));
            }
        }
        self.runs.push(run);
        if self.runs.len() > MAX_RUNS {
            self.runs.remove(0);
        }
        self.shown = None;
        effects
    }

    fn stop(&mut self) -> Vec<ConcurrencyEffect> {
        let Some(run) = self.runs.last_mut().filter(|run| !run.is_finished()) else { return Vec::new() };
        run.stopped = true;
        for row in &mut run.requests {
            if row.state == RowState::Waiting {
                row.state = RowState::NotStarted;
            }
        }
        for row in &mut run.sockets {
            if !row.settled() {
                row.abandoned = true;
            }
        }
        match run.plan.workload {
            Workload::Requests if run.in_flight_now() > 0 => vec![ConcurrencyEffect::AbortRequests { run: run.id }],
            Workload::Requests => Vec::new(),
            Workload::WebSockets => vec![ConcurrencyEffect::CloseSockets { run: run.id }],
        }
    }

    fn request_done(&mut self, id: u32, index: usize, result: Result<Measured, String>) -> Vec<ConcurrencyEffect> {
        let Some(run) = self.run_mut(id) else { return Vec::new() };
        let Some(row) = run.requests.get_mut(index) else { return Vec::new() };
        if row.state != RowState::InFlight {
            return Vec::new();
        }
        row.state = match result {
            Ok(measured) => RowState::Done(measured),
            Err(error) => RowState::Failed(error),
        };
        if run.stopped {
            return Vec::new();
        }
        let limit = run.plan.strategy.limit(run.plan.count) as usize;
        let mut effects = Vec::new();
        while run.in_flight_now() < limit {
            let Some(next) = run.requests.iter().position(|row| row.state == RowState::Waiting) else { break };
            let row = &mut run.requests[next];
            row.state = RowState::InFlight;
            row.started_after = Some(index + 1);
            effects.push(ConcurrencyEffect::Fetch { run: id, index: next, url: row.url.clone() });
        }
        effects
    }

    fn socket_event(&mut self, id: u32, index: usize, change: impl FnOnce(&mut SocketTimes)) -> Vec<ConcurrencyEffect> {
        let Some(run) = self.run_mut(id) else { return Vec::new() };
        let was_finished = run.is_finished();
        let Some(row) = run.sockets.get_mut(index) else { return Vec::new() };
        change(&mut row.times);
        // Every socket stays open until all have opened or failed, so the chart shows how many
        // were open at once; then they are closed together.
        if !was_finished && run.is_finished() && !run.stopped {
            return vec![ConcurrencyEffect::CloseSockets { run: id }];
        }
        Vec::new()
    }
}

impl LabState for ConcurrencyLabState {
    type Event = ConcurrencyEvent;
    type Effect = ConcurrencyEffect;

    fn apply(&mut self, event: ConcurrencyEvent, _now_ms: f64) -> Vec<ConcurrencyEffect> {
        match event {
            ConcurrencyEvent::Edit(edit) => {
                self.form.edit(edit);
                self.form_error = None;
                self.run_problem = None;
                self.copy_notice = None;
                Vec::new()
            }
            ConcurrencyEvent::ServerInfo(result) => {
                self.origins.tls = match result {
                    Ok(Some(port)) => TlsPort::Port(port),
                    Ok(None) => TlsPort::Absent,
                    Err(why) => TlsPort::Unreadable(why),
                };
                Vec::new()
            }
            ConcurrencyEvent::Run => self.start(),
            ConcurrencyEvent::Stop => self.stop(),
            ConcurrencyEvent::RequestDone { run, index, result } => self.request_done(run, index, result),
            ConcurrencyEvent::SocketOpened { run, index, started_ms, opened_ms } => {
                self.socket_event(run, index, |times| {
                    times.started_ms = Some(started_ms);
                    times.opened_ms = Some(opened_ms);
                })
            }
            ConcurrencyEvent::SocketFailed { run, index, started_ms, at_ms, error } => {
                self.socket_event(run, index, |times| {
                    times.started_ms = Some(started_ms);
                    times.ended_ms = Some(at_ms);
                    times.error = Some(error);
                })
            }
            ConcurrencyEvent::SocketClosed { run, index, at_ms } => {
                self.socket_event(run, index, |times| times.ended_ms = Some(at_ms))
            }
            ConcurrencyEvent::Show(id) => {
                self.shown = self.runs.iter().any(|run| run.id == id).then_some(id);
                Vec::new()
            }
            ConcurrencyEvent::Clear => {
                self.runs.retain(|run| !run.is_finished());
                self.shown = None;
                Vec::new()
            }
            ConcurrencyEvent::CopyPython => match self.python_program() {
                Ok(program) => vec![ConcurrencyEffect::Copy(program)],
                Err(why) => {
                    self.copy_notice = Some(Err(format!("Nothing to copy: {why}")));
                    Vec::new()
                }
            },
            ConcurrencyEvent::Copied(result) => {
                self.copy_notice = Some(result.map(|()| "Copied to the clipboard.".to_string()));
                Vec::new()
            }
        }
    }
}
