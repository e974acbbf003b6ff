//! Serves the built app from the static directory, with `index.html` for the app's own routes.
//!
//! The yew app routes on the client (`/`, `/ws`, `/http`, `/formats`), so any GET path that is
//! not a file gets `index.html`; paths that look like files (they have an extension) 404 instead,
//! so a missing script or `.wasm` fails loudly rather than returning HTML.

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
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

pub(crate) fn router(static_dir: &Path) -> Router {
    if !static_dir.is_dir() {
        tracing::warn!(
            static_dir = %static_dir.display(),
            "static directory not found: run `cargo xtask run` to build the app \
             (the API and WebSocket endpoints still work)"
        );
        return Router::new().fallback(not_built);
    }
    let index = ServeFile::new(static_dir.join("index.html"));
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
    Router::new().fallback_service(ServeDir::new(static_dir).fallback(spa_fallback))
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
    use super::looks_like_file;

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
}
