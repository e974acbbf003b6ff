//! Serves the built app from the static directory the way a CDN would: precompressed copies,
//! cache headers by file name, ETags and 304s, and `index.html` for the app's own routes.
//!
//! The yew app routes on the client (`/`, `/ws`, `/http`, `/formats`), so any GET path that is
//! not a file gets `index.html`; paths that look like files (they have an extension) 404 instead,
//! so a missing script or `.wasm` fails loudly rather than returning HTML.
//!
//! `cargo xtask run` writes `X.br` and `X.gz` beside every compressible file of `dist/` (see
//! `xtask/src/precompress.rs`); [`ServeDir`] sends the copy the client's `Accept-Encoding` prefers,
//! with `Vary: Accept-Encoding` and an ETag made of the sent file's size and modification time
//! and of its content coding, so the two copies and the original never share one; a request
//! naming that ETag in `If-None-Match` gets a 304. When `dist/index.html` has such a copy, the
//! dist counts as precompressed and the compression layer leaves its files alone: a file without
//! copies was not worth compressing. A dist built without them (a bare `trunk build`) is
//! compressed on the fly as before, and its ETags are weak, since the layer changes the bytes
//! after the ETag was chosen.
//!
//! Trunk puts a content hash in the names of the files it fingerprints, so those never change
//! and may be cached for a year; every other file (`index.html`, the worker modules, whose names
//! are fixed, the routes answered with `index.html`) must be revalidated on each use.
//!
//! `/sw.js` is not a file of the dist: it is the service worker (`www/sw.js`) with the list of
//! the dist's files and their hashes written above it at start (`service_worker.rs` says why),
//! sent `no-cache` with the build's version as its ETag.

mod service_worker;

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Uri, Version, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower::service_fn;
use tower_http::services::{ServeDir, ServeFile};

/// Shown at `/` when the static directory does not exist yet.
const NOT_BUILT_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Wirelab: app not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Wirelab's app is not built</h1>
<p>The server is running, but its static directory does not exist, so there is no app to serve.
Run <code>cargo xtask run</code> from the workspace to build the app and start the server.</p>
<p>The API (<a href="/api/info"><code>/api/info</code></a>) and the WebSocket echo
(<code>/ws/echo</code>) work without it.</p>
</body>
</html>
"#;

/// `Cache-Control` of a file whose name holds its content hash: it can never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of every other file: keep it, but ask (ETag, 304) before each use.
const REVALIDATE: &str = "no-cache";

/// Trunk writes a file's hash as `{:x}` of a 64-bit seahash, without leading zeros: 16 hex digits,
/// fewer once in sixteen times. Shorter runs than this are not taken for a hash.
const SHORTEST_HASH: usize = 13;

/// Marks a response from a precompressed dist, which the compression layer must not compress.
#[derive(Clone, Copy, Debug)]
struct FromPrecompressedDist;

/// Whether the static directory holds precompressed copies (see the module docs).
#[derive(Clone, Copy, Debug)]
struct Dist {
    precompressed: bool,
}

pub(crate) fn router(static_dir: &Path) -> Router {
    if !static_dir.is_dir() {
        tracing::warn!(
            static_dir = %static_dir.display(),
            "static directory not found: run `cargo xtask run` to build the app \
             (the API and WebSocket endpoints still work)"
        );
        return Router::new().fallback(not_built);
    }
    let dist = Dist { precompressed: has_precompressed_copies(static_dir) };
    if !dist.precompressed {
        tracing::info!(
            static_dir = %static_dir.display(),
            "no precompressed copies in the static directory: its files are compressed on the fly \
             (`cargo xtask precompress` writes them)"
        );
    }
    let index = ServeFile::new(static_dir.join("index.html")).precompressed_br().precompressed_gzip();
    let spa_fallback = service_fn(move |request: Request| {
        let index = index.clone();
        async move {
            if looks_like_file(request.uri().path()) {
                return Ok::<_, Infallible>(not_found());
            }
            let response = index.oneshot(request).await?;
            Ok(response.map(Body::new))
        }
    });
    let files = ServeDir::new(static_dir).precompressed_br().precompressed_gzip().fallback(spa_fallback);
    let router = match service_worker::AppBuild::scan(static_dir) {
        Ok(build) => {
            tracing::info!(version = %build.version, files = build.assets.len(), "the service worker precaches this build");
            let script = ServiceWorkerScript::new(&build);
            Router::new().route(SERVICE_WORKER_PATH, get(move || std::future::ready(script.response())))
        }
        Err(error) => {
            tracing::warn!(static_dir = %static_dir.display(), %error, "cannot list the app's files: no service worker");
            Router::new()
        }
    };
    router.fallback_service(files).layer(from_fn_with_state(dist, cdn_headers))
}

