//! "Hash this…": bytes handed from the WebSocket and HTTP labs to the Security lab's Hash and
//! encode view, through the history entry's state (`{ hash: { bytes, origin } }`), the same way
//! `navigation` hands bytes to the Formats lab's Decode tab (see its module doc for why).

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use yew_router::Routable;

use crate::net::describe_js_error;
use crate::net::navigation::navigate;
use crate::route::Route;

/// Bytes for the Hash and encode view, with where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct HashRequest {
    pub bytes: Vec<u8>,
    pub origin: String,
}

/// Opens the Security lab's Hash and encode view with `request`'s bytes as its input.
pub fn open_in_hashing(request: &HashRequest) -> Result<(), String> {
    let hash = Object::new();
    Reflect::set(&hash, &"bytes".into(), &Uint8Array::from(request.bytes.as_slice())).map_err(describe_js_error)?;
    Reflect::set(&hash, &"origin".into(), &request.origin.as_str().into()).map_err(describe_js_error)?;
    let state = Object::new();
    Reflect::set(&state, &"hash".into(), &hash).map_err(describe_js_error)?;
    navigate(&Route::Security.to_path(), &state.into())
}

/// The hash request the current history entry carries, if any.
pub fn hash_request_in_history() -> Option<HashRequest> {
    let state = web_sys::window()?.history().ok()?.state().ok()?;
    if !state.is_object() {
        return None;
    }
    let hash = Reflect::get(&state, &"hash".into()).ok().filter(JsValue::is_object)?;
    let bytes = Reflect::get(&hash, &"bytes".into()).ok()?.dyn_into::<Uint8Array>().ok()?.to_vec();
    let origin = Reflect::get(&hash, &"origin".into()).ok()?.as_string().unwrap_or_default();
    Some(HashRequest { bytes, origin })
}
