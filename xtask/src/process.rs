//! Running commands: echo them, stream or keep their output, build the executables a command
//! runs, and turn failures into messages.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The workspace root (the parent of this crate's folder).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// A command in the workspace root.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(root());
    command
}

/// Runs a command with inherited output; Err names it when it fails or cannot start.
pub fn run(command: &mut Command) -> Result<(), String> {
    let shown = describe(command);
    eprintln!("$ {shown}");
    let status = command.status().map_err(|error| format!("could not start `{shown}`: {error}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{shown}` failed ({status})")) }
}

/// Runs a command quietly and returns its stdout, or None if it is missing or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// What a command printed, and how it ended.
pub struct Captured {
    pub stdout: String,
    pub stderr: String,
    shown: String,
    status: ExitStatus,
}

impl Captured {
    /// Why the command failed (its exit status and the last line it wrote to stderr), or None.
    pub fn failure(&self) -> Option<String> {
        if self.status.success() {
            return None;
        }
        let last = self.stderr.lines().rev().find(|line| !line.trim().is_empty());
        Some(match last {
            Some(line) => format!("`{}` failed ({}): {}", self.shown, self.status, line.trim()),
            None => format!("`{}` failed ({})", self.shown, self.status),
        })
    }

    /// Its stdout if it succeeded, else why it failed.
    pub fn into_stdout(self) -> Result<String, String> {
        match self.failure() {
            None => Ok(self.stdout),
            Some(why) => Err(why),
        }
    }
}

