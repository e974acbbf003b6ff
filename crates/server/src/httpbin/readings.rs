//! `/json?records=N`: a big JSON document on demand, N generated sensor readings, so the app's
//! tree view and format engines can be tried on megabytes from the bundled server.
//!
//! The document is a `wirelab.ReadingBatch` in Protobuf's JSON mapping (`{"readings": [...]}`,
//! each reading shaped like the Formats lab's "Sensor reading" sample), so the Formats lab can
//! encode it too. Reading `i` depends on `i` alone: the same N gives the same bytes, and N records
//! are the first N of any larger document. It is generated while it is sent, never held whole,
//! and capped like `/bytes` at 100 MiB.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::{StreamExt, stream};
use serde::Serialize;

use super::dynamic::MAX_BYTES;
use super::parse_count;
use super::random::SplitMix64;
use crate::error::ApiError;

/// No reading serializes to more than this, separator included (a test checks every one).
const READING_BYTES_AT_MOST: u64 = 340;
/// The document's bytes besides its readings and their separators: `{"readings":[` and `\n]}\n`.
const FRAMING_BYTES: u64 = 17;
/// The most readings `/json?records=N` sends: as many as surely fit in `/bytes`' 100 MiB.
pub(crate) const MAX_RECORDS: u64 = (MAX_BYTES - FRAMING_BYTES) / READING_BYTES_AT_MOST;
/// Readings are serialized and sent in chunks of about this size.
const CHUNK_BYTES: usize = 64 * 1024;
/// Reading 0's time: 2025-11-24 16:00 UTC; one reading every 250 ms after it.
const FIRST_TIMESTAMP_MS: u64 = 1_764_000_000_000;
const TIMESTAMP_STEP_MS: u64 = 250;
/// How many sensors take turns, over the sites below.
const SENSORS: u64 = 64;

/// One reading, field for field `wirelab.SensorReading` in Protobuf's JSON mapping.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reading {
    id: String,
    temperature_decicelsius: i32,
    timestamp_ms: u64,
    humidity_percent: f64,
    calibrated: bool,
    samples: [f32; 4],
    error_codes: &'static [u32],
    location: &'static Site,
    status: &'static str,
    battery_millivolts: u32,
    /// Base64, as the JSON mapping writes `bytes`.
    firmware_hash: &'static str,
}

/// Where a sensor hangs: `wirelab.Location`, plus what its readings hover around.
#[derive(Serialize)]
struct Site {
    site: &'static str,
    latitude: f64,
    longitude: f64,
    floor: i32,
    #[serde(skip)]
    prefix: &'static str,
    #[serde(skip)]
    decicelsius: i32,
    #[serde(skip)]
    humidity_permille: u32,
    #[serde(skip)]
    firmware_hash: &'static str,
}

const SITES: [Site; 4] = [
    Site {
        site: "cold-room",
        latitude: 51.5237,
        longitude: -0.1585,
        floor: -1,
        prefix: "th",
        decicelsius: -185,
        humidity_permille: 412,
        firmware_hash: "3q2+7w==",
    },
    Site {
        site: "Lab B",
        latitude: 52.2053,
        longitude: 0.1218,
        floor: 2,
        prefix: "lab",
        decicelsius: 214,
        humidity_permille: 455,
        firmware_hash: "3q2+7w==",
    },
    Site {
        site: "server-room",
        latitude: 52.2049,
        longitude: 0.1206,
        floor: 0,
        prefix: "srv",
        decicelsius: 243,
        humidity_permille: 380,
        firmware_hash: "yv66vg==",
    },
    Site {
        site: "greenhouse",
        latitude: 52.1932,
        longitude: 0.1276,
        floor: 0,
        prefix: "gh",
        decicelsius: 176,
        humidity_permille: 718,
        firmware_hash: "yv66vg==",
    },
];

/// Status, and the error codes that go with it; mostly fine, sometimes not.
const HEALTH: [(&str, &[u32]); 3] = [("STATUS_OK", &[]), ("STATUS_DEGRADED", &[7]), ("STATUS_FAILED", &[7, 300])];

