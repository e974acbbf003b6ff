//! Page objects for the browser tests: actions (`set_field`, `click`) and readings (`status`,
//! `messages`) that find elements by their visible labels and roles, as a person would.

#![allow(dead_code)] // each test binary uses a different subset

use std::time::Duration;

use gloo_timers::future::sleep;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// `127.0.0.1:PORT` of the wirelab-server that `cargo xtask test` started for these tests.
pub fn server_host() -> &'static str {
    match option_env!("WIRELAB_TEST_SERVER") {
        Some(host) => host,
        None => {
            panic!("WIRELAB_TEST_SERVER is not set: run the browser tests with `cargo xtask test`")
        }
    }
}

pub fn echo_url() -> String {
    format!("ws://{}/ws/echo", server_host())
}

/// A fresh element in the page to mount one component into.
pub fn mount_point() -> Element {
    let document = web_sys::window().and_then(|w| w.document()).expect("a browser document");
    let root = document.create_element("div").expect("create a div");
    document.body().expect("a body").append_child(&root).expect("append the root");
    root
}

/// Lets yew render and the browser deliver events.
pub async fn settle() {
    sleep(Duration::from_millis(20)).await;
}

/// Renders `Component` with `props` into a fresh mount point and returns the page once yew has drawn it.
pub async fn mount<Component: yew::BaseComponent>(props: Component::Properties) -> Page {
    let root = mount_point();
    yew::Renderer::<Component>::with_root_and_props(root.clone(), props).render();
    settle().await;
    Page::new(root)
}

/// Waits until `condition` holds, checking every 20 ms; panics with `what` after `seconds`.
pub async fn wait_until(what: &str, seconds: u64, mut condition: impl FnMut() -> bool) {
    let attempts = seconds * 50;
    for _ in 0..attempts {
        if condition() {
            return;
        }
        sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out after {seconds} s waiting for: {what}");
}

pub struct Page {
    pub root: Element,
}

impl Page {
    pub fn new(root: Element) -> Page {
        Page { root }
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).expect("a valid selector");
        (0..list.length()).filter_map(|i| list.get(i)).filter_map(|node| node.dyn_into::<Element>().ok()).collect()
    }

    pub fn first(&self, selector: &str) -> Option<Element> {
        self.root.query_selector(selector).ok().flatten()
    }

    pub fn text(&self, selector: &str) -> String {
        self.first(selector).and_then(|element| element.text_content()).unwrap_or_default().trim().to_string()
    }

    /// The form control inside the `<label>` whose visible text is `label` (or, failing that,
    /// starts with it), or the control whose `aria-label` is `label`.
    pub fn field(&self, label: &str) -> Element {
        let labels = self.all("label");
        let text_of = |element: &Element| element.text_content().unwrap_or_default().trim().to_string();
        let control = |element: &Element| element.query_selector("input, textarea, select").ok().flatten();
        labels
            .iter()
            .find(|element| text_of(element) == label)
            .or_else(|| labels.iter().find(|element| text_of(element).starts_with(label)))
            .and_then(control)
            .or_else(|| self.first(&format!("[aria-label=\"{label}\"]")))
            .unwrap_or_else(|| panic!("no field labelled {label:?}"))
    }

    /// Types `value` into the field labelled `label` (replacing what was there).
    pub fn set_field(&self, label: &str, value: &str) {
        let element = self.field(label);
        if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
            input.set_value(value);
        } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
            area.set_value(value);
        } else {
            panic!("field {label:?} is not a text input");
        }
        dispatch(&element, "input");
    }

    pub fn field_value(&self, label: &str) -> String {
        let element = self.field(label);
        if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
            input.value()
        } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
            area.value()
        } else {
            String::new()
        }
    }

    /// Picks the option whose value is `value` in the select labelled `label`.
    pub fn select(&self, label: &str, value: &str) {
        let element = self.field(label);
        let select = element.dyn_ref::<HtmlSelectElement>().unwrap_or_else(|| panic!("{label:?} is not a select"));
        select.set_value(value);
        dispatch(&element, "change");
    }

    /// The enabled or disabled button whose visible text is `name`.
    pub fn button(&self, name: &str) -> Option<HtmlElement> {
        self.all("button")
            .into_iter()
            .find(|element| element.text_content().unwrap_or_default().trim() == name)
            .and_then(|element| element.dyn_into::<HtmlElement>().ok())
    }

    pub fn click(&self, name: &str) {
        self.button(name).unwrap_or_else(|| panic!("no button named {name:?}")).click();
    }

    pub fn status(&self) -> String {
        self.text("[data-testid=connection-status]")
    }

    pub fn status_detail(&self) -> String {
        self.text("[data-testid=connection-detail]")
    }

    pub fn alerts(&self) -> Vec<String> {
        self.all("[role=alert]").into_iter().filter_map(|element| element.text_content()).collect()
    }

    /// Message rows on screen: (direction, kind, preview).
    pub fn messages(&self) -> Vec<(String, String, String)> {
        self.all(".log-message")
            .into_iter()
            .map(|row| {
                let direction = row.get_attribute("data-direction").unwrap_or_default();
                let kind = row.get_attribute("data-kind").unwrap_or_default();
                let preview = row
                    .query_selector(".log-text")
                    .ok()
                    .flatten()
                    .and_then(|text| text.text_content())
                    .unwrap_or_default();
                (direction, kind, preview)
            })
            .collect()
    }

    pub fn has_message(&self, direction: &str, kind: &str, preview: &str) -> bool {
        self.messages().iter().any(|(d, k, p)| d == direction && k == kind && p == preview)
    }

    /// Clicks the first message row matching direction and preview.
    pub fn open_message(&self, direction: &str, preview: &str) {
        let row = self
            .all(".log-message")
            .into_iter()
            .find(|row| {
                row.get_attribute("data-direction").as_deref() == Some(direction)
                    && row.text_content().unwrap_or_default().contains(preview)
            })
            .unwrap_or_else(|| panic!("no {direction} message showing {preview:?}"));
        let button = row.query_selector("button").ok().flatten().expect("a row button");
        button.dyn_into::<HtmlElement>().expect("an HTML button").click();
    }

    pub async fn connect(&self, url: &str) {
        self.set_field("URL", url);
        settle().await;
        self.click("Connect");
        wait_until("the connection to open", 10, || self.status() == "open").await;
    }
}

fn dispatch(element: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).expect("an event");
    element.dispatch_event(&event).expect("dispatch");
}
