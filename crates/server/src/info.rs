//! The JSON API: `/api/info` tells the app the server's version and limits; other `/api` paths 404.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Serialize;

use crate::Config;

/// The body of `GET /api/info`.
#[derive(Clone, Debug, Serialize)]
struct Info {
    name: &'static str,
    version: &'static str,
    max_message_bytes: usize,
    endpoints: Vec<Endpoint>,
}

/// One endpoint the app can use.
#[derive(Clone, Debug, Serialize)]
struct Endpoint {
    path: &'static str,
    kind: &'static str,
    description: &'static str,
}

/// The error body of every API failure.
#[derive(Debug, Serialize)]
struct ApiError {
    error: String,
}

pub(crate) fn router(config: &Config) -> Router {
    let info = Info {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        max_message_bytes: config.max_message_bytes,
        endpoints: vec![Endpoint {
            path: "/ws/echo",
            kind: "websocket",
            description: "Echoes every text and binary message back unchanged; answers pings \
                          and echoes the client's close code",
        }],
    };
    Router::new()
        .route("/api/info", get(get_info))
        .route("/api", any(not_found))
        .route("/api/", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .with_state(info)
}

async fn get_info(State(info): State<Info>) -> Json<Info> {
    Json(info)
}

async fn not_found(uri: Uri) -> Response {
    let body = ApiError { error: format!("no API endpoint at {}", uri.path()) };
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}
