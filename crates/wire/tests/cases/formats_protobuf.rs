//! Protobuf with a schema: compile errors with line and column, the samples encoded byte for byte
//! as prost's generated types encode them, decoding back, losses, type errors with paths, byte maps.

use expect_test::{Expect, expect};
use prost::Message;
use wire::binary_input::parse_hex;
use wire::formats::protobuf::{Schema, decode, encode};
use wire::formats::sample_messages as pb;
use wire::formats::{ByteMap, Entry, Node, Value, samples};
use wire::hexdump::to_hex;

/// The document of a JSON text (serde_json keeps key order here).
fn doc(json: &str) -> Node {
    fn convert(value: serde_json::Value) -> Node {
        Node::new(match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(value) => Value::Bool(value),
            serde_json::Value::Number(number) => match (number.as_i64(), number.as_u64()) {
                (Some(value), _) => Value::Integer(value.into()),
                (None, Some(value)) => Value::Integer(value.into()),
                _ => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(text) => Value::String(text),
            serde_json::Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
            serde_json::Value::Object(entries) => {
                Value::Map(entries.into_iter().map(|(key, value)| Entry::new(key, convert(value))).collect())
            }
        })
    }
    convert(serde_json::from_str(json).unwrap_or_else(|error| panic!("bad test JSON: {error}\n{json}")))
}

