//! What the server's TCP/UDP bridge (`/ws/tcp`, `/ws/udp`) says in its WebSocket text frames,
//! and the small commands a client may send it the same way. Shared by the server, which writes
//! these events, and the Sockets lab, which reads them and puts them in the transcript in words.
//!
//! Every event is one JSON object tagged by `"event"`, with `at_ms`: milliseconds since the
//! bridge started (the upgrade request was accepted), to the microsecond. The order on one
//! bridge is: `connected` (or `connect_failed` / `timeout` with `"phase":"connect"`), then any of
//! `data`, `peer_fin`, `fin_sent`, `port_unreachable`, `bad_command`, `timeout`, `reset`, and
//! last one `closed`, after which the server closes the WebSocket (1000, or 1001 when it is
//! shutting down). `data` carries running totals: it is sent when they changed, at most every
//! [`DATA_EVENT_INTERVAL_MS`], and once more before `closed` if they changed since.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The shortest time between two `data` events on one bridge.
pub const DATA_EVENT_INTERVAL_MS: u64 = 250;

/// TCP (a byte stream) or UDP (datagrams).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Tcp,
    Udp,
}

impl Transport {
    /// `tcp` or `udp`, as in `/ws/tcp` and in the peers list.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a connection attempt failed, as the operating system said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectFailure {
    /// Nothing listens there: the peer's host answered with a reset (TCP) or ICMP port unreachable.
    Refused,
    /// No route to the host or its network.
    Unreachable,
    /// Anything else; `error` says what.
    Other,
}

/// Which wait ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutPhase {
    /// The peer did not accept the connection in time.
    Connect,
    /// Nothing went either way for the bridge's idle time.
    Idle,
}

/// Why the bridge ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// Both directions are closed: the peer sent FIN and the client asked for `shutdown_write`.
    Finished,
    /// The WebSocket client closed (the event is then only in the server's log).
    ClientClosed,
    /// The peer reset the connection.
    Reset,
    /// The bridge carried as many bytes as it may (`--bridge-max-bytes`).
    ByteLimit,
    /// Nothing happened for the idle time (`--bridge-idle-timeout`).
    IdleTimeout,
    /// The peer did not accept in time (`--bridge-connect-timeout`).
    ConnectTimeout,
    /// The connection attempt failed.
    ConnectFailed,
    /// The server is shutting down.
    Shutdown,
    /// Any other socket error; `detail` says what.
    Error,
}

/// One text frame from the bridge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BridgeEvent {
    /// The socket to the peer is open (for UDP: connected, so only the peer's datagrams come back).
    Connected {
        at_ms: f64,
        transport: Transport,
        /// The server's end, `ip:port`.
        local: String,
        /// The peer's end, `ip:port`: the exact address that was checked against the allowlist.
        remote: String,
        connect_ms: f64,
        /// The id of the server's recording of this connection (`GET /api/captures/{id}.pcap`);
        /// absent when the server keeps no captures (and in events from servers before them).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capture: Option<String>,
    },
    /// Running totals, both ways. Datagram counts only on UDP bridges.
    Data {
        at_ms: f64,
        to_peer_bytes: u64,
        from_peer_bytes: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to_peer_datagrams: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_peer_datagrams: Option<u64>,
    },
    /// The peer closed its sending side (TCP FIN): no more bytes will come; the client may still send.
    PeerFin { at_ms: f64 },
    /// The bridge sent FIN to the peer, as the client asked with `shutdown_write`.
    FinSent { at_ms: f64 },
    /// The peer reset the connection (TCP RST), with the OS error in words.
    Reset { at_ms: f64, error: String },
    /// A UDP datagram was answered with ICMP port unreachable; the bridge stays open.
    PortUnreachable { at_ms: f64, error: String },
    /// A wait ran out after `limit_ms`.
    Timeout { at_ms: f64, phase: TimeoutPhase, limit_ms: u64 },
    /// The connection attempt failed, with the OS error in words.
    ConnectFailed { at_ms: f64, reason: ConnectFailure, error: String },
    /// A text frame from the client that is not a command the bridge knows; nothing was done.
    BadCommand { at_ms: f64, error: String },
    /// The bridge's last event: why it ends, in a code and in words.
    Closed { at_ms: f64, reason: CloseReason, detail: String },
}

