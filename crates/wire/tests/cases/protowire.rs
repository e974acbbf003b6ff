//! Schemaless Protobuf decoding: every wire type and reading, nesting, strings against packed
//! runs, gRPC frames, the document and byte map views, and the offset of each error.

use expect_test::{Expect, expect};
use wire::binary_input::parse_hex;
use wire::formats::Value;
use wire::hexdump::to_hex;
use wire::protowire::{GrpcFrame, ProtoValue, byte_map, decode, grpc_frame, readings, render, to_document};

fn bytes(hex: &str) -> Vec<u8> {
    parse_hex(hex).unwrap_or_else(|error| panic!("bad test hex {hex:?}: {error}"))
}

fn check(hex: &str, expected: Expect) {
    expected.assert_eq(&render(&decode(&bytes(hex))));
}

/// The byte map and the document of the schemaless decode.
fn check_views(hex: &str, expected: Expect) {
    let input = bytes(hex);
    let decoded = decode(&input);
    let map = byte_map(&decoded);
    map.check(input.len()).unwrap_or_else(|error| panic!("byte map: {error}"));
    let mut out = String::new();
    for span in map.spans() {
        let hex = to_hex(&input[span.span.offset..span.span.end()]);
        let hex = if hex.len() > 11 { format!("{}…", &hex[..8]) } else { hex };
        out.push_str(&format!(
            "{:>3} {hex:<11} {:<6} {:<8} {}\n",
            span.span.offset,
            span.role.label(),
            span.path.to_string(),
            span.detail
        ));
    }
    out.push_str(&format!("{}\n", show(&to_document(&decoded).value)));
    expected.assert_eq(&out);
}

fn show(value: &Value) -> String {
    match value {
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|entry| format!("{}: {}", entry.key, show(&entry.value.value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(|item| show(&item.value)).collect::<Vec<_>>().join(", "))
        }
        Value::Bytes(bytes) => format!("b[{}]", to_hex(bytes)),
        Value::String(text) => format!("{text:?}"),
        Value::Integer(value) => value.to_string(),
        Value::Float(value) => format!("{value:?}"),
        other => format!("{other:?}"),
    }
}

fn readings_of(value: ProtoValue) -> String {
    readings(&value).iter().map(|reading| format!("{} {}", reading.label, reading.text)).collect::<Vec<_>>().join(" · ")
}

