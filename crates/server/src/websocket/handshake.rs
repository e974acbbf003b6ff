//! The opening handshake of `/ws/echo` and `/ws/inspect` (RFC 6455 section 4.2), in one place:
//! everything read from the upgrade request and decided before the 101, for both endpoints. The
//! bridge (`/ws/tcp`, `/ws/udp`, in `bridge/`) takes steps 1, 3 (the first offer) and 5 from here
//! too, through [`accept_plain`].
//!
//! In order, each step refusing the upgrade when it fails:
//!
//! 1. The request is a WebSocket upgrade: `GET` (else 405 with `Allow: GET`), with `Upgrade:
//!    websocket` and `Connection: upgrade` (else 400), `Sec-WebSocket-Version: 13` (else 400
//!    with `Sec-WebSocket-Version: 13`, the version the server speaks, as section 4.4 asks) and a
//!    `Sec-WebSocket-Key` (else 400).
//! 2. The knobs in the query (`?delay_ms=200&fragment=16`, read by `wire::echo_options`, turned
//!    into the echo loop's plan in `knobs.rs`): a bad value is a 400 naming the parameter.
//! 3. The subprotocol. `Sec-WebSocket-Protocol` is parsed here and nowhere else
//!    ([`offered_subprotocols`]). The `subprotocol` knob selects one of the offered ones (a 400
//!    if the client did not offer it); without it the first offered one is selected: the lab
//!    lets users type any subprotocol, and a browser fails the connection unless the server
//!    selects one it offered.
//! 4. permessage-deflate: the first offer `deflate.rs` accepts, unless the `compress=off` knob or
//!    the server's `--permessage-deflate off` declines compression.
//! 5. The connection must be one hyper can hand over (HTTP/1.1; else 400).
//!
//! Every refusal is an [`ApiError`], the JSON error of the HTTP routes (`{"error": "...",
//! "status": 400}`, `Content-Type: application/json`), as are the guard's 403 and 503.
//!
//! The server writes the 101 itself, for both endpoints: the accept hash from
//! `wire::ws_frame::accept_key`, the selected subprotocol and the deflate answer
//! (`deflate::Offer::answer`, which yawc is then given as the agreed extension). The facts of
//! the handshake are kept as `wire::ws_inspect::HandshakeFacts`, which `/ws/inspect` reports.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use hyper::upgrade::OnUpgrade;
use wire::echo_options::{EchoOptions, OptionError};
use wire::ws_frame::accept_key;
use wire::ws_inspect::HandshakeFacts;

use super::deflate::{self, DeflateConfig};
use super::knobs::Plan;
use crate::error::ApiError;

/// An accepted upgrade: the 101 to send, and what the connection needs once upgraded.
pub(crate) struct Handshake {
    /// `101 Switching Protocols`, with the accept hash, subprotocol and extension.
    pub response: Response,
    /// What the echo loop follows, from the knobs.
    pub plan: Plan,
    /// What the client offered and the server answered; `extensions` is the agreed one.
    pub facts: HandshakeFacts,
    /// The connection, once the 101 has been sent.
    pub upgrade: OnUpgrade,
}

/// Reads the upgrade request; the refusal, in the JSON error shape, when it cannot be accepted.
pub(crate) fn accept(request: &mut Request, deflate: &DeflateConfig) -> Result<Handshake, ApiError> {
    let key = upgrade_key(request)?;
    let headers = request.headers();
    let options = EchoOptions::from_query(request.uri().query().unwrap_or("")).map_err(refusal)?;
    let offered = offered_subprotocols(headers);
    let subprotocol = select_subprotocol(&offered, options.subprotocol.as_deref()).map_err(refusal)?;
    let compress = options.compress.unwrap_or(true) && deflate.enabled;
    let offer = if compress { deflate::first_acceptable_offer(headers) } else { None };
    let facts = handshake_facts(key, headers, &offered, subprotocol, offer.map(|offer| offer.answer(deflate)));
    let (response, upgrade) = switch(request, &facts)?;
    Ok(Handshake { response, plan: Plan::new(&options), facts, upgrade })
}

/// Reads an upgrade request for an endpoint that is not the echo (the TCP/UDP bridge): step 1,
/// the first offered subprotocol, no knobs and no compression (the bridge carries other
/// protocols' bytes, counted as they are). The 101, and the connection once it is sent.
pub(crate) fn accept_plain(request: &mut Request) -> Result<(Response, OnUpgrade), ApiError> {
    let key = upgrade_key(request)?;
    let headers = request.headers();
    let offered = offered_subprotocols(headers);
    let facts = handshake_facts(key, headers, &offered, offered.first().copied(), None);
    switch(request, &facts)
}

