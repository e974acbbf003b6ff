//! The built-in peers: small servers (echo, SMTP, POP3, FTP) that `wirelab-server` starts on
//! loopback so the Sockets lab has something real to talk to, and their directory.
//!
//! [`Peers::start`] binds every peer on `127.0.0.1` (never another address: they are for the lab,
//! reached through the server's bridge or by programs on the same machine), each on the port its
//! flag names or on any free port. [`serve`](crate::serve) starts them before it builds the app and
//! hands the directory to the router as an `Arc<Peers>` (see [`app_with_peers`](crate::app_with_peers)):
//! `/api/info` lists them and the bridge finds a peer by name with [`Peers::find`]. They stop when
//! the server's [`Shutdown`] is triggered.
//!
//! Every peer keeps the server's hardening: connections per peer are capped, buffers are bounded,
//! a connection silent for [`PeersConfig::idle_timeout`] is closed, input from the network is
//! never trusted, and everything is logged with `tracing` under the peer's name.

mod echo;
mod ftp;
mod line;
mod mailbox;
mod pop3;
mod smtp;

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout_at};
use tokio_util::task::TaskTracker;

use crate::Shutdown;
use crate::error::ApiError;
pub use ftp::{DEFAULT_FTP_MAX_UPLOAD_BYTES, DEFAULT_FTP_PASSIVE_PORTS};
use mailbox::Mailbox;
pub use mailbox::{DEFAULT_MAILBOX_CAPACITY, DEFAULT_MAX_MAIL_BYTES};

/// The address every peer listens on: loopback only.
pub const PEER_HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// The default silence after which a peer closes a connection: 5 minutes, SMTP's own
/// (RFC 5321 section 4.5.3.2.7), long enough for a person typing commands by hand.
pub const DEFAULT_PEER_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Connections one TCP peer serves at once; more are closed at once (SMTP's with a 421).
pub const MAX_CONNECTIONS_PER_PEER: usize = 64;

/// How a peer is reached: the bridge's own type (`tcp` or `udp` in JSON), so both speak of the
/// same thing.
pub use wire::bridge_event::Transport;

/// One running peer, as `/api/info` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Peer {
    /// What the lab and the bridge call it: `echo`, `smtp`, `pop3`, `ftp`.
    pub name: &'static str,
    /// The protocol it speaks: `echo` (RFC 862), `smtp`, `pop3`, `ftp`.
    pub protocol: &'static str,
    pub transport: Transport,
    /// Where it listens (always on [`PEER_HOST`]).
    #[serde(skip)]
    pub address: SocketAddr,
    /// `127.0.0.1`, for the JSON.
    host: String,
    /// The bound port, for the JSON.
    port: u16,
    /// FTP only: the first and last port its passive data connections may listen on (on the
    /// same host), which the lab opens as a second connection after `227` or `229`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_ports: Option<[u16; 2]>,
}

impl Peer {
    fn new(name: &'static str, protocol: &'static str, transport: Transport, address: SocketAddr) -> Self {
        let (host, port) = (address.ip().to_string(), address.port());
        Self { name, protocol, transport, address, host, port, data_ports: None }
    }
}

/// The ports the peers ask for; 0 takes any free port (the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PeerPorts {
    /// The echo peer's port, the same number over TCP and UDP.
    pub echo: u16,
    pub smtp: u16,
    pub pop3: u16,
    pub ftp: u16,
}

/// What the peers need to know: whether to start, their ports and their limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeersConfig {
    /// Start the peers at all (`--no-peers` turns them off).
    pub enabled: bool,
    pub ports: PeerPorts,
    /// A connection silent this long is closed.
    pub idle_timeout: Duration,
    /// The most messages the mailbox keeps; the oldest is dropped (and counted) for a new one.
    pub mailbox_capacity: usize,
    /// The largest message the SMTP peer accepts, in bytes; larger ones get 552.
    pub max_mail_bytes: usize,
    /// The largest file one FTP upload may make, in bytes; past it the upload gets 552.
    pub ftp_max_upload_bytes: u64,
    /// The ports the FTP peer's passive data connections listen on (on loopback).
    pub ftp_passive_ports: RangeInclusive<u16>,
}

impl Default for PeersConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            ports: PeerPorts::default(),
            idle_timeout: DEFAULT_PEER_IDLE_TIMEOUT,
            mailbox_capacity: DEFAULT_MAILBOX_CAPACITY,
            max_mail_bytes: DEFAULT_MAX_MAIL_BYTES,
            ftp_max_upload_bytes: DEFAULT_FTP_MAX_UPLOAD_BYTES,
            ftp_passive_ports: DEFAULT_FTP_PASSIVE_PORTS,
        }
    }
}

