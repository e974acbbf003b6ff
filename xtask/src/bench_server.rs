//! `cargo xtask bench-server`: wirelab-server's WebSocket echo against Python `websockets`, Node
//! `ws` and a raw TCP echo (the upper bound), measured in one run and set side by side.
//!
//! Every server runs pinned to one core and the load generator (`crates/loadgen`) to another, on
//! loopback. For each figure the servers take turns, run after run, so load from other processes
//! falls on all of them alike; each figure is the median of `--reps` runs. Idle memory is measured
//! on a fresh process of each server. The table (values, ratios to raw TCP, the targets
//! and whether each is met, and server CPU per message) is printed and written to
//! target/bench-server.txt. Missed targets are reported, never a failure of the command.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::process::{self, ServerProcess, command, describe, output, root};

/// The Python peer, installed with pip into target/tools/py-websockets.
const PY_WEBSOCKETS_VERSION: &str = "17.4";
/// The Node peer, installed with npm into target/tools/node-ws.
const NODE_WS_VERSION: &str = "8.23.0";
/// Idle connection counts at which the servers' memory is read.
const IDLE_COUNTS: [usize; 2] = [1000, 5000];
/// The core the servers run on and the one the load generator runs on.
const SERVER_CORE: &str = "0";
const CLIENT_CORE: &str = "1";

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

/// The `key=value` fields of one loadgen `RESULT` line; `-` values are left out.
type Sample = BTreeMap<String, f64>;

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

/// Everything measured, and what could not be.
#[derive(Default)]
struct Results {
    /// Per scenario key and peer, one sample per run.
    samples: BTreeMap<(&'static str, Peer), Vec<Sample>>,
    idle: BTreeMap<Peer, Idle>,
    notes: Vec<String>,
}

impl Results {
    /// The median over runs of one field.
    fn median(&self, scenario: &str, peer: Peer, field: &str) -> Option<f64> {
        let key = self.samples.keys().find(|(key, p)| *key == scenario && *p == peer)?;
        let values: Vec<f64> = self.samples[key].iter().filter_map(|sample| sample.get(field).copied()).collect();
        median(values)
    }
}

struct Options {
    reps: usize,
    secs: f64,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
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
            other => return Err(format!("bench-server: unknown option {other}")),
        }
    }
    Ok(options)
}

