//! `/dump/request`: the request as the server received it, in HTTP/1.1 wire form, as text, so
//! the app can put what actually arrived beside what the user composed.
//!
//! The request line is `METHOD <target> <version>` with the target as received. Header lines
//! follow in the order they arrived, except that repeats of one name are listed together (the
//! order `http::HeaderMap` keeps). Names are lowercase: hyper lowercases HTTP/1 header names when
//! it parses them and axum does not expose the original case, so this shows what the server
//! knows, not the exact bytes. A body that is not UTF-8 is replaced by a note with its size.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::Captured;

pub(crate) async fn request(captured: Captured) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], wire_form(&captured)).into_response()
}

fn wire_form(captured: &Captured) -> String {
    let target = captured.uri.path_and_query().map_or("/", |target| target.as_str());
    let target = if captured.uri.scheme().is_some() { captured.uri.to_string() } else { target.to_owned() };
    let mut text = format!("{} {target} {:?}\r\n", captured.method, captured.version);
    for (name, value) in &captured.headers {
        text.push_str(name.as_str());
        text.push_str(": ");
        text.push_str(&String::from_utf8_lossy(value.as_bytes()));
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    match std::str::from_utf8(&captured.body) {
        Ok(body) => text.push_str(body),
        Err(_) => text.push_str(&format!("[binary body: {} bytes, not shown]\n", captured.body.len())),
    }
    text
}
