//! All of the app's browser I/O: WebSocket connections and HTTP requests. Components call these
//! and get plain values or errors back.

pub mod http;
pub mod server_info;
pub mod socket;
pub mod storage;

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The local zone's offset from UTC in minutes east (JavaScript reports it west, in minutes).
pub fn utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The page's `location.protocol` and `location.host`, or empty strings outside a page.
pub fn page_origin() -> (String, String) {
    let location = web_sys::window().map(|window| window.location());
    let protocol = location.as_ref().and_then(|l| l.protocol().ok()).unwrap_or_default();
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    (protocol, host)
}
