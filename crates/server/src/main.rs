//! `wirelab-server`'s entry point: parse the command line, set up logging, bind, serve, shut down.

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tokio::net::{TcpListener, TcpSocket};
use tracing_subscriber::EnvFilter;
use wirelab_server::cli::{Cli, LogFormat};
use wirelab_server::{Shutdown, TlsIdentity, TlsListener, serve_metrics, serve_with_tls, wait_for_signal};

/// What is logged unless `RUST_LOG` says otherwise. libunftp (the FTP peer) logs every command at
/// info with its whole session state, several kilobytes a line: only its warnings are kept.
const DEFAULT_LOG_FILTER: &str = "info,libunftp=warn";

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    raise_open_file_limit();

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Don't let a stuck blocking task (a file read) hold the exit past the shutdown bound.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(io::stderr);
    match format {
        // Colours only on a terminal, so a log written to a file reads as plain text.
        LogFormat::Text => log.with_ansi(io::stderr().is_terminal()).init(),
        // One object per line, the event's fields at the top level beside `level`, `target` and
        // `timestamp` (RFC 3339), and the spans it happened in, for a collector to index.
        LogFormat::Json => log.json().flatten_event(true).with_current_span(false).with_span_list(true).init(),
    }
}

async fn run(cli: Cli) -> io::Result<()> {
    let config = cli.config();
    let listener = bind(&cli.host, cli.port, "--port").await?;
    let tls = match cli.tls_port {
        Some(port) => {
            let identity = TlsIdentity::load(&cli.certificate_source())?;
            Some(TlsListener { listener: bind(&cli.host, port, "--tls-port").await?, identity })
        }
        None => None,
    };
    let address = listener.local_addr()?;
    tracing::info!(
        %address,
        static_dir = %config.static_dir.display(),
        max_message_bytes = config.max_message_bytes,
        max_body_bytes = config.max_body_bytes,
        max_delay_seconds = config.max_delay.as_secs_f64(),
        "Wirelab is running at http://{address}/"
    );
    // The xtask reads this exact line from stdout to learn the port.
    println!("Wirelab is running at http://{address}/");
    if let Some(tls) = &tls {
        announce_tls(tls)?;
    }

    let shutdown = Shutdown::new();
    if let Some(port) = cli.metrics_port {
        let metrics_listener = bind(&cli.metrics_host, port, "--metrics-port").await?;
        let address = metrics_listener.local_addr()?;
        tracing::info!(%address, "Prometheus metrics at http://{address}/metrics");
        // The scale test reads this line from stdout to learn the port.
        println!("Metrics at http://{address}/metrics");
        let metrics = config.metrics.clone();
        let until = shutdown.clone();
        tokio::spawn(async move {
            if let Err(error) = serve_metrics(metrics_listener, metrics, until).await {
                tracing::error!(%error, "the metrics port failed");
            }
        });
    }
    tokio::spawn(stop_on_signals(shutdown.clone(), cli.drain_delay()));
    let metrics = config.metrics.clone();
    let result = serve_with_tls(listener, tls, config, shutdown).await;
    if cli.metrics_port.is_some() {
        // What this instance counted over its life, after its last connection closed: a scrape
        // cannot see the increments between the last scrape and the exit.
        tracing::info!(target: "wirelab_server::metrics", exposition = %metrics.encode(), "final metrics");
    }
    result
}

/// SIGTERM drains first (see `--drain-delay`): readiness turns false, and only after the delay do
/// WebSockets get their 1001. SIGINT, or a second signal during the drain, shuts down at once.
async fn stop_on_signals(shutdown: Shutdown, drain_delay: Duration) {
    let signal = match wait_for_signal().await {
        Ok(signal) => signal,
        Err(error) => {
            tracing::error!(%error, "cannot listen for shutdown signals");
            return;
        }
    };
    if signal == "SIGTERM" && !drain_delay.is_zero() {
        shutdown.start_draining();
        tracing::info!(
            signal,
            drain_delay_seconds = drain_delay.as_secs_f64(),
            "draining: /readyz answers 503, new WebSockets are refused, open ones keep working until the delay ends"
        );
        tokio::select! {
            () = tokio::time::sleep(drain_delay) => {}
            second = wait_for_signal() => {
                if let Ok(second) = second {
                    tracing::info!(signal = second, "second signal: shutting down now");
                }
            }
        }
    }
    tracing::info!(signal, "shutdown requested");
    shutdown.trigger();
}

/// Connections the kernel queues for `accept`: tokio's 1024 overflowed with 1,000 TLS clients
/// connecting at once (each handshake takes the core a while), costing them a 1 s SYN retransmit.
const LISTEN_BACKLOG: u32 = 4096;

async fn bind(host: &str, port: u16, flag: &str) -> io::Result<TcpListener> {
    listen(host, port).await.map_err(|error| {
        let hint = if error.kind() == io::ErrorKind::AddrInUse {
            format!(
                " (another program, perhaps another Wirelab, uses this port: stop it, or pick another port with \
                 {flag}, e.g. `cargo xtask run -- {flag} {}`)",
                port.saturating_add(1)
            )
        } else {
            String::new()
        };
        io::Error::new(error.kind(), format!("cannot listen on {host}:{port}: {error}{hint}"))
    })
}

/// A listener on the first address `host` resolves to that can be bound, with [`LISTEN_BACKLOG`].
async fn listen(host: &str, port: u16) -> io::Result<TcpListener> {
    let mut last_error = io::Error::new(io::ErrorKind::AddrNotAvailable, "the host resolves to no address");
    for address in tokio::net::lookup_host((host, port)).await? {
        let socket = if address.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(address).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

/// The HTTPS URL and how to trust the certificate, in the log and on stdout (the xtask reads the
/// `Wirelab over TLS at` line).
fn announce_tls(tls: &TlsListener) -> io::Result<()> {
    let address = tls.listener.local_addr()?;
    let identity = &tls.identity;
    tracing::info!(
        %address,
        certificate = %identity.cert_path.display(),
        certificate_sha256 = %identity.certificate_sha256,
        spki_sha256_base64 = %identity.spki_sha256_base64,
        generated_now = identity.generated_now,
        "Wirelab over TLS at https://{address}/ (HTTP/2 and HTTP/1.1, WSS)"
    );
    println!("Wirelab over TLS at https://{address}/");
    println!("TLS certificate: {}", identity.cert_path.display());
    println!("TLS certificate SHA-256: {}", identity.certificate_sha256);
    println!("TLS public key (SPKI) SHA-256, base64: {}", identity.spki_sha256_base64);
    println!(
        "To trust it: curl --cacert {path} https://localhost:{port}/; Python: verify=\"{path}\"; a browser: open \
         https://localhost:{port}/ and accept the warning once, after checking that the certificate's SHA-256 is the \
         one above (the certificate is kept, so the exception survives restarts); Chromium for tests: \
         --ignore-certificate-errors-spki-list={spki}",
        path = identity.cert_path.display(),
        port = address.port(),
        spki = identity.spki_sha256_base64,
    );
    Ok(())
}

/// Every WebSocket is a file descriptor; the usual soft limit (1024) is far below what the server
/// is meant to hold, so raise the soft limit to the hard one.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "raised the open file limit"),
        Err(error) => tracing::debug!(%error, "could not raise the open file limit"),
    }
}
