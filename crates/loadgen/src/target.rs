//! Where the load goes: a WebSocket URL or a raw TCP address, parsed from `--target`.

use std::str::FromStr;

use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = WebSocketStream<TcpStream>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `ws://HOST:PORT/PATH`; `address` is `HOST:PORT`.
    Ws { url: String, address: String },
    /// `tcp://HOST:PORT`.
    Tcp { address: String },
}

impl FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Target, String> {
        if let Some(rest) = text.strip_prefix("ws://") {
            let address = rest.split('/').next().unwrap_or_default();
            if address.is_empty() {
                return Err(format!("{text}: no host in the URL"));
            }
            Ok(Target::Ws { url: text.to_owned(), address: address.to_owned() })
        } else if let Some(address) = text.strip_prefix("tcp://") {
            if address.is_empty() || address.contains('/') {
                return Err(format!("{text}: expected tcp://HOST:PORT"));
            }
            Ok(Target::Tcp { address: address.to_owned() })
        } else {
            Err(format!("{text}: expected ws://HOST:PORT/PATH or tcp://HOST:PORT"))
        }
    }
}

/// A TCP connection with Nagle's algorithm off (every peer server turns it off too).
pub async fn connect_tcp(address: &str) -> Result<TcpStream, String> {
    let stream = TcpStream::connect(address).await.map_err(|error| format!("cannot connect to {address}: {error}"))?;
    stream.set_nodelay(true).map_err(|error| format!("cannot set TCP_NODELAY: {error}"))?;
    Ok(stream)
}

/// A WebSocket client connection. tungstenite 0.29 has no permessage-deflate, so the client never
/// offers compression and every server echoes uncompressed.
pub async fn connect_ws(url: &str, address: &str, config: WebSocketConfig) -> Result<Ws, String> {
    let stream = connect_tcp(address).await?;
    let (ws, _response) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
        .await
        .map_err(|error| format!("WebSocket handshake with {url} failed: {error}"))?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(
            "ws://127.0.0.1:80/ws/echo".parse(),
            Ok(Target::Ws { url: "ws://127.0.0.1:80/ws/echo".into(), address: "127.0.0.1:80".into() })
        );
        assert_eq!("tcp://127.0.0.1:9".parse(), Ok(Target::Tcp { address: "127.0.0.1:9".into() }));
        for bad in ["http://x/", "ws:///echo", "tcp://", "tcp://a:1/b"] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }
}
