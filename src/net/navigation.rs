//! Moving between pages when the shell and each lab are separate wasm modules: a push to the
//! browser's history that every module hears, and bytes handed to another lab ("Decode as…" to the
//! Formats lab, "Hash this…" to the Security lab) through the history entry itself (the only
//! state every module can read).
//!
//! yew-router keeps `push_with_state` values inside one module's memory, so they cannot cross
//! modules. Here the state is a plain JavaScript object (`{ decode: { bytes, origin } }` or
//! `{ hash: … }`, the bytes as a `Uint8Array`), which the history entry keeps through reloads and back/forward.
//! After `pushState` a `popstate` event is dispatched, because the browser fires none for a push:
//! the shell's router (gloo-history listens to `popstate`) and the labs' own listeners update.

use gloo_events::EventListener;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use yew_router::Routable;

use crate::net::describe_js_error;
use crate::route::Route;

/// Where another lab can hand bytes over to: "Decode as…" to the Formats lab's Decode tab,
/// "Hash this…" to the Security lab's Hash and encode view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandOff {
    Decode,
    Hash,
}

impl HandOff {
    /// The key of the history entry's state that carries the bytes (`{ decode: {…} }`).
    fn key(self) -> &'static str {
        match self {
            HandOff::Decode => "decode",
            HandOff::Hash => "hash",
        }
    }

    fn route(self) -> Route {
        match self {
            HandOff::Decode => Route::Formats,
            HandOff::Hash => Route::Security,
        }
    }

    /// The button's words, its tooltip, and where a failure says it could not go.
    pub fn label(self) -> &'static str {
        match self {
            HandOff::Decode => "Decode as…",
            HandOff::Hash => "Hash this…",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            HandOff::Decode => "Open these bytes in the Formats lab's Decode tab",
            HandOff::Hash => "Hash or encode these bytes in the Security lab",
        }
    }

    pub fn destination(self) -> &'static str {
        match self {
            HandOff::Decode => "the Formats lab's Decode tab",
            HandOff::Hash => "the Security lab's Hash and encode view",
        }
    }
}

/// Bytes handed to another lab, with where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct HandedBytes {
    pub bytes: Vec<u8>,
    pub origin: String,
}

/// Goes to `path` with `state` on a new history entry, and tells every module.
pub fn navigate(path: &str, state: &JsValue) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let history = window.history().map_err(describe_js_error)?;
    history.push_state_with_url(state, "", Some(path)).map_err(describe_js_error)?;
    announce_navigation(&window)
}

/// Opens the lab `to` stands for with `handed` as its input.
pub fn hand_over(to: HandOff, handed: &HandedBytes) -> Result<(), String> {
    navigate(&to.route().to_path(), &hand_off_state(to, handed)?)
}

/// The bytes the current history entry carries for `to`, if any.
pub fn handed_in_history(to: HandOff) -> Option<HandedBytes> {
    let state = web_sys::window()?.history().ok()?.state().ok()?;
    read_hand_off_state(to, &state)
}

/// Calls `on_change` whenever the page's location changes (back, forward, or [`navigate`]).
/// The listener stops when the returned value is dropped.
pub fn on_navigation(on_change: impl Fn() + 'static) -> Option<EventListener> {
    let window = web_sys::window()?;
    Some(EventListener::new(&window, "popstate", move |_| on_change()))
}

fn announce_navigation(window: &web_sys::Window) -> Result<(), String> {
    let event = web_sys::PopStateEvent::new("popstate").map_err(describe_js_error)?;
    window.dispatch_event(&event).map(|_| ()).map_err(describe_js_error)
}

fn hand_off_state(to: HandOff, handed: &HandedBytes) -> Result<JsValue, String> {
    let inner = Object::new();
    Reflect::set(&inner, &"bytes".into(), &Uint8Array::from(handed.bytes.as_slice())).map_err(describe_js_error)?;
    Reflect::set(&inner, &"origin".into(), &handed.origin.as_str().into()).map_err(describe_js_error)?;
    let state = Object::new();
    Reflect::set(&state, &to.key().into(), &inner).map_err(describe_js_error)?;
    Ok(state.into())
}

fn read_hand_off_state(to: HandOff, state: &JsValue) -> Option<HandedBytes> {
    if !state.is_object() {
        return None;
    }
    let inner = Reflect::get(state, &to.key().into()).ok().filter(JsValue::is_object)?;
    let bytes = Reflect::get(&inner, &"bytes".into()).ok()?.dyn_into::<Uint8Array>().ok()?.to_vec();
    let origin = Reflect::get(&inner, &"origin".into()).ok()?.as_string().unwrap_or_default();
    Some(HandedBytes { bytes, origin })
}
