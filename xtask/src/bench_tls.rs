//! `cargo xtask bench-tls`: wirelab-server's TLS port beside nginx (Debian's) on the same
//! certificate, in the same run: new TLS 1.3 connections per second, and HTTPS requests per
//! second on kept-alive connections over HTTP/1.1 and HTTP/2; plus the WebSocket echo over WSS
//! against plain WS, both wirelab.
//!
//! Each server runs pinned to one core (SERVER_CORE), nginx with one worker and no master
//! process; the client (h2load from nghttp2, single-threaded, or the `ws_echo_load` example) to
//! the other core. Both servers answer `GET /status/200` with an empty 200 (nginx: `return 200`).
//! No session resumption on either side (nginx: no cache, no tickets; h2load does not resume), so
//! every new connection is a full handshake with the ECDSA P-256 certificate wirelab generated.
//! The servers take turns, run after run; each figure is the median of `--reps` runs with its
//! spread. The target, at least 0.8x nginx on each figure, is reported (PASS/MISSED), never a
//! failure; a run that fails (an error, a failed request, the wrong protocol) fails the command.
//! The table is printed and written to target/bench-tls.txt.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::bench_server::{
    CLIENT_CORE, Options, SERVER_CORE, Spread, load_average, parse_options, parse_result, pinning_available, publish,
};
use crate::process::{self, ServerProcess, command, with_file_limit_raised};

/// wirelab at least this share of nginx on each figure.
const TARGET_RATIO: f64 = 0.8;
/// New connections per handshake run (all opened at once, one request each).
const HANDSHAKE_CONNECTIONS: usize = 1000;
/// Kept-alive connections for the request throughput runs, and HTTP/2 streams on each.
const KEPT_ALIVE_CONNECTIONS: usize = 16;
const H2_STREAMS: usize = 16;

/// The servers compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Server {
    Wirelab,
    Nginx,
}

/// What one run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Figure {
    /// New TLS 1.3 connections per second, one HTTP/1.1 request on each.
    Handshakes,
    /// Requests per second on kept-alive HTTP/1.1 connections.
    KeptAliveHttp1,
    /// Requests per second on kept-alive HTTP/2 connections.
    KeptAliveHttp2,
}

impl Figure {
    const ALL: [Figure; 3] = [Figure::Handshakes, Figure::KeptAliveHttp1, Figure::KeptAliveHttp2];

    fn title(self) -> String {
        match self {
            Figure::Handshakes => {
                format!("TLS 1.3 new connections/s ({HANDSHAKE_CONNECTIONS} at once, 1 request each)")
            }
            Figure::KeptAliveHttp1 => {
                format!("HTTPS req/s, HTTP/1.1 kept alive ({KEPT_ALIVE_CONNECTIONS} connections)")
            }
            Figure::KeptAliveHttp2 => {
                format!("HTTPS req/s, HTTP/2 ({KEPT_ALIVE_CONNECTIONS} connections x {H2_STREAMS} streams)")
            }
        }
    }

    /// h2load's arguments besides the URL.
    fn h2load_args(self, secs: f64) -> Vec<String> {
        let timed = |extra: &[&str]| {
            let mut args: Vec<String> = ["-D", &format!("{secs}"), "-t", "1"].into_iter().map(str::to_owned).collect();
            args.extend(extra.iter().map(|arg| (*arg).to_owned()));
            args
        };
        match self {
            Figure::Handshakes => {
                let count = HANDSHAKE_CONNECTIONS.to_string();
                ["--h1", "-n", &count, "-c", &count, "-t", "1"].into_iter().map(str::to_owned).collect()
            }
            Figure::KeptAliveHttp1 => timed(&["--h1", "-c", &KEPT_ALIVE_CONNECTIONS.to_string()]),
            Figure::KeptAliveHttp2 => {
                timed(&["-c", &KEPT_ALIVE_CONNECTIONS.to_string(), "-m", &H2_STREAMS.to_string()])
            }
        }
    }

