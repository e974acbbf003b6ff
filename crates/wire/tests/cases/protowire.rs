//! Schemaless Protobuf decoding: every wire type, nesting, strings, and the offset of each error.

use expect_test::{Expect, expect};
use wire::binary_input::parse_hex;
use wire::protowire::{decode, render};

fn check(hex: &str, expected: Expect) {
    let bytes = parse_hex(hex).unwrap_or_else(|error| panic!("bad test hex {hex:?}: {error}"));
    expected.assert_eq(&render(&decode(&bytes)));
}

case_test! {
    fn valid_messages() {
        // The Protobuf documentation's classic: field 1 = 150.
        check("08 96 01", expect![[r#"
            @0     #1 varint = 150 · sint 75
        "#]]);
        check("08 00 10 01 18 7f", expect![[r#"
            @0     #1 varint = 0 · bool false
            @2     #2 varint = 1 · sint -1 · bool true
            @4     #3 varint = 127 · sint -64
        "#]]);
        check("08 ff ff ff ff ff ff ff ff ff 01", expect![[r#"
            @0     #1 varint = 18446744073709551615 · int64 -1 · sint -9223372036854775808
        "#]]);
        check("12 07 74 65 73 74 69 6e 67", expect![[r#"
            @0     #2 string (7 B) = "testing"
        "#]]);
        check("1a 03 08 96 01", expect![[r#"
            @0     #3 message (3 B) {
              @2     #1 varint = 150 · sint 75
            }
        "#]]);
        check("25 00 00 80 3f 29 00 00 00 00 00 00 f0 3f", expect![[r#"
            @0     #4 fixed32 = 1065353216 · int32 1065353216 · float 1
            @5     #5 fixed64 = 4607182418800017408 · int64 4607182418800017408 · double 1
        "#]]);
        check("32 02 ff fe", expect![[r#"
            @0     #6 bytes (2 B) = ff fe
        "#]]);
    }

    fn malformed_messages() {
        check("08", expect![[r#"
            error at byte 1: truncated varint value
        "#]]);
        check("08 96 01 12 05 61 62", expect![[r#"
            @0     #1 varint = 150 · sint 75
            error at byte 4: length 5 runs past the end (2 bytes left)
        "#]]);
        check("08 01 0e", expect![[r#"
            @0     #1 varint = 1 · sint -1 · bool true
            error at byte 2: wire type 6 does not exist (field 1)
        "#]]);
        check("00", expect![[r#"
            error at byte 0: field number 0 is not allowed
        "#]]);
        check("0d 01 02", expect![[r#"
            error at byte 1: fixed32 needs 4 bytes, 2 left
        "#]]);
        check("80 80", expect![[r#"
            error at byte 0: truncated or overlong varint in a field key
        "#]]);
    }
}
