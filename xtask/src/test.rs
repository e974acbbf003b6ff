//! `cargo xtask test`: every check the project has, in one command, with a summary that names
//! each failing step. Later steps still run after a failure, so one run shows everything wrong.

use std::time::Instant;

use crate::process::{self, BrowserScratch, command, root};
use crate::run::{RunningServer, build_app, build_server};
use crate::tools::{Needs, Tools};

struct Outcome {
    step: &'static str,
    result: Result<(), String>,
    seconds: f64,
}

pub fn test() -> Result<(), String> {
    let started = Instant::now();
    let target = root().join("target");
    // The workspace root, not target/: a clean clone has no target/ yet (it is on the same disk).
    if let Some(free) = free_gigabytes(&root()).filter(|free| *free < CLEAN_RUN_GIGABYTES) {
        eprintln!(
            "xtask: warning: {free:.1} GB free for {}; a run from a clean clone writes about \
             {CLEAN_RUN_GIGABYTES:.0} GB there",
            target.display()
        );
    }
    let tools = Tools::ensure(Needs::everything())?;
    let mut outcomes = Vec::new();
    let mut step = |name: &'static str, action: &mut dyn FnMut() -> Result<(), String>| {
        eprintln!("\n==> {name}");
        let begun = Instant::now();
        let result = action();
        if let Err(error) = &result {
            eprintln!("xtask: step '{name}' failed: {error}");
        }
        outcomes.push(Outcome { step: name, result, seconds: begun.elapsed().as_secs_f64() });
    };

    step("rustfmt", &mut || process::run(&mut command("cargo", &["fmt", "--all", "--", "--check"])));
    step("clippy (native crates)", &mut || {
        process::run(&mut command(
            "cargo",
            &[
                "clippy",
                "-p",
                "wirelab-wire",
                "-p",
                "wirelab-server",
                "-p",
                "wirelab-loadgen",
                "-p",
                "xtask",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ))
    });
    step("clippy (app, wasm32)", &mut || {
        process::run(&mut command(
            "cargo",
            &[
                "clippy",
                "-p",
                "wirelab",
                "-p",
                "wirelab-wire",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ))
    });
    step("native tests", &mut || {
        process::run(&mut command(
            "cargo",
            &["test", "-p", "wirelab-wire", "-p", "wirelab-server", "-p", "wirelab-loadgen", "-p", "xtask"],
        ))
    });
    step("build the app (trunk --release)", &mut || build_app(&tools));

    // The browser tests and the journeys talk to a real server, started here on free ports: plain
    // HTTP, and HTTPS/HTTP/2 with a certificate made in a folder of the run's own (the journeys
    // trust exactly that certificate; see e2e/support.mjs).
    let tls_data = root().join("target").join("e2e-tls");
    let tls_data = tls_data.to_string_lossy().into_owned();
    let server_binary = build_server(false);
    let server = server_binary.clone().and_then(|binary| {
        RunningServer::start(
            &binary,
            &["--port", "0", "--static-dir", "dist", "--tls-port", "0", "--data-dir", &tls_data],
        )
    });
    match &server {
        Ok(server) => {
            let host = server.host().to_string();
            let url = server.url.clone();
            step("browser tests: core (wasm-pack, headless Chrome)", &mut || {
                wasm_pack_test(&tools, "crates/wire", None)
            });
            step("browser tests: app (wasm-pack, headless Chrome)", &mut || wasm_pack_test(&tools, ".", Some(&host)));
            step("end-to-end journeys (Playwright, Chromium)", &mut || {
                let mut node = command("node", &["--test", "--test-concurrency=1", "e2e/"]);
                node.env("WIRELAB_URL", &url).env("WIRELAB_SCREENSHOTS", root().join("target").join("e2e"));
                // The offline journey starts servers of its own (one per build it serves).
                node.env("WIRELAB_DIST", root().join("dist"));
                if let Ok(binary) = &server_binary {
                    node.env("WIRELAB_SERVER_BIN", binary);
                }
                process::run(&mut node)
            });
        }
        Err(error) => step("start wirelab-server for the browser tests", &mut || Err(error.clone())),
    }
    drop(server);

    eprintln!("\n==> summary ({:.0} s)", started.elapsed().as_secs_f64());
    let mut failed = Vec::new();
    for outcome in &outcomes {
        let mark = if outcome.result.is_ok() { "ok  " } else { "FAIL" };
        eprintln!("  {mark} {:<52} {:>6.1} s", outcome.step, outcome.seconds);
        if outcome.result.is_err() {
            failed.push(outcome.step);
        }
    }
    if let Some(free) = free_gigabytes(&target).filter(|free| !failed.is_empty() && *free < 1.0) {
        eprintln!("xtask: only {free:.2} GB is left on the disk of {}: a full disk may be the cause", target.display());
    }
    let passed = outcomes.len() - failed.len();
    println!("xtask: {passed} passed, {} failed", failed.len());
    if failed.is_empty() { Ok(()) } else { Err(format!("failing steps: {}", failed.join("; "))) }
}

/// What `.ci/run` wrote to a clean clone's `target/`, rounded up: 10.3 GB on c3da843 (`du -s target`
/// every 30 s during the run; 19 GB before dev builds kept only line tables).
const CLEAN_RUN_GIGABYTES: f64 = 12.0;

/// Free space on the disk that holds `path`, from `df` (None if it cannot be read).
fn free_gigabytes(path: &std::path::Path) -> Option<f64> {
    let report = process::output("df", &["-Pk", &path.to_string_lossy()])?;
    let kibibytes: f64 = report.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kibibytes / (1024.0 * 1024.0))
}

/// `wasm-pack test --headless --chrome` for one crate. `--mode no-install` makes a tool version
/// mismatch an error instead of a download; the timeout covers a slow first Chromium start.
/// `server`, when given, is the wirelab-server the app's browser tests talk to.
fn wasm_pack_test(tools: &Tools, crate_dir: &str, server: Option<&str>) -> Result<(), String> {
    let scratch = BrowserScratch::new("wasm-pack")?;
    let mut wasm_pack = command("wasm-pack", &["test", "--headless", "--chrome", "--mode", "no-install", crate_dir]);
    wasm_pack.env("PATH", &tools.path).env("WASM_BINDGEN_TEST_TIMEOUT", "180");
    scratch.apply(&mut wasm_pack);
    if let Some(server) = server {
        wasm_pack.env("WIRELAB_TEST_SERVER", server);
    }
    process::run(&mut wasm_pack)
}
