//! `idle`: open idle connections in steps and read what the server's resident memory grows by.

use std::time::Duration;

use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::IdleArgs;
use crate::procfs::rss_kib;
use crate::target::{Target, Ws, connect_tcp, connect_ws};

/// A server that stops accepting must not hang the benchmark.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Held open, never read or written.
#[expect(dead_code, reason = "the connections are only kept open, never used")]
enum Held {
    Ws(Box<Ws>),
    Tcp(TcpStream),
}

pub async fn run(args: IdleArgs) -> Result<(), String> {
    let pid = args.server_pid;
    let read_rss = || rss_kib(pid).ok_or_else(|| format!("cannot read VmRSS of process {pid}"));
    let baseline = read_rss()?;
    let mut held: Vec<Held> = Vec::new();
    for &count in &args.counts {
        while held.len() < count {
            let batch = args.concurrency.max(1).min(count - held.len());
            let mut connecting = JoinSet::new();
            for _ in 0..batch {
                connecting.spawn(open(args.target.clone()));
            }
            while let Some(joined) = connecting.join_next().await {
                let connection = joined.map_err(|error| format!("a connect task failed: {error}"))?;
                held.push(connection.map_err(|error| format!("after {} connections: {error}", held.len()))?);
            }
        }
        tokio::time::sleep(Duration::from_millis(args.settle_ms)).await;
        let rss = read_rss()?;
        println!("IDLE\tconnections={}\tbaseline_kib={baseline}\trss_kib={rss}", held.len());
    }
    Ok(())
}

async fn open(target: Target) -> Result<Held, String> {
    tokio::time::timeout(CONNECT_TIMEOUT, connect(target))
        .await
        .map_err(|_| format!("a connection took more than {} s to open", CONNECT_TIMEOUT.as_secs()))?
}

async fn connect(target: Target) -> Result<Held, String> {
    match target {
        Target::Ws { url, address } => {
            // Small client buffers, so thousands of connections fit in this process.
            let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
            connect_ws(&url, &address, config).await.map(|ws| Held::Ws(Box::new(ws)))
        }
        Target::Tcp { address } => connect_tcp(&address).await.map(Held::Tcp),
    }
}
