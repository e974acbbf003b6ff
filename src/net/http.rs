//! Sending the HTTP lab's requests with gloo-net (fetch), and telling apart the ways a fetch
//! fails: the browser reports a network failure and a CORS refusal with the same bare
//! `TypeError`, so a second `no-cors` probe finds out which one it was. A body the lab shows as
//! it arrives is read chunk by chunk ([`send_observed`], `net::stream`).

use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, FormData};
use web_sys::{RequestCredentials, RequestMode};
pub use wire::http_lab::{FetchFailure, HttpOutcome};
use wire::http_request::{HttpRequest, MultipartValue, RequestBody};
use wire::resource_timing::{TimingBreakdown, TimingEntry, breakdown};
use wire::stream_log::reads_as_it_arrives;

use crate::net::stream::read_chunks;

/// Browser files picked for the request (their bytes never leave the browser's File objects).
#[derive(Clone, Default)]
pub struct AttachedFiles {
    /// For `RequestBody::File`.
    pub body: Option<web_sys::File>,
    /// For `RequestBody::Multipart`, by field index.
    pub multipart: Vec<(usize, web_sys::File)>,
}

impl AttachedFiles {
    fn multipart_file(&self, index: usize) -> Option<&web_sys::File> {
        self.multipart.iter().find(|(at, _)| *at == index).map(|(_, file)| file)
    }
}

/// What stopped the request early, for telling a timeout from a Cancel click.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AbortCause {
    Timeout(u32),
    Cancel,
}

/// Who watches a body arrive, for [`send_observed`]. Times are milliseconds since sending.
pub struct StreamObserver<'a> {
    /// The person asked for every body as it arrives (else only streams: see
    /// [`reads_as_it_arrives`]).
    pub asked: bool,
    /// The head arrived and the body will be read as it arrives: status, content type, time.
    pub on_open: &'a dyn Fn(u16, &str, f64),
    /// A chunk of the body and its arrival time.
    pub on_chunk: &'a dyn Fn(f64, &[u8]),
}

/// Sends `request` (already checked with `HttpRequest::check`). `abort` cancels it; `cause`
/// says why it was aborted once it was.
pub async fn send(
    request: &HttpRequest,
    files: &AttachedFiles,
    abort: &AbortController,
    cause: impl Fn() -> Option<AbortCause>,
) -> Result<HttpOutcome, FetchFailure> {
    send_observed(request, files, abort, cause, None).await
}

/// [`send`], reading the body chunk by chunk for `observer` when it is a stream or the person
/// asked for that.
pub async fn send_observed(
    request: &HttpRequest,
    files: &AttachedFiles,
    abort: &AbortController,
    cause: impl Fn() -> Option<AbortCause>,
    observer: Option<&StreamObserver<'_>>,
) -> Result<HttpOutcome, FetchFailure> {
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|_| FetchFailure::Refused(format!("'{}' is not a valid method", request.method)))?;
    // `omit` unless "Send cookies" is on: no cookies and, above all, no browser login prompt on a
    // 401 with `WWW-Authenticate: Basic` (fetch only prompts when credentials are included); the
    // lab sends Authorization itself from the Auth tab. `include` sends the site's cookies, keeps
    // the ones the response sets, and may prompt (and send remembered logins): the option says so.
    let credentials = if request.include_credentials { RequestCredentials::Include } else { RequestCredentials::Omit };
    let mut builder =
        RequestBuilder::new(&request.url).method(method).credentials(credentials).abort_signal(Some(&abort.signal()));
    for (name, value) in request.effective_headers() {
        builder = builder.header(&name, &value);
    }
    let body = body_value(request, files)?;
    let built = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|error| FetchFailure::Refused(format!("The browser would not build this request: {error}")))?;

    let performance = web_sys::window().and_then(|window| window.performance());
    let started = performance.as_ref().map_or(0.0, |p| p.now());
    let elapsed = |performance: &Option<web_sys::Performance>| performance.as_ref().map_or(0.0, |p| p.now()) - started;

    let response = match built.send().await {
        Ok(response) => response,
        Err(error) => return Err(classify(&request.url, error, cause()).await),
    };
    let status = response.status();
    let status_text = response.status_text();
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    let final_url = response.url();
    let redirected = response.redirected();
    let content_type =
        headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("content-type")).map_or("", |(_, value)| value);
    let shown_url = if final_url.is_empty() { &request.url } else { &final_url };
    let streamed = observer.filter(|observer| reads_as_it_arrives(observer.asked, shown_url, content_type));
    let body = match streamed {
        Some(observer) => {
            (observer.on_open)(status, content_type, elapsed(&performance));
            let raw: web_sys::Response = response.into();
            read_chunks(&raw, |chunk| (observer.on_chunk)(elapsed(&performance), chunk)).await
        }
        None => response.binary().await.map_err(|error| error.to_string()),
    };
    let body = match body {
        Ok(bytes) => bytes,
        Err(error) => {
            return Err(match cause() {
                Some(AbortCause::Timeout(ms)) => FetchFailure::Timeout(ms),
                Some(AbortCause::Cancel) => FetchFailure::Cancelled,
                None => FetchFailure::Network(format!("The connection broke while the body was arriving ({error}).")),
            });
        }
    };
    let duration_ms = elapsed(&performance);
    let timing = read_timing(performance.as_ref(), if final_url.is_empty() { &request.url } else { &final_url });
    // Copying a 20 MB body out of the browser and checking it is UTF-8 take tens of milliseconds
    // each: yield between them so neither adds to the other in one long task.
    gloo_timers::future::TimeoutFuture::new(0).await;
    let body_is_text = std::str::from_utf8(&body).is_ok();
    Ok(HttpOutcome {
        status,
        status_text,
        headers,
        body: Rc::new(body),
        body_is_text,
        duration_ms,
        final_url,
        redirected,
        timing,
    })
}

