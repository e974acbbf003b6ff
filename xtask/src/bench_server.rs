//! `cargo xtask bench-server`: wirelab-server's WebSocket echo against Python `websockets`, Node
//! `ws` and a raw TCP echo (the upper bound), measured in one run and set side by side.
//!
//! Every server runs pinned to one core and the load generator (`crates/loadgen`, which checks
//! every echo against the message it sent) to another, on loopback. For each figure the servers
//! take turns, run after run, so load from other processes falls on all of them alike. Each
//! figure is the median of `--reps` runs with their spread (min-max) beside it, the server's and
//! the load generator's CPU share, and a note when the load generator bounded the figure (its
//! core at least 95 % busy). Idle memory is measured on a fresh process of each server. The table
//! is printed and written to target/bench-server.txt. A run that fails (a server that cannot be
//! installed or started, an echo that differs, a load generator error) shows as FAILED in its
//! cell and makes the command fail; a missed target is reported, never a failure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::process::{self, ServerProcess, command, output, root, with_file_limit_raised};

/// The Python peer, installed with pip into target/tools/py-websockets.
const PY_WEBSOCKETS_VERSION: &str = "17.4";
/// The Node peer, installed with npm into target/tools/node-ws.
const NODE_WS_VERSION: &str = "8.23.0";
/// Idle connection counts at which the servers' memory is read.
const IDLE_COUNTS: [usize; 2] = [1000, 5000];
/// The core the servers run on and the one the load generator runs on.
pub(crate) const SERVER_CORE: &str = "0";
pub(crate) const CLIENT_CORE: &str = "1";
/// From this share of its core on, the load generator, not the server, bounds a figure.
const CLIENT_BOUND: f64 = 0.95;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Peer {
    Wirelab,
    RawTcp,
    PyWebsockets,
    NodeWs,
}

impl Peer {
    const ALL: [Peer; 4] = [Peer::Wirelab, Peer::RawTcp, Peer::PyWebsockets, Peer::NodeWs];

    fn label(self) -> &'static str {
        match self {
            Peer::Wirelab => "wirelab-server",
            Peer::RawTcp => "raw TCP",
            Peer::PyWebsockets => "Python websockets",
            Peer::NodeWs => "Node ws",
        }
    }

    fn log_name(self) -> &'static str {
        match self {
            Peer::Wirelab => "wirelab-server",
            Peer::RawTcp => "raw-tcp",
            Peer::PyWebsockets => "py-websockets",
            Peer::NodeWs => "node-ws",
        }
    }
}

/// How to start one server.
struct Launch {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// The WebSocket path, or `None` for the raw TCP echo.
    ws_path: Option<&'static str>,
}

/// One measured workload.
struct Scenario {
    key: &'static str,
    title: &'static str,
    loadgen_args: &'static [&'static str],
}

const THROUGHPUT: Scenario = Scenario {
    key: "i",
    title: "(i)   msg/s, 64 conn x 64 B text, req/resp",
    loadgen_args: &["--mode", "request-response", "--connections", "64", "--size", "64", "--kind", "text"],
};
const LATENCY: Scenario = Scenario {
    key: "ii",
    title: "(ii)  latency, 1 conn x 64 B text",
    loadgen_args: &["--mode", "request-response", "--connections", "1", "--size", "64", "--kind", "text"],
};
const PIPELINED: Scenario = Scenario {
    key: "ii'",
    title: "(ii') msg/s, 64 conn x 16 in flight, 64 B",
    loadgen_args: &[
        "--mode",
        "pipelined",
        "--connections",
        "64",
        "--in-flight",
        "16",
        "--size",
        "64",
        "--kind",
        "text",
    ],
};
const LARGE: Scenario = Scenario {
    key: "iii",
    title: "(iii) MiB/s, 4 conn x 1 MiB binary",
    loadgen_args: &["--mode", "request-response", "--connections", "4", "--size", "1048576", "--kind", "binary"],
};
const SCENARIOS: [&Scenario; 4] = [&THROUGHPUT, &LATENCY, &PIPELINED, &LARGE];

/// One group of rows in the table: one field of one scenario's `RESULT` lines, per server.
struct Figure {
    title: &'static str,
    scenario: &'static Scenario,
    field: &'static str,
    show: fn(f64) -> String,
}

const FIGURES: [Figure; 5] = [
    Figure { title: THROUGHPUT.title, scenario: &THROUGHPUT, field: "msgs_per_s", show: grouped },
    Figure { title: "(ii)  p50 latency, 1 conn x 64 B text", scenario: &LATENCY, field: "p50_us", show: micros },
    Figure { title: "(ii)  p99 latency, 1 conn x 64 B text", scenario: &LATENCY, field: "p99_us", show: micros },
    Figure { title: PIPELINED.title, scenario: &PIPELINED, field: "msgs_per_s", show: grouped },
    Figure { title: LARGE.title, scenario: &LARGE, field: "mib_per_s", show: mib },
];

