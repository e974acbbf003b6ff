//! `cargo xtask bench-formats`: the formats' encode/decode throughput natively and in wasm.
//!
//! Both sides run the same harness (`wire::formats::throughput`): natively through
//! `examples/format_throughput.rs` with `Instant`, and compiled to wasm through
//! `tests/format_throughput.rs` in headless Chromium with `performance.now()`. Each prints one
//! tab-separated line per figure; this reads both, sets them side by side with the wasm/native
//! ratio, prints the table and writes it to target/bench-formats.txt. xtask has no dependency on
//! the core, so the line format is read here again (the core's `throughput::line` writes it).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::process::{BrowserScratch, command, describe, root};
use crate::tools::{Needs, Tools};

/// The tags `wire::formats::throughput::{line, problem_line}` start their lines with.
const LINE_TAG: &str = "THROUGHPUT\t";
const PROBLEM_TAG: &str = "THROUGHPUT-PROBLEM\t";

/// One figure as read from a run's output.
#[derive(Clone, Debug, PartialEq)]
struct Figure {
    format: String,
    workload: String,
    operation: String,
    bytes: u64,
    mb_per_s: f64,
}

/// A run's figures, and the problems it reported for the figures it could not measure.
#[derive(Debug, Default, PartialEq)]
struct RunOutput {
    figures: Vec<Figure>,
    problems: Vec<String>,
}

pub fn bench_formats() -> Result<(), String> {
    let tools =
        Tools::ensure(Needs { app_build: false, browser_tests: true, end_to_end: false, protocol_clients: false })?;

    eprintln!("\n==> native (release)");
    let mut native =
        command("cargo", &["run", "--release", "--quiet", "-p", "wirelab-wire", "--example", "format_throughput"]);
    let (native_output, native_failure) = run_capturing(&mut native);

    eprintln!("\n==> wasm (release, headless Chromium)");
    // `--nocapture` makes the test runner copy console.log lines to its output; the env var makes
    // the test measure instead of returning at once (it is read at compile time).
    let mut wasm = command(
        "wasm-pack",
        &[
            "test",
            "--release",
            "--headless",
            "--chrome",
            "--mode",
            "no-install",
            "crates/wire",
            "--test",
            "format_throughput",
            "--",
            "--nocapture",
        ],
    );
    wasm.env("PATH", &tools.path).env("WASM_BINDGEN_TEST_TIMEOUT", "600").env("WIRELAB_BENCH_FORMATS", "1");
    let scratch = BrowserScratch::new("bench-formats")?;
    scratch.apply(&mut wasm);
    let (wasm_output, wasm_failure) = run_capturing(&mut wasm);

    let (native, wasm) = (read_output(&native_output), read_output(&wasm_output));
    let mut failures = Vec::new();
    for (side, failure, run) in [("native", &native_failure, &native), ("wasm", &wasm_failure, &wasm)] {
        failures.extend(failure.iter().map(|failure| format!("the {side} run failed: {failure}")));
        if run.figures.is_empty() {
            failures.push(format!("the {side} run produced no figures"));
        }
        failures.extend(run.problems.iter().map(|problem| format!("{side}: {problem}")));
    }
    let failed =
        (native_failure.is_some() || !native.problems.is_empty(), wasm_failure.is_some() || !wasm.problems.is_empty());
    let table = render(&native, &wasm, failed);
    println!("\n{table}");
    let file = root().join("target").join("bench-formats.txt");
    std::fs::write(&file, &table).map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    eprintln!("xtask: written to {}", file.display());
    if failures.is_empty() { Ok(()) } else { Err(failures.join("; ")) }
}

/// Runs a command with stderr inherited and stdout both shown and kept: what it printed, and
/// why it failed if it did (figures printed before a failure are kept, and the run still fails).
fn run_capturing(command: &mut Command) -> (String, Option<String>) {
    let shown = describe(command);
    eprintln!("$ {shown}");
    let spawned = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(error) => return (String::new(), Some(format!("could not start `{shown}`: {error}"))),
    };
    let mut captured = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    let failure = match child.wait() {
        Ok(status) if status.success() => None,
        Ok(status) => Some(format!("`{shown}` failed ({status})")),
        Err(error) => Some(format!("`{shown}` did not finish: {error}")),
    };
    (captured, failure)
}

