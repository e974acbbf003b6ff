//! `wirelab-loadgen reconnect`: echo clients that stay connected through a server's drain, for
//! `cargo xtask scale-test`. Each connection sends a message, waits for its echo, and repeats at a
//! steady pace; when the server closes it (1001 from a draining server) or the connection breaks,
//! it connects again at once, through the balancer, to whichever server takes it.
//!
//! At the end it prints one tab-separated `RECONNECT` line: what was sent and echoed, how each
//! connection ended, how many reconnected, and when the first 1001 arrived, for the xtask to
//! check against the servers' own metrics.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, timeout_at};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::http_clients;
use crate::target::{Target, connect_ws};

#[derive(Debug, clap::Args)]
pub struct ReconnectArgs {
    /// `ws://HOST:PORT/PATH` of an echo, usually through a balancer.
    #[arg(long)]
    target: Target,
    #[arg(long, default_value_t = 30)]
    connections: usize,
    /// Messages each connection sends per second (one at a time: the next after the echo).
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// How long the clients run; then each closes with 1000.
    #[arg(long, default_value_t = 10.0)]
    secs: f64,
    /// Payload bytes per message.
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Also send steady HTTP GETs to this `http://HOST:PORT/PATH` over the same time; prints an
    /// `HTTP` line too.
    #[arg(long)]
    http_target: Option<String>,
    /// HTTP clients, each on its own kept-alive connection.
    #[arg(long, default_value_t = 8)]
    http_clients: usize,
    /// GETs each HTTP client sends per second.
    #[arg(long, default_value_t = 50.0)]
    http_rate: f64,
}

/// What one connection saw over the run.
#[derive(Debug, Default)]
struct Tally {
    sent: u64,
    echoed: u64,
    /// Messages sent whose echo never came because the connection ended first.
    lost: u64,
    /// Echoes that were not the message sent.
    mismatched: u64,
    /// Messages whose echo had not come a second after the run ended (the client stopped waiting).
    late: u64,
    /// Closes the server sent, by code.
    closes: BTreeMap<u16, u64>,
    /// Connections that broke without a close frame.
    broken: u64,
    /// Connections opened after the first.
    reconnects: u64,
    /// Attempts refused or failed (a 503 from a draining server, a refused port).
    connect_failures: u64,
    first_1001_unix_ms: Option<u128>,
    connected_at_end: bool,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.sent += other.sent;
        self.echoed += other.echoed;
        self.lost += other.lost;
        self.mismatched += other.mismatched;
        self.late += other.late;
        for (code, count) in other.closes {
            *self.closes.entry(code).or_default() += count;
        }
        self.broken += other.broken;
        self.reconnects += other.reconnects;
        self.connect_failures += other.connect_failures;
        self.first_1001_unix_ms = match (self.first_1001_unix_ms, other.first_1001_unix_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.connected_at_end |= other.connected_at_end;
    }
}

pub async fn run(args: ReconnectArgs) -> Result<(), String> {
    let Target::Ws { url, address } = args.target else {
        return Err("reconnect needs a ws:// target".to_owned());
    };
    if !(args.rate > 0.0 && args.rate.is_finite()) {
        return Err("--rate must be more than 0".to_owned());
    }
    if !(args.http_rate > 0.0 && args.http_rate.is_finite()) {
        return Err("--http-rate must be more than 0".to_owned());
    }
    let deadline = Instant::now() + Duration::from_secs_f64(args.secs);
    let http = args.http_target.clone().map(|target| {
        tokio::spawn(async move { http_clients::run(&target, args.http_clients, args.http_rate, deadline).await })
    });
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let mut tasks = Vec::with_capacity(args.connections);
    for index in 0..args.connections {
        let (url, address) = (url.clone(), address.clone());
        tasks.push(tokio::spawn(async move {
            // Spread the connections' sends over one period rather than all at once.
            sleep(period.mul_f64(index as f64 / args.connections.max(1) as f64)).await;
            one_client(&url, &address, index, args.size, period, deadline).await
        }));
    }
    let mut total = Tally::default();
    let mut connected_at_end = 0usize;
    for task in tasks {
        let tally = task.await.map_err(|error| format!("a client task failed: {error}"))?;
        connected_at_end += usize::from(tally.connected_at_end);
        total.add(tally);
    }
    let closes_1001 = total.closes.get(&1001).copied().unwrap_or_default();
    let closes_other: u64 = total.closes.iter().filter(|(code, _)| **code != 1001).map(|(_, count)| count).sum();
    println!(
        "RECONNECT\tconnections={}\tsent={}\techoed={}\tlost={}\tlate={}\tmismatched={}\tcloses_1001={closes_1001}\t\
         closes_other={closes_other}\tbroken={}\treconnects={}\tconnect_failures={}\tfirst_1001_unix_ms={}\t\
         connected_at_end={connected_at_end}",
        args.connections,
        total.sent,
        total.echoed,
        total.lost,
        total.late,
        total.mismatched,
        total.broken,
        total.reconnects,
        total.connect_failures,
        total.first_1001_unix_ms.map_or_else(|| "none".to_owned(), |ms| ms.to_string()),
    );
    if let Some(http) = http {
        let tally = http.await.map_err(|error| format!("the HTTP clients failed: {error}"))??;
        println!("{}", tally.line());
    }
    Ok(())
}