    fn protocol(self) -> &'static str {
        if self == Figure::KeptAliveHttp2 { "h2" } else { "http/1.1" }
    }
}

/// One run's figures: the rate, and the server's CPU time per request (or message) in us,
/// which the machine's other load does not change as much as the rate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Measured {
    rate: f64,
    cpu_us: Option<f64>,
}

/// Every run of one figure on one server (or one WebSocket path).
#[derive(Default)]
struct Runs {
    measured: Vec<Measured>,
    failures: Vec<String>,
}

impl Runs {
    fn record(&mut self, what: &str, outcome: Result<Measured, String>) {
        match outcome {
            Ok(measured) => self.measured.push(measured),
            Err(why) => self.failures.push(format!("{what}: {why}")),
        }
    }

    fn spread(&self) -> Option<Spread> {
        if self.failures.is_empty() { Spread::of(self.measured.iter().map(|run| run.rate).collect()) } else { None }
    }

    /// The median CPU time per request, in us.
    fn cpu_us(&self) -> Option<f64> {
        let values: Vec<f64> = self.measured.iter().filter_map(|run| run.cpu_us).collect();
        Spread::of(values).map(|spread| spread.median)
    }
}

pub fn bench_tls(args: &[String]) -> Result<(), String> {
    let Options { reps, secs } = parse_options(args).map_err(|why| format!("bench-tls: {why}"))?;
    let pinned = pinning_available();
    let built =
        process::build_release(&["-p", "wirelab-server", "--bin", "wirelab-server", "--example", "ws_echo_load"])?;
    let (server_binary, ws_load) = (built.path("wirelab-server")?, built.path("ws_echo_load")?);
    let logs = process::root().join("target").join("bench-tls");
    let data_dir = logs.join("data");
    std::fs::create_dir_all(&logs).map_err(|error| format!("cannot create {}: {error}", logs.display()))?;

    let log_path = logs.join("wirelab-server.log");
    let log =
        std::fs::File::create(&log_path).map_err(|error| format!("cannot create {}: {error}", log_path.display()))?;
    let server_args: Vec<String> = ["--port", "0", "--tls-port", "0", "--no-peers", "--static-dir", "/nonexistent"]
        .into_iter()
        .map(str::to_owned)
        .chain(["--data-dir".to_owned(), data_dir.to_string_lossy().into_owned()])
        .collect();
    let mut wirelab = with_file_limit_raised(pinned.then_some(SERVER_CORE), &server_binary, &server_args);
    wirelab.env("RUST_LOG", "warn").stderr(log);
    let wirelab = ServerProcess::spawn(wirelab, false).map_err(|why| format!("{why} (see {})", log_path.display()))?;
    let wirelab_tls_port = tls_port(&wirelab.address)?;
    let cert = data_dir.join("tls/localhost-cert.pem");
    let key = data_dir.join("tls/localhost-key.pem");
    let nginx = Nginx::start(&logs, &cert, &key, pinned)?;
    let load_before = load_average();

    let url = |server: Server| {
        let port = if server == Server::Wirelab { wirelab_tls_port } else { nginx.port };
        format!("https://localhost:{port}/status/200")
    };
    let mut http_runs: Vec<((Figure, Server), Runs)> = Figure::ALL
        .iter()
        .flat_map(|figure| [Server::Wirelab, Server::Nginx].map(|server| ((*figure, server), Runs::default())))
        .collect();
    for figure in Figure::ALL {
        for rep in 1..=reps {
            for server in [Server::Wirelab, Server::Nginx] {
                let what = format!("{}, {server:?}, run {rep} of {reps}", figure.title());
                eprintln!("\n==> {what}");
                let pid = if server == Server::Wirelab { wirelab.pid() } else { nginx.child.id() };
                let outcome = h2load(&figure.h2load_args(secs), &url(server), figure.protocol(), pid, pinned);
                if let Some((_, runs)) = http_runs.iter_mut().find(|(key, _)| *key == (figure, server)) {
                    runs.record(&what, outcome);
                }
            }
        }
    }

    let websocket_urls = [
        ("ws:// (plain)", format!("ws://{}/ws/echo", wirelab.address)),
        ("wss:// (TLS)", format!("wss://localhost:{wirelab_tls_port}/ws/echo")),
    ];
    let mut websocket_runs: Vec<Runs> = vec![Runs::default(), Runs::default()];
    for rep in 1..=reps {
        for ((label, target), runs) in websocket_urls.iter().zip(websocket_runs.iter_mut()) {
            let what = format!("WebSocket echo {label}, run {rep} of {reps}");
            eprintln!("\n==> {what}");
            runs.record(&what, ws_echo(&ws_load, target, &cert, secs, wirelab.pid(), pinned));
        }
    }
    drop(nginx);
    drop(wirelab);

    let header = format!(
        "bench-tls: loopback, {}; wirelab-server's TLS port (rustls, ring) and nginx {} (1 worker, no \
         master process), same ECDSA P-256 certificate, TLS 1.3, no session resumption; GET \
         /status/200 (empty 200) with h2load (1 thread); median of {reps} run(s) ({secs} s each for kept-alive \
         figures) with the spread (min-max); server CPU per request from /proc (wirelab sends rustls's \
         default 2 TLS 1.3 session tickets, nginx none). Load average before/after: \
         {load_before} / {}.\n",
        if pinned {
            format!("servers pinned to CPU {SERVER_CORE}, clients to CPU {CLIENT_CORE}")
        } else {
            "not pinned (taskset missing or fewer than 2 cores)".to_owned()
        },
        nginx_version(),
        load_average(),
    );
    let runs_of = |figure: Figure, server: Server| {
        http_runs.iter().find(|(key, _)| *key == (figure, server)).map(|(_, runs)| runs)
    };
    let table = format!("{header}\n{}", render(&runs_of, &websocket_runs));
    let file = publish("bench-tls.txt", &table)?;
    eprintln!("xtask: written to {}; logs in {}", file.display(), logs.display());

    let failures: Vec<&String> =
        http_runs.iter().map(|(_, runs)| runs).chain(&websocket_runs).flat_map(|runs| &runs.failures).collect();
    if failures.is_empty() {
        Ok(())
    } else {
        let listed: Vec<&str> = failures.iter().map(|why| why.as_str()).collect();
        Err(format!("bench-tls: {} run(s) failed:\n  {}", failures.len(), listed.join("\n  ")))
    }
}

