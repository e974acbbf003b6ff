//! Property tests for Protobuf: prost-encoded sample messages decode through the schema and
//! encode back to the same bytes, and no input makes the schemaless decoder panic or map badly.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use prost::Message;
use wire::formats::protobuf::{Schema, decode, encode};
use wire::formats::sample_messages::{Contact, LineItem, Location, Order, SensorReading};

fn location() -> impl Strategy<Value = Location> {
    (".{0,12}", any::<f64>(), any::<f64>(), any::<i32>()).prop_map(|(site, latitude, longitude, floor)| Location {
        site,
        latitude,
        longitude,
        floor,
    })
}

fn sensor_reading() -> impl Strategy<Value = SensorReading> {
    (
        (".{0,16}", any::<i32>(), any::<i64>(), any::<f64>(), any::<bool>()),
        (
            prop::collection::vec(any::<f32>(), 0..6),
            prop::collection::vec(any::<i32>(), 0..6),
            prop::option::of(location()),
            -1i32..5,
            any::<u32>(),
            prop::collection::vec(any::<u8>(), 0..12),
        ),
    )
        .prop_map(
            |(
                (id, temperature_decicelsius, timestamp_ms, humidity_percent, calibrated),
                (samples, error_codes, location, status, battery_millivolts, firmware_hash),
            )| SensorReading {
                id,
                temperature_decicelsius,
                timestamp_ms,
                humidity_percent,
                calibrated,
                samples,
                error_codes,
                location,
                status,
                battery_millivolts,
                firmware_hash,
            },
        )
}

fn contact() -> impl Strategy<Value = Contact> {
    (".{0,12}", ".{0,12}", any::<u32>(), any::<bool>(), prop::collection::vec(".{0,6}", 0..4))
        .prop_map(|(name, email, age, verified, tags)| Contact { name, email, age, verified, tags })
}

fn order() -> impl Strategy<Value = Order> {
    let item = (".{0,10}", any::<u32>(), any::<u32>()).prop_map(|(sku, quantity, unit_price_cents)| LineItem {
        sku,
        quantity,
        unit_price_cents,
    });
    (".{0,16}", prop::option::of(contact()), prop::collection::vec(item, 0..4), any::<i64>(), any::<bool>()).prop_map(
        |(id, customer, items, placed_at_ms, express)| Order {
            id,
            customer,
            items,
            shipping: None,
            placed_at_ms,
            express,
        },
    )
}

/// prost's bytes → the schema decoder → the schema encoder: the same bytes again.
fn round_trip(bytes: &[u8], message: &str) -> Result<(), TestCaseError> {
    let schema = Schema::sample();
    let decoded = decode(bytes, &schema, message).map_err(|error| TestCaseError::fail(error.to_string()))?;
    prop_assert!(decoded.map.check(bytes.len()).is_ok());
    prop_assert_eq!(decoded.map.covered_bytes(), bytes.len());
    let encoded =
        encode(&decoded.document, &schema, message).map_err(|error| TestCaseError::fail(error.to_string()))?;
    prop_assert_eq!(&encoded.bytes, bytes);
    prop_assert!(encoded.map.check(encoded.bytes.len()).is_ok());
    prop_assert_eq!(encoded.map.covered_bytes(), encoded.bytes.len());
    Ok(())
}

proptest! {
    #[test]
    fn sensor_readings_round_trip(reading in sensor_reading()) {
        round_trip(&reading.encode_to_vec(), "wirelab.SensorReading")?;
    }

    #[test]
    fn orders_round_trip(order in order()) {
        round_trip(&order.encode_to_vec(), "wirelab.Order")?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_map_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..96)) {
        let decoded = wire::protowire::decode(&bytes);
        let map = wire::protowire::byte_map(&decoded);
        prop_assert!(map.check(bytes.len()).is_ok(), "{:?}", map.check(bytes.len()));
        let _ = wire::protowire::to_document(&decoded);
        let _ = wire::protowire::render(&decoded);
        if decoded.error.is_none() {
            prop_assert_eq!(map.covered_bytes(), bytes.len());
        }
        let _ = decode(&bytes, &Schema::sample(), "wirelab.SensorReading");
    }

    #[test]
    fn valid_messages_decode_without_schema(reading in sensor_reading()) {
        let bytes = reading.encode_to_vec();
        let decoded = wire::protowire::decode(&bytes);
        prop_assert!(decoded.error.is_none());
        prop_assert_eq!(wire::protowire::byte_map(&decoded).covered_bytes(), bytes.len());
    }
}
