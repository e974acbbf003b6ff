//! The app shell in a real browser: the name, the navigation, and the theme switch.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, mount_point, settle};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::app::App;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_shell_names_the_app_and_links_the_labs() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let page = Page::new(root);
    assert_eq!(page.text(".brand-name"), "Wirelab");
    let nav = page.text("nav[aria-label=Labs]");
    assert!(nav.contains("Overview") && nav.contains("WebSocket"), "{nav}");
}

#[wasm_bindgen_test]
async fn the_theme_switch_cycles_system_light_dark_and_marks_the_page() {
    use wasm_bindgen::JsCast;
    use wirelab::theme::{ThemeChoice, load};

    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let page = Page::new(root);
    let html = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()).expect("html");
    let mut expected = load();
    for _ in 0..3 {
        expected = expected.next();
        let toggle = page.first(".theme-toggle").expect("a theme switch");
        toggle.dyn_into::<web_sys::HtmlElement>().expect("a button").click();
        settle().await;
        let marked = html.get_attribute("data-theme");
        let wanted = match expected {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some("light".to_string()),
            ThemeChoice::Dark => Some("dark".to_string()),
        };
        assert_eq!(marked, wanted, "after switching to {expected:?}");
        assert_eq!(load(), expected, "the choice is remembered");
        let label = page.first(".theme-toggle").and_then(|t| t.get_attribute("aria-label")).unwrap_or_default();
        assert_eq!(label, expected.label());
    }
}
