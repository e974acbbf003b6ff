//! `cargo xtask bench-iot`: the embedded MQTT broker beside Debian's mosquitto in the same run,
//! the bytes of a telemetry reading in each encoding, and (once wired) the IoT lab's plot figures.
//!
//! Brokers: wirelab-server (release, `--no-peers --mqtt-devices 0`) and mosquitto with a minimal
//! config of its own (a loopback listener on a free port, anonymous, no persistence, TCP_NODELAY
//! as the embedded broker sets it; its defaults otherwise: 20 messages in flight and 1,000 queued per client; the embedded broker
//! queues 1,000 too but keeps 1,000 in flight, as rmqtt, unlike mosquitto, does not slow a publisher to its subscribers' pace). Each is pinned to one core (SERVER_CORE), the load client (`examples/mqtt_load.rs`,
//! rumqttc, MQTT 3.1.1, one thread) to the other; they take turns, run after run, and each
//! figure is the median of `--reps` runs with the spread.
//!
//! Figures: deliveries per second for 1 publisher to 1 subscriber and to 100 subscribers, at
//! QoS 0 and QoS 1, the publisher sending as fast as the broker takes 64-byte messages; and p99
//! send-to-delivery latency at a steady 1,000 messages/s, 1 to 1. Target: at least 0.8x
//! mosquitto (throughput: ours/theirs; latency: theirs/ours), reported PASS/MISSED, never a
//! failure. Messages a broker dropped are shown (delivered %). A run that fails (the client
//! errors, or a QoS 1 run at a steady rate loses a message) fails the command after the table.
//!
//! Then bytes per reading per encoding, plain and gzipped (`examples/telemetry_sizes.rs`), and
//! the IoT lab's plot in headless Chromium ([`plot_section`]: `e2e/bench/iot-plot.mjs`). The table
//! is printed and written to target/bench-iot.txt.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Stdio};

use crate::bench_server::{
    CLIENT_CORE, Options, SERVER_CORE, Spread, load_average, parse_options, parse_result, pinning_available, publish,
};
use crate::bench_tls::free_port;
use crate::process::{self, ServerProcess, command, with_file_limit_raised};
use crate::run::{RunningServer, build_app};
use crate::tools::{Needs, Tools};

/// Ours at least this share of mosquitto's figure.
const TARGET_RATIO: f64 = 0.8;
/// The subscribers of the fan-out figures.
const FAN_OUT: usize = 100;
/// The steady rate of the latency figures, messages per second.
const LATENCY_RATE: f64 = 1000.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broker {
    Wirelab,
    Mosquitto,
}

/// One figure: its load, and whether it is a throughput (higher is better) or a latency.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Figure {
    qos: u8,
    subscribers: usize,
    /// 0: as fast as the broker takes them (a throughput figure); else a latency figure.
    rate: f64,
}

const FIGURES: [Figure; 6] = [
    Figure { qos: 0, subscribers: 1, rate: 0.0 },
    Figure { qos: 1, subscribers: 1, rate: 0.0 },
    Figure { qos: 0, subscribers: FAN_OUT, rate: 0.0 },
    Figure { qos: 1, subscribers: FAN_OUT, rate: 0.0 },
    Figure { qos: 0, subscribers: 1, rate: LATENCY_RATE },
    Figure { qos: 1, subscribers: 1, rate: LATENCY_RATE },
];

impl Figure {
    fn is_latency(self) -> bool {
        self.rate > 0.0
    }

    fn title(self) -> String {
        if self.is_latency() {
            format!("QoS {} p99 latency, 1 -> 1 at {:.0} msg/s (us)", self.qos, self.rate)
        } else {
            format!("QoS {} deliveries/s, 1 -> {}", self.qos, self.subscribers)
        }
    }
}

/// One run's figures, from the load client's RESULT line.
#[derive(Clone, Copy, Debug)]
struct Measured {
    /// Deliveries per second, or the p99 latency in us.
    value: f64,
    /// Delivered / expected.
    delivered: f64,
    client_cpu: f64,
}

#[derive(Default)]
struct Runs {
    measured: Vec<Measured>,
    failures: Vec<String>,
}

impl Runs {
    fn spread(&self, pick: impl Fn(&Measured) -> f64) -> Option<Spread> {
        Spread::of(self.measured.iter().map(pick).collect())
    }
}

