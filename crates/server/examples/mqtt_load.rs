//! MQTT load for `cargo xtask bench-iot`: one publisher and N subscribers (rumqttc, MQTT 3.1.1)
//! against any broker, so the embedded one and Debian's mosquitto are driven by the same client.
//!
//! ```text
//! cargo run --release -p wirelab-server --example mqtt_load -- --port 1883 --qos 1 --subscribers 100
//! ```
//!
//! The subscribers connect and subscribe to one topic first; then the publisher sends `--secs`
//! seconds of `--size`-byte messages at `--qos`, as fast as the broker takes them (`--rate 0`) or
//! at `--rate` messages per second, each carrying its send time. Once it stops, the subscribers get
//! up to two seconds to drain. It prints bench-server's line format:
//!
//! `RESULT\tmsgs_per_s=…\tpublished=…\tdelivered=…\texpected=…\tp50_us=…\tp99_us=…\tclient_cpu=…`
//!
//! `msgs_per_s` counts deliveries (a message to 100 subscribers is 100) per second, from the first
//! publish to the last delivery;
//! `p50_us`/`p99_us` are send-to-delivery latencies over every delivery; `client_cpu` is this
//! process's CPU time over the run's wall time (near 1.0: the client, not the broker, was the limit).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use tokio::task::JoinSet;

/// One publisher, N subscribers, one topic.
#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long)]
    port: u16,
    /// 0 or 1 (the publish and the subscriptions).
    #[arg(long, default_value_t = 0)]
    qos: u8,
    #[arg(long, default_value_t = 1)]
    subscribers: usize,
    /// Bytes per message (at least 16: the send time and a sequence number).
    #[arg(long, default_value_t = 64)]
    size: usize,
    /// Messages per second; 0 publishes as fast as the broker takes them.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    #[arg(long, default_value_t = 3.0)]
    secs: f64,
}

