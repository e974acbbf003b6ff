//! `cargo xtask bench-bridge`: what the TCP bridge (`/ws/tcp`) costs. The same client talks to
//! wirelab-server's built-in echo peer directly and through the bridge, in the same run: MiB/s
//! with 64 KiB and 1 MiB chunks, and the round trip of 64-byte messages (p50, p99).
//!
//! The server (bridge and echo peer in one process) runs pinned to one core and the load
//! generator (`crates/loadgen`: `run --target tcp://ECHO` directly, `run --target
//! ws://SERVER/ws/tcp?to=echo --bridge` through the bridge) to the other, on loopback. Each
//! client sends one chunk at a time and reads its echo while sending it; every echoed byte is
//! checked against what was sent. The two paths take turns, run after run; each figure is the
//! median of `--reps` runs with their spread (min-max). The target: through the bridge, at least
//! 0.8x the direct throughput (PASS/FAIL, reported, never a failure). A run that fails makes the
//! command fail. The table is printed and written to target/bench-bridge.txt.

use std::fmt::Write as _;

use crate::bench_server::{
    CLIENT_CORE, Options, SERVER_CORE, Sample, Spread, load_average, parse_options, parse_result, pinning_available,
    publish,
};
use crate::process::{self, ServerProcess, with_file_limit_raised};

/// Through the bridge, at least this share of the direct throughput.
const TARGET_RATIO: f64 = 0.8;

/// The two ways to the echo peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Direct,
    Bridge,
}

impl Path {
    const BOTH: [Path; 2] = [Path::Direct, Path::Bridge];

    fn label(self) -> &'static str {
        match self {
            Path::Direct => "direct (client -> echo)",
            Path::Bridge => "through /ws/tcp",
        }
    }
}

/// One load the client puts on a path: how it sends (loadgen's `--mode`) and the chunk size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Load {
    mode: &'static str,
    size: usize,
}

/// Chunks sent back to back while their echoes are read (a byte pipe in use).
const STREAM_64K: Load = Load { mode: "stream", size: 64 * 1024 };
const STREAM_1M: Load = Load { mode: "stream", size: 1024 * 1024 };
/// One chunk at a time, the next sent once its echo is back.
const ONE_64K: Load = Load { mode: "request-response", size: 64 * 1024 };
const ONE_1M: Load = Load { mode: "request-response", size: 1024 * 1024 };
const SMALL: Load = Load { mode: "request-response", size: 64 };
const LOADS: [Load; 5] = [STREAM_64K, STREAM_1M, ONE_64K, ONE_1M, SMALL];

/// One row group of the table: a figure read from one load's runs.
struct Figure {
    title: &'static str,
    load: Load,
    field: &'static str,
    show: fn(f64) -> String,
}

const FIGURES: [Figure; 6] = [
    Figure { title: "MiB/s, 64 KiB chunks, streamed", load: STREAM_64K, field: "mib_per_s", show: mib },
    Figure { title: "MiB/s, 1 MiB chunks, streamed", load: STREAM_1M, field: "mib_per_s", show: mib },
    Figure { title: "MiB/s, 64 KiB chunks, one at a time", load: ONE_64K, field: "mib_per_s", show: mib },
    Figure { title: "MiB/s, 1 MiB chunks, one at a time", load: ONE_1M, field: "mib_per_s", show: mib },
    Figure { title: "round trip p50, 64 B", load: SMALL, field: "p50_us", show: micros },
    Figure { title: "round trip p99, 64 B", load: SMALL, field: "p99_us", show: micros },
];

/// Every run of one load on one path.
#[derive(Default)]
struct Runs {
    samples: Vec<Sample>,
    failures: Vec<String>,
}

impl Runs {
    fn spread(&self, field: &str) -> Option<Spread> {
        if !self.failures.is_empty() {
            return None;
        }
        Spread::of(self.samples.iter().filter_map(|sample| sample.get(field).copied()).collect())
    }
}

