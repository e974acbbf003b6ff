//! The Wirelab web app: a yew single-page app that opens real WebSocket connections and shows
//! what goes over the wire. Computation lives in the `wire` core crate; this crate renders it
//! and does the browser I/O (all of which is in `net`).

pub mod app;
pub mod components;
pub mod formats_lab;
pub mod http_lab;
pub mod net;
pub mod overview;
pub mod route;
pub mod theme;
pub mod ws_lab;

/// Mounts the app into the page's `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