/// What the client offered (`key`, subprotocols, extensions) and what the server answers.
fn handshake_facts(
    key: String,
    headers: &HeaderMap,
    offered: &[&str],
    subprotocol: Option<&str>,
    extensions: Option<String>,
) -> HandshakeFacts {
    HandshakeFacts {
        accept: accept_key(&key),
        key,
        offered_extensions: joined(headers, header::SEC_WEBSOCKET_EXTENSIONS),
        extensions,
        offered_subprotocols: (!offered.is_empty()).then(|| offered.join(", ")),
        subprotocol: subprotocol.map(str::to_owned),
        capture: None,
    }
}

/// Step 1: the request is a WebSocket upgrade; its `Sec-WebSocket-Key`.
fn upgrade_key(request: &Request) -> Result<String, ApiError> {
    if request.method() != Method::GET {
        let message = format!("a WebSocket upgrade is a GET request, not {}", request.method());
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, message).with_header(header::ALLOW, "GET"));
    }
    let headers = request.headers();
    if !has_token(headers, header::UPGRADE, "websocket") || !has_token(headers, header::CONNECTION, "upgrade") {
        return Err(ApiError::bad_request(
            "this is a WebSocket endpoint: send a WebSocket upgrade request (Upgrade: websocket, Connection: Upgrade)",
        ));
    }
    if headers.get(header::SEC_WEBSOCKET_VERSION).map(HeaderValue::as_bytes) != Some(b"13") {
        return Err(ApiError::bad_request("not a valid WebSocket upgrade request: Sec-WebSocket-Version must be 13")
            .with_header(header::SEC_WEBSOCKET_VERSION, "13"));
    }
    match headers.get(header::SEC_WEBSOCKET_KEY).and_then(|value| value.to_str().ok()) {
        Some(key) => Ok(key.to_owned()),
        None => Err(ApiError::bad_request("not a valid WebSocket upgrade request: no Sec-WebSocket-Key")),
    }
}

/// Step 5: the 101 for `facts`, and the connection hyper hands over once it is sent.
fn switch(request: &mut Request, facts: &HandshakeFacts) -> Result<(Response, OnUpgrade), ApiError> {
    let response = switching_protocols(facts)?;
    match request.extensions_mut().remove::<OnUpgrade>() {
        Some(upgrade) => Ok((response, upgrade)),
        None => Err(ApiError::bad_request("this connection cannot be upgraded: WebSocket needs HTTP/1.1")),
    }
}

/// A knob that cannot be honoured: a 400 whose message names the parameter.
fn refusal(error: OptionError) -> ApiError {
    ApiError::bad_request(error.to_string())
}

/// The 101 that completes the handshake described by `facts`.
fn switching_protocols(facts: &HandshakeFacts) -> Result<Response, ApiError> {
    let mut response = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "upgrade")
        .header(header::UPGRADE, "websocket")
        .header(header::SEC_WEBSOCKET_ACCEPT, &facts.accept);
    if let Some(protocol) = &facts.subprotocol {
        response = response.header(header::SEC_WEBSOCKET_PROTOCOL, protocol);
    }
    if let Some(extensions) = &facts.extensions {
        response = response.header(header::SEC_WEBSOCKET_EXTENSIONS, extensions);
    }
    response.body(Body::empty()).map_err(|error| {
        tracing::warn!(%error, "cannot write the handshake response");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot write the handshake response: {error}"))
    })
}

/// Whether a comma-separated header lists `token` (compared without regard to case).
fn has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    comma_separated(headers, name).any(|item| item.eq_ignore_ascii_case(token))
}

/// The subprotocols the client offered, in its order: every `Sec-WebSocket-Protocol` value, split
/// at commas.
pub(crate) fn offered_subprotocols(headers: &HeaderMap) -> Vec<&str> {
    comma_separated(headers, header::SEC_WEBSOCKET_PROTOCOL).collect()
}

/// The items of every value of header `name`, split at commas and trimmed; empty ones skipped.
fn comma_separated(headers: &HeaderMap, name: HeaderName) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// The subprotocol to select: `wanted` (the knob), which the client must have offered, or else
/// the first one offered.
fn select_subprotocol<'a>(offered: &[&'a str], wanted: Option<&str>) -> Result<Option<&'a str>, OptionError> {
    let Some(wanted) = wanted else { return Ok(offered.first().copied()) };
    match offered.iter().find(|token| **token == wanted) {
        Some(token) => Ok(Some(token)),
        None => Err(OptionError {
            param: "subprotocol".into(),
            message: format!(
                "'{wanted}' was not offered by the client (it offered {})",
                if offered.is_empty() { "none".to_owned() } else { offered.join(", ") }
            ),
        }),
    }
}

