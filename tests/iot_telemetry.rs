//! The IoT lab's Telemetry tab in a real browser against the wirelab-server that `cargo xtask test`
//! started: a stream of four devices plotted (the canvas counts the points it drew), switched to
//! CBOR on the open stream with bytes per reading following, paused and resumed; a server that is
//! not there said where it happened; the lab's two tabs.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, mount_point, server_host, settle, wait_until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wirelab::iot_lab::telemetry::{TelemetryPanel, TelemetryPanelProps};
use wirelab::iot_lab::{IotLabOn, IotLabOnProps};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh Telemetry tab talking to `server`.
async fn mount_panel(server: &str) -> Page {
    let root = mount_point();
    yew::Renderer::<TelemetryPanel>::with_root_and_props(
        root.clone(),
        TelemetryPanelProps { server: Some(server.to_string().into()) },
    )
    .render();
    settle().await;
    Page::new(root)
}

fn stat(page: &Page, key: &str) -> String {
    page.text(&format!("[data-stat={key}] dd"))
}

fn stat_label(page: &Page, key: &str) -> String {
    page.text(&format!("[data-stat={key}] dt"))
}

fn number(page: &Page, key: &str) -> f64 {
    stat(page, key).chars().filter(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().unwrap_or(0.0)
}

fn points_drawn(page: &Page) -> u64 {
    page.first("canvas")
        .and_then(|canvas| canvas.get_attribute("data-points"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn status(page: &Page) -> String {
    page.text("[data-testid=telemetry-status]")
}

#[wasm_bindgen_test]
async fn a_stream_is_plotted_switched_to_cbor_paused_and_resumed() {
    let page = mount_panel(server_host()).await;
    assert!(page.text("[data-testid=plot-empty]").starts_with("Not connected"), "the empty state before connecting");
    page.set_field("Devices", "4");
    page.set_field("Rate (readings/s per device)", "25");
    page.select("Encoding", "json");
    page.click("Connect");
    wait_until("streaming", 10, || status(&page) == "streaming").await;
    wait_until("points on the plot", 10, || points_drawn(&page) > 20).await;
    wait_until("four devices", 10, || page.first("[data-device=sensor-04]").is_some()).await;
    wait_until("a JSON size", 5, || stat(&page, "bytes-per-reading") != "–").await;
    assert!(stat_label(&page, "bytes-per-reading").contains("JSON"));
    let json = number(&page, "bytes-per-reading");
    assert!((100.0..200.0).contains(&json), "a JSON reading is about 130 bytes, not {json}");

    page.select("Encoding", "cbor");
    wait_until("CBOR sizes", 10, || {
        stat_label(&page, "bytes-per-reading").contains("CBOR") && stat(&page, "bytes-per-reading") != "–"
    })
    .await;
    let cbor = number(&page, "bytes-per-reading");
    assert!(cbor < json, "CBOR ({cbor} B) is smaller than JSON ({json} B)");
    assert!(page.text("tr[data-encoding=json] [data-testid=measured]").contains(" B"), "JSON stays measured");

    page.click("Pause");
    wait_until("paused", 5, || status(&page) == "paused").await;
    page.click("Resume");
    wait_until("streaming again", 5, || status(&page) == "streaming").await;
    let received = number(&page, "received");
    wait_until("more readings", 10, || number(&page, "received") > received + 10.0).await;
    page.click("Disconnect");
    wait_until("closed", 5, || status(&page) == "not connected").await;
    assert!(page.first("[data-testid=telemetry-problem]").is_none(), "a close the person asked for is no problem");
}

#[wasm_bindgen_test]
async fn a_server_that_is_not_there_is_said_in_the_connect_bar() {
    // Nothing listens on the discard port.
    let page = mount_panel("127.0.0.1:9").await;
    page.click("Connect");
    wait_until("the problem", 10, || !page.text("[data-testid=telemetry-problem]").is_empty()).await;
    assert!(page.text("[data-testid=telemetry-problem]").starts_with("The server did not accept the stream"));
    assert_eq!(status(&page), "not connected");
}

#[wasm_bindgen_test]
async fn the_lab_has_a_telemetry_and_an_mqtt_tab() {
    let root = mount_point();
    yew::Renderer::<IotLabOn>::with_root_and_props(root.clone(), IotLabOnProps { server: Some(server_host().into()) })
        .render();
    settle().await;
    let page = Page::new(root);
    let hidden = |id: &str| page.first(&format!("#{id}")).is_some_and(|panel| panel.has_attribute("hidden"));
    assert!(!hidden("iot-panel-telemetry") && hidden("iot-panel-mqtt"));
    page.click("MQTT");
    settle().await;
    assert!(hidden("iot-panel-telemetry") && !hidden("iot-panel-mqtt"), "the MQTT tab shown, telemetry kept mounted");
}
