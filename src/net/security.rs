//! The Security lab's requests: the server's TLS port (from `/api/info`), this connection's TLS
//! facts (`/tls/info` over https), and the authentication routes, whose status and
//! `WWW-Authenticate` the lab shows whatever they are. Sent with `credentials: omit`, so a 401
//! with a Basic or Digest challenge never opens the browser's own login prompt.

use gloo_net::http::Request;
use web_sys::RequestCredentials;
use wire::security_lab::{AuthAnswer, FetchProblem, TlsListener};
use wire::tls_info::TlsInfo;

/// The TLS listener `/api/info` of the server at `origin` names (`"tls": {"port": N,
/// "certificate_sha256": "AB:CD:…"}`), `None` when it has none.
pub async fn fetch_tls_listener(origin: &str) -> Result<Option<TlsListener>, String> {
    let response = Request::get(&format!("{origin}/api/info"))
        .send()
        .await
        .map_err(|error| format!("the Wirelab server did not answer ({error})"))?;
    if !response.ok() {
        return Err(format!("the server answered {} {}", response.status(), response.status_text()));
    }
    let info: serde_json::Value =
        response.json().await.map_err(|error| format!("/api/info did not return JSON ({error})"))?;
    Ok(tls_listener_in(&info))
}

/// `tls` of `/api/info`'s JSON; a `null` or missing `tls` is no TLS listener.
fn tls_listener_in(info: &serde_json::Value) -> Option<TlsListener> {
    let tls = info.get("tls")?;
    let port = tls.get("port")?.as_u64().and_then(|port| u16::try_from(port).ok()).filter(|port| *port != 0)?;
    let certificate_sha256 = tls.get("certificate_sha256").and_then(|value| value.as_str()).map(str::to_owned);
    Some(TlsListener { port, certificate_sha256 })
}

/// `GET url` (`https://…/tls/info`) read as [`TlsInfo`].
pub async fn fetch_tls_info(url: &str) -> Result<TlsInfo, FetchProblem> {
    let response = Request::get(url)
        .credentials(RequestCredentials::Omit)
        .send()
        .await
        .map_err(|error| FetchProblem::Network(error.to_string()))?;
    let status = response.status();
    let text = response.text().await.map_err(|error| FetchProblem::Network(error.to_string()))?;
    if !response.ok() {
        return Err(FetchProblem::Status { status, body: text });
    }
    serde_json::from_str(&text).map_err(|error| FetchProblem::Unreadable(error.to_string()))
}

/// `GET url` with `Authorization: authorization` when given; any status is an answer.
pub async fn request(url: &str, authorization: Option<&str>) -> Result<AuthAnswer, FetchProblem> {
    let mut builder = Request::get(url).credentials(RequestCredentials::Omit);
    if let Some(value) = authorization {
        builder = builder.header("Authorization", value);
    }
    let response = builder.send().await.map_err(|error| FetchProblem::Network(error.to_string()))?;
    let body = response.text().await.map_err(|error| FetchProblem::Network(error.to_string()))?;
    Ok(AuthAnswer {
        status: response.status(),
        status_text: response.status_text(),
        www_authenticate: response.headers().get("WWW-Authenticate"),
        body,
    })
}