/// The directory of the running peers. Empty when the peers are off.
#[derive(Debug, Default)]
pub struct Peers {
    peers: Vec<Peer>,
    /// The mail the SMTP peer received, which the POP3 peer and `/api/mailbox` read.
    mailbox: Option<Arc<Mailbox>>,
    /// The FTP peer's folder, removed with the directory.
    ftp_folder: Option<tempfile::TempDir>,
    /// The peers' accept loops and connections, for [`Peers::stopped`] to wait for.
    tasks: TaskTracker,
    /// The FTP data ports the FTP peer offered in a passive reply that crossed the bridge, and
    /// when: only these may be bridged to ([`Peers::is_ftp_data_address`]).
    offered_data_ports: std::sync::Mutex<std::collections::HashMap<u16, std::time::Instant>>,
}

/// How long a data port the FTP peer offered stays open to the bridge.
pub const OFFERED_DATA_PORT_TTL: Duration = Duration::from_secs(60);

impl Peers {
    /// A directory with no peers: what the app has when the peers are off, or in tests of the
    /// router alone.
    pub fn none() -> Self {
        Self::default()
    }

    /// Binds and starts every peer `config` enables, on loopback; they run until `shutdown`.
    ///
    /// Fails (naming the peer and its port) if a port is taken.
    pub async fn start(config: &PeersConfig, shutdown: &Shutdown) -> io::Result<Self> {
        let mut directory = Self::none();
        if !config.enabled {
            tracing::info!("built-in peers are off (--no-peers)");
            return Ok(directory);
        }
        let context = PeerContext::new(config, shutdown, &directory.tasks);
        let (tcp, udp) = bind_tcp_and_udp("echo", config.ports.echo).await?;
        directory.spawn_tcp(("echo", "echo"), tcp, &context, b"", echo::serve_tcp)?;
        let echo_udp = Peer::new("echo", "echo", Transport::Udp, udp.local_addr()?);
        directory.tasks.spawn(echo::serve_udp(udp, context.for_peer("echo")));
        directory.peers.push(echo_udp);

        let mailbox = Arc::new(Mailbox::new(config.mailbox_capacity, config.max_mail_bytes));
        directory.mailbox = Some(Arc::clone(&mailbox));
        let listener = bind_tcp("smtp", config.ports.smtp).await?;
        let smtp_mailbox = Arc::clone(&mailbox);
        directory.spawn_tcp(("smtp", "smtp"), listener, &context, smtp::BUSY, move |stream, client, connection| {
            smtp::serve(stream, client, connection, Arc::clone(&smtp_mailbox))
        })?;
        let listener = bind_tcp("pop3", config.ports.pop3).await?;
        directory.spawn_tcp(("pop3", "pop3"), listener, &context, pop3::BUSY, move |stream, client, connection| {
            pop3::serve(stream, client, connection, Arc::clone(&mailbox))
        })?;

        let folder = tempfile::Builder::new().prefix("wirelab-ftp-").tempdir()?;
        let setup = ftp::FtpSetup::new(
            folder.path(),
            config.ftp_max_upload_bytes,
            config.ftp_passive_ports.clone(),
            config.idle_timeout,
        )?;
        let setup = Arc::new(setup);
        tracing::info!(peer = "ftp", folder = %folder.path().display(), "FTP folder ready");
        directory.ftp_folder = Some(folder);
        let listener = bind_tcp("ftp", config.ports.ftp).await?;
        directory.spawn_tcp(
            ("ftp", "ftp"),
            listener,
            &context,
            b"421 Too many connections\r\n",
            move |stream, client, connection| ftp::serve(stream, client, connection, Arc::clone(&setup)),
        )?;
        if let Some(ftp) = directory.peers.last_mut() {
            ftp.data_ports = Some([*config.ftp_passive_ports.start(), *config.ftp_passive_ports.end()]);
        }
        for peer in &directory.peers {
            tracing::info!(peer = peer.name, transport = peer.transport.name(), address = %peer.address, "peer listening");
        }
        Ok(directory)
    }

    /// The peer called `name` over `transport`, if it is running.
    pub fn find(&self, name: &str, transport: Transport) -> Option<&Peer> {
        self.peers.iter().find(|peer| peer.name == name && peer.transport == transport)
    }

