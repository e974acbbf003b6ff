//! `cargo xtask conformance`: runs the Autobahn|Testsuite fuzzing client (all 517 cases, RFC 6455
//! and permessage-deflate) against a release wirelab-server's `/ws/echo`, and fails unless every
//! case passes, so conformance is measured rather than claimed.
//!
//! The suite judges each case twice, and both columns are counted: `behavior` (did the server do
//! what the case expects) and `behaviorClose` (did the connection close as it should: by the right
//! side, cleanly, with an allowed code). What fails the command, from Autobahn's meanings:
//!
//! - `behavior`: FAILED, and UNIMPLEMENTED (the report shows both as "Fail"). NON-STRICT (allowed by
//!   the RFC but not the strictest reading: bad UTF-8 caught at the end of a frame rather than at
//!   the byte) and INFORMATIONAL (the case only records what happened) pass.
//! - `behaviorClose`: FAILED (closed by the wrong side, or without a close handshake), UNCLEAN (the
//!   case requires a clean close) and WRONG CODE (a close code the case does not allow: the report
//!   only colours it yellow, but a client told 1003 "unsupported data" for a protocol error is
//!   misinformed). OK and INFORMATIONAL pass; FAILED BY CLIENT (the client had to drop the TCP
//!   connection after the close handshake: RFC 6455 section 7.1.1 says the server SHOULD, and the
//!   report shows it as "almost") is listed, not failed.
//! - Any other or missing outcome fails, and so does a report with fewer than 517 cases (the suite
//!   did not run them all) or a report written before this run started (stale: wstest wrote
//!   nothing this time).
//!
//! The suite needs Python 2.7: the pyenv 2.7.18 under `~/.pyenv` (or `$PYENV_ROOT`), or any
//! `python2.7` on PATH. It is installed from PyPI into target/tools/autobahn on first use; the
//! report (HTML per case, and index.json) goes to target/autobahn.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use serde_json::Value;

use crate::process::{self, command, output, root};
use crate::run::{RunningServer, build_server};

/// The suite's version on PyPI (the last release, for Python 2.7).
const AUTOBAHN_VERSION: &str = "25.10.1";
/// The agent name in the report, and its folder.
const AGENT: &str = "wirelab-server";
/// The cases of the suite (`"cases": ["*"]`); a report with fewer did not run them all.
const EXPECTED_CASES: usize = 517;

/// One of the two columns the suite judges each case in; see the module docs for what fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    /// `behavior`: what the server did.
    Behavior,
    /// `behaviorClose`: how the connection closed.
    Closing,
}

impl Column {
    /// The key in index.json.
    fn key(self) -> &'static str {
        match self {
            Column::Behavior => "behavior",
            Column::Closing => "behaviorClose",
        }
    }

    /// The outcomes the suite gives in this column, in the order the summary lists them.
    fn outcomes(self) -> &'static [&'static str] {
        match self {
            Column::Behavior => &["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"],
            Column::Closing => &["OK", "INFORMATIONAL", "FAILED BY CLIENT", "WRONG CODE", "UNCLEAN", "FAILED"],
        }
    }

    /// Outcomes that pass.
    fn passing(self) -> &'static [&'static str] {
        match self {
            Column::Behavior => &["OK", "NON-STRICT", "INFORMATIONAL"],
            Column::Closing => &["OK", "INFORMATIONAL"],
        }
    }

    /// Outcomes listed in the output that neither pass cleanly nor fail.
    fn noted(self) -> &'static [&'static str] {
        match self {
            Column::Behavior => &[],
            Column::Closing => &["FAILED BY CLIENT"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Column::Behavior => "behavior",
            Column::Closing => "closing behavior",
        }
    }
}

const COLUMNS: [Column; 2] = [Column::Behavior, Column::Closing];

