//! The simulated fleet and its five encodings: names, exact shapes, round trips, broken input,
//! determinism, plausible signals, and the JSON text frames of `/ws/telemetry`.

use wire::formats::sample_messages::TelemetryReading;
use wire::telemetry::protocol::stream_query;
use wire::telemetry::{ClientControl, Encoding, Fleet, Reading, ServerStatus, decode, encode};

fn reading(device: &str, seq: u64, fault: Option<&str>) -> Reading {
    Reading {
        device: device.to_string(),
        seq,
        sent_at_us: 1_795_538_423_045_123,
        temperature_c: 21.37,
        humidity_percent: 48.2,
        battery_percent: 96.41,
        fault: fault.map(str::to_string),
    }
}

case_test! {
    fn encoding_names() {
        let cases = [
            (Encoding::Json, "json", "JSON"),
            (Encoding::Xml, "xml", "XML"),
            (Encoding::Protobuf, "protobuf", "Protobuf"),
            (Encoding::Msgpack, "msgpack", "MessagePack"),
            (Encoding::Cbor, "cbor", "CBOR"),
        ];
        assert_eq!(Encoding::ALL.to_vec(), cases.iter().map(|case| case.0).collect::<Vec<_>>());
        for (encoding, name, label) in cases {
            assert_eq!((encoding.name(), encoding.label()), (name, label));
            assert_eq!(Encoding::parse(name), Some(encoding));
            assert_eq!(serde_json::to_string(&encoding).ok(), Some(format!("\"{name}\"")));
        }
        for unknown in ["", "JSON", "yaml", "proto", " json"] {
            assert_eq!(Encoding::parse(unknown), None, "{unknown:?}");
        }
    }

    fn exact_text_shapes() {
        let cases = [
            (Encoding::Json, None, r#"{"device":"sensor-01","seq":7,"sent_at_us":1795538423045123,"temperature_c":21.37,"humidity_percent":48.2,"battery_percent":96.41}"#),
            (Encoding::Json, Some("sensor timeout"), r#"{"device":"sensor-01","seq":7,"sent_at_us":1795538423045123,"temperature_c":21.37,"humidity_percent":48.2,"battery_percent":96.41,"fault":"sensor timeout"}"#),
            (Encoding::Xml, None, "<reading><device>sensor-01</device><seq>7</seq><sent_at_us>1795538423045123</sent_at_us><temperature_c>21.37</temperature_c><humidity_percent>48.2</humidity_percent><battery_percent>96.41</battery_percent></reading>"),
            (Encoding::Xml, Some("a<b"), "<reading><device>sensor-01</device><seq>7</seq><sent_at_us>1795538423045123</sent_at_us><temperature_c>21.37</temperature_c><humidity_percent>48.2</humidity_percent><battery_percent>96.41</battery_percent><fault>a&lt;b</fault></reading>"),
        ];
        for (encoding, fault, expected) in cases {
            let bytes = encode(encoding, &reading("sensor-01", 7, fault));
            assert_eq!(String::from_utf8_lossy(&bytes), expected, "{encoding:?} {fault:?}");
        }
    }

    fn exact_binary_shapes() {
        // (encoding, fault, first byte: a map of 6 or 7 entries, total length)
        let cases = [
            (Encoding::Msgpack, None, 0x86, 117),
            (Encoding::Msgpack, Some("sensor timeout"), 0x87, 138),
            (Encoding::Cbor, None, 0xa6, 117),
            (Encoding::Cbor, Some("sensor timeout"), 0xa7, 138),
        ];
        for (encoding, fault, first_byte, length) in cases {
            let bytes = encode(encoding, &reading("sensor-01", 7, fault));
            assert_eq!((bytes.first().copied(), bytes.len()), (Some(first_byte), length), "{encoding:?} {fault:?}");
        }
        // Protobuf: the generated TelemetryReading of www/proto/wirelab.proto reads the same fields.
        let bytes = encode(Encoding::Protobuf, &reading("sensor-01", 7, Some("brownout reset")));
        let message = <TelemetryReading as prost::Message>::decode(bytes.as_slice()).expect("prost decodes the encoded reading");
        assert_eq!(
            (message.device.as_str(), message.seq, message.temperature_c, message.fault.as_deref()),
            ("sensor-01", 7, 21.37, Some("brownout reset"))
        );
        assert_eq!(encode(Encoding::Protobuf, &reading("sensor-01", 7, None)).len(), 49);
    }

    fn round_trips_in_every_encoding() {
        let readings = [
            reading("sensor-01", 0, None),
            reading("sensor-42", 123_456, Some("sensor timeout")),
            reading("capteur-é-℃", u64::MAX, Some("")),
            Reading { temperature_c: -40.25, humidity_percent: 0.0, battery_percent: 100.0, sent_at_us: 0, ..reading("sensor-100", 1, None) },
            Reading { temperature_c: 1e-300, humidity_percent: 99.99999999999, battery_percent: 5.01, ..reading("<&>\"'", 2, Some("a<b>&c")) },
        ];
        for encoding in Encoding::ALL {
            for original in &readings {
                let bytes = encode(encoding, original);
                assert_eq!(decode(encoding, &bytes).as_ref(), Ok(original), "{encoding:?} {original:?}");
            }
        }
    }

    fn fleet_readings_round_trip() {
        let fleet = Fleet::new(8, 13);
        for encoding in Encoding::ALL {
            for seq in [0, 1, 999, 1_000_000] {
                for device in 0..fleet.devices() {
                    let original = fleet.reading(device, seq, 1_795_538_423_045_000 + seq);
                    assert_eq!(decode(encoding, &encode(encoding, &original)), Ok(original), "{encoding:?}");
                }
            }
        }
    }

    fn malformed_input_gives_a_diagnostic() {
        // (encoding, bytes, words the message starts with, byte offset when the decoder knows it)
        let cases: [(Encoding, &[u8], &str, Option<usize>); 16] = [
            (Encoding::Json, b"", "json: EOF while parsing", Some(0)),
            (Encoding::Json, b"{\"device\":\"sensor-01\"", "json: EOF while parsing", Some(20)),
            (Encoding::Json, b"{\"device\":1}", "json: invalid type: integer `1`, expected a string", Some(10)),
            (Encoding::Json, b"42", "json: invalid type: integer `42`", None),
            (Encoding::Json, b"{\"dev\xffice\":1}", "json: not UTF-8", Some(5)),
            (Encoding::Xml, b"", "xml: no <reading> element", None),
            (Encoding::Xml, b"<sample><seq>1</seq></sample>", "xml: the root element is <sample>", None),
            (Encoding::Xml, b"<reading><seq>x</seq></reading>", "xml: invalid type: string \"x\", expected u64", None),
            (Encoding::Xml, b"<reading><device>a</device>", "xml: ill-formed document", None),
            (Encoding::Xml, b"\xfe<reading/>", "xml: not UTF-8", Some(0)),
            (Encoding::Protobuf, b"\x0a\x05abc", "protobuf: failed to decode Protobuf message: TelemetryReading.device: buffer underflow", None),
            (Encoding::Protobuf, b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", "protobuf: ", None),
            (Encoding::Msgpack, b"", "msgpack: ", None),
            (Encoding::Msgpack, b"\x81\xa6device\x01", "msgpack: invalid type: integer `1`, expected a string", None),
            (Encoding::Cbor, b"", "cbor: failed to fill whole buffer", None),
            (Encoding::Cbor, b"\xa1\x66device\x01", "cbor: invalid type: integer `1`, expected string", None),
        ];
        for (encoding, bytes, message_start, offset) in cases {
            let diagnostic = decode(encoding, bytes).expect_err("broken input is refused");
            assert!(diagnostic.message.starts_with(message_start), "{encoding:?} {bytes:?}: {diagnostic}");
            if offset.is_some() {
                assert_eq!(diagnostic.location.map(|location| location.offset), offset, "{encoding:?} {bytes:?}: {diagnostic}");
            }
        }
    }

    fn every_prefix_and_corruption_decodes_or_is_refused() {
        // Any bytes: decode returns (a reading or a diagnostic) and never panics. Every prefix of
        // an encoded reading, and every single byte replaced by each of a few values.
        let original = reading("sensor-07", 99, Some("checksum mismatch"));
        for encoding in Encoding::ALL {
            let bytes = encode(encoding, &original);
            let mut refused = 0;
            for end in 0..bytes.len() {
                refused += usize::from(decode(encoding, &bytes[..end]).is_err());
            }
            for index in 0..bytes.len() {
                for replacement in [0x00, 0x7f, 0x80, 0xc1, 0xff] {
                    let mut corrupted = bytes.clone();
                    corrupted[index] = replacement;
                    let _ = decode(encoding, &corrupted);
                }
            }
            assert!(refused > bytes.len() / 2, "{encoding:?}: only {refused} of {} prefixes refused", bytes.len());
        }
    }

    fn fleet_is_deterministic() {
        let fleet = Fleet::new(4, 7);
        let same = Fleet::new(4, 7);
        let other_seed = Fleet::new(4, 8);
        for (device, seq) in [(0, 0), (1, 1), (3, 500), (2, 1 << 40)] {
            assert_eq!(fleet.reading(device, seq, 5), same.reading(device, seq, 5));
            assert_ne!(fleet.reading(device, seq, 5), other_seed.reading(device, seq, 5));
            assert_eq!(fleet.reading(device, seq, 5).sent_at_us, 5);
        }
        // Devices differ from one another, and a device's readings differ from seq to seq.
        assert_ne!(fleet.reading(0, 10, 0).temperature_c, fleet.reading(1, 10, 0).temperature_c);
        assert_ne!(fleet.reading(0, 10, 0).temperature_c, fleet.reading(0, 11, 0).temperature_c);
        let ids = [(0, "sensor-01"), (8, "sensor-09"), (9, "sensor-10"), (98, "sensor-99"), (99, "sensor-100")];
        for (index, id) in ids {
            assert_eq!(fleet.device_id(index), id);
            assert_eq!(fleet.reading(index, 0, 0).device, id);
        }
    }

    fn signals_are_plausible() {
        let fleet = Fleet::new(6, 2026);
        let readings_per_device = 20_000u64;
        let mut faults = 0;
        for device in 0..fleet.devices() {
            let mut previous: Option<Reading> = None;
            let mut battery_swaps = 0;
            for seq in 0..readings_per_device {
                let reading = fleet.reading(device, seq, 0);
                assert!((14.0..=30.0).contains(&reading.temperature_c), "{reading:?}");
                assert!((5.0..=95.0).contains(&reading.humidity_percent), "{reading:?}");
                assert!((5.0..=100.0).contains(&reading.battery_percent), "{reading:?}");
                if let Some(fault) = &reading.fault {
                    assert!(wire::telemetry::fleet::FAULTS.contains(&fault.as_str()), "{fault}");
                    faults += 1;
                }
                if let Some(previous) = previous {
                    // Drift is slow: one reading moves by noise and a little drift, not by degrees.
                    assert!((reading.temperature_c - previous.temperature_c).abs() < 0.6, "{previous:?} → {reading:?}");
                    assert!((reading.humidity_percent - previous.humidity_percent).abs() < 2.0, "{previous:?} → {reading:?}");
                    // The battery drains, except when it is swapped for a fresh one.
                    if reading.battery_percent > previous.battery_percent + 0.011 {
                        battery_swaps += 1;
                    }
                }
                previous = Some(reading);
            }
            assert_eq!(battery_swaps, 0, "device {device}: 20,000 readings drain at most 30 %");
            // Over the same run the temperature does drift, by more than its noise.
            let temperatures: Vec<f64> = (0..readings_per_device).step_by(100).map(|seq| fleet.reading(device, seq, 0).temperature_c).collect();
            let spread = temperatures.iter().copied().fold(f64::MIN, f64::max) - temperatures.iter().copied().fold(f64::MAX, f64::min);
            assert!(spread > 1.0, "device {device}: temperature spread {spread}");
            let drained = fleet.reading(device, 0, 0).battery_percent - fleet.reading(device, readings_per_device, 0).battery_percent;
            assert!((9.0..=31.0).contains(&drained), "device {device}: drained {drained}");
        }
        let fault_rate = faults as f64 / (readings_per_device as f64 * fleet.devices() as f64);
        assert!((0.001..0.004).contains(&fault_rate), "fault rate {fault_rate}");
        // A battery that runs down is swapped: far along, it is still in range and has risen once.
        let late = fleet.reading(0, 10_000_000, 0).battery_percent;
        assert!((5.0..=100.0).contains(&late), "{late}");
    }

    fn control_frames() {
        let cases: [(&str, Option<ClientControl>); 8] = [
            ("{}", Some(ClientControl::default())),
            (r#"{"encoding":"cbor"}"#, Some(ClientControl { encoding: Some(Encoding::Cbor), ..ClientControl::default() })),
            (r#"{"rate_hz":50,"paused":false}"#, Some(ClientControl { rate_hz: Some(50.0), paused: Some(false), ..ClientControl::default() })),
            (r#"{"paused":true}"#, Some(ClientControl { paused: Some(true), ..ClientControl::default() })),
            (r#"{"encoding":"yaml"}"#, None),
            (r#"{"encodng":"xml"}"#, None),
            (r#"{"rate_hz":"fast"}"#, None),
            ("pause", None),
        ];
        for (text, expected) in cases {
            assert_eq!(ClientControl::parse(text).ok(), expected, "{text}");
        }
        let control = ClientControl { encoding: Some(Encoding::Msgpack), rate_hz: Some(2.5), paused: None };
        assert_eq!(control.to_json(), r#"{"encoding":"msgpack","rate_hz":2.5}"#);
        assert_eq!(ClientControl::parse("{\n  \"paused\": 1\n}").map_err(|diagnostic| diagnostic.to_string()),
            Err("invalid type: integer `1`, expected a boolean at line 2, column 13".to_string()));
    }

    fn status_frames() {
        let status = ServerStatus::Status { encoding: Encoding::Protobuf, rate_hz: 10.0, devices: 4, paused: false, sent: 120, dropped: 3, at_us: 42 };
        let cases = [
            (status.clone(), r#"{"type":"status","encoding":"protobuf","rate_hz":10.0,"devices":4,"paused":false,"sent":120,"dropped":3,"at_us":42}"#),
            (ServerStatus::Error { message: "no".to_string() }, r#"{"type":"error","message":"no"}"#),
        ];
        for (frame, text) in cases {
            assert_eq!(frame.to_json(), text);
            assert_eq!(ServerStatus::parse(text), Ok(frame));
        }
        // A status without `paused` (the field came later) reads as not paused.
        let without_paused = r#"{"type":"status","encoding":"protobuf","rate_hz":10.0,"devices":4,"sent":120,"dropped":3,"at_us":42}"#;
        assert_eq!(ServerStatus::parse(without_paused), Ok(status));
        assert!(ServerStatus::parse(r#"{"type":"hello"}"#).is_err());
    }

    fn stream_queries() {
        let cases = [
            (4, 10.0, Encoding::Json, "devices=4&rate_hz=10&encoding=json"),
            (100, 0.5, Encoding::Msgpack, "devices=100&rate_hz=0.5&encoding=msgpack"),
        ];
        for (devices, rate_hz, encoding, expected) in cases {
            assert_eq!(stream_query(devices, rate_hz, encoding), expected);
        }
    }
}
