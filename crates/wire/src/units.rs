//! Human-readable sizes and durations for labels ("1.5 KiB", "12.3 ms").

/// The first `max_chars` characters of `text`, and whether anything was cut.
pub fn first_chars(text: &str, max_chars: usize) -> (&str, bool) {
    match text.char_indices().nth(max_chars) {
        Some((byte_index, _)) => (&text[..byte_index], true),
        None => (text, false),
    }
}

/// Formats a byte count with binary units: `512 B`, `1.5 KiB`, `16.0 MiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Formats a duration in milliseconds: `850 µs`, `12.3 ms`, `4.20 s`.
pub fn format_millis(millis: f64) -> String {
    if !millis.is_finite() || millis < 0.0 {
        return "–".to_string();
    }
    if millis < 1.0 {
        format!("{:.0} µs", millis * 1000.0)
    } else if millis < 1000.0 {
        format!("{millis:.1} ms")
    } else {
        format!("{:.2} s", millis / 1000.0)
    }
}

/// Wall-clock time of day with milliseconds, `HH:MM:SS.mmm`, for a Unix time in milliseconds
/// shifted by the local zone's offset (minutes east of UTC).
pub fn format_clock(unix_millis: f64, utc_offset_minutes: i32) -> String {
    if !unix_millis.is_finite() {
        return "--:--:--.---".to_string();
    }
    let local = unix_millis as i64 + i64::from(utc_offset_minutes) * 60_000;
    let millis_of_day = local.rem_euclid(86_400_000);
    let (hours, rest) = (millis_of_day / 3_600_000, millis_of_day % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let (seconds, millis) = (rest / 1000, rest % 1000);
    format!("{hours:02}:{minutes:02}:{seconds:02}.{millis:03}")
}
