//! The echo peer (RFC 862): over TCP every byte received is sent back until the client's FIN,
//! answered with the peer's own; over UDP every datagram goes back to its sender, unchanged.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use super::{Connection, PeerContext};

/// The bytes read (and so held) at a time per TCP connection: the echo never buffers more, since
/// it writes a chunk back before it reads the next one. A client that sends without reading
/// fills its own receive window and then the peer's, and TCP holds it back.
const TCP_CHUNK: usize = 16 * 1024;
/// The largest UDP datagram (65,535 bytes less the IPv4 and UDP headers).
const MAX_DATAGRAM: usize = 65_507;

/// Why a TCP echo ended, for the log.
#[derive(Debug)]
enum End {
    /// The client sent its FIN; the peer answered with its own after the last echo.
    ClientFinished,
    Idle,
    Shutdown,
    Failed(std::io::Error),
}

/// Echoes one TCP connection until the client's FIN, silence, an error or the shutdown.
pub(super) async fn serve_tcp(mut stream: TcpStream, client: SocketAddr, connection: Connection) {
    let context = &connection.context;
    let mut echoed: u64 = 0;
    let end = echo_stream(&mut stream, context, &mut echoed).await;
    match &end {
        End::Failed(error) => tracing::debug!(peer = context.name, %client, echoed, %error, "echo connection failed"),
        end => tracing::debug!(peer = context.name, %client, echoed, ?end, "echo connection closed"),
    }
}

async fn echo_stream(stream: &mut TcpStream, context: &PeerContext, echoed: &mut u64) -> End {
    let mut chunk = vec![0; TCP_CHUNK];
    let shutdown = context.shutdown.triggered();
    tokio::pin!(shutdown);
    loop {
        let read = tokio::select! {
            () = &mut shutdown => return End::Shutdown,
            read = timeout(context.idle_timeout, stream.read(&mut chunk)) => read,
        };
        let length = match read {
            Err(_) => return End::Idle,
            Ok(Err(error)) => return End::Failed(error),
            Ok(Ok(0)) => {
                // Half-close: the client is done sending, so is the echo.
                return match stream.shutdown().await {
                    Ok(()) => End::ClientFinished,
                    Err(error) => End::Failed(error),
                };
            }
            Ok(Ok(length)) => length,
        };
        // A client that stops reading holds the write; past the idle time it is dropped.
        let written = tokio::select! {
            () = &mut shutdown => return End::Shutdown,
            written = timeout(context.idle_timeout, stream.write_all(&chunk[..length])) => written,
        };
        match written {
            Err(_) => return End::Idle,
            Ok(Err(error)) => return End::Failed(error),
            Ok(Ok(())) => *echoed += length as u64,
        }
    }
}

/// Sends every datagram back to its sender until the shutdown.
pub(super) async fn serve_udp(socket: UdpSocket, context: PeerContext) {
    let mut datagram = vec![0; MAX_DATAGRAM];
    loop {
        let received = tokio::select! {
            () = context.shutdown.triggered() => break,
            received = socket.recv_from(&mut datagram) => received,
        };
        match received {
            Ok((length, sender)) => {
                tracing::trace!(peer = context.name, %sender, length, "datagram");
                if let Err(error) = socket.send_to(&datagram[..length], sender).await {
                    tracing::debug!(peer = context.name, %sender, %error, "cannot echo a datagram");
                }
            }
            // On Linux an ICMP "port unreachable" from an earlier reply surfaces here; it is the
            // previous sender's problem, not the socket's.
            Err(error) => tracing::debug!(peer = context.name, %error, "receive failed"),
        }
    }
    tracing::debug!(peer = context.name, "stopped listening over UDP");
}
