//! `run`: echo load for a fixed time over a WebSocket or raw TCP, request/response or pipelined,
//! and the figures of the measured window as one `RESULT` line.

use std::time::{Duration, Instant};

use futures_util::{FutureExt, SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Bytes, Message};

use crate::frames::{EchoReader, masked_frame};
use crate::procfs::cpu_seconds;
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
    let connections = connect_all(&args).await?;

    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup_secs);
    let window = Window { measure_from, end: measure_from + Duration::from_secs_f64(args.secs) };
    let payload = payload(args.kind, args.size);
    let mut tasks = JoinSet::new();
    for connection in connections {
        let payload = payload.clone();
        let (mode, in_flight, lean) = (args.mode, args.in_flight, args.client == Client::Lean);
        tasks.spawn(async move {
            match (connection, mode) {
                (Connection::Ws(ws), Mode::RequestResponse) if lean => {
                    lean_request_response(ws.into_inner(), &payload, window).await
                }
                (Connection::Ws(ws), Mode::Pipelined) if lean => {
                    lean_pipelined(ws.into_inner(), &payload, in_flight, window).await
                }
                (Connection::Ws(ws), Mode::RequestResponse) => ws_request_response(*ws, payload, window).await,
                (Connection::Ws(ws), Mode::Pipelined) => ws_pipelined(*ws, payload, in_flight, window).await,
                (Connection::Tcp(tcp), Mode::RequestResponse) => tcp_request_response(tcp, payload.len(), window).await,
                (Connection::Tcp(tcp), Mode::Pipelined) => tcp_pipelined(tcp, payload.len(), in_flight, window).await,
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
    let (server_cpu, client_cpu) = cpu.await.unwrap_or((None, None));
    let seconds = (window.end - window.measure_from).as_secs_f64();
    total.latencies.sort_unstable();
    let micros = |quantile: f64| percentile(&total.latencies, quantile).map(|ns| ns as f64 / 1000.0);
    let optional = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |value| format!("{value:.3}"));
    println!(
        "RESULT\tmessages={}\tseconds={seconds:.3}\tmsgs_per_s={:.1}\tmib_per_s={:.2}\tp50_us={}\tp99_us={}\t\
         server_cpu={}\tclient_cpu={}",
        total.messages,
        total.messages as f64 / seconds,
        total.bytes as f64 / seconds / (1024.0 * 1024.0),
        optional(micros(0.50)),
        optional(micros(0.99)),
        optional(server_cpu),
        optional(client_cpu),
    );
    if total.messages == 0 {
        return Err("no message came back inside the measured window".into());
    }
    Ok(())
}

async fn connect_all(args: &RunArgs) -> Result<Vec<Connection>, String> {
    let mut connecting = JoinSet::new();
    for _ in 0..args.connections {
        let target = args.target.clone();
        connecting.spawn(async move {
            match target {
                Target::Ws { url, address } => {
                    // Room for one whole message in each buffer, so large echoes take few reads.
                    let config = WebSocketConfig::default().max_message_size(None).max_frame_size(None);
                    connect_ws(&url, &address, config).await.map(|ws| Connection::Ws(Box::new(ws)))
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

fn payload(kind: Kind, size: usize) -> Message {
    // Printable ASCII, so the same bytes are valid UTF-8 text.
    let bytes: Vec<u8> = (0..size).map(|index| b'a' + (index % 26) as u8).collect();
    match kind {
        Kind::Binary => Message::Binary(Bytes::from(bytes)),
        Kind::Text => Message::Text(String::from_utf8_lossy(&bytes).into_owned().into()),
    }
}

/// Server and client CPU use over the window, as a fraction of one core.
async fn cpu_in_window(server_pid: Option<u32>, window: Window) -> (Option<f64>, Option<f64>) {
    tokio::time::sleep_until(window.measure_from.into()).await;
    let (server_before, client_before) = (server_pid.and_then(|pid| cpu_seconds(Some(pid))), cpu_seconds(None));
    let started = Instant::now();
    tokio::time::sleep_until(window.end.into()).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (server_after, client_after) = (server_pid.and_then(|pid| cpu_seconds(Some(pid))), cpu_seconds(None));
    let share = |before: Option<f64>, after: Option<f64>| Some((after? - before?) / elapsed);
    (share(server_before, server_after), share(client_before, client_after))
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

/// The length of an echoed data message; `None` for control frames, which are skipped.
fn echoed(item: Option<Result<Message, tungstenite::Error>>, expected: &Message) -> Result<Option<usize>, String> {
    match item {
        None => Err("the server closed the connection".into()),
        Some(Err(error)) => Err(format!("reading the echo failed: {error}")),
        Some(Ok(Message::Close(frame))) => Err(format!("the server closed the connection: {frame:?}")),
        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => Ok(None),
        Some(Ok(reply)) if reply.is_text() != expected.is_text() || reply.len() != expected.len() => Err(format!(
            "the echo differs from the message: {} bytes of {} for {} bytes of {}",
            reply.len(),
            if reply.is_text() { "text" } else { "binary" },
            expected.len(),
            if expected.is_text() { "text" } else { "binary" },
        )),
        Some(Ok(reply)) => Ok(Some(reply.len())),
    }
}

fn send_failed(error: tungstenite::Error) -> String {
    format!("sending failed: {error}")
}

async fn ws_request_response(mut ws: Ws, payload: Message, window: Window) -> Result<Counts, String> {
    let mut counts = Counts::default();
    loop {
        let start = Instant::now();
        if start >= window.end {
            return Ok(counts);
        }
        ws.send(payload.clone()).await.map_err(send_failed)?;
        let len = loop {
            if let Some(len) = echoed(ws.next().await, &payload)? {
                break len;
            }
        };
        if start >= window.measure_from {
            counts.messages += 1;
            counts.bytes += len as u64;
            counts.latencies.push(nanos(start));
        }
    }
}

async fn ws_pipelined(mut ws: Ws, payload: Message, in_flight: usize, window: Window) -> Result<Counts, String> {
    let mut counts = Counts::default();
    let mut to_send = in_flight;
    loop {
        // Queue every message due, then write them with one flush.
        for _ in 0..to_send {
            ws.feed(payload.clone()).await.map_err(send_failed)?;
        }
        ws.flush().await.map_err(send_failed)?;
        to_send = 0;
        while to_send == 0 {
            if echoed(ws.next().await, &payload)?.is_some() {
                to_send += 1;
            }
        }
        // Every echo already readable (a poll that would wait ends the loop).
        while let Some(item) = ws.next().now_or_never() {
            if echoed(item, &payload)?.is_some() {
                to_send += 1;
            }
        }
        let now = Instant::now();
        if now >= window.measure_from {
            counts.messages += to_send as u64;
            counts.bytes += (to_send * payload.len()) as u64;
        }
        if now >= window.end {
            return Ok(counts);
        }
    }
}

/// The frame a payload message is sent as, by the lean client.
fn frame_of(payload: &Message) -> Vec<u8> {
    match payload {
        Message::Text(text) => masked_frame(true, text.as_bytes()),
        other => masked_frame(false, &other.clone().into_data()),
    }
}

/// Request/response with the lean client. The stream comes out of tungstenite right after the
/// handshake: the servers send nothing before the first echo, so nothing is left in its buffer.
async fn lean_request_response(mut stream: TcpStream, payload: &Message, window: Window) -> Result<Counts, String> {
    let frame = frame_of(payload);
    let mut echoes = EchoReader::new(payload.len());
    let (mut reader, mut writer) = stream.split();
    let mut counts = Counts::default();
    loop {
        let start = Instant::now();
        if start >= window.end {
            return Ok(counts);
        }
        let (written, read) = tokio::join!(writer.write_all(&frame), echoes.read_echoes(&mut reader));
        written.map_err(|error| format!("sending failed: {error}"))?;
        if read? != 1 {
            return Err("more echoes than messages sent".into());
        }
        if start >= window.measure_from {
            counts.messages += 1;
            counts.bytes += payload.len() as u64;
            counts.latencies.push(nanos(start));
        }
    }
}

async fn lean_pipelined(
    mut stream: TcpStream,
    payload: &Message,
    in_flight: usize,
    window: Window,
) -> Result<Counts, String> {
    let frame = frame_of(payload);
    let batch = frame.repeat(in_flight);
    let mut echoes = EchoReader::new(payload.len());
    let mut counts = Counts::default();
    let mut to_send = in_flight;
    loop {
        stream.write_all(&batch[..to_send * frame.len()]).await.map_err(|error| format!("sending failed: {error}"))?;
        to_send = echoes.read_echoes(&mut stream).await?;
        if to_send > in_flight {
            return Err("more echoes than messages sent".into());
        }
        let now = Instant::now();
        if now >= window.measure_from {
            counts.messages += to_send as u64;
            counts.bytes += (to_send * payload.len()) as u64;
        }
        if now >= window.end {
            return Ok(counts);
        }
    }
}

async fn tcp_request_response(mut stream: TcpStream, size: usize, window: Window) -> Result<Counts, String> {
    let message = vec![b'x'; size];
    let mut reply = vec![0; size];
    let (mut reader, mut writer) = stream.split();
    let mut counts = Counts::default();
    loop {
        let start = Instant::now();
        if start >= window.end {
            return Ok(counts);
        }
        // Read while writing: the echo starts coming back before a large message is all sent.
        let (written, read) = tokio::join!(writer.write_all(&message), reader.read_exact(&mut reply));
        written.map_err(|error| format!("sending failed: {error}"))?;
        read.map_err(|error| format!("reading the echo failed: {error}"))?;
        if start >= window.measure_from {
            counts.messages += 1;
            counts.bytes += size as u64;
            counts.latencies.push(nanos(start));
        }
    }
}

async fn tcp_pipelined(mut stream: TcpStream, size: usize, in_flight: usize, window: Window) -> Result<Counts, String> {
    let batch = vec![b'x'; size * in_flight];
    let mut buffer = vec![0; TCP_READ_BYTES];
    let mut counts = Counts::default();
    let (mut received, mut completed) = (0u64, 0u64);
    let mut to_send = in_flight;
    loop {
        stream.write_all(&batch[..to_send * size]).await.map_err(|error| format!("sending failed: {error}"))?;
        to_send = 0;
        while to_send == 0 {
            let read = stream.read(&mut buffer).await.map_err(|error| format!("reading the echo failed: {error}"))?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            received += read as u64;
            let now_completed = received / size as u64;
            to_send = (now_completed - completed) as usize;
            completed = now_completed;
        }
        let now = Instant::now();
        if now >= window.measure_from {
            counts.messages += to_send as u64;
            counts.bytes += (to_send * size) as u64;
        }
        if now >= window.end {
            return Ok(counts);
        }
    }
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
    fn payloads_have_the_asked_size_and_kind() {
        let text = payload(Kind::Text, 64);
        assert!(text.is_text() && text.len() == 64);
        let binary = payload(Kind::Binary, 1 << 20);
        assert!(binary.is_binary() && binary.len() == 1 << 20);
    }
}
