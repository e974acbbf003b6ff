//! Encode and decode throughput per format, measured the same way natively and in wasm (the
//! clock is passed in), so `cargo xtask bench-formats` can report a fair wasm/native ratio.
//!
//! Both workloads are parsed from JSON once; each format then encodes the document (text formats
//! compact, as on the wire) and decodes those bytes back, through the same `convert` dispatch the
//! lab uses. A measurement runs several batches and keeps the median batch, so one slow batch (a
//! garbage collection, a page fault) does not decide the figure; and it does so in three rounds
//! spread over the whole run, keeping the fastest, so neither does a few seconds of load from
//! another process. Results travel between processes as one line each (see [`line`] and
//! [`parse_lines`]).

use std::fmt::Write as _;
use std::hint::black_box;

use super::convert::{self, ProtobufChoice};
use super::json::{self, Style};
use super::protobuf::Schema;
use super::{Format, Node, samples};

/// Encoding a document to bytes, or decoding bytes back to a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    Encode,
    Decode,
}

impl Operation {
    pub const ALL: [Operation; 2] = [Operation::Encode, Operation::Decode];

    pub fn label(self) -> &'static str {
        match self {
            Operation::Encode => "encode",
            Operation::Decode => "decode",
        }
    }
}

/// One measured figure: how fast `format` does `operation` on `workload`.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    pub format: Format,
    /// One of [`WORKLOADS`].
    pub workload: &'static str,
    pub operation: Operation,
    /// The size of the encoded document, which both operations are measured against.
    pub bytes: usize,
    /// Millions of bytes (10^6) per second.
    pub mb_per_s: f64,
    /// How many times the operation ran in the timed batches.
    pub runs: u32,
}

/// The sample documents measured, by their names in [`samples::all`]: a small message (many
/// runs, so per-call overhead shows) and a large batch (so per-byte cost shows).
pub const WORKLOADS: [&str; 2] = ["Sensor reading", "1,000 readings"];

/// What starts each machine-readable result line.
pub const LINE_TAG: &str = "THROUGHPUT";
/// What starts a line that says why a figure is missing.
pub const PROBLEM_TAG: &str = "THROUGHPUT-PROBLEM";

/// Timed batches per measurement in each round; the median one counts.
const BATCHES: usize = 5;

/// Rounds over all figures; each figure keeps its fastest round. Spreading a figure's time over
/// the whole run means a burst of load from another process costs it one round, not the figure.
const ROUNDS: usize = 3;

/// Milliseconds per figure the native example and the wasm test both use, so they compare.
pub const DEFAULT_BUDGET_MS: f64 = 600.0;

/// Everything [`measure_all`] found: the figures, and why any are missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub figures: Vec<Throughput>,
    /// One sentence per workload, format or operation that could not be measured.
    pub problems: Vec<String>,
}

/// Measures every format on every workload, encode and decode, giving each measurement about
/// `budget_ms` of `clock` (milliseconds, any origin). Figures that cannot be measured are left out.
pub fn measure(clock: &dyn Fn() -> f64, budget_ms: f64) -> Vec<Throughput> {
    measure_all(clock, budget_ms).figures
}

/// One workload, parsed, with the Protobuf message type its sample names.
struct Workload {
    name: &'static str,
    document: Node,
    message: &'static str,
}

/// One figure to measure: the encoding is what decode reads and what both are measured against.
struct Job {
    workload: usize,
    format: Format,
    operation: Operation,
    encoding: Vec<u8>,
    best: Option<Timing>,
}

/// [`measure`], with the reasons for any missing figures.
pub fn measure_all(clock: &dyn Fn() -> f64, budget_ms: f64) -> Report {
    let schema = Schema::sample();
    let mut report = Report::default();
    let workloads = workloads(&mut report);
    let choice = |workload: &Workload| Some(ProtobufChoice { schema: &schema, message: workload.message });

    let mut jobs = Vec::new();
    for (index, workload) in workloads.iter().enumerate() {
        for format in Format::ALL {
            let encoding = match convert::encode(&workload.document, format, Style::Compact, choice(workload)) {
                Ok(encoded) => encoded.bytes,
                Err(error) => {
                    report.problems.push(format!("{format} {}: does not encode: {error}", workload.name));
                    continue;
                }
            };
            // Timing a decode that fails would time the error path, not decoding.
            let decodes = match convert::decode(&encoding, format, choice(workload)) {
                Ok(_) => true,
                Err(error) => {
                    report
                        .problems
                        .push(format!("{format} {}: its own encoding does not decode: {error}", workload.name));
                    false
                }
            };
            let job = |operation| Job { workload: index, format, operation, encoding: encoding.clone(), best: None };
            jobs.push(job(Operation::Encode));
            if decodes {
                jobs.push(job(Operation::Decode));
            }
        }
    }

    for _ in 0..ROUNDS {
        for job in &mut jobs {
            let Some(workload) = workloads.get(job.workload) else { continue };
            let (format, protobuf) = (job.format, choice(workload));
            let round_ms = budget_ms / ROUNDS as f64;
            let timing = match job.operation {
                Operation::Encode => median_ms_per_run(clock, round_ms, || {
                    let _ = black_box(convert::encode(black_box(&workload.document), format, Style::Compact, protobuf));
                }),
                Operation::Decode => median_ms_per_run(clock, round_ms, || {
                    let _ = black_box(convert::decode(black_box(&job.encoding), format, protobuf));
                }),
            };
            job.best = Some(match job.best {
                Some(best) if best.ms_per_run <= timing.ms_per_run => {
                    Timing { runs: best.runs.saturating_add(timing.runs), ..best }
                }
                Some(best) => Timing { runs: best.runs.saturating_add(timing.runs), ..timing },
                None => timing,
            });
        }
    }

    for job in jobs {
        if let (Some(workload), Some(timing)) = (workloads.get(job.workload), job.best) {
            report.figures.push(figure(job.format, workload.name, job.operation, job.encoding.len(), timing));
        }
    }
    report
}

