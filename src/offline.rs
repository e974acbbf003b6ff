//! The shell's notices about working offline: that the server cannot be reached (and which labs
//! work without it), and that a new build of the app is ready to reload into.
//!
//! The caching itself is the service worker's (`www/sw.js`, served by wirelab-server as `/sw.js`).
//! Its registration is a small script in `index.html`, so it runs without this module's wasm and
//! adds nothing to it; the script leaves `window.wirelabOffline` (`fromCache`, `updateReady`,
//! `applyUpdate()`, `checkForUpdate()`) and dispatches `wirelab:update-ready` on the window,
//! which is all this module reads.
//!
//! Whether the server answers is asked with a `HEAD /api/info` only when there is a reason to
//! doubt it: the page came from the worker's cache, the browser went offline and back, or the
//! last answer was no. A page fetched from the server just now needs no question, so a first
//! visit sends nothing more.

use gloo_events::EventListener;
use gloo_net::http::{Method, Request};
use gloo_timers::callback::Interval;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::RequestCache;
use yew::prelude::*;

/// What works with the server out of reach (the service worker keeps the code of every lab, but
/// only these do their work in the browser), and what needs it. One constant sentence, rather
/// than one put together from a table, because every byte of the shell is on the first visit.
pub const WHAT_WORKS_OFFLINE: &str = "Working offline: the Formats lab (Compare, Decode and Craft packet) and the \
     Security lab (the Hash and encode tab). HTTP, WebSocket, Sockets, IoT, Concurrency and the Security \
     lab's other tabs need the server.";

/// How often the server is asked again while it does not answer.
const RETRY_EVERY_MS: u32 = 10_000;

/// The object `index.html`'s registration script leaves on the window.
const REGISTRATION_GLOBAL: &str = "wirelabOffline";
/// The event it dispatches when a new build has been installed and waits.
const UPDATE_READY_EVENT: &str = "wirelab:update-ready";

/// What the shell knows about the server that served the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerReach {
    /// It answered, or it served this page.
    Reachable,
    /// A question is on its way.
    Checking,
    /// The browser is offline or the server did not answer.
    Unreachable,
}

/// The server's reach, kept up to date, and a callback that asks again now.
#[hook]
pub fn use_server_reach() -> (ServerReach, Callback<()>) {
    let reach = use_state(initial_reach);
    let ask = {
        let reach = reach.clone();
        Callback::from(move |()| ask_server(reach.clone()))
    };
    {
        let reach = reach.clone();
        let ask = ask.clone();
        use_effect_with((), move |()| {
            if *reach == ServerReach::Checking {
                ask.emit(());
            }
            let listeners = web_sys::window().map(|window| {
                let offline = {
                    let reach = reach.clone();
                    EventListener::new(&window, "offline", move |_| reach.set(ServerReach::Unreachable))
                };
                let online = EventListener::new(&window, "online", move |_| ask.emit(()));
                (offline, online)
            });
            move || drop(listeners)
        });
    }
    {
        let ask = ask.clone();
        use_effect_with(*reach, move |reach| {
            let retry =
                (*reach == ServerReach::Unreachable).then(|| Interval::new(RETRY_EVERY_MS, move || ask.emit(())));
            move || drop(retry)
        });
    }
    (*reach, ask)
}

fn initial_reach() -> ServerReach {
    let online = web_sys::window().is_none_or(|window| window.navigator().on_line());
    if !online {
        ServerReach::Unreachable
    } else if registration_flag("fromCache") {
        ServerReach::Checking
    } else {
        ServerReach::Reachable
    }
}

/// Asks the server whether it is there; any HTTP answer means it is. When it answers after
/// having been out of reach, the service worker looks for a new build at once.
fn ask_server(reach: UseStateHandle<ServerReach>) {
    wasm_bindgen_futures::spawn_local(async move {
        let answered = Request::get("/api/info").method(Method::HEAD).cache(RequestCache::NoStore).send().await.is_ok();
        if answered && *reach == ServerReach::Unreachable {
            call_registration("checkForUpdate");
        }
        reach.set(if answered { ServerReach::Reachable } else { ServerReach::Unreachable });
    });
}

/// Whether a new build is installed and waits for the page's word.
#[hook]
pub fn use_update_ready() -> bool {
    let ready = use_state(|| registration_flag("updateReady"));
    {
        let ready = ready.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window()
                .map(|window| EventListener::new(&window, UPDATE_READY_EVENT, move |_| ready.set(true)));
            move || drop(listener)
        });
    }
    *ready
}

fn registration() -> Option<JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &JsValue::from_str(REGISTRATION_GLOBAL)).ok().filter(|value| value.is_object())
}

fn registration_flag(name: &str) -> bool {
    registration()
        .and_then(|object| js_sys::Reflect::get(&object, &JsValue::from_str(name)).ok())
        .is_some_and(|value| value.is_truthy())
}

/// Calls one of the registration's functions; a page without a service worker has none.
fn call_registration(name: &str) {
    let Some(object) = registration() else { return };
    let function = js_sys::Reflect::get(&object, &JsValue::from_str(name))
        .ok()
        .and_then(|value| value.dyn_into::<js_sys::Function>().ok());
    if let Some(function) = function {
        let _ = function.call0(&object);
    }
}

/// The notices under the header: a new build to reload into, and the server out of reach.
#[function_component(OfflineNotices)]
pub fn offline_notices() -> Html {
    let (reach, ask) = use_server_reach();
    let update_ready = use_update_ready();
    let reload = Callback::from(|_: MouseEvent| call_registration("applyUpdate"));
    let try_again = Callback::from(move |_: MouseEvent| ask.emit(()));
    html! {
        <>
            if update_ready {
                <div class="notice update-notice" role="status">
                    <p>{"A new version of Wirelab is ready."}</p>
                    <button type="button" class="button primary" onclick={reload}>{"Reload"}</button>
                </div>
            }
            if reach == ServerReach::Unreachable {
                <div class="notice offline-notice" role="status" data-testid="offline-notice">
                    <p>
                        <strong>{"The Wirelab server cannot be reached."}</strong>{" "}{WHAT_WORKS_OFFLINE}
                    </p>
                    <button type="button" class="button" onclick={try_again}>{"Try again"}</button>
                </div>
            }
        </>
    }
}
