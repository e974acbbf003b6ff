//! The raw TCP echo: every byte read is written back at once, no framing. It is the upper bound
//! for an echo over the same loopback, runtime and core, so each WebSocket figure is also given
//! as a ratio to it.

use std::io::{ErrorKind, Write};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// Read size once a connection has sent something; an idle connection holds no buffer at all.
/// As large as the 1 MiB messages, so large echoes take as few system calls as a WebSocket
/// server that reads a whole message and writes it at once (64 KiB made raw TCP the slower).
const BUFFER_BYTES: usize = 1024 * 1024;

pub async fn serve(host: &str, port: u16) -> Result<(), String> {
    let listener =
        TcpListener::bind((host, port)).await.map_err(|error| format!("cannot listen on {host}:{port}: {error}"))?;
    let address = listener.local_addr().map_err(|error| format!("no local address: {error}"))?;
    let mut stdout = std::io::stdout();
    // The xtask waits for this line to learn the port.
    writeln!(stdout, "listening on {address}").and_then(|()| stdout.flush()).map_err(|error| error.to_string())?;
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                tokio::spawn(echo(stream));
            }
            // Out of file descriptors and the like: keep serving the connections there are.
            Err(error) => {
                eprintln!("tcp-echo: accept failed: {error}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    }
}

async fn echo(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    // `readable` may wake without data (it does once for a new socket): the buffer is given back
    // until a read has returned data, so idle connections hold none.
    let mut used = false;
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        if buffer.is_empty() {
            buffer = vec![0; BUFFER_BYTES];
        }
        match stream.try_read(&mut buffer) {
            Ok(0) => return,
            Ok(read) => {
                used = true;
                if stream.write_all(&buffer[..read]).await.is_err() {
                    return;
                }
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => {
                if !used {
                    buffer = Vec::new();
                }
            }
            Err(_) => return,
        }
    }
}
