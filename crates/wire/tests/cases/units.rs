//! Size and duration labels.

use wire::units::{first_chars, format_bytes, format_clock, format_millis};

case_test! {
    fn sizes() {
        let cases = [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
            (16 * 1024 * 1024, "16.0 MiB"), (5 * 1024 * 1024 * 1024, "5.0 GiB")];
        for (bytes, expected) in cases {
            assert_eq!(format_bytes(bytes), expected);
        }
    }

    fn durations() {
        let cases = [(0.25, "250 µs"), (12.34, "12.3 ms"), (4200.0, "4.20 s"), (-1.0, "–"), (f64::NAN, "–")];
        for (millis, expected) in cases {
            assert_eq!(format_millis(millis), expected);
        }
    }

    fn clocks() {
        // 2026-11-24T16:40:23.045Z
        let at = 1_795_538_423_045.0;
        let cases = [(0, "16:40:23.045"), (60, "17:40:23.045"), (-17 * 60, "23:40:23.045"), (8 * 60, "00:40:23.045")];
        for (offset, expected) in cases {
            assert_eq!(format_clock(at, offset), expected, "offset {offset}");
        }
        assert_eq!(format_clock(f64::NAN, 0), "--:--:--.---");
    }

    fn first_characters() {
        let cases = [("", 3, ("", false)), ("abc", 3, ("abc", false)), ("abcd", 3, ("abc", true)), ("héllo", 2, ("hé", true))];
        for (text, max, expected) in cases {
            assert_eq!(first_chars(text, max), expected, "{text:?}");
        }
    }
}
