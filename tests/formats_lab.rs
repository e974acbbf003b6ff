//! The Formats lab in a real browser: five panels for a sample, a field lit up in every panel,
//! a byte choosing its field, schema errors with their place, and the Decode tab's guesses (TLS
//! records among them).

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, mount_point, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::HtmlElement;
use wirelab::formats_lab::FormatsLab;

wasm_bindgen_test_configure!(run_in_browser);

const FORMATS: [&str; 5] = ["JSON", "XML", "Protobuf", "MessagePack", "CBOR"];

async fn mount_lab() -> Page {
    let root = mount_point();
    yew::Renderer::<FormatsLab>::with_root(root.clone()).render();
    settle().await;
    let page = Page::new(root);
    wait_until("the five panels", 10, || page.first("[data-format=CBOR] [data-testid=wire-size]").is_some()).await;
    page
}

fn panel_text(page: &Page, format: &str, selector: &str) -> String {
    page.text(&format!("[data-format={format}] {selector}"))
}

fn lit_bytes(page: &Page, format: &str) -> u32 {
    page.root
        .query_selector_all(&format!("[data-format={format}] .mapped-bytes .sel"))
        .map(|list| list.length())
        .unwrap_or(0)
}

fn tree_row(page: &Page, key: &str) -> HtmlElement {
    let rows = page.root.query_selector_all(".doc-row").expect("a selector");
    (0..rows.length())
        .filter_map(|index| rows.get(index))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .find(|row| {
            row.query_selector(".doc-key").ok().flatten().and_then(|k| k.text_content()).as_deref() == Some(key)
        })
        .unwrap_or_else(|| panic!("no field row {key:?}"))
}

#[wasm_bindgen_test]
async fn a_sample_gives_five_panels_with_sizes() {
    let page = mount_lab().await;
    for format in FORMATS {
        let size = panel_text(&page, format, "[data-testid=wire-size]");
        assert!(size.ends_with('B') || size.contains(" B"), "{format}: {size:?}");
        assert!(page.first(&format!("[data-format={format}] .mapped-bytes")).is_some(), "{format} shows its bytes");
    }
    assert!(page.first(".size-chart svg[role=img]").is_some(), "the size chart is drawn");
}

#[wasm_bindgen_test]
async fn a_chosen_field_lights_up_in_every_panel_and_again_clears_it() {
    let page = mount_lab().await;
    for format in FORMATS {
        assert_eq!(lit_bytes(&page, format), 0, "{format} starts with nothing lit");
    }
    tree_row(&page, "email").click();
    settle().await;
    for format in FORMATS {
        assert!(lit_bytes(&page, format) > 0, "{format} lights up the email field");
    }
    assert_eq!(tree_row(&page, "email").get_attribute("aria-pressed").as_deref(), Some("true"));
    tree_row(&page, "email").click();
    settle().await;
    for format in FORMATS {
        assert_eq!(lit_bytes(&page, format), 0, "{format} clears the highlight");
    }
}

#[wasm_bindgen_test]
async fn clicking_a_byte_chooses_its_field() {
    let page = mount_lab().await;
    // The Protobuf encoding of the small record starts with field 1, the name.
    let first_cell: HtmlElement = page
        .first("[data-format=Protobuf] .mapped-bytes .cell")
        .and_then(|cell| cell.dyn_into().ok())
        .expect("a Protobuf byte");
    first_cell.click();
    settle().await;
    assert_eq!(tree_row(&page, "name").get_attribute("aria-pressed").as_deref(), Some("true"));
    assert!(lit_bytes(&page, "JSON") > 0, "the name lights up in JSON too");
}

#[wasm_bindgen_test]
async fn a_broken_schema_shows_its_line_and_column_and_keeps_the_text() {
    let page = mount_lab().await;
    let broken = "syntax = \"proto3\";\nmessage A {\n  int32 = 1;\n}\n";
    page.set_field(".proto schema", broken);
    wait_until("a schema error", 5, || page.alerts().iter().any(|alert| alert.contains("line 3"))).await;
    assert_eq!(page.field_value(".proto schema"), broken);
}

