//! `cargo xtask scale-test`: three wirelab-servers behind nginx (Debian's) on loopback, run as
//! deploy/nginx.conf says, then one of them drained and stopped in the middle of the load.
//!
//! 1. Throughput: the WebSocket echo (`wirelab-loadgen run`) straight to one server, then through
//!    nginx with 1, 2 and 3 servers in its upstream, taking turns run after run; the median of
//!    `--reps` runs, as a ratio to one server direct.
//! 2. Drain: echo clients that reconnect and steady HTTP clients (`wirelab-loadgen reconnect`,
//!    `GET /get` on kept-alive connections; not h2load, whose clients stop for good when nginx's
//!    graceful reload closes their idle connections) through nginx with all three servers, while this command acts as the balancer's
//!    readiness agent: it polls every server's `/readyz`, and when one answers 503 it marks that
//!    server `down` in nginx's upstream and reloads nginx (open-source nginx has no active health
//!    checks). A third of the way in, server 1 gets SIGTERM (`--drain-delay`): it must turn
//!    unready before any of its WebSockets gets 1001, its clients must reconnect to the others,
//!    no HTTP request may fail, and what the three servers' metrics counted (server 1's from
//!    the `final metrics` line of its JSON log) must add up to what the clients sent.
//!
//! A table of what happened with PASS/FAIL, printed and written to target/scale-test.txt; the
//! command fails if any check fails. Everything shares the machine's cores (nginx, three
//! servers, the clients), so the throughput figures say what this machine allows, no more.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::bench_server::{Spread, load_average, parse_result, publish};
use crate::bench_tls::{free_port, nginx_version};
use crate::nginx_conf::{self, Upstream};
use crate::process::{self, ServerProcess, command, root};
use crate::tools::{Needs, Tools};

const SERVERS: usize = 3;
/// The drained server's `--drain-delay`: long enough for the readiness agent to see it.
const DRAIN_DELAY_SECS: f64 = 2.0;
/// How long a `/readyz` poll or a scrape may take.
const POLL_TIMEOUT: Duration = Duration::from_secs(2);
/// How often the readiness agent polls each server's `/readyz`.
const READINESS_POLL: Duration = Duration::from_millis(100);
/// Echo connections held through the drain, and the messages each sends per second.
const DRAIN_CONNECTIONS: usize = 30;
const DRAIN_RATE: f64 = 50.0;
/// HTTP clients and the requests per second of each during the drain.
const HTTP_CLIENTS: usize = 8;
const HTTP_RATE: f64 = 50.0;
/// The least share of the planned messages and requests that must have been sent: a load that
/// quietly stopped would otherwise pass every other check.
const LEAST_SENT_SHARE: f64 = 0.9;

struct Options {
    reps: usize,
    /// nginx's worker processes; by default one per core, as `worker_processes auto` gives.
    nginx_workers: u32,
    secs: f64,
    drain_secs: f64,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut options =
        Options { reps: 3, nginx_workers: u32::try_from(cores).unwrap_or(1), secs: 3.0, drain_secs: 12.0 };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--reps" => options.reps = parse_number(value("--reps")?, "--reps")?,
            "--secs" => options.secs = parse_number(value("--secs")?, "--secs")?,
            "--drain-secs" => options.drain_secs = parse_number(value("--drain-secs")?, "--drain-secs")?,
            "--nginx-workers" => options.nginx_workers = parse_number(value("--nginx-workers")?, "--nginx-workers")?,
            other => {
                return Err(format!(
                    "scale-test: unknown option {other} (--reps N, --secs S, --drain-secs S, --nginx-workers N)"
                ));
            }
        }
    }
    if options.reps == 0 || options.nginx_workers == 0 || options.secs <= 0.0 || options.drain_secs < 6.0 {
        return Err(
            "scale-test: --reps and --nginx-workers must be at least 1, --secs more than 0, --drain-secs at least 6"
                .to_owned(),
        );
    }
    Ok(options)
}