/// A compact, JSON-like rendering of a document, to compare in expectations.
fn show(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(value) => value.to_string(),
        Value::Integer(value) => value.to_string(),
        Value::Float(value) => format!("{value:?}"),
        Value::String(text) => format!("{text:?}"),
        Value::Bytes(bytes) => format!("b[{}]", to_hex(bytes)),
        Value::Array(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries.iter().map(|entry| format!("{}: {}", entry.key, show(&entry.value))).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn render_map(bytes: &[u8], map: &ByteMap) -> String {
    map.check(bytes.len()).unwrap_or_else(|error| panic!("byte map: {error}"));
    assert_eq!(map.covered_bytes(), bytes.len(), "every byte is mapped");
    let mut out = String::new();
    for span in map.spans() {
        let hex = to_hex(&bytes[span.span.offset..span.span.end()]);
        let hex = if hex.len() > 11 { format!("{}…", &hex[..8]) } else { hex };
        out.push_str(&format!(
            "{:>3} {hex:<11} {:<6} {:<22} {}\n",
            span.span.offset,
            span.role.label(),
            span.path.to_string(),
            span.detail
        ));
    }
    out
}

fn sample_schema() -> Schema {
    Schema::sample()
}

fn encode_json(json: &str, message: &str) -> wire::formats::Encoded {
    encode(&doc(json), &sample_schema(), message).unwrap_or_else(|error| panic!("encode failed: {error}"))
}

/// Encodes with the sample schema and shows the bytes, losses and byte map.
fn check_encode(json: &str, message: &str, expected: Expect) {
    let encoded = encode_json(json, message);
    let mut out = format!("{}\n", to_hex(&encoded.bytes));
    for loss in &encoded.losses {
        out.push_str(&format!("loss at {}: {}\n", loss.path, loss.what));
    }
    out.push_str(&render_map(&encoded.bytes, &encoded.map));
    expected.assert_eq(&out);
}

fn check_encode_error(json: &str, message: &str, expected: Expect) {
    match encode(&doc(json), &sample_schema(), message) {
        Ok(encoded) => panic!("expected an error, got {}", to_hex(&encoded.bytes)),
        Err(error) => expected.assert_eq(&error.to_string()),
    }
}

/// Decodes hex with the sample schema and shows the document, losses and byte map, or the error.
fn check_decode(hex: &str, message: &str, expected: Expect) {
    let bytes = parse_hex(hex).unwrap_or_else(|error| panic!("bad test hex {hex:?}: {error}"));
    let out = match decode(&bytes, &sample_schema(), message) {
        Ok(decoded) => {
            let mut out = format!("{}\n", show(&decoded.document));
            for loss in &decoded.losses {
                out.push_str(&format!("loss at {}: {}\n", loss.path, loss.what));
            }
            out + &render_map(&bytes, &decoded.map)
        }
        Err(error) => format!("error: {error}\n"),
    };
    expected.assert_eq(&out);
}

fn check_compile(source: &str, expected: Expect) {
    let out = match Schema::compile("pasted.proto", source) {
        Ok(schema) => format!("ok: {}", schema.message_names().join(", ")),
        Err(error) => format!("error: {error}"),
    };
    expected.assert_eq(&out);
}

fn sensor_reading() -> pb::SensorReading {
    pb::SensorReading {
        id: "cold-room-3".into(),
        temperature_decicelsius: -182,
        timestamp_ms: 1_764_000_000_000,
        humidity_percent: 41.5,
        calibrated: true,
        samples: vec![-18.25, -18.5, -18.0, -17.75],
        error_codes: vec![3, 150, 7],
        location: Some(pb::Location { site: "Lab B".into(), latitude: 52.2053, longitude: 0.1218, floor: -1 }),
        status: pb::Status::Degraded as i32,
        battery_millivolts: 2950,
        firmware_hash: vec![0xde, 0xad, 0xbe, 0xef],
    }
}

fn contact(name: &str, email: &str, age: u32, tags: &[&str]) -> pb::Contact {
    pb::Contact {
        name: name.into(),
        email: email.into(),
        age,
        verified: true,
        tags: tags.iter().map(|tag| tag.to_string()).collect(),
    }
}

fn order() -> pb::Order {
    let item = |sku: &str, quantity, unit_price_cents| pb::LineItem { sku: sku.into(), quantity, unit_price_cents };
    pb::Order {
        id: "ord-20261125-0042".into(),
        customer: Some(contact("Grace Hopper", "grace@example.org", 85, &["navy", "compilers"])),
        items: vec![item("CABLE-CAT6-2M", 3, 499), item("SWITCH-8P", 1, 3999), item("PATCH-PANEL", 2, 2450)],
        shipping: Some(pb::Address {
            street: "1 Harbour Way".into(),
            city: "Arlington".into(),
            postcode: "22201".into(),
            country: "US".into(),
        }),
        placed_at_ms: 1_764_064_800_000,
        express: false,
    }
}

fn reading_batch() -> pb::ReadingBatch {
    let readings = (0..samples::READINGS_IN_BATCH)
        .map(|index| pb::SensorReading {
            id: format!("sensor-{:04}", index % 64),
            temperature_decicelsius: -200 + ((index * 37) % 400) as i32,
            timestamp_ms: 1_764_000_000_000 + index as i64 * 1000,
            humidity_percent: 30.0 + ((index * 13) % 400) as f64 / 10.0,
            calibrated: index % 7 != 0,
            status: [pb::Status::Ok, pb::Status::Ok, pb::Status::Ok, pb::Status::Degraded][index % 4] as i32,
            battery_millivolts: 3300 - (index % 500) as u32,
            ..Default::default()
        })
        .collect();
    pb::ReadingBatch { readings }
}

/// The run-time encoder against prost's generated code, and decoding back to the document.
fn check_sample(json: &str, message: &str, reference: Vec<u8>) {
    let schema = sample_schema();
    let document = doc(json);
    let encoded = encode(&document, &schema, message).unwrap_or_else(|error| panic!("{message}: {error}"));
    assert_eq!(to_hex(&encoded.bytes), to_hex(&reference), "{message}: bytes differ from prost's");
    encoded.map.check(encoded.bytes.len()).unwrap_or_else(|error| panic!("{message}: {error}"));
    assert_eq!(encoded.map.covered_bytes(), encoded.bytes.len(), "{message}: every byte is mapped");
    let decoded = decode(&encoded.bytes, &schema, message).unwrap_or_else(|error| panic!("{message}: {error}"));
    decoded.map.check(encoded.bytes.len()).unwrap_or_else(|error| panic!("{message}: {error}"));
    assert_eq!(decoded.map.covered_bytes(), encoded.bytes.len(), "{message}: every byte is mapped");
    assert!(decoded.losses.is_empty(), "{message}: {:?}", decoded.losses);
    // Bytes come back as bytes and fields at their defaults not at all: compare what was sent.
    let mut expected = document.without_spans();
    normalise_for_decode(&mut expected);
    let (decoded, expected) = (show(&decoded.document.without_spans()), show(&expected));
    if let Some(at) = decoded.chars().zip(expected.chars()).position(|(a, b)| a != b) {
        let context = |text: &str| text.chars().skip(at.saturating_sub(80)).take(160).collect::<String>();
        panic!("{message}: decoded document differs at char {at}:\n{}\n{}", context(&decoded), context(&expected));
    }
    assert_eq!(decoded.len(), expected.len(), "{message}: decoded document");
    // Every path of the encoding's map names a node of the source document.
    for span in encoded.map.spans() {
        assert!(document.at(&span.path).is_some(), "{message}: {} is not in the document", span.path);
    }
}

/// The sample documents as decoding gives them back: `firmwareHash` as bytes, `humidityPercent`
/// as a float, default values (`false`, `0`) left out.
fn normalise_for_decode(node: &mut Node) {
    if let Value::Map(entries) = &mut node.value {
        let defaults = [Value::Bool(false), Value::Integer(0), Value::Float(0.0), Value::String(String::new())];
        entries.retain(|entry| !defaults.contains(&entry.value.value));
        for entry in entries.iter_mut() {
            if entry.key == "humidityPercent"
                && let Value::Integer(value) = entry.value.value
            {
                entry.value.value = Value::Float(value as f64);
            }
            if entry.key == "firmwareHash"
                && let Value::String(text) = &entry.value.value
            {
                entry.value.value = Value::Bytes(wire::binary_input::parse_base64(text).unwrap_or_default());
            }
            normalise_for_decode(&mut entry.value);
        }
    }
    if let Value::Array(items) = &mut node.value {
        items.iter_mut().for_each(normalise_for_decode);
    }
}

case_test! {
    fn sample_schema_compiles() {
        let schema = Schema::compile(samples::SAMPLE_PROTO_NAME, samples::SAMPLE_PROTO);
        assert!(schema.is_ok(), "{:?}", schema.err());
        expect![[r#"
            wirelab.Location
            wirelab.SensorReading
            wirelab.Contact
            wirelab.Address
            wirelab.LineItem
            wirelab.Order
            wirelab.ReadingBatch
            wirelab.TelemetryReading"#]]
        .assert_eq(&Schema::sample().message_names().join("\n"));
        for sample in samples::all() {
            assert!(Schema::sample().message_names().iter().any(|name| name == sample.message), "{}", sample.message);
        }
    }

    fn compile_errors_carry_line_and_column() {
        check_compile(
            "syntax = \"proto3\";\nmessage A {\n  int32 x = 1\n}\n",
            expect!["error: line 4, column 1: expected ';' or '[', but found '}'"],
        );
        check_compile(
            "syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n",
            expect![[r#"error: line 3, column 3: name 'Missing' is not defined"#]],
        );
        check_compile(
            "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  string y = 1;\n}\n",
            expect!["error: line 4, column 14: field number '1' is already used (first defined here: line 3, column 13)"],
        );
        check_compile(
            "syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n",
            expect!["error: line 4, column 1: expected a message field, oneof, reserved range, enum, message, option or '}', but reached end of file"],
        );
        check_compile("syntax = \"proto4\";\n", expect![[r#"error: line 1, column 10: unknown syntax 'proto4'"#]]);
        check_compile(
            "syntax = \"proto3\";\nimport \"other.proto\";\nmessage A {}\n",
            expect![[r#"error: line 2, column 1: import 'other.proto' not found"#]],
        );
        check_compile(
            "syntax = \"proto3\";\npackage lab;\nimport \"google/protobuf/timestamp.proto\";\nmessage A {\n  google.protobuf.Timestamp at = 1;\n  message B { map<string, int32> counts = 1; }\n}\nmessage C {}\n",
            expect![[r#"ok: lab.A, lab.A.B, lab.C"#]],
        );
        check_compile("", expect![[r#"ok: "#]]);
    }

    fn samples_encode_as_prost_does_and_decode_back() {
        check_sample(
            samples::SMALL_RECORD,
            "wirelab.Contact",
            contact("Ada Lovelace", "ada@example.org", 36, &["math", "engines"]).encode_to_vec(),
        );
        check_sample(samples::SENSOR_READING, "wirelab.SensorReading", sensor_reading().encode_to_vec());
        check_sample(samples::NESTED_ORDER, "wirelab.Order", order().encode_to_vec());
        check_sample(&samples::reading_batch(), "wirelab.ReadingBatch", reading_batch().encode_to_vec());
    }

    fn sample_losses() {
        let losses = |json: &str, message: &str| {
            let losses = encode_json(json, message).losses;
            losses.iter().map(|loss| format!("{}: {}", loss.path, loss.what)).collect::<Vec<_>>().join("\n")
        };
        expect![[r#""#]].assert_eq(&losses(samples::SENSOR_READING, "wirelab.SensorReading"));
        expect![[r#"express: default value false not written (proto3 sends no defaults)"#]]
            .assert_eq(&losses(samples::NESTED_ORDER, "wirelab.Order"));
    }

    fn small_message_byte_maps() {
        check_encode(samples::SMALL_RECORD, "wirelab.Contact", expect![[r#"
            0a 0c 41 64 61 20 4c 6f 76 65 6c 61 63 65 12 0f 61 64 61 40 65 78 61 6d 70 6c 65 2e 6f 72 67 18 24 20 01 2a 04 6d 61 74 68 2a 07 65 6e 67 69 6e 65 73
              0 0a          tag    name                   field 1 name, wire type 2 (length-delimited)
              1 0c          length name                   length 12
              2 41 64 61…   value  name                   string "Ada Lovelace"
             14 12          tag    email                  field 2 email, wire type 2 (length-delimited)
             15 0f          length email                  length 15
             16 61 64 61…   value  email                  string "ada@example.org"
             31 18          tag    age                    field 3 age, wire type 0 (varint)
             32 24          value  age                    uint32 36
             33 20          tag    verified               field 4 verified, wire type 0 (varint)
             34 01          value  verified               bool true
             35 2a          tag    tags[0]                field 5 tags, wire type 2 (length-delimited)
             36 04          length tags[0]                length 4
             37 6d 61 74 68 value  tags[0]                string "math"
             41 2a          tag    tags[1]                field 5 tags, wire type 2 (length-delimited)
             42 07          length tags[1]                length 7
             43 65 6e 67…   value  tags[1]                string "engines"
        "#]]);
        check_encode(
            r#"{"location": {"site": "Lab B", "floor": -1}, "status": "STATUS_DEGRADED", "temperatureDecicelsius": -182}"#,
            "wirelab.SensorReading",
            expect![[r#"
                10 eb 02 42 09 0a 05 4c 61 62 20 42 20 01 48 02
                loss at (root): key order not kept: Protobuf writes fields in field-number order
                  0 10          tag    temperatureDecicelsius field 2 temperature_decicelsius, wire type 0 (varint)
                  1 eb 02       value  temperatureDecicelsius sint32: zigzag 363 → -182
                  3 42          tag    location               field 8 location, wire type 2 (length-delimited)
                  4 09          length location               length 9
                  5 0a          tag    location.site          field 1 site, wire type 2 (length-delimited)
                  6 05          length location.site          length 5
                  7 4c 61 62…   value  location.site          string "Lab B"
                 12 20          tag    location.floor         field 4 floor, wire type 0 (varint)
                 13 01          value  location.floor         sint32: zigzag 1 → -1
                 14 48          tag    status                 field 9 status, wire type 0 (varint)
                 15 02          value  status                 enum STATUS_DEGRADED (2)
            "#]],
        );
    }

    fn packed_and_unpacked_repeated_fields() {
        check_encode(r#"{"samples": [1.5, -2], "errorCodes": [1, -1, 300]}"#, "wirelab.SensorReading", expect![[r#"
            32 08 00 00 c0 3f 00 00 00 c0 3a 0d 01 ff ff ff ff ff ff ff ff ff 01 ac 02
              0 32          tag    samples                field 6 samples, wire type 2 (length-delimited), packed
              1 08          length samples                length 8
              2 00 00 c0 3f value  samples[0]             float 1.5
              6 00 00 00 c0 value  samples[1]             float -2
             10 3a          tag    errorCodes             field 7 error_codes, wire type 2 (length-delimited), packed
             11 0d          length errorCodes             length 13
             12 01          value  errorCodes[0]          int32 1
             13 ff ff ff…   value  errorCodes[1]          int32 -1
             23 ac 02       value  errorCodes[2]          int32 300
        "#]]);
        check_encode(r#"{"tags": ["a", "", "b"]}"#, "wirelab.Contact", expect![[r#"
            2a 01 61 2a 00 2a 01 62
              0 2a          tag    tags[0]                field 5 tags, wire type 2 (length-delimited)
              1 01          length tags[0]                length 1
              2 61          value  tags[0]                string "a"
              3 2a          tag    tags[1]                field 5 tags, wire type 2 (length-delimited)
              4 00          length tags[1]                length 0
              5 2a          tag    tags[2]                field 5 tags, wire type 2 (length-delimited)
              6 01          length tags[2]                length 1
              7 62          value  tags[2]                string "b"
        "#]]);
        // Unpacked on the wire is accepted for a packed field, and the two forms may mix.
        check_decode("35 00 00 c0 3f 32 04 00 00 00 c0 35 00 00 80 3f", "wirelab.SensorReading", expect![[r#"
            {samples: [1.5, -2.0, 1.0]}
              0 35          tag    samples[0]             field 6 samples, wire type 5 (fixed32)
              1 00 00 c0 3f value  samples[0]             float 1.5
              5 32          tag    samples                field 6 samples, wire type 2 (length-delimited), packed
              6 04          length samples                length 4
              7 00 00 00 c0 value  samples[1]             float -2
             11 35          tag    samples[2]             field 6 samples, wire type 5 (fixed32)
             12 00 00 80 3f value  samples[2]             float 1
        "#]]);
        check_decode("32 00", "wirelab.SensorReading", expect![[r#"
            {samples: []}
              0 32          tag    samples                field 6 samples, wire type 2 (length-delimited), packed
              1 00          length samples                length 0
        "#]]);
    }

    fn input_forms_of_the_json_mapping() {
        let bytes = |json: &str, message: &str| to_hex(&encode_json(json, message).bytes);
        // JSON names and proto names; 64-bit integers as numbers or strings; enums by name or number.
        let by_json = bytes(
            r#"{"timestampMs": "1764000000000", "status": 2, "batteryMillivolts": 2950.0}"#,
            "wirelab.SensorReading",
        );
        let by_proto = bytes(
            r#"{"timestamp_ms": 1764000000000, "status": "STATUS_DEGRADED", "battery_millivolts": "2950"}"#,
            "wirelab.SensorReading",
        );
        assert_eq!(by_json, by_proto);
        expect!["18 80 d0 df b4 ab 33 48 02 50 86 17"].assert_eq(&by_json);
        // Bytes from standard or URL-safe base64, padded or not.
        expect![[r#"5a 04 de ad be ef"#]].assert_eq(&bytes(r#"{"firmwareHash": "3q2+7w=="}"#, "wirelab.SensorReading"));
        expect![[r#"5a 04 de ad be ef"#]].assert_eq(&bytes(r#"{"firmwareHash": "3q2-7w"}"#, "wirelab.SensorReading"));
        // Floats from integers and the three special strings.
        expect!["21 00 00 00 00 00 00 45 40 32 0c 00 00 c0 7f 00 00 80 7f 00 00 80 ff"].assert_eq(&bytes(
            r#"{"humidityPercent": 42, "samples": ["NaN", "Infinity", "-Infinity"]}"#,
            "wirelab.SensorReading"
        ));
        let packed = encode_json(r#"{"samples": ["NaN"]}"#, "wirelab.SensorReading");
        assert_eq!(to_hex(&packed.bytes), "32 04 00 00 c0 7f");
        // Explicit nulls leave fields unset.
        check_encode(r#"{"id": null, "calibrated": true}"#, "wirelab.SensorReading", expect![[r#"
            28 01
            loss at id: null leaves the field unset: not written
              0 28          tag    calibrated             field 5 calibrated, wire type 0 (varint)
              1 01          value  calibrated             bool true
        "#]]);
        // Value::Bytes from a binary format is taken as it is.
        let document = Node::new(Value::Map(vec![Entry::new("firmwareHash", Node::new(Value::Bytes(vec![1, 2])))]));
        let encoded =
            encode(&document, &sample_schema(), "wirelab.SensorReading").map(|encoded| to_hex(&encoded.bytes));
        assert_eq!(encoded, Ok("5a 02 01 02".to_owned()));
    }

    fn losses_are_reported() {
        check_encode(
            r#"{"verified": false, "name": "", "age": 0, "nickname": "Ada", "tags": [], "email": "a@b"}"#,
            "wirelab.Contact",
            expect![[r#"
                12 03 61 40 62
                loss at (root): key order not kept: Protobuf writes fields in field-number order
                loss at nickname: wirelab.Contact has no field "nickname": dropped
                loss at name: default value empty not written (proto3 sends no defaults)
                loss at age: default value 0 not written (proto3 sends no defaults)
                loss at verified: default value false not written (proto3 sends no defaults)
                loss at tags: empty list: nothing written (an empty repeated field has no bytes)
                  0 12          tag    email                  field 2 email, wire type 2 (length-delimited)
                  1 03          length email                  length 3
                  2 61 40 62    value  email                  string "a@b"
            "#]],
        );
        check_encode(r#"{"location": {"latitude": 0.1}}"#, "wirelab.SensorReading", expect![[r#"
            42 09 11 9a 99 99 99 99 99 b9 3f
              0 42          tag    location               field 8 location, wire type 2 (length-delimited)
              1 09          length location               length 9
              2 11          tag    location.latitude      field 2 latitude, wire type 1 (fixed64)
              3 9a 99 99…   value  location.latitude      double 0.1
        "#]]);
    }

    fn type_errors_name_the_path() {
        check_encode_error(
            r#"{"items": [{"quantity": 1}, {"quantity": "x"}]}"#,
            "wirelab.Order",
            expect![[r#"items[1].quantity: expected uint32, got string "x""#]],
        );
        check_encode_error(
            r#"{"items": [{"quantity": -1}]}"#,
            "wirelab.Order",
            expect!["items[0].quantity: -1 is out of range for uint32 (0 to 4294967295)"],
        );
        check_encode_error(
            r#"{"placedAtMs": 9223372036854775808}"#,
            "wirelab.Order",
            expect!["placedAtMs: 9223372036854775808 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"],
        );
        check_encode_error(
            r#"{"customer": "Grace"}"#,
            "wirelab.Order",
            expect![[r#"customer: expected message wirelab.Contact, got string "Grace""#]],
        );
        check_encode_error(
            r#"{"items": {"sku": "A"}}"#,
            "wirelab.Order",
            expect!["items: expected a list of message wirelab.LineItem, got map (1 keys)"],
        );
        check_encode_error(
            r#"{"status": "STATUS_SLEEPY"}"#,
            "wirelab.SensorReading",
            expect![[r#"status: expected a value of wirelab.Status (STATUS_UNSPECIFIED, STATUS_OK, STATUS_DEGRADED, STATUS_FAILED), got string "STATUS_SLEEPY""#]],
        );
        check_encode_error(
            r#"{"firmwareHash": "not base64!"}"#,
            "wirelab.SensorReading",
            expect![[r#"firmwareHash: expected base64 for bytes, got string "not base64!" ('!' is not a base64 character)"#]],
        );
        check_encode_error(
            r#"{"humidityPercent": "wet"}"#,
            "wirelab.SensorReading",
            expect![[r#"humidityPercent: expected double (a number, "NaN", "Infinity" or "-Infinity"), got string "wet""#]],
        );
        check_encode_error(
            r#"{"samples": [1e39]}"#,
            "wirelab.SensorReading",
            expect!["samples[0]: 1000000000000000000000000000000000000000 is out of range for float"],
        );
        check_encode_error(
            r#"{"calibrated": 1}"#,
            "wirelab.SensorReading",
            expect!["calibrated: expected bool, got integer 1"],
        );
        check_encode_error(
            r#"{"errorCodes": [1, null]}"#,
            "wirelab.SensorReading",
            expect!["errorCodes[1]: expected int32, got null"],
        );
        check_encode_error(
            r#"{"timestampMs": 1, "timestamp_ms": 2}"#,
            "wirelab.SensorReading",
            expect![[r#"timestamp_ms: field timestamp_ms is given twice (as "timestampMs" and "timestamp_ms")"#]],
        );
        check_encode_error(
            r#"[1, 2]"#,
            "wirelab.SensorReading",
            expect!["(root): expected message wirelab.SensorReading, got array (2 items)"],
        );
        check_encode_error(
            r#"{}"#,
            "wirelab.Nope",
            expect!["the schema has no message wirelab.Nope (it has wirelab.Location, wirelab.SensorReading, wirelab.Contact, wirelab.Address, wirelab.LineItem, wirelab.Order, wirelab.ReadingBatch, wirelab.TelemetryReading)"],
        );
        check_encode_error(
            r#"{"temperatureDecicelsius": 1.5}"#,
            "wirelab.SensorReading",
            expect!["temperatureDecicelsius: expected sint32, got float 1.5"],
        );
    }

    fn paths_keep_the_source_documents_keys() {
        let encoded = encode_json(r#"{"timestamp_ms": 5, "location": {"site": "A"}}"#, "wirelab.SensorReading");
        let paths: Vec<String> = encoded.map.spans().iter().map(|span| span.path.to_string()).collect();
        expect!["timestamp_ms timestamp_ms location location location.site location.site location.site"]
            .assert_eq(&paths.join(" "));
    }

    fn decoding_unknown_fields_and_malformed_bytes() {
        // Field 99 is not in Contact: kept under its number, with a loss.
        check_decode("0a 03 41 64 61 98 06 07 9a 06 02 68 69 98 06 08", "wirelab.Contact", expect![[r#"
            {name: "Ada", 99: [7, b[68 69], 8]}
            loss at 99: field 99 is not in wirelab.Contact: kept under its number
              0 0a          tag    name                   field 1 name, wire type 2 (length-delimited)
              1 03          length name                   length 3
              2 41 64 61    value  name                   string "Ada"
              5 98 06       tag    99                     field 99 (not in wirelab.Contact), wire type 0 (varint)
              7 07          value  99                     varint 7
              8 9a 06       tag    99                     field 99 (not in wirelab.Contact), wire type 2 (length-delimited)
             10 02          length 99                     length 2
             11 68 69       value  99                     bytes 68 69
             13 98 06       tag    99                     field 99 (not in wirelab.Contact), wire type 0 (varint)
             15 08          value  99                     varint 8
        "#]]);
        // An unknown enum number stays a number.
        check_decode("48 07", "wirelab.SensorReading", expect![[r#"
            {status: 7}
              0 48          tag    status                 field 9 status, wire type 0 (varint)
              1 07          value  status                 enum 7 (not a value of wirelab.Status)
        "#]]);
        // The root is an empty message.
        check_decode("", "wirelab.SensorReading", expect![[r#"
            {}
        "#]]);
        check_decode("0a 05 41 64 61", "wirelab.Contact", expect![[r#"
            error: byte 1: length 5 runs past the end (3 bytes left)
        "#]]);
        check_decode("0a 03 41 64", "wirelab.Contact", expect![[r#"
            error: byte 1: length 3 runs past the end (2 bytes left)
        "#]]);
        check_decode("0a 02 c3 28", "wirelab.Contact", expect![[r#"
            error: byte 2: string field name is not valid UTF-8
        "#]]);
        check_decode("18", "wirelab.Contact", expect![[r#"
            error: byte 1: a uint32 value is missing: the message ends here
        "#]]);
        check_decode("18 80 80", "wirelab.Contact", expect![[r#"
            error: byte 1: truncated or overlong varint in a uint32 value
        "#]]);
        check_decode("0e", "wirelab.Contact", expect![[r#"
            error: byte 0: wire type 6 does not exist (field 1)
        "#]]);
        check_decode("00 01", "wirelab.Contact", expect![[r#"
            error: byte 0: field number 0 is not allowed
        "#]]);
        check_decode("1a 01 41", "wirelab.Contact", expect![[r#"
            error: byte 0: field 3 age is uint32 (wire type 0), but came with wire type 2 (length-delimited)
        "#]]);
        check_decode("21 00 00", "wirelab.SensorReading", expect![[r#"
            error: byte 1: a double value needs 8 bytes, 2 left
        "#]]);
        check_decode("42 04 09 00 00 00", "wirelab.SensorReading", expect![[r#"
            error: byte 2: field 1 site is string (wire type 2), but came with wire type 1 (fixed64)
        "#]]);
        check_decode("0b 0c", "wirelab.Contact", expect![[r#"
            error: byte 0: field 1 uses wire type 3 (groups, proto2), which is not supported
        "#]]);
        check_decode("f8 ff ff ff ff 01 00", "wirelab.Contact", expect![[r#"
            error: byte 0: field number 8589934591 is past the largest (2^29 - 1)
        "#]]);
        // Nesting deeper than 64 is refused, not recursed into.
        let mut nested: Vec<u8> = Vec::new();
        for _ in 0..70 {
            let mut outer = vec![0x0a];
            prost::encoding::encode_varint(nested.len() as u64, &mut outer);
            outer.extend(nested);
            nested = outer;
        }
        let schema = Schema::compile("deep.proto", "syntax = \"proto3\";\nmessage D { D d = 1; }\n").expect("compiles");
        let error = decode(&nested, &schema, "D").map(|_| ()).unwrap_err();
        expect!["byte 136: messages nested deeper than 64"].assert_eq(&error.to_string());
    }

    fn map_fields() {
        let schema = Schema::compile(
            "maps.proto",
            "syntax = \"proto3\";\nmessage Point { int32 x = 1; int32 y = 2; }\nmessage M {\n  map<string, int32> counts = 1;\n  map<int32, Point> points = 2;\n  map<bool, string> flags = 3;\n}\n",
        )
        .expect("compiles");
        let document = doc(r#"{"counts": {"a": 1, "b": 0}, "points": {"7": {"x": 1}, "-2": {}}, "flags": {"true": "yes"}}"#);
        let encoded = encode(&document, &schema, "M").expect("encodes");
        let mut out = format!("{}\n", to_hex(&encoded.bytes));
        out.push_str(&render_map(&encoded.bytes, &encoded.map));
        let decoded = decode(&encoded.bytes, &schema, "M").expect("decodes");
        out.push_str(&format!("{}\n", show(&decoded.document)));
        out.push_str(&render_map(&encoded.bytes, &decoded.map));
        expect![[r#"
            0a 05 0a 01 61 10 01 0a 03 0a 01 62 12 06 08 07 12 02 08 01 12 0b 08 fe ff ff ff ff ff ff ff ff 01 1a 07 08 01 12 03 79 65 73
              0 0a          tag    counts.a               field 1 counts (map entry), wire type 2 (length-delimited)
              1 05          length counts.a               length 5
              2 0a          tag    counts.a               map key, field 1, wire type 2 (length-delimited)
              3 01          length counts.a               length 1
              4 61          key    counts.a               string "a"
              5 10          tag    counts.a               map value, field 2, wire type 0 (varint)
              6 01          value  counts.a               int32 1
              7 0a          tag    counts.b               field 1 counts (map entry), wire type 2 (length-delimited)
              8 03          length counts.b               length 3
              9 0a          tag    counts.b               map key, field 1, wire type 2 (length-delimited)
             10 01          length counts.b               length 1
             11 62          key    counts.b               string "b"
             12 12          tag    points.7               field 2 points (map entry), wire type 2 (length-delimited)
             13 06          length points.7               length 6
             14 08          tag    points.7               map key, field 1, wire type 0 (varint)
             15 07          key    points.7               int32 7
             16 12          tag    points.7               map value, field 2, wire type 2 (length-delimited)
             17 02          length points.7               length 2
             18 08          tag    points.7.x             field 1 x, wire type 0 (varint)
             19 01          value  points.7.x             int32 1
             20 12          tag    points.-2              field 2 points (map entry), wire type 2 (length-delimited)
             21 0b          length points.-2              length 11
             22 08          tag    points.-2              map key, field 1, wire type 0 (varint)
             23 fe ff ff…   key    points.-2              int32 -2
             33 1a          tag    flags.true             field 3 flags (map entry), wire type 2 (length-delimited)
             34 07          length flags.true             length 7
             35 08          tag    flags.true             map key, field 1, wire type 0 (varint)
             36 01          key    flags.true             bool true
             37 12          tag    flags.true             map value, field 2, wire type 2 (length-delimited)
             38 03          length flags.true             length 3
             39 79 65 73    value  flags.true             string "yes"
            {counts: {a: 1, b: 0}, points: {7: {x: 1}, -2: {}}, flags: {true: "yes"}}
              0 0a          tag    counts.a               field 1 counts (map entry), wire type 2 (length-delimited)
              1 05          length counts.a               length 5
              2 0a          tag    counts.a               map key, field 1, wire type 2 (length-delimited)
              3 01          length counts.a               length 1
              4 61          key    counts.a               string "a"
              5 10          tag    counts.a               map value, field 2, wire type 0 (varint)
              6 01          value  counts.a               int32 1
              7 0a          tag    counts.b               field 1 counts (map entry), wire type 2 (length-delimited)
              8 03          length counts.b               length 3
              9 0a          tag    counts.b               map key, field 1, wire type 2 (length-delimited)
             10 01          length counts.b               length 1
             11 62          key    counts.b               string "b"
             12 12          tag    points.7               field 2 points (map entry), wire type 2 (length-delimited)
             13 06          length points.7               length 6
             14 08          tag    points.7               map key, field 1, wire type 0 (varint)
             15 07          key    points.7               int32 7
             16 12          tag    points.7               map value, field 2, wire type 2 (length-delimited)
             17 02          length points.7               length 2
             18 08          tag    points.7.x             field 1 x, wire type 0 (varint)
             19 01          value  points.7.x             int32 1
             20 12          tag    points.-2              field 2 points (map entry), wire type 2 (length-delimited)
             21 0b          length points.-2              length 11
             22 08          tag    points.-2              map key, field 1, wire type 0 (varint)
             23 fe ff ff…   key    points.-2              int32 -2
             33 1a          tag    flags.true             field 3 flags (map entry), wire type 2 (length-delimited)
             34 07          length flags.true             length 7
             35 08          tag    flags.true             map key, field 1, wire type 0 (varint)
             36 01          key    flags.true             bool true
             37 12          tag    flags.true             map value, field 2, wire type 2 (length-delimited)
             38 03          length flags.true             length 3
             39 79 65 73    value  flags.true             string "yes"
        "#]].assert_eq(&out);
        let error = encode(&doc(r#"{"points": {"x": {}}}"#), &schema, "M").map(|_| ()).unwrap_err();
        expect![[r#"points.x: expected int32, got string "x""#]].assert_eq(&error.to_string());
    }

    fn oneofs_and_optional_fields() {
        let schema = Schema::compile(
            "oneof.proto",
            "syntax = \"proto3\";\nmessage O {\n  oneof choice { int32 a = 1; string b = 2; }\n  optional int32 c = 3;\n  int32 d = 4;\n}\n",
        )
        .expect("compiles");
        let run = |json: &str| match encode(&doc(json), &schema, "O") {
            Ok(encoded) => format!(
                "{} {:?}",
                to_hex(&encoded.bytes),
                encoded.losses.iter().map(|loss| loss.what.as_str()).collect::<Vec<_>>()
            ),
            Err(error) => format!("error: {error}"),
        };
        // Fields with presence are written even at their default value.
        expect![[r#"08 00 18 00 ["default value 0 not written (proto3 sends no defaults)"]"#]]
            .assert_eq(&run(r#"{"a": 0, "c": 0, "d": 0}"#));
        expect![[r#"error: b: only one field of oneof choice may be set, and "a" is set too"#]]
            .assert_eq(&run(r#"{"a": 1, "b": "x"}"#));
        expect![[r#"12 01 78 ["null leaves the field unset: not written"]"#]]
            .assert_eq(&run(r#"{"a": null, "b": "x"}"#));
    }

    fn guessing_the_message_type() {
        let schema = sample_schema();
        for sample in samples::all() {
            assert_eq!(schema.guess_message(&doc(&sample.json)).as_deref(), Some(sample.message), "{}", sample.name);
        }
        assert_eq!(schema.guess_message(&doc(r#"{"site": "A", "floor": 1}"#)).as_deref(), Some("wirelab.Location"));
        assert_eq!(schema.guess_message(&doc(r#"{"nothing": 1}"#)), None);
        assert_eq!(schema.guess_message(&doc("[1]")), None);
    }
}
