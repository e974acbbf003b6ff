//! Cross-origin access to every route, so the app (or any page) can call the server with fetch
//! and read everything: the body, every header and the Resource Timing phases, with or without
//! the browser's cookies.
//!
//! tower-http's `CorsLayer` answers with the request's own `Origin` (and `Vary: Origin`), allows
//! credentials, mirrors the requested method and headers, and lets browsers cache a preflight for
//! a day. The origin is mirrored rather than `*` because the HTTP lab can send cookies
//! (`credentials: "include"`), and for such a request a browser accepts only
//! `Access-Control-Allow-Credentials: true` with the page's exact origin (a `*` in any CORS
//! header is then read literally). This lets any page read this server's answers to requests
//! carrying its cookies, as httpbin.org does; the only cookies it has are those `/cookies/set`
//! sets. Three things it does not do are added here:
//!
//! - It answers *every* OPTIONS request as a preflight. Only requests with `Origin` and
//!   `Access-Control-Request-Method` are preflights; other OPTIONS requests go to the routes
//!   (`/anything` echoes them), with the CORS headers of an ordinary response.
//! - It answers a preflight with 200; it is answered with 204 No Content here.
//! - Its "expose every header" is `*`, which a request with credentials reads as a header named
//!   `*`; here `Access-Control-Expose-Headers` is `*` followed by the response's own header names,
//!   so both kinds of request can read every header.
//!
//! Every response also gets `Timing-Allow-Origin: *`, without which a browser zeroes the
//! timing phases of cross-origin resources.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use tower::{ServiceExt, service_fn};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// How long a browser may cache a preflight's answer (browsers cap it lower: Chrome at 2 hours).
pub(crate) const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

pub(crate) const TIMING_ALLOW_ORIGIN: HeaderName = HeaderName::from_static("timing-allow-origin");

fn cors_layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(PREFLIGHT_MAX_AGE)
}

/// Whether `request` is a CORS preflight rather than an OPTIONS request of its own.
fn is_preflight(request: &Request) -> bool {
    request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ORIGIN)
        && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// `app` with CORS and `Timing-Allow-Origin` on every response.
pub(crate) fn wrap(app: Router) -> Router {
    let with_cors = app.clone().layer(cors_layer());
    let dispatch = service_fn(move |request: Request| {
        let preflight = is_preflight(&request);
        let origin = request.headers().get(header::ORIGIN).cloned();
        // OPTIONS requests that are not preflights bypass the layer; the headers of an ordinary
        // response are added to theirs below.
        let route = if request.method() == Method::OPTIONS && !preflight { app.clone() } else { with_cors.clone() };
        async move {
            let mut response = route.oneshot(request).await?;
            if preflight && response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::NO_CONTENT;
            }
            // A WebSocket's 101 is not read by fetch, and naming its headers in another header
            // breaks clients that find `Sec-WebSocket-Accept` by searching each line for the name
            // (paho-mqtt's handshake does, and then refuses the connection).
            let upgraded = response.status() == StatusCode::SWITCHING_PROTOCOLS;
            if let Some(origin) = origin.filter(|_| !preflight && !upgraded) {
                allow_reading(response.headers_mut(), origin);
            }
            Ok::<_, Infallible>(response)
        }
    });
    Router::new()
        .fallback_service(dispatch)
        .layer(SetResponseHeaderLayer::overriding(TIMING_ALLOW_ORIGIN, HeaderValue::from_static("*")))
}

/// What an ordinary (not preflight) response to a cross-origin request carries: the origin, with
/// credentials, and every header exposed both as `*` and by name.
fn allow_reading(headers: &mut HeaderMap, origin: HeaderValue) {
    if !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        headers.append(header::VARY, HeaderValue::from_static("origin"));
    }
    let mut names: Vec<&str> = vec!["*"];
    for name in headers.keys() {
        if !name.as_str().starts_with("access-control-") && !names.contains(&name.as_str()) {
            names.push(name.as_str());
        }
    }
    if let Ok(exposed) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
    }
}