pub fn bench_iot(args: &[String]) -> Result<(), String> {
    let Options { reps, secs } = parse_options(args).map_err(|why| format!("bench-iot: {why}"))?;
    let pinned = pinning_available();
    let built = process::build_release(&[
        "-p",
        "wirelab-server",
        "--bin",
        "wirelab-server",
        "--example",
        "mqtt_load",
        "--example",
        "telemetry_sizes",
    ])?;
    let (server_binary, load, sizes) =
        (built.path("wirelab-server")?, built.path("mqtt_load")?, built.path("telemetry_sizes")?);
    let logs = process::root().join("target").join("bench-iot");
    std::fs::create_dir_all(&logs).map_err(|error| format!("cannot create {}: {error}", logs.display()))?;

    let log_path = logs.join("wirelab-server.log");
    let log =
        std::fs::File::create(&log_path).map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
    let server_args: Vec<String> =
        ["--port", "0", "--no-peers", "--mqtt-devices", "0", "--static-dir", "/nonexistent"].map(str::to_owned).into();
    let mut wirelab = with_file_limit_raised(pinned.then_some(SERVER_CORE), &server_binary, &server_args);
    wirelab.env("RUST_LOG", "warn").stderr(log);
    let wirelab = ServerProcess::spawn(wirelab, false).map_err(|why| format!("{why} (see {})", log_path.display()))?;
    let wirelab_port = mqtt_port(&wirelab.address)?;
    let mosquitto = Mosquitto::start(&logs, pinned)?;
    let load_before = load_average();

    let mut runs: Vec<((usize, Broker), Runs)> = (0..FIGURES.len())
        .flat_map(|index| [Broker::Wirelab, Broker::Mosquitto].map(|broker| ((index, broker), Runs::default())))
        .collect();
    for (index, figure) in FIGURES.iter().enumerate() {
        for rep in 1..=reps {
            for broker in [Broker::Wirelab, Broker::Mosquitto] {
                let what = format!("{}, {broker:?}, run {rep} of {reps}", figure.title());
                eprintln!("\n==> {what}");
                let port = if broker == Broker::Wirelab { wirelab_port } else { mosquitto.port };
                let outcome = load_run(&load, port, *figure, secs, pinned);
                if let Some((_, runs)) = runs.iter_mut().find(|(key, _)| *key == (index, broker)) {
                    match outcome {
                        Ok(measured) => runs.measured.push(measured),
                        Err(why) => runs.failures.push(format!("{what}: {why}")),
                    }
                }
            }
        }
    }
    drop(mosquitto);
    drop(wirelab);

    let header = format!(
        "bench-iot: loopback, {}; the embedded broker (rmqtt, in wirelab-server) and {} with its \
         defaults (20 in flight, 1,000 queued per client; the embedded broker 1,000 in flight, 1,000 queued), MQTT 3.1.1, \
         64-byte messages from examples/mqtt_load (rumqttc, 1 thread); median of {reps} run(s) of {secs} s \
         with the spread (min-max). Load average before/after: {load_before} / {}.\n",
        if pinned {
            format!("brokers pinned to CPU {SERVER_CORE}, the client to CPU {CLIENT_CORE}")
        } else {
            "not pinned (taskset missing or fewer than 2 cores)".to_owned()
        },
        mosquitto_version(),
        load_average(),
    );
    let mut failures: Vec<String> = runs.iter().flat_map(|(_, runs)| runs.failures.clone()).collect();
    let mut table = format!("{header}\n{}", render(&runs));
    match sizes_section(&sizes) {
        Ok(section) => table.push_str(&section),
        Err(why) => failures.push(format!("bytes per reading: {why}")),
    }
    match plot_section(&server_binary) {
        Ok(section) => table.push_str(&section),
        Err(why) => failures.push(format!("plot: {why}")),
    }
    let file = publish("bench-iot.txt", &table)?;
    eprintln!("xtask: written to {}; logs in {}", file.display(), logs.display());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("bench-iot: {} run(s) failed:\n  {}", failures.len(), failures.join("\n  ")))
    }
}

/// The broker's port from the server's `GET /api/info` (`mqtt.port`).
fn mqtt_port(server: &str) -> Result<u16, String> {
    let (info, body) = process::server_info(server)?;
    info["mqtt"]["port"]
        .as_u64()
        .and_then(|port| u16::try_from(port).ok())
        .ok_or_else(|| format!("/api/info has no mqtt.port: {body}"))
}

