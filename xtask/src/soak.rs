//! `cargo xtask soak`: bounded soak and fault runs against a release wirelab-server on loopback,
//! each with a PASS/FAIL verdict and its figures.
//!
//! Every check gets a fresh server (so its memory baseline is its own), started with
//! `--max-connections 20000`, `--header-read-timeout 2`, `--idle-timeout 10` and the hard open-file limit; the client
//! side is `wirelab-loadgen soak <check>` (crates/loadgen/src/soak.rs), which reads the server's
//! VmRSS and descriptors from /proc and prints one `CHECK` line per verdict. The table is printed
//! and written to target/soak.txt; the command fails if any check fails.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::process::{self, ServerProcess, root, with_file_limit_raised};

/// The server's header read timeout for the run, in seconds.
const HEADER_TIMEOUT_SECS: &str = "2";
/// The server's idle timeout for the soak: a silent peer is pinged after this, closed after twice.
const IDLE_TIMEOUT_SECS: &str = "10";
/// The server's connection cap for the run: well above what any check opens.
const MAX_CONNECTIONS: &str = "20000";

struct Options {
    churn_secs: f64,
    churn_connections: usize,
    slow_secs: f64,
    flood_mib: u64,
    slowloris: usize,
    silent_secs: f64,
}

const USAGE: &str = "options: --churn-secs S (60) --churn-connections N (5000) --slow-secs S (10) \
                     --flood-mib M (100) --slowloris N (500) --silent-secs S (60)";

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        churn_secs: 60.0,
        churn_connections: 5000,
        slow_secs: 10.0,
        flood_mib: 100,
        slowloris: 500,
        silent_secs: 60.0,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        let secs = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|secs| secs.is_finite() && *secs > 0.0)
                .ok_or_else(|| format!("{flag} {value}: not a number of seconds"))
        };
        let count =
            || value.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("{flag} {value}: not a count"));
        match flag.as_str() {
            "--churn-secs" => options.churn_secs = secs()?,
            "--churn-connections" => options.churn_connections = count()?,
            "--slow-secs" => options.slow_secs = secs()?,
            "--flood-mib" => options.flood_mib = count()? as u64,
            "--slowloris" => options.slowloris = count()?,
            "--silent-secs" => options.silent_secs = secs()?,
            other => return Err(format!("soak: unknown option {other}; {USAGE}")),
        }
    }
    Ok(options)
}

/// One verdict from the load generator.
#[derive(Debug, PartialEq)]
struct Row {
    name: String,
    verdict: String,
    figures: String,
    rule: String,
}

impl Row {
    /// FAIL, or any verdict other than PASS and INFO (reported only).
    fn failed(&self) -> bool {
        !matches!(self.verdict.as_str(), "PASS" | "INFO")
    }
}

/// A `CHECK\tname\tverdict\tfigures\trule` line.
fn parse_check(line: &str) -> Option<Row> {
    let mut fields = line.strip_prefix("CHECK\t")?.split('\t');
    let (name, verdict, figures) = (fields.next()?, fields.next()?, fields.next()?);
    Some(Row {
        name: name.to_owned(),
        verdict: verdict.to_owned(),
        figures: figures.to_owned(),
        rule: fields.next().unwrap_or_default().to_owned(),
    })
}

pub fn soak(args: &[String]) -> Result<(), String> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("Usage: cargo xtask soak [options]\n{USAGE}");
        return Ok(());
    }
    let options = parse_options(args)?;
    let (server, loadgen, logs) = process::build_server_and_loadgen("soak")?;

    let checks: Vec<(&str, Vec<String>)> = vec![
        (
            "churn",
            vec![
                "--secs".into(),
                options.churn_secs.to_string(),
                "--connections".into(),
                options.churn_connections.to_string(),
            ],
        ),
        ("slow-reader", vec!["--secs".into(), options.slow_secs.to_string()]),
        ("ping-flood", vec!["--flood-mib".into(), options.flood_mib.to_string()]),
        ("half-handshake", Vec::new()),
        ("slowloris", vec!["--connections".into(), options.slowloris.to_string()]),
        ("vanish", vec!["--secs".into(), options.silent_secs.to_string()]),
    ];
    let started = Instant::now();
    let mut rows = Vec::new();
    for (check, extra) in checks {
        eprintln!("\n==> soak: {check}");
        rows.extend(run_check(&server, &loadgen, &logs, check, &extra));
    }
    let header = format!(
        "wirelab-server soak: loopback, a fresh release server per check (--max-connections {MAX_CONNECTIONS}, \
         --header-read-timeout {HEADER_TIMEOUT_SECS}, --idle-timeout {IDLE_TIMEOUT_SECS}, open-file limit raised); {:.0} s in all.\n\
         Churn {} s x {} connections per batch; slow reader {} s; ping flood {} MiB; slowloris {} connections; \
         silent peer watched {} s. Figures: server VmRSS and descriptors from /proc.\n",
        started.elapsed().as_secs_f64(),
        options.churn_secs,
        options.churn_connections,
        options.slow_secs,
        options.flood_mib,
        options.slowloris,
        options.silent_secs,
    );
    let table = format!("{header}\n{}", render(&rows));
    println!("\n{table}");
    let file = root().join("target").join("soak.txt");
    std::fs::write(&file, &table).map_err(|error| format!("cannot write {}: {error}", file.display()))?;
    eprintln!("xtask: written to {}; server logs in {}", file.display(), logs.display());
    let failed: Vec<&str> = rows.iter().filter(|row| row.failed()).map(|row| row.name.as_str()).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("soak: failed: {}", failed.join(", "))) }
}