fn parse_number<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{name}: not a number: {text}"))
}

pub fn scale_test(args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    Tools::ensure(Needs { app_build: false, browser_tests: false, end_to_end: false, protocol_clients: true })?;
    let (server_binary, loadgen, logs) = process::build_server_and_loadgen("scale-test")?;
    let servers: Vec<Instance> =
        (1..=SERVERS).map(|number| Instance::start(&server_binary, number, &logs)).collect::<Result<_, _>>()?;
    let nginx = Nginx::start(&logs, &servers, options.nginx_workers)?;

    let mut table = String::new();
    let _ = writeln!(
        table,
        "scale-test: {SERVERS} wirelab-servers behind nginx ({}, {} worker processes), {} cores, load average at start {}",
        nginx_version(),
        options.nginx_workers,
        std::thread::available_parallelism().map_or(1, usize::from),
        load_average()
    );
    let throughput = measure_throughput(&options, &loadgen, &servers, &nginx)?;
    write_throughput(&mut table, &options, &throughput);
    let drain = run_drain(&options, &loadgen, &logs, servers, &nginx)?;
    let failed = write_drain(&mut table, &drain);
    publish("scale-test.txt", &table)?;
    if failed > 0 {
        return Err(format!("scale-test: {failed} check(s) failed; logs in {}", logs.display()));
    }
    Ok(())
}

/// One wirelab-server: its app port, its metrics port, its JSON log.
struct Instance {
    number: usize,
    process: ServerProcess,
    metrics_port: u16,
    log: PathBuf,
}

impl Instance {
    fn start(binary: &str, number: usize, logs: &Path) -> Result<Instance, String> {
        let metrics_port = free_port()?;
        let log = logs.join(format!("server-{number}.jsonl"));
        let stderr =
            std::fs::File::create(&log).map_err(|error| format!("cannot create {}: {error}", log.display()))?;
        let empty_dist = logs.join("no-app");
        std::fs::create_dir_all(&empty_dist)
            .map_err(|error| format!("cannot create {}: {error}", empty_dist.display()))?;
        let drain = DRAIN_DELAY_SECS.to_string();
        let metrics = metrics_port.to_string();
        let dist = empty_dist.to_string_lossy().into_owned();
        let mut server = process::with_file_limit_raised(
            None,
            binary,
            &[
                "--port",
                "0",
                "--metrics-port",
                &metrics,
                "--drain-delay",
                &drain,
                "--log-format",
                "json",
                "--no-peers",
                "--no-mqtt",
                "--idle-timeout",
                "0",
                "--static-dir",
                &dist,
            ]
            .map(str::to_owned),
        );
        server.stderr(Stdio::from(stderr)).env("RUST_LOG", "warn,wirelab_server=info");
        let process = ServerProcess::spawn(server, false)?;
        Ok(Instance { number, process, metrics_port, log })
    }

    fn port(&self) -> Result<u16, String> {
        self.process.address.rsplit(':').next().and_then(|port| port.parse().ok()).ok_or_else(|| {
            format!("server {} said it listens on {}, which has no port", self.number, self.process.address)
        })
    }

    fn metrics(&self) -> Result<String, String> {
        process::http_get(&format!("127.0.0.1:{}", self.metrics_port), "/metrics", POLL_TIMEOUT).and_then(
            |(status, body)| {
                if status == 200 {
                    Ok(body)
                } else {
                    Err(format!("server {}: /metrics answered {status}", self.number))
                }
            },
        )
    }

    /// The `final metrics` the server logged as it exited (`--log-format json`).
    fn final_metrics(&self) -> Result<String, String> {
        let log = std::fs::read_to_string(&self.log)
            .map_err(|error| format!("cannot read {}: {error}", self.log.display()))?;
        log.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find(|event| event["message"] == "final metrics")
            .and_then(|event| event["exposition"].as_str().map(str::to_owned))
            .ok_or_else(|| format!("server {} logged no final metrics in {}", self.number, self.log.display()))
    }
}

