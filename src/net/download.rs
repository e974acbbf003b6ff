//! Offering what the app made (an exported HAR, a crafted packet's `.pcap`) as a file to
//! download, through a Blob URL.

use wasm_bindgen::{JsCast, JsValue};

/// Offers `text` as a file named `file_name` of type `content_type` (the Blob URL is revoked a
/// second later); the error is a sentence.
pub fn offer_text(text: &str, content_type: &str, file_name: &str) -> Result<(), String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(super::describe_js_error)?;
    offer_blob(&blob, file_name)
}

/// Offers `bytes` as a file named `file_name` of type `content_type`, as [`offer_text`] does.
pub fn offer_bytes(bytes: &[u8], content_type: &str, file_name: &str) -> Result<(), String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(super::describe_js_error)?;
    offer_blob(&blob, file_name)
}

/// Clicks a download link to `blob`'s URL, revoked a second later.
fn offer_blob(blob: &web_sys::Blob, file_name: &str) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(super::describe_js_error)?;
    let document = web_sys::window().and_then(|window| window.document()).ok_or("no document")?;
    let link = document.create_element("a").map_err(super::describe_js_error)?;
    link.set_attribute("href", &url).map_err(super::describe_js_error)?;
    link.set_attribute("download", file_name).map_err(super::describe_js_error)?;
    link.dyn_ref::<web_sys::HtmlElement>().ok_or("the link is not an HTML element")?.click();
    gloo_timers::callback::Timeout::new(1_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