async fn one_client(url: &str, address: &str, index: usize, size: usize, period: Duration, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut opened = 0u64;
    let mut sequence = 0u64;
    while Instant::now() < deadline {
        let mut ws = match timeout_at(deadline, connect_ws(url, address, WebSocketConfig::default())).await {
            Ok(Ok(ws)) => ws,
            Ok(Err(_)) => {
                tally.connect_failures += 1;
                sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(_) => break,
        };
        opened += 1;
        let mut ticks = interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let ended_by_server = loop {
            if timeout_at(deadline, ticks.tick()).await.is_err() {
                break false;
            }
            sequence += 1;
            let text = message_text(index, sequence, size);
            if ws.send(Message::text(text.clone())).await.is_err() {
                tally.broken += 1;
                break true;
            }
            tally.sent += 1;
            match read_echo(&mut ws, deadline).await {
                Echo::Text(echo) => {
                    tally.echoed += 1;
                    tally.mismatched += u64::from(echo != text);
                }
                Echo::Closed(code) => {
                    tally.lost += 1;
                    *tally.closes.entry(code).or_default() += 1;
                    if code == 1001 && tally.first_1001_unix_ms.is_none() {
                        tally.first_1001_unix_ms = Some(unix_ms());
                    }
                    break true;
                }
                Echo::Broken => {
                    tally.lost += 1;
                    tally.broken += 1;
                    break true;
                }
                Echo::Deadline => {
                    // The run ended while this echo was on its way: not a loss of the server's.
                    tally.late += 1;
                    break false;
                }
            }
        };
        if !ended_by_server {
            tally.connected_at_end = true;
            let _ = ws.close(Some(close_frame())).await;
            // Read the server's close answer so the server sees a clean close handshake.
            let _ = tokio::time::timeout(Duration::from_secs(2), async { while ws.next().await.is_some() {} }).await;
        }
    }
    tally.reconnects = opened.saturating_sub(1);
    tally
}

enum Echo {
    Text(String),
    Closed(u16),
    Broken,
    Deadline,
}

async fn read_echo(ws: &mut crate::target::Ws, deadline: Instant) -> Echo {
    loop {
        let next = match timeout_at(deadline + Duration::from_secs(1), ws.next()).await {
            Ok(next) => next,
            Err(_) => return Echo::Deadline,
        };
        match next {
            Some(Ok(Message::Text(text))) => return Echo::Text(text.as_str().to_owned()),
            Some(Ok(Message::Close(frame))) => return Echo::Closed(frame.map_or(1005, |frame| u16::from(frame.code))),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Echo::Broken,
        }
    }
}

fn close_frame() -> tokio_tungstenite::tungstenite::protocol::CloseFrame {
    tokio_tungstenite::tungstenite::protocol::CloseFrame { code: CloseCode::Normal, reason: "run over".into() }
}

/// `c<connection>-<sequence>-` padded with `x` to `size` bytes, so each echo can be checked.
fn message_text(connection: usize, sequence: u64, size: usize) -> String {
    let mut text = format!("c{connection}-{sequence}-");
    if text.len() < size {
        text.extend(std::iter::repeat_n('x', size - text.len()));
    }
    text
}

fn unix_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_connection_and_sequence_and_reach_the_size() {
        let cases = [(0, 1, 4, "c0-1-"), (3, 12, 10, "c3-12-xxxx"), (1, 2, 0, "c1-2-")];
        for (connection, sequence, size, expected) in cases {
            assert_eq!(message_text(connection, sequence, size), expected);
        }
    }

    #[test]
    fn tallies_add_up_and_keep_the_earliest_1001() {
        let mut total = Tally { sent: 3, first_1001_unix_ms: Some(50), ..Tally::default() };
        total.closes.insert(1001, 1);
        let mut other = Tally { sent: 2, echoed: 1, first_1001_unix_ms: Some(40), ..Tally::default() };
        other.closes.insert(1001, 2);
        other.closes.insert(1000, 1);
        total.add(other);
        assert_eq!((total.sent, total.echoed, total.first_1001_unix_ms), (5, 1, Some(40)));
        assert_eq!(total.closes, BTreeMap::from([(1000, 1), (1001, 3)]));
    }
}