#[wasm_bindgen_test]
async fn a_source_error_points_at_its_place() {
    let page = mount_lab().await;
    page.set_field("Source (JSON)", "{\n  \"a\": 1,\n  \"b\": tru\n}");
    wait_until("a source error", 5, || page.alerts().iter().any(|alert| alert.contains("line 3"))).await;
    assert_eq!(page.field_value("Source (JSON)"), "{\n  \"a\": 1,\n  \"b\": tru\n}");
}

#[wasm_bindgen_test]
async fn the_decode_tab_guesses_cbor_and_maps_its_bytes() {
    let page = mount_lab().await;
    page.click("Decode");
    settle().await;
    page.set_field("Bytes (hex or base64)", "a2 61 61 01 61 62 82 02 03");
    wait_until("a decode", 5, || page.text(".ok-note").contains("as CBOR")).await;
    let cells = page.root.query_selector_all(".decode .mapped-bytes .cell").map(|list| list.length()).unwrap_or(0);
    assert_eq!(cells, 9, "every byte is shown");
    let fields = page.text(".decode .doc-tree");
    assert_eq!(fields, "document{2}a1b[2][0]2[1]3");
}

#[wasm_bindgen_test]
async fn truncated_protobuf_reports_the_offset() {
    let page = mount_lab().await;
    page.click("Decode");
    settle().await;
    page.set_field("Bytes (hex or base64)", "08 96 01 12 05 61 62");
    page.select("Decode as", "protobuf-raw");
    wait_until("the error", 5, || page.alerts().iter().any(|alert| alert.contains("byte 4"))).await;
}

/// `openssl s_client -servername localhost -alpn h2` (OpenSSL 3.0): one record, 324 bytes.
const OPENSSL_CLIENT_HELLO: &str = "16 03 01 01 3f 01 00 01 3b 03 03 f9 4f 79 4f 3d 14 85 17 ed 8c f1 3d d5 1b ca 12 55 35 99 75 ee 61 61 7c cb 90 9c ea 6e 26 4f 1c 20 40 21 d6 02 09 2d ec 2f b7 c4 71 45 60 b8 36 df dc 9f 63 af 9e 17 a7 88 de 8f f2 ca 53 2b 74 0c 00 3e 13 02 13 03 13 01 c0 2c c0 30 00 9f cc a9 cc a8 cc aa c0 2b c0 2f 00 9e c0 24 c0 28 00 6b c0 23 c0 27 00 67 c0 0a c0 14 00 39 c0 09 c0 13 00 33 00 9d 00 9c 00 3d 00 3c 00 35 00 2f 00 ff 01 00 00 b4 00 00 00 0e 00 0c 00 00 09 6c 6f 63 61 6c 68 6f 73 74 00 0b 00 04 03 00 01 02 00 0a 00 16 00 14 00 1d 00 17 00 1e 00 19 00 18 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 10 00 05 00 03 02 68 32 00 16 00 00 00 17 00 00 00 0d 00 2a 00 28 04 03 05 03 06 03 08 07 08 08 08 09 08 0a 08 0b 08 04 08 05 08 06 04 01 05 01 06 01 03 03 03 01 03 02 04 02 05 02 06 02 00 2b 00 09 08 03 04 03 03 03 02 03 01 00 2d 00 02 01 01 00 33 00 26 00 24 00 1d 00 20 ed c7 ce 46 b2 88 72 32 b9 3a fa a8 bb 3d a9 7c e0 9b f1 0e 65 90 9a 4f 37 4c ca a6 7b f1 30 60";

#[wasm_bindgen_test]
async fn the_decode_tab_reads_a_tls_client_hello() {
    let page = mount_lab().await;
    page.click("Decode");
    settle().await;
    page.set_field("Bytes (hex or base64)", OPENSSL_CLIENT_HELLO);
    wait_until("a decode", 5, || page.text(".ok-note").contains("as TLS records")).await;
    let fields = page.text(".decode .doc-tree");
    for expected in ["client_hello (1)", "TLS_AES_256_GCM_SHA384 (0x1302)", "localhost", "X25519 (0x001d)"] {
        assert!(fields.contains(expected), "{expected} in {fields}");
    }
    // Cut short, it is still read as TLS, up to the byte where it ends.
    page.set_field("Bytes (hex or base64)", &OPENSSL_CLIENT_HELLO[..300]);
    wait_until("the error", 5, || page.alerts().iter().any(|alert| alert.contains("byte 100: the bytes end here")))
        .await;
}
