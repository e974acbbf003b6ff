//! The MQTT broker embedded in the server, for the IoT lab: plain MQTT on a loopback TCP port, MQTT
//! over WebSocket at `/mqtt` on the HTTP port(s), and simulated devices publishing to it.
//!
//! # Which broker, and why
//!
//! Two embeddable Rust brokers were read (their sources, May 2026) against what the lab needs:
//! MQTT 3.1.1 and 5 on both TCP and `/mqtt`, QoS 0/1/2, retained messages, wills, `+` and `#`,
//! and a stop on the server's [`Shutdown`].
//!
//! - **rumqttd 0.20**: one listener per protocol version (`[v4.x]` and `[v5.x]` ports), so one
//!   advertised port cannot take both versions; its WebSocket listener speaks 3.1.1 only and binds
//!   a port of its own; `Broker::start()` blocks and runs its router and listeners on threads of
//!   its own, with no way to stop them, so the server's shutdown (and every test's server) would
//!   leak them; its MQTT 5 support is documented as partial.
//! - **rmqtt 0.24** (chosen): a tokio library; one listener detects 3.1, 3.1.1 or 5.0 from the
//!   CONNECT packet; QoS 0/1/2, wills (with v5 will delay), wildcards, sessions and v5 properties
//!   in its core; tasks on our runtime, so stopping is ours to do. Its limits, and what is done
//!   about them: retained messages are stored only by a plugin (`rmqtt-retainer`, which brings a
//!   plugin system and config files), so `retained.rs` plugs in the in-memory store rmqtt ships,
//!   capped; a connection cannot be handed to it (its per-connection entry points are
//!   crate-private), so `/mqtt` pipes each WebSocket's binary messages to the broker's loopback
//!   port (`websocket.rs`); it has no stop call, so [`MqttBroker::stopped`] aborts the accept loop
//!   and kicks every session. Its busy check (refusing connections when the machine's load is
//!   high) is turned off: a lab broker on a shared machine must not refuse a test's client.
//!
//! # What runs
//!
//! [`MqttBroker::start`] binds `127.0.0.1:<--mqtt-port>` (0 takes a free port), starts rmqtt on
//! it and the devices (`devices.rs`: `--mqtt-devices` sensors at `--mqtt-device-rate` readings
//! per second each, one client connection each, with a will). `/api/info` shows it under `mqtt`
//! ([`MqttAdvert`]); `--no-mqtt` starts none of it (`mqtt` is `null`, `/mqtt` answers 404).

mod devices;
mod retained;
pub(crate) mod websocket;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use rmqtt::context::ServerContext;
use rmqtt::net::Builder;
use rmqtt::server::MqttServer;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

use crate::Shutdown;

/// The address the broker listens on: loopback only, like the built-in peers.
pub const MQTT_HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// Where the app's MQTT client connects over WebSocket.
pub const MQTT_WEBSOCKET_PATH: &str = "/mqtt";
/// The topic filter that matches every device's readings.
pub const DEVICE_TELEMETRY_FILTER: &str = "wirelab/devices/+/telemetry";
/// The default number of simulated devices.
pub const DEFAULT_MQTT_DEVICES: usize = 2;
/// The default readings per second of each device.
pub const DEFAULT_MQTT_DEVICE_RATE_HZ: f64 = 1.0;
/// The most simulated devices `--mqtt-devices` may ask for.
pub const MAX_MQTT_DEVICES: usize = 100;
/// The fastest `--mqtt-device-rate`, readings per second per device.
pub const MAX_MQTT_DEVICE_RATE_HZ: f64 = 100.0;
/// The default cap on MQTT connections at once (TCP and `/mqtt` together).
pub const DEFAULT_MQTT_MAX_CONNECTIONS: usize = 1000;
/// The largest MQTT packet the broker takes: 1 MiB.
pub const MQTT_MAX_PACKET_BYTES: u32 = 1024 * 1024;
/// QoS 1 and 2 messages in flight to one client (unacknowledged), and (MQTT 5) the receive
/// maximum announced to clients. rmqtt acknowledges a publisher's QoS 1 message as soon as it is
/// routed, without waiting for subscribers to make room (it has no flow control towards the
/// publisher), so a subscriber's window must keep up with a flooding publisher: at mosquitto's 20
/// (and 100), one subscriber of a QoS 1 flood got 37-60% of the messages (the rest overflowed
/// [`MQTT_MAX_QUEUED`] and were dropped); at 200 and 1,000, all of them and faster
/// (`cargo xtask bench-iot`). Bounded: at most this many plus [`MQTT_MAX_QUEUED`] per client.
const MQTT_MAX_INFLIGHT: std::num::NonZeroU16 = std::num::NonZeroU16::new(1000).expect("1000 is not zero");
/// Messages queued for one client behind its in-flight window (mosquitto's default, 1,000);
/// past it, QoS 1 and 2 drop the oldest queued message and QoS 0 the newest.
const MQTT_MAX_QUEUED: usize = 1000;
/// How long a message without an expiry of its own lives in the broker, retained ones included.
/// rmqtt's default is 5 minutes, which made the devices' retained `status` vanish from a server
/// up longer than that (mosquitto keeps such messages until replaced); a year is "until replaced"
/// for a lab server. Queues stay bounded by [`MQTT_MAX_QUEUED`] and retained topics by the cap.
const MQTT_DEFAULT_MESSAGE_EXPIRY: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// rmqtt's name for the one listener (it keys listener settings by id, not by port).
const BROKER_LISTENER_ID: u16 = 1;
/// The most retained messages kept; a new retained topic past it is not kept (and logged).
pub const MQTT_MAX_RETAINED: usize = 10_000;

