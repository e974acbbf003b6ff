//! The Concurrency lab in a real browser against the wirelab-server that `cargo xtask test`
//! started: one measured fetch on its own (`net::timed_fetch`: status, size, its Resource Timing
//! entry found by its unique URL), then the lab: one after another starting each request when the
//! one before finished, at most k at a time, WebSockets opened at once, and a field's error kept
//! with what was typed.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, mount_point, server_host, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};
use wirelab::concurrency_lab::{ConcurrencyLabOn, ConcurrencyLabOnProps};
use wirelab::net::timed_fetch::measured_get;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lab() -> Page {
    let root = mount_point();
    yew::Renderer::<ConcurrencyLabOn>::with_root_and_props(
        root.clone(),
        ConcurrencyLabOnProps { server: Some(server_host().into()) },
    )
    .render();
    settle().await;
    let page = Page::new(root);
    wait_until("the empty state", 10, || page.first("[data-testid=conc-empty]").is_some()).await;
    page
}

/// The input a `<label for>` with this visible text names.
fn labelled(page: &Page, label: &str) -> HtmlInputElement {
    let labels = page.root.query_selector_all("label[for]").expect("a valid selector");
    (0..labels.length())
        .filter_map(|index| labels.get(index)?.dyn_into::<Element>().ok())
        .find(|element| element.text_content().unwrap_or_default().trim() == label)
        .and_then(|element| element.get_attribute("for"))
        .and_then(|id| page.first(&format!("#{id}")))
        .and_then(|element| element.dyn_into::<HtmlInputElement>().ok())
        .unwrap_or_else(|| panic!("no input labelled {label:?}"))
}

fn type_into(page: &Page, label: &str, value: &str) {
    let input = labelled(page, label);
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).expect("an input event");
    input.dispatch_event(&event).expect("dispatch input");
}

/// Checks the radio button whose label reads `label`.
fn choose(page: &Page, label: &str) {
    let labels = page.root.query_selector_all("label.choice").expect("a valid selector");
    let radio = (0..labels.length())
        .filter_map(|index| labels.get(index)?.dyn_into::<Element>().ok())
        .find(|element| element.text_content().unwrap_or_default().trim() == label)
        .and_then(|element| element.query_selector("input").ok().flatten())
        .and_then(|element| element.dyn_into::<HtmlElement>().ok())
        .unwrap_or_else(|| panic!("no choice {label:?}"));
    radio.click();
}

fn run_button(page: &Page) -> HtmlElement {
    page.root
        .query_selector("button[type=submit]")
        .ok()
        .flatten()
        .and_then(|element| element.dyn_into::<HtmlElement>().ok())
        .expect("the Run button")
}

/// Presses Run and waits until the run's sentences are there and nothing is in progress.
async fn run(page: &Page, seconds: u64) -> String {
    run_button(page).click();
    settle().await;
    wait_until("the run to finish", seconds, || {
        page.first("[data-testid=conc-progress]").is_none() && page.first("[data-testid=conc-sentences]").is_some()
    })
    .await;
    page.text("[data-testid=conc-sentences]")
}

