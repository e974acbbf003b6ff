//! Captures: the sessions the server sees whole, kept in memory for a while so the app can
//! download each one as a `.pcap` that Wireshark and tshark open and dissect.
//!
//! Two kinds of session are recorded:
//!
//! - each `/ws/inspect` WebSocket (`websocket/mod.rs`): the opening handshake, then every byte
//!   read from and written to the client after the upgrade ([`stream::Recorded`] wraps the
//!   upgraded stream under every other layer, so reserved-opcode frames, pings and the close are
//!   there too), and the end (the client's FIN or reset, the server's FIN). The handshake is not
//!   the bytes on the wire, which hyper parses before the server sees them: the request is
//!   rebuilt from its parsed head (method, target, version, headers in hyper's order, names in
//!   lower case as hyper keeps them) and the 101 from the response the WebSocket handler makes
//!   (the same status line and headers, names in lower case as hyper writes them; what the layers
//!   around the handler add, the CORS headers `vary`, `access-control-allow-credentials` and
//!   `timing-allow-origin`, and hyper's `date`, is not in it). From the first frame on, the bytes
//!   are the real ones.
//! - each Sockets-lab bridge (`bridge/relay.rs`): the bytes the server exchanged with the peer
//!   (each client message written to the peer, each chunk read from it), FIN either way, and a
//!   reset; over UDP, each datagram.
//!
//! Addresses and ports, chosen so tshark and Wireshark dissect the session with no "Decode As":
//!
//! - `/ws/inspect`: the client's real address and port; the server on port 80 (where Wireshark
//!   looks for HTTP, and so sees the upgrade and dissects the frames as WebSocket), at the
//!   client's own loopback address when the client is on loopback, else at 192.0.2.1 or
//!   2001:db8::1 (documentation addresses: the server does not learn which of its addresses a
//!   client reached). A session over the TLS port is recorded as the bytes inside TLS (what
//!   Wireshark shows once given the keys), written on port 80 all the same.
//! - a bridge: the real addresses of both ends, and the peer's real port, except for the
//!   built-in peers' control ports, which listen on free ports and are written at their
//!   protocols' own: echo 7, SMTP 25, POP3 110, FTP 21. An FTP data connection keeps its real
//!   port, the one the 227/229 reply on the control connection names.
//!
//! Timestamps are the real times (microseconds) at which the server read or wrote the bytes; the
//! handshake's packets and the ACKs are synthesized (see `wire::packets::synth`).
//!
//! The store is bounded ([`CaptureConfig`]): at most `max_sessions` sessions (the oldest dropped
//! for a new one), `max_session_bytes` per session (past it the session stops being recorded; the
//! file ends there) and `max_total_bytes` over all (the oldest sessions dropped to make room).
//! Each event also costs [`EVENT_OVERHEAD_BYTES`] of the budgets, so a session of many tiny
//! writes is bounded too. `max_sessions` 0 turns capturing off: nothing is recorded and no id is
//! told. A capture holds what people typed, so its id is 122 random bits (a UUID v4), and
//! `GET /api/captures/{id}.pcap` is the only way to it (404 once dropped; no listing).

pub(crate) mod handshake;
mod route;
pub(crate) mod stream;

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use wire::packets::synth::{self, Datagram, Side, TcpEvent, TcpSession};

pub(crate) use route::router;

/// The default number of sessions kept.
pub const DEFAULT_CAPTURE_SESSIONS: usize = 64;
/// The default bytes one session's capture may hold: 4 MiB.
pub const DEFAULT_CAPTURE_SESSION_BYTES: usize = 4 * 1024 * 1024;
/// The default bytes all captures together may hold: 64 MiB.
pub const DEFAULT_CAPTURE_TOTAL_BYTES: usize = 64 * 1024 * 1024;
/// What each recorded event costs of the budgets beside its payload (the event's own size and
/// the payload's allocation, rounded up).
pub const EVENT_OVERHEAD_BYTES: usize = 64;

/// How much the server keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaptureConfig {
    /// Sessions kept; the oldest is dropped for a new one. 0: capturing is off.
    pub max_sessions: usize,
    /// Bytes one session may hold; past it the session's capture ends.
    pub max_session_bytes: usize,
    /// Bytes all sessions together may hold; the oldest are dropped to make room. Never less
    /// than `max_session_bytes` (raised to it).
    pub max_total_bytes: usize,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        Self {
            max_sessions: DEFAULT_CAPTURE_SESSIONS,
            max_session_bytes: DEFAULT_CAPTURE_SESSION_BYTES,
            max_total_bytes: DEFAULT_CAPTURE_TOTAL_BYTES,
        }
    }
}

/// What a session carries: a TCP byte stream or UDP datagrams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Carrier {
    Tcp,
    Udp,
}

