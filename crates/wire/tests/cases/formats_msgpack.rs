//! MessagePack: every marker family decoded with a byte map that covers every byte, errors at
//! the exact byte, and encoding (shortest integers, float64) with its map.

use expect_test::{Expect, expect};
use wire::formats::msgpack::{decode, encode};
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
        check_decode("82 a1 61 01 a1 62 92 c3 c0", expect![[r#"
            (root) = map of 2 @0..9
            a = 1 @3..4 key 1..3
            b = array of 2 @6..9 key 4..6
            b[0] = true @7..8
            b[1] = null @8..9
            --
            0..1 header (root) fixmap, 2 entries
            1..3 key a key, fixstr, 1 byte
            3..4 value a positive fixint 1
            4..6 key b key, fixstr, 1 byte
            6..7 header b fixarray, 2 items
            7..8 value b[0] true
            8..9 value b[1] nil
        "#]]);
        check_decode("de 00 01 a1 6b d9 03 61 62 63", expect![[r#"
            (root) = map of 1 @0..10
            k = "abc" @5..10 key 3..5
            --
            0..1 header (root) map16
            1..3 length (root) 1 entry
            3..5 key k key, fixstr, 1 byte
            5..6 header k str8
            6..7 length k 3 bytes
            7..10 value k "abc"
        "#]]);
        check_decode("81 cd 01 00 c4 02 de ad", expect![[r#"
            (root) = map of 1 @0..8
            256 = bytes [de, ad] @4..8 key 1..4
            --
            0..1 header (root) fixmap, 1 entry
            1..4 key 256 key, uint16
            4..5 header 256 bin8
            5..6 length 256 2 bytes
            6..8 value 256 2 bytes
            loss at 256: an integer key read as the string "256"
        "#]]);
        check_decode("c7 02 ff 01 02", expect![[r#"
            (root) = bytes [01, 02] @0..5
            --
            0..1 header (root) ext8
            1..2 length (root) 2 bytes
            2..3 header (root) ext type -1
            3..5 value (root) 2 bytes
            loss at (root): ext type -1 read as plain bytes
        "#]]);
    }

    fn every_marker_family() {
        check_values(
            &[
                "00", "7f", "e0", "ff", "cc ff", "cd 01 00", "ce 00 01 00 00", "cf ff ff ff ff ff ff ff ff",
                "d0 80", "d1 ff 00", "d2 80 00 00 00", "d3 80 00 00 00 00 00 00 00", "ca 3f c0 00 00",
                "cb 3f f8 00 00 00 00 00 00", "cb 7f f0 00 00 00 00 00 00", "c2", "c3", "c0", "a0",
                "d9 03 61 62 63", "da 00 01 61", "db 00 00 00 01 61", "c4 00", "c5 00 01 ff", "c6 00 00 00 01 ff",
                "d4 05 ff", "d5 01 01 02", "d8 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
                "c8 00 01 07 aa", "c9 00 00 00 00 07", "90", "80", "dc 00 01 01", "dd 00 00 00 01 01",
                "df 00 00 00 01 a1 61 c0",
            ],
            expect![[r#"
                00 → (root) = 0 
                7f → (root) = 127 
                e0 → (root) = -32 
                ff → (root) = -1 
                cc ff → (root) = 255 
                cd 01 00 → (root) = 256 
                ce 00 01 00 00 → (root) = 65536 
                cf ff ff ff ff ff ff ff ff → (root) = 18446744073709551615 
                d0 80 → (root) = -128 
                d1 ff 00 → (root) = -256 
                d2 80 00 00 00 → (root) = -2147483648 
                d3 80 00 00 00 00 00 00 00 → (root) = -9223372036854775808 
                ca 3f c0 00 00 → (root) = float 1.5 
                cb 3f f8 00 00 00 00 00 00 → (root) = float 1.5 
                cb 7f f0 00 00 00 00 00 00 → (root) = float inf 
                c2 → (root) = false 
                c3 → (root) = true 
                c0 → (root) = null 
                a0 → (root) = "" 
                d9 03 61 62 63 → (root) = "abc" 
                da 00 01 61 → (root) = "a" 
                db 00 00 00 01 61 → (root) = "a" 
                c4 00 → (root) = bytes [] 
                c5 00 01 ff → (root) = bytes [ff] 
                c6 00 00 00 01 ff → (root) = bytes [ff] 
                d4 05 ff → (root) = bytes [ff] loss at (root): ext type 5 read as plain bytes; 
                d5 01 01 02 → (root) = bytes [01, 02] loss at (root): ext type 1 read as plain bytes; 
                d8 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 → (root) = bytes [00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00] loss at (root): ext type 1 read as plain bytes; 
                c8 00 01 07 aa → (root) = bytes [aa] loss at (root): ext type 7 read as plain bytes; 
                c9 00 00 00 00 07 → (root) = bytes [] loss at (root): ext type 7 read as plain bytes; 
                90 → (root) = array of 0 
                80 → (root) = map of 0 
                dc 00 01 01 → (root) = array of 1, [0] = 1 
                dd 00 00 00 01 01 → (root) = array of 1, [0] = 1 
                df 00 00 00 01 a1 61 c0 → (root) = map of 1, a = null 
            "#]],
        );
    }

    fn what_the_document_model_cannot_hold() {
        check_values(&["a2 c3 28", "81 01 a1 78", "81 92 01 02 c0", "82 c3 01 cb 3f f8 00 00 00 00 00 00 02", "d7 ff 00 00 00 00 5f 00 00 00"], expect![[r#"
            a2 c3 28 → (root) = "�(" loss at (root): invalid UTF-8 in a string: replaced with U+FFFD; 
            81 01 a1 78 → (root) = map of 1, 1 = "x" loss at 1: an integer key read as the string "1"; 
            81 92 01 02 c0 → (root) = map of 1, [1,2] = null loss at [1,2]: an array key read as the string "[1,2]"; 
            82 c3 01 cb 3f f8 00 00 00 00 00 00 02 → (root) = map of 2, true = 1, 1.5 = 2 loss at true: a bool key read as the string "true"; loss at 1.5: a float key read as the string "1.5"; 
            d7 ff 00 00 00 00 5f 00 00 00 → (root) = bytes [00, 00, 00, 00, 5f, 00, 00, 00] loss at (root): ext type -1 read as plain bytes; 
        "#]]);
    }

    fn errors_at_the_exact_byte() {
        let too_deep = format!("{}00", "91 ".repeat(128));
        let deep_enough = format!("{}00", "91 ".repeat(127));
        check_values(
            &[
                "",
                "c1",
                "92 01 c1",
                "a5 61 62",
                "d9",
                "cd 01",
                "92 01",
                "01 02",
                "81 a1 61",
                "dc ff ff",
                "db ff ff ff ff 00",
                "c7 05",
                &too_deep,
            ],
            expect![[r#"
                 → error: byte 0: no value: the input is empty
                c1 → error: byte 0: marker 0xc1 is reserved and never used
                92 01 c1 → error: byte 2: marker 0xc1 is reserved and never used
                a5 61 62 → error: byte 1: truncated: the payload needs 5 bytes, 2 left
                d9 → error: byte 1: truncated: the length of str8 needs 1 byte, 0 left
                cd 01 → error: byte 1: truncated: uint16 needs 2 bytes, 1 left
                92 01 → error: byte 2: truncated: a value was expected
                01 02 → error: byte 1: 1 trailing byte after the first value
                81 a1 61 → error: byte 3: truncated: a value was expected
                dc ff ff → error: byte 3: truncated: a value was expected
                db ff ff ff ff 00 → error: byte 5: truncated: the payload needs 4294967295 bytes, 1 left
                c7 05 → error: byte 2: truncated: the ext type needs 1 byte, 0 left
                91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 91 00 → error: byte 127: nested deeper than 127 levels
            "#]],
        );
        assert!(decode(&bytes(&deep_enough)).is_ok());
    }

    fn encodes_with_a_map() {
        check_encode(
            &map_of(vec![
                ("id", Value::Integer(7)),
                ("neg", Value::Integer(-200)),
                ("ok", Value::Bool(true)),
                ("ratio", Value::Float(0.5)),
                ("raw", Value::Bytes(vec![1, 2])),
                ("list", Value::Array(vec![Node::new(Value::Null), Node::new(Value::String("hi".into()))])),
            ]),
            expect![[r#"
                86 a2 69 64 07 a3 6e 65 67 d1 ff 38 a2 6f 6b c3 a5 72 61 74 69 6f cb 3f e0 00 00 00 00 00 00 a3 72 61 77 c4 02 01 02 a4 6c 69 73 74 92 c0 a2 68 69
                --
                0..1 header (root) fixmap, 6 entries
                1..4 key id key, fixstr, 2 bytes
                4..5 value id positive fixint 7
                5..9 key neg key, fixstr, 3 bytes
                9..10 header neg int16
                10..12 value neg -200
                12..15 key ok key, fixstr, 2 bytes
                15..16 value ok true
                16..22 key ratio key, fixstr, 5 bytes
                22..23 header ratio float64
                23..31 value ratio 0.5
                31..35 key raw key, fixstr, 3 bytes
                35..36 header raw bin8
                36..37 length raw 2 bytes
                37..39 value raw 2 bytes
                39..44 key list key, fixstr, 4 bytes
                44..45 header list fixarray, 2 items
                45..46 value list[0] nil
                46..47 header list[1] fixstr, 2 bytes
                47..49 value list[1] "hi"
            "#]],
        );
    }

    fn integers_take_the_shortest_form() {
        let rendered: String = [0i128, 127, 128, 255, 256, 65_535, 65_536, 4_294_967_296, -1, -32, -33, -128, -129, -32_768,
            -32_769, -2_147_483_649, i128::from(u64::MAX), i128::from(i64::MIN)]
            .iter()
            .map(|&integer| {
                let encoded = encode(&Node::new(Value::Integer(integer)));
                let hex: Vec<String> = encoded.bytes.iter().map(|byte| format!("{byte:02x}")).collect();
                format!("{integer} → {}\n", hex.join(" "))
            })
            .collect();
        expect![[r#"
            0 → 00
            127 → 7f
            128 → cc 80
            255 → cc ff
            256 → cd 01 00
            65535 → cd ff ff
            65536 → ce 00 01 00 00
            4294967296 → cf 00 00 00 01 00 00 00 00
            -1 → ff
            -32 → e0
            -33 → d0 df
            -128 → d0 80
            -129 → d1 ff 7f
            -32768 → d1 80 00
            -32769 → d2 ff ff 7f ff
            -2147483649 → d3 ff ff ff ff 7f ff ff ff
            18446744073709551615 → cf ff ff ff ff ff ff ff ff
            -9223372036854775808 → d3 80 00 00 00 00 00 00 00
        "#]].assert_eq(&rendered);
    }

    fn losses_on_encoding() {
        check_encode(&map_of(vec![("low", Value::Integer(-(1i128 << 64)))]), expect![[r#"
            81 a3 6c 6f 77 cb c3 f0 00 00 00 00 00 00
            --
            0..1 header (root) fixmap, 1 entry
            1..5 key low key, fixstr, 3 bytes
            5..6 header low float64
            6..14 value low -18446744073709552000
            loss at low: -18446744073709551616 is outside MessagePack's integer range: written as a float64
        "#]]);
    }
}
