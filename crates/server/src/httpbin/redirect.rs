//! Redirect chains and targets: `/redirect/{n}`, `/relative-redirect/{n}`,
//! `/absolute-redirect/{n}` (302s down to `/get`) and `/redirect-to?url=&status_code=`.
//!
//! `/redirect-to` only sends clients to a relative URL or an absolute `http`/`https` one, so it
//! cannot be used to point a browser at `javascript:` or other schemes.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::{ApiPath, query_value};
use crate::error::ApiError;

/// The longest chain `/redirect/{n}` makes.
pub(crate) const MAX_REDIRECTS: u64 = 100;

/// `/redirect/{n}` and `/relative-redirect/{n}`: 302 to `/redirect/{n-1}`, then `/get`.
pub(crate) async fn relative(ApiPath(n): ApiPath<String>, uri: Uri) -> Result<Response, ApiError> {
    let n = parse_hops(&n)?;
    let prefix = if uri.path().starts_with("/relative-redirect/") { "/relative-redirect" } else { "/redirect" };
    let location = if n > 1 { format!("{prefix}/{}", n - 1) } else { "/get".to_owned() };
    found(&location)
}

/// `/absolute-redirect/{n}`: like `/redirect/{n}` with `http://<Host>/...` Locations.
pub(crate) async fn absolute(ApiPath(n): ApiPath<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let n = parse_hops(&n)?;
    let host = headers.get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("localhost");
    let location =
        if n > 1 { format!("http://{host}/absolute-redirect/{}", n - 1) } else { format!("http://{host}/get") };
    found(&location)
}

/// `/redirect-to?url=<target>&status_code=<3xx>`.
pub(crate) async fn to(uri: Uri) -> Result<Response, ApiError> {
    let target =
        query_value(&uri, "url").ok_or_else(|| ApiError::bad_request("url: missing; say where to redirect"))?;
    check_target(&target)?;
    let status = match query_value(&uri, "status_code") {
        Some(text) => text
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|code| (300..=399).contains(code))
            .and_then(|code| StatusCode::from_u16(code).ok())
            .ok_or_else(|| ApiError::bad_request(format!("status_code: expected a 3xx code, got {text:?}")))?,
        None => StatusCode::FOUND,
    };
    let location = HeaderValue::from_str(&target)
        .map_err(|_| ApiError::bad_request(format!("url: {target:?} cannot be sent in a Location header")))?;
    Ok((status, [(header::LOCATION, location)]).into_response())
}

fn parse_hops(text: &str) -> Result<u64, ApiError> {
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_REDIRECTS).contains(&n) => Ok(n),
        _ => Err(ApiError::bad_request(format!(
            "n: expected a number of redirects from 1 to {MAX_REDIRECTS}, got {text:?}"
        ))),
    }
}

fn found(location: &str) -> Result<Response, ApiError> {
    let location = HeaderValue::from_str(location)
        .map_err(|_| ApiError::bad_request(format!("Host: {location:?} cannot be sent in a Location header")))?;
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// A relative reference (`/get`, `get?x=1`, `#top`) or an absolute `http(s)://` URL.
fn check_target(target: &str) -> Result<(), ApiError> {
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match target.parse::<Uri>() {
            Ok(uri) if uri.host().is_some_and(|host| !host.is_empty()) => Ok(()),
            _ => Err(ApiError::bad_request(format!("url: {target:?} is not a valid http(s) URL"))),
        };
    }
    // A scheme is letters, digits, `+`, `-`, `.` before the first `:`, and comes before any `/?#`.
    let before_delimiter = target.split(['/', '?', '#']).next().unwrap_or("");
    if before_delimiter.contains(':') || target.starts_with("//") || target.starts_with("\\\\") || target.is_empty() {
        return Err(ApiError::bad_request(format!(
            "url: {target:?} must be a relative URL or an absolute http:// or https:// URL"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_target;

    #[test]
    fn only_relative_and_http_targets_pass() {
        for (target, ok) in [
            ("/get", true),
            ("get?x=1", true),
            ("#top", true),
            ("/a:b", true),
            ("http://example.com/x", true),
            ("HTTPS://example.com", true),
            ("javascript:alert(1)", false),
            ("ftp://example.com", false),
            ("data:text/html,hi", false),
            ("//evil.example", false),
            ("http://", false),
            ("", false),
        ] {
            assert_eq!(check_target(target).is_ok(), ok, "{target:?}");
        }
    }
}
