//! `run`: echo load for a fixed time over a WebSocket or raw TCP, request/response or pipelined,
//! and the figures of the measured window as one `RESULT` line. Every echo, warm-up included, is
//! checked against the message sent (type, bytes and order, see messages.rs): a mismatch fails
//! the run with the first difference named.

use std::time::{Duration, Instant};

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Bytes, Message};

use crate::frames::{EchoReader, MessageFrames};
use crate::messages::{EchoCheck, Messages};
use crate::procfs::{core_ticks, cpu_seconds, pinned_core};
use crate::target::{Target, Ws, connect_tcp, connect_ws};
use crate::{Client, Kind, Mode, RunArgs};

/// Read size of the raw TCP client in pipelined mode.
const TCP_READ_BYTES: usize = 64 * 1024;
/// How long after the window the last echoes (or connections) may take before the run fails.
const GRACE: Duration = Duration::from_secs(10);

/// When load starts counting and when it stops.
#[derive(Clone, Copy)]
struct Window {
    measure_from: Instant,
    end: Instant,
}

/// What one connection did inside the window.
#[derive(Default)]
struct Counts {
    messages: u64,
    bytes: u64,
    /// Round trips in nanoseconds (request/response mode only).
    latencies: Vec<u64>,
}

enum Connection {
    Ws(Box<Ws>),
    Tcp(TcpStream),
}

pub async fn run(args: RunArgs) -> Result<(), String> {
    if args.connections == 0 || args.size == 0 || args.in_flight == 0 {
        return Err("--connections, --size and --in-flight must be at least 1".into());
    }
    if !(args.secs > 0.0 && args.warmup_secs >= 0.0) {
        return Err("--secs must be positive and --warmup-secs not negative".into());
    }
    if args.bridge
        && (args.kind != Kind::Binary || args.client != Client::Lean || matches!(args.target, Target::Tcp { .. }))
    {
        return Err("--bridge takes a ws:// target, --kind binary and the lean client".into());
    }
    let connections = connect_all(&args).await?;

    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup_secs);
    let window = Window { measure_from, end: measure_from + Duration::from_secs_f64(args.secs) };
    let messages = Messages::new(args.kind == Kind::Text, args.size);
    let mut tasks = JoinSet::new();
    for connection in connections {
        let messages = messages.clone();
        let (mode, in_flight, lean) = (args.mode, args.in_flight, args.client == Client::Lean);
        let echoes =
            if args.bridge { EchoReader::bridged(messages.clone()) } else { EchoReader::new(messages.clone()) };
        tasks.spawn(async move {
            match (connection, mode) {
                (Connection::Ws(ws), Mode::RequestResponse) if lean => {
                    lean_request_response(ws.into_inner(), messages, echoes, window).await
                }
                (Connection::Ws(ws), Mode::Pipelined) if lean => {
                    lean_pipelined(ws.into_inner(), messages, echoes, in_flight, window).await
                }
                (Connection::Ws(ws), Mode::Stream) if lean => {
                    let frames = MessageFrames::new(messages.clone(), 1);
                    stream(ws.into_inner(), messages, Sent::Frames(frames), Echoes::Frames(echoes), window).await
                }
                (Connection::Ws(ws), Mode::RequestResponse) => ws_request_response(*ws, messages, window).await,
                (Connection::Ws(ws), Mode::Pipelined) => ws_pipelined(*ws, messages, in_flight, window).await,
                (Connection::Ws(_), Mode::Stream) => Err("--mode stream takes the lean client".into()),
                (Connection::Tcp(tcp), Mode::RequestResponse) => tcp_request_response(tcp, messages, window).await,
                (Connection::Tcp(tcp), Mode::Pipelined) => tcp_pipelined(tcp, messages, in_flight, window).await,
                (Connection::Tcp(tcp), Mode::Stream) => {
                    let (raw, check) = (messages.message(0), EchoCheck::new(messages.clone()));
                    stream(tcp, messages, Sent::Raw(raw), Echoes::Raw(check, vec![0; TCP_READ_BYTES]), window).await
                }
            }
        });
    }
    let cpu = tokio::spawn(cpu_in_window(args.server_pid, window));

    let mut total = Counts::default();
    // A server that stops answering must not hang the benchmark.
    let give_up = window.end + GRACE;
    while let Some(joined) = tokio::time::timeout_at(give_up.into(), tasks.join_next())
        .await
        .map_err(|_| format!("echoes still missing {} s after the window ended", GRACE.as_secs()))?
    {
        let counts = joined.map_err(|error| format!("a connection task failed: {error}"))??;
        total.messages += counts.messages;
        total.bytes += counts.bytes;
        total.latencies.extend(counts.latencies);
    }
    let cpu = cpu.await.unwrap_or_default();
    let seconds = (window.end - window.measure_from).as_secs_f64();
    total.latencies.sort_unstable();
    let micros = |quantile: f64| percentile(&total.latencies, quantile).map(|ns| ns as f64 / 1000.0);
    let optional = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |value| format!("{value:.3}"));
    println!(
        "RESULT\tmessages={}\tseconds={seconds:.3}\tmsgs_per_s={:.1}\tmib_per_s={:.2}\tp50_us={}\tp99_us={}\t\
         server_cpu={}\tclient_cpu={}\tclient_core_busy={}",
        total.messages,
        total.messages as f64 / seconds,
        total.bytes as f64 / seconds / (1024.0 * 1024.0),
        optional(micros(0.50)),
        optional(micros(0.99)),
        optional(cpu.server),
        optional(cpu.client),
        optional(cpu.client_core_busy),
    );
    if total.messages == 0 {
        return Err("no message came back inside the measured window".into());
    }
    Ok(())
}

