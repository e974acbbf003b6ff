//! `cargo xtask bench-app`: the app's first load and responsiveness in headless Chromium, beside
//! an earlier commit (by default the last one before the app was split into modules) measured in
//! the same run, so the figures are ratios on the same machine at the same time.
//!
//! Both builds are served by today's wirelab-server. Today's build has its precompressed copies
//! (as `cargo xtask run` makes them); the baseline's dist gets none, so it is compressed on the
//! fly as the server of its day did. The measuring is `e2e/bench/app-bench.mjs`.

use std::path::{Path, PathBuf};

use crate::process::{self, command, root};
use crate::run::{RunningServer, build_app, build_server};
use crate::tools::{Needs, Tools};

/// The last commit whose app was one module: 720,767 bytes for a first visit when measured.
const DEFAULT_BASELINE: &str = "26cc955";

pub fn bench_app(args: &[String]) -> Result<(), String> {
    let baseline = match args {
        [flag, rev, ..] if flag == "--baseline" => rev.clone(),
        [] => DEFAULT_BASELINE.to_owned(),
        _ => return Err("usage: cargo xtask bench-app [--baseline <git revision>]".to_owned()),
    };
    let tools =
        Tools::ensure(Needs { app_build: true, browser_tests: false, end_to_end: true, protocol_clients: false })?;
    build_app(&tools)?;
    let baseline_dist = build_baseline(&tools, &baseline)?;
    let server = build_server(true)?;
    let quiet = [("RUST_LOG", "warn")];
    let today = RunningServer::start_with_env(&server, &["--port", "0", "--static-dir", "dist"], &quiet)?;
    let dist = baseline_dist.to_string_lossy().into_owned();
    let earlier = RunningServer::start_with_env(&server, &["--port", "0", "--static-dir", &dist], &quiet)?;
    let mut node = command("node", &["e2e/bench/app-bench.mjs"]);
    node.env("WIRELAB_URL", &today.url)
        .env("BASELINE_URL", &earlier.url)
        .env("BASELINE_NAME", &baseline)
        .env("REPORT", root().join("target").join("bench-app.txt"));
    process::run(&mut node)
}

/// Builds `revision`'s app from a worktree into `target/bench-app/baseline-dist`, with a target
/// directory of its own: cargo names a workspace member's artifacts the same in every checkout
/// and judges them fresh by the files of the checkout that built them last, so a shared target
/// directory could hand one checkout the other's code.
fn build_baseline(tools: &Tools, revision: &str) -> Result<PathBuf, String> {
    let bench = root().join("target").join("bench-app");
    let source = bench.join("baseline-src");
    let dist = bench.join("baseline-dist");
    let commit = process::output("git", &["rev-parse", "--verify", &format!("{revision}^{{commit}}")])
        .ok_or_else(|| format!("git does not know the revision '{revision}' (a shallow clone? fetch it first)"))?;
    let checked_out = process::output("git", &["-C", &source.to_string_lossy(), "rev-parse", "HEAD"]);
    if checked_out.as_deref() != Some(commit.as_str()) {
        if source.exists() {
            process::run(&mut command("git", &["worktree", "remove", "--force", &source.to_string_lossy()]))
                .or_else(|_| std::fs::remove_dir_all(&source).map_err(|error| error.to_string()))?;
            process::run(&mut command("git", &["worktree", "prune"]))?;
        }
        process::run(&mut command("git", &["worktree", "add", "--detach", &source.to_string_lossy(), &commit]))?;
    }
    let mut trunk =
        command("trunk", &["build", "--release", "--cargo-profile", "wasm-release", "--dist", &dist.to_string_lossy()]);
    trunk.current_dir(&source).env("PATH", &tools.path).env("CARGO_TARGET_DIR", bench.join("target"));
    process::run(&mut trunk)?;
    remove_precompressed(&dist)?;
    Ok(dist)
}

/// The baseline is compressed on the fly, as it was when it was main: drop any copies.
fn remove_precompressed(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|error| format!("{}: {error}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            remove_precompressed(&path)?;
        } else if path.extension().is_some_and(|extension| extension == "br" || extension == "gz") {
            std::fs::remove_file(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        }
    }
    Ok(())
}
