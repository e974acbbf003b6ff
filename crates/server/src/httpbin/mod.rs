//! httpbin-style HTTP test endpoints, modelled on go-httpbin, that the app's HTTP lab sends
//! requests to: echoes, chosen status codes, delays, streams, redirects, auth and sample formats.
//!
//! One file per group of routes; this file holds the router, the shared state (limits and the
//! random source) and the extractors every group uses: [`Captured`] (the whole request with its
//! body read under `--max-body-bytes`) and [`ApiPath`] (axum's `Path` with JSON rejections).
//! Every failure is an [`ApiError`], rendered as `{"error": ..., "status": N}`.

mod auth;
mod cookies;
mod dump;
mod dynamic;
pub(crate) mod formats;
mod inspect;
mod random;
mod readings;
mod redirect;
mod request;
mod sse;
mod status;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, Uri, Version, header};
use axum::routing::{MethodRouter, any, delete, get, patch, post, put};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::metrics::Refusal;
use crate::{Config, TrustedProxies};
use random::SplitMix64;

pub(crate) use dynamic::{NDJSON, OCTET_STREAM};

/// The generated types of `www/proto/wirelab.proto` (see `build.rs`).
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/wirelab.rs"));
}

/// What every httpbin handler may need: the limits and the shared random source.
#[derive(Clone, Debug)]
pub(crate) struct Httpbin {
    max_body_bytes: usize,
    max_delay: Duration,
    rng: Arc<Mutex<SplitMix64>>,
    proxies: TrustedProxies,
}

impl Httpbin {
    fn new(config: &Config) -> Self {
        let seed = config.random_seed.unwrap_or_else(random::seed_from_os);
        Self {
            max_body_bytes: config.max_body_bytes,
            max_delay: config.max_delay,
            rng: Arc::new(Mutex::new(SplitMix64::new(seed))),
            proxies: config.trusted_proxies.clone(),
        }
    }

    /// The client's address as the echoes show it (`origin`): the peer, or who a trusted proxy
    /// says it forwarded (`--trusted-proxy`); `"unknown"` without a socket.
    fn origin(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
        peer.map_or_else(|| "unknown".to_owned(), |peer| self.proxies.client(peer.ip(), headers).to_string())
    }

    /// A uniformly random number in `[0, 1)` from the shared source.
    fn random_unit(&self) -> f64 {
        self.rng.lock().unwrap_or_else(PoisonError::into_inner).next_unit()
    }

    /// A fresh seed for a generator of its own (for bodies generated while streaming).
    fn random_seed(&self) -> u64 {
        self.rng.lock().unwrap_or_else(PoisonError::into_inner).next_u64()
    }
}

/// One line of the `/api/info` endpoint table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Route {
    pub path: &'static str,
    pub methods: &'static str,
    pub group: &'static str,
    pub description: &'static str,
}