pub fn conformance() -> Result<(), String> {
    let started = Instant::now();
    let python = python27()?;
    let suite = ensure_autobahn(&python)?;
    let server = build_server(true)?;
    let running = RunningServer::start_with_env(&server, &["--port", "0"], &[("RUST_LOG", "warn")])?;

    let report_dir = root().join("target").join("autobahn");
    std::fs::create_dir_all(&report_dir).map_err(|error| format!("cannot create {}: {error}", report_dir.display()))?;
    let spec = serde_json::json!({
        "outdir": report_dir.join("report"),
        "servers": [{ "agent": AGENT, "url": format!("ws://{}/ws/echo", running.host()) }],
        "cases": ["*"],
        "exclude-cases": [],
        "exclude-agent-cases": {},
    });
    let spec_path = report_dir.join("fuzzingclient.json");
    std::fs::write(&spec_path, spec.to_string())
        .map_err(|error| format!("cannot write {}: {error}", spec_path.display()))?;

    eprintln!("xtask: running the Autobahn|Testsuite fuzzing client (about 7 minutes on 2 cores)");
    let suite_started = Instant::now();
    let run_started = SystemTime::now();
    // The install is a --target folder, not a site folder: `addsitedir` also reads its .pth files,
    // which zope.interface (for Twisted) needs.
    let script = format!(
        "import site, sys; site.addsitedir({suite:?}); sys.argv = ['wstest', '-m', 'fuzzingclient', '-s', {spec:?}]; \
         from autobahntestsuite.wstest import run; sys.exit(run())",
        suite = suite.to_string_lossy(),
        spec = spec_path.to_string_lossy(),
    );
    let mut wstest = command(&python, &["-c", &script]);
    wstest.current_dir(&report_dir);
    let ran = run_logged(&mut wstest, &report_dir.join("wstest.log"));
    let suite_seconds = suite_started.elapsed().as_secs_f64();
    drop(running);
    ran?;

    let index = report_dir.join("report").join("index.json");
    let text = std::fs::read_to_string(&index).map_err(|error| format!("cannot read {}: {error}", index.display()))?;
    let written = std::fs::metadata(&index)
        .and_then(|metadata| metadata.modified())
        .map_err(|error| format!("cannot read the time {} was written: {error}", index.display()))?;
    let summary = summarize(&text)?;
    println!("\nAutobahn|Testsuite {AUTOBAHN_VERSION}, {} cases against {AGENT}:", summary.total);
    print!("{}", summary.table());
    for (case, column, outcome) in &summary.failing {
        println!("  failing: case {case}, {}: {outcome}", column.name());
    }
    for (case, column, outcome) in &summary.noted {
        println!("  noted: case {case}, {}: {outcome}", column.name());
    }
    println!(
        "suite {suite_seconds:.0} s, total {:.0} s; report: {}",
        started.elapsed().as_secs_f64(),
        report_dir.join("report").join("index.html").display()
    );
    let problems = summary.problems(written, run_started);
    if problems.is_empty() {
        println!("xtask: all {} cases pass in both columns", summary.total);
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Runs a command with its output (a line per case) sent to `log`; Err names the log on failure.
fn run_logged(command: &mut Command, log: &Path) -> Result<(), String> {
    let shown = process::describe(command);
    let file = File::create(log).map_err(|error| format!("cannot create {}: {error}", log.display()))?;
    let copy = file.try_clone().map_err(|error| format!("cannot share {}: {error}", log.display()))?;
    eprintln!("$ {shown}\n  (output in {})", log.display());
    let status = command
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(copy))
        .status()
        .map_err(|error| format!("could not start `{shown}`: {error}"))?;
    if status.success() { Ok(()) } else { Err(format!("wstest failed ({status}); see {}", log.display())) }
}

/// What index.json says, counted in both columns.
#[derive(Debug, PartialEq)]
struct Summary {
    total: usize,
    /// Cases per outcome, per column.
    counts: BTreeMap<(Column, String), usize>,
    /// Cases with a failing outcome, in case order (1.1.2 before 1.1.10), behavior first.
    failing: Vec<(String, Column, String)>,
    /// Cases with an outcome that is listed but does not fail, in case order.
    noted: Vec<(String, Column, String)>,
}

/// Reads the suite's index.json: `{ agent: { case id: { "behavior": ..., "behaviorClose": ...,
/// ... } } }`. A case without an outcome in a column counts as `MISSING` there.
fn summarize(index: &str) -> Result<Summary, String> {
    let index: Value = serde_json::from_str(index).map_err(|error| format!("index.json: {error}"))?;
    let cases =
        index.get(AGENT).and_then(Value::as_object).ok_or_else(|| format!("index.json has no results for {AGENT}"))?;
    let mut counts = BTreeMap::new();
    let mut failing = Vec::new();
    let mut noted = Vec::new();
    for (case, result) in cases {
        for column in COLUMNS {
            let outcome = result.get(column.key()).and_then(Value::as_str).unwrap_or("MISSING").to_owned();
            if column.noted().contains(&outcome.as_str()) {
                noted.push((case.clone(), column, outcome.clone()));
            } else if !column.passing().contains(&outcome.as_str()) {
                failing.push((case.clone(), column, outcome.clone()));
            }
            *counts.entry((column, outcome)).or_insert(0) += 1;
        }
    }
    failing.sort_by_key(|(case, column, _)| (case_order(case), *column));
    noted.sort_by_key(|(case, column, _)| (case_order(case), *column));
    Ok(Summary { total: cases.len(), counts, failing, noted })
}

impl Summary {
    /// The counts as a table: one row per outcome, one column per judgement (`-` where the suite
    /// never gives that outcome).
    fn table(&self) -> String {
        let mut outcomes: Vec<&str> = Vec::new();
        let known = COLUMNS.iter().flat_map(|column| column.outcomes().iter().copied());
        let seen = self.counts.keys().map(|(_, outcome)| outcome.as_str());
        for outcome in known.chain(seen) {
            if !outcomes.contains(&outcome) {
                outcomes.push(outcome);
            }
        }
        let mut table = format!("  {:<18} {:>9} {:>17}\n", "outcome", Column::Behavior.name(), Column::Closing.name());
        for outcome in outcomes {
            let cell = |column: Column| match self.counts.get(&(column, outcome.to_owned())) {
                Some(count) => count.to_string(),
                None if column.outcomes().contains(&outcome) => "0".to_owned(),
                None => "-".to_owned(),
            };
            table.push_str(&format!("  {outcome:<18} {:>9} {:>17}\n", cell(Column::Behavior), cell(Column::Closing)));
        }
        table
    }

    /// Why the run fails, if it does: a stale report (`written` before the run `started`), too
    /// few cases, or failing outcomes.
    fn problems(&self, written: SystemTime, started: SystemTime) -> Vec<String> {
        let mut problems = Vec::new();
        if written < started {
            problems.push(
                "the report is stale: index.json was written before this run started, so wstest wrote none".to_owned(),
            );
        }
        if self.total < EXPECTED_CASES {
            problems.push(format!(
                "the suite reported {} cases, fewer than its {EXPECTED_CASES}: not every case ran",
                self.total
            ));
        }
        if !self.failing.is_empty() {
            let cases: Vec<String> = self
                .failing
                .iter()
                .map(|(case, column, outcome)| format!("{case} ({}: {outcome})", column.name()))
                .collect();
            problems.push(format!("failing outcomes ({}): {}", cases.len(), cases.join(", ")));
        }
        problems
    }
}

/// "12.1.10" as numbers, so cases sort as the suite numbers them.
fn case_order(case: &str) -> Vec<u32> {
    case.split('.').map(|part| part.parse().unwrap_or(u32::MAX)).collect()
}

/// A Python 2.7 interpreter: pyenv's 2.7.18, or `python2.7` / `python2` on PATH.
fn python27() -> Result<String, String> {
    let pyenv_root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".pyenv"));
    let pyenv = pyenv_root.join("versions").join("2.7.18").join("bin").join("python");
    let candidates = [pyenv.to_string_lossy().into_owned(), "python2.7".into(), "python2".into()];
    candidates
        .into_iter()
        .find(|python| output(python, &["-c", "import sys; assert sys.version_info[:2] == (2, 7)"]).is_some())
        .ok_or_else(|| {
            format!(
                "Autobahn|Testsuite needs Python 2.7, and none was found ({} or python2.7 on PATH). \
                 Install it with pyenv (`pyenv install 2.7.18`) and run again.",
                pyenv.display()
            )
        })
}

