//! Authentication checks: `/basic-auth/{user}/{pass}`, `/hidden-basic-auth/{user}/{pass}` and
//! `/bearer`, so the app can show a 401 challenge and the retry with credentials.

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::ApiPath;
use crate::error::ApiError;

const BASIC_CHALLENGE: &str = r#"Basic realm="wirelab""#;

/// 200 when the request's Basic credentials are `user`/`pass`, else 401 with a challenge.
pub(crate) async fn basic(
    ApiPath((user, pass)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    if basic_credentials(&headers).is_some_and(|(u, p)| u == user && p == pass) {
        return Ok(Json(json!({ "authenticated": true, "user": user })));
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        format!("Authorization: expected Basic credentials for user {user:?} and its password"),
    )
    .with_header(header::WWW_AUTHENTICATE, BASIC_CHALLENGE))
}

/// Like [`basic`], but a failure is a 404, as if nothing were there.
pub(crate) async fn hidden_basic(
    ApiPath((user, pass)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    if basic_credentials(&headers).is_some_and(|(u, p)| u == user && p == pass) {
        return Ok(Json(json!({ "authenticated": true, "user": user })));
    }
    Err(ApiError::not_found("not found"))
}

/// 200 with any `Authorization: Bearer <token>`, else 401 with `WWW-Authenticate: Bearer`.
pub(crate) async fn bearer(headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    match credentials(&headers, "bearer") {
        Some(token) if !token.is_empty() => Ok(Json(json!({ "authenticated": true, "token": token }))),
        _ => Err(ApiError::new(StatusCode::UNAUTHORIZED, "Authorization: expected a Bearer token")
            .with_header(header::WWW_AUTHENTICATE, "Bearer")),
    }
}

/// The text after `<scheme> ` in the Authorization header (scheme case-insensitive).
fn credentials<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// The user and password of `Authorization: Basic base64(user:pass)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let decoded = STANDARD.decode(credentials(headers, "basic")?).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}