/// One recorded happening.
#[derive(Clone, Debug)]
enum What {
    Data(Side, Bytes),
    Fin(Side),
    Reset(Side),
}

#[derive(Clone, Debug)]
struct Event {
    at_us: u64,
    what: What,
}

/// One session's recording.
#[derive(Debug)]
struct Recording {
    carrier: Carrier,
    client: SocketAddr,
    server: SocketAddr,
    opened_at_us: u64,
    /// What the file is called: `wirelab-{label}-{id prefix}.pcap`.
    label: &'static str,
    events: Vec<Event>,
    /// Bytes this recording holds of the budgets.
    held: usize,
    /// The session went past its cap: nothing more is recorded.
    full: bool,
    /// Dropped from the store: nothing more is recorded, and nothing is held.
    dropped: bool,
}

impl Recording {
    /// The capture file as it stands.
    fn pcap(&self) -> Vec<u8> {
        match self.carrier {
            Carrier::Tcp => {
                let events: Vec<TcpEvent<'_>> = self
                    .events
                    .iter()
                    .map(|event| match &event.what {
                        What::Data(from, bytes) => TcpEvent::Data { at_us: event.at_us, from: *from, bytes },
                        What::Fin(from) => TcpEvent::Fin { at_us: event.at_us, from: *from },
                        What::Reset(from) => TcpEvent::Reset { at_us: event.at_us, from: *from },
                    })
                    .collect();
                let session = TcpSession {
                    client: self.client,
                    server: self.server,
                    opened_at_us: self.opened_at_us,
                    events: &events,
                };
                synth::tcp_pcap(&session)
            }
            Carrier::Udp => {
                let datagrams: Vec<Datagram<'_>> = self
                    .events
                    .iter()
                    .filter_map(|event| match &event.what {
                        What::Data(from, bytes) => Some(Datagram { at_us: event.at_us, from: *from, bytes }),
                        What::Fin(_) | What::Reset(_) => None,
                    })
                    .collect();
                synth::udp_pcap(self.client, self.server, &datagrams)
            }
        }
    }
}

type Shared = Arc<Mutex<Recording>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No lock here is held across anything that can panic; a poisoned one is still usable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sessions kept, oldest first, and the bytes they hold.
struct Store {
    config: CaptureConfig,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    sessions: VecDeque<(String, Shared)>,
    held: usize,
}

impl Kept {
    /// Drops the oldest session (never `keep`); whether one was dropped.
    fn drop_oldest(&mut self, keep: Option<&Shared>) -> bool {
        let Some(position) =
            self.sessions.iter().position(|(_, session)| keep.is_none_or(|keep| !Arc::ptr_eq(keep, session)))
        else {
            return false;
        };
        if let Some((_, session)) = self.sessions.remove(position) {
            let mut recording = lock(&session);
            recording.dropped = true;
            self.held = self.held.saturating_sub(std::mem::take(&mut recording.held));
            recording.events = Vec::new();
        }
        true
    }
}

/// The server's captures: where sessions are recorded and found again. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Captures {
    /// `None`: capturing is off.
    store: Option<Arc<Store>>,
}

impl Captures {
    pub(crate) fn new(config: CaptureConfig) -> Captures {
        let config = CaptureConfig { max_total_bytes: config.max_total_bytes.max(config.max_session_bytes), ..config };
        let store = (config.max_sessions > 0).then(|| Arc::new(Store { config, kept: Mutex::new(Kept::default()) }));
        Captures { store }
    }

    /// Starts recording a session between `client` and `server`; `None` when capturing is off.
    pub(crate) fn start(
        &self,
        carrier: Carrier,
        label: &'static str,
        client: SocketAddr,
        server: SocketAddr,
    ) -> Option<Recorder> {
        let store = self.store.as_ref()?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let recording = Arc::new(Mutex::new(Recording {
            carrier,
            client,
            server,
            opened_at_us: now_us(),
            label,
            events: Vec::new(),
            held: 0,
            full: false,
            dropped: false,
        }));
        let mut kept = lock(&store.kept);
        while kept.sessions.len() >= store.config.max_sessions && kept.drop_oldest(None) {}
        kept.sessions.push_back((id.clone(), Arc::clone(&recording)));
        drop(kept);
        Some(Recorder { id, recording, store: Arc::clone(store) })
    }

    /// The capture file of session `id` and its file name, if it is still kept.
    fn pcap(&self, id: &str) -> Option<(Vec<u8>, String)> {
        let store = self.store.as_ref()?;
        let session =
            lock(&store.kept).sessions.iter().find(|(kept, _)| kept == id).map(|(_, session)| Arc::clone(session))?;
        let recording = lock(&session);
        let name = format!("wirelab-{}-{}.pcap", recording.label, &id[..8.min(id.len())]);
        Some((recording.pcap(), name))
    }
}

