//! `cargo xtask run`, `dev` and `idle-rss`: build the app, start the server, and measure it.

use std::process::Command;
use std::time::Duration;

use crate::process::{self, ServerProcess, command, root};
use crate::tools::{Needs, Tools};

/// Builds the app with trunk into dist/: release mode, wasm-opt -Oz, and the size-tuned
/// `wasm-release` cargo profile (the plain `release` profile stays tuned for the server's speed).
pub fn build_app(tools: &Tools) -> Result<(), String> {
    let mut trunk = command("trunk", &["build", "--release", "--cargo-profile", "wasm-release"]);
    trunk.env("PATH", &tools.path);
    process::run(&mut trunk)?;
    eprint!("{}", crate::precompress::precompress_dir(&root().join("dist"))?);
    Ok(())
}

/// Builds wirelab-server and gives its path, as cargo reports it (so `CARGO_TARGET_DIR` works).
pub fn build_server(release: bool) -> Result<String, String> {
    let selection = ["-p", "wirelab-server", "--bin", "wirelab-server"];
    let built = if release { process::build_release(&selection)? } else { process::build_debug(&selection)? };
    built.path("wirelab-server")
}

/// The TLS port `cargo xtask run` asks for when none is given (and 8443 is free).
const DEFAULT_TLS_PORT: u16 = 8443;
const DEFAULT_TLS_HOST: &str = "127.0.0.1";

pub fn run(server_args: &[String]) -> Result<(), String> {
    let tools =
        Tools::ensure(Needs { app_build: true, browser_tests: false, end_to_end: false, protocol_clients: false })?;
    build_app(&tools)?;
    let server = build_server(true)?;
    let mut extra: Vec<String> = server_args.iter().skip_while(|arg| *arg == "--").cloned().collect();
    let no_tls = extra.iter().any(|arg| arg == "--no-tls");
    extra.retain(|arg| arg != "--no-tls");
    // The Security lab's handshake view and HTTP/2 in the Concurrency lab need the TLS port, so a
    // newcomer's first run has one: 8443 unless it is taken, `--tls-port` says otherwise, or
    // `--no-tls` asks for none.
    let tls_chosen = extra.iter().any(|arg| arg.starts_with("--tls-port"));
    if !no_tls && !tls_chosen {
        if std::net::TcpListener::bind((DEFAULT_TLS_HOST, DEFAULT_TLS_PORT)).is_ok() {
            extra.extend(["--tls-port".to_string(), DEFAULT_TLS_PORT.to_string()]);
        } else {
            eprintln!(
                "xtask: port {DEFAULT_TLS_PORT} is taken, so the server runs without HTTPS; add `-- --tls-port PORT` \
                 for the Security lab's handshake view and HTTP/2"
            );
        }
    }
    let mut serve = command(&server, &["--static-dir", "dist"]);
    serve.args(&extra);
    eprintln!("$ {}", process::describe(&serve));
    eprintln!("xtask: the server prints its URL below; Ctrl-C stops it.");
    if extra.iter().any(|arg| arg.starts_with("--tls-port")) {
        eprintln!(
            "xtask: with --tls-port it prints its https:// URL too, the certificate's file and SHA-256 fingerprint, \
             and how to trust it (curl --cacert FILE, or accept the browser's warning once: the certificate is kept \
             in the data folder, --data-dir, so the exception survives restarts)."
        );
    }
    exec(serve)
}

/// Replaces xtask with the server, so Ctrl-C and SIGTERM reach it directly.
#[cfg(unix)]
fn exec(mut command: Command) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    Err(format!("could not start the server: {}", command.exec()))
}

#[cfg(not(unix))]
fn exec(mut command: Command) -> Result<(), String> {
    process::run(&mut command)
}

pub fn dev() -> Result<(), String> {
    let tools =
        Tools::ensure(Needs { app_build: true, browser_tests: false, end_to_end: false, protocol_clients: false })?;
    let server = build_server(false)?;
    let _server = RunningServer::start(&server, &["--port", "8080", "--static-dir", "dist"])?;
    let mut trunk = command("trunk", &["serve"]);
    trunk.env("PATH", &tools.path);
    eprintln!("xtask: open http://127.0.0.1:8081/ (trunk, live reload); API and WebSocket go to 127.0.0.1:8080");
    process::run(&mut trunk)
}

/// A wirelab-server child process, stopped when dropped.
pub struct RunningServer {
    process: ServerProcess,
    /// `http://HOST:PORT/`.
    pub url: String,
}

impl RunningServer {
    /// Starts the server and waits (30 s at most) for the line that gives its URL.
    pub fn start(binary: &str, args: &[&str]) -> Result<RunningServer, String> {
        RunningServer::start_with_env(binary, args, &[])
    }

    pub fn start_with_env(binary: &str, args: &[&str], env: &[(&str, &str)]) -> Result<RunningServer, String> {
        let mut server = command(binary, args);
        server.envs(env.iter().copied());
        let process = ServerProcess::spawn(server, true)?;
        let url = format!("http://{}/", process.address);
        Ok(RunningServer { process, url })
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> &str {
        &self.process.address
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

/// Starts a release server and lets `examples/idle_connections.rs` hold `--count` idle
/// connections to it; the example reads the server's RSS from /proc and prints the figures. Fails
/// if the example fails or prints no per-connection figure.
pub fn idle_rss(args: &[String]) -> Result<(), String> {
    let count = match args {
        [] => 5000,
        [flag, value] if flag == "--count" => {
            value.parse::<u32>().map_err(|_| format!("--count {value}: not a number"))?
        }
        _ => return Err("usage: cargo xtask idle-rss [--count N]".into()),
    };
    let built =
        process::build_release(&["-p", "wirelab-server", "--bin", "wirelab-server", "--example", "idle_connections"])?;
    let (server, example) = (built.path("wirelab-server")?, built.path("idle_connections")?);
    // One log line per connection would drown the figures.
    let running = RunningServer::start_with_env(&server, &["--port", "0"], &[("RUST_LOG", "warn")])?;
    std::thread::sleep(Duration::from_millis(300));
    let url = format!("ws://{}/ws/echo", running.host());
    let (count, pid) = (count.to_string(), running.pid().to_string());
    let stdout = process::capture(&mut command(
        &example,
        &["--url", &url, "--count", &count, "--hold-secs", "4", "--server-pid", &pid],
    ))?
    .into_stdout()?;
    if !stdout.contains("per connection:") {
        return Err("idle-rss: no per-connection figure (the server's memory could not be read)".into());
    }
    Ok(())
}

/// Builds the app, starts a server, and runs e2e/bench/tree-bench.mjs against it.
pub fn bench_tree() -> Result<(), String> {
    let tools =
        Tools::ensure(Needs { app_build: true, browser_tests: false, end_to_end: true, protocol_clients: false })?;
    build_app(&tools)?;
    let server = build_server(true)?;
    let running =
        RunningServer::start_with_env(&server, &["--port", "0", "--static-dir", "dist"], &[("RUST_LOG", "warn")])?;
    let mut node = command("node", &["e2e/bench/tree-bench.mjs"]);
    node.env("WIRELAB_URL", &running.url);
    process::run(&mut node)
}
