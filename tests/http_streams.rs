//! The HTTP lab's streams in a real browser against the wirelab-server that `cargo xtask test`
//! started: /drip read chunk by chunk with increasing times, /stream/5 as five lines, and the
//! browser's EventSource resuming with Last-Event-ID after the server ends each response.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, server_host, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::http_lab::HttpLab;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lab() -> Page {
    support::mount::<HttpLab>(()).await
}

fn url(path: &str) -> String {
    format!("http://{}{path}", server_host())
}

/// `data-NAME` of every element matching `selector`.
fn data_of(page: &Page, selector: &str, name: &str) -> Vec<String> {
    let list = page.root.query_selector_all(selector).expect("a valid selector");
    (0..list.length())
        .filter_map(|index| list.get(index))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .map(|element| element.get_attribute(&format!("data-{name}")).unwrap_or_default())
        .collect()
}

async fn send(page: &Page, path: &str) {
    page.set_field("URL", &url(path));
    settle().await;
    page.click("Send");
}

fn summary(page: &Page) -> String {
    page.text("[data-testid=stream-summary]")
}

#[wasm_bindgen_test]
async fn a_drip_arrives_chunk_by_chunk_with_increasing_times() {
    let page = mount_lab().await;
    send(&page, "/drip?numbytes=5&duration=1.5&delay=0").await;
    wait_until("the first chunks while it arrives", 5, || data_of(&page, ".stream-chunk", "size").len() >= 2).await;
    assert!(summary(&page).contains("receiving"), "{}", summary(&page));
    wait_until("the whole drip", 10, || summary(&page).contains("complete")).await;
    let times: Vec<f64> =
        data_of(&page, ".stream-chunk", "at-ms").iter().filter_map(|time| time.parse::<f64>().ok()).collect();
    let sizes: usize =
        data_of(&page, ".stream-chunk", "size").iter().filter_map(|size| size.parse::<usize>().ok()).sum();
    assert_eq!(sizes, 5, "every byte");
    assert!(times.len() >= 3, "in pieces: {times:?}");
    assert!(times.windows(2).all(|pair| pair[1] >= pair[0]), "times increase: {times:?}");
    let spread = times.last().copied().unwrap_or(0.0) - times.first().copied().unwrap_or(0.0);
    assert!(spread > 700.0, "spread over the duration: {times:?}");
}

#[wasm_bindgen_test]
async fn stream_five_is_five_lines() {
    let page = mount_lab().await;
    send(&page, "/stream/5").await;
    wait_until("the whole stream", 10, || summary(&page).contains("complete")).await;
    assert_eq!(page.text("[data-testid=stream-line-count]"), "5");
}

#[wasm_bindgen_test]
async fn an_event_source_resumes_after_the_server_closes_the_stream() {
    let page = mount_lab().await;
    page.set_field("EventSource URL", &url("/sse?count=5&interval_ms=100&close_after=2&retry_ms=200"));
    settle().await;
    page.click("Open");
    wait_until("the EventSource to give up after the last event", 15, || {
        page.text("[data-testid=es-state]") == "closed"
    })
    .await;
    assert_eq!(data_of(&page, ".es-message", "id"), ["1", "2", "3", "4", "5"], "ids continue across reconnects");
    assert_eq!(page.text("[data-testid=es-reconnects]"), "2 reconnects");
    assert_eq!(page.text("[data-testid=es-last-event-id]"), "5");
    let resumed = page.text(".es-log");
    assert!(resumed.contains("resumed after 2") && resumed.contains("resumed after 4"), "{resumed}");
}