/// The TLS port from the server's `GET /api/info` (`tls.port`).
fn tls_port(server: &str) -> Result<u16, String> {
    let (info, body) = process::server_info(server)?;
    info["tls"]["port"]
        .as_u64()
        .and_then(|port| u16::try_from(port).ok())
        .ok_or_else(|| format!("/api/info has no tls.port: {body}"))
}

/// nginx with one worker on a free port, its files in `folder`; stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(folder: &Path, cert: &Path, key: &Path, pinned: bool) -> Result<Nginx, String> {
        let port = free_port()?;
        let prefix = folder.join("nginx");
        for sub in ["", "temp"] {
            std::fs::create_dir_all(prefix.join(sub))
                .map_err(|error| format!("cannot create {}: {error}", prefix.display()))?;
        }
        let config_path = prefix.join("nginx.conf");
        std::fs::write(&config_path, nginx_config(&prefix, port, cert, key))
            .map_err(|error| format!("cannot write {}: {error}", config_path.display()))?;
        let error_log = prefix.join("error.log").to_string_lossy().into_owned();
        let args = ["-p", &prefix.to_string_lossy(), "-c", &config_path.to_string_lossy(), "-e", &error_log]
            .map(|arg| arg.to_owned());
        let mut nginx = with_file_limit_raised(pinned.then_some(SERVER_CORE), "nginx", &args);
        eprintln!("$ {}", process::describe(&nginx));
        let child = nginx
            .stdin(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start nginx (apt-get install nginx-light or nginx): {error}"))?;
        let mut nginx = Nginx { child, port };
        process::wait_until_listening(&mut nginx.child, port, "nginx", &format!("; see {error_log}"))?;
        Ok(nginx)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_config(prefix: &Path, port: u16, cert: &Path, key: &Path) -> String {
    let temp = prefix.join("temp");
    let temp = temp.display();
    format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {pid};\nerror_log {errors} warn;\n\
         events {{ worker_connections 8192; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n  \
         fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n  \
         keepalive_requests 100000000;\n  server {{\n    listen 127.0.0.1:{port} ssl http2 backlog=4096;\n    \
         ssl_certificate {cert};\n    ssl_certificate_key {key};\n    ssl_protocols TLSv1.2 TLSv1.3;\n    \
         ssl_session_cache off;\n    ssl_session_tickets off;\n    location / {{ return 200; }}\n  }}\n}}\n",
        pid = prefix.join("nginx.pid").display(),
        errors = prefix.join("error.log").display(),
        cert = cert.display(),
        key = key.display(),
    )
}