async fn connect_all(args: &RunArgs) -> Result<Vec<Connection>, String> {
    let mut connecting = JoinSet::new();
    for _ in 0..args.connections {
        let (target, bridge) = (args.target.clone(), args.bridge);
        connecting.spawn(async move {
            match target {
                Target::Ws { url, address } => {
                    // Room for one whole message in each buffer, so large echoes take few reads.
                    let config = WebSocketConfig::default().max_message_size(None).max_frame_size(None);
                    let mut ws = connect_ws(&url, &address, config).await?;
                    if bridge {
                        bridge_connected(&mut ws).await?;
                    }
                    Ok(Connection::Ws(Box::new(ws)))
                }
                Target::Tcp { address } => connect_tcp(&address).await.map(Connection::Tcp),
            }
        });
    }
    let mut connections = Vec::with_capacity(args.connections);
    let give_up = Instant::now() + GRACE;
    while let Some(joined) = tokio::time::timeout_at(give_up.into(), connecting.join_next())
        .await
        .map_err(|_| format!("connections not open after {} s", GRACE.as_secs()))?
    {
        connections.push(joined.map_err(|error| format!("a connect task failed: {error}"))??);
    }
    Ok(connections)
}

/// Waits for the bridge's `connected` event, read through tungstenite so that nothing is left in
/// its buffer when the lean client takes the stream (the bridge then sends nothing until it has
/// bytes to carry: its `data` totals follow the echoes).
async fn bridge_connected(ws: &mut Ws) -> Result<(), String> {
    match ws.next().await {
        Some(Ok(Message::Text(event))) if event.as_str().starts_with(r#"{"event":"connected""#) => Ok(()),
        Some(Ok(Message::Text(event))) => Err(format!("the bridge did not connect: {}", event.as_str())),
        other => Err(format!("the bridge sent no connected event: {other:?}")),
    }
}

/// Message number `index` for tungstenite.
fn message(messages: &Messages, index: u64) -> Message {
    let bytes = messages.message(index);
    if messages.is_text() {
        // The messages are printable ASCII, so nothing is lost.
        Message::Text(String::from_utf8_lossy(&bytes).into_owned().into())
    } else {
        Message::Binary(Bytes::from(bytes))
    }
}

/// CPU use over the measured window, each as a fraction of one core.
#[derive(Debug, Default)]
struct CpuShares {
    /// The server's (all its threads).
    server: Option<f64>,
    /// This process's own: user plus system time over wall time.
    client: Option<f64>,
    /// How busy the core this process is pinned to was, with every process's work on it.
    client_core_busy: Option<f64>,
}

async fn cpu_in_window(server_pid: Option<u32>, window: Window) -> CpuShares {
    let core = pinned_core();
    let read = || (server_pid.and_then(|pid| cpu_seconds(Some(pid))), cpu_seconds(None), core.and_then(core_ticks));
    tokio::time::sleep_until(window.measure_from.into()).await;
    let (server_before, client_before, core_before) = read();
    let started = Instant::now();
    tokio::time::sleep_until(window.end.into()).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (server_after, client_after, core_after) = read();
    let share = |before: Option<f64>, after: Option<f64>| Some((after? - before?) / elapsed);
    let busy = (|| {
        let (before, after) = (core_before?, core_after?);
        let total = after.total.checked_sub(before.total).filter(|total| *total > 0)?;
        Some(after.busy.saturating_sub(before.busy) as f64 / total as f64)
    })();
    CpuShares {
        server: share(server_before, server_after),
        client: share(client_before, client_after),
        client_core_busy: busy,
    }
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], quantile: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Whether `item` was an echoed data message (checked against the next message expected);
/// control frames are skipped.
fn echoed(item: Option<Result<Message, tungstenite::Error>>, check: &mut EchoCheck) -> Result<bool, String> {
    match item {
        None => Err("the server closed the connection".into()),
        Some(Err(error)) => Err(format!("reading the echo failed: {error}")),
        Some(Ok(Message::Close(frame))) => Err(format!("the server closed the connection: {frame:?}")),
        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Ok(false),
        Some(Ok(Message::Text(text))) => check.whole(true, text.as_bytes()).map(|()| true),
        Some(Ok(Message::Binary(bytes))) => check.whole(false, &bytes).map(|()| true),
    }
}

fn send_failed(error: impl std::fmt::Display) -> String {
    format!("sending failed: {error}")
}

async fn ws_request_response(mut ws: Ws, messages: Messages, window: Window) -> Result<Counts, String> {
    let mut check = EchoCheck::new(messages.clone());
    let mut counts = Counts::default();
    for index in 0.. {
        let start = Instant::now();
        if start >= window.end {
            break;
        }
        ws.send(message(&messages, index)).await.map_err(send_failed)?;
        while !echoed(ws.next().await, &mut check)? {}
        if start >= window.measure_from {
            counts.messages += 1;
            counts.bytes += messages.len() as u64;
            counts.latencies.push(nanos(start));
        }
    }
    Ok(counts)
}

async fn ws_pipelined(mut ws: Ws, messages: Messages, in_flight: usize, window: Window) -> Result<Counts, String> {
    let mut check = EchoCheck::new(messages.clone());
    let mut counts = Counts::default();
    let mut sent = 0u64;
    let mut to_send = in_flight;
    loop {
        // Queue every message due, then write them with one flush.
        for _ in 0..to_send {
            ws.feed(message(&messages, sent)).await.map_err(send_failed)?;
            sent += 1;
        }
        ws.flush().await.map_err(send_failed)?;
        to_send = 0;
        while to_send == 0 {
            if echoed(ws.next().await, &mut check)? {
                to_send += 1;
            }
        }
        // Every echo already readable (a poll that would wait ends the loop).
        while let Some(item) = ws.next().now_or_never() {
            if echoed(item, &mut check)? {
                to_send += 1;
            }
        }
        if count_batch(&mut counts, to_send, messages.len(), window) {
            return Ok(counts);
        }
    }
}

/// Counts `echoes` that just came back if the window has begun; whether it has ended.
fn count_batch(counts: &mut Counts, echoes: usize, size: usize, window: Window) -> bool {
    let now = Instant::now();
    if now >= window.measure_from {
        counts.messages += echoes as u64;
        counts.bytes += (echoes * size) as u64;
    }
    now >= window.end
}

/// Request/response with the lean client. The stream comes out of tungstenite right after the
/// handshake: the servers send nothing before the first echo, so nothing is left in its buffer.
async fn lean_request_response(
    mut stream: TcpStream,
    messages: Messages,
    mut echoes: EchoReader,
    window: Window,
) -> Result<Counts, String> {
    let mut frames = MessageFrames::new(messages.clone(), 1);
    let (mut reader, mut writer) = stream.split();
    let mut counts = Counts::default();
    for index in 0.. {
        let start = Instant::now();
        if start >= window.end {
            break;
        }
        let frame = frames.frames(index, 1);
        let (written, read) = tokio::join!(writer.write_all(frame), echoes.read_echoes(&mut reader));
        written.map_err(send_failed)?;
        if read? != 1 {
            return Err("more echoes than messages sent".into());
        }
        if start >= window.measure_from {
            counts.messages += 1;
            counts.bytes += messages.len() as u64;
            counts.latencies.push(nanos(start));
        }
    }
    Ok(counts)
}

async fn lean_pipelined(
    mut stream: TcpStream,
    messages: Messages,
    mut echoes: EchoReader,
    in_flight: usize,
    window: Window,
) -> Result<Counts, String> {
    let mut frames = MessageFrames::new(messages.clone(), in_flight);
    let mut counts = Counts::default();
    let mut sent = 0u64;
    let mut to_send = in_flight;
    loop {
        stream.write_all(frames.frames(sent, to_send)).await.map_err(send_failed)?;
        sent += to_send as u64;
        to_send = echoes.read_echoes(&mut stream).await?;
        if to_send > in_flight {
            return Err("more echoes than messages sent".into());
        }
        if count_batch(&mut counts, to_send, messages.len(), window) {
            return Ok(counts);
        }
    }
}

async fn tcp_request_response(mut stream: TcpStream, messages: Messages, window: Window) -> Result<Counts, String> {
    let mut message = messages.message(0);
    let mut reply = vec![0; messages.len()];
    let mut check = EchoCheck::new(messages.clone());
    let (mut reader, mut writer) = stream.split();
    let mut counts = Counts::default();
    for index in 0.. {
        let start = Instant::now();
        if start >= window.end {
            break;
        }
        messages.renumber(index, &mut message);
        // Read while writing: the echo starts coming back before a large message is all sent.
        let (written, read) = tokio::join!(writer.write_all(&message), reader.read_exact(&mut reply));
        written.map_err(send_failed)?;
        read.map_err(|error| format!("reading the echo failed: {error}"))?;
        check.stream(&reply)?;
        if start >= window.measure_from {
            counts.messages += 1;
            counts.bytes += messages.len() as u64;
            counts.latencies.push(nanos(start));
        }
    }
    Ok(counts)
}

async fn tcp_pipelined(
    mut stream: TcpStream,
    messages: Messages,
    in_flight: usize,
    window: Window,
) -> Result<Counts, String> {
    let mut batch = messages.message(0).repeat(in_flight);
    let mut buffer = vec![0; TCP_READ_BYTES];
    let mut check = EchoCheck::new(messages.clone());
    let mut counts = Counts::default();
    let mut sent = 0u64;
    let mut to_send = in_flight;
    loop {
        let due = &mut batch[..to_send * messages.len()];
        for (slot, index) in due.chunks_exact_mut(messages.len()).zip(sent..) {
            messages.renumber(index, slot);
        }
        sent += to_send as u64;
        stream.write_all(due).await.map_err(send_failed)?;
        to_send = 0;
        while to_send == 0 {
            let read = stream.read(&mut buffer).await.map_err(|error| format!("reading the echo failed: {error}"))?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            to_send = check.stream(&buffer[..read])?;
        }
        if count_batch(&mut counts, to_send, messages.len(), window) {
            return Ok(counts);
        }
    }
}

/// What the sending half of [`stream`] writes: WebSocket frames, or the bare messages (TCP).
enum Sent {
    Frames(MessageFrames),
    Raw(Vec<u8>),
}

impl Sent {
    fn message(&mut self, messages: &Messages, index: u64) -> &[u8] {
        match self {
            Sent::Frames(frames) => frames.frames(index, 1),
            Sent::Raw(message) => {
                messages.renumber(index, message);
                message
            }
        }
    }
}

/// How the reading half of [`stream`] checks the echoes.
enum Echoes {
    Frames(EchoReader),
    Raw(EchoCheck, Vec<u8>),
}

impl Echoes {
    /// Reads until at least one echo is whole; how many are.
    async fn read(&mut self, stream: &mut (impl AsyncReadExt + Unpin)) -> Result<usize, String> {
        match self {
            Echoes::Frames(reader) => reader.read_echoes(stream).await,
            Echoes::Raw(check, buffer) => loop {
                let read = stream.read(buffer).await.map_err(|error| format!("reading the echo failed: {error}"))?;
                if read == 0 {
                    return Err("the server closed the connection".into());
                }
                match check.stream(&buffer[..read])? {
                    0 => continue,
                    ended => return Ok(ended),
                }
            },
        }
    }
}

/// Full duplex: one half sends messages back to back, the other reads and checks the echoes;
/// both stop when the window ends (what is still in flight then is not counted).
async fn stream(
    mut stream: TcpStream,
    messages: Messages,
    mut sent: Sent,
    mut echoes: Echoes,
    window: Window,
) -> Result<Counts, String> {
    let (mut reader, mut writer) = stream.split();
    let end = tokio::time::Instant::from_std(window.end);
    let sending = async {
        for index in 0.. {
            match tokio::time::timeout_at(end, writer.write_all(sent.message(&messages, index))).await {
                Ok(written) => written.map_err(send_failed)?,
                Err(_) => break,
            }
        }
        Ok::<(), String>(())
    };
    let reading = async {
        let mut counts = Counts::default();
        while let Ok(echoed) = tokio::time::timeout_at(end, echoes.read(&mut reader)).await {
            count_batch(&mut counts, echoed?, messages.len(), window);
        }
        Ok::<Counts, String>(counts)
    };
    let (sending, counts) = tokio::join!(sending, reading);
    sending?;
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.5), Some(50));
        assert_eq!(percentile(&values, 0.99), Some(99));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn tungstenite_messages_have_the_asked_size_and_kind() {
        let text = message(&Messages::new(true, 64), 3);
        assert!(text.is_text() && text.len() == 64);
        let binary = message(&Messages::new(false, 1 << 20), 3);
        assert!(binary.is_binary() && binary.len() == 1 << 20);
    }
}