/// A text frame from the client: `{"command":"shutdown_write"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum BridgeCommand {
    /// Send FIN to the peer (TCP `shutdown(SHUT_WR)`); the peer's bytes keep coming.
    ShutdownWrite,
}

/// Milliseconds to the microsecond, from a duration: what `at_ms` and `connect_ms` carry.
pub fn millis(duration: std::time::Duration) -> f64 {
    duration.as_micros() as f64 / 1000.0
}

impl BridgeEvent {
    /// When the event happened, in milliseconds since the bridge started.
    pub fn at_ms(&self) -> f64 {
        match self {
            BridgeEvent::Connected { at_ms, .. }
            | BridgeEvent::Data { at_ms, .. }
            | BridgeEvent::PeerFin { at_ms }
            | BridgeEvent::FinSent { at_ms }
            | BridgeEvent::Reset { at_ms, .. }
            | BridgeEvent::PortUnreachable { at_ms, .. }
            | BridgeEvent::Timeout { at_ms, .. }
            | BridgeEvent::ConnectFailed { at_ms, .. }
            | BridgeEvent::BadCommand { at_ms, .. }
            | BridgeEvent::Closed { at_ms, .. } => *at_ms,
        }
    }

    /// The event as one JSON text frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|error| format!(r#"{{"event":"unwritable","error":"{error}"}}"#))
    }

    /// The event in words, for a transcript line.
    pub fn in_words(&self) -> String {
        match self {
            BridgeEvent::Connected { transport, local, remote, connect_ms, .. } => {
                format!("{transport} connected in {connect_ms} ms: {local} → {remote}")
            }
            BridgeEvent::Data { to_peer_bytes, from_peer_bytes, to_peer_datagrams, from_peer_datagrams, .. } => {
                match (to_peer_datagrams, from_peer_datagrams) {
                    (Some(sent), Some(received)) => format!(
                        "{to_peer_bytes} bytes in {sent} datagrams sent, {from_peer_bytes} bytes in {received} datagrams received"
                    ),
                    _ => format!("{to_peer_bytes} bytes sent, {from_peer_bytes} bytes received"),
                }
            }
            BridgeEvent::PeerFin { .. } => "the peer closed its side (FIN): no more bytes will come".into(),
            BridgeEvent::FinSent { .. } => "FIN sent: the peer will read no more from us".into(),
            BridgeEvent::Reset { error, .. } => format!("the peer reset the connection (RST): {error}"),
            BridgeEvent::PortUnreachable { error, .. } => {
                format!("nothing listens on the peer's port (ICMP port unreachable): {error}")
            }
            BridgeEvent::Timeout { phase: TimeoutPhase::Connect, limit_ms, .. } => {
                format!("timed out: no answer to the connection attempt in {limit_ms} ms")
            }
            BridgeEvent::Timeout { phase: TimeoutPhase::Idle, limit_ms, .. } => {
                format!("timed out: nothing sent or received for {limit_ms} ms")
            }
            BridgeEvent::ConnectFailed { reason, error, .. } => match reason {
                ConnectFailure::Refused => format!("connection refused: nothing listens there ({error})"),
                ConnectFailure::Unreachable => format!("unreachable: no route to the peer ({error})"),
                ConnectFailure::Other => format!("could not connect: {error}"),
            },
            BridgeEvent::BadCommand { error, .. } => format!("command not understood: {error}"),
            BridgeEvent::Closed { detail, .. } => format!("bridge closed: {detail}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each event with its JSON text, exactly as the server writes it.
    fn event_table() -> Vec<(BridgeEvent, &'static str)> {
        vec![
            (
                BridgeEvent::Connected {
                    at_ms: 1.25,
                    transport: Transport::Tcp,
                    local: "127.0.0.1:50312".into(),
                    remote: "127.0.0.1:7007".into(),
                    connect_ms: 0.412,
                    capture: None,
                },
                r#"{"event":"connected","at_ms":1.25,"transport":"tcp","local":"127.0.0.1:50312","remote":"127.0.0.1:7007","connect_ms":0.412}"#,
            ),
            (
                BridgeEvent::Connected {
                    at_ms: 1.25,
                    transport: Transport::Tcp,
                    local: "127.0.0.1:50312".into(),
                    remote: "127.0.0.1:7007".into(),
                    connect_ms: 0.412,
                    capture: Some("0f3a".into()),
                },
                r#"{"event":"connected","at_ms":1.25,"transport":"tcp","local":"127.0.0.1:50312","remote":"127.0.0.1:7007","connect_ms":0.412,"capture":"0f3a"}"#,
            ),
            (
                BridgeEvent::Data {
                    at_ms: 250.0,
                    to_peer_bytes: 12,
                    from_peer_bytes: 12,
                    to_peer_datagrams: None,
                    from_peer_datagrams: None,
                },
                r#"{"event":"data","at_ms":250.0,"to_peer_bytes":12,"from_peer_bytes":12}"#,
            ),
            (
                BridgeEvent::Data {
                    at_ms: 3.5,
                    to_peer_bytes: 15,
                    from_peer_bytes: 10,
                    to_peer_datagrams: Some(3),
                    from_peer_datagrams: Some(2),
                },
                r#"{"event":"data","at_ms":3.5,"to_peer_bytes":15,"from_peer_bytes":10,"to_peer_datagrams":3,"from_peer_datagrams":2}"#,
            ),
            (BridgeEvent::PeerFin { at_ms: 40.125 }, r#"{"event":"peer_fin","at_ms":40.125}"#),
            (BridgeEvent::FinSent { at_ms: 39.0 }, r#"{"event":"fin_sent","at_ms":39.0}"#),
            (
                BridgeEvent::Reset { at_ms: 7.0, error: "Connection reset by peer (os error 104)".into() },
                r#"{"event":"reset","at_ms":7.0,"error":"Connection reset by peer (os error 104)"}"#,
            ),
            (
                BridgeEvent::PortUnreachable { at_ms: 2.0, error: "Connection refused (os error 111)".into() },
                r#"{"event":"port_unreachable","at_ms":2.0,"error":"Connection refused (os error 111)"}"#,
            ),
            (
                BridgeEvent::Timeout { at_ms: 5000.5, phase: TimeoutPhase::Connect, limit_ms: 5000 },
                r#"{"event":"timeout","at_ms":5000.5,"phase":"connect","limit_ms":5000}"#,
            ),
            (
                BridgeEvent::Timeout { at_ms: 60001.0, phase: TimeoutPhase::Idle, limit_ms: 60000 },
                r#"{"event":"timeout","at_ms":60001.0,"phase":"idle","limit_ms":60000}"#,
            ),
            (
                BridgeEvent::ConnectFailed {
                    at_ms: 0.3,
                    reason: ConnectFailure::Refused,
                    error: "Connection refused (os error 111)".into(),
                },
                r#"{"event":"connect_failed","at_ms":0.3,"reason":"refused","error":"Connection refused (os error 111)"}"#,
            ),
            (
                BridgeEvent::ConnectFailed {
                    at_ms: 0.3,
                    reason: ConnectFailure::Unreachable,
                    error: "No route to host (os error 113)".into(),
                },
                r#"{"event":"connect_failed","at_ms":0.3,"reason":"unreachable","error":"No route to host (os error 113)"}"#,
            ),
            (
                BridgeEvent::BadCommand { at_ms: 9.0, error: "unknown variant `jump`".into() },
                r#"{"event":"bad_command","at_ms":9.0,"error":"unknown variant `jump`"}"#,
            ),
            (
                BridgeEvent::Closed {
                    at_ms: 12.0,
                    reason: CloseReason::ByteLimit,
                    detail: "the bridge carried its 1048576 bytes (--bridge-max-bytes)".into(),
                },
                r#"{"event":"closed","at_ms":12.0,"reason":"byte_limit","detail":"the bridge carried its 1048576 bytes (--bridge-max-bytes)"}"#,
            ),
            (
                BridgeEvent::Closed {
                    at_ms: 1.0,
                    reason: CloseReason::Shutdown,
                    detail: "the server is shutting down".into(),
                },
                r#"{"event":"closed","at_ms":1.0,"reason":"shutdown","detail":"the server is shutting down"}"#,
            ),
        ]
    }

    #[test]
    fn events_are_written_as_their_json() {
        for (event, json) in event_table() {
            assert_eq!(event.to_json(), json, "{event:?}");
        }
    }

    #[test]
    fn events_are_read_back_from_their_json() {
        for (event, json) in event_table() {
            let read: BridgeEvent = serde_json::from_str(json).unwrap_or_else(|error| panic!("{json}: {error}"));
            assert_eq!(read, event, "{json}");
            assert_eq!(read.at_ms(), event.at_ms(), "{json}");
        }
    }

    #[test]
    fn every_close_reason_has_its_snake_case_name() {
        let reasons = [
            (CloseReason::Finished, "finished"),
            (CloseReason::ClientClosed, "client_closed"),
            (CloseReason::Reset, "reset"),
            (CloseReason::ByteLimit, "byte_limit"),
            (CloseReason::IdleTimeout, "idle_timeout"),
            (CloseReason::ConnectTimeout, "connect_timeout"),
            (CloseReason::ConnectFailed, "connect_failed"),
            (CloseReason::Shutdown, "shutdown"),
            (CloseReason::Error, "error"),
        ];
        for (reason, name) in reasons {
            assert_eq!(serde_json::to_value(reason).ok(), Some(serde_json::Value::from(name)), "{reason:?}");
        }
    }

    #[test]
    fn commands_read_from_client_text() {
        let cases: [(&str, Option<BridgeCommand>); 4] = [
            (r#"{"command":"shutdown_write"}"#, Some(BridgeCommand::ShutdownWrite)),
            (r#"{"command":"jump"}"#, None),
            (r#"{"cmd":"shutdown_write"}"#, None),
            ("shutdown_write", None),
        ];
        for (text, expected) in cases {
            assert_eq!(serde_json::from_str::<BridgeCommand>(text).ok(), expected, "{text}");
        }
    }

    #[test]
    fn events_read_in_words() {
        let cases: Vec<(BridgeEvent, &str)> = vec![
            (
                BridgeEvent::Connected {
                    at_ms: 1.0,
                    transport: Transport::Udp,
                    local: "127.0.0.1:40000".into(),
                    remote: "127.0.0.1:7".into(),
                    connect_ms: 0.05,
                    capture: None,
                },
                "udp connected in 0.05 ms: 127.0.0.1:40000 → 127.0.0.1:7",
            ),
            (
                BridgeEvent::Data {
                    at_ms: 1.0,
                    to_peer_bytes: 5,
                    from_peer_bytes: 4,
                    to_peer_datagrams: None,
                    from_peer_datagrams: None,
                },
                "5 bytes sent, 4 bytes received",
            ),
            (
                BridgeEvent::Data {
                    at_ms: 1.0,
                    to_peer_bytes: 15,
                    from_peer_bytes: 15,
                    to_peer_datagrams: Some(3),
                    from_peer_datagrams: Some(3),
                },
                "15 bytes in 3 datagrams sent, 15 bytes in 3 datagrams received",
            ),
            (BridgeEvent::PeerFin { at_ms: 1.0 }, "the peer closed its side (FIN): no more bytes will come"),
            (
                BridgeEvent::Reset { at_ms: 1.0, error: "Connection reset by peer (os error 104)".into() },
                "the peer reset the connection (RST): Connection reset by peer (os error 104)",
            ),
            (
                BridgeEvent::Timeout { at_ms: 1.0, phase: TimeoutPhase::Idle, limit_ms: 300000 },
                "timed out: nothing sent or received for 300000 ms",
            ),
            (
                BridgeEvent::ConnectFailed {
                    at_ms: 1.0,
                    reason: ConnectFailure::Refused,
                    error: "Connection refused (os error 111)".into(),
                },
                "connection refused: nothing listens there (Connection refused (os error 111))",
            ),
            (
                BridgeEvent::Closed { at_ms: 1.0, reason: CloseReason::Finished, detail: "both sides sent FIN".into() },
                "bridge closed: both sides sent FIN",
            ),
        ];
        for (event, words) in cases {
            assert_eq!(event.in_words(), words, "{event:?}");
        }
    }

    #[test]
    fn millis_keep_microseconds() {
        let cases = [(std::time::Duration::from_micros(412), 0.412), (std::time::Duration::from_millis(5), 5.0)];
        for (duration, expected) in cases {
            assert_eq!(millis(duration), expected, "{duration:?}");
        }
    }
}