/// Every httpbin route, for `/api/info` (and the tests, which request each one).
pub(crate) const ROUTES: &[Route] = &[
    Route {
        path: "/anything/{path}",
        methods: "any",
        group: "request",
        description: "Echoes the request as JSON: method, url, args, headers, origin, body, json, form, files",
    },
    Route { path: "/get", methods: "GET", group: "request", description: "Echoes a GET request as JSON" },
    Route { path: "/post", methods: "POST", group: "request", description: "Echoes a POST request and its body" },
    Route { path: "/put", methods: "PUT", group: "request", description: "Echoes a PUT request and its body" },
    Route { path: "/patch", methods: "PATCH", group: "request", description: "Echoes a PATCH request and its body" },
    Route { path: "/delete", methods: "DELETE", group: "request", description: "Echoes a DELETE request" },
    Route { path: "/headers", methods: "GET", group: "request", description: "The request headers as JSON" },
    Route { path: "/ip", methods: "GET", group: "request", description: "The client's IP address" },
    Route { path: "/user-agent", methods: "GET", group: "request", description: "The User-Agent header" },
    Route {
        path: "/dump/request",
        methods: "any",
        group: "request",
        description: "The request as the server received it, in HTTP/1.1 wire form (text/plain)",
    },
    Route {
        path: "/status/{codes}",
        methods: "any",
        group: "status",
        description: "Answers with the status code, or one picked at random from a list like 200:0.7,500:0.3",
    },
    Route {
        path: "/delay/{seconds}",
        methods: "any",
        group: "dynamic",
        description: "Waits (fractional seconds, up to --max-delay), then echoes the request",
    },
    Route {
        path: "/bytes/{n}",
        methods: "GET",
        group: "dynamic",
        description: "n pseudo-random bytes (up to 100 MiB); ?seed=N makes them repeatable",
    },
    Route {
        path: "/stream/{n}",
        methods: "GET",
        group: "dynamic",
        description: "n lines of NDJSON (up to 100), each the request echo with an id, one chunk each",
    },
    Route {
        path: "/drip",
        methods: "GET",
        group: "dynamic",
        description: "?numbytes=N bytes spread over ?duration=S seconds after ?delay=S, with status ?code=C",
    },
    Route {
        path: "/sse",
        methods: "GET",
        group: "dynamic",
        description: "Server-Sent Events: ?count=N (up to 1000) events every ?interval_ms=M (up to --max-delay), \
                      with id, event type (tick, every fifth milestone) and retry (?retry_ms=R); resumes after \
                      Last-Event-ID; ?close_after=K ends each response after K events",
    },
    Route { path: "/uuid", methods: "GET", group: "dynamic", description: "A random version 4 UUID" },
    Route {
        path: "/redirect/{n}",
        methods: "GET",
        group: "redirects",
        description: "A chain of n 302 redirects with relative Locations, ending at /get",
    },
    Route { path: "/relative-redirect/{n}", methods: "GET", group: "redirects", description: "Same as /redirect/{n}" },
    Route {
        path: "/absolute-redirect/{n}",
        methods: "GET",
        group: "redirects",
        description: "A chain of n 302 redirects with absolute Locations, ending at /get",
    },
    Route {
        path: "/redirect-to",
        methods: "any",
        group: "redirects",
        description: "Redirects to ?url= (relative or http(s)) with ?status_code= (3xx, default 302)",
    },
    Route {
        path: "/basic-auth/{user}/{pass}",
        methods: "GET",
        group: "auth",
        description: "200 with matching Basic credentials, else 401 with WWW-Authenticate",
    },
    Route {
        path: "/hidden-basic-auth/{user}/{pass}",
        methods: "GET",
        group: "auth",
        description: "200 with matching Basic credentials, else 404",
    },
    Route {
        path: "/digest-auth/{qop}/{user}/{passwd}/{algorithm}",
        methods: "GET",
        group: "auth",
        description: "Digest authentication (RFC 7616): qop auth or auth-int, algorithm MD5 (the default, \
                      when left out), SHA-256, MD5-sess or SHA-256-sess; 200 with a correct answer, else \
                      401 with a fresh challenge",
    },
    Route {
        path: "/bearer",
        methods: "GET",
        group: "auth",
        description: "200 with any Authorization: Bearer token, else 401",
    },
    Route {
        path: "/cookies",
        methods: "GET",
        group: "cookies",
        description: "The cookies the request carried, as JSON",
    },
    Route {
        path: "/cookies/set?{name}={value}",
        methods: "GET",
        group: "cookies",
        description: "Sets each cookie of the query (Path=/), then 302 to /cookies",
    },
    Route {
        path: "/cookies/set/{name}/{value}",
        methods: "GET",
        group: "cookies",
        description: "Sets one cookie (Path=/), then 302 to /cookies",
    },
    Route {
        path: "/cookies/delete?{name}",
        methods: "GET",
        group: "cookies",
        description: "Expires each named cookie, then 302 to /cookies",
    },
    Route { path: "/json", methods: "GET", group: "formats", description: "A sample JSON document" },
    Route {
        path: "/json?records={n}",
        methods: "GET",
        group: "formats",
        description: "n generated sensor readings as one JSON document (a wirelab.ReadingBatch), the same \
                      bytes for the same n, streamed; up to 100 MiB (308,404 readings)",
    },
    Route { path: "/xml", methods: "GET", group: "formats", description: "A sample XML document" },
    Route { path: "/html", methods: "GET", group: "formats", description: "A sample HTML page" },
    Route { path: "/image/png", methods: "GET", group: "formats", description: "A small PNG image" },
    Route {
        path: "/gzip",
        methods: "GET",
        group: "formats",
        description: "JSON, always gzip-encoded (Content-Encoding: gzip)",
    },
    Route {
        path: "/protobuf",
        methods: "GET",
        group: "formats",
        description: "A wirelab.SensorReading message (application/x-protobuf)",
    },
    Route {
        path: "/protobuf.proto",
        methods: "GET",
        group: "formats",
        description: "The Protobuf schema of /protobuf",
    },
];