/// The samples named in [`WORKLOADS`], parsed from their JSON once.
fn workloads(report: &mut Report) -> Vec<Workload> {
    let all_samples = samples::all();
    let mut workloads = Vec::new();
    for name in WORKLOADS {
        let Some(sample) = all_samples.iter().find(|sample| sample.name == name) else {
            report.problems.push(format!("{name}: no such sample"));
            continue;
        };
        match json::parse(&sample.json) {
            Ok(decoded) => workloads.push(Workload { name, document: decoded.document, message: sample.message }),
            Err(error) => report.problems.push(format!("{name}: the sample's JSON does not parse: {error}")),
        }
    }
    workloads
}

fn figure(format: Format, workload: &'static str, operation: Operation, bytes: usize, timing: Timing) -> Throughput {
    let mb_per_s = if timing.ms_per_run > 0.0 { bytes as f64 / timing.ms_per_run / 1000.0 } else { 0.0 };
    Throughput { format, workload, operation, bytes, mb_per_s, runs: timing.runs }
}

/// Milliseconds per run of the median batch, and the runs of all batches.
#[derive(Clone, Copy, Debug)]
struct Timing {
    ms_per_run: f64,
    runs: u32,
}

/// Warms `work` up, then runs [`BATCHES`] batches of about `budget_ms / BATCHES` each and keeps
/// the median batch's time per run.
fn median_ms_per_run(clock: &dyn Fn() -> f64, budget_ms: f64, mut work: impl FnMut()) -> Timing {
    let batch_ms = budget_ms / BATCHES as f64;
    // Warm-up: caches, branch predictors, the allocator's free lists; and a first estimate.
    let (warm_runs, warm_ms) = run_batch(clock, batch_ms / 2.0, 1, &mut work);
    let mut per_run = warm_ms / f64::from(warm_runs.max(1));
    let mut times = Vec::with_capacity(BATCHES);
    let mut runs = 0u32;
    for _ in 0..BATCHES {
        // Read the clock about ten times a batch, so reading it costs nothing next to the work
        // (a call into JavaScript in wasm) and coarse clocks (the browser's) still resolve.
        let chunk = if per_run > 0.0 { (batch_ms / 10.0 / per_run).clamp(1.0, 1e6) as u32 } else { 1000 };
        let (batch_runs, elapsed) = run_batch(clock, batch_ms, chunk, &mut work);
        per_run = elapsed / f64::from(batch_runs.max(1));
        times.push(per_run);
        runs = runs.saturating_add(batch_runs);
    }
    times.sort_by(f64::total_cmp);
    Timing { ms_per_run: times.get(times.len() / 2).copied().unwrap_or(0.0), runs }
}

/// Runs `work` in chunks of `chunk` runs until `batch_ms` have passed; gives runs and elapsed ms.
fn run_batch(clock: &dyn Fn() -> f64, batch_ms: f64, chunk: u32, work: &mut impl FnMut()) -> (u32, f64) {
    let start = clock();
    let mut runs = 0u32;
    loop {
        for _ in 0..chunk {
            work();
        }
        runs = runs.saturating_add(chunk);
        let elapsed = clock() - start;
        if elapsed >= batch_ms || runs == u32::MAX {
            return (runs, elapsed);
        }
    }
}

/// A figure as one tab-separated line: tag, format, workload, operation, bytes, MB/s, runs.
pub fn line(figure: &Throughput) -> String {
    format!(
        "{LINE_TAG}\t{}\t{}\t{}\t{}\t{:.3}\t{}",
        figure.format.label(),
        figure.workload,
        figure.operation.label(),
        figure.bytes,
        figure.mb_per_s,
        figure.runs
    )
}