/// Where the service worker is served: at the root, so its scope is the whole app without a
/// `Service-Worker-Allowed` header.
const SERVICE_WORKER_PATH: &str = "/sw.js";

/// `/sw.js` as it is sent: the same bytes for the server's whole life.
#[derive(Clone)]
struct ServiceWorkerScript {
    text: axum::body::Bytes,
    etag: HeaderValue,
}

impl ServiceWorkerScript {
    fn new(build: &service_worker::AppBuild) -> Self {
        let etag = HeaderValue::from_str(&format!("\"sw-{}\"", build.version))
            .unwrap_or_else(|_| HeaderValue::from_static("\"sw\""));
        Self { text: build.script().into(), etag }
    }

    /// `cdn_headers` adds `Cache-Control: no-cache` (the name has no hash) and answers a matching
    /// `If-None-Match` with 304.
    fn response(&self) -> Response {
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
                (header::ETAG, self.etag.clone()),
            ],
            self.text.clone(),
        )
            .into_response()
    }
}

/// The compression layer's test for static files: never those of a precompressed dist.
pub(crate) fn not_from_precompressed_dist(_: StatusCode, _: Version, _: &HeaderMap, extensions: &Extensions) -> bool {
    extensions.get::<FromPrecompressedDist>().is_none()
}

/// A dist is precompressed when its `index.html` has a `.br` or `.gz` copy beside it.
fn has_precompressed_copies(static_dir: &Path) -> bool {
    ["index.html.br", "index.html.gz"].iter().any(|copy| static_dir.join(copy).is_file())
}