pub fn bench_bridge(args: &[String]) -> Result<(), String> {
    let Options { reps, secs } = parse_options(args).map_err(|why| format!("bench-bridge: {why}"))?;
    let pinned = pinning_available();
    let (server_binary, loadgen, logs) = process::build_server_and_loadgen("bench-bridge")?;

    let log_path = logs.join("wirelab-server.log");
    let log =
        std::fs::File::create(&log_path).map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
    // No byte limit and no idle end within the runs; one log line per bridge is enough.
    let server_args: Vec<String> =
        ["--port", "0", "--bridge-max-bytes", &u64::MAX.to_string(), "--bridge-idle-timeout", "3600"]
            .map(str::to_owned)
            .to_vec();
    let mut command = with_file_limit_raised(pinned.then_some(SERVER_CORE), &server_binary, &server_args);
    command.env("RUST_LOG", "warn").stderr(log);
    let server = ServerProcess::spawn(command, false).map_err(|why| format!("{why} (see {})", log_path.display()))?;
    let echo = echo_peer_address(&server.address)?;
    let targets = [format!("tcp://{echo}"), format!("ws://{}/ws/tcp?to=echo", server.address)];
    let load_before = load_average();

    let mut runs: Vec<((Load, Path), Runs)> =
        LOADS.iter().flat_map(|load| Path::BOTH.map(|path| ((*load, path), Runs::default()))).collect();
    for load in LOADS {
        for rep in 1..=reps {
            for (path, target) in Path::BOTH.into_iter().zip(&targets) {
                let what = format!("{} B chunks, {}, {}", load.size, load.mode, path.label());
                eprintln!("\n==> {what} | run {rep} of {reps}");
                let outcome = loadgen_run(&loadgen, target, path, load, secs, server.pid(), pinned);
                let Some((_, entry)) = runs.iter_mut().find(|(key, _)| *key == (load, path)) else { continue };
                match outcome {
                    Ok(sample) => entry.samples.push(sample),
                    Err(why) => entry.failures.push(format!("{what}, run {rep}: {why}")),
                }
            }
        }
    }
    drop(server);

    let runs_of = |load: Load, path: Path| runs.iter().find(|(key, _)| *key == (load, path)).map(|(_, runs)| runs);
    let header = format!(
        "bench-bridge: loopback, {}; one connection, chunks streamed (sent back to back while their \
         echoes are read) or one at a time (the next sent once the echo is back, read while it is \
         sent); every echoed byte checked; median of {reps} run(s) of {secs} s after 1 s of \
         warm-up, with their spread (min-max). The echo peer and the bridge are one process \
         (wirelab-server). Load average before/after: {load_before} / {}.\n",
        if pinned {
            format!("server pinned to CPU {SERVER_CORE}, load generator to CPU {CLIENT_CORE}")
        } else {
            "not pinned (taskset missing or fewer than 2 cores)".to_owned()
        },
        load_average(),
    );
    let file = publish("bench-bridge.txt", &format!("{header}\n{}", render(&runs_of)))?;
    eprintln!("xtask: written to {}; server log in {}", file.display(), log_path.display());

    let failures: Vec<&String> = runs.iter().flat_map(|(_, runs)| &runs.failures).collect();
    if failures.is_empty() {
        Ok(())
    } else {
        let listed: Vec<&str> = failures.iter().map(|why| why.as_str()).collect();
        Err(format!("bench-bridge: {} run(s) failed:\n  {}", failures.len(), listed.join("\n  ")))
    }
}

/// The built-in echo peer's TCP address, from the server's `GET /api/info`.
fn echo_peer_address(server: &str) -> Result<String, String> {
    let (info, body) = process::server_info(server)?;
    let peers = info["peers"].as_array().map(Vec::as_slice).unwrap_or_default();
    let echo = peers.iter().find(|peer| peer["name"] == "echo" && peer["transport"] == "tcp");
    match echo.and_then(|peer| Some((peer["host"].as_str()?, peer["port"].as_u64()?))) {
        Some((host, port)) => Ok(format!("{host}:{port}")),
        None => Err(format!("/api/info lists no echo peer over TCP: {body}")),
    }
}

