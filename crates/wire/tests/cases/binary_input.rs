//! Typed hex and base64: every accepted spelling, and the message and position of each mistake.

use wire::binary_input::{parse_base64, parse_hex, to_base64};
use wire::hexdump::to_hex;

case_test! {
    fn hex_accepted() {
        let cases = [
            ("", ""),
            ("de ad be ef", "de ad be ef"),
            ("DEADBEEF", "de ad be ef"),
            ("0xde 0xad, 0xBE,0xef", "de ad be ef"),
            ("de:ad:be:ef", "de ad be ef"),
            ("de-ad-be-ef", "de ad be ef"),
            ("\\xde\\xad\\xbe\\xef", "de ad be ef"),
            ("  00 01\n02\t03  ", "00 01 02 03"),
            ("0x0001ff", "00 01 ff"),
        ];
        for (input, expected) in cases {
            let bytes = parse_hex(input).unwrap_or_else(|error| panic!("{input:?}: {error}"));
            assert_eq!(to_hex(&bytes), expected, "{input:?}");
        }
    }

    fn hex_refused() {
        let cases = [
            ("de ad be e", "odd number of hex digits (1) in this group: each byte needs two at line 1, column 10"),
            ("dead beeg", "'g' is not a hex digit at line 1, column 9"),
            ("00\n11\nzz", "'z' is not a hex digit at line 3, column 1"),
            ("0x", "a 0x prefix with no digits after it at line 1, column 1"),
            ("de ad é", "'é' is not a hex digit at line 1, column 7"),
            ("abc", "odd number of hex digits (3) in this group: each byte needs two at line 1, column 1"),
        ];
        for (input, expected) in cases {
            match parse_hex(input) {
                Ok(bytes) => panic!("{input:?} parsed as {bytes:?}"),
                Err(error) => assert_eq!(error.to_string(), expected, "{input:?}"),
            }
        }
    }

    fn base64_accepted() {
        let cases = [
            ("", ""),
            ("3q2+7w==", "de ad be ef"),
            ("3q2+7w", "de ad be ef"),
            ("3q2-7w", "de ad be ef"),
            ("3q2-7w==", "de ad be ef"),
            ("_w", "ff"),
            ("aGVs\nbG8=", "68 65 6c 6c 6f"),
            ("  AA==  ", "00"),
        ];
        for (input, expected) in cases {
            let bytes = parse_base64(input).unwrap_or_else(|error| panic!("{input:?}: {error}"));
            assert_eq!(to_hex(&bytes), expected, "{input:?}");
        }
    }

    fn base64_refused() {
        let cases = [
            ("3q2*7w==", "'*' is not a base64 character at line 1, column 4"),
            ("aGVs\nb!8=", "'!' is not a base64 character at line 2, column 2"),
            ("3q2+7w=x", "padding '=' in the middle of the data at line 1, column 7"),
            ("A", "1 base64 characters cannot encode whole bytes (one character too many or too few) at line 1, column 2"),
            ("3q-+", "mixes the standard (+/) and URL-safe (-_) base64 alphabets at line 1, column 4"),
            ("AB==", "the last character has bits set that no byte uses (is the data cut short?) at line 1, column 2"),
            ("é", "'é' is not a base64 character at line 1, column 1"),
        ];
        for (input, expected) in cases {
            match parse_base64(input) {
                Ok(bytes) => panic!("{input:?} parsed as {bytes:?}"),
                Err(error) => assert_eq!(error.to_string(), expected, "{input:?}"),
            }
        }
    }

    fn base64_round_trip() {
        for bytes in [&b""[..], b"\x00", b"\xff\xfe", b"wirelab", &[0u8; 1000]] {
            let parsed = parse_base64(&to_base64(bytes));
            assert_eq!(parsed.as_deref(), Ok(bytes));
        }
    }

    fn hex_or_base64_is_told_apart() {
        use wire::binary_input::{PayloadEncoding, parse_hex_or_base64};
        type Expected = Result<(&'static [u8], PayloadEncoding), &'static str>;
        let cases: &[(&str, Expected)] = &[
            ("08 96 01", Ok((&[0x08, 0x96, 0x01], PayloadEncoding::Hex))),
            ("089601", Ok((&[0x08, 0x96, 0x01], PayloadEncoding::Hex))),
            ("0x08,0x96", Ok((&[0x08, 0x96], PayloadEncoding::Hex))),
            ("de:ad:be:ef", Ok((&[0xde, 0xad, 0xbe, 0xef], PayloadEncoding::Hex))),
            ("CJYB", Ok((&[0x08, 0x96, 0x01], PayloadEncoding::Base64))),
            ("3q2+7w==", Ok((&[0xde, 0xad, 0xbe, 0xef], PayloadEncoding::Base64))),
            // A typo in spaced hex is a hex error, not a base64 reading.
            ("08 96 0g", Err("'g' is not a hex digit at line 1, column 8")),
            ("CJY!", Err("'!' is not a base64 character at line 1, column 4")),
        ];
        for (input, expected) in cases {
            let got = parse_hex_or_base64(input);
            match (expected, &got) {
                (Ok((bytes, encoding)), Ok((got_bytes, got_encoding))) => {
                    assert_eq!((got_bytes.as_slice(), *got_encoding), (*bytes, *encoding), "{input}")
                }
                (Err(message), Err(error)) => assert_eq!(error.to_string(), *message, "{input}"),
                _ => panic!("{input}: expected {expected:?}, got {got:?}"),
            }
        }
    }
}