pub(crate) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| format!("no free port: {error}"))?;
    listener.local_addr().map(|address| address.port()).map_err(|error| error.to_string())
}

pub(crate) fn nginx_version() -> String {
    let output = command("nginx", &["-v"]).output();
    output
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stderr).trim().trim_start_matches("nginx version: ").to_owned())
        .unwrap_or_else(|| "(version unknown)".to_owned())
}

/// Runs h2load; its requests per second and the server's CPU per request. Fails on any failed
/// request or another protocol.
fn h2load(args: &[String], url: &str, protocol: &str, server_pid: u32, pinned: bool) -> Result<Measured, String> {
    let mut all = args.to_vec();
    all.push(url.to_owned());
    let before = cpu_seconds(server_pid);
    let captured = process::capture(&mut with_file_limit_raised(pinned.then_some(CLIENT_CORE), "h2load", &all))?;
    let after = cpu_seconds(server_pid);
    let stdout = captured.into_stdout()?;
    let (rate, succeeded) = read_h2load(&stdout, protocol)?;
    Ok(Measured { rate, cpu_us: cpu_per(before, after, succeeded) })
}

/// User plus system CPU seconds of `pid` (all its threads), from /proc (Linux; 100 ticks a second).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index)?.parse::<f64>().ok();
    // utime and stime are the 14th and 15th fields; the state (3rd) is the first after the name.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Microseconds of CPU per item between two readings.
fn cpu_per(before: Option<f64>, after: Option<f64>, items: f64) -> Option<f64> {
    let (before, after) = (before?, after?);
    (items > 0.0).then(|| (after - before) * 1e6 / items)
}

/// Requests per second and requests succeeded, from h2load's report, checked: all requests
/// succeeded over `protocol`.
fn read_h2load(report: &str, protocol: &str) -> Result<(f64, f64), String> {
    let field = |line_start: &str| report.lines().find_map(|line| line.trim().strip_prefix(line_start));
    let negotiated = field("Application protocol:").map(str::trim);
    if negotiated != Some(protocol) {
        return Err(format!("expected {protocol}, h2load used {negotiated:?}"));
    }
    let requests = field("requests:").ok_or("no requests line")?.trim();
    let count = |name: &str| {
        requests
            .split(',')
            .find_map(|part| part.trim().strip_suffix(name).map(str::trim).and_then(|n| n.parse::<u64>().ok()))
    };
    let (succeeded, failed, errored, timed_out) =
        (count("succeeded"), count("failed"), count("errored"), count("timeout"));
    if succeeded.unwrap_or(0) == 0 || [failed, errored, timed_out].iter().any(|n| *n != Some(0)) {
        return Err(format!("requests: {requests}"));
    }
    let rate = field("finished in")
        .and_then(|rest| rest.split(',').nth(1))
        .and_then(|rate| rate.trim().strip_suffix("req/s"))
        .and_then(|rate| rate.trim().parse::<f64>().ok())
        .ok_or_else(|| "no req/s in the report".to_owned())?;
    Ok((rate, succeeded.unwrap_or(0) as f64))
}

