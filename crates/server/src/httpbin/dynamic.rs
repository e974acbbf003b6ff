//! Endpoints whose answer is generated or paced: `/delay`, `/bytes`, `/stream`, `/drip`, `/uuid`.
//!
//! Their limits keep one request from tying the server up: waits are capped by `--max-delay`,
//! `/bytes` at 100 MiB (generated while sending, never held whole), `/stream` at 100 lines and
//! `/drip` at 10 MiB. Streamed bodies use content types the compression layer leaves alone
//! (`application/octet-stream`, `application/x-ndjson`), so each chunk leaves when it is made.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream;
use serde_json::{Value, json};

use super::random::SplitMix64;
use super::request::echo_json;
use super::status::parse_status_code;
use super::{ApiPath, Captured, Httpbin, check_delay, parse_count, parse_seconds, query_value};
use crate::error::ApiError;

/// The most `/bytes/{n}` sends: 100 MiB.
pub(crate) const MAX_BYTES: u64 = 100 * 1024 * 1024;
/// The most lines `/stream/{n}` sends.
pub(crate) const MAX_STREAM_LINES: u64 = 100;
/// The most bytes `/drip` sends: 10 MiB.
pub(crate) const MAX_DRIP_BYTES: u64 = 10 * 1024 * 1024;
/// `/drip` sends at most this many pieces, however many bytes, so timers stay coarse.
const MAX_DRIP_PIECES: u64 = 1000;
/// `/bytes` generates and sends this much at a time (a multiple of 8, so chunking does not
/// change the bytes a seed gives).
const BYTES_CHUNK: usize = 64 * 1024;

pub(crate) const NDJSON: &str = "application/x-ndjson";
pub(crate) const OCTET_STREAM: &str = "application/octet-stream";

/// `/delay/{seconds}`: waits, then echoes the request like `/anything`.
pub(crate) async fn delay(
    State(state): State<Httpbin>,
    ApiPath(seconds): ApiPath<String>,
    captured: Captured,
) -> Result<Json<Value>, ApiError> {
    let wait = parse_seconds("seconds", &seconds)?;
    check_delay(&state, "seconds", wait)?;
    tokio::time::sleep(wait).await;
    Ok(Json(Value::Object(echo_json(&captured).await?)))
}

/// `/bytes/{n}?seed=N`: `n` pseudo-random bytes, the same ones for the same seed.
pub(crate) async fn bytes(
    State(state): State<Httpbin>,
    ApiPath(n): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let total = parse_count("n", &n, MAX_BYTES)?;
    let seed = match query_value(&uri, "seed") {
        Some(seed) => seed.trim().parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("seed: expected a whole number from 0 to {}, got {seed:?}", u64::MAX))
        })?,
        None => state.random_seed(),
    };
    // `total` is at most 100 MiB, so it fits in usize on every target this server builds for.
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    let chunks = stream::unfold((SplitMix64::new(seed), total), |(mut rng, left)| async move {
        if left == 0 {
            return None;
        }
        let mut chunk = vec![0; left.min(BYTES_CHUNK)];
        rng.fill(&mut chunk);
        let sent = chunk.len();
        Some((Ok::<_, Infallible>(Bytes::from(chunk)), (rng, left - sent)))
    });
    Ok((
        [(header::CONTENT_TYPE, OCTET_STREAM.to_owned()), (header::CONTENT_LENGTH, total.to_string())],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// `/stream/{n}`: `n` NDJSON lines, each the request echo with an `id`, one chunk per line.
pub(crate) async fn stream(ApiPath(n): ApiPath<String>, captured: Captured) -> Result<Response, ApiError> {
    let lines = parse_count("n", &n, MAX_STREAM_LINES)?;
    let echo = echo_json(&captured).await?;
    let lines = (0..lines).map(move |id| {
        let mut line = echo.clone();
        line.insert("id".into(), id.into());
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        Ok::<_, Infallible>(Bytes::from(text))
    });
    Ok(([(header::CONTENT_TYPE, NDJSON)], Body::from_stream(stream::iter(lines))).into_response())
}

/// `/drip?numbytes=N&duration=S&delay=S&code=C`: `N` asterisks spread over `duration` seconds,
/// the status line sent after `delay` seconds.
pub(crate) async fn drip(State(state): State<Httpbin>, uri: Uri) -> Result<Response, ApiError> {
    let numbytes = match query_value(&uri, "numbytes") {
        Some(text) => parse_count("numbytes", &text, MAX_DRIP_BYTES)?,
        None => 10,
    };
    let duration =
        query_value(&uri, "duration").map_or(Ok(Duration::from_secs(2)), |t| parse_seconds("duration", &t))?;
    let delay = query_value(&uri, "delay").map_or(Ok(Duration::from_secs(2)), |t| parse_seconds("delay", &t))?;
    let code = query_value(&uri, "code").map_or(Ok(StatusCode::OK), |t| parse_status_code("code", &t))?;
    check_delay(&state, "duration + delay", duration.saturating_add(delay))?;
    if numbytes > 0 && matches!(code, StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED) {
        return Err(ApiError::bad_request(format!(
            "code: a {code} response cannot carry the {numbytes} dripped bytes"
        )));
    }

    tokio::time::sleep(delay).await;
    let pieces = numbytes.min(MAX_DRIP_PIECES);
    let body = if pieces == 0 || duration.is_zero() {
        Body::from(vec![b'*'; usize::try_from(numbytes).unwrap_or(0)])
    } else {
        let interval = duration.div_f64(pieces as f64);
        let chunks = stream::unfold(0, move |index| async move {
            if index == pieces {
                return None;
            }
            tokio::time::sleep(interval).await;
            // Piece i ends at byte floor((i + 1) * numbytes / pieces): sizes differ by at most 1.
            let size = (index + 1) * numbytes / pieces - index * numbytes / pieces;
            let piece = vec![b'*'; usize::try_from(size).unwrap_or(0)];
            Some((Ok::<_, Infallible>(Bytes::from(piece)), index + 1))
        });
        Body::from_stream(chunks)
    };
    Ok((code, [(header::CONTENT_TYPE, OCTET_STREAM.to_owned()), (header::CONTENT_LENGTH, numbytes.to_string())], body)
        .into_response())
}

/// `/uuid`: `{"uuid": "<a random version 4 UUID>"}`.
pub(crate) async fn uuid() -> Json<Value> {
    Json(json!({ "uuid": uuid::Uuid::new_v4().to_string() }))
}
