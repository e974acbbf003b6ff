//! The simulated devices that publish to the embedded broker, so the IoT lab's MQTT tab has live
//! traffic to subscribe to. Each device is a real MQTT 3.1.1 client (rumqttc) on its own
//! connection to the broker's loopback port, as a sensor in the field would be:
//!
//! - its will is the retained `wirelab/devices/<id>/status` = `offline` (QoS 1), so a device whose
//!   connection drops is shown offline by the broker itself;
//! - after each CONNACK it publishes the retained status `online` (QoS 1);
//! - every 1/`--mqtt-device-rate` seconds, reading `seq` from `wire::telemetry::Fleet` as JSON on
//!   `wirelab/devices/<id>/telemetry` (QoS 0, not retained), stamped with the send time;
//! - on the server's shutdown it publishes `offline` itself and sends DISCONNECT (so the broker
//!   drops the will).
//!
//! A reading that finds the client's request queue full (the broker unreachable or slow) is not
//! sent; its `seq` is skipped, so a subscriber sees the gap. rumqttc reconnects on its own.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Outgoing, Packet, QoS};
use tokio::time::{Instant, MissedTickBehavior, interval, sleep, timeout, timeout_at};
use tokio_util::task::TaskTracker;
use wire::telemetry::{self, Encoding, Fleet};

use super::MqttConfig;
use crate::Shutdown;

/// The fleet's seed: the same devices, with the same signals, on every start.
const FLEET_SEED: u64 = 13;
/// Requests a device's client may queue (readings waiting for the connection).
const REQUEST_QUEUE: usize = 64;
/// The keep-alive the devices ask for.
const KEEP_ALIVE: Duration = Duration::from_secs(30);
/// The wait before a device polls again after its connection failed (rumqttc then reconnects).
const RECONNECT_DELAY: Duration = Duration::from_secs(1);
/// How long a device's goodbye (status `offline`, its PUBACK, DISCONNECT) may take.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(1);

/// A device's retained status topic.
pub(crate) fn status_topic(device: &str) -> String {
    format!("wirelab/devices/{device}/status")
}

/// A device's readings topic.
pub(crate) fn telemetry_topic(device: &str) -> String {
    format!("wirelab/devices/{device}/telemetry")
}

/// The running devices.
pub(crate) struct Devices {
    tasks: TaskTracker,
}

impl Devices {
    /// Starts `config.devices` devices publishing to the broker at `broker`, until `shutdown`.
    pub(crate) fn start(broker: SocketAddr, config: &MqttConfig, shutdown: &Shutdown) -> Devices {
        let tasks = TaskTracker::new();
        let fleet = Arc::new(Fleet::new(config.devices, FLEET_SEED));
        let period = Duration::from_secs_f64(1.0 / config.device_rate_hz.max(f64::MIN_POSITIVE));
        for index in 0..config.devices {
            let device = Device { index, id: fleet.device_id(index), fleet: Arc::clone(&fleet), broker, period };
            tasks.spawn(device.run(shutdown.clone()));
        }
        if config.devices > 0 {
            tracing::info!(devices = config.devices, rate_hz = config.device_rate_hz, "simulated MQTT devices started");
        }
        tasks.close();
        Devices { tasks }
    }

    /// Waits (after the shutdown trigger) for every device to say goodbye; whether all did by
    /// `deadline`.
    pub(crate) async fn stopped(&self, deadline: Instant) -> bool {
        timeout_at(deadline, self.tasks.wait()).await.is_ok()
    }
}

/// One simulated device.
struct Device {
    index: usize,
    id: String,
    fleet: Arc<Fleet>,
    broker: SocketAddr,
    period: Duration,
}

impl Device {
    async fn run(self, shutdown: Shutdown) {
        let status = status_topic(&self.id);
        let telemetry = telemetry_topic(&self.id);
        let mut options =
            MqttOptions::new(format!("wirelab-{}", self.id), self.broker.ip().to_string(), self.broker.port());
        options.set_keep_alive(KEEP_ALIVE);
        options.set_last_will(LastWill::new(status.as_str(), "offline", QoS::AtLeastOnce, true));
        let (client, mut events) = AsyncClient::new(options, REQUEST_QUEUE);
        // The event loop is polled in a future of its own, never dropped while the devices run:
        // rumqttc's poll is not cancel-safe while it connects (a dropped poll connects again).
        let driving = async {
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        if let Err(error) = client.try_publish(status.as_str(), QoS::AtLeastOnce, true, "online") {
                            tracing::debug!(device = self.id, %error, "status not queued");
                        }
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::debug!(device = self.id, %error, "device connection failed; retrying");
                        sleep(RECONNECT_DELAY).await;
                    }
                }
            }
        };
        let publishing = async {
            let mut ticks = interval(self.period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
            for seq in 0.. {
                ticks.tick().await;
                let reading = self.fleet.reading(self.index, seq, now_us());
                let payload = telemetry::encode(Encoding::Json, &reading);
                if client.try_publish(telemetry.as_str(), QoS::AtMostOnce, false, payload).is_err() {
                    tracing::trace!(device = self.id, seq, "reading not sent: the request queue is full");
                }
            }
        };
        tokio::select! {
            () = driving => {}
            () = publishing => {}
            () = shutdown.triggered() => {}
        }
        // Goodbye: the status `offline`, and once the broker has acknowledged it (so it is routed
        // to every subscriber), DISCONNECT, which tells the broker to drop the will.
        let _ = client.try_publish(status.as_str(), QoS::AtLeastOnce, true, "offline");
        let goodbye = async {
            let mut offline_packet = None;
            loop {
                match events.poll().await {
                    // Readings (QoS 0) go out with packet id 0; the status is the QoS 1 one.
                    Ok(Event::Outgoing(Outgoing::Publish(id))) if id != 0 => offline_packet = Some(id),
                    Ok(Event::Incoming(Packet::PubAck(ack))) if Some(ack.pkid) == offline_packet => {
                        let _ = client.try_disconnect();
                    }
                    Ok(Event::Outgoing(Outgoing::Disconnect)) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        if timeout(GOODBYE_TIMEOUT, goodbye).await.is_err() {
            tracing::debug!(device = self.id, "device could not say goodbye in time");
        }
    }
}

/// Microseconds since the Unix epoch: a reading's send time.
fn now_us() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX)
}