fn body_value(request: &HttpRequest, files: &AttachedFiles) -> Result<Option<wasm_bindgen::JsValue>, FetchFailure> {
    match &request.body {
        RequestBody::Multipart(fields) => {
            let form = FormData::new().map_err(|_| FetchFailure::Refused("FormData is not available".into()))?;
            for (index, field) in fields.iter().enumerate().filter(|(_, field)| field.enabled) {
                let appended = match &field.value {
                    MultipartValue::Text(text) => form.append_with_str(&field.name, text),
                    MultipartValue::File { file_name, .. } => match files.multipart_file(index) {
                        Some(file) => form.append_with_blob_and_filename(&field.name, file, &file.name()),
                        None => {
                            return Err(FetchFailure::Refused(format!(
                                "Pick the file for field '{}' again ({file_name}): files are not kept in history.",
                                field.name
                            )));
                        }
                    },
                };
                appended.map_err(|_| FetchFailure::Refused(format!("could not add field '{}'", field.name)))?;
            }
            Ok(Some(form.into()))
        }
        RequestBody::File { file_name, .. } => match &files.body {
            Some(file) => Ok(Some(file.clone().into())),
            None => {
                Err(FetchFailure::Refused(format!("Pick the file again ({file_name}): files are not kept in history.")))
            }
        },
        _ => match request.body_bytes() {
            Ok(Some(bytes)) => Ok(Some(Uint8Array::from(bytes.as_slice()).into())),
            Ok(None) => Ok(None),
            Err(error) => Err(FetchFailure::Refused(error.to_string())),
        },
    }
}

/// Turns a rejected fetch into the failure a person can act on.
async fn classify(url: &str, error: gloo_net::Error, cause: Option<AbortCause>) -> FetchFailure {
    match cause {
        Some(AbortCause::Timeout(ms)) => return FetchFailure::Timeout(ms),
        Some(AbortCause::Cancel) => return FetchFailure::Cancelled,
        None => {}
    }
    let detail = error.to_string();
    let page = web_sys::window().map(|window| window.location());
    let page_protocol = page.as_ref().and_then(|l| l.protocol().ok()).unwrap_or_default();
    let page_origin = page.as_ref().and_then(|l| l.origin().ok()).unwrap_or_default();
    let target = url::Url::parse(url).ok();
    if page_protocol == "https:" && target.as_ref().is_some_and(|u| u.scheme() == "http") {
        return FetchFailure::MixedContent(url.to_string());
    }
    let target_origin = target.as_ref().map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    if target_origin.is_empty() || target_origin == page_origin {
        return FetchFailure::Network(format!("(The browser said: {detail}.)"));
    }
    // A no-cors request gets an opaque response whenever the server answers at all.
    let probe = RequestBuilder::new(url).mode(RequestMode::NoCors).send().await;
    match probe {
        Ok(_) => FetchFailure::Cors(target_origin),
        Err(_) => FetchFailure::Network(format!("(The browser said: {detail}.)")),
    }
}

fn read_timing(performance: Option<&web_sys::Performance>, url: &str) -> Result<TimingBreakdown, String> {
    let performance = performance.ok_or("this browser has no Performance API")?;
    let entries = performance.get_entries_by_name_with_entry_type(url, "resource");
    let last = entries.length().checked_sub(1).map(|index| entries.get(index));
    let entry = last
        .and_then(|value| value.dyn_into::<web_sys::PerformanceResourceTiming>().ok())
        .ok_or("the browser recorded no Resource Timing entry for this URL")?;
    let timing = timing_entry(&entry, url);
    // Keep the browser's buffer (250 entries by default) from filling up over a long session.
    performance.clear_resource_timings();
    Ok(breakdown(&timing))
}

/// The fields of the browser's Resource Timing `entry` for `url`, as `wire` reads them.
pub fn timing_entry(entry: &web_sys::PerformanceResourceTiming, url: &str) -> TimingEntry {
    TimingEntry {
        start_time: entry.start_time(),
        redirect_start: entry.redirect_start(),
        redirect_end: entry.redirect_end(),
        fetch_start: entry.fetch_start(),
        domain_lookup_start: entry.domain_lookup_start(),
        domain_lookup_end: entry.domain_lookup_end(),
        connect_start: entry.connect_start(),
        connect_end: entry.connect_end(),
        secure_connection_start: entry.secure_connection_start(),
        request_start: entry.request_start(),
        response_start: entry.response_start(),
        response_end: entry.response_end(),
        transfer_size: entry.transfer_size(),
        encoded_body_size: entry.encoded_body_size(),
        decoded_body_size: entry.decoded_body_size(),
        next_hop_protocol: entry.next_hop_protocol(),
        is_https: url.starts_with("https:"),
    }
}

/// Copies text to the clipboard; the error is a sentence.
pub async fn copy_to_clipboard(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window().map(|window| window.navigator().clipboard()).ok_or("no clipboard here")?;
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying (the page needs focus)".to_string())
}