impl Reading {
    /// Reading number `index`: a function of `index` alone.
    fn generate(index: u64) -> Self {
        let sensor = index % SENSORS;
        let site = &SITES[(sensor % SITES.len() as u64) as usize];
        let mut rng = SplitMix64::new(index);
        let mut roll = |range: u64| rng.next_u64() % range;
        let temperature_decicelsius = site.decicelsius + roll(61) as i32 - 30;
        // Samples in quarter degrees around the reading, so they print short and exact.
        let quarters = (temperature_decicelsius as f32 * 0.4).round();
        let samples = [0, 1, 2, 3].map(|_| (quarters + roll(3) as f32 - 1.0) / 4.0);
        let humidity_percent = f64::from(site.humidity_permille + roll(61) as u32 - 30) / 10.0;
        let (status, error_codes) = match roll(100) {
            0..90 => HEALTH[0],
            90..98 => HEALTH[1],
            _ => HEALTH[2],
        };
        Self {
            id: format!("{}-{sensor:02}", site.prefix),
            temperature_decicelsius,
            timestamp_ms: FIRST_TIMESTAMP_MS + index * TIMESTAMP_STEP_MS,
            humidity_percent,
            calibrated: roll(8) != 0,
            samples,
            error_codes,
            location: site,
            status,
            battery_millivolts: 3300 - roll(500) as u32,
            firmware_hash: site.firmware_hash,
        }
    }
}

/// `/json?records=N`: N readings, streamed. `records` is the text of the query parameter.
pub(crate) fn readings(records: &str) -> Result<Response, ApiError> {
    let records = parse_count("records", records, MAX_RECORDS)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], Body::from_stream(document(records))).into_response())
}

/// The document in chunks of about [`CHUNK_BYTES`]: the head with the first readings, the
/// rest of them, and the tail with the last ones. Serializing into a `Vec` does not fail, but
/// if it did the body would end with the error rather than the server panicking.
fn document(records: u64) -> impl futures_util::Stream<Item = Result<Bytes, serde_json::Error>> {
    stream::unfold(Some(0), move |next: Option<u64>| async move {
        let mut index = next?;
        let mut chunk = Vec::with_capacity(CHUNK_BYTES + READING_BYTES_AT_MOST as usize);
        if index == 0 {
            chunk.extend_from_slice(b"{\"readings\":[");
        }
        while index < records && chunk.len() < CHUNK_BYTES {
            chunk.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
            if let Err(error) = serde_json::to_writer(&mut chunk, &Reading::generate(index)) {
                return Some((Err(error), None));
            }
            index += 1;
        }
        let next = if index < records {
            Some(index)
        } else {
            chunk.extend_from_slice(if records == 0 { b"]}\n" } else { b"\n]}\n" });
            None
        };
        Some((Ok(Bytes::from(chunk)), next))
    })
    // The compression layer polls once more after the end, which `unfold` alone does not allow.
    .fuse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reading_up_to_the_cap_fits_its_share_of_100_mib() {
        let mut buffer = Vec::new();
        let mut longest = 0;
        for index in 0..MAX_RECORDS {
            buffer.clear();
            serde_json::to_writer(&mut buffer, &Reading::generate(index)).unwrap();
            longest = longest.max(buffer.len() as u64 + 2);
        }
        assert!(longest <= READING_BYTES_AT_MOST, "a reading took {longest} bytes");
        assert_eq!(MAX_RECORDS, 308_404, "the /json?records={{n}} row of ROUTES says so");
        assert_eq!(FRAMING_BYTES as usize, "{\"readings\":[\n]}\n".len());
    }

    #[test]
    fn a_reading_has_the_fields_of_the_formats_labs_sample() {
        let sample: serde_json::Value = serde_json::from_str(wire::formats::samples::SENSOR_READING).unwrap();
        let keys = |value: &serde_json::Value| value.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        for index in [0, 5, 63, 64, MAX_RECORDS - 1] {
            let reading = serde_json::to_value(Reading::generate(index)).unwrap();
            assert_eq!(keys(&reading), keys(&sample), "{reading}");
            assert_eq!(keys(&reading["location"]), keys(&sample["location"]), "{reading}");
            assert_eq!(reading["timestampMs"], FIRST_TIMESTAMP_MS + index * TIMESTAMP_STEP_MS);
        }
    }
}
