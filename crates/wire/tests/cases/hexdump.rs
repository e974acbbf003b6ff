//! Hex dump rows: offsets, grouping, padding of the last row, the ASCII column.

use expect_test::{Expect, expect};
use wire::hexdump::{hex_dump, row_count, to_hex};

fn check(bytes: &[u8], expected: Expect) {
    expected.assert_eq(&hex_dump(bytes));
}

case_test! {
    fn dumps() {
        check(b"", expect![[""]]);
        check(&[0xde, 0xad, 0xbe, 0xef], expect![[r#"
            00000000  de ad be ef                                       |....|
        "#]]);
        check(b"hello, wire lab!", expect![[r#"
            00000000  68 65 6c 6c 6f 2c 20 77  69 72 65 20 6c 61 62 21  |hello, wire lab!|
        "#]]);
        check(b"0123456789abcdefXYZ\n\x00\x7f\xff", expect![[r#"
            00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|
            00000010  58 59 5a 0a 00 7f ff                              |XYZ....|
        "#]]);
    }

    fn plain_hex() {
        let cases: &[(&[u8], &str)] = &[(b"", ""), (b"\x00", "00"), (b"\xde\xad\xbe\xef", "de ad be ef")];
        for (bytes, expected) in cases {
            assert_eq!(to_hex(bytes), *expected, "{bytes:?}");
        }
    }

    fn row_counts() {
        for (len, rows) in [(0, 0), (1, 1), (16, 1), (17, 2), (32, 2), (33, 3)] {
            assert_eq!(row_count(len, 16), rows, "{len} bytes");
        }
    }
}
