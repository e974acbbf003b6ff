//! The opening handshake of a recorded WebSocket as text, as close to its bytes on the wire as
//! the server can know them: hyper has parsed the request before the server sees it, and writes
//! the 101 itself (see the module doc of `capture` for what differs).

use axum::extract::Request;
use axum::http::{HeaderMap, Version};
use axum::response::Response;

/// `GET /ws/inspect?x HTTP/1.1`, the headers in hyper's order, a blank line.
pub(crate) fn request_head(request: &Request) -> Vec<u8> {
    let target = request.uri().path_and_query().map_or("/", |target| target.as_str());
    let line = format!("{} {target} {}\r\n", request.method(), version(request.version()));
    with_headers(line, request.headers())
}

/// `HTTP/1.1 101 Switching Protocols`, the headers the handler set, a blank line.
pub(crate) fn response_head(response: &Response) -> Vec<u8> {
    let status = response.status();
    let line =
        format!("{} {} {}\r\n", version(response.version()), status.as_u16(), status.canonical_reason().unwrap_or(""));
    with_headers(line, response.headers())
}

fn version(version: Version) -> &'static str {
    match version {
        Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    }
}

fn with_headers(line: String, headers: &HeaderMap) -> Vec<u8> {
    let mut head = line.into_bytes();
    for (name, value) in headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn heads_are_written_as_http_1_1_text() {
        let request = Request::builder()
            .uri("/ws/inspect?delay_ms=5")
            .header("Host", "127.0.0.1:8080")
            .header("Upgrade", "websocket")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&request_head(&request)),
            "GET /ws/inspect?delay_ms=5 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nupgrade: websocket\r\n\r\n"
        );
        let response = Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header("Connection", "upgrade")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&response_head(&response)),
            "HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\n\r\n"
        );
    }
}
