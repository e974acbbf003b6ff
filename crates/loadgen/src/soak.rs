//! `soak`: bounded soak and fault checks against a running WebSocket echo server, for
//! `cargo xtask soak`. Each check prints one line per verdict, its fields separated by tabs:
//!
//! ```text
//! CHECK <name> <PASS|FAIL|INFO> <figures> <rule>
//! ```
//!
//! The server's memory (VmRSS) and open descriptors are read from /proc while a check runs (a
//! sampler thread keeps the peaks), so this must run on the server's machine. Load checks
//! (connection churn, a slow reader, a ping flood) are here; the protocol faults (half-finished
//! handshakes, slowloris, peers that vanish) are in `soak/faults.rs`.

mod faults;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::frames::{BINARY, CLOSE, EchoReader, FrameWriter, MessageFrames, PING, TEXT};
use crate::messages::Messages;
use crate::procfs::{fd_count, rss_kib};
use crate::target::{Target, connect_ws};

/// Handshakes in progress at once during churn (the server's accept backlog is about 1,024).
const CONNECT_CONCURRENCY: usize = 256;
/// How long one connection may take to open, echo or close before it counts as a failure.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// After churn: how long the server's descriptors may take to return to the baseline.
const SETTLE_LIMIT: Duration = Duration::from_secs(15);
/// Descriptors the server may hold above its baseline after churn and still pass.
const FD_SLACK: usize = 10;
/// The memory rule after churn: at most this much above the baseline, or this factor of it.
const RSS_SLACK_KIB: u64 = 20 * 1024;
const RSS_FACTOR: f64 = 1.5;
/// How far above the baseline the server's memory may peak under a slow reader or a ping flood.
const SLOW_READER_GROWTH_KIB: u64 = 16 * 1024;
const FLOOD_GROWTH_KIB: u64 = 32 * 1024;
/// The prober's echo: sane means no answer slower than this.
const PROBE_MAX_LATENCY: Duration = Duration::from_secs(1);
/// Gap between the prober's requests.
const PROBE_INTERVAL: Duration = Duration::from_millis(20);
/// A flood write that makes no progress for this long means the server stopped reading.
const FLOOD_STALL: Duration = Duration::from_secs(3);
/// The slow reader's pace: this many bytes every `SLOW_READ_EVERY`.
const SLOW_READ_BYTES: usize = 16 * 1024;
const SLOW_READ_EVERY: Duration = Duration::from_millis(50);

/// Which check to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Check {
    /// `--connections` connections opened, one echo each, closed cleanly, repeated for `--secs`;
    /// then the server's descriptors and memory must come back to their baseline.
    Churn,
    /// One client sends 64 KiB messages as fast as it can and reads slowly for `--secs`, while
    /// another does request/response.
    SlowReader,
    /// One client sends `--flood-mib` MiB of pings and never reads, while another does
    /// request/response.
    PingFlood,
    /// Half an upgrade request, then nothing (must be dropped after `--header-timeout`); and a
    /// whole one whose 101 is never read (reported).
    HalfHandshake,
    /// `--connections` connections dripping header bytes, while another client is served.
    Slowloris,
    /// Clients that go away without a close frame: reset, FIN, and silence for `--secs`.
    Vanish,
}

#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    #[arg(value_enum)]
    check: Check,
    /// `ws://HOST:PORT/PATH` of the echo.
    #[arg(long)]
    target: Target,
    /// The server's process id (its VmRSS and descriptors are read from /proc).
    #[arg(long)]
    server_pid: u32,
    /// Duration of churn and of the slow reader; for vanish, how long a silent peer is watched.
    #[arg(long, default_value_t = 10.0)]
    secs: f64,
    /// Connections per churn batch, or slowloris connections.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// The server's --header-read-timeout in seconds.
    #[arg(long, default_value_t = 2.0)]
    header_timeout: f64,
    /// MiB of ping frames the flood sends.
    #[arg(long, default_value_t = 100)]
    flood_mib: u64,
}

/// The echo's address and path, for checks that write raw bytes.
pub(crate) struct Endpoint {
    target: Target,
    address: String,
    path: String,
}

impl Endpoint {
    fn new(target: &Target) -> Result<Endpoint, String> {
        let Target::Ws { url, address } = target else {
            return Err("soak checks need a ws:// target".into());
        };
        let after_host = &url["ws://".len() + address.len()..];
        let path = if after_host.is_empty() { "/".to_owned() } else { after_host.to_owned() };
        Ok(Endpoint { target: target.clone(), address: address.clone(), path })
    }

