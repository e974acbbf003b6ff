//! The IoT lab's MQTT tab in a real browser against the broker of the wirelab-server that
//! `cargo xtask test` started: connect, subscribe to wirelab/#, publish a retained QoS 2
//! message and see PUBLISH, PUBREC, PUBREL and PUBCOMP in the packet list and the sequence
//! diagram, the message come back, its retained copy arrive on a new subscription, a packet's
//! bytes mapped; and an unreachable broker said where it happened, with the form kept.

#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, mount_point, server_host, settle, wait_until};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement};
use wirelab::iot_lab::mqtt::{MqttPanel, MqttPanelProps};

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_tab() -> Page {
    let root = mount_point();
    yew::Renderer::<MqttPanel>::with_root_and_props(
        root.clone(),
        MqttPanelProps { server: Some(server_host().into()) },
    )
    .render();
    settle().await;
    Page::new(root)
}

fn all(page: &Page, selector: &str) -> Vec<Element> {
    let list = page.root.query_selector_all(selector).expect("a valid selector");
    (0..list.length()).filter_map(|index| list.get(index)).filter_map(|node| node.dyn_into::<Element>().ok()).collect()
}

/// `sent PUBLISH`, `received PUBREC`, … for every packet row.
fn packets(page: &Page) -> Vec<String> {
    all(page, "[data-testid=mqtt-packet]")
        .iter()
        .map(|row| {
            format!(
                "{} {}",
                row.get_attribute("data-direction").unwrap_or_default(),
                row.get_attribute("data-kind").unwrap_or_default()
            )
        })
        .collect()
}

fn sequence(page: &Page) -> Vec<String> {
    all(page, "[data-testid=sequence-step]")
        .iter()
        .map(|step| {
            let classes = step.get_attribute("class").unwrap_or_default();
            let way = if classes.split(' ').any(|class| class == "sent") { "→" } else { "←" };
            format!("{way}{}", step.get_attribute("data-kind").unwrap_or_default())
        })
        .collect()
}

fn tick(page: &Page, label: &str, on: bool) {
    let input = page.field(label).dyn_into::<HtmlInputElement>().expect("a checkbox");
    input.set_checked(on);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).expect("an event");
    input.dispatch_event(&event).expect("dispatch");
}

/// Clicks the packet row's type button for the first row of `direction` and `kind` after
/// `skip` rows.
fn choose_packet(page: &Page, direction: &str, kind: &str) {
    let row = all(page, &format!("[data-testid=mqtt-packet][data-direction={direction}][data-kind={kind}]"))
        .into_iter()
        .last()
        .unwrap_or_else(|| panic!("no {direction} {kind} row"));
    let button = row.query_selector("button").ok().flatten().expect("a row button");
    button.dyn_into::<HtmlElement>().expect("an HTML button").click();
}

fn messages_on(page: &Page, topic: &str) -> Vec<(String, String)> {
    all(page, "[data-testid=mqtt-message]")
        .iter()
        .filter(|message| message.get_attribute("data-topic").as_deref() == Some(topic))
        .map(|message| {
            let retain = message.get_attribute("data-retain").unwrap_or_default();
            let payload = message.query_selector(".mqtt-payload").ok().flatten().and_then(|pre| pre.text_content());
            (retain, payload.unwrap_or_default())
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_retained_qos_2_message_goes_through_its_four_way_handshake_and_comes_back_retained() {
    let page = mount_tab().await;
    assert_eq!(page.field_value("Broker URL"), format!("ws://{}/mqtt", server_host()));
    page.click("Connect");
    wait_until("CONNACK", 10, || page.status() == "connected").await;
    assert_eq!(packets(&page)[..2], ["sent CONNECT".to_string(), "received CONNACK".to_string()]);

    page.set_field("Topic filter", "wirelab/#");
    page.select("Subscription QoS", "2");
    settle().await;
    page.click("Subscribe");
    wait_until("SUBACK", 10, || page.text("[data-testid=subscription]").contains("granted QoS 2")).await;

    let topic = format!("wirelab/browser-test/{}", js_sys::Date::now() as u64);
    page.set_field("Topic", &topic);
    page.set_field("Payload", r#"{"temperature_c": 21.5}"#);
    page.select("QoS", "2");
    tick(&page, "Retain", true);
    settle().await;
    page.click("Publish");
    wait_until("PUBCOMP", 10, || packets(&page).contains(&"received PUBCOMP".to_string())).await;
    wait_until("the message back", 10, || !messages_on(&page, &topic).is_empty()).await;
    let rows = packets(&page);
    for expected in ["sent PUBLISH", "received PUBREC", "sent PUBREL", "received PUBCOMP"] {
        assert!(rows.contains(&expected.to_string()), "no {expected} in {rows:?}");
    }

    choose_packet(&page, "sent", "PUBREL");
    settle().await;
    wait_until("the client's exchange", 5, || sequence(&page) == ["→PUBLISH", "←PUBREC", "→PUBREL", "←PUBCOMP"]).await;
    let bytes = page.text("[data-testid=packet-bytes] h3");
    assert!(bytes.starts_with("PUBREL, 4 bytes, sent"), "{bytes}");
    assert_eq!(all(&page, "[data-testid=packet-bytes] .cell").len(), 4);

    page.set_field("Topic filter", &topic);
    page.select("Subscription QoS", "1");
    settle().await;
    page.click("Subscribe");
    wait_until("the retained copy", 10, || {
        messages_on(&page, &topic).iter().any(|(retain, payload)| retain == "true" && payload.contains("21.5"))
    })
    .await;
    page.click("Disconnect");
    wait_until("the close", 10, || page.status() == "not connected").await;
    assert!(page.alerts().is_empty(), "{:?}", page.alerts());
}

#[wasm_bindgen_test]
async fn an_unreachable_broker_is_said_by_the_form_and_nothing_typed_is_lost() {
    let page = mount_tab().await;
    page.set_field("Broker URL", "ws://127.0.0.1:9/mqtt");
    page.set_field("Client ID", "kept-client");
    settle().await;
    page.click("Connect");
    wait_until("the failure", 10, || page.status() == "not connected" && !page.alerts().is_empty()).await;
    let alerts = page.alerts().join(" ");
    assert!(alerts.contains("could not reach the broker at ws://127.0.0.1:9/mqtt"), "{alerts}");
    assert_eq!(page.field_value("Client ID"), "kept-client");

    page.set_field("Broker URL", "mqtt://nowhere");
    settle().await;
    page.click("Connect");
    settle().await;
    let alerts = page.alerts().join(" ");
    assert!(alerts.contains("a WebSocket URL starts with ws:// or wss://, not mqtt:"), "{alerts}");
    assert_eq!(page.field_value("Broker URL"), "mqtt://nowhere");
}