    /// Whether `address` is a data connection the FTP peer offered in the last
    /// [`OFFERED_DATA_PORT_TTL`] (its host, a port of `--ftp-passive-ports` that a passive reply
    /// named, [`Peers::note_ftp_data_port`]): a target the bridge may open for the lab's data
    /// channel. The rest of the range is not: other programs on this machine listen there too.
    pub fn is_ftp_data_address(&self, address: SocketAddr) -> bool {
        let in_range = self.peers.iter().any(|peer| match peer.data_ports {
            Some([first, last]) => peer.address.ip() == address.ip() && (first..=last).contains(&address.port()),
            None => false,
        });
        in_range && self.was_offered(address.port())
    }

    /// The FTP peer named `port` in a passive reply (227 or 229) that the bridge carried.
    pub fn note_ftp_data_port(&self, port: u16) {
        if let Ok(mut offered) = self.offered_data_ports.lock() {
            offered.retain(|_, when| when.elapsed() < OFFERED_DATA_PORT_TTL);
            offered.insert(port, std::time::Instant::now());
        }
    }

    /// Whether the FTP peer offered `port` within [`OFFERED_DATA_PORT_TTL`].
    pub(crate) fn was_offered(&self, port: u16) -> bool {
        self.offered_data_ports
            .lock()
            .map(|offered| offered.get(&port).is_some_and(|when| when.elapsed() < OFFERED_DATA_PORT_TTL))
            .unwrap_or(false)
    }

    /// Whether `address` is the FTP peer's control connection (whose passive replies the bridge
    /// watches).
    pub fn is_ftp_control_address(&self, address: SocketAddr) -> bool {
        self.peers.iter().any(|peer| peer.data_ports.is_some() && peer.address == address)
    }

    /// Every running peer, in the order `/api/info` lists them.
    pub fn all(&self) -> &[Peer] {
        &self.peers
    }

    /// Waits, until `deadline` at the latest, for the peers to stop after the shutdown was
    /// triggered. Returns whether they all stopped in time.
    pub(crate) async fn stopped(&self, deadline: Instant) -> bool {
        self.tasks.close();
        timeout_at(deadline, self.tasks.wait()).await.is_ok()
    }

    /// Runs the accept loop of the peer `(name, protocol)` on `listener`, each connection in a
    /// task of its own running `handle`, at most [`MAX_CONNECTIONS_PER_PEER`] at once; a client
    /// over the cap is sent `busy` (if not empty) and closed.
    fn spawn_tcp<H, F>(
        &mut self,
        (name, protocol): (&'static str, &'static str),
        listener: TcpListener,
        context: &PeerContext,
        busy: &'static [u8],
        handle: H,
    ) -> io::Result<()>
    where
        H: Fn(TcpStream, SocketAddr, Connection) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        self.peers.push(Peer::new(name, protocol, Transport::Tcp, listener.local_addr()?));
        self.tasks.spawn(accept_loop(listener, context.for_peer(name), busy, handle));
        Ok(())
    }
}

/// `GET /api/mailbox`: the mail the SMTP peer received, parsed (404 when the peers are off).
pub(crate) fn router(peers: &Arc<Peers>) -> Router {
    Router::new().route("/api/mailbox", get(get_mailbox)).with_state(Arc::clone(peers))
}

async fn get_mailbox(State(peers): State<Arc<Peers>>) -> Result<Json<wire::mailbox::Mailbox>, ApiError> {
    let Some(mailbox) = peers.mailbox.clone() else {
        return Err(ApiError::not_found("there is no mailbox: the built-in peers are off (--no-peers)"));
    };
    // Parsing up to capacity × max_mail_bytes of MIME is CPU work: off the async threads.
    match tokio::task::spawn_blocking(move || mailbox.listing()).await {
        Ok(listing) => Ok(Json(listing)),
        Err(error) => {
            tracing::error!(%error, "reading the mailbox failed");
            Err(ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "reading the mailbox failed"))
        }
    }
}

/// What every peer's task shares: the shutdown, the limits and the task tracker.
#[derive(Clone, Debug)]
pub(crate) struct PeerContext {
    pub(crate) name: &'static str,
    pub(crate) shutdown: Shutdown,
    pub(crate) idle_timeout: Duration,
    tasks: TaskTracker,
}

