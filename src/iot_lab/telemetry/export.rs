//! "Export CSV": the readings held in the Telemetry tab's ring buffers (every device, every
//! field; `wire::iot_lab::readings_csv`) downloaded as a file through a Blob URL.

use wasm_bindgen::{JsCast, JsValue};
use wire::iot_lab::{CSV_FILE_NAME, readings_csv};
use yew::prelude::*;

use super::effects::TelemetryStore;

#[derive(Properties, PartialEq)]
pub struct ExportCsvButtonProps {
    pub lab: TelemetryStore,
    /// Whether any reading is held (the button is disabled until one is).
    pub has_readings: bool,
}

#[function_component(ExportCsvButton)]
pub fn export_csv_button(props: &ExportCsvButtonProps) -> Html {
    let problem = use_state(|| None::<String>);
    let onclick = {
        let (lab, problem) = (props.lab.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let written = readings_csv(&lab.state().series).and_then(|csv| download(&csv, "text/csv", CSV_FILE_NAME));
            problem.set(written.err());
        })
    };
    let title = if props.has_readings {
        "Download every reading held for the plot (each device, every field) as CSV"
    } else {
        "Nothing to export yet: connect, and the readings that arrive can be exported"
    };
    html! {
        <>
            <button type="button" class="button" disabled={!props.has_readings} {title} {onclick}>{"Export CSV"}</button>
            if let Some(problem) = &*problem {
                <span class="inline-error" role="alert">{format!("Not exported: {problem}")}</span>
            }
        </>
    }
}

/// Offers `text` as a file named `file_name` (through a Blob URL revoked a second later).
fn download(text: &str, content_type: &str, file_name: &str) -> Result<(), String> {
    let describe = |error: JsValue| error.as_string().unwrap_or_else(|| format!("{error:?}"));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let document = web_sys::window().and_then(|window| window.document()).ok_or("no document")?;
    let link = document.create_element("a").map_err(describe)?;
    link.set_attribute("href", &url).map_err(describe)?;
    link.set_attribute("download", file_name).map_err(describe)?;
    link.dyn_ref::<web_sys::HtmlElement>().ok_or("the link is not an HTML element")?.click();
    gloo_timers::callback::Timeout::new(1_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
