//! Wirelab's developer commands, run as `cargo xtask <command>` (an alias in .cargo/config.toml),
//! so a fresh machine needs nothing but cargo: each command installs the tools it needs first.

mod bench_app;
mod bench_bridge;
mod bench_formats;
mod bench_iot;
mod bench_pcap;
mod bench_server;
mod bench_tls;
mod conformance;
mod nginx_conf;
mod precompress;
mod process;
mod run;
mod scale_test;
mod soak;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  run [-- <server options>]   Install what is missing, build the app (release), start
                              wirelab-server on 127.0.0.1:8080 serving it, print the URL.
                              Server options go after `--`, e.g. `cargo xtask run -- --port 9000`.
  dev                         trunk serve with live reload on 127.0.0.1:8081, proxying /api and
                              /ws/echo to a wirelab-server it starts on 127.0.0.1:8080.
  test                        Install what is missing (Chromium and ChromeDriver included), then
                              run every check: rustfmt, clippy, native tests, browser tests
                              (wasm-pack test --headless --chrome) and the Playwright journeys.
  setup                       Only install what is missing.
  precompress [DIR]           Write X.br (brotli 11) and X.gz (gzip 9) beside every compressible
                              file of DIR (default dist/), as every app build does; prints sizes.
  idle-rss [--count N]        Measure wirelab-server's memory with N idle WebSocket connections
                              (default 5000).
  conformance                 RFC 6455 and permessage-deflate conformance: the Autobahn|Testsuite
                              fuzzing client (517 cases, about 7 minutes) against a release
                              wirelab-server; fails unless every case is OK, NON-STRICT or
                              INFORMATIONAL. Needs Python 2.7 (pyenv's 2.7.18); installs the suite.
  bench-formats               Encode and decode MB/s per format, natively and compiled to wasm
                              in headless Chromium, with the wasm/native ratio.
  bench-server [--reps N] [--secs S]
                              WebSocket echo messages/s, latency, MiB/s and idle memory of
                              wirelab-server against Python websockets, Node ws and raw TCP,
                              pinned to separate cores; table in target/bench-server.txt.
  bench-bridge [--reps N] [--secs S]
                              The TCP bridge (/ws/tcp) against a client talking to the same
                              built-in echo peer directly, same run: MiB/s with 64 KiB and 1 MiB
                              chunks (target: 0.8x direct, PASS/FAIL) and the round trip of 64 B
                              (p50, p99 and the bridge's overhead in us); every echoed byte
                              checked; table in target/bench-bridge.txt; fails if a run fails.
  bench-tls [--reps N] [--secs S]
                              wirelab-server's TLS port beside nginx on the same certificate,
                              each pinned to one core: new TLS 1.3 connections/s and HTTPS req/s
                              kept alive over HTTP/1.1 and HTTP/2 (h2load; target 0.8x nginx,
                              PASS/MISSED), and the WebSocket echo over wss:// against ws://;
                              table in target/bench-tls.txt; fails if a run fails.
  bench-iot [--reps N] [--secs S]
                              The embedded MQTT broker beside Debian's mosquitto, each pinned to
                              one core: QoS 0 and 1 deliveries/s (1 -> 1 and 1 -> 100) and p99
                              latency at 1,000 msg/s (target 0.8x mosquitto, PASS/MISSED); bytes
                              per telemetry reading per encoding, plain and gzipped; the IoT plot
                              figures. Table in target/bench-iot.txt; fails if a run fails.
  soak [--churn-secs S] ...   Soak and fault checks against a release wirelab-server (about
                              3 minutes): connection churn (5,000 at a time, 60 s), a slow
                              reader, a ping flood, half-finished handshakes, slowloris and
                              vanished peers; PASS/FAIL with figures, table in target/soak.txt,
                              fails if any check fails. `cargo xtask soak --help` for options.
  scale-test [--reps N] [--secs S] [--drain-secs S] [--nginx-workers N]
                              nginx (deploy/nginx.conf) in front of three release
                              wirelab-servers on loopback: WebSocket echo messages/s direct and
                              through nginx with 1, 2 and 3 servers (ratio to direct); then echo
                              clients and h2load through nginx while server 1 is drained
                              (SIGTERM, --drain-delay) and taken out by a /readyz agent: PASS/FAIL
                              on readiness before 1001, reconnects, no failed HTTP request, and
                              the servers' metrics adding up to the load. Table in
                              target/scale-test.txt; fails if any check fails.
  bench-app [--baseline REV]  In headless Chromium, today's app beside REV's (default: the last
                              single-module build) served by today's server: first-visit bytes
                              per file, first paint, time to a usable lab (first open, reopen,
                              repeat visit), the longest main-thread task while a 20 MB JSON body
                              is indexed. Table in target/bench-app.txt; fails if a run fails.
  bench-pcap [--reps N] [--dist DIR]
                              A deterministic 50 MB capture (HTTP, DNS, WebSocket, UDP) opened in
                              the Decode tab in headless Chromium: time to the packet list's first
                              rows and to every row, the longest main-thread task; beside
                              `tshark -r` on the same file (ratio). Table in target/bench-pcap.txt;
                              fails if a run fails.
  bench-tree                  In headless Chromium, time from the end of a 1, 5 and 20 MB JSON
                              response to the HTTP lab's first tree paint, and the longest
                              main-thread stall, against the browser's own JSON.parse.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("dev") => run::dev(),
        Some("test") => test::test(),
        Some("setup") => tools::Tools::ensure(tools::Needs::everything()).map(|_| ()),
        Some("precompress") => precompress::precompress(&args[1..]),
        Some("idle-rss") => run::idle_rss(&args[1..]),
        Some("bench-tree") => run::bench_tree(),
        Some("bench-app") => bench_app::bench_app(&args[1..]),
        Some("bench-formats") => bench_formats::bench_formats(),
        Some("conformance") => conformance::conformance(),
        Some("bench-server") => bench_server::bench_server(&args[1..]),
        Some("bench-bridge") => bench_bridge::bench_bridge(&args[1..]),
        Some("bench-tls") => bench_tls::bench_tls(&args[1..]),
        Some("bench-iot") => bench_iot::bench_iot(&args[1..]),
        Some("bench-pcap") => bench_pcap::bench_pcap(&args[1..]),
        Some("soak") => soak::soak(&args[1..]),
        Some("scale-test") => scale_test::scale_test(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command '{other}'\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