/// A problem as one line, so whoever reads the figures can say why one is missing.
pub fn problem_line(problem: &str) -> String {
    format!("{PROBLEM_TAG}\t{}", problem.replace(['\n', '\t'], " "))
}

/// The figures in `output` (lines from [`line`], anywhere in each line, so a runner's prefixes
/// do not matter). Lines that do not parse are skipped.
pub fn parse_lines(output: &str) -> Vec<Throughput> {
    output.lines().filter_map(parse_line).collect()
}

/// The problems in `output` (lines from [`problem_line`]).
pub fn parse_problems(output: &str) -> Vec<String> {
    let tag = format!("{PROBLEM_TAG}\t");
    output.lines().filter_map(|text| text.find(&tag).map(|start| text[start + tag.len()..].trim().to_owned())).collect()
}

fn parse_line(text: &str) -> Option<Throughput> {
    let tag = format!("{LINE_TAG}\t");
    let start = text.find(&tag)?;
    let mut fields = text[start + tag.len()..].trim_end().split('\t');
    let format_label = fields.next()?;
    let format = Format::ALL.into_iter().find(|format| format.label() == format_label)?;
    let workload_name = fields.next()?;
    let workload = WORKLOADS.into_iter().find(|workload| *workload == workload_name)?;
    let operation_label = fields.next()?;
    let operation = Operation::ALL.into_iter().find(|operation| operation.label() == operation_label)?;
    let bytes = fields.next()?.parse().ok()?;
    let mb_per_s = fields.next()?.parse::<f64>().ok().filter(|value| value.is_finite())?;
    let runs = fields.next()?.parse().ok()?;
    Some(Throughput { format, workload, operation, bytes, mb_per_s, runs })
}

/// The figures as an aligned text table, in the order given.
pub fn render_table(figures: &[Throughput]) -> String {
    let mut out =
        format!("{:<12} {:<15} {:<7} {:>9} {:>10} {:>9}\n", "format", "workload", "op", "bytes", "MB/s", "runs");
    for figure in figures {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{:<12} {:<15} {:<7} {:>9} {:>10.1} {:>9}",
            figure.format.label(),
            figure.workload,
            figure.operation.label(),
            figure.bytes,
            figure.mb_per_s,
            figure.runs
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_noise_is_skipped() {
        let figures = vec![
            Throughput {
                format: Format::MessagePack,
                workload: WORKLOADS[1],
                operation: Operation::Decode,
                bytes: 123_456,
                mb_per_s: 98.765,
                runs: 40,
            },
            Throughput {
                format: Format::Json,
                workload: WORKLOADS[0],
                operation: Operation::Encode,
                bytes: 300,
                mb_per_s: 0.5,
                runs: 1_000_000,
            },
        ];
        let mut output = String::from("Running tests\nTHROUGHPUT\tYAML\tSensor reading\tencode\t1\t1\t1\n");
        for figure in &figures {
            output.push_str(&format!("console: {}\n", line(figure)));
        }
        output.push_str("THROUGHPUT\tJSON\tSensor reading\tencode\tmany\t1\t1\n");
        output.push_str(&problem_line("XML Sensor reading: does not\nencode"));
        assert_eq!(parse_lines(&output), figures);
        assert_eq!(parse_problems(&output), vec!["XML Sensor reading: does not encode".to_owned()]);
    }

    #[test]
    fn the_median_batch_is_reported_with_a_fake_clock() {
        // Every run of the work moves the fake clock on by 0.01 ms.
        let now = std::cell::Cell::new(0.0f64);
        let clock = || now.get();
        let timing = median_ms_per_run(&clock, 10.0, || now.set(now.get() + 0.01));
        assert!((timing.ms_per_run - 0.01).abs() < 1e-9, "{timing:?}");
        assert!(timing.runs >= 900, "{timing:?}");
        let figure = figure(Format::Cbor, WORKLOADS[0], Operation::Encode, 1000, timing);
        assert!((figure.mb_per_s - 100.0).abs() < 1e-6, "{figure:?}");
    }

    #[test]
    fn every_workload_is_a_sample() {
        let names: Vec<&str> = samples::all().iter().map(|sample| sample.name).collect();
        for workload in WORKLOADS {
            assert!(names.contains(&workload), "{workload}");
        }
    }

    #[test]
    fn the_table_has_a_row_per_figure() {
        let figure = Throughput {
            format: Format::Protobuf,
            workload: WORKLOADS[0],
            operation: Operation::Decode,
            bytes: 90,
            mb_per_s: 12.34,
            runs: 7,
        };
        let table = render_table(&[figure.clone(), figure]);
        assert_eq!(table.lines().count(), 3);
        assert!(table.contains("Protobuf     Sensor reading  decode         90       12.3         7"), "{table}");
    }
}
