//! Bytes per reading in each `wire::telemetry` encoding, plain and gzipped, for `cargo xtask
//! bench-iot`: one stream (the simulated fleet's readings, the same for every encoding) encoded
//! five ways.
//!
//! ```text
//! cargo run --release -p wirelab-server --example telemetry_sizes -- --devices 4 --readings 1000
//! ```
//!
//! For each encoding it prints `SIZE\tencoding=…\treadings=…\tplain=…\tgzip_each=…\tgzip_stream=…`:
//! the mean bytes of one reading as sent (one WebSocket message or MQTT payload), of one reading
//! gzipped alone (what per-message compression can do), and of the whole stream gzipped at once,
//! per reading (what compression with a shared context, like permessage-deflate with context
//! takeover, can approach).

use std::io::Write;

use clap::Parser;
use flate2::Compression;
use flate2::write::GzEncoder;
use wire::telemetry::{Encoding, Fleet, encode};

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value_t = 4)]
    devices: usize,
    /// Readings per device.
    #[arg(long, default_value_t = 1000)]
    readings: u64,
    /// Readings per second of each device (spaces the send times).
    #[arg(long, default_value_t = 10.0)]
    rate_hz: f64,
}

/// The fleet's seed, as the server's devices use.
const SEED: u64 = 13;
/// A fixed start time, so the sizes do not change from run to run.
const START_US: u64 = 1_790_000_000_000_000;

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let fleet = Fleet::new(args.devices, SEED);
    let step_us = (1e6 / args.rate_hz) as u64;
    let readings: Vec<_> = (0..args.readings)
        .flat_map(|seq| (0..args.devices).map(move |device| (device, seq)))
        .map(|(device, seq)| fleet.reading(device, seq, START_US + seq * step_us + device as u64 * 37))
        .collect();
    let count = readings.len() as f64;
    for encoding in Encoding::ALL {
        let messages: Vec<Vec<u8>> = readings.iter().map(|reading| encode(encoding, reading)).collect();
        let plain: usize = messages.iter().map(Vec::len).sum();
        let mut each = 0;
        for message in &messages {
            each += gzip(&[message])?.len();
        }
        let stream = gzip(&messages.iter().collect::<Vec<_>>())?.len();
        println!(
            "SIZE\tencoding={}\treadings={}\tplain={:.1}\tgzip_each={:.1}\tgzip_stream={:.1}",
            encoding.name(),
            readings.len(),
            plain as f64 / count,
            each as f64 / count,
            stream as f64 / count
        );
    }
    Ok(())
}

/// The parts, one after another, gzipped at the default level.
fn gzip(parts: &[&Vec<u8>]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    for part in parts {
        encoder.write_all(part)?;
    }
    encoder.finish()
}
