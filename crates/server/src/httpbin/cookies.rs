//! Cookies, as httpbin has them: `/cookies` shows the ones the request carried,
//! `/cookies/set?name=value` and `/cookies/set/{name}/{value}` set them, `/cookies/delete?name`
//! expires them; each of the last three answers 302 to `/cookies`, so following the redirect
//! shows the jar as it now is.
//!
//! The HTTP lab sends cookies only with its "Send cookies" option (fetch's `credentials:
//! "include"`): without it the browser neither sends cookies nor keeps the ones a response sets.
//! Cookies are set with `Path=/` and no `SameSite` (so a browser's default, Lax, applies), as
//! httpbin sets them.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{ApiPath, query_pairs};
use crate::error::ApiError;

/// `/cookies`: `{"cookies": {name: value}}` from every `Cookie` header (the last of a repeated name wins).
pub(crate) async fn show(headers: HeaderMap) -> Json<Value> {
    let mut cookies = Map::new();
    for (name, value) in request_cookies(&headers) {
        cookies.insert(name, Value::String(value));
    }
    Json(json!({ "cookies": cookies }))
}

/// `/cookies/set?name=value&…`: sets each, then 302 to `/cookies`.
pub(crate) async fn set_from_query(uri: Uri) -> Result<Response, ApiError> {
    let pairs = query_pairs(&uri);
    let set: Vec<String> = pairs.iter().map(|(name, value)| format!("{name}={value}; Path=/")).collect();
    redirect_setting(&pairs, set)
}

/// `/cookies/set/{name}/{value}`: sets one, then 302 to `/cookies`.
pub(crate) async fn set_one(ApiPath((name, value)): ApiPath<(String, String)>) -> Result<Response, ApiError> {
    let pairs = vec![(name, value)];
    let set = pairs.iter().map(|(name, value)| format!("{name}={value}; Path=/")).collect();
    redirect_setting(&pairs, set)
}

/// `/cookies/delete?name&…`: expires each named cookie, then 302 to `/cookies`.
pub(crate) async fn delete(uri: Uri) -> Result<Response, ApiError> {
    let pairs = query_pairs(&uri);
    let set = pairs
        .iter()
        .map(|(name, _)| format!("{name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"))
        .collect();
    redirect_setting(&pairs, set)
}

/// The `name=value` pairs of the request's `Cookie` headers, in order.
fn request_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|inner| inner.strip_suffix('"')).unwrap_or(value);
            (!name.trim().is_empty()).then(|| (name.trim().to_string(), value.to_string()))
        })
        .collect()
}

/// A cookie name is an RFC 6265 token; a value has no space, `"`, `,`, `;` or `\`, and no controls.
fn check_cookie(name: &str, value: &str) -> Result<(), ApiError> {
    let token = |ch: char| ch.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(ch);
    if name.is_empty() || !name.chars().all(token) {
        return Err(ApiError::bad_request(format!(
            "cookie name {name:?}: expected letters, digits and !#$%&'*+-.^_`|~"
        )));
    }
    let octet = |ch: char| ch.is_ascii_graphic() && !matches!(ch, '"' | ',' | ';' | '\\');
    if !value.chars().all(octet) {
        return Err(ApiError::bad_request(format!(
            "cookie {name}: the value {value:?} cannot hold spaces, quotes, commas, semicolons or backslashes"
        )));
    }
    Ok(())
}

fn redirect_setting(pairs: &[(String, String)], set_cookies: Vec<String>) -> Result<Response, ApiError> {
    if pairs.is_empty() {
        return Err(ApiError::bad_request("name a cookie in the query, such as ?flavour=oatmeal"));
    }
    for (name, value) in pairs {
        check_cookie(name, value)?;
    }
    let mut response = (StatusCode::FOUND, [(header::LOCATION, HeaderValue::from_static("/cookies"))]).into_response();
    for cookie in set_cookies {
        let value = HeaderValue::from_str(&cookie)
            .map_err(|_| ApiError::bad_request(format!("{cookie:?} cannot be sent in a Set-Cookie header")))?;
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}
