//! Reading a file the person picked, as bytes or as UTF-8 text.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The whole file's bytes.
pub async fn read_bytes(file: web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(crate::net::describe_js_error)?;
    buffer
        .dyn_into::<js_sys::ArrayBuffer>()
        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
        .map_err(|_| "the file could not be read".to_string())
}

/// The whole file as text; bytes that are not UTF-8 are an error naming the first one.
pub async fn read_text(file: web_sys::File) -> Result<String, String> {
    let bytes = read_bytes(file).await?;
    String::from_utf8(bytes)
        .map_err(|error| format!("the file is not UTF-8 text (byte {} is not)", error.utf8_error().valid_up_to()))
}

/// The first file of a file input's change event, clearing the input so the same file can be
/// picked again.
pub fn take_picked_file(event: &yew::Event) -> Option<web_sys::File> {
    use yew::TargetCast;
    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}
