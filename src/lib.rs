//! The Wirelab web app: a yew single-page app that opens real WebSocket connections and shows
//! what goes over the wire. Computation lives in the `wire` core crate; this crate renders it
//! and does the browser I/O (all of which is in `net`).
//!
//! One library, several wasm modules: `src/main.rs` is the shell (the first load), and each
//! `src/bin/lab_*.rs` is a lab loaded when it is first opened (`labs`, `lab_loader`). Link-time
//! dead-code elimination keeps each module to the code its entry point reaches.

pub mod app;
pub mod components;
pub mod concurrency_lab;
pub mod formats_lab;
pub mod http_lab;
pub mod iot_lab;
pub mod lab_keys;
pub mod lab_loader;
pub mod lab_store;
pub mod labs;
pub mod net;
pub mod offline;
pub mod overview;
pub mod route;
pub mod security_lab;
pub mod sockets_lab;
pub mod theme;
pub mod ws_lab;

/// Mounts the shell into `#app` (or the `<body>` when the page has no such element).
pub fn start() {
    let host =
        web_sys::window().and_then(|window| window.document()).and_then(|document| document.get_element_by_id("app"));
    match host {
        Some(host) => yew::Renderer::<app::App>::with_root(host).render(),
        None => yew::Renderer::<app::App>::new().render(),
    };
}