case_test! {
    fn valid_messages() {
        // The Protobuf documentation's classic: field 1 = 150.
        check("08 96 01", expect![[r#"
            @0     #1 varint = uint64 150 · sint64 75
        "#]]);
        check("08 00 10 01 18 7f", expect![[r#"
            @0     #1 varint = uint64 0 · bool false
            @2     #2 varint = uint64 1 · sint64 -1 · bool true
            @4     #3 varint = uint64 127 · sint64 -64
        "#]]);
        check("08 ff ff ff ff ff ff ff ff ff 01", expect![[r#"
            @0     #1 varint = int32 -1 · uint64 18446744073709551615 · sint64 -9223372036854775808
        "#]]);
        check("12 07 74 65 73 74 69 6e 67", expect![[r#"
            @0     #2 string (7 B) = "testing"
        "#]]);
        check("1a 03 08 96 01", expect![[r#"
            @0     #3 message (3 B) {
                   also: packed varints [8, 150]
              @2     #1 varint = uint64 150 · sint64 75
            }
        "#]]);
        check("25 00 00 80 3f 29 00 00 00 00 00 00 f0 3f", expect![[r#"
            @0     #4 fixed32 = float 1.0 · uint32 1065353216
            @5     #5 fixed64 = double 1.0 · uint64 4607182418800017408
        "#]]);
        check("32 02 ff fe", expect![[r#"
            @0     #6 bytes (2 B) = ff fe
        "#]]);
    }

    fn every_reading_of_a_value() {
        expect!["uint64 150 · sint64 75"].assert_eq(&readings_of(ProtoValue::Varint(150)));
        expect!["uint64 1 · sint64 -1 · bool true"].assert_eq(&readings_of(ProtoValue::Varint(1)));
        expect!["int32 -1 · uint64 18446744073709551615 · sint64 -9223372036854775808"]
            .assert_eq(&readings_of(ProtoValue::Varint(u64::MAX)));
        expect!["int32 -182 · uint64 18446744073709551434 · sint64 9223372036854775717"]
            .assert_eq(&readings_of(ProtoValue::Varint((-182i64) as u64)));
        expect!["int64 -9223372036854775808 · uint64 9223372036854775808 · sint64 4611686018427387904"]
            .assert_eq(&readings_of(ProtoValue::Varint(1 << 63)));
        expect!["uint32 7 · float 1e-44"].assert_eq(&readings_of(ProtoValue::Fixed32(7)));
        expect!["float -18.25 · uint32 3247570944 · int32 -1047396352"]
            .assert_eq(&readings_of(ProtoValue::Fixed32((-18.25f32).to_bits())));
        expect!["double 41.5 · uint64 4631037423076245504"]
            .assert_eq(&readings_of(ProtoValue::Fixed64(41.5f64.to_bits())));
        expect!["uint64 18446744073709551614 · int64 -2 · double NaN"]
            .assert_eq(&readings_of(ProtoValue::Fixed64(u64::MAX - 1)));
    }

    fn strings_messages_and_packed_runs() {
        // Packed varints (the sample's error codes [3, 150, 7]) are not text and not a message.
        check("3a 04 03 96 01 07", expect![[r#"
            @0     #7 packed varints (4 B) = [3, 150, 7]
        "#]]);
        // Packed floats (the sample's samples) and doubles.
        check("32 10 00 00 92 c1 00 00 94 c1 00 00 90 c1 00 00 8e c1", expect![[r#"
            @0     #6 packed float (16 B) = [-18.25, -18.5, -18.0, -17.75]
        "#]]);
        check("32 08 00 00 c0 3f 00 00 20 40", expect![[r#"
            @0     #6 packed float (8 B) = [1.5, 2.5]
                   also: packed varints [0, 0, 8128, 0, 0, 32, 64]
        "#]]);
        check("22 10 00 00 00 00 00 c0 44 40 9a 99 99 99 99 99 b9 3f", expect![[r#"
            @0     #4 packed double (16 B) = [41.5, 0.1]
                   also: packed varints [0, 0, 0, 0, 0, 8768, 64, 35717401473862810]
        "#]]);
        // Text first, even though it also parses as something else; then a one-value varint run.
        check("0a 05 4c 61 62 20 42", expect![[r#"
            @0     #1 string (5 B) = "Lab B"
        "#]]);
        check("0a 02 96 01", expect![[r#"
            @0     #1 packed varints (2 B) = [150]
        "#]]);
        // A nested message that is also a run of varints: the message wins, the run is shown.
        check("42 09 0a 05 4c 61 62 20 42 20 01", expect![[r#"
            @0     #8 message (9 B) {
                   also: packed varints [10, 5, 76, 97, 98, 32, 66, 32, … 1 more]
              @2     #1 string (5 B) = "Lab B"
              @9     #4 varint = uint64 1 · sint64 -1 · bool true
            }
        "#]]);
        // Groups make a message only when each start has its end.
        check("0a 02 0b 0c", expect![[r#"
            @0     #1 message (2 B) {
                   also: packed varints [11, 12]
              @2     #1 group start
              @3     #1 group end
            }
        "#]]);
        check("0a 02 0b 14", expect![[r#"
            @0     #1 packed varints (2 B) = [11, 20]
        "#]]);
        check("0a 01 0c", expect![[r#"
            @0     #1 packed varints (1 B) = [12]
        "#]]);
        check("0a 00", expect![[r#"
            @0     #1 bytes (0 B) = 
        "#]]);
    }

    fn grpc_frames() {
        assert_eq!(grpc_frame(&bytes("00 00 00 00 03 08 96 01")), Some(GrpcFrame { compressed: false, length: 3 }));
        assert_eq!(grpc_frame(&bytes("00 00 00 00 04 08 96 01")), None);
        assert_eq!(grpc_frame(&bytes("02 00 00 00 03 08 96 01")), None);
        assert_eq!(grpc_frame(&bytes("00 00 00")), None);
        check("00 00 00 00 03 08 96 01", expect![[r#"
            @0     gRPC frame header: not compressed, message length 3
            @5     #1 varint = uint64 150 · sint64 75
        "#]]);
        check("00 00 00 00 00", expect![[r#"
            @0     gRPC frame header: not compressed, message length 0
        "#]]);
        check("01 00 00 00 02 1f 8b", expect![[r#"
            @0     gRPC frame header: compressed, message length 2
            error at byte 5: the message is compressed (see the call's grpc-encoding header): not decoded
        "#]]);
        check_views("00 00 00 00 05 0a 03 41 64 61", expect![[r#"
              0 00          header (root)   gRPC frame: not compressed
              1 00 00 00 05 header (root)   gRPC frame: message length 5
              5 0a          tag    1        field 1, wire type 2 (length-delimited)
              6 03          length 1        length 3
              7 41 64 61    value  1        string "Ada"
            {1: "Ada"}
        "#]]);
    }

    fn document_and_byte_map() {
        check_views("08 96 01 12 07 74 65 73 74 69 6e 67 1a 03 08 96 01 3a 04 03 96 01 07", expect![[r#"
              0 08          tag    1        field 1, wire type 0 (varint)
              1 96 01       value  1        uint64 150 · sint64 75
              3 12          tag    2        field 2, wire type 2 (length-delimited)
              4 07          length 2        length 7
              5 74 65 73…   value  2        string "testing"
             12 1a          tag    3        field 3, wire type 2 (length-delimited)
             13 03          length 3        length 3
             14 08          tag    3.1      field 1, wire type 0 (varint)
             15 96 01       value  3.1      uint64 150 · sint64 75
             17 3a          tag    7        field 7, wire type 2 (length-delimited)
             18 04          length 7        length 4
             19 03          value  7[0]     varint 3 · sint64 -2
             20 96 01       value  7[1]     varint 150 · sint64 75
             22 07          value  7[2]     varint 7 · sint64 -4
            {1: 150, 2: "testing", 3: {1: 150}, 7: [3, 150, 7]}
        "#]]);
        check_views("08 01 08 02 2d 00 00 80 3f 31 ff ff ff ff ff ff ff ff", expect![[r#"
              0 08          tag    1[0]     field 1, wire type 0 (varint)
              1 01          value  1[0]     uint64 1 · sint64 -1 · bool true
              2 08          tag    1[1]     field 1, wire type 0 (varint)
              3 02          value  1[1]     uint64 2 · sint64 1
              4 2d          tag    5        field 5, wire type 5 (fixed32)
              5 00 00 80 3f value  5        float 1.0 · uint32 1065353216
              9 31          tag    6        field 6, wire type 1 (fixed64)
             10 ff ff ff…   value  6        uint64 18446744073709551615 · int64 -1 · double NaN
            {1: [1, 2], 5: 1.0, 6: 18446744073709551615}
        "#]]);
        check_views("0b 08 01 0c", expect![[r#"
              0 0b          tag    1        field 1, wire type 3 (group start)
              1 08          tag    1        field 1, wire type 0 (varint)
              2 01          value  1        uint64 1 · sint64 -1 · bool true
              3 0c          tag    1        field 1, wire type 4 (group end)
            {1: 1}
        "#]]);
        // Bytes after a malformed place are not mapped.
        check_views("08 96 01 12 05 61 62", expect![[r#"
              0 08          tag    1        field 1, wire type 0 (varint)
              1 96 01       value  1        uint64 150 · sint64 75
            {1: 150}
        "#]]);
    }

    fn malformed_messages() {
        check("08", expect![[r#"
            error at byte 1: truncated varint value
        "#]]);
        check("08 96 01 12 05 61 62", expect![[r#"
            @0     #1 varint = uint64 150 · sint64 75
            error at byte 4: length 5 runs past the end (2 bytes left)
        "#]]);
        check("08 01 0e", expect![[r#"
            @0     #1 varint = uint64 1 · sint64 -1 · bool true
            error at byte 2: wire type 6 does not exist (field 1)
        "#]]);
        check("08 01 0f", expect![[r#"
            @0     #1 varint = uint64 1 · sint64 -1 · bool true
            error at byte 2: wire type 7 does not exist (field 1)
        "#]]);
        check("00", expect![[r#"
            error at byte 0: field number 0 is not allowed
        "#]]);
        check("0d 01 02", expect![[r#"
            error at byte 1: fixed32 needs 4 bytes, 2 left
        "#]]);
        check("09 01 02 03", expect![[r#"
            error at byte 1: fixed64 needs 8 bytes, 3 left
        "#]]);
        check("80 80", expect![[r#"
            error at byte 0: truncated or overlong varint in a field key
        "#]]);
        check("12", expect![[r#"
            error at byte 1: truncated length prefix
        "#]]);
        check("12 ff ff ff ff ff ff ff ff ff 01", expect![[r#"
            error at byte 1: length 18446744073709551615 runs past the end (0 bytes left)
        "#]]);
        check("08 ff ff ff ff ff ff ff ff ff 7f", expect![[r#"
            error at byte 1: truncated varint value
        "#]]);
        // Inside a gRPC frame, offsets count the header.
        check("00 00 00 00 02 08 80", expect![[r#"
            @0     gRPC frame header: not compressed, message length 2
            error at byte 6: truncated varint value
        "#]]);
    }
}