pub fn bench_server(args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let pinned = pinning_available();
    let mut results = Results::default();
    if !pinned {
        results.notes.push("not pinned: taskset is missing or fewer than 2 cores; figures are less comparable".into());
    }

    process::run(&mut command(
        "cargo",
        &["build", "--release", "-p", "wirelab-server", "--bin", "wirelab-server", "-p", "wirelab-loadgen"],
    ))?;
    let release = root().join("target").join("release");
    let server_binary = release.join("wirelab-server").to_string_lossy().into_owned();
    let loadgen = release.join("wirelab-loadgen").to_string_lossy().into_owned();
    let logs = root().join("target").join("bench-server");
    std::fs::create_dir_all(&logs).map_err(|error| format!("cannot create {}: {error}", logs.display()))?;

    let mut launches = Vec::new();
    for peer in Peer::ALL {
        match prepare(peer, &server_binary, &loadgen) {
            Ok((launch, note)) => {
                results.notes.extend(note);
                launches.push((peer, launch));
            }
            Err(why) => results.notes.push(format!("{} not measured: {why}", peer.label())),
        }
    }
    let load_before = load_average();

    // Throughput and latency: every server up at once, taking turns.
    let mut running = Vec::new();
    for (peer, launch) in &launches {
        match Server::start(*peer, launch, pinned, &logs) {
            Ok(server) => running.push(server),
            Err(why) => results.notes.push(format!("{} not measured: {why}", peer.label())),
        }
    }
    for scenario in SCENARIOS {
        for rep in 1..=options.reps {
            for server in &running {
                eprintln!("\n==> {} | {} | run {rep} of {}", scenario.title, server.peer.label(), options.reps);
                match loadgen_run(&loadgen, server, scenario, &options, pinned) {
                    Ok(sample) => results.samples.entry((scenario.key, server.peer)).or_default().push(sample),
                    Err(why) => results.notes.push(format!("{} {}: {why}", server.peer.label(), scenario.key)),
                }
            }
        }
    }
    drop(running);

    // Idle memory: a fresh process each, so nothing from the load runs is counted.
    for (peer, launch) in &launches {
        eprintln!("\n==> (iv) idle connections | {}", peer.label());
        let measured =
            Server::start(*peer, launch, pinned, &logs).and_then(|server| loadgen_idle(&loadgen, &server, pinned));
        match measured {
            Ok(idle) => {
                results.idle.insert(*peer, idle);
            }
            Err(why) => results.notes.push(format!("{} (iv): {why}", peer.label())),
        }
    }

    let header = format!(
        "wirelab-server bench: loopback, {}; median of {} run(s) of {} s after 1 s of warm-up.\n\
         Load average before/after: {} / {}. Python websockets {PY_WEBSOCKETS_VERSION}, Node ws \
         {NODE_WS_VERSION}; permessage-deflate off everywhere; WebSocket client: the load \
         generator's lean frames (crates/loadgen/src/frames.rs).\n",
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
    let table = format!("{header}\n{}", render(&results));
    println!("\n{table}");
    let file = root().join("target").join("bench-server.txt");
    std::fs::write(&file, &table).map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    eprintln!("xtask: written to {}; server logs in {}", file.display(), logs.display());
    Ok(())
}

fn pinning_available() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores >= 2 && output("taskset", &["--version"]).is_some()
}