/// Records one session. Dropping it ends nothing: the session's end is recorded as it happens.
#[derive(Clone)]
pub(crate) struct Recorder {
    id: String,
    recording: Shared,
    store: Arc<Store>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Recorder {
    /// The id the app downloads the capture by.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// Bytes `from` one side, now.
    pub(crate) fn data(&self, from: Side, bytes: Bytes) {
        if !bytes.is_empty() {
            self.add(What::Data(from, bytes));
        }
    }

    /// [`data`](Self::data), copying `bytes`.
    pub(crate) fn data_copied(&self, from: Side, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.add(What::Data(from, Bytes::copy_from_slice(bytes)));
        }
    }

    /// That side sent FIN.
    pub(crate) fn fin(&self, from: Side) {
        self.add(What::Fin(from));
    }

    /// That side reset the connection.
    pub(crate) fn reset(&self, from: Side) {
        self.add(What::Reset(from));
    }

    fn add(&self, what: What) {
        let cost = EVENT_OVERHEAD_BYTES + if let What::Data(_, bytes) = &what { bytes.len() } else { 0 };
        let config = self.store.config;
        {
            let mut recording = lock(&self.recording);
            if recording.dropped || recording.full {
                return;
            }
            if recording.held + cost > config.max_session_bytes {
                recording.full = true;
                return;
            }
            recording.held += cost;
            recording.events.push(Event { at_us: now_us(), what });
        }
        let mut kept = lock(&self.store.kept);
        kept.held += cost;
        while kept.held > config.max_total_bytes && kept.drop_oldest(Some(&self.recording)) {}
    }
}

/// Microseconds since the Unix epoch.
fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
}

/// Where a `/ws/inspect` session's server end is written: port 80, at the client's loopback
/// address when the client is on loopback, else at a documentation address (see the module doc).
pub(crate) fn inspect_server_address(client: SocketAddr) -> SocketAddr {
    let ip = match client.ip() {
        ip if ip.is_loopback() => ip,
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    };
    SocketAddr::new(ip, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn captures(max_sessions: usize, max_session_bytes: usize, max_total_bytes: usize) -> Captures {
        Captures::new(CaptureConfig { max_sessions, max_session_bytes, max_total_bytes })
    }

    fn start(captures: &Captures) -> Recorder {
        captures.start(Carrier::Tcp, "test", address("127.0.0.1:5000"), address("127.0.0.1:80")).unwrap()
    }

    fn kept(captures: &Captures, recorders: &[&Recorder]) -> Vec<bool> {
        recorders.iter().map(|recorder| captures.pcap(recorder.id()).is_some()).collect()
    }

    #[test]
    fn off_records_nothing() {
        assert!(
            captures(0, 100, 100).start(Carrier::Tcp, "x", address("127.0.0.1:1"), address("127.0.0.1:2")).is_none()
        );
    }

    #[test]
    fn the_oldest_session_is_dropped_past_the_session_cap() {
        let captures = captures(2, 1 << 20, 1 << 20);
        let (a, b, c) = (start(&captures), start(&captures), start(&captures));
        assert_eq!(kept(&captures, &[&a, &b, &c]), [false, true, true]);
        assert_ne!(b.id(), c.id());
        assert_eq!(b.id().len(), 32, "122 random bits as hex");
    }

    #[test]
    fn a_session_stops_at_its_cap_and_the_oldest_go_for_the_total() {
        let event = EVENT_OVERHEAD_BYTES + 100;
        let captures = captures(10, 2 * event, 3 * event);
        let a = start(&captures);
        a.data_copied(Side::Client, &[1; 100]);
        a.data_copied(Side::Server, &[2; 100]);
        a.data_copied(Side::Client, &[3; 100]);
        assert_eq!(lock(&a.recording).events.len(), 2, "the third write is past the session's cap");
        let b = start(&captures);
        b.data_copied(Side::Client, &[4; 100]);
        assert_eq!(kept(&captures, &[&a, &b]), [true, true], "3 events fit the total");
        b.data_copied(Side::Client, &[5; 100]);
        assert_eq!(kept(&captures, &[&a, &b]), [false, true], "the fourth drops the oldest session");
        assert_eq!(lock(&captures.store.as_ref().unwrap().kept).held, 2 * event);
        a.data_copied(Side::Client, &[6; 100]);
        assert_eq!(lock(&captures.store.as_ref().unwrap().kept).held, 2 * event, "a dropped session records nothing");
    }

    #[test]
    fn inspect_sessions_are_written_on_port_80() {
        let cases = [
            ("127.0.0.1:40000", "127.0.0.1:80"),
            ("[::1]:40000", "[::1]:80"),
            ("10.1.2.3:40000", "192.0.2.1:80"),
            ("[2001:db8::9]:40000", "[2001:db8::1]:80"),
        ];
        for (client, server) in cases {
            assert_eq!(inspect_server_address(address(client)), address(server), "{client}");
        }
    }
}
