//! `/headers`, `/ip` and `/user-agent`: single facets of the request, as httpbin shapes them.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, header};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::request::headers_json;

/// `{"headers": {...}}` with canonical names.
pub(crate) async fn headers(headers: HeaderMap) -> Json<Value> {
    Json(json!({ "headers": headers_json(&headers) }))
}

/// `{"origin": "<client IP>"}` (`"unknown"` without a socket).
pub(crate) async fn ip(connect_info: Option<Extension<ConnectInfo<SocketAddr>>>) -> Json<Value> {
    let origin =
        connect_info.map_or_else(|| "unknown".to_owned(), |Extension(ConnectInfo(addr))| addr.ip().to_string());
    Json(json!({ "origin": origin }))
}

/// `{"user-agent": "..."}`, `null` when the request has none.
pub(crate) async fn user_agent(headers: HeaderMap) -> Json<Value> {
    let agent = headers.get(header::USER_AGENT).map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    Json(json!({ "user-agent": agent }))
}
