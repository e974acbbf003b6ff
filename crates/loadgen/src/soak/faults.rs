//! The soak's protocol faults: handshakes left half-finished, slowloris clients dripping header
//! bytes, and clients that go away without a close frame. Whether the server let go of a
//! connection is read from its descriptors: the server's end of the connection is found in
//! /proc/net/tcp by port, and its socket inode looked for in /proc/PID/fd.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use super::{Endpoint, Server, SoakArgs, Verdict, millis, one_echo, probe, report};
use crate::procfs::{holds_socket, socket_inode};
use crate::target::connect_tcp;

/// How late after the header read timeout a connection may be dropped and still pass.
const HEADER_MARGIN: Duration = Duration::from_secs(1);
/// How long past the header read timeout a connection is watched before giving up on it.
const HEADER_WATCH: Duration = Duration::from_secs(8);
/// A slowloris client sends one header byte this often.
const DRIP_EVERY: Duration = Duration::from_millis(250);
/// A peer that reset or closed its connection must be let go of within this.
const VANISH_LIMIT: Duration = Duration::from_secs(2);
/// How long a reset or closed peer is watched before giving up.
const VANISH_WATCH: Duration = Duration::from_secs(10);

/// The inode of the server's end of `stream`. The server may not have accepted the connection
/// yet (a socket in the accept queue has no descriptor), so this waits up to 2 s for it.
pub(super) fn server_end(endpoint: &Endpoint, stream: &TcpStream) -> Result<u64, String> {
    let server_port = endpoint.port()?;
    let client_port = stream.local_addr().map_err(|error| format!("no local address: {error}"))?.port();
    let give_up = Instant::now() + Duration::from_secs(2);
    loop {
        if let Some(inode) = socket_inode(server_port, client_port) {
            return Ok(inode);
        }
        if Instant::now() > give_up {
            return Err(format!("the server's end of the connection from port {client_port} is not in /proc/net/tcp"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Watches the server's descriptors until it no longer holds `inode`; the time that took, or
/// `None` if it still does after `watch`.
async fn released(server: &Server, inode: u64, since: Instant, watch: Duration) -> Result<Option<Duration>, String> {
    loop {
        match holds_socket(server.pid, inode) {
            Some(false) => return Ok(Some(since.elapsed())),
            Some(true) if since.elapsed() > watch => return Ok(None),
            Some(true) => tokio::time::sleep(Duration::from_millis(20)).await,
            None => return Err(format!("cannot list /proc/{}/fd (has the server exited?)", server.pid)),
        }
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// The first line of what the server sent, for the figures.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines().next().unwrap_or_default().to_owned()
}

pub(super) async fn half_handshake(args: &SoakArgs, endpoint: &Endpoint, server: &Server) -> Result<(), String> {
    let timeout = Duration::from_secs_f64(args.header_timeout);
    let bound = timeout + HEADER_MARGIN;

    // Half an upgrade request, then nothing.
    let mut stream = connect_tcp(&endpoint.address).await?;
    let started = Instant::now();
    stream.write_all(endpoint.upgrade_request(false).as_bytes()).await.map_err(|error| format!("send: {error}"))?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    let dropped = loop {
        match tokio::time::timeout_at((started + timeout + HEADER_WATCH).into(), stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break Some(started.elapsed()),
            Ok(Ok(read)) => answer.extend_from_slice(&buffer[..read]),
            Err(_) => break None,
        }
    };
    drop(stream);
    let answered =
        if answer.is_empty() { "no response".to_owned() } else { format!("response '{}'", first_line(&answer)) };
    let figures = match dropped {
        Some(after) => format!("half an upgrade request: dropped after {} ({answered})", seconds(after)),
        None => format!("half an upgrade request: still open after {} ({answered})", seconds(timeout + HEADER_WATCH)),
    };
    let rule = format!("dropped within the header read timeout + {} = {}", seconds(HEADER_MARGIN), seconds(bound));
    report("half-handshake", Verdict::of(dropped.is_some_and(|after| after <= bound)), &figures, &rule);

    // A whole upgrade request whose 101 is never read, and no frames.
    let mut stream = connect_tcp(&endpoint.address).await?;
    stream.write_all(endpoint.upgrade_request(true).as_bytes()).await.map_err(|error| format!("send: {error}"))?;
    let started = Instant::now();
    let inode = server_end(endpoint, &stream)?;
    let watch = timeout + Duration::from_secs(3);
    let gone = released(server, inode, started, watch).await?;
    // Only now look at what the server sent.
    let mut answer = Vec::new();
    while let Ok(Ok(read)) = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer)).await {
        if read == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..read]);
    }
    let sent = if answer.is_empty() { "nothing".to_owned() } else { format!("'{}'", first_line(&answer)) };
    let figures = match gone {
        Some(after) => format!("whole upgrade request, 101 never read: server dropped it after {}", seconds(after)),
        None => format!(
            "whole upgrade request, 101 never read, no frames: server still holds it after {} (an idle WebSocket; \
             the server had sent {sent})",
            seconds(watch)
        ),
    };
    report("unread-101", Verdict::Info, &figures, "reported only: an idle WebSocket may stay open");
    Ok(())
}

pub(super) async fn slowloris(args: &SoakArgs, endpoint: &Endpoint, server: &Server) -> Result<(), String> {
    let timeout = Duration::from_secs_f64(args.header_timeout);
    let bound = timeout + HEADER_MARGIN;
    let watch = timeout + HEADER_WATCH;
    let base_fds = server.fds()?;
    let request_start = format!("GET {} HTTP/1.1\r\nHost: {}\r\n", endpoint.path, endpoint.address);
    let mut drips = JoinSet::new();
    for _ in 0..args.connections {
        drips.spawn(drip(endpoint.address.clone(), request_start.clone(), watch));
    }
    let stop = AtomicBool::new(false);
    let collect = async {
        let mut results = Vec::with_capacity(args.connections);
        while let Some(joined) = drips.join_next().await {
            results.push(joined.map_err(|error| error.to_string()).and_then(|dropped| dropped));
        }
        stop.store(true, Ordering::Relaxed);
        results
    };
    let (results, probe) = tokio::join!(collect, probe(endpoint, &stop, Instant::now() + watch * 2));
    let fds_after = server.fds()?;
    let mut times: Vec<Duration> = results.iter().filter_map(|result| result.as_ref().ok().copied()).collect();
    times.sort_unstable();
    let failures: Vec<&String> = results.iter().filter_map(|result| result.as_ref().err()).collect();
    let late = times.iter().filter(|after| **after > bound).count();
    let spread = match (times.first(), times.get(times.len() / 2), times.last()) {
        (Some(min), Some(median), Some(max)) => {
            format!("after {} min, {} median, {} max", seconds(*min), seconds(*median), seconds(*max))
        }
        _ => "none".to_owned(),
    };
    let mut figures = format!(
        "{} connections dripping a header byte every {}: {} dropped ({spread}), {late} later than {}; server fds \
         {base_fds} before, {fds_after} after; {}",
        args.connections,
        millis(DRIP_EVERY),
        times.len(),
        seconds(bound),
        probe.figures()
    );
    if let Some(first) = failures.first() {
        figures.push_str(&format!("; {} not dropped, first: {first}", failures.len()));
    }
    let rule = format!("all dropped within {}; other client answered, max latency <= 1 s", seconds(bound));
    let pass = failures.is_empty() && late == 0 && probe.served();
    report("slowloris", Verdict::of(pass), &figures, &rule);
    Ok(())
}

/// One slowloris connection: the request line and Host, then one byte of a header that never
/// ends every [`DRIP_EVERY`]. Returns how long after the connect the server dropped it.
async fn drip(address: String, request_start: String, watch: Duration) -> Result<Duration, String> {
    let mut stream = connect_tcp(&address).await?;
    let started = Instant::now();
    stream.write_all(request_start.as_bytes()).await.map_err(|error| format!("send: {error}"))?;
    let (mut reader, mut writer) = stream.split();
    let header = b"X-Slowloris: ";
    let mut sent = 0;
    let mut buffer = [0u8; 512];
    let mut tick = tokio::time::interval(DRIP_EVERY);
    loop {
        tokio::select! {
            read = reader.read(&mut buffer) => match read {
                Ok(0) | Err(_) => return Ok(started.elapsed()),
                // A response before the close (a 408, say): wait for the close itself.
                Ok(_) => {}
            },
            _ = tick.tick() => {
                let byte = header.get(sent).copied().unwrap_or(b'a');
                sent += 1;
                if writer.write_all(&[byte]).await.is_err() {
                    return Ok(started.elapsed());
                }
            }
            () = tokio::time::sleep_until((started + watch).into()) => {
                return Err(format!("still open after {}", seconds(watch)));
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Departure {
    /// The socket is dropped with SO_LINGER 0: the kernel sends a reset.
    Reset,
    /// The socket is dropped normally (FIN) without a close frame.
    Fin,
    /// The client keeps the socket but never reads or writes again, as a peer whose machine or
    /// network went away looks to the server.
    Silent,
}

pub(super) async fn vanish(args: &SoakArgs, endpoint: &Endpoint, server: &Server) -> Result<(), String> {
    let cases = [
        ("vanish-reset", Departure::Reset, "TCP reset after one echo"),
        ("vanish-fin", Departure::Fin, "TCP FIN, no close frame, after one echo"),
        ("vanish-silent", Departure::Silent, "silent after one echo (never reads or writes again)"),
    ];
    for (name, departure, what) in cases {
        let mut stream = endpoint.connect().await?;
        one_echo(&mut stream).await?;
        let inode = server_end(endpoint, &stream)?;
        let started = Instant::now();
        let (held, watch) = match departure {
            Departure::Reset => {
                stream.set_zero_linger().map_err(|error| format!("cannot set SO_LINGER: {error}"))?;
                drop(stream);
                (None, VANISH_WATCH)
            }
            Departure::Fin => {
                drop(stream);
                (None, VANISH_WATCH)
            }
            Departure::Silent => (Some(stream), Duration::from_secs_f64(args.secs)),
        };
        let gone = released(server, inode, started, watch).await?;
        drop(held);
        let (verdict, figures, rule) = match (departure, gone) {
            (Departure::Silent, Some(after)) => {
                (Verdict::Pass, format!("{what}: server let go after {}", seconds(after)), "fd released".to_owned())
            }
            (Departure::Silent, None) => (
                Verdict::Fail,
                format!(
                    "{what}: server still holds the fd after {}: it writes nothing to an idle connection (no \
                     idle timeout, no pings), so a peer that vanished without FIN or RST is held forever",
                    seconds(watch)
                ),
                format!("fd released within {}", seconds(watch)),
            ),
            (_, Some(after)) => (
                Verdict::of(after <= VANISH_LIMIT),
                format!("{what}: server released the fd after {}", millis(after)),
                format!("fd released within {}", seconds(VANISH_LIMIT)),
            ),
            (_, None) => (
                Verdict::Fail,
                format!("{what}: server still holds the fd after {}", seconds(watch)),
                format!("fd released within {}", seconds(VANISH_LIMIT)),
            ),
        };
        report(name, verdict, &figures, &rule);
    }
    Ok(())
}
