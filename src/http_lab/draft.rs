//! The request being composed, and every edit to it as an action applied to the latest draft
//! (so quick successive edits never undo each other). The query table and the URL stay in sync
//! both ways through the core's `query_params`.

use std::rc::Rc;

use wire::http_request::{Auth, HttpRequest, KeyValue, RequestBody};
use wire::query_params::{merge_params, params_from_url, url_with_params};
use yew::Reducible;

#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub request: HttpRequest,
    /// The query table: the URL's parameters plus rows switched off (which the URL cannot hold).
    pub params: Vec<KeyValue>,
}

impl Draft {
    pub fn new(request: HttpRequest) -> Draft {
        let params = params_from_url(&request.url);
        Draft { request, params }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum DraftEdit {
    Method(String),
    Url(String),
    Params(Vec<KeyValue>),
    Headers(Vec<KeyValue>),
    Body(RequestBody),
    Auth(Auth),
    Timeout(Option<u32>),
    /// A whole new request: restored from history or imported from cURL.
    Replace(HttpRequest),
}

impl Reducible for Draft {
    type Action = DraftEdit;

    fn reduce(self: Rc<Self>, edit: DraftEdit) -> Rc<Self> {
        let mut next = (*self).clone();
        match edit {
            DraftEdit::Method(method) => next.request.method = method,
            DraftEdit::Url(url) => {
                next.params = merge_params(&url, &next.params);
                next.request.url = url;
            }
            DraftEdit::Params(params) => {
                next.request.url = url_with_params(&next.request.url, &params);
                next.params = params;
            }
            DraftEdit::Headers(headers) => next.request.headers = headers,
            DraftEdit::Body(body) => next.request.body = body,
            DraftEdit::Auth(auth) => next.request.auth = auth,
            DraftEdit::Timeout(timeout) => next.request.timeout_ms = timeout,
            DraftEdit::Replace(request) => return Rc::new(Draft::new(request)),
        }
        Rc::new(next)
    }
}

/// The request as it would go over the wire in HTTP/1.1, as composed here (the browser adds
/// and changes headers; the "Sent vs received" view puts this beside what the server got).
pub fn composed_wire_form(request: &HttpRequest) -> String {
    let target = url::Url::parse(&request.url).ok();
    let path = target.as_ref().map_or_else(
        || request.url.clone(),
        |url| {
            let mut path = url.path().to_string();
            if let Some(query) = url.query() {
                path.push('?');
                path.push_str(query);
            }
            path
        },
    );
    let mut out = format!("{} {path} HTTP/1.1\n", request.method);
    if let Some(host) = target.as_ref().and_then(|url| url.host_str().map(|host| (host, url.port()))) {
        match host.1 {
            Some(port) => out.push_str(&format!("host: {}:{port}\n", host.0)),
            None => out.push_str(&format!("host: {}\n", host.0)),
        }
    }
    for (name, value) in request.effective_headers() {
        out.push_str(&format!("{}: {value}\n", name.to_ascii_lowercase()));
    }
    out.push('\n');
    match &request.body {
        RequestBody::Multipart(_) => out.push_str("(multipart body: the browser chooses the boundary)\n"),
        RequestBody::File { file_name, size, .. } => {
            out.push_str(&format!("(the bytes of {file_name}, {size} bytes)\n"))
        }
        _ => match request.body_bytes() {
            Ok(Some(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => out.push_str(&text),
                Err(error) => out.push_str(&format!("({} bytes of binary data)", error.as_bytes().len())),
            },
            Ok(None) => {}
            Err(error) => out.push_str(&format!("(body not built: {error})")),
        },
    }
    out
}
