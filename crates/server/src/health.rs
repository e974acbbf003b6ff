//! Health for balancers and orchestrators: `/healthz` says the process answers, `/readyz` says it
//! wants new traffic, which stops the moment SIGTERM starts the drain (`--drain-delay`), before
//! any WebSocket is closed.
//!
//! While draining, the server still serves everything, but it steers traffic away: `/readyz`
//! answers 503 (Kubernetes takes the pod out of its Service), new WebSocket upgrades get 503 with
//! `Retry-After` (`websocket/guard.rs`; nginx retries them on another server), and every HTTP/1.1
//! response carries `Connection: close`, so a balancer's kept-alive connections to this server end
//! after their current request instead of failing when the listener closes.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::Shutdown;

/// `GET /healthz` and `GET /readyz` (HEAD too), never cached.
pub(crate) fn router(shutdown: Shutdown) -> Router {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).with_state(shutdown)
}

async fn healthz() -> Response {
    no_store((StatusCode::OK, axum::Json(json!({ "status": "ok" }))).into_response())
}

async fn readyz(State(shutdown): State<Shutdown>) -> Response {
    let response = if shutdown.is_draining() {
        let body = json!({
            "status": "draining",
            "message": "this server is shutting down: open connections keep working, new ones belong elsewhere",
        });
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
    } else {
        (StatusCode::OK, axum::Json(json!({ "status": "ready" }))).into_response()
    };
    no_store(response)
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Middleware over the whole app: while draining, HTTP/1.x responses close their connection
/// (`Connection: close`; HTTP/2 has no such header, and hyper sends GOAWAY at the shutdown).
/// A 101 keeps its `Connection: upgrade`.
pub(crate) async fn close_while_draining(State(shutdown): State<Shutdown>, request: Request, next: Next) -> Response {
    let http1 = matches!(request.version(), Version::HTTP_10 | Version::HTTP_11);
    let mut response = next.run(request).await;
    if http1 && shutdown.is_draining() && response.status() != StatusCode::SWITCHING_PROTOCOLS {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