/// nginx run from deploy/nginx.conf, its upstream rewritten as servers come and go.
struct Nginx {
    child: Child,
    control: NginxControl,
}

/// What it takes to rewrite nginx's upstream and reload it, from any thread.
#[derive(Clone)]
struct NginxControl {
    template: String,
    port: u16,
    prefix: PathBuf,
    main_conf: PathBuf,
    site_conf: PathBuf,
    upstream_ports: Vec<u16>,
}

impl Nginx {
    fn start(logs: &Path, servers: &[Instance], workers: u32) -> Result<Nginx, String> {
        let template_path = root().join("deploy").join("nginx.conf");
        let template = std::fs::read_to_string(&template_path)
            .map_err(|error| format!("cannot read {}: {error}", template_path.display()))?;
        let prefix = logs.join("nginx");
        std::fs::create_dir_all(&prefix).map_err(|error| format!("cannot create {}: {error}", prefix.display()))?;
        let site_conf = prefix.join("wirelab.conf");
        let main_conf = prefix.join("nginx.conf");
        std::fs::write(&main_conf, nginx_conf::main_conf(&prefix, &site_conf, workers))
            .map_err(|error| format!("cannot write {}: {error}", main_conf.display()))?;
        let upstream_ports = servers.iter().map(Instance::port).collect::<Result<Vec<_>, _>>()?;
        let port = free_port()?;
        let control = NginxControl { template, port, prefix, main_conf, site_conf, upstream_ports };
        control.write_site(&[])?;
        process::run(&mut control.command(&["-t", "-q"]))
            .map_err(|error| format!("nginx -t refused the rendered deploy/nginx.conf: {error}"))?;
        let mut start = control.command(&[]);
        eprintln!("$ {}", process::describe(&start));
        let child = start
            .stdin(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start nginx (apt-get install nginx): {error}"))?;
        let mut nginx = Nginx { child, control };
        let see = format!("; see {}", nginx.control.error_log());
        process::wait_until_listening(&mut nginx.child, port, "nginx", &see)?;
        Ok(nginx)
    }
}

impl NginxControl {
    fn error_log(&self) -> String {
        self.prefix.join("error.log").to_string_lossy().into_owned()
    }

    fn command(&self, extra: &[&str]) -> Command {
        let prefix = self.prefix.to_string_lossy().into_owned();
        let conf = self.main_conf.to_string_lossy().into_owned();
        let mut nginx = command("nginx", &["-p", &prefix, "-c", &conf, "-e", &self.error_log()]);
        nginx.args(extra);
        nginx
    }

    /// Writes the site config with the servers numbered in `down` (1-based) marked down.
    fn write_site(&self, down: &[usize]) -> Result<(), String> {
        let upstreams: Vec<Upstream> = self
            .upstream_ports
            .iter()
            .enumerate()
            .map(|(index, &port)| Upstream { port, down: down.contains(&(index + 1)) })
            .collect();
        let site = nginx_conf::render(&self.template, self.port, &upstreams)?;
        std::fs::write(&self.site_conf, site)
            .map_err(|error| format!("cannot write {}: {error}", self.site_conf.display()))
    }