/// Each row's description (its aria-label).
fn rows(page: &Page) -> Vec<String> {
    let list = page.root.query_selector_all("[data-testid=conc-row]").expect("a valid selector");
    (0..list.length())
        .filter_map(|index| list.get(index)?.dyn_into::<Element>().ok())
        .map(|element| element.get_attribute("aria-label").unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn a_measured_get_reads_the_whole_body_and_finds_its_timing_entry() {
    let url = format!("http://{}/bytes/1000?wirelab_run=test-{}", server_host(), js_sys::Date::now());
    let controller = web_sys::AbortController::new().expect("an AbortController");
    let measured = measured_get(&url, &controller.signal()).await.expect("the fetch answers");
    assert_eq!((measured.status, measured.body_bytes), (200, 1000));
    assert!(measured.ended_ms >= measured.started_ms, "{measured:?}");
    let timing = measured.timing.expect("a Resource Timing entry for the unique URL");
    assert!(timing.request_start > 0.0 && timing.response_end >= timing.request_start, "{timing:?}");
    assert_eq!(timing.next_hop_protocol, "http/1.1");
}

#[wasm_bindgen_test]
async fn one_after_another_starts_each_request_when_the_one_before_finished() {
    let page = mount_lab().await;
    type_into(&page, "How many", "3");
    type_into(&page, "Seconds", "0.2");
    choose(&page, "One after another");
    settle().await;
    let sentences = run(&page, 15).await;
    assert!(sentences.contains("On HTTP/1.1"), "{sentences}");
    assert!(sentences.contains("Wall time"), "{sentences}");
    let rows = rows(&page);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("#1: 200") && rows[0].contains("started with the run"), "{rows:?}");
    assert!(rows[1].contains("started when #1 finished"), "{rows:?}");
    assert!(rows[2].contains("started when #2 finished"), "{rows:?}");
    let wall = page.text("[data-testid=conc-run-wall]");
    let seconds = match wall.split_once(' ') {
        Some((number, "ms")) => number.parse::<f64>().unwrap_or(0.0) / 1000.0,
        Some((number, "s")) => number.parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    };
    assert!((0.6..3.0).contains(&seconds), "three 0.2 s requests one after another: {wall}");
}

#[wasm_bindgen_test]
async fn at_most_two_at_a_time_and_the_python_follows_the_plan() {
    let page = mount_lab().await;
    type_into(&page, "How many", "4");
    type_into(&page, "Seconds", "0.2");
    choose(&page, "At most k at a time");
    settle().await;
    type_into(&page, "k", "2");
    settle().await;
    assert!(page.text("[data-testid=python-program]").contains("asyncio.Semaphore(2)"));
    run(&page, 15).await;
    let rows = rows(&page);
    assert!(rows[0].contains("started with the run") && rows[1].contains("started with the run"), "{rows:?}");
    assert!(rows[2].contains("started when #") && rows[3].contains("started when #"), "{rows:?}");
}

#[wasm_bindgen_test]
async fn websockets_open_at_once_with_each_handshake_timed() {
    let page = mount_lab().await;
    choose(&page, "WebSockets to /ws/echo");
    settle().await;
    type_into(&page, "How many", "5");
    settle().await;
    let sentences = run(&page, 20).await;
    assert!(sentences.contains("5 of 5 WebSockets opened; at most 5 open at once."), "{sentences}");
    assert!(rows(&page).iter().all(|row| row.contains(": handshake ")), "{:?}", rows(&page));
}

#[wasm_bindgen_test]
async fn a_count_out_of_range_is_refused_with_the_text_kept() {
    let page = mount_lab().await;
    type_into(&page, "How many", "500");
    settle().await;
    run_button(&page).click();
    settle().await;
    assert_eq!(page.alerts(), vec!["a whole number from 1 to 200".to_string()]);
    assert_eq!(labelled(&page, "How many").value(), "500");
    assert!(page.first("[data-testid=conc-empty]").is_some(), "no run was made");
}

#[wasm_bindgen_test]
async fn stop_ends_the_run_and_starts_nothing_more() {
    let page = mount_lab().await;
    type_into(&page, "How many", "5");
    type_into(&page, "Seconds", "0.3");
    choose(&page, "One after another");
    settle().await;
    run_button(&page).click();
    wait_until("the first request to finish", 10, || rows(&page).first().is_some_and(|row| row.contains("#1: 200")))
        .await;
    page.click("Stop");
    wait_until("the run to end", 10, || page.first("[data-testid=conc-progress]").is_none()).await;
    let rows = rows(&page);
    assert!(rows.iter().any(|row| row.contains("not started (stopped)")), "{rows:?}");
    assert!(!rows[4].contains(": 200"), "the last request never ran: {rows:?}");
}
