//! Which rows of a long list are rendered for a scroll position.

use wire::virtual_list::visible_rows;

case_test! {
    fn windows() {
        // (total, row height, scroll top, viewport, overscan) → range
        let cases = [
            ((0, 28.0, 0.0, 500.0, 5), 0..0),
            ((10, 28.0, 0.0, 500.0, 5), 0..10),
            ((10_000, 28.0, 0.0, 560.0, 5), 0..25),
            ((10_000, 28.0, 2800.0, 560.0, 5), 95..125),
            ((10_000, 28.0, 279_720.0, 560.0, 5), 9985..10_000),
            ((10_000, 28.0, 1e12, 560.0, 5), 10_000..10_000),
            ((10, 0.0, 0.0, 500.0, 5), 0..0),
            ((10, 28.0, f64::NAN, 56.0, 0), 0..2),
            ((10, 28.0, -50.0, 56.0, 0), 0..2),
        ];
        for ((total, height, top, viewport, overscan), expected) in cases {
            assert_eq!(visible_rows(total, height, top, viewport, overscan), expected, "{total} {top}");
        }
    }
}