/// The `key=value` fields of one loadgen `RESULT` line; `-` values are left out.
pub(crate) type Sample = BTreeMap<String, f64>;

/// Every run of one scenario against one server: the figures of those that passed, and why the
/// others failed.
#[derive(Default)]
struct Runs {
    samples: Vec<Sample>,
    failures: Vec<String>,
}

/// The median of a figure over its runs, and their spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Spread {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Spread {
    pub(crate) fn of(mut values: Vec<f64>) -> Option<Spread> {
        values.sort_by(f64::total_cmp);
        let (first, last) = (*values.first()?, *values.last()?);
        Some(Spread { median: median(&values), min: first, max: last })
    }
}

/// What one cell of the table holds.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Measured(Spread),
    /// A run failed (or the server could not be started): why.
    Failed(String),
    NotMeasured,
}

impl Cell {
    fn median(&self) -> Option<f64> {
        match self {
            Cell::Measured(spread) => Some(spread.median),
            _ => None,
        }
    }
}

/// Server memory with idle connections: the RSS before any, and at each count.
#[derive(Clone, Debug, Default, PartialEq)]
struct Idle {
    baseline_kib: f64,
    at: Vec<(usize, f64)>,
}

impl Idle {
    fn rss_kib(&self, count: usize) -> Option<f64> {
        self.at.iter().find(|(n, _)| *n == count).map(|(_, kib)| *kib)
    }

    fn per_connection_kib(&self, count: usize) -> Option<f64> {
        self.rss_kib(count).map(|kib| (kib - self.baseline_kib) / count as f64)
    }
}

/// The median CPU shares of one scenario's runs against one server, each of one core, and the
/// message rate they were spent on.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Shares {
    rate: Option<f64>,
    server: Option<f64>,
    client: Option<f64>,
    /// How busy the load generator's core was, with other processes' work on it.
    client_core: Option<f64>,
}

impl Shares {
    /// Why the load generator bounded the figure, if it did.
    fn client_bound(&self) -> Option<String> {
        let client = self.client?;
        if client >= CLIENT_BOUND {
            return Some("client-bound".into());
        }
        let core = self.client_core.filter(|core| *core >= CLIENT_BOUND)?;
        Some(format!(
            "client-bound: its core {:.0}% busy, {:.0}% of it other processes",
            core * 100.0,
            (core - client) * 100.0
        ))
    }
}

/// Everything measured, and what failed.
#[derive(Default)]
struct Results {
    /// Per scenario key and server.
    runs: BTreeMap<(&'static str, Peer), Runs>,
    /// Servers that could not be installed or started, and why: every cell of theirs failed.
    unavailable: BTreeMap<Peer, String>,
    idle: BTreeMap<Peer, Result<Idle, String>>,
    notes: Vec<String>,
}

impl Results {
    fn record(&mut self, scenario: &'static Scenario, peer: Peer, run: usize, outcome: Result<Sample, String>) {
        let runs = self.runs.entry((scenario.key, peer)).or_default();
        match outcome {
            Ok(sample) => runs.samples.push(sample),
            Err(why) => runs.failures.push(format!("run {run}: {why}")),
        }
    }

    fn cell(&self, scenario: &'static Scenario, peer: Peer, field: &str) -> Cell {
        if let Some(why) = self.unavailable.get(&peer) {
            return Cell::Failed(why.clone());
        }
        let Some(runs) = self.runs.get(&(scenario.key, peer)) else { return Cell::NotMeasured };
        if let Some(first) = runs.failures.first() {
            let all = runs.failures.len() + runs.samples.len();
            return Cell::Failed(format!("{} of {all} runs; {first}", runs.failures.len()));
        }
        let values = runs.samples.iter().filter_map(|sample| sample.get(field).copied()).collect();
        Spread::of(values).map_or(Cell::NotMeasured, Cell::Measured)
    }

    fn idle_cell(&self, peer: Peer, count: usize) -> Cell {
        if let Some(why) = self.unavailable.get(&peer) {
            return Cell::Failed(why.clone());
        }
        match self.idle.get(&peer) {
            Some(Ok(idle)) => idle
                .per_connection_kib(count)
                .map_or(Cell::NotMeasured, |kib| Cell::Measured(Spread { median: kib, min: kib, max: kib })),
            Some(Err(why)) => Cell::Failed(why.clone()),
            None => Cell::NotMeasured,
        }
    }

