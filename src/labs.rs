//! The labs as separately loaded wasm modules: which labs exist, where each one's module is, and
//! how a lab module mounts itself into the element the shell made for it.
//!
//! The first visit loads only the shell (header, navigation, theme, Overview). Each lab is its
//! own binary (`src/bin/lab_*.rs`), built by trunk as a non-auto-loaded module into `labs/`
//! (see `index.html`), and imported by `lab_loader` the first time the lab is opened. A lab
//! module's `main` runs when it has loaded and renders the lab's root component into
//! `<main id="lab-root-ID">`, an element outside the shell's own yew tree: each module runs its
//! own yew, and two yews must not share a subtree (their event delegation would collide).

use yew::BaseComponent;

use crate::route::Route;

/// A lab that lives in a module of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lab {
    Http,
    WebSocket,
    Formats,
    Sockets,
    Security,
    Concurrency,
    Iot,
}

impl Lab {
    pub const ALL: [Lab; 7] =
        [Lab::Http, Lab::WebSocket, Lab::Formats, Lab::Sockets, Lab::Security, Lab::Concurrency, Lab::Iot];

    /// The short name used in element ids and module file names.
    pub fn id(self) -> &'static str {
        match self {
            Lab::Http => "http",
            Lab::WebSocket => "ws",
            Lab::Formats => "formats",
            Lab::Sockets => "sockets",
            Lab::Security => "security",
            Lab::Concurrency => "concurrency",
            Lab::Iot => "iot",
        }
    }

    /// The lab's name as people read it ("the HTTP lab").
    pub fn title(self) -> &'static str {
        match self {
            Lab::Http => "HTTP",
            Lab::WebSocket => "WebSocket",
            Lab::Formats => "Formats",
            Lab::Sockets => "Sockets",
            Lab::Security => "Security",
            Lab::Concurrency => "Concurrency",
            Lab::Iot => "IoT",
        }
    }

    pub fn route(self) -> Route {
        match self {
            Lab::Http => Route::Http,
            Lab::WebSocket => Route::WebSocket,
            Lab::Formats => Route::Formats,
            Lab::Sockets => Route::Sockets,
            Lab::Security => Route::Security,
            Lab::Concurrency => Route::Concurrency,
            Lab::Iot => Route::Iot,
        }
    }

    pub fn for_route(route: Route) -> Option<Lab> {
        Lab::ALL.into_iter().find(|lab| lab.route() == route)
    }

    /// The module's JavaScript, as trunk writes it for `data-bin="lab_ID"` with
    /// `data-target-path="labs"` (worker-type assets keep the binary's name, unhashed).
    pub fn script_url(self) -> String {
        format!("/labs/lab_{}.js", self.id())
    }

    pub fn wasm_url(self) -> String {
        format!("/labs/lab_{}_bg.wasm", self.id())
    }

    /// The id of the element the lab's module renders into.
    pub fn root_id(self) -> String {
        format!("lab-root-{}", self.id())
    }
}

/// Called by a lab module's `main`: renders `Root` into the element the shell made for `lab`.
/// Without that element (the module was loaded by something other than the shell) it renders
/// into `<body>`, so the lab still works on its own.
pub fn mount<Root>(lab: Lab)
where
    Root: BaseComponent<Properties = ()>,
{
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(&lab.root_id()));
    match root {
        Some(root) => yew::Renderer::<Root>::with_root(root).render(),
        None => yew::Renderer::<Root>::new().render(),
    };
}
