//! The `wirelab-server` binary with a TLS port, for tests with real TLS clients (curl, Python's
//! ssl, requests and websockets): started on free ports with its own data folder, its log kept
//! in a file so a test can wait for a line.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The bound on any one step.
pub const STEP: Duration = Duration::from_secs(10);

/// A running server with a TLS port; killed when dropped.
pub struct TlsServer {
    child: Child,
    /// `127.0.0.1:<port>` of the plain port.
    pub http: String,
    pub tls_port: u16,
    pub cert_path: PathBuf,
    /// `AB:CD:...`, as printed at start.
    pub certificate_sha256: String,
    log_path: PathBuf,
    /// Holds the log (and, unless the test gives its own, the data folder).
    folder: TempDir,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TlsServer {
    /// A server with its data folder in a fresh temporary folder and a 1 s header read timeout.
    pub fn start() -> TlsServer {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let data_dir = folder.path().join("data");
        TlsServer::start_in(folder, &data_dir, &[])
    }

    /// A server keeping its certificate in `data_dir`, with `extra` arguments.
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> TlsServer {
        TlsServer::start_in(tempfile::tempdir().expect("a temporary folder"), data_dir, extra)
    }

    fn start_in(folder: TempDir, data_dir: &Path, extra: &[&str]) -> TlsServer {
        let log_path = folder.path().join("server.log");
        let log = File::create(&log_path).expect("a log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wirelab-server"))
            .args(["--port", "0", "--tls-port", "0", "--no-peers", "--header-read-timeout", "1"])
            .args(["--static-dir", "/nonexistent/wirelab-test-dist"])
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "info,wirelab_server::tls=debug")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = Vec::new();
        while printed.len() < 5 {
            match received.recv_timeout(STEP) {
                Ok(line) => printed.push(line),
                Err(error) => panic!("the server printed {printed:?} and then nothing ({error}); log: {}", {
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                }),
            }
        }
        let after = |prefix: &str| {
            printed
                .iter()
                .find_map(|line| line.strip_prefix(prefix))
                .unwrap_or_else(|| panic!("no line {prefix:?} in {printed:?}"))
                .to_owned()
        };
        let http = after("Wirelab is running at http://").trim_end_matches('/').to_owned();
        let tls_address = after("Wirelab over TLS at https://").trim_end_matches('/').to_owned();
        let tls_port = tls_address.rsplit(':').next().and_then(|port| port.parse().ok()).expect("a TLS port");
        let server = TlsServer {
            child,
            http,
            tls_port,
            cert_path: PathBuf::from(after("TLS certificate: ")),
            certificate_sha256: after("TLS certificate SHA-256: "),
            log_path,
            folder,
        };
        server.wait_for_log("Wirelab over TLS at");
        server
    }

    /// `https://localhost:<tls port><path>`.
    pub fn https(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.tls_port)
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Waits until the log holds `needle`; fails the test after [`STEP`].
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + STEP;
        while !self.log().contains(needle) {
            assert!(Instant::now() < deadline, "no {needle:?} in the log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// Debian's python3, where `cargo xtask` installs python3-requests and python3-websockets (a
/// `python3` earlier on PATH, e.g. pyenv's, may not have them); plain `python3` elsewhere.
pub fn python3() -> &'static str {
    if Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" }
}

/// Runs `program` (with `args`) and returns its standard output; fails the test if it fails.
pub fn run(program: &str, args: &[&str]) -> String {
    let output = run_output(program, args);
    assert!(
        output.status.success(),
        "{program} {args:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `program` (with `args`), whatever its outcome.
pub fn run_output(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|error| panic!("cannot run {program}: {error}"))
}

/// Runs a Python program given as text, with `args` (`sys.argv[1:]`); its standard output.
pub fn run_python(program: &str, args: &[&str]) -> String {
    let mut all = vec!["-c", program];
    all.extend_from_slice(args);
    run(python3(), &all)
}