    fn shares(&self, scenario: &'static Scenario, peer: Peer) -> Shares {
        let Some(runs) = self.runs.get(&(scenario.key, peer)) else { return Shares::default() };
        let field = |name: &str| {
            let values: Vec<f64> = runs.samples.iter().filter_map(|sample| sample.get(name).copied()).collect();
            Spread::of(values).map(|spread| spread.median)
        };
        Shares {
            rate: field("msgs_per_s"),
            server: field("server_cpu"),
            client: field("client_cpu"),
            client_core: field("client_core_busy"),
        }
    }

    /// Every failure, named by server and figure.
    fn failures(&self) -> Vec<String> {
        let mut failures: Vec<String> =
            self.unavailable.iter().map(|(peer, why)| format!("{}: {why}", peer.label())).collect();
        for ((key, peer), runs) in &self.runs {
            failures.extend(runs.failures.iter().map(|why| format!("{} ({key}) {why}", peer.label())));
        }
        for (peer, idle) in &self.idle {
            if let Err(why) = idle {
                failures.push(format!("{} (iv): {why}", peer.label()));
            }
        }
        failures
    }
}

pub(crate) struct Options {
    pub(crate) reps: usize,
    pub(crate) secs: f64,
}

/// `--reps N --secs S`, as bench-server and bench-bridge take them.
pub(crate) fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options { reps: 3, secs: 3.0 };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--reps" => {
                options.reps = value
                    .parse()
                    .ok()
                    .filter(|reps| *reps > 0)
                    .ok_or_else(|| format!("--reps {value}: not a count"))?;
            }
            "--secs" => {
                options.secs = value
                    .parse()
                    .ok()
                    .filter(|secs: &f64| secs.is_finite() && *secs > 0.0)
                    .ok_or_else(|| format!("--secs {value}: not a number of seconds"))?;
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

pub fn bench_server(args: &[String]) -> Result<(), String> {
    let options = parse_options(args).map_err(|why| format!("bench-server: {why}"))?;
    let pinned = pinning_available();
    let mut results = Results::default();
    if !pinned {
        results.notes.push("not pinned: taskset is missing or fewer than 2 cores; figures are less comparable".into());
    }

    let (server_binary, loadgen, logs) = process::build_server_and_loadgen("bench-server")?;

    let mut launches = Vec::new();
    for peer in Peer::ALL {
        match prepare(peer, &server_binary, &loadgen) {
            Ok((launch, note)) => {
                results.notes.extend(note);
                launches.push((peer, launch));
            }
            Err(why) => {
                results.unavailable.insert(peer, format!("not installed: {why}"));
            }
        }
    }
    let load_before = load_average();

    // Throughput and latency: every server up at once, taking turns.
    let mut running = Vec::new();
    for (peer, launch) in &launches {
        match Server::start(*peer, launch, pinned, &logs) {
            Ok(server) => running.push(server),
            Err(why) => {
                results.unavailable.insert(*peer, format!("did not start: {why}"));
            }
        }
    }
    for scenario in SCENARIOS {
        for rep in 1..=options.reps {
            for server in &mut running {
                eprintln!("\n==> {} | {} | run {rep} of {}", scenario.title, server.peer.label(), options.reps);
                let outcome = loadgen_run(&loadgen, server, scenario, &options, pinned).map_err(|why| {
                    match server.process.exited() {
                        Some(status) => format!("{why}; the server had exited ({status})"),
                        None => why,
                    }
                });
                results.record(scenario, server.peer, rep, outcome);
            }
        }
    }
    drop(running);

    // Idle memory: a fresh process each, so nothing from the load runs is counted.
    for (peer, launch) in &launches {
        if results.unavailable.contains_key(peer) {
            continue;
        }
        eprintln!("\n==> (iv) idle connections | {}", peer.label());
        let measured =
            Server::start(*peer, launch, pinned, &logs).and_then(|server| loadgen_idle(&loadgen, &server, pinned));
        results.idle.insert(*peer, measured);
    }

    let header = format!(
        "wirelab-server bench: loopback, {}; median of {} run(s) of {} s after 1 s of warm-up, with \
         their spread (min-max).\nLoad average before/after: {} / {}. Python websockets \
         {PY_WEBSOCKETS_VERSION}, Node ws {NODE_WS_VERSION}; permessage-deflate off everywhere; \
         WebSocket client: the load generator's lean frames (crates/loadgen/src/frames.rs), each \
         masked with its own key, every echo checked byte for byte.\n",
        if pinned {
            format!("servers pinned to CPU {SERVER_CORE}, load generator to CPU {CLIENT_CORE}")
        } else {
            "not pinned".to_owned()
        },
        options.reps,
        options.secs,
        load_before,
        load_average(),
    );
    let file = publish("bench-server.txt", &format!("{header}\n{}", render(&results)))?;
    eprintln!("xtask: written to {}; server logs in {}", file.display(), logs.display());
    let failures = results.failures();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("bench-server: {} failed (FAILED in the table):\n  {}", failures.len(), failures.join("\n  ")))
    }
}

