//! Moving between pages when the shell and each lab are separate wasm modules: a push to the
//! browser's history that every module hears, and bytes handed to the Formats lab's Decode tab
//! through the history entry itself (the only state every module can read).
//!
//! yew-router keeps `push_with_state` values inside one module's memory, so they cannot cross
//! modules. Here the state is a plain JavaScript object (`{ decode: { bytes, origin } }`, the
//! bytes as a `Uint8Array`), which the history entry keeps through reloads and back/forward.
//! After `pushState` a `popstate` event is dispatched, because the browser fires none for a push:
//! the shell's router (gloo-history listens to `popstate`) and the labs' own listeners update.

use gloo_events::EventListener;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use yew_router::Routable;

use crate::net::describe_js_error;
use crate::route::Route;

/// Bytes sent to the Decode tab by another lab ("Decode as…"), with where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeRequest {
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

/// Opens `bytes` in the Formats lab's Decode tab.
pub fn open_in_decode(request: &DecodeRequest) -> Result<(), String> {
    navigate(&Route::Formats.to_path(), &decode_state(request)?)
}

/// The decode request the current history entry carries, if any.
pub fn decode_request_in_history() -> Option<DecodeRequest> {
    let state = web_sys::window()?.history().ok()?.state().ok()?;
    read_decode_state(&state)
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

fn decode_state(request: &DecodeRequest) -> Result<JsValue, String> {
    let decode = Object::new();
    Reflect::set(&decode, &"bytes".into(), &Uint8Array::from(request.bytes.as_slice())).map_err(describe_js_error)?;
    Reflect::set(&decode, &"origin".into(), &request.origin.as_str().into()).map_err(describe_js_error)?;
    let state = Object::new();
    Reflect::set(&state, &"decode".into(), &decode).map_err(describe_js_error)?;
    Ok(state.into())
}

fn read_decode_state(state: &JsValue) -> Option<DecodeRequest> {
    if !state.is_object() {
        return None;
    }
    let decode = Reflect::get(state, &"decode".into()).ok().filter(JsValue::is_object)?;
    let bytes = Reflect::get(&decode, &"bytes".into()).ok()?.dyn_into::<Uint8Array>().ok()?.to_vec();
    let origin = Reflect::get(&decode, &"origin".into()).ok()?.as_string().unwrap_or_default();
    Some(DecodeRequest { bytes, origin })
}