/// How long the subscribers may take to receive what was published, after the publisher stops.
const DRAIN: Duration = Duration::from_secs(2);
/// How long one write to the broker may wait, in seconds.
const FLUSH_TIMEOUT_SECS: u64 = 60;
/// Requests the publisher's client may queue before `publish` waits.
const PUBLISH_QUEUE: usize = 1000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let qos = match args.qos {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        other => return Err(format!("--qos {other}: 0 or 1")),
    };
    let duration = Duration::try_from_secs_f64(args.secs).map_err(|error| format!("--secs: {error}"))?;
    let started = Instant::now();
    let topic = format!("bench/{}", std::process::id());
    let delivered = Arc::new(AtomicU64::new(0));
    // When the last delivery arrived, in ns since `started`.
    let last_delivery_ns = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    let mut subscribers = JoinSet::new();
    for index in 0..args.subscribers {
        let (client, mut events) = connect(&args, &format!("bench-sub-{index}"), 10);
        client.subscribe(topic.as_str(), qos).await.map_err(|error| error.to_string())?;
        wait_for(&mut events, |packet| matches!(packet, Packet::SubAck(_))).await?;
        let (delivered, stop, last) = (Arc::clone(&delivered), Arc::clone(&stop), Arc::clone(&last_delivery_ns));
        subscribers.spawn(async move {
            let _client = client;
            let mut latencies_us = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match tokio::time::timeout(Duration::from_millis(100), events.poll()).await {
                    Ok(Ok(Event::Incoming(Packet::Publish(publish)))) => {
                        let sent_ns = publish.payload.get(..8).and_then(|bytes| bytes.try_into().ok());
                        if let Some(sent_ns) = sent_ns.map(u64::from_le_bytes) {
                            let now_ns = elapsed_ns(started);
                            latencies_us.push(now_ns.saturating_sub(sent_ns) / 1000);
                            last.fetch_max(now_ns, Ordering::Relaxed);
                        }
                        delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Ok(_)) | Err(_) => {}
                    Ok(Err(error)) => return Err(format!("subscriber {index}: {error}")),
                }
            }
            Ok(latencies_us)
        });
    }

    let (publisher, mut events) = connect(&args, "bench-pub", PUBLISH_QUEUE);
    wait_for(&mut events, |packet| matches!(packet, Packet::ConnAck(_))).await?;
    let driving = tokio::spawn(async move {
        loop {
            if let Err(error) = events.poll().await {
                return error.to_string();
            }
        }
    });
    let cpu_before = cpu_seconds();
    let publishing_started = Instant::now();
    let interval = (args.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / args.rate));
    let mut published: u64 = 0;
    let mut payload = vec![0_u8; args.size.max(16)];
    while publishing_started.elapsed() < duration {
        if let Some(interval) = interval {
            let due = publishing_started + interval.mul_f64(published as f64);
            tokio::time::sleep_until(due.into()).await;
        }
        payload[..8].copy_from_slice(&elapsed_ns(started).to_le_bytes());
        payload[8..16].copy_from_slice(&published.to_le_bytes());
        publisher.publish(topic.as_str(), qos, false, payload.clone()).await.map_err(|error| error.to_string())?;
        published += 1;
    }
    let expected = published * args.subscribers as u64;
    let drain_deadline = Instant::now() + DRAIN;
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < drain_deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let wall = publishing_started.elapsed();
    // From the first publish to the last delivery (the drain included, so a broker that queues
    // is not counted faster than it delivers).
    let delivering = Duration::from_nanos(last_delivery_ns.load(Ordering::Relaxed))
        .saturating_sub(publishing_started.duration_since(started))
        .max(Duration::from_millis(1));
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| (after - before) / wall.as_secs_f64());
    stop.store(true, Ordering::Relaxed);
    if driving.is_finished() {
        return Err(format!("the publisher's connection failed: {}", driving.await.unwrap_or_default()));
    }
    driving.abort();

    let mut latencies_us = Vec::new();
    while let Some(joined) = subscribers.join_next().await {
        latencies_us.extend(joined.map_err(|error| error.to_string())??);
    }
    latencies_us.sort_unstable();
    let percentile = |share: f64| {
        let index = ((latencies_us.len() as f64 - 1.0) * share).round() as usize;
        latencies_us.get(index).copied().unwrap_or_default()
    };
    let delivered = delivered.load(Ordering::Relaxed);
    println!(
        "RESULT\tmsgs_per_s={:.1}\tpublished={published}\tdelivered={delivered}\texpected={expected}\t\
         p50_us={}\tp99_us={}\tclient_cpu={:.2}",
        delivered as f64 / delivering.as_secs_f64(),
        percentile(0.50),
        percentile(0.99),
        cpu.unwrap_or(f64::NAN),
    );
    Ok(())
}

/// A client for `id`, not yet connected (the first poll connects).
fn connect(args: &Args, id: &str, queue: usize) -> (AsyncClient, EventLoop) {
    let mut options = MqttOptions::new(id, args.host.as_str(), args.port);
    options.set_keep_alive(Duration::from_secs(30)).set_max_packet_size(1 << 20, 1 << 20).set_inflight(100);
    let (client, mut events) = AsyncClient::new(options, queue);
    // A broker fanning out to 100 subscribers may read the publisher slowly for seconds: that is
    // the figure, not a failure (rumqttc's default gives up on a write after 5 s).
    events.network_options.set_connection_timeout(FLUSH_TIMEOUT_SECS);
    // Each message leaves at once (QoS 0 has no acknowledgement to wait for; Nagle would hold it).
    events.network_options.set_tcp_nodelay(true);
    (client, events)
}

/// Polls until a packet `wanted` arrives (or 10 s pass).
async fn wait_for(events: &mut EventLoop, wanted: impl Fn(&Packet) -> bool) -> Result<(), String> {
    let waiting = async {
        loop {
            match events.poll().await {
                Ok(Event::Incoming(packet)) if wanted(&packet) => return Ok(()),
                Ok(_) => {}
                Err(error) => return Err(error.to_string()),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), waiting).await.map_err(|_| "no answer from the broker in 10 s")?
}

fn elapsed_ns(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// This process's user and system CPU seconds (Linux).
fn cpu_seconds() -> Option<f64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given and reports failure by its return value.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: it succeeded, so the struct is filled.
    let usage = unsafe { usage.assume_init() };
    let seconds = |time: libc::timeval| time.tv_sec as f64 + time.tv_usec as f64 / 1e6;
    Some(seconds(usage.ru_utime) + seconds(usage.ru_stime))
}