    /// Marks the servers in `down` down and reloads nginx gracefully: new workers take new
    /// connections, old ones finish what they carry (the WebSockets already open).
    fn reload_with_down(&self, down: &[usize]) -> Result<(), String> {
        self.write_site(down)?;
        process::run(&mut self.command(&["-s", "reload"]))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = process::run(&mut self.control.command(&["-s", "quit"]));
        process::wait_or_kill(&mut self.child, Duration::from_secs(5));
    }
}

/// The throughput runs' arrangements, in the order they take turns.
const ARRANGEMENTS: [Arrangement; 4] =
    [Arrangement::Direct, Arrangement::ThroughNginx(1), Arrangement::ThroughNginx(2), Arrangement::ThroughNginx(3)];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Arrangement {
    /// The clients straight to server 1.
    Direct,
    /// Through nginx, with this many servers in its upstream.
    ThroughNginx(usize),
}

impl Arrangement {
    fn label(self) -> String {
        match self {
            Arrangement::Direct => "1 server, direct (no nginx)".to_owned(),
            Arrangement::ThroughNginx(1) => "nginx -> 1 server".to_owned(),
            Arrangement::ThroughNginx(count) => format!("nginx -> {count} servers"),
        }
    }
}

/// Messages per second of each arrangement's runs.
type Throughput = BTreeMap<Arrangement, Vec<f64>>;

fn measure_throughput(
    options: &Options,
    loadgen: &str,
    servers: &[Instance],
    nginx: &Nginx,
) -> Result<Throughput, String> {
    let mut throughput = Throughput::new();
    for rep in 1..=options.reps {
        for arrangement in ARRANGEMENTS {
            let address = match arrangement {
                Arrangement::Direct => servers[0].process.address.clone(),
                Arrangement::ThroughNginx(count) => {
                    let down: Vec<usize> = (count + 1..=SERVERS).collect();
                    nginx.control.reload_with_down(&down)?;
                    // The new workers start within milliseconds; the old ones finish idle connections.
                    std::thread::sleep(Duration::from_millis(500));
                    format!("127.0.0.1:{}", nginx.control.port)
                }
            };
            let target = format!("ws://{address}/ws/echo");
            let secs = options.secs.to_string();
            let mut run = command(
                loadgen,
                &[
                    "run",
                    "--target",
                    &target,
                    "--connections",
                    "64",
                    "--size",
                    "64",
                    "--warmup-secs",
                    "1",
                    "--secs",
                    &secs,
                ],
            );
            eprintln!("$ {} (run {rep} of {})", process::describe(&run), options.reps);
            let stdout = process::capture(&mut run)?.into_stdout()?;
            let sample = stdout
                .lines()
                .find_map(parse_result)
                .ok_or_else(|| format!("{} gave no RESULT line: {stdout}", arrangement.label()))?;
            let rate = sample.get("msgs_per_s").copied().unwrap_or_default();
            throughput.entry(arrangement).or_default().push(rate);
        }
    }
    Ok(throughput)
}

fn write_throughput(table: &mut String, options: &Options, throughput: &Throughput) {
    let _ = writeln!(
        table,
        "\nWebSocket echo throughput: 64 connections, 64 B text, one message in flight each, {} s per run, median of \
         {} runs (min-max); everything on the same 2 cores",
        options.secs, options.reps
    );
    let _ = writeln!(table, "{:<32} {:>22} {:>14}", "arrangement", "messages/s", "vs direct");
    let direct =
        throughput.get(&Arrangement::Direct).and_then(|runs| Spread::of(runs.clone())).map(|spread| spread.median);
    for arrangement in ARRANGEMENTS {
        let Some(spread) = throughput.get(&arrangement).and_then(|runs| Spread::of(runs.clone())) else { continue };
        let ratio = direct
            .filter(|direct| *direct > 0.0)
            .map_or_else(|| "-".to_owned(), |d| format!("{:.2}x", spread.median / d));
        let _ = writeln!(
            table,
            "{:<32} {:>22} {:>14}",
            arrangement.label(),
            format!("{:.0} ({:.0}-{:.0})", spread.median, spread.min, spread.max),
            ratio
        );
    }
}

/// What the drain phase saw.
struct Drain {
    /// How long the clients ran.
    secs: f64,
    sigterm_at: u128,
    unready_at: Option<u128>,
    reloaded_at: Option<u128>,
    exited: Option<(u128, bool)>,
    clients: BTreeMap<String, String>,
    http: BTreeMap<String, String>,
    /// Counted by the servers during the drain phase (server 1's final figures minus its figures
    /// before the phase, plus the others' differences), by what was counted.
    counted: Counted,
    drained_closes_1001: f64,
    errors: Vec<String>,
}

#[derive(Default)]
struct Counted {
    messages_in: f64,
    messages_out: f64,
    opened: f64,
    http_get_200: f64,
    http_get_other: f64,
}

fn run_drain(
    options: &Options,
    loadgen: &str,
    logs: &Path,
    servers: Vec<Instance>,
    nginx: &Nginx,
) -> Result<Drain, String> {
    nginx.control.reload_with_down(&[])?;
    std::thread::sleep(Duration::from_millis(500));
    let before: Vec<String> = servers.iter().map(Instance::metrics).collect::<Result<_, _>>()?;
    let gateway = format!("127.0.0.1:{}", nginx.control.port);
    let secs = options.drain_secs.to_string();
    let target = format!("ws://{gateway}/ws/echo");
    let connections = DRAIN_CONNECTIONS.to_string();
    let rate = DRAIN_RATE.to_string();
    let http_target = format!("http://{gateway}/get");
    let (http_clients, http_rate) = (HTTP_CLIENTS.to_string(), HTTP_RATE.to_string());
    let mut clients = command(
        loadgen,
        &[
            "reconnect",
            "--target",
            &target,
            "--connections",
            &connections,
            "--rate",
            &rate,
            "--secs",
            &secs,
            "--http-target",
            &http_target,
            "--http-clients",
            &http_clients,
            "--http-rate",
            &http_rate,
        ],
    );
    eprintln!("$ {}", process::describe(&clients));
    let clients =
        clients.stdout(Stdio::piped()).spawn().map_err(|error| format!("cannot start the clients: {error}"))?;

    // The readiness agent: polls every server's /readyz and takes an unready one out of nginx.
    let ports: Vec<u16> = servers.iter().map(Instance::port).collect::<Result<_, _>>()?;
    let stop_agent = Arc::new(AtomicBool::new(false));
    let agent = {
        let stop = Arc::clone(&stop_agent);
        let control = nginx.control.clone();
        std::thread::spawn(move || readiness_agent(&ports, &control, &stop))
    };

    std::thread::sleep(Duration::from_secs_f64(options.drain_secs / 3.0));
    let mut servers = servers.into_iter();
    let Some(mut drained) = servers.next() else { return Err("no server to drain".to_owned()) };
    let sigterm_at = unix_ms();
    process::run(&mut command("kill", &["-TERM", &drained.process.pid().to_string()]))?;
    let exit_deadline = Instant::now() + Duration::from_secs_f64(DRAIN_DELAY_SECS + 10.0);
    let mut exited = None;
    while Instant::now() < exit_deadline {
        if let Some(status) = drained.process.exited() {
            exited = Some((unix_ms(), status.success()));
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    let clients = clients.wait_with_output().map_err(|error| format!("the clients failed: {error}"))?;
    stop_agent.store(true, Ordering::Release);
    let AgentReport { unready_at, reloaded_at, mut errors } =
        agent.join().map_err(|_| "the readiness agent panicked".to_owned())?;

    let clients_out = String::from_utf8_lossy(&clients.stdout).into_owned();
    let _ = std::fs::write(logs.join("reconnect.txt"), &clients_out);
    let http = tagged_fields(&clients_out, "HTTP");
    let clients = tagged_fields(&clients_out, "RECONNECT");
    if clients.is_empty() || http.is_empty() {
        errors.push(format!("the clients printed no RECONNECT or HTTP line: {clients_out}"));
    }

    let mut counted = Counted::default();
    let mut drained_closes_1001 = 0.0;
    let remaining: Vec<Instance> = servers.collect();
    let mut after = Vec::new();
    match drained.final_metrics() {
        Ok(text) => {
            drained_closes_1001 =
                sum(&text, "wirelab_websocket_closes_total", &[("endpoint", "/ws/echo"), ("code", "1001")])
                    - sum(&before[0], "wirelab_websocket_closes_total", &[("endpoint", "/ws/echo"), ("code", "1001")]);
            after.push(text);
        }
        Err(error) => errors.push(error),
    }
    for server in &remaining {
        after.push(server.metrics()?);
    }
    if after.len() == before.len() {
        for (before, after) in before.iter().zip(&after) {
            let delta = |name: &str, labels: &[(&str, &str)]| sum(after, name, labels) - sum(before, name, labels);
            counted.messages_in +=
                delta("wirelab_websocket_messages_total", &[("endpoint", "/ws/echo"), ("direction", "in")]);
            counted.messages_out +=
                delta("wirelab_websocket_messages_total", &[("endpoint", "/ws/echo"), ("direction", "out")]);
            counted.opened += delta("wirelab_websockets_opened_total", &[("endpoint", "/ws/echo")]);
            let get_all = delta("wirelab_http_requests_total", &[("route", "/get")]);
            let get_200 = delta("wirelab_http_requests_total", &[("route", "/get"), ("status", "200")]);
            counted.http_get_200 += get_200;
            counted.http_get_other += get_all - get_200;
        }
    }
    drop(drained);
    Ok(Drain {
        secs: options.drain_secs,
        sigterm_at,
        unready_at,
        reloaded_at,
        exited,
        clients,
        http,
        counted,
        drained_closes_1001,
        errors,
    })
}

/// What the readiness agent saw: when the first server turned unready and when nginx was
/// reloaded without it (Unix ms), and any error.
struct AgentReport {
    unready_at: Option<u128>,
    reloaded_at: Option<u128>,
    errors: Vec<String>,
}

/// Polls each server's `/readyz`; the first time one is not ready (503, or no answer), marks it
/// down and reloads nginx. Returns when the first server turned unready and when nginx was
/// reloaded without it (Unix ms), and any error.
fn readiness_agent(ports: &[u16], nginx: &NginxControl, stop: &AtomicBool) -> AgentReport {
    let mut down: Vec<usize> = Vec::new();
    let mut first_unready = None;
    let mut first_reload = None;
    let mut errors = Vec::new();
    while !stop.load(Ordering::Acquire) {
        for (index, &port) in ports.iter().enumerate() {
            let number = index + 1;
            if down.contains(&number) {
                continue;
            }
            let ready =
                matches!(process::http_get(&format!("127.0.0.1:{port}"), "/readyz", POLL_TIMEOUT), Ok((200, _)));
            if !ready {
                first_unready.get_or_insert_with(unix_ms);
                down.push(number);
                match nginx.reload_with_down(&down) {
                    Ok(()) => {
                        first_reload.get_or_insert_with(unix_ms);
                    }
                    Err(error) => errors.push(format!("reloading nginx without server {number}: {error}")),
                }
            }
        }
        std::thread::sleep(READINESS_POLL);
    }
    AgentReport { unready_at: first_unready, reloaded_at: first_reload, errors }
}

/// The `key=value` fields of the first line of `stdout` that starts with `tag` and a tab.
fn tagged_fields(stdout: &str, tag: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(tag)?.strip_prefix('\t'))
        .map(|fields| {
            fields
                .split('\t')
                .filter_map(|field| field.split_once('='))
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Writes the drain's checks; returns how many failed.
fn write_drain(table: &mut String, drain: &Drain) -> usize {
    let client = |key: &str| drain.clients.get(key).and_then(|value| value.parse::<f64>().ok()).unwrap_or(f64::NAN);
    let http = |key: &str| drain.http.get(key).and_then(|value| value.parse::<f64>().ok()).unwrap_or(f64::NAN);
    let mut checks: Vec<(bool, String, String)> = Vec::new();
    let since = |at: u128| format!("{:.0} ms after SIGTERM", at.saturating_sub(drain.sigterm_at) as f64);
    let first_1001 = drain.clients.get("first_1001_unix_ms").and_then(|ms| ms.parse::<u128>().ok());

    let flipped_first = matches!((drain.unready_at, first_1001), (Some(unready), Some(closed)) if unready < closed);
    checks.push((
        flipped_first,
        "readiness turned false before the first 1001".to_owned(),
        format!(
            "unready {}, nginx reloaded without it {}, first 1001 {}",
            drain.unready_at.map_or_else(|| "never".to_owned(), since),
            drain.reloaded_at.map_or_else(|| "never".to_owned(), since),
            first_1001.map_or_else(|| "never".to_owned(), since)
        ),
    ));
    let exited_well = matches!(drain.exited, Some((_, true)));
    checks.push((
        exited_well,
        "the drained server exited cleanly".to_owned(),
        match drain.exited {
            Some((at, success)) => format!("{}, exit {}", since(at), if success { "0" } else { "non-zero" }),
            None => "still running at the deadline".to_owned(),
        },
    ));
    let closes_1001 = client("closes_1001");
    checks.push((
        closes_1001 >= 1.0 && closes_1001 == drain.drained_closes_1001,
        "its WebSockets were closed with 1001".to_owned(),
        format!(
            "server 1 sent {} closes 1001 (its metrics); clients received {closes_1001}, other closes {}, broken {}",
            drain.drained_closes_1001,
            client("closes_other"),
            client("broken")
        ),
    ));
    let connections = DRAIN_CONNECTIONS as f64;
    checks.push((
        client("reconnects") >= closes_1001 && client("connected_at_end") == connections,
        "every client closed reconnected through nginx".to_owned(),
        format!(
            "{} reconnects, {} refused connection attempts, {} of {connections} connected at the end",
            client("reconnects"),
            client("connect_failures"),
            client("connected_at_end")
        ),
    ));
    let planned_messages = connections * DRAIN_RATE * drain.secs;
    checks.push((
        client("sent") >= LEAST_SENT_SHARE * planned_messages
            && client("lost") <= closes_1001
            && client("mismatched") == 0.0
            && client("broken") == 0.0,
        "echoes lost only on the drained connections".to_owned(),
        format!(
            "{} sent of {planned_messages} planned, {} echoed, {} lost (at most 1 per drained connection), {} late at \
             the end, {} wrong",
            client("sent"),
            client("echoed"),
            client("lost"),
            client("late"),
            client("mismatched")
        ),
    ));
    let planned_http = HTTP_CLIENTS as f64 * HTTP_RATE * drain.secs;
    checks.push((
        http("sent") >= LEAST_SENT_SHARE * planned_http
            && http("errors") == 0.0
            && http("timeouts") == 0.0
            && http("other_status") == 0.0,
        "no HTTP request through nginx failed".to_owned(),
        format!(
            "{} requests of {planned_http} planned, {} 2xx, {} errors, {} timed out, {} other statuses (first error: {})",
            http("sent"),
            http("ok_2xx"),
            http("errors"),
            http("timeouts"),
            http("other_status"),
            drain.http.get("first_error").map_or("none", String::as_str)
        ),
    ));
    let counted = &drain.counted;
    let sent = client("sent");
    let in_adds_up = counted.messages_in <= sent && counted.messages_in >= sent - client("lost");
    let out_adds_up =
        counted.messages_out >= client("echoed") && counted.messages_out <= client("echoed") + client("late");
    let opened_adds_up = counted.opened == connections + client("reconnects");
    let http_adds_up = counted.http_get_200 == http("ok_2xx") && counted.http_get_other == 0.0;
    checks.push((
        in_adds_up && out_adds_up && opened_adds_up && http_adds_up,
        "the servers' metrics add up to the load".to_owned(),
        format!(
            "messages in {} (clients sent {sent}, {} lost), out {} (echoed {}), WebSockets opened {} (clients \
             opened {}), GET /get 200 {} (clients' 2xx {}), other statuses {}",
            counted.messages_in,
            client("lost"),
            counted.messages_out,
            client("echoed"),
            counted.opened,
            connections + client("reconnects"),
            counted.http_get_200,
            http("ok_2xx"),
            counted.http_get_other
        ),
    ));
    for error in &drain.errors {
        checks.push((false, "the run itself".to_owned(), error.clone()));
    }

    let _ = writeln!(
        table,
        "\nDrain: {DRAIN_CONNECTIONS} echo clients at {DRAIN_RATE} messages/s each and {HTTP_CLIENTS} HTTP clients at \
         {HTTP_RATE} GET /get per s, for {} s, through nginx to 3 servers; server 1 gets SIGTERM with --drain-delay \
         {DRAIN_DELAY_SECS} s a third of the way in, and the readiness agent takes it out of nginx when /readyz says 503",
        drain.secs
    );
    let mut failed = 0;
    for (passed, what, figures) in &checks {
        failed += usize::from(!passed);
        let _ = writeln!(table, "{:<5} {what}: {figures}", if *passed { "PASS" } else { "FAIL" });
    }
    let _ = writeln!(table, "\n{}", if failed == 0 { "PASS".to_owned() } else { format!("FAIL ({failed} checks)") });
    failed
}

/// The sum of every sample of `name` whose labels include all of `labels`, in a Prometheus text
/// exposition (`name{a="b",...} value` lines; comments skipped).
fn sum(exposition: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    exposition
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, series_labels) = match series.split_once('{') {
                Some((series_name, rest)) => (series_name, rest.strip_suffix('}')?),
                None => (series, ""),
            };
            if series_name != name {
                return None;
            }
            let present: Vec<(&str, &str)> = series_labels
                .split("\",")
                .filter_map(|pair| pair.split_once('='))
                .map(|(key, value)| (key.trim(), value.trim_matches('"')))
                .collect();
            labels.iter().all(|wanted| present.contains(wanted)).then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

fn unix_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPOSITION: &str = "# HELP wirelab_websocket_messages_total Data messages.\n\
        # TYPE wirelab_websocket_messages_total counter\n\
        wirelab_websocket_messages_total{direction=\"in\",endpoint=\"/ws/echo\"} 12\n\
        wirelab_websocket_messages_total{direction=\"out\",endpoint=\"/ws/echo\"} 11\n\
        wirelab_websocket_messages_total{direction=\"in\",endpoint=\"/ws/inspect\"} 5\n\
        wirelab_http_requests_total{method=\"GET\",route=\"/get\",status=\"200\"} 7\n\
        wirelab_http_requests_total{method=\"HEAD\",route=\"/get\",status=\"200\"} 1\n\
        wirelab_http_requests_total{method=\"GET\",route=\"/get\",status=\"502\"} 2\n\
        process_open_fds 31\n";

    #[test]
    fn samples_are_summed_over_the_series_that_carry_the_labels() {
        type Labels<'a> = &'a [(&'a str, &'a str)];
        let cases: [(&str, Labels, f64); 6] = [
            ("wirelab_websocket_messages_total", &[("endpoint", "/ws/echo"), ("direction", "in")], 12.0),
            ("wirelab_websocket_messages_total", &[("direction", "in")], 17.0),
            ("wirelab_websocket_messages_total", &[], 28.0),
            ("wirelab_http_requests_total", &[("route", "/get"), ("status", "200")], 8.0),
            ("process_open_fds", &[], 31.0),
            ("wirelab_websockets_open", &[], 0.0),
        ];
        for (name, labels, expected) in cases {
            assert_eq!(sum(EXPOSITION, name, labels), expected, "{name} {labels:?}");
        }
    }

    #[test]
    fn tagged_lines_are_read_as_fields() {
        let stdout = "noise\nRECONNECT\tsent=10\tlost=1\nHTTP\tsent=5\tfirst_error=none\n";
        let cases = [
            ("RECONNECT", "sent", Some("10")),
            ("RECONNECT", "lost", Some("1")),
            ("HTTP", "sent", Some("5")),
            ("HTTP", "first_error", Some("none")),
            ("HTTP", "lost", None),
            ("IDLE", "sent", None),
        ];
        for (tag, key, expected) in cases {
            assert_eq!(tagged_fields(stdout, tag).get(key).map(String::as_str), expected, "{tag} {key}");
        }
    }
}