/// Prints a bench's table and writes it to `target/<name>`; where it went.
pub(crate) fn publish(name: &str, table: &str) -> Result<PathBuf, String> {
    println!("\n{table}");
    let file = root().join("target").join(name);
    std::fs::write(&file, table).map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    Ok(file)
}

pub(crate) fn pinning_available() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores >= 2 && output("taskset", &["--version"]).is_some()
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// How to start `peer`, installing it first if needed, and a note for the table if any.
fn prepare(peer: Peer, server_binary: &str, loadgen: &str) -> Result<(Launch, Option<String>), String> {
    let peers = root().join("xtask").join("peers");
    let tools = root().join("target").join("tools");
    let text = |path: PathBuf| path.to_string_lossy().into_owned();
    match peer {
        Peer::Wirelab => {
            let mut args = vec!["--port".to_owned(), "0".to_owned()];
            // The echo may gain compression; the figures are for uncompressed echoes. (The
            // client never offers permessage-deflate either.)
            let help = output(server_binary, &["--help"]).unwrap_or_default();
            let note = if help.contains("--permessage-deflate") {
                args.extend(["--permessage-deflate".to_owned(), "off".to_owned()]);
                "wirelab-server started with --permessage-deflate off"
            } else {
                "wirelab-server has no --permessage-deflate flag (no compression in its echo)"
            };
            // One log line per connection would cost time in the idle figures.
            let env = vec![("RUST_LOG".to_owned(), "warn".to_owned())];
            Ok((Launch { program: server_binary.to_owned(), args, env, ws_path: Some("/ws/echo") }, Some(note.into())))
        }
        Peer::RawTcp => Ok((
            Launch { program: loadgen.to_owned(), args: vec!["tcp-echo".into()], env: Vec::new(), ws_path: None },
            None,
        )),
        Peer::PyWebsockets => {
            let target = tools.join("py-websockets");
            ensure_py_websockets(&target)?;
            let launch = Launch {
                program: "python3".into(),
                args: vec![text(peers.join("websockets_echo.py"))],
                env: vec![("PYTHONPATH".into(), text(target))],
                ws_path: Some("/"),
            };
            Ok((launch, None))
        }
        Peer::NodeWs => {
            let prefix = tools.join("node-ws");
            ensure_node_ws(&prefix)?;
            let launch = Launch {
                program: "node".into(),
                args: vec![text(peers.join("ws_echo.cjs"))],
                env: vec![("NODE_PATH".into(), text(prefix.join("node_modules")))],
                ws_path: Some("/"),
            };
            Ok((launch, None))
        }
    }
}

