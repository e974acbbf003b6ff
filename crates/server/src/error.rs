//! The one error shape of every JSON endpoint: `{"error": "<what is wrong>", "status": N}`.
//!
//! Handlers return `Result<_, ApiError>`; extractor rejections (a path parameter that does not
//! parse, a body over the limit) are turned into it too, so clients never see axum's plain text.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::metrics::Refusal;

/// A failed request: the status to answer with, a message naming what is wrong, extra headers.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    /// Few and rare (a challenge on a 401), so a list: a `HeaderMap` would make every
    /// `Result<_, ApiError>` large.
    headers: Vec<(HeaderName, HeaderValue)>,
    /// What `wirelab_refusals_total` counts this error as, if it turns away a limit's breaker.
    refusal: Option<Refusal>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    status: u16,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), headers: Vec::new(), refusal: None }
    }

    /// A 400: the message should name the parameter and say what was expected.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// Adds a header to the error response (e.g. `WWW-Authenticate` on a 401).
    pub(crate) fn with_header(self, name: HeaderName, value: &'static str) -> Self {
        self.with_header_value(name, HeaderValue::from_static(value))
    }

    /// [`with_header`](Self::with_header) with a value made at run time (a Digest challenge).
    pub(crate) fn with_header_value(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Marks the response as a refusal, for `wirelab_refusals_total` (see `metrics.rs`).
    pub(crate) fn refused(self, refusal: Refusal) -> Self {
        Self { refusal: Some(refusal), ..self }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body { error: &self.message, status: self.status.as_u16() };
        let mut response = (self.status, Json(body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        match self.refusal {
            Some(refusal) => refusal.mark(response),
            None => response,
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::new(rejection.status(), format!("bad path parameter: {}", rejection.body_text()))
    }
}
