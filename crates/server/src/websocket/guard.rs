//! Checks on every WebSocket upgrade before it happens: the Origin allowlist (403 for a page from a
//! site that is not allowed), so a browser tab elsewhere cannot make visitors' browsers use this
//! server; draining (503 with `Retry-After` once SIGTERM started the drain: see `health.rs`); and
//! the connection cap (503 with `Retry-After` when the server already holds `--max-connections`
//! sockets). Every refusal is the JSON error of the HTTP routes (`error.rs`), marked for
//! `wirelab_refusals_total` (`metrics.rs`).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::metrics::Refusal;
use crate::{Config, Shutdown};

/// Which page origins may open WebSockets here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginPolicy {
    /// Any origin (`--allow-origin '*'`).
    Any,
    /// The server's own origin, any loopback origin, and these (`scheme://host[:port]`).
    Listed(Vec<String>),
}

impl Default for OriginPolicy {
    fn default() -> Self {
        OriginPolicy::Listed(Vec::new())
    }
}

impl OriginPolicy {
    /// Whether a request with this `Origin` header (and `Host` header) may upgrade. Requests
    /// without an Origin come from programs, not pages, and are allowed.
    pub fn allows(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin.map(str::trim) else { return true };
        match self {
            OriginPolicy::Any => true,
            OriginPolicy::Listed(listed) => {
                let Ok(parsed) = url::Url::parse(origin) else { return false };
                let origin_host = parsed.host_str().unwrap_or("");
                let loopback = matches!(origin_host, "localhost" | "127.0.0.1" | "[::1]" | "::1")
                    || origin_host.ends_with(".localhost");
                let authority = match parsed.port() {
                    Some(port) => format!("{origin_host}:{port}"),
                    None => origin_host.to_owned(),
                };
                let same_origin = host.is_some_and(|host| host.eq_ignore_ascii_case(&authority));
                loopback
                    || same_origin
                    || listed.iter().any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
            }
        }
    }
}

/// What the guard needs: the live-socket count and the limits.
#[derive(Clone)]
pub(crate) struct Guard {
    pub shutdown: Shutdown,
    pub max_connections: usize,
    pub origins: OriginPolicy,
}

impl Guard {
    /// The guard every `/ws/` route (and `/mqtt`) sits behind, from the server's limits.
    pub(crate) fn new(config: &Config, shutdown: &Shutdown) -> Guard {
        Guard { shutdown: shutdown.clone(), max_connections: config.max_connections, origins: config.origins.clone() }
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Middleware for the WebSocket routes.
pub(crate) async fn check_upgrade(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let origin = header_text(headers, header::ORIGIN);
    if !guard.origins.allows(origin, header_text(headers, header::HOST)) {
        let message = format!(
            "WebSocket connections from the page origin {} are not allowed here (start the server with \
             --allow-origin {} to allow them)",
            origin.unwrap_or_default(),
            origin.unwrap_or_default()
        );
        return ApiError::new(StatusCode::FORBIDDEN, message).refused(Refusal::Origin).into_response();
    }
    if guard.shutdown.is_draining() {
        // A balancer that sees this (nginx: `proxy_next_upstream http_503` on the WebSocket
        // locations) tries another server; a client told "Retry-After: 1" comes back to one.
        let message = "this server is draining before it shuts down and takes no new WebSockets; connect again \
                       (through a balancer, you will reach another server)";
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
            .with_header(header::RETRY_AFTER, "1")
            .refused(Refusal::Draining)
            .into_response();
    }
    let open = guard.shutdown.open_connections();
    if open >= guard.max_connections {
        let message = format!("the server already holds {open} WebSocket connections, its limit; try again shortly");
        return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
            .with_header(header::RETRY_AFTER, "1")
            .refused(Refusal::MaxConnections)
            .into_response();
    }
    next.run(request).await
}
