//! `cargo xtask conformance`: runs the Autobahn|Testsuite fuzzing client (all 517 cases, RFC 6455
//! and permessage-deflate) against a release wirelab-server's `/ws/echo`, and fails unless every
//! case passes, so conformance is measured rather than claimed.
//!
//! The suite needs Python 2.7: the pyenv 2.7.18 under `~/.pyenv` (or `$PYENV_ROOT`), or any
//! `python2.7` on PATH. It is installed from PyPI into target/tools/autobahn on first use; the
//! report (HTML per case, and index.json) goes to target/autobahn.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use crate::process::{self, command, output, root};
use crate::run::{RunningServer, build_server};

/// The suite's version on PyPI (the last release, for Python 2.7).
const AUTOBAHN_VERSION: &str = "25.10.1";
/// The agent name in the report, and its folder.
const AGENT: &str = "wirelab-server";
/// Outcomes that count as passing, as the suite names them.
const PASSING: [&str; 3] = ["OK", "NON-STRICT", "INFORMATIONAL"];
/// Every outcome, in the order the summary lists them.
const BEHAVIORS: [&str; 5] = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"];

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
    let summary = summarize(&text)?;
    println!("\nAutobahn|Testsuite {AUTOBAHN_VERSION}, {} cases against {AGENT}:", summary.total);
    for behavior in BEHAVIORS {
        println!("  {behavior:<14} {:>4}", summary.counts.get(behavior).copied().unwrap_or(0));
    }
    for (behavior, count) in summary.counts.iter().filter(|(behavior, _)| !BEHAVIORS.contains(&behavior.as_str())) {
        println!("  {behavior:<14} {count:>4}");
    }
    for (case, behavior) in &summary.failing {
        println!("  not passing: case {case}: {behavior}");
    }
    // The closing handshake is judged apart, and does not decide the outcome.
    if !summary.close_remarks.is_empty() {
        let listed: Vec<String> =
            summary.close_remarks.iter().map(|(case, remark)| format!("{case} ({remark})")).collect();
        println!("  closing handshake remarks: {}", listed.join(", "));
    }
    println!(
        "suite {suite_seconds:.0} s, total {:.0} s; report: {}",
        started.elapsed().as_secs_f64(),
        report_dir.join("report").join("index.html").display()
    );
    if summary.failing.is_empty() {
        println!("xtask: {} of {} cases OK, NON-STRICT or INFORMATIONAL", summary.total, summary.total);
        Ok(())
    } else {
        Err(format!("{} of {} cases did not pass", summary.failing.len(), summary.total))
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

/// What index.json says, counted.
#[derive(Debug, PartialEq)]
struct Summary {
    total: usize,
    counts: BTreeMap<String, usize>,
    /// Cases whose behavior is not passing, in case order (1.1.2 before 1.1.10).
    failing: Vec<(String, String)>,
    /// Cases whose closing handshake (`behaviorClose`) is not OK or INFORMATIONAL, in case order.
    close_remarks: Vec<(String, String)>,
}

/// Reads the suite's index.json: `{ agent: { case id: { "behavior": ..., ... } } }`.
fn summarize(index: &str) -> Result<Summary, String> {
    let index: Value = serde_json::from_str(index).map_err(|error| format!("index.json: {error}"))?;
    let cases =
        index.get(AGENT).and_then(Value::as_object).ok_or_else(|| format!("index.json has no results for {AGENT}"))?;
    let mut counts = BTreeMap::new();
    let mut failing = Vec::new();
    let mut close_remarks = Vec::new();
    for (case, result) in cases {
        let close = result.get("behaviorClose").and_then(Value::as_str).unwrap_or("OK");
        if !["OK", "INFORMATIONAL"].contains(&close) {
            close_remarks.push((case.clone(), close.to_owned()));
        }
        let behavior = result.get("behavior").and_then(Value::as_str).unwrap_or("MISSING").to_owned();
        if !PASSING.contains(&behavior.as_str()) {
            failing.push((case.clone(), behavior.clone()));
        }
        *counts.entry(behavior).or_insert(0) += 1;
    }
    failing.sort_by_key(|(case, _)| case_order(case));
    close_remarks.sort_by_key(|(case, _)| case_order(case));
    Ok(Summary { total: cases.len(), counts, failing, close_remarks })
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
    use super::*;

    #[test]
    fn the_summary_counts_behaviors_and_lists_cases_that_did_not_pass() {
        let index = r#"{"wirelab-server": {
            "1.1.1": {"behavior": "OK", "behaviorClose": "OK"},
            "4.1.1": {"behavior": "OK", "behaviorClose": "WRONG CODE"},
            "12.1.10": {"behavior": "FAILED"},
            "12.1.2": {"behavior": "UNIMPLEMENTED"},
            "6.4.1": {"behavior": "NON-STRICT"},
            "7.1.6": {"behavior": "INFORMATIONAL"},
            "2.1": {}
        }}"#;
        let summary = summarize(index).unwrap();
        assert_eq!(summary.total, 7);
        let counts: Vec<(&str, usize)> = summary.counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(
            counts,
            [("FAILED", 1), ("INFORMATIONAL", 1), ("MISSING", 1), ("NON-STRICT", 1), ("OK", 2), ("UNIMPLEMENTED", 1)]
        );
        let failing: Vec<(&str, &str)> = summary.failing.iter().map(|(c, b)| (c.as_str(), b.as_str())).collect();
        assert_eq!(failing, [("2.1", "MISSING"), ("12.1.2", "UNIMPLEMENTED"), ("12.1.10", "FAILED")]);
        assert_eq!(summary.close_remarks, [("4.1.1".to_owned(), "WRONG CODE".to_owned())]);
    }

    #[test]
    fn a_report_without_this_agent_is_an_error() {
        for index in ["{}", r#"{"other": {}}"#, "not json"] {
            assert!(summarize(index).is_err(), "{index}");
        }
    }
}
