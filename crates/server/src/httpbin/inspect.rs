//! `/headers`, `/ip` and `/user-agent`: single facets of the request, as httpbin shapes them.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::Httpbin;
use super::request::headers_json;

/// `{"headers": {...}}` with canonical names.
pub(crate) async fn headers(headers: HeaderMap) -> Json<Value> {
    Json(json!({ "headers": headers_json(&headers) }))
}

/// `{"origin": "<client IP>"}` (`"unknown"` without a socket; behind a trusted proxy, the
/// client it forwarded).
pub(crate) async fn ip(
    State(httpbin): State<Httpbin>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Json<Value> {
    let peer = connect_info.map(|Extension(ConnectInfo(addr))| addr);
    Json(json!({ "origin": httpbin.origin(peer, &headers) }))
}

/// `{"user-agent": "..."}`, `null` when the request has none.
pub(crate) async fn user_agent(headers: HeaderMap) -> Json<Value> {
    let agent = headers.get(header::USER_AGENT).map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    Json(json!({ "user-agent": agent }))
}