/// The figures and problems in a run's output; lines that do not parse are skipped.
fn read_output(output: &str) -> RunOutput {
    let mut run = RunOutput::default();
    for line in output.lines() {
        if let Some(start) = line.find(PROBLEM_TAG) {
            run.problems.push(line[start + PROBLEM_TAG.len()..].trim().to_string());
        } else if let Some(figure) = line.find(LINE_TAG).and_then(|start| parse_figure(&line[start + LINE_TAG.len()..]))
        {
            run.figures.push(figure);
        }
    }
    run
}

fn parse_figure(fields: &str) -> Option<Figure> {
    let mut fields = fields.trim_end().split('\t');
    let format = fields.next()?.to_string();
    let workload = fields.next()?.to_string();
    let operation = fields.next()?.to_string();
    let bytes = fields.next()?.parse().ok()?;
    let mb_per_s = fields.next()?.parse::<f64>().ok().filter(|value| value.is_finite() && *value >= 0.0)?;
    Some(Figure { format, workload, operation, bytes, mb_per_s })
}

/// The side-by-side table, in the native run's order (then any figures only wasm has), and the
/// problems each side reported.
fn render(native: &RunOutput, wasm: &RunOutput, (native_failed, wasm_failed): (bool, bool)) -> String {
    let same = |a: &Figure, b: &Figure| a.format == b.format && a.workload == b.workload && a.operation == b.operation;
    let mut rows: Vec<(&Figure, Option<f64>, Option<f64>)> = Vec::new();
    for figure in &native.figures {
        let in_wasm = wasm.figures.iter().find(|other| same(figure, other)).map(|other| other.mb_per_s);
        rows.push((figure, Some(figure.mb_per_s), in_wasm));
    }
    for figure in &wasm.figures {
        if !native.figures.iter().any(|other| same(figure, other)) {
            rows.push((figure, None, Some(figure.mb_per_s)));
        }
    }
    let mut out = format!(
        "{:<12} {:<15} {:<7} {:>9} {:>12} {:>10} {:>12}\n",
        "format", "workload", "op", "bytes", "native MB/s", "wasm MB/s", "wasm/native"
    );
    // A figure missing from a side whose run failed is FAILED, not a quiet dash.
    let number = |value: Option<f64>, failed: bool| {
        value.map_or_else(|| if failed { "FAILED" } else { "-" }.to_string(), |value| format!("{value:.1}"))
    };
    for (figure, native_speed, wasm_speed) in rows {
        let ratio = match (native_speed, wasm_speed) {
            (Some(native), Some(wasm)) if native > 0.0 => format!("{:.2}", wasm / native),
            _ => "-".to_string(),
        };
        out.push_str(&format!(
            "{:<12} {:<15} {:<7} {:>9} {:>12} {:>10} {:>12}\n",
            figure.format,
            figure.workload,
            figure.operation,
            figure.bytes,
            number(native_speed, native_failed),
            number(wasm_speed, wasm_failed),
            ratio
        ));
    }
    for (side, run) in [("native", native), ("wasm", wasm)] {
        for problem in &run.problems {
            out.push_str(&format!("{side}: {problem}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_read_from_noisy_output_and_paired() {
        let native = read_output(
            "Compiling\nTHROUGHPUT\tJSON\tSensor reading\tencode\t400\t120.500\t9000\n\
             THROUGHPUT\tCBOR\t1,000 readings\tdecode\t90000\t300.000\t50\n\
             THROUGHPUT\tXML\tSensor reading\tencode\tlots\t1\t1\n\
             THROUGHPUT-PROBLEM\tXML Sensor reading: does not encode\n",
        );
        assert_eq!(native.figures.len(), 2);
        assert_eq!(native.problems, vec!["XML Sensor reading: does not encode".to_string()]);
        let wasm = read_output("console.log div: THROUGHPUT\tJSON\tSensor reading\tencode\t400\t60.260\t4000\n");
        let table = render(&native, &wasm, (true, false));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[1].ends_with("120.5       60.3         0.50"), "{table}");
        assert!(lines[2].ends_with("300.0          -            -"), "{table}");
        assert_eq!(lines[3], "native: XML Sensor reading: does not encode");
        // A figure missing from a side whose run failed says so in its cell.
        let table = render(&native, &wasm, (false, true));
        assert!(table.lines().nth(2).is_some_and(|line| line.ends_with("300.0     FAILED            -")), "{table}");
    }
}