fn loadgen_run(
    loadgen: &str,
    target: &str,
    path: Path,
    load: Load,
    secs: f64,
    server_pid: u32,
    pinned: bool,
) -> Result<Sample, String> {
    let mut args: Vec<String> = [
        "run",
        "--target",
        target,
        "--mode",
        load.mode,
        "--connections",
        "1",
        "--kind",
        "binary",
        "--size",
        &load.size.to_string(),
        "--secs",
        &secs.to_string(),
        "--server-pid",
        &server_pid.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    if path == Path::Bridge {
        args.push("--bridge".to_owned());
    }
    let stdout =
        process::capture(&mut with_file_limit_raised(pinned.then_some(CLIENT_CORE), loadgen, &args))?.into_stdout()?;
    stdout.lines().find_map(parse_result).ok_or_else(|| "the load generator printed no RESULT line".to_owned())
}

/// Column widths.
const NAME: usize = 26;
const VALUE: usize = 10;
const SPREAD: usize = 22;

fn render<'a>(runs_of: &dyn Fn(Load, Path) -> Option<&'a Runs>) -> String {
    let mut out = format!(
        "{:<NAME$} {:>VALUE$} {:>SPREAD$} {:>12}\n",
        "figure, path", "median", "spread (min - max)", "bridge/direct"
    );
    let mut verdicts = Vec::new();
    for figure in &FIGURES {
        let _ = writeln!(out, "{}", figure.title);
        let medians: Vec<Option<f64>> = Path::BOTH
            .iter()
            .map(|path| runs_of(figure.load, *path).and_then(|runs| runs.spread(figure.field)))
            .map(|spread| spread.map(|spread| spread.median))
            .collect();
        for path in Path::BOTH {
            let runs = runs_of(figure.load, path);
            let name = format!("  {}", path.label());
            let Some(spread) = runs.and_then(|runs| runs.spread(figure.field)) else {
                let why = runs.and_then(|runs| runs.failures.first()).map_or("not measured", String::as_str);
                let _ = writeln!(out, "{name:<NAME$} {:>VALUE$}  {why}", "FAILED");
                continue;
            };
            let show = figure.show;
            let range = format!("{} - {}", show(spread.min), show(spread.max));
            let compared = match (path, medians.as_slice()) {
                (Path::Bridge, [Some(direct), Some(bridge)]) if figure.field == "mib_per_s" => {
                    let ratio = bridge / direct;
                    let verdict = if ratio >= TARGET_RATIO { "PASS" } else { "FAIL" };
                    verdicts
                        .push(format!("{}: {ratio:.2}x direct, target >= {TARGET_RATIO:.2}x: {verdict}", figure.title));
                    format!("{ratio:.2}x")
                }
                (Path::Bridge, [Some(direct), Some(bridge)]) => {
                    verdicts.push(format!("{}: the bridge adds {:.1} us", figure.title, bridge - direct));
                    format!("+{:.1} us", bridge - direct)
                }
                _ => String::new(),
            };
            let line = format!("{name:<NAME$} {:>VALUE$} {range:>SPREAD$} {compared:>12}", show(spread.median));
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    out.push('\n');
    for verdict in verdicts {
        let _ = writeln!(out, "{verdict}");
    }
    out
}

fn mib(value: f64) -> String {
    format!("{value:.1}")
}

fn micros(value: f64) -> String {
    format!("{value:.1} us")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn sample(fields: &[(&str, f64)]) -> Sample {
        fields.iter().map(|(key, value)| ((*key).to_owned(), *value)).collect::<BTreeMap<_, _>>()
    }

    #[test]
    fn the_table_compares_the_bridge_with_the_direct_client() {
        let run = |mib_per_s: f64, p50: f64, p99: f64| Runs {
            samples: vec![sample(&[("mib_per_s", mib_per_s), ("p50_us", p50), ("p99_us", p99)])],
            failures: vec![],
        };
        let failed = || Runs { samples: vec![], failures: vec!["64 B chunks, through /ws/tcp, run 1: refused".into()] };
        let two_runs = Runs {
            samples: vec![sample(&[("mib_per_s", 1000.0)]), sample(&[("mib_per_s", 1100.0)])],
            failures: vec![],
        };
        let measured = vec![
            ((STREAM_64K, Path::Direct), two_runs),
            ((STREAM_64K, Path::Bridge), run(860.0, 0.0, 0.0)),
            ((STREAM_1M, Path::Direct), run(2000.0, 0.0, 0.0)),
            ((STREAM_1M, Path::Bridge), run(1000.0, 0.0, 0.0)),
            ((SMALL, Path::Direct), run(1.0, 20.0, 30.0)),
            ((SMALL, Path::Bridge), run(1.0, 32.5, 51.0)),
        ];
        let measured_table = "\
figure, path                   median     spread (min - max) bridge/direct
MiB/s, 64 KiB chunks, streamed
  direct (client -> echo)      1050.0        1000.0 - 1100.0
  through /ws/tcp               860.0          860.0 - 860.0        0.82x
MiB/s, 1 MiB chunks, streamed
  direct (client -> echo)      2000.0        2000.0 - 2000.0
  through /ws/tcp              1000.0        1000.0 - 1000.0        0.50x
MiB/s, 64 KiB chunks, one at a time
  direct (client -> echo)      FAILED  not measured
  through /ws/tcp              FAILED  not measured
MiB/s, 1 MiB chunks, one at a time
  direct (client -> echo)      FAILED  not measured
  through /ws/tcp              FAILED  not measured
round trip p50, 64 B
  direct (client -> echo)     20.0 us      20.0 us - 20.0 us
  through /ws/tcp             32.5 us      32.5 us - 32.5 us     +12.5 us
round trip p99, 64 B
  direct (client -> echo)     30.0 us      30.0 us - 30.0 us
  through /ws/tcp             51.0 us      51.0 us - 51.0 us     +21.0 us

MiB/s, 64 KiB chunks, streamed: 0.82x direct, target >= 0.80x: PASS
MiB/s, 1 MiB chunks, streamed: 0.50x direct, target >= 0.80x: FAIL
round trip p50, 64 B: the bridge adds 12.5 us
round trip p99, 64 B: the bridge adds 21.0 us
";
        let failing = vec![((SMALL, Path::Direct), run(1.0, 20.0, 30.0)), ((SMALL, Path::Bridge), failed())];
        let failing_table = "\
round trip p50, 64 B
  direct (client -> echo)     20.0 us      20.0 us - 20.0 us
  through /ws/tcp              FAILED  64 B chunks, through /ws/tcp, run 1: refused
";
        for (runs, expected) in [(measured, measured_table), (failing, failing_table)] {
            let runs_of =
                |load: Load, path: Path| runs.iter().find(|(key, _)| *key == (load, path)).map(|(_, runs)| runs);
            let table = render(&runs_of);
            assert!(table.contains(expected), "{expected}\nmissing from:\n{table}");
        }
    }
}