/// Runs the load client once; fails if it does, or if a steady QoS 1 run lost a message.
fn load_run(load: &str, port: u16, figure: Figure, secs: f64, pinned: bool) -> Result<Measured, String> {
    let args: Vec<String> = [
        "--port".to_owned(),
        port.to_string(),
        "--qos".to_owned(),
        figure.qos.to_string(),
        "--subscribers".to_owned(),
        figure.subscribers.to_string(),
        "--rate".to_owned(),
        figure.rate.to_string(),
        "--secs".to_owned(),
        secs.to_string(),
    ]
    .into();
    let stdout =
        process::capture(&mut with_file_limit_raised(pinned.then_some(CLIENT_CORE), load, &args))?.into_stdout()?;
    let sample = stdout.lines().find_map(parse_result).ok_or("the load client printed no RESULT line")?;
    let field = |name: &str| sample.get(name).copied().ok_or_else(|| format!("no {name} in the RESULT line"));
    let (delivered, expected) = (field("delivered")?, field("expected")?);
    if figure.is_latency() && figure.qos == 1 && delivered < expected {
        return Err(format!("QoS 1 at a steady rate lost messages: {delivered} of {expected} delivered"));
    }
    let value = if figure.is_latency() { field("p99_us")? } else { field("msgs_per_s")? };
    Ok(Measured {
        value,
        delivered: if expected > 0.0 { delivered / expected } else { 0.0 },
        client_cpu: field("client_cpu").unwrap_or(f64::NAN),
    })
}

/// The broker table: each figure's medians, the ratio and the target.
fn render(runs: &[((usize, Broker), Runs)]) -> String {
    let runs_of = |index: usize, broker: Broker| runs.iter().find(|(key, _)| *key == (index, broker)).map(|(_, r)| r);
    let mut table = format!(
        "{:<46} {:>24} {:>24} {:>7} {:>7}  delivered % (ours / mosquitto), client CPU\n",
        "figure", "wirelab (rmqtt)", "mosquitto", "ratio", "target"
    );
    for (index, figure) in FIGURES.iter().enumerate() {
        let (Some(ours), Some(theirs)) = (runs_of(index, Broker::Wirelab), runs_of(index, Broker::Mosquitto)) else {
            continue;
        };
        let cell = |runs: &Runs| match (runs.failures.is_empty(), runs.spread(|m| m.value)) {
            (true, Some(spread)) => format!("{:.0} ({:.0}-{:.0})", spread.median, spread.min, spread.max),
            _ => "FAILED".to_owned(),
        };
        let median = |runs: &Runs, pick: fn(&Measured) -> f64| runs.spread(pick).map(|spread| spread.median);
        let ratio = match (median(ours, |m| m.value), median(theirs, |m| m.value)) {
            (Some(ours), Some(theirs)) if ours > 0.0 && theirs > 0.0 => {
                Some(if figure.is_latency() { theirs / ours } else { ours / theirs })
            }
            _ => None,
        };
        let (ratio_text, verdict) = match ratio {
            Some(ratio) => (format!("{ratio:.2}x"), if ratio >= TARGET_RATIO { "PASS" } else { "MISSED" }),
            None => ("-".to_owned(), "-"),
        };
        let percent =
            |runs: &Runs| median(runs, |m| m.delivered).map_or("-".to_owned(), |d| format!("{:.1}", d * 100.0));
        let cpu = median(ours, |m| m.client_cpu).into_iter().chain(median(theirs, |m| m.client_cpu));
        let cpu: Vec<String> = cpu.map(|value| format!("{value:.2}")).collect();
        let _ = writeln!(
            table,
            "{:<46} {:>24} {:>24} {:>7} {:>7}  {} / {}, {}",
            figure.title(),
            cell(ours),
            cell(theirs),
            ratio_text,
            verdict,
            percent(ours),
            percent(theirs),
            cpu.join(" / ")
        );
    }
    table
}

/// mosquitto on a free loopback port with a minimal config in `folder`; stopped when dropped.
struct Mosquitto {
    child: Child,
    port: u16,
}