fn ensure_py_websockets(target: &Path) -> Result<(), String> {
    if output("python3", &["--version"]).is_none() {
        return Err("python3 is missing".into());
    }
    let installed = Command::new("python3")
        .args(["-c", "import websockets; print(websockets.__version__)"])
        .env("PYTHONPATH", target)
        .stderr(Stdio::null())
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    if installed.as_deref() == Some(PY_WEBSOCKETS_VERSION) {
        return Ok(());
    }
    let target = target.to_string_lossy();
    let package = format!("websockets=={PY_WEBSOCKETS_VERSION}");
    process::run(&mut command(
        "python3",
        &["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "--target", &target, &package],
    ))
}

fn ensure_node_ws(prefix: &Path) -> Result<(), String> {
    if output("node", &["--version"]).is_none() || output("npm", &["--version"]).is_none() {
        return Err("Node.js or npm is missing (`cargo xtask setup` installs them)".into());
    }
    let manifest = prefix.join("node_modules").join("ws").join("package.json");
    let wanted = format!("\"version\": \"{NODE_WS_VERSION}\"");
    if std::fs::read_to_string(manifest).is_ok_and(|text| text.contains(&wanted)) {
        return Ok(());
    }
    let prefix = prefix.to_string_lossy();
    let package = format!("ws@{NODE_WS_VERSION}");
    process::run(&mut command("npm", &["install", "--no-audit", "--no-fund", "--prefix", &prefix, &package]))
}

/// A server child process, stopped when dropped.
struct Server {
    peer: Peer,
    process: ServerProcess,
    /// `ws://HOST:PORT/PATH` or `tcp://HOST:PORT`.
    target: String,
}

impl Server {
    fn start(peer: Peer, launch: &Launch, pinned: bool, logs: &Path) -> Result<Server, String> {
        let log_path = logs.join(format!("{}.log", peer.log_name()));
        let log = std::fs::File::create(&log_path)
            .map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
        let mut command = with_file_limit_raised(pinned.then_some(SERVER_CORE), &launch.program, &launch.args);
        command.envs(launch.env.iter().map(|(key, value)| (key, value))).stderr(log);
        let process =
            ServerProcess::spawn(command, false).map_err(|why| format!("{why} (see {})", log_path.display()))?;
        let target = match launch.ws_path {
            Some(path) => format!("ws://{}{path}", process.address),
            None => format!("tcp://{}", process.address),
        };
        Ok(Server { peer, process, target })
    }

    fn pid(&self) -> String {
        self.process.pid().to_string()
    }
}

fn loadgen_run(
    loadgen: &str,
    server: &Server,
    scenario: &Scenario,
    options: &Options,
    pinned: bool,
) -> Result<Sample, String> {
    let mut args: Vec<String> = vec!["run".into(), "--target".into(), server.target.clone()];
    args.extend(scenario.loadgen_args.iter().map(|arg| (*arg).to_owned()));
    args.extend(["--secs".into(), options.secs.to_string(), "--server-pid".into(), server.pid()]);
    let stdout =
        process::capture(&mut with_file_limit_raised(pinned.then_some(CLIENT_CORE), loadgen, &args))?.into_stdout()?;
    stdout.lines().find_map(parse_result).ok_or_else(|| "the load generator printed no RESULT line".to_owned())
}

fn loadgen_idle(loadgen: &str, server: &Server, pinned: bool) -> Result<Idle, String> {
    let counts: Vec<String> = IDLE_COUNTS.iter().map(usize::to_string).collect();
    let args: Vec<String> = vec![
        "idle".into(),
        "--target".into(),
        server.target.clone(),
        "--counts".into(),
        counts.join(","),
        "--server-pid".into(),
        server.pid(),
    ];
    let stdout =
        process::capture(&mut with_file_limit_raised(pinned.then_some(CLIENT_CORE), loadgen, &args))?.into_stdout()?;
    parse_idle(&stdout).ok_or_else(|| "the load generator printed no IDLE line".to_owned())
}

/// The fields of a `RESULT\tkey=value...` line.
pub(crate) fn parse_result(line: &str) -> Option<Sample> {
    let fields = line.strip_prefix("RESULT\t")?;
    let sample: Sample = fields
        .split('\t')
        .filter_map(|field| field.split_once('='))
        .filter_map(|(key, value)| Some((key.to_owned(), value.trim().parse::<f64>().ok().filter(|v| v.is_finite())?)))
        .collect();
    sample.contains_key("msgs_per_s").then_some(sample)
}

/// The `IDLE\tconnections=N\tbaseline_kib=B\trss_kib=R` lines of an idle run.
fn parse_idle(stdout: &str) -> Option<Idle> {
    let mut idle: Option<Idle> = None;
    for line in stdout.lines() {
        let Some(fields) = line.strip_prefix("IDLE\t") else { continue };
        let field = |name: &str| {
            fields.split('\t').find_map(|field| field.strip_prefix(name)?.strip_prefix('=')?.parse::<f64>().ok())
        };
        let (Some(count), Some(baseline), Some(rss)) = (field("connections"), field("baseline_kib"), field("rss_kib"))
        else {
            continue;
        };
        let entry = idle.get_or_insert_with(|| Idle { baseline_kib: baseline, at: Vec::new() });
        entry.at.push((count as usize, rss));
    }
    idle
}

/// The median of sorted values (at least one).
fn median(sorted: &[f64]) -> f64 {
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 { sorted[middle] } else { (sorted[middle - 1] + sorted[middle]) / 2.0 }
}

/// `1234567.8` as `1,234,568`.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

fn micros(value: f64) -> String {
    format!("{value:.1} us")
}

fn mib(value: f64) -> String {
    format!("{value:.1}")
}

/// CPU seconds per message as microseconds, to three significant digits or so.
fn cpu_per_message(seconds: f64) -> String {
    let micros = seconds * 1e6;
    match micros {
        100.0.. => format!("{micros:.0}us"),
        10.0.. => format!("{micros:.1}us"),
        _ => format!("{micros:.2}us"),
    }
}

fn kib(value: f64) -> String {
    format!("{value:.2} KiB")
}

/// Column widths of the main table.
const NAME: usize = 22;
const VALUE: usize = 12;
const SPREAD: usize = 25;
const RATIO: usize = 8;
const CPU: usize = 15;

/// One server's row of a figure: median, spread, ratio to raw TCP, CPU shares and a note; or
/// FAILED and why.
fn row(peer: Peer, cell: &Cell, base: Option<f64>, show: fn(f64) -> String, shares: Shares, note: &str) -> String {
    let name = format!("  {}", peer.label());
    let spread = match cell {
        Cell::Failed(why) => return format!("{name:<NAME$} {:>VALUE$}  {why}\n", "FAILED"),
        Cell::NotMeasured => return format!("{name:<NAME$} {:>VALUE$}\n", "-"),
        Cell::Measured(spread) => spread,
    };
    let range =
        if spread.min == spread.max { "-".to_owned() } else { format!("{} - {}", show(spread.min), show(spread.max)) };
    let ratio =
        base.filter(|base| *base > 0.0).map_or_else(|| "-".to_owned(), |base| format!("{:.2}x", spread.median / base));
    let per_message = |share: Option<f64>| match (share, shares.rate) {
        (Some(share), Some(rate)) if rate > 0.0 => format!("{:.0}% {}", share * 100.0, cpu_per_message(share / rate)),
        (Some(share), _) => format!("{:.0}%", share * 100.0),
        (None, _) => "-".to_owned(),
    };
    let mut line = format!(
        "{name:<NAME$} {:>VALUE$} {range:>SPREAD$} {ratio:>RATIO$} {:>CPU$} {:>CPU$}",
        show(spread.median),
        per_message(shares.server),
        per_message(shares.client),
    );
    if !note.is_empty() {
        line.push_str("  ");
        line.push_str(note);
    }
    line.push('\n');
    line
}

/// A target's value: a ratio or amount from the medians, or why there is none.
enum Outcome {
    Value { value: f64, client_bound: bool },
    Failed,
    NotMeasured,
}

impl Outcome {
    /// `figure` of wirelab-server over the same figure of `peer`.
    fn ratio(results: &Results, figure: &Figure, peer: Peer) -> Outcome {
        let ours = results.cell(figure.scenario, Peer::Wirelab, figure.field);
        let theirs = results.cell(figure.scenario, peer, figure.field);
        if matches!(ours, Cell::Failed(_)) || matches!(theirs, Cell::Failed(_)) {
            return Outcome::Failed;
        }
        let (Some(ours), Some(theirs)) = (ours.median(), theirs.median()) else { return Outcome::NotMeasured };
        let client_bound =
            [Peer::Wirelab, peer].iter().any(|peer| results.shares(figure.scenario, *peer).client_bound().is_some());
        Outcome::Value { value: ours / theirs, client_bound }
    }

    fn of(cell: Cell) -> Outcome {
        match cell {
            Cell::Measured(spread) => Outcome::Value { value: spread.median, client_bound: false },
            Cell::Failed(_) => Outcome::Failed,
            Cell::NotMeasured => Outcome::NotMeasured,
        }
    }
}

fn render(results: &Results) -> String {
    let mut out = format!(
        "{:<NAME$} {:>VALUE$} {:>SPREAD$} {:>RATIO$} {:>CPU$} {:>CPU$}\n",
        "figure, server", "median", "spread (min - max)", "/raw TCP", "server CPU", "client CPU"
    );
    for figure in &FIGURES {
        let _ = writeln!(out, "{}", figure.title);
        let base = results.cell(figure.scenario, Peer::RawTcp, figure.field).median();
        for peer in Peer::ALL {
            let shares = results.shares(figure.scenario, peer);
            let note = shares.client_bound().unwrap_or_default();
            let cell = results.cell(figure.scenario, peer, figure.field);
            out.push_str(&row(peer, &cell, base, figure.show, shares, &note));
        }
    }
    for count in IDLE_COUNTS {
        let _ = writeln!(out, "(iv)  RSS per idle conn, {} conns (one run each)", grouped(count as f64));
        let base = results.idle_cell(Peer::RawTcp, count).median();
        for peer in Peer::ALL {
            let note = match results.idle.get(&peer) {
                Some(Ok(idle)) => idle.rss_kib(count).map_or_else(String::new, |rss| {
                    format!("RSS {:.1} MiB with them, {:.1} MiB before", rss / 1024.0, idle.baseline_kib / 1024.0)
                }),
                _ => String::new(),
            };
            out.push_str(&row(peer, &results.idle_cell(peer, count), base, kib, Shares::default(), &note));
        }
    }

    let python = match Outcome::ratio(results, &FIGURES[0], Peer::PyWebsockets) {
        Outcome::Value { value, .. } => format!("{value:.2}x"),
        Outcome::Failed => "FAILED".into(),
        Outcome::NotMeasured => "-".into(),
    };
    let _ = writeln!(out, "\nwirelab-server / Python websockets, (i): {python}");

    let [throughput, _, p99, pipelined, large] = &FIGURES;
    let targets = [
        ("(i) throughput vs raw TCP", Outcome::ratio(results, throughput, Peer::RawTcp), ">= 0.90x", true, 0.90),
        (
            "(i) throughput vs Python websockets",
            Outcome::ratio(results, throughput, Peer::PyWebsockets),
            ">= 2.50x",
            true,
            2.5,
        ),
        ("(ii) p99 latency vs raw TCP", Outcome::ratio(results, p99, Peer::RawTcp), "<= 1.05x", false, 1.05),
        ("(ii') pipelined vs raw TCP", Outcome::ratio(results, pipelined, Peer::RawTcp), ">= 0.80x", true, 0.80),
        ("(iii) 1 MiB messages vs raw TCP", Outcome::ratio(results, large, Peer::RawTcp), ">= 0.85x", true, 0.85),
        (
            "(iv) RSS per idle connection (5,000)",
            Outcome::of(results.idle_cell(Peer::Wirelab, 5000)),
            "<= 7 KiB",
            false,
            7.0,
        ),
    ];
    let width = 40;
    let _ = writeln!(out, "\n{:<width$} {:>10} {:>10}  met", "wirelab-server target", "value", "target");
    for (name, outcome, shown_target, at_least, bound) in targets {
        let (value, met) = match outcome {
            Outcome::Value { value, client_bound } => {
                let met = if at_least { value >= bound } else { value <= bound };
                let shown = if name.starts_with("(iv)") { format!("{value:.2} KiB") } else { format!("{value:.2}x") };
                let met = if met { "yes" } else { "NO" };
                (shown, if client_bound { format!("{met} (client-bound)") } else { met.to_owned() })
            }
            Outcome::Failed => ("FAILED".into(), "-".into()),
            Outcome::NotMeasured => ("-".into(), "not measured".into()),
        };
        let _ = writeln!(out, "{name:<width$} {value:>10} {shown_target:>10}  {met}");
    }
    let _ = writeln!(
        out,
        "\nserver CPU, client CPU: each side's share of one core over the measured window (medians), \
         and its CPU time per echoed message; the busier side bounds the rate, and shares well under \
         100% on both sides mean other load on the machine. client-bound: the load generator's core \
         was at least {:.0}% busy.",
        CLIENT_BOUND * 100.0
    );
    for note in &results.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_and_idle_lines_are_read() {
        let sample = parse_result("RESULT\tmessages=10\tmsgs_per_s=5.5\tp50_us=-\tserver_cpu=0.5").unwrap();
        assert_eq!(sample.get("msgs_per_s"), Some(&5.5));
        assert_eq!(sample.get("p50_us"), None);
        assert!(parse_result("noise").is_none());
        let idle = parse_idle(
            "IDLE\tconnections=1000\tbaseline_kib=5000\trss_kib=12000\nx\n\
             IDLE\tconnections=5000\tbaseline_kib=5000\trss_kib=40000\n",
        )
        .unwrap();
        assert_eq!(idle.per_connection_kib(1000), Some(7.0));
        assert_eq!(idle.per_connection_kib(5000), Some(7.0));
        assert_eq!(idle.per_connection_kib(3), None);
    }

    #[test]
    fn spreads_and_numbers() {
        let cases = [
            (vec![3.0, 1.0, 2.0], Some((2.0, 1.0, 3.0))),
            (vec![4.0, 1.0], Some((2.5, 1.0, 4.0))),
            (vec![7.0], Some((7.0, 7.0, 7.0))),
            (Vec::new(), None),
        ];
        for (values, expected) in cases {
            let spread = Spread::of(values.clone()).map(|spread| (spread.median, spread.min, spread.max));
            assert_eq!(spread, expected, "{values:?}");
        }
        assert_eq!(grouped(1234567.4), "1,234,567");
        assert_eq!(grouped(999.0), "999");
    }

    fn sample(rate: f64, latency: f64, client_cpu: f64, client_core: f64) -> Sample {
        [
            ("msgs_per_s", rate),
            ("mib_per_s", rate),
            ("p50_us", latency),
            ("p99_us", latency),
            ("server_cpu", 1.0),
            ("client_cpu", client_cpu),
            ("client_core_busy", client_core),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
    }

    /// Every scenario measured three times for wirelab-server, raw TCP and Python websockets;
    /// Node ws could not be installed.
    fn measured() -> Results {
        let mut results = Results::default();
        for scenario in SCENARIOS {
            for run in 1..=3 {
                let spread = run as f64;
                results.record(scenario, Peer::Wirelab, run, Ok(sample(94.0 + spread, 10.0, 0.5, 0.6)));
                results.record(scenario, Peer::RawTcp, run, Ok(sample(100.0, 10.0, 0.5, 0.6)));
                results.record(scenario, Peer::PyWebsockets, run, Ok(sample(30.0, 30.0, 0.5, 0.6)));
            }
        }
        results.unavailable.insert(Peer::NodeWs, "not installed: npm is missing".into());
        let idle = Idle { baseline_kib: 5000.0, at: vec![(1000, 11000.0), (5000, 40000.0)] };
        results.idle.insert(Peer::Wirelab, Ok(idle));
        results
    }

    /// The table's lines with each run of spaces made one, for comparing without the layout.
    fn squeezed(table: &str) -> Vec<String> {
        table.lines().map(|line| line.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
    }

    #[test]
    fn the_table_has_medians_spreads_ratios_and_targets() {
        let results = measured();
        let table = render(&results);
        let lines = squeezed(&table);
        let expected = [
            "wirelab-server 96 95 - 97 0.96x 100% 10417us 50% 5208us",
            "raw TCP 10.0 us - 1.00x 100% 10000us 50% 5000us",
            "Node ws FAILED not installed: npm is missing",
            "wirelab-server 7.00 KiB - - - - RSS 39.1 MiB with them, 4.9 MiB before",
            "wirelab-server / Python websockets, (i): 3.20x",
            "(iv) RSS per idle connection (5,000) 7.00 KiB <= 7 KiB yes",
        ];
        for line in expected {
            assert!(lines.iter().any(|shown| shown == line), "{line:?} in\n{table}");
        }
        assert!(!table.contains("NO") && !table.contains("client-bound  "), "{table}");
        assert_eq!(results.failures(), vec!["Node ws: not installed: npm is missing".to_owned()]);
    }

    #[test]
    fn a_failed_run_fails_its_cell_its_targets_and_the_command() {
        let mut results = measured();
        results.unavailable.clear();
        results.record(&THROUGHPUT, Peer::RawTcp, 4, Err("the echo of message 3 differs at byte 2 of 64".into()));
        results.idle.insert(Peer::PyWebsockets, Err("the load generator printed no IDLE line".into()));
        let table = render(&results);
        let failed: Vec<String> = squeezed(&table).into_iter().filter(|line| line.contains("FAILED")).collect();
        assert_eq!(
            failed,
            vec![
                "raw TCP FAILED 1 of 4 runs; run 4: the echo of message 3 differs at byte 2 of 64",
                "Python websockets FAILED the load generator printed no IDLE line",
                "Python websockets FAILED the load generator printed no IDLE line",
                "(i) throughput vs raw TCP FAILED >= 0.90x -",
            ],
            "{table}"
        );
        assert_eq!(
            results.failures(),
            vec![
                "raw TCP (i) run 4: the echo of message 3 differs at byte 2 of 64".to_owned(),
                "Python websockets (iv): the load generator printed no IDLE line".to_owned(),
            ]
        );
    }

    #[test]
    fn figures_bound_by_the_client_say_so() {
        let cases = [
            (0.97, 0.98, Some("client-bound")),
            (0.60, 0.99, Some("client-bound: its core 99% busy, 39% of it other processes")),
            (0.60, 0.70, None),
        ];
        for (client, core, expected) in cases {
            let shares = Shares { rate: Some(1.0), server: Some(1.0), client: Some(client), client_core: Some(core) };
            assert_eq!(shares.client_bound().as_deref(), expected, "client {client}, core {core}");
        }
        let mut results = measured();
        results.runs.clear();
        for run in 1..=3 {
            results.record(&THROUGHPUT, Peer::Wirelab, run, Ok(sample(95.0, 10.0, 0.99, 1.0)));
            results.record(&THROUGHPUT, Peer::RawTcp, run, Ok(sample(100.0, 10.0, 0.5, 0.5)));
        }
        let lines = squeezed(&render(&results));
        let expected = [
            "wirelab-server 95 - 0.95x 100% 10526us 99% 10421us client-bound",
            "(i) throughput vs raw TCP 0.95x >= 0.90x yes (client-bound)",
        ];
        for line in expected {
            assert!(lines.contains(&line.to_owned()), "{line:?} in\n{}", lines.join("\n"));
        }
    }
}
