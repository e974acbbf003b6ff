//! The WebSocket lab in a real browser, against the wirelab-server that `cargo xtask test`
//! started: connect, send text and binary, read the log, and see every error where it happened.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, echo_url, server_host, settle, wait_until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::ws_lab::WsLab;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh lab and waits for its first render (yew renders asynchronously).
async fn mount_lab() -> Page {
    support::mount::<WsLab>(()).await
}

#[wasm_bindgen_test]
async fn text_is_echoed_as_text() {
    let page = mount_lab().await;
    assert_eq!(page.status(), "not connected");
    page.connect(&echo_url()).await;
    page.set_field("Message", "hello wirelab");
    settle().await;
    page.click("Send");
    wait_until("the echo of the text", 5, || page.has_message("received", "text", "hello wirelab")).await;
    assert!(page.has_message("sent", "text", "hello wirelab"));
    let stats = page.text("[data-testid=log-stats]");
    assert!(stats.contains("↑ 1 sent (13 B)"), "{stats}");
    assert!(stats.contains("↓ 1 received (13 B)"), "{stats}");
}

#[wasm_bindgen_test]
async fn hex_is_sent_as_binary_and_shown_as_a_hex_dump() {
    let page = mount_lab().await;
    page.connect(&echo_url()).await;
    page.select("Send as", "hex");
    settle().await;
    page.set_field("Message", "de ad be ef");
    settle().await;
    assert_eq!(page.text("[data-testid=composer-size]"), "4 B binary");
    page.click("Send");
    wait_until("the binary echo", 5, || page.has_message("received", "binary", "de ad be ef")).await;
    page.open_message("received", "de ad be ef");
    wait_until("the hex view", 2, || page.first("[data-testid=hex-view]").is_some()).await;
    let dump = page.text("[data-testid=hex-view]");
    assert!(dump.contains("00000000"), "{dump}");
    assert!(dump.contains("de ad be ef"), "{dump}");
}

#[wasm_bindgen_test]
async fn base64_is_sent_as_binary() {
    let page = mount_lab().await;
    page.connect(&echo_url()).await;
    page.select("Send as", "base64");
    settle().await;
    page.set_field("Message", "aGVsbG8=");
    settle().await;
    page.click("Send");
    wait_until("the binary echo", 5, || page.has_message("received", "binary", "68 65 6c 6c 6f")).await;
}

#[wasm_bindgen_test]
async fn invalid_hex_is_an_inline_error_and_nothing_is_sent() {
    let page = mount_lab().await;
    page.connect(&echo_url()).await;
    page.select("Send as", "hex");
    settle().await;
    page.set_field("Message", "de ad zz");
    settle().await;
    page.click("Send");
    wait_until("the composer error", 2, || !page.text("[data-testid=composer-error]").is_empty()).await;
    assert_eq!(
        page.text("[data-testid=composer-error]"),
        "Nothing was sent: 'z' is not a hex digit at line 1, column 7"
    );
    assert_eq!(page.field_value("Message"), "de ad zz", "the text stays as typed");
    assert!(page.messages().is_empty(), "nothing was sent: {:?}", page.messages());
}

#[wasm_bindgen_test]
async fn the_first_offered_subprotocol_is_selected() {
    let page = mount_lab().await;
    page.set_field("Subprotocols", "chat, json");
    settle().await;
    page.connect(&echo_url()).await;
    assert!(page.status_detail().contains("subprotocol chat"), "{}", page.status_detail());
}

#[wasm_bindgen_test]
async fn disconnect_sends_the_chosen_close_code_and_reason() {
    let page = mount_lab().await;
    page.connect(&echo_url()).await;
    page.set_field("Close code", "4000");
    page.set_field("Reason", "bye");
    settle().await;
    page.click("Disconnect");
    wait_until("the close", 5, || page.status() == "closed").await;
    let detail = page.status_detail();
    assert!(detail.contains("code 4000"), "{detail}");
    assert!(detail.contains("bye"), "{detail}");
    assert!(page.button("Connect").is_some(), "Connect is offered again");
}

#[wasm_bindgen_test]
async fn a_close_code_the_browser_forbids_is_refused_before_sending() {
    let page = mount_lab().await;
    page.connect(&echo_url()).await;
    page.set_field("Close code", "1001");
    settle().await;
    page.click("Disconnect");
    settle().await;
    let alerts = page.alerts().join(" | ");
    assert!(alerts.contains("may only send close code 1000 or 3000–4999, not 1001"), "{alerts}");
    assert_eq!(page.status(), "open");
}

#[wasm_bindgen_test]
async fn an_unreachable_server_ends_in_close_1006() {
    let page = mount_lab().await;
    // Port 9 (discard) is closed on the test machines: the connection is refused.
    page.set_field("URL", "ws://127.0.0.1:9/ws/echo");
    settle().await;
    page.click("Connect");
    wait_until("the failed connection to close", 10, || page.status() == "closed").await;
    assert!(page.status_detail().contains("code 1006 Abnormal Closure"), "{}", page.status_detail());
    assert_eq!(page.field_value("URL"), "ws://127.0.0.1:9/ws/echo");
}

#[wasm_bindgen_test]
async fn a_bad_url_is_explained_and_kept() {
    let page = mount_lab().await;
    page.set_field("URL", "ftp://example.com/");
    settle().await;
    page.click("Connect");
    settle().await;
    let alerts = page.alerts().join(" | ");
    assert!(alerts.contains("starts with ws:// or wss://, not ftp:"), "{alerts}");
    assert_eq!(page.field_value("URL"), "ftp://example.com/");
    assert_eq!(page.status(), "not connected");
}

#[wasm_bindgen_test]
async fn a_burst_of_a_thousand_echoes_is_logged_but_few_rows_are_rendered() {
    let page = mount_lab().await;
    page.connect(&format!("ws://{}/ws/echo", server_host())).await;
    page.set_field("Repeat", "1000");
    page.set_field("Message", "tick");
    settle().await;
    page.click("Send");
    wait_until("1,000 echoes", 20, || page.text("[data-testid=log-stats]").contains("↓ 1000 received")).await;
    let rendered = page.messages().len();
    assert!(rendered > 0 && rendered < 120, "only the visible rows are rendered, got {rendered}");
}