/// What the broker needs to know: whether to start, its port, its devices and limits.
#[derive(Clone, Debug, PartialEq)]
pub struct MqttConfig {
    /// Start the broker at all (`--no-mqtt` turns it off).
    pub enabled: bool,
    /// Its TCP port on loopback; 0 takes a free port.
    pub port: u16,
    /// Simulated devices publishing readings (0: none).
    pub devices: usize,
    /// Readings per second of each device.
    pub device_rate_hz: f64,
    /// MQTT connections at once; one more is refused by the broker.
    pub max_connections: usize,
}

impl Default for MqttConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            port: 0,
            devices: DEFAULT_MQTT_DEVICES,
            device_rate_hz: DEFAULT_MQTT_DEVICE_RATE_HZ,
            max_connections: DEFAULT_MQTT_MAX_CONNECTIONS,
        }
    }
}

/// `/api/info`'s `mqtt`: where the lab's clients find the broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MqttAdvert {
    pub host: String,
    pub port: u16,
    pub websocket_path: &'static str,
    /// The protocol versions it speaks, on both the port and the WebSocket.
    pub versions: [&'static str; 2],
    /// The filter matching the simulated devices' readings.
    pub device_topic: &'static str,
}

/// The running broker, its accept loop and its devices.
pub struct MqttBroker {
    address: SocketAddr,
    context: ServerContext,
    accepting: JoinHandle<()>,
    devices: devices::Devices,
}

impl MqttBroker {
    /// Binds the broker's port and starts it and its devices, unless `config` turns it off.
    ///
    /// Fails (naming the port) if the port is taken.
    pub async fn start(config: &MqttConfig, shutdown: &Shutdown) -> io::Result<Option<MqttBroker>> {
        if !config.enabled {
            tracing::info!("the MQTT broker is off (--no-mqtt)");
            return Ok(None);
        }
        let context = ServerContext::new().busy_check_enable(false).build().await;
        *context.extends.retain_mut().await = Box::new(retained::CappedRetained::new(MQTT_MAX_RETAINED));
        let requested = SocketAddr::from((MQTT_HOST, config.port));
        let listener = Builder::new()
            .name("mqtt")
            .laddr(requested)
            .nodelay(true)
            .max_connections(config.max_connections)
            .max_packet_size(MQTT_MAX_PACKET_BYTES)
            .max_inflight(MQTT_MAX_INFLIGHT)
            .max_mqueue_len(MQTT_MAX_QUEUED)
            .message_expiry_interval(MQTT_DEFAULT_MESSAGE_EXPIRY)
            .bind()
            .and_then(|listener| listener.tcp())
            .map_err(|error| io::Error::other(format!("MQTT broker: cannot listen on {requested}: {error}")))?;
        let address = listener.local_addr().map_err(io::Error::other)?;
        let server = MqttServer::new(context.clone()).listener_by_id(listener, BROKER_LISTENER_ID).build();
        let accepting = tokio::spawn(async move {
            if let Err(error) = server.run().await {
                tracing::error!(%error, "the MQTT broker stopped");
            }
        });
        tracing::info!(%address, versions = "3.1, 3.1.1, 5.0", "MQTT broker listening");
        let devices = devices::Devices::start(address, config, shutdown);
        Ok(Some(MqttBroker { address, context, accepting, devices }))
    }

    /// Where the broker listens (on loopback).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// What `/api/info` says about it.
    pub fn advert(&self) -> MqttAdvert {
        MqttAdvert {
            host: self.address.ip().to_string(),
            port: self.address.port(),
            websocket_path: MQTT_WEBSOCKET_PATH,
            versions: ["3.1.1", "5"],
            device_topic: DEVICE_TELEMETRY_FILTER,
        }
    }

    /// After the shutdown trigger: the devices say `offline` and disconnect, the port closes and
    /// every remaining client is disconnected, by `deadline`. Whether all of it finished in time.
    pub async fn stopped(&self, deadline: Instant) -> bool {
        let devices_gone = self.devices.stopped(deadline).await;
        self.accepting.abort();
        let kicked = timeout_at(deadline, self.disconnect_everyone()).await.is_ok();
        devices_gone && kicked
    }

    /// Ends every session the broker holds (the clients' connections close).
    async fn disconnect_everyone(&self) {
        let shared = self.context.extends.shared().await;
        let ids: Vec<_> = shared.iter().map(|entry| entry.id()).collect();
        for id in ids {
            let client = id.client_id.clone();
            if let Err(error) = shared.entry(id).kick(true, true, true).await {
                tracing::debug!(%client, %error, "MQTT client already gone at shutdown");
            }
        }
        // A moment for the kicked connections' tasks to write and close their sockets.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
