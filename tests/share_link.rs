//! Links that reopen a lab, in a real browser: the HTTP lab restores the request a `#link=`
//! fragment holds when it starts and when the fragment changes (and gives back what it held
//! before), says what the link left out, shows a broken link's reason, and "Copy link" shows a
//! link that reads back to the lab's state.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wire::http_lab::{HttpEvent, HttpLabState};
use wire::http_request::{HttpRequest, KeyValue};
use wire::lab::LabState;
use wire::share_link::{Secrets, Shareable, from_fragment};
use wirelab::http_lab::HttpLab;

wasm_bindgen_test_configure!(run_in_browser);

const SHARED_URL: &str = "http://127.0.0.1:8080/anything/shared?colour=teal";

/// A link to an HTTP lab holding a PUT with an Authorization header, secrets left out.
fn link_fragment() -> String {
    let mut lab = HttpLabState::new("http://127.0.0.1:8080", Ok(None));
    let request = HttpRequest {
        method: "PUT".into(),
        url: SHARED_URL.into(),
        headers: vec![KeyValue::new("Authorization", "Bearer s3cret"), KeyValue::new("X-Note", "kept")],
        ..HttpRequest::default()
    };
    let _effects = lab.apply(HttpEvent::Import(request), 0.0);
    format!("#{}", lab.share(Secrets::LeaveOut).to_fragment())
}

/// Puts `fragment` in the page's address without a `hashchange` (as if the page opened with it).
fn open_with(fragment: &str) {
    let window = web_sys::window().expect("a window");
    let path = window.location().pathname().unwrap_or_default();
    let search = window.location().search().unwrap_or_default();
    let history = window.history().expect("a history");
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{search}{fragment}")))
        .expect("replaceState");
}

/// Clicks the request editor's tab whose name starts with `name` (a count may follow it).
fn open_tab(page: &Page, name: &str) {
    let tabs = page.root.query_selector_all("[role=tab]").expect("a valid selector");
    let tab = (0..tabs.length())
        .filter_map(|index| tabs.get(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .find(|tab| tab.text_content().unwrap_or_default().trim().starts_with(name));
    tab.unwrap_or_else(|| panic!("no tab named {name:?}")).click();
}

fn notice(page: &Page) -> String {
    page.text(".link-notice")
}

#[wasm_bindgen_test]
async fn a_lab_opened_with_a_link_shows_its_request_without_the_secret() {
    open_with(&link_fragment());
    let page = support::mount::<HttpLab>(()).await;
    wait_until("the request from the link", 5, || page.field_value("URL") == SHARED_URL).await;
    assert_eq!(page.field_value("Method"), "PUT");
    let said = notice(&page);
    assert!(said.contains("Opened from a link.") && said.contains("the value of the Authorization header"), "{said}");
    open_tab(&page, "Headers");
    settle().await;
    assert_eq!(page.field_value("Headers name 1"), "Authorization");
    assert_eq!(page.field_value("Headers value 1"), "");
    assert_eq!(page.field_value("Headers value 2"), "kept");
    open_with("");
}

#[wasm_bindgen_test]
async fn a_broken_link_says_why_and_the_lab_starts_as_usual() {
    open_with("#link=1.eJwD*broken");
    let page = support::mount::<HttpLab>(()).await;
    wait_until("the link's error", 5, || !page.alerts().is_empty()).await;
    let alerts = page.alerts().join(" | ");
    assert!(alerts.contains("The link could not be opened.") && alerts.contains("cannot be in a link"), "{alerts}");
    assert!(page.field_value("URL").ends_with("/get?greeting=hello"), "{}", page.field_value("URL"));
    open_with("");
}

#[wasm_bindgen_test]
async fn a_link_pasted_later_replaces_the_request_and_can_give_it_back() {
    open_with("");
    let page = support::mount::<HttpLab>(()).await;
    page.set_field("URL", "http://127.0.0.1:8080/anything/mine");
    settle().await;
    web_sys::window().expect("a window").location().set_hash(&link_fragment()).expect("set the hash");
    wait_until("the request from the link", 5, || page.field_value("URL") == SHARED_URL).await;
    page.click("Bring back what you had");
    settle().await;
    assert_eq!(page.field_value("URL"), "http://127.0.0.1:8080/anything/mine");
    assert!(notice(&page).contains("What you had before the link is back."), "{}", notice(&page));
    open_with("");
}

#[wasm_bindgen_test]
async fn copy_link_shows_a_link_that_reads_back_to_the_request() {
    open_with("");
    let page = support::mount::<HttpLab>(()).await;
    page.set_field("URL", "http://127.0.0.1:8080/anything/copied?token=abc");
    settle().await;
    page.click("Copy link");
    // The clipboard may refuse a page without focus; the link is shown either way.
    wait_until("the link", 5, || page.first("input.copy-link-url").is_some()).await;
    let link = page.field_value("The link");
    let fragment = link.split_once('#').map(|(_, fragment)| fragment).unwrap_or_default();
    let read = from_fragment(fragment).expect("a link").expect("a readable link");
    let events = HttpLabState::restore(&read.state).expect("an HTTP lab's link");
    let mut lab = HttpLabState::new("http://127.0.0.1:8080", Ok(None));
    for event in events {
        let _effects = lab.apply(event, 0.0);
    }
    assert_eq!(lab.draft.request.url, "http://127.0.0.1:8080/anything/copied");
    assert!(page.text(".copy-link-panel").contains("the value of the query parameter token"));
}
