//! `GET /api/captures/{id}.pcap`: one kept session as a `.pcap` download, built from its
//! recording when asked (so a session still open gives what it has so far).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Captures;
use crate::error::ApiError;

/// The media type of a libpcap file (IANA).
const PCAP_MEDIA_TYPE: &str = "application/vnd.tcpdump.pcap";

pub(crate) fn router(captures: Captures) -> Router {
    Router::new().route("/api/captures/{file}", get(download)).with_state(captures)
}

async fn download(State(captures): State<Captures>, Path(file): Path<String>) -> Response {
    let found = file.strip_suffix(".pcap").and_then(|id| captures.pcap(id));
    let Some((pcap, name)) = found else {
        return ApiError::not_found(format!(
            "no capture at /api/captures/{file}: the server keeps the latest sessions only (--capture-sessions), \
             and a capture's name is the id the app was told, followed by .pcap"
        ))
        .into_response();
    };
    (
        [
            (header::CONTENT_TYPE, PCAP_MEDIA_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pcap,
    )
        .into_response()
}
