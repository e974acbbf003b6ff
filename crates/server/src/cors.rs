//! Cross-origin access to every route, so the app (or any page) can call the server with fetch
//! and read everything: the body, every header and the Resource Timing phases.
//!
//! tower-http's `CorsLayer` allows any origin and method, mirrors the requested headers (a `*`
//! would not cover `Authorization`, which the auth endpoints need), exposes every header and
//! lets browsers cache a preflight for a day. Two things it does not do are added here:
//!
//! - It answers *every* OPTIONS request as a preflight. Only requests with `Origin` and
//!   `Access-Control-Request-Method` are preflights; other OPTIONS requests go to the routes
//!   (`/anything` echoes them), with the CORS headers of an ordinary response.
//! - It answers a preflight with 200; it is answered with 204 No Content here.
//!
//! Every response also gets `Timing-Allow-Origin: *`, without which a browser zeroes the
//! timing phases of cross-origin resources.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use tower::{ServiceExt, service_fn};
use tower_http::cors::{AllowHeaders, Any, CorsLayer, ExposeHeaders};
use tower_http::set_header::SetResponseHeaderLayer;

/// How long a browser may cache a preflight's answer (browsers cap it lower: Chrome at 2 hours).
pub(crate) const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

pub(crate) const TIMING_ALLOW_ORIGIN: HeaderName = HeaderName::from_static("timing-allow-origin");

fn cors_layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::any())
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
    // What the CORS layer adds to an ordinary response, for OPTIONS requests that bypass it.
    let plain_options = app
        .layer(SetResponseHeaderLayer::if_not_present(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("*"),
        ));
    let dispatch = service_fn(move |request: Request| {
        let preflight = is_preflight(&request);
        let route =
            if request.method() == Method::OPTIONS && !preflight { plain_options.clone() } else { with_cors.clone() };
        async move {
            let mut response = route.oneshot(request).await?;
            if preflight && response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::NO_CONTENT;
            }
            Ok::<_, Infallible>(response)
        }
    });
    Router::new()
        .fallback_service(dispatch)
        .layer(SetResponseHeaderLayer::overriding(TIMING_ALLOW_ORIGIN, HeaderValue::from_static("*")))
}
