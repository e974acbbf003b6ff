//! `GET /mqtt`: MQTT over WebSocket (MQTT 5.0 section 6, the same for 3.1.1), for the IoT lab's
//! client in the browser and any other MQTT-over-WebSocket client (paho's `transport="websockets"`).
//!
//! Before the upgrade: the guard of every WebSocket route (`websocket/guard.rs`: Origin allowlist
//! 403, connection cap 503), then the subprotocol: the client must offer `mqtt` (400 otherwise),
//! and the 101 selects it (`Sec-WebSocket-Protocol: mqtt`), then the handshake's own checks
//! (`websocket/handshake.rs`). No permessage-deflate.
//!
//! Once upgraded, the connection is piped to the broker's loopback port (rmqtt takes connections
//! only from its own listeners; see `mqtt/mod.rs`): each binary message from the client is written
//! to the broker as it is (an MQTT packet may span messages, or a message carry several), and each
//! read from the broker (at most [`CHUNK_BYTES`]) goes back as one binary message, the next read
//! waiting until it is written, so a client that does not read holds back the broker, not the
//! server's memory. The broker sees one TCP client per WebSocket; its own keep-alive, will and
//! session rules apply unchanged.
//!
//! The ending: the client's close (or lost connection) closes the broker side, which publishes the
//! will unless the client sent DISCONNECT; the broker closing its side gets a 1000 close; a text
//! message breaks the protocol (section 6: only binary frames) and gets 1003; the server's
//! shutdown gets 1001. The connection counts as a WebSocket for the shutdown's wait.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::time::timeout;
use tokio_util::task::task_tracker::TaskTrackerToken;
use yawc::close::CloseCode;
use yawc::{Frame, OpCode, Options, Role, WebSocket};

use super::MQTT_WEBSOCKET_PATH;
use crate::error::ApiError;
use crate::metrics::{Metered, WebSocketEndpoint, WebSocketMetrics};
use crate::websocket::{client_address, guard, handshake};
use crate::{Config, Shutdown};

/// The WebSocket subprotocol of MQTT (MQTT 5.0 section 6, and 3.1.1 section 6).
pub const MQTT_SUBPROTOCOL: &str = "mqtt";
/// The largest read from the broker, sent as one binary message.
const CHUNK_BYTES: usize = 64 * 1024;

type Socket = Metered<WebSocket<TokioIo<Upgraded>>>;
type Sink = SplitSink<Socket, Frame>;
type Stream = SplitStream<Socket>;

/// What every `/mqtt` connection shares.
#[derive(Clone)]
struct Route {
    /// The broker's loopback address; `None` when it is off.
    broker: Option<SocketAddr>,
    shutdown: Shutdown,
    max_message_bytes: usize,
    close_timeout: Duration,
    metrics: WebSocketMetrics,
}

/// `/mqtt`, behind the guard of every WebSocket route.
pub(crate) fn router(config: &Config, shutdown: Shutdown, broker: Option<SocketAddr>) -> Router {
    let admission = guard::Guard::new(config, &shutdown);
    let route = Route {
        broker,
        shutdown,
        max_message_bytes: config.max_message_bytes,
        close_timeout: config.close_timeout,
        metrics: config.metrics.websocket(WebSocketEndpoint::Mqtt).clone(),
    };
    Router::new()
        .route(MQTT_WEBSOCKET_PATH, any(open))
        .with_state(route)
        .layer(axum::middleware::from_fn_with_state(admission, guard::check_upgrade))
}

/// Checks the upgrade and runs the pipe in a task of its own once upgraded.
async fn open(State(route): State<Route>, mut request: Request) -> Response {
    let Some(broker) = route.broker else {
        return ApiError::not_found("the MQTT broker is off on this server (--no-mqtt)").into_response();
    };
    if !handshake::offered_subprotocols(request.headers()).contains(&MQTT_SUBPROTOCOL) {
        return ApiError::bad_request(
            "MQTT over WebSocket needs the subprotocol mqtt: send Sec-WebSocket-Protocol: mqtt",
        )
        .into_response();
    }
    // The handshake selects the first subprotocol offered; `mqtt` is the one this route speaks.
    request.headers_mut().insert(header::SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(MQTT_SUBPROTOCOL));
    let (response, upgrade) = match handshake::accept_plain(&mut request) {
        Ok(accepted) => accepted,
        Err(refusal) => return refusal.into_response(),
    };
    let pipe = Pipe {
        client: client_address(&request),
        broker,
        upgrade,
        // Counted from the handshake on, so the shutdown also waits for pipes still upgrading.
        _tracked: route.shutdown.track(),
        route,
    };
    tokio::spawn(pipe.run());
    response
}