/// Every value of a request header, joined with `, `; `None` when absent.
fn joined(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    let values: Vec<&str> = headers.get_all(name).iter().filter_map(|value| value.to_str().ok()).collect();
    (!values.is_empty()).then(|| values.join(", "))
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use axum::response::IntoResponse;

    use super::*;

    /// A GET upgrade request to `target` with the standard headers, then `extra` ones (which
    /// replace a standard one of the same name), on a connection that can be upgraded.
    fn upgrade(target: &str, extra: &[(&str, &str)]) -> Request {
        let mut request = Request::new(Body::empty());
        *request.uri_mut() = target.parse().unwrap_or_else(|error| panic!("test target {target}: {error}"));
        let standard = [
            ("upgrade", "websocket"),
            ("connection", "Upgrade"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        for (name, value) in standard.iter().chain(extra) {
            let (Ok(name), Ok(value)) = (HeaderName::try_from(*name), HeaderValue::try_from(*value)) else {
                panic!("bad test header {name}: {value}")
            };
            if standard.iter().any(|(standard, _)| *standard == name.as_str()) {
                request.headers_mut().insert(name, value);
            } else {
                request.headers_mut().append(name, value);
            }
        }
        // What hyper attaches to an HTTP/1.1 upgrade request (here one that never completes).
        request.extensions_mut().insert(hyper::upgrade::on(Request::new(())));
        request
    }

    /// (query, offered subprotocols, offered extensions) → (selected subprotocol, deflate answer).
    #[test]
    fn knobs_choose_the_subprotocol_and_compression() {
        const PROTOCOL: &str = "sec-websocket-protocol";
        const EXTENSIONS: &str = "sec-websocket-extensions";
        const DEFLATE: &str = "permessage-deflate";
        let answer = Some("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        type Case = (&'static str, &'static [(&'static str, &'static str)], Option<&'static str>, Option<&'static str>);
        let cases: &[Case] = &[
            ("", &[], None, None),
            ("", &[(PROTOCOL, "a, b"), (EXTENSIONS, DEFLATE)], Some("a"), answer),
            ("", &[(PROTOCOL, " chat ,json")], Some("chat"), None),
            ("", &[(PROTOCOL, ", "), (PROTOCOL, "wirelab.v1")], Some("wirelab.v1"), None),
            ("subprotocol=b", &[(PROTOCOL, "a, b")], Some("b"), None),
            ("subprotocol=b", &[(PROTOCOL, "a"), (PROTOCOL, "b")], Some("b"), None),
            ("compress=off", &[(EXTENSIONS, DEFLATE)], None, None),
            ("compress=on", &[(EXTENSIONS, DEFLATE)], None, answer),
            ("compress=on", &[], None, None),
        ];
        for (query, headers, selected, answered) in cases {
            let target = format!("/ws/echo?{query}");
            let facts = match accept(&mut upgrade(&target, headers), &DeflateConfig::default()) {
                Ok(handshake) => handshake.facts,
                Err(refused) => panic!("{target}: {refused:?}"),
            };
            assert_eq!((facts.subprotocol.as_deref(), facts.extensions.as_deref()), (*selected, *answered), "{target}");
        }
        let no_deflate = DeflateConfig { enabled: false, ..DeflateConfig::default() };
        let accepted = accept(&mut upgrade("/ws/echo?compress=on", &[(EXTENSIONS, DEFLATE)]), &no_deflate);
        assert!(
            matches!(accepted, Ok(handshake) if handshake.facts.extensions.is_none()),
            "--permessage-deflate off wins"
        );
    }

    #[test]
    fn the_101_carries_the_accept_hash_and_the_choices() {
        let headers = [("sec-websocket-protocol", "chat"), ("sec-websocket-extensions", "permessage-deflate")];
        let handshake = match accept(&mut upgrade("/ws/inspect", &headers), &DeflateConfig::default()) {
            Ok(handshake) => handshake,
            Err(refused) => panic!("{refused:?}"),
        };
        let response = &handshake.response;
        assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
        let header = |name: HeaderName| response.headers().get(name).and_then(|value| value.to_str().ok());
        // RFC 6455 section 1.3's example key and accept.
        assert_eq!(header(header::SEC_WEBSOCKET_ACCEPT), Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        assert_eq!(header(header::SEC_WEBSOCKET_PROTOCOL), Some("chat"));
        assert_eq!(header(header::SEC_WEBSOCKET_EXTENSIONS), handshake.facts.extensions.as_deref());
        assert_eq!(handshake.facts.offered_subprotocols.as_deref(), Some("chat"));
    }

    /// Every other refusal is a case in `tests/refusals.rs`, over a real socket; this one needs a
    /// request that did not come over HTTP/1.1.
    #[tokio::test]
    async fn a_connection_that_cannot_be_upgraded_is_refused_in_json() {
        let mut request = upgrade("/ws/echo", &[]);
        request.extensions_mut().remove::<OnUpgrade>();
        let response = match accept(&mut request, &DeflateConfig::default()) {
            Ok(_) => panic!("accepted without a connection to upgrade"),
            Err(refused) => refused.into_response(),
        };
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        assert_eq!(content_type, Some(HeaderValue::from_static("application/json")));
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(
            body,
            serde_json::json!({
                "error": "this connection cannot be upgraded: WebSocket needs HTTP/1.1",
                "status": 400,
            })
        );
    }
}
