//! CBOR: every major type decoded with a byte map that covers every byte (indefinite lengths, tags,
//! half floats), errors at the exact byte, and encoding (shortest integers and floats) with its map.

use expect_test::{Expect, expect};
use wire::formats::cbor::{decode, encode};
use wire::formats::{Node, Value};

use super::format_rendering::{self, bytes, map_of};

fn check_decode(hex: &str, expected: Expect) {
    format_rendering::check_decode(decode, hex, expected);
}

fn check_values(hexes: &[&str], expected: Expect) {
    format_rendering::check_values(decode, hexes, expected);
}

fn check_encode(document: &Node, expected: Expect) {
    format_rendering::check_encode(encode, document, expected);
}

case_test! {
    fn byte_maps_of_small_documents() {
        check_decode("a2 61 61 01 61 62 82 f5 f6", expect![[r#"
            (root) = map of 2 @0..9
            a = 1 @3..4 key 1..3
            b = array of 2 @6..9 key 4..6
            b[0] = true @7..8
            b[1] = null @8..9
            --
            0..1 header (root) major type 5 (map), 2 pairs
            1..3 key a key, major type 3 (text), 1 byte
            3..4 value a major type 0 (unsigned integer) 1
            4..6 key b key, major type 3 (text), 1 byte
            6..7 header b major type 4 (array), 2 items
            7..8 value b[0] true
            8..9 value b[1] null
        "#]]);
        check_decode("a1 61 6b 78 03 61 62 63", expect![[r#"
            (root) = map of 1 @0..8
            k = "abc" @3..8 key 1..3
            --
            0..1 header (root) major type 5 (map), 1 pair
            1..3 key k key, major type 3 (text), 1 byte
            3..4 header k major type 3 (text)
            4..5 length k 3 bytes
            5..8 value k "abc"
        "#]]);
        check_decode("19 01 f4", expect![[r#"
            (root) = 500 @0..3
            --
            0..1 header (root) major type 0 (unsigned integer), 2-byte argument
            1..3 value (root) 500
        "#]]);
        check_decode("7f 62 61 62 61 63 ff", expect![[r#"
            (root) = "abc" @0..7
            --
            0..1 header (root) major type 3 (text), indefinite length
            1..2 header (root) chunk, major type 3 (text), 2 bytes
            2..4 value (root) "ab"
            4..5 header (root) chunk, major type 3 (text), 1 byte
            5..6 value (root) "c"
            6..7 header (root) break
        "#]]);
        check_decode("9f 01 9f ff ff", expect![[r#"
            (root) = array of 2 @0..5
            [0] = 1 @1..2
            [1] = array of 0 @2..4
            --
            0..1 header (root) major type 4 (array), indefinite length
            1..2 value [0] major type 0 (unsigned integer) 1
            2..3 header [1] major type 4 (array), indefinite length
            3..4 header [1] break
            4..5 header (root) break
        "#]]);
        check_decode("c1 1a 5f 00 00 00", expect![[r#"
            (root) = 1593835520 @0..6
            --
            0..1 header (root) tag 1 (epoch-based date/time)
            1..2 header (root) major type 0 (unsigned integer), 4-byte argument
            2..6 value (root) 1593835520
            loss at (root): tag 1 (epoch-based date/time) dropped: the value is kept
        "#]]);
    }

    fn every_major_type() {
        check_values(
            &[
                "00", "17", "18 18", "19 03 e8", "1a 00 0f 42 40", "1b ff ff ff ff ff ff ff ff", "20", "38 63",
                "3b ff ff ff ff ff ff ff ff", "40", "43 01 02 03", "60", "64 49 45 54 46", "80", "83 01 02 03",
                "a0", "bf 61 61 01 ff", "5f 42 01 02 41 03 ff", "f4", "f5", "f6", "f7", "f0", "f8 ff",
                "f9 00 00", "f9 80 00", "f9 3c 00", "f9 7b ff", "f9 00 01", "f9 7c 00", "f9 fc 00", "f9 7e 00",
                "fa 47 c3 50 00", "fb 3f f1 99 99 99 99 99 9a", "c2 49 01 00 00 00 00 00 00 00 00",
                "c2 42 01 00", "c3 41 00", "c2 48 ff ff ff ff ff ff ff ff", "c3 48 ff ff ff ff ff ff ff ff",
                "d9 d9 f7 01",
            ],
            expect![[r#"
                00 → (root) = 0 
                17 → (root) = 23 
                18 18 → (root) = 24 
                19 03 e8 → (root) = 1000 
                1a 00 0f 42 40 → (root) = 1000000 
                1b ff ff ff ff ff ff ff ff → (root) = 18446744073709551615 
                20 → (root) = -1 
                38 63 → (root) = -100 
                3b ff ff ff ff ff ff ff ff → (root) = -18446744073709551616 
                40 → (root) = bytes [] 
                43 01 02 03 → (root) = bytes [01, 02, 03] 
                60 → (root) = "" 
                64 49 45 54 46 → (root) = "IETF" 
                80 → (root) = array of 0 
                83 01 02 03 → (root) = array of 3, [0] = 1, [1] = 2, [2] = 3 
                a0 → (root) = map of 0 
                bf 61 61 01 ff → (root) = map of 1, a = 1 
                5f 42 01 02 41 03 ff → (root) = bytes [01, 02, 03] 
                f4 → (root) = false 
                f5 → (root) = true 
                f6 → (root) = null 
                f7 → (root) = null loss at (root): undefined read as null; 
                f0 → (root) = null loss at (root): simple value 16 read as null; 
                f8 ff → (root) = null loss at (root): simple value 255 read as null; 
                f9 00 00 → (root) = float 0.0 
                f9 80 00 → (root) = float -0.0 
                f9 3c 00 → (root) = float 1.0 
                f9 7b ff → (root) = float 65504.0 
                f9 00 01 → (root) = float 5.960464477539063e-8 
                f9 7c 00 → (root) = float inf 
                f9 fc 00 → (root) = float -inf 
                f9 7e 00 → (root) = float NaN 
                fa 47 c3 50 00 → (root) = float 100000.0 
                fb 3f f1 99 99 99 99 99 9a → (root) = float 1.1 
                c2 49 01 00 00 00 00 00 00 00 00 → (root) = bytes [01, 00, 00, 00, 00, 00, 00, 00, 00] loss at (root): bignum beyond 64 bits: kept as its bytes; 
                c2 42 01 00 → (root) = 256 
                c3 41 00 → (root) = -1 
                c2 48 ff ff ff ff ff ff ff ff → (root) = 18446744073709551615 
                c3 48 ff ff ff ff ff ff ff ff → (root) = -18446744073709551616 
                d9 d9 f7 01 → (root) = 1 loss at (root): tag 55799 (self-described CBOR) dropped: the value is kept; 
            "#]],
        );
    }

    fn what_the_document_model_cannot_hold() {
        check_values(&["62 c3 28", "a1 01 61 78", "a1 f5 00", "a1 82 01 02 f6", "c0 74 32 30 31 33 2d 30 33 2d 32 31 54 32 30 3a 30 34 3a 30 30 5a"], expect![[r#"
            62 c3 28 → (root) = "�(" loss at (root): invalid UTF-8 in a text string: replaced with U+FFFD; 
            a1 01 61 78 → (root) = map of 1, 1 = "x" loss at 1: an integer key read as the string "1"; 
            a1 f5 00 → (root) = map of 1, true = 0 loss at true: a bool key read as the string "true"; 
            a1 82 01 02 f6 → (root) = map of 1, [1,2] = null loss at [1,2]: an array key read as the string "[1,2]"; 
            c0 74 32 30 31 33 2d 30 33 2d 32 31 54 32 30 3a 30 34 3a 30 30 5a → (root) = "2013-03-21T20:04:00Z" loss at (root): tag 0 (date/time string) dropped: the value is kept; 
        "#]]);
    }

    fn errors_at_the_exact_byte() {
        let too_deep = format!("{}00", "81 ".repeat(128));
        let deep_enough = format!("{}00", "81 ".repeat(127));
        let tags_too_deep = format!("{}00", "c1 ".repeat(200));
        check_values(
            &[
                "",
                "1c",
                "82 01 1e",
                "18",
                "19 01",
                "63 61 62",
                "82 01",
                "01 02",
                "a1 61 61",
                "ff",
                "1f",
                "df",
                "9f 01",
                "7f 61 61 41 62 ff",
                "7f 7f ff ff",
                "5f 5f ff ff",
                "9b ff ff ff ff ff ff ff ff",
                "7b 00 00 00 01 00 00 00 00 00",
                &too_deep,
                &tags_too_deep,
            ],
            expect![[r#"
                 → error: byte 0: no value: the input is empty
                1c → error: byte 0: additional information 28 is reserved
                82 01 1e → error: byte 2: additional information 30 is reserved
                18 → error: byte 1: truncated: the argument of major type 0 (unsigned integer) needs 1 byte, 0 left
                19 01 → error: byte 1: truncated: the argument of major type 0 (unsigned integer) needs 2 bytes, 1 left
                63 61 62 → error: byte 1: truncated: the payload needs 3 bytes, 2 left
                82 01 → error: byte 2: truncated: a value was expected
                01 02 → error: byte 1: 1 trailing byte after the first value
                a1 61 61 → error: byte 3: truncated: a value was expected
                ff → error: byte 0: unexpected break (0xff) outside an indefinite-length item
                1f → error: byte 0: major type 0 (unsigned integer) cannot have indefinite length
                df → error: byte 0: major type 6 (tag) cannot have indefinite length
                9f 01 → error: byte 2: truncated: an item or a break (0xff) was expected
                7f 61 61 41 62 ff → error: byte 3: a chunk of an indefinite-length major type 3 (text) must be a definite major type 3 (text)
                7f 7f ff ff → error: byte 1: a chunk of an indefinite-length major type 3 (text) must be a definite major type 3 (text)
                5f 5f ff ff → error: byte 1: a chunk of an indefinite-length major type 2 (bytes) must be a definite major type 2 (bytes)
                9b ff ff ff ff ff ff ff ff → error: byte 9: truncated: a value was expected
                7b 00 00 00 01 00 00 00 00 00 → error: byte 9: truncated: the payload needs 4294967296 bytes, 1 left
                81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 00 → error: byte 127: nested deeper than 127 levels
                c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 c1 00 → error: byte 127: nested deeper than 127 levels
            "#]],
        );
        assert!(decode(&bytes(&deep_enough)).is_ok());
    }

    fn encodes_with_a_map() {
        check_encode(
            &map_of(vec![
                ("id", Value::Integer(500)),
                ("neg", Value::Integer(-1)),
                ("ok", Value::Bool(false)),
                ("half", Value::Float(1.5)),
                ("raw", Value::Bytes(vec![1, 2])),
                ("list", Value::Array(vec![Node::new(Value::Null), Node::new(Value::String("hi".into()))])),
            ]),
            expect![[r#"
                a6 62 69 64 19 01 f4 63 6e 65 67 20 62 6f 6b f4 64 68 61 6c 66 f9 3e 00 63 72 61 77 42 01 02 64 6c 69 73 74 82 f6 62 68 69
                --
                0..1 header (root) major type 5 (map), 6 pairs
                1..4 key id key, major type 3 (text), 2 bytes
                4..5 header id major type 0 (unsigned integer), 2-byte argument
                5..7 value id 500
                7..11 key neg key, major type 3 (text), 3 bytes
                11..12 value neg major type 1 (negative integer) -1
                12..15 key ok key, major type 3 (text), 2 bytes
                15..16 value ok false
                16..21 key half key, major type 3 (text), 4 bytes
                21..22 header half float16
                22..24 value half 1.5
                24..28 key raw key, major type 3 (text), 3 bytes
                28..29 header raw major type 2 (bytes), 2 bytes
                29..31 value raw 2 bytes
                31..36 key list key, major type 3 (text), 4 bytes
                36..37 header list major type 4 (array), 2 items
                37..38 value list[0] null
                38..39 header list[1] major type 3 (text), 2 bytes
                39..41 value list[1] "hi"
            "#]],
        );
    }

    fn shortest_integers_and_floats() {
        let values = [
            Value::Integer(23),
            Value::Integer(24),
            Value::Integer(255),
            Value::Integer(256),
            Value::Integer(65_536),
            Value::Integer(4_294_967_296),
            Value::Integer(-24),
            Value::Integer(-25),
            Value::Integer(-(1i128 << 64)),
            Value::Integer(i128::from(u64::MAX)),
            Value::Float(0.0),
            Value::Float(-0.0),
            Value::Float(1.5),
            Value::Float(65_504.0),
            Value::Float(100_000.0),
            Value::Float(1.1),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NAN),
        ];
        let rendered: String = values
            .iter()
            .map(|value| {
                let encoded = encode(&Node::new(value.clone()));
                let hex: Vec<String> = encoded.bytes.iter().map(|byte| format!("{byte:02x}")).collect();
                format!("{value:?} → {}\n", hex.join(" "))
            })
            .collect();
        expect![[r#"
            Integer(23) → 17
            Integer(24) → 18 18
            Integer(255) → 18 ff
            Integer(256) → 19 01 00
            Integer(65536) → 1a 00 01 00 00
            Integer(4294967296) → 1b 00 00 00 01 00 00 00 00
            Integer(-24) → 37
            Integer(-25) → 38 18
            Integer(-18446744073709551616) → 3b ff ff ff ff ff ff ff ff
            Integer(18446744073709551615) → 1b ff ff ff ff ff ff ff ff
            Float(0.0) → f9 00 00
            Float(-0.0) → f9 80 00
            Float(1.5) → f9 3e 00
            Float(65504.0) → f9 7b ff
            Float(100000.0) → fa 47 c3 50 00
            Float(1.1) → fb 3f f1 99 99 99 99 99 9a
            Float(inf) → f9 7c 00
            Float(NaN) → f9 7e 00
        "#]].assert_eq(&rendered);
    }

    fn losses_on_encoding() {
        check_encode(&map_of(vec![("low", Value::Integer(-(1i128 << 64) - 1))]), expect![[r#"
            a1 63 6c 6f 77 fa df 80 00 00
            --
            0..1 header (root) major type 5 (map), 1 pair
            1..5 key low key, major type 3 (text), 3 bytes
            5..6 header low float32
            6..10 value low -18446744073709552000
            loss at low: -18446744073709551617 is outside CBOR's integer range: written as a float
        "#]]);
    }
}