pub(crate) fn router(config: &Config) -> Router {
    Router::new()
        .route("/anything", any(request::echo))
        .route("/anything/", any(request::echo))
        .route("/anything/{*path}", any(request::echo))
        .route("/get", only(get(request::echo)))
        .route("/post", only(post(request::echo)))
        .route("/put", only(put(request::echo)))
        .route("/patch", only(patch(request::echo)))
        .route("/delete", only(delete(request::echo)))
        .route("/headers", only(get(inspect::headers)))
        .route("/ip", only(get(inspect::ip)))
        .route("/user-agent", only(get(inspect::user_agent)))
        .route("/dump/request", any(dump::request))
        .route("/status/{codes}", any(status::status))
        .route("/delay/{seconds}", any(dynamic::delay))
        .route("/bytes/{n}", only(get(dynamic::bytes)))
        .route("/stream/{n}", only(get(dynamic::stream)))
        .route("/drip", only(get(dynamic::drip)))
        .route("/sse", only(get(sse::sse)))
        .route("/uuid", only(get(dynamic::uuid)))
        .route("/redirect/{n}", only(get(redirect::relative)))
        .route("/relative-redirect/{n}", only(get(redirect::relative)))
        .route("/absolute-redirect/{n}", only(get(redirect::absolute)))
        .route("/redirect-to", any(redirect::to))
        .route("/basic-auth/{user}/{pass}", only(get(auth::basic)))
        .route("/hidden-basic-auth/{user}/{pass}", only(get(auth::hidden_basic)))
        .route("/digest-auth/{qop}/{user}/{passwd}", only(get(auth::digest)))
        .route("/digest-auth/{qop}/{user}/{passwd}/{algorithm}", only(get(auth::digest)))
        .route("/bearer", only(get(auth::bearer)))
        .route("/cookies", only(get(cookies::show)))
        .route("/cookies/set", only(get(cookies::set_from_query)))
        .route("/cookies/set/{name}/{value}", only(get(cookies::set_one)))
        .route("/cookies/delete", only(get(cookies::delete)))
        .route("/json", only(get(formats::json)))
        .route("/xml", only(get(formats::xml)))
        .route("/html", only(get(formats::html)))
        .route("/image/png", only(get(formats::png)))
        .route("/gzip", only(get(formats::gzip)))
        .route("/protobuf", only(get(formats::protobuf)))
        .route("/protobuf.proto", only(get(formats::proto_schema)))
        // `Captured` reads bodies under the limit itself (with JSON 413s); this keeps any axum
        // body extractor added later to the same limit.
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .with_state(Httpbin::new(config))
}

/// A route for some methods only: others get a JSON 405 (axum adds the `Allow` header).
fn only(route: MethodRouter<Httpbin>) -> MethodRouter<Httpbin> {
    route.fallback(method_not_allowed)
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("method {method} is not allowed on {}", uri.path()))
}

/// axum's [`Path`] extractor, rejecting with the JSON error shape instead of plain text.
pub(crate) struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// The whole request as received: head, peer address and body (read under `--max-body-bytes`).
#[derive(Debug)]
pub(crate) struct Captured {
    pub method: Method,
    pub uri: Uri,
    pub version: Version,
    pub headers: HeaderMap,
    /// The client's address (see [`Httpbin::origin`]).
    pub origin: String,
    /// The scheme a trusted proxy says the client used (`X-Forwarded-Proto`).
    pub forwarded_scheme: Option<&'static str>,
    pub body: Bytes,
}

impl FromRequest<Httpbin> for Captured {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Httpbin) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| *addr);
        let origin = state.origin(peer, &parts.headers);
        let forwarded_scheme = peer.and_then(|peer| state.proxies.scheme(peer.ip(), &parts.headers));
        let body = read_body(body, &parts.headers, state.max_body_bytes).await?;
        let (method, uri, version, headers) = (parts.method, parts.uri, parts.version, parts.headers);
        Ok(Self { method, uri, version, headers, origin, forwarded_scheme, body })
    }
}

impl Captured {
    /// A header as text, if present and visible ASCII.
    pub(crate) fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

fn over_limit(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body is over the server's limit of {limit} bytes (--max-body-bytes)"),
    )
    .refused(Refusal::BodyTooLarge)
}

/// Reads a body of at most `limit` bytes; a declared or actual larger one is a 413.
async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, ApiError> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(over_limit(limit));
    }
    let mut stream = body.into_data_stream();
    let mut buffer = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| ApiError::bad_request(format!("body: could not be read: {error}")))?;
        if buffer.len() + chunk.len() > limit {
            return Err(over_limit(limit));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

/// The query string's name/value pairs, percent-decoded, in order.
pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

/// The first value of query parameter `name` in `uri`.
pub(crate) fn query_value(uri: &Uri, name: &str) -> Option<String> {
    query_pairs(uri).into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
}

/// Parses a whole number parameter in `0..=max`, naming the parameter when it is not one.
pub(crate) fn parse_count(name: &str, text: &str, max: u64) -> Result<u64, ApiError> {
    match text.trim().parse::<u64>() {
        Ok(value) if value <= max => Ok(value),
        Ok(value) => Err(ApiError::bad_request(format!("{name}: {value} is over the maximum of {max}"))),
        Err(_) => Err(ApiError::bad_request(format!("{name}: expected a whole number from 0 to {max}, got {text:?}"))),
    }
}

/// Parses a duration in seconds (fractions allowed) that is not negative or NaN.
pub(crate) fn parse_seconds(name: &str, text: &str) -> Result<Duration, ApiError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| ApiError::bad_request(format!("{name}: expected a number of seconds, 0 or more, got {text:?}")))
}

/// Fails when `total` is over the server's `--max-delay`.
pub(crate) fn check_delay(state: &Httpbin, what: &str, total: Duration) -> Result<(), ApiError> {
    if total > state.max_delay {
        return Err(ApiError::bad_request(format!(
            "{what}: {} s is over the server's maximum delay of {} s (--max-delay)",
            total.as_secs_f64(),
            state.max_delay.as_secs_f64()
        )));
    }
    Ok(())
}