/// One `/mqtt` connection's task.
struct Pipe {
    client: String,
    broker: SocketAddr,
    upgrade: OnUpgrade,
    route: Route,
    _tracked: TaskTrackerToken,
}

/// Why the pipe stopped.
enum Ending {
    ClientClosed,
    BrokerClosed,
    NotBinary,
    Shutdown,
    Failed(String),
}

impl Pipe {
    async fn run(mut self) {
        let io = match (&mut self.upgrade).await {
            Ok(io) => TokioIo::new(io),
            Err(error) => {
                tracing::debug!(client = self.client, %error, "MQTT upgrade failed");
                return;
            }
        };
        let limit = self.route.max_message_bytes.saturating_add(1);
        let options = Options::default().with_max_payload_read(limit).with_max_read_buffer(limit);
        let socket = match WebSocket::from_stream(io, Role::Server, options) {
            Ok(socket) => socket,
            Err(error) => {
                tracing::warn!(client = self.client, %error, "cannot set up a WebSocket");
                return;
            }
        };
        let (mut sink, mut stream) = Metered::new(socket, &self.route.metrics).split();
        let mut broker = match TcpStream::connect(self.broker).await {
            Ok(broker) => broker,
            Err(error) => {
                let ending = Ending::Failed(format!("the broker is not reachable: {error}"));
                self.close(&mut sink, &mut stream, ending).await;
                return;
            }
        };
        // MQTT packets are small and each is waited for: no Nagle delay on the loopback hop.
        let _ = broker.set_nodelay(true);
        tracing::debug!(client = self.client, "MQTT over WebSocket opened");
        let cancelled = self.route.shutdown.signal();
        let (from_broker, to_broker) = broker.split();
        let ending = tokio::select! {
            ending = client_to_broker(&mut stream, to_broker) => ending,
            ending = broker_to_client(&mut sink, from_broker) => ending,
            () = cancelled => Ending::Shutdown,
        };
        drop(broker);
        self.close(&mut sink, &mut stream, ending).await;
    }

    /// Ends the WebSocket for `ending`, within the close timeout.
    async fn close(&self, sink: &mut Sink, stream: &mut Stream, ending: Ending) {
        let (code, reason) = match ending {
            Ending::ClientClosed => {
                // The next read writes out yawc's echo of the client's close frame, then ends.
                let _ = timeout(self.route.close_timeout, async {
                    let _ = sink.flush().await;
                    while stream.next().await.is_some() {}
                })
                .await;
                return;
            }
            Ending::BrokerClosed => (CloseCode::Normal, "the broker closed the connection".to_owned()),
            Ending::NotBinary => (CloseCode::Unsupported, "MQTT over WebSocket takes binary messages only".to_owned()),
            Ending::Shutdown => (CloseCode::Away, "the server is shutting down".to_owned()),
            Ending::Failed(error) => {
                tracing::warn!(client = self.client, %error, "MQTT over WebSocket failed");
                (CloseCode::Error, error)
            }
        };
        let closing = async {
            sink.send(Frame::close(code, reason)).await?;
            while let Some(frame) = stream.next().await {
                if frame.opcode() == OpCode::Close {
                    break;
                }
            }
            Ok::<(), yawc::WebSocketError>(())
        };
        if !matches!(timeout(self.route.close_timeout, closing).await, Ok(Ok(()))) {
            tracing::debug!(client = self.client, "the MQTT client did not answer the close in time");
        }
    }
}

/// Client → broker: each binary message's bytes, as they are.
async fn client_to_broker(stream: &mut Stream, mut broker: WriteHalf<'_>) -> Ending {
    // yawc's stream ends on a close frame, a protocol error (which it answers with a close frame
    // of its own) or a lost connection; it answers pings itself.
    while let Some(frame) = stream.next().await {
        match frame.opcode() {
            OpCode::Binary => {
                if let Err(error) = broker.write_all(frame.payload()).await {
                    return Ending::Failed(format!("writing to the broker failed: {error}"));
                }
            }
            OpCode::Text => return Ending::NotBinary,
            OpCode::Close => return Ending::ClientClosed,
            _ => {}
        }
    }
    Ending::ClientClosed
}

/// Broker → client: each read as one binary message.
async fn broker_to_client(sink: &mut Sink, mut broker: ReadHalf<'_>) -> Ending {
    let mut buffer = vec![0; CHUNK_BYTES];
    loop {
        match broker.read(&mut buffer).await {
            Ok(0) => return Ending::BrokerClosed,
            Ok(count) => {
                if sink.send(Frame::binary(Bytes::copy_from_slice(&buffer[..count]))).await.is_err() {
                    return Ending::ClientClosed;
                }
            }
            Err(error) => return Ending::Failed(format!("reading from the broker failed: {error}")),
        }
    }
}
