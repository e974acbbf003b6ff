//! The bridge's socket to its peer, TCP or UDP, behind one small interface: connect (with the
//! connect timeout), read the next chunk or datagram, write one, send FIN. The relay in
//! `relay.rs` reads and writes at the same time through the two halves.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::net::{TcpStream, UdpSocket};
use wire::bridge_event::{ConnectFailure, Transport};

/// An open socket to the peer.
pub(crate) enum PeerSocket {
    Tcp(TcpStream),
    /// Connected: it sends only to the peer and receives only the peer's datagrams.
    Udp(UdpSocket),
}

/// Why the socket could not be opened.
pub(crate) enum ConnectError {
    TimedOut,
    Failed(ConnectFailure, io::Error),
}

/// What one read from the peer gave.
pub(crate) enum Incoming {
    /// This many bytes: a TCP chunk, or one whole UDP datagram (possibly empty).
    Bytes(usize),
    /// TCP's FIN: the peer sends nothing more.
    Fin,
}

impl PeerSocket {
    /// Opens a socket to `address`; a TCP connection that is not accepted within `limit` fails.
    pub(crate) async fn connect(
        transport: Transport,
        address: SocketAddr,
        limit: Duration,
    ) -> Result<PeerSocket, ConnectError> {
        let opened = match transport {
            Transport::Tcp => match tokio::time::timeout(limit, TcpStream::connect(address)).await {
                Err(_) => return Err(ConnectError::TimedOut),
                Ok(connected) => connected.and_then(|stream| {
                    // Chunks go out as they come from the client, as the client would send them.
                    stream.set_nodelay(true)?;
                    Ok(PeerSocket::Tcp(stream))
                }),
            },
            Transport::Udp => {
                let any: SocketAddr = match address {
                    SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
                    SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
                };
                match UdpSocket::bind(any).await {
                    Ok(socket) => socket.connect(address).await.map(|()| PeerSocket::Udp(socket)),
                    Err(error) => Err(error),
                }
            }
        };
        opened.map_err(|error| ConnectError::Failed(failure(&error), error))
    }

    /// The server's end and the peer's end of the socket.
    pub(crate) fn addresses(&self) -> io::Result<(SocketAddr, SocketAddr)> {
        match self {
            PeerSocket::Tcp(stream) => Ok((stream.local_addr()?, stream.peer_addr()?)),
            PeerSocket::Udp(socket) => Ok((socket.local_addr()?, socket.peer_addr()?)),
        }
    }

    /// The reading and the writing half, usable at the same time.
    pub(crate) fn halves(&mut self) -> (PeerReader<'_>, PeerWriter<'_>) {
        match self {
            PeerSocket::Tcp(stream) => {
                let (read, write) = stream.split();
                (PeerReader::Tcp(read), PeerWriter::Tcp(write))
            }
            PeerSocket::Udp(socket) => (PeerReader::Udp(socket), PeerWriter::Udp(socket)),
        }
    }
}

/// How a failed connection reads in the `connect_failed` event.
fn failure(error: &io::Error) -> ConnectFailure {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => ConnectFailure::Refused,
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => ConnectFailure::Unreachable,
        _ => ConnectFailure::Other,
    }
}

/// Whether a socket error is the peer resetting the connection (or, on a write, having closed it).
pub(crate) fn is_reset(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe
    )
}

/// Whether a UDP error is an ICMP port unreachable reported on the connected socket.
pub(crate) fn is_port_unreachable(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::ConnectionRefused
}

pub(crate) enum PeerReader<'a> {
    Tcp(ReadHalf<'a>),
    Udp(&'a UdpSocket),
}

impl PeerReader<'_> {
    /// The next chunk (TCP) or datagram (UDP) into `buffer`. Cancel-safe.
    pub(crate) async fn next(&mut self, buffer: &mut [u8]) -> io::Result<Incoming> {
        match self {
            PeerReader::Tcp(read) => match read.read(buffer).await? {
                0 => Ok(Incoming::Fin),
                count => Ok(Incoming::Bytes(count)),
            },
            PeerReader::Udp(socket) => socket.recv(buffer).await.map(Incoming::Bytes),
        }
    }
}

pub(crate) enum PeerWriter<'a> {
    Tcp(WriteHalf<'a>),
    Udp(&'a UdpSocket),
}

impl PeerWriter<'_> {
    /// Writes `bytes`: all of them (TCP), or as one datagram (UDP).
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            PeerWriter::Tcp(write) => write.write_all(bytes).await,
            PeerWriter::Udp(socket) => match socket.send(bytes).await? {
                sent if sent == bytes.len() => Ok(()),
                sent => Err(io::Error::other(format!("only {sent} of the datagram's {} bytes went out", bytes.len()))),
            },
        }
    }

    /// Sends FIN (TCP `shutdown(SHUT_WR)`); `None` over UDP, which has no such thing.
    pub(crate) async fn shutdown(&mut self) -> Option<io::Result<()>> {
        match self {
            PeerWriter::Tcp(write) => Some(write.shutdown().await),
            PeerWriter::Udp(_) => None,
        }
    }
}