    /// The server's port, to find its end of a connection in /proc/net/tcp.
    fn port(&self) -> Result<u16, String> {
        self.address
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| format!("{}: no port in the address", self.address))
    }

    /// A WebSocket upgrade request; `whole` false stops in the middle of the headers.
    fn upgrade_request(&self, whole: bool) -> String {
        let head = format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
            self.path, self.address
        );
        if whole {
            format!("{head}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        } else {
            format!("{head}Sec-WebSocket-Ke")
        }
    }

    /// A WebSocket connection handed back as its TCP stream right after the handshake (the echo
    /// sends nothing first, so nothing is left in tungstenite's buffer).
    async fn connect(&self) -> Result<TcpStream, String> {
        let Target::Ws { url, address } = &self.target else {
            return Err("soak checks need a ws:// target".into());
        };
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let ws = tokio::time::timeout(STEP_TIMEOUT, connect_ws(url, address, config))
            .await
            .map_err(|_| format!("the handshake took more than {} s", STEP_TIMEOUT.as_secs()))??;
        Ok(ws.into_inner())
    }
}

pub async fn run(args: SoakArgs) -> Result<(), String> {
    if !(args.secs.is_finite() && args.secs > 0.0 && args.header_timeout.is_finite() && args.header_timeout > 0.0) {
        return Err("--secs and --header-timeout must be positive".into());
    }
    if args.connections == 0 {
        return Err("--connections must be at least 1".into());
    }
    let endpoint = Endpoint::new(&args.target)?;
    let server = Server::new(args.server_pid)?;
    match args.check {
        Check::Churn => churn(&args, &endpoint, &server).await,
        Check::SlowReader => slow_reader(&args, &endpoint, &server).await,
        Check::PingFlood => ping_flood(&args, &endpoint, &server).await,
        Check::HalfHandshake => faults::half_handshake(&args, &endpoint, &server).await,
        Check::Slowloris => faults::slowloris(&args, &endpoint, &server).await,
        Check::Vanish => faults::vanish(&args, &endpoint, &server).await,
    }
}

/// One verdict line for the xtask.
fn report(name: &str, verdict: Verdict, figures: &str, rule: &str) {
    let clean = |text: &str| text.replace(['\t', '\n'], " ");
    println!("CHECK\t{name}\t{}\t{}\t{}", verdict.label(), clean(figures), clean(rule));
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Fail,
    /// Reported, not judged.
    Info,
}

impl Verdict {
    fn of(pass: bool) -> Verdict {
        if pass { Verdict::Pass } else { Verdict::Fail }
    }

    fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Info => "INFO",
        }
    }
}

/// The server process, read through /proc.
pub(crate) struct Server {
    pid: u32,
}

impl Server {
    fn new(pid: u32) -> Result<Server, String> {
        let server = Server { pid };
        server.rss_kib()?;
        Ok(server)
    }

    fn rss_kib(&self) -> Result<u64, String> {
        rss_kib(self.pid).ok_or_else(|| format!("cannot read VmRSS of process {} (has it exited?)", self.pid))
    }

    fn fds(&self) -> Result<usize, String> {
        fd_count(self.pid).ok_or_else(|| format!("cannot list /proc/{}/fd (has it exited?)", self.pid))
    }

