//! The HTTP lab in a real browser against the wirelab-server that `cargo xtask test` started:
//! send, read the tree, keep the query table and URL in sync, and see errors where they happen.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, server_host, settle, wait_until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::http_lab::HttpLab;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lab() -> Page {
    support::mount::<HttpLab>(()).await
}

fn url(path: &str) -> String {
    format!("http://{}{path}", server_host())
}

fn status(page: &Page) -> String {
    page.text("[data-testid=response-status]")
}

#[wasm_bindgen_test]
async fn get_json_shows_a_tree() {
    let page = mount_lab().await;
    page.set_field("URL", &url("/json"));
    settle().await;
    page.click("Send");
    wait_until("a 200 response", 10, || status(&page) == "200 OK").await;
    wait_until("the tree", 5, || page.first("[data-testid=tree-view] [role=treeitem]").is_some()).await;
    let tree = page.text("[data-testid=tree-view]");
    assert!(tree.contains("order"), "{tree}");
}

#[wasm_bindgen_test]
async fn status_418_shows_its_reason() {
    let page = mount_lab().await;
    page.set_field("URL", &url("/status/418"));
    settle().await;
    page.click("Send");
    wait_until("a 418 response", 10, || status(&page).starts_with("418")).await;
    assert!(status(&page).to_lowercase().contains("teapot"), "{}", status(&page));
}

#[wasm_bindgen_test]
async fn the_query_table_and_the_url_stay_in_sync() {
    let page = mount_lab().await;
    page.set_field("URL", &url("/get?a=1&b=two words"));
    settle().await;
    assert_eq!(page.field_value("Query parameters name 2"), "b");
    assert_eq!(page.field_value("Query parameters value 2"), "two words");
    page.set_field("Query parameters value 1", "x&y");
    settle().await;
    assert_eq!(page.field_value("URL"), url("/get?a=x%26y&b=two+words"));
}

#[wasm_bindgen_test]
async fn a_bad_json_body_is_refused_with_its_position() {
    let page = mount_lab().await;
    page.set_field("Method", "POST");
    page.set_field("URL", &url("/post"));
    settle().await;
    page.click("Body");
    settle().await;
    page.select("Body type", "json");
    settle().await;
    page.set_field("Body", "{\n  \"a\": tru\n}");
    settle().await;
    page.click("Send");
    settle().await;
    let alerts = page.alerts().join(" | ");
    assert!(alerts.contains("Nothing was sent"), "{alerts}");
    assert!(alerts.contains("line 2, column 11"), "{alerts}");
    assert_eq!(status(&page), "", "no response: nothing was sent");
    assert_eq!(page.field_value("Body"), "{\n  \"a\": tru\n}");
}

#[wasm_bindgen_test]
async fn a_timeout_aborts_and_says_so() {
    let page = mount_lab().await;
    page.set_field("URL", &url("/delay/3"));
    settle().await;
    page.click("Options");
    settle().await;
    page.set_field("Timeout (ms)", "200");
    settle().await;
    page.click("Send");
    wait_until("the timeout", 5, || page.text("[data-testid=response-error]").contains("Timed out")).await;
}

#[wasm_bindgen_test]
async fn unreadable_history_is_set_aside_with_a_notice() {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("local storage");
    storage.set_item("wirelab.http.history", "{ this is not history").expect("store");
    let page = mount_lab().await;
    let notice = page.text("[role=status]");
    assert!(notice.contains("could not be read"), "{notice}");
    assert_eq!(storage.get_item("wirelab.http.history").ok().flatten(), None, "the bad text was moved");
    let keys: Vec<String> = (0..storage.length().unwrap_or(0)).filter_map(|i| storage.key(i).ok().flatten()).collect();
    let aside =
        keys.iter().find(|key| key.starts_with("wirelab.http.history.corrupt-")).expect("a key for the old text");
    assert_eq!(storage.get_item(aside).ok().flatten().as_deref(), Some("{ this is not history"));
    let _ = storage.remove_item(aside);
}
