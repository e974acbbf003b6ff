//! The echo peer (RFC 862) against real clients: Python's `socket` over TCP and UDP, and the
//! directory in `/api/info`.

mod peers_support;
mod support;

use std::net::SocketAddr;

use peers_support::{PeersServer, python, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wirelab_server::{PeerPorts, PeersConfig};

/// Over TCP: send everything, half-close, read to the peer's FIN; the bytes must come back whole.
/// Over UDP: three datagrams, each answered as one datagram.
const PYTHON_ECHO: &str = r#"
import socket, sys
port_tcp, port_udp = int(sys.argv[1]), int(sys.argv[2])
payload = bytes(range(256)) * 1024  # 256 KiB, more than the peer's buffer
with socket.create_connection(("127.0.0.1", port_tcp), timeout=10) as tcp:
    tcp.sendall(payload)
    tcp.shutdown(socket.SHUT_WR)
    received = bytearray()
    while chunk := tcp.recv(65536):
        received += chunk
assert bytes(received) == payload, f"tcp: {len(received)} bytes back of {len(payload)}"
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
    udp.settimeout(10)
    for datagram in [b"one", b"", b"three" * 1000]:
        udp.sendto(datagram, ("127.0.0.1", port_udp))
        answer, sender = udp.recvfrom(65535)
        assert answer == datagram and sender[1] == port_udp, (answer[:20], sender)
print("echoed", len(received))
"#;

#[tokio::test]
async fn python_sockets_get_their_bytes_back_over_tcp_and_udp() {
    let server = PeersServer::start().await;
    let (tcp, udp) = (server.port("echo", "tcp"), server.port("echo", "udp"));
    assert_eq!(tcp, udp, "the echo peer uses one port number for both transports");
    let out = python(PYTHON_ECHO, &[tcp.to_string(), udp.to_string()]).await;
    assert_eq!(out.trim(), "echoed 262144");
    server.stop().await;
}

/// Name, protocol and transport of every built-in peer, in `/api/info`'s order.
const EVERY_PEER: [[&str; 3]; 5] = [
    ["echo", "echo", "tcp"],
    ["echo", "echo", "udp"],
    ["smtp", "smtp", "tcp"],
    ["pop3", "pop3", "tcp"],
    ["ftp", "ftp", "tcp"],
];

#[tokio::test]
async fn api_info_lists_every_peer_on_loopback() {
    let server = PeersServer::start().await;
    let peers = server.info["peers"].as_array().expect("a peers list").clone();
    let listed: Vec<[&str; 3]> = peers
        .iter()
        .map(|peer| {
            assert_eq!(peer["host"], "127.0.0.1", "{peer}");
            assert!(peer["port"].as_u64().is_some_and(|port| port > 0), "{peer}");
            ["name", "protocol", "transport"].map(|field| peer[field].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(listed, EVERY_PEER);
    let data_ports: Vec<&serde_json::Value> = peers.iter().map(|peer| &peer["data_ports"]).collect();
    let none = serde_json::Value::Null;
    assert_eq!(data_ports, [&none, &none, &none, &none, &serde_json::json!([49152, 65535])]);
    server.stop().await;
}

#[tokio::test]
async fn no_peers_lists_none() {
    let server = PeersServer::with_peers(PeersConfig { enabled: false, ..PeersConfig::default() }).await;
    assert_eq!(server.info["peers"], serde_json::json!([]));
    server.stop().await;
}

#[tokio::test]
async fn a_chosen_port_is_used_and_freed_at_shutdown() {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|probe| probe.local_addr()).map(|addr| addr.port());
    let port = port.expect("a free port");
    let peers = PeersConfig { ports: PeerPorts { echo: port, ..PeerPorts::default() }, ..PeersConfig::default() };
    let server = PeersServer::with_peers(peers).await;
    assert_eq!(server.port("echo", "tcp"), port);
    let peer = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = within("connect to echo", TcpStream::connect(peer)).await.expect("the echo peer accepts");
    within("write", stream.write_all(b"ping\r\n")).await.expect("write");
    let mut back = [0; 6];
    within("read", stream.read_exact(&mut back)).await.expect("read");
    assert_eq!(&back, b"ping\r\n");

    server.stop().await;
    // The open connection was ended and the port no longer accepts.
    let mut rest = Vec::new();
    let ended = within("the echo connection ends at shutdown", stream.read_to_end(&mut rest)).await;
    assert_eq!(ended.ok(), Some(0), "the peer closes the connection, without a reset and without data");
    assert!(TcpStream::connect(peer).await.is_err(), "the echo peer still accepts after shutdown");
}