/// Installs the suite into target/tools/autobahn unless that version is there already.
fn ensure_autobahn(python: &str) -> Result<PathBuf, String> {
    let target = root().join("target").join("tools").join("autobahn");
    let marker = target.join(format!("autobahntestsuite-{AUTOBAHN_VERSION}.dist-info"));
    if marker.exists() {
        return Ok(target);
    }
    if output(python, &["-m", "pip", "--version"]).is_none() {
        eprintln!("xtask: Python 2.7 has no pip; bootstrapping it with ensurepip");
        process::run(&mut command(python, &["-m", "ensurepip", "--default-pip"]))?;
    }
    eprintln!("xtask: installing autobahntestsuite {AUTOBAHN_VERSION} from PyPI into {}", target.display());
    let spec = format!("autobahntestsuite=={AUTOBAHN_VERSION}");
    let target_arg = target.to_string_lossy().into_owned();
    process::run(&mut command(
        python,
        &["-m", "pip", "install", "--disable-pip-version-check", "--upgrade", "--target", &target_arg, &spec],
    ))?;
    if marker.exists() { Ok(target) } else { Err(format!("pip did not install {spec} into {}", target.display())) }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// An index.json for this agent with these cases: (case, behavior, closing behavior), `None`
    /// leaving the key out.
    fn index(cases: &[(&str, Option<&str>, Option<&str>)]) -> String {
        let mut results = serde_json::Map::new();
        for (case, behavior, closing) in cases {
            let mut result = serde_json::Map::new();
            if let Some(behavior) = behavior {
                result.insert("behavior".into(), (*behavior).into());
            }
            if let Some(closing) = closing {
                result.insert("behaviorClose".into(), (*closing).into());
            }
            results.insert((*case).into(), result.into());
        }
        serde_json::json!({ AGENT: results }).to_string()
    }

    fn summary(cases: &[(&str, Option<&str>, Option<&str>)]) -> Summary {
        summarize(&index(cases)).unwrap_or_else(|error| panic!("{error}"))
    }

    /// (behavior, closing behavior) → failing columns, noted columns.
    #[test]
    fn each_column_has_its_own_passing_outcomes() {
        use Column::*;
        type Case = (Option<&'static str>, Option<&'static str>, &'static [Column], &'static [Column]);
        let cases: &[Case] = &[
            (Some("OK"), Some("OK"), &[], &[]),
            (Some("NON-STRICT"), Some("OK"), &[], &[]),
            (Some("INFORMATIONAL"), Some("INFORMATIONAL"), &[], &[]),
            (Some("OK"), Some("WRONG CODE"), &[Closing], &[]),
            (Some("OK"), Some("UNCLEAN"), &[Closing], &[]),
            (Some("OK"), Some("FAILED"), &[Closing], &[]),
            (Some("OK"), Some("FAILED BY CLIENT"), &[], &[Closing]),
            (Some("FAILED"), Some("OK"), &[Behavior], &[]),
            (Some("UNIMPLEMENTED"), Some("OK"), &[Behavior], &[]),
            (Some("FAILED"), Some("WRONG CODE"), &[Behavior, Closing], &[]),
            (None, Some("OK"), &[Behavior], &[]),
            (Some("OK"), None, &[Closing], &[]),
            (Some("SOMETHING NEW"), Some("OK"), &[Behavior], &[]),
        ];
        for (behavior, closing, failing, noted) in cases {
            let summary = summary(&[("1.1.1", *behavior, *closing)]);
            let columns =
                |listed: &[(String, Column, String)]| listed.iter().map(|(_, column, _)| *column).collect::<Vec<_>>();
            assert_eq!(columns(&summary.failing), *failing, "{behavior:?} / {closing:?}");
            assert_eq!(columns(&summary.noted), *noted, "{behavior:?} / {closing:?}");
        }
    }

    #[test]
    fn both_columns_are_counted_and_failures_listed_in_case_order() {
        let summary = summary(&[
            ("1.1.1", Some("OK"), Some("OK")),
            ("4.1.1", Some("OK"), Some("WRONG CODE")),
            ("12.1.10", Some("FAILED"), Some("OK")),
            ("12.1.2", Some("UNIMPLEMENTED"), Some("OK")),
            ("6.4.1", Some("NON-STRICT"), Some("OK")),
            ("7.1.6", Some("INFORMATIONAL"), Some("INFORMATIONAL")),
            ("2.1", None, None),
        ]);
        assert_eq!(summary.total, 7);
        let counts: Vec<(Column, &str, usize)> =
            summary.counts.iter().map(|((column, outcome), count)| (*column, outcome.as_str(), *count)).collect();
        use Column::*;
        assert_eq!(
            counts,
            [
                (Behavior, "FAILED", 1),
                (Behavior, "INFORMATIONAL", 1),
                (Behavior, "MISSING", 1),
                (Behavior, "NON-STRICT", 1),
                (Behavior, "OK", 2),
                (Behavior, "UNIMPLEMENTED", 1),
                (Closing, "INFORMATIONAL", 1),
                (Closing, "MISSING", 1),
                (Closing, "OK", 4),
                (Closing, "WRONG CODE", 1),
            ]
        );
        let failing: Vec<(&str, Column, &str)> =
            summary.failing.iter().map(|(case, column, outcome)| (case.as_str(), *column, outcome.as_str())).collect();
        assert_eq!(
            failing,
            [
                ("2.1", Behavior, "MISSING"),
                ("2.1", Closing, "MISSING"),
                ("4.1.1", Closing, "WRONG CODE"),
                ("12.1.2", Behavior, "UNIMPLEMENTED"),
                ("12.1.10", Behavior, "FAILED"),
            ]
        );
        let table = summary.table();
        for row in [
            "  OK                         2                 4",
            "  WRONG CODE                 -                 1",
            "  MISSING                    1                 1",
        ] {
            assert!(table.contains(row), "{row:?} not in\n{table}");
        }
    }

    /// (cases in the report, written before the run started, failing outcomes) → the problems'
    /// beginnings.
    #[test]
    fn a_short_stale_or_failing_report_fails_the_run() {
        let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let (before, after) = (started - Duration::from_secs(60), started + Duration::from_secs(420));
        let passing = |count: usize| -> Vec<(String, Option<&'static str>, Option<&'static str>)> {
            (0..count).map(|case| (format!("1.{case}"), Some("OK"), Some("OK"))).collect()
        };
        let as_refs = |cases: &[(String, Option<&'static str>, Option<&'static str>)]| -> Summary {
            let cases: Vec<(&str, Option<&str>, Option<&str>)> =
                cases.iter().map(|(case, behavior, closing)| (case.as_str(), *behavior, *closing)).collect();
            summary(&cases)
        };
        let mut wrong_code = passing(EXPECTED_CASES);
        wrong_code[3].2 = Some("WRONG CODE");
        let cases: Vec<(&str, Summary, SystemTime, &[&str])> = vec![
            ("all 517 pass, fresh", as_refs(&passing(EXPECTED_CASES)), after, &[]),
            ("stale", as_refs(&passing(EXPECTED_CASES)), before, &["the report is stale"]),
            (
                "516 cases",
                as_refs(&passing(EXPECTED_CASES - 1)),
                after,
                &["the suite reported 516 cases, fewer than its 517"],
            ),
            (
                "one wrong code",
                as_refs(&wrong_code),
                after,
                &["failing outcomes (1): 1.3 (closing behavior: WRONG CODE)"],
            ),
            ("stale and short", as_refs(&passing(10)), before, &["the report is stale", "the suite reported 10 cases"]),
        ];
        for (name, summary, written, expected) in cases {
            let problems = summary.problems(written, started);
            assert_eq!(problems.len(), expected.len(), "{name}: {problems:?}");
            for (problem, start) in problems.iter().zip(expected) {
                assert!(problem.starts_with(start), "{name}: {problem}");
            }
        }
    }

    #[test]
    fn a_report_without_this_agent_is_an_error() {
        for index in ["{}", r#"{"other": {}}"#, "not json"] {
            assert!(summarize(index).is_err(), "{index}");
        }
    }
}
