//! Opens many idle WebSocket connections to measure what each one costs the server.
//!
//! ```text
//! cargo run --release -p wirelab-server -- --port 0 &   # note the port and the pid
//! cargo run --release -p wirelab-server --example idle_connections -- \
//!     --url ws://127.0.0.1:PORT/ws/echo --count 5000 --hold-secs 10 --server-pid PID
//! ```
//!
//! With `--server-pid` it reads the server's VmRSS from /proc before and while the connections
//! are held and prints the cost per connection.

use std::time::Duration;

use clap::Parser;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async_with_config};

type Client = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens COUNT idle WebSocket connections, holds them, then closes them.
#[derive(Debug, Parser)]
struct Args {
    /// The echo endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws/echo")]
    url: String,
    /// How many connections to open.
    #[arg(long, default_value_t = 5000)]
    count: usize,
    /// How many connection attempts run at once.
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
    /// How long to hold the connections open, idle.
    #[arg(long, default_value_t = 10)]
    hold_secs: u64,
    /// The server's process id, to report its resident memory (Linux).
    #[arg(long)]
    server_pid: Option<u32>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let limit = rlimit::increase_nofile_limit(u64::MAX)?;
    println!("open file limit: {limit}");

    let before = args.server_pid.and_then(rss_kib);
    if let Some(kib) = before {
        println!("server VmRSS before: {kib} KiB ({:.1} MiB)", kib as f64 / 1024.0);
    }

    // The client side keeps its buffers small too, so 5,000 connections fit in this process.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let mut clients: Vec<Client> = Vec::with_capacity(args.count);
    while clients.len() < args.count {
        let batch = args.concurrency.max(1).min(args.count - clients.len());
        let mut connecting = JoinSet::new();
        for _ in 0..batch {
            let url = args.url.clone();
            connecting.spawn(async move { connect_async_with_config(url, Some(config), false).await });
        }
        while let Some(joined) = connecting.join_next().await {
            let (ws, _) = joined??;
            clients.push(ws);
        }
    }
    println!("opened {}", clients.len());

    // Let the server's tasks settle into their idle state before measuring.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let held = args.server_pid.and_then(rss_kib);
    if let Some(kib) = held {
        println!("server VmRSS with {} connections: {kib} KiB ({:.1} MiB)", clients.len(), kib as f64 / 1024.0);
        if let Some(before) = before {
            let per = kib.saturating_sub(before) as f64 / clients.len().max(1) as f64;
            println!("per connection: {per:.2} KiB");
        }
    }
    tokio::time::sleep(Duration::from_secs(args.hold_secs.saturating_sub(1))).await;
    if let Some(kib) = args.server_pid.and_then(rss_kib) {
        println!("server VmRSS at the end of the hold: {kib} KiB ({:.1} MiB)", kib as f64 / 1024.0);
    }

    let mut closing = JoinSet::new();
    let total = clients.len();
    for mut ws in clients {
        closing.spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), ws.close(None)).await;
        });
    }
    while closing.join_next().await.is_some() {}
    println!("closed {total}");
    Ok(())
}

/// The resident set size of process `pid` in KiB, from /proc/PID/status.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
