//! Echo throughput over `ws://` or `wss://`, with the same client both ways, so `cargo xtask
//! bench-tls` can show what TLS costs the WebSocket echo. (The load generator, crates/loadgen,
//! speaks plain `ws://` only.)
//!
//! ```text
//! cargo run --release -p wirelab-server --example ws_echo_load -- \
//!     --url wss://localhost:8443/ws/echo --cacert ~/.local/share/wirelab/tls/localhost-cert.pem
//! ```
//!
//! Each connection keeps up to `--window` binary messages of `--size` bytes in flight and checks
//! every echo's length. It prints `RESULT\tmsgs_per_s=…\tmib_per_s=…` (bench-server's format).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Sends binary messages to a WebSocket echo and counts the echoes.
#[derive(Debug, Parser)]
struct Args {
    /// `ws://HOST:PORT/PATH` or `wss://HOST:PORT/PATH`.
    #[arg(long)]
    url: String,
    /// The certificate to trust for `wss://` (PEM).
    #[arg(long)]
    cacert: Option<PathBuf>,
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Bytes per message.
    #[arg(long, default_value_t = 1024)]
    size: usize,
    /// Messages in flight per connection.
    #[arg(long, default_value_t = 16)]
    window: usize,
    #[arg(long, default_value_t = 3.0)]
    secs: f64,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let connector = match &args.cacert {
        Some(path) => Some(tls_connector(path)?),
        None => None,
    };
    let duration = Duration::try_from_secs_f64(args.secs).map_err(|error| format!("--secs: {error}"))?;
    let deadline = Instant::now() + duration;
    let mut clients = JoinSet::new();
    for _ in 0..args.connections {
        clients.spawn(client(args.url.clone(), connector.clone(), args.size, args.window, deadline));
    }
    let mut echoed = 0u64;
    while let Some(joined) = clients.join_next().await {
        echoed += joined.map_err(|error| error.to_string())??;
    }
    let seconds = duration.as_secs_f64();
    let mib = echoed as f64 * args.size as f64 / (1024.0 * 1024.0);
    println!("RESULT\tmsgs_per_s={:.1}\tmib_per_s={:.2}", echoed as f64 / seconds, mib / seconds);
    Ok(())
}

fn tls_connector(cacert: &PathBuf) -> Result<TlsConnector, String> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in
        CertificateDer::pem_file_iter(cacert).map_err(|error| format!("{}: {error}", cacert.display()))?
    {
        let certificate = certificate.map_err(|error| format!("{}: {error}", cacert.display()))?;
        roots.add(certificate).map_err(|error| format!("{}: {error}", cacert.display()))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// One connection: how many echoes came back before `deadline`.
async fn client(
    url: String,
    connector: Option<TlsConnector>,
    size: usize,
    window: usize,
    deadline: Instant,
) -> Result<u64, String> {
    let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).ok_or("a URL with a host")?;
    let tcp = TcpStream::connect(authority).await.map_err(|error| format!("{authority}: {error}"))?;
    tcp.set_nodelay(true).map_err(|error| error.to_string())?;
    let config = Some(WebSocketConfig::default());
    match (url.starts_with("wss://"), connector) {
        (true, Some(connector)) => {
            let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host).to_owned();
            let name = ServerName::try_from(host).map_err(|error| error.to_string())?;
            let tls = connector.connect(name, tcp).await.map_err(|error| format!("TLS: {error}"))?;
            let (socket, _) = tokio_tungstenite::client_async_with_config(url.as_str(), tls, config)
                .await
                .map_err(|error| error.to_string())?;
            echo(socket, size, window, deadline).await
        }
        (true, None) => Err("wss:// needs --cacert".to_owned()),
        (false, _) => {
            let (socket, _) = tokio_tungstenite::client_async_with_config(url.as_str(), tcp, config)
                .await
                .map_err(|error| error.to_string())?;
            echo(socket, size, window, deadline).await
        }
    }
}

async fn echo<S>(
    socket: tokio_tungstenite::WebSocketStream<S>,
    size: usize,
    window: usize,
    deadline: Instant,
) -> Result<u64, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = socket.split();
    let in_flight = Arc::new(Semaphore::new(window));
    let permits = Arc::clone(&in_flight);
    let payload = bytes::Bytes::from(vec![0x5a; size]);
    let writer = tokio::spawn(async move {
        while Instant::now() < deadline {
            let Ok(permit) = permits.acquire().await else { break };
            permit.forget();
            if sink.send(Message::Binary(payload.clone())).await.is_err() {
                break;
            }
        }
        sink
    });
    let mut echoed = 0u64;
    while Instant::now() < deadline {
        let next = tokio::time::timeout_at(deadline.into(), stream.next()).await;
        match next {
            Err(_) => break,
            Ok(Some(Ok(Message::Binary(echo)))) if echo.len() == size => {
                echoed += 1;
                in_flight.add_permits(1);
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            Ok(other) => return Err(format!("unexpected echo: {other:?}")),
        }
    }
    in_flight.close();
    if let Ok(mut sink) = writer.await {
        let _ = sink.send(Message::Close(None)).await;
    }
    Ok(echoed)
}