fn load_average() -> String {
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

/// `taskset -c CORE sh -c 'ulimit -n <hard limit>; exec "$@"' sh PROGRAM ARGS...`: pinned (when
/// possible) with the open file limit raised for the idle connections; the pid stays the
/// program's own, since each step execs the next.
fn pinned_command(core: &str, pinned: bool, program: &str, args: &[String]) -> Command {
    let mut line: Vec<String> = Vec::new();
    if pinned {
        line.extend(["-c".into(), core.into()]);
    }
    line.extend(["sh".into(), "-c".into(), "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$@\"".into(), "sh".into()]);
    line.push(program.into());
    line.extend(args.iter().cloned());
    let (program, rest) = if pinned { ("taskset", &line[..]) } else { ("sh", &line[1..]) };
    let mut command = command(program, &[]);
    command.args(rest);
    command
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
        let mut command = pinned_command(SERVER_CORE, pinned, &launch.program, &launch.args);
        command.envs(launch.env.iter().map(|(key, value)| (key, value))).stderr(log);
        let process = ServerProcess::spawn(command, false)
            .map_err(|why| format!("{}: {why} (see {})", peer.label(), log_path.display()))?;
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
    let stdout = run_capturing(pinned_command(CLIENT_CORE, pinned, loadgen, &args))?;
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
    let stdout = run_capturing(pinned_command(CLIENT_CORE, pinned, loadgen, &args))?;
    parse_idle(&stdout).ok_or_else(|| "the load generator printed no IDLE line".to_owned())
}

/// Runs a command with stderr inherited and stdout shown and kept.
fn run_capturing(mut command: Command) -> Result<String, String> {
    let shown = describe(&command);
    eprintln!("$ {shown}");
    let out =
        command.stderr(Stdio::inherit()).output().map_err(|error| format!("could not start `{shown}`: {error}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    eprint!("{stdout}");
    if out.status.success() { Ok(stdout) } else { Err(format!("`{shown}` failed ({})", out.status)) }
}

/// The fields of a `RESULT\tkey=value...` line.
fn parse_result(line: &str) -> Option<Sample> {
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

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[middle] } else { (values[middle - 1] + values[middle]) / 2.0 })
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

/// One row of the main table: a value per peer and its ratio to raw TCP.
struct Row {
    title: String,
    values: BTreeMap<Peer, f64>,
    show: fn(f64) -> String,
}

fn render(results: &Results) -> String {
    let mut rows = Vec::new();
    let measured = |scenario: &str, field: &str| -> BTreeMap<Peer, f64> {
        Peer::ALL.iter().filter_map(|peer| Some((*peer, results.median(scenario, *peer, field)?))).collect()
    };
    let whole: fn(f64) -> String = grouped;
    let micros: fn(f64) -> String = |value| format!("{value:.1} us");
    let mib: fn(f64) -> String = |value| format!("{value:.1}");
    let kib: fn(f64) -> String = |value| format!("{value:.2} KiB");
    rows.push(Row { title: THROUGHPUT.title.into(), values: measured(THROUGHPUT.key, "msgs_per_s"), show: whole });
    rows.push(Row {
        title: "(ii)  p50 latency, 1 conn x 64 B".into(),
        values: measured(LATENCY.key, "p50_us"),
        show: micros,
    });
    rows.push(Row {
        title: "(ii)  p99 latency, 1 conn x 64 B".into(),
        values: measured(LATENCY.key, "p99_us"),
        show: micros,
    });
    rows.push(Row { title: PIPELINED.title.into(), values: measured(PIPELINED.key, "msgs_per_s"), show: whole });
    rows.push(Row { title: LARGE.title.into(), values: measured(LARGE.key, "mib_per_s"), show: mib });
    for count in IDLE_COUNTS {
        let per: BTreeMap<Peer, f64> =
            results.idle.iter().filter_map(|(peer, idle)| Some((*peer, idle.per_connection_kib(count)?))).collect();
        rows.push(Row {
            title: format!("(iv)  RSS per idle conn, {} conns", grouped(count as f64)),
            values: per,
            show: kib,
        });
    }

    let width = 44;
    let column = 24;
    let mut out = format!("{:<width$}", "figure (ratio to raw TCP)");
    for peer in Peer::ALL {
        let _ = write!(out, " {:>column$}", peer.label());
    }
    out.push('\n');
    for row in &rows {
        let _ = write!(out, "{:<width$}", row.title);
        let base = row.values.get(&Peer::RawTcp).copied();
        for peer in Peer::ALL {
            let cell = match (row.values.get(&peer), base) {
                (Some(value), Some(base)) if base > 0.0 => format!("{} ({:.2}x)", (row.show)(*value), value / base),
                (Some(value), _) => (row.show)(*value),
                (None, _) => "-".into(),
            };
            let _ = write!(out, " {cell:>column$}");
        }
        out.push('\n');
    }
    for count in IDLE_COUNTS {
        let _ = write!(out, "{:<width$}", format!("      (RSS with {} conns / before)", grouped(count as f64)));
        for peer in Peer::ALL {
            let cell = results.idle.get(&peer).and_then(|idle| {
                Some(format!("{:.1}/{:.1} MiB", idle.rss_kib(count)? / 1024.0, idle.baseline_kib / 1024.0))
            });
            let _ = write!(out, " {:>column$}", cell.unwrap_or_else(|| "-".into()));
        }
        out.push('\n');
    }

    let ratio = |scenario: &str, field: &str, peer: Peer| {
        Some(results.median(scenario, Peer::Wirelab, field)? / results.median(scenario, peer, field)?)
    };
    let _ = writeln!(
        out,
        "\nwirelab-server / Python websockets, (i): {}",
        ratio(THROUGHPUT.key, "msgs_per_s", Peer::PyWebsockets).map_or_else(|| "-".into(), |r| format!("{r:.2}x"))
    );

    let targets: [(&str, Option<f64>, &str, bool, f64); 6] = [
        ("(i) throughput vs raw TCP", ratio(THROUGHPUT.key, "msgs_per_s", Peer::RawTcp), ">= 0.90x", true, 0.90),
        (
            "(i) throughput vs Python websockets",
            ratio(THROUGHPUT.key, "msgs_per_s", Peer::PyWebsockets),
            ">= 2.50x",
            true,
            2.5,
        ),
        ("(ii) p99 latency vs raw TCP", ratio(LATENCY.key, "p99_us", Peer::RawTcp), "<= 1.05x", false, 1.05),
        ("(ii') pipelined vs raw TCP", ratio(PIPELINED.key, "msgs_per_s", Peer::RawTcp), ">= 0.80x", true, 0.80),
        ("(iii) 1 MiB messages vs raw TCP", ratio(LARGE.key, "mib_per_s", Peer::RawTcp), ">= 0.85x", true, 0.85),
        (
            "(iv) RSS per idle connection (5,000)",
            results.idle.get(&Peer::Wirelab).and_then(|idle| idle.per_connection_kib(5000)),
            "<= 7 KiB",
            false,
            7.0,
        ),
    ];
    let _ = writeln!(out, "\n{:<width$} {:>10} {:>10}  met", "wirelab-server target", "value", "target");
    for (name, value, shown_target, at_least, bound) in targets {
        let (value, met) = match value {
            Some(value) => {
                let met = if at_least { value >= bound } else { value <= bound };
                let shown = if name.starts_with("(iv)") { format!("{value:.2} KiB") } else { format!("{value:.2}x") };
                (shown, if met { "yes" } else { "NO" })
            }
            None => ("-".into(), "not measured"),
        };
        let _ = writeln!(out, "{name:<width$} {value:>10} {shown_target:>10}  {met}");
    }

    let _ = writeln!(
        out,
        "\nCPU per echoed message, server/client in us (the busier side bounds the rate), and [server's, \
         client's] share of its core: other load on the machine shows as shares well under 100%"
    );
    for scenario in SCENARIOS {
        let _ = write!(out, "{:<width$}", scenario.title);
        for peer in Peer::ALL {
            let cell = (|| {
                let rate = results.median(scenario.key, peer, "msgs_per_s")?;
                let server = results.median(scenario.key, peer, "server_cpu")?;
                let client = results.median(scenario.key, peer, "client_cpu")?;
                let per = |share: f64| share / rate * 1e6;
                Some(format!("{:.2}/{:.2} [{:.0},{:.0}%]", per(server), per(client), server * 100.0, client * 100.0))
            })();
            let _ = write!(out, " {:>column$}", cell.unwrap_or_else(|| "-".into()));
        }
        out.push('\n');
    }
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
    fn medians_and_numbers() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
        assert_eq!(grouped(1234567.4), "1,234,567");
        assert_eq!(grouped(999.0), "999");
    }

    #[test]
    fn the_table_has_ratios_and_targets() {
        let mut results = Results::default();
        let sample = |rate: f64, p99: f64| -> Sample {
            [
                ("msgs_per_s", rate),
                ("mib_per_s", rate),
                ("p50_us", p99),
                ("p99_us", p99),
                ("server_cpu", 1.0),
                ("client_cpu", 0.5),
            ]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
        };
        for scenario in SCENARIOS {
            results.samples.insert((scenario.key, Peer::Wirelab), vec![sample(95.0, 10.0)]);
            results.samples.insert((scenario.key, Peer::RawTcp), vec![sample(100.0, 10.0)]);
            results.samples.insert((scenario.key, Peer::PyWebsockets), vec![sample(30.0, 30.0)]);
        }
        results.idle.insert(Peer::Wirelab, Idle { baseline_kib: 5000.0, at: vec![(1000, 11000.0), (5000, 40000.0)] });
        let table = render(&results);
        assert!(table.contains("95 (0.95x)"), "{table}");
        assert!(table.contains("/ Python websockets, (i): 3.17x"), "{table}");
        assert!(table.contains("7.00 KiB   <= 7 KiB  yes"), "{table}");
        assert!(!table.contains("NO"), "{table}");
    }
}
