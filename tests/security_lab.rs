//! The Security lab in a real browser against the wirelab-server that `cargo xtask test` started:
//! a text hashed to its FIPS 180 digests, RFC 7515's HS256 example decoded and verified with its
//! key, and Digest authentication worked out step by step and accepted by the server.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, mount_point, server_host, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::security_lab::{SecurityLabOn, SecurityLabOnProps};

wasm_bindgen_test_configure!(run_in_browser);

/// RFC 7515 appendix A.1: an HS256 JWS and its key (a JWK's `k`, base64url).
const RFC_7515_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.\
                              eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.\
                              dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_7515_KEY: &str = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

/// Mounts a fresh lab on the test server and shows the view whose tab reads `tab`.
async fn mount_lab(tab: &str) -> Page {
    let root = mount_point();
    yew::Renderer::<SecurityLabOn>::with_root_and_props(
        root.clone(),
        SecurityLabOnProps { server: Some(server_host().into()) },
    )
    .render();
    settle().await;
    let page = Page::new(root);
    page.click(tab);
    settle().await;
    page
}

/// The texts of the elements `selector` finds.
fn texts(page: &Page, selector: &str) -> Vec<String> {
    let list = page.root.query_selector_all(selector).expect("a valid selector");
    (0..list.length()).filter_map(|index| list.get(index)).filter_map(|node| node.text_content()).collect()
}

/// The button whose visible text starts with `prefix`.
fn button_starting(page: &Page, prefix: &str) -> web_sys::HtmlElement {
    let list = page.root.query_selector_all("button").expect("a valid selector");
    (0..list.length())
        .filter_map(|index| list.get(index))
        .find(|node| node.text_content().unwrap_or_default().trim().starts_with(prefix))
        .and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .unwrap_or_else(|| panic!("no button starting {prefix:?}"))
}

#[wasm_bindgen_test]
async fn a_text_hashes_to_its_fips_180_digests() {
    let page = mount_lab("Hash and encode").await;
    page.set_field("Text", "abc");
    settle().await;
    let digests = [
        ("SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("MD5", "900150983cd24fb0d6963f7d28e17f72"),
    ];
    for (algorithm, expected) in digests {
        assert_eq!(page.text(&format!("code[data-algorithm=\"{algorithm}\"]")), expected, "{algorithm}");
    }
    assert_eq!(texts(&page, "tr.broken .sec-broken"), ["broken", "broken"], "SHA-1 and MD5 are marked broken");
    // The input in base64, and a decode error at its character.
    assert!(page.text("[aria-labelledby=sec-encodings-title] .sec-table").contains("YWJj"));
    page.set_field("Text to decode", "YW$j");
    settle().await;
    assert_eq!(page.text(".sec-error mark"), "$");
}

#[wasm_bindgen_test]
async fn rfc_7515s_token_is_decoded_and_verified_with_its_key() {
    let page = mount_lab("Hash and encode").await;
    page.set_field("Token", RFC_7515_TOKEN);
    page.set_field("HS256 key", RFC_7515_KEY);
    page.select("JWT key written as", "Base64");
    settle().await;
    assert!(page.text(".sec-jwt-header").contains("\"alg\": \"HS256\""));
    assert!(page.text(".sec-jwt-claims").contains("\"iss\": \"joe\""));
    assert!(page.text(".sec-jwt").contains("signature valid (HS256)"), "{}", page.text(".sec-jwt"));
    // The token is never re-signed: another key fails it and the token stays as pasted.
    page.set_field("HS256 key", "AAAA");
    settle().await;
    assert!(page.text(".sec-jwt").contains("signature does not match this key"));
    assert_eq!(page.field_value("Token"), RFC_7515_TOKEN);
    // A token with a part missing says which.
    page.set_field("Token", "eyJhbGciOiJIUzI1NiJ9.e30");
    settle().await;
    assert!(!page.text(".sec-error").is_empty());
}

#[wasm_bindgen_test]
async fn digest_steps_answer_the_servers_challenge() {
    let page = mount_lab("Authentication").await;
    for algorithm in ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"] {
        page.select("Algorithm", algorithm);
        settle().await;
        button_starting(&page, "1. Ask").click();
        wait_until("the Digest steps", 10, || page.button("Send the answer").is_some()).await;
        let steps = page.text("[aria-label=\"Digest steps\"]");
        assert!(steps.contains("HA1") && steps.contains("HA2"), "{steps}");
        page.click("Send the answer");
        wait_until("the server's answer to the Digest response", 10, || {
            texts(&page, ".sec-pill").iter().filter(|text| text.starts_with("200")).count() == 1
        })
        .await;
    }
}

#[wasm_bindgen_test]
async fn basic_is_accepted_and_the_websocket_accept_matches_the_server() {
    let page = mount_lab("Authentication").await;
    button_starting(&page, "Send to /basic-auth/").click();
    wait_until("the Basic answer", 10, || texts(&page, ".sec-pill").iter().any(|text| text.starts_with("200"))).await;
    page.click("Open a WebSocket to /ws/inspect");
    wait_until("the inspect report", 10, || page.text(".sec-server-accept").len() == 28).await;
    assert!(page.text(".sec-auth").contains("the steps above give the server's accept value"));
}
