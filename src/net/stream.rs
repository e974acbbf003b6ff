//! Reading a fetch response's body as it arrives: the body's `ReadableStream` through its default
//! reader, one chunk per `read()`, each handed to the caller with the moment it arrived, and the
//! whole body returned at the end. Aborting the fetch makes the pending `read()` fail, which
//! ends the loop with the browser's error.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult};

use crate::net::describe_js_error;

/// Reads `response`'s body to its end, calling `on_chunk` with each chunk's bytes as it arrives.
/// The error is the browser's words (an abort, a broken connection).
pub async fn read_chunks(response: &web_sys::Response, mut on_chunk: impl FnMut(&[u8])) -> Result<Vec<u8>, String> {
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader =
        stream.get_reader().dyn_into().map_err(|_| "the body's reader is not a default reader".to_string())?;
    let mut body = Vec::new();
    loop {
        let result: ReadableStreamReadResult = match JsFuture::from(reader.read()).await {
            Ok(value) => value.unchecked_into(),
            Err(error) => {
                reader.release_lock();
                return Err(describe_js_error(error));
            }
        };
        if result.get_done().unwrap_or(false) {
            break;
        }
        let value: JsValue = result.get_value();
        let Some(array) = value.dyn_ref::<Uint8Array>() else {
            continue;
        };
        let chunk = array.to_vec();
        on_chunk(&chunk);
        body.extend_from_slice(&chunk);
    }
    reader.release_lock();
    Ok(body)
}
