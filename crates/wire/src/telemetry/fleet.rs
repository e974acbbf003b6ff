//! The simulated fleet behind `/ws/telemetry` and the MQTT devices: plausible sensor signals that
//! are a pure function of (seed, device, seq), so a stream can be replayed and tested exactly and
//! a device's reading costs the same at seq 0 and seq 10⁹ (no state carried between readings).
//!
//! Each device gets its own levels from the seed:
//! - temperature: a level between 18 and 26 °C, drifting by up to ±2 °C along two slow waves
//!   (periods of hundreds to thousands of readings), plus ±0.15 °C of noise; to 0.01 °C.
//! - humidity: a level between 35 and 65 %, moving against the temperature drift, plus noise,
//!   kept within 5–95 %; to 0.1 %.
//! - battery: starts between 60 and 100 %, drains 0.0005–0.0015 % per reading, and is swapped for
//!   a full one when it reaches 5 %; to 0.01 %.
//! - fault: about one reading in 500 carries one of [`FAULTS`].

use std::f64::consts::TAU;

use super::Reading;

/// The faults a device reports now and then.
pub const FAULTS: [&str; 4] = ["sensor timeout", "checksum mismatch", "humidity sensor saturated", "brownout reset"];

/// How often a reading carries a fault, on average.
pub const FAULT_PROBABILITY: f64 = 0.002;

/// The battery level at which a device gets a fresh battery.
const BATTERY_SWAP_PERCENT: f64 = 5.0;

/// A fleet of simulated devices sharing one seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fleet {
    devices: usize,
    seed: u64,
}

/// What a device's signals are built from: drawn once from (seed, device).
struct DeviceLevels {
    temperature_c: f64,
    humidity_percent: f64,
    battery_start_percent: f64,
    battery_drain_per_reading: f64,
    slow_period: f64,
    slow_phase: f64,
    fast_period: f64,
    fast_phase: f64,
}

/// Independent draws for one (seed, device, seq) get different salts.
#[derive(Clone, Copy)]
enum Draw {
    TemperatureLevel = 1,
    HumidityLevel,
    BatteryStart,
    BatteryDrain,
    SlowPeriod,
    SlowPhase,
    FastPeriod,
    FastPhase,
    TemperatureNoise,
    HumidityNoise,
    Fault,
    FaultKind,
}

impl Fleet {
    pub fn new(devices: usize, seed: u64) -> Fleet {
        Fleet { devices, seed }
    }

    pub fn devices(&self) -> usize {
        self.devices
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// `sensor-01` for index 0, `sensor-02` for 1, … (`sensor-100` past 99).
    pub fn device_id(&self, index: usize) -> String {
        format!("sensor-{:02}", index + 1)
    }

    /// Reading `seq` of device `index`, stamped `sent_at_us`: the same for the same arguments.
    pub fn reading(&self, index: usize, seq: u64, sent_at_us: u64) -> Reading {
        let levels = self.levels(index);
        let step = seq as f64;
        let drift = 1.5 * (TAU * step / levels.slow_period + levels.slow_phase).sin()
            + 0.5 * (TAU * step / levels.fast_period + levels.fast_phase).sin();
        let temperature_noise = 0.15 * self.centred(index, seq, Draw::TemperatureNoise);
        let humidity_noise = 0.6 * self.centred(index, seq, Draw::HumidityNoise);
        let humidity = (levels.humidity_percent - 2.5 * drift + humidity_noise).clamp(5.0, 95.0);
        let fault = (self.unit(index, seq, Draw::Fault) < FAULT_PROBABILITY).then(|| {
            let kind = (self.unit(index, seq, Draw::FaultKind) * FAULTS.len() as f64) as usize;
            FAULTS[kind.min(FAULTS.len() - 1)].to_string()
        });
        Reading {
            device: self.device_id(index),
            seq,
            sent_at_us,
            temperature_c: round_to(levels.temperature_c + drift + temperature_noise, 100.0),
            humidity_percent: round_to(humidity, 10.0),
            battery_percent: round_to(battery(&levels, step), 100.0),
            fault,
        }
    }

    fn levels(&self, index: usize) -> DeviceLevels {
        let draw = |salt: Draw| self.unit(index, u64::MAX, salt);
        DeviceLevels {
            temperature_c: 18.0 + 8.0 * draw(Draw::TemperatureLevel),
            humidity_percent: 35.0 + 30.0 * draw(Draw::HumidityLevel),
            battery_start_percent: 60.0 + 40.0 * draw(Draw::BatteryStart),
            battery_drain_per_reading: 0.0005 + 0.001 * draw(Draw::BatteryDrain),
            slow_period: 1200.0 + 1800.0 * draw(Draw::SlowPeriod),
            slow_phase: TAU * draw(Draw::SlowPhase),
            fast_period: 150.0 + 250.0 * draw(Draw::FastPeriod),
            fast_phase: TAU * draw(Draw::FastPhase),
        }
    }

    /// A uniform draw in [0, 1) from (seed, device, seq, salt).
    fn unit(&self, index: usize, seq: u64, salt: Draw) -> f64 {
        let mut state = splitmix64(self.seed ^ splitmix64(index as u64 ^ ((salt as u64) << 56)));
        state = splitmix64(state ^ seq);
        (state >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A draw in (-1, 1) that is more often near 0 (the mean of two uniform draws, centred).
    fn centred(&self, index: usize, seq: u64, salt: Draw) -> f64 {
        let first = self.unit(index, seq, salt);
        let second = self.unit(index, seq.wrapping_add(1 << 63), salt);
        first + second - 1.0
    }
}

/// A sawtooth: from the starting level down to the swap level, then from 100 % down again.
fn battery(levels: &DeviceLevels, step: f64) -> f64 {
    let used = levels.battery_drain_per_reading * step;
    let first_battery = levels.battery_start_percent - BATTERY_SWAP_PERCENT;
    if used <= first_battery {
        levels.battery_start_percent - used
    } else {
        100.0 - (used - first_battery).rem_euclid(100.0 - BATTERY_SWAP_PERCENT)
    }
}

fn round_to(value: f64, steps_per_unit: f64) -> f64 {
    (value * steps_per_unit).round() / steps_per_unit
}

/// Sebastiano Vigna's SplitMix64 finaliser: a well-mixed 64-bit hash of a 64-bit input.
fn splitmix64(input: u64) -> u64 {
    let mut z = input.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