impl PeerContext {
    fn new(config: &PeersConfig, shutdown: &Shutdown, tasks: &TaskTracker) -> Self {
        Self { name: "", shutdown: shutdown.clone(), idle_timeout: config.idle_timeout, tasks: tasks.clone() }
    }

    fn for_peer(&self, name: &'static str) -> Self {
        Self { name, ..self.clone() }
    }
}

/// One accepted connection's view of its peer: the context, and its place under the cap (given
/// back when the connection's task ends).
pub(crate) struct Connection {
    pub(crate) context: PeerContext,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

async fn accept_loop<H, F>(listener: TcpListener, context: PeerContext, busy: &'static [u8], handle: H)
where
    H: Fn(TcpStream, SocketAddr, Connection) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS_PER_PEER));
    loop {
        let accepted = tokio::select! {
            () = context.shutdown.triggered() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, client) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                tracing::warn!(peer = context.name, %error, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(peer = context.name, %client, limit = MAX_CONNECTIONS_PER_PEER, "too many connections; closing");
            // A best effort that never waits: the socket's send buffer is empty.
            if !busy.is_empty() {
                let _ = stream.try_write(busy);
            }
            continue;
        };
        // The peers write whole replies; Nagle's algorithm would only hold a second one back.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(peer = context.name, %client, %error, "cannot set TCP_NODELAY");
        }
        tracing::debug!(peer = context.name, %client, "connection opened");
        let connection = Connection { context: context.clone(), _slot: slot };
        context.tasks.spawn(handle(stream, client, connection));
    }
    tracing::debug!(peer = context.name, "stopped listening");
}

/// Binds TCP and UDP on the same port number (RFC 862's echo lives on both). With port 0 the
/// TCP side picks a free port and the UDP side takes the same number, retried a few times if
/// that number happens to be taken for UDP.
async fn bind_tcp_and_udp(name: &str, port: u16) -> io::Result<(TcpListener, UdpSocket)> {
    const ATTEMPTS: usize = 16;
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        let tcp = bind_tcp(name, port).await?;
        let chosen = tcp.local_addr()?.port();
        match UdpSocket::bind((PEER_HOST, chosen)).await {
            Ok(udp) => return Ok((tcp, udp)),
            Err(error) if port == 0 => last_error = Some(error),
            Err(error) => return Err(bind_error(name, "UDP", port, error)),
        }
    }
    let error = last_error.unwrap_or_else(|| io::Error::other("no attempt made"));
    Err(bind_error(name, "UDP", port, error))
}

async fn bind_tcp(name: &str, port: u16) -> io::Result<TcpListener> {
    TcpListener::bind((PEER_HOST, port)).await.map_err(|error| bind_error(name, "TCP", port, error))
}

fn bind_error(name: &str, transport: &str, port: u16, error: io::Error) -> io::Error {
    io::Error::new(
        error.kind(),
        format!(
            "the {name} peer cannot listen on {PEER_HOST}:{port} over {transport}: {error} (pick another port with \
             --{name}-port, 0 for any free one, or turn the peers off with --no-peers)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftp_data_addresses_are_the_passive_ports_it_offered_on_its_host() {
        let mut ftp = Peer::new("ftp", "ftp", Transport::Tcp, SocketAddr::from((PEER_HOST, 2121)));
        ftp.data_ports = Some([50000, 50009]);
        let echo = Peer::new("echo", "echo", Transport::Tcp, SocketAddr::from((PEER_HOST, 50020)));
        let peers = Peers { peers: vec![echo, ftp], ..Peers::none() };
        for port in [50000, 50009, 50010, 50020] {
            peers.note_ftp_data_port(port);
        }
        let cases = [
            ("127.0.0.1:50000", true),
            ("127.0.0.1:50009", true),
            // In the range, not offered.
            ("127.0.0.1:50005", false),
            // Offered, but outside the range.
            ("127.0.0.1:50010", false),
            ("127.0.0.1:2121", false),
            ("127.0.0.1:50020", false),
            ("10.0.0.1:50000", false),
        ];
        for (address, expected) in cases {
            let parsed: SocketAddr = address.parse().expect("a socket address");
            assert_eq!(peers.is_ftp_data_address(parsed), expected, "{address}");
        }
        assert!(!Peers::none().is_ftp_data_address(SocketAddr::from((PEER_HOST, 50000))));
        assert!(peers.is_ftp_control_address(SocketAddr::from((PEER_HOST, 2121))));
        assert!(!peers.is_ftp_control_address(SocketAddr::from((PEER_HOST, 50020))));
    }
}