/// Runs one check against a fresh server; a check that cannot run is a failed row.
fn run_check(server: &str, loadgen: &str, logs: &Path, check: &str, extra: &[String]) -> Vec<Row> {
    let failed = |why: String| {
        vec![Row { name: check.to_owned(), verdict: "FAIL".into(), figures: why, rule: "the check must run".into() }]
    };
    let mut running = match Server::start(server, &logs.join(format!("{check}.log"))) {
        Ok(running) => running,
        Err(why) => return failed(why),
    };
    let mut args: Vec<String> = vec![
        "soak".into(),
        check.into(),
        "--target".into(),
        running.target.clone(),
        "--server-pid".into(),
        running.process.pid().to_string(),
        "--header-timeout".into(),
        HEADER_TIMEOUT_SECS.into(),
    ];
    args.extend(extra.iter().cloned());
    // The load generator opens thousands of sockets too.
    let captured = match process::capture(&mut with_file_limit_raised(None, loadgen, &args)) {
        Ok(captured) => captured,
        Err(why) => return failed(why),
    };
    let mut rows: Vec<Row> = captured.stdout.lines().filter_map(parse_check).collect();
    if let Some(why) = captured.failure() {
        rows.extend(failed(why));
    } else if rows.is_empty() {
        rows.extend(failed("the load generator printed no CHECK line".into()));
    }
    if let Some(status) = running.process.exited() {
        rows.extend(failed(format!("the server exited during the check ({status}); see {check}.log")));
    }
    rows
}

fn render(rows: &[Row]) -> String {
    let width = rows.iter().map(|row| row.name.len()).max().unwrap_or(5).max(5);
    let mut out = format!("{:<width$}  result  figures\n", "check");
    for row in rows {
        let _ = writeln!(out, "{:<width$}  {:<6}  {}", row.name, row.verdict, row.figures);
        let _ = writeln!(out, "{:<width$}          rule: {}", "", row.rule);
    }
    let count = |verdict: &str| rows.iter().filter(|row| row.verdict == verdict).count();
    let failed = rows.iter().filter(|row| row.failed()).count();
    let _ = writeln!(out, "\n{} passed, {failed} failed, {} reported only", count("PASS"), count("INFO"));
    out
}

/// A wirelab-server child process, stopped when dropped.
struct Server {
    process: ServerProcess,
    /// `ws://HOST:PORT/ws/echo`.
    target: String,
}

impl Server {
    fn start(binary: &str, log_path: &Path) -> Result<Server, String> {
        let log = std::fs::File::create(log_path)
            .map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
        let args = [
            "--port",
            "0",
            "--max-connections",
            MAX_CONNECTIONS,
            "--header-read-timeout",
            HEADER_TIMEOUT_SECS,
            "--idle-timeout",
            IDLE_TIMEOUT_SECS,
        ]
        .map(str::to_owned);
        let mut command = with_file_limit_raised(None, binary, &args);
        // One log line per connection would cost the churn time.
        command.env("RUST_LOG", "warn").stderr(log);
        let process =
            ServerProcess::spawn(command, false).map_err(|why| format!("{why} (see {})", log_path.display()))?;
        let target = format!("ws://{}/ws/echo", process.address);
        Ok(Server { process, target })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_lines_and_options_are_read() {
        let row = parse_check("CHECK\tchurn\tPASS\t5 cycles\tno failures").unwrap();
        assert_eq!((row.name.as_str(), row.verdict.as_str(), row.rule.as_str()), ("churn", "PASS", "no failures"));
        assert!(parse_check("noise").is_none());
        let options = parse_options(&["--churn-secs".into(), "30".into(), "--slowloris".into(), "50".into()]).unwrap();
        assert_eq!((options.churn_secs, options.slowloris, options.churn_connections), (30.0, 50, 5000));
        assert!(parse_options(&["--churn-secs".into(), "-1".into()]).is_err());
        assert!(parse_options(&["--bogus".into(), "1".into()]).is_err());
        let table = render(&[row]);
        assert!(table.contains("1 passed, 0 failed"), "{table}");
    }

    #[test]
    fn any_verdict_but_pass_and_info_is_a_failure() {
        let cases = [("PASS", false), ("INFO", false), ("FAIL", true), ("", true), ("pass", true)];
        let mut rows = Vec::new();
        for (verdict, failed) in cases {
            let row = Row { name: "x".into(), verdict: verdict.into(), figures: String::new(), rule: String::new() };
            assert_eq!(row.failed(), failed, "{verdict:?}");
            rows.push(row);
        }
        let table = render(&rows);
        assert!(table.contains("1 passed, 3 failed, 1 reported only"), "{table}");
    }
}