/// Runs a command to its end with stdin closed, then shows what it printed and keeps it; Err
/// only if it cannot start.
pub fn capture(command: &mut Command) -> Result<Captured, String> {
    let shown = describe(command);
    eprintln!("$ {shown}");
    let output =
        command.stdin(Stdio::null()).output().map_err(|error| format!("could not start `{shown}`: {error}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    eprint!("{stdout}{stderr}");
    Ok(Captured { stdout, stderr, shown, status: output.status })
}

/// `sh -c 'ulimit -n <hard limit>; exec "$@"' sh PROGRAM ARGS...`, under `taskset -c CORE` if a
/// core is given: for servers and clients that hold thousands of sockets. The pid stays the
/// program's own, since each step execs the next.
pub fn with_file_limit_raised(core: Option<&str>, program: &str, args: &[String]) -> Command {
    let mut command = match core {
        Some(core) => command("taskset", &["-c", core, "sh"]),
        None => command("sh", &[]),
    };
    command.args(["-c", "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$@\"", "sh", program]).args(args);
    command
}

/// The executables a `cargo build` made, by target name (binaries and examples).
pub struct Executables(BTreeMap<String, PathBuf>);

impl Executables {
    /// The path of the executable named `name`.
    pub fn path(&self, name: &str) -> Result<String, String> {
        let path = self.0.get(name).ok_or_else(|| format!("cargo built no executable named {name}"))?;
        Ok(path.to_string_lossy().into_owned())
    }
}

/// Builds in release mode exactly what `selection` names (`-p PACKAGE --bin NAME`, `--example
/// NAME`...) and returns where cargo put each executable, so every command that runs binaries
/// builds them all itself and finds them wherever the target folder is (CARGO_TARGET_DIR too).
pub fn build_release(selection: &[&str]) -> Result<Executables, String> {
    build_with(&["--release"], selection)
}

/// [`build_release`] in the dev profile (`cargo xtask dev`'s server).
pub fn build_debug(selection: &[&str]) -> Result<Executables, String> {
    build_with(&[], selection)
}

fn build_with(profile: &[&str], selection: &[&str]) -> Result<Executables, String> {
    let mut cargo = command("cargo", &["build", "--message-format=json-render-diagnostics"]);
    cargo.args(profile).args(selection).stderr(Stdio::inherit());
    let shown = describe(&cargo);
    eprintln!("$ {shown}");
    let output = cargo.output().map_err(|error| format!("could not start `{shown}`: {error}"))?;
    if !output.status.success() {
        return Err(format!("`{shown}` failed ({})", output.status));
    }
    Ok(Executables(built_executables(&String::from_utf8_lossy(&output.stdout))))
}

/// Release builds of wirelab-server and wirelab-loadgen (what the soak and bench-server drive),
/// as their paths, and `target/<name>/` made for the command's logs.
pub fn build_server_and_loadgen(logs: &str) -> Result<(String, String, PathBuf), String> {
    let built = build_release(&[
        "-p",
        "wirelab-server",
        "--bin",
        "wirelab-server",
        "-p",
        "wirelab-loadgen",
        "--bin",
        "wirelab-loadgen",
    ])?;
    let logs = root().join("target").join(logs);
    std::fs::create_dir_all(&logs).map_err(|error| format!("cannot create {}: {error}", logs.display()))?;
    Ok((built.path("wirelab-server")?, built.path("wirelab-loadgen")?, logs))
}

/// The `executable` of each `compiler-artifact` message in cargo's JSON output, by target name.
fn built_executables(messages: &str) -> BTreeMap<String, PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter_map(|message| {
            let name = message["target"]["name"].as_str()?.to_owned();
            Some((name, PathBuf::from(message["executable"].as_str()?)))
        })
        .collect()
}

pub fn describe(command: &Command) -> String {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

/// PATH with `first` in front.
pub fn path_with(first: &Path) -> String {
    let current = std::env::var("PATH").unwrap_or_default();
    format!("{}:{current}", first.display())
}

/// A temporary folder for a headless browser run, removed when dropped.
///
/// chromedriver gives each Chromium it starts a profile folder under `$TMPDIR`
/// (`org.chromium.Chromium.scoped_dir.*`, about 100 MB), and a `wasm-pack test` run leaves one
/// behind per test binary: runs on one machine filled its disk. A command given `TMPDIR` from
/// here keeps them inside `target/`, and they go when the step ends.
pub struct BrowserScratch(PathBuf);

impl BrowserScratch {
    pub fn new(name: &str) -> Result<BrowserScratch, String> {
        let folder = root().join("target").join("browser-tmp").join(name);
        // A run that was killed leaves its folder; start from an empty one.
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).map_err(|error| format!("could not create {}: {error}", folder.display()))?;
        Ok(BrowserScratch(folder))
    }

    /// Points the command's temporary files (and so Chromium's profiles) at this folder.
    pub fn apply(&self, command: &mut Command) {
        command.env("TMPDIR", &self.0);
    }
}

impl Drop for BrowserScratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server run as a child process: started, asked where it listens, stopped when dropped.
///
/// `cargo xtask run`, `test`, `conformance`, `soak` and `bench-server` all start servers this
/// way (wirelab-server, and the peers and raw TCP echo the benchmark compares it with).
pub struct ServerProcess {
    child: Child,
    /// `HOST:PORT`, from the server's start-up line.
    pub address: String,
}

/// How long a server may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a server may take to shut down gracefully after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(6);

impl ServerProcess {
    /// Spawns `command` with its stdout read here (each line shown with `[server]` if `show`) and
    /// waits for the line that gives its address. Stdin is closed; stderr is the caller's choice.
    pub fn spawn(mut command: Command, show: bool) -> Result<ServerProcess, String> {
        let shown = describe(&command);
        eprintln!("$ {shown}");
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| format!("could not start `{shown}`: {error}"))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            return Err(format!("`{shown}` has no stdout"));
        };
        let (sender, receiver) = mpsc::channel();
        // Keeps reading after the address, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if show {
                    println!("[server] {line}");
                }
                if let Some(address) = listening_address(&line) {
                    let _ = sender.send(address);
                }
            }
        });
        // From here on, dropping the process stops the server.
        let mut server = ServerProcess { child, address: String::new() };
        server.address = receiver
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| format!("`{shown}` did not say where it listens within {} s", START_TIMEOUT.as_secs()))?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the server has already exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // SIGTERM first, so the server shuts down gracefully; then make sure.
        let _ = Command::new("kill").arg(self.child.id().to_string()).stderr(Stdio::null()).status();
        wait_or_kill(&mut self.child, STOP_TIMEOUT);
    }
}

