//! The Formats lab's sample documents, each with the message type of `www/proto/wirelab.proto`
//! that encodes it as Protobuf.

/// A sample: what the picker shows, the JSON source, and its Protobuf message type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub name: &'static str,
    pub json: String,
    pub message: &'static str,
}

/// The sample schema's source, shown in the Protobuf panel until someone pastes their own.
pub const SAMPLE_PROTO: &str = include_str!("../../../../www/proto/wirelab.proto");

/// The name the sample schema is compiled under (errors and imports refer to it).
pub const SAMPLE_PROTO_NAME: &str = "wirelab.proto";

pub const SMALL_RECORD: &str = r#"{
  "name": "Ada Lovelace",
  "email": "ada@example.org",
  "age": 36,
  "verified": true,
  "tags": ["math", "engines"]
}"#;

pub const SENSOR_READING: &str = r#"{
  "id": "cold-room-3",
  "temperatureDecicelsius": -182,
  "timestampMs": 1764000000000,
  "humidityPercent": 41.5,
  "calibrated": true,
  "samples": [-18.25, -18.5, -18.0, -17.75],
  "errorCodes": [3, 150, 7],
  "location": {
    "site": "Lab B",
    "latitude": 52.2053,
    "longitude": 0.1218,
    "floor": -1
  },
  "status": "STATUS_DEGRADED",
  "batteryMillivolts": 2950,
  "firmwareHash": "3q2+7w=="
}"#;

pub const NESTED_ORDER: &str = r#"{
  "id": "ord-20261125-0042",
  "customer": {
    "name": "Grace Hopper",
    "email": "grace@example.org",
    "age": 85,
    "verified": true,
    "tags": ["navy", "compilers"]
  },
  "items": [
    { "sku": "CABLE-CAT6-2M", "quantity": 3, "unitPriceCents": 499 },
    { "sku": "SWITCH-8P", "quantity": 1, "unitPriceCents": 3999 },
    { "sku": "PATCH-PANEL", "quantity": 2, "unitPriceCents": 2450 }
  ],
  "shipping": {
    "street": "1 Harbour Way",
    "city": "Arlington",
    "postcode": "22201",
    "country": "US"
  },
  "placedAtMs": 1764064800000,
  "express": false
}"#;

/// How many readings the big sample holds.
pub const READINGS_IN_BATCH: usize = 1000;

/// `READINGS_IN_BATCH` sensor readings, deterministic so sizes and byte maps are repeatable.
pub fn reading_batch() -> String {
    let mut out = String::from("{\n  \"readings\": [\n");
    for index in 0..READINGS_IN_BATCH {
        let temperature = -200 + ((index * 37) % 400) as i64;
        let humidity = 30.0 + ((index * 13) % 400) as f64 / 10.0;
        let battery = 3300 - (index % 500) as u64;
        let status = ["STATUS_OK", "STATUS_OK", "STATUS_OK", "STATUS_DEGRADED"][index % 4];
        out.push_str(&format!(
            "    {{\"id\": \"sensor-{:04}\", \"temperatureDecicelsius\": {temperature}, \"timestampMs\": {}, \
             \"humidityPercent\": {humidity}, \"calibrated\": {}, \"status\": \"{status}\", \"batteryMillivolts\": {battery}}}",
            index % 64,
            1_764_000_000_000u64 + index as u64 * 1000,
            index % 7 != 0,
        ));
        out.push_str(if index + 1 < READINGS_IN_BATCH { ",\n" } else { "\n" });
    }
    out.push_str("  ]\n}");
    out
}

/// The samples' names, in the order the picker lists them, without building the samples (the
/// biggest is generated text).
pub const NAMES: [&str; 4] = ["Small record", "Sensor reading", "Nested order", "1,000 readings"];

/// Every sample, in the order the picker lists them.
pub fn all() -> Vec<Sample> {
    vec![
        Sample { name: "Small record", json: SMALL_RECORD.to_owned(), message: "wirelab.Contact" },
        Sample { name: "Sensor reading", json: SENSOR_READING.to_owned(), message: "wirelab.SensorReading" },
        Sample { name: "Nested order", json: NESTED_ORDER.to_owned(), message: "wirelab.Order" },
        Sample { name: "1,000 readings", json: reading_batch(), message: "wirelab.ReadingBatch" },
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_names_are_the_samples_names_in_order() {
        let names: Vec<&str> = super::all().iter().map(|sample| sample.name).collect();
        assert_eq!(names, super::NAMES);
    }
}