    /// Starts sampling memory and descriptors every 50 ms until the sampler is stopped.
    fn sample(&self) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_rss = Arc::new(AtomicU64::new(0));
        let peak_fds = Arc::new(AtomicU64::new(0));
        let (pid, shared) = (self.pid, (stop.clone(), peak_rss.clone(), peak_fds.clone()));
        let thread = std::thread::spawn(move || {
            let (stop, peak_rss, peak_fds) = shared;
            loop {
                if let Some(kib) = rss_kib(pid) {
                    peak_rss.fetch_max(kib, Ordering::Relaxed);
                }
                if let Some(fds) = fd_count(pid) {
                    peak_fds.fetch_max(fds as u64, Ordering::Relaxed);
                }
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Sampler { stop, peak_rss, peak_fds, thread: Some(thread) }
    }
}

/// Peaks of the server's memory and descriptors while it runs.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak_rss: Arc<AtomicU64>,
    peak_fds: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Sampler {
    /// Stops sampling (after one last sample); returns the peak RSS in KiB and peak descriptors.
    fn finish(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        (self.peak_rss.load(Ordering::Relaxed), self.peak_fds.load(Ordering::Relaxed))
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// What the prober saw: a second client doing request/response while a check runs.
struct Probe {
    latencies: Vec<Duration>,
    error: Option<String>,
}

impl Probe {
    /// Served: answers came, none failed, none took longer than [`PROBE_MAX_LATENCY`].
    fn served(&self) -> bool {
        self.error.is_none() && self.latencies.last().is_some_and(|max| *max <= PROBE_MAX_LATENCY)
    }

    fn figures(&self) -> String {
        let quantile = |q: f64| {
            let rank = ((q * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len().max(1));
            self.latencies.get(rank - 1).copied().map_or_else(|| "-".to_owned(), millis)
        };
        let mut text = format!(
            "other client: {} echoes, p50 {}, p99 {}, max {}",
            self.latencies.len(),
            quantile(0.5),
            quantile(0.99),
            quantile(1.0)
        );
        if let Some(error) = &self.error {
            text.push_str(&format!(" ({error})"));
        }
        text
    }
}

/// Request/response with 64-byte text messages until `stop` is set or `deadline` passes.
async fn probe(endpoint: &Endpoint, stop: &AtomicBool, deadline: Instant) -> Probe {
    let mut latencies = Vec::new();
    let error = async {
        let mut stream = endpoint.connect().await.map_err(|error| format!("could not connect: {error}"))?;
        let messages = Messages::new(true, 64);
        let mut echoes = EchoReader::new(messages.clone());
        let mut frames = MessageFrames::new(messages, 1);
        for index in 0.. {
            if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                break;
            }
            let start = Instant::now();
            stream.write_all(frames.frames(index, 1)).await.map_err(|error| format!("sending failed: {error}"))?;
            tokio::time::timeout(STEP_TIMEOUT, echoes.read_echoes(&mut stream))
                .await
                .map_err(|_| format!("no echo within {} s", STEP_TIMEOUT.as_secs()))??;
            latencies.push(start.elapsed());
            tokio::time::sleep(PROBE_INTERVAL).await;
        }
        Ok::<(), String>(())
    }
    .await
    .err();
    latencies.sort_unstable();
    Probe { latencies, error }
}

/// Opens `connections` connections, echoes one message on each and closes each cleanly, again
/// and again; then waits for the server to give its descriptors back.
async fn churn(args: &SoakArgs, endpoint: &Endpoint, server: &Server) -> Result<(), String> {
    let (base_fds, base_rss) = (server.fds()?, server.rss_kib()?);
    let sampler = server.sample();
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(args.secs);
    let permits = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let endpoint = Arc::new(Endpoint::new(&endpoint.target)?);
    let (mut cycles, mut opened, mut clean, mut failures) = (0u64, 0u64, 0u64, 0u64);
    let mut first_failure: Option<String> = None;
    // RSS after the first batch closed and after the last: equal means memory is kept, not leaked.
    let (mut between, mut last_between) = (None, 0);
    let mut fail = |error: String| {
        failures += 1;
        first_failure.get_or_insert(error);
    };
    while Instant::now() < end {
        let mut connecting = JoinSet::new();
        for _ in 0..args.connections {
            let (permits, endpoint) = (permits.clone(), endpoint.clone());
            connecting.spawn(async move {
                let _permit = permits.acquire_owned().await.map_err(|error| error.to_string())?;
                endpoint.connect().await
            });
        }
        let mut streams = Vec::with_capacity(args.connections);
        while let Some(joined) = connecting.join_next().await {
            match joined.map_err(|error| error.to_string()).and_then(|connected| connected) {
                Ok(stream) => streams.push(stream),
                Err(error) => fail(format!("connect: {error}")),
            }
        }
        opened += streams.len() as u64;
        let mut closing = JoinSet::new();
        for stream in streams {
            closing.spawn(tokio::time::timeout(STEP_TIMEOUT, echo_and_close(stream)));
        }
        while let Some(joined) = closing.join_next().await {
            match joined {
                Ok(Ok(Ok(()))) => clean += 1,
                Ok(Ok(Err(error))) => fail(error),
                Ok(Err(_)) => fail(format!("echo and close took more than {} s", STEP_TIMEOUT.as_secs())),
                Err(error) => fail(error.to_string()),
            }
        }
        cycles += 1;
        // Memory between batches (the server's closes finish a moment after the client's).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let rss = server.rss_kib()?;
        between.get_or_insert(rss);
        last_between = rss;
    }
    let churned = started.elapsed();

    let settling = Instant::now();
    let mut fds_after = server.fds()?;
    while fds_after > base_fds + FD_SLACK && settling.elapsed() < SETTLE_LIMIT {
        tokio::time::sleep(Duration::from_millis(100)).await;
        fds_after = server.fds()?;
    }
    let settled = settling.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = server.rss_kib()?;
    let (peak_rss, peak_fds) = sampler.finish();

    let fds_ok = fds_after <= base_fds + FD_SLACK;
    let rss_ok = rss_after <= base_rss + RSS_SLACK_KIB || rss_after as f64 <= base_rss as f64 * RSS_FACTOR;
    let mut figures = format!(
        "{cycles} cycles of {} conns in {:.1} s: {opened} opened, {clean} echoed and closed cleanly, {failures} \
         failed; fds {base_fds}/{peak_fds}/{fds_after} (before/peak/after, back in {:.1} s); RSS {}/{}/{} \
         (before/peak/after), {} after the first batch and {} after the last",
        args.connections,
        churned.as_secs_f64(),
        settled.as_secs_f64(),
        mib(base_rss),
        mib(peak_rss),
        mib(rss_after),
        mib(between.unwrap_or_default()),
        mib(last_between),
    );
    if let Some(error) = &first_failure {
        figures.push_str(&format!("; first failure: {error}"));
    }
    let rule = format!(
        "no failures; fds after <= before + {FD_SLACK} within {} s; RSS after <= before + {} or <= {RSS_FACTOR}x before",
        SETTLE_LIMIT.as_secs(),
        mib(RSS_SLACK_KIB)
    );
    report("churn", Verdict::of(failures == 0 && opened > 0 && fds_ok && rss_ok), &figures, &rule);
    Ok(())
}

/// Sends one short text message and reads exactly its echo.
async fn one_echo(stream: &mut TcpStream) -> Result<(), String> {
    let message = b"soak";
    stream.write_all(&FrameWriter::new().frame(TEXT, message)).await.map_err(|error| format!("send: {error}"))?;
    let mut expected = vec![0x81, message.len() as u8];
    expected.extend_from_slice(message);
    let mut echo = vec![0; expected.len()];
    stream.read_exact(&mut echo).await.map_err(|error| format!("echo: {error}"))?;
    if echo != expected {
        return Err(format!("unexpected echo bytes {echo:02x?}"));
    }
    Ok(())
}

/// One echo, then a close frame (1000), then the server's close frame and end of stream.
async fn echo_and_close(mut stream: TcpStream) -> Result<(), String> {
    one_echo(&mut stream).await?;
    stream
        .write_all(&FrameWriter::new().frame(CLOSE, &1000u16.to_be_bytes()))
        .await
        .map_err(|error| format!("send close: {error}"))?;
    let mut buffer = [0u8; 256];
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            return Err("more than 256 bytes after the echo".into());
        }
        let read = stream.read(&mut buffer[filled..]).await.map_err(|error| format!("awaiting close: {error}"))?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    match buffer[..filled] {
        [first, ..] if first & 0x0f == u8::from(CLOSE) => Ok(()),
        [] => Err("the server ended the stream without a close frame".into()),
        _ => Err(format!("unexpected bytes instead of a close frame: {:02x?}", &buffer[..filled.min(16)])),
    }
}

/// A client writing 64 KiB messages as fast as the server takes them and reading the echoes
/// slowly, while another client does request/response.
async fn slow_reader(args: &SoakArgs, endpoint: &Endpoint, server: &Server) -> Result<(), String> {
    let base_rss = server.rss_kib()?;
    let sampler = server.sample();
    let end = Instant::now() + Duration::from_secs_f64(args.secs);
    let stream = endpoint.connect().await?;
    let (mut reader, mut writer) = stream.into_split();
    let write = async {
        let (mut frames, mut frame) = (FrameWriter::new(), Vec::new());
        let mut sent = 0u64;
        loop {
            frame.clear();
            frames.push(&mut frame, BINARY, &[0x5a; 64 * 1024]);
            let Ok(written) = tokio::time::timeout_at(end.into(), writer.write_all(&frame)).await else { break };
            written.map_err(|error| format!("the slow reader's send failed: {error}"))?;
            sent += 1;
        }
        Ok::<u64, String>(sent)
    };
    let read = async {
        let mut buffer = vec![0; SLOW_READ_BYTES];
        let mut received = 0u64;
        while Instant::now() < end {
            tokio::time::sleep(SLOW_READ_EVERY).await;
            match tokio::time::timeout_at(end.into(), reader.read(&mut buffer)).await {
                Ok(Ok(0)) => return Err("the server closed the slow reader's connection".to_owned()),
                Ok(Ok(read)) => received += read as u64,
                Ok(Err(error)) => return Err(format!("the slow reader's read failed: {error}")),
                Err(_) => break,
            }
        }
        Ok(received)
    };
    let stop = AtomicBool::new(false);
    let (sent, received, probe) = tokio::join!(write, read, probe(endpoint, &stop, end));
    let (peak_rss, _) = sampler.finish();
    let growth = peak_rss.saturating_sub(base_rss);
    let (sent, received) = (sent?, received?);
    let figures = format!(
        "{:.1} s: sent {sent} x 64 KiB ({}), read back {} at ~{} KiB/s; server RSS {} before, {} peak (+{}); {}",
        args.secs,
        mib(sent * 64),
        mib(received / 1024),
        SLOW_READ_BYTES as u64 * 1000 / SLOW_READ_EVERY.as_millis() as u64 / 1024,
        mib(base_rss),
        mib(peak_rss),
        mib(growth),
        probe.figures()
    );
    let rule = format!(
        "RSS peak <= before + {}; other client answered throughout, max latency <= {}",
        mib(SLOW_READER_GROWTH_KIB),
        millis(PROBE_MAX_LATENCY)
    );
    report("slow-reader", Verdict::of(growth <= SLOW_READER_GROWTH_KIB && probe.served()), &figures, &rule);
    Ok(())
}

/// How a ping flood ended.
enum FloodEnd {
    /// Every byte was taken.
    AllSent,
    /// No write progress for [`FLOOD_STALL`]: the server stopped reading.
    Stalled,
    /// A write failed: the server closed or reset the connection.
    Closed(String),
}

/// A client sending pings and never reading, while another client does request/response.
async fn ping_flood(args: &SoakArgs, endpoint: &Endpoint, server: &Server) -> Result<(), String> {
    let base_rss = server.rss_kib()?;
    let sampler = server.sample();
    let stream = endpoint.connect().await?;
    let server_inode = faults::server_end(endpoint, &stream)?;
    // 64 KiB of pings at a time, each masked with its own key.
    let (mut frames, mut chunk) = (FrameWriter::new(), Vec::with_capacity(64 * 1024));
    let pings_per_chunk = 64 * 1024 / (125 + 6);
    let total = args.flood_mib * 1024 * 1024;
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let flood = async {
        let mut stream = stream;
        let mut written = 0u64;
        let end = loop {
            if written >= total {
                break FloodEnd::AllSent;
            }
            chunk.clear();
            for _ in 0..pings_per_chunk {
                frames.push(&mut chunk, PING, &[b'p'; 125]);
            }
            match tokio::time::timeout(FLOOD_STALL, stream.write_all(&chunk)).await {
                Ok(Ok(())) => written += chunk.len() as u64,
                Ok(Err(error)) => break FloodEnd::Closed(error.to_string()),
                Err(_) => break FloodEnd::Stalled,
            }
        };
        let took = started.elapsed();
        // The prober goes on a little after the flood, then the flooder looks at its connection.
        tokio::time::sleep(Duration::from_secs(1)).await;
        stop.store(true, Ordering::Relaxed);
        (end, written, took, stream)
    };
    let limit = started + Duration::from_secs(120);
    let ((end, written, took, stream), probe) = tokio::join!(flood, probe(endpoint, &stop, limit));
    let still_open = crate::procfs::holds_socket(server.pid, server_inode);
    drop(stream);
    // What the server keeps once the flood connection is gone.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = server.rss_kib()?;
    let (peak_rss, _) = sampler.finish();
    let growth = peak_rss.saturating_sub(base_rss);
    let outcome = match &end {
        FloodEnd::AllSent => format!("all {} taken in {:.1} s", mib(written / 1024), took.as_secs_f64()),
        FloodEnd::Stalled => format!(
            "stalled after {} in {:.1} s (server stopped reading for {} s)",
            mib(written / 1024),
            took.as_secs_f64(),
            FLOOD_STALL.as_secs()
        ),
        FloodEnd::Closed(error) => format!("closed by the server after {}: {error}", mib(written / 1024)),
    };
    let open = match still_open {
        Some(true) => "server still holds the flood connection",
        Some(false) => "server dropped the flood connection",
        None => "server's descriptors unreadable",
    };
    let figures = format!(
        "{} MiB of 125-byte pings, never read: {outcome}; {open} 1 s later; server RSS {} before, {} peak (+{}), {} \
         1 s after the flood connection closed; {}",
        args.flood_mib,
        mib(base_rss),
        mib(peak_rss),
        mib(growth),
        mib(rss_after),
        probe.figures()
    );
    let rule = format!(
        "RSS peak <= before + {} (tungstenite's defaults: 3 -> 97 MiB); other client answered, max latency <= {}",
        mib(FLOOD_GROWTH_KIB),
        millis(PROBE_MAX_LATENCY)
    );
    report("ping-flood", Verdict::of(growth <= FLOOD_GROWTH_KIB && probe.served()), &figures, &rule);
    Ok(())
}
