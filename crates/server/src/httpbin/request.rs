//! The request echo behind `/anything`, `/get`, `/post`, `/put`, `/patch`, `/delete` (and `/delay`,
//! `/stream`): what the server received, as JSON, so the app can show what actually went out.
//!
//! Shapes follow httpbin: a query parameter or form field with one value is a string, a repeated
//! one an array; a body that is not UTF-8 is shown as a base64 `data:` URL; multipart files are
//! described by name, type, size and SHA-256 rather than echoed.

use axum::Json;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Captured, query_pairs};
use crate::error::ApiError;

/// `/anything`, `/get`, `/post`, ...: the request echoed as JSON.
pub(crate) async fn echo(captured: Captured) -> Result<Json<Value>, ApiError> {
    Ok(Json(Value::Object(echo_json(&captured).await?)))
}

/// The echo document: method, url, args, headers, origin, data, json, form, files, body_size.
pub(crate) async fn echo_json(captured: &Captured) -> Result<Map<String, Value>, ApiError> {
    let (form, files) = parse_form(captured).await?;
    let mut echo = Map::new();
    echo.insert("method".into(), captured.method.as_str().into());
    echo.insert("url".into(), full_url(captured).into());
    echo.insert("args".into(), Value::Object(multi_map(query_pairs(&captured.uri))));
    echo.insert("headers".into(), Value::Object(headers_json(&captured.headers)));
    echo.insert("origin".into(), captured.origin.clone().into());
    echo.insert("data".into(), body_text(&captured.body).into());
    echo.insert("json".into(), serde_json::from_slice::<Value>(&captured.body).unwrap_or(Value::Null));
    echo.insert("form".into(), Value::Object(form));
    echo.insert("files".into(), Value::Object(files));
    echo.insert("body_size".into(), captured.body.len().into());
    Ok(echo)
}

/// The URL as received: absolute-form as is, otherwise the scheme (`http`, or what a trusted
/// proxy says the client used) + the Host header + the target.
pub(crate) fn full_url(captured: &Captured) -> String {
    if captured.uri.scheme().is_some() {
        return captured.uri.to_string();
    }
    let host = captured.header(header::HOST).unwrap_or("localhost");
    let target = captured.uri.path_and_query().map_or("/", |target| target.as_str());
    let scheme = captured.forwarded_scheme.unwrap_or("http");
    format!("{scheme}://{host}{target}")
}

/// The body as text, or as `data:application/octet-stream;base64,...` when it is not UTF-8.
fn body_text(body: &Bytes) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(_) => format!("data:application/octet-stream;base64,{}", STANDARD.encode(body)),
    }
}

/// Name/value pairs as a JSON object: one value is a string, repeated values an array.
pub(crate) fn multi_map(pairs: impl IntoIterator<Item = (String, String)>) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in pairs {
        match map.get_mut(&name) {
            Some(Value::Array(values)) => values.push(value.into()),
            Some(single) => *single = Value::Array(vec![single.take(), value.into()]),
            None => {
                map.insert(name, value.into());
            }
        }
    }
    map
}

/// Headers as a JSON object with canonical names (`Content-Type`); repeats joined with ", ".
pub(crate) fn headers_json(headers: &HeaderMap) -> Map<String, Value> {
    headers
        .keys()
        .map(|name| {
            let values: Vec<String> = headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect();
            (canonical_name(name.as_str()), Value::String(values.join(", ")))
        })
        .collect()
}

/// `content-type` → `Content-Type`.
pub(crate) fn canonical_name(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The media type of the body, lowercased, without parameters.
fn media_type(captured: &Captured) -> String {
    let content_type = captured.header(header::CONTENT_TYPE).unwrap_or("");
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// The `form` and `files` objects of a urlencoded or multipart body; empty for other bodies.
async fn parse_form(captured: &Captured) -> Result<(Map<String, Value>, Map<String, Value>), ApiError> {
    match media_type(captured).as_str() {
        "application/x-www-form-urlencoded" => {
            let pairs = form_urlencoded::parse(&captured.body).into_owned();
            Ok((multi_map(pairs), Map::new()))
        }
        "multipart/form-data" => parse_multipart(captured).await,
        _ => Ok((Map::new(), Map::new())),
    }
}

async fn parse_multipart(captured: &Captured) -> Result<(Map<String, Value>, Map<String, Value>), ApiError> {
    let content_type = captured.header(header::CONTENT_TYPE).unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|error| {
        ApiError::bad_request(format!("Content-Type: multipart without a usable boundary: {error}"))
    })?;
    let body = captured.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let malformed = |error: multer::Error| ApiError::bad_request(format!("body: malformed multipart: {error}"));

    let mut fields = Vec::new();
    let mut files = Map::new();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let data = field.bytes().await.map_err(malformed)?;
        match filename {
            None => fields.push((name, String::from_utf8_lossy(&data).into_owned())),
            Some(filename) => {
                let file = json!({
                    "filename": filename,
                    "content_type": content_type,
                    "size": data.len(),
                    "sha256": hex(&Sha256::digest(&data)),
                });
                if let Value::Array(list) = files.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
                    list.push(file);
                }
            }
        }
    }
    Ok((multi_map(fields), files))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_canonical() {
        for (raw, canonical) in [
            ("content-type", "Content-Type"),
            ("x-wirelab-trace-id", "X-Wirelab-Trace-Id"),
            ("dnt", "Dnt"),
            ("a--b", "A--B"),
        ] {
            assert_eq!(canonical_name(raw), canonical);
        }
    }

    #[test]
    fn one_value_is_a_string_and_repeats_are_an_array() {
        let pairs = [("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(Value::Object(multi_map(pairs)), json!({"a": ["1", "3", "4"], "b": "2"}));
    }

    #[test]
    fn binary_bodies_become_data_urls() {
        assert_eq!(body_text(&Bytes::from_static(b"hi")), "hi");
        assert_eq!(body_text(&Bytes::from_static(&[0xff, 0x00])), "data:application/octet-stream;base64,/wA=");
    }
}