/// Adds `Cache-Control` by file name and `Vary: Accept-Encoding`, gives each copy its own ETag,
/// answers revalidations with 304, and keeps the compression layer off precompressed files (or
/// makes ETags weak when it may compress them).
async fn cdn_headers(State(dist): State<Dist>, mut request: Request, next: Next) -> Response {
    let cache_control = if is_content_hashed(request.uri().path()) { IMMUTABLE } else { REVALIDATE };
    let revalidation = Revalidation::take_from(request.headers_mut());
    let mut response = next.run(request).await;
    if !response.status().is_success() {
        return response;
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    let varies_by_encoding = headers
        .get_all(header::VARY)
        .iter()
        .any(|value| value.to_str().is_ok_and(|text| text.to_ascii_lowercase().contains("accept-encoding")));
    if !varies_by_encoding {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let etag = headers
        .get(header::ETAG)
        .and_then(|etag| representation_etag(etag, headers.get(header::CONTENT_ENCODING), !dist.precompressed));
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    if revalidation.unchanged(headers) {
        return not_modified(headers);
    }
    if dist.precompressed {
        response.extensions_mut().insert(FromPrecompressedDist);
    }
    response
}

/// The request's `If-None-Match` and `If-Modified-Since`, taken out of it so that [`ServeDir`]
/// always answers in full: it knows only the ETag of the file it sent, not the one the client
/// was given (with the encoding in it), so the 304 is decided here, per RFC 9110 §13.2.2.
struct Revalidation {
    if_none_match: Option<HeaderValue>,
    if_modified_since: Option<HeaderValue>,
}

impl Revalidation {
    fn take_from(headers: &mut HeaderMap) -> Self {
        Self {
            if_none_match: headers.remove(header::IF_NONE_MATCH),
            if_modified_since: headers.remove(header::IF_MODIFIED_SINCE),
        }
    }

    /// Whether the client's copy is the one about to be sent. `If-None-Match` decides when it is
    /// present (weak comparison, `*` for any); otherwise `If-Modified-Since` must equal
    /// `Last-Modified`, as nginx compares by default (clients send back what they were given).
    fn unchanged(&self, response: &HeaderMap) -> bool {
        if let Some(if_none_match) = &self.if_none_match {
            let etag = response.get(header::ETAG).and_then(|etag| etag.to_str().ok());
            let listed = if_none_match.to_str().unwrap_or("");
            return etag.is_some_and(|etag| {
                listed.trim() == "*" || listed.split(',').any(|tag| opaque_tag(tag) == opaque_tag(etag))
            });
        }
        self.if_modified_since.as_ref().is_some_and(|since| response.get(header::LAST_MODIFIED) == Some(since))
    }
}

/// An entity tag without the weakness mark, for the weak comparison `If-None-Match` uses.
fn opaque_tag(tag: &str) -> &str {
    let tag = tag.trim();
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// A 304 with the headers a 200 would have had that RFC 9110 §15.4.5 asks for.
fn not_modified(full: &HeaderMap) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    for name in [header::CACHE_CONTROL, header::ETAG, header::VARY, header::LAST_MODIFIED, header::CONTENT_LOCATION] {
        for value in full.get_all(&name) {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    response
}

/// The ETag of what is sent: [`ServeDir`]'s (the size and modification time of the file it
/// opened) with the content coding added, so the `.br` copy, the `.gz` copy and the file itself
/// never share one even if two of them have the same size and time. Weak (`W/`) when the
/// compression layer may still change the bytes.
fn representation_etag(etag: &HeaderValue, encoding: Option<&HeaderValue>, weak: bool) -> Option<HeaderValue> {
    let tag = etag.to_str().ok()?;
    let weak = weak || tag.starts_with("W/");
    let inner = opaque_tag(tag).strip_prefix('"')?.strip_suffix('"')?;
    let coding = encoding.and_then(|encoding| encoding.to_str().ok()).map(|coding| format!("-{coding}"));
    HeaderValue::from_str(&format!("{}\"{inner}{}\"", if weak { "W/" } else { "" }, coding.unwrap_or_default())).ok()
}

/// Whether a path's last segment is a name trunk gave a content hash: `-` and the hash just
/// before the extension (`wirelab-1a2b3c4d5e6f7a8b.js`, `style-….css`), or before the `_bg` of
/// the wasm module (`wirelab-…_bg.wasm`). Worker modules (`labs/http.js`) have none.
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _extension)| stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (SHORTEST_HASH..=16).contains(&hash.len()) && hash.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Whether a path's last segment has an extension, i.e. it names a file rather than a route.
fn looks_like_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "not found\n").into_response()
}

async fn not_built(uri: Uri) -> Response {
    if looks_like_file(uri.path()) { not_found() } else { Html(NOT_BUILT_PAGE).into_response() }
}

#[cfg(test)]
mod tests {
    use super::{is_content_hashed, looks_like_file};

    #[test]
    fn files_have_extensions_and_routes_do_not() {
        for (path, is_file) in [
            ("/", false),
            ("/ws", false),
            ("/http", false),
            ("/formats", false),
            ("/formats/deep/link", false),
            ("/app.js", true),
            ("/assets/wirelab_bg.wasm", true),
            ("/favicon.ico", true),
        ] {
            assert_eq!(looks_like_file(path), is_file, "{path}");
        }
    }

    #[test]
    fn names_with_trunks_content_hash_are_told_apart() {
        for (path, hashed) in [
            // What trunk 0.21 writes: `{stem}-{seahash:x}.{ext}`, and `{name}-{hash}_bg.wasm`.
            ("/wirelab-1a2b3c4d5e6f7a8b.js", true),
            ("/wirelab-1a2b3c4d5e6f7a8b_bg.wasm", true),
            ("/style-0f1e2d3c4b5a6978.css", true),
            ("/favicon-9e8d7c6b5a4f3e2d.svg", true),
            ("/nested/dir/chunk-abcdefabcdefabcd.js", true),
            // A hash with leading zero digits is printed shorter.
            ("/wirelab-a2b3c4d5e6f7a8b.js", true),
            ("/wirelab-3c4d5e6f7a8b9.js", true),
            // Not hashed: fixed names, worker modules, routes, too short or not hex.
            ("/", false),
            ("/index.html", false),
            ("/labs/http.js", false),
            ("/labs/http_bg.wasm", false),
            ("/formats", false),
            ("/favicon.svg", false),
            ("/wirelab-3c4d5e6f7a8b.js", false),
            ("/wirelab-1a2b3c4d5e6f7a8b0.js", false),
            ("/wirelab-1A2B3C4D5E6F7A8B.js", false),
            ("/wirelab-1a2b3c4d5e6f7g8b.js", false),
            ("/wirelab_1a2b3c4d5e6f7a8b.js", false),
            ("/1a2b3c4d5e6f7a8b.js", false),
            ("/snippets/wirelab-1a2b3c4d5e6f7a8b/inline0.js", false),
            ("/wirelab-1a2b3c4d5e6f7a8b.js.br", false),
        ] {
            assert_eq!(is_content_hashed(path), hashed, "{path}");
        }
    }
}
