//! Which rows of a long fixed-height list are on screen, so a 10,000-entry log renders only the
//! few dozen rows a person can see.

use std::ops::Range;

/// The rows to render: those in the viewport plus `overscan` on each side, clamped to `total`.
pub fn visible_rows(
    total: usize,
    row_height: f64,
    scroll_top: f64,
    viewport_height: f64,
    overscan: usize,
) -> Range<usize> {
    // NaN and non-positive heights both mean "no rows".
    if total == 0 || row_height.is_nan() || row_height <= 0.0 {
        return 0..0;
    }
    let scroll_top = if scroll_top.is_finite() { scroll_top.max(0.0) } else { 0.0 };
    let viewport_height = if viewport_height.is_finite() { viewport_height.max(0.0) } else { 0.0 };
    let first = (scroll_top / row_height).floor() as usize;
    let last = ((scroll_top + viewport_height) / row_height).ceil() as usize;
    let start = first.saturating_sub(overscan).min(total);
    let end = last.saturating_add(overscan).min(total).max(start);
    start..end
}