impl Mosquitto {
    fn start(folder: &Path, pinned: bool) -> Result<Mosquitto, String> {
        let port = free_port()?;
        let config_path = folder.join("mosquitto.conf");
        let config = format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\nlog_type error\n"
        );
        std::fs::write(&config_path, config)
            .map_err(|error| format!("cannot write {}: {error}", config_path.display()))?;
        let args = ["-c".to_owned(), config_path.to_string_lossy().into_owned()];
        let mut mosquitto = with_file_limit_raised(pinned.then_some(SERVER_CORE), &mosquitto_program(), &args);
        eprintln!("$ {}", process::describe(&mosquitto));
        let child = mosquitto
            .stdin(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start mosquitto (cargo xtask setup installs it): {error}"))?;
        let mut mosquitto = Mosquitto { child, port };
        process::wait_until_listening(&mut mosquitto.child, port, "mosquitto", "")?;
        Ok(mosquitto)
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian puts the broker in /usr/sbin, which a user's PATH may lack.
fn mosquitto_program() -> String {
    let debian = "/usr/sbin/mosquitto";
    if Path::new(debian).exists() { debian.to_owned() } else { "mosquitto".to_owned() }
}

fn mosquitto_version() -> String {
    let output = command(&mosquitto_program(), &["-h"]).output();
    let text = output.map(|output| String::from_utf8_lossy(&output.stdout).into_owned()).unwrap_or_default();
    let first = text.lines().next().unwrap_or_default();
    first.split(" version ").nth(1).map_or("mosquitto".to_owned(), |version| format!("mosquitto {}", version.trim()))
}

/// "Bytes per reading per encoding": the same stream of readings in each encoding, plain and
/// gzipped (alone, and as one stream).
fn sizes_section(sizes: &str) -> Result<String, String> {
    let stdout = process::capture(&mut command(sizes, &["--devices", "4", "--readings", "1000"]))?.into_stdout()?;
    let mut section = format!(
        "\nBytes per reading per encoding (wire::telemetry; 4 devices x 1,000 readings, the same stream each time)\n\
         {:<10} {:>8} {:>14} {:>16}\n",
        "encoding", "plain", "gzip (alone)", "gzip (stream)"
    );
    let mut rows = 0;
    for line in stdout.lines() {
        let Some(fields) = line.strip_prefix("SIZE\t") else { continue };
        let field = |name: &str| {
            fields.split('\t').find_map(|field| field.strip_prefix(name)?.strip_prefix('=')).unwrap_or("-")
        };
        let _ = writeln!(
            section,
            "{:<10} {:>8} {:>14} {:>16}",
            field("encoding"),
            field("plain"),
            field("gzip_each"),
            field("gzip_stream")
        );
        rows += 1;
    }
    if rows == 0 {
        return Err("telemetry_sizes printed no SIZE line".to_owned());
    }
    section.push_str(
        "gzip (alone): each reading gzipped by itself (per-message compression); gzip (stream): the whole stream \
         gzipped at once, per reading (a shared context, as permessage-deflate with context takeover).\n",
    );
    Ok(section)
}

/// The IoT lab's plot in headless Chromium (frames per second and the longest main-thread task at
/// 1,000 and 5,000 readings/s): the app built as `cargo xtask run` builds it, served by the same
/// release server (not pinned: the browser needs both cores), measured by
/// `e2e/bench/iot-plot.mjs`, whose JSON is shown as it printed it. LEAD: a condensed table of
/// that JSON can replace the raw document here.
fn plot_section(server_binary: &str) -> Result<String, String> {
    let script = process::root().join("e2e").join("bench").join("iot-plot.mjs");
    if !script.exists() {
        return Ok(format!("\nPlot (headless Chromium): not measured: {} is missing.\n", script.display()));
    }
    let tools =
        Tools::ensure(Needs { app_build: true, browser_tests: false, end_to_end: true, protocol_clients: false })?;
    build_app(&tools)?;
    let server = RunningServer::start_with_env(
        server_binary,
        &["--port", "0", "--static-dir", "dist"],
        &[("RUST_LOG", "warn")],
    )?;
    let mut node = command("node", &[&script.to_string_lossy()]);
    node.env("WIRELAB_URL", &server.url);
    let stdout = process::capture(&mut node)?.into_stdout()?;
    Ok(format!("\nPlot (headless Chromium, e2e/bench/iot-plot.mjs):\n{}\n", stdout.trim()))
}