/// Waits up to 10 s until something listens on `127.0.0.1:port`; fails if `child` (`name`, whose
/// log `see` names) exits first or the time runs out. The caller still owns `child` and stops it.
pub fn wait_until_listening(child: &mut Child, port: u16, name: &str, see: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{name} exited ({status}){see}"));
        }
        if Instant::now() > deadline {
            return Err(format!("{name} did not listen on {port} within 10 s{see}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Waits up to `within` for `child` to exit after it was asked to, then kills it.
pub fn wait_or_kill(child: &mut Child, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `HOST:PORT` from a server's start-up line: wirelab-server's "Wirelab is running at
/// http://HOST:PORT/" or the others' "listening on HOST:PORT".
pub fn listening_address(line: &str) -> Option<String> {
    if let Some(url) = line.split("Wirelab is running at http://").nth(1) {
        return Some(url.trim().trim_end_matches('/').to_owned());
    }
    line.strip_prefix("listening on ").map(|address| address.trim().to_owned())
}

/// A running server's `GET /api/info` as JSON, and the body as sent (for error messages).
pub fn server_info(server: &str) -> Result<(serde_json::Value, String), String> {
    let (_, body) = http_get(server, "/api/info", Duration::from_secs(10))?;
    let info = serde_json::from_str(&body).map_err(|error| format!("/api/info is not JSON ({error}): {body}"))?;
    Ok((info, body))
}

/// A plain `GET path` over HTTP/1.0 to `server` (`HOST:PORT`), reading for at most `timeout`:
/// the status (0 if the answer has none) and the body.
pub fn http_get(server: &str, path: &str, timeout: Duration) -> Result<(u16, String), String> {
    use std::io::{Read, Write};
    let failed = |error: std::io::Error| format!("GET {path} from {server}: {error}");
    let mut stream = std::net::TcpStream::connect(server).map_err(failed)?;
    stream.set_read_timeout(Some(timeout)).map_err(failed)?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {server}\r\n\r\n").map_err(failed)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(failed)?;
    let status = response.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body).to_owned();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_are_read_from_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"wirelab-loadgen","kind":["bin"]},"executable":"/t/release/wirelab-loadgen"}
{"reason":"compiler-artifact","target":{"name":"tokio","kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","target":{"name":"idle_connections","kind":["example"]},"executable":"/t/release/examples/idle_connections"}
{"reason":"build-finished","success":true}
not json"#;
        let built = Executables(built_executables(messages));
        let cases = [
            ("wirelab-loadgen", Ok("/t/release/wirelab-loadgen")),
            ("idle_connections", Ok("/t/release/examples/idle_connections")),
            ("tokio", Err("cargo built no executable named tokio")),
            ("wirelab-server", Err("cargo built no executable named wirelab-server")),
        ];
        for (name, expected) in cases {
            assert_eq!(built.path(name), expected.map(str::to_owned).map_err(str::to_owned), "{name}");
        }
    }

    #[test]
    fn listening_addresses_are_read_from_start_up_lines() {
        let cases = [
            ("Wirelab is running at http://127.0.0.1:4000/", Some("127.0.0.1:4000")),
            ("listening on 127.0.0.1:9", Some("127.0.0.1:9")),
            ("listening on [::1]:9 ", Some("[::1]:9")),
            ("other", None),
        ];
        for (line, expected) in cases {
            assert_eq!(listening_address(line).as_deref(), expected, "{line}");
        }
    }
}