/// The echo example's MiB/s against `url`, and the server's CPU per message.
fn ws_echo(
    ws_load: &str,
    url: &str,
    cert: &Path,
    secs: f64,
    server_pid: u32,
    pinned: bool,
) -> Result<Measured, String> {
    let args: Vec<String> = ["--url", url, "--connections", "4", "--size", "1024", "--window", "16", "--secs"]
        .into_iter()
        .map(str::to_owned)
        .chain([secs.to_string(), "--cacert".to_owned(), PathBuf::from(cert).to_string_lossy().into_owned()])
        .collect();
    let before = cpu_seconds(server_pid);
    let captured = process::capture(&mut with_file_limit_raised(pinned.then_some(CLIENT_CORE), ws_load, &args))?;
    let after = cpu_seconds(server_pid);
    let sample = captured
        .into_stdout()?
        .lines()
        .find_map(parse_result)
        .ok_or_else(|| "the echo client printed no RESULT line".to_owned())?;
    let field = |name: &str| sample.get(name).copied();
    let rate = field("mib_per_s").ok_or("no mib_per_s in the RESULT line")?;
    let messages = field("msgs_per_s").unwrap_or(0.0) * secs;
    Ok(Measured { rate, cpu_us: cpu_per(before, after, messages) })
}

/// Column widths.
const NAME: usize = 30;
const VALUE: usize = 10;
const SPREAD: usize = 22;
const CPU: usize = 15;

