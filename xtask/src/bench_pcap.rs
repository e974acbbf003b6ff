//! `cargo xtask bench-pcap [--reps N]`: opening a 50 MB capture in the app beside tshark on the
//! same file, in the same run. The capture is deterministic (`crates/wire/examples/bench_pcap.rs`:
//! HTTP, DNS, WebSocket and UDP, built with etherparse and written by wire's pcap writer); the
//! app is measured in headless Chromium by `e2e/bench/pcap-bench.mjs` (time to the packet list's
//! first rows, to every row, and the longest main-thread task), and `tshark -r FILE` (output
//! thrown away) is timed the same number of times. The table gives medians with min–max and the
//! ratio of the app's times to tshark's; it is also written to `target/bench-pcap.txt`. Any
//! failed run (the page, tshark, or the file) fails the command. `--dist DIR` measures an app
//! already built into DIR instead of building one.

use std::process::Stdio;
use std::time::Instant;

use crate::process::{self, command, root};
use crate::run::{RunningServer, build_app, build_server};
use crate::tools::{Needs, Tools};

const MEGABYTES: &str = "50";
const USAGE: &str =
    "usage: cargo xtask bench-pcap [--reps N] [--dist DIR (an app already built there: no trunk build)]";

pub fn bench_pcap(args: &[String]) -> Result<(), String> {
    let mut reps = 3;
    let mut prebuilt: Option<String> = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--reps" => {
                reps = value
                    .parse::<usize>()
                    .ok()
                    .filter(|reps| *reps > 0)
                    .ok_or_else(|| format!("--reps {value}: not a positive number"))?;
            }
            "--dist" => prebuilt = Some(value.clone()),
            _ => return Err(USAGE.into()),
        }
    }
    let tools =
        Tools::ensure(Needs { app_build: true, browser_tests: false, end_to_end: true, protocol_clients: true })?;
    let dir = root().join("target").join("bench-pcap");
    std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    let capture = dir.join("bench.pcap");
    let capture_path = capture.to_string_lossy().into_owned();
    process::run(&mut command(
        "cargo",
        &["run", "-q", "-p", "wirelab-wire", "--release", "--example", "bench_pcap", "--", &capture_path, MEGABYTES],
    ))?;
    let dist = match prebuilt {
        Some(dist) => dist,
        None => {
            build_app(&tools)?;
            "dist".to_owned()
        }
    };
    // The server only serves the app here (the capture is picked from disk), so a debug build does.
    let server = build_server(false)?;
    let running =
        RunningServer::start_with_env(&server, &["--port", "0", "--static-dir", &dist], &[("RUST_LOG", "warn")])?;

    let mut tshark_ms = Vec::new();
    let mut failures = Vec::new();
    for rep in 1..=reps {
        let started = Instant::now();
        let status = command("tshark", &["-r", &capture_path])
            .env("PATH", &tools.path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => tshark_ms.push(started.elapsed().as_secs_f64() * 1000.0),
            Ok(status) => failures.push(format!("tshark run {rep}: {status}")),
            Err(error) => failures.push(format!("tshark run {rep}: {error}")),
        }
    }

    let report = dir.join("app-runs.tsv");
    let mut node = command("node", &["e2e/bench/pcap-bench.mjs"]);
    node.env("PATH", &tools.path)
        .env("WIRELAB_URL", &running.url)
        .env("PCAP", &capture_path)
        .env("REPS", reps.to_string())
        .env("REPORT", &report);
    if let Err(error) = process::run(&mut node) {
        failures.push(format!("the app: {error}"));
    }
    let runs = std::fs::read_to_string(&report).unwrap_or_default();
    let mut first_rows = Vec::new();
    let mut all_rows = Vec::new();
    let mut longest = Vec::new();
    let mut over_50 = Vec::new();
    let mut packets = 0;
    for line in runs.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            [_, first, all, long, over, count] => {
                let number = |text: &str| text.parse::<f64>().unwrap_or(f64::NAN);
                first_rows.push(number(first));
                all_rows.push(number(all));
                longest.push(number(long));
                over_50.push(number(over));
                packets = count.parse().unwrap_or(packets);
            }
            [rep, "FAILED", why] => failures.push(format!("app run {rep}: {why}")),
            _ => {}
        }
    }
    let size = std::fs::metadata(&capture).map(|meta| meta.len()).unwrap_or(0);
    let tshark = median(&tshark_ms);
    let mut table = format!(
        "bench-pcap: {} ({:.1} MB, {packets} packets), {reps} runs each; medians (min–max)\n\n",
        capture.display(),
        size as f64 / 1e6
    );
    table.push_str(&format!("{:<44} {:>22} {:>10}\n", "figure", "median (min–max)", "vs tshark"));
    let ratio =
        |value: f64| if tshark > 0.0 && value.is_finite() { format!("{:.2}x", value / tshark) } else { "-".into() };
    for (name, values, compared) in [
        ("tshark -r FILE > /dev/null (ms)", &tshark_ms, false),
        ("app: first rows of the packet list (ms)", &first_rows, true),
        ("app: every row listed (ms)", &all_rows, true),
        ("app: longest main-thread task (ms)", &longest, false),
        ("app: tasks over 50 ms", &over_50, false),
    ] {
        let cell = if values.is_empty() {
            "FAILED".to_string()
        } else {
            format!("{:.0} ({:.0}–{:.0})", median(values), min(values), max(values))
        };
        let versus = if compared && !values.is_empty() { ratio(median(values)) } else { String::new() };
        table.push_str(&format!("{name:<44} {cell:>22} {versus:>10}\n"));
    }
    for failure in &failures {
        table.push_str(&format!("FAILED: {failure}\n"));
    }
    print!("\n{table}");
    let written = root().join("target").join("bench-pcap.txt");
    std::fs::write(&written, &table).map_err(|error| format!("{}: {error}", written.display()))?;
    drop(running);
    if failures.is_empty() { Ok(()) } else { Err(format!("{} run(s) failed", failures.len())) }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}
