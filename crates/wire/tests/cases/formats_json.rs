//! JSON: documents with spans for every key and value, serde_json's errors at their place,
//! encoding in both styles with byte maps, and what JSON cannot carry.

use expect_test::{Expect, expect};
use wire::formats::json::{Style, encode, parse};
use wire::formats::{Entry, Node, Value};

use super::format_rendering::{assert_text_covered, render_losses, render_map, render_node};

fn check_parse(text: &str, expected: Expect) {
    let rendered = match parse(text) {
        Ok(decoded) => {
            assert_text_covered(&decoded.map, text.as_bytes());
            format!("{}--\n{}", render_node(&decoded.document), render_map(&decoded.map))
        }
        Err(error) => format!("error: {error}\n"),
    };
    expected.assert_eq(&rendered);
}

fn check_values(texts: &[&str], expected: Expect) {
    let rendered: String = texts
        .iter()
        .map(|text| match parse(text) {
            Ok(decoded) => format!("{text} → {}", render_node(&decoded.document.without_spans()).replace(" @-", "")),
            Err(error) => format!("{text} → error: {error}\n"),
        })
        .collect();
    expected.assert_eq(&rendered);
}

fn check_errors(texts: &[&str], expected: Expect) {
    let rendered: String = texts
        .iter()
        .map(|text| match parse(text) {
            Ok(_) => format!("{text:?} → ok\n"),
            Err(error) => {
                let offset = error.location.map_or(usize::MAX, |location| location.offset);
                format!("{text:?} → byte {offset}, {error}\n")
            }
        })
        .collect();
    expected.assert_eq(&rendered);
}

fn check_encode(document: &Node, style: Style, expected: Expect) {
    let encoded = encode(document, style);
    assert_text_covered(&encoded.map, &encoded.bytes);
    let text = String::from_utf8(encoded.bytes).expect("JSON is UTF-8");
    expected.assert_eq(&format!("{text}\n--\n{}{}", render_map(&encoded.map), render_losses(&encoded.losses)));
}

fn document(json: &str) -> Node {
    parse(json).unwrap_or_else(|error| panic!("bad test JSON: {error}")).document
}

