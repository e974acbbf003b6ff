//! HAR's dates: `startedDateTime` written as DevTools does (UTC, milliseconds, `Z`) and read in
//! any ISO 8601 form real files use (`Z` or an offset like `+01:00`, with or without fractions),
//! and the name an exported file gets.

use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{OffsetDateTime, UtcOffset};

/// `unix_ms` as `2026-12-01T02:43:44.123Z`; out-of-range times as the epoch.
pub fn format_date(unix_ms: f64) -> String {
    let at = date_time(unix_ms, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Milliseconds since the Unix epoch of an ISO 8601 date with an offset, or why it is not one.
pub fn parse_date(text: &str) -> Result<f64, String> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .map(|at| (at.unix_timestamp_nanos() / 1_000) as f64 / 1_000.0)
        .map_err(|_| format!("'{text}' is not an ISO 8601 date with a time zone, such as 2026-12-01T02:43:44.123Z"))
}

/// `wirelab-YYYYMMDD-HHMMSS.har` in the local time `utc_offset_minutes` east of UTC.
pub fn file_name(unix_ms: f64, utc_offset_minutes: i32) -> String {
    let at = date_time(unix_ms, utc_offset_minutes);
    format!(
        "wirelab-{:04}{:02}{:02}-{:02}{:02}{:02}.har",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn date_time(unix_ms: f64, utc_offset_minutes: i32) -> OffsetDateTime {
    // Whole microseconds first: a float of nanoseconds since 1970 is coarser than a nanosecond.
    let nanos = if unix_ms.is_finite() { (unix_ms * 1_000.0).round() as i128 * 1_000 } else { 0 };
    let offset = UtcOffset::from_whole_seconds(utc_offset_minutes.saturating_mul(60)).unwrap_or(UtcOffset::UTC);
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.checked_to_offset(offset).unwrap_or(at)
}
