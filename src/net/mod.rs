//! All of the app's browser I/O: WebSocket connections (the WebSocket lab's, and the Sockets lab's
//! bridges), HTTP requests and the Web Workers.
//! Components call these and get plain values or errors back.

pub mod bridge;
pub mod download;
pub mod event_source;
pub mod files;
pub mod formats_engine;
pub mod http;
pub mod indexer;
pub mod navigation;
pub mod security;
pub mod server_info;
pub mod socket;
pub mod storage;
pub mod stream;
pub mod timed_fetch;
pub mod worker;

use wasm_bindgen::{JsCast, JsValue};

/// The message of a thrown DOMException or Error, for showing where the action failed.
pub fn describe_js_error(error: JsValue) -> String {
    if let Some(exception) = error.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", exception.name(), exception.message());
    }
    if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    error.as_string().unwrap_or_else(|| format!("{error:?}"))
}

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

/// Milliseconds from `performance.now()`: monotonic, for timing work in the page.
/// In a Web Worker too (its global scope has its own `performance`).
pub fn performance_now() -> f64 {
    let performance = match web_sys::window() {
        Some(window) => window.performance(),
        None => js_sys::global().dyn_into::<web_sys::WorkerGlobalScope>().ok().and_then(|scope| scope.performance()),
    };
    performance.map_or_else(js_sys::Date::now, |performance| performance.now())
}