fn render<'a>(runs_of: &dyn Fn(Figure, Server) -> Option<&'a Runs>, websocket: &[Runs]) -> String {
    let mut out = format!(
        "{:<NAME$} {:>VALUE$} {:>SPREAD$} {:>14} {:>CPU$}\n",
        "figure, server", "median", "spread (min - max)", "vs nginx", "server CPU/req"
    );
    let mut verdicts = Vec::new();
    for figure in Figure::ALL {
        let _ = writeln!(out, "{}", figure.title());
        let nginx = runs_of(figure, Server::Nginx).and_then(Runs::spread).map(|spread| spread.median);
        for server in [Server::Wirelab, Server::Nginx] {
            let runs = runs_of(figure, server);
            let name = format!("  {}", if server == Server::Wirelab { "wirelab-server" } else { "nginx" });
            let compared = match (server, runs.and_then(Runs::spread), nginx) {
                (Server::Wirelab, Some(wirelab), Some(nginx)) => {
                    let ratio = wirelab.median / nginx;
                    let verdict = if ratio >= TARGET_RATIO { "PASS" } else { "MISSED" };
                    verdicts.push(format!(
                        "{}: {ratio:.2}x nginx, target >= {TARGET_RATIO:.1}x: {verdict}",
                        figure.title()
                    ));
                    format!("{ratio:.2}x")
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "{}", row(&name, runs, &compared, |value| format!("{value:.0}")));
        }
    }
    let _ = writeln!(out, "WebSocket echo MiB/s (1 KiB messages, 4 connections x 16 in flight), wirelab-server");
    let plain = websocket.first().and_then(Runs::spread).map(|spread| spread.median);
    for (index, (label, runs)) in ["  ws:// (plain)", "  wss:// (TLS)"].iter().zip(websocket).enumerate() {
        let compared = match (index, runs.spread(), plain) {
            (1, Some(tls), Some(plain)) => {
                verdicts.push(format!("WebSocket echo over TLS: {:.2}x plain", tls.median / plain));
                format!("{:.2}x plain", tls.median / plain)
            }
            _ => String::new(),
        };
        let _ = writeln!(out, "{}", row(label, Some(runs), &compared, |value| format!("{value:.1}")));
    }
    out.push('\n');
    for verdict in verdicts {
        let _ = writeln!(out, "{verdict}");
    }
    out
}

fn row(name: &str, runs: Option<&Runs>, compared: &str, show: fn(f64) -> String) -> String {
    let Some(spread) = runs.and_then(Runs::spread) else {
        let why = runs.and_then(|runs| runs.failures.first()).map_or("not measured", String::as_str);
        return format!("{name:<NAME$} {:>VALUE$}  {why}", "FAILED");
    };
    let range = format!("{} - {}", show(spread.min), show(spread.max));
    let cpu = runs.and_then(Runs::cpu_us).map_or_else(String::new, |us| format!("{us:.1} us"));
    format!("{name:<NAME$} {:>VALUE$} {range:>SPREAD$} {compared:>14} {cpu:>CPU$}", show(spread.median))
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
finished in 3.00s, 41234.56 req/s, 2.10MB/s
requests: 123703 total, 123703 started, 123703 done, 123703 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 123703 2xx, 0 3xx, 0 4xx, 0 5xx
TLS Protocol: TLSv1.3
Cipher: TLS_AES_256_GCM_SHA384
Application protocol: h2
";

    #[test]
    fn h2load_reports_are_read_and_checked() {
        let failed = REPORT.replace("0 failed", "3 failed");
        // (report, protocol expected, rate and requests or the error)
        type Case<'a> = (&'a str, &'a str, Result<(f64, f64), &'a str>);
        let cases: [Case; 4] = [
            (REPORT, "h2", Ok((41234.56, 123703.0))),
            (REPORT, "http/1.1", Err("expected http/1.1, h2load used Some(\"h2\")")),
            (
                &failed,
                "h2",
                Err(
                    "requests: 123703 total, 123703 started, 123703 done, 123703 succeeded, 3 failed, 0 errored, 0 timeout",
                ),
            ),
            ("Application protocol: h2\n", "h2", Err("no requests line")),
        ];
        for (report, protocol, expected) in cases {
            assert_eq!(read_h2load(report, protocol), expected.map_err(str::to_owned), "{protocol}: {report}");
        }
    }

    #[test]
    fn the_table_gives_each_ratio_and_verdict() {
        let runs = |values: &[f64]| Runs {
            measured: values.iter().map(|rate| Measured { rate: *rate, cpu_us: Some(rate / 100.0) }).collect(),
            failures: vec![],
        };
        let measured = [
            ((Figure::Handshakes, Server::Wirelab), runs(&[900.0, 1000.0, 950.0])),
            ((Figure::Handshakes, Server::Nginx), runs(&[1000.0])),
            ((Figure::KeptAliveHttp1, Server::Wirelab), runs(&[50_000.0])),
            ((Figure::KeptAliveHttp1, Server::Nginx), runs(&[100_000.0])),
            (
                (Figure::KeptAliveHttp2, Server::Wirelab),
                Runs { measured: vec![], failures: vec!["h2, Wirelab, run 1: refused".into()] },
            ),
        ];
        let runs_of = |figure: Figure, server: Server| {
            measured.iter().find(|(key, _)| *key == (figure, server)).map(|(_, runs)| runs)
        };
        let table = render(&runs_of, &[runs(&[100.0]), runs(&[80.0])]);
        for expected in [
            "  wirelab-server                      950             900 - 1000          0.95x          9.5 us",
            "  nginx                            100000        100000 - 100000",
            "  wirelab-server                   FAILED  h2, Wirelab, run 1: refused",
            "  wss:// (TLS)                       80.0            80.0 - 80.0    0.80x plain          0.8 us",
            "TLS 1.3 new connections/s (1000 at once, 1 request each): 0.95x nginx, target >= 0.8x: PASS",
            "HTTPS req/s, HTTP/1.1 kept alive (16 connections): 0.50x nginx, target >= 0.8x: MISSED",
            "WebSocket echo over TLS: 0.80x plain",
        ] {
            assert!(table.contains(expected), "{expected:?} missing from:\n{table}");
        }
    }
}