case_test! {
    fn spans_of_keys_and_values() {
        check_parse(r#"{"a": 1, "b": [true, null]}"#, expect![[r#"
            (root) = map of 2 @0..27
            a = 1 @6..7 key 1..4
            b = array of 2 @14..26 key 9..12
            b[0] = true @15..19
            b[1] = null @21..25
            --
            0..1 structure (root) map begins
            1..4 key a key
            4..5 structure (root) colon
            6..7 value a integer
            7..8 structure (root) comma
            9..12 key b key
            12..13 structure (root) colon
            14..15 structure b array begins
            15..19 value b[0] true
            19..20 structure b comma
            21..25 value b[1] null
            25..26 structure b array ends
            26..27 structure (root) map ends
        "#]]);
        check_parse(r#"  "x\"y"  "#, expect![[r#"
            (root) = "x\"y" @2..8
            --
            2..8 value (root) string
        "#]]);
        check_parse("[]", expect![[r#"
            (root) = array of 0 @0..2
            --
            0..1 structure (root) array begins
            1..2 structure (root) array ends
        "#]]);
    }

    fn values_and_their_types() {
        check_values(
            &[
                "0",
                "-0",
                "42",
                "-9223372036854775808",
                "18446744073709551615",
                "18446744073709551616",
                "1.5",
                "1e3",
                "-2.5E-3",
                r#""\u00e9\ud83d\ude00\n""#,
                r#""\ud800""#,
                r#"{"k": 1, "k": 2}"#,
                r#"{"z": 1, "a": 2}"#,
            ],
            expect![[r#"
                0 → (root) = 0
                -0 → (root) = float -0.0
                42 → (root) = 42
                -9223372036854775808 → (root) = -9223372036854775808
                18446744073709551615 → (root) = 18446744073709551615
                18446744073709551616 → (root) = float 1.8446744073709552e19
                1.5 → (root) = float 1.5
                1e3 → (root) = float 1000.0
                -2.5E-3 → (root) = float -0.0025
                "\u00e9\ud83d\ude00\n" → (root) = "é😀\n"
                "\ud800" → error: line 1, column 8: unexpected end of hex escape
                {"k": 1, "k": 2} → (root) = map of 2
                k = 1
                k = 2
                {"z": 1, "a": 2} → (root) = map of 2
                z = 1
                a = 2
            "#]],
        );
    }

    fn errors_where_serde_json_finds_them() {
        check_errors(
            &[
                "",
                "   ",
                "[1, 2",
                "[1, 2,]",
                "{\"a\": 1,\n}",
                "{\"a\" 1}",
                "{a: 1}",
                "[1]\n[2]",
                "tru",
                "01",
                "1e999",
                "\"tab\there\"",
                "\"bad \\x escape\"",
                "[1,\n 2,\n x]",
                "{\"é\": ü}",
            ],
            expect![[r#"
                "" → byte 0, line 1, column 1: EOF while parsing a value
                "   " → byte 3, line 1, column 4: EOF while parsing a value
                "[1, 2" → byte 5, line 1, column 6: EOF while parsing a list
                "[1, 2,]" → byte 6, line 1, column 7: trailing comma
                "{\"a\": 1,\n}" → byte 9, line 2, column 1: trailing comma
                "{\"a\" 1}" → byte 5, line 1, column 6: expected `:`
                "{a: 1}" → byte 1, line 1, column 2: key must be a string
                "[1]\n[2]" → byte 4, line 2, column 1: trailing characters
                "tru" → byte 3, line 1, column 4: EOF while parsing a value
                "01" → byte 1, line 1, column 2: invalid number
                "1e999" → byte 4, line 1, column 5: number out of range
                "\"tab\there\"" → byte 4, line 1, column 5: control character (\u0000-\u001F) found while parsing a string
                "\"bad \\x escape\"" → byte 6, line 1, column 7: invalid escape
                "[1,\n 2,\n x]" → byte 9, line 3, column 2: expected value
                "{\"é\": ü}" → byte 7, line 1, column 7: expected value
            "#]],
        );
    }

    fn nesting_is_bounded() {
        let deep_ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(parse(&deep_ok).is_ok());
        let too_deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
        check_errors(&[&too_deep[..130]], expect![[r#"
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]" → byte 127, line 1, column 128: recursion limit exceeded
        "#]]);
        let error = parse(&too_deep).expect_err("128 levels");
        expect!["line 1, column 128: recursion limit exceeded"].assert_eq(&error.to_string());
        let huge = "[".repeat(100_000);
        assert!(parse(&huge).is_err());
    }

    fn encodes_pretty_and_compact() {
        let doc = document(r#"{"name": "Ada", "tags": ["math", 1.0], "empty": {}, "none": [], "n": null}"#);
        check_encode(&doc, Style::Pretty, expect![[r#"
            {
              "name": "Ada",
              "tags": [
                "math",
                1.0
              ],
              "empty": {},
              "none": [],
              "n": null
            }
            --
            0..1 structure (root) map begins
            4..10 key name key
            10..11 structure (root) colon
            12..17 value name string
            17..18 structure (root) comma
            21..27 key tags key
            27..28 structure (root) colon
            29..30 structure tags array begins
            35..41 value tags[0] string
            41..42 structure tags comma
            47..50 value tags[1] float
            53..54 structure tags array ends
            54..55 structure (root) comma
            58..65 key empty key
            65..66 structure (root) colon
            67..69 structure empty empty map
            69..70 structure (root) comma
            73..79 key none key
            79..80 structure (root) colon
            81..83 structure none empty array
            83..84 structure (root) comma
            87..90 key n key
            90..91 structure (root) colon
            92..96 value n null
            97..98 structure (root) map ends
        "#]]);
        check_encode(&doc, Style::Compact, expect![[r#"
            {"name":"Ada","tags":["math",1.0],"empty":{},"none":[],"n":null}
            --
            0..1 structure (root) map begins
            1..7 key name key
            7..8 structure (root) colon
            8..13 value name string
            13..14 structure (root) comma
            14..20 key tags key
            20..21 structure (root) colon
            21..22 structure tags array begins
            22..28 value tags[0] string
            28..29 structure tags comma
            29..32 value tags[1] float
            32..33 structure tags array ends
            33..34 structure (root) comma
            34..41 key empty key
            41..42 structure (root) colon
            42..44 structure empty empty map
            44..45 structure (root) comma
            45..51 key none key
            51..52 structure (root) colon
            52..54 structure none empty array
            54..55 structure (root) comma
            55..58 key n key
            58..59 structure (root) colon
            59..63 value n null
            63..64 structure (root) map ends
        "#]]);
    }

    fn encoding_matches_serde_json() {
        let text = r#"{"a": [1, -2, 3.25, 1e300, "q\"\\/\u0001\u001f\t"], "b": {"c": {}}, "d": [[]], "e": false}"#;
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let doc = document(text);
        assert_eq!(encode(&doc, Style::Pretty).bytes, serde_json::to_string_pretty(&value).unwrap().into_bytes());
        assert_eq!(encode(&doc, Style::Compact).bytes, serde_json::to_string(&value).unwrap().into_bytes());
    }

    fn losses_on_encoding() {
        let doc = Node::new(Value::Map(vec![
            Entry::new("raw", Node::new(Value::Bytes(vec![0xde, 0xad, 0xbe, 0xef]))),
            Entry::new("nan", Node::new(Value::Float(f64::NAN))),
            Entry::new("inf", Node::new(Value::Float(f64::NEG_INFINITY))),
            Entry::new("big", Node::new(Value::Integer(9_007_199_254_740_993))),
            Entry::new("safe", Node::new(Value::Integer(9_007_199_254_740_992))),
            Entry::new("huge", Node::new(Value::Integer(-18_446_744_073_709_551_615))),
        ]));
        check_encode(&doc, Style::Compact, expect![[r#"
            {"raw":"3q2+7w==","nan":null,"inf":null,"big":9007199254740993,"safe":9007199254740992,"huge":-18446744073709551615}
            --
            0..1 structure (root) map begins
            1..6 key raw key
            6..7 structure (root) colon
            7..17 value raw base64 string
            17..18 structure (root) comma
            18..23 key nan key
            23..24 structure (root) colon
            24..28 value nan null
            28..29 structure (root) comma
            29..34 key inf key
            34..35 structure (root) colon
            35..39 value inf null
            39..40 structure (root) comma
            40..45 key big key
            45..46 structure (root) colon
            46..62 value big integer
            62..63 structure (root) comma
            63..69 key safe key
            69..70 structure (root) colon
            70..86 value safe integer
            86..87 structure (root) comma
            87..93 key huge key
            93..94 structure (root) colon
            94..115 value huge integer
            115..116 structure (root) map ends
            loss at raw: JSON has no bytes: written as a base64 string
            loss at nan: JSON has no NaN: written as null
            loss at inf: JSON has no -inf: written as null
            loss at big: 9007199254740993 is beyond ±2^53: JavaScript readers lose precision
            loss at huge: -18446744073709551615 is outside the 64-bit range: JSON readers take it as a float
        "#]]);
    }

    fn deep_documents_are_cut_when_encoding() {
        let mut node = Node::new(Value::Integer(1));
        for _ in 0..130 {
            node = Node::new(Value::Array(vec![node]));
        }
        let encoded = encode(&node, Style::Compact);
        let losses: Vec<String> = encoded.losses.iter().map(|loss| format!("{} deep: {}", loss.path.0.len(), loss.what)).collect();
        expect![[r#"["127 deep: nested deeper than 127 levels: written as null"]"#]].assert_eq(&format!("{losses:?}"));
        assert!(parse(std::str::from_utf8(&encoded.bytes).unwrap()).is_ok());
    }
}
