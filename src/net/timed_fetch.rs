//! Many requests at once, each measured: a fetch that reads the whole body, notes when it was
//! called and when the body ended (`performance.now()`), and finds its Resource Timing entry by
//! its unique URL. Used by the Concurrency lab, whose state decides when each one starts.

use gloo_net::http::RequestBuilder;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestCredentials};
use wire::concurrency_lab::measure::Measured;

use crate::net::http::timing_entry;
use crate::net::performance_now;

/// Makes room for `entries` Resource Timing entries (the default buffer holds 250) and forgets
/// the old ones, so a run of 200 requests finds all of its own.
pub fn prepare_timings(entries: u32) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        performance.clear_resource_timings();
        performance.set_resource_timing_buffer_size(entries);
    }
}

/// GETs `url` (unique: the entry is found by it), reads the body to the end and returns what was
/// measured; the error is the browser's words.
pub async fn measured_get(url: &str, abort: &AbortSignal) -> Result<Measured, String> {
    let started_ms = performance_now();
    let response = RequestBuilder::new(url)
        .credentials(RequestCredentials::Omit)
        .abort_signal(Some(abort))
        .send()
        .await
        .map_err(|error| error.to_string())?;
    let status = response.status();
    // The body as an ArrayBuffer, measured where it is: no copy into wasm memory.
    let raw: web_sys::Response = response.into();
    let promise = raw.array_buffer().map_err(crate::net::describe_js_error)?;
    let body = JsFuture::from(promise).await.map_err(crate::net::describe_js_error)?;
    let body_bytes = body.dyn_ref::<js_sys::ArrayBuffer>().map_or(0, |buffer| u64::from(buffer.byte_length()));
    let ended_ms = performance_now();
    let mut timing = find_timing(url);
    // The entry is queued when the response ends; give the browser a task to file it.
    for _ in 0..3 {
        if timing.is_some() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
        timing = find_timing(url);
    }
    Ok(Measured { status, body_bytes, started_ms, ended_ms, timing })
}

fn find_timing(url: &str) -> Option<wire::resource_timing::TimingEntry> {
    let performance = web_sys::window()?.performance()?;
    let entries = performance.get_entries_by_name_with_entry_type(url, "resource");
    let last = entries.length().checked_sub(1)?;
    let entry = entries.get(last).dyn_into::<web_sys::PerformanceResourceTiming>().ok()?;
    Some(timing_entry(&entry, url))
}

/// `/api/info` of the server at `origin` (empty: the page's own), as JSON.
pub async fn server_info(origin: &str) -> Result<serde_json::Value, String> {
    let response = gloo_net::http::Request::get(&format!("{origin}/api/info"))
        .send()
        .await
        .map_err(|error| format!("the server did not answer /api/info ({error})"))?;
    if !response.ok() {
        return Err(format!("/api/info answered {} {}", response.status(), response.status_text()));
    }
    response.json::<serde_json::Value>().await.map_err(|error| format!("/api/info is not JSON ({error})"))
}
